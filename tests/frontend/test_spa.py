"""The backend serves the built SPA at "/", client routes included, and the API stays
under /api; without a build nothing is mounted."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from ombuds import spa
from ombuds.kit.access import undeclared_routes
from ombuds.main import create_app
from ombuds.settings import Settings

INDEX = "<!doctype html><title>Ombuds</title><div id=root></div>"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "app.js").write_text("console.log(1)")
    return tmp_path


def _app(monkeypatch: pytest.MonkeyPatch, dist: Path) -> FastAPI:
    monkeypatch.setattr(spa, "DIST", dist)
    return create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))


async def _get(app: FastAPI, path: str, accept: str = "text/html") -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path, headers={"Accept": accept})


async def test_the_index_and_assets_are_served(monkeypatch: pytest.MonkeyPatch, dist: Path) -> None:
    app = _app(monkeypatch, dist)
    index = await _get(app, "/")
    asset = await _get(app, "/assets/app.js", accept="*/*")
    assert (index.status_code, index.text) == (200, INDEX)
    assert (asset.status_code, asset.text) == (200, "console.log(1)")
    assert "default-src 'self'" in index.headers["content-security-policy"]


async def test_a_client_route_gets_the_index(monkeypatch: pytest.MonkeyPatch, dist: Path) -> None:
    page = await _get(_app(monkeypatch, dist), "/complaints/0b5e7c1e-0000-4000-8000-000000000000")
    assert (page.status_code, page.text) == (200, INDEX)


async def test_the_api_is_not_shadowed(monkeypatch: pytest.MonkeyPatch, dist: Path) -> None:
    app = _app(monkeypatch, dist)
    health = await _get(app, "/api/health", accept="application/json")
    missing = await _get(app, "/api/no-such-route", accept="application/json")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_every_route_is_still_declared_with_the_spa(
    monkeypatch: pytest.MonkeyPatch, dist: Path
) -> None:
    app = _app(monkeypatch, dist)
    assert undeclared_routes(app) == []
    assert "/" in app.state.public_paths


async def test_without_a_build_nothing_is_mounted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = _app(monkeypatch, tmp_path / "no-dist")
    page = await _get(app, "/")
    assert page.status_code == 404
    assert "/" not in getattr(app.state, "public_paths", set())
