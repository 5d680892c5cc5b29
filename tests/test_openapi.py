"""The OpenAPI document as a client reads it: every operation described, every parameter
described with an example, every body with a schema and an example that validates against it,
every error in the one error schema, one paging style, and both languages."""

import re
from typing import Any

import httpx
import jsonschema
import pytest
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests import statuses
from tourism.config import Settings
from tourism.main import create_app
from tourism.paging import MAX_LIMIT

# Answers that are files, not JSON: their schema says so and an example would be bytes.
BINARY = ("image/png", "image/svg+xml", "application/pdf", "application/vnd.mapbox-vector-tile")
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app(Settings(environment="test", secret_key="x" * 40)).openapi()


def _operations(spec: dict[str, Any]):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _examples(spec: dict[str, Any], media: dict[str, Any]) -> list[Any]:
    """The examples a media type gives, on itself or on its (referenced) schema."""
    found = []
    if "example" in media:
        found.append(media["example"])
    found += [e.get("value") for e in media.get("examples", {}).values()]
    schema = _resolve(spec, media.get("schema", {}))
    if "example" in schema:
        found.append(schema["example"])
    found += schema.get("examples", [])
    return found


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> Validator:
    document = Resource.from_contents(spec, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:openapi", document)
    rebased = _rebased(schema)
    return jsonschema.Draft202012Validator(rebased, registry=registry)


def _rebased(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: ("urn:openapi" + v if k == "$ref" and v.startswith("#/") else _rebased(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebased(v) for v in node]
    return node


def test_every_operation_is_described(spec):
    bare = [
        name
        for name, op in _operations(spec)
        if not op.get("summary") or len(op.get("description", "").strip()) < 40
    ]
    assert not bare, f"operations without a summary and a description: {bare}"


def test_every_parameter_has_a_description_and_an_example(spec):
    missing = []
    for name, op in _operations(spec):
        for param in op.get("parameters", []):
            schema = param.get("schema", {})
            has_example = (
                "example" in param
                or param.get("examples")
                or "example" in schema
                or schema.get("examples")
            )
            if not param.get("description") or not has_example:
                missing.append(f"{name} {param['in']}:{param['name']}")
    assert not missing, f"parameters without a description or an example: {missing}"


def test_every_body_has_a_schema_and_an_example_that_validates(spec):
    problems = []
    for name, op in _operations(spec):
        bodies = []
        if "requestBody" in op:
            bodies += [("request", m) for m in op["requestBody"]["content"].items()]
        for status, response in op["responses"].items():
            if status.startswith("2") and status != "204":
                bodies += [(status, m) for m in response.get("content", {}).items()]
                if not response.get("content"):
                    problems.append(f"{name} {status}: no content schema")
        for where, (media_type, media) in bodies:
            schema = media.get("schema")
            if not schema:
                problems.append(f"{name} {where} {media_type}: no schema")
                continue
            if media_type.startswith(BINARY):
                continue
            examples = _examples(spec, media)
            if not examples:
                problems.append(f"{name} {where} {media_type}: no example")
            for example in examples:
                error = jsonschema.exceptions.best_match(
                    _validator(spec, schema).iter_errors(example)
                )
                if error is not None:
                    problems.append(f"{name} {where}: example does not validate: {error.message}")
    assert not problems, "\n".join(problems)


def test_every_error_uses_the_one_error_schema(spec):
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    wrong = []
    for name, op in _operations(spec):
        for status, response in op["responses"].items():
            if int(status) >= 400:
                ref = response["content"]["application/json"]["schema"].get("$ref")
                if ref != "#/components/schemas/Error":
                    wrong.append(f"{name} {status}")
    assert not wrong, f"errors not in the Error schema: {wrong}"
    assert spec["components"]["schemas"]["Error"]["properties"]["error"]


def test_implied_errors_are_listed(spec):
    """What the route's shape implies: 422 with parameters, 401/403 with a login, 413 with a
    body. (503 follows the database dependencies: tourism.openapi.)"""
    missing = []
    for name, op in _operations(spec):
        responses = op["responses"]
        needed = set()
        if op.get("parameters") or op.get("requestBody"):
            needed.add("422")
        if op.get("security"):
            needed.add("401")
        if "**Who may call it:**" in op.get("description", ""):
            needed.add("403")
        if "requestBody" in op:
            needed.add("413")
        missing += [f"{name} {s}" for s in sorted(needed - responses.keys())]
    assert not missing, f"implied errors not listed: {missing}"


# Lists that are not paged, and why (README, "Lists and paging").
NOT_PAGED = {
    "GET /api/v1/open-data/{file}": "a whole data set as one file (streamed), for download",
    "GET /api/v1/search/suggest": "completions while typing: the best few, never a next page",
    "GET /api/v1/dishes/categories": "the fixed list of categories",
    "PUT /api/v1/vendor/eateries/{eatery_id}/menu": "a write's answer: the whole menu as saved",
    "PATCH /api/v1/vendor/eateries/{eatery_id}/menu/{dish}": "a write's answer: the whole menu "
    "as saved",
}


def test_lists_page_one_way(spec):
    """Every operation answering a list of items takes `limit` (at most MAX_LIMIT) and
    `cursor`, and answers `next_cursor` and `total`."""
    problems = []
    for name, op in _operations(spec):
        response = op["responses"].get("200", {}).get("content", {})
        response = response.get("application/json") or response.get("application/geo+json")
        if not response or name in NOT_PAGED:
            continue
        schema = _resolve(spec, response["schema"])
        if schema.get("type") == "array":
            problems.append(f"{name}: a bare array (answer a page: items, next_cursor, total)")
            continue
        properties = schema.get("properties", {})
        items = properties.get("items") or properties.get("features")
        if not items or items.get("type") != "array":
            continue
        params = {p["name"]: p for p in op.get("parameters", [])}
        if "limit" not in params or "cursor" not in params:
            problems.append(f"{name}: no limit/cursor")
            continue
        limit = params["limit"]["schema"]
        if limit.get("maximum") != MAX_LIMIT:
            problems.append(f"{name}: limit maximum {limit.get('maximum')}")
        if not {"next_cursor", "total"} <= schema["properties"].keys():
            problems.append(f"{name}: no next_cursor/total")
        if "Link" not in op["responses"]["200"].get("headers", {}):
            problems.append(f"{name}: Link header not documented")
    assert not problems, "\n".join(problems)


def test_every_operation_documents_the_language(spec):
    api = [(n, op) for n, op in _operations(spec) if n.split()[1].startswith("/api/")]
    missing = [
        name
        for name, op in api
        if not {"lang", "accept-language"} <= {p["name"].lower() for p in op["parameters"]}
    ]
    assert not missing


def test_the_status_matcher_finds_unlisted_statuses(spec):
    """tests/statuses.py (which fails the run on an unlisted status) works on this document."""
    seen = {
        ("get", "/api/v1/eateries/nearby", 200),
        ("get", "/api/v1/eateries/nearby", 422),
        ("get", "/api/v1/eateries/12", 418),
        ("get", "/static/app.js", 200),
    }
    assert statuses.unlisted(spec, seen) == [("get", "/api/v1/eateries/{eatery_id}", 418)]


def test_the_error_shape_check_finds_a_detail_without_a_message():
    def answer(body: object) -> httpx.Response:
        return httpx.Response(404, json=body)

    fine = {"error": {"code": "not_found", "message": "no dish", "details": None}}
    assert statuses.misshapen(answer(fine)) is None
    broken = {"error": {"code": "not_found", "message": "no dish", "details": [{"field": "dish"}]}}
    assert "details" in statuses.misshapen(answer(broken))
    assert statuses.misshapen(answer({"detail": "Not Found"})) is not None


def test_docs_page_is_served(spec):
    assert re.match(r"\d+\.\d+\.\d+", spec["info"]["version"])
    assert "Versions" in spec["info"]["description"]
