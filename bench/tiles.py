"""Vector tile load test: z14 tiles over the city centre, ours against a bare ST_AsMVT server.

.venv/bin/python -m bench.tiles [--eateries 200000] [--duration 10] [--port 8765]
.venv/bin/python -m bench.tiles --alternate 3 --duration 5 [--before ../checkout-of-main]

The baseline is what a generic PostGIS tile server does with the same tables: one ST_AsMVT
query per request, every feature of the tile (eateries and stations, their table columns), on
an asyncpg pool behind a bare ASGI app. Ours runs twice: with the cache off (every request
renders: "cold") and on (the tiles are asked for again: "warm").

With --alternate N the three servers run side by side (ports --port, +1, +2) and each round
measures each in turn for --duration seconds at --connections clients: on a machine others
load too, each ratio compares measurements seconds apart, not minutes.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench import harness
from bench.harness import (
    RESULTS,
    Scenario,
    bench_database,
    ensure_wrk,
    lua_script,
    run_wrk,
    serve,
)
from bench.synthetic import CENTRE
from geo.tiles import tile_of

ZOOM = 14
# Production refuses to start on the development addresses.
PRODUCTION = {
    "TOURISM_PUBLIC_WEB_URL": "https://bench.foodtour.example.org",
    "TOURISM_PUBLIC_API_URL": "https://bench.foodtour.example.org",
}
# The inner city the other benchmarks ask about: CENTRE ± 0.06° lon, ± 0.05° lat.
SPAN = (0.06, 0.05)

BASELINE_SQL = """
WITH bounds AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS tile,
           ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326) AS area
)
SELECT coalesce((SELECT ST_AsMVT(t, 'eateries', 4096, 'geom', 'id') FROM (
           SELECT e.id, e.name_vi AS name, e.kind, e.rating_avg::float8 AS rating,
                  e.rating_count AS votes,
                  ST_AsMVTGeom(ST_Transform(e.location, 3857), bounds.tile, 4096, 64, true) AS geom
             FROM eateries AS e, bounds WHERE e.location && bounds.area) AS t), '')
    || coalesce((SELECT ST_AsMVT(t, 'stations', 4096, 'geom', 'id') FROM (
           SELECT s.id, s.name_vi AS name, st.num_bikes_available AS bikes,
                  st.num_docks_available AS docks,
                  ST_AsMVTGeom(ST_Transform(s.location, 3857), bounds.tile, 4096, 64, true) AS geom
             FROM bike_stations AS s
             LEFT JOIN bike_station_status AS st ON st.station_pk = s.id, bounds
            WHERE s.location && bounds.area) AS t), '')
  FROM bounds
