"""The `ombuds` command: migrate, seed demo data, import members, verify and seal the audit
log, check roles, run the retention job, back up and restore, deliver notifications, serve."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from tqdm import tqdm

from ombuds.settings import Settings, get_settings


def _settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        sys.exit(f"ombuds: refusing to start: {problems}")


@asynccontextmanager
async def _unit_of_work(settings: Settings, *, seal: bool = True) -> AsyncIterator[AsyncSession]:
    """One transaction for a command, committed at its end, like a request; then the audit
    entries it wrote are sealed, so a long command does not leave them past the window."""
    from ombuds.audit.sealer import seal_pending
    from ombuds.kit import datakeys
    from ombuds.kit.db import create_engine, create_sessionmaker, session_scope
    from ombuds.settings import audit_key, keyring

    engine = create_engine(settings.database_url)
    factory = create_sessionmaker(
        engine,
        audit_key=audit_key(settings),
        keyring=keyring(settings),
        keys=datakeys.for_settings(settings),
    )
    try:
        async for db in session_scope(factory):
            yield db
        if seal:
            await seal_pending(factory)
    finally:
        await engine.dispose()


def _migrate(settings: Settings) -> None:
    from ombuds.kit.migrations import upgrade

    if settings.is_sqlite:
        db_path = settings.database_url.split("///", 1)[-1]
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url, key_store_url=settings.key_store_url)


async def _seed(settings: Settings) -> None:
    from ombuds.audit.sealer import seal_pending
    from ombuds.auth.passwords import Passwords
    from ombuds.demo import DEMO_API_TOKEN, DEMO_PASSWORD, seed, seed_notifications
    from ombuds.demo_procedure import run
    from ombuds.main import create_app

    async with _unit_of_work(settings) as db:
        local = await seed(db, settings, Passwords(settings))
    if local is None:
        print("ombuds: the database already has users; demo data not seeded")
        return
    app = create_app(settings)
    try:
        made = await run(app, local.members, local.officer_member)
        async with app.state.sessionmaker() as db:
            await seed_notifications(db, settings)
            await db.commit()
        await seal_pending(app.state.sessionmaker)  # no lifespan here, so no running sealer
    finally:
        await app.state.engine.dispose()
    print(
        f"ombuds: demo Local seeded with {made} complaints at every stage. "
        f"Every demo login's password is: {DEMO_PASSWORD}"
    )
    for login in local.logins:
        print(f"  {login.username:<20} {login.roles}")
    print(f"  integration API token (deadlines:read): {DEMO_API_TOKEN}")


async def _import(settings: Settings, data: bytes, dry_run: bool) -> int:
    from ombuds.directory.member_import import import_members
    from ombuds.kit.errors import InvalidInput

    try:
        async with _unit_of_work(settings) as db:
            report = await import_members(
                db,
                None,
                data,
                dry_run=dry_run,
                progress=lambda rows: tqdm(rows, desc="members", unit="row", file=sys.stderr),
            )
    except InvalidInput as exc:
        print(f"ombuds: file refused, nothing changed: {exc.detail}", file=sys.stderr)
        return 2
    print(
        f"rows {report.rows}: created {report.created}, updated {report.updated}, "
        f"unchanged {report.unchanged}, rejected {len(report.rejected)}"
        + (" (dry run: nothing saved)" if dry_run else "")
    )
    for r in report.rejected:
        print(f"  line {r.line}: {r.field}: {r.reason}")
    return 1 if report.rejected else 0


async def _verify_audit(settings: Settings) -> int:
    from ombuds.audit.chain import verify
    from ombuds.settings import audit_key

    async with _unit_of_work(settings, seal=False) as db:
        verdict = await verify(db, audit_key(settings))
    if verdict.intact:
        print(
            f"audit chain intact: {verdict.checked} entries checked "
            f"({verdict.sealed} sealed, {verdict.unsealed} awaiting the sealer); "
            f"chain end: position {verdict.end_pos}, {verdict.end_hash}"
        )
        return 0
    print(
        f"audit chain BROKEN at entry {verdict.first_broken_seq}: {verdict.reason} "
        f"({verdict.checked} entries before it are intact)",
        file=sys.stderr,
    )
    return 1


async def _seal_audit(settings: Settings) -> int:
    from ombuds.audit.sealer import seal_pending
    from ombuds.kit import datakeys
    from ombuds.kit.db import create_engine, create_sessionmaker
    from ombuds.settings import audit_key, keyring

    engine = create_engine(settings.database_url)
    try:
        factory = create_sessionmaker(
            engine,
            audit_key=audit_key(settings),
            keyring=keyring(settings),
            keys=datakeys.for_settings(settings),
        )
        sealed = await seal_pending(factory)
    finally:
        await engine.dispose()
    print(f"audit entries sealed: {sealed}")
    return 0


async def _backfill_facts(settings: Settings) -> int:
    """Coded facts for complaints closed before they were written at closure (5.1, 6)."""
    from ombuds.statistics import facts

    async with _unit_of_work(settings) as db:
        db.info[facts.UNIT_MIN_MEMBERS_KEY] = settings.facts_unit_min_members
        written = await facts.backfill(db)
    print(f"coded facts written: {written}")
    return 0


async def _check_roles(settings: Settings) -> int:
    """Accounts holding roles that conflict: by id and username, with the roles, nothing
    else (no display name, no member). Exit status 1 when any is found."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from ombuds.accounts.roles import clashes
    from ombuds.models import User

    async with _unit_of_work(settings) as db:
        users = (
            await db.scalars(select(User).options(selectinload(User.roles)).order_by(User.username))
        ).all()
        found = [(u, clashes(r.role for r in u.roles)) for u in users]
    found = [(u, c) for u, c in found if c]
    for user, clash in found:
        pairs = ", ".join(f"{c.describe()} ({c.rule.slug})" for c in clash)
        print(f"{user.id} {user.username}: {pairs}")
    if found:
        print(
            f"roles: {len(found)} of {len(users)} accounts hold conflicting roles", file=sys.stderr
        )
        return 1
    print(f"roles: no conflicting roles among {len(users)} accounts")
    return 0


