"""The FastAPI application: `create_app()` and its lifespan."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from tourism.accounts.router import admin as admin_router
from tourism.accounts.router import auth as auth_router
from tourism.audit.router import router as audit_router
from tourism.bikeshare.config import GbfsSettings
from tourism.bikeshare.router import gbfs as gbfs_router
from tourism.bikeshare.router import operator as operator_router
from tourism.bikeshare.router import router as stations_router
from tourism.changes import check_versioned_tables
from tourism.config import Settings, get_settings
from tourism.dependencies import reject_control_characters
from tourism.eateries.router import router as eateries_router
from tourism.eateries.service import ensure_open_window
from tourism.exceptions import ServiceUnavailable, install_handlers, outage_log
from tourism.guard import Guard
from tourism.languages import Languages, language_param, say
from tourism.observability import install_observability
from tourism.openapi import errors, install_openapi
from tourism.opendata.router import router as open_data_router
from tourism.privacy.router import router as privacy_router
from tourism.qrcodes.router import router as qr_router
from tourism.qrcodes.router import scans as qr_scans_router
from tourism.replicas import ReadYourWrites
from tourism.resources import Resources, ResourcesDep
from tourism.reviews.router import moderation as moderation_router
from tourism.reviews.router import router as reviews_router
from tourism.search.router import router as search_router
from tourism.tiles.router import router as tiles_router
from tourism.tours.router import router as tours_router
from tourism.vendors.router import router as vendors_router
from tourism.views.admin import router as catalogue_admin_router
from tourism.views.router import router as views_router
from tourism.web.router import install_web

log = logging.getLogger("tourism")
API_VERSION = "1.0.0"  # of the contract under /api/v1: CHANGELOG.md, README "Versioning"
API_DESCRIPTION = """\
Hai Phong's food-tour map: dishes, the eateries that serve them (hours, open now, ratings and
prices in VND), tours on foot or by public bike, reviews, QR campaigns and open data.

- **Versions.** Everything under `/api/v1` keeps working as documented: fields and operations
  may be added, never removed or changed in meaning, within v1. A breaking change goes to
  `/api/v2`, announced in the CHANGELOG; what v1 stops supporting first answers a
  `Deprecation` header (and a `Sunset` date) for at least one release.
- **Languages.** `?lang=vi|en` or `Accept-Language` picks the language of messages and of the
  `name`/`description` fields (`name_vi`/`name_en` stay); answers say it in `Content-Language`.
  English when a request names neither.
- **Errors.** Every error is `{"error": {"code", "message", "details", "request_id"}}` (the
  `Error` schema), with the statuses each operation lists.
- **Lists.** `limit` (1 to 100) and `cursor`; answers carry `next_cursor`, `total` when it is
  cheap to know, and a `Link: <...>; rel="next"` header.
- **Logging in.** `POST /api/v1/auth/token` gives a bearer token: send
  `Authorization: Bearer <token>`.
