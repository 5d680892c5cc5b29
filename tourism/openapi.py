"""The API's contract as clients read it: the one error schema, and the errors every operation
lists.

Routes name the errors their own logic answers (`errors(404, 409)`). What follows from the
route's shape is added here, read from the route itself, so the two cannot drift:
- 422 for an operation with parameters or a body (with the one error schema, not FastAPI's);
- 401 for one that needs a login, 403 when only some roles may call it (`require_role`);
- 413 for one that takes a body; 503 for one that reads the database.
"""

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from tourism.paging import PAGE_HEADERS

F = TypeVar("F", bound=Callable[..., Any])


class ErrorDetail(BaseModel):
    field: str = Field(description="The parameter or body field at fault, dotted for nesting")
    message: str = Field(description="What is wrong with it, in the request's language")


class ErrorInfo(BaseModel):
    code: str = Field(
        description="Stable and machine-readable: `invalid`, `not_authenticated`, `forbidden`, "
        "`not_found`, `conflict`, `gone`, `too_large`, `rate_limited`, `service_unavailable`, "
        "`method_not_allowed`, `internal_error`"
    )
    message: str = Field(description="For people, in the request's language (`Content-Language`)")
    details: list[ErrorDetail] | None = Field(
        description="One entry per field at fault; null when no field is"
    )
    request_id: str | None = Field(
        default=None, description="The request's `X-Request-ID`: quote it when reporting a fault"
    )


class Error(BaseModel):
    """Every error this API answers, whatever its status."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "error": {
                    "code": "invalid",
                    "message": "invalid value for: lat",
                    "details": [
                        {"field": "lat", "message": "Input should be less than or equal to 90"}
                    ],
                    "request_id": "4bf92f3577b34da6",
                }
            }
        }
    )

    error: ErrorInfo


# What each status means here, as the contract says it.
MEANINGS: dict[int, str] = {
    401: "Not logged in, or the token is invalid, expired or revoked (`WWW-Authenticate: Bearer`)",
    403: "Logged in, but this account's role or relation to the thing may not do this",
    404: "What the path names does not exist (or is not public)",
    409: "Conflicts with the current state (a duplicate, or another change saved at the same "
    "time: retry after `Retry-After`)",
    410: "It existed and has been withdrawn",
    413: "The body is larger than the limit (1 MB by default); the connection is closed",
    422: "A parameter or body field is invalid, or the body cannot be read; `details` names "
    "each one",
    431: "The request line and headers are larger than the limit (64 KB by default); the "
    "connection is closed. Any operation may answer it",
    429: "Too many of this action from this client or on this account; retry after "
    "`Retry-After` seconds",
    503: "The database is unavailable or too busy; retry after `Retry-After` seconds",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}
HEADERS = {
    401: {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    409: RETRY_AFTER,
    429: RETRY_AFTER,
    503: RETRY_AFTER,
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for the errors a route's own logic answers, each with the one schema."""
    return {status: {"model": Error, "description": MEANINGS[status]} for status in statuses}


# -- what follows from a route's shape ----------------------------------------------------------


def uses_database(dependency: F) -> F:
    """Marks a dependency that reaches the database: its routes may answer 503."""
    dependency.uses_database = True  # type: ignore[attr-defined]
    return dependency


def needs_login(dependency: F) -> F:
    """Marks a dependency that reads the bearer token: its routes may answer 401."""
    dependency.needs_login = True  # type: ignore[attr-defined]
    return dependency


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def implied_errors(route: Any) -> set[int]:
    """The statuses a route answers because of what it depends on."""
    statuses: set[int] = set()
    calls = list(_calls(route.dependant))
    if any(getattr(call, "needs_login", False) for call in calls):
        statuses.add(401)
    if any(getattr(call, "roles", None) for call in calls):
        statuses.add(403)
    if any(getattr(call, "uses_database", False) for call in calls):
        statuses.add(503)
    if route.body_field is not None:
        statuses.add(413)
    return statuses


def roles_of(route: Any) -> tuple[str, ...]:
    """The roles that may call the route, when only some may."""
    for call in _calls(route.dependant):
        if roles := getattr(call, "roles", None):
            return tuple(roles)
    return ()


# One example per status, so that each error in the documents reads as what it is.
EXAMPLES: dict[int, tuple[str, str, list[dict[str, str]] | None]] = {
    401: ("not_authenticated", "log in first: send `Authorization: Bearer <token>`", None),
    403: ("forbidden", "your account may not do this", None),
    404: ("not_found", "no eatery with id 12", None),
    409: ("conflict", "another change to the same thing was being saved; try again", None),
    410: ("gone", "this QR code has been turned off", None),
    413: ("too_large", "the request body is larger than 1048576 bytes", None),
    422: (
        "invalid",
        "invalid value for: lat",
        [{"field": "lat", "message": "Input should be less than or equal to 90"}],
    ),
    429: ("rate_limited", "too many reviews: at most 10 an hour", None),
    431: ("too_large", "the request line and headers are too large", None),
    503: ("service_unavailable", "the database is unavailable; try again shortly", None),
}


