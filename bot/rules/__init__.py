"""Pure domain rules: the standard library only, no I/O, no Telegram, no display text.

Storage, services and handlers import these; these import nothing of ours but each other.
"""
