"""Typed, prefixed callback data: one ``pack()``/``parse()`` pair, 64 bytes at most.

Each button action is a frozen dataclass registered with a short prefix and a version::

    @callback("ja", 1)
    @dataclass(frozen=True)
    class JoinApprove(CallbackData):
        residence_id: int
        approve: bool

    pack(JoinApprove(42, True))      -> "ja1|42|1"
    parse("ja1|42|1")               -> JoinApprove(residence_id=42, approve=True)

Fields may be ``int``, ``bool``, ``str`` (no ``|``) or a ``str``-valued ``Enum``. Anything
malformed, unknown, of an old version or over 64 bytes raises ``InvalidCallbackData``: a client
can send any bytes, so the handler answers politely and changes nothing. The shapes are strict:
an ``int`` is ASCII digits with at most one leading minus, within SQLite's signed 64 bits (not
``+1``, `` 1``, ``1_000``, ``²`` or ``٣``, which Python's ``int()`` or ``isdigit()`` accept); a
``bool`` is ``0`` or ``1``; an enum is one of its members' values; a ``str`` is printable (no
control characters, line breaks or lone surrogates). Parsing only proves the shape; every
handler still re-checks the presser's right and the object's state.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import re
import typing
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

MAX_BYTES = 64
SEP = "|"
#: SQLite's INTEGER range: a bigger number would fail in the driver, not in the parser.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
_INT = re.compile(r"-?[0-9]+")


class InvalidCallbackData(ValueError):
    """The data did not come from a button this version of the bot made."""


class CallbackData:
    """Base of every callback dataclass."""

    prefix: ClassVar[str] = ""
    version: ClassVar[int] = 1


_REGISTRY: dict[str, type[CallbackData]] = {}
_FIELDS: dict[type[CallbackData], list[tuple[str, Any]]] = {}
C = TypeVar("C", bound=type[CallbackData])
D = TypeVar("D", bound=CallbackData)


def callback(prefix: str, version: int = 1) -> Callable[[C], C]:
    if not prefix.isalpha() or not prefix.islower() or len(prefix) > 4:
        raise ValueError(f"callback prefix must be 1-4 lowercase letters: {prefix!r}")

    def register(cls: C) -> C:
        key = f"{prefix}{version}"
        if key in _REGISTRY and _REGISTRY[key] is not cls:
            raise ValueError(f"callback prefix {key!r} used twice")
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass")
        hints = typing.get_type_hints(cls)
        fields = [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]
        for name, kind in fields:
            if not (kind in (int, bool, str) or _is_str_enum(kind)):
                raise TypeError(f"{cls.__name__}.{name}: unsupported callback field type {kind}")
        cls.prefix = prefix
        cls.version = version
        _REGISTRY[key] = cls
        _FIELDS[cls] = fields
        return cls

    return register


def _is_str_enum(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, enum.Enum) and issubclass(kind, str)


def pack(data: CallbackData) -> str:
    cls = type(data)
    if cls not in _FIELDS:
        raise TypeError(f"{cls.__name__} is not a registered callback")
    parts = [f"{cls.prefix}{cls.version}"]
    for name, kind in _FIELDS[cls]:
        value = getattr(data, name)
        if kind is bool:
            parts.append("1" if value else "0")
        elif kind is int:
            if not INT_MIN <= int(value) <= INT_MAX:
                raise ValueError(f"{cls.__name__}.{name} outside 64 bits: {value}")
            parts.append(str(int(value)))
        elif _is_str_enum(kind):
            parts.append(str(value.value))
        else:
            text = str(value)
            if SEP in text or not text.isprintable():
                raise ValueError(f"{cls.__name__}.{name} may not contain {SEP!r} or controls")
            parts.append(text)
    packed = SEP.join(parts)
    if len(packed.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {packed!r}")
    return packed


def parse(raw: object, expected: type[D] | None = None) -> CallbackData:
    if not isinstance(raw, str) or not raw or len(raw.encode("utf-8", "replace")) > MAX_BYTES:
        raise InvalidCallbackData("not a string of 1-64 bytes")
    head, *values = raw.split(SEP)
    cls = _REGISTRY.get(head)
    if cls is None:
        raise InvalidCallbackData(f"unknown or outdated prefix {head!r}")
    if expected is not None and cls is not expected:
        raise InvalidCallbackData(f"expected {expected.__name__}, got {cls.__name__}")
    fields = _FIELDS[cls]
    if len(values) != len(fields):
        raise InvalidCallbackData(f"{cls.__name__}: wrong number of fields")
    kwargs: dict[str, Any] = {}
    for (name, kind), value in zip(fields, values, strict=True):
        if kind is bool:
            if value not in ("0", "1"):
                raise InvalidCallbackData(f"{cls.__name__}.{name}: not a flag")
            kwargs[name] = value == "1"
        elif kind is int:
            kwargs[name] = _strict_int(value, cls, name)
        elif _is_str_enum(kind):
            try:
                kwargs[name] = kind(value)
            except ValueError as exc:
                raise InvalidCallbackData(f"{cls.__name__}.{name}: unknown value") from exc
        else:
            if not value.isprintable():
                raise InvalidCallbackData(f"{cls.__name__}.{name}: not printable text")
            kwargs[name] = value
    return cls(**kwargs)


def strict_int(value: str) -> int | None:
    """ASCII digits, one optional leading minus, within 64 bits; None for anything else
    ``int()`` or ``str.isdigit()`` would take (``²``, ``٣``, ``+1``, `` 1``, ``1_000``) and for
    numbers SQLite cannot hold. For button data and for numbers typed after a command."""
    if len(value) > 20 or not _INT.fullmatch(value):
        return None
    number = int(value)
    return number if INT_MIN <= number <= INT_MAX else None


def _strict_int(value: str, cls: type[CallbackData], name: str) -> int:
    number = strict_int(value)
    if number is None:
        raise InvalidCallbackData(f"{cls.__name__}.{name}: not a number within 64 bits")
    return number


def parse_as(raw: object, expected: type[D]) -> D:
    data = parse(raw, expected)
    assert isinstance(data, expected)
    return data


@functools.lru_cache(maxsize=4096)
def _parsed(raw: str) -> CallbackData | InvalidCallbackData:
    """One parse per press, whatever the number of handlers that look at it (PTB asks every
    ``CallbackQueryHandler`` in turn until one matches). Instances are frozen: safe to share."""
    try:
        return parse(raw)
    except InvalidCallbackData as exc:
        return exc


def matches(*classes: type[CallbackData]) -> Callable[[object], bool]:
    """A ``CallbackQueryHandler`` pattern accepting well-formed data of these classes only."""
    allowed = set(classes)

    def check(raw: object) -> bool:
        if not isinstance(raw, str):
            return False
        found = _parsed(raw)
        return not isinstance(found, InvalidCallbackData) and type(found) in allowed

    return check
