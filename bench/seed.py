"""Seeding the benchmark database fast: the demo Local through the ORM (so its logins
work), then synthetic complaints generated in Python and loaded with COPY (asyncpg's
`copy_records_to_table`), with foreign-key triggers off for the loading session only
(`session_replication_role = replica`: the generator writes consistent rows).

Scale grows in place (10k, then 100k, then 1M complaints). The benchmark's own users keep
the same caseload at every scale, as a real ombudsperson would in a deployment that grows
by adding Locals: the ombudsperson `ombuds-u1` took in 2,000 of the first 10,000
complaints (and sits on some of their committees), and every later complaint belongs to
other ombudspersons. What grows is everyone else's data, which is what must not slow the
benchmark's users down. The audit history is loaded already sealed: each entry with its row
MAC and its link (`ombuds.audit.chain.row_mac` and `link_mac`, the key from
`ombuds.settings.audit_key`), continuing the chain from wherever the running service's
sealer left it before each growth step."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bench import protection
from bench.synth import COLUMNS, Batch, Generator, People
from ombuds import demo
from ombuds.audit.chain import GENESIS, SEAL_LOCK, link_mac, row_mac, verify
from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import utcnow
from ombuds.kit.db import create_engine, create_sessionmaker
from ombuds.models import CalendarFeedToken, Outcome, User
from ombuds.settings import Environment, Settings, audit_key, keyring

BENCH_OMBUDSPERSON = "ombuds-u1"
BENCH_OFFICER = "officer-president"
BENCH_CASELOAD_EVERY = 5  # 1 in 5 of the first batch: 2,000 of 10,000 complaints
CASELOAD_SCALE = 10_000
MEMBERS_PER_COMPLAINT = 0.5
MEMBERS_PER_UNIT = 2500
COMPLAINTS_PER_OMBUDSPERSON = 2000
CHUNK = 20_000
AUDIT_COLUMNS = (
    "seq", "occurred_at", "actor_kind", "actor_id", "action", "object_type", "object_id",
    "outcome", "row_mac", "chain_pos", "prev_hash", "entry_hash",
)  # fmt: skip


@dataclass
class World:
    """What the benchmark needs to know about the seeded database."""

    dsn: str
    bench_ombudsperson: uuid.UUID
    officer: uuid.UUID
    staff_resource: uuid.UUID
    password_hash: str
    feed_token: str
    encrypted: bool
    base: int = 0  # the bench user's caseload comes from the first `base` complaints
    complaints: int = 0
    members: list[uuid.UUID] = field(default_factory=list)
    ombudspersons: list[uuid.UUID] = field(default_factory=list)
    bench_complaints: list[uuid.UUID] = field(default_factory=list)
    generator: Generator | None = None
    timings: dict[int, dict[str, float]] = field(default_factory=dict)


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def prepare(url: str, settings: Settings) -> World:
    """The demo Local's users (demo.seed), and a calendar feed token for the bench user."""
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(
        engine, audit_key=audit_key(settings), keyring=keyring(settings)
    )
    protection.configure(settings)
    # demo.seed refuses production; the data is the same, so seed it as development.
    demo_settings = settings.model_copy(update={"env": Environment.development})
    passwords = Passwords(settings)  # the production argon2id cost: logins measure it
    token = secrets.token_urlsafe(32)
    try:
        async with sessionmaker() as db:
            await demo.seed(db, demo_settings, passwords)
            users = {
                u.username: u
                for u in await db.scalars(select(User).options(selectinload(User.roles)))
            }
            bench = users[BENCH_OMBUDSPERSON]
            db.add(
                CalendarFeedToken(
                    user_id=bench.id,
                    token_hash=hashlib.sha256(token.encode()).hexdigest(),
                    created_at=utcnow(),
                )
            )
            await db.commit()
    finally:
        await engine.dispose()
    return World(
        dsn=asyncpg_dsn(url),
        bench_ombudsperson=bench.id,
        officer=users[BENCH_OFFICER].id,
        staff_resource=users["staff-sao"].id,
        password_hash=bench.password_hash,
        feed_token=token,
        encrypted=protection.available(),
    )


async def _copy(
    conn: asyncpg.Connection, table: str, columns: tuple[str, ...], rows: list[Any]
) -> None:
    if rows:
        await conn.copy_records_to_table(table, records=rows, columns=list(columns))


