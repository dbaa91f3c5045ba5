"""A demo Local for Schemathesis to fuzz, seeded once per module: in process on SQLite, or
behind a live uvicorn on PostgreSQL (`--db=postgresql`).

The world is the one `make run` shows (`ombuds.demo.seed` and `ombuds.demo_procedure.run`:
complaints at every stage, a recused officer, an integration token), plus a user and a
service account that exist only to be the targets of the fuzzer's account changes, so a
fuzzed deactivation or token revocation never signs out a role under test.

Requests are sent with httpx, not with Schemathesis's `requests` transport: caldav pulls in
niquests, whose urllib3-future replaces the `urllib3` package, and Schemathesis 4.32 counts
urllib3's pools with `pools.keys()`, which urllib3-future's pool container lacks (an
AttributeError before anything is sent). Schemathesis still serialises every case
(`case.as_transport_kwargs`) and validates every response (`case.validate_response`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from anyio.from_thread import BlockingPortal, start_blocking_portal
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select

from ombuds import demo, demo_procedure
from ombuds.auth import tokens
from ombuds.kit.migrations import upgrade
from ombuds.main import create_app
from ombuds.models import (
    ApiToken,
    Attachment,
    Complaint,
    Consultation,
    InformalAttempt,
    Member,
    PartyNotice,
    Recommendation,
    RosterSeat,
    Scope,
    SeatTerm,
    ServiceAccount,
    Unit,
    User,
)
from ombuds.settings import Settings
from tests.conftest import TEST_SECRET, DatabaseFactory, make_settings
from tests.support.postgres import PostgresServer, free_port

# The role under test -> the demo login that plays it (None: no user login).
ROLE_LOGINS: dict[str, str | None] = {
    "administrator": "admin",
    "ombudsperson": "ombuds-u1",
    "table_officer": "officer-president",
    "staff_resource": "staff-sao",
    "integration": None,  # the demo calendar's API token
    "anonymous": None,
}
ROLES = list(ROLE_LOGINS)
THROWAWAY = "fuzz-target"
Case = schemathesis.Case[Any]
SPARE_SESSIONS = 12  # per user role, for the fuzzed logouts


@dataclass
class FuzzWorld:
    settings: Settings
    pools: dict[str, list[str]]  # path parameter -> ids of real objects to aim at
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    spare: dict[str, list[dict[str, str]]] = field(default_factory=dict)


async def _pools(app: FastAPI) -> dict[str, list[str]]:
    async with app.state.sessionmaker() as db:

        async def ids(column: Any, first: int = 50) -> list[str]:
            return [str(i) for i in (await db.scalars(select(column).order_by(column))).all()][
                :first
            ]

        account = await db.scalar(select(ServiceAccount.id).where(ServiceAccount.name == THROWAWAY))
        return {
            "complaint_id": await ids(Complaint.id),
            "consultation_id": await ids(Consultation.id),
            "member_id": await ids(Member.id, 6),
            "unit_id": await ids(Unit.id),
            "seat_id": await ids(RosterSeat.id),
            "term_id": await ids(SeatTerm.id, 2),
            "attempt_id": await ids(InformalAttempt.id),
            "notice_id": await ids(PartyNotice.id, 6),
            "recommendation_id": await ids(Recommendation.id),
            "attachment_id": await ids(Attachment.id),
            # Account changes aim only at the throwaway user and service account.
            "user_id": [str(await db.scalar(select(User.id).where(User.username == THROWAWAY)))],
            "account_id": [str(account)],
            "token_id": [
                str(
                    await db.scalar(
                        select(ApiToken.id).where(ApiToken.service_account_id == account)
                    )
                )
            ],
        }


async def seed_demo(settings: Settings) -> FuzzWorld:
    """The demo Local through its own code and the API, plus the throwaway targets."""
    app = create_app(settings)
    async with LifespanManager(app):
        async with app.state.sessionmaker() as db:
            local = await demo.seed(db, settings, app.state.passwords)
            assert local is not None
            db.add(
                User(
                    username=THROWAWAY,
                    display_name="Fuzz target",
                    password_hash=app.state.passwords.hash("fuzz-target-password"),
                )
            )
            account = ServiceAccount(name=THROWAWAY)
            db.add(account)
            await db.flush()
            secret = tokens.API_TOKEN_PREFIX + "fuzz-target-token-000000000000000000"
            db.add(
                ApiToken(
                    service_account_id=account.id,
                    token_hash=tokens.hash_api_token(secret),
                    prefix=secret[:12],
                    scopes=Scope.deadlines_read.value,
                )
            )
            await db.commit()
        await demo_procedure.run(app, local.members, local.officer_member)
        return FuzzWorld(settings, await _pools(app))


def sign_in(client: httpx.Client, username: str) -> dict[str, str]:
    """A new session's bearer header, through the API under test."""
    response = client.post(
        "/api/auth/token", data={"username": username, "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def sign_in_all(world: FuzzWorld, client: httpx.Client) -> None:
    """One session per role, and spare sessions for the fuzzed logouts (signed in before
    the fuzzer's failed logins can throttle this client address)."""
    for role, username in ROLE_LOGINS.items():
        if role == "integration":
            world.headers[role] = {"Authorization": f"Bearer {demo.DEMO_API_TOKEN}"}
        elif username is None:
            world.headers[role] = {}
        else:
            world.headers[role] = sign_in(client, username)
            world.spare[role] = [sign_in(client, username) for _ in range(SPARE_SESSIONS)]


# Transport -----------------------------------------------------------------------------

# Headers Schemathesis sets for `requests`; httpx sets its own.
_TRANSPORT_HEADERS = {"connection", "accept-encoding", "user-agent", "content-length"}


def _wire(value: Any) -> Any:
    """Strings as UTF-8 bytes, lone surrogates included (a fuzzer sends them)."""
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value


def _part(content: Any) -> bytes:
    if isinstance(content, bytes):
        return content
    if hasattr(content, "read"):
        return _part(content.read())
    return str(content).encode("utf-8", "surrogatepass")


def _files(files: Any) -> list[tuple[str, Any]]:
    """`requests`' multipart parts for httpx: (name, (filename or None, bytes, ...))."""
    out: list[tuple[str, Any]] = []
    for name, spec in files:
        if isinstance(spec, tuple):
            filename, content, *rest = spec
            out.append((name, (filename, _part(content), *rest)))
        else:
            out.append((name, (None, _part(spec))))
    return out


def httpx_kwargs(case: Case, headers: dict[str, str]) -> dict[str, Any]:
    """httpx keyword arguments for what Schemathesis would send, `headers` on top."""
    kwargs = case.as_transport_kwargs(base_url="", headers=headers)
    out: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": {
            k: v if v.isascii() else _wire(v)
            for k, v in (kwargs.get("headers") or {}).items()
            if k.lower() not in _TRANSPORT_HEADERS
        },
        "params": kwargs.get("params") or None,
        "cookies": kwargs.get("cookies") or None,
    }
    if "json" in kwargs:
        out["json"] = kwargs["json"]
    data = kwargs.get("data")
    if kwargs.get("files"):
        out["files"] = _files(kwargs["files"])
    if isinstance(data, dict):
        out["data"] = data
    elif data is not None:
        out["content"] = _wire(data)
    return out


