"""Table-driven tests of bot.rules.tally: resident polls, owners' decisions (art. 278), receipts."""

from __future__ import annotations

import itertools
import string
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest

from bot.rules.tally import (
    DEVELOPER_OWNER_KEY,
    RECEIPT_LENGTH,
    AreaBound,
    Art278Item,
    BallotSource,
    Choice,
    ConflictingBallotsError,
    DecisionResult,
    Electorate,
    Matter,
    OwnerBallot,
    PollBallot,
    PollBasis,
    PollOption,
    PollResult,
    Unit,
    area_ceil,
    matter_for,
    owner_key_for,
    receipt,
    resolve_ballots,
    resolve_poll_ballots,
    tally_decision,
    tally_poll,
    verify_receipt,
)

CST = timezone(timedelta(hours=8))
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=CST)

APPROVE, OPPOSE, ABSTAIN = Choice.APPROVE, Choice.OPPOSE, Choice.ABSTAIN
PAPER, ELECTRONIC = BallotSource.PAPER, BallotSource.ELECTRONIC
_CHOICE_CODES = {"A": APPROVE, "O": OPPOSE, "X": ABSTAIN}


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def owner(i: int) -> str:
    return f"o{i:03d}"


def electorate(*areas: str) -> Electorate:
    """One unit per owner: owner(i) holds unit u<i> with areas[i]."""
    return Electorate(Unit(f"u{i:03d}", Decimal(a), owner(i)) for i, a in enumerate(areas))


def ballots(codes: str) -> list[OwnerBallot]:
    """codes[i] is owner(i)'s choice: A approve, O oppose, X abstain, . did not vote."""
    return [
        OwnerBallot(owner(i), _CHOICE_CODES[c], ELECTRONIC, at(i))
        for i, c in enumerate(codes)
        if c != "."
    ]


def decide(areas: list[str], codes: str, matter: Matter = Matter.ORDINARY) -> DecisionResult:
    assert len(areas) == len(codes)
    return tally_decision(electorate(*areas), ballots(codes), matter)


# --------------------------------------------------------------------------------------------
# Owners' decision: participation (2/3 of owners AND 2/3 of area, bound included)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("areas", "codes", "by_head", "by_area", "owners_short", "area_short", "passed"),
    [
        pytest.param(
            ["100", "100", "100"], "AA.", True, True, 0, Fraction(0), True, id="exactly-2/3-both"
        ),
        pytest.param(
            ["100", "100", "101"],
            "AA.",
            True,
            False,
            0,
            Fraction(2, 3),  # 2/3 * 301 - 200
            False,
            id="exactly-2/3-by-head-not-by-area",
        ),
        pytest.param(
            ["400", "100", "100", "100", "100", "100"],
            "AAA...",
            False,
            True,
            1,  # needs 4 of 6
            Fraction(0),
            False,
            id="exactly-2/3-by-area-not-by-head",
        ),
        pytest.param(
            ["99.99", "100.00", "100.01"],
            "AA.",
            True,
            False,
            0,
            Fraction(1, 100),
            False,
            id="area-one-cent-below-2/3",
        ),
        pytest.param(
            ["100", "100", "100"], "A..", False, False, 1, Fraction(100), False, id="both-below"
        ),
        pytest.param(
            ["100", "100", "100"],
            "AX.",
            True,
            True,
            0,
            Fraction(0),
            False,  # valid, but 1 of 2 participants approving is not more than half
            id="abstain-counts-to-participation",
        ),
        pytest.param(
            ["100", "100", "100"], "...", False, False, 2, Fraction(200), False, id="nobody-voted"
        ),
    ],
)
def test_participation(
    areas: list[str],
    codes: str,
    by_head: bool,
    by_area: bool,
    owners_short: int,
    area_short: Fraction,
    passed: bool,
) -> None:
    result = decide(areas, codes)
    assert result.participation_by_head is by_head
    assert result.participation_by_area is by_area
    assert result.participation_met is (by_head and by_area)
    assert result.owners_short == owners_short
    assert result.area_short == area_short
    assert result.passed is passed


@pytest.mark.parametrize(
    ("participants", "owners_short", "area_short", "area_short_shown"),
    [
        pytest.param(0, 67, Fraction(20000, 3), Decimal("6666.67"), id="none"),
        pytest.param(60, 7, Fraction(2000, 3), Decimal("666.67"), id="60-of-100"),
        pytest.param(66, 1, Fraction(200, 3), Decimal("66.67"), id="one-short"),
        pytest.param(67, 0, Fraction(0), Decimal("0.00"), id="exactly-reached"),
        pytest.param(70, 0, Fraction(0), Decimal("0.00"), id="beyond"),
    ],
)
def test_distance_to_quorum_uniform(
    participants: int, owners_short: int, area_short: Fraction, area_short_shown: Decimal
) -> None:
    result = decide(["100"] * 100, "A" * participants + "." * (100 - participants))
    assert result.participation_owners_needed == 67
    assert result.participation_area_needed == AreaBound(Fraction(20000, 3), inclusive=True)
    assert result.owners_short == owners_short
    assert result.area_short == area_short
    assert area_ceil(result.area_short) == area_short_shown


