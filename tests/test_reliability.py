"""Trust first: acknowledged writes survive a crash, the API follows the database through a
restart, and the server keeps its connections and its log through an outage.

These tests run their own embedded cluster (a second data directory and port), since they kill
and restart it; the suite's shared cluster is never touched.
"""

import asyncio
import logging
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import jwt
import pytest
import uvicorn

from tests.conftest import PASSWORD, TEST_SECRET
from tests.helpers import make_eatery
from tests.test_outage import OPERA_HOUSE, TcpProxy
from tourism.accounts.schemas import UserCreate
from tourism.accounts.security import create_access_token
from tourism.accounts.service import assign_eateries, create_user
from tourism.config import SECRET_KEY_FILE, Settings
from tourism.embedded import EmbeddedPostgres, free_port, port_is_free
from tourism.main import create_app
from tourism.maintenance import migrate, seed
from tourism.server import uvicorn_options

RECOVERY_S = 5


def _own_cluster_settings(data_dir: str, **extra) -> Settings:
    return Settings(
        data_dir=data_dir,
        embedded_port=free_port(55400),
        environment="test",
        secret_key=TEST_SECRET,
        **extra,
    )


@pytest.fixture(scope="module")
def own_cluster() -> AsyncIterator[EmbeddedPostgres]:
    """A migrated, seeded embedded cluster of this module's own, in a directory of its own."""
    root = tempfile.mkdtemp(prefix="foodtour-reliability-")
    os.chmod(root, 0o755)  # the postgres user must reach it
    server = EmbeddedPostgres(_own_cluster_settings(root))
    url = server.up()
    migrate(url)
    asyncio.run(seed(server.settings, url))
    yield server
    server.down()
    shutil.rmtree(root, ignore_errors=True)


def _cluster_pids(server: EmbeddedPostgres) -> list[int]:
    postmaster = int((server.paths.pgdata / "postmaster.pid").read_text().split()[0])
    children = [
        int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == postmaster
    ]
    return [postmaster, *children]


def _ppid(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def crash(server: EmbeddedPostgres) -> None:
    """SIGKILL the postmaster and every backend at once: a power cut, as far as WAL goes."""
    for pid in _cluster_pids(server):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while server.is_running() and time.monotonic() < deadline:
        time.sleep(0.05)


async def _wait_for(client: httpx.AsyncClient, path: str, params=None) -> float:
    """Seconds until `path` answers 200 (at most RECOVERY_S + 5)."""
    start = time.monotonic()
    while time.monotonic() - start < RECOVERY_S + 5:
        if (await client.get(path, params=params)).status_code == 200:
            return time.monotonic() - start
        await asyncio.sleep(0.1)
    raise AssertionError(f"{path} did not recover")


async def _people(app) -> dict:
    """A vendor with an eatery, a tourist and a moderator, with tokens minted for them."""
    async with app.state.resources.sessions() as session:
        eatery = await make_eatery(
            session,
            slug=f"crash-test-{time.monotonic_ns()}",
            lat=20.70,
            lon=106.55,
            hours="Mo-Su 06:00-22:00",
            menu=[("banh-da-cua", 40000), ("nem-cua-be", 25000)],
        )
    made = {}
    async with app.state.resources.sessions() as session, session.begin():
        for role in ("vendor", "tourist", "moderator"):
            data = UserCreate(
                email=f"{role}-{time.monotonic_ns()}@example.vn",
                password=PASSWORD,
                display_name=role.title(),
            )
            user = await create_user(session, data=data, role=role)
            made[role] = user.id
        await assign_eateries(session, user_id=made["vendor"], eatery_ids=[eatery])
    settings = app.state.resources.settings
    now = datetime.now(UTC)
    headers = {
        role: {
            "Authorization": "Bearer "
            + create_access_token(user_id=uid, settings=settings, now=now)[0]
        }
        for role, uid in made.items()
    }
    return {"eatery": eatery, "headers": headers}


def _app_client(app) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_acknowledged_writes_survive_a_crash(own_cluster):
    app = create_app(own_cluster.settings, background=False)
    async with app.router.lifespan_context(app), _app_client(app) as client:
        who = await _people(app)
        eatery, h = who["eatery"], who["headers"]
        menu_path = f"/api/v1/vendor/eateries/{eatery}/menu"
        acknowledged_prices = []
        for i in range(25):
            price = 30000 + 1000 * i
            items = [{"dish": "banh-da-cua", "price_vnd": price}]
            r = await client.put(menu_path, headers=h["vendor"], json={"items": items})
            assert r.status_code == 200, r.text
            acknowledged_prices.append(price)
        review = await client.post(
            f"/api/v1/eateries/{eatery}/reviews",
            headers=h["tourist"],
            json={"rating": 5, "text": "Bánh đa cua ngon, nước dùng đậm."},
        )
        assert review.status_code == 201, review.text
        review_id = review.json()["id"]
        decision = await client.post(
            f"/api/v1/moderation/reviews/{review_id}/decision",
            headers=h["moderator"],
            json={"action": "approve"},
        )
        assert decision.status_code == 200, decision.text
        last = {"dish": "banh-da-cua", "price_vnd": 99000}
        final = await client.put(menu_path, headers=h["vendor"], json={"items": [last]})
        assert final.status_code == 200
        crash(own_cluster)  # within a millisecond of the last acknowledgement

    await asyncio.to_thread(own_cluster.up)
    dsn = own_cluster.url(own_cluster.settings.embedded_database, driver="postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        prices = await conn.fetch(
            "SELECT m.price_vnd FROM menu_items m JOIN dishes d ON d.id = m.dish_id "
            "WHERE m.eatery_id = $1",
            eatery,
        )
        assert [r["price_vnd"] for r in prices] == [99000]
        history = await conn.fetchval(
            "SELECT array_agg(price_vnd ORDER BY valid_from, id) FROM menu_price_history "
            "WHERE eatery_id = $1",
            eatery,
        )
        for price in [*acknowledged_prices[1:], 99000]:  # each change, in order
            assert price in history
        status = await conn.fetchval("SELECT status FROM reviews WHERE id = $1", review_id)
        assert status == "approved"
        audited = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE entity = 'eatery' AND entity_id = $1 "
            "AND action = 'menu.replace'",
            str(eatery),
        )
        assert audited == 26
    finally:
        await conn.close()


