"""Conditional GET: one answer to `If-None-Match` for every cacheable response."""

from fastapi import Request, Response


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of `etag` against each tag of If-None-Match (or `*`)."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def not_modified(request: Request, etag: str, headers: dict[str, str]) -> Response | None:
    """A 304 with `headers` when the client's copy is current, else None."""
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return None
