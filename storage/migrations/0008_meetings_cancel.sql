-- Cancelling meetings: an occurrence can be cancelled, a recurring series ended; due rows that
-- will never be sent are marked skipped (done, so no sweep claims them).
ALTER TABLE meeting_occurrences ADD COLUMN cancelled_at INTEGER;
ALTER TABLE meetings ADD COLUMN ended_at INTEGER;
ALTER TABLE meeting_due ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
