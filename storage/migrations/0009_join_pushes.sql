-- Where each "please confirm this resident" request was pushed, so that once one leader
-- answers, the others' copies are edited to say so (and lose their buttons).
CREATE TABLE join_pushes (
    residence_id INTEGER NOT NULL REFERENCES residences(id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (residence_id, chat_id)
);
