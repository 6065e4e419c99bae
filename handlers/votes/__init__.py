"""Proposals and votes (议事 / 表决): /propose (with the opening and the duration of voting),
review by the committee or manager, the ballot (changeable until the close, with a receipt),
paper ballots, /votes, the "votes-due" sweep that opens (at the chosen opening), reminds and
closes, the published result, and /receipt after the close.

Tallies stay hidden until the close: nobody sees choices before it. Committee members and the
manager see participation (for owners' decisions the distance to quorum); building leaders see
the turnout of their buildings.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import Context, Services
from bot.delivery import payload_buttons
from bot.feature import CommandSpec, Feature, JobSpec, MenuEntry
from bot.i18n import N_, Translator
from bot.rules.auth import Action, Principal, Relation, Role, can
from bot.rules.clock import from_ts
from bot.rules.tally import Art278Item, PollBasis, receipt, verify_receipt
from bot.rules.votes import (
    DAY,
    DEFAULT_OPTIONS,
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    AudienceUnit,
    OptionDef,
    count,
    custom_options,
    effective_ballots,
    find_option,
    household_key,
    live_decision,
    opening_choices,
    owner_key,
    resident_key,
    valid_opening,
)
from bot.texts.votes import (
    item_label,
    option_label,
    render_distance,
    render_missing,
    render_result,
    threshold_text,
)
from handlers.kit import (
    Dismiss,
    MenuPick,
    Turn,
    answer,
    begin,
    button,
    dismiss_pattern,
    keyboard,
    notify,
    pressed,
    private_only,
    reply,
    stale,
    text_too_long,
    touch_person,
    translator_for,
    use_buttons,
)
from handlers.kit.callbacks import CallbackData, callback, matches
from handlers.kit.menu import menu_pattern
from storage import community, outbox, people
from storage import notices as notices_store
from storage import votes as store
from storage.votes import Proposal

JOB_NAME = "votes-due"
RETRY_AFTER = 600  # seconds before a failed due row is tried again
log = logging.getLogger(__name__)
(
    TITLE,
    BODY,
    AUDIENCE,
    KIND,
    ITEM,
    BASIS,
    OPTIONS,
    OPTION_TEXT,
    QUORUM,
    OPENING,
    DAYS,
    PREVIEW,
) = (
    f"propose:{s}"
    for s in (
        "title",
        "body",
        "audience",
        "kind",
        "item",
        "basis",
        "options",
        "otext",
        "quorum",
        "opening",
        "days",
        "preview",
    )
)
COMMENT = "review:comment"
DRAFT_KEY, REVIEW_KEY = "vote_draft", "vote_review"
MAX_TITLE, MAX_BODY = 100, 1000
DURATIONS = (3, 7, 14)
QUORUMS = ((0, 1), (1, 3), (1, 2), (2, 3))  # (0, 1): no quorum


class Kind(enum.StrEnum):
    POLL = "poll"
    DECISION = "decision"


class Verdict(enum.StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"


@callback("va")
@dataclass(frozen=True)
class PickAudience(CallbackData):
    building_id: int  # 0: the whole community


@callback("vk")
@dataclass(frozen=True)
class PickKind(CallbackData):
    kind: Kind


@callback("vi")
@dataclass(frozen=True)
class PickItem(CallbackData):
    item: int


@callback("vb")
@dataclass(frozen=True)
class PickBasis(CallbackData):
    basis: PollBasis


@callback("vo")
@dataclass(frozen=True)
class PickOptions(CallbackData):
    custom: bool


@callback("vq")
@dataclass(frozen=True)
class PickQuorum(CallbackData):
    num: int
    den: int


@callback("ve")
@dataclass(frozen=True)
class Revise(CallbackData):
    """The author edits a proposal that was sent back, and submits it again."""

    proposal_id: int


@callback("vt")
@dataclass(frozen=True)
class KeepText(CallbackData):
    """Keep the title or text of the proposal being revised."""


@callback("vw")
@dataclass(frozen=True)
class PickOpening(CallbackData):
    """When voting opens: unix seconds of an offered 08:00, or 0 for "as soon as approved"."""

    at: int


@callback("vd")
@dataclass(frozen=True)
class PickDays(CallbackData):
    days: int


@callback("vs")
@dataclass(frozen=True)
class Submit(CallbackData):
    pass


@callback("vr")
@dataclass(frozen=True)
class Review(CallbackData):
    proposal_id: int
    verdict: Verdict


@callback("vc")
@dataclass(frozen=True)
class Cast(CallbackData):
    proposal_id: int
    unit_id: int
    option: str


@callback("vv")
@dataclass(frozen=True)
class ShowBallot(CallbackData):
    proposal_id: int


@callback("vx")
@dataclass(frozen=True)
class CheckBallot(CallbackData):
    proposal_id: int


# ---- who votes, for which unit ------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One vote a person may cast on a proposal: for this unit, under this counting key."""

    unit_id: int
    unit_code: str
    count_key: str


def slots_for(
    proposal: Proposal,
    user_id: int,
    residences: Iterable[tuple[int, str]],
    units: Mapping[int, AudienceUnit],
) -> tuple[list[Slot], str | None]:
    """The votes of a person with these verified (unit id, relation) residences, and if none,
    why: "audience" (no unit in the audience) or "owner" (owners' decision, not an owner)."""
    slots: list[Slot] = []
    in_audience = False
    for unit_id, relation in residences:
        unit = units.get(unit_id)
        if unit is None:
            continue
        in_audience = True
        if proposal.is_decision:
            key = owner_key(unit) if relation == Relation.OWNER.value else None
        elif proposal.basis == PollBasis.RESIDENT.value:
            key = resident_key(user_id)
        else:
            key = household_key(unit_id)
        if key is not None and all(s.count_key != key for s in slots):
            slots.append(Slot(unit_id, unit.code, key))
    if slots:
        return slots, None
    return [], ("owner" if in_audience else "audience")


def voter_key(user_id: int) -> str:
    """What a receipt is bound to: the person (their ballot may be changed until the close)."""
    return f"user:{user_id}"


def refusal(tr: Translator, reason: str | None) -> str:
    if reason == "owner":
        return tr._(
            "Only owners vote on an owners' decision (one vote per owner). Tenants and family "
            "members take part in the discussion and in resident polls."
        )
    if reason == "verified":
        return tr._("Only confirmed residents can vote. Join your unit first with /join.")
    return tr._("This vote is for the residents of another building, so you cannot vote on it.")


# ---- texts --------------------------------------------------------------------------------


async def audience_name(conn: aiosqlite.Connection, tr: Translator, building_id: int | None) -> str:
    if building_id is None:
        return tr._("the whole community")
    found = await community.building(conn, building_id)
    return found.name if found else "?"


def kind_text(tr: Translator, proposal: Proposal) -> str:
    if proposal.is_decision:
        assert proposal.art278_item is not None
        return tr._(
            "Owners' decision (Civil Code art. 278): {item}; {rule}.",
            item=item_label(tr, proposal.art278_item),
            rule=threshold_text(tr, proposal.art278_item),
        )
    if proposal.basis == PollBasis.RESIDENT.value:
        text = tr._("Resident poll: one vote per confirmed resident.")
    else:
        text = tr._("Resident poll: one vote per household.")
    if proposal.quorum is not None:
        share = f"{proposal.quorum.numerator}/{proposal.quorum.denominator}"
        text += " " + tr._("At least {share} must take part.", share=share)
    return text


