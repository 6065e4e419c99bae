"""A person's data across every table: what /me shows and what /forgetme deletes.

Each feature's repository adds its own ``describe``/``forget`` here, so the two commands stay
complete as features are added. ``describe`` counts rows by a plain key ("tickets_reported");
what the key is called in a reader's language is ``bot.texts.privacy.DATA_LABELS``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiosqlite

from storage import bookings, people
from storage import meetings as meetings_store
from storage import notices as notices_store
from storage import tickets as tickets_store
from storage import votes as votes_store

Describe = Callable[[aiosqlite.Connection, int], Awaitable[dict[str, int]]]
Forget = Callable[[aiosqlite.Connection, int], Awaitable[None]]


@dataclass
class DataSummary:
    person: people.Person | None
    residences: list[people.ResidenceRow]
    roles: list[tuple[str, int | None]]
    counts: dict[str, int] = field(default_factory=dict)


_FEATURES = (tickets_store, bookings, votes_store, notices_store, meetings_store)
DESCRIBERS: list[Describe] = [store.describe for store in _FEATURES]
FORGETTERS: list[Forget] = [store.forget for store in _FEATURES]


async def describe(conn: aiosqlite.Connection, user_id: int) -> DataSummary:
    summary = DataSummary(
        person=await people.get_person(conn, user_id),
        residences=await people.residences_of(conn, user_id),
        roles=[(r.value, b) for r, b in await people.roles_of(conn, user_id)],
    )
    for describer in DESCRIBERS:
        summary.counts.update(await describer(conn, user_id))
    return summary


async def forget_user(conn: aiosqlite.Connection, user_id: int) -> None:
    for forgetter in FORGETTERS:
        await forgetter(conn, user_id)
    await people.forget(conn, user_id)