@pytest.mark.parametrize(
    ("codes", "owners_short", "area_short", "missing"),
    [
        pytest.param(
            "A.........",
            6,  # needs ceil(2 * 10 / 3) = 7 owners
            Fraction(0),  # 910 m² alone is more than 2/3 of 1,000 m²
            tuple(owner(i) for i in range(1, 10)),
            id="big-owner-alone",
        ),
        pytest.param(
            ".AAAAAAA..",
            0,
            Fraction(2000, 3) - 70,  # 7 owners with 70 m²: 596.67 m² more needed
            (owner(0), owner(8), owner(9)),  # remind the big owner first
            id="seven-small-owners",
        ),
    ],
)
def test_distance_to_quorum_uneven(
    codes: str, owners_short: int, area_short: Fraction, missing: tuple[str, ...]
) -> None:
    result = decide(["910"] + ["10"] * 9, codes)
    assert result.owners_short == owners_short
    assert result.area_short == area_short
    assert result.missing_owner_keys == missing


# --------------------------------------------------------------------------------------------
# Owners' decision: approval
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("matter", "areas", "codes", "by_head", "by_area", "owners_needed", "area_needed", "passed"),
    [
        pytest.param(
            Matter.ORDINARY,
            ["100"] * 4,
            "AAOO",
            False,
            False,
            3,
            AreaBound(Fraction(200), inclusive=False),
            False,
            id="ordinary-exactly-half-fails",
        ),
        pytest.param(
            Matter.ORDINARY,
            ["100"] * 4,
            "AAAO",
            True,
            True,
            3,
            AreaBound(Fraction(200), inclusive=False),
            True,
            id="ordinary-half-plus-one-owner",
        ),
        pytest.param(
            Matter.ORDINARY,
            ["100", "100", "100", "300"],
            "AAAO",
            True,
            False,
            3,
            AreaBound(Fraction(300), inclusive=False),
            False,
            id="ordinary-heads-yes-area-exactly-half",
        ),
        pytest.param(
            Matter.ORDINARY,
            ["100", "100", "100", "299.99"],
            "AAAO",
            True,
            True,
            3,
            AreaBound(Fraction(59999, 200), inclusive=False),
            True,
            id="ordinary-area-a-cent-over-half",
        ),
        pytest.param(
            Matter.ORDINARY,
            ["300", "100", "100", "100"],
            "AAOO",
            False,
            True,
            3,
            AreaBound(Fraction(300), inclusive=False),
            False,
            id="ordinary-area-yes-heads-exactly-half",
        ),
        pytest.param(
            Matter.ORDINARY,
            ["100"] * 6,
            "AAXX..",
            False,
            False,
            3,
            AreaBound(Fraction(200), inclusive=False),
            False,
            id="ordinary-abstain-in-denominator",
        ),
        pytest.param(
            Matter.ORDINARY,
            ["100"] * 6,
            "AAAX..",
            True,
            True,
            3,
            AreaBound(Fraction(200), inclusive=False),
            True,
            id="ordinary-abstainer-makes-quorum",
        ),
        pytest.param(
            Matter.ORDINARY,
            ["100"] * 3,
            "AAO",
            True,
            True,
            2,
            AreaBound(Fraction(150), inclusive=False),
            True,
            id="ordinary-two-thirds",
        ),
        pytest.param(
            Matter.SPECIAL,
            ["100"] * 3,
            "AAO",
            False,
            False,
            3,
            AreaBound(Fraction(225), inclusive=True),
            False,
            id="special-two-thirds-fails",
        ),
        pytest.param(
            Matter.SPECIAL,
            ["100"] * 4,
            "AAAO",
            True,
            True,
            3,
            AreaBound(Fraction(300), inclusive=True),
            True,
            id="special-exactly-3/4",
        ),
        pytest.param(
            Matter.SPECIAL,
            ["100"] * 4,
            "AAAX",
            True,
            True,
            3,
            AreaBound(Fraction(300), inclusive=True),
            True,
            id="special-exactly-3/4-with-abstainer",
        ),
        pytest.param(
            Matter.SPECIAL,
            ["100", "100", "100", "100.01"],
            "AAAO",
            True,
            False,
            3,
            AreaBound(Fraction(3000075, 10000), inclusive=True),
            False,
            id="special-area-just-below-3/4",
        ),
        pytest.param(
            Matter.SPECIAL,
            ["300"] + ["100"] * 6,
            "AAAAAOO",
            False,
            True,
            6,  # ceil(3 * 7 / 4)
            AreaBound(Fraction(675), inclusive=True),
            False,
            id="special-heads-one-below-3/4",
        ),
        pytest.param(
            Matter.SPECIAL,
            ["300"] + ["100"] * 6,
            "AAAAAAO",
            True,
            True,
            6,
            AreaBound(Fraction(675), inclusive=True),
            True,
            id="special-heads-at-minimum",
        ),
    ],
)
def test_approval(
    matter: Matter,
    areas: list[str],
    codes: str,
    by_head: bool,
    by_area: bool,
    owners_needed: int,
    area_needed: AreaBound,
    passed: bool,
) -> None:
    result = decide(areas, codes, matter)
    assert result.approval_by_head is by_head
    assert result.approval_by_area is by_area
    assert result.approval_owners_needed == owners_needed
    assert result.approval_area_needed == area_needed
    assert result.approval_area_needed.is_met(result.approving_area) is by_area
    assert (result.approving_owners >= result.approval_owners_needed) is by_head
    assert result.passed is passed


