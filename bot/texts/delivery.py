"""The delivery report an author gets when a broadcast has nothing left to send."""

from __future__ import annotations

from bot.i18n import Translator


def report_text(
    tr: Translator, title: str, *, sent: int, blocked: int, failed: int, cancelled: int
) -> str:
    lines = [tr._("Delivery report: {title}", title=title)]
    lines.append(tr.n_("{n} delivered", "{n} delivered", sent))
    if blocked:
        lines.append(
            tr.n_(
                "{n} could not get it (they blocked the bot)",
                "{n} could not get it (they blocked the bot)",
                blocked,
            )
        )
    if failed:
        lines.append(tr.n_("{n} failed", "{n} failed", failed))
    if cancelled:
        lines.append(tr.n_("{n} cancelled", "{n} cancelled", cancelled))
    return "\n".join(lines)
