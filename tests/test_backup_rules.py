"""When the daily backup is due and what the retention keeps; the RESIDENTBOT_BACKUP_* settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_settings
from bot.rules.backups import next_daily, to_keep

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("after", "hour", "zone", "expected"),
    [
        (datetime(2026, 12, 2, 2, 59, tzinfo=SHANGHAI), 3, SHANGHAI, datetime(2026, 12, 2, 3, 0)),
        (datetime(2026, 12, 2, 3, 0, tzinfo=SHANGHAI), 3, SHANGHAI, datetime(2026, 12, 3, 3, 0)),
        (datetime(2026, 12, 31, 23, 0, tzinfo=SHANGHAI), 0, SHANGHAI, datetime(2027, 1, 1, 0, 0)),
        # 19:00 UTC is already 03:00 the next day in Shanghai
        (datetime(2026, 12, 1, 19, 0, tzinfo=UTC), 3, SHANGHAI, datetime(2026, 12, 3, 3, 0)),
        # the night clocks go forward in Berlin: 02:00 does not exist, the instant is 03:00
        (datetime(2027, 3, 27, 12, 0, tzinfo=BERLIN), 2, BERLIN, datetime(2027, 3, 28, 2, 0)),
    ],
)
def test_next_daily(after: datetime, hour: int, zone: ZoneInfo, expected: datetime) -> None:
    found = next_daily(after, hour, zone)
    assert found > after
    assert found == expected.replace(tzinfo=zone)


def _daily(first: date, last: date) -> list[datetime]:
    days = (last - first).days + 1
    return [
        datetime(first.year, first.month, first.day, 3, tzinfo=SHANGHAI) + timedelta(d)
        for d in range(days)
    ]


def test_to_keep_the_newest_days_and_first_of_months() -> None:
    taken = _daily(date(2026, 10, 5), date(2027, 1, 3))
    kept = to_keep(taken, SHANGHAI, daily=3, monthly=3)
    assert sorted(k.date() for k in kept) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
    ]
    assert to_keep(taken, SHANGHAI, daily=1, monthly=0) == {taken[-1]}
    assert to_keep([], SHANGHAI, daily=7, monthly=12) == set()
    # two on one day: the newer counts for the day, the older is the month's first
    twice = [datetime(2026, 12, 1, 3, tzinfo=SHANGHAI), datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)]
    assert to_keep(twice, SHANGHAI, daily=1, monthly=1) == set(twice)


def test_backup_settings(tmp_path: Path) -> None:
    base = {"RESIDENTBOT_DB": str(tmp_path / "x.db")}
    none = tmp_path / "none.env"
    default = load_settings(base, env_file=none).backup
    assert default.folder == tmp_path / "backups"
    assert (default.hour, default.keep_daily, default.keep_monthly, default.compress) == (
        3,
        7,
        12,
        True,
    )
    chosen = load_settings(
        base
        | {
            "RESIDENTBOT_BACKUP_DIR": str(tmp_path / "b"),
            "RESIDENTBOT_BACKUP_HOUR": "off",
            "RESIDENTBOT_BACKUP_KEEP_DAILY": "30",
            "RESIDENTBOT_BACKUP_KEEP_MONTHLY": "0",
            "RESIDENTBOT_BACKUP_GZIP": "no",
        },
        env_file=none,
    ).backup
    assert (chosen.folder, chosen.hour, chosen.keep_daily, chosen.keep_monthly) == (
        tmp_path / "b",
        None,
        30,
        0,
    )
    assert not chosen.compress
    (tmp_path / "afile").write_text("")
    with pytest.raises(ConfigError) as problems:
        load_settings(
            base
            | {
                "RESIDENTBOT_BACKUP_DIR": str(tmp_path / "afile"),
                "RESIDENTBOT_BACKUP_HOUR": "24",
                "RESIDENTBOT_BACKUP_KEEP_DAILY": "0",
                "RESIDENTBOT_BACKUP_GZIP": "maybe",
            },
            env_file=none,
        )
    text = "\n".join(problems.value.problems)
    for name in ("DIR", "HOUR", "KEEP_DAILY", "GZIP"):
        assert f"RESIDENTBOT_BACKUP_{name}" in text
