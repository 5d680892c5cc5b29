"""Bad input answers 422 naming what was wrong, never 500 (issue 13).

Control characters are tried in every text input the OpenAPI document describes: each string
path, query and form parameter and each string field of a JSON body, nested ones included.
"""

import base64
import json
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import orjson
import pytest

from tests.conftest import PASSWORD, TEST_SECRET
from tests.test_reviews import _post_review, _tourist, make_eatery_for
from tourism.config import Settings
from tourism.main import create_app
from tourism.schemas import NO_CONTROL_MESSAGE
from tourism.search.service import encode_cursor

ROLES = ("anonymous", "tourist", "owner", "moderator", "admin", "operator")
HERE = {"lat": 20.8561, "lon": 106.6822}  # the Opera House

# -- the walk over the OpenAPI document -------------------------------------------------------

# Valid text for fields whose rules a generic value would break; the control character is put
# inside it, so that only the control character is wrong.
KNOWN_TEXT = {
    "email": "bad-input@example.vn",
    "password": PASSWORD,
    "username": "bad-input@example.vn",
    "campaign": "test-bad-input",
    "slug": "banh-da-cua",
    "dish": "banh-da-cua",
    "query": "bánh đa cua",
    "phone": "+84 225 3 123 456",
    "opening_hours": "Mo-Su 06:00-22:00",
    "grant_type": "password",
    "id": "hp-001",
}
GENERIC_TEXT = "Bánh đa cua ngon lắm"


def _resolve(schema: dict, spec: dict) -> dict:
    """The schema behind a $ref, and the one non-null member of `X | None`."""
    while True:
        if "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in schema:
            members = [m for m in schema["anyOf"] if m.get("type") != "null"]
            assert len(members) == 1, f"teach the walk this union: {schema}"
            schema = {**schema, **members[0]}
            del schema["anyOf"]
        else:
            return schema


def _text(name: str, schema: dict) -> str:
    if "examples" in schema:
        return str(schema["examples"][0])
    if "enum" in schema:
        return str(schema["enum"][0])
    text = KNOWN_TEXT.get(name, GENERIC_TEXT)
    text = text.ljust(schema.get("minLength", 0), "x")
    return text[: schema.get("maxLength", len(text))]


def _sample(name: str, schema: dict, spec: dict) -> Any:
    """A valid value for a schema: its required fields only."""
    schema = _resolve(schema, spec)
    if "const" in schema:
        return schema["const"]
    if "oneOf" in schema:
        return _sample(name, schema["oneOf"][0], spec)
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {p: _sample(p, props[p], spec) for p in schema.get("required", ())}
    if kind == "array":
        return [_sample(name, schema["items"], spec)] * schema.get("minItems", 0)
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
        return max(low, 1) if kind == "integer" else float(low)
    if kind == "boolean":
        return True
    return _text(name, schema)


Make = Callable[[str], Any]


def _text_fields(name: str, schema: dict, spec: dict) -> Iterator[tuple[list[str], dict, Make]]:
    """(path, leaf schema, make) per string field: make(text) is a whole valid value with
    `text` at that path."""
    schema = _resolve(schema, spec)
    if "oneOf" in schema:  # a discriminated union: each variant's fields
        for variant in schema["oneOf"]:
            yield from _text_fields(name, variant, spec)
    elif schema.get("type") == "string" and "const" not in schema:
        yield [], schema, lambda text: text
    elif schema.get("type") == "object":
        for prop, sub in schema.get("properties", {}).items():
            for path, leaf, make in _text_fields(prop, sub, spec):

                def whole(text: str, prop: str = prop, make: Make = make) -> dict:
                    return {**_sample(name, schema, spec), prop: make(text)}

                yield [prop, *path], leaf, whole
    elif schema.get("type") == "array":
        for path, leaf, make in _text_fields(name, schema["items"], spec):
            yield ["0", *path], leaf, lambda text, make=make: [make(text)]


