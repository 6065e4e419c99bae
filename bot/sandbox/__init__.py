"""The sandbox: the real bot against a local Bot API (the emulator), personas and a web page.

``bot.sandbox.emulator`` is the local Telegram Bot API server that the flow tests and the
sandbox share; the rest (``residentbot sandbox``) plays every role's chat in a browser.
"""
