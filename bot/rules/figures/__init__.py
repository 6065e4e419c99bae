"""Figures (统计): what the property company and the committee are judged by.

Pure rules, standard library only: the period (``period``), a ticket's SLA measures computed
by ``bot.rules.sla`` (``measure``), the ticket figures of a period from rows carrying those
measures (``tickets``), and the community's other figures: votes closed, room use, notice
delivery, meetings held (``community``). ``values`` holds shares (None when there is nothing
to divide by: "no ratings yet") and the median and 90th percentile of durations.
"""

from bot.rules.figures.community import (
    MEETINGS_TARGET,
    SATISFACTION_TARGET,
    UTILISATION_TARGET,
    Figures,
    MeetingFigures,
    NoticeFigures,
    OutageFigures,
    RoomFigure,
    VolunteerFigures,
    VoteFigure,
    VoteOutcome,
    vote_figure,
)
from bot.rules.figures.measure import ANSWERED_OUTCOMES, RESOLVED, Measures, measure
from bot.rules.figures.period import (
    Period,
    PeriodKind,
    days_period,
    month_period,
    next_month,
    period_for,
    recent_months,
    year_start,
)
from bot.rules.figures.tickets import (
    BUCKET_SECONDS,
    GOOD_RATING,
    OUTCOME_FIELDS,
    OUTCOMES,
    AssigneeFigures,
    Cell,
    Counts,
    DayFigures,
    GroupFigures,
    Inputs,
    TicketFigures,
    TicketRow,
    cell_of,
    inputs_of,
    summarise,
    ticket_figures,
)
from bot.rules.figures.values import Durations, Share, durations

__all__ = [
    "ANSWERED_OUTCOMES",
    "BUCKET_SECONDS",
    "GOOD_RATING",
    "MEETINGS_TARGET",
    "OUTCOMES",
    "OUTCOME_FIELDS",
    "RESOLVED",
    "SATISFACTION_TARGET",
    "UTILISATION_TARGET",
    "AssigneeFigures",
    "Cell",
    "Counts",
    "DayFigures",
    "Durations",
    "Figures",
    "GroupFigures",
    "Inputs",
    "Measures",
    "MeetingFigures",
    "NoticeFigures",
    "OutageFigures",
    "Period",
    "PeriodKind",
    "RoomFigure",
    "Share",
    "TicketFigures",
    "TicketRow",
    "VolunteerFigures",
    "VoteFigure",
    "VoteOutcome",
    "cell_of",
    "days_period",
    "durations",
    "inputs_of",
    "measure",
    "month_period",
    "next_month",
    "period_for",
    "recent_months",
    "summarise",
    "ticket_figures",
    "vote_figure",
    "year_start",
]