def _example(status: int) -> dict[str, Any]:
    code, message, details = EXAMPLES[status]
    error: dict[str, Any] = {"code": code, "message": message, "details": details}
    if status != 431:  # answered by the server before the app: no request id
        error["request_id"] = "4bf92f3577b34da6"
    return {"error": error}


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": MEANINGS[status],
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "example": _example(status),
            }
        },
    }
    if status in HEADERS:
        response["headers"] = HEADERS[status]
    return response


def complete(schema: dict[str, Any], routes: list[Any]) -> dict[str, Any]:
    """`schema` with every operation's implied errors listed in the one error schema."""
    by_operation = {
        (method.lower(), route.path_format): route for route in routes for method in route.methods
    }
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            route = by_operation.get((method, path))
            responses = operation.setdefault("responses", {})
            statuses = implied_errors(route) if route else set()
            statuses.add(431)  # the server's bound on a request head (tourism.server)
            if "422" in responses or operation.get("parameters") or operation.get("requestBody"):
                statuses.add(422)
            for status in statuses:
                responses[str(status)] = _error_response(status)
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response.setdefault("headers", {}).update(HEADERS.get(int(status), {}))
                    response["content"] = _error_response(int(status))["content"]
            for parameter in operation.get("parameters", []):
                # Swagger UI fills "Try it out" from a parameter's own `example`
                examples = parameter.get("schema", {}).get("examples")
                if examples and "example" not in parameter:
                    parameter["example"] = examples[0]
            parameters = {p.get("name") for p in operation.get("parameters", [])}
            if "cursor" in parameters and "200" in responses:
                responses["200"].setdefault("headers", {}).update(PAGE_HEADERS)
            if route and (roles := roles_of(route)):
                operation["description"] = (
                    operation.get("description", "").rstrip()
                    + f"\n\n**Who may call it:** {', '.join(roles)}."
                ).lstrip()
    return schema


def api_routes(app: FastAPI) -> list[Any]:
    """Every operation's route as it is served (prefix and router dependencies included)."""
    contexts = getattr(routing, "iter_route_contexts", None)  # FastAPI >= 0.16x includes lazily
    routes = list(contexts(app.routes)) if contexts else app.routes
    return [r for r in routes if isinstance(getattr(r, "original_route", r), APIRoute)]


# Schemas routes reference by `$ref` that no pydantic model makes (the official GBFS schemas):
# functions answering {component name: schema}, added by the module that owns them.
EXTRA_COMPONENTS: list[Callable[[], dict[str, dict[str, Any]]]] = []


def install_openapi(app: FastAPI, *, description: str) -> None:
    """`app.openapi()` with the error component and every operation's errors, made once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=description,
                routes=app.routes,
                tags=TAGS,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Error"] = Error.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            for name, definition in components["Error"].pop("$defs", {}).items():
                components.setdefault(name, definition)
            for make in EXTRA_COMPONENTS:
                for name, definition in make().items():
                    components.setdefault(name, definition)
            app.openapi_schema = complete(schema, api_routes(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


TAGS: list[dict[str, str]] = [
    {"name": "search", "description": "Find a dish, even typed without diacritics"},
    {"name": "eateries", "description": "Eateries near a point, in a box, and in full"},
    {"name": "dishes", "description": "The dish catalogue and who serves each dish"},
    {"name": "tours", "description": "An afternoon of dishes on foot or by public bike"},
    {"name": "reviews", "description": "Ratings and reviews, and vendors' replies"},
    {"name": "bike share", "description": "TNGo stations with live bikes and docks"},
    {"name": "map tiles", "description": "Eateries as Mapbox vector tiles"},
    {"name": "open data", "description": "The catalogue as files under an open licence"},
    {"name": "accounts", "description": "Register, log in, change a password, leave"},
    {"name": "vendors", "description": "Vendors keep their eateries' menus, prices and hours"},
    {"name": "moderation", "description": "Staff moderate reviews"},
    {"name": "administration", "description": "Staff manage accounts, eateries and dishes"},
    {"name": "qr codes", "description": "QR campaigns: codes, posters, scans"},
    {"name": "GBFS v3.0", "description": "The bike-share feed, as the GBFS v3.0 standard"},
    {"name": "ops", "description": "Liveness and readiness"},
]
