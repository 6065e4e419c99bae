-- A meeting held in one of the community's rooms keeps that room's name in every language
-- ({locale: name} as JSON), so each invitee reads the place in their own; NULL: the place as the
-- organiser typed it (meetings.place).
ALTER TABLE meetings ADD COLUMN place_names TEXT;
