"""Every status the test suite's clients get, checked against the statuses the OpenAPI document
lists for the operation: a route that answers a status its contract does not list fails the run.

The `client` fixtures record each answer (an httpx response hook); at the end of the session
`unlisted()` matches each request to its operation by the document's path templates (the most
literal template first: `/eateries/nearby` before `/eateries/{eatery_id}`).
"""

import re
from collections.abc import Iterable
from typing import Any

import httpx

# Not an operation's: a method the path does not have, and the last-resort 500 (a bug, which
# the schemathesis run and the tests that cause one on purpose look at).
NOT_OPERATIONS = {405, 500}
SEEN: set[tuple[str, str, int]] = set()
# Error answers that are not the one `Error` shape: (method, path, status, why).
MISSHAPEN: set[tuple[str, str, int, str]] = set()


async def record(response: httpx.Response) -> None:
    method, path = response.request.method.lower(), response.request.url.path
    SEEN.add((method, path, response.status_code))
    if response.status_code >= 400 and path.startswith("/api/"):
        await response.aread()
        if (why := misshapen(response)) is not None:
            MISSHAPEN.add((method, path, response.status_code, why))


def misshapen(response: httpx.Response) -> str | None:
    """Why an error answer is not the `Error` schema's shape, or None when it is."""
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return "not {'error': ...}"
    if not isinstance(error.get("code"), str) or not isinstance(error.get("message"), str):
        return "code and message must be text"
    details = error.get("details")
    if details is not None and not (
        isinstance(details, list)
        and all(
            isinstance(d, dict)
            and isinstance(d.get("field"), str)
            and isinstance(d.get("message"), str)
            for d in details
        )
    ):
        return f"details must be a list of {{field, message}}: {details!r}"[:200]
    return None


def _templates(schema: dict[str, Any]) -> list[tuple[re.Pattern[str], str]]:
    templates = []
    for path in schema["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
        templates.append((re.compile(pattern + "$"), path))
    # fewest parameters first, then the longest literal text
    templates.sort(key=lambda t: (t[1].count("{"), -len(re.sub(r"\{[^}]+\}", "", t[1]))))
    return templates


def unlisted(
    schema: dict[str, Any], seen: Iterable[tuple[str, str, int]]
) -> list[tuple[str, str, int]]:
    """(method, path template, status) answered in `seen` that the document does not list."""
    templates = _templates(schema)
    missing = set()
    for method, path, status in seen:
        template = next((t for pattern, t in templates if pattern.match(path)), None)
        operation = schema["paths"].get(template, {}).get(method) if template else None
        if operation is None:
            continue  # not an operation of the API (pages, static files, an unknown path)
        if status not in NOT_OPERATIONS and str(status) not in operation["responses"]:
            missing.add((method, template, status))
    return sorted(missing)
