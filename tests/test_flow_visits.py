"""Home visits through the emulator: on an accepted repair at home staff offer a window from
the card's buttons (or let the resident pick one); the resident takes it, or is not available
then and picks a later window, and the SLA clock waits until it with the reason recorded; both
are reminded once before it, also across a restart; "on site" marks the arrival and ends the
wait. Forged and stale presses change nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.rules.auth import Role
from tests.conftest import SHANGHAI, Harness
from tests.test_flow_tickets import (
    NEIGHBOUR,
    RESIDENT,
    STAFF,
    STAFF_CHAT,
    last,
    officer,
    setup,
    verified,
)
from tests.test_flow_tickets_leaders import home_repair

JOB = "visits-remind"
VISIT_TABLES = ("ticket_visits", "ticket_pauses", "tickets", "ticket_history")


def at(day: int, hour: int, minute: int = 0) -> int:
    return int(datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).timestamp())


def card(h: Harness) -> Any:
    return h.emu.messages(STAFF_CHAT)[0]


def alert(h: Harness) -> str:
    return str(h.emu.calls_of("answerCallbackQuery")[-1].params.get("text", ""))


async def accepted_home_repair(h: Harness) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ann (1-302) reports a leak at home on Monday 10:00; Sam accepts it."""
    await setup(h)
    resident = await verified(h, RESIDENT, "Ann", "1-302")
    await home_repair(h, resident, "1-302")
    staff = await officer(h, STAFF, "Sam", Role.STAFF)
    assert "hvo1|1" not in [d for _, d in h.emu.buttons(card(h))]  # not before it is accepted
    await h.press(staff, card(h), "ta1|1|acc")
    return resident, staff


async def snapshot(h: Harness) -> list[list[tuple[Any, ...]]]:
    return [await h.rows(f"SELECT * FROM {t} ORDER BY 1") for t in VISIT_TABLES]


async def test_a_window_offered_the_resident_not_available_reminders_and_on_site(
    harness: Harness,
) -> None:
    resident, staff = await accepted_home_repair(harness)
    before_due = (await harness.rows("SELECT resolution_due_at FROM tickets"))[0][0]
    assert before_due == at(23, 18)  # 8 service hours from Monday 10:00
    await harness.press(staff, card(harness), "hvo1|1")
    offered = [d for _, d in harness.emu.buttons(card(harness)) if d and d.startswith("hvw1|")]
    assert offered[:5] == [f"hvw1|1|{at(23, h)}" for h in (12, 14, 16, 18)] + [
        f"hvw1|1|{at(24, 8)}"
    ]
    assert offered[-1] == "hvw1|1|0"  # the resident chooses
    # a window not on offer (forged) changes nothing
    rows = await snapshot(harness)
    await harness.press(staff, card(harness), f"hvw1|1|{at(23, 13)}")
    assert "no longer valid" in alert(harness)
    assert await snapshot(harness) == rows
    await harness.press(staff, card(harness), f"hvw1|1|{at(23, 14)}")
    assert "I have asked the resident" in alert(harness)
    assert harness.emu.find_button(card(harness), "ta1|1|ons")  # the card's buttons are back
    ask = harness.emu.last_message(RESIDENT)
    assert "would like to come to your home today 14:00–16:00" in ask.body
    assert [d for _, d in harness.emu.buttons(ask)] == ["hvy1|1", "hvn1|1"]
    # a neighbour's forged press changes nothing
    neighbour = await verified(harness, NEIGHBOUR, "Ned", "1-301")
    rows = await snapshot(harness)
    await harness.press(neighbour, ask, "hvy1|1")
    assert "no longer valid" in alert(harness)
    assert await snapshot(harness) == rows
    # not then: Ann picks Tuesday 10:00
    await harness.press(resident, ask, "hvn1|1")
    choose = harness.emu.last_message(RESIDENT)
    assert "When will you be at home?" in choose.body
    await harness.press(resident, choose, f"hvp1|1|{at(24, 10)}")
    assert "The staff will come tomorrow 10:00–12:00" in last(harness, RESIDENT)
    assert await harness.rows(
        "SELECT state, window_start, window_end, chosen_by_resident, remind_at FROM ticket_visits"
    ) == [("agreed", at(24, 10), at(24, 12), 1, at(24, 9))]
    assert await harness.rows("SELECT start_at, end_at, reason FROM ticket_pauses") == [
        (at(23, 10), at(24, 10), "resident not available until the visit")
    ]
    # the whole wait was paused: 8 service hours from Tuesday 10:00
    assert await harness.rows("SELECT resolution_due_at FROM tickets") == [(at(24, 18),)]
    told = last(harness, STAFF)
    assert "Home visit for ticket #1 (" in told and "unit 1-302): tomorrow 10:00–12:00." in told
    assert "the SLA clock waits until the visit" in told
    actions = [r[0] for r in await harness.rows("SELECT action FROM ticket_history ORDER BY id")]
    assert actions[-3:] == ["visit_offered", "visit_agreed", "paused"]
    # the old "yes" button no longer applies
    rows = await snapshot(harness)
    await harness.press(resident, ask, "hvy1|1")
    assert "already settled" in alert(harness)
    assert await snapshot(harness) == rows
    # both reminded once, an hour before, also across a restart
    ann_before, sam_before = len(harness.emu.messages(RESIDENT)), len(harness.emu.messages(STAFF))
    harness.clock.set(datetime(2026, 11, 24, 8, 59, tzinfo=SHANGHAI))
    await harness.run_job(JOB)
    assert len(harness.emu.messages(RESIDENT)) == ann_before
    harness.clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))
    await harness.run_job(JOB)
    assert (
        "Reminder: the property staff come to your home today 10:00–12:00 for ticket #1."
        in last(harness, RESIDENT)
    )
    assert "Reminder: home visit today 10:00–12:00 for ticket #1 (" in last(harness, STAFF)
    await harness.restart()
    await harness.run_job(JOB)
    assert len(harness.emu.messages(RESIDENT)) == ann_before + 1
    assert len(harness.emu.messages(STAFF)) == sam_before + 1
    # on site early at 09:30: the arrival is marked and the wait ends there
    harness.clock.set(datetime(2026, 11, 24, 9, 30, tzinfo=SHANGHAI))
    await harness.press(staff, card(harness), "ta1|1|ons")
    assert await harness.rows("SELECT state, arrived_at FROM ticket_visits") == [
        ("arrived", at(24, 9, 30))
    ]
    assert await harness.rows("SELECT on_site_at, state FROM tickets") == [
        (at(24, 9, 30), "on_site")
    ]
    assert await harness.rows("SELECT end_at FROM ticket_pauses") == [(at(24, 9, 30),)]
    assert await harness.rows("SELECT resolution_due_at FROM tickets") == [(at(24, 17, 30),)]
    assert harness.emu.unanswered_callbacks() == []


