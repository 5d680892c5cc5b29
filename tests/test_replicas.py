"""Read replicas for real: a streaming replica of an embedded cluster (`pg_basebackup -R`),
reads through the API from it, writers reading their writes, and a replica that goes away."""

import asyncio
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import PASSWORD, TEST_SECRET
from tests.helpers import make_eatery
from tourism.accounts.schemas import UserCreate
from tourism.accounts.security import create_access_token
from tourism.accounts.service import assign_eateries, create_user
from tourism.config import Settings, running_as_root
from tourism.embedded import EmbeddedPostgres, find_bindir, free_port
from tourism.main import create_app
from tourism.maintenance import migrate, seed
from tourism.replicas import COOKIE

CATCH_UP_S = 30


def _as_server_user(*cmd: str | Path) -> list[str]:
    args = [str(c) for c in cmd]
    return ["runuser", "-u", "postgres", "--", *args] if running_as_root() else args


@dataclass
class Replica:
    root: Path
    port: int
    url: str  # plain libpq form

    @property
    def pgdata(self) -> Path:
        return self.root / "pgdata"

    def stop(self) -> None:
        subprocess.run(
            _as_server_user(
                find_bindir() / "pg_ctl", "stop", "-m", "fast", "-w", "-D", self.pgdata
            ),
            capture_output=True,
            check=False,
        )


