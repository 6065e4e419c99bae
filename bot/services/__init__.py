"""Use cases that handlers and jobs both call: they take a connection (the caller's
transaction) and the time, change the tables, and write what must be delivered as outbox rows.
No Telegram here."""
