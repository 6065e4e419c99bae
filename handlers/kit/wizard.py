"""Conversations built one way: a step-by-step flow (a wizard) with the standard way out, and
its typed draft.

    DRAFT = Drafts("votes_draft", ProposalDraft)     # a dataclass with JSON-friendly fields

    conversation = wizard(
        "votes-propose",
        cancel_scope="propose",                      # the Dismiss(...) scope of its Cancel button
        entry_points=[CommandHandler("propose", start)],
        states={TITLE: [MessageHandler(TEXT, got_title)], ...},
        on_cancel=cancel,                            # Cancel button and /cancel
    )

    draft = DRAFT.load(context); draft.title = text; DRAFT.save(context, draft)

Every wizard is persistent (a resident half-way through a flow continues after a restart),
answers its Cancel button and ``/cancel`` with ``on_cancel``, ends at ``/menu`` (the main menu is
one command away at any step, and what is typed next goes to the menu's flow, not to the one left
half-way), and answers anything else sent in
the private chat while it waits for a button with the standard hint (``use_buttons``). Drafts
live in ``user_data`` as plain dicts (PTB's persistence writes them as JSON), read back into the
dataclass: unknown keys (a draft from an older version) are dropped, missing ones take the
field's default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, Generic, TypeVar

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import Context
from bot.i18n import Translator
from bot.rules.auth import Principal
from handlers.kit.callbacks import CallbackData
from handlers.kit.guards import dismiss_pattern, stale, use_buttons
from handlers.kit.menu import main_menu
from handlers.kit.turn import Turn, begin, pressed, touch_person
from handlers.kit.ui import answer, reply

Callback = Callable[[Update, Context], Coroutine[Any, Any, Any]]
AnyHandler = BaseHandler[Any, Any, Any]
T = TypeVar("T")
D = TypeVar("D", bound=CallbackData)


def wizard(
    name: str,
    *,
    entry_points: Sequence[AnyHandler],
    states: Mapping[object, Sequence[AnyHandler]],
    on_cancel: Callback,
    cancel_scope: str | None = None,
    fallbacks: Sequence[AnyHandler] = (),
    hint: Callback | None = use_buttons,
    allow_reentry: bool = True,
    per_chat: bool = True,
) -> ConversationHandler[Any]:
    """A persistent conversation named ``name`` with the standard fallbacks: its Cancel button
    (``Dismiss(cancel_scope or name)``) and ``/cancel`` run ``on_cancel``; ``/menu`` ends the
    conversation and shows the main menu; then ``fallbacks``;
    then, unless ``hint`` is None, anything but a command in a private chat gets ``hint``.
    ``per_chat=False``: one conversation per user across chats (started by a press in a group,
    continued in private)."""
    standard: list[AnyHandler] = [
        CallbackQueryHandler(on_cancel, pattern=dismiss_pattern(cancel_scope or name)),
        CommandHandler("cancel", on_cancel),
        CommandHandler("menu", _leave_for_menu),
        *fallbacks,
    ]
    if hint is not None:
        standard.append(MessageHandler(filters.ChatType.PRIVATE & ~filters.COMMAND, hint))
    return ConversationHandler(
        entry_points=list(entry_points),
        states={state: list(handlers) for state, handlers in states.items()},
        fallbacks=standard,
        name=name,
        persistent=True,
        allow_reentry=allow_reentry,
        per_chat=per_chat,
    )


async def _leave_for_menu(update: Update, context: Context) -> int:
    """``/menu`` in the middle of a flow: the flow ends (nothing was sent; its draft is dropped
    the next time it starts) and the main menu is shown."""
    turn = await begin(update, context)
    note = turn.tr._("You left what you were doing; nothing was sent.")
    await main_menu(update, context, turn, note)
    return ConversationHandler.END


class Drafts(Generic[T]):
    """A typed draft kept in ``user_data[key]``."""

    def __init__(self, key: str, cls: type[T]) -> None:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass")
        self.key = key
        self.cls = cls
        self._fields = {f.name for f in dataclasses.fields(cls)}

    def load(self, context: Context) -> T:
        """The draft in progress, or a new one."""
        stored = _user_data(context).get(self.key)
        if not isinstance(stored, dict):
            return self.cls()
        return self.cls(**{k: v for k, v in stored.items() if k in self._fields})

    def save(self, context: Context, draft: T) -> None:
        _user_data(context)[self.key] = dataclasses.asdict(draft)  # type: ignore[call-overload]

    def clear(self, context: Context) -> None:
        _user_data(context).pop(self.key, None)


async def started(
    update: Update,
    context: Context,
    drafts: Drafts[T],
    *,
    allowed: Callable[[Principal], bool],
    refused: Callable[[Translator], str],
) -> Turn | None:
    """A wizard's first step: the press (if any) answered; someone ``allowed`` refuses is told
    ``refused`` in their language (``None``: end the conversation); otherwise the person is
    recorded and a new draft saved, and their turn returned for the first question."""
    turn = await begin(update, context)
    await answer(update.callback_query)
    if not allowed(turn.principal):
        await reply(update, refused(turn.tr))
        return None
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
    drafts.save(context, drafts.cls())
    return turn


async def chosen(
    update: Update,
    context: Context,
    cls: type[D],
    drafts: Drafts[T],
    name: str,
    valid: Callable[[Any], bool],
) -> Turn | None:
    """A wizard's button step: the press's field ``name`` kept as the draft's ``name`` when
    ``valid`` (the press answered, the presser's turn returned); a value no button of the step
    offers (forged or stale) gets the ``stale`` answer and ``None``, and the draft is kept."""
    query, data, turn = await pressed(update, context, cls)
    value = getattr(data, name)
    if not valid(value):
        await stale(query, turn)
        return None
    await answer(query)
    draft = drafts.load(context)
    setattr(draft, name, value)
    drafts.save(context, draft)
    return turn


def cancelled(
    key: str, words: Callable[[Translator], str]
) -> Callable[[Update, Context], Coroutine[Any, Any, int]]:
    """A wizard's ``on_cancel`` for a draft kept in ``user_data[key]``: the press answered, the
    draft dropped, ``words`` said in the person's language, the conversation over."""

    async def cancel(update: Update, context: Context) -> int:
        await answer(update.callback_query)
        if context.user_data is not None:
            context.user_data.pop(key, None)
        turn = await begin(update, context)
        await reply(update, words(turn.tr))
        return ConversationHandler.END

    return cancel


def _user_data(context: Context) -> dict[str, Any]:
    data = context.user_data
    if data is None:  # only in updates without a user, which no wizard handles
        raise RuntimeError("a wizard step ran for an update without a user")
    return data