def test_worked_example() -> None:
    """100 owners / 10,000 m²; 70 owners holding 7,000 m² vote; 40 for with only 3,400 m²."""
    areas = ["85"] * 40 + ["120"] * 30 + ["100"] * 30
    codes = "A" * 40 + "O" * 25 + "X" * 5 + "." * 30
    ordinary = decide(areas, codes, Matter.ORDINARY)
    assert (ordinary.total_owners, ordinary.total_area) == (100, Decimal(10000))
    assert (ordinary.participating_owners, ordinary.participating_area) == (70, Decimal(7000))
    assert (ordinary.approving_owners, ordinary.approving_area) == (40, Decimal(3400))
    assert (ordinary.opposing_owners, ordinary.opposing_area) == (25, Decimal(3000))
    assert (ordinary.abstaining_owners, ordinary.abstaining_area) == (5, Decimal(600))
    assert (ordinary.head_turnout, ordinary.area_turnout) == (Fraction(7, 10), Fraction(7, 10))
    assert ordinary.participation_met is True
    assert (ordinary.owners_short, ordinary.area_short) == (0, 0)
    # "needs ≥ 36 owners and > 3,500 m² in favour"
    assert ordinary.approval_owners_needed == 36
    assert ordinary.approval_area_needed == AreaBound(Fraction(3500), inclusive=False)
    assert ordinary.approval_by_head is True
    assert ordinary.approval_by_area is False  # fails on area
    assert ordinary.passed is False

    special = decide(areas, codes, Matter.SPECIAL)
    # items 6-8: "needs ≥ 53 owners and ≥ 5,250 m²"
    assert special.approval_owners_needed == 53
    assert special.approval_area_needed == AreaBound(Fraction(5250), inclusive=True)
    assert special.passed is False

    # One 120 m² opponent switching to approve: 41 owners and 3,520 m² pass an ordinary matter.
    switched = decide(areas, "A" * 41 + codes[41:], Matter.ORDINARY)
    assert (switched.approving_owners, switched.approving_area) == (41, Decimal(3520))
    assert switched.passed is True
    assert decide(areas, "A" * 41 + codes[41:], Matter.SPECIAL).passed is False


# --------------------------------------------------------------------------------------------
# Owners' decision: who counts as an owner
# --------------------------------------------------------------------------------------------


def test_multi_unit_owner_counts_once_with_all_area() -> None:
    e = Electorate(
        [
            Unit("1-101", Decimal("80.50"), "alice"),
            Unit("1-102", Decimal("119.50"), "alice"),
            Unit("2-101", Decimal("100"), "bob"),
            Unit("2-102", Decimal("100"), "carol"),
        ]
    )
    assert e.owner_count == 3
    assert e.total_area == Decimal("400.00")
    assert e.area_of("alice") == Decimal("200.00")
    assert e.units_of("alice") == ("1-101", "1-102")
    assert e.owner_of("1-102") == "alice"

    alone = tally_decision(e, [OwnerBallot("alice", APPROVE, ELECTRONIC, at(0))], Matter.ORDINARY)
    assert (alone.participating_owners, alone.participating_area) == (1, Decimal(200))
    assert (alone.participation_by_head, alone.participation_by_area) == (False, False)

    both = tally_decision(
        e,
        [
            OwnerBallot("alice", APPROVE, ELECTRONIC, at(0)),
            OwnerBallot("bob", APPROVE, ELECTRONIC, at(1)),
        ],
        Matter.ORDINARY,
    )
    assert (both.approving_owners, both.approving_area) == (2, Decimal(300))
    assert both.participation_met is True
    assert both.passed is True


