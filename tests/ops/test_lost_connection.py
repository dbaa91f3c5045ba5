"""A dropped database connection costs no restart: no ping before each request, a read is
answered again on a fresh connection, and a write that lost its connection is refused with
a 503 and nothing of it saved."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError

from ombuds.auth.passwords import Passwords
from ombuds.kit.middleware import RetryLostConnection
from ombuds.main import create_app
from ombuds.models import AuditEntry, Complaint, ComplaintPerson, Incident, Role
from tests.conftest import make_settings
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body
from tests.factories.directory import make_member, make_unit
from tests.support.postgres import PostgresServer

TERMINATE = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def _database(url: str) -> str:
    return url.rsplit("/", 1)[-1]


@pytest.fixture
async def ops_app(ops_database: str) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(ops_database))
    async with LifespanManager(application, shutdown_timeout=15):
        yield application


@pytest.fixture
async def ops_client(ops_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=ops_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _administrator(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    async with app.state.sessionmaker() as db:
        _, headers = await signed_in(db, app.state.passwords, client, Role.administrator)
    return headers


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    assert response.json()["type"] == "https://ombuds.example/problems/database-unavailable"
    assert response.json()["detail"].startswith("The database could not be reached")


class TestNoPingBeforeEachRequest:
    async def test_requests_borrow_pooled_connections_without_pinging_them(
        self, app: FastAPI, client: httpx.AsyncClient, passwords: Passwords
    ) -> None:
        pings = 0
        dialect = type(app.state.engine.dialect)
        real = dialect.do_ping

        def counting(self: Any, dbapi_connection: Any) -> bool:
            nonlocal pings
            pings += 1
            return bool(real(self, dbapi_connection))

        async with app.state.sessionmaker() as db:
            _, headers = await signed_in(db, passwords, client, Role.administrator)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(dialect, "do_ping", counting)
            for _ in range(5):
                response = await client.get("/api/users", headers=headers)
                assert response.status_code == 200
        assert pings == 0


class TestTerminatedBackends:
    async def test_a_read_after_every_connection_was_terminated_succeeds_first_time(
        self, ops_app: FastAPI, ops_client: httpx.AsyncClient, ops_server: PostgresServer
    ) -> None:
        headers = await _administrator(ops_app, ops_client)
        first = await ops_client.get("/api/users", headers=headers)
        assert first.status_code == 200
        database = _database(str(ops_app.state.engine.url))
        assert int(ops_server.psql(TERMINATE, database)) >= 1

        again = await ops_client.get("/api/users", headers=headers)
        assert again.status_code == 200, again.text
        assert again.json() == first.json()

    async def test_a_write_whose_connection_dies_half_way_is_a_503_and_saves_nothing(
        self, ops_app: FastAPI, ops_client: httpx.AsyncClient, ops_server: PostgresServer
    ) -> None:
        async with ops_app.state.sessionmaker() as db:
            unit = await make_unit(db)
            a, b = await make_member(db, unit), await make_member(db, unit)
            _, headers = await signed_in(db, ops_app.state.passwords, ops_client, Role.ombudsperson)
            audited = await db.scalar(select(func.count()).select_from(AuditEntry))
            await db.commit()
        database = _database(str(ops_app.state.engine.url))
        body = complaint_body(a, b, witnesses=[{"full_name": "A Witness"}])
        killed: list[int] = []

        def kill_after_the_people(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            # The complaint and its people are written; the connection dies before the rest.
            if statement.startswith("INSERT INTO complaint_people") and not killed:
                killed.append(int(ops_server.psql(TERMINATE, database)))

        engine = ops_app.state.engine.sync_engine
        event.listen(engine, "after_cursor_execute", kill_after_the_people)
        try:
            response = await ops_client.post("/api/complaints", json=body, headers=headers)
        finally:
            event.remove(engine, "after_cursor_execute", kill_after_the_people)
        assert killed and killed[0] >= 1
        _assert_unavailable(response)

        async with ops_app.state.sessionmaker() as db:
            for model in (Complaint, ComplaintPerson, Incident):
                assert await db.scalar(select(func.count()).select_from(model)) == 0
            assert await db.scalar(select(func.count()).select_from(AuditEntry)) == audited
        retried = await ops_client.post("/api/complaints", json=body, headers=headers)
        assert retried.status_code == 201, retried.text
        assert [p["full_name"] for p in retried.json()["people"]][-1] == "A Witness"


class TestPostgresRestart:
    async def test_reads_and_writes_recover_after_a_restart_without_restarting_the_service(
        self, ops_app: FastAPI, ops_client: httpx.AsyncClient, ops_server: PostgresServer
    ) -> None:
        headers = await _administrator(ops_app, ops_client)
        assert (await ops_client.get("/api/users", headers=headers)).status_code == 200

        ops_server.halt("immediate")
        try:
            _assert_unavailable(
                await ops_client.post(
                    "/api/units", json={"code": "R1", "name": "Restart"}, headers=headers
                )
            )
            _assert_unavailable(await ops_client.get("/api/users", headers=headers))
        finally:
            ops_server.launch()

        read = await ops_client.get("/api/users", headers=headers)
        assert read.status_code == 200, read.text
        assert [u["roles"] for u in read.json()["items"]] == [["administrator"]]
        units = await ops_client.get("/api/units", headers=headers)
        assert units.status_code == 200
        assert units.json() == []
        made = await ops_client.post(
            "/api/units", json={"code": "R1", "name": "Restart"}, headers=headers
        )
        assert made.status_code == 201, made.text


def _lost() -> DBAPIError:
    error = DBAPIError("SELECT 1", None, ConnectionResetError("gone"))
    error.connection_invalidated = True
    return error


async def _call(app: Any, method: str) -> list[dict[str, Any]]:
    """A request through the middleware around `app`; what was sent back."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await RetryLostConnection(app)({"type": "http", "method": method}, receive, send)
    return sent


