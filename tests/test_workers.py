"""`foodtour run --workers 2`: what one worker is told, every worker shows at once.

Each worker keeps caches of its own (search's understood queries, suggestions, map tile layers;
tourism.resources). A menu price and a dish name change through one worker, then every read,
each on a new TCP connection, must show them whichever worker answers it. Which worker answered
is asked of the kernel: the server's end of the connection is a socket that one process holds.
"""

import asyncio
import http.client
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import mapbox_vector_tile

from geo.tiles import tile_of
from tests.conftest import PASSWORD, TEST_SECRET
from tests.helpers import make_eatery
from tests.servers import serving
from tourism.config import Settings
from tourism.database import create_engine, create_session_factory
from tourism.maintenance import migrate, seed

DISH = "banh-da-cua"
LAT, LON = 20.695, 106.555  # far from the seeded city: the eatery nearest to itself
Z = 14
CONNECTIONS = 24  # per read; both workers must have answered each read


def _sockets(port: int) -> dict[tuple[int, str], int]:
    """Loopback TCP sockets of `port`: (peer port or 0 when listening, state) -> inode."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
            if int(local.rsplit(":", 1)[1], 16) == port and inode:
                found[(int(remote.rsplit(":", 1)[1], 16), state)] = inode
    return found


def _holders(inode: int, pids: list[int] | None = None) -> list[int]:
    """The processes (among `pids`, else all) holding socket `inode`."""
    target = f"socket:[{inode}]"
    candidates = pids or [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()]
    holders = []
    for pid in candidates:
        try:
            if any(os.readlink(fd) == target for fd in Path(f"/proc/{pid}/fd").iterdir()):
                holders.append(pid)
        except OSError:  # gone, or not ours
            continue
    return holders


class Server:
    def __init__(self, base: str) -> None:
        self.port = urlsplit(base).port
        listening = _sockets(self.port)[(0, "0A")]
        # the supervisor and its workers share the listening socket
        self.processes = _holders(listening)

    def get(self, path: str, headers: dict | None = None) -> tuple[int, int, bytes]:
        """(worker pid, status, body) of `path` on a new connection."""
        return self.request("GET", path, headers=headers)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            # the connection is kept alive: the worker still holds its end
            inode = _sockets(self.port)[(conn.sock.getsockname()[1], "01")]  # established
            (worker,) = _holders(inode, self.processes)
            return worker, response.status, data
        finally:
            conn.close()


def _prepare(url: str, settings: Settings) -> dict:
    """Seed the city, add an eatery of a vendor's own far from it, and the vendor and an
    admin."""
    from tourism.accounts.schemas import UserCreate
    from tourism.accounts.service import assign_eateries, create_user

    async def run() -> dict:
        await seed(settings, url)
        engine = create_engine(settings, url=url)
        sessions = create_session_factory(engine)
        try:
            async with sessions() as session:
                eatery = await make_eatery(
                    session,
                    slug="workers-test-eatery",
                    lat=LAT,
                    lon=LON,
                    hours="Mo-Su 00:00-24:00",
                    menu=[(DISH, 40000), ("nem-cua-be", 45000)],
                )
            made = {"eatery": eatery}
            async with sessions() as session, session.begin():
                for role in ("vendor", "admin"):
                    email = f"workers-{role}-{secrets.token_hex(3)}@example.vn"
                    data = UserCreate(email=email, password=PASSWORD, display_name=role.title())
                    user = await create_user(session, data=data, role=role)
                    made[role] = {"id": user.id, "email": email}
                await assign_eateries(session, user_id=made["vendor"]["id"], eatery_ids=[eatery])
            return made
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _reads(eatery: int) -> dict[str, tuple[str, Callable[[bytes], tuple[int, str | None]]]]:
    """Per cache-backed read: its path and what it says of the eatery's price of DISH and of
    DISH's English name (None: not said there)."""
    x, y = tile_of(LON, LAT, Z)
    near = urlencode({"lat": LAT, "lon": LON})

    def search(body: bytes) -> tuple[int, str | None]:
        (hit,) = [h for h in json.loads(body)["items"] if h["eatery"]["id"] == eatery]
        (dish,) = [d for d in hit["dishes"] if d["slug"] == DISH]
        return dish["price_vnd"], dish["name_en"]

    def suggest(body: bytes) -> tuple[int, str | None]:
        (dish,) = [i for i in json.loads(body)["items"] if i["slug"] == DISH]
        return 0, dish["name_en"]

    def tile(body: bytes) -> tuple[int, str | None]:
        features = mapbox_vector_tile.decode(body)["eateries"]["features"]
        (feature,) = [f for f in features if f["id"] == eatery]
        return feature["properties"]["min_price_vnd"], None

    def dish(body: bytes) -> tuple[int, str | None]:
        data = json.loads(body)
        (item,) = [e for e in data["eateries"] if e["id"] == eatery]
        return item["price_vnd"], data["name_en"]

    def nearby(body: bytes) -> tuple[int, str | None]:
        (item,) = [e for e in json.loads(body)["items"] if e["id"] == eatery]
        return item["dish"]["price_vnd"], item["dish"]["name_en"]

    return {
        "search": (f"/api/v1/search?q=banh+da+cua&{near}&limit=5", search),
        "suggest": ("/api/v1/search/suggest?q=banh+da&limit=8", suggest),
        "tile": (f"/api/v1/tiles/{Z}/{x}/{y}.mvt", tile),
        "dish": (f"/api/v1/dishes/{DISH}?limit=100", dish),
        "nearby": (f"/api/v1/eateries/nearby?{near}&limit=3&dish={DISH}", nearby),
    }


