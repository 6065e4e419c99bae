-- Notices, group chat bindings, mutes and meetings; the outbox learns a title for its reports
-- and remembers chats that blocked the bot.
ALTER TABLE outbox_batches ADD COLUMN title TEXT NOT NULL DEFAULT '';

CREATE TABLE group_bindings (
    chat_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('building', 'community', 'staff')),
    building_id INTEGER REFERENCES buildings(id),
    title TEXT NOT NULL DEFAULT '',
    bound_by INTEGER,
    bound_at INTEGER NOT NULL,
    CHECK ((kind = 'building') = (building_id IS NOT NULL))
);
CREATE INDEX group_bindings_building ON group_bindings(kind, building_id);

CREATE TABLE notice_mutes (
    user_id INTEGER PRIMARY KEY,
    muted_at INTEGER NOT NULL
);

CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'notice' CHECK (kind IN ('notice', 'minutes')),
    author_id INTEGER,
    text TEXT NOT NULL,
    photo TEXT,
    document TEXT,
    buildings TEXT NOT NULL,
    include_groups INTEGER NOT NULL DEFAULT 0,
    pin INTEGER NOT NULL DEFAULT 0,
    urgent INTEGER NOT NULL DEFAULT 0,
    send_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    batch_id INTEGER REFERENCES outbox_batches(id),
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'cancelled'))
);
CREATE INDEX notices_author ON notices(author_id, created_at);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    organiser_id INTEGER,
    title TEXT NOT NULL,
    place TEXT NOT NULL,
    agenda TEXT NOT NULL,
    buildings TEXT NOT NULL,
    include_groups INTEGER NOT NULL DEFAULT 0,
    rule TEXT,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'cancelled'))
);

CREATE TABLE meeting_occurrences (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    starts_at INTEGER NOT NULL,
    minutes_notice_id INTEGER REFERENCES notices(id),
    UNIQUE (meeting_id, starts_at)
);

CREATE TABLE meeting_rsvps (
    occurrence_id INTEGER NOT NULL REFERENCES meeting_occurrences(id),
    user_id INTEGER NOT NULL,
    attend INTEGER NOT NULL,
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (occurrence_id, user_id)
);

-- Due-time rows: announcement, the two reminders, the next occurrence of a recurring meeting.
CREATE TABLE meeting_due (
    id INTEGER PRIMARY KEY,
    occurrence_id INTEGER NOT NULL REFERENCES meeting_occurrences(id),
    kind TEXT NOT NULL CHECK (kind IN ('announce', 'remind_day', 'remind_hour', 'next')),
    due_at INTEGER NOT NULL,
    done_at INTEGER,
    UNIQUE (occurrence_id, kind)
);
CREATE INDEX meeting_due_open ON meeting_due(due_at) WHERE done_at IS NULL;
