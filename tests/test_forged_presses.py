"""Every kind of button, pressed with forged data by a resident with no special right: each
press is answered, nothing crashes (no apology from the error handler) and no table changes.

The data is well-formed for each registered callback class (so it reaches the feature's own
handler, not just the parser), with ids that do not exist or belong to someone else."""

from __future__ import annotations

import dataclasses
import enum
import sqlite3
import typing
from typing import Any

from handlers.kit.callbacks import _FIELDS, _REGISTRY, CallbackData, pack
from tests.conftest import Harness

RESIDENT = 3001
#: Tables a press may legitimately touch without changing anything that matters.
VOLATILE = {"people", "ptb_data", "audit_log", "schema_version", "sqlite_sequence"}


def samples(cls: type[CallbackData]) -> list[CallbackData]:
    """A few instances per class: absent ids, zero and another person's / building's ids."""
    out: list[CallbackData] = []
    for number in (999_999, 0, 1, 2):
        values: dict[str, Any] = {}
        for name, kind in _FIELDS[cls]:
            if kind is int:
                values[name] = number
            elif kind is bool:
                values[name] = number % 2 == 1
            elif isinstance(kind, type) and issubclass(kind, enum.Enum):
                values[name] = list(kind)[number % len(list(kind))]
            else:
                values[name] = ("zz", "", "1", "next")[number % 4]
        try:
            instance = cls(**values)
            pack(instance)
        except (ValueError, TypeError):  # e.g. a value the class itself refuses
            continue
        out.append(instance)
    return out


def snapshot(path: Any) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
            for t in tables
            if t not in VOLATILE
        }


async def seed_someone_elses_things(h: Harness) -> None:
    """Another resident's ticket (#1) and room booking (#1), so that forged ids hit real rows."""
    from datetime import datetime, timedelta

    from tests.conftest import SHANGHAI
    from tests.test_flow_bookings import book
    from tests.test_flow_tickets import report_public, verified

    other = await verified(h, 3500, "Olga", "2-101")
    await report_public(h, other, "lighting", "2", "3F corridor", "The corridor light is out")
    day = (h.clock().astimezone(SHANGHAI) + timedelta(days=2)).date()
    start = int(datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI).timestamp())
    await book(h, other, "activity", start, 60)
    assert await h.rows("SELECT COUNT(*) FROM tickets") == [(1,)]
    assert await h.rows("SELECT COUNT(*) FROM bookings WHERE state = 'confirmed'") == [(1,)]


async def test_forged_presses_on_every_button_change_nothing(harness: Harness) -> None:
    await harness.start()
    await seed_someone_elses_things(harness)
    user = harness.emu.user(RESIDENT, "Mallory", "en")
    invite = (await harness.rows("SELECT invite_code FROM units WHERE code = '1-101'"))[0][0]
    await harness.command(user, "start", invite)
    await harness.tap(user, "jr1|tenant")
    await harness.command(user, "start")
    anchor = harness.emu.last_message(RESIDENT)
    before = snapshot(harness.db_path)
    pressed: list[str] = []
    for key in sorted(_REGISTRY):
        cls = _REGISTRY[key]
        if key.startswith("zt"):  # the unit tests' own sample class
            continue
        if key.startswith("fm"):  # "delete my data": the presser's own data, theirs to delete
            continue
        for data in samples(cls):
            raw = pack(data)
            pressed.append(raw)
            await harness.press(user, anchor, raw)
            now = snapshot(harness.db_path)
            changed_now = {t for t in before if before[t] != now.get(t)}
            assert not changed_now, (raw, changed_now)
    assert len(pressed) > 100
    assert harness.emu.unanswered_callbacks() == []
    apologies = [
        c for c in harness.emu.calls if "something went wrong" in str(c.params.get("text", ""))
    ]
    assert apologies == [], [a.params for a in apologies]
    after = snapshot(harness.db_path)
    changed = {t for t in before if before[t] != after.get(t)}
    assert changed == set(), changed


def test_every_callback_class_is_a_frozen_dataclass() -> None:
    for cls in _REGISTRY.values():
        assert dataclasses.is_dataclass(cls)
        params = typing.get_type_hints(cls)
        assert all(name in params for name, _ in _FIELDS[cls])
