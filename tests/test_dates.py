"""How moments read, per locale: near now in words, this week with the weekday, later by day
and month, another year with the year; a 24-hour clock everywhere, never seconds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import I18n

TZ = ZoneInfo("Asia/Shanghai")
#: Wednesday 2 December 2026, 10:00 in Shanghai.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=TZ)


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


CASES = {
    "today": (
        at(12, 2, 11),
        {"zh_Hans": "今天 11:00", "en": "today 11:00", "zh_Hant": "今天 11:00"},
    ),
    "tomorrow": (
        at(12, 3, 9),
        {"zh_Hans": "明天 9:00", "en": "tomorrow 9:00", "zh_Hant": "明天 9:00"},
    ),
    "yesterday": (
        at(12, 1, 21, 5),
        {"zh_Hans": "昨天 21:05", "en": "yesterday 21:05", "zh_Hant": "昨天 21:05"},
    ),
    "this week": (
        at(12, 4, 20),
        {
            "zh_Hans": "周五 12月4日 20:00",
            "en": "Fri 4 Dec, 20:00",
            "zh_Hant": "週五 12月4日 20:00",
        },
    ),
    "later": (
        at(12, 24, 15, 30),
        {"zh_Hans": "12月24日 15:30", "en": "24 Dec, 15:30", "zh_Hant": "12月24日 15:30"},
    ),
    "next year": (
        at(1, 5, 10, year=2027),
        {
            "zh_Hans": "2027年1月5日 10:00",
            "en": "5 Jan 2027, 10:00",
            "zh_Hant": "2027年1月5日 10:00",
        },
    ),
}


@pytest.mark.parametrize("locale", ["zh_Hans", "en", "zh_Hant"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_moment_reads_as_said(locale: str, case: str) -> None:
    moment, expected = CASES[case]
    tr = I18n(TZ).translator(locale)
    assert tr.when(moment, now=NOW) == expected[locale]
    assert tr.when(moment, now=NOW) == expected[locale]


def test_today_follows_the_clock_the_translator_was_given() -> None:
    tr = I18n(TZ, clock=lambda: NOW).translator("en")
    assert tr.when(at(12, 2, 23, 59)) == "today 23:59"
    late = I18n(TZ, clock=lambda: at(12, 3, 0, 1)).translator("en")
    assert late.when(at(12, 2, 23, 59)) == "yesterday 23:59"


@pytest.mark.parametrize("locale", ["zh_Hans", "en", "zh_Hant"])
def test_no_seconds_and_no_am_pm_anywhere(locale: str) -> None:
    tr = I18n(TZ).translator(locale)
    base = datetime(2026, 12, 2, 15, 7, 42, tzinfo=TZ)
    for days in range(-400, 400, 3):
        text = tr.when(base + timedelta(days=days), now=NOW)
        assert not re.search(r"\d:\d\d:\d\d", text), text
        assert "15:07" in text, text
        assert not re.search(r"AM|PM|上午|下午", text), text


def test_english_days_are_day_before_month() -> None:
    tr = I18n(TZ).translator("en")
    assert tr.day(date(2026, 12, 3)) == "3 Dec 2026"
    assert tr.weekday_day(date(2026, 12, 3)) == "Thu 3 Dec"
    assert tr.clock(time(9, 5)) == "09:05"
