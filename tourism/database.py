"""Declarative base with a constraint naming convention, the engine/session factories, and the
bare asyncpg pools of the hot paths.

Which path a request reads on (the app holds one of each: tourism.resources):

1. A bare asyncpg pool (`create_pool`): only the hot paths measured in docs/benchmarks.md, one
   statement each in autocommit: search and suggest (`SearchPoolDep`: read-only, generic plans),
   nearby eateries (`ReadPoolDep`: the same pool) and QR scans (`ScansDep`: a pool of their
   own, asynchronous commit). A path moves here with its measurement written beside it, never
   by default: it gives up the ORM and the ping.
2. The read engine (`ReadSessionDep`): a request that writes nothing, locks nothing and needs
   no transaction. Autocommit: no BEGIN/ROLLBACK around its statements, a one-round-trip ping;
   generic plans; the server refuses a write. One statement, or several that need not see one
   snapshot (the eatery detail: the eatery, then its menu, stars and nearest stations; a tile:
   the data versions, then layers that carry the versions they were drawn from). A statement
   whose best plan depends on its parameters' values is compared with custom plans first.
3. The write engine (`SessionDep`: one READ COMMITTED transaction, committed by the route) for
   the rest: a request that writes or locks (`FOR UPDATE`, advisory locks); one that reads the
   logged-in account (`CurrentUser` reads it on this session, and the request keeps to that
   connection rather than hold two); a server-side cursor, which asyncpg opens only inside a
   transaction (the open data files stream on `SessionsDep` sessions of their own).

With TOURISM_DATABASE_READ_URLS, the reads of rules 1 and 2 (and the open data streams) go to
streaming replicas instead, the rest stays on the primary: tourism.replicas.

READ COMMITTED gives each statement of a transaction a snapshot of its own too: the write
engine does not make several reads agree. Reads that must agree are one statement (a search
reads the catalogue's version in the statement that finds its eateries).
"""

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import CheckConstraint, Column, DateTime, Executable, MetaData, Row, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tourism.config import Settings, get_settings
from tourism.embedded import EmbeddedPostgres
from tourism.exceptions import translate_integrity_error

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def check_in(column: str, values: Iterable[str], *, name: str | None = None) -> CheckConstraint:
    """CHECK (column IN ('a', 'b', ...)): a column limited to a fixed set of words."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


class Timestamps:
    """`created_at` and `updated_at`, set by the database."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


CONNECT_TIMEOUT_S = 5