async def _sync_calendars(settings: Settings) -> int:
    from ombuds.calendars.caldav_sync import run_once
    from ombuds.kit import datakeys
    from ombuds.kit.db import create_engine, create_sessionmaker
    from ombuds.settings import audit_key, keyring

    engine = create_engine(settings.database_url)
    try:
        sessionmaker = create_sessionmaker(
            engine,
            audit_key=audit_key(settings),
            keyring=keyring(settings),
            keys=datakeys.for_settings(settings),
        )
        report = await run_once(sessionmaker, settings, keyring(settings))
    finally:
        await engine.dispose()
    print(
        f"caldav: {len(report.synced)} synced, {len(report.broken)} broken, "
        f"{len(report.skipped)} left to another runner"
    )
    # Cron and systemd see a failure; the ids say which (its owner sees why in the app).
    for connection_id in report.broken:
        print(f"caldav: connection {connection_id} is broken", file=sys.stderr)
    return 1 if report.broken else 0


async def _rotate_keys(settings: Settings, batch: int) -> int:
    from ombuds.kit.datakeys import KeyStore, url_for
    from ombuds.kit.db import create_engine
    from ombuds.kit.rotation import count_rows, rotate, sweep_orphans
    from ombuds.settings import keyring

    ring = keyring(settings)
    engine = create_engine(settings.database_url)
    store = KeyStore(url_for(settings), ring)
    try:
        total = await count_rows(engine)
        with tqdm(
            total=total,
            desc=f"re-encrypting under {ring.active_key_id}",
            unit="row",
            file=sys.stderr,
        ) as bar:
            report = await rotate(engine, ring, keys_store=store, batch=batch, progress=bar.update)
        swept = await sweep_orphans(engine, store)
    finally:
        await engine.dispose()
        await store.dispose()
    print(
        f"data keys re-wrapped {report.data_keys_rewrapped}, orphan data keys removed {swept}; "
        f"rows checked {report.rows_seen}, values re-encrypted {report.values_reencrypted} "
        f"(active key {ring.active_key_id}); old keys may leave the ring once this reports 0"
    )
    return 0


