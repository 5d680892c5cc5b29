"""The API contract (issue #19) on the eatery and dish lists: one paging style (limit, cursor,
next_cursor, total, Link; offset deprecated), errors and names in both languages."""

from urllib.parse import parse_qs, urlsplit

import pytest
from geojson_pydantic import FeatureCollection
from sqlalchemy import delete

from tests.helpers import make_eatery
from tourism.dishes.models import Dish
from tourism.dishes.schemas import DishCreate
from tourism.dishes.service import upsert_dish
from tourism.eateries import service as eateries_service
from tourism.eateries.models import Eatery

# A spot with no seeded eatery within a kilometre: the lists here hold only this file's.
SPOT = {"lat": 20.6200, "lon": 106.9000}
NEAR = {**SPOT, "radius_m": 900}
BOX = "106.89,20.61,106.91,20.63"
EXAMPLE_BOX = "106.66,20.84,106.70,20.87"
OPERA_HOUSE = {"lat": 20.8577, "lon": 106.6839}


def _link_cursor(response) -> str | None:
    """The cursor in the `Link: <...>; rel="next"` header, or None."""
    for part in response.headers.get("link", "").split(","):
        if 'rel="next"' in part:
            url = part.split(";")[0].strip()[1:-1]
            return parse_qs(urlsplit(url).query)["cursor"][0]
    return None


async def _walk(client, path, params, *, items="items", cursor_of=None, between=None):
    """Every page of a list by its cursor; checks the Link header names each next cursor."""
    seen, cursor, pages = [], None, 0
    while True:
        r = await client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        seen += body[items]
        cursor = body["next_cursor"]
        assert _link_cursor(r) == cursor
        assert "deprecation" not in r.headers
        pages += 1
        if cursor is None:
            return seen, body, pages
        if between is not None:
            await between(pages)
        assert pages < 50


@pytest.fixture
async def spot_eateries(session):
    """Three stalls at one point (a market: equal distances across a page's end) and four
    around it, at growing distances."""
    ids = []
    for i in range(3):
        ids.append(
            await make_eatery(
                session, slug=f"contract-market-{i}", hours="Mo-Su 00:00-24:00", **SPOT
            )
        )
    for i in range(4):
        ids.append(
            await make_eatery(
                session,
                slug=f"contract-ring-{i}",
                hours=None,
                lat=SPOT["lat"] + 0.001 * (i + 1),
                lon=SPOT["lon"],
            )
        )
    yield ids
    # Gone again: other files count the seeded city.
    async with session.begin():
        await session.execute(delete(Eatery).where(Eatery.slug.like("contract-%")))


async def test_nearby_walk_gives_every_eatery_once_by_distance_then_id(client, spot_eateries):
    seen, last, pages = await _walk(client, "/api/v1/eateries/nearby", {**NEAR, "limit": 2})
    ids = [e["id"] for e in seen]
    assert sorted(ids) == sorted(spot_eateries)  # each once, none missing
    assert pages == 4
    keys = [(e["distance_m"], e["id"]) for e in seen]
    assert keys == sorted(keys)
    # the market's three stalls, at one distance, came in id order across the first page's end
    assert ids[:3] == sorted(spot_eateries[:3])
    assert last["total"] == len(spot_eateries) and last["total_exact"] is True


async def test_nearby_walk_is_stable_when_a_nearer_eatery_opens(client, session, spot_eateries):
    async def open_a_nearer_one(pages):
        if pages == 1:
            await make_eatery(
                session,
                slug="contract-newcomer",
                hours=None,
                lat=SPOT["lat"] + 0.0005,
                lon=SPOT["lon"],
            )

    seen, _, _ = await _walk(
        client, "/api/v1/eateries/nearby", {**NEAR, "limit": 3}, between=open_a_nearer_one
    )
    ids = [e["id"] for e in seen]
    assert len(ids) == len(set(ids))
    assert set(spot_eateries) <= set(ids)


async def test_nearby_first_page_total_and_link(client, spot_eateries):
    r = await client.get("/api/v1/eateries/nearby", params={**NEAR, "limit": 5})
    body = r.json()
    assert body["count"] == len(body["items"]) == 5
    assert body["total"] == 7 and body["next_cursor"]
    assert _link_cursor(r) == body["next_cursor"]
    assert r.headers["link"].startswith("</api/v1/eateries/nearby?")
    everything = await client.get("/api/v1/eateries/nearby", params={**NEAR, "limit": 100})
    assert everything.json()["next_cursor"] is None and everything.json()["total"] == 7
    assert "link" not in everything.headers


