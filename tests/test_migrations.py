import asyncio

import asyncpg
import pytest

from tourism.maintenance import migrate

TABLES = {
    "eateries",
    "dishes",
    "menu_items",
    "bike_stations",
    "bike_station_status",
    "eatery_open_intervals",
    "open_hours_window",
    "dish_names",
    "search_catalogue",
}


def _tables(url: str) -> set[str]:
    async def fetch() -> set[str]:
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return {r["tablename"] for r in rows}
        finally:
            await conn.close()

    return asyncio.run(fetch())


def test_upgrade_downgrade_upgrade(fresh_database):
    url = fresh_database("foodtour_migrations")
    migrate(url)
    assert TABLES <= _tables(url)
    migrate(url, "base", down=True)
    assert not TABLES & _tables(url)
    migrate(url)
    assert TABLES <= _tables(url)


def test_spatial_indexes_exist(database_url):
    async def fetch() -> set[str]:
        conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        try:
            rows = await conn.fetch("SELECT indexname, indexdef FROM pg_indexes")
            return {r["indexname"] for r in rows if "gist" in r["indexdef"]}
        finally:
            await conn.close()

    gist = asyncio.run(fetch())
    assert {"idx_eateries_location", "ix_eateries_location_geog"} <= gist
    assert {"idx_bike_stations_location", "ix_bike_stations_location_geog"} <= gist


def test_embedded_url_follows_the_running_cluster(admin_dsn):
    """A cluster started on another port is found where it runs, not where settings say."""
    from tourism.config import Settings
    from tourism.embedded import EmbeddedPostgres

    settings = Settings()
    if settings.database_url:
        pytest.skip("a managed database: nothing embedded to find")
    server = EmbeddedPostgres(settings.model_copy(update={"embedded_port": 1}))
    port = server.running_port()
    assert port and port != 1
    assert f"127.0.0.1:{port}/" in server.url("postgres")


def test_free_port_skips_a_taken_one():
    import socket

    from tourism.embedded import free_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert free_port(port) != port
        assert free_port(port) > port
