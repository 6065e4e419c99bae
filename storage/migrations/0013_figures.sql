-- Figures (统计): each ticket's SLA measures as bot.rules.figures.measure computes them (clock
-- seconds to the first response, to the technician on site and to the resolution, paused time
-- left out, and whether each deadline was met), recorded whenever the ticket changes; tickets
-- older than this migration have measured_at NULL and are measured on the first count.
ALTER TABLE tickets ADD COLUMN response_secs INTEGER;
ALTER TABLE tickets ADD COLUMN response_met INTEGER;
ALTER TABLE tickets ADD COLUMN arrival_secs INTEGER;
ALTER TABLE tickets ADD COLUMN resolution_secs INTEGER;
ALTER TABLE tickets ADD COLUMN resolution_met INTEGER;
ALTER TABLE tickets ADD COLUMN measured_at INTEGER;
CREATE INDEX tickets_unmeasured ON tickets(id) WHERE measured_at IS NULL;

-- A period's rows are found by when they were reported, resolved or closed; each index covers
-- what storage.figures sums from it, so a month is summed without reading the table.
CREATE INDEX tickets_created ON tickets(created_at, building_id, kind, category, state,
    response_met, response_due_at, response_secs, arrival_secs);
CREATE INDEX tickets_resolved ON tickets(resolved_at, building_id, kind, category, state,
    assignee_id, resolution_met, rating, reopen_count, resolution_secs)
    WHERE resolved_at IS NOT NULL;
CREATE INDEX tickets_closed ON tickets(closed_at, building_id, kind, category, state)
    WHERE closed_at IS NOT NULL;
CREATE INDEX proposals_closed ON proposals(closed_at) WHERE state = 'closed';
CREATE INDEX notices_send_at ON notices(send_at);
CREATE INDEX meeting_occurrences_starts ON meeting_occurrences(starts_at);

-- The monthly report: one due row per month reported ('2026-11', due on 1 December); marking
-- it done and queueing the report's messages commit together, so it is sent once.
CREATE TABLE figure_reports (
    month TEXT PRIMARY KEY,
    due_at INTEGER NOT NULL,
    done_at INTEGER
);
CREATE INDEX figure_reports_due ON figure_reports(due_at) WHERE done_at IS NULL;

-- Managers' choices about the figures (e.g. 'public_report' = '1': the monthly report's public
-- version goes to the community's bound groups).
CREATE TABLE figure_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    changed_by INTEGER,
    changed_at INTEGER NOT NULL
);

-- Files the outbox uploads (a chart of the monthly report): stored once, uploaded on the first
-- send, then sent again by the file id Telegram gave it.
CREATE TABLE outbox_files (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    content BLOB NOT NULL,
    file_id TEXT,
    created_at INTEGER NOT NULL
);