async def test_the_write_sessions_commit_synchronously(app):
    """Only the QR scans' own pool commits asynchronously (README, "Durability")."""
    async with app.state.resources.sessions() as session:
        assert (await session.execute(_show_sync())).scalar_one() == "on"
    async with app.state.resources.scans.pool.acquire() as conn:
        assert await conn.fetchval("SHOW synchronous_commit") == "off"


def _show_sync():
    from sqlalchemy import text

    return text("SHOW synchronous_commit")


async def test_the_embedded_cluster_commits_synchronously_by_default(own_cluster):
    dsn = own_cluster.url("postgres", driver="postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SHOW synchronous_commit") == "on"
    finally:
        await conn.close()


async def test_the_api_recovers_after_a_restart_without_being_restarted(own_cluster):
    app = create_app(own_cluster.settings, background=False)
    port = own_cluster.running_port()
    reads = ("/api/v1/dishes", "/api/v1/search")  # the engine, and a bare asyncpg pool
    async with app.router.lifespan_context(app), _app_client(app) as client:
        for path in reads:
            assert (await client.get(path, params={"q": "banh da cua"})).status_code == 200
        await asyncio.to_thread(own_cluster.down)
        assert (await client.get("/api/v1/dishes")).status_code == 503
        await asyncio.sleep(1)
        await asyncio.to_thread(own_cluster.up)  # down and up within 10 s
        assert own_cluster.running_port() == port  # its own port, TIME_WAIT or not
        for path in reads:
            assert await _wait_for(client, path, {"q": "banh da cua"}) < RECOVERY_S

        # killed, and its port taken meanwhile: it comes back elsewhere, and the API follows
        crash(own_cluster)
        with socket.socket() as squatter:
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            squatter.bind(("127.0.0.1", port))
            squatter.listen(1)
            await asyncio.to_thread(own_cluster.up)
        moved = own_cluster.running_port()
        assert moved != port
        for path in reads:
            assert await _wait_for(client, path, {"q": "banh da cua"}) < RECOVERY_S
    own_cluster.down()
    assert port_is_free(moved)
    await asyncio.to_thread(own_cluster.up)
    assert own_cluster.running_port() == moved  # and stays there from then on


def test_a_port_in_time_wait_is_free():
    """What moved the cluster: a probe without SO_REUSEADDR sees TIME_WAIT sockets as busy."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server side closes first: its socket waits in TIME_WAIT
        client.close()
    assert port_is_free(port)


# -- the secret key ---------------------------------------------------------------------------

OLD_DEVELOPMENT_SECRET = "development-only-secret-not-for-any-deployment"


async def test_no_installation_accepts_a_token_signed_with_a_known_key(own_cluster, tmp_path):
    data_dir = tmp_path / "data"
    settings = Settings(
        environment="development",
        secret_key=None,
        data_dir=data_dir,
        database_url=own_cluster.url(own_cluster.settings.embedded_database),
    )
    key_file = data_dir / SECRET_KEY_FILE
    assert settings.secret_key.get_secret_value() != OLD_DEVELOPMENT_SECRET
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = Settings(environment="development", secret_key=None, data_dir=data_dir)
    assert again.secret_key == settings.secret_key  # made once, kept
    other = Settings(environment="development", secret_key=None, data_dir=tmp_path / "other")
    assert other.secret_key != settings.secret_key  # each installation its own

    app = create_app(settings, background=False)
    async with app.router.lifespan_context(app), _app_client(app) as client:
        who = await _people(app)
        async with app.state.resources.sessions() as session, session.begin():
            data = UserCreate(
                email=f"admin-{time.monotonic_ns()}@example.vn",
                password=PASSWORD,
                display_name="Admin",
            )
            admin = await create_user(session, data=data, role="admin")
        now = datetime.now(UTC)
        claims = {"sub": str(admin.id), "iat": now, "exp": now.timestamp() + 600}
        forged = jwt.encode(claims, OLD_DEVELOPMENT_SECRET, algorithm="HS256")
        r = await client.get("/api/v1/admin/audit", headers={"Authorization": f"Bearer {forged}"})
        assert r.status_code == 401
        genuine = create_access_token(user_id=admin.id, settings=settings, now=now)[0]
        r = await client.get("/api/v1/admin/audit", headers={"Authorization": f"Bearer {genuine}"})
        assert r.status_code == 200
        assert who  # the vendor's token, minted with the same key, works too
        mine = await client.get("/api/v1/vendor/eateries", headers=who["headers"]["vendor"])
        assert mine.status_code == 200


def test_production_still_needs_its_key_set():
    with pytest.raises(ValueError, match="TOURISM_SECRET_KEY"):
        Settings(environment="production", secret_key=None)


# -- a real server: outages, bodies, heads ----------------------------------------------------


class Server:
    """The app under a real uvicorn (the project's protocol options) on a free loopback port."""

    def __init__(self, app) -> None:
        self.port = free_port(18200)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_config=None,  # records reach the root logger, where caplog sees them
            log_level="info",
            **uvicorn_options(app.state.max_header_bytes),
        )
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> "Server":
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.02)
        return self

    async def __aexit__(self, *_) -> None:
        self.server.should_exit = True
        await self.task


