"""Every word the sandbox's page shows, through the catalogs (domain ``sandbox``): the page has
no text of its own, it asks for these in the language of the person being played."""

from __future__ import annotations

from bot.i18n import N_, Translator

LABELS = {
    "title": N_("residentbot sandbox"),
    "intro": N_(
        "The real bot, on this computer only. Pick a person and play them: every chat is as "
        "Telegram would show it."
    ),
    "playing": N_("Play as"),
    "language": N_("Language"),
    "private": N_("Chat with the bot"),
    "bot": N_("Front desk bot"),
    "empty": N_("No messages yet. Press Start to begin."),
    "start": N_("Start"),
    "placeholder": N_("Write a message…"),
    "send": N_("Send"),
    "photo": N_("Send a photo"),
    "voice": N_("Send a voice note"),
    "edited": N_("edited"),
    "picture": N_("Photo"),
    "hour": N_("+1 hour"),
    "day": N_("+1 day"),
    "deadline": N_("To the next deadline"),
    "nothing_due": N_("Nothing is scheduled: the time stays."),
    "failed": N_("That did not work; please try again."),
}

VOICE = N_("Voice note, {seconds} s")
DOCUMENT = N_("File: {name}")
LOCATION = N_("Location")
OTHER = N_("(a message this page cannot show)")
NOW = N_("Sandbox time: {moment}")


def labels(tr: Translator) -> dict[str, str]:
    return {key: tr._(message) for key, message in LABELS.items()}
