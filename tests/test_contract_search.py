"""The API contract (issue #19) for search, suggestions and tiles: the search's own cursor walks
every hit once even while eateries are added, its Link header is its next_cursor, a cursor that
is not this search's is a 422 naming `cursor`, errors come in Vietnamese when asked, and `name`
follows the language."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import delete

from tests.helpers import make_eatery
from tourism.eateries.models import Eatery

# Far from the seeded city, so that only this file's eateries are within the radius.
HERE = {"lat": 21.25, "lon": 107.25}
NEAR = {"q": "banh da cua", **HERE, "radius_m": 2000, "sort": "distance"}
STEP = 0.001  # ~111 m of latitude


async def _page(client, **params) -> tuple[dict, str | None]:
    r = await client.get("/api/v1/search", params=params)
    assert r.status_code == 200, r.text
    return r.json(), r.headers.get("link")


def _next_link(link: str | None) -> dict[str, list[str]] | None:
    if link is None:
        return None
    found = re.search(r'<([^>]+)>; rel="next"', link)
    return parse_qs(urlsplit(found.group(1)).query) if found else None


@pytest.fixture
async def own_eateries(session):
    """Seven eateries of this file, open around the clock; gone again after the test (other
    files count the city's eateries that serve bánh đa cua at night)."""
    yield [
        await make_eatery(
            session,
            slug=f"contract-search-{i}",
            lat=HERE["lat"] + (i + 1) * STEP,
            lon=HERE["lon"],
            hours="24/7",
            menu=[("banh-da-cua", 30000 + i)],
        )
        for i in range(7)
    ]
    async with session.begin():
        await session.execute(delete(Eatery).where(Eatery.slug.like("contract-search-%")))


async def test_the_cursor_walks_every_hit_once_while_eateries_are_added(
    client, session, own_eateries
):
    ids = own_eateries
    first, link = await _page(client, **NEAR, limit=2)
    assert [h["eatery"]["id"] for h in first["items"]] == ids[:2]
    assert first["total"] == len(ids)
    # an eatery nearer than the cursor's arrives after the first page: it is not on later pages
    # and nothing on them is repeated or skipped
    newcomer = await make_eatery(
        session,
        slug="contract-search-newcomer",
        lat=HERE["lat"] + STEP / 2,
        lon=HERE["lon"],
        hours="24/7",
        menu=[("banh-da-cua", 25000)],
    )
    seen = [h["eatery"]["id"] for h in first["items"]]
    page, cursor = first, first["next_cursor"]
    while cursor is not None:
        # the Link header names the same next page, with the same filters
        query = _next_link(link)
        assert query is not None and query["cursor"] == [cursor]
        assert query["q"] == [NEAR["q"]] and query["sort"] == ["distance"]
        assert query["limit"] == ["2"]
        page, link = await _page(client, **NEAR, limit=2, cursor=cursor)
        seen += [h["eatery"]["id"] for h in page["items"]]
        cursor = page["next_cursor"]
    assert _next_link(link) is None  # the last page links nowhere
    assert seen == ids and newcomer not in seen
    again, _ = await _page(client, **NEAR, limit=100)
    assert [h["eatery"]["id"] for h in again["items"]] == [newcomer, *ids]


async def test_limit_goes_up_to_the_one_maximum(client):
    r = await client.get("/api/v1/search", params={"q": "banh", "limit": 100})
    assert r.status_code == 200
    r = await client.get("/api/v1/search", params={"q": "banh", "limit": 101})
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["error"]["details"]] == ["limit"]


def _tampered(cursor: str) -> str:
    # A character of the signature that carries whole bits (a base64 string's last character
    # may carry padding only: changing it can decode to the same bytes).
    signature = cursor.index(".") + 3
    return cursor[:signature] + ("A" if cursor[signature] != "A" else "B") + cursor[signature + 1 :]


async def test_a_cursor_not_of_this_search_is_a_422_naming_cursor(client):
    page, _ = await _page(client, q="banh da cua", limit=2)
    cursor = page["next_cursor"]
    assert cursor
    cases = [
        ({"q": "banh da cua", "cursor": _tampered(cursor)}, "not a cursor", "không phải con trỏ"),
        (
            {"q": "banh mi cay", "cursor": cursor},
            "another query",
            "con trỏ trang thuộc về một lượt tìm kiếm khác",
        ),
    ]
    for params, english, vietnamese in cases:
        r = await client.get("/api/v1/search", params={**params, "limit": 2})
        assert r.status_code == 422, r.text
        assert r.headers["content-language"] == "en"
        error = r.json()["error"]
        assert error["details"][0]["field"] == "cursor" and english in error["message"]
        for ask in (
            {"params": {**params, "limit": 2, "lang": "vi"}},
            {
                "params": {**params, "limit": 2},
                "headers": {"Accept-Language": "vi"},
            },
        ):
            r = await client.get("/api/v1/search", **ask)
            assert r.status_code == 422
            assert r.headers["content-language"] == "vi"
            error = r.json()["error"]
            assert error["details"][0]["field"] == "cursor"
            assert vietnamese in error["message"], error


async def test_errors_of_the_search_in_vietnamese(client):
    r = await client.get("/api/v1/search?q=banh&sort=distance&lang=vi")
    assert r.status_code == 422 and r.headers["content-language"] == "vi"
    assert r.json()["error"]["message"] == "sort=distance cần có lat và lon"
    r = await client.get("/api/v1/search?q=banh&sort=distance")
    assert r.json()["error"]["message"] == "sort=distance needs lat and lon"


async def test_names_follow_the_language(client):
    for lang in ("vi", "en"):
        page, _ = await _page(client, q="banh da cua", limit=20, lang=lang)
        dishes = [d for hit in page["items"] for d in hit["dishes"]]
        assert dishes and all(d["name"] == d[f"name_{lang}"] for d in dishes)
        cards = [hit["eatery"] for hit in page["items"]]
        assert any(c["name_en"] for c in cards)
        for card in cards:
            assert card["name"] == (
                card["name_vi"] if lang == "vi" else card["name_en"] or card["name_vi"]
            )
        r = await client.get(
            "/api/v1/search/suggest", params={"q": "banh"}, headers={"Accept-Language": lang}
        )
        assert r.headers["content-language"] == lang
        items = r.json()["items"]
        assert any(i["kind"] == "dish" for i in items)
        for item in items:
            expected = item["name_vi"] if lang == "vi" else item["name_en"] or item["name_vi"]
            assert item["name"] == expected
    # the completions' cache holds both languages: asked again, English stays English
    r = await client.get("/api/v1/search/suggest", params={"q": "banh", "lang": "en"})
    dishes = [i for i in r.json()["items"] if i["kind"] == "dish"]
    assert all(i["name"] == i["name_en"] for i in dishes)


async def test_a_tile_outside_its_zoom_is_worded_in_vietnamese(client):
    r = await client.get("/api/v1/tiles/1/5/0.mvt", params={"lang": "vi"})
    assert r.status_code == 422 and r.headers["content-language"] == "vi"
    error = r.json()["error"]
    assert error["details"][0]["field"] == "x"
    assert error["details"][0]["message"] == "x phải nằm trong khoảng 0 đến 1 ở mức thu phóng 1"
