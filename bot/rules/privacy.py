"""Personal numbers in a resident's free text: found, and masked for group chats.

PRODUCT.md: no phone number or room number in a group chat. What a resident types (a repair's
description, a public place, an answer to staff, a proposal) may carry one; every message
posted to a group passes through ``mask_personal`` (``storage.outbox`` does it for every row to
a group chat, with the community's unit codes), while private copies for the assignee and the
managers keep the text as written.

The rules (digits may be ASCII or full-width, as Chinese input methods type them; a "separator"
is one space or dash between digit groups):

- **Mobile**: 11 digits ``1[3-9]…``, whole or grouped 3-4-4 (``138 1234 5678``,
  ``138-1234-5678``), optionally after ``+86`` / ``0086`` / ``86`` / ``(+86)``. Masked
  ``138****5678`` (the first 3, the last 4).
- **ID number** (居民身份证): 17 digits and a digit or X, optionally grouped 6-8-4. Masked
  ``110***********123X`` (the first 3, the last 4: the birth date goes).
- **Landline with an area code**: ``0`` + area digits (``10``, ``2x``, or three digits from
  ``3``-``9``: 0755, 0571 …), optionally in brackets or after ``+86`` (then the ``0`` is
  optional), then 7 or 8 digits (3-4 / 4-4 groups allowed): ``010-12345678``,
  ``0755 1234 5678``, ``(021)87654321``. Masked ``0755 ****5678`` (the area code stays).
- **A local number without an area code**: 7 or 8 digits starting ``2``-``9`` (local numbers
  never start with 0 or 1), **only after a phone word** within 8 characters (电话, 手机, 座机,
  联系, 致电, 号码, tel, phone, call, mobile, contact): ``call me 87654321``, ``电话：8765-4321``.
  Masked ``call me ****4321``.

Rooms and units:

- **A unit's code** of the community (``1-402``: the caller passes the codes that occur in the
  text, see ``unit_candidates``). Masked ``1-***``: the building stays, as on group cards.
- **A room number said as one**: 3 or 4 digits before 室 / 房 / 号房 (``402室``; not 房租,
  房费 …: rent and fees are amounts), or after room / flat / apt / unit (``room 402``).
  Masked ``***室``, ``room ***``.

Never masked: a number with more digits around it (the boundary is a digit), so room numbers
(``1-302``, ``2301``), dates (``2026-11-23``, ``20261123``), times (``08:00-20:00``), amounts
(``1200元``, ``13000000``), ticket numbers and areas stay as they are; a bare 8-digit number is
masked only next to a phone word, because without one it is as likely a date or an amount.
Short service numbers (110, 12345) and company hotlines (400-/800-) are public, not personal.
Masking is idempotent: a masked text has nothing left to mask.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

_D = "[0-9０-９]"
_SEP = "[ \u3000\\-－]"
_NOT_DIGIT_BEFORE = "(?<![0-9０-９])"
_NOT_DIGIT_AFTER = "(?![0-9０-９])"
_PLUS86 = "[(（]?(?:[+＋]|00)?[8８][6６][)）]?"

ID_NUMBER = re.compile(
    _NOT_DIGIT_BEFORE
    + f"(?P<num>{_D}{{6}}{_SEP}?{_D}{{8}}{_SEP}?{_D}{{3}}[0-9０-９XxＸｘ])"
    + _NOT_DIGIT_AFTER
)
MOBILE = re.compile(
    _NOT_DIGIT_BEFORE
    + f"(?P<prefix>{_PLUS86}{_SEP}?)?"
    + f"(?P<num>[1１][3-9３-９]{_D}{_SEP}?{_D}{{4}}{_SEP}?{_D}{{4}})"
    + _NOT_DIGIT_AFTER
)
LANDLINE = re.compile(
    _NOT_DIGIT_BEFORE
    + "(?P<prefix>"
    + f"(?:{_PLUS86}{_SEP}?[(（]?[0０]?|[(（]?[0０])"
    + f"(?:[1１][0０]|[2２]{_D}|[3-9３-９]{_D}{{2}})"
    + f"[)）]?{_SEP}?)"
    + f"(?P<num>{_D}{{3,4}}{_SEP}?{_D}{{4}})"
    + _NOT_DIGIT_AFTER
)
LOCAL_AFTER_WORD = re.compile(
    "(?P<prefix>(?:电话|手机|座机|联系|致电|号码|(?i:\\b(?:tel|phone|call|mobile|contact)))"
    "[^0-9０-９\\n]{0,8})" + f"(?P<num>[2-9２-９]{_D}{{2,3}}{_SEP}?{_D}{{4}})" + _NOT_DIGIT_AFTER
)

ROOM_BEFORE_WORD = re.compile(
    _NOT_DIGIT_BEFORE + f"(?P<num>{_D}{{3,4}})(?=[ ]?(?:室|号房|房(?![租费价款])))"
)
ROOM_AFTER_WORD = re.compile(
    "(?P<prefix>(?i:\\b(?:room|flat|apt\\.?|unit)[ ]?#?))"
    + f"(?P<num>{_D}{{3,4}})"
    + _NOT_DIGIT_AFTER
)
#: What might be a unit's code: letters and digits, joined by dashes.
CODE_TOKEN = re.compile("(?<![0-9A-Za-z])[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*(?![0-9A-Za-z])")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch in "XxＸｘ")


def _stars(match: re.Match[str]) -> str:
    return (match.groupdict().get("prefix") or "") + "*" * len(match.group("num"))


def _keep(first: int, last: int) -> Callable[[re.Match[str]], str]:
    def masked(match: re.Match[str]) -> str:
        digits = _digits(match.group("num"))
        prefix = match.groupdict().get("prefix") or ""
        hidden = len(digits) - first - last
        return prefix + digits[:first] + "*" * max(hidden, 4) + digits[len(digits) - last :]

    return masked


_MASKS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (ID_NUMBER, _keep(3, 4)),
    (MOBILE, _keep(3, 4)),
    (LANDLINE, _keep(0, 4)),
    (LOCAL_AFTER_WORD, _keep(0, 4)),
    (ROOM_BEFORE_WORD, _stars),
    (ROOM_AFTER_WORD, _stars),
)


def unit_candidates(text: str) -> set[str]:
    """The words of ``text`` that could be a unit's code (the caller looks them up)."""
    return set(CODE_TOKEN.findall(text))