async def test_nearby_offset_still_works_and_is_deprecated(client, spot_eateries):
    first = await client.get("/api/v1/eateries/nearby", params={**NEAR, "limit": 100})
    r = await client.get("/api/v1/eateries/nearby", params={**NEAR, "limit": 3, "offset": 4})
    assert r.status_code == 200
    assert r.headers["deprecation"] == "true" and "sunset" in r.headers
    assert [e["id"] for e in r.json()["items"]] == [e["id"] for e in first.json()["items"]][4:]


async def test_bbox_walk_gives_every_eatery_once(client, spot_eateries):
    seen, last, pages = await _walk(
        client, "/api/v1/eateries", {"bbox": BOX, "limit": 3}, items="features"
    )
    FeatureCollection.model_validate(last)
    ids = [f["id"] for f in seen]
    assert sorted(ids) == sorted(spot_eateries) and pages == 3
    keys = [(-f["properties"]["rating_count"], f["id"]) for f in seen]
    assert keys == sorted(keys)
    assert last["total"] == 7 and last["total_exact"] is True and last["numberReturned"] == 1
    assert all(f["properties"]["name"] for f in seen)


async def test_a_box_is_counted_up_to_a_bound(client, spot_eateries, monkeypatch):
    """Past BBOX_COUNTED eateries the box's `total` is a lower bound, and says so."""
    monkeypatch.setattr(eateries_service, "BBOX_COUNTED", 5)
    r = await client.get("/api/v1/eateries", params={"bbox": BOX, "limit": 3})
    assert r.json()["total"] == 5 and r.json()["total_exact"] is False
    monkeypatch.setattr(eateries_service, "BBOX_COUNTED", 8)
    r = await client.get("/api/v1/eateries", params={"bbox": BOX, "limit": 3})
    assert r.json()["total"] == 7 and r.json()["total_exact"] is True


async def test_bbox_offset_still_works_and_is_deprecated(client, spot_eateries):
    r = await client.get("/api/v1/eateries", params={"bbox": BOX, "limit": 2, "offset": 6})
    assert r.status_code == 200 and r.headers["deprecation"] == "true"
    assert r.headers["content-type"].startswith("application/geo+json")
    assert len(r.json()["features"]) == 1


async def test_dishes_walk_is_stable_when_a_dish_is_added_before_the_cursor(client, session):
    async def add_a_dish(pages):
        if pages == 1:
            async with session.begin():
                await upsert_dish(
                    session,
                    data=DishCreate(
                        slug="aaa-contract-dish",
                        name_vi="Món thử",
                        name_en="Test dish",
                        category="snack",
                    ),
                )

    before = await client.get("/api/v1/dishes", params={"limit": 100})
    try:
        seen, last, _ = await _walk(client, "/api/v1/dishes", {"limit": 7}, between=add_a_dish)
    finally:
        async with session.begin():
            await session.execute(delete(Dish).where(Dish.slug == "aaa-contract-dish"))
    slugs = [d["slug"] for d in seen]
    assert slugs == [d["slug"] for d in before.json()["items"]]  # the newcomer sorts before
    assert last["total"] == before.json()["total"] + 1


async def test_dishes_offset_still_works_and_is_deprecated(client):
    everything = (await client.get("/api/v1/dishes", params={"limit": 100})).json()["items"]
    r = await client.get("/api/v1/dishes", params={"limit": 5, "offset": 5})
    assert r.headers["deprecation"] == "true"
    assert r.json()["items"] == everything[5:10]


async def test_dish_eateries_page_by_cursor(client):
    whole = (await client.get("/api/v1/dishes/banh-da-cua", params={"limit": 100})).json()
    assert whole["next_cursor"] is None and whole["total"] == len(whole["eateries"]) >= 10
    seen, last, pages = await _walk(
        client, "/api/v1/dishes/banh-da-cua", {"limit": 3}, items="eateries"
    )
    assert [e["id"] for e in seen] == [e["id"] for e in whole["eateries"]]
    assert pages == -(-len(seen) // 3) and last["total"] == whole["total"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/eateries/nearby", OPERA_HOUSE),
        ("/api/v1/eateries", {"bbox": EXAMPLE_BOX}),
        ("/api/v1/dishes", {}),
        ("/api/v1/dishes/banh-da-cua", {}),
    ],
)
async def test_tampered_or_foreign_cursor_is_422_naming_cursor(client, path, params):
    first = await client.get(path, params={**params, "limit": 1})
    cursor = first.json()["next_cursor"]
    assert cursor
    payload, _, signature = cursor.partition(".")
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    other = await client.get("/api/v1/dishes", params={"limit": 1})
    foreign = other.json()["next_cursor"] if path != "/api/v1/dishes" else None
    if path == "/api/v1/dishes":  # the same list with another filter is another list
        foreign = (
            await client.get("/api/v1/dishes", params={"limit": 1, "category": "noodle_soup"})
        ).json()["next_cursor"]
    for bad in (tampered, foreign, "not-a-cursor"):
        r = await client.get(path, params={**params, "limit": 1, "cursor": bad})
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]["details"][0]["field"] == "cursor"


