"""Throughput and latency by number of workers: nearby and search at 1, 2 and 4 workers.

    BENCH_PORT=8765 .venv/bin/python -m bench.workers [--workers 1,2,4] [--rounds 2] [--duration 8]

On the search benchmark's database (100,000 eateries, 1,000,000 menu items), one server at a
time, `foodtour run --workers N`, wrk with 16 connections; the rounds alternate the worker
counts (1, 2, 4, 1, 2, 4) so that a change of the machine's load hits every count alike.
"""

import argparse
import os

from bench import search
from bench.harness import Scenario, run_scenarios

SCENARIOS = {
    "nearby": Scenario(("/api/v1/eateries/nearby?limit=20",)),
    "search": search.SCENARIOS["search_near_me"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    url = search.database()
    rows = []
    for round_ in range(1, args.rounds + 1):
        for workers in (int(n) for n in args.workers.split(",")):
            load = os.getloadavg()[0]
            print(f"-- round {round_}, {workers} workers (load {load:.1f})")
            results = run_scenarios(
                f"workers-{workers}",
                url,
                SCENARIOS,
                duration=args.duration,
                connections=args.connections,
                workers=workers,
                warm_up=2,
            )
            for label, result in results["scenarios"].items():
                many = result["many_clients"]
                rows.append((label, workers, round_, many, load))
    print("\n| scenario | workers | round | req/s | p50 ms | p99 ms | load |")
    print("|---|---|---|---|---|---|---|")
    for label, workers, round_, many, load in sorted(rows, key=lambda r: r[:3]):
        print(
            f"| {label} | {workers} | {round_} | {many['requests_per_s']:.0f} | "
            f"{many['p50_ms']:.1f} | {many['p99_ms']:.1f} | {load:.1f} |"
        )


if __name__ == "__main__":
    main()
