-- A proposal's body may be spoken: the voice note's file id, passed on as it was spoken to the
-- reviewers and the voters (the body text is then empty).
ALTER TABLE proposals ADD COLUMN body_voice TEXT;
