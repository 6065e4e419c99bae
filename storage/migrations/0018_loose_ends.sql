-- A ticket closed as a duplicate points to the ticket it duplicates (its reporter follows that
-- one).
ALTER TABLE tickets ADD COLUMN duplicate_of INTEGER REFERENCES tickets (id);

-- An approved proposal withdrawn before it opened (by its author or a reviewer): it is closed
-- for good as 'rejected' (the states' CHECK cannot be altered in place), with who withdrew it
-- and when; the reason is its comment.
ALTER TABLE proposals ADD COLUMN withdrawn_by INTEGER;
ALTER TABLE proposals ADD COLUMN withdrawn_at INTEGER;
