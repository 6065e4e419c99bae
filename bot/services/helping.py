"""Neighbours helping neighbours (互助): a request goes to the volunteers of the requester's
building without the requester's unit, phone or voice (numbers in what they wrote are masked);
the first volunteer to take it gets the unit and the contact, the requester (or the leader who
posted it for them) is told who is coming and confirms afterwards; only then does the helper
get the points, once. All of it as outbox rows in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable

import aiosqlite

from bot.i18n import I18n, Translator
from bot.rules.points import Kind
from bot.services.readers import translator_for
from bot.texts.volunteering import help_label
from storage import community, outbox, people, points
from storage import volunteering as store

Buttons = list[list[dict[str, str]]]
#: The "I'll take it" button for volunteers, and the "It was done / It did not happen" buttons
#: for the requester (made by the volunteering feature, which owns the buttons' data).
RequestButtons = Callable[[Translator, int], Buttons]
KIND = "help"


async def _building_names(conn: aiosqlite.Connection, building_id: int) -> dict[str, str]:
    """The building's name in every language ({locale: name})."""
    found = await community.building(conn, building_id)
    return found.names if found else {}


async def name_of(conn: aiosqlite.Connection, user_id: int | None) -> str:
    person = await people.get_person(conn, user_id) if user_id is not None else None
    return person.first_name if person and person.first_name else "-"


async def tell_volunteers(
    conn: aiosqlite.Connection,
    i18n: I18n,
    req: store.HelpRequest,
    take_buttons: RequestButtons,
    *,
    now: int,
) -> int:
    """Queue the request to the building's volunteers (not its requester or poster): the kind,
    the building, what was said with numbers and unit codes masked, never the unit, the phone
    or the voice note. Returns how many are told."""
    names = await _building_names(conn, req.building_id)
    said = await community.mask_for_group(conn, req.details) if req.details else ""
    skip = {req.requester_id, req.posted_by}
    messages = []
    for user_id in await points.helpers_of(conn, req.building_id):
        if user_id in skip:
            continue
        tr = await translator_for(i18n, conn, user_id)
        lines = [
            tr._(
                "🙋 A neighbour in {building} asks for help: {kind}",
                building=tr.name(names) if names else "?",
                kind=help_label(tr, req.kind),
            ),
        ]
        if said:
            lines.append(tr._("They say: {text}", text=said))
        if req.voice:
            lines.append(tr._("They left a voice note: you hear it when you take the request."))
        lines.append(
            tr._(
                "Points for the helper: {points}. Where and who you learn once you take it.",
                points=req.points,
            )
        )
        messages.append(
            (user_id, outbox.Payload("\n".join(lines), buttons=take_buttons(tr, req.id)))
        )
    if messages:
        batch = await outbox.create_batch(conn, KIND, f"{req.id}:ask", created_by=None, now=now)
        await outbox.enqueue(conn, batch, messages, not_before=now)
    return len(messages)


async def helper_text(conn: aiosqlite.Connection, tr: Translator, req: store.HelpRequest) -> str:
    """What the volunteer who took the request learns: who, where, how to reach them."""
    lines = [tr._("Thank you for taking it: {kind}", kind=help_label(tr, req.kind))]
    if req.requester_id is not None:
        lines.append(tr._("Neighbour: {name}", name=await name_of(conn, req.requester_id)))
        person = await people.get_person(conn, req.requester_id)
        if person is not None and person.username:
            lines.append(tr._("Telegram: @{username}", username=person.username))
    unit = await community.unit(conn, req.unit_id) if req.unit_id is not None else None
    names = await _building_names(conn, req.building_id)
    building = tr.name(names) if names else "?"
    lines.append(
        tr._("Where: {building}, unit {unit}", building=building, unit=unit.code if unit else "-")
    )
    if req.contact:
        lines.append(tr._("Contact: {contact}", contact=req.contact))
    if req.details:
        lines.append(tr._("They say: {text}", text=req.details))
    lines.append(
        tr._(
            "When it is done, your neighbour confirms it and you get {points} points.",
            points=req.points,
        )
    )
    return "\n".join(lines)


def _confirmer(req: store.HelpRequest) -> int | None:
    """Who confirms the help happened: the requester, or the leader who posted it for them."""
    return req.requester_id if req.requester_id is not None else req.posted_by


async def taken(
    conn: aiosqlite.Connection,
    i18n: I18n,
    req: store.HelpRequest,
    helper_id: int,
    done_buttons: RequestButtons,
    *,
    now: int,
) -> None:
    """Tell the requester (or the leader who posted it) who is coming, with the buttons to
    confirm afterwards."""
    to = _confirmer(req)
    if to is None:
        return
    tr = await translator_for(i18n, conn, to)
    text = tr._(
        "{name} will help with: {kind}. When it is done, please tap a button below.",
        name=await name_of(conn, helper_id),
        kind=help_label(tr, req.kind),
    )
    await outbox.push(
        conn,
        to,
        outbox.Payload(text, buttons=done_buttons(tr, req.id)),
        now=now,
        kind=KIND,
        ref=str(req.id),
    )


async def confirmed(
    conn: aiosqlite.Connection,
    i18n: I18n,
    req: store.HelpRequest,
    *,
    done: bool,
    by: int,
    now: int,
    take_buttons: RequestButtons,
) -> bool:
    """The requester says the help happened (the helper earns the points, once) or did not
    (the request is open again and the building's volunteers are told again)."""
    helper = req.helper_id
    if helper is None:
        return False
    tr = await translator_for(i18n, conn, helper)
    if done:
        if not await store.finish(conn, req.id, now):
            return False
        if await points.credit_once(
            conn, helper, req.points, Kind.HELP, str(req.id), by=by, now=now
        ):
            text = tr._(
                "Your neighbour confirmed your help. You earned {points} points; your balance "
                "is {balance}.",
                points=req.points,
                balance=await points.balance(conn, helper),
            )
            await outbox.push(
                conn, helper, outbox.Payload(text), now=now, kind=KIND, ref=str(req.id)
            )
        return True
    if not await store.release(conn, req.id):
        return False
    text = tr._(
        "Your neighbour says the help did not happen. The request is open again for others."
    )
    await outbox.push(conn, helper, outbox.Payload(text), now=now, kind=KIND, ref=str(req.id))
    again = await store.help_request(conn, req.id)
    if again is not None:
        await tell_volunteers(conn, i18n, again, take_buttons, now=now)
    return True