def test_developer_units_are_one_owner() -> None:
    e = Electorate(
        [
            Unit.of("3-101", Decimal(100), None, developer=True),
            Unit.of("3-102", Decimal(100), "ignored-when-developer", developer=True),
            Unit.of("3-103", Decimal(100), None, developer=True),
            Unit.of("3-201", Decimal(100), "xu"),
            Unit.of("3-202", Decimal(100), "yang"),
        ]
    )
    assert e.owner_count == 3
    assert e.area_of(DEVELOPER_OWNER_KEY) == Decimal(300)
    result = tally_decision(
        e,
        [
            OwnerBallot(DEVELOPER_OWNER_KEY, APPROVE, PAPER, at(0)),
            OwnerBallot("xu", OPPOSE, ELECTRONIC, at(1)),
        ],
        Matter.ORDINARY,
    )
    assert (result.participating_owners, result.participating_area) == (2, Decimal(400))
    assert result.participation_met is True
    # 300 of 400 m² approve, but 1 of 2 owners is not more than half.
    assert (result.approval_by_area, result.approval_by_head) == (True, False)
    assert result.passed is False


@pytest.mark.parametrize(
    ("owner_key", "developer", "expected"),
    [
        pytest.param("wang", False, "wang", id="owner"),
        pytest.param(None, True, DEVELOPER_OWNER_KEY, id="developer-no-key"),
        pytest.param("wang", True, DEVELOPER_OWNER_KEY, id="developer-flag-wins"),
    ],
)
def test_owner_key_for(owner_key: str | None, developer: bool, expected: str) -> None:
    assert owner_key_for(owner_key, developer=developer) == expected


@pytest.mark.parametrize(
    "owner_key",
    [pytest.param(None, id="missing"), pytest.param(DEVELOPER_OWNER_KEY, id="reserved")],
)
def test_owner_key_for_rejects(owner_key: str | None) -> None:
    with pytest.raises(ValueError):
        owner_key_for(owner_key)


def test_co_owned_unit_has_one_vote() -> None:
    # Li and Zhou co-own 5-301; the flow maps whichever co-owner votes to the unit's owner key.
    e = Electorate([Unit("5-301", Decimal("90"), "li+zhou"), Unit("5-302", Decimal("90"), "chen")])
    assert e.owner_count == 2
    result = tally_decision(
        e,
        [
            OwnerBallot(e.owner_of("5-301"), APPROVE, ELECTRONIC, at(0)),  # Li
            OwnerBallot(e.owner_of("5-301"), OPPOSE, ELECTRONIC, at(5)),  # Zhou, later
        ],
        Matter.ORDINARY,
    )
    assert (result.participating_owners, result.participating_area) == (1, Decimal(90))
    assert (result.approving_owners, result.opposing_owners) == (0, 1)
    assert result.effective["li+zhou"].cast_at == at(5)


@pytest.mark.parametrize("matter", list(Matter))
def test_nobody_voted_approves_nothing(matter: Matter) -> None:
    result = decide(["100"] * 4, "....", matter)
    assert (result.participating_owners, result.participating_area) == (0, Decimal(0))
    assert result.approval_met is False
    assert result.passed is False
    assert result.missing_owner_keys == (owner(0), owner(1), owner(2), owner(3))


def test_ballots_outside_the_electorate_are_ignored() -> None:
    result = tally_decision(
        electorate("100", "100", "100"),
        [*ballots("AA."), OwnerBallot("tenant-9", OPPOSE, ELECTRONIC, at(9))],
        Matter.ORDINARY,
    )
    assert result.ineligible_owner_keys == ("tenant-9",)
    assert (result.participating_owners, result.opposing_owners) == (2, 0)
    assert result.passed is True


def test_areas_are_summed_exactly_whatever_the_decimal_context() -> None:
    e = electorate("1E+30", "0.01")
    assert e.total_area == Decimal("1000000000000000000000000000000.01")
    result = tally_decision(e, ballots(".A"), Matter.ORDINARY)
    assert result.participating_area == Decimal("0.01")
    assert result.area_turnout == Fraction(1, 10**32 + 1)