def _cases(spec: dict) -> Iterator[Any]:
    # The API's operations; the scan `/q/{code}` takes only base62 codes and answers anything
    # else with the 404 of an unknown code (tests/test_qr_scans.py).
    for path, item in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            # Headers cannot carry control characters (HTTP clients and servers refuse them).
            for param in (p for p in op.get("parameters", ()) if p["in"] != "header"):
                leaf = _resolve(param["schema"], spec)
                if leaf.get("type") == "string":
                    yield pytest.param(
                        method, path, param["in"], param["name"], leaf, None,
                        id=f"{where} {param['in']}:{param['name']}",
                    )  # fmt: skip
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                where_ = "json" if media == "application/json" else "form"
                for fields, leaf, make in _text_fields("body", content["schema"], spec):
                    yield pytest.param(
                        method, path, where_, ".".join(fields), leaf, make,
                        id=f"{where} {where_}:{'.'.join(fields)}",
                    )  # fmt: skip


# The app's own document; the app made here only writes it (nothing connects).
SPEC = create_app(Settings(environment="test", secret_key=TEST_SECRET), background=False).openapi()
CASES = list(_cases(SPEC))


def _names(field: str, expected: str) -> bool:
    """`field` from an error names `expected`: list indexes aside, the same names in order
    (the error may add a union's tag: target.station.id for target.id)."""
    got = [p for p in field.split(".") if not p.isdigit()]
    want = [p for p in expected.split(".") if not p.isdigit()]
    it = iter(got)
    return got[-1:] == want[-1:] and all(part in it for part in want)


