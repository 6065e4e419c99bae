"""Rendering a notice for each recipient and turning it into one outbox batch (used by
/notice, meeting minutes and meeting announcements)."""

from __future__ import annotations

from collections.abc import Callable

import aiosqlite

from bot.i18n import I18n, Translator
from storage import community, outbox
from storage import notices as store


def header(tr: Translator, *, urgent: bool, kind: str = "notice") -> str:
    if kind == "minutes":
        return tr._("📝 Meeting minutes")
    return tr._("⚠️ Urgent notice") if urgent else tr._("📢 Notice")


def render(tr: Translator, text: str, *, urgent: bool, kind: str = "notice") -> str:
    return f"{header(tr, urgent=urgent, kind=kind)}\n\n{text}"


def audience_name(tr: Translator, names: dict[int, str], buildings: list[int] | None) -> str:
    if buildings is None:
        return tr._("everyone in the community")
    return ", ".join(names.get(b, f"#{b}") for b in buildings)


async def building_names(conn: aiosqlite.Connection, tr: Translator) -> dict[int, str]:
    """Every building's name in ``tr``'s language, by id."""
    return {b.id: tr.name(b.names) for b in await community.buildings(conn)}


async def enqueue_notice(
    i18n: I18n,
    conn: aiosqlite.Connection,
    notice_id: int,
    now: int,
    words: Callable[[Translator], str] | None = None,
) -> tuple[int, int, int]:
    """Turn a stored notice into one outbox batch: each resident of its audience (muted ones
    only if urgent) and, if asked, the bound group chats. Returns (batch, people, groups).
    ``words``: the notice's text in each reader's language (a notice the bot wrote itself, e.g.
    an outage); without it everyone reads the author's text."""
    found = await store.notice(conn, notice_id)
    assert found is not None
    people = await store.recipients(conn, found.buildings, urgent=found.urgent)
    groups = await store.groups_for(conn, found.buildings) if found.include_groups else []
    first_line = found.text.strip().splitlines()[0] if found.text.strip() else ""
    batch = await outbox.create_batch(
        conn,
        found.kind,
        str(found.id),
        created_by=found.author_id,
        now=now,
        not_before=found.send_at,
        report_chat_id=found.author_id,
        title=first_line[:60],
    )
    messages: list[tuple[int, outbox.Payload]] = []
    for person in people:
        tr = i18n.for_user(person.locale, person.language_code)
        messages.append((person.user_id, payload_for(tr, found, pin=False, words=words)))
    group_tr = i18n.translator(None)
    for chat_id in groups:
        messages.append((chat_id, payload_for(group_tr, found, pin=found.pin, words=words)))
    await outbox.enqueue(conn, batch, messages, not_before=found.send_at)
    await store.set_batch(conn, found.id, batch)
    return batch, len(people), len(groups)


def payload_for(
    tr: Translator,
    notice: store.Notice,
    *,
    pin: bool,
    words: Callable[[Translator], str] | None = None,
) -> outbox.Payload:
    body = words(tr) if words is not None else notice.text
    text = render(tr, body, urgent=notice.urgent, kind=notice.kind)
    if notice.photo or notice.document:
        text = text[:1024]
    return outbox.Payload(text=text, photo=notice.photo, document=notice.document, pin=pin)
