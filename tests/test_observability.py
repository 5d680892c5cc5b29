"""Access lines, request ids, JSON logs, /metrics, and one warning per database outage."""

import io
import json
import logging
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from tests.conftest import TEST_SECRET
from tests.servers import serving
from tests.test_outage import TcpProxy
from tourism import exceptions
from tourism.config import Settings
from tourism.main import create_app
from tourism.observability import JsonFormatter, TextFormatter

ROOT = Path(__file__).resolve().parents[1]
EATERY = "/api/v1/eateries/{eatery_id}"
MISSING_EATERY = "/api/v1/eateries/999999999"
DISH = "/api/v1/dishes/{slug}"
TOKEN = "metrics-token-" + "x" * 24
REMOTE = ("203.0.113.7", 40000)  # TEST-NET-3: never in the default allow-list


def access_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "tourism.access"]


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample of a Prometheus exposition: (name, sorted labels) -> value."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(client: httpx.AsyncClient) -> dict:
    r = await client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return samples(r.text)


@pytest.fixture
async def remote_client(app):
    """A client whose address is not 127.0.0.1 (the test client's by default)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=REMOTE)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
async def token_app(settings, seeded):
    """An app of its own with TOURISM_METRICS_TOKEN set."""
    configured = settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})
    application = create_app(configured, background=False)
    async with application.router.lifespan_context(application):
        yield application


# -- access lines and request ids -----------------------------------------------------------


async def test_one_access_line_per_request_with_the_route_template(client, caplog):
    caplog.set_level(logging.INFO, logger="tourism.access")
    r = await client.get(MISSING_EATERY)
    unknown = await client.get("/no/such/page")
    dish = await client.get("/api/v1/dishes/banh-da-cua")
    assert (r.status_code, unknown.status_code, dish.status_code) == (404, 404, 200)

    lines = access_records(caplog)
    assert [(x.method, x.route, x.status) for x in lines] == [
        ("GET", EATERY, 404),
        ("GET", "<unmatched>", 404),  # never the raw path: one label for all unknown paths
        ("GET", DISH, 200),
    ]
    assert [x.request_id for x in lines] == [
        resp.headers["x-request-id"] for resp in (r, unknown, dish)
    ]
    assert all(isinstance(x.duration_ms, float) and x.duration_ms >= 0 for x in lines)
    assert lines[0].getMessage().startswith(f"GET {EATERY} 404 ")


async def test_json_lines_parse_and_carry_the_request_fields(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tourism.access")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        r = await client.get(MISSING_EATERY, headers={"X-Request-ID": "trace-1.a_b"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    (line,) = stream.getvalue().splitlines()
    parsed = json.loads(line)
    assert parsed["level"] == "INFO" and parsed["logger"] == "tourism.access"
    assert parsed["method"] == "GET" and parsed["route"] == EATERY and parsed["status"] == 404
    assert parsed["request_id"] == "trace-1.a_b" == r.headers["x-request-id"]
    assert parsed["message"].startswith(f"GET {EATERY} 404")
    assert parsed["duration_ms"] >= 0 and parsed["timestamp"].endswith("+00:00")


def test_other_records_carry_the_request_id_and_their_traceback():
    from tourism.observability import request_id_var

    record = logging.LogRecord("tourism.x", logging.ERROR, __file__, 1, "boom %s", (1,), None)
    token = request_id_var.set("abc")
    try:
        try:
            raise ValueError("inner")
        except ValueError:
            record.exc_info = sys.exc_info()
        parsed = json.loads(JsonFormatter().format(record))
        text = TextFormatter().format(record)
    finally:
        request_id_var.reset(token)
    assert parsed["message"] == "boom 1" and parsed["request_id"] == "abc"
    assert "ValueError: inner" in parsed["exception"]
    assert "ERROR tourism.x: boom 1" in text and "request_id=abc" in text


async def test_request_id_is_echoed_generated_or_replaced(client):
    given = await client.get("/healthz", headers={"X-Request-ID": "lb-42.A_z-9"})
    assert given.headers["x-request-id"] == "lb-42.A_z-9"

    made = await client.get("/healthz")
    other = await client.get("/healthz")
    for r in (made, other):
        assert len(r.headers["x-request-id"]) == 32
        int(r.headers["x-request-id"], 16)  # uuid4 hex
    assert made.headers["x-request-id"] != other.headers["x-request-id"]

    for bad in ("has space", "x" * 65, "semi;colon", "ümlaut", ""):
        r = await client.get("/healthz", headers={"X-Request-ID": bad.encode("utf-8")})
        assert r.headers["x-request-id"] != bad and len(r.headers["x-request-id"]) == 32, bad
        assert r.headers.get_list("x-request-id") == [r.headers["x-request-id"]]


async def test_request_id_is_in_every_error_body(client, settings):
    for path, status in ((MISSING_EATERY, 404), ("/api/v1/eateries/abc", 422)):
        r = await client.get(path, headers={"X-Request-ID": f"err-{status}"})
        assert r.status_code == status
        assert r.json()["error"]["request_id"] == f"err-{status}" == r.headers["x-request-id"]

    # the last resort (tourism.guard): an unexpected error is a 500 in the same shape
    app = create_app(settings, background=False)

    @app.get("/boom")
    async def boom() -> dict:
        raise RuntimeError("unexpected")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        r = await http.get("/boom", headers={"X-Request-ID": "the-500"})
    assert r.status_code == 500
    assert r.json()["error"] == {
        "code": "internal_error",
        "message": "internal server error",
        "details": None,
        "request_id": "the-500",
    }
    assert r.headers["x-request-id"] == "the-500"


# -- /metrics -------------------------------------------------------------------------------


async def test_metrics_are_refused_without_the_token_from_elsewhere(remote_client, client):
    r = await remote_client.get("/metrics")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert r.json()["error"]["request_id"] == r.headers["x-request-id"]
    # X-Forwarded-For from a peer that is no trusted proxy names nobody
    spoofed = await remote_client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert spoofed.status_code == 403
    # no token is configured on this app: a Bearer header opens nothing
    assert (
        await remote_client.get("/metrics", headers={"Authorization": "Bearer "})
    ).status_code == 403
    # the default allow-list: this host
    assert (await client.get("/metrics")).status_code == 200


async def test_metrics_with_the_token(token_app):
    transport = httpx.ASGITransport(app=token_app, raise_app_exceptions=False, client=REMOTE)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.get("/metrics")).status_code == 403
        wrong = {"Authorization": "Bearer not-the-token"}
        assert (await http.get("/metrics", headers=wrong)).status_code == 403
        ok = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
        assert "foodtour_http_requests_total" in ok.text


async def test_an_empty_allow_list_leaves_the_token_only(settings, seeded):
    app = create_app(settings.model_copy(update={"metrics_allow": ""}), background=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # from 127.0.0.1
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.get("/metrics")).status_code == 403


def test_a_bad_allow_list_is_said_at_startup(settings):
    with pytest.raises(ValueError, match="TOURISM_METRICS_ALLOW: 'nope'"):
        create_app(settings.model_copy(update={"metrics_allow": "127.0.0.1, nope"}))


async def test_metrics_are_not_in_the_openapi_schema(client, app):
    assert "/metrics" not in app.openapi()["paths"]
    assert "/metrics" not in (await client.get("/openapi.json")).json()["paths"]


async def test_requests_are_counted_and_timed_per_route_template(client):
    before = await scrape(client)
    for _ in range(3):
        assert (await client.get(MISSING_EATERY)).status_code == 404
    assert (await client.get("/api/v1/dishes/banh-da-cua")).status_code == 200
    after = await scrape(client)

    labels = {"method": "GET", "route": EATERY, "status": "4xx"}
    for name in ("foodtour_http_requests_total", "foodtour_http_request_duration_seconds_count"):
        assert value(after, name, **labels) - value(before, name, **labels) == 3, name
    inf = {**labels, "le": "+Inf"}
    assert value(after, "foodtour_http_request_duration_seconds_bucket", **inf) >= 3
    dish = {"method": "GET", "route": DISH, "status": "2xx"}
    assert (
        value(after, "foodtour_http_requests_total", **dish)
        - value(before, "foodtour_http_requests_total", **dish)
        == 1
    )
    # never a label per raw path
    assert not any("999999999" in str(key) for key in after)


async def test_pools_and_caches_are_reported(client):
    search = {"q": "bánh đa cua quan sat test"}
    assert (await client.get("/api/v1/search", params=search)).status_code == 200
    before = await scrape(client)
    assert (await client.get("/api/v1/search", params=search)).status_code == 200
    after = await scrape(client)
    assert value(after, "foodtour_cache_hits_total", cache="search") > value(
        before, "foodtour_cache_hits_total", cache="search"
    )
    for cache in ("search", "suggest", "tiles"):
        assert ("foodtour_cache_misses_total", (("cache", cache),)) in after
    for pool in ("write", "read", "search", "scans"):
        assert value(after, "foodtour_db_pool_size", pool=pool) > 0, pool
        assert ("foodtour_db_pool_checked_out", (("pool", pool),)) in after
    assert value(after, "foodtour_db_pool_open", pool="search") >= 1
    assert value(after, "process_resident_memory_bytes") > 0


# -- a database outage ----------------------------------------------------------------------


async def test_an_outage_is_one_warning_per_period_and_counted(
    database_url, seeded, caplog, monkeypatch
):
    outage = exceptions.outage_log  # the one every place warns through (main.py's /readyz too)
    for name, fresh in (("period_s", 3600.0), ("next_at", 0.0), ("suppressed", 0)):
        monkeypatch.setattr(outage, name, fresh)
    parts = urlsplit(database_url)
    proxy = TcpProxy(parts.hostname, parts.port)
    await proxy.start()
    proxied = database_url.replace(f":{parts.port}/", f":{proxy.port}/")
    app = create_app(
        Settings(database_url=proxied, environment="test", secret_key=TEST_SECRET), background=False
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    paths = ("/api/v1/dishes/banh-da-cua", "/api/v1/search?q=banh", "/readyz")
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://test") as client,
        ):
            assert (await client.get(paths[0])).status_code == 200
            await proxy.stop()
            caplog.clear()
            caplog.set_level(logging.INFO)
            answers = [await client.get(path) for path in paths * 3]
            assert [r.status_code for r in answers] == [503] * 9
            assert all(
                r.json()["error"]["request_id"] == r.headers["x-request-id"] for r in answers
            )

            problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
            assert [r.getMessage().split(":")[0] for r in problems] == ["database unavailable"]
            assert not any(r.exc_info for r in caplog.records), "no traceback per request"
            assert len(access_records(caplog)) == 9  # the access lines still say what happened

            outage.next_at = 0  # the period has passed
            assert (await client.get(paths[0])).status_code == 503
            latest = [r for r in caplog.records if r.levelno >= logging.WARNING][-1]
            assert "(8 more since the last warning)" in latest.getMessage()

            metrics = await scrape(client)
            for route in ("/api/v1/dishes/{slug}", "/api/v1/search", "/readyz"):
                assert value(metrics, "foodtour_http_unavailable_total", route=route) >= 3, route
    finally:
        await proxy.stop()


# -- the real server ------------------------------------------------------------------------


def test_foodtour_run_writes_json_access_lines(database_url, seeded, tmp_path):
    """`foodtour run` with TOURISM_LOG_FORMAT=json: access lines on stdout, one JSON object
    each, and no access line of uvicorn's own."""
    env = {
        "TOURISM_DATABASE_URL": database_url,
        "TOURISM_ENVIRONMENT": "test",
        "TOURISM_SECRET_KEY": TEST_SECRET,
        "TOURISM_LOG_FORMAT": "json",
    }
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with serving(env, logs=tmp_path) as base:
        r = httpx.get(base + MISSING_EATERY, headers={"X-Request-ID": "from-the-proxy"})
        assert r.status_code == 404 and r.json()["error"]["request_id"] == "from-the-proxy"
    lines = [json.loads(line) for line in out.read_text().splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("request_id") == "from-the-proxy"]
    assert len(mine) == 1, out.read_text()
    assert mine[0]["logger"] == "tourism.access" and mine[0]["route"] == EATERY
    assert mine[0]["status"] == 404 and mine[0]["level"] == "INFO"
    assert not any(line["logger"] == "uvicorn.access" for line in lines)
    # uvicorn's own lines (startup) go to stderr, as JSON too
    startup = [json.loads(line) for line in err.read_text().splitlines() if line.startswith("{")]
    assert any(line["logger"].startswith("uvicorn") for line in startup), err.read_text()
