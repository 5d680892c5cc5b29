"""Declarative base with a constraint naming convention, and the engine/session factories."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Executable, MetaData, Row
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from tourism.config import Settings, get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(settings: Settings | None = None, *, url: str | None = None) -> AsyncEngine:
    """An asyncpg engine that survives database restarts (pre-ping) and bounds every query."""
    settings = settings or get_settings()
    return create_async_engine(
        url or settings.resolved_database_url(),
        pool_size=settings.pool_size,
        max_overflow=settings.pool_max_overflow,
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args={
            "timeout": 5,
            "server_settings": {
                "statement_timeout": str(settings.statement_timeout_ms),
                "application_name": "foodtour",
                # Short indexed queries: compiling them with JIT costs more than it saves.
                "jit": "off",
            },
        },
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def fetch_rows(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any]
) -> Sequence[Row]:
    """Run a read on the session's connection as Core: no ORM bookkeeping on hot paths."""
    connection = await session.connection()
    return (await connection.execute(statement, params)).all()
