"""The ``residentbot`` command: run, sandbox, init, invites, export, grant, revoke, backup,
restore, check (thin: parses, then calls; the operator's commands live in ``bot.ops``, the
sandbox in ``bot.sandbox``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import sys
import traceback
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.config import ConfigError, Settings, load_settings
from bot.i18n import I18n
from bot.ops import backup as ops_backup
from bot.ops import check as ops_check
from bot.ops.lock import AlreadyRunning, RunLock
from bot.rules.auth import Role
from bot.rules.clock import system_clock, to_ts
from bot.rules.community import CommunityFileError, load_file
from bot.rules.figures import days_period
from bot.sandbox import cli as sandbox_cli
from bot.services import exports
from bot.services.exports import EXPORTS, FORMATS, Viewer
from bot.texts.owners import owner_letter
from storage import community, owners, people
from storage.backup import BackupError
from storage.db import Database, DatabaseTooNewError

log = logging.getLogger("residentbot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="residentbot",
        description="residentbot: the front desk of a residential community, inside Telegram. "
        "Settings come from RESIDENTBOT_* environment variables or a .env file (see README).",
    )
    parser.add_argument("--env-file", type=Path, help="read settings from this file (default .env)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (long polling) until Ctrl+C / SIGTERM")
    run.add_argument("--verbose", action="store_true", help="log debug messages")
    sandbox_cli.register(sub)

    init = sub.add_parser(
        "init", help="load or update the community from a TOML file (safe to run again)"
    )
    init.add_argument("file", type=Path, help="the community file, e.g. examples/community.toml")

    invites = sub.add_parser(
        "invites", help="print each unit's invite link (or owner letters); write QR codes"
    )
    invites.add_argument(
        "--bot-username", required=True, help="the bot's username, as in t.me/<username>"
    )
    invites.add_argument("--qr", type=Path, metavar="FOLDER", help="write one QR PNG per unit here")
    invites.add_argument("--building", help="only this building (its code)")
    invites.add_argument(
        "--owners",
        action="store_true",
        help="owner letters instead of door codes: a new one-time code per unit for the owner "
        "the community file names (the units' earlier unused letters stop working)",
    )
    invites.add_argument("--unit", help="only this unit (its code), e.g. to replace a lost letter")

    export = sub.add_parser(
        "export", help="write tickets, bookings, votes or notices of a period as .xlsx or .csv"
    )
    export.add_argument("--what", required=True, choices=EXPORTS, help="what to export")
    export.add_argument("--from", dest="first", required=True, type=_day, help="YYYY-MM-DD")
    export.add_argument("--to", dest="last", required=True, type=_day, help="YYYY-MM-DD, included")
    export.add_argument(
        "--out", required=True, type=Path, help="the file: .xlsx (figures and rows) or .csv"
    )
    export.add_argument("--building", help="only this building (its code)")

    for name, verb in (("grant", "give"), ("revoke", "take away")):
        cmd = sub.add_parser(name, help=f"{verb} a role")
        cmd.add_argument("user_id", type=int, help="the person's Telegram user id (see /me)")
        cmd.add_argument("role", choices=[r.value for r in Role], help="the role")
        cmd.add_argument(
            "--building",
            action="append",
            help="building code (leader and grid roles are scoped; repeat for several)",
        )
    ops_backup.register(sub)
    ops_check.register(sub)
    return parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-11-01: {text!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    verbose = bool(getattr(args, "verbose", False))
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL, and the URL holds the token: keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not verbose:  # "Adding job tentatively …" once per job says nothing to an operator
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if args.command == "check":  # it reports configuration problems itself, among others
        return ops_check.check_command(args)
    try:
        settings = load_settings(env_file=args.env_file, require_token=args.command == "run")
    except ConfigError as exc:
        print("residentbot: configuration problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    try:
        if args.command == "run":
            return run(settings, verbose=verbose)
        if args.command == "sandbox":
            return sandbox_cli.sandbox_command(args, settings)
        if args.command == "backup":
            return ops_backup.backup_command(args, settings)
        if args.command == "restore":
            return ops_backup.restore_command(args, settings)
        return asyncio.run(_command(args, settings))
    except DatabaseTooNewError as exc:
        print(f"residentbot: {exc}", file=sys.stderr)
        return 2


async def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "init":
        try:
            spec = load_file(args.file)
        except CommunityFileError as exc:
            print(f"residentbot: {args.file} has problems:", file=sys.stderr)
            for problem in exc.problems:
                print(f"  - {problem}", file=sys.stderr)
            return 2
        db = await Database.open(settings.db_path)
        try:
            async with db.transaction() as conn:
                report = await community.apply_spec(conn, spec)
        finally:
            await db.close()
        if not report.changed:
            print(f"{spec.name}: already up to date ({settings.db_path})")
        for table, changes in report.changes.items():
            print(
                f"{table}: {len(changes)} change(s): "
                + ", ".join(changes[:8])
                + (" …" if len(changes) > 8 else "")
            )
        for note in report.notes:
            print(f"note: {note}")
        return 0

    db = await Database.open(settings.db_path)
    try:
        if args.command == "invites" and args.owners:
            return await _owner_letters(db, args, settings)
        if args.command == "invites":
            return await _invites(db, args)
        if args.command == "export":
            return await _export(db, args, settings)
        return await _grant(db, args)
    finally:
        await db.close()


def _chosen(units: list[community.Unit], args: argparse.Namespace) -> list[community.Unit]:
    """The units ``--building`` / ``--unit`` pick (all without them); says so when none."""
    if args.building:
        units = [u for u in units if u.building_code == args.building]
    if args.unit:
        units = [u for u in units if u.code == args.unit]
    if not units:
        print(
            "residentbot: no such units; load the community first with: residentbot init FILE",
            file=sys.stderr,
        )
    return units


def _safe_name(unit_code: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in unit_code)


def _write_qr(link: str, path: Path) -> None:
    import qrcode
    from qrcode.image.pure import PyPNGImage

    image = qrcode.make(link, image_factory=PyPNGImage)
    with path.open("wb") as fp:
        image.save(fp)


async def _invites(db: Database, args: argparse.Namespace) -> int:
    async with db.read() as conn:
        units = _chosen(await community.all_units(conn), args)
    if not units:
        return 1
    if args.qr:
        args.qr.mkdir(parents=True, exist_ok=True)
    for unit in units:
        link = f"https://t.me/{args.bot_username}?start={unit.invite_code}"
        print(f"{unit.code}\t{link}")
        if args.qr:
            _write_qr(link, args.qr / f"{_safe_name(unit.code)}.png")
    if args.qr:
        print(f"{len(units)} QR codes written to {args.qr}/", file=sys.stderr)
    return 0


async def _owner_letters(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    """One letter per unit with an owner on record: a new one-time code bound to that owner
    (only its hash is stored, so this is the one time it can be printed)."""
    now = system_clock()
    tr = I18n(settings.timezone, settings.locale).translator(None)
    letters: list[tuple[community.Unit, str, str]] = []
    async with db.transaction() as conn:
        info = await community.get_community(conn)
        units = _chosen(await community.all_units(conn), args)
        for unit in units:
            owner = await owners.registered_owner(conn, unit.id)
            if unit.owner_id is None or owner is None:
                continue
            code = await owners.issue_code(conn, unit.id, unit.owner_id, to_ts(now))
            letters.append((unit, owner, f"https://t.me/{args.bot_username}?start={code}"))
        await people.audit(conn, None, "cli_owner_letters", str(len(letters)), to_ts(now))
    if not units:
        return 1
    if args.qr:
        args.qr.mkdir(parents=True, exist_ok=True)
    for unit, owner, link in letters:
        print(f"{unit.code}\t{owner}\t{link}")
        if args.qr:
            name = f"{_safe_name(unit.code)}-owner"
            _write_qr(link, args.qr / f"{name}.png")
            text = owner_letter(
                tr,
                community=info.name if info else "",
                owner=owner,
                unit=unit.code,
                link=link,
                printed=now,
            )
            (args.qr / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    print(
        f"{len(letters)} owner letter(s) made (each works once; earlier unused letters of these "
        "units no longer work)" + (f", written to {args.qr}/" if args.qr else ""),
        file=sys.stderr,
    )
    missing = [u.code for u in units if u.owner_id is None]
    if missing:
        print(
            f"{len(missing)} units have no owner in the community file, so no letter: "
            + ", ".join(missing[:8])
            + (" …" if len(missing) > 8 else ""),
            file=sys.stderr,
        )
    return 0


async def _export(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        print("residentbot: --out must end in .xlsx or .csv", file=sys.stderr)
        return 2
    if args.last < args.first:
        print("residentbot: --to is before --from", file=sys.stderr)
        return 2
    building_id = None
    if args.building:
        async with db.read() as conn:
            found = await community.building_by_code(conn, args.building)
        if found is None:
            print(f"residentbot: no building {args.building!r}", file=sys.stderr)
            return 2
        building_id = found.id
    tr = I18n(settings.timezone, settings.locale).translator(settings.locale)
    period = days_period(args.first, args.last, settings.timezone)
    # the operator of the database may see everything but anonymous complaints' authors
    made = await exports.export(
        db, tr, args.what, fmt, period, system_clock(), Viewer(personal=True), building_id
    )
    args.out.write_bytes(made.content)
    print(f"{args.out}: {args.what}, {args.first} to {args.last} ({len(made.content)} bytes)")
    return 0


async def _grant(db: Database, args: argparse.Namespace) -> int:
    role = Role(args.role)
    codes: list[str] = args.building or []
    if role.scoped and not codes and args.command == "grant":
        print(f"residentbot: the {role.value} role needs --building CODE", file=sys.stderr)
        return 2
    now = to_ts(system_clock())
    async with db.transaction() as conn:
        building_ids: list[int | None] = []
        for code in codes:
            found = await community.building_by_code(conn, code)
            if found is None:
                print(f"residentbot: no building with code {code!r}", file=sys.stderr)
                return 2
            building_ids.append(found.id)
        for building_id in building_ids or [None]:
            scope = f" for building #{building_id}" if building_id else ""
            if args.command == "grant":
                added = await people.grant_role(conn, args.user_id, role, building_id, None, now)
                verb = "granted" if added else "already held"
                print(f"{verb}: {role.value}{scope} to {args.user_id}")
            else:
                removed = await people.revoke_role(conn, args.user_id, role, building_id)
                verb = "revoked" if removed else "not held"
                print(f"{verb}: {role.value}{scope} from {args.user_id}")
            await people.audit(
                conn, None, f"cli_{args.command}", str(args.user_id), now, f"{role.value}{scope}"
            )
    return 0


async def prepare_admin_claim(db: Database, now: datetime) -> str | None:
    """On a database with no administrator, make a new one-time claim code (earlier unused
    codes stop working) and return it; otherwise None."""
    async with db.transaction() as conn:
        if await people.has_admin(conn):
            return None
        code = "adm_" + secrets.token_urlsafe(12)
        await people.create_admin_claim(conn, code, to_ts(now))
        return code


def run(settings: Settings, *, verbose: bool = False) -> int:
    """Long polling until SIGINT/SIGTERM; PTB then stops fetching, finishes the update in hand,
    writes persistence and closes; our database closes last.

    The Bot API is reached first (getMe) with no retries: if that fails the person starting the
    bot gets one clear line (the traceback only with ``--verbose``), and the first
    administrator's claim code is printed only once the bot is known to work."""
    try:
        with RunLock(settings.db_path):
            return _run_locked(settings, verbose=verbose)
    except AlreadyRunning as exc:
        print(f"residentbot: not started: {exc}", file=sys.stderr)
        return 1


