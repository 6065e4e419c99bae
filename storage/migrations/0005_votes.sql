-- Proposals and votes (议事 / 表决): proposals, ballots (with their history) and due times.
-- Times are whole seconds since the Unix epoch (UTC).
CREATE TABLE proposals (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- JSON list of {"key": "...", "label": "..." | null, "abstain": bool}; a null label is one
    -- of the default options (agree / disagree / abstain), translated where shown.
    options TEXT NOT NULL,
    building_id INTEGER REFERENCES buildings(id),  -- NULL: the whole community
    kind TEXT NOT NULL CHECK (kind IN ('poll', 'decision')),
    art278_item INTEGER CHECK (art278_item BETWEEN 1 AND 9),
    basis TEXT NOT NULL DEFAULT 'household' CHECK (basis IN ('household', 'resident')),
    quorum_num INTEGER,
    quorum_den INTEGER,
    state TEXT NOT NULL DEFAULT 'draft'
        CHECK (state IN ('draft', 'approved', 'open', 'closed', 'rejected', 'returned')),
    author_id INTEGER,
    approver_id INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    duration_days INTEGER NOT NULL,
    opens_at INTEGER,
    closes_at INTEGER,
    nonce BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    closed_at INTEGER,
    result TEXT,  -- JSON, written once at the close
    CHECK ((kind = 'decision') = (art278_item IS NOT NULL))
);
CREATE INDEX proposals_state ON proposals(state, closes_at);

-- Every ballot ever cast; the current one per (proposal, counting key, source) has
-- superseded_at NULL. The counting key is the owner key (owners' decisions), 'u<unit id>'
-- (household polls) or 'r<user id>' (resident polls).
CREATE TABLE ballots (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    voter_id INTEGER,  -- NULL for a forgotten person
    unit_id INTEGER NOT NULL REFERENCES units(id),
    count_key TEXT NOT NULL,
    option TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('electronic', 'paper')),
    cast_at INTEGER NOT NULL,
    recorded_by INTEGER,  -- the officer who recorded a paper ballot
    superseded_at INTEGER
);
CREATE UNIQUE INDEX ballots_current ON ballots(proposal_id, count_key, source)
    WHERE superseded_at IS NULL;
CREATE INDEX ballots_voter ON ballots(voter_id, proposal_id);

CREATE TABLE vote_due (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    kind TEXT NOT NULL CHECK (kind IN ('open', 'remind', 'close')),
    due_at INTEGER NOT NULL,
    sent_at INTEGER,
    PRIMARY KEY (proposal_id, kind)
);
CREATE INDEX vote_due_pending ON vote_due(due_at) WHERE sent_at IS NULL;