def plain_dsn(url: str) -> str:
    """The libpq form of a SQLAlchemy URL, as asyncpg takes it."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def database_url(settings: Settings) -> str:
    """The URL of the configured database, or of the embedded cluster where it runs now."""
    if settings.database_url:
        return settings.database_url
    return EmbeddedPostgres(settings).url(settings.embedded_database)


def connector(settings: Settings, url: str | None = None) -> Callable[..., Awaitable[Any]]:
    """Opens an asyncpg connection to where the database is at the time of connecting.

    The embedded cluster's address is read anew for every connection (it may come back from a
    restart on another port), so a running API follows it without being restarted.
    """

    async def connect(*_: Any, **kwargs: Any) -> asyncpg.Connection:
        kwargs.pop("loop", None)
        dsn = plain_dsn(url or database_url(settings))
        return await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_S, **kwargs)

    return connect


def create_engine(
    settings: Settings | None = None, *, url: str | None = None, read_only: bool = False
) -> AsyncEngine:
    """An asyncpg engine that survives database restarts (pre-ping) and bounds every query.

    `read_only`: for the reads of rule 2 above. Each statement runs in its own snapshot
    with no BEGIN/ROLLBACK around it (the pre-ping is then one round trip, not three), uses a
    generic plan, and the server refuses writes.
    """
    settings = settings or get_settings()
    server_settings = {
        "statement_timeout": str(settings.statement_timeout_ms),
        "application_name": "foodtour",
        # Short indexed queries: compiling them with JIT costs more than it saves.
        "jit": "off",
        # An acknowledged write is on disk, whatever the server's default says (a cluster-wide
        # `off` lost acknowledged writes in a crash). Only QR scans commit asynchronously.
        "synchronous_commit": "on",
    }
    if read_only:
        server_settings["default_transaction_read_only"] = "on"
        # The reads' statements are prepared once per connection; planned once, not per call
        # (planning a search cost more PostgreSQL time than running it: docs/benchmarks.md).
        server_settings["plan_cache_mode"] = "force_generic_plan"
    connect = connector(settings, url)
    return create_async_engine(
        "postgresql+asyncpg://",
        async_creator=lambda: connect(server_settings=server_settings),
        pool_size=settings.pool_size,
        max_overflow=settings.pool_max_overflow,
        pool_pre_ping=True,
        pool_timeout=5,
        isolation_level="AUTOCOMMIT" if read_only else "READ COMMITTED",
    )


async def create_pool(
    settings: Settings, *, application_name: str, url: str | None = None, **server_settings: str
) -> asyncpg.Pool:
    """A bare asyncpg pool for hot paths made of one statement in autocommit (QR scans, search).

    Against the engine it saves, per request, the liveness ping (asyncpg learns of a closed
    connection from its socket, and a statement on a dead one is a 503 like any outage) and the
    session reset on release (these statements leave no session state). Statements are prepared
    once per connection. Connects on first use, so nothing connects while the app starts.
    """
    return await asyncpg.create_pool(
        connect=connector(settings, url),
        min_size=0,
        max_size=settings.pool_size,
        max_inactive_connection_lifetime=60,
        reset=_nothing_to_reset,
        server_settings={
            "application_name": application_name,
            "statement_timeout": str(settings.statement_timeout_ms),
            "jit": "off",
            **server_settings,
        },
    )


async def _nothing_to_reset(_: asyncpg.Connection) -> None:
    return None


@dataclass(frozen=True)
class Positional:
    """A statement written with :named parameters, as asyncpg takes it ($1, $2, ...)."""

    sql: str
    names: tuple[str, ...]

    @classmethod
    def of(cls, sql: str) -> "Positional":
        names: list[str] = []

        def number(match: re.Match) -> str:
            if match[1] not in names:
                names.append(match[1])
            return f"${names.index(match[1]) + 1}"

        return cls(re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", number, sql), tuple(names))

    async def fetch(self, pool: asyncpg.Pool, params: Mapping[str, Any]) -> list[asyncpg.Record]:
        return await pool.fetch(self.sql, *(params[name] for name in self.names))


@asynccontextmanager
async def translating() -> AsyncIterator[None]:
    """Integrity errors raised inside become the domain errors they stand for
    (tourism.exceptions.translate_integrity_error): where a service needs to know now."""
    try:
        yield
    except (IntegrityError, asyncpg.IntegrityConstraintViolationError) as exc:
        if (domain := translate_integrity_error(exc)) is None:
            raise
        raise domain from exc


async def flush(session: AsyncSession) -> None:
    """`session.flush()`, with violations translated."""
    async with translating():
        await session.flush()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def fetch_rows(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any]
) -> Sequence[Row]:
    """Run a read on the session's connection as Core: no ORM bookkeeping on hot paths."""
    connection = await session.connection()
    return (await connection.execute(statement, params)).all()


async def upsert_returning_id(
    session: AsyncSession, model: type[Base], *, key: Column, values: dict[str, Any]
) -> int:
    """Insert `values`, or update the row with the same `key`; the row's id either way."""
    statement = insert(model).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[key],
        set_={**{k: statement.excluded[k] for k in values}, "updated_at": func.now()},
    ).returning(model.id)
    return (await session.execute(statement)).scalar_one()


T = TypeVar("T")


async def run_in_transaction(
    work: Callable[[AsyncSession], Awaitable[T]],
    settings: Settings | None = None,
    *,
    url: str | None = None,
) -> T:
    """For commands and scripts: `work(session)` in one transaction, on an engine of its own."""
    engine = create_engine(settings, url=url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()
