"""Dish-search load test: 100,000 synthetic eateries with 1,000,000 menu items.

    .venv/bin/python -m bench.search [--eateries 100000] [--menu-items 1000000] [--duration 10]

Tourists' queries as typed (no diacritics, typos, English, prefixes), from random places in the
city; suggestions for every keystroke from the second letter.
"""

import argparse
from urllib.parse import quote

from bench.harness import Scenario, bench_database, run_scenarios

QUERIES = (
    "banh da cua",
    "bánh đa cua",
    "banh mi cay",
    "nem cua be",
    "bun ca cay",
    "lau cua dong",
    "banh da cau",
    "bahn mi cay",
    "crab noodle soup",
    "spicy fish noodle soup",
    "Hai Phong baguette",
    "banh d",
    "lau c",
    "xiu pao",
    "sui din",
    "banh beo",
    "che",
    "ca phe trung",
    "oc",
    "bun tom",
    "pho bo",
    "banh cuon",
    "nom sua",
    "cua",
    "quán",
)
TYPED = (
    "ba",
    "ban",
    "banh",
    "banh d",
    "banh da",
    "bu",
    "bun c",
    "la",
    "lau c",
    "ne",
    "nem c",
    "ca p",
    "xi",
    "su",
    "oc",
)


def _paths(template: str, words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(template.format(quote(w)) for w in words)


SCENARIOS = {
    "search_near_me": Scenario(_paths("/api/v1/search?q={}&limit=20", QUERIES)),
    "search_open_now": Scenario(_paths("/api/v1/search?q={}&limit=20&open_now=true", QUERIES)),
    "search_no_position": Scenario(_paths("/api/v1/search?q={}&limit=20", QUERIES), False),
    "suggest": Scenario(_paths("/api/v1/search/suggest?q={}&limit=8", TYPED), False),
}


def database(eateries: int = 100_000, menu_items: int = 1_000_000) -> str:
    return bench_database("foodtour_bench_search", eateries=eateries, menu_items=menu_items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eateries", type=int, default=100_000)
    parser.add_argument("--menu-items", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    url = database(args.eateries, args.menu_items)
    run_scenarios("search", url, SCENARIOS, duration=args.duration, connections=args.connections)
    print("-- nothing remembered: every query string understood, every text completed anew")
    run_scenarios(
        "search-uncached",
        url,
        {f"{name}_uncached": SCENARIOS[name] for name in ("search_near_me", "suggest")},
        duration=args.duration,
        connections=args.connections,
        env={"TOURISM_SEARCH_CACHE_ENTRIES": "0"},
    )


if __name__ == "__main__":
    main()