async def test_nearby_cursor_from_another_point_is_refused(client, spot_eateries):
    cursor = (await client.get("/api/v1/eateries/nearby", params={**NEAR, "limit": 1})).json()[
        "next_cursor"
    ]
    assert cursor
    moved = {**NEAR, "lat": SPOT["lat"] + 0.01}
    r = await client.get("/api/v1/eateries/nearby", params={**moved, "cursor": cursor})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    ("path", "params", "vietnamese"),
    [
        ("/api/v1/eateries/999999999", {}, "không tìm thấy quán ăn có mã 999999999"),
        ("/api/v1/dishes/no-such-dish", {}, "không tìm thấy món ăn có mã 'no-such-dish'"),
        (
            "/api/v1/eateries/nearby",
            {**NEAR, "dish": "pizza-hawaii"},
            "không tìm thấy món ăn có mã 'pizza-hawaii'",
        ),
        (
            "/api/v1/eateries",
            {"bbox": EXAMPLE_BOX, "dish": "pizza-hawaii"},
            "không tìm thấy món ăn có mã 'pizza-hawaii'",
        ),
    ],
)
async def test_not_found_in_vietnamese(client, path, params, vietnamese):
    by_param = await client.get(path, params={**params, "lang": "vi"})
    by_header = await client.get(path, params=params, headers={"Accept-Language": "vi"})
    english = await client.get(path, params=params)
    for r in (by_param, by_header):
        assert r.status_code == 404
        assert r.json()["error"]["message"] == vietnamese
        assert r.headers["content-language"] == "vi"
    assert english.status_code == 404 and english.headers["content-language"] == "en"
    assert english.json()["error"]["message"].startswith("no ")


async def test_invalid_hours_preview_in_vietnamese(client):
    r = await client.post(
        "/api/v1/hours/preview", json={"opening_hours": "open sometimes"}, params={"lang": "vi"}
    )
    assert r.status_code == 422
    detail = r.json()["error"]["details"][0]
    assert detail["field"] == "opening_hours"
    assert detail["message"].startswith("Giờ mở cửa không hợp lệ")
    english = await client.post("/api/v1/hours/preview", json={"opening_hours": "open sometimes"})
    assert english.json()["error"]["details"][0]["message"].startswith("Not valid opening hours")


async def test_names_follow_the_language(client):
    for lang in ("vi", "en"):
        dishes = (await client.get("/api/v1/dishes", params={"limit": 100, "lang": lang})).json()
        for d in dishes["items"]:
            assert d["name"] == (d["name_vi"] if lang == "vi" else d["name_en"])
            own = d["description_vi"] if lang == "vi" else d["description_en"]
            other = d["description_en"] if lang == "vi" else d["description_vi"]
            assert d["description"] == (own or other)
        crab = (await client.get("/api/v1/dishes/banh-da-cua", params={"lang": lang})).json()
        assert crab["name"] == ("Bánh đa cua" if lang == "vi" else crab["name_en"])
        for e in crab["eateries"]:
            assert e["name"] == (e["name_vi"] if lang == "vi" else e["name_en"] or e["name_vi"])
        nearby = await client.get(
            "/api/v1/eateries/nearby",
            params={**OPERA_HOUSE, "dish": "banh-da-cua", "lang": lang},
        )
        for e in nearby.json()["items"]:
            assert e["dish"]["name"] == (crab["name_vi"] if lang == "vi" else crab["name_en"])
        eatery_id = crab["eateries"][0]["id"]
        detail = (await client.get(f"/api/v1/eateries/{eatery_id}", params={"lang": lang})).json()
        assert detail["name"] == (
            detail["name_vi"] if lang == "vi" else detail["name_en"] or detail["name_vi"]
        )
        for m in detail["menu"]:
            assert m["name"] == (m["name_vi"] if lang == "vi" else m["name_en"])


async def test_categories_are_a_fixed_list(client):
    r = await client.get("/api/v1/dishes/categories", params={"lang": "vi"})
    assert r.status_code == 200 and "noodle_soup" in r.json()["items"]
    assert r.headers["content-language"] == "vi"
