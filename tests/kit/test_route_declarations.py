"""Every route declares who may call it (deny by default)."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts

from ombuds.auth.access import AnyUser, Public
from ombuds.kit.access import UndeclaredRoute, assert_all_routes_declared, undeclared_routes
from ombuds.main import create_app
from ombuds.settings import Settings


def test_every_route_of_the_service_declares_an_access_rule() -> None:
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    assert undeclared_routes(app) == []


def _throwaway_app() -> FastAPI:
    app = FastAPI()
    router = APIRouter()

    @router.get("/declared")
    async def declared(_: AnyUser) -> dict[str, str]:
        return {}

    @router.get("/public")
    async def public(_: Public) -> dict[str, str]:
        return {}

    @router.delete("/forgotten/{item_id}")
    async def forgotten(item_id: int) -> dict[str, str]:
        return {}

    app.include_router(router)
    return app


def test_a_route_without_a_rule_is_found() -> None:
    # The throwaway app also has FastAPI's own docs routes, which nobody declared public.
    assert undeclared_routes(_throwaway_app()) == [
        "GET /openapi.json",
        "HEAD /openapi.json",
        "GET /docs",
        "HEAD /docs",
        "GET /docs/oauth2-redirect",
        "HEAD /docs/oauth2-redirect",
        "GET /redoc",
        "HEAD /redoc",
        "DELETE /forgotten/{item_id}",
    ]


def test_the_service_checks_routes_it_includes_through_routers() -> None:
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    checked = [c.path for c in iter_route_contexts(app.routes)]
    assert "/api/users/{user_id}/roles" in checked
    assert len(checked) > 20


def test_an_app_with_an_undeclared_route_refuses_to_start() -> None:
    with pytest.raises(UndeclaredRoute, match="/forgotten"):
        assert_all_routes_declared(_throwaway_app())