def _run_locked(settings: Settings, *, verbose: bool) -> int:
    from bot.app import build_application

    try:
        saved = ops_backup.backup_before_migrating(settings)
    except (BackupError, OSError) as exc:
        print(
            f"residentbot: not started: the database needs migrating, but the backup before it "
            f"failed ({exc}); free some space or set RESIDENTBOT_BACKUP_DIR",
            file=sys.stderr,
        )
        return 1
    if saved is not None:
        log.info("backup before migrating the database: %s", saved)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    db = loop.run_until_complete(Database.open(settings.db_path))
    try:
        app = loop.run_until_complete(build_application(settings, db=db))
        try:
            loop.run_until_complete(app.initialize())
        except (InvalidToken, NetworkError) as exc:
            loop.run_until_complete(app.close_http_clients())
            return _cannot_start(settings, exc, verbose)
        loop.run_until_complete(_before_polling(db))
        log.info("running as @%s; stop with Ctrl+C", app.bot.username)
        app.run_polling(
            allowed_updates=["message", "callback_query", "my_chat_member"], close_loop=False
        )
    except (InvalidToken, NetworkError) as exc:  # lost while starting to poll
        return _cannot_start(settings, exc, verbose)
    finally:
        loop.run_until_complete(db.close())
        loop.close()
    return 0


