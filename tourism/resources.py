"""What a running app holds: opened once in the lifespan, closed on shutdown.

`app.state.resources` is the one attribute the app keeps; requests reach its parts through
typed dependencies (`SessionDep`, `ReadSessionDep`, `SettingsDep` in tourism.dependencies, the
pools and caches in their domain's `dependencies.py`). Which of the engines and pools a request
reads from is written in tourism.database.
"""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tourism.bikeshare.config import GbfsSettings
from tourism.config import Settings
from tourism.database import create_engine, create_pool, create_session_factory
from tourism.openapi import uses_database
from tourism.qrcodes.scans import ScanRecorder
from tourism.replicas import ReadSide, Replicas, open_replica
from tourism.search.service import QueryCache
from tourism.tiles.cache import LayerCache


@dataclass(frozen=True, kw_only=True)
class Resources:
    settings: Settings
    gbfs: GbfsSettings
    # writes, and the reads that need a transaction (tourism.database)
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    # reads that need none: autocommit, read-only, generic plans
    read_engine: AsyncEngine
    read_sessions: async_sessionmaker[AsyncSession]
    # bare asyncpg pools of the measured hot paths: search and suggest; QR scans (their own)
    search_pool: asyncpg.Pool
    scans: ScanRecorder
    # what query strings match, and the completions of a text (per worker)
    query_cache: QueryCache
    suggest_cache: QueryCache
    tile_cache: LayerCache
    # `last_updated` of the GBFS files that change only with the configuration
    started_at: datetime
    # TOURISM_DATABASE_READ_URLS: where read-only requests read (tourism.replicas); None: here
    replicas: Replicas | None = None

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: Settings, *, gbfs: GbfsSettings) -> AsyncIterator["Resources"]:
        """Everything made, nothing connected yet (engines and pools connect on first use);
        whatever was made is closed on the way out, also when a later step fails."""
        async with AsyncExitStack() as opened:
            engine = create_engine(settings)
            opened.push_async_callback(engine.dispose)
            read_engine = create_engine(settings, read_only=True)
            opened.push_async_callback(read_engine.dispose)
            search_pool = await create_pool(
                settings,
                application_name="foodtour-search",
                default_transaction_read_only="on",
                plan_cache_mode="force_generic_plan",
            )
            opened.push_async_callback(search_pool.close)
            scans = await ScanRecorder.open(settings, limit=settings.qr_scans_per_client_minute)
            opened.push_async_callback(scans.close)
            sessions = create_session_factory(engine)
            read_sessions = create_session_factory(read_engine)
            replicas = None
            if settings.database_read_urls:
                primary = ReadSide(
                    name="primary",
                    read_sessions=read_sessions,
                    stream_sessions=sessions,
                    search_pool=search_pool,
                )
                replicas = Replicas(
                    primary,
                    [
                        await open_replica(settings, url, opened)
                        for url in settings.database_read_urls
                    ],
                    window_s=settings.read_your_writes_s,
                    retry_s=settings.replica_retry_s,
                )
            yield cls(
                settings=settings,
                gbfs=gbfs,
                engine=engine,
                sessions=sessions,
                read_engine=read_engine,
                read_sessions=read_sessions,
                search_pool=search_pool,
                replicas=replicas,
                scans=scans,
                query_cache=QueryCache(settings.search_cache_entries),
                suggest_cache=QueryCache(settings.search_cache_entries),
                tile_cache=LayerCache(settings.tile_cache_mb * 2**20),
                started_at=datetime.now(UTC).replace(microsecond=0),
            )


@uses_database
async def get_resources(request: Request) -> Resources:
    """For the app's own routes (tourism.main); a domain asks for the part it uses instead."""
    return request.app.state.resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]
