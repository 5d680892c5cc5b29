"""The registry of versioned tables against the migrations and a live database."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from tourism import changes
from tourism.changes import (
    CATALOGUE_TABLES,
    DataVersion,
    UnversionedTables,
    Versioned,
    check_versioned_tables,
)
from tourism.maintenance import migrate
from tourism.opendata.service import DATASETS
from tourism.search.models import SearchCatalogue
from tourism.tiles.service import EATERY_TABLES, STATION_TABLES

# The tables each trigger function is attached to, after every migration.
TRIGGERED = text("""
SELECT c.relname FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
 WHERE NOT t.tgisinternal AND t.tgfoid = to_regproc(:function)
""")


@pytest.fixture(scope="module")
def migrated_url(fresh_database) -> str:
    url = fresh_database("foodtour_versions")
    migrate(url)
    return url


@pytest.fixture
async def connection(migrated_url: str) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction that is rolled back: what a test deletes comes back."""
    engine = create_async_engine(migrated_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.begin()
            yield conn
            await conn.rollback()
    finally:
        await engine.dispose()


async def _triggered(conn: AsyncConnection, function: str) -> set[str]:
    return set((await conn.execute(TRIGGERED, {"function": function})).scalars())


async def test_the_registry_is_what_the_migrations_version(connection):
    rows = set((await connection.execute(text("SELECT table_name FROM data_versions"))).scalars())
    assert rows == set(Versioned)
    assert await _triggered(connection, "foodtour_bump_data_version") == set(Versioned)
    assert await _triggered(connection, "foodtour_search_catalogue_changed") == CATALOGUE_TABLES


def test_caches_and_open_data_follow_registered_tables():
    for tables in (EATERY_TABLES, STATION_TABLES, *(d.tables for d in DATASETS)):
        assert tables and all(type(t) is Versioned for t in tables), tables


async def test_a_migrated_database_passes_the_check(connection):
    await check_versioned_tables(connection)
    await check_versioned_tables(AsyncSession(bind=connection))


@pytest.mark.parametrize("table", list(Versioned))
async def test_a_table_without_its_row_is_named(connection, table):
    await connection.execute(delete(DataVersion).where(DataVersion.table_name == table))
    with pytest.raises(UnversionedTables) as raised:
        await check_versioned_tables(connection)
    message = str(raised.value)
    assert f"data_versions rows for {table}:" in message
    assert "run `foodtour migrate`" in message


async def test_search_without_its_catalogue_row_is_refused(connection):
    await connection.execute(delete(DataVersion).where(DataVersion.table_name == Versioned.DISHES))
    await connection.execute(delete(SearchCatalogue))
    with pytest.raises(UnversionedTables, match="rows for dishes and the search_catalogue row"):
        await check_versioned_tables(connection)


async def test_an_unmigrated_database_is_refused(fresh_database):
    url = await asyncio.to_thread(fresh_database, "foodtour_unmigrated")
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            with pytest.raises(UnversionedTables, match="not migrated; run `foodtour migrate`"):
                await check_versioned_tables(conn)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("tables", [EATERY_TABLES, STATION_TABLES])
async def test_sql_versions_come_in_the_tables_order(connection, tables):
    """Whatever the collation: a layer's versions are compared with `version_of`'s, in order."""
    for n, table in enumerate(Versioned):
        await connection.execute(
            update(DataVersion).where(DataVersion.table_name == table).values(version=100 + n)
        )
    current = dict((await connection.execute(changes.VERSIONS)).all())
    for order in (tables, tables[::-1]):
        (read,) = (await connection.execute(text(f"SELECT {changes.version_sql(order)}"))).one()
        assert tuple(read) == changes.version_of(current, order)
        assert len(set(read)) == len(order)
