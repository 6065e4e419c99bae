"""bot.rules.privacy: which numbers in a resident's words are personal, and how they are masked
for a group chat. Table-driven, with the numbers that must stay as they are."""

from __future__ import annotations

import pytest

from bot.rules.privacy import find_personal, mask_personal, mask_unit_code, unit_candidates

MASKED = [
    # mobiles: whole, grouped 3-4-4, with a country prefix, full-width
    ("tap leaks, call me 13812345678", "tap leaks, call me 138****5678"),
    ("13812345678", "138****5678"),
    ("电话13912345678谢谢", "电话139****5678谢谢"),
    ("138 1234 5678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("+86 138 1234 5678", "+86 138****5678"),
    ("+8613812345678", "+86138****5678"),
    ("0086-138-1234-5678", "0086-138****5678"),
    ("0086 13812345678", "0086 138****5678"),
    ("(+86)13812345678", "(+86)138****5678"),
    ("（+86）15012345678", "（+86）150****5678"),
    ("8613812345678", "86138****5678"),
    ("１３８１２３４５６７８", "１３８****５６７８"),
    ("19912345678 or 17712345678", "199****5678 or 177****5678"),
    ("call 16612345678.", "call 166****5678."),
    # landlines with an area code
    ("010-12345678", "010-****5678"),
    ("0755 1234 5678", "0755 ****5678"),
    ("0755-1234-5678", "0755-****5678"),
    ("(021)87654321", "(021)****4321"),
    ("（0571）8765432", "（0571）****5432"),
    ("02112345678", "021****5678"),
    ("+86 755 1234 5678", "+86 755 ****5678"),
    ("+86-10-12345678", "+86-10-****5678"),
    ("座机0755-87654321找王师傅", "座机0755-****4321找王师傅"),
    # local numbers, only after a phone word
    ("call me 87654321", "call me ****4321"),
    ("Phone: 8765-4321", "Phone: ****4321"),
    ("电话：8765 4321", "电话：****4321"),
    ("联系我 6543210", "联系我 ****3210"),
    ("致电87654321", "致电****4321"),
    # ID numbers: 17 digits and a digit or X, also grouped 6-8-4
    ("身份证110101199003071234", "身份证110***********1234"),
    ("11010119900307123X", "110***********123X"),
    ("110101 19900307 123x", "110***********123x"),
    ("ID 44030419851231002X ok", "ID 440***********002X ok"),
    # room numbers said as rooms
    ("楼上402室漏水", "楼上***室漏水"),
    ("1502号房门口", "****号房门口"),
    ("room 402 leaks", "room *** leaks"),
    ("Flat 1203", "Flat ****"),
    # several in one text
    (
        "王阿姨 13812345678，身份证11010119900307123X，座机010-12345678",
        "王阿姨 138****5678，身份证110***********123X，座机010-****5678",
    ),
]

UNTOUCHED = [
    "",
    "The corridor light is off",
    "3F corridor",
    "1-302",  # a unit code is masked only when the caller names it as one (below)
    "2026-11-23 10:00",
    "2026/11/23",
    "20261123",
    "08:00-20:00",
    "0800-2000",
    "1200元",
    "13000000",  # 8 digits starting with 1: not a phone
    "1380000",  # 7 digits
    "138123456789",  # 12 digits: not a mobile
    "1381234567",  # 10 digits
    "12812345678",  # 128 is no mobile prefix
    "ticket #12",
    "Ticket #1234",
    "12345",
    "110",
    "400-123-4567",  # company hotline: public
    "800-820-8820",
    "2301-2302",  # a range of numbers (4-4 with a dash is no phone without a phone word)
    "15 20 30 40 50 6",
    "hotel 87654321",  # "tel" inside a word is no phone word
    "87654321",  # a bare 8-digit number: as likely a date or an amount
    "联系我 2301室",  # a phone word, but the number is a room...
    "房租1200",
    "1200房租",
    "89.50 m²",
    "120.35",
    "1100000000000000000",  # 19 digits: not an ID number
    "11010119900307123",  # 17 digits
    "138****5678",  # already masked: masking is idempotent
    "110***********123X",
    "010-****5678",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_masked(text: str, expected: str) -> None:
    assert mask_personal(text) == expected
    assert find_personal(text), text
    assert mask_personal(expected) == expected  # idempotent
    assert find_personal(expected) == []


@pytest.mark.parametrize("text", UNTOUCHED)
def test_untouched(text: str) -> None:
    if text == "联系我 2301室":  # the room is masked, the "phone word" finds no phone
        assert mask_personal(text) == "联系我 ****室"
        return
    assert mask_personal(text) == text
    assert find_personal(text) == []


def test_unit_codes_are_masked_when_named() -> None:
    text = "The family in 1-402 drills at night; 2-1003 too, not 1-4021 or 31-402"
    words = unit_candidates(text)
    assert {"1-402", "2-1003", "1-4021", "31-402"} <= words
    codes = words & {"1-402", "2-1003", "3-101"}
    assert mask_personal(text, codes) == (
        "The family in 1-*** drills at night; 2-**** too, not 1-4021 or 31-402"
    )
    assert sorted(find_personal(text, codes)) == ["1-402", "2-1003"]
    assert mask_personal("A101 leaks", {"A101"}) == "**** leaks"


def test_mask_unit_code_keeps_the_building() -> None:
    assert mask_unit_code("1-402") == "1-***"
    assert mask_unit_code("3-2-1004") == "3-2-****"
    assert mask_unit_code("A101") == "****"


def test_a_long_text_is_masked_everywhere() -> None:
    line = "漏水，请联系13812345678。"
    text = line * 50
    assert mask_personal(text) == "漏水，请联系138****5678。" * 50
