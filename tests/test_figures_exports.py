"""Exports: the .xlsx (a sheet of figures, a sheet of rows) and the .csv (UTF-8 with a BOM)
read back to the rows that were written, Chinese text intact; personal data only where the
reader may see it (an anonymous complaint's author never, units only for staff and managers);
the residentbot export command; a manager's export button in /stats."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.i18n import I18n
from bot.rules.auth import Role
from bot.rules.clock import to_ts
from bot.rules.community import load_file
from bot.rules.figures import days_period
from bot.services import exports, figures
from bot.services.spreadsheets import Table, read_csv, read_xlsx
from storage import community
from storage.db import Database, fetch_value
from tests.conftest import EXAMPLE, SHANGHAI, Harness
from tests.test_figures_rules import NOW, WEEK, at
from tests.test_figures_storage import store_ticket
from tests.test_flow_stats import MANAGER, officer, seed_week

I18N = I18n(SHANGHAI)
WEEK_DAYS = days_period(at(16, "00:00").date(), at(22, "00:00").date(), SHANGHAI)
SECRET = "楼上邻居半夜装修，太吵了"


async def seed(path: Path) -> Database:
    db = await Database.open(path)
    async with db.transaction() as conn:
        await community.apply_spec(conn, load_file(EXAMPLE))
        building = await community.building_by_code(conn, "1")
        assert building is not None
        for spec in WEEK:
            await store_ticket(conn, spec, building.id)
        unit = await fetch_value(conn, "SELECT id FROM units WHERE code = '1-101'")
        # T3 becomes an anonymous complaint from unit 1-101, in the resident's own words
        await conn.execute(
            "INSERT INTO people (user_id, first_name, created_at) VALUES (5003, '张阿姨', 0)"
        )
        await conn.execute(
            "UPDATE tickets SET anonymous = 1, unit_id = ?, description = ? WHERE id = 3",
            (unit, SECRET),
        )
        await conn.execute(
            "INSERT INTO people (user_id, first_name, created_at) VALUES (5001, '王大爷', 0)"
        )
        await conn.execute("UPDATE tickets SET unit_id = ? WHERE id = 1", (unit,))
        result = {"kind": "decision", "item": 4, "matter": "ordinary", "total_owners": 10,
                  "total_area": "1050", "part_owners": 7, "part_area": "750",
                  "options": {"approve": [5, "550"]}, "participation_by_head": True,
                  "participation_by_area": True, "approval_by_head": True,
                  "approval_by_area": True, "passed": True, "counted": {}}  # fmt: skip
        closes = to_ts(at(20, "20:00"))
        await conn.execute(
            "INSERT INTO proposals (title, body, options, kind, art278_item, state,"
            " duration_days, nonce, created_at, opens_at, closes_at, closed_at, result)"
            " VALUES ('更换电梯', '', '[]', 'decision', 4, 'closed', 7, x'00', 0, ?, ?, ?, ?)",
            (closes - 7 * 86400, closes, closes, json.dumps(result)),
        )
        room = await fetch_value(conn, "SELECT id FROM rooms WHERE code = 'activity'")
        await conn.execute(
            "INSERT INTO bookings (room_id, unit_id, start_at, end_at, state, created_at)"
            " VALUES (?, ?, ?, ?, 'confirmed', 0)",
            (room, unit, to_ts(at(17, "14:00")), to_ts(at(17, "16:00"))),
        )
        cur = await conn.execute(
            "INSERT INTO outbox_batches (kind, created_at, not_before) VALUES ('notice', 0, 0)"
        )
        for chat, state in ((1, "sent"), (2, "blocked")):
            await conn.execute(
                "INSERT INTO outbox (batch_id, chat_id, payload, state, next_attempt_at)"
                " VALUES (?, ?, '{}', ?, 0)",
                (cur.lastrowid, chat, state),
            )
        await conn.execute(
            "INSERT INTO notices (text, buildings, send_at, created_at, batch_id)"
            " VALUES ('明天上午停水\n请提前储水', '*', ?, 0, ?)",
            (to_ts(at(18, "09:00")), cur.lastrowid),
        )
    return db


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    found = await seed(tmp_path / "exports.db")
    yield found
    await found.close()


async def _rows(db: Database, what: str, viewer: exports.Viewer, locale: str = "zh_Hans") -> Table:
    async with db.read() as conn:
        names = await figures.names(conn)
        return await exports.rows_table(
            conn, I18N.translator(locale), what, WEEK_DAYS, None, viewer, names
        )


@pytest.mark.parametrize("what", exports.EXPORTS)
async def test_xlsx_and_csv_read_back_to_the_same_rows(db: Database, what: str) -> None:
    tr = I18N.translator("zh_Hans")
    viewer = exports.Viewer(personal=True)
    table = await _rows(db, what, viewer)
    assert table.rows  # each kind has rows in the week
    made = await exports.export(db, tr, what, "xlsx", WEEK_DAYS, NOW, viewer)
    assert made.filename == f"{what}-20261116-20261122.xlsx"
    (figures_title, figures), (rows_title, rows) = read_xlsx(made.content)
    assert figures_title == "统计数据" and rows_title == tr._(exports.EXPORT_LABELS[what])
    assert rows.headers == table.headers and rows.rows == table.rows
    assert ["时段", "2026年11月16日至2026年11月22日"] == list(figures.rows[0])
    csv_made = await exports.export(db, tr, what, "csv", WEEK_DAYS, NOW, viewer)
    assert csv_made.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    back = read_csv(csv_made.content)
    assert back.headers == table.headers
    assert back.rows == [["" if v is None else str(v) for v in row] for row in table.rows]


async def test_ticket_rows_keep_chinese_and_hide_what_they_must(db: Database) -> None:
    staff = await _rows(db, "tickets", exports.Viewer(personal=True))
    assert len(staff.rows) == 9  # reported in the week: T1-T7, T10, T11
    by_id = {row[0]: dict(zip(staff.headers, row, strict=True)) for row in staff.rows}
    assert by_id[3]["描述"] == SECRET  # Chinese text survives
    assert by_id[3]["报告人"] == "匿名居民" and "张阿姨" not in str(staff.rows)
    assert by_id[1]["报告人"] == "王大爷" and by_id[1]["房号"] == "1-101"
    assert by_id[1]["首次响应（小时）"] == 0.5 and by_id[2]["解决用时（小时）"] == 5.0
    assert by_id[4]["按时解决"] == "否"
    others = await _rows(db, "tickets", exports.Viewer(personal=False))
    plain = {row[0]: dict(zip(others.headers, row, strict=True)) for row in others.rows}
    assert plain[1]["报告人"] is None and plain[1]["房号"] is None
    assert plain[3]["报告人"] == "匿名居民"


async def test_the_other_rows_in_words(db: Database) -> None:
    (vote,) = (await _rows(db, "votes", exports.Viewer(personal=True))).rows
    assert vote[1] == "更换电梯" and vote[7:10] == [7, 10, 70.0] and vote[-1] == "通过"
    (booking,) = (await _rows(db, "bookings", exports.Viewer(personal=False))).rows
    assert booking[2] is None and booking[3] == "2026-11-17 14:00"
    (notice,) = (await _rows(db, "notices", exports.Viewer(personal=True))).rows
    assert notice[4] == "明天上午停水" and notice[5:7] == [1, 1]


def test_the_export_command_writes_xlsx_and_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in list(os.environ):
        if key.startswith("RESIDENTBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "r.db"
    monkeypatch.setenv("RESIDENTBOT_DB", str(path))

    async def prepare() -> None:
        await (await seed(path)).close()

    asyncio.run(prepare())
    out = tmp_path / "tickets.csv"
    args = ["export", "--what", "tickets", "--from", "2026-11-16", "--to", "2026-11-22"]
    assert main([*args, "--out", str(out)]) == 0
    assert "tickets.csv: tickets, 2026-11-16 to 2026-11-22" in capsys.readouterr().out
    table = read_csv(out.read_bytes())
    assert len(table.rows) == 9 and SECRET in str(table.rows)
    book = tmp_path / "b1.xlsx"
    assert main([*args, "--building", "1", "--out", str(book)]) == 0
    assert len(read_xlsx(book.read_bytes())[1][1].rows) == 9
    assert main([*args, "--building", "2", "--out", str(book)]) == 0
    assert read_xlsx(book.read_bytes())[1][1].rows == []
    assert main([*args, "--out", str(tmp_path / "x.pdf")]) == 2
    assert "must end in .xlsx or .csv" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", "--what", "people", "--from", "2026-11-16", "--to", "2026-11-22",
              "--out", str(out)])  # fmt: skip


async def test_a_manager_exports_from_stats_as_a_document(harness: Harness) -> None:
    await harness.start()
    await seed_week(harness)
    manager = await officer(harness, MANAGER, "en", Role.MANAGER)
    await harness.command(manager, "stats")
    await harness.tap(manager, "sp1|lw|0|0")
    await harness.tap(manager, "sx1|tickets|xlsx|lw|0|0")
    (document,) = [m for m in harness.answers(MANAGER) if m.kind == "document"]
    assert document.raw["document"]["file_name"] == "tickets-20261116-20261122.xlsx"
    content = harness.emu.file_content(document.raw["document"]["file_id"])
    (_, figures), (_, rows) = read_xlsx(content)
    assert len(rows.rows) == 9 and rows.headers[0] == "Ticket"
    assert any("87.5% (7 of 8)" in str(r) for r in figures.rows)


async def test_the_committee_sees_no_export_buttons_and_cannot_forge_one(
    harness: Harness,
) -> None:
    await harness.start()
    member = await officer(harness, 2102, "en", Role.COMMITTEE)
    await harness.command(member, "stats")
    await harness.tap(member, "sp1|lw|0|0")
    assert "sx1|" not in str([harness.emu.buttons(m) for m in harness.answers(2102)])
    report = next(m for m in harness.answers(2102) if m.kind == "text")
    await harness.press(member, report, "sx1|tickets|csv|lw|0|0")
    assert [m for m in harness.answers(2102) if m.kind == "document"] == []
    assert harness.emu.calls_of("answerCallbackQuery")[-1].params.get("text") == (
        "Sorry, this is not open to you. Send /menu to see what you can do."
    )
