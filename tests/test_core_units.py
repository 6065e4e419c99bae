"""Unit tests of the small core pieces: callback data, settings, locales."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.i18n import I18n, locale_from_telegram
from bot.rules.auth import Action, Principal, Relation, Residence, Role, can
from handlers.kit.callbacks import CallbackData, InvalidCallbackData, callback, matches, pack, parse


class Colour(enum.StrEnum):
    RED = "r"
    BLUE = "b"


@callback("zt")
@dataclass(frozen=True)
class Sample(CallbackData):
    item: int
    flag: bool
    colour: Colour
    note: str


def test_pack_and_parse_round_trip() -> None:
    data = Sample(42, True, Colour.BLUE, "abc")
    assert pack(data) == "zt1|42|1|b|abc"
    assert parse("zt1|42|1|b|abc") == data
    assert matches(Sample)("zt1|42|1|b|abc") is True


@pytest.mark.parametrize(
    "raw",
    [
        "",
        None,
        b"zt1|1|1|r|x",
        "zt1|1|1|r",  # a field missing
        "zt1|1|1|r|x|y",  # one too many
        "zt1|one|1|r|x",  # not a number
        "zt1|1|yes|r|x",  # not a flag
        "zt1|1|1|green|x",  # unknown enum value
        "zt2|1|1|r|x",  # an old or future version
        "qq1|1",  # unknown prefix
        "zt1|1|1|r|" + "x" * 60,  # over 64 bytes
        "zt1|" + "9" * 25 + "|1|r|x",  # absurd number
        "zt1|9223372036854775808|1|r|x",  # one past int64
        "zt1|-9223372036854775809|1|r|x",  # one below int64
        "zt1|9999999999999999999|1|r|x",  # 19 digits, beyond int64
        "zt1|²|1|r|x",  # a superscript: str.isdigit() says yes, int() says no
        "zt1|٣|1|r|x",  # an Arabic-Indic digit: int() would take it
        "zt1|３|1|r|x",  # a full-width digit
        "zt1|--1|1|r|x",
        "zt1|-|1|r|x",
        "zt1|+1|1|r|x",
        "zt1| 1|1|r|x",
        "zt1|1 |1|r|x",
        "zt1|1\n|1|r|x",
        "zt1|1_000|1|r|x",
        "zt1|0x1f|1|r|x",
        "zt1|1e3|1|r|x",
        "zt1|1|2|r|x",  # a flag is 0 or 1
        "zt1|1| 1|r|x",
        "zt1|1|1|R|x",  # enum values are exact
        "zt1|1|1||x",  # no member has the empty value
        "zt1|1|1|r|a\nb",  # text with a line break
        "zt1|1|1|r|a\x00b",  # or a control character
        "zt1|1|1|r|\ud800",  # or a lone surrogate (JSON can carry one)
        "\ud800",
    ],
)
def test_malformed_data_is_refused(raw: object) -> None:
    with pytest.raises(InvalidCallbackData):
        parse(raw)
    assert matches(Sample)(raw) is False


@pytest.mark.parametrize(
    ("raw", "item"),
    [
        ("zt1|0|1|r|x", 0),
        ("zt1|-1|1|r|x", -1),
        ("zt1|007|1|r|x", 7),
        ("zt1|9223372036854775807|1|r|x", 2**63 - 1),
        ("zt1|-9223372036854775808|1|r|x", -(2**63)),
    ],
)
def test_integers_within_64_bits_are_accepted(raw: str, item: int) -> None:
    data = parse(raw)
    assert isinstance(data, Sample) and data.item == item


@pytest.mark.parametrize(
    "raw",
    [
        "ta1|²|acc",
        "ta1|٣|acc",
        "jd1|--1|1",
        "jd1|+1|1",
        "jd1| 1|1",
        "jd1|1_000|1",
        "ba1|9999999999999999999|1",
        "ba1|-9999999999999999999|1",
        "ta1|1|nope",  # not a Move
        "ta1|1|",
        "jr1|landlord",  # not a Relation
        "m1|tick\tets",  # a control character in a text field
    ],
)
def test_the_issues_forged_presses_are_invalid_for_the_real_classes(raw: str) -> None:
    import bot.app  # noqa: F401  (registers every feature's callback classes)

    with pytest.raises(InvalidCallbackData):
        parse(raw)


def test_pack_refuses_what_parse_would_refuse() -> None:
    with pytest.raises(ValueError, match="64 bits"):
        pack(Sample(2**63, False, Colour.RED, "x"))
    with pytest.raises(ValueError, match="controls"):
        pack(Sample(1, False, Colour.RED, "a\nb"))


def test_pack_refuses_over_64_bytes() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        pack(Sample(1, False, Colour.RED, "楼" * 20))  # 60 bytes of text alone
    assert len(pack(Sample(1, False, Colour.RED, "楼" * 18)).encode()) == 64


def test_settings_defaults_and_errors(tmp_path: Path) -> None:
    settings = load_settings({"RESIDENTBOT_TOKEN": "123:abcdef"}, env_file=tmp_path / "none")
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.api_file_url == "https://api.telegram.org/file/bot"
    assert settings.timezone.key == "Asia/Shanghai" and settings.locale == "zh_Hans"
    assert "abcdef" not in repr(settings)
    with pytest.raises(ConfigError) as info:
        load_settings(
            {
                "RESIDENTBOT_TOKEN": "nonsense",
                "RESIDENTBOT_TIMEZONE": "Nowhere/City",
                "RESIDENTBOT_LOCALE": "fr",
                "RESIDENTBOT_API_BASE_URL": "ftp://x",
            },
            env_file=tmp_path / "none",
        )
    assert len(info.value.problems) == 4
    assert "nonsense" not in str(info.value)  # the token is never echoed
    with pytest.raises(ConfigError, match="RESIDENTBOT_TOKEN is not set"):
        load_settings({}, env_file=tmp_path / "none", require_token=True)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        '# comment\nRESIDENTBOT_TOKEN="123:fromfile"\nexport RESIDENTBOT_LOCALE=en\n', "utf-8"
    )
    settings = load_settings({"RESIDENTBOT_LOCALE": "zh_Hant"}, env_file=env)
    assert settings.token == "123:fromfile"
    assert settings.locale == "zh_Hant"


@pytest.mark.parametrize(
    ("code", "locale"),
    [
        ("zh-hans", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("zh-hant", "zh_Hant"),
        ("zh-TW", "zh_Hant"),
        ("zh-HK", "zh_Hant"),
        ("en-US", "en"),
        ("de", "zh_Hans"),
        (None, "zh_Hans"),
    ],
)
def test_locale_from_telegram(code: str | None, locale: str) -> None:
    assert locale_from_telegram(code, "zh_Hans") == locale


def test_catalogs_translate_into_each_language() -> None:
    from zoneinfo import ZoneInfo

    i18n = I18n(ZoneInfo("Asia/Shanghai"))
    msg = "Which building do you live in?"
    assert i18n.translator("en")._(msg) == msg
    hans, hant = i18n.translator("zh_Hans")._(msg), i18n.translator("zh_Hant")._(msg)
    assert hans != msg and hant != msg and hans != hant


def _p(*roles: tuple[Role, int | None], verified: bool = False) -> Principal:
    res = (Residence(1, 10, 3, "3-101", Relation.OWNER, "verified"),) if verified else ()
    return Principal(1, frozenset(roles), res)


@pytest.mark.parametrize(
    ("principal", "action", "building", "allowed"),
    [
        (_p((Role.LEADER, 3)), Action.DECIDE_JOIN, 3, True),
        (_p((Role.LEADER, 3)), Action.DECIDE_JOIN, 5, False),
        (_p((Role.LEADER, 3)), Action.DECIDE_JOIN, None, False),
        (_p((Role.GRID, 5)), Action.DECIDE_JOIN, 5, True),
        (_p((Role.STAFF, None)), Action.DECIDE_JOIN, 9, True),
        (_p(), Action.DECIDE_JOIN, 3, False),
        (_p((Role.ADMIN, None)), Action.GRANT_ROLES, None, True),
        (_p((Role.MANAGER, None)), Action.GRANT_ROLES, None, False),
        (_p((Role.LEADER, 3)), Action.SEND_NOTICE, 3, True),
        (_p((Role.LEADER, 3)), Action.SEND_NOTICE, 4, False),
        (_p((Role.COMMITTEE, None)), Action.APPROVE_PROPOSAL, None, True),
        (_p((Role.STAFF, None)), Action.APPROVE_PROPOSAL, None, False),
        (_p(verified=True), Action.VOTE, None, True),
        (_p(), Action.BOOK_ROOM, None, False),
        (_p((Role.STAFF, None)), Action.MANAGE, None, False),
    ],
)
def test_rights(principal: Principal, action: Action, building: int | None, allowed: bool) -> None:
    assert can(principal, action, building) is allowed
