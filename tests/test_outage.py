"""A database that goes away gets 503 with Retry-After; the API recovers by itself."""

import asyncio
import contextlib
from urllib.parse import urlsplit

import httpx

from tests.conftest import TEST_SECRET
from tourism.config import Settings
from tourism.main import create_app

OPERA_HOUSE = {"lat": 20.8577, "lon": 106.6839}
BARE_POOL_READS = (("/api/v1/search", {"q": "banh da cua"}), ("/q/Zz9Zz9Zz", {}))


class TcpProxy:
    """A loopback TCP relay in front of the real PostGIS that we can cut and restore."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()

    async def _handle(self, reader, writer) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, up_writer}

        async def pipe(src, dst) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers -= {writer, up_writer}


async def test_database_outage_is_503_and_recovers(database_url, seeded):
    parts = urlsplit(database_url)
    proxy = TcpProxy(parts.hostname, parts.port)
    await proxy.start()
    proxied = database_url.replace(f":{parts.port}/", f":{proxy.port}/")
    app = create_app(
        Settings(database_url=proxied, environment="test", secret_key=TEST_SECRET), background=False
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        assert (await client.get("/api/v1/eateries/nearby", params=OPERA_HOUSE)).status_code == 200

        await proxy.stop()
        down = await client.get("/api/v1/eateries/nearby", params=OPERA_HOUSE)
        assert down.status_code == 503
        assert down.headers["retry-after"] == "5"
        assert down.json()["error"]["code"] == "service_unavailable"
        assert (await client.get("/readyz")).status_code == 503
        assert (await client.get("/healthz")).status_code == 200
        # the bare pools of the hot paths (search, QR scans) answer the same way
        for path, params in BARE_POOL_READS:
            down = await client.get(path, params=params)
            assert down.status_code == 503, path
            assert down.headers["retry-after"] == "5"

        await proxy.start()  # the same port again
        up = await client.get("/api/v1/eateries/nearby", params=OPERA_HOUSE)
        assert up.status_code == 200
        assert up.json()["items"]
        assert (await client.get("/readyz")).status_code == 200
        search, scan = [await client.get(path, params=params) for path, params in BARE_POOL_READS]
        assert search.status_code == 200 and search.json()["items"]
        assert scan.status_code == 404  # answered by the database again: no such code
    await proxy.stop()


async def test_a_query_past_the_statement_timeout_is_503(database_url, seeded):
    """A query PostgreSQL cancels (statement_timeout) is the server's trouble: 503, not 500."""
    from sqlalchemy import text

    from tourism.exceptions import install_handlers

    app = create_app(
        Settings(
            database_url=database_url,
            environment="test",
            secret_key=TEST_SECRET,
            statement_timeout_ms=100,
        ),
        background=False,
    )

    @app.get("/slow")
    async def slow() -> dict:
        async with app.state.resources.sessions() as session:
            await session.execute(text("SELECT pg_sleep(1)"))
        return {}

    @app.get("/slow-bare")
    async def slow_bare() -> dict:  # on a bare asyncpg pool, as search and QR scans are
        await app.state.resources.search_pool.fetch("SELECT pg_sleep(1)")
        return {}

    install_handlers(app)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        for path in ("/slow", "/slow-bare"):
            r = await client.get(path)
            assert r.status_code == 503, path
            assert r.headers["retry-after"] == "5"
            assert r.json()["error"]["code"] == "service_unavailable"
