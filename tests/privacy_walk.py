"""The privacy walk: every message the bot posted or edited in a group chat during a flow test,
checked against PRODUCT.md's rule "no phone number, room number or complaint author in a group
chat" and the secrecy of ballots.

``tests/conftest.py`` runs it at the end of every test that uses the ``harness`` (the autouse
``privacy_walk`` fixture); a test that plants a violation on purpose says so with
``privacy_walk.expect(text)``, and the walk then fails if it does *not* find it.

What counts as a violation in a group chat, in any version of a bot's message (its text or
caption, and its buttons' labels):

- a phone or ID number (``bot.rules.privacy.find_personal``), or any run of 11 or more digits
  (spaces and dashes allowed between them): the walk is blunter than the mask, so a mask that
  misses a format still fails here;
- a unit of the community: its code (``1-302``) or its room with 室 (``302室``);
- the name of a complaint's author on a message about that complaint (``#N``), and the name of
  an anonymous complaint's author anywhere unless the same person is named as the reporter of a
  non-complaint ticket (a repair's card names its reporter to staff); authors who are staff or
  managers are not looked for (cards name them as assignees and in the assign menu);
- a ballot choice: a ballot's receipt code, or a voter's name next to the label of the option
  they chose.

Messages *from users* in a group are not the bot's and are not walked; neither are messages a
test planted as sent before the run (``emu.plant_message``).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import LOCALES, I18n, Translator
from bot.rules.privacy import find_personal
from bot.rules.tally import receipt
from bot.rules.votes import options_from_json
from bot.texts.votes import option_label
from handlers.votes.ballots import voter_key
from tests.emulator import BotAPIEmulator, SentMessage

LONG_DIGITS = re.compile(r"(?<![0-9０-９])[0-9０-９](?:[ \-]?[0-9０-９]){10,}(?![0-9０-９])")


@dataclass(frozen=True)
class GroupText:
    chat_id: int
    message_id: int
    text: str


@dataclass
class Walk:
    """What one test expects the walk to find (planted on purpose), and what it found."""

    expected: list[str] = field(default_factory=list)

    def expect(self, text: str) -> None:
        """This test posts ``text`` to a group on purpose: the walk must report it."""
        self.expected.append(text)


def group_texts(emu: BotAPIEmulator) -> Iterator[GroupText]:
    """Every version of every message the bot sent to a group chat in this run."""
    chats = sorted({m.chat_id for call in emu.calls for m in call.sent if m.chat_id < 0})
    for chat_id in chats:
        for message in emu.messages(chat_id):
            if message.call_index < 0:  # planted: not sent in this run
                continue
            for version in [*message.history, message]:
                yield GroupText(chat_id, message.message_id, _visible(emu, version))


def _visible(emu: BotAPIEmulator, message: SentMessage) -> str:
    labels = [label for label, _ in emu.buttons(message)]
    return "\n".join([message.body, *labels])


def _word(name: str) -> re.Pattern[str]:
    """A name as a word: Latin names not inside a longer word; CJK names as they are."""
    escaped = re.escape(name)
    if name.isascii():
        return re.compile(rf"(?<![A-Za-z]){escaped}(?![A-Za-z])")
    return re.compile(escaped)


@cache
def _translators() -> tuple[Translator, ...]:
    i18n = I18n(ZoneInfo("Asia/Shanghai"))
    return tuple(i18n.translator(loc) for loc in LOCALES)


def _rows(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    if not db_path.exists():
        return []
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        try:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
        except sqlite3.OperationalError:  # a test's own schema (no community loaded)
            return []


def problems(emu: BotAPIEmulator, db_path: Path) -> list[str]:
    """Every violation in the bot's group messages, one line each."""
    texts = list(group_texts(emu))
    if not texts:
        return []
    found: list[str] = []

    def report(item: GroupText, what: str) -> None:
        found.append(f"chat {item.chat_id} message {item.message_id}: {what} in {item.text!r}")

    units = _rows(db_path, "SELECT code, room FROM units")
    unit_patterns = [
        (code, re.compile(rf"(?<![0-9A-Za-z\-]){re.escape(str(code))}(?![0-9A-Za-z\-])"))
        for code, _ in units
    ] + [
        (f"{room}室", re.compile(rf"(?<![0-9]){re.escape(str(room))}室"))
        for room in sorted({str(r) for _, r in units})
    ]
    complaints = _rows(
        db_path,
        "SELECT t.id, t.anonymous, p.first_name FROM tickets t"
        " JOIN people p ON p.user_id = t.reporter_id"
        " WHERE (t.kind = 'complaint' OR t.anonymous) AND p.first_name != ''",
    )
    # Staff and managers are named on cards as assignees and in the assign menu: their names
    # there are no author's (a staff member may file an anonymous complaint too).
    staff_names = {
        str(r[0])
        for r in _rows(
            db_path,
            "SELECT p.first_name FROM roles r JOIN people p ON p.user_id = r.user_id"
            " WHERE r.role IN ('staff', 'manager')",
        )
    }
    complaints = [c for c in complaints if str(c[2]) not in staff_names]
    named_reporters = {
        str(r[0])
        for r in _rows(
            db_path,
            "SELECT p.first_name FROM tickets t JOIN people p ON p.user_id = t.reporter_id"
            " WHERE t.kind != 'complaint' AND NOT t.anonymous",
        )
    }
    ballots = _rows(
        db_path,
        "SELECT b.proposal_id, b.voter_id, b.option, p.first_name, pr.options, pr.nonce"
        " FROM ballots b JOIN proposals pr ON pr.id = b.proposal_id"
        " LEFT JOIN people p ON p.user_id = b.voter_id WHERE b.voter_id IS NOT NULL",
    )

    for item in texts:
        numbers = find_personal(item.text)
        numbers += [n for n in LONG_DIGITS.findall(item.text) if not any(n in m for m in numbers)]
        for number in numbers:
            report(item, f"a phone, ID or room number {number!r}")
        for label, pattern in unit_patterns:
            if pattern.search(item.text):
                report(item, f"the unit {label!r}")
        for ticket_id, anonymous, name in complaints:
            about = re.search(rf"#{ticket_id}(?![0-9])", item.text) is not None
            anywhere = bool(anonymous) and str(name) not in named_reporters
            if (about or anywhere) and _word(str(name)).search(item.text):
                report(item, f"the author {name!r} of complaint #{ticket_id}")
        squeezed = item.text.replace("-", "").replace(" ", "")
        for proposal_id, voter_id, option, name, options, nonce in ballots:
            code = receipt(int(proposal_id), voter_key(int(voter_id)), bytes(nonce))
            if code in squeezed:
                report(item, f"the receipt of {voter_id}'s ballot on proposal #{proposal_id}")
            if not name or not _word(str(name)).search(item.text):
                continue
            for opt in options_from_json(str(options)):
                if opt.key != option:
                    continue
                for tr in _translators():
                    label = option_label(tr, opt)
                    if label and label in item.text:
                        report(item, f"{name!r}'s choice {label!r} on proposal #{proposal_id}")
    return found
