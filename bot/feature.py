"""What a feature module in ``handlers/`` hands to ``bot.app``: its handlers (in order), its
main-menu buttons, its commands (for Telegram's command list and the group redirect) and its
periodic jobs. ``bot.app`` assembles the features in one place, in a stated order."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import BaseHandler

from bot.rules.auth import Principal, Role

JobCallback = Callable[[Any], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class MenuEntry:
    """A big button in the main menu; pressing it sends ``MenuPick(key)``."""

    key: str
    label: str  # marked with N_(), translated when shown
    order: int
    visible: Callable[[Principal], bool] = lambda _p: True


@dataclass(frozen=True)
class CommandSpec:
    command: str
    description: str  # marked with N_()
    private: bool = True  # used in a group, it is answered with a link to the private chat
    listed: bool = True  # shown in Telegram's command menu (only if for everyone)
    #: roles the command is for; empty: everyone. /help shows a role's commands to its holders.
    roles: tuple[Role, ...] = ()

    def shown_to(self, principal: Principal) -> bool:
        """Whether /help lists it for this person."""
        if not self.roles:
            return self.listed
        return principal.has_any(*self.roles)

    @property
    def public(self) -> bool:
        """Whether Telegram's command menu (the same for everyone) lists it."""
        return self.listed and not self.roles


@dataclass(frozen=True)
class JobSpec:
    """A periodic sweep with a fixed, predictable name (so it is replaced, never duplicated)."""

    name: str
    callback: JobCallback
    interval_seconds: float
    first_seconds: float = 5.0


@dataclass(frozen=True)
class Feature:
    name: str
    handlers: Callable[[], Sequence[BaseHandler[Any, Any, Any]]]
    menu: Sequence[MenuEntry] = field(default_factory=tuple)
    commands: Sequence[CommandSpec] = field(default_factory=tuple)
    jobs: Sequence[JobSpec] = field(default_factory=tuple)
