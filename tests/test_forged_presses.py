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


async def test_odd_numbers_after_a_command_get_the_usage_not_the_apology(
    harness: Harness, caplog: Any
) -> None:
    """The command arguments' numbers are as strict as the buttons': ``²`` or ``٣`` pass
    ``str.isdigit()`` but not ``int()``, and 20 digits do not fit in SQLite."""
    import logging

    from bot.rules.auth import Role

    await harness.start()
    officer = harness.emu.user(9700, "Ada", "en")
    for role in (Role.ADMIN, Role.STAFF, Role.COMMITTEE):
        await harness.grant(9700, role)
    await harness.command(officer, "start")
    before = snapshot(harness.db_path)
    for command, args, usage in [
        ("grant", "² staff", "/grant"),
        ("grant", "99999999999999999999 staff", "/grant"),
        ("revoke", "٣ staff", "/revoke"),
        ("ticket", "²", "/ticket 12"),
        ("ticket", "#99999999999999999999", "/ticket 12"),
        ("paper", "² 1-101 1", "/paper 3 1-101 1"),
        ("paper", "1 1-101 ٣", "/paper 3 1-101 1"),
    ]:
        await harness.command(officer, command, args)
        said = harness.emu.last_message(9700).text or ""
        assert usage in said, (command, args, said)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert snapshot(harness.db_path) == before


async def test_booking_buttons_with_times_out_of_every_range(harness: Harness, caplog: Any) -> None:
    """Found by the hypothesis suite's long run: a start near the end of 64 bits overflowed
    SQLite or Python's dates (the apology), and any future time could be watched."""
    import logging

    await harness.start()
    user = harness.emu.user(RESIDENT, "Mallory", "en")
    invite = (await harness.rows("SELECT invite_code FROM units WHERE code = '1-101'"))[0][0]
    await harness.command(user, "start", invite)
    await harness.tap(user, "jr1|tenant")
    await harness.command(user, "start")
    anchor = harness.emu.last_message(RESIDENT)
    room = (await harness.rows("SELECT id FROM rooms WHERE code = 'activity'"))[0][0]
    unit = (await harness.rows("SELECT id FROM units WHERE code = '1-101'"))[0][0]
    free_later = int(harness.clock().timestamp()) + 3 * 86400
    before = snapshot(harness.db_path)
    for start in (2**63 - 1, -(2**63), 2**62, 253402300800):
        for raw in (
            f"bi1|{room}|{start}|{unit}",
            f"bs1|{room}|{start}|{unit}",
            f"bl1|{room}|{start}|60|{unit}",
            f"bc1|{room}|{start}|60|{unit}",
            f"bw1|{room}|{start}",
            f"bd1|{room}|{start}|{unit}",
        ):
            await harness.press(user, anchor, raw)
    await harness.press(user, anchor, f"bl1|{room}|{free_later}|{2**62}|{unit}")
    await harness.press(user, anchor, f"bw1|{room}|{free_later}")  # a free time: no watch
    assert harness.emu.unanswered_callbacks() == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert snapshot(harness.db_path) == before
