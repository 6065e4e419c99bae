-- Volunteering and the community points bank (志愿服务 / 积分银行).

-- A resident who offers help: told about their building's help requests (helps), and whether
-- they agreed to be named on the monthly thank-you board (named).
CREATE TABLE volunteers (
    user_id INTEGER PRIMARY KEY,
    helps INTEGER NOT NULL DEFAULT 0,
    named INTEGER NOT NULL DEFAULT 0,
    changed_at INTEGER NOT NULL
);

-- A volunteer activity, announced like a notice to its audience (buildings: JSON list, or
-- '*' for everyone), with a number of places and the points each volunteer who came earns.
CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    organiser_id INTEGER,
    title TEXT NOT NULL,
    place TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    slots INTEGER NOT NULL CHECK (slots > 0),
    points INTEGER NOT NULL CHECK (points >= 0),
    buildings TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    credited_at INTEGER
);
CREATE INDEX activities_starts ON activities(starts_at);

-- Who said "I'll help": going (within the places) or waiting (the waiting list, in order of
-- signing), or withdrawn; attended is the organiser's tick after the activity.
CREATE TABLE activity_signups (
    activity_id INTEGER NOT NULL REFERENCES activities(id),
    user_id INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('going', 'waiting', 'withdrawn')),
    signed_at INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    attended INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (activity_id, user_id)
);

-- Reminders before an activity (the day and the hour before), each claimed once.
CREATE TABLE activity_due (
    id INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities(id),
    kind TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    done_at INTEGER,
    UNIQUE (activity_id, kind)
);
CREATE INDEX activity_due_open ON activity_due(due_at) WHERE done_at IS NULL;

-- A neighbour's request for help (互助). requester_id is NULL when a leader (posted_by) posted
-- it for someone without Telegram, whose name and how to reach them is in contact. The unit
-- and the contact are shown only to the helper who took it, after they took it.
CREATE TABLE help_requests (
    id INTEGER PRIMARY KEY,
    building_id INTEGER NOT NULL REFERENCES buildings(id),
    unit_id INTEGER REFERENCES units(id),
    kind TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    voice TEXT,
    requester_id INTEGER,
    posted_by INTEGER,
    contact TEXT NOT NULL DEFAULT '',
    helper_id INTEGER,
    state TEXT NOT NULL CHECK (state IN ('open', 'taken', 'done')),
    points INTEGER NOT NULL CHECK (points >= 0),
    created_at INTEGER NOT NULL,
    taken_at INTEGER,
    done_at INTEGER
);
CREATE INDEX help_requests_open ON help_requests(building_id, state);

-- The ledger: every credit and debit, with who, why (kind and ref), when and by whom. A
-- balance is the sum of a person's rows. Points are earned only by volunteering (activities,
-- help); never by voting or rating.
CREATE TABLE points_ledger (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    delta INTEGER NOT NULL CHECK (delta != 0),
    kind TEXT NOT NULL CHECK (kind IN ('activity', 'help', 'redeem', 'correction')),
    ref TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    by_id INTEGER,
    at INTEGER NOT NULL
);
CREATE INDEX points_by_user ON points_ledger(user_id, at);
-- One award per activity (or help request, or redemption) per person.
CREATE UNIQUE INDEX points_once ON points_ledger(user_id, kind, ref)
    WHERE kind IN ('activity', 'help', 'redeem');
CREATE TRIGGER points_never_negative BEFORE INSERT ON points_ledger
WHEN NEW.delta < 0 AND
    (SELECT COALESCE(SUM(delta), 0) FROM points_ledger WHERE user_id = NEW.user_id) + NEW.delta < 0
BEGIN
    SELECT RAISE(ABORT, 'points balance would be negative');
END;
CREATE TRIGGER points_correction_reason BEFORE INSERT ON points_ledger
WHEN NEW.kind = 'correction' AND trim(NEW.reason) = ''
BEGIN
    SELECT RAISE(ABORT, 'a correction needs a reason');
END;
CREATE TRIGGER points_rows_kept BEFORE UPDATE OF user_id, delta, kind, ref ON points_ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger rows are never changed');
END;

-- Rewards (a property-fee voucher, a free room booking, a sponsor's goods): a price and a
-- stock that never goes below zero.
CREATE TABLE rewards (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    price INTEGER NOT NULL CHECK (price > 0),
    stock INTEGER NOT NULL CHECK (stock >= 0),
    active INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    created_at INTEGER NOT NULL
);

-- A redemption: a one-time code staff mark as used. ref is the confirmation pressed (a
-- second press of the same confirmation redeems nothing more).
CREATE TABLE redemptions (
    id INTEGER PRIMARY KEY,
    reward_id INTEGER NOT NULL REFERENCES rewards(id),
    user_id INTEGER,
    ref TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    price INTEGER NOT NULL,
    at INTEGER NOT NULL,
    used_at INTEGER,
    used_by INTEGER
);
CREATE UNIQUE INDEX redemptions_once ON redemptions(user_id, reward_id, ref);

-- The monthly thank-you board: one due row per month, posted once.
CREATE TABLE honour_boards (
    month TEXT PRIMARY KEY,
    due_at INTEGER NOT NULL,
    done_at INTEGER
);
