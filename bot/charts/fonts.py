"""The CJK font the charts are drawn in, found by path and registered with matplotlib's
font_manager. The Debian package fonts-wqy-microhei provides it (``.ci/run`` installs it; see
the README); fonts-noto-cjk works too."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matplotlib import font_manager

#: Where Debian's packages put their CJK fonts, in order of preference; the environment
#: variable RESIDENTBOT_CJK_FONT names another file, tried first.
CJK_FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # fonts-noto-cjk
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
)
ENV_FONT = "RESIDENTBOT_CJK_FONT"


class MissingFontError(RuntimeError):
    """No CJK font: the charts would show boxes instead of Chinese, so none is drawn."""


@dataclass(frozen=True)
class Font:
    path: Path
    family: str  # the name matplotlib knows it by once registered


def cjk_font(paths: Sequence[str] | None = None) -> Font:
    """The first CJK font file that exists, registered with matplotlib (once per file).
    Raises ``MissingFontError`` naming the files looked for and the package to install."""
    candidates = list(CJK_FONT_PATHS if paths is None else paths)
    override = os.environ.get(ENV_FONT)
    if override and paths is None:
        candidates.insert(0, override)
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            return _register(path)
    raise MissingFontError(
        "no Chinese (CJK) font for the charts: install the Debian package fonts-wqy-microhei "
        f"(apt-get install fonts-wqy-microhei) or set {ENV_FONT}; looked for "
        + ", ".join(candidates)
    )


@cache
def _register(path: Path) -> Font:
    font_manager.fontManager.addfont(str(path))
    return Font(path, font_manager.FontProperties(fname=str(path)).get_name())
