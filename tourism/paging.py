"""One paging style for every list: `limit`, an opaque `cursor`, `next_cursor` and `total`.

Underneath a cursor is a keyset: the sort key of the last item a page gave, so the next page
starts after it however many rows were inserted or deleted before it. It is signed with the
app's secret (and accepted under a previous key during a rotation), bound to the list and the
filters it was made for, and lives a day. The answer says where the next page is in
`next_cursor` and in a `Link: <...>; rel="next"` header.

`offset` (and the audit's `before`) still work for one release, answering a `Deprecation`
header (README, "Versioning").
"""

import base64
import binascii
import hashlib
import hmac
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

import orjson
from fastapi import Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, and_, or_

from tourism.exceptions import InvalidInput
from tourism.languages import say
from tourism.schemas import MAX_ID

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_CURSOR = 600
MAX_OFFSET = 10_000
CURSOR_LIFETIME = timedelta(days=1)
CLOCK_SKEW = timedelta(minutes=1)
SIGNATURE_BYTES = 16
# The cursor of the documents' examples: the shape of one, signed by no key.
CURSOR_EXAMPLE = "eyJrIjpbMTJdLCJmIjoiYjFmMiIsInQiOiIyMDI2LTEyLTAxIn0.q1Vd9mZ0mK3n"
# Query parameters that do not change which items a list holds, only which page or language.
NOT_FILTERS = frozenset({"cursor", "limit", "offset", "before", "lang"})
# When `offset` and `before` stop working: a date a client can plan for (README, "Versioning").
SUNSET = "Tue, 01 Jun 2027 00:00:00 GMT"

NOT_A_CURSOR = say("not a cursor this API gave out", "không phải con trỏ trang do API này cấp")
OTHER_LIST = say(
    "the cursor belongs to another list or other filters",
    "con trỏ trang thuộc về danh sách hoặc bộ lọc khác",
)
EXPIRED = say(
    "the cursor has expired; ask for the first page again",
    "con trỏ trang đã hết hạn; hãy lấy lại trang đầu",
)

LimitQuery = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_LIMIT,
        description=f"Items per page, 1 to {MAX_LIMIT}",
        examples=[DEFAULT_LIMIT],
    ),
]
CursorQuery = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR,
        description="The previous page's `next_cursor`, to get the page after it; omit it "
        "for the first page. Opaque, valid for a day, and only with the same filters.",
        examples=[
            "eyJrIjpbMTJdLCJmIjoiYjFmMiIsInQiOiIyMDI2LTEyLTAxIn0.q1Vd9mZ0mK3n"
        ],  # CURSOR_EXAMPLE
    ),
]
OffsetQuery = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_OFFSET,
        deprecated=True,
        description="Deprecated: use `cursor`. Items to skip; answered with a `Deprecation` "
        "header until it is removed.",
        examples=[0],
    ),
]

# -- signing -------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: bytes, secret: bytes, context: bytes) -> bytes:
    return hmac.new(secret, context + payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]


def sign(payload: bytes, *, secret: bytes, context: bytes) -> str:
    """`base64(payload).base64(signature)`; `context` keeps one use's tokens from another's."""
    return f"{_b64(payload)}.{_b64(_signature(payload, secret, context))}"


def verified(
    token: str, *, secrets: Sequence[bytes], context: bytes, field: str = "cursor"
) -> bytes:
    """The payload `token` signs with one of `secrets`, or InvalidInput naming `field`."""
    try:
        encoded, _, signature = token.partition(".")
        payload, given = _unb64(encoded), _unb64(signature)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(field, NOT_A_CURSOR) from exc
    if not any(hmac.compare_digest(given, _signature(payload, s, context)) for s in secrets):
        raise InvalidInput(field, NOT_A_CURSOR)
    return payload


def secrets_of(request: Request) -> tuple[bytes, ...]:
    """The app's signing key first, then the keys of a rotation window."""
    settings = request.app.state.resources.settings
    return tuple(key.encode() for key in settings.verification_keys)


# -- the list's side ----------------------------------------------------------------------------

KEY_TYPES = (int, float, str, datetime)
LIST_CONTEXT = b"foodtour list cursor\x00"


def _fingerprint(request: Request) -> str:
    route = request.scope.get("route")
    filters = sorted((k, v) for k, v in request.query_params.multi_items() if k not in NOT_FILTERS)
    text = orjson.dumps([getattr(route, "path", request.url.path), request.path_params, filters])
    return hashlib.sha256(text).hexdigest()[:16]


def _key_value(value: Any, kind: type) -> Any:
    if kind is datetime:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        if parsed is None or parsed.tzinfo is None:
            raise ValueError
        return parsed
    if kind is float and type(value) in (int, float) and math.isfinite(value):
        return float(value)
    if kind is int and type(value) is int and -MAX_ID <= value <= MAX_ID:
        return value
    if kind is str and isinstance(value, str) and len(value) <= 300:
        return value
    raise ValueError