# --------------------------------------------------------------------------------------------
# Paper + electronic de-duplication
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "winner"),
    [
        pytest.param(
            [("E", APPROVE, 10), ("P", OPPOSE, 9)], ("E", APPROVE, 10), id="later-electronic-wins"
        ),
        pytest.param(
            [("P", OPPOSE, 11), ("E", APPROVE, 10)], ("P", OPPOSE, 11), id="later-paper-wins"
        ),
        pytest.param(
            [("E", APPROVE, 10), ("P", OPPOSE, 10)], ("P", OPPOSE, 10), id="same-time-paper-wins"
        ),
        pytest.param(
            [("E", APPROVE, 1), ("E", OPPOSE, 2), ("E", ABSTAIN, 3)],
            ("E", ABSTAIN, 3),
            id="changed-vote-latest-wins",
        ),
        pytest.param(
            [("P", APPROVE, 4), ("P", APPROVE, 4), ("E", OPPOSE, 3)],
            ("P", APPROVE, 4),
            id="identical-duplicates-collapse",
        ),
        pytest.param(
            [("E", APPROVE, 4), ("E", APPROVE, 4), ("P", OPPOSE, 4)],
            ("P", OPPOSE, 4),
            id="same-time-paper-beats-electronic-duplicates",
        ),
    ],
)
def test_resolve_ballots(
    given: list[tuple[str, Choice, int]], winner: tuple[str, Choice, int]
) -> None:
    sources = {"E": ELECTRONIC, "P": PAPER}
    made = [OwnerBallot("o1", choice, sources[s], at(t)) for s, choice, t in given]
    other = OwnerBallot("o0", APPROVE, ELECTRONIC, at(0))
    expected = OwnerBallot("o1", winner[1], sources[winner[0]], at(winner[2]))
    for order in itertools.permutations(made):
        resolved = resolve_ballots([*order, other])
        assert list(resolved) == ["o0", "o1"]
        assert resolved["o1"] == expected
        assert resolved["o0"] == other


def test_resolve_ballots_duplicates_filed_under_two_units() -> None:
    # A two-unit owner's signed paper ballot was recorded once under each unit.
    filed = [
        OwnerBallot("alice", APPROVE, PAPER, at(3), unit_key="1-101"),
        OwnerBallot("alice", APPROVE, PAPER, at(3), unit_key="1-102"),
        OwnerBallot("alice", OPPOSE, ELECTRONIC, at(3)),
    ]
    for order in itertools.permutations(filed):
        assert resolve_ballots(order) == {"alice": filed[1]}


def test_resolve_ballots_same_instant_in_another_zone_is_a_tie() -> None:
    utc_same_instant = at(10).astimezone(UTC)
    resolved = resolve_ballots(
        [
            OwnerBallot("o1", APPROVE, PAPER, at(10)),
            OwnerBallot("o1", OPPOSE, ELECTRONIC, utc_same_instant),
        ]
    )
    assert resolved["o1"].choice is APPROVE


@pytest.mark.parametrize("source", [PAPER, ELECTRONIC])
def test_resolve_ballots_conflict(source: BallotSource) -> None:
    conflicting = [
        OwnerBallot("o1", APPROVE, source, at(5)),
        OwnerBallot("o1", OPPOSE, source, at(5)),
    ]
    with pytest.raises(ConflictingBallotsError) as caught:
        resolve_ballots(conflicting)
    assert caught.value.owner_key == "o1"
    # A later ballot settles it: the conflict no longer ties with the effective ballot.
    resolved = resolve_ballots([*conflicting, OwnerBallot("o1", ABSTAIN, ELECTRONIC, at(6))])
    assert resolved["o1"].choice is ABSTAIN


def test_paper_and_electronic_in_the_tally() -> None:
    e = electorate("100", "100", "100")
    result = tally_decision(
        e,
        [
            OwnerBallot("o000", OPPOSE, ELECTRONIC, at(30)),
            OwnerBallot(e.owner_of("u000"), APPROVE, PAPER, at(30), unit_key="u000"),
            OwnerBallot("o001", OPPOSE, PAPER, at(10)),
            OwnerBallot("o001", APPROVE, ELECTRONIC, at(20)),
        ],
        Matter.ORDINARY,
    )
    assert (result.participating_owners, result.approving_owners) == (2, 2)
    assert result.effective["o000"].source is PAPER
    assert result.effective["o001"].source is ELECTRONIC
    assert result.passed is True


def test_owner_ballot_accepts_stored_strings() -> None:
    b = OwnerBallot("o1", "abstain", "paper", at(0))  # type: ignore[arg-type]
    assert (b.choice, b.source) == (ABSTAIN, PAPER)


