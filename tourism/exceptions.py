"""Domain errors, the one table that maps them to HTTP, and the one JSON error shape.

Every error leaves as ``{"error": {"code": ..., "message": ..., "details": ...}}``, with the
request's ``"request_id"`` (tourism.observability) when it is answered in a request.
"""

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from tourism.languages import Message, current_language, localized, say, validation_message

log = logging.getLogger(__name__)
# The id of the request being answered (tourism.observability sets it; None outside a request):
# every error body carries it, so a client's report finds the server's log lines.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class DomainError(Exception):
    """Base of the errors services raise; they carry no HTTP."""

    code = "error"

    def __init__(self, message: Message, *, details: Any = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class InvalidInput(DomainError):
    """A value that passed the schema but not a domain rule; ``field`` names it."""

    code = "invalid"

    def __init__(self, field: str, message: Message) -> None:
        super().__init__(message, details=[{"field": field, "message": message}])
        self.field = field


class Gone(DomainError):
    """It existed and has been withdrawn (a deactivated QR code)."""

    code = "gone"


class ServiceUnavailable(DomainError):
    code = "service_unavailable"


class NotAuthenticated(DomainError):
    code = "not_authenticated"


class Forbidden(DomainError):
    code = "forbidden"


class RateLimited(DomainError):
    """Too many of an action in the window; try again in `retry_after` seconds."""

    code = "rate_limited"

    def __init__(self, message: Message, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Violation:
    """What breaking a named constraint means to a client."""

    message: Message
    field: str | None = None  # with `detail`, a conflict names the field; an invalid value must
    detail: Message | None = None
    conflict: bool = True  # 409; False: a value that refers to nothing (422 naming `field`)

    def error(self) -> DomainError:
        if not self.conflict:
            return InvalidInput(self.field or "request", self.message)
        details = [{"field": self.field, "message": self.detail}] if self.detail else None
        return Conflict(self.message, details=details)


# Constraint name -> its meaning; each models module declares its own (`on_violation`).
VIOLATIONS: dict[str, Violation] = {}


def on_violation(constraint: str, message: Message, **meaning: Message | str | bool | None) -> None:
    VIOLATIONS[constraint] = Violation(message, **meaning)


def translate_integrity_error(exc: BaseException) -> DomainError | None:
    """The domain error a unique, foreign-key or check violation stands for, or None.

    The one translation of integrity errors, from the engine (SQLAlchemy wraps asyncpg's) or the
    bare pools; services let violations happen and this names them (tourism.database.translating).
    """
    orig = getattr(exc, "orig", None)
    cause = getattr(orig, "__cause__", None) or orig or exc
    if not isinstance(cause, asyncpg.IntegrityConstraintViolationError):
        return None
    violation = VIOLATIONS.get(getattr(cause, "constraint_name", None) or "")
    if violation:
        return violation.error()
    if cause.sqlstate == "23503":  # a foreign key: what it names does not exist
        return InvalidInput("request", REFERS_TO_NOTHING)
    if cause.sqlstate == "23514":  # a check constraint the schemas did not catch first
        return InvalidInput(
            "request",
            say("a value breaks a rule of the data", "một giá trị vi phạm quy tắc của dữ liệu"),
        )
    return Conflict(
        say("this conflicts with data that exists", "điều này xung đột với dữ liệu đã có")
    )


STATUS = {
    RateLimited: 429,
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    InvalidInput: 422,
    ServiceUnavailable: 503,
}
RETRY_AFTER_SECONDS = "5"
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
HTTP_MESSAGES = {
    404: say("Not Found", "Không tìm thấy"),
    405: say("Method Not Allowed", "Phương thức không được hỗ trợ"),
}
REFERS_TO_NOTHING = say(
    "it refers to something that does not exist", "nó trỏ tới thứ không tồn tại"
)
OUT_OF_RANGE = say(
    "a value is out of range or malformed", "một giá trị nằm ngoài khoảng hoặc sai dạng"
)
INTERNAL_ERROR = say("internal server error", "lỗi máy chủ")
UNREADABLE_BODY = say(
    "the body could not be read: send UTF-8 JSON (or the form the operation documents)",
    "không đọc được nội dung yêu cầu: hãy gửi JSON UTF-8 (hoặc biểu mẫu mà thao tác yêu cầu)",
)


def status_of(exc: DomainError) -> int:
    """The one status map, for the handlers and for routes that answer errors themselves."""
    return next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)


def domain_error_response(exc: DomainError, headers: dict | None = None) -> JSONResponse:
    status = status_of(exc)
    extra = {
        503: {"Retry-After": RETRY_AFTER_SECONDS},
        401: {"WWW-Authenticate": "Bearer"},
        429: {"Retry-After": str(getattr(exc, "retry_after", ""))},
    }.get(status)
    return error_response(
        status, exc.code, exc.message, exc.details, {**(extra or {}), **(headers or {})}
    )


def error_response(
    status: int,
    code: str,
    message: Message | str,
    details: Any = None,
    headers: dict | None = None,
) -> JSONResponse:
    """The one error body, its messages in the request's language (tourism.languages)."""
    error = {"code": code, "message": localized(message), "details": localized(details)}
    if (request_id := request_id_var.get()) is not None:
        error["request_id"] = request_id
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def _field_name(loc: tuple | list) -> str:
    # ("query", "lat") -> "lat"; ("body", "menu", 0, "price_vnd") -> "menu.0.price_vnd"
    # Only the first part says where the value came from: a body field may be named "query".
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("query", "path", "body", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "request"


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    language = current_language()
    return [
        {"field": _field_name(err.get("loc", ())), "message": validation_message(err, language)}
        for err in exc.errors()
    ]


# SQLSTATE classes that mean "the database cannot serve now", not "the request is wrong":
# 08 connection exception, 53 insufficient resources, 57 operator intervention (57014: a query
# cancelled by statement_timeout), 58 system error.
UNAVAILABLE_SQLSTATES = ("08", "53", "57", "58")
# Two writers met (deadlock detected, serialization failure): the request may simply be retried.
CONTENTION_SQLSTATES = ("40P01", "40001")
# What the database layer raises, from the engine (SQLAlchemy) or the bare pools (asyncpg), and
# what a connection that breaks mid-request raises. Handled by type, never by the catch-all.
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.DBAPIError,
    sa_exc.TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # "cannot switch to state 12": a connection broken mid-use
    OSError,
    TimeoutError,
)


def _sqlstate(exc: BaseException) -> str:
    if isinstance(exc, asyncpg.PostgresError):
        return exc.sqlstate or ""
    orig = getattr(exc, "orig", None)
    return (
        getattr(orig, "sqlstate", None)
        or getattr(getattr(orig, "__cause__", None), "sqlstate", None)
        or ""
    )


def _is_unavailable(exc: BaseException) -> bool:
    """The database is down, unreachable, overloaded or too slow: worth a retry later."""
    if isinstance(
        exc,
        (
            OSError,
            TimeoutError,
            sa_exc.TimeoutError,
            asyncpg.InterfaceError,
            asyncpg.InternalClientError,
        ),
    ):
        return True
    if isinstance(exc, asyncpg.PostgresError):  # from the bare pools (tourism.database)
        return _sqlstate(exc).startswith(UNAVAILABLE_SQLSTATES)
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, sa_exc.InterfaceError):
        return True
    if sqlstate := _sqlstate(exc):
        return sqlstate.startswith(UNAVAILABLE_SQLSTATES)
    orig = exc.orig
    name = type(orig).__name__ if orig else ""
    return any(
        word in name
        for word in ("Connection", "CannotConnect", "Shutdown", "Timeout", "InternalClient")
    )


