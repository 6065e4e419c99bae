"""The words of the domain: labels and renderings in a reader's language (gettext, Babel).

Handlers use them to answer, services to write what must be delivered to others; the rules
they describe stay in ``bot.rules`` and carry no text, and storage never imports these.
"""