def _with_control(text: str) -> str:
    middle = max(1, len(text) // 2)
    return text[:middle] + "\x00" + text[middle:]


@pytest.fixture(scope="module")
async def qr_code(session_client, people) -> dict:
    r = await session_client.post(
        "/api/v1/qr-codes",
        headers=people["moderator"]["headers"],
        json={
            "target": {"kind": "dish", "slug": "banh-da-cua"},
            "campaign": f"test-bad-input-{secrets.token_hex(3)}",
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture(scope="module")
def path_values(people, qr_code) -> dict[str, Any]:
    """A valid value of each path parameter, so that only the one under test is wrong."""
    return {
        "eatery_id": people["owner"]["eatery"],
        "user_id": people["owner"]["id"],
        "review_id": 1,
        "slug": "banh-da-cua",
        "dish": "banh-da-cua",
        "station_id": "hp-001",
        "code": qr_code["code"],
        "name": qr_code["campaign"],
        "file": "dishes.csv",
        "z": 0,
        "x": 0,
        "y": 0,
    }


def test_the_walk_covers_every_text_input():
    """The walk found the inputs of issue 13, and many more: it cannot silently cover nothing."""
    found = {case.id for case in CASES}
    for expected in (
        "POST /api/v1/auth/token form:username",
        "POST /api/v1/auth/register json:display_name",
        "POST /api/v1/eateries/{eatery_id}/reviews json:text",
        "POST /api/v1/reviews/{review_id}/flags json:reason",
        "PUT /api/v1/reviews/{review_id}/response json:text",
        "PATCH /api/v1/vendor/eateries/{eatery_id} json:description_vi",
        "POST /api/v1/qr-codes json:target.id",
        "GET /api/v1/qr-codes query:campaign",
        "PUT /api/v1/vendor/eateries/{eatery_id}/menu json:items.0.dish",
        "GET /api/v1/search query:cursor",
        "GET /api/v1/admin/audit query:before",
    ):
        assert expected in found
    assert len(CASES) >= 60, len(CASES)


@pytest.mark.parametrize(("method", "path", "where", "field", "leaf", "make"), CASES)
async def test_a_control_character_is_a_422_naming_the_field(
    client, people, path_values, method, path, where, field, leaf, make
):
    values = {name: path_values[name] for name in path_values if f"{{{name}}}" in path}
    params, body = {}, {}
    if where == "path":
        values[field] = _with_control(_text(field, leaf))
    elif where == "query":
        params[field] = _with_control(_text(field, leaf))
    else:
        last = [p for p in field.split(".") if not p.isdigit()][-1]
        body["json" if where == "json" else "data"] = make(_with_control(_text(last, leaf)))
    url = path.format(**{k: quote(str(v), safe="") for k, v in values.items()})
    for role in ROLES:
        r = await client.request(
            method, url, params=params, headers=people[role]["headers"], **body
        )
        if r.status_code not in (401, 403):
            break
    assert r.status_code == 422, (role, r.text)
    error = r.json()["error"]
    assert error["code"] == "invalid"
    named = [d for d in error["details"] if _names(d["field"], field)]
    assert named, error
    # An e-mail address, an instant or one of a list of values is not free text: their own
    # rule speaks (still a 422 naming the field).
    own_rule = "enum" in leaf or leaf.get("format") in ("email", "date-time", "date")
    if where != "json" or not own_rule:
        assert named[0]["message"] == NO_CONTROL_MESSAGE


async def test_line_breaks_are_text_in_a_review_and_not_in_a_name(client, app):
    eatery = await make_eatery_for(app, "test-bad-input-lines")
    author = await _tourist(app)
    review = await _post_review(client, author, eatery, text="Cua nhiều.\r\n\tNước ngọt.\n")
    assert review.status_code == 201, review.text
    assert review.json()["text"] == "Cua nhiều.\r\n\tNước ngọt."  # the ends stripped
    for text in ("Cua\x0bnhiều", "Cua\x1bnhiều", "Cua\x7fnhiều", "Cua\x00"):
        r = await _post_review(client, author, eatery, text=text)
        assert r.status_code == 422
        assert r.json()["error"]["details"] == [{"field": "text", "message": NO_CONTROL_MESSAGE}]
    name = await client.post(
        "/api/v1/auth/register",
        json={"email": "two-lines@example.vn", "password": PASSWORD, "display_name": "Hai\nDòng"},
    )
    assert name.status_code == 422
    assert name.json()["error"]["details"] == [
        {"field": "display_name", "message": NO_CONTROL_MESSAGE}
    ]


async def test_a_control_character_in_the_login_form_is_a_422(client, people):
    for form in (
        {"username": "a\x00" + people["tourist"]["email"], "password": PASSWORD},
        {"username": people["tourist"]["email"], "password": PASSWORD + "\x00"},
    ):
        r = await client.post("/api/v1/auth/token", data=form)
        assert r.status_code == 422, r.text
        (detail,) = r.json()["error"]["details"]
        assert detail["field"] == next(k for k, v in form.items() if "\x00" in v)
    # ... sent as multipart too
    r = await client.post(
        "/api/v1/auth/token",
        files={"username": (None, "a\x00b"), "password": (None, PASSWORD)},
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "username"


# -- search cursors ---------------------------------------------------------------------------


async def _page(client, **params) -> dict:
    r = await client.get("/api/v1/search", params={"q": "banh", **HERE, "limit": 3, **params})
    assert r.status_code == 200, r.text
    return r.json()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


async def _cursor_error(client, cursor: str, **params) -> dict:
    r = await client.get(
        "/api/v1/search", params={"q": "banh", **HERE, "limit": 3, **params, "cursor": cursor}
    )
    assert r.status_code == 422, r.text
    (detail,) = r.json()["error"]["details"]
    assert detail["field"] == "cursor"
    return detail


async def test_a_real_cursor_pages_on(client):
    first = await _page(client)
    second = await _page(client, cursor=first["next_cursor"])
    ids = [h["eatery"]["id"] for h in first["items"] + second["items"]]
    assert len(ids) == 6 and len(set(ids)) == 6
    whole = await _page(client, limit=6)
    assert ids == [h["eatery"]["id"] for h in whole["items"]]


async def test_an_empty_or_tampered_cursor_is_a_422(client):
    r = await client.get("/api/v1/search", params={"q": "0", "cursor": ""})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "cursor"

    cursor = (await _page(client))["next_cursor"]
    encoded, _, signature = cursor.partition(".")
    payload = orjson.loads(_unb64(encoded))
    flipped = bytearray(_unb64(encoded))
    flipped[5] ^= 1
    forged = [
        _b64(bytes(flipped)) + "." + signature,  # a bit of the payload flipped
        encoded,  # no signature
        encoded + ".",
        encoded + "." + _b64(b"\x00" * 16),
        cursor[:-2],  # a truncated signature
        # unsigned, as cursors used to be: an id past bigint, a year-9999 instant
        _b64(json.dumps({**payload, "i": 10**30}).encode()),
        _b64(json.dumps({**payload, "t": "9999-12-31T23:59:59-12:00"}).encode()),
        # the payload changed and the old signature kept
        _b64(json.dumps({**payload, "i": 10**30}).encode()) + "." + signature,
        "!!not-a-cursor",
        "....",
    ]
    for bad in forged:
        await _cursor_error(client, bad)


async def test_a_signed_cursor_is_bounded_all_the_same(client, app):
    """Were the secret to leak, a forged cursor would still be a 422, not a 500."""
    secret = app.state.resources.settings.secret_key.get_secret_value().encode()
    cursor = (await _page(client))["next_cursor"]
    payload = orjson.loads(_unb64(cursor.partition(".")[0]))
    at = datetime.fromisoformat(payload["t"])

    def signed(**changes: Any) -> str:
        fields = {"key": payload["k"], "eatery_id": payload["i"], "at": at, **changes}
        return encode_cursor(**fields, fingerprint=payload["h"], secret=secret)

    await _page(client, cursor=signed())  # what the API gave out still works
    for bad in (
        signed(eatery_id=2**63),
        signed(eatery_id=0),
        signed(key=float("inf")),
        signed(at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC)),
        signed(at=at - timedelta(days=2)),
        encode_cursor(
            key=payload["k"], eatery_id=payload["i"], at=at, fingerprint=payload["h"], secret=b"x"
        ),
    ):
        await _cursor_error(client, bad)


async def test_a_cursor_lives_a_day(client, clock):
    start = datetime(2026, 4, 1, 5, 0, tzinfo=UTC)
    clock(start)
    cursor = (await _page(client))["next_cursor"]
    clock(start + timedelta(hours=23))
    await _page(client, cursor=cursor)
    clock(start + timedelta(days=1, minutes=1))
    assert "expired" in (await _cursor_error(client, cursor))["message"]
    clock(start - timedelta(minutes=2))  # made in the future: a clock gone wrong
    await _cursor_error(client, cursor)


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"from": "9999-12-30"}, {"from"}),
        ({"from": "9999-12-30", "to": "9999-12-31"}, {"from", "to"}),
        ({"from": "0001-01-01"}, {"from"}),
        ({"from": "0001-01-01", "to": "0001-01-02"}, {"from", "to"}),
        ({"to": "9999-12-31"}, {"to"}),
        ({"to": "0001-01-01"}, {"to"}),
        ({"from": "1999-12-31", "to": "2000-01-02"}, {"from"}),
        ({"from": "2100-12-31", "to": "2101-01-01"}, {"to"}),
        ({"from": "2026-03-02", "to": "2026-03-01"}, {"from"}),  # `to` before `from`
        ({"from": "2025-01-01", "to": "2026-03-01"}, {"from"}),  # over 366 days
    ],
)
async def test_stats_dates_out_of_range_are_a_422(client, people, qr_code, params, fields):
    for url in (
        f"/api/v1/qr-codes/{qr_code['code']}/stats",
        f"/api/v1/campaigns/{qr_code['campaign']}/stats",
    ):
        r = await client.get(url, headers=people["moderator"]["headers"], params=params)
        assert r.status_code == 422, r.text
        assert {d["field"] for d in r.json()["error"]["details"]} == fields


