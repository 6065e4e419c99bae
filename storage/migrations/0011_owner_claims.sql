-- Owners proven, not claimed. The door or mailbox code proves a household member or tenant,
-- never an owner: a person tapping "owner" there becomes a household member (relation
-- 'family') with a pending owner claim. A claim is settled by the owner's own one-time code
-- (an owner letter, 'code') or by a building leader or staff member who compared the
-- registered owner's name ('leader'). Confirming makes the residence's relation 'owner'.
CREATE TABLE owner_claims (
    id INTEGER PRIMARY KEY,
    residence_id INTEGER NOT NULL REFERENCES residences(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'refused')),
    via TEXT CHECK (via IN ('code', 'leader', 'upgrade')),
    claimed_at INTEGER NOT NULL,
    decided_at INTEGER
);
CREATE UNIQUE INDEX owner_claims_one_pending ON owner_claims(residence_id)
    WHERE status = 'pending';
CREATE INDEX owner_claims_by_status ON owner_claims(status, claimed_at);

-- Owner letters: one code per unit, bound to the owner the community file names for it when
-- the letter was printed, usable once. Only a hash is kept (like the administrator's claim
-- code): a copy of the database gives nobody a usable letter. Printing again makes a new code
-- and retires the unit's unused ones.
CREATE TABLE owner_codes (
    code_hash TEXT PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    owner_id INTEGER NOT NULL REFERENCES owners(id),
    created_at INTEGER NOT NULL,
    used_by INTEGER REFERENCES people(user_id) ON DELETE SET NULL,
    used_at INTEGER,
    retired_at INTEGER
);
CREATE INDEX owner_codes_unused ON owner_codes(unit_id)
    WHERE used_at IS NULL AND retired_at IS NULL;

-- Owners confirmed before this version were confirmed under the old rules (a door code, or a
-- leader's approval): they stay owners, recorded as such.
INSERT INTO owner_claims (residence_id, status, via, claimed_at, decided_at)
    SELECT id, 'confirmed', 'upgrade', requested_at, COALESCE(decided_at, requested_at)
    FROM residences WHERE relation = 'owner' AND status = 'verified';