@pytest.fixture(scope="module")
def primary() -> Iterator[EmbeddedPostgres]:
    """A migrated, seeded embedded cluster of this module's own (`foodtour db up`'s code)."""
    root = tempfile.mkdtemp(prefix="foodtour-primary-")
    os.chmod(root, 0o755)  # the postgres user must reach it
    server = EmbeddedPostgres(
        Settings(
            data_dir=root,
            embedded_port=free_port(55600),
            environment="test",
            secret_key=TEST_SECRET,
        )
    )
    try:
        url = server.up()
        migrate(url)
        asyncio.run(seed(server.settings, url))
        yield server
    finally:
        server.down()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def replica(primary: EmbeddedPostgres) -> Iterator[Replica]:
    """A hot standby of `primary` streaming from it, on a port of its own; stopped and removed
    at the end, also when a test fails."""
    bindir = find_bindir()
    root = Path(tempfile.mkdtemp(prefix="foodtour-replica-"))
    os.chmod(root, 0o755)
    pgdata, passfile = root / "pgdata", root / "pgpass"
    primary_port = primary.running_port()
    passfile.write_text(f"127.0.0.1:{primary_port}:*:postgres:{primary.password()}\n")
    passfile.chmod(0o600)
    if running_as_root():
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(passfile, "postgres", "postgres")
    port = free_port(primary_port + 1)
    made = Replica(
        root,
        port,
        primary.url("foodtour", driver="postgresql").replace(f":{primary_port}/", f":{port}/"),
    )
    try:
        # -R: standby.signal and primary_conninfo (which names the password file) are written.
        # A fast checkpoint: the default spreads it over minutes of checkpoint_timeout.
        subprocess.run(
            _as_server_user(
                "env", f"PGPASSFILE={passfile}",
                bindir / "pg_basebackup", "-R", "-X", "stream", "--checkpoint=fast", "-D", pgdata,
                "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
            ),
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        subprocess.run(
            _as_server_user(
                bindir / "pg_ctl", "start", "-w", "-t", "60", "-D", pgdata,
                "-l", root / "postgres.log", "-o", f"-p {port} -k {root}",
            ),
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        yield made
    finally:
        made.stop()
        shutil.rmtree(root, ignore_errors=True)


async def _fetchval(dsn: str, sql: str):
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def caught_up(primary: EmbeddedPostgres, replica: Replica) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    target = await _fetchval(
        primary.url("foodtour", driver="postgresql"), "SELECT pg_current_wal_lsn()::text"
    )
    deadline = time.monotonic() + CATCH_UP_S
    while time.monotonic() < deadline:
        if await _fetchval(replica.url, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the replica did not replay up to {target}")


@pytest.fixture(scope="module")
async def app(primary: EmbeddedPostgres, replica: Replica) -> AsyncIterator:
    settings = Settings(
        database_url=primary.url("foodtour"),
        database_read_urls=replica.url,
        environment="test",
        secret_key=TEST_SECRET,
        read_your_writes_s=60,  # a window no slow machine outlives mid-test
    )
    application = create_app(settings, background=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="module")
async def vendor(app) -> dict:
    """A vendor and the eatery they manage, with a token."""
    async with app.state.resources.sessions() as session:
        eatery = await make_eatery(
            session,
            slug="replica-test-eatery",
            lat=20.70,
            lon=106.55,
            hours="Mo-Su 00:00-24:00",
            menu=[("banh-da-cua", 40000), ("nem-cua-be", 25000)],
        )
    async with app.state.resources.sessions() as session, session.begin():
        user = await create_user(
            session,
            data=UserCreate(
                email=f"vendor-{secrets.token_hex(3)}@example.vn",
                password=PASSWORD,
                display_name="Vendor",
            ),
            role="vendor",
        )
        await assign_eateries(session, user_id=user.id, eatery_ids=[eatery])
    token = create_access_token(user_id=user.id, settings=app.state.resources.settings,
                                now=datetime.now(UTC))[0]  # fmt: skip
    return {"eatery": eatery, "headers": {"Authorization": f"Bearer {token}"}}


def _client(app) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def _price(detail: dict, dish: str) -> int:
    return next(item["price_vnd"] for item in detail["menu"] if item["dish_slug"] == dish)


async def _reads(http: httpx.AsyncClient, eatery: int, word: str) -> dict:
    """What a visitor sees of the test eatery on each replica-routed path."""
    detail = await http.get(f"/api/v1/eateries/{eatery}")
    search = await http.get("/api/v1/search", params={"q": word})
    suggest = await http.get("/api/v1/search/suggest", params={"q": word})
    csv = await http.get("/api/v1/open-data/eateries.csv")
    for answer in (detail, search, suggest, csv):
        assert answer.status_code == 200, (answer.request.url, answer.text)
    return {
        "price": _price(detail.json(), "banh-da-cua"),
        "name": detail.json()["name"],
        "found": any(item["eatery"]["id"] == eatery for item in search.json()["items"]),
        "suggested": word.lower() in suggest.text.lower(),
        "in_csv": word in csv.text,
    }


async def test_reads_come_from_the_replica_writers_read_their_writes_and_a_dead_replica_is_skipped(
    app, primary: EmbeddedPostgres, replica: Replica, vendor: dict
):
    eatery = vendor["eatery"]
    replica_admin = replica.url.rsplit("/", 1)[0] + "/postgres"
    await caught_up(primary, replica)
    async with _client(app) as visitor, _client(app) as writer:
        before = await _reads(visitor, eatery, "Quán")
        assert before["price"] == 40000

        # Replay paused: what the primary commits now is not on the replica.
        await _fetchval(replica_admin, "SELECT pg_wal_replay_pause()")
        word = f"Replicaword{secrets.token_hex(3)}"
        conn = await asyncpg.connect(primary.url("foodtour", driver="postgresql"))
        try:
            await conn.execute("UPDATE eateries SET name_vi = $1 WHERE id = $2", word, eatery)
        finally:
            await conn.close()
        stale = await _reads(visitor, eatery, word)
        assert stale["name"] != word
        assert not stale["found"] and not stale["suggested"] and not stale["in_csv"], stale

        # The vendor changes a price through the API: the answer sets the cookie, and the vendor
        # then reads on the primary (the new price and the new name) while a visitor still
        # reads the paused replica.
        change = await writer.patch(
            f"/api/v1/vendor/eateries/{eatery}/menu/banh-da-cua",
            headers=vendor["headers"],
            json={"price_vnd": 45000},
        )
        assert change.status_code == 200, change.text
        assert COOKIE in change.cookies
        own = await _reads(writer, eatery, word)
        assert own == {
            "price": 45000,
            "name": word,
            "found": True,
            "suggested": True,
            "in_csv": True,
        }, own
        assert (await _reads(visitor, eatery, word))["price"] == 40000

        # A cookie further ahead than the window, or lapsed, reads on the replica again.
        for until in (int(time.time()) + 3600, int(time.time()) - 1):
            async with _client(app) as forged:
                forged.cookies.set(COOKIE, str(until))
                assert (await _reads(forged, eatery, word))["price"] == 40000

        # Replay resumed: the replica catches up and visitors see the change there.
        await _fetchval(replica_admin, "SELECT pg_wal_replay_resume()")
        await caught_up(primary, replica)
        caught = await _reads(visitor, eatery, word)
        assert caught["price"] == 45000 and caught["found"] and caught["in_csv"]

        # The replica goes away mid-test: reads still answer, from the primary, and the
        # replica is marked down rather than tried on every request.
        replica.stop()
        down = await _reads(visitor, eatery, word)
        assert down["price"] == 45000 and down["found"] and down["in_csv"]
        (side,) = app.state.resources.replicas.replicas
        assert side.down_until > time.monotonic()
        for path in (
            f"/api/v1/eateries/{eatery}",
            "/api/v1/eateries/nearby?lat=20.70&lon=106.55&radius=500",
            "/api/v1/eateries?bbox=106.54,20.69,106.56,20.71",
            "/api/v1/stations/nearby?lat=20.70&lon=106.55",
            "/api/v1/tiles/14/13041/7228.mvt",
            "/gbfs/v3/gbfs.json",
            "/api/v1/open-data",
        ):
            assert (await visitor.get(path)).status_code == 200, path


async def test_without_read_urls_nothing_changes(primary: EmbeddedPostgres, vendor: dict):
    """No TOURISM_DATABASE_READ_URLS: no replicas object, no cookie after a write."""
    settings = Settings(
        database_url=primary.url("foodtour"), environment="test", secret_key=TEST_SECRET
    )
    application = create_app(settings, background=False)
    async with application.router.lifespan_context(application), _client(application) as http:
        assert application.state.resources.replicas is None
        change = await http.patch(
            f"/api/v1/vendor/eateries/{vendor['eatery']}/menu/nem-cua-be",
            headers=vendor["headers"],
            json={"price_vnd": 26000},
        )
        assert change.status_code == 200, change.text
        assert COOKIE not in change.cookies


def test_read_urls_take_the_database_password(monkeypatch, tmp_path):
    """Comma-separated, from a _FILE too; a URL without a password takes the primary's."""
    urls = tmp_path / "read-urls"
    urls.write_text(
        "postgres://app@replica-1:5432/foodtour,postgresql://app:own@replica-2/foodtour\n"
    )
    monkeypatch.setenv("TOURISM_DATABASE_READ_URLS_FILE", str(urls))
    monkeypatch.setenv("TOURISM_DATABASE_PASSWORD", "s3cret")
    settings = Settings(
        database_url="postgres://app@primary/foodtour", environment="test", secret_key=TEST_SECRET
    )
    assert settings.database_read_urls == (
        "postgresql+asyncpg://app:s3cret@replica-1:5432/foodtour",
        "postgresql+asyncpg://app:own@replica-2/foodtour",
    )
