"""Storage against real SQLite files: migrations, the community file, concurrent writers."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import pytest

from bot.rules.auth import Relation, Role
from bot.rules.community import load_file, parse
from storage import community, people
from storage.db import Database, DatabaseTooNewError, Migration, connect, known_migrations, migrate

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "community.toml"


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, for before/after comparisons."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


async def test_migrations_from_empty(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    await db.close()
    with sqlite3.connect(tmp_path / "a.db") as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY 1")]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert versions == [m.version for m in known_migrations()]
    assert versions[0] == 1
    assert mode == "wal"
    assert {"community", "units", "residences", "roles", "ptb_data"} <= tables


async def test_migrating_twice_applies_nothing(tmp_path: Path) -> None:
    conn = await connect(tmp_path / "a.db")
    first = await migrate(conn)
    second = await migrate(conn)
    await conn.close()
    assert first == [m.version for m in known_migrations()]
    assert second == []


async def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO units (building_id, code, floor, room, area, invite_code)"
                " VALUES (999, 'x', 1, '101', '80', 'j_x')"
            )
    await db.close()


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    newest = known_migrations()[-1].version
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO schema_version (version, name) VALUES (?, 'from_the_future')",
            (newest + 1,),
        )
    await db.close()
    with pytest.raises(DatabaseTooNewError, match="upgrade residentbot"):
        await Database.open(tmp_path / "a.db")


async def test_failed_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    conn = await connect(tmp_path / "a.db")
    broken = [Migration(1, "half", "CREATE TABLE t1 (x INTEGER);\nINSERT INTO nowhere VALUES (1);")]
    with pytest.raises(sqlite3.OperationalError):
        await migrate(conn, broken)
    async with conn.execute("SELECT name FROM sqlite_master WHERE name = 't1'") as cur:
        assert await cur.fetchone() is None
    async with conn.execute("SELECT COUNT(*) FROM schema_version") as cur:
        assert [tuple(r) for r in await cur.fetchall()] == [(0,)]
    await conn.close()


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await people.upsert_person(conn, 1, "A", None, None, 0)
            raise RuntimeError("boom")
    async with db.read() as conn:
        assert await people.get_person(conn, 1) is None
    await db.close()


async def load(db: Database, path: Path = EXAMPLE) -> community.ApplyReport:
    async with db.transaction() as conn:
        return await community.apply_spec(conn, load_file(path))


async def test_init_loads_the_example(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    await load(db)
    async with db.read() as conn:
        units = await community.all_units(conn)
        cats = await community.categories(conn)
        rooms = await community.rooms(conn)
        info = await community.get_community(conn)
    await db.close()
    assert len(units) == 120
    assert len({u.invite_code for u in units}) == 120
    assert [c.code for c in cats][:2] == ["elevator", "gas"]
    assert cats[0].names["en"] == "Elevator" and cats[0].priority == "urgent"
    assert {r.code for r in rooms} == {"activity", "kitchen", "study"}
    assert info is not None and info.name == "湾郡社区"
    assert info.settings["sla"]["normal"]["response_minutes"] == 120


async def test_init_twice_changes_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    await load(db)
    before = dump(tmp_path / "a.db")
    report = await load(db)
    await db.close()
    assert not report.changed, report.changes
    assert dump(tmp_path / "a.db") == before


async def test_init_with_an_edited_file_applies_the_edit(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    await load(db)
    async with db.read() as conn:
        invite_before = {u.code: u.invite_code for u in await community.all_units(conn)}
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('name = "湾郡社区"', 'name = "湾郡社区（东区）"')
    text = text.replace(
        '{ floor = 1, room = "101", area = "89.50"', '{ floor = 1, room = "101", area = "90.25"', 1
    )
    text = text.replace('code = "parking"', 'code = "parking_lot"')
    edited = tmp_path / "edited.toml"
    edited.write_text(text, encoding="utf-8")
    report = await load(db, edited)
    async with db.read() as conn:
        info = await community.get_community(conn)
        units = {u.code: u for u in await community.all_units(conn)}
        cats = [c.code for c in await community.categories(conn)]
    await db.close()
    assert info is not None and info.name == "湾郡社区（东区）"
    assert str(units["1-101"].area) == "90.25"
    assert "parking_lot" in cats and "parking" not in cats  # retired, not deleted
    assert report.changes["categories"] == ["added parking_lot", "retired parking"]
    # printed QR codes keep working
    assert {c: u.invite_code for c, u in units.items()} == invite_before


def test_community_file_errors_are_all_reported() -> None:
    with pytest.raises(ValueError) as info:
        parse(
            {
                "community": {
                    "name": "",
                    "timezone": "Mars/Olympus",
                    "service_hours": ["20:00", "08:00"],
                },
                "buildings": [
                    {"code": "1", "units": [{"floor": "one", "room": "101", "area": 80}]}
                ],
                "categories": [{"code": "x", "priority": "asap", "name": "X"}],
            }
        )
    text = str(info.value)
    for expected in (
        "community.name is missing",
        "unknown time zone 'Mars/Olympus'",
        "service_hours",
        "floor must be a whole number",
        "priority must be urgent, normal or low",
    ):
        assert expected in text


async def test_concurrent_writers_on_one_file(tmp_path: Path) -> None:
    """Two processes' worth of connections writing at once: every write lands, none is lost."""
    path = tmp_path / "a.db"
    first = await Database.open(path)
    second = await Database.open(path)

    async def writer(db: Database, start: int) -> None:
        for i in range(start, start + 50):
            async with db.transaction() as conn:
                await people.upsert_person(conn, i, f"p{i}", None, None, 0)
                async with conn.execute("SELECT COUNT(*) FROM people") as cur:
                    row = await cur.fetchone()
                    assert row is not None
                    count = row[0]
                await conn.execute(
                    "INSERT INTO audit_log (at, action, subject) VALUES (?, 'count', ?)", (i, count)
                )

    await asyncio.gather(writer(first, 0), writer(second, 1000), writer(first, 2000))
    async with second.read() as conn:
        async with conn.execute("SELECT COUNT(*) FROM people") as cur:
            row = await cur.fetchone()
            assert row is not None
            people_count = row[0]
        async with conn.execute("SELECT subject FROM audit_log ORDER BY id") as cur:
            counts = [int(r[0]) for r in await cur.fetchall()]
    await first.close()
    await second.close()
    assert people_count == 150
    # BEGIN IMMEDIATE serialises writers: each saw exactly the rows committed before it.
    assert counts == list(range(1, 151))


