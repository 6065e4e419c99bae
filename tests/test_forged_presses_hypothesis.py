"""Forged presses, generated: for every registered callback class (enumerated from the registry,
so a new class is covered without touching this file), hypothesis makes (a) arbitrary raw
callback data and (b) well-formed data of that class carrying other people's ids (Olga's
ticket, bookings and ballot, Pete's join request, proposals, Rita's meeting, Nina's notice, the
units and buildings of ``tests.world``), pressed as a resident, a building leader and a staff
member. For each press: the press is answered, no ERROR is logged (so never the error
handler's apology), and no table changes, except the few a press may touch legitimately
(``VOLATILE``) and the actions the role is entitled to on those objects (``ENTITLED``).

The harness and the world are built once per test; each hypothesis example is a batch of
presses through it. Bounded in CI by the ``ci`` profile (deterministic); a longer, random run:

    HYPOTHESIS_PROFILE=long python -m pytest -n 0 tests/test_forged_presses_hypothesis.py
"""

from __future__ import annotations

import enum
import logging
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import bot.app  # noqa: F401  (every feature's callback classes are registered on import)
from bot.rules.auth import Role
from handlers.kit.callbacks import _FIELDS, _REGISTRY, INT_MAX, INT_MIN, SEP, CallbackData, pack
from handlers.start import ForgetMe
from tests.conftest import Harness
from tests.world import World, build_world, dump, invited, officer

#: No shrinking: the examples share one running bot, so a replayed example meets a database an
#: earlier one changed; the first failing batch is reported as it was, with the failing press.
settings.register_profile(
    "ci",
    max_examples=2,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the harness is shared by the examples on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
settings.register_profile("long", settings.get_profile("ci"), max_examples=40, derandomize=False)
PROFILE_NAME = os.environ.get("HYPOTHESIS_PROFILE", "ci")
PROFILE = settings.get_profile(PROFILE_NAME)

#: Class prefixes each role may really use on the world's objects (a change is then expected,
#: still answered and without an ERROR); everything else must change nothing.
#: Officers (any role) may answer any meeting's invitation ("mr", handlers/meetings/rsvp.py);
#: staff handle every ticket (open its card, accept, outcome, reason, assign, transfer, back:
#: "to", "ta", "tr", "ts", "tg", "tx", "tz"), approve bookings ("ba"), confirm residents ("jd")
#: and decide owner claims ("oc": Olga joined by the door code as owner, a pending claim)
#: anywhere.
#: The leader leads building 1, and the world's objects are in building 2: nothing of theirs.
#: A confirmed resident may change their own volunteer choices ("pv", /volunteer).
ENTITLED: dict[str, frozenset[str]] = {
    "resident": frozenset({"pv"}),
    "leader": frozenset({"mr"}),
    "staff": frozenset({"mr", "to", "ta", "tr", "ts", "tg", "tx", "tz", "ba", "jd", "oc"}),
}

#: Words that real buttons carry in text fields, so that well-formed presses reach deep.
WORDS = (
    "",
    "zz",
    "next",
    "ok",
    "join",
    "report",
    "mytickets",
    "book",
    "mybookings",
    "votes",
    "notice",
    "notices",
    "meeting",
    "meetings",
    "me",
    "language",
    "queue",
    "buildingtickets",
    "propose",
    "review",
    "mine",
    "pick",
    "all",
    "pin",
    "urgent",
    "once",
    "weekly",
    "monthly",
    "building",
    "community",
    "staff",
    "en",
    "zh_Hans",
    "zh_Hant",
    "lighting",
    "elevator",
    "approve",
    "oppose",
    "abstain",
)

#: Integer-looking text a forger would try (the parser must refuse all but plain ASCII int64).
ODD_NUMBERS = (
    "²",
    "٣",
    "３",
    "--1",
    "-",
    "+1",
    " 1",
    "1 ",
    "1_000",
    "0x1f",
    "1e3",
    "9223372036854775808",
    "-9223372036854775809",
    "9999999999999999999",
    "00000000000000000000001",
)

PRESSERS = {"resident": 3001, "leader": 9201, "staff": 9301}


def classes() -> list[type[CallbackData]]:
    """Every registered callback class but the unit tests' own sample."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY) if not k.startswith("zt")]


def field_values(kind: Any, ids: list[int] | None) -> st.SearchStrategy[Any]:
    """A field's values: with ``ids``, the world's ids (and zero, minus one); without, any
    64-bit integer, the far ends included (times, days and counts out of every range)."""
    if kind is bool:
        return st.booleans()
    if kind is int and ids is not None:
        return st.sampled_from([*ids, 0, -1])
    if kind is int:
        ends = st.sampled_from([INT_MAX, INT_MIN, INT_MAX - 1, 2**31, -(2**31)])
        return st.one_of(st.integers(INT_MIN, INT_MAX), ends)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return st.sampled_from(list(kind))
    return st.one_of(st.sampled_from(WORDS), st.text(max_size=12))


def packed_or_empty(data: CallbackData) -> str:
    try:
        return pack(data)
    except ValueError:  # over 64 bytes, a "|" or a control character in a text: not a button
        return ""


def well_formed(cls: type[CallbackData], ids: list[int] | None) -> st.SearchStrategy[str]:
    """Data a button of this class could carry, with the world's (other people's) ids. The
    confirmed "delete my data" is left out: the presser's own data is theirs to delete (its
    flow tests cover it), and the rest of the run needs the presser's role."""
    fields = {name: field_values(kind, ids) for name, kind in _FIELDS[cls]}
    if cls is ForgetMe:
        fields = {"confirm": st.just(False)}
    return st.builds(cls, **fields).map(packed_or_empty).filter(bool)


