-- What the community file said the staff chat was, the last time `residentbot init` read it:
-- the file wins over a staff chat bound with /bind only when its value changes. Unknown (0)
-- for a database loaded before this step: the bound value is kept then.
ALTER TABLE community ADD COLUMN file_staff_chat_id INTEGER;
ALTER TABLE community ADD COLUMN file_staff_chat_known INTEGER NOT NULL DEFAULT 0;