async def test_stats_dates_at_the_edges_of_the_range(client, people, qr_code):
    for params in (
        {"from": "2000-01-01", "to": "2000-12-31"},
        {"from": "2100-01-01", "to": "2100-12-31"},
    ):
        r = await client.get(
            f"/api/v1/campaigns/{qr_code['campaign']}/stats",
            headers=people["moderator"]["headers"],
            params=params,
        )
        assert r.status_code == 200, r.text
        assert r.json()["from"] == params["from"] and r.json()["to"] == params["to"]


@pytest.mark.parametrize(
    "before",
    [
        "9999-12-31T23:59:59-12:00",
        "9999-12-31T23:59:59+14:00",
        "9999-12-31T23:59:59",
        "0001-01-01T00:00:00+14:00",
        "0001-01-01T00:00:00",
        "1999-12-31T23:59:59Z",
        "2000-01-01T06:59:59+07:00",  # 1999 in UTC
        "2100-12-31T23:59:59-12:00",  # 2101 in UTC
    ],
)
async def test_audit_before_out_of_range_is_a_422(client, people, before):
    r = await client.get(
        "/api/v1/admin/audit", headers=people["admin"]["headers"], params={"before": before}
    )
    assert r.status_code == 422, r.text
    assert [d["field"] for d in r.json()["error"]["details"]] == ["before"]


@pytest.mark.parametrize(
    "before", ["2100-12-31T23:59:59+14:00", "2000-01-01T07:00:00+07:00", "2026-03-01T00:00:00"]
)
async def test_audit_before_in_range_at_any_offset(client, people, before):
    r = await client.get(
        "/api/v1/admin/audit", headers=people["admin"]["headers"], params={"before": before}
    )
    assert r.status_code == 200, r.text