async def test_a_new_offer_ends_the_wait_of_the_last(harness: Harness) -> None:
    resident, staff = await accepted_home_repair(harness)
    await harness.press(staff, card(harness), "hvo1|1")
    await harness.press(staff, card(harness), f"hvw1|1|{at(23, 12)}")
    await harness.tap(resident, "hvn1|1")
    await harness.tap(resident, f"hvp1|1|{at(24, 14)}")  # not available until Tuesday 14:00
    assert await harness.rows("SELECT end_at FROM ticket_pauses") == [(at(24, 14),)]
    harness.clock.set(datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI))
    await harness.press(staff, card(harness), "hvo1|1")  # the resident called: today after all
    await harness.press(staff, card(harness), f"hvw1|1|{at(23, 14)}")
    assert await harness.rows("SELECT end_at FROM ticket_pauses") == [(at(23, 11),)]
    assert await harness.rows("SELECT resolution_due_at FROM tickets") == [(at(23, 19),)]


async def test_the_resident_picks_a_window_from_buttons(harness: Harness) -> None:
    resident, staff = await accepted_home_repair(harness)
    await harness.press(staff, card(harness), "hvo1|1")
    await harness.press(staff, card(harness), "hvw1|1|0")
    choose = harness.emu.last_message(RESIDENT)
    assert "When will you be at home? Tap a time." in choose.body
    picks = [d for _, d in harness.emu.buttons(choose)]
    assert picks[0] == f"hvp1|1|{at(23, 12)}" and len(picks) == 12
    # a time not on offer is refused
    rows = await snapshot(harness)
    await harness.press(resident, choose, f"hvp1|1|{at(23, 11)}")
    assert "no longer valid" in alert(harness)
    assert await snapshot(harness) == rows
    await harness.press(resident, choose, f"hvp1|1|{at(23, 12)}")  # the earliest: nobody waits
    assert "The staff will come today 12:00–14:00" in last(harness, RESIDENT)
    assert "已约好上门时间：今天 12:00–14:00" in card(harness).body  # edited in place
    assert await harness.rows("SELECT state, chosen_by_resident FROM ticket_visits") == [
        ("agreed", 1)
    ]
    assert await harness.rows("SELECT COUNT(*) FROM ticket_pauses") == [(0,)]
    assert await harness.rows("SELECT resolution_due_at FROM tickets") == [(at(23, 18),)]
    assert "the SLA clock waits" not in last(harness, STAFF)
    # reminded at once when agreed less than an hour before? no: at 11:00, an hour before
    assert await harness.rows("SELECT remind_at FROM ticket_visits") == [(at(23, 11),)]
    # a new offer replaces the agreed one
    await harness.press(staff, card(harness), "hvo1|1")
    await harness.press(staff, card(harness), f"hvw1|1|{at(23, 16)}")
    assert await harness.rows("SELECT id, state FROM ticket_visits ORDER BY id") == [
        (1, "replaced"),
        (2, "offered"),
    ]
    await harness.press(resident, harness.emu.last_message(RESIDENT), "hvy1|2")
    assert "The staff will come today 16:00–18:00" in last(harness, RESIDENT)
    assert "已约好上门时间：今天 16:00–18:00" in card(harness).body
    assert await harness.rows(
        "SELECT state, chosen_by_resident FROM ticket_visits WHERE id = 2"
    ) == [("agreed", 0)]
    assert harness.emu.unanswered_callbacks() == []


async def test_visit_time_is_only_for_an_accepted_repair_at_home(harness: Harness) -> None:
    resident, staff = await accepted_home_repair(harness)
    await harness.press(staff, card(harness), "ta1|1|ons")
    assert "hvo1|1" not in [d for _, d in harness.emu.buttons(card(harness))]
    rows = await snapshot(harness)
    await harness.press(staff, card(harness), "hvo1|1")  # an old button
    assert "no longer applies" in alert(harness)
    await harness.press(resident, card(harness), "hvw1|1|0")  # not staff
    assert "not open to you" in alert(harness)
    assert await snapshot(harness) == rows
