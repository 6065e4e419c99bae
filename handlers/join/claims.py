"""Owner claims: a household member who joined with the door code and says they own the unit.
The unit's confirmers get a card showing the owner the community file names, to compare; one
confirms or refuses (or the person proves it with their owner letter), the person is told and
every other copy says how it ended."""

from __future__ import annotations

import aiosqlite
from telegram import InlineKeyboardButton, MaybeInaccessibleMessage

from bot.context import Services
from bot.i18n import Translator
from handlers.join import confirmers
from handlers.join.callbacks import OwnerDecide
from handlers.kit import Turn, button, translator_for
from storage import community, outbox, owners, people
from storage.owners import Claim


def claimant_text(tr: Translator, unit_code: str, asked: bool) -> str:
    """What the person who tapped "owner" on the door code is told, in plain words."""
    second = (
        tr._(
            "• or wait: your building leader has been asked to check your name against the "
            "owner records. I will tell you when they answer."
        )
        if asked
        else tr._("• or ask the property office to confirm you as the owner.")
    )
    return "\n".join(
        [
            tr._(
                "Welcome home! You are registered to unit {unit} as a member of the household.",
                unit=unit_code,
            ),
            "",
            tr._(
                "The code on the door cannot show who owns the home, so you are not confirmed "
                "as the owner yet. Only a confirmed owner votes in owners' decisions. To be "
                "confirmed:"
            ),
            tr._(
                "• scan the QR code on your owner letter (the property office gives one to "
                "each owner);"
            ),
            second,
        ]
    )


def question(tr: Translator, claim: Claim) -> str:
    return tr._(
        "Owner check for unit {unit}: {name} lives there (registered with the door code) and "
        "says they are the owner.\nOwner in the community file: {owner}\nIs {name} this "
        "owner? Confirm only if you are sure (you know them, or you have seen their property "
        "certificate).",
        unit=claim.unit_code,
        name=claim.person_name or "?",
        owner=claim.owner_name or tr._("none recorded"),
    )


def buttons(
    tr: Translator, claim_id: int, *, listed: bool, number: str = ""
) -> list[InlineKeyboardButton]:
    """Yes / No for one claim (``number``: its place in a list, before the labels)."""
    return [
        button(number + tr._("Yes, the owner"), OwnerDecide(claim_id, True, listed)),
        button(number + tr._("No, not the owner"), OwnerDecide(claim_id, False, listed)),
    ]


async def open_claim(
    conn: aiosqlite.Connection,
    services: Services,
    turn: Turn,
    residence_id: int,
    unit: community.Unit,
) -> bool:
    """Record the claim and ask the unit's confirmers (not the claimant); False when there is
    nobody to ask (the claim waits in /ownerclaims and for the owner letter)."""
    claim_id = await owners.open_claim(conn, residence_id, turn.ts)
    claim = await owners.claim(conn, claim_id)
    assert claim is not None
    await people.audit(conn, turn.user.id, "owner_claimed", unit.code, turn.ts)
    return await confirmers.ask(
        conn,
        turn,
        unit.building_id,
        confirmers.claim_card(claim_id),
        text=lambda tr: question(tr, claim),
        buttons=lambda tr: buttons(tr, claim_id, listed=False),
        kind="owner",
        ref=str(claim_id),
    )


async def settle(
    conn: aiosqlite.Connection,
    services: Services,
    turn: Turn,
    claim: Claim,
    confirm: bool,
    *,
    via: str,
    pressed_on: MaybeInaccessibleMessage | None = None,
) -> bool:
    """Confirm or refuse the pending claim (``via``: "leader", or "code" when the claimant used
    their owner letter); the claimant is told (unless it was their own letter) and the other
    copies of the card say how it ended. False: it was no longer pending."""
    if not await owners.settle(conn, claim.id, confirm, via, turn.ts):
        return False
    action = "owner_confirmed" if confirm else "owner_refused"
    await people.audit(conn, turn.user.id, action, claim.unit_code, turn.ts, str(claim.user_id))
    if via == "leader":
        ctr = await translator_for(services, conn, claim.user_id)
        text = (
            ctr._(
                "Good news: you are now confirmed as the owner of unit {unit}. You can vote in "
                "owners' decisions.",
                unit=claim.unit_code,
            )
            if confirm
            else ctr._(
                "Your building leader could not confirm that you are the owner of unit {unit}. "
                "You stay registered there as a member of the household. If you are the owner, "
                "scan the QR code on your owner letter, or talk to the property office.",
                unit=claim.unit_code,
            )
        )
        await outbox.push(
            conn,
            claim.user_id,
            outbox.Payload(text=text),
            now=turn.ts,
            kind="owner",
            ref=str(claim.id),
        )
    who, by = claim.person_name or "?", turn.user.full_name

    def outcome(tr: Translator) -> str:
        if via == "code":
            return tr._(
                "Unit {unit}: {name} is confirmed as the owner (with the owner letter).",
                unit=claim.unit_code,
                name=who,
            )
        if confirm:
            return tr._(
                "Unit {unit}: {name} confirmed as the owner by {by}.",
                unit=claim.unit_code,
                name=who,
                by=by,
            )
        return tr._(
            "Unit {unit}: {by} did not confirm {name} as the owner.",
            unit=claim.unit_code,
            name=who,
            by=by,
        )

    await confirmers.settle_copies(
        conn,
        services,
        confirmers.claim_card(claim.id),
        outcome,
        now=turn.ts,
        pressed_on=pressed_on,
    )
    return True
