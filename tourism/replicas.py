"""Read replicas (PostgreSQL streaming replication): where a read-only request reads.

With `TOURISM_DATABASE_READ_URLS` set, the reads of rules 1 and 2 of tourism.database (the
read engine, the bare read-only search pool) and the open data streams go to the replicas, one
after another per request (round robin); everything else stays on the primary. Unset, nothing
here runs and every read is on the primary, as before.

- Read your writes: a request with an unsafe method (POST, PUT, PATCH, DELETE) that succeeds
  gets a cookie (`foodtour_primary`, the instant it lapses as Unix seconds, Max-Age
  `TOURISM_READ_YOUR_WRITES_S`); while it holds, that client reads on the primary. A cookie, not
  worker memory, so every worker and every server of a deployment honours it. Unsigned on
  purpose: a value further ahead than the window is ignored, so a forged one buys nothing a
  write would not, and it carries nothing secret.
- A replica that fails to connect (refused, reset, shut down, too many clients) is skipped for
  `TOURISM_REPLICA_RETRY_S` seconds, per worker; the request goes on to the next replica and at
  last to the primary. Sessions are checked at the start of the request (the engine's pre-ping);
  a bare-pool statement that meets a broken replica, or a replica cancelling it for a conflict
  with recovery, is run again on the next one (it is read-only). A replica that dies after a
  session's check fails that one request, as a primary would.
"""

import itertools
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tourism.config import Settings
from tourism.database import create_engine, create_pool, create_session_factory
from tourism.exceptions import DATABASE_ERRORS, _is_unavailable, _sqlstate

log = logging.getLogger("tourism.replicas")

COOKIE = "foodtour_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A hot standby cancels a query whose rows replay must remove: the primary answers it instead.
RECOVERY_CONFLICT = "40001"


@dataclass(eq=False, kw_only=True)
class ReadSide:
    """One database that answers reads: the primary, or one replica."""

    name: str
    read_sessions: async_sessionmaker[AsyncSession]
    # transactions for server-side cursors (the open data streams)
    stream_sessions: async_sessionmaker[AsyncSession]
    search_pool: asyncpg.Pool
    engine: AsyncEngine | None = None
    down_until: float = field(default=0.0)


async def open_replica(settings: Settings, url: str, opened: AsyncExitStack) -> ReadSide:
    """A replica's read engine and search pool, closed with `opened`; nothing connects yet."""
    engine = create_engine(settings, url=url, read_only=True)
    opened.push_async_callback(engine.dispose)
    pool = await create_pool(
        settings,
        url=url,
        application_name="foodtour-search",
        default_transaction_read_only="on",
        plan_cache_mode="force_generic_plan",
    )
    opened.push_async_callback(pool.close)
    # The same pool in transactions: a standby runs read-only ones (and refuses anything else).
    streams = engine.execution_options(isolation_level="READ COMMITTED")
    return ReadSide(
        name=_host(url),
        engine=engine,
        read_sessions=create_session_factory(engine),
        stream_sessions=create_session_factory(streams),
        search_pool=pool,
    )


def _host(url: str) -> str:
    """host:port of a URL, for the log (never the password)."""
    return url.rsplit("@", 1)[-1].split("/", 1)[0]


def wrote_recently(request: Request, window_s: int) -> bool:
    """Whether the client wrote within the window (the cookie set by `ReadYourWrites`)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return False
    try:
        until = int(value)
    except ValueError:
        return False
    now = time.time()
    return now < until <= now + window_s + 1


class Replicas:
    """The replicas and the primary, and which of them a request reads on."""

    def __init__(
        self, primary: ReadSide, replicas: Sequence[ReadSide], *, window_s: int, retry_s: float
    ) -> None:
        self.primary = primary
        self.replicas = tuple(replicas)
        self.window_s = window_s
        self.retry_s = retry_s
        self._turn = itertools.count()

    def sides(self, request: Request) -> list[ReadSide]:
        """Where `request` reads, in the order to try: the replicas up now, from the next in
        turn, then the primary (alone for a client within its read-your-writes window)."""
        if wrote_recently(request, self.window_s):
            return [self.primary]
        now = time.monotonic()
        up = [side for side in self.replicas if side.down_until <= now]
        if not up:
            return [self.primary]
        first = next(self._turn) % len(up)
        return [*up[first:], *up[:first], self.primary]

    def mark_down(self, side: ReadSide, exc: BaseException) -> None:
        if side.down_until <= time.monotonic():
            log.warning(
                "replica %s skipped for %ss: %s: %s",
                side.name,
                self.retry_s,
                type(exc).__name__,
                exc,
            )
        side.down_until = time.monotonic() + self.retry_s

    @asynccontextmanager
    async def session(self, request: Request, kind: str = "read") -> AsyncIterator[AsyncSession]:
        """A session of `kind` ("read": autocommit; "stream": transactions) on the first side
        that connects; the primary's is not checked (its failure is an outage, a 503)."""
        for side in self.sides(request):
            session = getattr(side, f"{kind}_sessions")()
            if side is not self.primary:
                try:
                    await session.connection()  # checks out and pings a connection
                except DATABASE_ERRORS as exc:
                    await session.close()
                    if not _is_unavailable(exc):
                        raise
                    self.mark_down(side, exc)
                    continue
            async with session:
                yield session
            return

    def stream_sessions(self, request: Request) -> "StreamSessions":
        return StreamSessions(self, request)

    def search_pool(self, request: Request) -> "ReadPool":
        return ReadPool(self, self.sides(request))


class StreamSessions:
    """`sessions()` as async_sessionmaker's, on the side that connects when it is opened."""

    def __init__(self, replicas: Replicas, request: Request) -> None:
        self.replicas = replicas
        self.request = request

    def __call__(self) -> Any:
        return self.replicas.session(self.request, "stream")


class ReadPool:
    """The bare search pool's `fetch`, `fetchrow` and `fetchval` on the first side that answers."""

    def __init__(self, replicas: Replicas, sides: Sequence[ReadSide]) -> None:
        self.replicas = replicas
        self.sides = sides

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> list[asyncpg.Record]:
        return await self._run("fetch", query, *args, **kwargs)

    async def fetchrow(self, query: str, *args: Any, **kwargs: Any) -> asyncpg.Record | None:
        return await self._run("fetchrow", query, *args, **kwargs)

    async def fetchval(self, query: str, *args: Any, **kwargs: Any) -> Any:
        return await self._run("fetchval", query, *args, **kwargs)

    async def _run(self, method: str, *args: Any, **kwargs: Any) -> Any:
        *replicas, primary = self.sides
        for side in replicas:
            if side.down_until > time.monotonic():
                continue
            try:
                return await getattr(side.search_pool, method)(*args, **kwargs)
            except DATABASE_ERRORS as exc:
                if _sqlstate(exc) == RECOVERY_CONFLICT:
                    continue
                if not _is_unavailable(exc):
                    raise
                self.replicas.mark_down(side, exc)
        return await getattr(primary.search_pool, method)(*args, **kwargs)


class ReadYourWrites:
    """Sets the read-your-writes cookie on a successful POST, PUT, PATCH or DELETE."""

    def __init__(self, app: ASGIApp, *, window_s: int) -> None:
        self.app = app
        self.window_s = window_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS or self.window_s <= 0:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                until = int(time.time()) + self.window_s
                cookie = (
                    f"{COOKIE}={until}; Max-Age={self.window_s}; Path=/; HttpOnly; SameSite=Lax"
                )
                message["headers"] = [*message.get("headers", ()), (b"set-cookie", cookie.encode())]
            await send(message)

        await self.app(scope, receive, send_with_cookie)
