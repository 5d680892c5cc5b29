"""Nearby-eateries load test: 200,000 synthetic eateries, one uvicorn worker, wrk as client.

    .venv/bin/python -m bench.nearby [--eateries 200000] [--duration 15]

Builds (once) a `foodtour_bench` database next to the configured one, serves it on a spare
port, and reports req/s and latency percentiles for one client and for many.
"""

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.synthetic import CENTRE, build
from tourism.cli import migrate
from tourism.config import PROJECT_ROOT, Settings
from tourism.database import create_engine, create_session_factory
from tourism.embedded import EmbeddedPostgres, create_database

RESULTS = PROJECT_ROOT / "bench" / "results"
PORT = 8765


def bench_url(settings: Settings, name: str = "foodtour_bench") -> tuple[str, str]:
    """(admin DSN, async URL) of the benchmark database on the configured server."""
    base = settings.database_url or EmbeddedPostgres(settings).url("postgres")
    base = base.replace("postgresql+asyncpg://", "postgresql://", 1).rsplit("/", 1)[0]
    return base + "/postgres", base.replace("postgresql://", "postgresql+asyncpg://") + "/" + name


async def prepare(settings: Settings, admin: str, url: str, eateries: int) -> int:
    await create_database(admin, url.rsplit("/", 1)[1])
    await asyncio.to_thread(migrate, url)
    engine = create_engine(settings, url=url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            count = await build(session, eateries=eateries)
        async with engine.connect() as conn:
            await conn.exec_driver_sql("COMMIT")
            await conn.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()
    return count


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        if os.geteuid() != 0:
            sys.exit("wrk is needed: sudo apt-get install -y wrk")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk") or sys.exit("wrk not found")


def lua_script(path_template: str, points: int = 2000) -> str:
    """A wrk script that asks about random places in the city, not the same one each time."""
    rng = random.Random(7)
    coords = [
        (CENTRE[1] + rng.uniform(-0.05, 0.05), CENTRE[0] + rng.uniform(-0.06, 0.06))
        for _ in range(points)
    ]
    table = ",".join(f"{{{lat:.5f},{lon:.5f}}}" for lat, lon in coords)
    return f"""
local points = {{{table}}}
math.randomseed(42)
request = function()
  local p = points[math.random(#points)]
  local path = string.format("{path_template}", p[1], p[2])
  return wrk.format("GET", path)
end
"""


def run_wrk(wrk: str, script: Path, *, connections: int, duration: int) -> dict:
    out = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{PORT}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "connections": connections,
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": ms("50"),
        "p90_ms": ms("90"),
        "p99_ms": ms("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def serve(url: str) -> subprocess.Popen:
    env = {**os.environ, "TOURISM_DATABASE_URL": url, "TOURISM_ENVIRONMENT": "production"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tourism.cli", "run", "--port", str(PORT)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("the server did not become ready")


SCENARIOS = {
    "nearby": "/api/v1/eateries/nearby?lat=%.5f&lon=%.5f&limit=20",
    "nearby_open_now": "/api/v1/eateries/nearby?lat=%.5f&lon=%.5f&limit=20&open_now=true",
    "nearby_dish": "/api/v1/eateries/nearby?lat=%.5f&lon=%.5f&limit=20&dish=banh-da-cua",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eateries", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()

    settings = Settings()
    if not settings.database_url:
        EmbeddedPostgres(settings).up()
    admin, url = bench_url(settings)
    started = time.perf_counter()
    total = asyncio.run(prepare(settings, admin, url, args.eateries))
    print(f"{total} eateries ready in {time.perf_counter() - started:.1f} s")
    wrk = ensure_wrk()
    server = serve(url)
    results: dict = {"eateries": total, "workers": 1, "cores": os.cpu_count(), "scenarios": {}}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, template in SCENARIOS.items():
                script = Path(tmp) / f"{name}.lua"
                script.write_text(lua_script(template))
                run_wrk(wrk, script, connections=4, duration=3)  # warm up
                single = run_wrk(wrk, script, connections=1, duration=args.duration)
                many = run_wrk(wrk, script, connections=args.connections, duration=args.duration)
                results["scenarios"][name] = {"one_client": single, "many_clients": many}
                print(
                    f"{name:18} 1 client: {single['requests_per_s']:7.0f} req/s "
                    f"p50 {single['p50_ms']:.2f} ms p99 {single['p99_ms']:.2f} ms | "
                    f"{many['connections']} clients: {many['requests_per_s']:7.0f} req/s "
                    f"p50 {many['p50_ms']:.2f} ms p99 {many['p99_ms']:.2f} ms "
                    f"(non-2xx {single['non_2xx'] + many['non_2xx']})"
                )
    finally:
        server.terminate()
        server.wait()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"nearby-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"results in {out}")


if __name__ == "__main__":
    main()
