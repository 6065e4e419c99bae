-- A ticket closed as a duplicate points to the ticket it duplicates (its reporter follows that
-- one).
ALTER TABLE tickets ADD COLUMN duplicate_of INTEGER REFERENCES tickets (id);