@dataclass(frozen=True)
class Paging:
    """One request's page: how many, after which key (from `cursor`), or the old `offset`."""

    request: Request
    limit: int
    after: tuple[Any, ...] | None
    offset: int
    fingerprint: str
    deprecated: tuple[str, ...] = ()

    def cursor(self, key: Sequence[Any]) -> str:
        payload = orjson.dumps(
            {"k": list(key), "f": self.fingerprint, "t": datetime.now(UTC).isoformat()},
        )
        return sign(payload, secret=secrets_of(self.request)[0], context=LIST_CONTEXT)

    def next_cursor(self, items: Sequence[Any], key_of: Any) -> str | None:
        """A cursor after the last of `items` when the list has more (`items` holds one
        more than `limit`: trim it with `trim`)."""
        if len(items) <= self.limit:
            return None
        return self.cursor(key_of(items[self.limit - 1]))

    def trim(self, items: Sequence[Any]) -> list[Any]:
        return list(items[: self.limit])

    def headers(self, next_cursor: str | None) -> dict[str, str]:
        """`Link` to the next page; `Deprecation` and `Sunset` when an old parameter was used."""
        headers: dict[str, str] = {}
        links = []
        if next_cursor is not None:
            query = [
                (k, v)
                for k, v in self.request.query_params.multi_items()
                if k not in ("cursor", "offset", "before")
            ]
            query.append(("cursor", next_cursor))
            links.append(f'<{self.request.url.path}?{urlencode(query)}>; rel="next"')
        if self.deprecated:
            headers["Deprecation"] = "true"
            headers["Sunset"] = SUNSET
            links.append('</docs#versioning>; rel="deprecation"')
        if links:
            headers["Link"] = ", ".join(links)
        return headers

    def answer(
        self,
        response: Response,
        items: Sequence[Any],
        *,
        next_cursor: str | None,
        total: int | None = None,
        total_exact: bool = True,
    ) -> dict[str, Any]:
        """The page's body; its headers go on `response`."""
        response.headers.update(self.headers(next_cursor))
        return {
            "items": list(items),
            "count": len(items),
            "next_cursor": next_cursor,
            "total": total,
            "total_exact": total_exact if total is not None else False,
        }


def paged(*key: type, deprecated: tuple[str, ...] = ()):
    """A dependency reading `limit`, `cursor` (whose key holds values of types `key`) and the
    deprecated `offset`."""

    async def paging(
        request: Request,
        limit: LimitQuery = DEFAULT_LIMIT,
        cursor: CursorQuery = None,
        offset: OffsetQuery = None,
    ) -> Paging:
        fingerprint = _fingerprint(request)
        after = None
        if cursor is not None:
            after = _decoded(cursor, request, fingerprint, key)
        used = ("offset",) if offset is not None else ()
        return Paging(
            request,
            limit,
            after,
            offset or 0,
            fingerprint,
            deprecated=used + tuple(name for name in deprecated if name in request.query_params),
        )

    return paging


def _decoded(
    cursor: str, request: Request, fingerprint: str, key: tuple[type, ...]
) -> tuple[Any, ...]:
    payload = verified(cursor, secrets=secrets_of(request), context=LIST_CONTEXT)
    try:
        data = orjson.loads(payload)
        values, made_for, issued = data["k"], data["f"], datetime.fromisoformat(data["t"])
        if not isinstance(values, list) or len(values) != len(key) or issued.tzinfo is None:
            raise ValueError
        after = tuple(_key_value(v, kind) for v, kind in zip(values, key, strict=True))
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("cursor", NOT_A_CURSOR) from exc
    if made_for != fingerprint:
        raise InvalidInput("cursor", OTHER_LIST)
    now = datetime.now(UTC)
    if not now - CURSOR_LIFETIME <= issued <= now + CLOCK_SKEW:
        raise InvalidInput("cursor", EXPIRED)
    return after


def after(
    columns: Sequence[tuple[ColumnElement, bool]], values: Sequence[Any]
) -> ColumnElement[bool]:
    """Rows after `values` in the order of `columns` ((column, descending) pairs, not null):
    the keyset condition, lexicographic, each column in its own direction."""
    ors = []
    for i, (column, descending) in enumerate(columns):
        equal = [c == v for (c, _), v in zip(columns[:i], values[:i], strict=True)]
        beyond = column < values[i] if descending else column > values[i]
        ors.append(and_(*equal, beyond))
    return or_(*ors)


T = TypeVar("T")


def page_example(item: dict[str, Any], *, total: int | None) -> ConfigDict:
    """The `model_config` of a page model: an example page holding `item`, with a next page."""
    page = {
        "items": [item],
        "count": 1,
        "next_cursor": CURSOR_EXAMPLE,
        "total": total,
        "total_exact": total is not None,
    }
    return ConfigDict(json_schema_extra={"examples": [page]})


class Page(BaseModel, Generic[T]):
    """A page of a list (tourism.paging)."""

    items: list[T]
    count: int = Field(description="Items in this page (deprecated: the length of `items`)")
    next_cursor: str | None = Field(
        description="Pass it as `cursor` for the next page; null on the last page. Also in "
        'the `Link: <...>; rel="next"` header.'
    )
    total: int | None = Field(
        description="How many items the whole list holds, when it is cheap to know; else null"
    )
    total_exact: bool = Field(description="Whether `total` is exact (false: an estimate, or null)")


PAGE_HEADERS = {
    "Link": {
        "description": 'The next page, `<...>; rel="next"`, when there is one (and '
        '`rel="deprecation"` when a deprecated parameter was used)',
        "schema": {"type": "string"},
    },
    "Deprecation": {
        "description": "`true` when a deprecated parameter (`offset`, `before`) was used",
        "schema": {"type": "string"},
    },
    "Sunset": {
        "description": "When the deprecated parameter used stops working",
        "schema": {"type": "string"},
    },
}