class OutageLog:
    """One warning line per period while the database is unavailable, not one per request.

    The first failure is logged at once; later ones in the same period are counted and the
    count is logged with the next failure after the period.
    """

    def __init__(self, period_s: float = 30.0) -> None:
        self.period_s = period_s
        self.next_at = 0.0
        self.suppressed = 0

    def warn(self, exc: BaseException) -> None:
        now = time.monotonic()
        if now < self.next_at:
            self.suppressed += 1
            return
        more = f" ({self.suppressed} more since the last warning)" if self.suppressed else ""
        log.warning("database unavailable: %s: %s%s", type(exc).__name__, exc, more)
        self.next_at, self.suppressed = now + self.period_s, 0


outage_log = OutageLog()


def unavailable_response() -> JSONResponse:
    return error_response(
        503,
        "service_unavailable",
        say(
            "the database is unavailable; try again shortly",
            "cơ sở dữ liệu đang không sẵn sàng; vui lòng thử lại sau ít phút",
        ),
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def database_error_response(exc: BaseException) -> JSONResponse:
    """The answer to an error from the database layer that no service translated."""
    if _is_unavailable(exc):
        outage_log.warn(exc)
        return unavailable_response()
    sqlstate = _sqlstate(exc)
    if sqlstate in CONTENTION_SQLSTATES:
        log.warning("write contention (%s): %s", sqlstate, exc)
        return error_response(
            409,
            "conflict",
            say(
                "another change to the same thing was being saved; try again",
                "một thay đổi khác cho cùng dữ liệu đang được lưu; vui lòng thử lại",
            ),
            headers={"Retry-After": "1"},
        )
    if (domain := translate_integrity_error(exc)) is not None:
        return domain_error_response(domain)
    if sqlstate.startswith("22"):  # a value the schemas let through and PostgreSQL refused
        log.warning("data exception (%s): %s", sqlstate, exc)
        return error_response(422, "invalid", OUT_OF_RANGE)
    log.error("database error", exc_info=exc)
    return error_response(500, "internal_error", INTERNAL_ERROR)


def slash_redirect(request: Request) -> Response | None:
    """A redirect to the same path with or without its trailing slash, where that one exists.

    Starlette's own (`redirect_slashes`, off in this app) writes an absolute URL from the
    request's Host header, which a client chooses (`Host: evil.example`). This one answers a
    relative reference, so it never leaves the host the client asked.
    """
    path = request.url.path
    if path == "/":
        return None
    other = path.rstrip("/") if path.endswith("/") else path + "/"
    if not other.startswith("/") or other.startswith("//"):  # "//host" would leave this site
        return None
    scope = {**request.scope, "path": other}
    if not any(route.matches(scope)[0] is not Match.NONE for route in request.app.router.routes):
        return None
    query = request.url.query
    return RedirectResponse(quote(other) + (f"?{query}" if query else ""), status_code=307)


# Never pages: what these paths answer is for programs, whatever the client accepts.
MACHINE_PATHS = ("/api/", "/gbfs/", "/static/", "/openapi.json", "/metrics")


def error_page(request: Request, status: int, *, target: str | None = None) -> Response | None:
    """The web site's page for a 404 or 410, when a browser navigated here (it accepts HTML)
    and the web pages are installed (`app.state.error_page`, set by tourism.web); else None."""
    render = getattr(request.app.state, "error_page", None)
    if render is None or request.url.path.startswith(MACHINE_PATHS):
        return None
    if "text/html" not in request.headers.get("accept", ""):
        return None
    return render(status, target)


def install_handlers(app: FastAPI) -> None:
    """Render every error, expected or not, in the one shape."""

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return domain_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        fields = ", ".join(dict.fromkeys(d["field"] for d in details))
        message = say(f"invalid value for: {fields}", f"giá trị không hợp lệ: {fields}")
        return error_response(422, "invalid", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and (redirect := slash_redirect(request)) is not None:
            return redirect
        if exc.status_code == 404 and (page := error_page(request, 404)) is not None:
            return page
        if exc.status_code == 400:  # FastAPI could not read the body (not UTF-8, not JSON)
            return error_response(
                422, "invalid", UNREADABLE_BODY, [{"field": "body", "message": UNREADABLE_BODY}]
            )
        code = HTTP_CODES.get(exc.status_code, "http_error")
        message = (
            getattr(exc, "message", None) or HTTP_MESSAGES.get(exc.status_code) or str(exc.detail)
        )
        details = [{"field": "body", "message": message}] if exc.status_code == 413 else None
        headers = (
            {**(exc.headers or {}), "Connection": "close"}
            if exc.status_code == 413
            else exc.headers
        )
        return error_response(exc.status_code, code, message, details, headers)

    # Handled by type in the app's exception middleware: the answer goes out and the connection
    # stays open. (A handler for `Exception` would run in Starlette's ServerErrorMiddleware,
    # which re-raises: uvicorn then drops the keep-alive connection. The last-resort answer to
    # anything else is tourism.guard.)
    async def database_error(_: Request, exc: Exception) -> JSONResponse:
        return database_error_response(exc)

    for error_type in DATABASE_ERRORS:
        app.add_exception_handler(error_type, database_error)
