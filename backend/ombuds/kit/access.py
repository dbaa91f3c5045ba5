"""Every route declares who may call it; this module is how that is declared and checked.

A dependency becomes an *access rule* by passing through :func:`access_rule`. Each domain's
``access.py`` builds its typed dependencies from rules; :func:`undeclared_routes` finds any
route that has none, and the application refuses to start with such a route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

ACCESS_RULE_ATTR = "__ombuds_access_rule__"
F = TypeVar("F", bound=Callable[..., Any])


def access_rule(description: str) -> Callable[[F], F]:
    """Mark a dependency as the access rule of the routes that use it."""

    def mark(fn: F) -> F:
        setattr(fn, ACCESS_RULE_ATTR, description)
        return fn

    return mark


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def dependant_rules(dependant: Dependant) -> list[str]:
    return [getattr(c, ACCESS_RULE_ATTR) for c in _calls(dependant) if hasattr(c, ACCESS_RULE_ATTR)]


def declare_public_paths(app: FastAPI, *paths: str) -> None:
    """Routes that are not API operations (the OpenAPI document, the docs page, the SPA)
    are public only when named here."""
    current: set[str] = getattr(app.state, "public_paths", set())
    app.state.public_paths = current | set(paths)


def undeclared_routes(app: FastAPI) -> list[str]:
    """Routes of ``app`` with no access rule, as ``METHOD path`` strings."""
    public: set[str] = getattr(app.state, "public_paths", set())
    missing: list[str] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        methods = sorted(context.methods or ("*",))
        if isinstance(route, APIRoute):
            if not dependant_rules(context.dependant):
                missing.extend(f"{m} {context.path}" for m in methods)
        elif context.path not in public:
            missing.extend(f"{m} {context.path}" for m in methods)
    return missing


class UndeclaredRoute(RuntimeError):
    pass


def assert_all_routes_declared(app: FastAPI) -> None:
    missing = undeclared_routes(app)
    if missing:
        raise UndeclaredRoute("routes without an access rule: " + ", ".join(missing))