def proposal_text(tr: Translator, proposal: Proposal, audience: str) -> str:
    header = proposal.title
    if proposal.id:
        header = tr._("Proposal #{id}: {title}", id=proposal.id, title=proposal.title)
    lines = [
        header,
        proposal.body,
        "",
        kind_text(tr, proposal),
        tr._("For: {audience}", audience=audience),
        tr._(
            "Options: {options}",
            options=" / ".join(option_label(tr, o) for o in proposal.options),
        ),
    ]
    return "\n".join(lines + timing_lines(tr, proposal))


def timing_lines(tr: Translator, proposal: Proposal) -> list[str]:
    """When voting opens and closes: the chosen (planned) times of a draft, the fixed ones of an
    approved proposal that is not open yet, the close once it is open."""
    opens, closes = proposal.opens_at, proposal.closes_at
    if proposal.state not in ("open", "closed") and opens is not None:
        if closes is None:  # a draft: the close counts from the chosen opening
            closes = opens + proposal.duration_days * DAY
        return [
            tr._("Voting opens: {when}", when=tr.when(from_ts(opens))),
            tr._("Voting closes: {when}", when=tr.when(from_ts(closes))),
        ]
    if closes is not None:
        return [tr._("Voting closes: {when}", when=tr.when(from_ts(closes)))]
    return [
        tr.n_(
            "Voting opens as soon as the proposal is approved and lasts {n} day",
            "Voting opens as soon as the proposal is approved and lasts {n} days",
            proposal.duration_days,
        )
    ]


def not_open_yet(tr: Translator, proposal: Proposal) -> str:
    assert proposal.opens_at is not None
    return tr._(
        "Voting on this proposal opens {when}; your ballot was not recorded.",
        when=tr.when(from_ts(proposal.opens_at)),
    )


def ballot_buttons(
    tr: Translator, proposal: Proposal, slots: Sequence[Slot]
) -> list[list[InlineKeyboardButton]]:
    rows: list[list[InlineKeyboardButton]] = []
    for slot in slots:
        row = []
        for option in proposal.options:
            label = option_label(tr, option)
            if len(slots) > 1:
                label = tr._("{unit}: {option}", unit=slot.unit_code, option=label)
            row.append(button(label, Cast(proposal.id, slot.unit_id, option.key)))
        rows += [row[i : i + 3] for i in range(0, len(row), 3)]
    return rows


def announcement(tr: Translator, proposal: Proposal, audience: str) -> str:
    return "\n".join(
        [
            tr._("🗳 A new vote is open."),
            proposal_text(tr, proposal, audience),
            "",
            tr._(
                "Tap your choice below. You can change it until the close; only the latest "
                "counts. Nobody sees the choices before the close."
            ),
        ]
    )


# ---- /propose -----------------------------------------------------------------------------


def cancel_button(tr: Translator) -> InlineKeyboardButton:
    return button(tr._("Cancel"), Dismiss("propose"))


def _user_data(context: Context) -> dict[str, Any]:
    data = context.user_data
    assert data is not None
    return data


def _draft(context: Context) -> dict[str, Any]:
    draft = _user_data(context).get(DRAFT_KEY)
    if not isinstance(draft, dict):
        draft = {}
        _user_data(context)[DRAFT_KEY] = draft
    return draft


def may_propose(p: Principal) -> bool:
    return can(p, Action.PROPOSE)


@private_only
async def propose_start(update: Update, context: Context) -> str | int:
    turn = await begin(update, context)
    await answer(update.callback_query)
    if not may_propose(turn.principal):
        await reply(
            update,
            turn.tr._(
                "Proposals can be made by confirmed residents, building leaders and staff. "
                "Join your unit first with /join."
            ),
        )
        return ConversationHandler.END
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
    _user_data(context)[DRAFT_KEY] = {}
    await reply(
        update,
        turn.tr._(
            'New proposal. What is its title? (one short line, e.g. "Repair the lift of '
            'building 2")'
        ),
        keyboard([cancel_button(turn.tr)]),
    )
    return TITLE


@private_only
async def got_title(update: Update, context: Context) -> str:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None and message.text is not None
    text = " ".join(message.text.split())
    problem = text_too_long(turn, text, MAX_TITLE)
    if problem or not text:
        await message.reply_text(problem or turn.tr._("Please send the title as text."))
        return TITLE
    _draft(context)["title"] = text
    return await ask_body(update, turn, context)


async def ask_body(update: Update, turn: Turn, context: Context) -> str:
    text = turn.tr._(
        "Now describe the proposal: what, why, how much it costs and who pays. Residents "
        "will read this before voting."
    )
    await _say(update, text, _keep_or_cancel(turn.tr, "body" in _draft(context)))
    return BODY


def _keep_or_cancel(tr: Translator, keep: bool) -> InlineKeyboardMarkup:
    buttons = [button(tr._("Keep it as it is"), KeepText())] if keep else []
    return keyboard([*buttons, cancel_button(tr)], per_row=2)


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    """A button press edits its message; a text message gets a new one."""
    if update.callback_query is not None:
        await reply(update, text, markup)
        return
    message = update.effective_message
    assert message is not None
    await message.reply_text(text, reply_markup=markup)


@private_only
async def got_body(update: Update, context: Context) -> str:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text.strip()
    problem = text_too_long(turn, text, MAX_BODY)
    if problem or not text:
        await message.reply_text(problem or turn.tr._("Please send the description as text."))
        return BODY
    _draft(context)["body"] = text
    return await ask_audience(update, turn, context)


async def ask_audience(update: Update, turn: Turn, context: Context) -> str:
    async with context.services.db.read() as conn:
        buildings = await community.buildings(conn)
    buttons = [button(turn.tr._("The whole community"), PickAudience(0))]
    buttons += [button(b.name, PickAudience(b.id)) for b in buildings]
    await _say(
        update,
        turn.tr._("Who is it for?"),
        keyboard(buttons, per_row=2, footer=[cancel_button(turn.tr)]),
    )
    return AUDIENCE


@private_only
async def keep_title(update: Update, context: Context) -> str:
    turn = await begin(update, context)
    if "title" not in _draft(context):
        await stale(update.callback_query, turn)
        return TITLE
    await answer(update.callback_query)
    return await ask_body(update, turn, context)


@private_only
async def keep_body(update: Update, context: Context) -> str:
    turn = await begin(update, context)
    if "body" not in _draft(context):
        await stale(update.callback_query, turn)
        return BODY
    await answer(update.callback_query)
    return await ask_audience(update, turn, context)


