"""The charts render headless (matplotlib's Agg renderer, no display), as PNGs of the right
size that are not blank, with every text drawn in the CJK font found by path; without the
font there is a clear error, never boxes."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

import bot.charts.figures as drawing
from bot.charts import CJK_FONT_PATHS, MissingFontError, charts, cjk_font
from bot.i18n import I18n
from bot.rules.clock import to_ts
from bot.rules.figures import Figures, MeetingFigures, NoticeFigures, RoomFigure, ticket_figures
from bot.texts.figures import Names
from tests.test_figures_rules import NOW, last_week, week_rows

I18N = I18n(ZoneInfo("Asia/Shanghai"))
NAMES = Names(
    categories={"lighting": {"zh_Hans": "公共照明", "zh_Hant": "公共照明", "en": "Lighting"},
                "leak": {"zh_Hans": "管道渗漏", "zh_Hant": "管道滲漏", "en": "Leaks"},
                "elevator": {"zh_Hans": "电梯", "zh_Hant": "電梯", "en": "Elevator"}},
    people={2001: "王师傅", 2002: "李师傅"},
)  # fmt: skip


def week_figures() -> Figures:
    period = last_week()
    return Figures(
        period,
        None,
        to_ts(NOW),
        ticket_figures(week_rows(), period, to_ts(NOW)),
        [],
        [
            RoomFigure(1, {"zh_Hans": "活动室", "zh_Hant": "活動室"}, Fraction(5, 78)),
            RoomFigure(2, {"zh_Hans": "会议室", "zh_Hant": "會議室"}, Fraction(17, 20)),
        ],
        NoticeFigures(1, 3, 1, 0, 1),
        MeetingFigures(2),
    )


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """Every matplotlib figure the charts draw, kept to look at its texts."""
    kept: list[Figure] = []
    real = drawing._png

    def keep(figure: Figure) -> bytes:
        kept.append(figure)
        return real(figure)

    monkeypatch.setattr(drawing, "_png", keep)
    return kept


def _texts(figure: Figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if isinstance(t, Text) and t.get_text()]


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_the_charts_render_as_pngs_in_the_cjk_font(locale: str, drawn: list[Figure]) -> None:
    tr = I18N.translator(locale)
    found = charts(tr, week_figures(), NAMES)
    assert [c.name for c in found] == ["tickets", "categories", "rooms"]
    font = cjk_font()
    for chart, figure in zip(found, drawn, strict=True):
        image = Image.open(io.BytesIO(chart.png))
        assert image.format == "PNG" and image.size == (1200, 900)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert len(colours) > 50  # bars, lines and anti-aliased text: far from blank
        white = max(colours)[0] / (1200 * 900)
        assert white < 0.95
        texts = _texts(figure)
        assert texts
        used = {Path(font_manager.findfont(t.get_fontproperties())) for t in texts}
        assert used == {font.path}, used
    if locale != "en":  # the Chinese labels are there (drawn in that font)
        labels = {t.get_text() for t in _texts(drawn[1])}
        assert {"公共照明", "电梯" if locale == "zh_Hans" else "電梯"} <= labels


def test_the_font_is_found_by_path_and_a_missing_one_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    font = cjk_font()
    assert str(font.path) in CJK_FONT_PATHS and font.path.is_file()
    with pytest.raises(MissingFontError, match="fonts-wqy-microhei"):
        cjk_font(["/nonexistent/font.ttc"])
    monkeypatch.setattr("bot.charts.fonts.CJK_FONT_PATHS", ("/nonexistent/font.ttc",))
    monkeypatch.delenv("RESIDENTBOT_CJK_FONT", raising=False)
    with pytest.raises(MissingFontError):
        charts(I18N.translator("zh_Hans"), week_figures(), NAMES)


def test_a_period_without_resolutions_or_rooms_draws_only_what_it_has() -> None:
    f = week_figures()
    empty = Figures(f.period, None, f.now, ticket_figures([], f.period, f.now), [], [],
                    f.notices, f.meetings)  # fmt: skip
    assert [c.name for c in charts(I18N.translator("en"), empty, NAMES)] == ["tickets"]
