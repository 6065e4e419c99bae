-- The durable outbox: one row per recipient of a broadcast (notice, vote announcement, result,
-- meeting reminder…), drained by bot/outbox.py at Telegram's pace.
CREATE TABLE outbox_batches (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    not_before INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'cancelled')),
    report_chat_id INTEGER,
    reported_at INTEGER
);
CREATE INDEX outbox_batches_ref ON outbox_batches(kind, ref);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES outbox_batches(id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'blocked', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_at INTEGER,
    sent_at INTEGER,
    message_id INTEGER,
    error TEXT,
    UNIQUE (batch_id, chat_id)
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_batch_state ON outbox(batch_id, state);
