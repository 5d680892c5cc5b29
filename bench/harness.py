"""What every benchmark shares: a synthetic database, uvicorn workers (one unless asked), wrk as
the client."""

import asyncio
import json
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.synthetic import CENTRE, build
from tourism.config import PROJECT_ROOT, Settings
from tourism.database import create_engine, run_in_transaction
from tourism.embedded import EmbeddedPostgres, create_database
from tourism.maintenance import migrate

RESULTS = PROJECT_ROOT / "bench" / "results"
# BENCH_PORT: another port, when two benchmarks run at once on one machine.
PORT = int(os.environ.get("BENCH_PORT", "8765"))


@dataclass(frozen=True)
class Scenario:
    """Requests for wrk: one of `paths` at random, with a random inner-city position if located."""

    paths: tuple[str, ...]
    located: bool = True
    # > 0: ask about a box this many degrees either side of the point (`&bbox=`), not the point
    box: float = 0


def bench_database(name: str, *, eateries: int, menu_items: int) -> str:
    """Build (once) database `name` next to the configured one; returns its URL."""
    settings = Settings()
    if not settings.database_url:
        EmbeddedPostgres(settings).up()
    base = settings.database_url or EmbeddedPostgres(settings).url("postgres")
    base = base.replace("postgresql+asyncpg://", "postgresql://", 1).rsplit("/", 1)[0]
    url = base.replace("postgresql://", "postgresql+asyncpg://") + "/" + name
    started = time.perf_counter()
    counts = asyncio.run(_prepare(settings, base + "/postgres", url, eateries, menu_items))
    print(f"{counts} ready in {time.perf_counter() - started:.1f} s")
    return url


async def _prepare(settings: Settings, admin: str, url: str, eateries: int, menu_items: int):
    await create_database(admin, url.rsplit("/", 1)[1])
    await asyncio.to_thread(migrate, url)
    counts = await run_in_transaction(
        lambda session: build(session, eateries=eateries, menu_items=menu_items), settings, url=url
    )
    engine = create_engine(settings, url=url)
    try:
        # Settle the freshly loaded tables now, not while the load runs (autovacuum).
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("SET statement_timeout = 0")
            await conn.exec_driver_sql("VACUUM ANALYZE")
    finally:
        await engine.dispose()
    return counts


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        if os.geteuid() != 0:
            sys.exit("wrk is needed: sudo apt-get install -y wrk")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk") or sys.exit("wrk not found")


def lua_script(scenario: Scenario, points: int = 2000) -> str:
    """A wrk script asking random questions about random places, and printing p95."""
    rng = random.Random(7)
    coords = ",".join(
        f"{{{CENTRE[1] + rng.uniform(-0.05, 0.05):.5f},{CENTRE[0] + rng.uniform(-0.06, 0.06):.5f}}}"
        for _ in range(points)
    )
    paths = ",".join(json.dumps(p) for p in scenario.paths)  # a JSON string is a Lua string
    position = 'path = path .. "&lat=" .. p[1] .. "&lon=" .. p[2]' if scenario.located else ""
    if scenario.box:
        d = scenario.box
        position = (
            f'path = path .. "&bbox=" .. (p[2] - {d}) .. "," .. (p[1] - {d}) .. "," '
            f'.. (p[2] + {d}) .. "," .. (p[1] + {d})'
        )
    return f"""
local points = {{{coords}}}
local paths = {{{paths}}}
math.randomseed(42)
request = function()
  local p = points[math.random(#points)]
  local path = paths[math.random(#paths)]
  {position}
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\\n", latency:percentile(95)))
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
        "p95_ms": int(re.search(r"P95_US (\d+)", out).group(1)) / 1000,
        "p99_ms": ms("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def serve(
    url: str,
    *,
    command: list[str] | None = None,
    env: dict | None = None,
    source: Path | None = None,
    workers: int = 1,
) -> subprocess.Popen:
    """`foodtour run --workers N` of the API (or `command`) on PORT, ready; `env` adds variables.

    `source`: the API from another checkout of the project (an earlier commit, for a
    before/after comparison in one run), with this checkout's installed dependencies.
    """
    env = {
        **os.environ,
        "TOURISM_DATABASE_URL": url,
        "TOURISM_ENVIRONMENT": "production",
        "TOURISM_SECRET_KEY": secrets.token_urlsafe(32),
        "TOURISM_GBFS_FEED_CONTACT_EMAIL": "bench@foodtour.example.org",
        # production refuses a plain-http public address (QR codes and feeds print it)
        "TOURISM_PUBLIC_WEB_URL": "https://bench.foodtour.example.org",
        "TOURISM_PUBLIC_API_URL": "https://bench.foodtour.example.org",
        **(env or {}),
    }
    if source:
        env["PYTHONPATH"] = str(source)
    with socket.socket() as probe:  # else /readyz below would be another program's
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            sys.exit(f"port {PORT} is in use: choose another with BENCH_PORT")
    proc = subprocess.Popen(
        command
        or [
            sys.executable,
            "-m",
            "tourism.cli",
            "run",
            "--port",
            str(PORT),
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=source,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):  # a minute or more on a loaded machine
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("the server did not become ready")


def run_scenarios(
    name: str,
    url: str,
    scenarios: dict[str, Scenario],
    *,
    duration: int,
    connections: int,
    env: dict | None = None,
    workers: int = 1,
    warm_up: int = 3,
) -> dict:
    """Serve `url` with `workers` workers (`env` added to their environment), run every scenario
    for 1 client and for many, save JSON."""
    wrk = ensure_wrk()
    server = serve(url, env=env, workers=workers)
    results: dict = {
        "workers": workers,
        "load": os.getloadavg(),
        "cores": os.cpu_count(),
        "scenarios": {},
    }
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for label, scenario in scenarios.items():
                script = Path(tmp) / f"{label}.lua"
                script.write_text(lua_script(scenario))
                run_wrk(wrk, script, connections=4, duration=warm_up)  # warm up
                one = run_wrk(wrk, script, connections=1, duration=duration)
                many = run_wrk(wrk, script, connections=connections, duration=duration)
                results["scenarios"][label] = {"one_client": one, "many_clients": many}
                print(
                    f"{label:22} 1 client: {one['requests_per_s']:6.0f} req/s p50 "
                    f"{one['p50_ms']:.2f} p95 {one['p95_ms']:.2f} p99 {one['p99_ms']:.2f} ms | "
                    f"{connections} clients: {many['requests_per_s']:6.0f} req/s p50 "
                    f"{many['p50_ms']:.1f} p95 {many['p95_ms']:.1f} ms "
                    f"(non-2xx {one['non_2xx'] + many['non_2xx']})"
                )
    finally:
        server.terminate()
        server.wait()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"results in {out}")
    return results
