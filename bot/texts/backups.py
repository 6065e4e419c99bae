"""What the administrators read when the daily backup fails."""

from __future__ import annotations

from bot.i18n import Translator


def failure_text(tr: Translator, *, day: str, folder: str, error: str) -> str:
    return "\n".join(
        (
            tr._("⚠️ The daily backup of {day} failed.", day=day),
            tr._("Folder: {folder}", folder=folder),
            tr._("Reason: {error}", error=error[:500]),
            tr._(
                "The bot keeps working, but nothing new is backed up until this is fixed. "
                "Please tell whoever looks after the server (running residentbot check there "
                "shows more)."
            ),
        )
    )