async def _directory(conn: asyncpg.Connection, world: World, gen: Generator, target: int) -> None:
    """Members (and their Units) and ombudspersons in proportion to the complaints."""
    now = utcnow()
    want = max(2000, int(target * MEMBERS_PER_COMPLAINT))
    units: list[tuple[Any, ...]] = []
    members: list[tuple[Any, ...]] = []
    while len(world.members) + len(members) < want:
        n = len(world.members) + len(members)
        if n % MEMBERS_PER_UNIT == 0:
            units.append((gen.uuid(), f"B{n // MEMBERS_PER_UNIT:05d}", f"Bench Unit {n}", now))
        mid = gen.uuid()
        name = protection.protect("members", "full_name", mid, f"Member {n:07d}")
        members.append((mid, f"B-{n:08d}", name, units[-1][0] if units else None, now))
    if members and members[0][3] is None:  # continue filling the last Unit
        last_unit = await conn.fetchval("SELECT id FROM units ORDER BY code DESC LIMIT 1")
        members = [(m[0], m[1], m[2], m[3] or last_unit, m[4]) for m in members]
    await _copy(
        conn,
        "units",
        ("id", "code", "name", "is_affiliates", "created_at", "updated_at"),
        [(u, code, name, False, t, t) for u, code, name, t in units],
    )
    await _copy(
        conn,
        "members",
        ("id", "member_number", "full_name", "unit_id", "created_at", "updated_at"),
        [(m, number, name, unit, t, t) for m, number, name, unit, t in members],
    )
    world.members += [m[0] for m in members]
    users: list[tuple[Any, ...]] = []
    roles: list[tuple[Any, ...]] = []
    while len(world.ombudspersons) + len(users) < max(5, target // COMPLAINTS_PER_OMBUDSPERSON):
        n = len(world.ombudspersons) + len(users)
        uid = gen.uuid()
        users.append((uid, f"bench-ombuds-{n:05d}", f"Ombudsperson {n}", world.password_hash))
        roles.append((uid, "ombudsperson"))
    await _copy(
        conn,
        "users",
        ("id", "username", "display_name", "password_hash", "is_active", "created_at",
         "updated_at"),
        [(u, name, display, pw, True, now, now) for u, name, display, pw in users],
    )  # fmt: skip
    await _copy(conn, "user_roles", ("user_id", "role"), roles)
    world.ombudspersons += [u[0] for u in users]


async def _chain(conn: asyncpg.Connection, key: bytes, audit: list[tuple[Any, ...]]) -> None:
    """Append the batch's audit history, sealed, continuing the chain from its current end.
    The sealing lock keeps the service's sealers off the chain meanwhile."""
    await conn.execute("SELECT pg_advisory_lock($1)", SEAL_LOCK)
    try:
        await _chain_locked(conn, key, audit)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", SEAL_LOCK)


async def _chain_locked(conn: asyncpg.Connection, key: bytes, audit: list[tuple[Any, ...]]) -> None:
    last_seq = await conn.fetchval("SELECT coalesce(max(seq), 0) FROM audit_entries")
    end = await conn.fetchrow(
        "SELECT chain_pos, entry_hash FROM audit_entries WHERE chain_pos IS NOT NULL "
        "ORDER BY chain_pos DESC LIMIT 1"
    )
    pos, prev = (end["chain_pos"], end["entry_hash"]) if end else (0, GENESIS)
    seq = last_seq
    rows = []
    entry = SimpleNamespace(actor_kind="user", object_type="complaint", outcome=Outcome.success)
    for occurred_at, actor_id, action, object_id in audit:
        seq, pos = seq + 1, pos + 1
        entry.occurred_at, entry.actor_id = occurred_at, actor_id
        entry.action, entry.object_id = action, object_id
        mac = row_mac(key, entry)  # type: ignore[arg-type]
        link = link_mac(key, pos, seq, prev, mac)
        rows.append(
            (seq, occurred_at, "user", actor_id, action, "complaint", object_id, "success", mac,
             pos, prev, link)
        )  # fmt: skip
        prev = link
    await _copy(conn, "audit_entries", AUDIT_COLUMNS, rows)
    await conn.execute("SELECT setval(pg_get_serial_sequence('audit_entries', 'seq'), $1)", seq)


async def grow(world: World, target: int, key: bytes, today: date | None = None) -> None:
    """Add complaints until there are `target` of them, then VACUUM ANALYZE."""
    if world.generator is None:
        world.generator = Generator(500, today or date.today(), protection.protect)
        # The bench user's caseload comes from the first CASELOAD_SCALE complaints, whatever
        # the first scale measured: a database grown straight to 1M gives them the same
        # caseload as one grown through 10k and 100k.
        world.base = min(target, CASELOAD_SCALE)
    gen = world.generator
    started = time.perf_counter()
    conn = await asyncpg.connect(world.dsn)
    try:
        await conn.execute("SET session_replication_role = replica")
        await _directory(conn, world, gen, target)
        base, bench = world.base, world.bench_ombudsperson
        panel = world.ombudspersons

        def intake(n: int) -> uuid.UUID:
            if n < base and n % BENCH_CASELOAD_EVERY == 0:
                return bench
            return panel[n % len(panel)]

        extra_seat: Callable[[int], uuid.UUID | None] = lambda n: (  # noqa: E731
            bench if n < base and n % 7 == 1 else None
        )
        people = People(
            world.members, intake, panel, world.staff_resource, world.officer, extra_seat
        )
        while world.complaints < target:
            batch = Batch()
            stop = min(target, world.complaints + CHUNK)
            for n in range(world.complaints, stop):
                cid = gen.complaint(n, people, batch)
                if intake(n) == bench and len(world.bench_complaints) < 1000:
                    world.bench_complaints.append(cid)
            audit = batch.rows.pop("audit")
            for table, rows in batch.rows.items():
                await _copy(conn, table, COLUMNS[table], rows)
            await _chain(conn, key, audit)
            world.complaints = stop
        loaded = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        world.timings[target] = {
            "load_s": round(loaded - started, 1),
            "vacuum_analyze_s": round(time.perf_counter() - loaded, 1),
        }
    finally:
        await conn.close()


async def counts(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        tables = [*COLUMNS.keys() - {"audit"}, "audit_entries", "members", "users"]
        return {t: int(await conn.fetchval(f"SELECT count(*) FROM {t}")) for t in sorted(tables)}
    finally:
        await conn.close()


async def verify_chain(url: str, settings: Settings) -> int:
    """Walk the whole audit chain as `ombuds verify-audit` does; returns the entries checked."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(
            engine, audit_key=audit_key(settings), keyring=keyring(settings)
        )() as db:
            verdict = await verify(db, audit_key(settings), batch=5000)
    finally:
        await engine.dispose()
    if not verdict.intact:
        raise RuntimeError(f"seeded audit chain broken at {verdict.first_broken_seq}")
    return verdict.checked
