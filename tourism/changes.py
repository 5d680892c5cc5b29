"""Data versions kept by the database: a counter per table, moved by every write to it.

Statement-level triggers (see the `tiles_osm` migration) bump `data_versions` in the writer's
transaction, so a reader that sees new rows also sees the new version. Caches key their
entries by the versions of the tables they were made from: nothing cached outlives its data.

The registry: `Versioned` is the one list of the tables with a counter, and tiles and open
data name what they are made from out of it. Search remembers what text matches by one other
counter, `search_catalogue.version`, that writes to `CATALOGUE_TABLES` move. At startup,
`check_versioned_tables` holds the database to the registry; tests/test_versions.py holds the
migrations to it.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, String, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tourism.bikeshare.models import BikeStation, BikeStationStatus
from tourism.database import Base
from tourism.dishes.models import Dish, DishName
from tourism.eateries.models import Eatery, EateryOpenInterval
from tourism.menus.models import MenuItem
from tourism.search.models import SearchCatalogue


class DataVersion(Base):
    __tablename__ = "data_versions"

    table_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, server_default="0")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Versioned(StrEnum):
    """The tables whose every write moves their own `data_versions` row."""

    DISHES = Dish.__tablename__
    EATERIES = Eatery.__tablename__
    EATERY_OPEN_INTERVALS = EateryOpenInterval.__tablename__
    MENU_ITEMS = MenuItem.__tablename__
    BIKE_STATIONS = BikeStation.__tablename__
    BIKE_STATION_STATUS = BikeStationStatus.__tablename__


# What search remembers (tourism.search.service.QueryCache) follows the one version of
# `search_catalogue`, which writes to these move (the `search_catalogue` migration; for
# eateries, only writes to their names, slug or status): the names a text can match.
CATALOGUE_TABLES = frozenset({Dish.__tablename__, DishName.__tablename__, Eatery.__tablename__})

VERSIONS = text(f"SELECT table_name, version FROM {DataVersion.__tablename__}")


async def versions(session: AsyncSession) -> dict[str, int]:
    """Every table's version, in one indexed read."""
    connection = await session.connection()
    return dict((await connection.execute(VERSIONS)).all())


def version_of(all_versions: Mapping[str, int], tables: Iterable[Versioned]) -> tuple[int, ...]:
    return tuple(all_versions[t] for t in tables)


def version_sql(tables: Sequence[Versioned]) -> str:
    """`version_of` as SQL (an array, in the same order), read in the statement's snapshot."""
    # Ordered by position, not by name: how names sort depends on the database's collation.
    names = ", ".join(f"'{t}'" for t in tables)
    return (
        f"(SELECT array_agg(version ORDER BY array_position(ARRAY[{names}], table_name::text)) "
        f"FROM {DataVersion.__tablename__} WHERE table_name IN ({names}))"
    )


async def changed_at(session: AsyncSession) -> dict[str, datetime]:
    """When each table last changed (a write of any kind, deletes included)."""
    rows = await session.execute(select(DataVersion.table_name, DataVersion.changed_at))
    return dict(rows.all())


# -- the startup check ----------------------------------------------------------------------


class UnversionedTables(RuntimeError):
    """The database lacks counters the caches rely on: it is not migrated to this code."""


COUNTER_TABLES = text(
    f"SELECT to_regclass('{DataVersion.__tablename__}') IS NOT NULL AS versions, "
    f"to_regclass('{SearchCatalogue.__tablename__}') IS NOT NULL AS catalogue"
)


async def check_versioned_tables(connection: AsyncConnection | AsyncSession) -> None:
    """Refuse a database where a registered table has no counter: raise UnversionedTables.

    A table without its `data_versions` row moves no version when written, so what is cached
    from it would be served stale for ever (and the open-data catalogue fails); the same goes
    for search without the `search_catalogue` row.
    """
    tables = (await connection.execute(COUNTER_TABLES)).one()
    if not (tables.versions and tables.catalogue):
        raise UnversionedTables(
            f"no {DataVersion.__tablename__} or {SearchCatalogue.__tablename__} table: "
            "the database is not migrated; run `foodtour migrate`"
        )
    present = set((await connection.execute(select(DataVersion.table_name))).scalars())
    lacking = []
    if missing := sorted(set(Versioned) - present):
        lacking.append(f"{DataVersion.__tablename__} rows for {', '.join(missing)}")
    if not await connection.scalar(select(func.count()).select_from(SearchCatalogue)):
        lacking.append(f"the {SearchCatalogue.__tablename__} row")
    if lacking:
        raise UnversionedTables(
            f"the database lacks {' and '.join(lacking)}: writes would move no version and "
            "caches would serve stale data; run `foodtour migrate`"
        )
