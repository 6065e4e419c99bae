"""/paper: an officer records a signed paper ballot for a unit (the later of a paper and an
electronic ballot for the same owner or household counts)."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.rules.auth import Action, can
from bot.rules.tally import PollBasis
from bot.rules.votes import household_key, owner_key
from bot.services.votes import units_map
from bot.texts.votes import option_label
from handlers.kit import Refusal, begin, private_only, refusal_text
from handlers.kit.callbacks import strict_int
from handlers.votes.ballots import open_for_voting
from storage import people
from storage import votes as store


@private_only
async def paper(update: Update, context: Context) -> None:
    """``/paper <proposal> <unit> <option number>``: record a signed paper ballot."""
    turn = await begin(update, context)
    tr = turn.tr
    message = update.effective_message
    assert message is not None
    if not can(turn.principal, Action.RECORD_PAPER_BALLOT):
        await message.reply_text(refusal_text(tr, Refusal.NO_RIGHT))
        return
    args = context.args or []
    usage = tr._(
        "To record a signed paper ballot: /paper <proposal number> <unit> <option number>, "
        "e.g. /paper 3 1-101 1"
    )
    numbers = [strict_int(args[0]), strict_int(args[2])] if len(args) == 3 else []
    if len(numbers) != 2 or any(n is None or n < 0 for n in numbers):
        await message.reply_text(usage)
        return
    proposal_id, unit_code, index = int(args[0]), args[1], int(args[2])
    reply_text: str
    async with context.services.db.transaction() as conn:
        proposal = await store.get(conn, proposal_id)
        units = await units_map(conn, proposal) if proposal else {}
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
