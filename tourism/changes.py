"""Data versions kept by the database: a counter per table, moved by every write to it.

Statement-level triggers (see the `tiles_osm` migration) bump `data_versions` in the writer's
transaction, so a reader that sees new rows also sees the new version. Caches key their
entries by the versions of the tables they were made from: nothing cached outlives its data.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tourism.database import Base


class DataVersion(Base):
    __tablename__ = "data_versions"

    table_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, server_default="0")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


VERSIONS = text("SELECT table_name, version FROM data_versions")


async def versions(session: AsyncSession) -> dict[str, int]:
    """Every table's version, in one indexed read."""
    connection = await session.connection()
    return dict((await connection.execute(VERSIONS)).all())


def version_of(all_versions: Mapping[str, int], tables: Iterable[str]) -> tuple[int, ...]:
    return tuple(all_versions[t] for t in tables)


async def changed_at(session: AsyncSession) -> dict[str, datetime]:
    """When each table last changed (a write of any kind, deletes included)."""
    rows = await session.execute(select(DataVersion.table_name, DataVersion.changed_at))
    return dict(rows.all())
