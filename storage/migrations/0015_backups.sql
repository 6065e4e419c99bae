-- The daily backup's due-time rows: one per day (the community's date), claimed once, with
-- what came of it (the file written, or why it failed).
CREATE TABLE backup_due (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL UNIQUE,
    due_at INTEGER NOT NULL,
    claimed_at INTEGER,
    finished_at INTEGER,
    file TEXT,
    error TEXT
);
CREATE INDEX backup_due_pending ON backup_due (due_at) WHERE claimed_at IS NULL;
