-- One delivery path: pushes to one person or chat (ticket cards, status news, escalations,
-- join requests) are outbox rows too, written in the transaction of the change that causes
-- them. A row may post a "card" (a message edited in place later, e.g. a ticket's card in the
-- staff chat) or edit one; interactive pushes go before broadcasts.
ALTER TABLE outbox ADD COLUMN action TEXT NOT NULL DEFAULT 'send'
    CHECK (action IN ('send', 'edit'));
ALTER TABLE outbox ADD COLUMN card TEXT;
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;

-- Where each card was posted: (card, chat) -> the message to edit.
CREATE TABLE outbox_cards (
    card TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    audience TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (card, chat_id)
);
INSERT INTO outbox_cards (card, chat_id, message_id, audience)
    SELECT 'ticket:' || ticket_id, chat_id, message_id, audience FROM ticket_cards;
INSERT INTO outbox_cards (card, chat_id, message_id, audience)
    SELECT 'join:' || residence_id, chat_id, message_id, '' FROM join_pushes;
DROP TABLE ticket_cards;
DROP TABLE join_pushes;

-- Claiming walks due rows, interactive ones first.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(priority DESC, next_attempt_at, id)
    WHERE state IN ('pending', 'sending');
-- A card's rows still waiting (an edit supersedes older ones; it waits for the card's send).
CREATE INDEX outbox_card_rows ON outbox(card, chat_id) WHERE card IS NOT NULL;
-- Finished batches are found among the queued ones only, however long the history.
CREATE INDEX outbox_batches_queued ON outbox_batches(id) WHERE state = 'queued';
