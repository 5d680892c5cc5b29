"""GBFS import and publishing at city scale: a synthetic 3.0 feed, imported and republished.

.venv/bin/python -m bench.gbfs [--stations 10000] [--requests 20]

Builds a throwaway database `foodtour_bench_gbfs` next to the configured one, writes an
operator feed of N stations to a temporary directory, and times: the first import, the same
feed again (nothing changes), a feed where every status is newer, and GETs of the published
station_information and station_status files through the app (in process, no HTTP server).
"""

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.synthetic import CENTRE
from tourism.bikeshare.commands import refresh
from tourism.config import Settings
from tourism.embedded import EmbeddedPostgres, create_database, drop_database
from tourism.main import create_app
from tourism.maintenance import migrate

NAME = "foodtour_bench_gbfs"


def write_feed(directory: Path, stations: int, reported: datetime, seed: int) -> None:
    rng = random.Random(seed)
    stamp = reported.isoformat()

    def file(name: str, data: dict) -> None:
        body = {"last_updated": stamp, "ttl": 60, "version": "3.0", "data": data}
        (directory / f"{name}.json").write_text(json.dumps(body), encoding="utf-8")

    feeds = ("system_information", "station_information", "station_status")
    file("gbfs", {"feeds": [{"name": n, "url": f"https://x.example/{n}.json"} for n in feeds]})
    info, status = [], []
    for i in range(stations):
        sid = f"s{i:05d}"
        capacity = rng.randint(8, 30)
        bikes = rng.randint(0, capacity)
        info.append(
            {
                "station_id": sid,
                "name": [
                    {"text": f"Trạm {i}", "language": "vi"},
                    {"text": f"Station {i}", "language": "en"},
                ],
                "lat": CENTRE[1] + rng.uniform(-0.2, 0.2),
                "lon": CENTRE[0] + rng.uniform(-0.2, 0.2),
                "capacity": capacity,
            }
        )
        status.append(
            {
                "station_id": sid,
                "num_vehicles_available": bikes,
                "num_docks_available": capacity - bikes,
                "is_installed": True,
                "is_renting": True,
                "is_returning": True,
                "last_reported": stamp,
            }
        )
    file("station_information", {"stations": info})
    file("station_status", {"stations": status})


async def run(stations: int, requests: int) -> None:
    settings = Settings()
    server = None if settings.database_url else EmbeddedPostgres(settings)
    if server:
        await asyncio.to_thread(server.up)
    base = settings.database_url or server.url("postgres")
    admin = base.replace("postgresql+asyncpg://", "postgresql://", 1).rsplit("/", 1)[0]
    await drop_database(admin + "/postgres", NAME)
    await create_database(admin + "/postgres", NAME)
    url = admin.replace("postgresql://", "postgresql+asyncpg://") + "/" + NAME
    await asyncio.to_thread(migrate, url)
    app = create_app(settings.model_copy(update={"database_url": url}), background=False)
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        async with app.router.lifespan_context(app):
            with tempfile.TemporaryDirectory() as tmp:
                first, later = Path(tmp, "first"), Path(tmp, "later")
                first.mkdir(), later.mkdir()
                write_feed(first, stations, now - timedelta(minutes=1), seed=1)
                write_feed(later, stations, now, seed=2)
                size = sum(p.stat().st_size for p in first.iterdir()) / 1e6
                print(f"feed: {stations} stations, {size:.1f} MB")
                for label, source in (
                    ("first import", first),
                    ("same feed again", first),
                    ("every status newer", later),
                ):
                    started = time.perf_counter()
                    report = await refresh(app.state.resources.sessions, str(source))
                    print(f"{label:20} {time.perf_counter() - started:6.2f} s  {report.summary()}")
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for name in ("station_information", "station_status"):
                    timings, size = [], 0
                    for _ in range(requests):
                        started = time.perf_counter()
                        r = await client.get(f"/gbfs/v3/{name}.json")
                        timings.append((time.perf_counter() - started) * 1000)
                        size = len(r.content)
                    tag = r.headers["etag"]
                    started = time.perf_counter()
                    cached = await client.get(
                        f"/gbfs/v3/{name}.json", headers={"If-None-Match": tag}
                    )
                    revalidate = (time.perf_counter() - started) * 1000
                    median = statistics.median(timings)
                    print(
                        f"GET {name}.json: {size / 1e6:.2f} MB, median {median:.0f} ms, "
                        f"max {max(timings):.0f} ms over {requests}; If-None-Match -> "
                        f"{cached.status_code} in {revalidate:.0f} ms"
                    )
    finally:
        await drop_database(admin + "/postgres", NAME)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.stations, args.requests))


if __name__ == "__main__":
    main()