async def _before_polling(db: Database) -> None:
    async with db.read() as conn:
        ready = await community.get_community(conn) is not None
    if not ready:
        log.warning("no community loaded yet: run `residentbot init FILE` (see README)")
    code = await prepare_admin_claim(db, system_clock())
    if code:
        print(
            "\nNo administrator yet. Send this to the bot in a private chat to become the "
            f"administrator (works once):\n\n    /start {code}\n",
            flush=True,
        )


def _cannot_start(settings: Settings, exc: TelegramError, verbose: bool) -> int:
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, InvalidToken):
        print("residentbot: Telegram refused the token; check RESIDENTBOT_TOKEN", file=sys.stderr)
        return 1
    print(
        f"residentbot: cannot reach the Bot API at {settings.api_base_url} ({_reason(exc)}).\n"
        "Check the network, or RESIDENTBOT_API_BASE_URL if you use a local Bot API server."
        + ("" if verbose else " `residentbot run --verbose` shows the details."),
        file=sys.stderr,
    )
    return 1


def _reason(exc: TelegramError) -> str:
    """The HTTP client's words, e.g. 'Cannot connect to host 127.0.0.1:8081 ssl:default
    [Connect call failed ...]'."""
    cause: BaseException = exc
    while isinstance(cause, TelegramError) and cause.__cause__ is not None:
        cause = cause.__cause__
    return str(cause) or type(cause).__name__


if __name__ == "__main__":
    sys.exit(main())
