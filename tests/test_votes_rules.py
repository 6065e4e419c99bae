"""bot.votes (pure): who votes under which key, paper against electronic, the count summary and
its rendering."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import I18n
from bot.rules.auth import Action, Principal, Relation, Residence, Role, can
from bot.rules.clock import from_ts
from bot.rules.votes import (
    DAY,
    DEFAULT_OPTIONS,
    AudienceUnit,
    BallotRow,
    Window,
    count,
    custom_options,
    effective_ballots,
    electorate,
    live_decision,
    opening_choices,
    owner_key,
    valid_opening,
    voting_window,
)
from bot.texts.votes import render_distance, render_result

TR = I18n(ZoneInfo("Asia/Shanghai")).translator("en")
ZH = I18n(ZoneInfo("Asia/Shanghai")).translator("zh_Hans")


def unit(uid: int, area: str, owner: str | None, developer: bool = False) -> AudienceUnit:
    return AudienceUnit(uid, f"1-{uid:03d}", Decimal(area), owner, developer)


def ballot(bid: int, key: str, option: str, at: int, source: str = "electronic") -> BallotRow:
    return BallotRow(bid, None, 1, key, option, source, at)


@pytest.mark.parametrize(
    ("ballots", "winner"),
    [
        ([ballot(1, "k", "approve", 10), ballot(2, "k", "oppose", 20)], 2),  # latest wins
        ([ballot(1, "k", "approve", 20), ballot(2, "k", "oppose", 10, "paper")], 1),
        ([ballot(1, "k", "approve", 10, "paper"), ballot(2, "k", "oppose", 10)], 1),  # tie: paper
        ([ballot(1, "k", "approve", 10), ballot(2, "k", "oppose", 10, "paper")], 2),
    ],
)
def test_effective_ballot_latest_wins_tie_goes_to_paper(
    ballots: list[BallotRow], winner: int
) -> None:
    assert effective_ballots(ballots)["k"].id == winner


def test_owner_keys_developer_and_missing_owner() -> None:
    assert owner_key(unit(1, "80", "O-1")) == "O-1"
    assert owner_key(unit(2, "80", "developer", developer=True)) == "@developer"
    assert owner_key(unit(3, "80", None)) is None
    found = electorate(
        [
            unit(1, "100", "O-1"),
            unit(2, "50", "O-1"),  # one owner, two units: once by head, all the area
            unit(3, "70", "dev", True),
            unit(4, "30", "dev", True),  # the developer's units: one owner
            unit(5, "40", None),  # no owner on record: not counted
        ]
    )
    assert found is not None
    assert found.owner_count == 2 and found.total_area == Decimal("250")
    assert electorate([unit(5, "40", None)]) is None


def test_decision_count_and_rendering() -> None:
    units = [unit(i, "100", f"O-{i}") for i in range(1, 10)]  # 9 owners, 900 m²
    ballots = [ballot(i, f"O-{i}", "approve", 5) for i in range(1, 5)]
    ballots.append(ballot(5, "O-5", "oppose", 5))
    ballots.append(ballot(6, "O-6", "abstain", 5))  # participates, does not approve
    summary = count(
        kind="decision",
        options=DEFAULT_OPTIONS,
        units=units,
        eligible_keys=(),
        ballots=ballots,
        item=6,
    )
    assert summary["part_owners"] == 6 and summary["participation_by_head"]
    assert summary["options"]["approve"] == [4, "400"]
    assert not summary["approval_by_head"]  # 4 of 6 is under 3/4 (item 6 is special)
    assert not summary["passed"]
    text = render_result(TR, "Raise the fund", DEFAULT_OPTIONS, summary)
    assert "Turnout by head: 6 of 9 owners (66.7%)" in text
    assert "Abstain: 1 owner, 100 m²" in text
    assert "at least 3/4 of the participating owners" in text
    assert summary["counted"] == {f"O-{i}": i for i in range(1, 7)}


def test_live_distance_to_quorum() -> None:
    units = [unit(i, "100", f"O-{i}") for i in range(1, 10)]
    live = live_decision(units, [ballot(1, "O-1", "oppose", 5)], 4)
    assert live is not None
    text = render_distance(TR, live)
    assert "Took part: 1 of 9 owners, 100 m² of 900 m²." in text
    assert "Distance to quorum: 5 more owners and 500 m² more." in text
    assert "还差 5 位业主和 500 平方米" in render_distance(ZH, live)


def test_poll_count_with_quorum_and_tie() -> None:
    options = custom_options(["Red", "Blue", " Red ", "", "Green"])
    assert [(o.key, o.label) for o in options] == [("o1", "Red"), ("o2", "Blue"), ("o3", "Green")]
    ballots = [ballot(1, "u1", "o1", 1), ballot(2, "u2", "o2", 1), ballot(3, "u9", "o1", 1)]
    summary = count(
        kind="poll",
        options=options,
        units=[],
        eligible_keys={"u1", "u2", "u3", "u4"},
        ballots=ballots,
        quorum=Fraction(1, 2),
    )
    assert summary["turnout"] == 2 and summary["quorum_met"] and summary["tie"]
    text = render_result(TR, "Colour", options, summary)
    assert "A tie between: Red, Blue" in text
    assert "✅ Quorum: at least 1/2 of those entitled voted" in text
    short = count(
        kind="poll",
        options=options,
        units=[],
        eligible_keys={"u1", "u2", "u3", "u4", "u5"},
        ballots=ballots[:1],
        quorum=Fraction(1, 2),
    )
    assert short["winner"] is None
    assert "No result: the quorum was not reached." in render_result(TR, "C", options, short)


@pytest.mark.parametrize(
    ("roles", "relation", "status", "expected"),
    [
        ((), None, None, False),  # a stranger
        ((), "owner", "pending", False),  # not confirmed yet
        ((), "tenant", "verified", True),  # any confirmed resident may propose
        (((Role.LEADER, 3),), None, None, True),  # a building leader
        (((Role.STAFF, None),), None, None, True),  # staff
    ],
)
def test_who_may_propose(
    roles: tuple[tuple[Role, int | None], ...],
    relation: str | None,
    status: str | None,
    expected: bool,
) -> None:
    residences: tuple[Residence, ...] = ()
    if relation is not None and status is not None:
        residences = (Residence(1, 1, 1, "1-101", Relation(relation), status),)
    principal = Principal(7, frozenset(roles), residences)
    assert can(principal, Action.PROPOSE) is expected


# ---- the voting window ------------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
N = 1_800_000_000  # the approval
EVENING = timezone(timedelta(hours=12))  # a zone where N is 20:00, the closing hour
H = 3600


@pytest.mark.parametrize(
    ("requested", "days", "window"),
    [
        # on approval: opens now, closes after the duration, reminder a day before the close
        (None, 3, Window(N, N + 2 * DAY, N + 3 * DAY)),
        # chosen opening still ahead: everything counts from it
        # ... and the close moves on to the next 20:00 (N + 4 days: N is 20:00 in EVENING)
        (N + H, 3, Window(N + H, N + 3 * DAY, N + 4 * DAY)),
        (N + 1, 7, Window(N + 1, N + 7 * DAY, N + 8 * DAY)),
        # chosen opening is now: the same as on approval
        (N, 3, Window(N, N + 2 * DAY, N + 3 * DAY)),
        # approved late, two days of the chosen window left: the chosen close is kept
        (N - DAY, 3, Window(N, N + DAY, N + 2 * DAY)),
        # exactly one day left: kept ("at least a day"); the reminder at half-time
        (N - 2 * DAY, 3, Window(N, N + 12 * H, N + DAY)),
        # one second less than a day left: a full duration from the approval
        (N - 2 * DAY - 1, 3, Window(N, N + 2 * DAY, N + 3 * DAY)),
        # the chosen close already passed: a full duration from the approval
        (N - 10 * DAY, 7, Window(N, N + 6 * DAY, N + 7 * DAY)),
    ],
)
def test_voting_window(requested: int | None, days: int, window: Window) -> None:
    assert voting_window(requested, days, N, EVENING) == window


@pytest.mark.parametrize(
    ("approved", "days", "closes"),
    [
        # approved at 03:49 at night: not 03:49 three days later but 20:00 that day
        ("2026-12-02 03:49:29", 3, "2026-12-05 20:00:00"),
        # approved at 20:00 exactly: exactly the duration later
        ("2026-12-02 20:00:00", 1, "2026-12-03 20:00:00"),
        # approved one second after 20:00: the next evening's 20:00
        ("2026-12-02 20:00:01", 1, "2026-12-04 20:00:00"),
    ],
)
def test_a_vote_closes_at_20_in_the_community(approved: str, days: int, closes: str) -> None:
    window = voting_window(None, days, int(at(approved).timestamp()), SHANGHAI)
    assert window.closes_at == int(at(closes).timestamp())
    assert from_ts(window.closes_at).astimezone(SHANGHAI).strftime("%M:%S") == "00:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-23 10:00", ["2026-11-24 08:00", "2026-11-26 08:00", "2026-11-30 08:00"]),
        ("2026-11-23 07:59", ["2026-11-24 08:00", "2026-11-26 08:00", "2026-11-30 08:00"]),
        # 00:30 in Shanghai is still the 23rd in UTC: "tomorrow" is the community's tomorrow
        ("2026-11-24 00:30", ["2026-11-25 08:00", "2026-11-27 08:00", "2026-12-01 08:00"]),
        ("2026-12-31 23:59", ["2027-01-01 08:00", "2027-01-03 08:00", "2027-01-07 08:00"]),
    ],
)
def test_opening_choices_are_at_8_in_the_community_zone(now: str, expected: list[str]) -> None:
    choices = opening_choices(at(now), SHANGHAI)
    assert [days for days, _ in choices] == [1, 3, 7]
    assert [moment for _, moment in choices] == [at(e) for e in expected]


@pytest.mark.parametrize(
    ("picked", "now", "ok"),
    [
        (None, "2026-11-23 10:00", True),  # on approval (0)
        ("2026-11-24 08:00", "2026-11-23 10:00", True),
        ("2026-11-30 08:00", "2026-11-23 10:00", True),  # the furthest choice
        ("2026-11-30 08:00", "2026-11-24 00:01", True),  # offered before midnight, pressed after
        ("2026-12-01 08:00", "2026-11-23 10:00", False),  # further than offered
        ("2026-11-24 08:01", "2026-11-23 10:00", False),  # not 08:00
        ("2026-11-24 08:00", "2026-11-24 08:00", False),  # no longer ahead
        ("2026-11-24 08:00", "2026-11-25 09:00", False),  # passed: a stale button
    ],
)
def test_valid_opening(picked: str | None, now: str, ok: bool) -> None:
    value = 0 if picked is None else int(at(picked).timestamp())
    assert valid_opening(value, int(at(now).timestamp()), SHANGHAI) is ok
    assert not valid_opening(-5, int(at(now).timestamp()), SHANGHAI)


@pytest.mark.parametrize(
    ("part", "shown"),
    [
        (Fraction(2, 3), "66.7"),  # exactly two thirds: not 66.6 next to "two thirds or more"
        (Fraction(6, 9), "66.7"),
        (Fraction(3999, 6000), "66.6"),  # 66.65 %: under 2/3, never shown as 66.7
        (Fraction(1, 2), "50"),
        (Fraction(10001, 20000), "50.1"),  # 50.005 %: more than half, never shown as 50.0
        (Fraction(3, 4), "75"),
        (Fraction(14999, 20000), "74.9"),  # 74.995 %: under 3/4, never shown as 75.0
        (Fraction(1, 3), "33.3"),
        (Fraction(1, 8), "12.5"),
    ],
)
def test_a_share_is_never_rounded_across_a_legal_bound(part: Fraction, shown: str) -> None:
    from bot.texts.votes import shown_share

    assert shown_share(part).normalize() == Decimal(shown).normalize()
