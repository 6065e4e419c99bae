-- The property office's day, part one: outages declared once (incidents) that new reports
-- follow instead of each becoming a ticket, and the duty roster that assigns new tickets.

-- An outage (停水, 停电 …) of one category in some buildings (or the whole community), with its
-- expected end; the urgent notice that announced it is a notice row like any other.
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    category TEXT NOT NULL,
    buildings TEXT NOT NULL,  -- JSON list of building ids, or '*' (as notices' audience)
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    expected_end INTEGER,  -- NULL: not known yet
    note TEXT NOT NULL DEFAULT '',  -- a few words by the declarer ("pipe repair")
    declared_by INTEGER,  -- NULL once they used /forgetme
    declared_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    resolved_by INTEGER,
    resolved_at INTEGER,
    notice_id INTEGER REFERENCES notices(id)
);
CREATE INDEX incidents_open ON incidents(category) WHERE state = 'open';
CREATE INDEX incidents_declared ON incidents(declared_at);

-- Residents who followed the outage instead of reporting it, with where they would have
-- reported it (so that "not fixed" after it is restored becomes their own ticket).
CREATE TABLE incident_followers (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    user_id INTEGER NOT NULL,
    since INTEGER NOT NULL,
    building_id INTEGER NOT NULL REFERENCES buildings(id),
    unit_id INTEGER REFERENCES units(id),
    floor INTEGER,
    place TEXT NOT NULL DEFAULT '',
    not_fixed_ticket INTEGER REFERENCES tickets(id),
    PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX incident_followers_user ON incident_followers(user_id);

-- Tickets of the outage (open when it was declared, or reported anyway): resolved with it.
CREATE TABLE incident_tickets (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    linked_at INTEGER NOT NULL
);
CREATE INDEX incident_tickets_incident ON incident_tickets(incident_id);

-- The weekly duty roster: who is on duty for a category ('*': every category) on a weekday
-- (0 Monday … 6 Sunday), in the order the turn goes round; and the on-call person of the night
-- that starts on a weekday (urgent tickets outside service hours).
CREATE TABLE duty_roster (
    category TEXT NOT NULL,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    position INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (category, weekday, user_id)
);
CREATE TABLE duty_on_call (
    weekday INTEGER PRIMARY KEY CHECK (weekday BETWEEN 0 AND 6),
    user_id INTEGER NOT NULL
);
-- Whose turn it was last, per category: the round-robin goes on from there.
CREATE TABLE duty_turns (
    category TEXT PRIMARY KEY,
    last_user_id INTEGER,
    at INTEGER NOT NULL
);
