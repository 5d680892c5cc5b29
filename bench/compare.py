"""Before and after in one run: the API of an earlier commit and of this checkout, served in
turn on the same database, each scenario measured in alternating rounds.

.venv/bin/python -m bench.compare REV [--after REV2] [--what nearby,search] [--rounds 2]

This machine's speed swings by ~20 % from minute to minute; alternating the two servers within
one run is what makes their ratio mean something. REV (and REV2, when given; otherwise this
working tree) is checked out into a temporary git worktree; both servers use this checkout's
virtual environment.
"""

import argparse
import subprocess
import tempfile
from pathlib import Path

from bench import nearby, search
from bench.harness import ensure_wrk, lua_script, run_wrk, serve
from tourism.config import PROJECT_ROOT

SUITES = {
    "nearby": lambda: (nearby.database(), nearby.SCENARIOS),
    "search": lambda: (search.database(), search.SCENARIOS),
}


def measure(url: str, scenarios: dict, source: Path | None, args, wrk: str, tmp: Path) -> dict:
    server = serve(url, source=source)
    try:
        results = {}
        for label, scenario in scenarios.items():
            script = tmp / f"{label}.lua"
            script.write_text(lua_script(scenario))
            run_wrk(wrk, script, connections=4, duration=2)  # warm up
            results[label] = run_wrk(
                wrk, script, connections=args.connections, duration=args.duration
            )
        return results
    finally:
        server.terminate()
        server.wait()


def _worktree(path: Path, rev: str) -> Path:
    subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "worktree", "add", "--detach", str(path), rev],
        check=True,
        capture_output=True,
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the commit to compare with (before)")
    parser.add_argument("--after", default=None, help="a commit instead of this working tree")
    parser.add_argument("--what", default="nearby,search")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        trees = {"before": _worktree(tmp / "before", args.rev)}
        trees["after"] = _worktree(tmp / "after", args.after) if args.after else None
        try:
            for suite in args.what.split(","):
                url, scenarios = SUITES[suite]()
                for round_ in range(1, args.rounds + 1):
                    for name, source in trees.items():
                        for label, r in measure(url, scenarios, source, args, wrk, tmp).items():
                            print(
                                f"{suite:7} round {round_} {name:6} {label:20} "
                                f"{r['requests_per_s']:7.0f} req/s  p50 {r['p50_ms']:6.2f} ms  "
                                f"p95 {r['p95_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms  "
                                f"non-2xx {r['non_2xx']}",
                                flush=True,
                            )
        finally:
            for tree in filter(None, trees.values()):
                subprocess.run(
                    ["git", "-C", str(PROJECT_ROOT), "worktree", "remove", "--force", str(tree)],
                    check=False,
                )


if __name__ == "__main__":
    main()
