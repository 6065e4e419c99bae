"""Owner claims and owner letters against a real SQLite file: the upgrade keeps the owners
confirmed before, a claim is settled once, a letter is spent once and a reprint retires it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.rules.auth import Relation
from bot.rules.community import load_file
from storage import community, owners, people
from storage.db import Database, connect, known_migrations, migrate

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "community.toml"


async def test_the_upgrade_keeps_owners_confirmed_under_the_old_rules(tmp_path: Path) -> None:
    # today's apply_spec writes the names of 0016 (three-language names) and the duty roster of
    # 0020: they are there already
    before = [m for m in known_migrations() if m.version < 11 or m.version in (16, 20)]
    conn = await connect(tmp_path / "a.db")
    await migrate(conn, before)
    await conn.execute("BEGIN")
    await community.apply_spec(conn, load_file(EXAMPLE))
    units = {u.code: u.id for u in await community.all_units(conn)}
    for user, unit, relation, status in (
        (1, "1-101", Relation.OWNER, "verified"),
        (2, "1-102", Relation.OWNER, "pending"),
        (3, "1-101", Relation.FAMILY, "verified"),
    ):
        await people.upsert_person(conn, user, "P", None, None, 0)
        await people.add_residence(
            conn, user, units[unit], relation, status=status, via="request", now=5
        )
    await conn.execute("COMMIT")
    assert await migrate(conn) == [
        m.version for m in known_migrations() if m.version >= 11 and m.version not in (16, 20)
    ]
    await conn.close()
    with sqlite3.connect(tmp_path / "a.db") as raw:
        rows = raw.execute(
            "SELECT r.user_id, r.relation, c.status, c.via FROM owner_claims c"
            " JOIN residences r ON r.id = c.residence_id"
        ).fetchall()
    assert rows == [(1, "owner", "confirmed", "upgrade")]


async def test_a_claim_is_settled_once_and_a_letter_spent_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    async with db.transaction() as conn:
        await community.apply_spec(conn, load_file(EXAMPLE))
        unit = next(u for u in await community.all_units(conn) if u.code == "1-101")
        assert unit.owner_id is not None
        await people.upsert_person(conn, 7, "Ann", None, None, 0)
        rid = await people.add_residence(
            conn, 7, unit.id, Relation.FAMILY, status="verified", via="invite", now=0
        )
        cid = await owners.open_claim(conn, rid, 1)
        [pending], total = await owners.pending_claims(conn, None, 10)
        assert (pending.id, pending.owner_name, total) == (cid, "王建国", 1)
        assert await owners.pending_claims(conn, {unit.building_id + 1}, 10) == ([], 0)
        assert (await people.load_principal(conn, 7)).claims_owner[0].unit_code == "1-101"
        assert await owners.settle(conn, cid, True, "leader", 2) is True
        assert await owners.settle(conn, cid, False, "leader", 3) is False
        assert (await people.residence(conn, rid)).relation == Relation.OWNER  # type: ignore[union-attr]
        assert not (await people.load_principal(conn, 7)).claims_owner

        first = await owners.issue_code(conn, unit.id, unit.owner_id, 10)
        second = await owners.issue_code(conn, unit.id, unit.owner_id, 11)
        assert await owners.spend_code(conn, first, 7, 12) is False  # retired by the reprint
        assert await owners.spend_code(conn, second, 7, 12) is True
        assert await owners.spend_code(conn, second, 8, 13) is False
        spent = await owners.find_code(conn, second)
        assert spent is not None and (spent.used_by, spent.used_at) == (7, 12)
        # a reprint after the letter was used leaves the used one as it was (a co-owner's)
        await owners.issue_code(conn, unit.id, unit.owner_id, 14)
        assert await owners.find_code(conn, second) == spent
    await db.close()
