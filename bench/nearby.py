"""Nearby (and the map's bbox list) against a bare FastAPI + asyncpg KNN endpoint, side by side.

.venv/bin/python -m bench.nearby [--rounds 2] [--duration 10] [--connections 8] [--port 8765]

200,000 synthetic eateries; one uvicorn worker per server, both started, measured one at a time
with the same wrk command (`wrk -t1 -c8 -d10s`, 2,000 random inner-city points) in alternating
rounds: each round measures the bare endpoint (bench/bare.py: KNN, 20 rows of id, name, metres)
and then each of our scenarios, and prints each one's ratio to that round's bare endpoint. This
machine is shared and swings by ~20 %: only ratios within one round mean something.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import harness
from bench.harness import RESULTS, Scenario, bench_database, ensure_wrk, lua_script, run_wrk

SCENARIOS = {
    "nearby": Scenario(("/api/v1/eateries/nearby?limit=20",)),
    "nearby_open_now": Scenario(("/api/v1/eateries/nearby?limit=20&open_now=true",)),
    "nearby_dish": Scenario(("/api/v1/eateries/nearby?limit=20&dish=banh-da-cua",)),
    # a box about 1 km across
    "bbox": Scenario(("/api/v1/eateries?limit=20",), box=0.0045),
}
BARE = Scenario(("/nearby?limit=20",))
# Production refuses to start on the development addresses.
PRODUCTION = {
    "TOURISM_PUBLIC_WEB_URL": "https://bench.foodtour.example.org",
    "TOURISM_PUBLIC_API_URL": "https://bench.foodtour.example.org",
}


def database(eateries: int = 200_000) -> str:
    return bench_database("foodtour_bench", eateries=eateries, menu_items=3 * eateries)


def _serve(url: str, port: int, **kwargs) -> subprocess.Popen:
    """`serve` on `port`, tried again when a loaded machine starts it slower than it waits."""
    harness.PORT = port
    for attempt in range(3):
        try:
            return harness.serve(url, **kwargs)
        except SystemExit:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eateries", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=harness.PORT)
    parser.add_argument("--only", default=",".join(SCENARIOS), help="our scenarios to measure")
    args = parser.parse_args()
    url = database(args.eateries)
    wrk = ensure_wrk()
    ours = {label: SCENARIOS[label] for label in args.only.split(",")}
    bare_command = [
        sys.executable, "-m", "uvicorn", "bench.bare:app", "--port", str(args.port + 1),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    runs = [("bare", "bare", BARE)] + [("ours", label, s) for label, s in ours.items()]
    rounds: list[dict] = []
    servers: dict[str, tuple[int, subprocess.Popen]] = {}
    try:
        servers["bare"] = (args.port + 1, _serve(url, args.port + 1, command=bare_command))
        servers["ours"] = (args.port, _serve(url, args.port, env=PRODUCTION))
        with tempfile.TemporaryDirectory() as tmp:
            scripts = {}
            for server, label, scenario in runs:
                scripts[label] = Path(tmp) / f"{label}.lua"
                scripts[label].write_text(lua_script(scenario))
                harness.PORT = servers[server][0]
                run_wrk(wrk, scripts[label], connections=4, duration=3)  # warm up
            for number in range(1, args.rounds + 1):
                measured: dict = {"load": load()}
                print(f"round {number} ({measured['load']})", flush=True)
                for server, label, _ in runs:
                    harness.PORT = servers[server][0]
                    r = run_wrk(
                        wrk, scripts[label], connections=args.connections, duration=args.duration
                    )
                    measured[label] = r
                    ratio = r["requests_per_s"] / measured["bare"]["requests_per_s"]
                    tail = r["p99_ms"] / measured["bare"]["p99_ms"]
                    print(
                        f"  {label:16} {r['requests_per_s']:7.0f} req/s  p50 {r['p50_ms']:6.2f} ms"
                        f"  p99 {r['p99_ms']:6.2f} ms  | {ratio:.2f}x bare req/s, p99 "
                        f"{tail:.2f}x bare  (non-2xx {r['non_2xx']})",
                        flush=True,
                    )
                rounds.append(measured)
    finally:
        for _, process in servers.values():
            process.terminate()
            process.wait()
    command = f"wrk -t1 -c{args.connections} -d{args.duration}s (2,000 inner-city points)"
    results = {"workers": 1, "cores": os.cpu_count(), "command": command, "rounds": rounds}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"nearby-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"results in {out}")


if __name__ == "__main__":
    main()