@private_only
async def revise_start(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, Revise)
    async with context.services.db.read() as conn:
        proposal = await store.get(conn, data.proposal_id)
    if (
        proposal is None
        or proposal.state != "returned"
        or proposal.author_id != turn.user.id
        or not may_propose(turn.principal)
    ):
        await stale(update.callback_query, turn)
        return ConversationHandler.END
    await answer(query)
    _user_data(context)[DRAFT_KEY] = {"title": proposal.title, "body": proposal.body}
    text = "\n".join(
        [
            turn.tr._(
                "Editing proposal #{id}. The comment was:\n{comment}",
                id=proposal.id,
                comment=proposal.comment,
            ),
            "",
            turn.tr._("Title: {title}", title=proposal.title),
            turn.tr._("Send a new title, or keep this one."),
        ]
    )
    await turn.chat.send_message(text, reply_markup=_keep_or_cancel(turn.tr, True))
    return TITLE


@private_only
async def got_audience(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickAudience)
    if data.building_id:
        async with context.services.db.read() as conn:
            found = await community.building(conn, data.building_id)
        if found is None:
            await stale(update.callback_query, turn)
            return AUDIENCE
    await answer(query)
    _draft(context)["building_id"] = data.building_id or None
    await reply(
        update,
        turn.tr._(
            "What kind of vote?\n"
            "• Resident poll: residents give their opinion (one vote per household or per "
            "resident).\n"
            "• Owners' decision (Civil Code art. 278): owners decide, weighed by floor area; "
            "valid only if 2/3 of owners holding 2/3 of the area take part."
        ),
        keyboard(
            [
                button(turn.tr._("Resident poll"), PickKind(Kind.POLL)),
                button(turn.tr._("Owners' decision"), PickKind(Kind.DECISION)),
            ],
            footer=[cancel_button(turn.tr)],
        ),
    )
    return KIND


@private_only
async def got_kind(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickKind)
    await answer(query)
    draft = _draft(context)
    draft["kind"] = data.kind.value
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
    _draft(context)["opens_at"] = data.at or None
    return await ask_days(update, turn)


async def ask_days(update: Update, turn: Turn) -> str:
    buttons = [button(turn.tr.n_("{n} day", "{n} days", d), PickDays(d)) for d in DURATIONS]
    await reply(
        update,
        turn.tr._("How long should voting stay open, counted from its opening?"),
        keyboard(buttons, per_row=3, footer=[cancel_button(turn.tr)]),
    )
    return DAYS


@private_only
async def got_item(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickItem)
    if data.item not in {int(i) for i in Art278Item}:
        await stale(update.callback_query, turn)
        return ITEM
    await answer(query)
    draft = _draft(context)
    draft["item"] = data.item
    draft["options"] = [o.to_json() for o in DEFAULT_OPTIONS]
    draft["basis"] = PollBasis.HOUSEHOLD.value
    return await ask_opening(update, turn)


@private_only
async def got_basis(update: Update, context: Context) -> str:
    query, data, turn = await pressed(update, context, PickBasis)
    await answer(query)
    _draft(context)["basis"] = data.basis.value
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
        _draft(context)["options"] = [o.to_json() for o in DEFAULT_OPTIONS]
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
    _draft(context)["options"] = [o.to_json() for o in options]
    return await ask_quorum(update, turn)


async def ask_quorum(update: Update, turn: Turn) -> str:
    buttons = [button(turn.tr._("No minimum"), PickQuorum(0, 1))]
    buttons += [
        button(turn.tr._("At least {share}", share=f"{n}/{d}"), PickQuorum(n, d))
        for n, d in QUORUMS
        if n
    ]
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
    _draft(context)["quorum"] = [data.num, data.den] if data.num else None
    return await ask_opening(update, turn)


def draft_proposal(draft: Mapping[str, Any], author_id: int) -> Proposal:
    """The draft in user_data as an (unsaved) proposal, for the preview."""
    return Proposal(
        id=0,
        title=str(draft["title"]),
        body=str(draft["body"]),
        options=tuple(OptionDef.from_json(o) for o in draft["options"]),
        building_id=draft.get("building_id"),
        kind=str(draft["kind"]),
        art278_item=draft.get("item") if draft["kind"] == Kind.DECISION.value else None,
        basis=str(draft.get("basis", PollBasis.HOUSEHOLD.value)),
        quorum=_quorum(draft.get("quorum")),
        state="draft",
        author_id=author_id,
        approver_id=None,
        comment="",
        duration_days=int(draft["days"]),
        opens_at=_opens_at(draft.get("opens_at")),
        closes_at=None,
        nonce=b"",
        created_at=0,
        decided_at=None,
        closed_at=None,
        result=None,
    )


def _opens_at(raw: Any) -> int | None:
    """The chosen opening in a draft (missing in drafts begun before the step existed: on
    approval)."""
    return raw if isinstance(raw, int) and raw > 0 else None


def _quorum(raw: Any) -> Fraction | None:
    if isinstance(raw, list) and len(raw) == 2 and tuple(raw) in QUORUMS and raw[0]:
        return Fraction(int(raw[0]), int(raw[1]))
    return None


def draft_complete(draft: Mapping[str, Any]) -> bool:
    needed = {"title", "body", "kind", "options", "days"}
    if not needed <= draft.keys():
        return False
    return draft["kind"] != Kind.DECISION.value or "item" in draft


@private_only
async def got_days(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, PickDays)
    draft = _draft(context)
    if data.days not in DURATIONS:
        await stale(update.callback_query, turn)
        return DAYS
    draft["days"] = data.days
    if not draft_complete(draft):
        await stale(update.callback_query, turn)
        return ConversationHandler.END
    await answer(query)
    preview = draft_proposal(draft, turn.user.id)
    async with context.services.db.read() as conn:
        audience = await audience_name(conn, turn.tr, preview.building_id)
    text = "\n".join(
        [
            turn.tr._("Please check your proposal:"),
            "",
            proposal_text(turn.tr, preview, audience),
            "",
            turn.tr._(
                "After you submit it, a committee member or the property manager approves it "
                "before voting opens."
            ),
        ]
    )
    await reply(
        update,
        text,
        keyboard([button(turn.tr._("Submit"), Submit()), cancel_button(turn.tr)], per_row=2),
    )
    return PREVIEW


async def reviewers(conn: aiosqlite.Connection) -> list[int]:
    found: list[int] = []
    for role in (Role.COMMITTEE, Role.MANAGER):
        found += [u for u in await people.role_holders(conn, role) if u not in found]
    return found


def review_markup(tr: Translator, proposal: Proposal) -> InlineKeyboardMarkup:
    proposal_id = proposal.id
    approve_label = (
        tr._("Approve and open") if proposal.opens_at is None else tr._("Approve for voting")
    )
    return keyboard(
        [
            button(approve_label, Review(proposal_id, Verdict.APPROVE)),
            button(tr._("Send back"), Review(proposal_id, Verdict.RETURN)),
            button(tr._("Reject"), Review(proposal_id, Verdict.REJECT)),
        ],
        per_row=3,
    )


