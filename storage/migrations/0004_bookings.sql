-- Shared room booking: bookings, blackouts, reminder rows and "tell me if it frees up" watches.
-- Times are whole seconds since the Unix epoch (UTC); intervals are half-open [start_at, end_at).
CREATE TABLE bookings (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms(id),
    unit_id INTEGER REFERENCES units(id),
    booked_by INTEGER,
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'cancelled', 'rejected')),
    created_at INTEGER NOT NULL,
    decided_by INTEGER,
    decided_at INTEGER,
    cancel_reason TEXT,
    CHECK (end_at > start_at)
);
CREATE INDEX bookings_room_time ON bookings(room_id, start_at)
    WHERE state IN ('pending', 'confirmed');
CREATE INDEX bookings_unit ON bookings(unit_id, start_at);
CREATE INDEX bookings_booked_by ON bookings(booked_by);

CREATE TABLE room_blackouts (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms(id),
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    CHECK (end_at > start_at)
);
CREATE INDEX room_blackouts_room_time ON room_blackouts(room_id, start_at) WHERE active = 1;

-- The database-level guard: a live (pending or confirmed) booking never overlaps another live
-- booking or an active blackout of the same room, whatever the Python code above it does.
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.state IN ('pending', 'confirmed')
BEGIN
    SELECT RAISE(ABORT, 'booking overlap')
    WHERE EXISTS (
        SELECT 1 FROM bookings b
        WHERE b.room_id = NEW.room_id AND b.state IN ('pending', 'confirmed')
          AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at
    ) OR EXISTS (
        SELECT 1 FROM room_blackouts x
        WHERE x.room_id = NEW.room_id AND x.active = 1
          AND x.start_at < NEW.end_at AND NEW.start_at < x.end_at
    );
END;

CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF room_id, start_at, end_at, state
ON bookings
WHEN NEW.state IN ('pending', 'confirmed')
BEGIN
    SELECT RAISE(ABORT, 'booking overlap')
    WHERE EXISTS (
        SELECT 1 FROM bookings b
        WHERE b.room_id = NEW.room_id AND b.id != NEW.id AND b.state IN ('pending', 'confirmed')
          AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at
    );
END;

CREATE TABLE booking_reminders (
    booking_id INTEGER PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
    due_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX booking_reminders_due ON booking_reminders(due_at) WHERE sent_at IS NULL;

CREATE TABLE booking_watches (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms(id),
    user_id INTEGER NOT NULL,
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    notified_at INTEGER,
    UNIQUE (room_id, user_id, start_at)
);
CREATE INDEX booking_watches_room ON booking_watches(room_id, start_at) WHERE notified_at IS NULL;
