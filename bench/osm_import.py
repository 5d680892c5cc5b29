"""`foodtour import osm` at scale: a generated Overpass JSON export into a fresh database.

.venv/bin/python -m bench.osm_import [--elements 1000000] [--baseline 100000] [--rev HEAD]

Each import runs as `python -m tourism.cli import osm FILE` in a process of its own, into a
database made for it (dropped and created again, migrated): wall time, elements/s and the
process's peak RSS and CPU time (from wait4: getrusage of that child; PostgreSQL's own CPU is
not in it). Then the same file again (nothing changes: every element unchanged). With
--baseline N, the import of commit --rev (a temporary git worktree; the same virtual
environment) and this checkout's import each run on the same N-element file, one after the
other in this run: this machine's speed swings, their ratio is what means something.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

from tests.osm_export import elements, write
from tourism.config import PROJECT_ROOT, Settings
from tourism.embedded import EmbeddedPostgres, create_database
from tourism.maintenance import migrate


def fresh_database(name: str) -> str:
    """Drop and create database `name` next to the configured one, migrated; returns its URL."""
    settings = Settings()
    if not settings.database_url:
        EmbeddedPostgres(settings).up()
    base = settings.database_url or EmbeddedPostgres(settings).url("postgres")
    base = base.replace("postgresql+asyncpg://", "postgresql://", 1).rsplit("/", 1)[0]

    async def make() -> None:
        conn = await asyncpg.connect(base + "/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
        await create_database(base + "/postgres", name)

    asyncio.run(make())
    url = base.replace("postgresql://", "postgresql+asyncpg://") + "/" + name
    migrate(url)
    return url


def run_import(url: str, path: Path, *, source: Path | None = None) -> dict:
    """One `foodtour import osm` in a child process: its summary line, wall time, peak RSS."""
    env = {**os.environ, "TOURISM_DATABASE_URL": url}
    if source:
        env["PYTHONPATH"] = str(source)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "tourism.cli", "import", "osm", str(path)],
        cwd=source or PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    out = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"import failed ({child.returncode}): {out}")
    return {
        "summary": out.splitlines()[0],
        "seconds": seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def show(label: str, count: int, r: dict) -> None:
    print(
        f"{label:34} {count:>9,} elements  {r['seconds']:7.1f} s  "
        f"{count / r['seconds']:8,.0f} elements/s  peak RSS {r['rss_mb']:6.0f} MB  "
        f"(import process CPU {r['cpu_s']:.1f} s)\n"
        f"{'':34} {r['summary']}",
        flush=True,
    )


def export_file(directory: Path, count: int) -> Path:
    path = directory / f"overpass-{count}.json"
    started = time.perf_counter()
    size = write(path, elements(count))
    print(
        f"wrote {path.name}: {size / 1e6:.0f} MB in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=100_000, help="0: no side by side")
    parser.add_argument("--rev", default="HEAD", help="the commit of the earlier import")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.baseline:
            small = export_file(tmp, args.baseline)
            before = tmp / "before"
            subprocess.run(
                ["git", "-C", str(PROJECT_ROOT), "worktree", "add", "--detach", str(before),
                 args.rev],
                check=True, capture_output=True,
            )  # fmt: skip
            try:
                r = run_import(fresh_database("foodtour_bench_osm"), small, source=before)
                show(f"before ({args.rev}), fresh database", args.baseline, r)
            finally:
                subprocess.run(
                    ["git", "-C", str(PROJECT_ROOT), "worktree", "remove", "--force",
                     str(before)],
                    check=False,
                )  # fmt: skip
            r = run_import(fresh_database("foodtour_bench_osm"), small)
            show("after (this checkout), fresh database", args.baseline, r)
        big = export_file(tmp, args.elements)
        url = fresh_database("foodtour_bench_osm")
        show("after, fresh database", args.elements, run_import(url, big))
        show("after, the same file again", args.elements, run_import(url, big))


if __name__ == "__main__":
    main()