async def _exchange(reader, writer, request: bytes) -> tuple[int, dict, bytes]:
    """Send one request on an open connection and read one whole answer."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:-2])
    }
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


def _get(path: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: test\r\n{extra}\r\n".encode()


def _served_app(settings: Settings):
    app = create_app(settings, background=False)
    app.state.max_header_bytes = settings.max_header_bytes
    return app


async def test_an_outage_keeps_connections_and_logs_one_line(database_url, seeded, caplog):
    parts = urlsplit(database_url)
    proxy = TcpProxy(parts.hostname, parts.port)
    await proxy.start()
    proxied = database_url.replace(f":{parts.port}/", f":{proxy.port}/")
    app = _served_app(Settings(database_url=proxied, environment="test", secret_key=TEST_SECRET))
    nearby = "/api/v1/eateries/nearby?lat={lat}&lon={lon}".format(**OPERA_HOUSE)
    async with Server(app) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        status, _, _ = await _exchange(reader, writer, _get(nearby))
        assert status == 200
        await proxy.stop()
        caplog.clear()
        with caplog.at_level(logging.INFO):
            for path in [nearby, "/api/v1/search?q=bun", "/q/Zz9Zz9Zz", "/api/v1/dishes"] * 10:
                status, headers, body = await _exchange(reader, writer, _get(path))
                assert status == 503, (path, body)
                assert headers["retry-after"] == "5"
                assert b"service_unavailable" in body
        writer.close()
        await proxy.start()
    records = caplog.records
    assert not [r for r in records if r.exc_info], "an outage logs no traceback"
    warnings = [r for r in records if "database unavailable" in r.getMessage()]
    assert len(warnings) <= 1
    problems = [r for r in records if r.levelno >= logging.WARNING]
    assert sum(len(r.getMessage()) for r in problems) < 1000, "40 failed requests, a line or two"


async def test_bodies_and_heads_are_bounded(settings, seeded, people):
    small = settings.model_copy(update={"max_body_bytes": 4096, "max_header_bytes": 16 * 1024})
    app = _served_app(small)
    async with Server(app) as server:
        # announced too large: refused before the body is sent
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        request = (
            b"POST /api/v1/auth/register HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"
        )
        status, headers, body = await _exchange(reader, writer, request)
        assert status == 413
        assert b'"too_large"' in body
        writer.close()

        # sent in chunks with no length: refused once past the limit
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(
            b"POST /api/v1/auth/register HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * 1000
        for _ in range(8):
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        writer.write(b"0\r\n\r\n")
        status, _, body = await _exchange(reader, writer, b"")
        assert status == 413
        writer.close()

        # a head over the limit: 431, and the server goes on serving
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        status, _, _ = await _exchange(
            reader, writer, _get("/healthz", f"X-Big: {'a' * 100_000}\r\n")
        )
        assert status == 431
        writer.close()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            assert (await client.get("/healthz")).status_code == 200
            just_under = await client.post(
                "/api/v1/auth/register", json={"email": "a@example.vn", "padding": "x" * 3000}
            )
            assert just_under.status_code == 422  # read and validated, not refused for size


async def test_a_trailing_slash_redirect_never_names_another_host(client):
    r = await client.get("/api/v1/dishes/?limit=2", headers={"Host": "evil.example"})
    assert r.status_code == 307
    assert r.headers["location"] == "/api/v1/dishes?limit=2"
    r = await client.get("http://test//evil.example", headers={"Host": "evil.example"})
    assert r.status_code == 404
    assert "location" not in r.headers


async def test_api_answers_say_nosniff(client):
    for path in ("/api/v1/dishes", "/api/v1/no-such-thing", "/healthz"):
        r = await client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