def send(client: httpx.Client, case: Case, headers: dict[str, str]) -> httpx.Response:
    request = client.build_request(**httpx_kwargs(case, headers))
    request.read()  # a multipart body is a stream; the validation reads the request again
    return client.send(request)


class PortalTransport(httpx.BaseTransport):
    """A synchronous httpx transport into an ASGI app running in a portal's event loop."""

    def __init__(self, portal: BlockingPortal, app: FastAPI) -> None:
        self.portal = portal
        self.inner = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def run() -> httpx.Response:
            response = await self.inner.handle_async_request(request)
            body = await response.aread()
            # A stream, not content: the client reads and closes it, which sets `elapsed`.
            return httpx.Response(
                response.status_code, headers=response.headers, stream=httpx.ByteStream(body)
            )

        return self.portal.call(run)


@asynccontextmanager
async def _running(app: FastAPI) -> AsyncIterator[None]:
    async with LifespanManager(app):  # built here: it needs the portal's event loop
        yield


@contextmanager
def in_process_client(app: FastAPI) -> Iterator[httpx.Client]:
    """A synchronous client on `app`, its lifespan started, in an event loop of its own
    (Schemathesis's tests are synchronous; pytest-asyncio's loop is idle meanwhile)."""
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(_running(app)),
        httpx.Client(transport=PortalTransport(portal, app), base_url="http://testserver") as c,
    ):
        yield c


# Fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def sqlite_world(backend: str, databases: DatabaseFactory) -> FuzzWorld:
    if backend != "sqlite":
        pytest.skip("in process on SQLite only; --db=postgresql fuzzes a live uvicorn instead")
    return await seed_demo(make_settings(databases.fresh()))


@pytest.fixture(scope="module")
def in_process(sqlite_world: FuzzWorld) -> Iterator[tuple[FuzzWorld, httpx.Client]]:
    """The demo world, and a client on a fresh instance of the app."""
    with in_process_client(create_app(sqlite_world.settings)) as client:
        sign_in_all(sqlite_world, client)
        yield sqlite_world, client


@pytest.fixture(scope="module")
def postgres_database(backend: str, postgres: PostgresServer | None) -> str:
    """A database of our own on the test server, migrated (Alembic runs its own loop)."""
    if backend != "postgresql" or postgres is None:
        pytest.skip("the live-server fuzz runs with --db=postgresql (uvicorn on PostgreSQL)")
    postgres.psql("DROP DATABASE IF EXISTS ombuds_fuzz")
    postgres.psql("CREATE DATABASE ombuds_fuzz")
    url = postgres.url("ombuds_fuzz")
    upgrade(url)
    return url


@pytest.fixture(scope="module")
async def postgres_world(postgres_database: str) -> FuzzWorld:
    return await seed_demo(make_settings(postgres_database))


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}: see {log.name}")
        try:
            if httpx.get(base_url + "/api/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"uvicorn did not answer /api/health within 60 s: see {log.name}")


@pytest.fixture(scope="module")
def live_server(
    postgres_world: FuzzWorld, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FuzzWorld, httpx.Client]]:
    """uvicorn as a subprocess on a free loopback port, serving the seeded database."""
    port = free_port()
    env = {
        **os.environ,
        "OMBUDS_ENV": "test",
        "OMBUDS_DATABASE_URL": postgres_world.settings.database_url,
        "OMBUDS_SECRET_KEY": TEST_SECRET,
        "OMBUDS_ARGON2_TIME_COST": "1",
        "OMBUDS_ARGON2_MEMORY_KIB": "1024",
    }
    command = [sys.executable, "-m", "uvicorn", "ombuds.main:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    log_path = tmp_path_factory.mktemp("uvicorn") / "uvicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base_url, process, log)
            # No keep-alive: a request sent as uvicorn closes an idle connection is reset.
            no_reuse = httpx.Limits(max_keepalive_connections=0)
            with httpx.Client(base_url=base_url, timeout=30, limits=no_reuse) as client:
                sign_in_all(postgres_world, client)
                yield postgres_world, client
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
