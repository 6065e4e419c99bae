"""The typed context every handler and job receives (no string keys, no casts).

``context.services`` is the one way handlers reach settings, the database, the clock and the
translations; ``bot.app`` puts them there when it builds the application.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.delivery import Sender
from bot.feature import CommandSpec, MenuEntry
from bot.i18n import I18n
from bot.rules.clock import Clock
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    i18n: I18n
    bot_username: str = ""
    #: The main menu's buttons and the command list, gathered from every feature.
    menu: list[MenuEntry] = field(default_factory=list)
    commands: list[CommandSpec] = field(default_factory=list)
    #: The one outbox sender of this application (its pacing and 429 pause outlive a job run).
    sender: Sender | None = None

    def deliver_now(self) -> None:
        """After a transaction that queued outbox rows: send them now, in the background."""
        if self.sender is not None:
            self.sender.kick()


class BotData:
    """``bot_data``: holds the services (never persisted)."""

    def __init__(self) -> None:
        self.services: Services | None = None


class Context(CallbackContext[ExtBot[None], dict[str, Any], dict[str, Any], BotData]):
    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are not set up: build the application with bot.app")
        return services


ResidentApp = Application[ExtBot[None], Context, dict[str, Any], dict[str, Any], BotData, Any]
