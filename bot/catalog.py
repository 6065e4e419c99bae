"""Message catalogs: extract, update, compile, check, and apply translations.

    python -m bot.catalog update     # extract every domain and update zh_Hans, en, zh_Hant .po
    python -m bot.catalog compile    # write the .mo files
    python -m bot.catalog check      # exit 1 on any untranslated, fuzzy or stale entry
    python -m bot.catalog todo [DOMAIN]        # what still needs a translation, as JSON
    python -m bot.catalog apply FILE.json [DOMAIN …]   # {"msgid": {"zh_Hans": "…", …}}

The source language is English, so the ``en`` catalog is filled from the msgids themselves.
Each feature has its own gettext domain (see ``DOMAIN_GLOBS``); everything else is ``core``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import BABEL_LOCALES, DOMAINS, LOCALES

ROOT = Path(__file__).resolve().parent.parent
LOCALE_ROOT = ROOT / "locales"
SOURCE_DIRS = ("bot", "handlers", "storage")
KEYWORDS: dict[str, Any] = {"_": None, "N_": None, "n_": (1, 2)}
DOMAIN_GLOBS: dict[str, tuple[str, ...]] = {
    "inspections": (
        "handlers/inspections/**/*.py",
        "bot/rules/inspections*.py",
        "bot/rules/recurrence*.py",
        "bot/texts/inspections*.py",
        "bot/services/inspections*.py",
    ),
    "figures": (
        "handlers/stats/**/*.py",
        "bot/rules/figures/**/*.py",
        "bot/texts/figures*.py",
        "bot/charts/**/*.py",
        "bot/services/figures*.py",
        "bot/services/reports*.py",
        "bot/services/exports*.py",
    ),
    "tickets": (
        "handlers/tickets/**/*.py",
        "bot/rules/tickets*.py",
        "bot/texts/tickets*.py",
        "bot/rules/sla*.py",
        "bot/rules/sla/**/*.py",
        "bot/services/tickets*.py",
        "bot/services/visits*.py",
    ),
    "bookings": (
        "handlers/bookings/**/*.py",
        "bot/rules/slots*.py",
        "bot/rules/slots/**/*.py",
        "bot/texts/bookings*.py",
        "bot/services/bookings*.py",
    ),
    "votes": (
        "handlers/votes/**/*.py",
        "bot/rules/tally*.py",
        "bot/rules/tally/**/*.py",
        "bot/rules/votes*.py",
        "bot/texts/votes*.py",
        "bot/services/votes*.py",
    ),
    "notices": (
        "handlers/notices/**/*.py",
        "handlers/meetings/**/*.py",
        "bot/delivery/**/*.py",
        "bot/texts/delivery*.py",
        "bot/rules/notices*.py",
        "bot/rules/meetings*.py",
        "bot/texts/notices*.py",
        "bot/texts/meetings*.py",
        "bot/services/notices*.py",
        "bot/services/meetings*.py",
        "bot/services/chats*.py",
    ),
    "sandbox": ("bot/sandbox/**/*.py",),
    "incidents": (
        "bot/texts/incidents*.py",
        "bot/services/incidents*.py",
        "bot/services/assignment*.py",
        "handlers/roster.py",
    ),
    "volunteering": (
        "handlers/volunteering/**/*.py",
        "bot/rules/points*.py",
        "bot/texts/volunteering*.py",
        "bot/services/volunteering*.py",
        "bot/services/helping*.py",
        "bot/services/points*.py",
    ),
}


def domain_files(domain: str) -> list[Path]:
    claimed: set[Path] = set()
    for patterns in DOMAIN_GLOBS.values():
        for pattern in patterns:
            claimed.update(ROOT.glob(pattern))
    if domain == "core":
        files = {p for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py")} - claimed
    else:
        files = {p for pattern in DOMAIN_GLOBS[domain] for p in ROOT.glob(pattern)}
    return sorted(files)


def extract(domain: str) -> Catalog:
    template = Catalog(project="residentbot", domain=domain, charset="utf-8")
    for path in domain_files(domain):
        rel = path.relative_to(ROOT).as_posix()
        for lineno, message, comments, context in extract_from_file(
            "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            template.add(
                message, locations=[(rel, lineno)], auto_comments=comments, context=context
            )
    return template


def po_path(locale: str, domain: str) -> Path:
    return LOCALE_ROOT / locale / "LC_MESSAGES" / f"{domain}.po"


def _read(path: Path, locale: str, domain: str) -> Catalog:
    if path.is_file():
        with path.open("rb") as fp:
            return read_po(fp, locale=BABEL_LOCALES[locale], domain=domain)
    return Catalog(locale=BABEL_LOCALES[locale], domain=domain, project="residentbot")


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fp:
        write_po(fp, catalog, width=100, omit_header=False, ignore_obsolete=True)


def _known_translations(locale: str) -> dict[tuple[object, object], Any]:
    """Every translation the locale's catalogs hold now, whatever the domain."""
    known: dict[tuple[object, object], Any] = {}
    for domain in DOMAINS:
        path = po_path(locale, domain)
        if not path.is_file():
            continue
        for message in _read(path, locale, domain):
            if message.id and _translated(message.string) and "fuzzy" not in message.flags:
                known.setdefault((message.id, message.context), message.string)
    return known


