"""Administrators manage roles in the bot too: /grant, /revoke and /roles (private chat only).

/grant 123456789 leader 3      (leader and grid roles take building codes)
/grant 123456789 staff
/revoke 123456789 leader 3
/roles                         (who holds which role)
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import Context
from bot.feature import CommandSpec, Feature
from bot.i18n import N_
from bot.rules.auth import Action, Role, can
from handlers.kit import Refusal, Turn, begin, private_only, refusal_text, reply, translator_for
from handlers.kit.callbacks import strict_int
from handlers.kit.menu import role_labels
from storage import community, outbox, people


def usage(turn: Turn) -> str:
    roles = ", ".join(r.value for r in Role)
    return turn.tr._(
        "Usage: /grant USER_ID ROLE [BUILDING …] or /revoke USER_ID ROLE [BUILDING …]. "
        "Roles: {roles}. Leader and grid roles need building codes. A person finds their "
        "USER_ID with /me.",
        roles=roles,
    )


async def _change(update: Update, context: Context, grant: bool) -> None:
    turn = await begin(update, context)
    if not can(turn.principal, Action.GRANT_ROLES):
        await reply(update, refusal_text(turn.tr, Refusal.NO_RIGHT))
        return
    args = context.args or []
    user_id = strict_int(args[0]) if args else None
    if len(args) < 2 or user_id is None or user_id < 1 or args[1] not in {r.value for r in Role}:
        await reply(update, usage(turn))
        return
    role, codes = Role(args[1]), args[2:]
    if role.scoped and grant and not codes:
        await reply(update, usage(turn))
        return
    services = context.services
    changed: list[str] = []
    async with services.db.transaction() as conn:
        building_ids: list[int | None] = []
        for code in codes:
            found = await community.building_by_code(conn, code)
            if found is None:
                await reply(
                    update, turn.tr._("There is no building with the code {code}.", code=code)
                )
                return
            building_ids.append(found.id)
        for building_id, code in zip(building_ids or [None], codes or [""], strict=True):
            if grant:
                done = await people.grant_role(
                    conn, user_id, role, building_id, turn.user.id, turn.ts
                )
            else:
                done = bool(await people.revoke_role(conn, user_id, role, building_id))
            if done:
                changed.append(code)
                action = "grant" if grant else "revoke"
                await people.audit(
                    conn, turn.user.id, action, str(user_id), turn.ts, f"{role.value} {code}"
                )
        if changed and await people.get_person(conn, user_id) is not None:
            where = ", ".join(c for c in changed if c)
            other = await translator_for(services, conn, user_id)
            label = role_labels(other)[role.value]
            theirs = (
                other._(
                    "You have been given the role: {role} {where}. Send /start to see your menu.",
                    role=label,
                    where=where,
                )
                if grant
                else other._("Your role {role} {where} has ended.", role=label, where=where)
            )
            await outbox.push(
                conn, user_id, outbox.Payload(text=theirs), now=turn.ts, kind="role", ref=role
            )
    services.deliver_now()
    name = role_labels(turn.tr)[role.value]
    if not changed:
        await reply(update, turn.tr._("Nothing changed: the role was already like that."))
        return
    where = ", ".join(c for c in changed if c)
    if grant:
        mine = turn.tr._("Granted: {role} {where} to {user}.", role=name, where=where, user=user_id)
    else:
        mine = turn.tr._(
            "Revoked: {role} {where} from {user}.", role=name, where=where, user=user_id
        )
    await reply(update, mine)


@private_only
async def grant(update: Update, context: Context) -> None:
    await _change(update, context, grant=True)


@private_only
async def revoke(update: Update, context: Context) -> None:
    await _change(update, context, grant=False)


@private_only
async def roles(update: Update, context: Context) -> None:
    turn = await begin(update, context)
    if not can(turn.principal, Action.GRANT_ROLES):
        await reply(update, refusal_text(turn.tr, Refusal.NO_RIGHT))
        return
    async with context.services.db.read() as conn:
        rows = await people.all_roles(conn)
    if not rows:
        await reply(update, turn.tr._("Nobody holds a role yet."))
        return
    names = role_labels(turn.tr)
    lines = [turn.tr._("Roles:")]
    for user_id, first_name, role, building in rows:
        lines.append(
            f"{user_id} {first_name or ''} — {names[role]}" + (f" ({building})" if building else "")
        )
    await reply(update, "\n".join(lines))


def _handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("grant", grant),
        CommandHandler("revoke", revoke),
        CommandHandler("roles", roles),
    ]


FEATURE = Feature(
    name="admin",
    handlers=_handlers,
    commands=(
        CommandSpec("grant", N_("Give someone a role (administrators)"), roles=(Role.ADMIN,)),
        CommandSpec("revoke", N_("Take a role away (administrators)"), roles=(Role.ADMIN,)),
        CommandSpec("roles", N_("Who holds which role (administrators)"), roles=(Role.ADMIN,)),
    ),
)