def raw_data() -> st.SearchStrategy[str]:
    """Anything a modified client could send: text of any kind and length, and data with a
    real class's prefix and fields of the wrong shape."""
    heads = st.sampled_from([*sorted(_REGISTRY), "", "zz1", "ta2", "TA1", "ta"])
    part = st.one_of(
        st.sampled_from(ODD_NUMBERS),
        st.sampled_from(WORDS),
        st.integers().map(str),
        st.text(max_size=10),
    )
    shaped = st.builds(lambda h, p: SEP.join([h, *p]), heads, st.lists(part, max_size=5))
    return st.one_of(st.text(max_size=80), shaped).filter(lambda r: r != "fm1|1")


class Run:
    """One harness, one world, one presser: every press checked on its own."""

    def __init__(self, h: Harness, caplog: pytest.LogCaptureFixture, role: str) -> None:
        self.h, self.caplog, self.role = h, caplog, role
        self.world: World | None = None
        self.user: dict[str, Any] = {}
        self.anchor: Any = None
        self.pressed: set[str] = set()
        self.last_dump: dict[str, list[tuple[Any, ...]]] | None = None

    async def ready(self) -> World:
        if self.world is not None:
            return self.world
        h = self.h
        await h.start()
        self.world = await build_world(h)
        uid = PRESSERS[self.role]
        if self.role == "resident":
            self.user = await invited(h, uid, "Mallory", "1-101", "tenant")
        elif self.role == "leader":
            self.user = await officer(h, uid, "Leo", Role.LEADER, "1")
        else:
            self.user = await officer(h, uid, "Sam", Role.STAFF)
        await h.command(self.user, "start")
        self.anchor = h.emu.last_message(uid)
        return self.world

    async def press(self, raw: str) -> None:
        h, uid = self.h, self.user["id"]
        before = self.last_dump if self.last_dump is not None else dump(h.db_path)
        h.emu.press_button(self.user, self.anchor, raw)
        await h.settle()
        # a press that opened a flow: end it, so that the next press starts from nothing
        # (no flow is walked to its end by chance) and the end changes nothing either
        if await h.rows(
            "SELECT 1 FROM ptb_data WHERE kind = 'conversation' AND key LIKE ?", (f"%{uid}%",)
        ):
            await h.command(self.user, "cancel")
        assert h.emu.unanswered_callbacks() == [], raw
        errors = [r for r in self.caplog.records if r.levelno >= logging.ERROR]
        assert errors == [], (raw, [r.getMessage() for r in errors])
        prefix = raw.split(SEP, 1)[0][:-1]
        self.last_dump = after = dump(h.db_path)
        if prefix not in ENTITLED[self.role]:
            changed = sorted(t for t in before if before[t] != after.get(t))
            assert changed == [], (self.role, raw, changed)
        self.pressed.add(raw.split(SEP, 1)[0])


RUNS: dict[int, Run] = {}


@pytest.mark.parametrize("role", sorted(PRESSERS))
@pytest.mark.timeout(120 if PROFILE_NAME == "ci" else 3600)
@PROFILE
@given(data=st.data())
async def test_forged_presses_are_answered_and_change_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture, role: str, data: st.DataObject
) -> None:
    run = RUNS.setdefault(id(harness), Run(harness, caplog, role))
    world = await run.ready()
    ids = world.ids()
    raws = data.draw(st.lists(raw_data(), min_size=10, max_size=10), label="raw")
    batch = st.tuples(*(well_formed(cls, pool) for cls in classes() for pool in (ids, None)))
    forged = data.draw(batch, label="well-formed, two per class: the world's ids, any numbers")
    for raw in [*raws, *forged]:  # everything drawn first: a failing press replays the same
        await run.press(raw)
    missing = {f"{c.prefix}{c.version}" for c in classes()} - run.pressed
    assert missing == set()
