"""The report wizard's questions: the prompt of each step (with an optional note above it),
the summary before sending, going back a step and the hint for input a step does not take."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import Context
from bot.i18n import Translator
from bot.rules.tickets import MAX_PHOTOS, Kind
from bot.services.tickets_render import category_name
from bot.texts.tickets import KIND_LABELS
from handlers.kit import Turn, answer, begin, button, keyboard, private_only, reply
from handlers.tickets.callbacks import (
    ComplainUnnamed,
    Nav,
    PickBuilding,
    PickCategory,
    PickHome,
    PickKind,
    PickPublic,
    RepairAt,
    ReportNav,
)
from handlers.tickets.draft import (
    BUILDING,
    CATEGORY,
    CONFIRM,
    DESCRIBE,
    DRAFT,
    DUPLICATE,
    KIND,
    PHOTOS,
    PLACE,
    WHERE,
    ReportDraft,
)
from handlers.tickets.keyboards import cancel_button, nav
from storage import community


async def show(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    """A step's prompt: a new message after a message, the pressed message edited after a
    button."""
    if update.callback_query is None:
        chat = update.effective_chat
        assert chat is not None
        await chat.send_message(text, reply_markup=markup)
    else:
        await reply(update, text, markup)


async def ask(update: Update, context: Context, turn: Turn, state: str, note: str = "") -> str:
    """Show the prompt of ``state`` (with an optional note above it) and return ``state``."""
    tr = turn.tr
    draft = DRAFT.load(context)
    text = ""
    markup: InlineKeyboardMarkup
    if state == KIND:
        text = tr._("What would you like to report?")
        markup = keyboard(kind_buttons(turn), footer=[cancel_button(tr)])
    elif state == CATEGORY:
        async with turn.services.db.read() as conn:
            cats = await community.categories(conn)
        text = tr._("What is it about?")
        buttons = [button(tr.name(c.names), PickCategory(c.code)) for c in cats]
        markup = keyboard(buttons, per_row=2, footer=nav(tr))
    elif state == WHERE:
        text = tr._("Where is it?")
        homes = [
            button(tr._("My home ({unit})", unit=r.unit_code), PickHome(r.unit_id))
            for r in turn.principal.verified
        ] or [button(tr._("My home"), PickHome(0))]
        markup = keyboard([*homes, button(tr._("A public area"), PickPublic())], footer=nav(tr))
    elif state == BUILDING:
        async with turn.services.db.read() as conn:
            buildings = await community.buildings(conn)
        text = tr._("Which building?")
        buttons = [button(tr.name(b.names), PickBuilding(b.id)) for b in buildings]
        markup = keyboard(buttons, per_row=3, footer=nav(tr))
    elif state == PLACE:
        text = tr._(
            "Where exactly, and what is wrong? Write it in one message, for example "
            '"3F corridor, the light is out", or send a voice note.'
        )
        markup = keyboard([], footer=nav(tr))
    elif state == DESCRIBE:
        text = tr._(
            "Please describe the problem in a few words, or send a voice note. "
            "You can also send a photo with a caption."
        )
        markup = keyboard([], footer=nav(tr))
    elif state == PHOTOS:
        text, markup = photos_prompt(tr, len(draft.photos))
    else:  # CONFIRM: a step changed from the summary is done
        if draft.editing:
            draft.editing = False
            DRAFT.save(context, draft)
        text = await summary(turn, draft)
        if len(draft.photos) < MAX_PHOTOS:
            text += "\n\n" + tr._(
                "To add photos (up to {max}), just send them now.", max=MAX_PHOTOS
            )
        markup = confirm_markup(tr, draft)
    if note:
        text = f"{note}\n\n{text}"
    await show(update, text, markup)
    return state


async def ask_next(update: Update, context: Context, turn: Turn, state: str) -> str:
    """Go on to ``state``, or back to the summary when one step was being changed from it."""
    editing = DRAFT.load(context).editing
    return await ask(update, context, turn, CONFIRM if editing else state)


def kind_buttons(turn: Turn) -> list[InlineKeyboardButton]:
    """The first question: a repair at home (one per unit) or in a public area, a complaint
    (with or without one's name), a suggestion."""
    tr = turn.tr
    homes = turn.principal.verified
    found = [
        button(
            tr._("🏠 A repair in my home ({unit})", unit=r.unit_code)
            if len(homes) > 1
            else tr._("🏠 A repair in my home"),
            RepairAt(r.unit_id),
        )
        for r in homes
    ]
    found += [
        button(tr._("🏢 A repair in a public area"), RepairAt(0)),
        button(tr._(KIND_LABELS[Kind.COMPLAINT]), PickKind(Kind.COMPLAINT)),
        button(tr._("A complaint, without my name"), ComplainUnnamed()),
        button(tr._(KIND_LABELS[Kind.SUGGESTION]), PickKind(Kind.SUGGESTION)),
    ]
    return found


def photos_prompt(tr: Translator, count: int) -> tuple[str, InlineKeyboardMarkup]:
    if count:
        text = tr._(
            "Photo {count} of {max} received. Send another, or tap Done.",
            count=count,
            max=MAX_PHOTOS,
        )
        label = tr._("Done")
    else:
        text = tr._(
            "Would you like to add photos (up to {max})? Send them now, or tap Skip.",
            max=MAX_PHOTOS,
        )
        label = tr._("Skip")
    return text, keyboard([button(label, ReportNav(Nav.NEXT))], footer=nav(tr))


def confirm_markup(tr: Translator, draft: ReportDraft) -> InlineKeyboardMarkup:
    buttons = [
        button(tr._("Send the report"), ReportNav(Nav.CONFIRM)),
        button(tr._("Change something"), ReportNav(Nav.EDIT)),
    ]
    if draft.kind == Kind.COMPLAINT.value:
        label = (
            tr._("Show my name to staff") if draft.anonymous else tr._("Hide my name from staff")
        )
        buttons.append(button(label, ReportNav(Nav.ANONYMOUS)))
    return keyboard(buttons, footer=nav(tr))


async def where_of_draft(turn: Turn, draft: ReportDraft) -> str:
    async with turn.services.db.read() as conn:
        building = await community.building(conn, int(draft.building_id or 0))
        if draft.unit_id:
            unit = await community.unit(conn, int(draft.unit_id))
            return turn.tr._("my home, unit {unit}", unit=unit.code if unit else "?")
    return turn.tr._(
        "{building}, {place}",
        building=turn.tr.name(building.names) if building else "?",
        place=draft.place,
    )


async def category_label(turn: Turn, code: str) -> str:
    async with turn.services.db.read() as conn:
        return await category_name(conn, turn.tr, code)


async def summary(turn: Turn, draft: ReportDraft) -> str:
    tr = turn.tr
    assert draft.kind is not None and draft.category is not None
    lines = [
        tr._("Please check your report:"),
        tr._("Type: {kind}", kind=tr._(KIND_LABELS[Kind(draft.kind)])),
        tr._("About: {category}", category=await category_label(turn, draft.category)),
        tr._("Where: {where}", where=await where_of_draft(turn, draft)),
    ]
    if draft.description:
        lines.append(tr._("Description: {text}", text=draft.description))
    if draft.voice:
        lines.append(tr._("Voice note attached."))
    photos = len(draft.photos)
    if photos:
        lines.append(tr.n_("{n} photo attached.", "{n} photos attached.", photos))
    if draft.kind == Kind.COMPLAINT.value:
        lines.append(
            tr._("Staff will not see your name (the manager can, to follow up).")
            if draft.anonymous
            else tr._("Staff will see your name.")
        )
    return "\n".join(lines)


def back_to(state: str) -> Any:
    """Back one step; while a step is being changed from the summary, back to the summary."""

    @private_only
    async def go_back(update: Update, context: Context) -> str:
        await answer(update.callback_query)
        turn = await begin(update, context)
        return await ask_next(update, context, turn, state)

    return go_back


def hint_for(state: str) -> Any:
    """Wrong input at a step: a gentle hint, the step asked again, nothing changed."""

    @private_only
    async def hint(update: Update, context: Context) -> str:
        turn = await begin(update, context)
        tr = turn.tr
        if state == PLACE:
            note = tr._("Please write where it is and what is wrong, or send a voice note.")
        elif state == DESCRIBE:
            note = tr._("Please describe the problem in words or with a voice note.")
        elif state == PHOTOS:
            note = tr._("Please send a photo, or tap Skip / Done.")
        else:
            note = tr._("Please tap one of the buttons below, or Cancel to stop.")
        if state == DUPLICATE:
            message = update.effective_message
            if message is not None:
                await message.reply_text(note)
            return state
        return await ask(update, context, turn, state, note)

    return hint
