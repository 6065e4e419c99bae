-- A proposal's body may be spoken: the voice note's file id, passed on as it was spoken to the
-- reviewers and the voters (the body text is then empty).
ALTER TABLE proposals ADD COLUMN body_voice TEXT;

-- Community and building names in the three languages the community file may give
-- (name, name_en, name_zh_hant): JSON {locale: name}; '{}' reads as the one name.
ALTER TABLE community ADD COLUMN names TEXT NOT NULL DEFAULT '{}';
ALTER TABLE buildings ADD COLUMN names TEXT NOT NULL DEFAULT '{}';