# --------------------------------------------------------------------------------------------
# Art. 278 items
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "matter"),
    [
        (Art278Item.RULES_OF_PROCEDURE, Matter.ORDINARY),
        (Art278Item.MANAGEMENT_STATUTE, Matter.ORDINARY),
        (Art278Item.OWNERS_COMMITTEE, Matter.ORDINARY),
        (Art278Item.PROPERTY_MANAGER, Matter.ORDINARY),
        (Art278Item.USE_MAINTENANCE_FUND, Matter.ORDINARY),
        (Art278Item.RAISE_MAINTENANCE_FUND, Matter.SPECIAL),
        (Art278Item.REBUILD, Matter.SPECIAL),
        (Art278Item.CHANGE_COMMON_PARTS_USE, Matter.SPECIAL),
        (Art278Item.OTHER_MAJOR_MATTER, Matter.ORDINARY),
    ],
)
def test_matter_for(item: Art278Item, matter: Matter) -> None:
    assert matter_for(item) is matter
    assert matter_for(int(item)) is matter
    assert item.matter is matter


def test_art_278_numbering_and_wording() -> None:
    assert [int(i) for i in Art278Item] == list(range(1, 10))
    assert Art278Item(5).statute_zh == "使用建筑物及其附属设施的维修资金"
    assert Art278Item(6).statute_zh == "筹集建筑物及其附属设施的维修资金"
    assert Art278Item(7).statute_zh == "改建、重建建筑物及其附属设施"
    assert Art278Item(8).statute_zh == "改变共有部分的用途或者利用共有部分从事经营活动"


