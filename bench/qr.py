"""QR scan load test: `GET /q/{code}` (302 + one counted scan) on one uvicorn worker.

    .venv/bin/python -m bench.qr [--codes 2000] [--history 1000000] [--duration 10]

A burst of scans over 2,000 codes, most of them on a few popular posters (every fifth request
hits the same code: concurrent appends to one code's count), with a scan table that already
holds `--history` scans.
"""

import argparse
import asyncio
import random

from sqlalchemy import text

from bench.harness import Scenario, bench_database, run_scenarios
from tourism.config import Settings
from tourism.database import run_in_transaction
from tourism.qrcodes.schemas import QrCodeCreate
from tourism.qrcodes.service import create_code

QUERIES = ("bánh đa cua", "nem cua bể", "bánh mì cay", "bún cá cay", "lẩu cua đồng", "xíu páo")


async def _codes(session, *, count: int, history: int) -> list[str]:
    """`count` codes (made once; reused by later runs) and `history` earlier scans."""
    existing = list(await session.scalars(text("SELECT code FROM qr_codes ORDER BY id")))
    for i in range(len(existing), count):
        body = QrCodeCreate(
            target={"kind": "search", "query": QUERIES[i % len(QUERIES)]},
            campaign=f"bench-{i % 10}",
            placement=f"Poster {i}",
        )
        existing.append(await create_code(session, data=body, creator=None, origin="cli"))
    have = await session.scalar(text("SELECT count(*) FROM qr_scans"))
    if have < history:
        await session.execute(text("SET LOCAL statement_timeout = 0"))  # a bulk load, once
        await session.execute(
            text(
                "WITH ids AS (SELECT array_agg(id) AS a FROM qr_codes)"
                " INSERT INTO qr_scans (code_id, scanned_at, client)"
                " SELECT a[1 + i % cardinality(a)], now() - (i % 8640000) * interval '1 second',"
                " 'ios' FROM ids, generate_series(1, :n) AS i"
            ),
            {"n": history - have},
        )
    return existing[:count]


async def _counted(url: str) -> int:
    return await run_in_transaction(
        lambda s: s.scalar(text("SELECT count(*) FROM qr_scans")), Settings(), url=url
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=2000)
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    url = bench_database("foodtour_bench_qr", eateries=1000, menu_items=3000)
    codes = asyncio.run(
        run_in_transaction(
            lambda s: _codes(s, count=args.codes, history=args.history), Settings(), url=url
        )
    )
    rng = random.Random(5)
    paths = [f"/q/{rng.choice(codes)}" for _ in range(4000)] + [f"/q/{codes[0]}"] * 1000
    before = asyncio.run(_counted(url))
    run_scenarios(
        "qr",
        url,
        {"scan": Scenario(tuple(paths), located=False)},
        duration=args.duration,
        connections=args.connections,
        # wrk is one client: count every scan, as the figures in docs/benchmarks.md did
        env={"TOURISM_QR_SCANS_PER_CLIENT_MINUTE": "1000000"},
    )
    print(f"scans counted during the run: {asyncio.run(_counted(url)) - before}")


if __name__ == "__main__":
    main()