def _read_everywhere(server: Server, path: str) -> list[tuple[int, bytes]]:
    """(worker, body) of `path` on CONNECTIONS new connections, every one answered 200."""
    answers = []
    for _ in range(CONNECTIONS):
        worker, status, body = server.get(path)
        assert status == 200, (path, status, body[:300])
        answers.append((worker, body))
    return answers


def test_a_change_through_one_worker_shows_through_every_worker(fresh_database, tmp_path):
    url = fresh_database("foodtour_workers")
    migrate(url)
    settings = Settings(database_url=url, environment="test", secret_key=TEST_SECRET)
    made = _prepare(url, settings)
    env = {
        "TOURISM_DATABASE_URL": url,
        "TOURISM_ENVIRONMENT": "test",
        "TOURISM_SECRET_KEY": TEST_SECRET,
    }
    command = [sys.executable, "-m", "tourism.cli", "run", "--workers", "2"]
    reads = _reads(made["eatery"])
    # logs: a worker outliving a killed supervisor must not hold a pipe serving() reads
    with serving(env, command, logs=tmp_path) as base:
        server = Server(base)
        # Warm every cache of every worker, and see what they say before the change.
        gbfs = _read_everywhere(server, "/gbfs/v3/station_status.json")
        assert len({worker for worker, _ in gbfs}) == 2, "one worker answered every connection"
        for name, (path, said) in reads.items():
            answers = _read_everywhere(server, path)
            assert len({worker for worker, _ in answers}) == 2, name
            for _, body in answers:
                price, name_en = said(body)
                assert price in (0, 40000), name
                assert name_en in (None, "Crab noodle soup with red rice noodles"), name

        tokens = {}
        for role in ("vendor", "admin"):
            form = urlencode({"username": made[role]["email"], "password": PASSWORD}).encode()
            _, status, body = server.request(
                "POST",
                "/api/v1/auth/token",
                body=form,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert status == 200, body
            tokens[role] = {
                "Authorization": f"Bearer {json.loads(body)['access_token']}",
                "Content-Type": "application/json",
            }
        new_name = f"Crab noodle soup, renamed {secrets.token_hex(3)}"
        changes = (
            (
                "vendor",
                "PATCH",
                f"/api/v1/vendor/eateries/{made['eatery']}/menu/{DISH}",
                {"price_vnd": 12000},
            ),
            ("admin", "PATCH", f"/api/v1/admin/dishes/{DISH}", {"name_en": new_name}),
        )
        for role, method, path, change in changes:
            _, status, body = server.request(
                method, path, body=json.dumps(change).encode(), headers=tokens[role]
            )
            assert status == 200, body

        # Every read, through both workers, shows both changes.
        for name, (path, said) in reads.items():
            answers = _read_everywhere(server, path)
            assert len({worker for worker, _ in answers}) == 2, name
            for worker, body in answers:
                price, name_en = said(body)
                assert price in (0, 12000), f"{name} through worker {worker}: price {price}"
                assert name_en in (None, new_name), f"{name} through worker {worker}: {name_en}"