@pytest.mark.parametrize(
    ("item", "error"), [(0, ValueError), (10, ValueError), (True, TypeError), ("6", TypeError)]
)
def test_matter_for_rejects(item: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        matter_for(item)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Resident poll
# --------------------------------------------------------------------------------------------

OPTIONS = (PollOption("yes"), PollOption("no"), PollOption("abstain", counts_as_abstain=True))

# Residents r1 and r2 share unit 101; r3 lives in 102, r4 in 103.
HOUSE_BALLOTS = [
    PollBallot("r1", "101", "yes", at(0)),
    PollBallot("r2", "101", "no", at(5)),
    PollBallot("r3", "102", "no", at(1)),
    PollBallot("r4", "103", "yes", at(2)),
]


def poll_ballots(*options: str) -> list[PollBallot]:
    return [PollBallot(f"r{i}", f"u{i}", o, at(i)) for i, o in enumerate(options)]


@pytest.mark.parametrize(
    (
        "basis",
        "eligible",
        "given",
        "quorum",
        "counts",
        "turnout",
        "quorum_met",
        "leaders",
        "winner",
    ),
    [
        pytest.param(
            PollBasis.HOUSEHOLD,
            {"101", "102", "103", "104"},
            HOUSE_BALLOTS,
            None,
            {"yes": 1, "no": 2, "abstain": 0},
            3,
            True,
            ("no",),
            "no",
            id="household-latest-resident-wins",
        ),
        pytest.param(
            PollBasis.RESIDENT,
            {"r1", "r2", "r3", "r4"},
            HOUSE_BALLOTS,
            None,
            {"yes": 2, "no": 2, "abstain": 0},
            4,
            True,
            ("yes", "no"),
            None,
            id="resident-each-counts-tie",
        ),
        pytest.param(
            PollBasis.RESIDENT,
            {"r0", "r1", "r2", "r3"},
            poll_ballots("yes", "no"),
            Fraction(1, 2),
            {"yes": 1, "no": 1, "abstain": 0},
            2,
            True,
            ("yes", "no"),
            None,
            id="quorum-exactly-met-but-tie",
        ),
        pytest.param(
            PollBasis.RESIDENT,
            {"r0", "r1", "r2", "r3"},
            poll_ballots("yes", "abstain"),
            Fraction(1, 2),
            {"yes": 1, "no": 0, "abstain": 1},
            2,
            True,
            ("yes",),
            "yes",
            id="abstain-makes-quorum",
        ),
        pytest.param(
            PollBasis.RESIDENT,
            {"r0", "r1", "r2", "r3"},
            poll_ballots("yes"),
            Fraction(1, 2),
            {"yes": 1, "no": 0, "abstain": 0},
            1,
            False,
            ("yes",),
            None,
            id="quorum-one-short",
        ),
        pytest.param(
            PollBasis.HOUSEHOLD,
            {f"u{i}" for i in range(10)},
            poll_ballots("no", "yes", "no", "abstain"),
            Fraction(1, 3),
            {"yes": 1, "no": 2, "abstain": 1},
            4,
            True,
            ("no",),
            "no",
            id="quorum-third-of-ten-needs-four",
        ),
        pytest.param(
            PollBasis.HOUSEHOLD,
            {f"u{i}" for i in range(10)},
            poll_ballots("no", "yes", "no"),
            Fraction(1, 3),
            {"yes": 1, "no": 2, "abstain": 0},
            3,
            False,
            ("no",),
            None,
            id="quorum-third-of-ten-three-fail",
        ),
        pytest.param(
            PollBasis.RESIDENT,
            {"r0", "r1", "r2", "r3"},
            poll_ballots("abstain", "abstain", "abstain", "no"),
            None,
            {"yes": 0, "no": 1, "abstain": 3},
            4,
            True,
            ("no",),
            "no",
            id="abstain-most-votes-never-wins",
        ),
        pytest.param(
            PollBasis.RESIDENT,
            {"r0", "r1"},
            poll_ballots("abstain", "abstain"),
            None,
            {"yes": 0, "no": 0, "abstain": 2},
            2,
            True,
            (),
            None,
            id="all-abstain-no-winner",
        ),
    ],
)
def test_poll(
    basis: PollBasis,
    eligible: set[str],
    given: list[PollBallot],
    quorum: Fraction | None,
    counts: dict[str, int],
    turnout: int,
    quorum_met: bool,
    leaders: tuple[str, ...],
    winner: str | None,
) -> None:
    result = tally_poll(OPTIONS, given, basis=basis, eligible=eligible, quorum=quorum)
    assert dict(result.counts) == counts
    assert list(result.counts) == ["yes", "no", "abstain"]
    assert result.turnout == turnout
    assert result.turnout_share == Fraction(turnout, len(eligible))
    assert result.abstentions == counts["abstain"]
    assert result.quorum_met is quorum_met
    assert result.leaders == leaders
    assert result.tie is (len(leaders) > 1)
    assert result.winner == winner


@pytest.mark.parametrize(
    ("quorum", "eligible", "voted", "needed", "short"),
    [
        pytest.param(Fraction(1, 2), 4, 2, 2, 0, id="half-of-4-exact"),
        pytest.param(Fraction(1, 2), 5, 2, 3, 1, id="half-of-5-rounds-up"),
        pytest.param(Fraction(1, 3), 10, 3, 4, 1, id="third-of-10"),
        pytest.param(Fraction(2, 3), 9, 6, 6, 0, id="two-thirds-of-9-exact"),
        pytest.param(Fraction(1), 3, 2, 3, 1, id="everyone"),
        pytest.param(None, 3, 0, 0, 0, id="no-quorum"),
    ],
)
def test_poll_quorum_numbers(
    quorum: Fraction | None, eligible: int, voted: int, needed: int, short: int
) -> None:
    result = tally_poll(
        OPTIONS,
        poll_ballots(*["yes"] * voted),
        basis=PollBasis.RESIDENT,
        eligible={f"r{i}" for i in range(eligible)},
        quorum=quorum,
    )
    assert result.quorum_votes_needed == needed
    assert result.votes_short == short
    assert result.quorum_met is (short == 0)
    assert result.winner == ("yes" if short == 0 and voted else None)


def test_poll_ineligible_ballots_are_ignored() -> None:
    result = tally_poll(
        OPTIONS,
        [*poll_ballots("yes"), PollBallot("stranger", "u9", "no", at(3))],
        basis=PollBasis.RESIDENT,
        eligible={"r0", "r1"},
    )
    assert result.ineligible_keys == ("stranger",)
    assert dict(result.counts) == {"yes": 1, "no": 0, "abstain": 0}
    assert result.turnout_share == Fraction(1, 2)
    assert result.winner == "yes"


def test_poll_changed_vote_counts_once() -> None:
    given = [PollBallot("r1", "u1", "yes", at(0)), PollBallot("r1", "u1", "no", at(9))]
    result = tally_poll(OPTIONS, given, basis=PollBasis.RESIDENT, eligible={"r1", "r2"})
    assert dict(result.counts) == {"yes": 0, "no": 1, "abstain": 0}
    assert result.effective["r1"].option == "no"


def test_poll_same_instant_is_order_independent() -> None:
    given = [PollBallot("r1", "u1", "yes", at(0)), PollBallot("r2", "u1", "no", at(0))]
    results = {
        resolve_poll_ballots(order, PollBasis.HOUSEHOLD)["u1"]
        for order in itertools.permutations(given)
    }
    assert results == {given[1]}  # the greater (voter_key, option) wins the tie


def test_poll_nobody_eligible() -> None:
    result: PollResult = tally_poll(
        OPTIONS, [], basis=PollBasis.HOUSEHOLD, eligible=set(), quorum=Fraction(1, 2)
    )
    assert (result.eligible, result.turnout, result.turnout_share) == (0, 0, Fraction(0))
    assert result.winner is None


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


def test_rejects_bad_input() -> None:
    with pytest.raises(TypeError):
        Unit("u1", 80.5, "o1")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Unit("u1", Decimal("NaN"), "o1")
    with pytest.raises(ValueError):
        Electorate([])
    with pytest.raises(ValueError, match="twice"):
        Electorate([Unit("u1", Decimal(1), "a"), Unit("u1", Decimal(2), "b")])
    with pytest.raises(ValueError, match="timezone"):
        OwnerBallot("o1", APPROVE, PAPER, datetime(2025, 3, 1, 9, 0))
    with pytest.raises(ValueError, match="timezone"):
        PollBallot("r1", "u1", "yes", datetime(2025, 3, 1, 9, 0))
    with pytest.raises(ValueError):
        OwnerBallot("o1", "maybe", PAPER, at(0))  # type: ignore[arg-type]
    float_quorum: object = 0.5
    with pytest.raises(TypeError):
        tally_poll(
            OPTIONS,
            [],
            basis=PollBasis.RESIDENT,
            eligible={"r1"},
            quorum=float_quorum,  # type: ignore[arg-type]
        )
    with pytest.raises(ValueError):
        tally_poll(OPTIONS, [], basis=PollBasis.RESIDENT, eligible={"r1"}, quorum=Fraction(3, 2))
    with pytest.raises(ValueError, match="unknown option"):
        tally_poll(OPTIONS, poll_ballots("maybe"), basis=PollBasis.RESIDENT, eligible={"r0"})
    with pytest.raises(ValueError, match="duplicate"):
        tally_poll([PollOption("a"), PollOption("a")], [], basis=PollBasis.RESIDENT, eligible=[])
    with pytest.raises(TypeError):
        tally_poll(OPTIONS, [], basis=PollBasis.RESIDENT, eligible="r1")


def test_area_ceil() -> None:
    assert area_ceil(Fraction(20000, 3)) == Decimal("6666.67")
    assert area_ceil(Fraction(3500)) == Decimal("3500.00")
    assert area_ceil(Fraction(1, 1000)) == Decimal("0.01")
    assert area_ceil(Fraction(20000, 3), places=0) == Decimal("6667")


# --------------------------------------------------------------------------------------------
# Receipts
# --------------------------------------------------------------------------------------------

NONCE = bytes(range(32))


def test_receipt_known_value_and_format() -> None:
    code = receipt(42, "tg:1001", NONCE)
    assert code == "G4FHTHGCCG"  # pinned: receipts voters hold must not change silently
    assert len(code) == RECEIPT_LENGTH
    assert set(code) <= set(string.ascii_uppercase + "234567")


@pytest.mark.parametrize(
    "shown",
    [
        pytest.param(lambda c: c, id="as-given"),
        pytest.param(lambda c: c.lower(), id="lower-case"),
        pytest.param(lambda c: f" {c[:5]}-{c[5:]} ", id="hyphen-and-spaces"),
    ],
)
def test_receipt_verifies(shown: Callable[[str], str]) -> None:
    code = receipt(42, "tg:1001", NONCE)
    assert verify_receipt(42, "tg:1001", NONCE, shown(code)) is True


@pytest.mark.parametrize(
    ("proposal_id", "voter_key", "nonce"),
    [
        pytest.param(43, "tg:1001", NONCE, id="other-proposal"),
        pytest.param(42, "tg:1002", NONCE, id="other-voter"),
        pytest.param(42, "tg:1001", bytes(32), id="other-nonce"),
        pytest.param(4, "2tg:1001", NONCE, id="no-field-smuggling"),
    ],
)
def test_receipt_differs(proposal_id: int, voter_key: str, nonce: bytes) -> None:
    mine = receipt(42, "tg:1001", NONCE)
    theirs = receipt(proposal_id, voter_key, nonce)
    assert theirs != mine
    assert verify_receipt(proposal_id, voter_key, nonce, mine) is False
    assert verify_receipt(42, "tg:1001", NONCE, theirs) is False


@pytest.mark.parametrize("code", ["", "G4FHTHGCC", "G4FHTHGCCGX", "Ｇ4FHTHGCCG"])
def test_receipt_rejects_malformed_codes(code: str) -> None:
    assert verify_receipt(42, "tg:1001", NONCE, code) is False


def test_receipt_needs_a_real_nonce() -> None:
    with pytest.raises(ValueError):
        receipt(42, "tg:1001", b"short")
    with pytest.raises(TypeError):
        receipt(True, "tg:1001", NONCE)
