"""residentbot: the front desk of a residential community, inside Telegram."""

import os

# python-telegram-bot 22 warns on every read of a time period given in seconds (a 429's
# ``retry_after``, even inside its own RetryAfter constructor) unless the program opts in to
# the timedelta form it will use from version 23. We read both forms (bot/outbox.py).
os.environ.setdefault("PTB_TIMEDELTA", "true")
