-- The community, its buildings, units and owners, people, residences, roles, categories, rooms.
-- Times are whole seconds since the Unix epoch (UTC); floor areas are exact decimals in text.
CREATE TABLE community (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    staff_chat_id INTEGER,
    settings TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE buildings (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    grid TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE owners (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    is_developer INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    building_id INTEGER NOT NULL REFERENCES buildings(id),
    code TEXT NOT NULL UNIQUE,
    entrance TEXT NOT NULL DEFAULT '',
    floor INTEGER NOT NULL,
    room TEXT NOT NULL,
    area TEXT NOT NULL,
    owner_id INTEGER REFERENCES owners(id),
    invite_code TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX units_building ON units(building_id, floor, room);

CREATE TABLE people (
    user_id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL DEFAULT '',
    username TEXT,
    language_code TEXT,
    locale TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE residences (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES people(user_id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    relation TEXT NOT NULL CHECK (relation IN ('owner', 'family', 'tenant')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'rejected', 'left')),
    via TEXT NOT NULL CHECK (via IN ('invite', 'request', 'admin')),
    requested_at INTEGER NOT NULL,
    decided_by INTEGER,
    decided_at INTEGER
);
CREATE UNIQUE INDEX residences_live ON residences(user_id, unit_id)
    WHERE status IN ('pending', 'verified');
CREATE INDEX residences_unit ON residences(unit_id, status);

CREATE TABLE roles (
    user_id INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('leader', 'grid', 'staff', 'manager', 'committee', 'admin')),
    building_id INTEGER REFERENCES buildings(id),
    granted_by INTEGER,
    granted_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX roles_unique ON roles(user_id, role, IFNULL(building_id, 0));
CREATE INDEX roles_by_role ON roles(role, building_id);

CREATE TABLE admin_claims (
    code_hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    used_by INTEGER,
    used_at INTEGER
);

CREATE TABLE categories (
    code TEXT PRIMARY KEY,
    names TEXT NOT NULL,
    priority TEXT NOT NULL CHECK (priority IN ('urgent', 'normal', 'low')),
    team_chat_id INTEGER,
    response_minutes INTEGER,
    resolution_minutes INTEGER,
    position INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE rooms (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    names TEXT NOT NULL,
    rules TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor INTEGER,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);

-- python-telegram-bot persistence (conversation states, user_data, chat_data), as JSON.
CREATE TABLE ptb_data (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
