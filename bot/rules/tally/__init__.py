"""Vote counting for residentbot: resident polls and owners' decisions (业主共同决定).

Pure domain rules: no Telegram, no database, no clock, standard library only. Every count is an
``int``, every floor area a :class:`~decimal.Decimal` (m², summed exactly) and every ratio or
threshold a :class:`~fractions.Fraction`. Floats are refused wherever a number comes in.

Two kinds of vote (PRODUCT.md, "Proposals and votes"):

* **Resident poll** (:func:`tally_poll`): one vote per verified household (unit) or per verified
  resident, as the proposal says (:class:`PollBasis`). A voter may change their vote until the
  close; the latest ballot per voting key counts. With ``HOUSEHOLD`` basis several residents of
  one unit share one vote and the latest ballot cast by any of them counts. The winner is the
  option with the most votes among the options that are *not* marked ``counts_as_abstain``
  (plurality of votes cast); abstentions count towards turnout and quorum only. A tie for the
  most votes has no winner; neither has a poll that missed its quorum.

* **Owners' decision** (:func:`tally_decision`, Civil Code art. 278, SPC interpretation on
  建筑物区分所有权 arts. 8-9): one vote per owner, weighed by the registered exclusive floor area
  of all the units the owner holds. An owner of several units counts once by head and with all
  their area; the developer's unsold or undelivered units together count as one owner
  (:data:`DEVELOPER_OWNER_KEY`, :func:`owner_key_for`); co-owners of a unit pick one voter, so a
  unit has exactly one owner key. The decision is *valid* when the participating owners hold at
  least 2/3 of the total area AND are at least 2/3 of all owners. It then *passes* when approved
  by more than half of the participating area AND more than half of the participating owners
  (ORDINARY matters), or by at least 3/4 of both (SPECIAL matters: art. 278 items 6-8).
  "At least" (以上) includes the bound and "more than half" (过半数) does not (Civil Code
  art. 1259). An ABSTAIN ballot is participation: it counts towards the 2/3 thresholds and sits
  in the denominator of the approval ratios, so it never helps a matter pass.

Receipts (:func:`receipt`, :func:`verify_receipt`) let a voter check that their ballot was
counted without revealing it to anyone else.

The package: ``poll`` (resident polls), ``matters`` (art. 278 items), ``electorate`` (units and
owners), ``ballots`` (owners' ballots and their resolution), ``decision`` (the count),
``receipts`` and ``values`` (shared checks and exact areas).
"""

from bot.rules.tally.ballots import (
    BallotSource,
    Choice,
    ConflictingBallotsError,
    OwnerBallot,
    resolve_ballots,
)
from bot.rules.tally.decision import AreaBound, DecisionResult, tally_decision
from bot.rules.tally.electorate import DEVELOPER_OWNER_KEY, Electorate, Unit, owner_key_for
from bot.rules.tally.matters import Art278Item, Matter, matter_for
from bot.rules.tally.poll import (
    PollBallot,
    PollBasis,
    PollOption,
    PollResult,
    resolve_poll_ballots,
    tally_poll,
)
from bot.rules.tally.receipts import MIN_NONCE_BYTES, RECEIPT_LENGTH, receipt, verify_receipt
from bot.rules.tally.values import area_ceil

__all__ = [
    "DEVELOPER_OWNER_KEY",
    "MIN_NONCE_BYTES",
    "RECEIPT_LENGTH",
    "AreaBound",
    "Art278Item",
    "BallotSource",
    "Choice",
    "ConflictingBallotsError",
    "DecisionResult",
    "Electorate",
    "Matter",
    "OwnerBallot",
    "PollBallot",
    "PollBasis",
    "PollOption",
    "PollResult",
    "Unit",
    "area_ceil",
    "matter_for",
    "owner_key_for",
    "receipt",
    "resolve_ballots",
    "resolve_poll_ballots",
    "tally_decision",
    "tally_poll",
    "verify_receipt",
]
