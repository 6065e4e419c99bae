"""Translations and locale-aware formatting.

Catalogs live in ``locales/<locale>/LC_MESSAGES/<domain>.po`` with one gettext domain per
feature (core, tickets, bookings, votes, notices), so features can be translated independently;
at start all domains of a locale are merged into one catalog. ``.mo`` files are used when they
are up to date, otherwise the ``.po`` is compiled in memory.

Strings are marked with ``tr._("…")`` (immediate), ``N_("…")`` (a label translated later) and
``tr.n_("one", "many", n)``; placeholders are named: ``tr._("Ticket #{number}", number=7)``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from bot.rules.clock import Clock, system_clock


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


LOCALES = ("zh_Hans", "en", "zh_Hant")
DOMAINS = (
    "core",
    "tickets",
    "bookings",
    "votes",
    "notices",
    "figures",
    "sandbox",
    "inspections",
    "incidents",
    "volunteering",
)
BABEL_LOCALES = {"zh_Hans": "zh_Hans_CN", "en": "en", "zh_Hant": "zh_Hant_TW"}
#: How dates and numbers are written: English as outside the US, day before month
#: ("Thu 3 Dec"), on a 24-hour clock.
FORMAT_LOCALES = {**BABEL_LOCALES, "en": "en_GB"}
#: How a moment reads (Babel patterns; never seconds, always a 24-hour clock): this week with
#: its weekday, later this year by day and month, another year with the year.
_CLOCK = "H:mm"
_MOMENT_PATTERNS = {
    "zh": {
        "week": "EEE M'月'd'日' H:mm",
        "year": "M'月'd'日' H:mm",
        "other": "y'年'M'月'd'日' H:mm",
    },
    "en": {"week": "EEE d MMM, H:mm", "year": "d MMM, H:mm", "other": "d MMM y, H:mm"},
}
#: Days near today said in words ("今天 11:00", "tomorrow 9:00").
_NEAR_DAYS = {
    -1: N_("yesterday {time}"),
    0: N_("today {time}"),
    1: N_("tomorrow {time}"),
}
#: The name of each language in itself, for the language picker (not translated on purpose).
LANGUAGE_NAMES = {"zh_Hans": "简体中文", "en": "English", "zh_Hant": "繁體中文"}


def locale_dir() -> Path:
    return Path(str(resources.files("locales")))


def locale_from_telegram(language_code: str | None, default: str) -> str:
    """Map Telegram's IETF language tag to one of our locales."""
    if not language_code:
        return default
    code = language_code.lower().replace("_", "-")
    if code.startswith("zh"):
        if any(part in code for part in ("hant", "-tw", "-hk", "-mo")):
            return "zh_Hant"
        return "zh_Hans"
    if code.startswith("en"):
        return "en"
    return default


def _load_domain(folder: Path, domain: str) -> Translations | None:
    po = folder / f"{domain}.po"
    mo = folder / f"{domain}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain=domain)
    if not po.is_file():
        return None
    with po.open("rb") as fp:
        catalog = read_po(fp)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=domain)


