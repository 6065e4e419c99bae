"""``/start o_<code>``: an owner letter's link (its own QR code, printed by ``residentbot
invites --owners`` for the owner the community file names). Opening it confirms the person as
that unit's owner at once; a letter works once, and only for the owner it was printed for."""

from __future__ import annotations

import aiosqlite
from telegram import Update

from bot.context import Context
from bot.i18n import Translator
from bot.rules.auth import Relation
from handlers.join import claims, confirmers
from handlers.kit import begin, private_only, reply, touch_person
from handlers.kit.menu import main_menu
from handlers.kit.turn import Turn
from storage import community, owners, people


@private_only
async def letter_start(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    code = context.args[0] if context.args else ""
    services = context.services
    async with services.db.transaction() as conn:
        await touch_person(turn, conn)
        confirmed, text = await use_letter(conn, turn, code)
    if not confirmed:
        await reply(update, text)
        return
    services.deliver_now()
    turn = await begin(update, context)
    await main_menu(update, context, turn, text)


async def use_letter(conn: aiosqlite.Connection, turn: Turn, code: str) -> tuple[bool, str]:
    """Spend the letter for this person, if it is valid and theirs to use: (confirmed, what to
    tell them). Anything refused changes nothing."""
    tr = turn.tr
    found = await owners.find_code(conn, code)
    unit = await community.unit(conn, found.unit_id) if found else None
    if found is None or found.retired_at is not None or unit is None:
        return False, tr._(
            "This owner letter is not valid (a newer letter may have replaced it). Please ask "
            "the property office for your owner letter."
        )
    if unit.owner_id != found.owner_id:
        return False, tr._(
            "This owner letter is no longer valid: the owner of unit {unit} in the records has "
            "changed. Please ask the property office for a new letter.",
            unit=unit.code,
        )
    existing = await people.live_residence(conn, turn.user.id, unit.id)
    if existing is not None and existing.status == "verified":
        if existing.relation == Relation.OWNER:  # nothing to prove: the letter stays unused
            return False, already_owner(tr, unit.code, unused=found.used_at is None)
    if found.used_at is not None or not await owners.spend_code(conn, code, turn.user.id, turn.ts):
        return False, tr._(
            "This owner letter has already been used, so it cannot be used again. If you are "
            "the owner and did not use it yourself, please talk to the property office."
        )
    await people.audit(conn, turn.user.id, "owner_code", unit.code, turn.ts)
    await _confirm(conn, turn, unit, existing)
    return True, tr._(
        "Thank you! You are now confirmed as the owner of unit {unit}. You can vote in owners' "
        "decisions.",
        unit=unit.code,
    )


async def _confirm(
    conn: aiosqlite.Connection,
    turn: Turn,
    unit: community.Unit,
    existing: people.ResidenceRow | None,
) -> None:
    """Make the person the unit's owner: a household member's residence becomes the owner's
    (their pending claim confirmed, its cards updated); a request still waiting, or nothing,
    becomes a confirmed owner's residence (the request's cards say so)."""
    services = turn.services
    if existing is not None and existing.status == "verified":
        claim = await owners.pending_claim(conn, existing.id)
        if claim is None or not await claims.settle(conn, services, turn, claim, True, via="code"):
            await owners.record_confirmed(conn, existing.id, "code", turn.ts)
        return
    residence_id = await people.add_residence(
        conn, turn.user.id, unit.id, Relation.OWNER, status="verified", via="invite", now=turn.ts
    )
    await owners.record_confirmed(conn, residence_id, "code", turn.ts)
    if existing is not None:  # a request to join, now answered by the letter

        def outcome(tr: Translator) -> str:
            return tr._(
                "Unit {unit}: {name} is confirmed as the owner (with the owner letter).",
                unit=unit.code,
                name=turn.user.full_name,
            )

        await confirmers.settle_copies(
            conn, services, confirmers.join_card(existing.id), outcome, now=turn.ts
        )


def already_owner(tr: Translator, unit_code: str, *, unused: bool) -> str:
    text = tr._("You are already confirmed as the owner of unit {unit}.", unit=unit_code)
    if unused:
        text += " " + tr._("The letter was not used, so a co-owner can still use it.")
    return text