def update(domains: Iterable[str] = DOMAINS) -> None:
    """Extract and update the catalogs. A string that moved to a file of another domain keeps
    its translation (it is looked up in every domain's catalog before the update)."""
    known = {locale: _known_translations(locale) for locale in LOCALES}
    for domain in domains:
        template = extract(domain)
        LOCALE_ROOT.mkdir(exist_ok=True)
        with (LOCALE_ROOT / f"{domain}.pot").open("wb") as fp:
            write_po(fp, template, width=100)
        for locale in LOCALES:
            path = po_path(locale, domain)
            catalog = _read(path, locale, domain)
            # A fresh template per locale: Catalog.update shares Message objects with it.
            catalog.update(extract(domain), no_fuzzy_matching=True)
            catalog.obsolete.clear()
            for message in catalog:
                carried = known[locale].get((message.id, message.context))
                if message.id and not _translated(message.string) and carried is not None:
                    message.string = carried
            if locale == "en":
                for message in catalog:
                    if message.id and not _translated(message.string):
                        message.string = message.id
                    message.flags.discard("fuzzy")
            _write(path, catalog)


def compile_all() -> None:
    for locale in LOCALES:
        for domain in DOMAINS:
            path = po_path(locale, domain)
            if not path.is_file():
                continue
            with path.open("rb") as fp:
                catalog = read_po(fp, locale=BABEL_LOCALES[locale], domain=domain)
            with path.with_suffix(".mo").open("wb") as fp:
                write_mo(fp, catalog)


def _translated(value: object) -> bool:
    if isinstance(value, tuple | list):
        return all(bool(v) for v in value)
    return bool(value)


def problems() -> list[str]:
    found: list[str] = []
    for domain in DOMAINS:
        template = extract(domain)
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
        for locale in LOCALES:
            path = po_path(locale, domain)
            if not wanted and not path.is_file():
                continue
            catalog = _read(path, locale, domain)
            have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
            for msgid in sorted(wanted - set(have)):
                found.append(f"{path.relative_to(ROOT)}: missing (run update): {msgid!r}")
            for key, message in have.items():
                if "fuzzy" in message.flags:
                    found.append(f"{path.relative_to(ROOT)}: fuzzy: {key!r}")
                elif not _translated(message.string):
                    found.append(f"{path.relative_to(ROOT)}: untranslated: {key!r}")
                elif _placeholders(message.id) != _placeholders(message.string):
                    found.append(f"{path.relative_to(ROOT)}: placeholders differ: {key!r}")
    return found + conflicts()


