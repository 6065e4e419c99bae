-- Tickets (工单): repair requests, complaints and suggestions; their history, followers, the
-- cards posted for staff, resident notes, SLA pauses and the reminder rows the sweep sends.
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,  -- the ticket number residents and staff see
    kind TEXT NOT NULL CHECK (kind IN ('repair', 'complaint', 'suggestion')),
    category TEXT NOT NULL,
    priority TEXT NOT NULL CHECK (priority IN ('urgent', 'normal', 'low')),
    state TEXT NOT NULL CHECK (state IN ('new', 'accepted', 'waiting_resident', 'on_site',
        'reopened', 'resolved', 'not_our_responsibility', 'rejected', 'duplicate', 'withdrawn',
        'closed')),
    unit_id INTEGER REFERENCES units(id),  -- set for "my home"
    building_id INTEGER NOT NULL REFERENCES buildings(id),
    floor INTEGER,  -- the unit's floor, or a floor read from the public place text
    place TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    voice_file_id TEXT,
    photos TEXT NOT NULL DEFAULT '[]',  -- JSON list of Telegram file ids
    anonymous INTEGER NOT NULL DEFAULT 0,
    reporter_id INTEGER,  -- NULL once the reporter used /forgetme
    assignee_id INTEGER,
    accepted_by INTEGER,
    asked_by INTEGER,  -- who asked the resident for information last
    reason TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    accepted_at INTEGER,
    on_site_at INTEGER,
    resolved_at INTEGER,
    closed_at INTEGER,
    response_due_at INTEGER,  -- NULL while the clock is stopped or once responded
    resolution_due_at INTEGER,
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment TEXT,
    rated_at INTEGER,
    reopen_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tickets_open ON tickets(building_id, category)
    WHERE state IN ('new', 'accepted', 'waiting_resident', 'on_site', 'reopened');
CREATE INDEX tickets_reporter ON tickets(reporter_id, created_at);
CREATE INDEX tickets_assignee ON tickets(assignee_id)
    WHERE state IN ('new', 'accepted', 'waiting_resident', 'on_site', 'reopened');

CREATE TABLE ticket_history (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    at INTEGER NOT NULL,
    actor INTEGER,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_history_ticket ON ticket_history(ticket_id, id);

CREATE TABLE ticket_notes (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    at INTEGER NOT NULL,
    author_id INTEGER,
    text TEXT NOT NULL DEFAULT '',
    voice_file_id TEXT,
    photo_file_id TEXT
);
CREATE INDEX ticket_notes_ticket ON ticket_notes(ticket_id, id);

CREATE TABLE ticket_followers (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    user_id INTEGER NOT NULL,
    since INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_followers_user ON ticket_followers(user_id);

-- Every card posted for a ticket (staff chat, team chat, private copies), edited in place.
CREATE TABLE ticket_cards (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('group', 'staff', 'manager')),
    PRIMARY KEY (ticket_id, chat_id)
);

CREATE TABLE ticket_pauses (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    start_at INTEGER NOT NULL,
    end_at INTEGER,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_pauses_ticket ON ticket_pauses(ticket_id);

-- Due reminders: SLA stages (bot.sla.Stage values) and the rating follow-ups
-- ('rating_ask', 'auto_close'). One row per ticket and stage, so a stage is sent at most once.
CREATE TABLE sla_reminders (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    stage TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    claimed_at INTEGER,
    sent_at INTEGER,
    UNIQUE (ticket_id, stage)
);
CREATE INDEX sla_reminders_due ON sla_reminders(due_at) WHERE sent_at IS NULL;