async def _retention_run(settings: Settings, dry_run: bool) -> int:
    """5.1: schedule what fell due, carry out what is past its restore window; with
    --dry-run, list both (references and dates only) and write nothing."""
    from ombuds.audit.sealer import seal_pending
    from ombuds.kit import datakeys
    from ombuds.kit.clock import local_today
    from ombuds.kit.db import create_engine, create_sessionmaker
    from ombuds.models import CarriedOutVia
    from ombuds.retention import job
    from ombuds.settings import audit_key, keyring

    today = local_today()
    engine = create_engine(settings.database_url)
    factory = create_sessionmaker(
        engine,
        audit_key=audit_key(settings),
        keyring=keyring(settings),
        keys=datakeys.for_settings(settings),
    )
    try:
        if dry_run:
            async with factory() as db:
                work = await job.plan(db, settings, today)
            window = settings.retention_restore_window_days
            for due in work.to_schedule:
                print(
                    f"would schedule {due.record_type.value} {due.reference or due.id} "
                    f"({due.record_class.value}, closed {due.closed_on}, due {due.due_on}), "
                    f"to be carried out in {window} days"
                )
            for item in work.to_destroy:
                print(
                    f"would destroy {item.record_type.value} {item.reference or item.record_id} "
                    f"({item.record_class.value}, due {item.due_on}, "
                    f"scheduled for {item.carry_out_on})"
                )
            print(
                f"dry run: {len(work.to_schedule)} to schedule, {len(work.to_destroy)} to "
                "destroy; nothing written"
            )
            return 0
        with tqdm(desc="retention", unit="record", file=sys.stderr) as bar:
            report = await job.run(
                factory,
                settings,
                today,
                via=CarriedOutVia.command_line,
                progress=bar.update,
                planned=lambda total: bar.reset(total=total),
            )
        await seal_pending(factory)
    finally:
        await engine.dispose()
    if report.skipped:
        print("another retention run holds the lock; nothing done")
        return 0
    print(
        f"scheduled {len(report.scheduled)}, destroyed {len(report.destroyed)}, "
        f"data keys destroyed {report.keys_destroyed}"
    )
    return 0


async def _backup(settings: Settings, target: Path) -> int:
    from ombuds.ops.backup import BackupRefused, backup

    try:
        report = await backup(settings, target)
    except BackupRefused as exc:
        print(f"ombuds: backup refused: {exc}", file=sys.stderr)
        return 2
    print(
        f"backup written: {report.path} ({report.size} bytes); audit chain end: "
        f"position {report.chain_end_pos}, {report.chain_end_hash or 'empty'}"
    )
    print(
        f"data keys written: {report.keys_path} ({report.keys_size} bytes), wrapped by the "
        "key ring; keep it no longer than the restore window (docs/operations.md)"
    )
    print(
        "the keys are not in it: keep OMBUDS_ENCRYPTION_KEYS and OMBUDS_AUDIT_KEY apart "
        "from it (docs/operations.md)"
    )
    return 0


async def _restore(settings: Settings, source: Path) -> int:
    from ombuds.ops.backup import BackupRefused, restore

    try:
        report = await restore(settings, source)
    except BackupRefused as exc:
        print(f"ombuds: restore refused: {exc}", file=sys.stderr)
        return 2
    print(f"restored {source}")
    verdict, status = report.verdict, 0
    if verdict.intact:
        print(
            f"audit chain intact: {verdict.checked} entries checked "
            f"({report.sealed_after_restore} sealed after the restore); "
            f"chain end: position {verdict.end_pos}, {verdict.end_hash}"
        )
    else:
        status = 1
        print(
            f"audit chain BROKEN at entry {verdict.first_broken_seq}: {verdict.reason} "
            f"({verdict.checked} entries before it are intact); is OMBUDS_AUDIT_KEY the key "
            "the backup was made with?",
            file=sys.stderr,
        )
    if report.keys.readable:
        print(f"encryption keys: values under {', '.join(report.keys.readable)} decrypt")
    for key_id, why in report.keys.unreadable.items():
        status = 1
        if key_id == "data keys":
            print(f"data keys: {why}", file=sys.stderr)
            continue
        print(
            f"encryption key {key_id!r}: {why}; nothing encrypted under it is readable. "
            "Set OMBUDS_ENCRYPTION_KEYS to the key ring the backup was made with",
            file=sys.stderr,
        )
    return status


