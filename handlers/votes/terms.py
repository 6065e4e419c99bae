"""The terms of a proposal's vote, asked in /propose after its audience: the kind (resident
poll or owners' decision), the art. 278 item or the basis and options, the quorum, when voting
opens and how long it stays open."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules.tally import Art278Item, PollBasis
from bot.rules.votes import (
    DEFAULT_OPTIONS,
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    custom_options,
    opening_choices,
    valid_opening,
)
from bot.texts.votes import item_label
from handlers.kit import Turn, answer, begin, button, keyboard, pressed, private_only, reply, stale
from handlers.votes.callbacks import (
    Kind,
    PickBasis,
    PickDays,
    PickItem,
    PickKind,
    PickOpening,
    PickOptions,
    PickQuorum,
)
from handlers.votes.drafts import (
    BASIS,
    DAYS,
    DRAFT,
    DURATIONS,
    ITEM,
    OPENING,
    OPTION_TEXT,
    OPTIONS,
    QUORUM,
    QUORUMS,
)
from handlers.votes.keyboards import cancel_button


@private_only
async def got_kind(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickKind)
    await answer(query)
    draft = DRAFT.load(context)
    draft.kind = data.kind.value
    DRAFT.save(context, draft)
    if data.kind is Kind.DECISION:
        buttons = [button(item_label(turn.tr, i), PickItem(int(i))) for i in Art278Item]
        await reply(
            update,
            turn.tr._(
                "Which matter of art. 278 is it? It sets the threshold: raising the maintenance "
                "fund, rebuilding and changing the use of common parts need 3/4; the others "
                "more than half."
            ),
            keyboard(buttons, footer=[cancel_button(turn.tr)]),
        )
        return ITEM
    await reply(
        update,
        turn.tr._("One vote per household, or one vote per resident?"),
        keyboard(
            [
                button(turn.tr._("One per household"), PickBasis(PollBasis.HOUSEHOLD)),
                button(turn.tr._("One per resident"), PickBasis(PollBasis.RESIDENT)),
            ],
            footer=[cancel_button(turn.tr)],
        ),
    )
    return BASIS


@private_only
async def got_item(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickItem)
    if data.item not in {int(i) for i in Art278Item}:
        await stale(update.callback_query, turn)
        return ITEM
    await answer(query)
    draft = DRAFT.load(context)
    draft.item = data.item
    draft.options = [o.to_json() for o in DEFAULT_OPTIONS]
    draft.basis = PollBasis.HOUSEHOLD.value
    DRAFT.save(context, draft)
    return await ask_opening(update, turn)


@private_only
async def got_basis(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickBasis)
    await answer(query)
    draft = DRAFT.load(context)
    draft.basis = data.basis.value
    DRAFT.save(context, draft)
    await reply(
        update,
        turn.tr._("Which options? Agree / Disagree / Abstain, or your own options?"),
        keyboard(
            [
                button(turn.tr._("Agree / Disagree / Abstain"), PickOptions(False)),
                button(turn.tr._("My own options"), PickOptions(True)),
            ],
            footer=[cancel_button(turn.tr)],
        ),
    )
    return OPTIONS


@private_only
async def got_options_choice(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickOptions)
    await answer(query)
    if not data.custom:
        draft = DRAFT.load(context)
        draft.options = [o.to_json() for o in DEFAULT_OPTIONS]
        DRAFT.save(context, draft)
        return await ask_quorum(update, turn)
    await reply(
        update,
        turn.tr._(
            "Send the options in one message, one per line (2 to {max} options).",
            max=MAX_OPTIONS,
        ),
        keyboard([cancel_button(turn.tr)]),
    )
    return OPTION_TEXT


@private_only
async def got_option_text(update: Update, context: Context) -> str:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None and message.text is not None
    options = custom_options(message.text.splitlines())
    too_long = any(len(o.label or "") > MAX_OPTION_LENGTH for o in options)
    if not 2 <= len(options) <= MAX_OPTIONS or too_long:
        await message.reply_text(
            turn.tr._(
                "Please send 2 to {max} options, one per line, each under {length} characters.",
                max=MAX_OPTIONS,
                length=MAX_OPTION_LENGTH,
            )
        )
        return OPTION_TEXT
    draft = DRAFT.load(context)
    draft.options = [o.to_json() for o in options]
    DRAFT.save(context, draft)
    return await ask_quorum(update, turn)


async def ask_quorum(update: Update, turn: Turn) -> str:
    buttons = [button(turn.tr._("No minimum"), PickQuorum(0, 1))]
    for n, d in QUORUMS:
        if n:
            share = f"{n}/{d}"
            buttons.append(button(turn.tr._("At least {share}", share=share), PickQuorum(n, d)))
    await reply(
        update,
        turn.tr._("Should a minimum share of those entitled take part for the result to count?"),
        keyboard(buttons, per_row=2, footer=[cancel_button(turn.tr)]),
    )
    return QUORUM


@private_only
async def got_quorum(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickQuorum)
    if (data.num, data.den) not in QUORUMS:
        await stale(update.callback_query, turn)
        return QUORUM
    await answer(query)
    draft = DRAFT.load(context)
    draft.quorum = [data.num, data.den] if data.num else None
    DRAFT.save(context, draft)
    return await ask_opening(update, turn)


async def ask_opening(update: Update, turn: Turn) -> str:
    tr = turn.tr
    buttons = [button(tr._("As soon as it is approved"), PickOpening(0))]
    for days, moment in opening_choices(turn.now, tr.tz):
        day, hour = tr.weekday_day(moment.date()), tr.clock(moment)
        if days == 1:
            label = tr._("Tomorrow, {day} {time}", day=day, time=hour)
        else:
            label = tr.n_(
                "In {n} day, {day} {time}", "In {n} days, {day} {time}", days, day=day, time=hour
            )
        buttons.append(button(label, PickOpening(int(moment.timestamp()))))
    await reply(
        update,
        tr._(
            "When should voting open? If the proposal is approved only after that time, "
            "voting opens at the approval."
        ),
        keyboard(buttons, footer=[cancel_button(tr)]),
    )
    return OPENING


@private_only
async def got_opening(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickOpening)
    if not valid_opening(data.at, turn.ts, turn.tr.tz):
        await stale(update.callback_query, turn)  # e.g. "tomorrow" offered two days ago: ask again
        return await ask_opening(update, turn)
    await answer(query)
    draft = DRAFT.load(context)
    draft.opens_at = data.at or None
    DRAFT.save(context, draft)
    return await ask_days(update, turn)


async def ask_days(update: Update, turn: Turn) -> str:
    buttons = [button(turn.tr.n_("{n} day", "{n} days", d), PickDays(d)) for d in DURATIONS]
    await reply(
        update,
        turn.tr._("How long should voting stay open, counted from its opening?"),
        keyboard(buttons, per_row=3, footer=[cancel_button(turn.tr)]),
    )
    return DAYS
