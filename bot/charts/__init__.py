"""Charts of the figures as PNG images readable on a phone, drawn headless with matplotlib's
Agg renderer (no display, no pyplot state), every label in the reader's language in a CJK
font found by path (``fonts``): a missing font is ``MissingFontError``, never boxes."""

from bot.charts.figures import Chart, charts, draw, tickets_per_day
from bot.charts.fonts import CJK_FONT_PATHS, MissingFontError, cjk_font

__all__ = [
    "CJK_FONT_PATHS",
    "Chart",
    "MissingFontError",
    "charts",
    "cjk_font",
    "draw",
    "tickets_per_day",
]