@dataclass
class Translator:
    """Everything one user's messages need: their language and the community's time zone."""

    locale: str
    translations: Translations
    tz: ZoneInfo
    #: What "today" is for `when` (the application's clock; tests travel it).
    time_now: Clock = system_clock

    @property
    def babel_locale(self) -> Locale:
        return _format_locale(self.locale)

    def _(self, message: str, **values: Any) -> str:
        text = self.translations.gettext(message)
        return text.format(**values) if values else text

    def n_(self, singular: str, plural: str, n: int, **values: Any) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return text.format(n=n, **values)

    def name(self, names: dict[str, str]) -> str:
        """Pick a community-data name ({locale: name}) for this user's locale."""
        return names.get(self.locale) or names.get("zh_Hans") or next(iter(names.values()), "")

    def when(self, moment: datetime, *, now: datetime | None = None) -> str:
        """A date and time in the community's zone, as a person says it: "今天 11:00",
        "tomorrow 9:00", "周四 12月3日 10:00", "Thu 3 Dec, 10:00", "5 Jan 2027, 10:00".
        A 24-hour clock in every locale, never seconds."""
        local = moment.astimezone(self.tz)
        today = (now or self.time_now()).astimezone(self.tz).date()
        days = (local.date() - today).days
        zone = str(self.tz)
        near = _NEAR_DAYS.get(days)
        if near is not None:
            return self._(near, time=_datetime_text(local, zone, _CLOCK, self.babel_locale))
        patterns = _MOMENT_PATTERNS["en" if self.locale == "en" else "zh"]
        if abs(days) <= 6:
            key = "week"
        elif local.year == today.year:
            key = "year"
        else:
            key = "other"
        return _datetime_text(local, zone, patterns[key], self.babel_locale)

    def day(self, value: date, fmt: str = "medium") -> str:
        return format_date(value, fmt, locale=self.babel_locale)

    def weekday_day(self, value: date) -> str:
        """e.g. 'Mon 24 Nov' / '11月24日 周一'."""
        return format_date(value, self._skeleton("MMMEd"), locale=self.babel_locale)

    def clock(self, value: time | datetime) -> str:
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).timetz().replace(tzinfo=None)
        return format_time(value, "HH:mm", locale=self.babel_locale)

    def number(self, value: int | Decimal | float) -> str:
        return format_decimal(value, locale=self.babel_locale)

    def _skeleton(self, skeleton: str) -> str:
        patterns = self.babel_locale.datetime_skeletons
        pattern = patterns.get(skeleton)
        return str(pattern.pattern) if pattern is not None else "medium"


def _empty() -> Translations:
    buffer = io.BytesIO()
    write_mo(buffer, read_po(io.BytesIO(b'msgid ""\nmsgstr ""\n')))
    buffer.seek(0)
    return Translations(buffer)


#: Catalogs already read, by folder, with the files' times they were read at (read-only once
#: merged: every application built in a process shares them).
_READ: dict[Path, tuple[tuple[tuple[str, float], ...], dict[str, Translations]]] = {}


def _catalogs(root: Path) -> dict[str, Translations]:
    files = sorted(root.glob("*/LC_MESSAGES/*.[mp]o"))
    stamp = tuple((str(f), f.stat().st_mtime) for f in files)
    cached = _READ.get(root)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    catalogs: dict[str, Translations] = {}
    for loc in LOCALES:
        merged: Translations | None = None
        for domain in DOMAINS:
            loaded = _load_domain(root / loc / "LC_MESSAGES", domain)
            if loaded is None:
                continue
            if merged is None:
                merged = loaded
            else:
                merged.merge(loaded)
        catalogs[loc] = merged if merged is not None else _empty()
    _READ[root] = (stamp, catalogs)
    return catalogs


class I18n:
    """All catalogs, loaded once per process."""

    def __init__(
        self,
        tz: ZoneInfo,
        default_locale: str = "zh_Hans",
        root: Path | None = None,
        clock: Clock = system_clock,
    ):
        self.tz = tz
        self.clock = clock
        self.default_locale = default_locale
        self.root = root or locale_dir()
        self._catalogs = _catalogs(self.root)

    def translator(self, locale: str | None) -> Translator:
        loc = locale if locale in LOCALES else self.default_locale
        return Translator(loc, self._catalogs[loc], self.tz, self.clock)

    def for_user(self, stored_locale: str | None, language_code: str | None) -> Translator:
        if stored_locale in LOCALES:
            return self.translator(stored_locale)
        return self.translator(locale_from_telegram(language_code, self.default_locale))


@lru_cache(maxsize=8)
def _format_locale(locale: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES[locale])


@lru_cache(maxsize=4096)
def _datetime_text(moment: datetime, zone: str, pattern: str, locale: Locale) -> str:
    """Babel's formatting costs about 0.1 ms; the same few moments (a vote's close, a meeting's
    start) are written into thousands of answers at peak. The zone is part of the key: equal
    instants in two zones are equal datetimes."""
    return format_datetime(moment, pattern, locale=locale)