async def _worker(settings: Settings) -> int:
    """The notifications' worker: delivers the outbox every poll interval until SIGTERM or
    SIGINT, then exits 0 (docs/notifications.md)."""
    import logging

    from ombuds.kit import datakeys
    from ombuds.kit.db import create_engine, create_sessionmaker
    from ombuds.notifications.upkeep import run_worker
    from ombuds.settings import audit_key, keyring

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for chatty in ("aiosqlite", "asyncpg", "sqlalchemy.engine", "aiosmtplib"):
        logging.getLogger(chatty).setLevel(logging.WARNING)  # their DEBUG quotes values
    engine = create_engine(settings.database_url)
    keys = datakeys.for_settings(settings)
    factory = create_sessionmaker(
        engine, audit_key=audit_key(settings), keyring=keyring(settings), keys=keys
    )
    print("ombuds worker: delivering notifications; stop with SIGTERM or Ctrl-C", flush=True)
    try:
        handled = await run_worker(factory, settings)
    finally:
        await engine.dispose()
        await keys.dispose()
    print(f"ombuds worker: stopped; {handled} outbox messages handled", flush=True)
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _workers(settings: Settings, args: argparse.Namespace) -> int:
    workers: int = args.workers or settings.workers
    if workers > 1 and settings.is_sqlite:
        sys.exit(
            "ombuds: refusing to start: several workers need PostgreSQL "
            "(SQLite takes one writer at a time); use --workers 1"
        )
    return workers


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    """uvicorn imports the app factory in each worker process: nothing is shared between
    workers but the database (see docs/deployment.md)."""
    import uvicorn

    workers = _workers(settings, args)
    access_log = settings.access_log_on if args.access_log is None else args.access_log
    uvicorn.run(
        "ombuds.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=workers,
        access_log=access_log,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ombuds")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply the database migrations")
    sub.add_parser("seed-demo", help="seed a demo Local into an empty database")
    rot = sub.add_parser("rotate-keys", help="re-encrypt everything under the active key")
    rot.add_argument("--batch", type=int, default=500)
    sub.add_parser("verify-audit", help="verify the audit log's chain; names the first break")
    sub.add_parser("seal-audit", help="link committed audit entries into the chain, once")
    sub.add_parser("sync-calendars", help="push deadlines to the CalDAV calendars, once")
    sub.add_parser("check-roles", help="list accounts holding roles that conflict; exit 1 if any")
    fac = sub.add_parser("facts", help="the coded facts of closed complaints")
    fac.add_argument("action", choices=["backfill"], help="write those missing (idempotent)")
    bak = sub.add_parser("backup", help="dump the database (PostgreSQL) into a file; no keys")
    bak.add_argument("file", type=Path)
    res = sub.add_parser("restore", help="restore a backup into an empty database and check it")
    res.add_argument("file", type=Path)
    ret = sub.add_parser("retention", help="records that end on a schedule (5.1)")
    ret_sub = ret.add_subparsers(dest="retention_command", required=True)
    ret_run = ret_sub.add_parser(
        "run", help="schedule due destructions and carry out those past the restore window"
    )
    ret_run.add_argument(
        "--dry-run", action="store_true", help="list what would be scheduled and destroyed"
    )
    sub.add_parser(
        "worker", help="deliver notifications (the outbox) until SIGTERM; production runs one"
    )
    imp = sub.add_parser("import-members", help="import the member list from CSV")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true")
    for name in ("serve", "run"):
        p = sub.add_parser(
            name,
            help="serve the API"
            if name == "serve"
            else "migrate, seed demo data if empty, and serve",
        )
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument(
            "--workers",
            type=_positive,
            default=None,
            help="worker processes (default OMBUDS_WORKERS, 1); more than one needs PostgreSQL",
        )
        p.add_argument(
            "--access-log",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="log each request (default OMBUDS_ACCESS_LOG; off in production)",
        )
    args = parser.parse_args(argv)
    settings = _settings()
    if args.command == "migrate":
        _migrate(settings)
    elif args.command == "seed-demo":
        asyncio.run(_seed(settings))
    elif args.command == "import-members":
        return asyncio.run(_import(settings, args.file.read_bytes(), args.dry_run))
    elif args.command == "rotate-keys":
        return asyncio.run(_rotate_keys(settings, args.batch))
    elif args.command == "verify-audit":
        return asyncio.run(_verify_audit(settings))
    elif args.command == "seal-audit":
        return asyncio.run(_seal_audit(settings))
    elif args.command == "sync-calendars":
        return asyncio.run(_sync_calendars(settings))
    elif args.command == "check-roles":
        return asyncio.run(_check_roles(settings))
    elif args.command == "facts":
        return asyncio.run(_backfill_facts(settings))
    elif args.command == "retention":
        return asyncio.run(_retention_run(settings, args.dry_run))
    elif args.command == "backup":
        return asyncio.run(_backup(settings, args.file))
    elif args.command == "restore":
        return asyncio.run(_restore(settings, args.file))
    elif args.command == "worker":
        return asyncio.run(_worker(settings))
    elif args.command == "serve":
        _serve(settings, args)
    else:
        _workers(settings, args)  # refused before migrating, not after
        _migrate(settings)
        if settings.env.value != "production":
            asyncio.run(_seed(settings))
        _serve(settings, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
