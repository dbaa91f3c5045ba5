"""create_app(): middleware, routers, error handlers; nothing else."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from ombuds.accounts import endpoints as accounts
from ombuds.audit import denials
from ombuds.audit import endpoints as audit
from ombuds.audit.sealer import Sealer
from ombuds.auth import endpoints as auth
from ombuds.auth.passwords import Passwords
from ombuds.calendars import endpoints as calendars
from ombuds.calendars import logfilter, validator
from ombuds.committees import endpoints as committees
from ombuds.complaints import endpoints as complaints
from ombuds.consultations import endpoints as consultations
from ombuds.deadlines import endpoints as deadlines
from ombuds.deadlines import upkeep
from ombuds.directory import endpoints as directory
from ombuds.formal import endpoints as formal
from ombuds.health import endpoints as health
from ombuds.informal import endpoints as informal
from ombuds.investigation import endpoints as investigation
from ombuds.kit import apidoc, datakeys
from ombuds.kit.access import assert_all_routes_declared, declare_public_paths
from ombuds.kit.datakeys import KeyStore
from ombuds.kit.db import create_engine, create_read_sessionmaker, create_sessionmaker
from ombuds.kit.errors import install_error_handlers
from ombuds.kit.middleware import (
    AllowedMethods,
    BodyLimit,
    RetryLostConnection,
    SecurityHeaders,
)
from ombuds.notifications import endpoints as notifications
from ombuds.notifications import upkeep as notifications_upkeep
from ombuds.officers import endpoints as officers
from ombuds.policy import endpoints as policy
from ombuds.portal import endpoints as portal
from ombuds.portal import message_endpoints as portal_messages
from ombuds.portal import party_endpoints as portal_party
from ombuds.portal.access import unauthenticated_caller
from ombuds.register import endpoints as register
from ombuds.retention import endpoints as retention
from ombuds.retention import upkeep as retention_upkeep
from ombuds.settings import Settings, audit_key, get_settings, keyring
from ombuds.spa import mount_spa
from ombuds.statistics import endpoints as statistics
from ombuds.statistics import facts

ROUTERS = [
    health.router,
    auth.router,
    accounts.users,
    accounts.service_accounts,
    directory.units,
    directory.members,
    directory.roster,
    complaints.grounds_router,
    complaints.router,
    consultations.router,
    informal.router,
    formal.router,
    committees.router,
    officers.router,
    investigation.router,
    investigation.officer_router,
    audit.router,
    register.router,
    retention.router,
    deadlines.router,
    policy.router,
    statistics.router,
    calendars.router,
    calendars.feed_router,
    notifications.router,
    portal.router,
    portal.party_router,
    portal_party.router,
    portal_party.staff_router,
    portal_messages.router,
    portal_messages.party_router,
]


def operation_id(route: APIRoute) -> str:
    """`tag-name`, e.g. `users-create`: stable names for the generated client."""
    prefix = f"{route.tags[0]}-" if route.tags else ""
    return prefix + route.name.replace("_", "-")


SHUTDOWN_SEAL_SECONDS = 3.0


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = create_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sealer = Sealer(app.state.sessionmaker, settings.audit_seal_seconds)
        sealing = None
        compactor = validator.Compactor(app.state.sessionmaker, validator.COMPACT_SECONDS)
        compacting = None
        if settings.audit_seal_seconds > 0:  # background work (off in most tests)
            sealing = asyncio.create_task(sealer.run(), name="audit sealer")
            compacting = asyncio.create_task(compactor.run(), name="feed validator compactor")
        # The policy review dates exist before the first request; then kept up to date.
        review_dates = upkeep.PolicyReviewUpkeep(app.state.sessionmaker, settings)
        reviews = asyncio.create_task(review_dates.run(), name="policy review dates")
        await review_dates.first_round()
        # Records past their retention period, scheduled then destroyed (5.1), daily.
        destructions = None
        if settings.retention_run_hours > 0:
            job = retention_upkeep.RetentionUpkeep(app.state.sessionmaker, settings)
            destructions = asyncio.create_task(job.run(), name="retention job")
        # The outbox's messages, so that `make run` mails with nothing else; production
        # turns it off in the API instances and runs `ombuds worker` (docs/notifications.md).
        mailing = None
        if settings.notifications_poll_seconds > 0:
            delivery = notifications_upkeep.NotificationUpkeep(app.state.sessionmaker, settings)
            mailing = asyncio.create_task(delivery.run(), name="notification delivery")
        yield
        for task in (reviews, destructions, mailing):
            if task is None:
                continue
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if compacting is not None:
            compacting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await compacting
        if sealing is not None:
            sealing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sealing
            # What the last requests wrote does not wait for a restart; bounded, so that a
            # database that does not answer cannot hold the shutdown (the next start seals).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sealer.round(), SHUTDOWN_SEAL_SECONDS)
        await engine.dispose()
        await app.state.keys.dispose()

    app = FastAPI(
        title="Ombuds",
        version="0.1.0",
        summary="Confidential handling of harassment complaints under the Local 500 policy",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        redoc_url=None,
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.keyring = keyring(settings)
    app.state.keys = KeyStore(datakeys.url_for(settings), app.state.keyring, pooled=True)
    app.state.sessionmaker = create_sessionmaker(
        engine, audit_key=audit_key(settings), keyring=app.state.keyring, keys=app.state.keys
    )
    app.state.read_sessionmaker = create_read_sessionmaker(
        engine, audit_key=audit_key(settings), keyring=app.state.keyring, keys=app.state.keys
    )
    for maker in (app.state.sessionmaker, app.state.read_sessionmaker):
        maker.kw["info"][facts.UNIT_MIN_MEMBERS_KEY] = settings.facts_unit_min_members
    app.state.passwords = Passwords(settings)
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app, caller_check=unauthenticated_caller)
    denials.install(app)
    declare_public_paths(app, "/api/openapi.json", "/api/docs", "/api/docs/oauth2-redirect")
    mount_spa(app)  # frontend/dist at "/", when built
    assert_all_routes_declared(app)
    apidoc.install(app)  # what each route answers besides success, from its access rule
    app.add_middleware(RetryLostConnection)  # innermost: a read retried runs the app alone
    app.add_middleware(AllowedMethods, routes=app.router.routes)
    app.add_middleware(
        BodyLimit, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes
    )
    app.add_middleware(SecurityHeaders)  # outermost: refusals get the headers too
    logfilter.install()  # feed tokens and query strings never reach the access log
    for chatty in ("aiosqlite", "asyncpg", "sqlalchemy.engine"):
        # At INFO and DEBUG these print statements' parameters: names and narrative.
        logging.getLogger(chatty).setLevel(max(logging.getLogger(chatty).level, logging.WARNING))
    return app
