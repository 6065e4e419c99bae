"""The owner letter: what ``residentbot invites --owners`` prints for each owner, beside the
letter's own QR code, in the community's language."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import Translator


def owner_letter(
    tr: Translator, *, community: str, owner: str, unit: str, link: str, printed: datetime
) -> str:
    return "\n\n".join(
        [
            tr._("{community}: owner letter for unit {unit}", community=community, unit=unit),
            tr._("Dear {owner},", owner=owner),
            tr._(
                "This letter is for the owner of unit {unit} in the community's records. Scan "
                "its QR code with your phone, or open this link in Telegram:",
                unit=unit,
            ),
            link,
            tr._(
                "It confirms you as the owner of unit {unit} at the community's front desk in "
                "Telegram, so that you can vote in owners' decisions. The code works only once: "
                "keep it to yourself, and do not give it to tenants or visitors.",
                unit=unit,
            ),
            tr._(
                "If it has already been used and it was not you, or if you are not the owner, "
                "please tell the property office."
            ),
            tr._("Printed on {day}.", day=tr.day(printed.astimezone(tr.tz).date())),
        ]
    )
