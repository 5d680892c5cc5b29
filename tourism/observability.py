"""What an operator sees: a request id, one access line per request, JSON logs, and Prometheus
metrics at /metrics.

`Observe` is a pure ASGI middleware (no BaseHTTPMiddleware: that would buffer and cost a task per
request), the outermost of the app's own. It takes the client's `X-Request-ID` when it is a sane
token or makes one, keeps it in a context variable for the length of the request (error bodies
and log records read it there), echoes it in the response, and after the app has answered logs
one line on `tourism.access` and counts the request by its route template, read from the route
the router matched (`scope["route"]`), never the raw path: a path per eatery would make a metric
per eatery.

Metrics are per worker: each process has its own registry and a scrape sees the worker that
answered it (Prometheus' multiprocess mode is not used). Database pools and caches are read at
scrape time from the app's Resources.
"""

import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
)
from prometheus_client import generate_latest as render_metrics
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tourism.config import Settings, parse_networks
from tourism.exceptions import Forbidden, request_id_var
from tourism.languages import say
from tourism.proxies import Network, is_trusted, resolve_client

access_log = logging.getLogger("tourism.access")

REQUEST_ID_HEADER = b"x-request-id"
# What a client's X-Request-ID may be to be kept (it goes into logs and headers as it is).
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

UNMATCHED = "<unmatched>"  # no route: one label for every unknown path
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds; most answers here take a few milliseconds, a tour plan up to the solver's cap.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# The fields of an access line, as JSON keys and as LogRecord attributes.
ACCESS_FIELDS = ("method", "route", "status", "duration_ms", "request_id")


def current_request_id() -> str | None:
    """The id of the request being answered, or None outside a request."""
    return request_id_var.get()


def accepted_request_id(value: bytes | None) -> str:
    """The client's id when it is a sane token, else a new one."""
    if value is not None:
        text = value.decode("latin-1")
        if SANE_REQUEST_ID.fullmatch(text):
            return text
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """`/api/v1/eateries/{eatery_id}`: the matched route's path, not the one asked for.

    A route of an included router knows its path below the router's prefix only (FastAPI does
    not copy routes into the app): the prefix is the part of the path its pattern leaves over.
    """
    route = scope.get("route")
    if route is None:
        return UNMATCHED
    template = getattr(route, "path_format", None) or getattr(route, "path", None) or UNMATCHED
    pattern = getattr(route, "path_regex", None)
    path = scope.get("path", "")
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    if pattern is None or pattern.match(path):
        return template
    for at, char in enumerate(path):
        if char == "/" and at and pattern.match(path[at:]):
            return path[:at] + template
    return template


