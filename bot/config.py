"""Settings from the environment (and an optional ``.env`` file), validated once at start."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
LOCALES = ("zh_Hans", "en", "zh_Hant")
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{5,}$")


class ConfigError(ValueError):
    """One or more settings are wrong; the message lists each mistake on its own line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class BackupSettings:
    """Where backups go and the daily backup's hour (``None``: no daily backup) and retention."""

    folder: Path
    hour: int | None = 3
    keep_daily: int = 7
    keep_monthly: int = 12
    compress: bool = True


@dataclass(frozen=True)
class Settings:
    token: str | None
    api_base_url: str
    api_file_url: str
    db_path: Path
    timezone: ZoneInfo
    locale: str
    backup: BackupSettings = field(default_factory=lambda: BackupSettings(Path("backups")))

    def __repr__(self) -> str:  # never show the token
        shown = "set" if self.token else "unset"
        return (
            f"Settings(token={shown}, api_base_url={self.api_base_url!r}, db_path="
            f"{str(self.db_path)!r}, timezone={self.timezone.key!r}, locale={self.locale!r})"
        )

    __str__ = __repr__


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a ``.env`` file: ``KEY=value`` lines, ``#`` comments, optional quotes."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        key, sep, value = line.partition("=")
        if not sep:
            raise ConfigError([f"{path}:{number}: expected KEY=value"])
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    env_file: Path | None = None,
    require_token: bool = False,
) -> Settings:
    """Read ``RESIDENTBOT_*`` settings; the process environment wins over the ``.env`` file."""
    env: dict[str, str] = {}
    file = env_file if env_file is not None else Path(".env")
    if file.is_file():
        env.update(read_env_file(file))
    env.update(os.environ if environ is None else environ)

    problems: list[str] = []
    token = env.get("RESIDENTBOT_TOKEN", "").strip() or None
    if token is None and require_token:
        problems.append(
            "RESIDENTBOT_TOKEN is not set: get a token from @BotFather and set it, "
            "e.g. RESIDENTBOT_TOKEN=123456:ABC... in the environment or in .env"
        )
    elif token is not None and not _TOKEN.match(token):
        problems.append(
            "RESIDENTBOT_TOKEN does not look like a bot token (digits, a colon, then letters)"
        )

    base = env.get("RESIDENTBOT_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
    if not re.match(r"^https?://[^\s/]+", base):
        problems.append(
            f"RESIDENTBOT_API_BASE_URL must be an http(s) URL such as {DEFAULT_API_BASE_URL}, "
            f"got {base!r}"
        )
    file_url = env.get("RESIDENTBOT_API_FILE_URL", "").strip() or _file_url_for(base)

    db_path = Path(env.get("RESIDENTBOT_DB", "").strip() or "residentbot.db")
    if db_path.exists() and db_path.is_dir():
        problems.append(f"RESIDENTBOT_DB points at a folder, not a file: {db_path}")
    elif not db_path.parent.exists() and str(db_path.parent) not in ("", "."):
        problems.append(f"RESIDENTBOT_DB: the folder {db_path.parent} does not exist")

    tz_name = env.get("RESIDENTBOT_TIMEZONE", "").strip() or "Asia/Shanghai"
    timezone = ZoneInfo("Asia/Shanghai")
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"RESIDENTBOT_TIMEZONE: unknown time zone {tz_name!r} (use a name like Asia/Shanghai)"
        )

    locale = env.get("RESIDENTBOT_LOCALE", "").strip() or "zh_Hans"
    if locale not in LOCALES:
        problems.append(f"RESIDENTBOT_LOCALE must be one of {', '.join(LOCALES)}, got {locale!r}")

    backup = _backup_settings(env, db_path, problems)

    if problems:
        raise ConfigError(problems)
    return Settings(
        token=token,
        api_base_url=base,
        api_file_url=file_url,
        db_path=db_path,
        timezone=timezone,
        locale=locale,
        backup=backup,
    )


def _backup_settings(env: Mapping[str, str], db_path: Path, problems: list[str]) -> BackupSettings:
    """``RESIDENTBOT_BACKUP_*``: the folder (default ``backups`` beside the database), the hour
    of the daily backup in the community's time zone (``off``: none), how many to keep."""
    raw_dir = env.get("RESIDENTBOT_BACKUP_DIR", "").strip()
    folder = Path(raw_dir) if raw_dir else db_path.parent / "backups"
    if folder.exists() and not folder.is_dir():
        problems.append(f"RESIDENTBOT_BACKUP_DIR points at a file, not a folder: {folder}")
    raw_hour = env.get("RESIDENTBOT_BACKUP_HOUR", "").strip().lower() or "3"
    hour: int | None = None
    if raw_hour != "off":
        hour = _whole(raw_hour, "RESIDENTBOT_BACKUP_HOUR", 0, 23, problems, "or off")
    daily = _whole(
        env.get("RESIDENTBOT_BACKUP_KEEP_DAILY", "").strip() or "7",
        "RESIDENTBOT_BACKUP_KEEP_DAILY",
        1,
        3660,
        problems,
    )
    monthly = _whole(
        env.get("RESIDENTBOT_BACKUP_KEEP_MONTHLY", "").strip() or "12",
        "RESIDENTBOT_BACKUP_KEEP_MONTHLY",
        0,
        1200,
        problems,
    )
    raw_gzip = env.get("RESIDENTBOT_BACKUP_GZIP", "").strip().lower() or "yes"
    if raw_gzip not in ("yes", "no"):
        problems.append(f"RESIDENTBOT_BACKUP_GZIP must be yes or no, got {raw_gzip!r}")
    return BackupSettings(
        folder=folder,
        hour=hour,
        keep_daily=daily or 1,
        keep_monthly=monthly or 0,
        compress=raw_gzip != "no",
    )


def _whole(
    raw: str, name: str, low: int, high: int, problems: list[str], extra: str = ""
) -> int | None:
    if raw.isdigit() and low <= int(raw) <= high:
        return int(raw)
    problems.append(
        f"{name} must be a whole number from {low} to {high}{' ' + extra if extra else ''}, "
        f"got {raw!r}"
    )
    return None


def _file_url_for(base: str) -> str:
    """Telegram serves files at /file/bot<token>/...; a base ending in /bot maps to /file/bot."""
    if base.endswith("/bot"):
        return base[: -len("/bot")] + "/file/bot"
    return base.rstrip("/") + "/file/bot"
