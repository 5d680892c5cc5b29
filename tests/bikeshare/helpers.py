"""The official GBFS v3.0 schemas, a validator that checks formats, and a local feed server."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

TESTS = Path(__file__).resolve().parent.parent
SCHEMAS = TESTS / "standards" / "gbfs-v3.0"
FIXTURES = TESTS / "fixtures" / "gbfs"
FIXTURE_HOST = b"https://gbfs.xedapcang.example"
PUBLISHED = ("gbfs", "system_information", "vehicle_types", "station_information", "station_status")


@cache
def validator(name: str) -> Draft7Validator:
    """The official schema of file `name`, checking `format` (date-time, uri, email...) too."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def schema_errors(document: Any, name: str) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(name).iter_errors(document)
    ]


async def published_feeds(client) -> dict[str, Any]:
    """Every file gbfs.json lists, fetched through the API as a consumer would."""
    discovery = await client.get("/gbfs/v3/gbfs.json")
    assert discovery.status_code == 200, discovery.text
    found = {"gbfs": discovery.json()}
    for feed in found["gbfs"]["data"]["feeds"]:
        path = "/gbfs/v3/" + feed["url"].rsplit("/gbfs/v3/", 1)[1]
        r = await client.get(path)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["content-type"] == "application/json"
        found[feed["name"]] = r.json()
    return found


class _FeedHandler(BaseHTTPRequestHandler):
    """Serves tests/fixtures/gbfs with the fixtures' host rewritten to this server, plus
    `/huge.json` (bigger than any feed may be) and `/slow-start` style errors."""

    root: Path = FIXTURES
    base: bytes = b""
    huge_bytes = 0

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        if self.path == "/huge.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            chunk = b" " * 65536
            for _ in range(self.huge_bytes // len(chunk) + 1):
                self.wfile.write(chunk)
            return
        file = (self.root / self.path.lstrip("/")).resolve()
        if not file.is_file() or self.root not in file.parents:
            self.send_error(404)
            return
        body = file.read_bytes().replace(FIXTURE_HOST, self.base)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def feed_server(root: Path = FIXTURES, *, huge_bytes: int = 0) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 serving `root`; yields its base URL."""
    handler = type("Handler", (_FeedHandler,), {"root": root.resolve(), "huge_bytes": huge_bytes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    handler.base = base.encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
