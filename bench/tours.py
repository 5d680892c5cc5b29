"""Tour-planner benchmark: 200 plans of 5 dishes on the 100,000-eatery city, on foot and by bike.

    .venv/bin/python -m bench.tours [--plans 200] [--dishes 5]

One worker, one request at a time, end to end over HTTP: p50/p95/p99 per mode, the time split
the server reports (`Server-Timing`: candidates, matrix, search, answer), and what weighing 10
candidates per dish loses against 40 (the same plans asked of a second server with
TOURISM_TOUR_CANDIDATES=40): dishes covered, rating score and minutes travelled.
"""

import argparse
import asyncio
import json
import random
import statistics
import time
import urllib.error
import urllib.request
from collections import defaultdict
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import text

from bench.harness import PORT, RESULTS, serve
from bench.search import database
from bench.synthetic import CENTRE
from tourism.config import Settings
from tourism.database import run_in_transaction
from tourism.hours import TZ

STATIONS = 200
# Bench stations: a ring of the inner city, every one renting and returning.
ADD_STATIONS = text("""
WITH made AS (
    INSERT INTO bike_stations (station_id, name_vi, location, capacity)
    SELECT 'bench-' || g, 'Trạm thử ' || g,
           ST_SetSRID(ST_MakePoint(:lon + r * cos(t) / cos(radians(:lat)), :lat + r * sin(t)),
                      4326),
           20
      FROM (SELECT g, 0.1 * sqrt(random()) AS r, 2 * pi() * random() AS t
              FROM generate_series(1, :n) AS g) AS s
    ON CONFLICT (station_id) DO NOTHING
    RETURNING id
)
INSERT INTO bike_station_status (station_pk, num_bikes_available, num_docks_available,
                                 is_renting, is_returning, last_reported)
SELECT id, 5 + (id % 10), 5 + (id % 7), true, true, now() FROM made
""")


async def _stations(session) -> int:
    have = (
        await session.execute(
            text("SELECT count(*) FROM bike_stations WHERE station_id LIKE 'bench-%'")
        )
    ).scalar()
    if have < STATIONS:
        lon, lat = CENTRE
        await session.execute(ADD_STATIONS, {"n": STATIONS, "lon": lon, "lat": lat})
    return (await session.execute(text("SELECT count(*) FROM bike_stations"))).scalar()


async def _dishes(session) -> list[str]:
    rows = await session.execute(
        text(
            "SELECT d.slug FROM dishes d JOIN menu_items m ON m.dish_id = d.id "
            "GROUP BY d.slug HAVING count(*) > 1000 ORDER BY d.slug"
        )
    )
    return [r.slug for r in rows]


def plans(dishes: list[str], count: int, size: int) -> list[dict]:
    """The same `count` requests for every server: random starts in the inner city, random
    dishes, half on foot and half by bike, tomorrow afternoon."""
    rng = random.Random(2026)
    lon, lat = CENTRE
    start_at = datetime.combine(
        datetime.now(TZ).date() + timedelta(days=1), datetime.min.time(), tzinfo=TZ
    ) + timedelta(hours=14)
    made = []
    for i in range(count):
        made.append(
            {
                "lat": round(lat + rng.uniform(-0.03, 0.03), 5),
                "lon": round(lon + rng.uniform(-0.03, 0.03), 5),
                "dishes": ",".join(rng.sample(dishes, size)),
                "minutes": 180,
                "mode": "walk" if i % 2 == 0 else "bike",
                "start_at": start_at.isoformat(),
            }
        )
    return made


def ask(plan: dict) -> tuple[float, dict, dict[str, float]]:
    url = f"http://127.0.0.1:{PORT}/api/v1/tours/plan?{urlencode(plan)}"
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        body = json.loads(response.read())
        timing = response.headers.get("Server-Timing", "")
    elapsed = (time.perf_counter() - started) * 1000
    split = {}
    for part in filter(None, (p.strip() for p in timing.split(","))):
        name, _, duration = part.partition(";dur=")
        split[name] = float(duration)
    return elapsed, body, split


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(url: str, requests: list[dict], candidates: int) -> list[tuple[float, dict, dict]]:
    server = serve(url, env={"TOURISM_TOUR_CANDIDATES": str(candidates)})
    try:
        for plan in requests[:10]:  # warm up: plans, caches, the first connections
            ask(plan)
        return [ask(plan) for plan in requests]
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{exc.code}: {exc.read()[:300]!r}") from exc
    finally:
        server.terminate()
        server.wait()


def report(label: str, answers: list[tuple[float, dict, dict]]) -> dict:
    summary: dict = {}
    for mode in ("walk", "bike"):
        chosen = [a for a in answers if a[1]["mode"] == mode]
        latencies = [a[0] for a in chosen]
        split = defaultdict(list)
        for _, _, timing in chosen:
            for name, ms in timing.items():
                split[name].append(ms)
        summary[mode] = {
            "plans": len(chosen),
            "p50_ms": round(percentile(latencies, 0.5), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "mean_split_ms": {k: round(statistics.mean(v), 1) for k, v in split.items()},
            "p95_split_ms": {k: round(percentile(v, 0.95), 1) for k, v in split.items()},
            "optimal": sum(a[1]["optimal"] for a in chosen),
        }
        s = summary[mode]
        print(
            f"{label} {mode:4}: p50 {s['p50_ms']:6.1f} p95 {s['p95_ms']:6.1f} "
            f"p99 {s['p99_ms']:6.1f} ms | mean split {s['mean_split_ms']} | "
            f"optimal {s['optimal']}/{s['plans']}"
        )
    return summary


def loss(small: list, large: list) -> dict:
    """What K=10 gives up against K=40, plan by plan, by the planner's own objective."""
    fewer_dishes = worse_score = 0
    score_gap, minutes_gap = [], []
    for (_, a, _), (_, b, _) in zip(small, large, strict=True):
        oa, ob = a["objective"], b["objective"]
        if oa["dishes"] < ob["dishes"]:
            fewer_dishes += 1
        elif oa["dishes"] == ob["dishes"]:
            if oa["score"] < ob["score"] - 1e-6:
                worse_score += 1
            score_gap.append(ob["score"] - oa["score"])
            minutes_gap.append(oa["travel_minutes"] - ob["travel_minutes"])
    result = {
        "plans": len(small),
        "fewer_dishes": fewer_dishes,
        "lower_score": worse_score,
        "mean_score_gap": round(statistics.mean(score_gap), 3) if score_gap else 0,
        "mean_extra_travel_minutes": round(statistics.mean(minutes_gap), 2) if minutes_gap else 0,
    }
    print(f"K=10 against K=40: {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--dishes", type=int, default=5)
    args = parser.parse_args()
    url = database()
    settings = Settings()
    stations = asyncio.run(run_in_transaction(_stations, settings, url=url))
    dishes = asyncio.run(run_in_transaction(_dishes, settings, url=url))
    print(f"{stations} stations; {len(dishes)} dishes served by over 1,000 eateries each")
    requests = plans(dishes, args.plans, args.dishes)
    ten = run(url, requests, 10)
    forty = run(url, requests, 40)
    results = {
        "plans": args.plans,
        "dishes": args.dishes,
        "k10": report("K=10", ten),
        "k40": report("K=40", forty),
        "k10_loss": loss(ten, forty),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "tours.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