"""


def baseline_app():
    """A bare tile server: asyncpg pool, one query per tile, no cache (uvicorn --factory)."""
    import asyncpg

    dsn = os.environ["TOURISM_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    state: dict = {}

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                if message["type"] == "lifespan.startup":
                    state["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
                    await send({"type": "lifespan.startup.complete"})
            await state["pool"].close()
            await send({"type": "lifespan.shutdown.complete"})
            return
        parts = scope["path"].removesuffix(".mvt").split("/")
        status, body = 200, b""
        if scope["path"] == "/readyz":
            body = b"ready"
        else:
            z, x, y = (int(p) for p in parts[-3:])
            async with state["pool"].acquire() as conn:
                body = bytes(await conn.fetchval(BASELINE_SQL, z, x, y))
        headers = [(b"content-type", b"application/vnd.mapbox-vector-tile")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def centre_tiles() -> list[tuple[int, int]]:
    lon, lat = CENTRE
    x0, y0 = tile_of(lon - SPAN[0], lat + SPAN[1], ZOOM)
    x1, y1 = tile_of(lon + SPAN[0], lat - SPAN[1], ZOOM)
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def measure(label: str, server, paths: list[str], args, wrk: str) -> dict:
    try:
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "tiles.lua"
            script.write_text(lua_script(Scenario(tuple(paths), located=False)))
            run_wrk(wrk, script, connections=4, duration=3)  # warm up (and fill the cache)
            one = run_wrk(wrk, script, connections=1, duration=args.duration)
            many = run_wrk(wrk, script, connections=args.connections, duration=args.duration)
    finally:
        server.terminate()
        server.wait()
    print(
        f"{label:16} 1 client: {one['requests_per_s']:7.0f} tiles/s p50 {one['p50_ms']:.2f} "
        f"p95 {one['p95_ms']:.2f} ms | {args.connections} clients: "
        f"{many['requests_per_s']:7.0f} tiles/s p50 {many['p50_ms']:.1f} p95 "
        f"{many['p95_ms']:.1f} ms (non-2xx {one['non_2xx'] + many['non_2xx']})"
    )
    return {"one_client": one, "many_clients": many}


def _serve(url: str, port: int, **kwargs):
    """`serve` on `port`, tried again when a loaded machine starts it slower than it waits."""
    harness.PORT = port
    for attempt in range(3):
        try:
            return serve(url, **kwargs)
        except SystemExit:
            if attempt == 2:
                raise


def alternate(url: str, paths: list[str], args, wrk: str, baseline_command: list[str]) -> dict:
    ports = {"baseline": args.port, "ours_cold": args.port + 1, "ours_warm": args.port + 2}
    if args.before:
        ports["before_cold"] = args.port + 3
    command = list(baseline_command)
    command[command.index("--port") + 1] = str(ports["baseline"])
    envs = {
        "baseline": {"command": command},
        "ours_cold": {"env": {**PRODUCTION, "TOURISM_TILE_CACHE_MB": "0"}},
        "ours_warm": {"env": PRODUCTION},
        "before_cold": {
            "env": {**PRODUCTION, "TOURISM_TILE_CACHE_MB": "0"},
            "source": Path(args.before or "."),
        },
    }
    servers: dict = {}
    rounds: list[dict] = []
    try:
        for label, port in ports.items():  # inside the try: a failed start stops the others
            servers[label] = _serve(url, port, **envs[label])
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "tiles.lua"
            script.write_text(lua_script(Scenario(tuple(paths), located=False)))
            for port in ports.values():
                harness.PORT = port
                run_wrk(wrk, script, connections=4, duration=3)  # warm up (and fill the cache)
            for number in range(args.alternate):
                measured = {}
                for label, port in ports.items():
                    harness.PORT = port
                    measured[label] = run_wrk(
                        wrk, script, connections=args.connections, duration=args.duration
                    )
                base = measured["baseline"]["requests_per_s"]
                print(
                    f"round {number + 1}: "
                    + " | ".join(
                        f"{label} {m['requests_per_s']:.0f} tiles/s p50 {m['p50_ms']:.1f} ms "
                        f"({m['requests_per_s'] / base:.2f}x)"
                        for label, m in measured.items()
                    )
                )
                rounds.append(measured)
    finally:
        for server in servers.values():
            server.terminate()
            server.wait()
    for label in [p for p in ports if p != "baseline"]:
        ratios = sorted(
            r[label]["requests_per_s"] / r["baseline"]["requests_per_s"] for r in rounds
        )
        print(f"{label}: median {ratios[len(ratios) // 2]:.2f}x the baseline (rounds {ratios})")
    return {"rounds": rounds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eateries", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    # Another benchmark may hold the harness's port on a shared machine.
    parser.add_argument("--port", type=int, default=harness.PORT)
    parser.add_argument("--alternate", type=int, default=0, metavar="ROUNDS")
    # --alternate: also the cold tiles of another checkout (an earlier commit), side by side.
    parser.add_argument("--before", metavar="CHECKOUT")
    args = parser.parse_args()
    harness.PORT = args.port
    url = bench_database("foodtour_bench", eateries=args.eateries, menu_items=3 * args.eateries)
    wrk = ensure_wrk()
    tiles = centre_tiles()
    ours = [f"/api/v1/tiles/{ZOOM}/{x}/{y}.mvt" for x, y in tiles]
    print(f"{len(tiles)} tiles at z{ZOOM} over the centre")
    baseline_command = [
        sys.executable, "-m", "uvicorn", "bench.tiles:baseline_app", "--factory",
        "--port", str(args.port), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    results = {"zoom": ZOOM, "tiles": len(tiles), "workers": 1, "cores": os.cpu_count()}
    if args.alternate:
        results["alternate"] = alternate(url, ours, args, wrk, baseline_command)
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"tiles-alternate-{time.strftime('%Y%m%d-%H%M%S')}.json"
        out.write_text(json.dumps(results, indent=2))
        print(f"results in {out}")
        return
    results["baseline"] = measure(
        "bare ST_AsMVT", serve(url, command=baseline_command), ours, args, wrk
    )
    cold = serve(url, env={**PRODUCTION, "TOURISM_TILE_CACHE_MB": "0"})
    results["ours_cold"] = measure("ours, no cache", cold, ours, args, wrk)
    results["ours_warm"] = measure("ours, cached", serve(url, env=PRODUCTION), ours, args, wrk)
    base = results["baseline"]["many_clients"]["requests_per_s"]
    for label in ("ours_cold", "ours_warm"):
        ratio = results[label]["many_clients"]["requests_per_s"] / base
        print(f"{label}: {ratio:.1f}x the baseline")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"tiles-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"results in {out}")


if __name__ == "__main__":
    main()
