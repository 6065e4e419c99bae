-- Inspection rounds (巡检): plans from the community file (a place or route, checklist items,
-- a recurrence, an assignee, a deadline), the rounds they make due, each item's result.
-- A plan's next_due_at is its due row: the sweep moves it on with a conditional UPDATE, so a
-- round is made exactly once; a round's escalated_at is set in the transaction that queues
-- the manager's message, so a missed round is escalated exactly once.
CREATE TABLE inspection_plans (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    names TEXT NOT NULL,  -- JSON {locale: name}
    building_id INTEGER REFERENCES buildings(id),  -- NULL: a route across the community
    place TEXT NOT NULL DEFAULT '',
    recurrence TEXT NOT NULL,  -- JSON {every, at, weekday, day}
    deadline_minutes INTEGER NOT NULL,
    assignee_id INTEGER,  -- a staff member's Telegram id (the community file)
    active INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0,
    next_due_at INTEGER  -- NULL: to be computed from the recurrence by the next sweep
);
CREATE INDEX inspection_plans_due ON inspection_plans(next_due_at) WHERE active = 1;

CREATE TABLE inspection_items (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES inspection_plans(id),
    code TEXT NOT NULL,
    names TEXT NOT NULL,  -- JSON {locale: name}
    photo INTEGER NOT NULL DEFAULT 0,  -- a photo is asked with the tick
    category TEXT NOT NULL,  -- the ticket category a "not ok" opens
    position INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, code)
);

CREATE TABLE inspection_rounds (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES inspection_plans(id),
    due_at INTEGER NOT NULL,
    deadline_at INTEGER NOT NULL,
    assignee_id INTEGER,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
    done_at INTEGER,
    escalated_at INTEGER,
    UNIQUE (plan_id, due_at)
);
CREATE INDEX inspection_rounds_late ON inspection_rounds(deadline_at)
    WHERE state = 'open' AND escalated_at IS NULL;
CREATE INDEX inspection_rounds_due ON inspection_rounds(due_at);

CREATE TABLE inspection_results (
    round_id INTEGER NOT NULL REFERENCES inspection_rounds(id),
    item_id INTEGER NOT NULL REFERENCES inspection_items(id),
    ok INTEGER NOT NULL,
    photo_file_id TEXT,
    ticket_id INTEGER REFERENCES tickets(id),  -- the ticket a "not ok" opened
    checked_by INTEGER,
    at INTEGER NOT NULL,
    PRIMARY KEY (round_id, item_id)
);

-- Home visits (上门): a window staff offered or the resident chose for a repair at home; both
-- are reminded once before it (remind_at is the due row, reminded_at its mark, set in the
-- transaction that queues the reminders); arrived_at is "on site".
CREATE TABLE ticket_visits (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    state TEXT NOT NULL CHECK (state IN ('offered', 'choosing', 'agreed', 'arrived',
        'replaced')),
    window_start INTEGER,  -- NULL while the resident is choosing
    window_end INTEGER,
    offered_by INTEGER,  -- the staff member who offered it (and is reminded)
    chosen_by_resident INTEGER NOT NULL DEFAULT 0,
    pause_id INTEGER REFERENCES ticket_pauses(id),  -- the clock waiting for the resident
    created_at INTEGER NOT NULL,
    agreed_at INTEGER,
    remind_at INTEGER,
    reminded_at INTEGER,
    arrived_at INTEGER
);
CREATE INDEX ticket_visits_ticket ON ticket_visits(ticket_id);
CREATE INDEX ticket_visits_remind ON ticket_visits(remind_at)
    WHERE state = 'agreed' AND reminded_at IS NULL;
