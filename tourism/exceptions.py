"""Domain errors, the one table that maps them to HTTP, and the one JSON error shape.

Every error leaves as ``{"error": {"code": ..., "message": ..., "details": ...}}``.
"""

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of the errors services raise; they carry no HTTP."""

    code = "error"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class InvalidInput(DomainError):
    """A value that passed the schema but not a domain rule; ``field`` names it."""

    code = "invalid"

    def __init__(self, field: str, message: str) -> None:
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

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


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


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_name(loc: tuple | list) -> str:
    # ("query", "lat") -> "lat"; ("body", "menu", 0, "price_vnd") -> "menu.0.price_vnd"
    # Only the first part says where the value came from: a body field may be named "query".
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("query", "path", "body", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "request"


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"field": _field_name(err.get("loc", ())), "message": err.get("msg", "invalid")}
        for err in exc.errors()
    ]


# SQLSTATE classes that mean "the database cannot serve now", not "the request is wrong":
# 08 connection exception, 53 insufficient resources, 57 operator intervention (57014: a query
# cancelled by statement_timeout), 58 system error.
UNAVAILABLE_SQLSTATES = ("08", "53", "57", "58")


def _is_unavailable(exc: BaseException) -> bool:
    """The database is down, unreachable, overloaded or too slow: worth a retry later."""
    if isinstance(exc, (OSError, TimeoutError, sa_exc.TimeoutError, asyncpg.InterfaceError)):
        return True
    if isinstance(exc, asyncpg.PostgresError):  # from the bare pools (tourism.database)
        return (exc.sqlstate or "").startswith(UNAVAILABLE_SQLSTATES)
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, sa_exc.InterfaceError):
        return True
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(
        getattr(orig, "__cause__", None), "sqlstate", None
    )
    if sqlstate:
        return sqlstate.startswith(UNAVAILABLE_SQLSTATES)
    name = type(orig).__name__ if orig else ""
    return any(word in name for word in ("Connection", "CannotConnect", "Shutdown", "Timeout"))


def install_handlers(app: FastAPI) -> None:
    """Render every error, expected or not, in the one shape."""

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        headers = {
            503: {"Retry-After": RETRY_AFTER_SECONDS},
            401: {"WWW-Authenticate": "Bearer"},
            429: {"Retry-After": str(getattr(exc, "retry_after", ""))},
        }.get(status)
        return error_response(status, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        fields = ", ".join(dict.fromkeys(d["field"] for d in details))
        return error_response(422, "invalid", f"invalid value for: {fields}", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), None, exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        if _is_unavailable(exc):
            log.warning("database unavailable: %s", exc)
            return error_response(
                503,
                "service_unavailable",
                "the database is unavailable; try again shortly",
                headers={"Retry-After": RETRY_AFTER_SECONDS},
            )
        log.exception("unhandled error")
        return error_response(500, "internal_error", "internal server error")
