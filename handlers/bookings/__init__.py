"""Shared room booking (共享空间预约): /book, /mybookings, approvals, and the staff's /rooms,
/blackout (typed, or by buttons), /blackouts and /utilisation; plus the "bookings-remind" job.

The booking flow keeps no conversation state (every button carries what the next step needs,
see ``callbacks``): ``book`` (room -> day -> grid), ``confirm`` (start -> length -> confirm),
``watch`` (why a slot is unavailable; "tell me if it frees up"), ``approve``, ``mine``
(/mybookings, cancelling), ``staff`` (/rooms, the typed /blackout), ``closing`` (/blackout by
buttons: room -> day -> from -> to -> reason, a conversation for the typed reason),
``blackouts`` (/blackouts, opening a room again), ``utilisation`` and ``remind`` (the job). The
use cases are in ``bot.services.bookings``.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.feature import CommandSpec, Feature, JobSpec, MenuEntry
from bot.i18n import N_
from bot.rules.auth import Role
from handlers.bookings.approve import decide
from handlers.bookings.blackouts import list_blackouts, open_again
from handlers.bookings.book import book_start, pick_day, pick_room
from handlers.bookings.callbacks import (
    BookCancel,
    BookConfirm,
    BookDay,
    BookDecide,
    BookLength,
    BookRoom,
    BookRooms,
    BookSlot,
    BookSlotInfo,
    BookWatch,
    MyBookings,
    OpenAgain,
)
from handlers.bookings.closing import close_conversation
from handlers.bookings.confirm import confirm, pick_length, pick_start
from handlers.bookings.mine import cancel_booking, my_bookings
from handlers.bookings.remind import REMIND_JOB, remind_job
from handlers.bookings.staff import blackout, rooms_today
from handlers.bookings.utilisation import utilisation
from handlers.bookings.watch import slot_info, watch
from handlers.kit.callbacks import matches
from handlers.kit.menu import menu_pattern


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("book", book_start),
        CallbackQueryHandler(book_start, pattern=menu_pattern("book")),
        CallbackQueryHandler(book_start, pattern=matches(BookRooms)),
        CallbackQueryHandler(pick_room, pattern=matches(BookRoom)),
        CallbackQueryHandler(pick_day, pattern=matches(BookDay)),
        CallbackQueryHandler(pick_start, pattern=matches(BookSlot)),
        CallbackQueryHandler(slot_info, pattern=matches(BookSlotInfo)),
        CallbackQueryHandler(pick_length, pattern=matches(BookLength)),
        CallbackQueryHandler(confirm, pattern=matches(BookConfirm)),
        CallbackQueryHandler(watch, pattern=matches(BookWatch)),
        CommandHandler("mybookings", my_bookings),
        CallbackQueryHandler(my_bookings, pattern=menu_pattern("mybookings")),
        CallbackQueryHandler(my_bookings, pattern=matches(MyBookings)),
        CallbackQueryHandler(cancel_booking, pattern=matches(BookCancel)),
        CallbackQueryHandler(decide, pattern=matches(BookDecide)),
        CommandHandler("rooms", rooms_today),
        close_conversation(),
        CommandHandler("blackout", blackout),
        CommandHandler("blackouts", list_blackouts),
        CallbackQueryHandler(open_again, pattern=matches(OpenAgain)),
        CommandHandler("utilisation", utilisation),
    ]


def _verified(p: Any) -> bool:
    return bool(p.verified)


FEATURE = Feature(
    name="bookings",
    handlers=_handlers,
    menu=(
        MenuEntry("book", N_("Book a room"), 30),
        MenuEntry("mybookings", N_("My bookings"), 31, visible=_verified),
    ),
    commands=(
        CommandSpec("book", N_("Book a shared room")),
        CommandSpec("mybookings", N_("Your room bookings")),
        CommandSpec(
            "rooms",
            N_("Staff: today's and tomorrow's room bookings"),
            roles=(Role.STAFF, Role.MANAGER),
        ),
        CommandSpec(
            "blackout", N_("Staff: close a room for a time"), roles=(Role.STAFF, Role.MANAGER)
        ),
        CommandSpec(
            "blackouts",
            N_("Staff: rooms closed from now on, and opening one again"),
            roles=(Role.STAFF, Role.MANAGER),
        ),
        CommandSpec(
            "utilisation", N_("Manager: how much each room is used"), roles=(Role.MANAGER,)
        ),
    ),
    jobs=(JobSpec(REMIND_JOB, remind_job, interval_seconds=60.0, first_seconds=10.0),),
)

__all__ = ["FEATURE", "REMIND_JOB"]
