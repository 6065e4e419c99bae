"""The report wizard's description and media: text, a voice note or a photo with a caption,
up to MAX_PHOTOS photos, changing any step from the summary and hiding the name of a
complaint."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules.tickets import MAX_PHOTOS, Kind
from handlers.kit import answer, begin, button, keyboard, pressed, private_only, text_too_long
from handlers.tickets.callbacks import EditStep
from handlers.tickets.draft import CATEGORY, CONFIRM, DESCRIBE, DRAFT, EDITABLE, WHERE
from handlers.tickets.prompts import ask, show


@private_only
async def describe_text(update: Update, context: Context) -> str:
    message = update.effective_message
    assert message is not None and message.text is not None
    turn = await begin(update, context)
    text = message.text.strip()
    problem = text_too_long(turn, text)
    if problem or not text:
        return await ask(update, context, turn, DESCRIBE, problem or "")
    draft = DRAFT.load(context)
    draft.description = text
    DRAFT.save(context, draft)
    return await ask(update, context, turn, CONFIRM)


@private_only
async def describe_voice(update: Update, context: Context) -> str:
    message = update.effective_message
    assert message is not None and message.voice is not None
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    draft.voice = message.voice.file_id
    DRAFT.save(context, draft)
    return await ask(update, context, turn, CONFIRM)


@private_only
async def describe_photo(update: Update, context: Context) -> str:
    message = update.effective_message
    assert message is not None and message.photo
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    if len(draft.photos) < MAX_PHOTOS:
        draft.photos.append(message.photo[-1].file_id)
    DRAFT.save(context, draft)
    caption = (message.caption or "").strip()
    if caption:
        problem = text_too_long(turn, caption)
        if problem:
            return await ask(update, context, turn, DESCRIBE, problem)
        draft.description = caption
        DRAFT.save(context, draft)
        return await ask(update, context, turn, CONFIRM)
    if draft.voice or draft.description:
        return await ask(update, context, turn, CONFIRM)
    return await ask(update, context, turn, DESCRIBE, turn.tr._("Photo received."))


@private_only
async def add_photo(update: Update, context: Context) -> str:
    """A photo on the summary (or on the old photos step): added, the summary shown again."""
    message = update.effective_message
    assert message is not None and message.photo
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    if len(draft.photos) < MAX_PHOTOS:
        draft.photos.append(message.photo[-1].file_id)
    DRAFT.save(context, draft)
    return await ask(update, context, turn, CONFIRM)


@private_only
async def photos_done(update: Update, context: Context) -> str:
    await answer(update.callback_query)
    turn = await begin(update, context)
    return await ask(update, context, turn, CONFIRM)


@private_only
async def edit_menu(update: Update, context: Context) -> str:
    """ "Change something" on the summary: which step to change."""
    await answer(update.callback_query)
    turn = await begin(update, context)
    tr = turn.tr
    labels = {
        "category": tr._("What it is about"),
        "place": tr._("Where it is"),
        "description": tr._("The description"),
        "photos": tr._("Remove the photos"),
    }
    draft = DRAFT.load(context)
    steps = [s for s in EDITABLE if s != "photos" or draft.photos]
    buttons = [button(labels[step], EditStep(step)) for step in steps]
    buttons.append(button(tr._("Back to the summary"), EditStep("summary")))
    await show(update, tr._("What would you like to change?"), keyboard(buttons))
    return CONFIRM


@private_only
async def edit_step(update: Update, context: Context) -> str:
    """Change one step; after it the summary comes back (``ask_next``), the rest is kept."""
    query, data, turn = await pressed(update, context, EditStep)
    await answer(query)
    draft = DRAFT.load(context)
    if data.step not in EDITABLE or not draft.located:
        return await ask(update, context, turn, CONFIRM)
    if data.step == "photos":
        count = len(draft.photos)
        draft.photos = []
        DRAFT.save(context, draft)
        note = turn.tr.n_("{n} photo removed.", "{n} photos removed.", count) if count else ""
        return await ask(update, context, turn, CONFIRM, note)
    draft.editing = True
    if data.step == "description":
        draft.description = ""
        draft.voice = None
    DRAFT.save(context, draft)
    state = {"category": CATEGORY, "place": WHERE, "description": DESCRIBE}
    return await ask(update, context, turn, state[data.step])


@private_only
async def toggle_anonymous(update: Update, context: Context) -> str:
    await answer(update.callback_query)
    turn = await begin(update, context)
    draft = DRAFT.load(context)
    if draft.kind == Kind.COMPLAINT.value:
        draft.anonymous = not draft.anonymous
        DRAFT.save(context, draft)
    return await ask(update, context, turn, CONFIRM)
