"""The app under a real server in a process of its own, for tests that need one."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tourism.embedded import free_port

ROOT = Path(__file__).resolve().parents[1]


def _stop(server: subprocess.Popen, sign: signal.Signals) -> None:
    """`sign` to the server and every process of its session (its workers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, sign)


@contextmanager
def serving(
    env: dict[str, str], command: list[str] | None = None, *, logs: Path | None = None
) -> Iterator[str]:
    """`foodtour run` (or `command`, which gets `--port N` appended) on a free loopback port
    with `env` added to the environment, once /readyz answers; its base URL. `logs`: a directory
    that keeps what the server prints (`stdout`: the access log, `stderr`), else stdout is
    dropped."""
    port = free_port(18300)
    command = (command or [sys.executable, "-m", "tourism.cli", "run"]) + ["--port", str(port)]
    out = (logs / "stdout").open("w") if logs else subprocess.DEVNULL
    err = (logs / "stderr").open("w+") if logs else subprocess.PIPE
    # One worker unless the test asks for more (`foodtour run` defaults to one per CPU). In a
    # session of its own, so that stopping it stops every worker it forked.
    server = subprocess.Popen(
        command,
        env={**os.environ, "TOURISM_WORKERS": "1", **env},
        cwd=ROOT,
        stdout=out,
        stderr=err,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                _stop(server, signal.SIGKILL)
                said = (logs / "stderr").read_text() if logs else server.stderr.read()
                pytest.fail(f"the server did not start: {said[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        _stop(server, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _stop(server, signal.SIGKILL)
            server.wait(timeout=10)
        if logs:
            out.close()
            err.close()


@contextmanager
def serving_in_thread(app, settings, *, first_port: int = 18700) -> Iterator[str]:
    """`app` under uvicorn in a thread of this process (so a test can reach into it, e.g. move
    the clock it reads), on a free loopback port; its base URL."""
    import threading

    import uvicorn

    from tourism.server import uvicorn_options

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=free_port(first_port),
        log_level="warning",
        **uvicorn_options(settings.max_header_bytes),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