# -- logs ---------------------------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in ACCESS_FIELDS:
            if (value := getattr(record, field, None)) is not None:
                line[field] = value
        if "request_id" not in line and (request_id := request_id_var.get()):
            line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message`, with the request id of records logged during a request."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        return f"{text} request_id={request_id}" if request_id else text


class AccessOnly(logging.Filter):
    def __init__(self, keep: bool) -> None:
        super().__init__()
        self.keep = keep

    def filter(self, record: logging.LogRecord) -> bool:
        return (record.name == access_log.name) == self.keep


def logging_config(log_format: str) -> dict[str, Any]:
    """uvicorn's `log_config` for `foodtour run`: access lines on stdout, every other record
    (the app's and uvicorn's) on stderr, both in `log_format` (text or json). uvicorn's own
    access log stays off (`access_log=False`): ours replaces it."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    stream = {"class": "logging.StreamHandler", "formatter": "main"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "filters": {
            "access": {"()": f"{__name__}.AccessOnly", "keep": True},
            "others": {"()": f"{__name__}.AccessOnly", "keep": False},
        },
        "handlers": {
            "access": {**stream, "stream": "ext://sys.stdout", "filters": ["access"]},
            "others": {**stream, "stream": "ext://sys.stderr", "filters": ["others"]},
        },
        "root": {"handlers": ["access", "others"], "level": "INFO"},
        "loggers": {
            # uvicorn's loggers carry no handlers of their own here: their records reach root.
            "uvicorn": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.error": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


# -- metrics ------------------------------------------------------------------------------------


class ResourcesCollector(Collector):
    """Pool usage and cache hits, read from the app's Resources when Prometheus scrapes."""

    def __init__(self, resources: Callable[[], Any]) -> None:
        self.resources = resources

    def collect(self) -> Iterator[Metric]:
        resources = self.resources()
        if resources is None:  # before the lifespan opened them
            return
        checked_out = GaugeMetricFamily(
            "foodtour_db_pool_checked_out", "Connections in use, per pool", labels=["pool"]
        )
        opened = GaugeMetricFamily(
            "foodtour_db_pool_open", "Connections open (in use or idle), per pool", labels=["pool"]
        )
        size = GaugeMetricFamily(
            "foodtour_db_pool_size", "Most connections the pool may open", labels=["pool"]
        )
        settings = resources.settings
        for name, engine in (("write", resources.engine), ("read", resources.read_engine)):
            pool = engine.pool
            in_use = pool.checkedout()
            checked_out.add_metric([name], in_use)
            opened.add_metric([name], in_use + pool.checkedin())
            size.add_metric([name], settings.pool_size + settings.pool_max_overflow)
        for name, pool in (("search", resources.search_pool), ("scans", resources.scans.pool)):
            current = pool.get_size()
            checked_out.add_metric([name], current - pool.get_idle_size())
            opened.add_metric([name], current)
            size.add_metric([name], pool.get_max_size())
        yield from (checked_out, opened, size)

        hits = CounterMetricFamily("foodtour_cache_hits", "Cache hits, per cache", labels=["cache"])
        misses = CounterMetricFamily(
            "foodtour_cache_misses", "Cache misses, per cache", labels=["cache"]
        )
        for name, cache in (
            ("search", resources.query_cache),
            ("suggest", resources.suggest_cache),
            ("tiles", resources.tile_cache),
        ):
            hits.add_metric([name], cache.hits)
            misses.add_metric([name], cache.misses)
        yield from (hits, misses)


class Metrics:
    """One registry per app (so per worker), with the request metrics and the resources'."""

    def __init__(self, resources: Callable[[], Any]) -> None:
        self.registry = CollectorRegistry()
        labels = ["method", "route", "status"]
        self.requests = Counter(
            "foodtour_http_requests",
            "Requests answered, per method, route template and status class",
            labels,
            registry=self.registry,
        )
        self.latency = Histogram(
            "foodtour_http_request_duration_seconds",
            "Time to answer, per method, route template and status class",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.unavailable = Counter(
            "foodtour_http_unavailable",
            "503 answers (the database unavailable, or overloaded), per route template",
            ["route"],
            registry=self.registry,
        )
        self.registry.register(ResourcesCollector(resources))
        # the process's memory, CPU and open files; Python's GC and version
        for collector in (PROCESS_COLLECTOR, GC_COLLECTOR, PLATFORM_COLLECTOR):
            self.registry.register(collector)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method if method in METHODS else "other", route, f"{status // 100}xx")
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)
        if status == 503:
            self.unavailable.labels(route).inc()

    def render(self) -> bytes:
        return render_metrics(self.registry)


# -- the middleware -----------------------------------------------------------------------------


class Observe:
    """A request id for every request, one access line and the request metrics after it."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == REQUEST_ID_HEADER), None)
        request_id = accepted_request_id(given)
        echo = (REQUEST_ID_HEADER, request_id.encode())
        status = 500  # what the client gets if the app raises before answering
        token = request_id_var.set(request_id)
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *(h for h in message.get("headers", ()) if h[0].lower() != REQUEST_ID_HEADER),
                    echo,
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method, route = scope["method"], route_template(scope)
            self.metrics.observe(method, route, status, seconds)
            duration_ms = round(seconds * 1000, 2)
            access_log.info(
                "%s %s %d %.2fms",
                method,
                route,
                status,
                duration_ms,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": duration_ms,
                    "request_id": request_id,
                },
            )
            request_id_var.reset(token)


# -- /metrics -----------------------------------------------------------------------------------


def parse_allow(text: str) -> tuple[Network, ...]:
    """TOURISM_METRICS_ALLOW: `127.0.0.1, ::1, 10.0.0.0/8`."""
    return parse_networks(text, "TOURISM_METRICS_ALLOW")


def metrics_permitted(request: Request, settings: Settings) -> bool:
    """The Bearer token, when one is set, or a client address in the allow-list.

    The client is the one tourism.proxies resolves: behind a trusted proxy, whom it names, so a
    proxy on this host does not open /metrics to everyone it forwards.
    """
    expected = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    if expected:  # an empty token is no token
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), expected.encode()
        ):
            return True
    client = resolve_client(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        settings.trusted_networks,
    )
    return is_trusted(client, parse_allow(settings.metrics_allow))


def install_observability(app: FastAPI, settings: Settings) -> Metrics:
    """The middleware (add it last: outermost) and /metrics (not in the OpenAPI schema)."""
    metrics = Metrics(lambda: getattr(app.state, "resources", None))
    app.add_middleware(Observe, metrics=metrics)
    parse_allow(settings.metrics_allow)  # a bad list is said at startup

    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint(request: Request) -> Response:
        if not metrics_permitted(request, settings):
            raise Forbidden(
                say(
                    "metrics need the token or an allowed client address",
                    "số liệu vận hành cần mã truy cập hoặc một địa chỉ được phép",
                )
            )
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    app.state.metrics = metrics
    return metrics
