"""Greeting, main menu, language, the first-administrator claim, /me and /forgetme."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Chat, ChatMember, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ChatMemberHandler, CommandHandler

from bot.context import Context
from bot.feature import CommandSpec, Feature, MenuEntry
from bot.i18n import LANGUAGE_NAMES, LOCALES, N_
from bot.texts.privacy import DATA_LABELS
from handlers.kit import (
    Dismiss,
    Turn,
    answer,
    begin,
    button,
    keyboard,
    notify,
    pressed,
    private_only,
    reply,
    stale,
    touch_person,
)
from handlers.kit.callbacks import CallbackData, callback, matches
from handlers.kit.menu import main_menu, menu_pattern, role_labels
from storage import community, people, privacy


@callback("lg")
@dataclass(frozen=True)
class PickLanguage(CallbackData):
    locale: str


@callback("fm")
@dataclass(frozen=True)
class ForgetMe(CallbackData):
    confirm: bool


def greeting(turn: Turn, community_name: str | None) -> str:
    name = turn.user.first_name or ""
    if community_name:
        return turn.tr._(
            "Hello {name}! I am the front desk of {community}. What can I do for you?",
            name=name,
            community=community_name,
        )
    return turn.tr._("Hello {name}! What can I do for you?", name=name)


@private_only
async def start(update: Update, context: Context) -> None:
    services = context.services
    turn = await begin(update, context)
    payload = context.args[0] if context.args else ""
    async with services.db.transaction() as conn:
        await touch_person(turn, conn)
        claimed = False
        if payload.startswith("adm_"):
            claimed = await people.use_admin_claim(conn, payload, turn.user.id, turn.ts)
            if claimed:
                await people.audit(conn, turn.user.id, "claim_admin", str(turn.user.id), turn.ts)
        info = await community.get_community(conn)
    if payload.startswith("adm_"):
        message = update.effective_message
        assert message is not None
        if claimed:
            await message.reply_text(
                turn.tr._(
                    "You are now the administrator of this community. The claim code no "
                    "longer works. Grant roles with the residentbot grant command."
                )
            )
            turn = await begin(update, context)
        else:
            await message.reply_text(
                turn.tr._("This administrator code is not valid (it may have been used already).")
            )
    await main_menu(
        update, context, turn, greeting(turn, turn.tr.name(info.names) if info else None)
    )


@private_only
async def show_menu(update: Update, context: Context) -> None:
    await answer(update.callback_query)
    turn = await begin(update, context)
    await main_menu(update, context, turn)


@private_only
async def language(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    buttons = [button(LANGUAGE_NAMES[loc], PickLanguage(loc)) for loc in LOCALES]
    await reply(update, turn.tr._("Choose your language:"), keyboard(buttons))


@private_only
async def pick_language(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, PickLanguage)
    if data.locale not in LOCALES:
        await stale(query, turn)
        return
    async with context.services.db.transaction() as conn:
        await touch_person(turn, conn)
        await people.set_locale(conn, turn.user.id, data.locale)
    await answer(query)
    turn = await begin(update, context)
    await main_menu(update, context, turn, turn.tr._("Language changed."))


@private_only
async def me(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    tr = turn.tr
    async with context.services.db.read() as conn:
        summary = await privacy.describe(conn, turn.user.id)
    if summary.person is None:
        await reply(update, tr._("I do not store anything about you."))
        return
    lines = [tr._("This is what I store about you:")]
    lines.append(tr._("Telegram id: {id}", id=summary.person.user_id))
    lines.append(tr._("Name: {name}", name=summary.person.first_name or "-"))
    if summary.person.username:
        lines.append(tr._("Username: @{username}", username=summary.person.username))
    language = LANGUAGE_NAMES.get(summary.person.locale or "", tr._("as in Telegram"))
    lines.append(tr._("Language: {language}", language=language))
    relations = {
        "owner": tr._("owner"),
        "family": tr._("owner's family"),
        "tenant": tr._("tenant"),
    }
    states = {"pending": tr._("waiting for confirmation"), "verified": tr._("confirmed")}
    for r in summary.residences:
        lines.append(
            tr._(
                "Unit {unit}: {relation}, {state}",
                unit=r.unit_code,
                relation=relations[r.relation.value],
                state=states.get(r.status, r.status),
            )
        )
        if r.owner_claim:
            lines.append(tr._("Unit {unit}: owner claim, waiting for proof", unit=r.unit_code))
    role_names = role_labels(tr)
    for role, building_id in summary.roles:
        scope = tr._(" (building #{id})", id=building_id) if building_id else ""
        lines.append(tr._("Role: {role}{scope}", role=role_names.get(role, role), scope=scope))
    for key, label in DATA_LABELS.items():
        if summary.counts.get(key):
            lines.append(f"{tr._(label)}: {summary.counts[key]}")
    lines.append(tr._("To delete all of this, send /forgetme."))
    await reply(update, "\n".join(lines))


@private_only
async def forget_me(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    await answer(update.callback_query)
    text = turn.tr._(
        "This deletes your registration, roles, language, our conversations and the messages "
        "I sent you. Your tickets, bookings and votes stay for the community's records, but "
        "nothing in them leads to you any more. Are you sure?"
    )
    markup = keyboard(
        [
            button(turn.tr._("Yes, delete my data"), ForgetMe(True)),
            button(turn.tr._("No, keep it"), ForgetMe(False)),
        ]
    )
    await reply(update, text, markup)


@private_only
async def forget_me_confirm(update: Update, context: Context) -> None:
    query, data, turn = await pressed(update, context, ForgetMe)
    await answer(query)
    if not data.confirm:
        await reply(update, turn.tr._("Nothing was deleted."))
        return
    user = turn.user
    names = [user.first_name, user.full_name]
    if user.username:
        names += [user.username, f"@{user.username}"]
    async with context.services.db.transaction() as conn:
        await privacy.forget_user(conn, user.id, now=turn.ts, names=names)
    context.services.deliver_now()  # the edits of cards that named them
    # What PTB holds in memory goes too (its persistence writes the empty dicts as deletions).
    if context.user_data is not None:
        context.user_data.clear()
    if context.chat_data is not None:
        context.chat_data.clear()
    await reply(
        update,
        turn.tr._("Done: I have deleted your data. Send /start if you ever want to come back."),
    )


async def bot_membership_changed(update: Update, context: Context) -> None:
    """Telegram tells us when a person blocks or unblocks the bot, and when the bot is added to
    a group (my_chat_member)."""
    change = update.my_chat_member
    if change is None:
        return
    status = change.new_chat_member.status
    if change.chat.type != Chat.PRIVATE:
        joined = status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR)
        was_out = change.old_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED)
        if joined and was_out:
            tr = context.services.i18n.translator(None)
            await notify(
                context,
                change.chat.id,
                tr._(
                    "Hello! I am the community's front desk. In this group I only post notices, "
                    "announcements and results. An administrator or the property manager can "
                    "send /bind here to connect this group to a building, the whole community "
                    "or the staff."
                ),
            )
        return
    blocked = status in (ChatMember.BANNED, ChatMember.LEFT)
    services = context.services
    async with services.db.transaction() as conn:
        at = int(services.clock().timestamp()) if blocked else None
        await people.set_blocked(conn, change.chat.id, at)


@private_only
async def help_command(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    tr = turn.tr
    lines = [tr._("What I can do:")]
    for spec in context.services.commands:
        if spec.shown_to(turn.principal):
            lines.append(f"/{spec.command} — {tr._(spec.description)}")
    await reply(update, "\n".join(lines))


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("start", start),
        CommandHandler("menu", show_menu),
        CallbackQueryHandler(show_menu, pattern=menu_pattern("menu")),
        CommandHandler("language", language),
        CallbackQueryHandler(language, pattern=menu_pattern("language")),
        CallbackQueryHandler(pick_language, pattern=matches(PickLanguage)),
        CommandHandler("me", me),
        CallbackQueryHandler(me, pattern=menu_pattern("me")),
        CommandHandler("forgetme", forget_me),
        CallbackQueryHandler(forget_me_confirm, pattern=matches(ForgetMe)),
        CommandHandler("help", help_command),
        ChatMemberHandler(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
        CallbackQueryHandler(show_menu, pattern=matches(Dismiss)),
    ]


FEATURE = Feature(
    name="start",
    handlers=_handlers,
    menu=(
        MenuEntry("me", N_("My data"), 80),
        MenuEntry("language", N_("Language / 语言"), 90),
    ),
    commands=(
        CommandSpec("start", N_("Start and show the main menu")),
        CommandSpec("menu", N_("Show the main menu")),
        CommandSpec("language", N_("Change the language")),
        CommandSpec("me", N_("See what I store about you")),
        CommandSpec("forgetme", N_("Delete your data")),
        CommandSpec("help", N_("What I can do")),
    ),
)
