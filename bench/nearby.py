"""Nearby-eateries load test: 200,000 synthetic eateries, one uvicorn worker, wrk as client.

.venv/bin/python -m bench.nearby [--eateries 200000] [--duration 10]
"""

import argparse

from bench.harness import Scenario, bench_database, run_scenarios

SCENARIOS = {
    "nearby": Scenario(("/api/v1/eateries/nearby?limit=20",)),
    "nearby_open_now": Scenario(("/api/v1/eateries/nearby?limit=20&open_now=true",)),
    "nearby_dish": Scenario(("/api/v1/eateries/nearby?limit=20&dish=banh-da-cua",)),
}


def database(eateries: int = 200_000) -> str:
    return bench_database("foodtour_bench", eateries=eateries, menu_items=3 * eateries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eateries", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    url = database(args.eateries)
    run_scenarios("nearby", url, SCENARIOS, duration=args.duration, connections=args.connections)


if __name__ == "__main__":
    main()