class TestOnlyLostConnectionsAreRetried:
    @pytest.mark.parametrize(("method", "runs"), [("GET", 2), ("HEAD", 2), ("POST", 1)])
    async def test_a_lost_connection_is_retried_for_reads_only_then_a_503(
        self, method: str, runs: int
    ) -> None:
        calls = 0

        async def failing(scope: Any, receive: Any, send: Any) -> None:
            nonlocal calls
            calls += 1
            raise _lost()

        sent = await _call(failing, method)
        assert calls == runs
        assert [m.get("status") for m in sent] == [503, None]

    async def test_a_read_is_answered_by_its_second_run(self) -> None:
        calls = 0

        async def once_lost(scope: Any, receive: Any, send: Any) -> None:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise _lost()
            assert (await receive())["type"] == "http.request"
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

        sent = await _call(once_lost, "GET")
        assert (calls, [m.get("status") for m in sent]) == (2, [200, None])
        assert sent[1]["body"] == b"ok"

    async def test_nothing_is_retried_once_the_response_has_begun(self) -> None:
        calls = 0

        async def lost_midway(scope: Any, receive: Any, send: Any) -> None:
            nonlocal calls
            calls += 1
            await send({"type": "http.response.start", "status": 200, "headers": []})
            raise _lost()

        with pytest.raises(DBAPIError):
            await _call(lost_midway, "GET")
        assert calls == 1

    @pytest.mark.parametrize(
        "error",
        [
            DBAPIError("SELECT 1", None, ValueError("a constraint")),
            ConnectionRefusedError("a network call of the route's own, not the database"),
        ],
        ids=["another database error", "an OSError outside the driver"],
    )
    async def test_other_errors_are_not_retried_and_stay_500s(self, error: Exception) -> None:
        calls = 0

        async def failing(scope: Any, receive: Any, send: Any) -> None:
            nonlocal calls
            calls += 1
            raise error

        with pytest.raises(type(error)):
            await _call(failing, "GET")
        assert calls == 1