async def test_admin_claim_works_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    async with db.transaction() as conn:
        await people.create_admin_claim(conn, "adm_secret", 0)
    async with db.transaction() as conn:
        assert await people.use_admin_claim(conn, "adm_wrong", 5, 1) is False
        assert await people.use_admin_claim(conn, "adm_secret", 5, 1) is True
        assert await people.use_admin_claim(conn, "adm_secret", 6, 2) is False
        assert await people.roles_of(conn, 5) == [(Role.ADMIN, None)]
        assert await people.roles_of(conn, 6) == []
    with sqlite3.connect(tmp_path / "a.db") as raw:
        stored = raw.execute("SELECT code_hash FROM admin_claims").fetchall()
    assert stored and "adm_secret" not in stored[0][0]
    await db.close()


async def test_residence_decided_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    await load(db)
    async with db.transaction() as conn:
        unit = (await community.all_units(conn))[0]
        await people.upsert_person(conn, 7, "R", None, None, 0)
        rid = await people.add_residence(
            conn, 7, unit.id, Relation.TENANT, status="pending", via="request", now=0
        )
        assert await people.decide_residence(conn, rid, True, 1, 1) is True
        assert await people.decide_residence(conn, rid, False, 2, 2) is False
        principal = await people.load_principal(conn, 7)
    await db.close()
    assert [r.unit_code for r in principal.verified] == [unit.code]


async def test_a_cancelled_transaction_leaves_the_connection_clean(tmp_path: Path) -> None:
    """A task cancelled at any point of a transaction (even while waiting for BEGIN) must not
    leave the shared connection inside a transaction, and must not commit half its work."""
    db = await Database.open(tmp_path / "a.db")

    async def write(i: int) -> None:
        async with db.transaction() as conn:
            await people.upsert_person(conn, i, "x", None, None, 0)
            await asyncio.sleep(0)
            await people.upsert_person(conn, i + 1000, "y", None, None, 0)

    for delay_steps in range(6):
        task = asyncio.create_task(write(delay_steps))
        for _ in range(delay_steps):
            await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        async with db.transaction() as conn:  # would fail "within a transaction" if left open
            await people.upsert_person(conn, 9999, "after", None, None, 0)
    async with db.read() as conn:
        ids = {r[0] for r in await conn.execute_fetchall("SELECT user_id FROM people")}
    await db.close()
    assert 9999 in ids
    # each write landed whole or not at all
    for i in range(6):
        assert (i in ids) == (i + 1000 in ids)
