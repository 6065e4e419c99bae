-- People who blocked the bot: set on a 403 or a my_chat_member "kicked" update, cleared when
-- they unblock it or write to the bot again. Broadcasts skip them (their rows say 'blocked').
ALTER TABLE people ADD COLUMN blocked_at INTEGER;