def conflicts() -> list[str]:
    """The same msgid translated differently in two domains: at run time the domains are
    merged into one catalog, so only one of the two would ever be shown."""
    found: list[str] = []
    for locale in LOCALES:
        seen: dict[object, tuple[str, object]] = {}
        for domain in DOMAINS:
            path = po_path(locale, domain)
            if not path.is_file():
                continue
            for message in _read(path, locale, domain):
                if not message.id or not _translated(message.string):
                    continue
                key = (message.id, message.context)
                if key in seen and seen[key][1] != message.string:
                    other = seen[key][0]
                    found.append(
                        f"{locale}: {message.id!r} is {seen[key][1]!r} in {other} but "
                        f"{message.string!r} in {domain}: use one wording (or a msgctxt)"
                    )
                seen.setdefault(key, (domain, message.string))
    return found


def _placeholders(value: object) -> set[str]:
    import string

    texts = list(value) if isinstance(value, tuple | list) else [value]
    names: set[str] = set()
    for text in texts:
        for _, field, _, _ in string.Formatter().parse(str(text)):
            if field is not None:
                names.add(field)
    names.discard("n")  # Chinese plural forms may leave the count to the sentence
    return names


def todo(domains: Iterable[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for domain in domains:
        for locale in LOCALES:
            if locale == "en":
                continue
            for message in _read(po_path(locale, domain), locale, domain):
                if message.id and (not _translated(message.string) or "fuzzy" in message.flags):
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    out.setdefault(key, {})[locale] = ""
    return out


def apply(path: Path, domains: Iterable[str] = DOMAINS) -> int:
    """Fill translations from JSON {msgid: {locale: text or [forms]}} into the catalogs of
    ``domains``; returns the entries set."""
    data: dict[str, dict[str, str | list[str]]] = json.loads(path.read_text(encoding="utf-8"))
    count = 0
    for domain in domains:
        for locale in LOCALES:
            file = po_path(locale, domain)
            if not file.is_file():
                continue
            catalog = _read(file, locale, domain)
            changed = False
            for message in catalog:
                if not message.id:
                    continue
                key = message.id if isinstance(message.id, str) else message.id[0]
                given = data.get(key, {}).get(locale)
                if not given:
                    continue
                if isinstance(message.id, tuple | list):
                    forms = [given] if isinstance(given, str) else list(given)
                    needed = catalog.num_plurals
                    message.string = tuple((forms * needed)[:needed])
                else:
                    message.string = given if isinstance(given, str) else given[0]
                message.flags.discard("fuzzy")
                changed = True
                count += 1
            if changed:
                _write(file, catalog)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.catalog", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("update", help="extract strings and update every .po file")
    up.add_argument("domains", nargs="*", default=list(DOMAINS))
    sub.add_parser("compile", help="write .mo files")
    sub.add_parser("check", help="fail on untranslated, fuzzy or missing entries")
    td = sub.add_parser("todo", help="print what needs translating as JSON")
    td.add_argument("domains", nargs="*", default=list(DOMAINS))
    ap = sub.add_parser("apply", help="apply translations from a JSON file")
    ap.add_argument("file", type=Path)
    ap.add_argument("domains", nargs="*", default=list(DOMAINS), help="only these domains")
    args = parser.parse_args(argv)
    if args.command == "update":
        update(args.domains)
    elif args.command == "compile":
        compile_all()
    elif args.command == "check":
        found = problems()
        for line in found:
            print(line)
        if found:
            print(f"{len(found)} catalog problem(s)", file=sys.stderr)
            return 1
        print("catalogs complete")
    elif args.command == "todo":
        print(json.dumps(todo(args.domains), ensure_ascii=False, indent=1))
    elif args.command == "apply":
        print(f"{apply(args.file, args.domains)} entries set")
    return 0


if __name__ == "__main__":
    sys.exit(main())