"""
WINDOW_CHECK_SECONDS = 600


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: Literal["ok"] = Field(description="Always `ok`: the process answers")


class Readiness(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ready"}]})

    status: Literal["ready"] = Field(description="Always `ready`: the database answers")


# Already compressed, or read by byte ranges (the base map archive).
UNCOMPRESSED = ("application/pdf", "application/vnd.pmtiles", "application/octet-stream")


async def keep_open_window(resources: Resources) -> None:
    """Keep the precomputed opening intervals ahead of the clock, surviving database outages."""
    while True:
        try:
            async with resources.sessions() as session, session.begin():
                moved = await ensure_open_window(
                    session, now=datetime.now(UTC), days=resources.settings.open_window_days
                )
            if moved:
                log.info("opening-hours window moved forward")
        except Exception as exc:  # noqa: BLE001 - a down database must not kill the loop
            log.warning("opening-hours window not refreshed: %s", exc)
        await asyncio.sleep(WINDOW_CHECK_SECONDS)


def create_app(
    settings: Settings | None = None,
    *,
    gbfs: GbfsSettings | None = None,
    background: bool = True,
) -> FastAPI:
    """The app; `settings` and `gbfs` default to the environment's, read here, once."""
    settings = settings or get_settings()
    gbfs = gbfs or GbfsSettings()
    if settings.environment == "production":
        gbfs.refuse_placeholders()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Closed on the way out, whatever happens after it is opened (a failed check too).
        async with Resources.open(settings, gbfs=gbfs) as resources:
            app.state.resources = resources
            # A database whose versioned tables lack their counters would let caches serve
            # stale answers: refuse to start, saying to migrate.
            async with resources.engine.connect() as connection:
                await check_versioned_tables(connection)
            task = asyncio.create_task(keep_open_window(resources)) if background else None
            if background:  # a served worker (tests make many apps in one process: not theirs)
                # What the worker made to start lives as long as it does: out of the
                # collector's sight, a full collection walks only the requests' leftovers
                # instead of every module, route and model (the p99: docs/benchmarks.md).
                gc.collect()
                gc.freeze()
            try:
                yield
            finally:
                if task:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    app = FastAPI(
        title="Hai Phong food tour API",
        version=API_VERSION,
        summary="Find Hai Phong dishes, the eateries that serve them, and bikes to get there.",
        lifespan=lifespan,
        # tourism.exceptions.slash_redirect instead: Starlette's echoes the Host header
        redirect_slashes=False,
        # /docs and /redoc: tourism.web.pages, with their scripts from this server, not a CDN
        docs_url=None,
        redoc_url=None,
    )
    install_handlers(app)
    install_openapi(app, description=API_DESCRIPTION)
    app.add_middleware(Guard, max_body_bytes=settings.max_body_bytes)
    # The request's language, before anything that may answer (the Guard's 413 included).
    app.add_middleware(Languages)
    if settings.database_read_urls:  # a client who wrote reads its write (tourism.replicas)
        app.add_middleware(ReadYourWrites, window_s=settings.read_your_writes_s)
    # JSON, pages, scripts and styles gzipped for clients that take it (the build's .gz twins
    # and images are sent as they are; a 206 byte range is never compressed).
    app.add_middleware(
        GZipMiddleware,
        minimum_size=1024,
        compresslevel=5,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, *UNCOMPRESSED),
    )
    # Outermost: the request id, the access line and the request metrics; /metrics.
    install_observability(app, settings)

    # Text parameters with control characters are a 422 naming them, for every operation.
    # Every operation documents `?lang=` and `Accept-Language` (tourism.languages).
    api = APIRouter(
        prefix="/api/v1",
        dependencies=[Depends(reject_control_characters), Depends(language_param)],
    )
    for router in (
        eateries_router,
        views_router,  # /eateries/{id} after /eateries/nearby; /dishes
        stations_router,
        search_router,
        auth_router,
        privacy_router,  # DELETE /auth/me
        admin_router,
        catalogue_admin_router,  # /admin/eateries, /admin/dishes (views: answers in full)
        audit_router,
        reviews_router,
        moderation_router,
        vendors_router,
        qr_router,
        operator_router,
        tiles_router,
        open_data_router,
        tours_router,
    ):
        api.include_router(router)
    app.include_router(api)
    app.include_router(qr_scans_router)  # /q/{code}: the short URL printed in every QR code
    app.include_router(gbfs_router)  # GBFS lives at /gbfs/v3/, where trip planners look

    @app.get(
        "/healthz",
        tags=["ops"],
        summary="The process is up",
        description="For load balancers and orchestrators (liveness): 200 while the process "
        "serves requests, whatever the database's state. Touches nothing; never cached.",
        response_model=Health,
    )
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["ops"],
        summary="The database answers",
        description="For load balancers and orchestrators (readiness): 200 when a `SELECT 1` "
        "on the write database answers, else 503 with `Retry-After` (send traffic elsewhere "
        "until it answers again).",
        response_model=Readiness,
        responses=errors(503),
    )
    async def readyz(resources: ResourcesDep) -> dict:
        try:
            async with resources.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            outage_log.warn(exc)  # a probe every few seconds: one line per period, not each
            raise ServiceUnavailable(
                say("the database is unreachable", "không kết nối được cơ sở dữ liệu")
            ) from exc
        return {"status": "ready"}

    install_web(app, settings)
    return app