def mask_unit_code(code: str) -> str:
    """``1-402`` -> ``1-***``: what follows the last dash hidden (all of it without a dash)."""
    head, dash, tail = code.rpartition("-")
    return head + dash + "*" * len(tail) if dash else "*" * len(code)


def _unit_pattern(units: Collection[str]) -> re.Pattern[str] | None:
    codes = sorted((c for c in units if c), key=len, reverse=True)
    if not codes:
        return None
    alternatives = "|".join(re.escape(c) for c in codes)
    return re.compile(f"(?<![0-9A-Za-z-])(?:{alternatives})(?![0-9A-Za-z-])")


def mask_personal(text: str, units: Collection[str] = ()) -> str:
    """``text`` with every phone and ID number, room number and unit code (of ``units``)
    masked (see the module's rules)."""
    if not text:
        return text
    for pattern, masked in _MASKS:
        text = pattern.sub(masked, text)
    codes = _unit_pattern(units)
    if codes is not None:
        text = codes.sub(lambda m: mask_unit_code(m.group(0)), text)
    return text


def find_personal(text: str, units: Collection[str] = ()) -> list[str]:
    """What ``mask_personal`` would mask, as written (for checks)."""
    found: list[str] = []
    for pattern, masked in _MASKS:
        found += [m.group(0) for m in pattern.finditer(text)]
        text = pattern.sub(masked, text)
    codes = _unit_pattern(units)
    if codes is not None:
        found += codes.findall(text)
    return found


#: What a forgotten person's name becomes in the texts that named them (as ``name_of`` shows
#: nobody).
NOBODY = "-"


def _name_pattern(name: str) -> str:
    escaped = re.escape(name)
    if name.isascii():  # a Latin name, not inside a longer word ("Li" is no part of "Lift")
        return f"(?<![A-Za-z0-9_]){escaped}(?![A-Za-z0-9_])"
    return escaped


def scrubber(names: Collection[str], numbers: Collection[str] = ()) -> Callable[[str], str]:
    """What /forgetme does to the texts other people got about a person: each of ``names``
    becomes ``NOBODY`` and each of ``numbers`` (their phone and ID numbers, as they wrote them)
    is masked. Longest first, so a full name goes whole."""
    masked = {n: mask_personal(n) for n in numbers if n}
    useful = {n.strip() for n in names if n and n.strip()} | set(masked)
    if not useful:
        return lambda text: text
    pattern = re.compile(
        "|".join(
            re.escape(n) if n in masked else _name_pattern(n)
            for n in sorted(useful, key=len, reverse=True)
        )
    )

    def scrub(text: str) -> str:
        return pattern.sub(lambda m: masked.get(m.group(0), NOBODY), text) if text else text

    return scrub
