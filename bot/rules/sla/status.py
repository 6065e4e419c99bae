"""The SLA status of a ticket at an instant: on time, at risk or breached."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.rules.sla.values import _utc


class SlaStatus(StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    BREACHED = "breached"


def status_at(
    now: datetime,
    response_due: datetime | None,
    resolution_due: datetime | None,
    responded_at: datetime | None = None,
    resolved_at: datetime | None = None,
    *,
    response_warn_at: datetime | None = None,
    resolution_warn_at: datetime | None = None,
) -> SlaStatus:
    """The SLA status of a ticket at ``now``.

    BREACHED if a deadline was missed: done after it, or not done and ``now`` is past it (at
    the deadline itself it is not breached yet). AT_RISK if not breached and ``now`` is at or
    past the warn time of a deadline still pending (warn times as ``reminder_schedule`` gives
    them; without them a ticket is never AT_RISK). A deadline that is None (clock stopped by an
    open pause) counts as met. A resolved ticket counts as responded to at ``resolved_at`` if
    ``responded_at`` is None.
    """
    moment = _utc(now, "now")
    if responded_at is None and resolved_at is not None:
        responded_at = resolved_at
    checks = (
        (response_due, responded_at, response_warn_at, "response"),
        (resolution_due, resolved_at, resolution_warn_at, "resolution"),
    )
    at_risk = False
    for due, done, warn, name in checks:
        if due is None:
            continue
        due_utc = _utc(due, f"{name}_due")
        if done is not None:
            if _utc(done, f"{name} time") > due_utc:
                return SlaStatus.BREACHED
            continue
        if moment > due_utc:
            return SlaStatus.BREACHED
        if warn is not None and moment >= _utc(warn, f"{name}_warn_at"):
            at_risk = True
    return SlaStatus.AT_RISK if at_risk else SlaStatus.ON_TIME