@private_only
async def submit(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None
    turn = await begin(update, context)
    draft = _draft(context)
    if not draft_complete(draft) or not may_propose(turn.principal):
        await stale(update.callback_query, turn)
        return ConversationHandler.END
    await answer(query)
    preview = draft_proposal(draft, turn.user.id)
    services = context.services
    pushes: list[tuple[int, str, InlineKeyboardMarkup]] = []
    async with services.db.transaction() as conn:
        proposal_id = await store.create(
            conn,
            title=preview.title,
            body=preview.body,
            options=preview.options,
            building_id=preview.building_id,
            kind=preview.kind,
            art278_item=preview.art278_item,
            basis=preview.basis,
            quorum=preview.quorum,
            duration_days=preview.duration_days,
            author_id=turn.user.id,
            now=turn.ts,
            opens_at=preview.opens_at,
        )
        await people.audit(conn, turn.user.id, "proposal_submitted", str(proposal_id), turn.ts)
        proposal = await store.get(conn, proposal_id)
        assert proposal is not None
        for reviewer in await reviewers(conn):
            rtr = await translator_for(services, conn, reviewer)
            audience = await audience_name(conn, rtr, proposal.building_id)
            text = "\n".join(
                [
                    rtr._("{name} submitted a proposal for approval.", name=turn.user.full_name),
                    "",
                    proposal_text(rtr, proposal, audience),
                ]
            )
            pushes.append((reviewer, text, review_markup(rtr, proposal)))
    _user_data(context).pop(DRAFT_KEY, None)
    await reply(
        update,
        turn.tr._(
            "Thank you! Proposal #{id} is submitted. A committee member or the property "
            "manager will review it; I will tell you their answer.",
            id=proposal_id,
        ),
    )
    for chat_id, text, markup in pushes:
        await notify(context, chat_id, text, markup)
    return ConversationHandler.END


@private_only
async def propose_cancel(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    _user_data(context).pop(DRAFT_KEY, None)
    turn = await begin(update, context)
    await reply(update, turn.tr._("Cancelled. Nothing was submitted."))
    return ConversationHandler.END


async def send_text_hint(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    message = update.effective_message
    if message is not None:
        await message.reply_text(turn.tr._("Please send this as a text message."))


# ---- review -------------------------------------------------------------------------------


async def review_press(update: Update, context: Context) -> str | int:
    query, data, turn = await pressed(update, context, Review)
    if not can(turn.principal, Action.APPROVE_PROPOSAL):
        await answer(query, turn.tr._("Sorry, you do not have the right to do this."), alert=True)
        return ConversationHandler.END
    if data.verdict is Verdict.APPROVE:
        await approve(update, context, turn, data.proposal_id)
        return ConversationHandler.END
    async with context.services.db.read() as conn:
        proposal = await store.get(conn, data.proposal_id)
    if proposal is None or proposal.state != "draft":
        await answer(query, turn.tr._("This proposal was already reviewed."), alert=True)
        return ConversationHandler.END
    await answer(query)
    _user_data(context)[REVIEW_KEY] = [data.proposal_id, data.verdict.value]
    if data.verdict is Verdict.RETURN:
        text = turn.tr._(
            "Send back proposal #{id}: what should the author change? Send your comment.",
            id=data.proposal_id,
        )
    else:
        text = turn.tr._(
            "Reject proposal #{id}: please send the reason for the author.", id=data.proposal_id
        )
    await context.bot.send_message(
        turn.chat.id, text, reply_markup=keyboard([button(turn.tr._("Cancel"), Dismiss("review"))])
    )
    return COMMENT


async def approve(update: Update, context: Context, turn: Turn, proposal_id: int) -> None:
    """Approve: the voting window is fixed (``bot.votes.voting_window``). If it opens now, the
    announcement is queued in the same transaction; otherwise the "open" due row makes the
    votes-due sweep open it at its time."""
    query = update.callback_query
    services = context.services
    proposal: Proposal | None = None
    async with services.db.transaction() as conn:
        if await store.approve(conn, proposal_id, by=turn.user.id, now=turn.ts):
            await people.audit(conn, turn.user.id, "proposal_approved", str(proposal_id), turn.ts)
            proposal = await store.get(conn, proposal_id)
            assert proposal is not None and proposal.opens_at is not None
            if proposal.opens_at <= turn.ts:
                await open_proposal(
                    conn, services, proposal, turn.ts, turn.user.id, context.bot.username
                )
                await store.mark_due_sent(conn, proposal_id, "open", turn.ts)
                proposal = await store.get(conn, proposal_id)
                assert proposal is not None
            author_note = await _author_note(conn, services, proposal, Verdict.APPROVE)
    if proposal is None:
        await answer(query, turn.tr._("This proposal was already reviewed."), alert=True)
        return
    await answer(query)
    tr = turn.tr
    assert proposal.opens_at is not None and proposal.closes_at is not None
    closes = tr._("Voting closes: {when}", when=tr.when(from_ts(proposal.closes_at)))
    if proposal.opens_at <= turn.ts:
        text = tr._(
            "Approved: proposal #{id} is open. Eligible voters are being told now.", id=proposal_id
        )
    else:
        text = tr._(
            "Approved: proposal #{id} opens {when}. Eligible voters will be told then.",
            id=proposal_id,
            when=tr.when(from_ts(proposal.opens_at)),
        )
    await reply(update, f"{text}\n{closes}")
    if author_note is not None:
        await notify(context, *author_note)


async def _author_note(
    conn: aiosqlite.Connection, services: Services, proposal: Proposal, verdict: Verdict
) -> tuple[int, str, InlineKeyboardMarkup | None] | None:
    if proposal.author_id is None:
        return None
    atr = await translator_for(services, conn, proposal.author_id)
    if verdict is Verdict.APPROVE and proposal.state == "approved":
        assert proposal.opens_at is not None and proposal.closes_at is not None
        text = atr._(
            'Your proposal #{id} "{title}" was approved; voting opens {opens} and closes {closes}.',
            id=proposal.id,
            title=proposal.title,
            opens=atr.when(from_ts(proposal.opens_at)),
            closes=atr.when(from_ts(proposal.closes_at)),
        )
    elif verdict is Verdict.APPROVE:
        assert proposal.closes_at is not None
        text = atr._(
            'Your proposal #{id} "{title}" was approved; voting is open until {when}.',
            id=proposal.id,
            title=proposal.title,
            when=atr.when(from_ts(proposal.closes_at)),
        )
    elif verdict is Verdict.RETURN:
        text = atr._(
            'Your proposal #{id} "{title}" was sent back with this comment:\n{comment}\n'
            "Tap below to edit it and send it again.",
            id=proposal.id,
            title=proposal.title,
            comment=proposal.comment,
        )
    else:
        text = atr._(
            'Your proposal #{id} "{title}" was not accepted for voting. Reason:\n{comment}',
            id=proposal.id,
            title=proposal.title,
            comment=proposal.comment,
        )
    markup = None
    if verdict is Verdict.RETURN:
        markup = keyboard([button(atr._("Edit and send again"), Revise(proposal.id))])
    return proposal.author_id, text, markup


async def got_comment(update: Update, context: Context) -> int | str:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None and message.text is not None
    pending = _user_data(context).get(REVIEW_KEY)
    if not isinstance(pending, list) or len(pending) != 2:
        return ConversationHandler.END
    proposal_id, verdict = int(pending[0]), Verdict(pending[1])
    comment = message.text.strip()
    problem = text_too_long(turn, comment)
    if problem or not comment:
        await message.reply_text(problem or turn.tr._("Please send the comment as text."))
        return COMMENT
    if not can(turn.principal, Action.APPROVE_PROPOSAL):
        _user_data(context).pop(REVIEW_KEY, None)
        await message.reply_text(turn.tr._("Sorry, you do not have the right to do this."))
        return ConversationHandler.END
    state = "returned" if verdict is Verdict.RETURN else "rejected"
    services = context.services
    note = None
    async with services.db.transaction() as conn:
        done = await store.decide(
            conn, proposal_id, state, by=turn.user.id, comment=comment, now=turn.ts
        )
        if done:
            await people.audit(conn, turn.user.id, f"proposal_{state}", str(proposal_id), turn.ts)
            proposal = await store.get(conn, proposal_id)
            assert proposal is not None
            note = await _author_note(conn, services, proposal, verdict)
    _user_data(context).pop(REVIEW_KEY, None)
    if not done:
        await message.reply_text(turn.tr._("This proposal was already reviewed."))
        return ConversationHandler.END
    if verdict is Verdict.RETURN:
        mine = turn.tr._("Proposal #{id} was sent back to its author.", id=proposal_id)
    else:
        mine = turn.tr._("Proposal #{id} was rejected; the author is told.", id=proposal_id)
    await message.reply_text(mine)
    if note is not None:
        await notify(context, *note)
    return ConversationHandler.END


async def review_cancel(update: Update, context: Context) -> int:
    await answer(update.callback_query)
    _user_data(context).pop(REVIEW_KEY, None)
    turn = await begin(update, context)
    await reply(update, turn.tr._("Cancelled. The proposal is still waiting for review."))
    return ConversationHandler.END


# ---- opening, reminding, closing (outbox rows, in the caller's transaction) ---------------


async def _units_map(conn: aiosqlite.Connection, proposal: Proposal) -> dict[int, AudienceUnit]:
    return {u.unit_id: u for u in await store.audience_units(conn, proposal.building_id)}


async def voters(conn: aiosqlite.Connection, proposal: Proposal) -> dict[int, list[Slot]]:
    """Everyone who may vote on the proposal now, with their votes."""
    units = await _units_map(conn, proposal)
    by_user: dict[int, list[tuple[int, str]]] = {}
    for row in await store.eligible_residents(conn, proposal.building_id):
        by_user.setdefault(row.user_id, []).append((row.unit_id, row.relation))
    found: dict[int, list[Slot]] = {}
    for user_id, residences in by_user.items():
        slots, _ = slots_for(proposal, user_id, residences, units)
        if slots:
            found[user_id] = slots
    return found


async def open_proposal(
    conn: aiosqlite.Connection,
    services: Services,
    proposal: Proposal,
    now: int,
    by: int | None,
    bot_username: str = "",
) -> None:
    """approved -> open, and the announcement with ballot buttons to every eligible voter."""
    if not await store.mark_open(conn, proposal.id):
        return
    proposal = dataclasses.replace(proposal, state="open")
    batch = await outbox.create_batch(conn, "vote-open", str(proposal.id), created_by=by, now=now)
    messages: list[tuple[int, outbox.Payload]] = []
    for user_id, slots in (await voters(conn, proposal)).items():
        tr = await translator_for(services, conn, user_id)
        audience = await audience_name(conn, tr, proposal.building_id)
        markup = InlineKeyboardMarkup(ballot_buttons(tr, proposal, slots))
        messages.append(
            (
                user_id,
                outbox.Payload(
                    text=announcement(tr, proposal, audience), buttons=payload_buttons(markup)
                ),
            )
        )
    messages += await group_messages(conn, services, proposal, "open", bot_username)
    await outbox.enqueue(conn, batch, messages, not_before=now)


async def group_messages(
    conn: aiosqlite.Connection,
    services: Services,
    proposal: Proposal,
    what: str,
    bot_username: str = "",
) -> list[tuple[int, outbox.Payload]]:
    """The announcement ("open") or the result ("result") for the audience's bound group chats,
    in the community's language: public text only, voting happens in private chats."""
    buildings = None if proposal.building_id is None else [proposal.building_id]
    chats = await notices_store.groups_for(conn, buildings)
    if not chats:
        return []
    tr = services.i18n.translator(None)
    buttons: list[list[dict[str, str]]] = []
    if what == "open":
        audience = await audience_name(conn, tr, proposal.building_id)
        text = "\n".join(
            [
                tr._("🗳 A new vote is open."),
                proposal_text(tr, proposal, audience),
                "",
                tr._("Those entitled to vote get their ballot from me in a private chat."),
            ]
        )
        if bot_username:
            link = f"https://t.me/{bot_username}?start=menu"
            buttons = [[{"text": tr._("Open a private chat"), "url": link}]]
    else:
        assert proposal.result is not None
        text = render_result(tr, proposal.title, proposal.options, proposal.result)
    return [(chat_id, outbox.Payload(text=text, buttons=buttons)) for chat_id in chats]


async def remind(
    conn: aiosqlite.Connection, services: Services, proposal: Proposal, now: int
) -> int:
    """One reminder to the eligible voters whose vote is not in yet (none after the close)."""
    if proposal.state != "open" or proposal.closes_at is None or now >= proposal.closes_at:
        return 0
    voted = {b.count_key for b in await store.current_ballots(conn, proposal.id)}
    batch = await outbox.create_batch(
        conn, "vote-remind", str(proposal.id), created_by=None, now=now
    )
    messages: list[tuple[int, outbox.Payload]] = []
    for user_id, slots in (await voters(conn, proposal)).items():
        missing = [s for s in slots if s.count_key not in voted]
        if not missing:
            continue
        tr = await translator_for(services, conn, user_id)
        text = "\n".join(
            [
                tr._(
                    '⏰ Reminder: voting on "{title}" closes {when}, and your vote is not in yet.',
                    title=proposal.title,
                    when=tr.when(from_ts(proposal.closes_at)),
                ),
                kind_text(tr, proposal),
            ]
        )
        markup = InlineKeyboardMarkup(ballot_buttons(tr, proposal, missing))
        messages.append((user_id, outbox.Payload(text=text, buttons=payload_buttons(markup))))
    return await outbox.enqueue(conn, batch, messages, not_before=now)


async def final_count(conn: aiosqlite.Connection, proposal: Proposal) -> dict[str, Any]:
    units = await store.audience_units(conn, proposal.building_id)
    eligible: set[str] = set()
    if not proposal.is_decision:
        for slots in (await voters(conn, proposal)).values():
            eligible.update(s.count_key for s in slots)
    return count(
        kind=proposal.kind,
        options=proposal.options,
        units=units,
        eligible_keys=eligible,
        ballots=await store.current_ballots(conn, proposal.id),
        item=proposal.art278_item,
        basis=proposal.basis,
        quorum=proposal.quorum,
    )


async def close_proposal(
    conn: aiosqlite.Connection, services: Services, proposal: Proposal, now: int
) -> bool:
    """open -> closed: count, store the result and publish it to the audience (once)."""
    if proposal.state != "open":
        return False
    summary = await final_count(conn, proposal)
    if not await store.mark_closed(conn, proposal.id, summary, now):
        return False
    recipients: list[int] = []
    for row in await store.eligible_residents(conn, proposal.building_id):
        if row.user_id not in recipients:
            recipients.append(row.user_id)
    extra = [proposal.author_id, proposal.approver_id, *await reviewers(conn)]
    recipients += [u for u in extra if u is not None and u not in recipients]
    ballot_holders = set(await store.voters_of(conn, proposal.id))
    batch = await outbox.create_batch(
        conn, "vote-result", str(proposal.id), created_by=None, now=now
    )
    messages: list[tuple[int, outbox.Payload]] = []
    for user_id in recipients:
        tr = await translator_for(services, conn, user_id)
        text = render_result(tr, proposal.title, proposal.options, summary)
        buttons: list[list[dict[str, str]]] = []
        if user_id in ballot_holders:
            markup = keyboard(
                [button(tr._("Check that my ballot counted"), CheckBallot(proposal.id))]
            )
            buttons = payload_buttons(markup)
        messages.append((user_id, outbox.Payload(text=text, buttons=buttons)))
    closed = await store.get(conn, proposal.id)
    assert closed is not None
    messages += await group_messages(conn, services, closed, "result")
    await outbox.enqueue(conn, batch, messages, not_before=now)
    await people.audit(conn, None, "proposal_closed", str(proposal.id), now)
    return True


async def sweep(services: Services, bot_username: str = "") -> int:
    """Do what is due (open, remind, close), one row per transaction; returns rows done.

    Claiming a row, doing its work and queueing its messages commit together, so each is done
    exactly once, even across a crash or a restart (delivery duplicates are the outbox's, at
    most the rows in flight). A row whose work fails is rolled back and retried
    ``RETRY_AFTER`` seconds later, without holding up the others."""
    done = 0
    while True:
        current: tuple[int, str] | None = None
        try:
            async with services.db.transaction() as conn:
                now = int(services.clock().timestamp())
                claimed = await store.claim_due(conn, now, limit=1)
                if not claimed:
                    return done
                current = claimed[0]
                proposal_id, kind = current
                proposal = await store.get(conn, proposal_id)
                if proposal is not None:
                    if kind == "open":
                        await open_proposal(conn, services, proposal, now, None, bot_username)
                    elif kind == "remind":
                        await remind(conn, services, proposal, now)
                    else:
                        await close_proposal(conn, services, proposal, now)
        except Exception:
            if current is None:
                raise
            log.exception("vote due row %s failed; retrying later", current)
            async with services.db.transaction() as conn:
                await store.postpone_due(conn, *current, now + RETRY_AFTER)
        done += 1


async def votes_due_job(context: Context) -> None:
    await sweep(context.services, context.bot.username)


# ---- voting -------------------------------------------------------------------------------


def open_for_voting(proposal: Proposal | None, now: int) -> bool:
    return (
        proposal is not None
        and proposal.state == "open"
        and proposal.closes_at is not None
        and now < proposal.closes_at
    )


async def cast_press(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, Cast)
    tr = turn.tr
    problem: str | None = None
    async with context.services.db.transaction() as conn:
        proposal = await store.get(conn, data.proposal_id)
        option = find_option(proposal.options, data.option) if proposal else None
        slot: Slot | None = None
        if proposal is None or option is None:
            problem = tr._("This button is no longer valid.")
        elif proposal.state == "approved":
            problem = not_open_yet(tr, proposal)
        elif not open_for_voting(proposal, turn.ts):
            problem = tr._("Voting on this proposal is closed; your ballot was not recorded.")
        elif not can(turn.principal, Action.VOTE):
            problem = refusal(tr, "verified")
        else:
            residences = [(r.unit_id, r.relation.value) for r in turn.principal.verified]
            slots, reason = slots_for(
                proposal, turn.user.id, residences, await _units_map(conn, proposal)
            )
            slot = next((s for s in slots if s.unit_id == data.unit_id), None)
            if slot is None:
                problem = (
                    refusal(tr, reason) if not slots else tr._("This button is no longer valid.")
                )
        if problem is None:
            assert proposal is not None and option is not None and slot is not None
            await store.cast(
                conn,
                proposal.id,
                count_key=slot.count_key,
                unit_id=slot.unit_id,
                voter_id=turn.user.id,
                option=option.key,
                source="electronic",
                now=turn.ts,
            )
    if problem is not None:
        await answer(query, problem, alert=True)
        return
    assert proposal is not None and option is not None and slot is not None
    await answer(query, tr._("Recorded: {option}", option=option_label(tr, option)))
    code = receipt(proposal.id, voter_key(turn.user.id), proposal.nonce)
    assert proposal.closes_at is not None
    text = "\n".join(
        [
            tr._("Proposal #{id}: {title}", id=proposal.id, title=proposal.title),
            tr._(
                "Your vote for unit {unit} is recorded: {option}.",
                unit=slot.unit_code,
                option=option_label(tr, option),
            ),
            tr._("Your receipt: {code}", code=code),
            tr._(
                "Keep it: after the close, send /receipt {code} to check that your ballot was "
                "counted as cast. You can change your vote until {when}.",
                code=code,
                when=tr.when(from_ts(proposal.closes_at)),
            ),
        ]
    )
    slots = [slot]
    await reply(update, text, InlineKeyboardMarkup(ballot_buttons(tr, proposal, slots)))


async def show_ballot(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, ShowBallot)
    async with context.services.db.read() as conn:
        proposal = await store.get(conn, data.proposal_id)
        if proposal is not None and proposal.state == "approved":
            await answer(query, not_open_yet(turn.tr, proposal), alert=True)
            return
        if proposal is None or not open_for_voting(proposal, turn.ts):
            await answer(query, turn.tr._("Voting on this proposal is closed."), alert=True)
            return
        card = await ballot_card(conn, turn, proposal)
    await answer(query)
    if card is None:
        await reply(update, refusal(turn.tr, "audience"))
        return
    await reply(update, *card)


async def ballot_card(
    conn: aiosqlite.Connection, turn: Turn, proposal: Proposal
) -> tuple[str, InlineKeyboardMarkup] | None:
    residences = [(r.unit_id, r.relation.value) for r in turn.principal.verified]
    slots, _ = slots_for(proposal, turn.user.id, residences, await _units_map(conn, proposal))
    if not slots:
        return None
    audience = await audience_name(conn, turn.tr, proposal.building_id)
    lines = [proposal_text(turn.tr, proposal, audience)]
    mine = await store.latest_of_voter(conn, proposal.id, turn.user.id)
    current = {b.id for b in await store.current_ballots(conn, proposal.id)}
    if mine is not None and mine.id in current:
        option = find_option(proposal.options, mine.option)
        if option is not None:
            lines.append(
                turn.tr._("Your current vote: {option}", option=option_label(turn.tr, option))
            )
    return "\n".join(lines), InlineKeyboardMarkup(ballot_buttons(turn.tr, proposal, slots))


# ---- paper ballots ------------------------------------------------------------------------


@private_only
async def paper(update: Update, context: Context) -> None:
    """``/paper <proposal> <unit> <option number>``: record a signed paper ballot."""
    turn = await begin(update, context)
    tr = turn.tr
    message = update.effective_message
    assert message is not None
    if not can(turn.principal, Action.RECORD_PAPER_BALLOT):
        await message.reply_text(tr._("Sorry, you do not have the right to do this."))
        return
    args = context.args or []
    usage = tr._(
        "To record a signed paper ballot: /paper <proposal number> <unit> <option number>, "
        "e.g. /paper 3 1-101 1"
    )
    if len(args) != 3 or not args[0].isdigit() or not args[2].isdigit():
        await message.reply_text(usage)
        return
    proposal_id, unit_code, index = int(args[0]), args[1], int(args[2])
    reply_text: str
    async with context.services.db.transaction() as conn:
        proposal = await store.get(conn, proposal_id)
        units = await _units_map(conn, proposal) if proposal else {}
        unit = next((u for u in units.values() if u.code == unit_code), None)
        if proposal is None or not open_for_voting(proposal, turn.ts):
            reply_text = tr._("Proposal #{id} is not open for voting.", id=proposal_id)
        elif not 1 <= index <= len(proposal.options):
            reply_text = tr._(
                "There is no option {n}; the options are 1 to {max}.",
                n=index,
                max=len(proposal.options),
            )
        elif unit is None:
            reply_text = tr._("Unit {unit} is not part of this vote.", unit=unit_code)
        elif not proposal.is_decision and proposal.basis == PollBasis.RESIDENT.value:
            reply_text = tr._(
                "This poll counts one vote per resident, so paper ballots by unit cannot be "
                "recorded for it."
            )
        else:
            key = owner_key(unit) if proposal.is_decision else household_key(unit.unit_id)
            option = proposal.options[index - 1]
            if key is None:
                reply_text = tr._("Unit {unit} has no owner on record.", unit=unit_code)
            else:
                await store.cast(
                    conn,
                    proposal.id,
                    count_key=key,
                    unit_id=unit.unit_id,
                    voter_id=None,
                    option=option.key,
                    source="paper",
                    now=turn.ts,
                    recorded_by=turn.user.id,
                )
                await people.audit(
                    conn, turn.user.id, "paper_ballot", str(proposal.id), turn.ts, unit_code
                )
                reply_text = tr._(
                    "Paper ballot recorded for unit {unit} on proposal #{id}: {option}. If the "
                    "owner also votes in the bot, the later ballot counts.",
                    unit=unit_code,
                    id=proposal.id,
                    option=option_label(tr, option),
                )
    await message.reply_text(reply_text)


# ---- /votes -------------------------------------------------------------------------------


def building_keys(
    proposal: Proposal,
    units: Mapping[int, AudienceUnit],
    voter_slots: Mapping[int, list[Slot]],
    building_units: set[int],
) -> set[str]:
    keys: set[str] = set()
    for slots in voter_slots.values():
        keys.update(s.count_key for s in slots if s.unit_id in building_units)
    if proposal.is_decision:
        for unit_id in building_units:
            unit = units.get(unit_id)
            key = owner_key(unit) if unit else None
            if key is not None:
                keys.add(key)
    return keys


async def officer_lines(conn: aiosqlite.Connection, turn: Turn, proposal: Proposal) -> list[str]:
    """Participation only (never choices): the distance to quorum for reviewers, the turnout
    of their buildings for building leaders."""
    tr, p = turn.tr, turn.principal
    lines: list[str] = []
    ballots = await store.current_ballots(conn, proposal.id)
    voted = set(effective_ballots(ballots))
    if can(p, Action.APPROVE_PROPOSAL):
        if proposal.is_decision:
            assert proposal.art278_item is not None
            audience_units = await store.audience_units(conn, proposal.building_id)
            live = live_decision(
                audience_units, list(effective_ballots(ballots).values()), proposal.art278_item
            )
            if live is not None:
                lines.append(render_distance(tr, live))
                missing = render_missing(tr, live, audience_units)
                if missing:
                    lines.append(missing)
        else:
            eligible: set[str] = set()
            for slots in (await voters(conn, proposal)).values():
                eligible.update(s.count_key for s in slots)
            lines.append(
                tr._(
                    "Voted so far: {part} of {total}.",
                    part=len(voted & eligible),
                    total=len(eligible),
                )
            )
        return lines
    led = p.buildings_for(Role.LEADER) | p.buildings_for(Role.GRID)
    if not led:
        return lines
    units = await _units_map(conn, proposal)
    voter_slots = await voters(conn, proposal)
    for building_id in sorted(led):
        if proposal.building_id is not None and proposal.building_id != building_id:
            continue
        found = await community.building(conn, building_id)
        if found is None:
            continue
        mine = {u.id for u in await community.units_of(conn, building_id)}
        keys = building_keys(proposal, units, voter_slots, mine)
        lines.append(
            tr._(
                "{building}: {part} of {total} have voted.",
                building=found.name,
                part=len(keys & voted),
                total=len(keys),
            )
        )
    return lines


@private_only
async def votes_command(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    tr = turn.tr
    await answer(update.callback_query)
    cards: list[tuple[str, InlineKeyboardMarkup | None]] = []
    async with context.services.db.read() as conn:
        open_now = [p for p in await store.in_state(conn, "open") if open_for_voting(p, turn.ts)]
        for proposal in open_now:
            card = await ballot_card(conn, turn, proposal)
            extra = await officer_lines(conn, turn, proposal)
            if card is not None:
                cards.append(("\n\n".join([card[0], *extra]), card[1]))
                continue
            if extra:
                audience = await audience_name(conn, tr, proposal.building_id)
                cards.append(("\n\n".join([proposal_text(tr, proposal, audience), *extra]), None))
            elif proposal.is_decision and _lives_in_audience(turn.principal, proposal):
                cards.append((f"{proposal.title}\n{refusal(tr, 'owner')}", None))
        for proposal in await store.in_state(conn, "approved"):
            card_text = await upcoming_card(conn, turn, proposal)
            if card_text is not None:
                cards.append((card_text, None))
        drafts: list[tuple[str, InlineKeyboardMarkup | None]] = []
        if can(turn.principal, Action.APPROVE_PROPOSAL):
            for draft in await store.in_state(conn, "draft"):
                audience = await audience_name(conn, tr, draft.building_id)
                drafts.append(
                    (
                        "\n".join(
                            [tr._("Waiting for your review:"), proposal_text(tr, draft, audience)]
                        ),
                        review_markup(tr, draft),
                    )
                )
    propose_row = []
    if may_propose(turn.principal):
        propose_row = [button(tr._("Make a proposal"), MenuPick("propose"))]
    messages = [*cards, *drafts]
    if not messages:
        text = tr._("There is no open vote for you at the moment.")
        await reply(update, text, keyboard(propose_row) if propose_row else None)
        return
    chat = update.effective_chat
    assert chat is not None
    for index, (text, markup) in enumerate(messages):
        if index == len(messages) - 1 and propose_row:
            rows = [list(r) for r in markup.inline_keyboard] if markup else []
            markup = InlineKeyboardMarkup([*rows, propose_row])
        await chat.send_message(text[:4000], reply_markup=markup)


async def upcoming_card(conn: aiosqlite.Connection, turn: Turn, proposal: Proposal) -> str | None:
    """An approved proposal that is not open yet, for its audience and the reviewers: when it
    opens and closes, no ballot buttons."""
    tr, p = turn.tr, turn.principal
    if not (_lives_in_audience(p, proposal) or can(p, Action.APPROVE_PROPOSAL)):
        return None
    residences = [(r.unit_id, r.relation.value) for r in p.verified]
    slots, reason = slots_for(proposal, turn.user.id, residences, await _units_map(conn, proposal))
    audience = await audience_name(conn, tr, proposal.building_id)
    lines = [tr._("Coming up:"), proposal_text(tr, proposal, audience), ""]
    if slots:
        lines.append(tr._("When voting opens, I will send you your ballot here."))
    elif reason == "owner" and _lives_in_audience(p, proposal):
        lines.append(refusal(tr, "owner"))
    return "\n".join(lines).strip()


def _lives_in_audience(p: Principal, proposal: Proposal) -> bool:
    return any(
        proposal.building_id is None or r.building_id == proposal.building_id for r in p.verified
    )


# ---- receipts -----------------------------------------------------------------------------


async def check_text(
    conn: aiosqlite.Connection, tr: Translator, proposal: Proposal, user_id: int
) -> str:
    mine = await store.latest_of_voter(conn, proposal.id, user_id)
    if mine is None:
        return tr._("You did not vote on proposal #{id}.", id=proposal.id)
    if proposal.state != "closed" or proposal.result is None:
        assert proposal.closes_at is not None
        return tr._(
            "Proposal #{id} is still open; you can check your ballot after the close ({when}).",
            id=proposal.id,
            when=tr.when(from_ts(proposal.closes_at)),
        )
    counted = proposal.result.get("counted", {})
    option = find_option(proposal.options, mine.option)
    label = option_label(tr, option) if option else mine.option
    if counted.get(mine.count_key) == mine.id:
        return tr._(
            'Proposal #{id} "{title}": your ballot was counted as cast: {option}.',
            id=proposal.id,
            title=proposal.title,
            option=label,
        )
    if mine.count_key in counted:
        return tr._(
            "Proposal #{id}: your ballot ({option}) was replaced by a later ballot for the same "
            "owner or household (a co-owner, a member of your household, or a signed paper "
            "ballot); that later ballot was counted.",
            id=proposal.id,
            option=label,
        )
    return tr._(
        "Proposal #{id}: your ballot ({option}) was not counted: at the close your unit was no "
        "longer among those entitled to vote.",
        id=proposal.id,
        option=label,
    )


@private_only
async def receipt_command(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    message = update.effective_message
    assert message is not None
    code = "".join(context.args or [])
    if not code:
        await message.reply_text(
            turn.tr._("Send /receipt followed by the code you got when you voted.")
        )
        return
    text = turn.tr._("I found no ballot of yours with this receipt. Please check the code.")
    async with context.services.db.read() as conn:
        for proposal_id in await store.voted_proposals(conn, turn.user.id):
            proposal = await store.get(conn, proposal_id)
            if proposal and verify_receipt(
                proposal.id, voter_key(turn.user.id), proposal.nonce, code
            ):
                text = await check_text(conn, turn.tr, proposal, turn.user.id)
                break
    await message.reply_text(text)


async def check_press(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, CheckBallot)
    async with context.services.db.read() as conn:
        proposal = await store.get(conn, data.proposal_id)
        text = await check_text(conn, turn.tr, proposal, turn.user.id) if proposal else None
    if text is None:
        await stale(query, turn)
        return
    await answer(query)
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text)


# ---- wiring -------------------------------------------------------------------------------


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    text = private & filters.TEXT & ~filters.COMMAND
    other = private & ~filters.TEXT & ~filters.COMMAND

    def text_step(fn: Any) -> list[BaseHandler[Any, Any, Any]]:
        return [MessageHandler(text, fn), MessageHandler(other, send_text_hint)]

    propose = ConversationHandler(
        entry_points=[
            CommandHandler("propose", propose_start),
            CallbackQueryHandler(propose_start, pattern=menu_pattern("propose")),
            CallbackQueryHandler(revise_start, pattern=matches(Revise)),
        ],
        states={
            TITLE: [
                *text_step(got_title),
                CallbackQueryHandler(keep_title, pattern=matches(KeepText)),
            ],
            BODY: [
                *text_step(got_body),
                CallbackQueryHandler(keep_body, pattern=matches(KeepText)),
            ],
            AUDIENCE: [CallbackQueryHandler(got_audience, pattern=matches(PickAudience))],
            KIND: [CallbackQueryHandler(got_kind, pattern=matches(PickKind))],
            ITEM: [CallbackQueryHandler(got_item, pattern=matches(PickItem))],
            BASIS: [CallbackQueryHandler(got_basis, pattern=matches(PickBasis))],
            OPTIONS: [CallbackQueryHandler(got_options_choice, pattern=matches(PickOptions))],
            OPTION_TEXT: text_step(got_option_text),
            QUORUM: [CallbackQueryHandler(got_quorum, pattern=matches(PickQuorum))],
            OPENING: [CallbackQueryHandler(got_opening, pattern=matches(PickOpening))],
            DAYS: [CallbackQueryHandler(got_days, pattern=matches(PickDays))],
            PREVIEW: [CallbackQueryHandler(submit, pattern=matches(Submit))],
        },
        fallbacks=[
            CallbackQueryHandler(propose_cancel, pattern=dismiss_pattern("propose")),
            CommandHandler("cancel", propose_cancel),
            MessageHandler(private & ~filters.COMMAND, use_buttons),
        ],
        name="votes-propose",
        persistent=True,
        allow_reentry=True,
    )
    review = ConversationHandler(
        entry_points=[CallbackQueryHandler(review_press, pattern=matches(Review))],
        states={COMMENT: text_step(got_comment)},
        fallbacks=[
            CallbackQueryHandler(review_cancel, pattern=dismiss_pattern("review")),
            CommandHandler("cancel", review_cancel),
        ],
        name="votes-review",
        persistent=True,
        allow_reentry=True,
    )
    return [
        propose,
        review,
        CallbackQueryHandler(cast_press, pattern=matches(Cast)),
        CallbackQueryHandler(show_ballot, pattern=matches(ShowBallot)),
        CallbackQueryHandler(check_press, pattern=matches(CheckBallot)),
        CommandHandler("votes", votes_command),
        CallbackQueryHandler(votes_command, pattern=menu_pattern("votes")),
        CommandHandler("receipt", receipt_command),
        CommandHandler("paper", paper),
    ]


FEATURE = Feature(
    name="votes",
    handlers=_handlers,
    menu=(MenuEntry("votes", N_("Votes and proposals"), 40),),
    commands=(
        CommandSpec("votes", N_("Open votes and proposals")),
        CommandSpec("propose", N_("Put a proposal to a vote")),
        CommandSpec("receipt", N_("Check that your ballot was counted")),
        CommandSpec(
            "paper",
            N_("Record a signed paper ballot (officers)"),
            roles=(Role.COMMITTEE, Role.MANAGER),
        ),
    ),
    jobs=(JobSpec(JOB_NAME, votes_due_job, interval_seconds=30.0, first_seconds=3.0),),
)
