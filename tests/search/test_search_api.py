"""GET /api/v1/search and /search/suggest against the seeded city."""

from datetime import UTC, datetime

import orjson
import pytest
from sqlalchemy import select, text

from tests.helpers import local, make_eatery, tomorrow
from tourism.eateries.card import PUBLIC_JSON, public_columns, public_fields
from tourism.languages import language_var
from tourism.paging import MAX_LIMIT
from tourism.search.schemas import SearchResults, Suggestions
from tourism.search.service import PER_DISH

OPERA_HOUSE = {"lat": 20.8577, "lon": 106.6839}


async def _search(client, **params) -> dict:
    r = await client.get("/api/v1/search", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _first_dish(hit: dict) -> str | None:
    return hit["dishes"][0]["slug"] if hit["dishes"] else None


async def test_hit_shape(client):
    body = await _search(client, q="banh da cua", **OPERA_HOUSE, limit=5)
    hit = body["items"][0]
    assert {"id", "name_vi", "address", "location", "rating", "rating_count", "open_now"} <= (
        hit["eatery"].keys()
    )
    assert hit["dishes"][0]["slug"] == "banh-da-cua"
    assert isinstance(hit["dishes"][0]["price_vnd"], int)
    assert hit["distance_m"] > 0 and hit["score"] > 0
    no_position = await _search(client, q="banh da cua", limit=1)
    assert no_position["items"][0]["distance_m"] is None


@pytest.mark.parametrize(
    ("path", "model", "params"),
    [
        ("/api/v1/search", SearchResults, {"q": "banh da cua", **OPERA_HOUSE, "limit": 3}),
        ("/api/v1/search", SearchResults, {"q": "quan", "open_now": "true"}),
        ("/api/v1/search", SearchResults, {"q": "zzzzqx"}),
        ("/api/v1/search/suggest", Suggestions, {"q": "banh"}),
        ("/api/v1/search/suggest", Suggestions, {"q": "quan"}),
    ],
)
async def test_answers_are_exactly_their_documented_model(client, path, model, params):
    """The answers skip FastAPI's response validation (tourism/responses.py): no field missing,
    extra or of another type than the OpenAPI document says."""
    r = await client.get(path, params=params)
    assert r.json() == model.model_validate_json(r.content, strict=True).model_dump(mode="json")


async def test_a_dish_sharing_a_word_ranks_below_the_one_asked_for(client):
    hits = (await _search(client, q="banh da cua", limit=50))["items"]
    dishes = [_first_dish(h) for h in hits]
    crab = [i for i, d in enumerate(dishes) if d == "banh-da-cua"]
    duc = [i for i, d in enumerate(dishes) if d and d.startswith("banh-duc")]
    assert crab and (not duc or max(crab) < min(duc))


async def test_right_diacritics_rank_above_folded_ones(client):
    door = (await _search(client, q="cửa", limit=5))["items"]
    assert door[0]["eatery"]["slug"] == "quan-cua-bien"
    crab = (await _search(client, q="cua", limit=5))["items"]
    assert crab[0]["eatery"]["slug"] != "quan-cua-bien"
    assert "cua" in _first_dish(crab[0])


async def test_with_a_position_nearer_ranks_higher_for_the_same_dish(client):
    hits = (await _search(client, q="banh da cua", **OPERA_HOUSE, limit=30))["items"]
    same = [h for h in hits if _first_dish(h) == "banh-da-cua" and h["eatery"]["rating"] is None]
    exact = [h for h in same if h["score"] >= same[0]["score"] - 0.35]
    distances = [h["distance_m"] for h in exact]
    assert len(distances) > 3
    assert distances == sorted(distances)


async def test_sorts(client):
    by_distance = (await _search(client, q="nem cua be", **OPERA_HOUSE, sort="distance"))["items"]
    d = [h["distance_m"] for h in by_distance]
    assert d == sorted(d)
    by_price = (await _search(client, q="banh mi cay", sort="price", limit=50))["items"]
    prices = [min(x["price_vnd"] for x in h["dishes"]) for h in by_price]
    assert prices == sorted(prices)


def _bayes(eatery: dict) -> float:
    """The rating score search ranks by: 5 phantom votes of 3 stars."""
    votes = eatery["rating_count"]
    return ((eatery["rating"] or 3) * votes + 15) / (votes + 5)


async def test_sort_by_rating_puts_rated_eateries_first(client, people, approved_review):
    hits = (await _search(client, q="banh da cua", sort="rating", limit=50))["items"]
    scores = [_bayes(h["eatery"]) for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert hits[0]["eatery"]["id"] == people["owner"]["eatery"]  # the one with a 4-star review


async def test_filters(client, clock):
    cheap = (await _search(client, q="banh da cua", max_price_vnd=40000, limit=50))["items"]
    assert cheap and all(h["dishes"][0]["price_vnd"] <= 40000 for h in cheap)
    near = (await _search(client, q="banh da cua", **OPERA_HOUSE, radius_m=800))["items"]
    assert near and all(h["distance_m"] <= 800 for h in near)
    clock(local(tomorrow(), 6, 30))
    breakfast = (await _search(client, q="banh da cua", open_now="true", limit=50))["items"]
    assert breakfast and all(h["eatery"]["open_now"] is True for h in breakfast)
    clock(local(tomorrow(), 3, 30))
    assert (await _search(client, q="banh da cua", open_now="true"))["items"] == []
    # unrated eateries (most of the city) never pass a rating filter
    rated = (await _search(client, q="banh da cua", min_rating=4, limit=50))["items"]
    assert all(h["eatery"]["rating"] is not None and h["eatery"]["rating"] >= 4 for h in rated)


async def test_cursor_pages_are_stable_and_complete(client):
    whole = (await _search(client, q="banh", **OPERA_HOUSE, limit=50))["items"]
    assert len(whole) > 12
    seen, cursor = [], None
    while True:
        params = {"q": "banh", **OPERA_HOUSE, "limit": 5}
        if cursor:
            params["cursor"] = cursor
        page = await _search(client, **params)
        seen += [h["eatery"]["id"] for h in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen[: len(whole)] == [h["eatery"]["id"] for h in whole]
    assert len(seen) == len(set(seen))
    # every page tells the whole query's total, exact while no dish is capped
    assert page["total"] == len(seen) and page["total_exact"] is True


async def test_total_is_a_lower_bound_when_a_dish_has_more_eateries_than_weighed(client, session):
    """More eateries serve a dish than the search weighs (PER_DISH): `total` counts those it
    weighed and says it is not exact."""
    many = PER_DISH + 3
    try:
        for i in range(many):
            await make_eatery(
                session,
                slug=f"test-total-{i}",
                lat=21.3 + i * 0.0001,  # 11 m apart, northward
                lon=107.3,
                hours=None,
                menu=[("xiu-pao", 20000 + i)],
            )
        page = await _search(client, q="xiu pao", limit=5)
        assert page["total"] >= PER_DISH and page["total_exact"] is False
        near = await _search(client, q="xiu pao", lat=21.3, lon=107.3, radius_m=105, limit=5)
        assert near["total_exact"] is True and near["total"] == 10  # 0, 11, ..., 100 m
    finally:
        async with session.begin():
            await session.execute(text("DELETE FROM eateries WHERE slug LIKE 'test-total-%'"))


async def test_cursor_of_another_query_or_garbage_is_422(client):
    page = await _search(client, q="banh", limit=2)
    other = await client.get(
        "/api/v1/search", params={"q": "bun", "limit": 2, "cursor": page["next_cursor"]}
    )
    assert other.status_code == 422
    assert other.json()["error"]["details"][0]["field"] == "cursor"
    garbage = await client.get("/api/v1/search", params={"q": "banh", "cursor": "!!not-a-cursor"})
    assert garbage.status_code == 422


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "b" * 101}, "q"),
        ({}, "q"),
        ({"q": "banh", "lat": 20.85}, "lon"),
        ({"q": "banh", "sort": "distance"}, "sort"),
        ({"q": "banh", "sort": "cheapest"}, "sort"),
        ({"q": "banh", "radius_m": 500}, "radius_m"),
        ({"q": "banh", "limit": MAX_LIMIT + 1}, "limit"),
        ({"q": "banh", "max_price_vnd": 0}, "max_price_vnd"),
        ({"q": "banh", "min_rating": 6}, "min_rating"),
        ({"q": "banh", **OPERA_HOUSE, "radius_m": 60000}, "radius_m"),
    ],
)
async def test_invalid_search_is_422_naming_the_field(client, params, field):
    r = await client.get("/api/v1/search", params=params)
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["error"]["details"]]


async def test_hundred_characters_is_still_a_query(client):
    query = "banh da cua " + "x" * 88
    assert len(query) == 100
    r = await client.get("/api/v1/search", params={"q": query})
    assert r.status_code == 200
    assert r.json()["count"] == len(r.json()["items"])


async def _suggest(client, q: str, **params) -> list[dict]:
    r = await client.get("/api/v1/search/suggest", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_suggest_from_the_second_letter(client):
    items = await _suggest(client, "ba", limit=10)
    assert 0 < len(items) <= 10
    assert all(item["kind"] in ("dish", "eatery") for item in items)
    assert "banh-da-cua" in [i["slug"] for i in await _suggest(client, "banh d")]
    assert (await _suggest(client, "lau c"))[0]["slug"] == "lau-cua-dong"
    assert (await _suggest(client, "nem cua"))[0]["slug"] == "nem-cua-be"
    eateries = [i for i in await _suggest(client, "quan cua b") if i["kind"] == "eatery"]
    assert eateries and eateries[0]["slug"] == "quan-cua-bien" and eateries[0]["id"]


@pytest.mark.parametrize(("q", "limit"), [("b", 5), ("banh", 11), ("x" * 101, 5)])
async def test_suggest_limits(client, q, limit):
    r = await client.get("/api/v1/search/suggest", params={"q": q, "limit": limit})
    assert r.status_code == 422


@pytest.mark.parametrize("q", ["\u00a0\u00a0", "\u3000 \u2003", "banh\u00a0d"])
@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/search/suggest"])
async def test_unicode_spaces_are_text_not_a_500(client, path, q):
    """Printable to the query pattern, blank or word breaks to Python's str.split()."""
    r = await client.get(path, params={"q": q})
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["items"], list)


@pytest.mark.parametrize("q", ["banh\x00da", "banh\nda", "\x7f\x7f"])
@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/search/suggest"])
async def test_control_characters_are_422_not_500(client, path, q):
    r = await client.get(path, params={"q": q})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["field"] == "q"


async def _slugs(client, q: str) -> list[str]:
    return [h["eatery"]["slug"] for h in (await _search(client, q=q, limit=50))["items"]]


async def test_remembered_matches_never_outlive_a_change(client, session, people):
    """What a query string matches is remembered per string; adding an eatery, closing or
    reopening one, and adding a dish are all seen by the very next search."""
    from sqlalchemy import text

    from tourism.dishes.schemas import DishCreate
    from tourism.dishes.service import upsert_dish

    assert "catalogue-zeta" not in await _slugs(client, "catalogue zeta")
    await make_eatery(session, slug="catalogue-zeta", lat=20.70, lon=106.56, hours=None)
    assert "catalogue-zeta" in await _slugs(client, "catalogue zeta")

    owner = people["owner"]
    own = f"/api/v1/vendor/eateries/{owner['eatery']}"
    slug = "test-owner-eatery"
    assert slug in await _slugs(client, "test owner eatery")
    closed = await client.patch(own, json={"status": "closed"}, headers=owner["headers"])
    assert closed.status_code == 200, closed.text
    assert slug not in await _slugs(client, "test owner eatery")
    reopened = await client.patch(own, json={"status": "active"}, headers=owner["headers"])
    assert reopened.status_code == 200, reopened.text
    assert slug in await _slugs(client, "test owner eatery")

    assert "catalogue-zeta" not in await _slugs(client, "banh xeo zeta")  # remembered now
    async with session.begin():
        dish_id = await upsert_dish(
            session,
            data=DishCreate(
                slug="banh-xeo-zeta",
                name_vi="Bánh xèo zeta",
                name_en="Zeta pancake",
                category="street_food",
            ),
        )
    try:
        await make_eatery(
            session,
            slug="catalogue-zeta",
            lat=20.70,
            lon=106.56,
            hours=None,
            menu=[("banh-xeo-zeta", 30000)],
        )
        hits = (await _search(client, q="banh xeo zeta"))["items"]
        assert hits[0]["eatery"]["slug"] == "catalogue-zeta"
        assert hits[0]["dishes"][0] == {
            "slug": "banh-xeo-zeta",
            "name_vi": "Bánh xèo zeta",
            "name_en": "Zeta pancake",
            "name": "Zeta pancake",
            "price_vnd": 30000,
        }
    finally:
        async with session.begin():
            await session.execute(text("DELETE FROM menu_items WHERE dish_id = :d"), {"d": dish_id})
            await session.execute(text("DELETE FROM dishes WHERE id = :d"), {"d": dish_id})


async def test_the_card_postgresql_builds_is_the_public_card(session, approved_review):
    """Search sends eatery cards built by PostgreSQL (PUBLIC_JSON); they must be exactly the
    cards every other endpoint builds in Python, for rated, unrated, and hours-unknown places."""
    for slug, hours in (("test-card-always", "24/7"), ("test-card-unknown", None)):
        await make_eatery(session, slug=slug, lat=21.2, lon=107.2, hours=hours)  # far from all
    now = datetime.now(UTC)
    card = PUBLIC_JSON.format(e="e")
    for lang in ("vi", "en"):  # the `name` field is in the request's language
        token = language_var.set(lang)
        try:
            python = {  # as JSON, the instants in Hai Phong time
                row.id: orjson.loads(orjson.dumps(public_fields(row)))
                for row in await session.execute(select(*public_columns()), {"now": now})
            }
        finally:
            language_var.reset(token)
        built = await session.execute(
            text(f"SELECT e.id, {card} AS card FROM eateries AS e"), {"now": now, "lang": lang}
        )
        postgres = {row.id: orjson.loads(row.card) for row in built}
        assert postgres == python
        named = [c for c in python.values() if c["name_en"]]
        assert named and all(c["name"] == c[f"name_{lang}"] for c in named)
    cards = list(python.values())
    assert any(c["rating"] for c in cards) and any(c["rating"] is None for c in cards)
    changes = [c["next_change"] for c in cards if c["next_change"]]
    assert changes and all(c.endswith("+07:00") for c in changes)
    by_slug = {c["slug"]: c for c in cards}
    # open around the clock: never flips within the window; unknown hours: nothing to say
    assert by_slug["test-card-always"]["next_change"] is None
    assert by_slug["test-card-unknown"]["next_change"] is None
    assert any(c["open_now"] is None for c in cards) and any(c["open_now"] for c in cards)


async def test_remembered_suggestions_never_outlive_a_change(client, session):
    """Completions are remembered per text; a new eatery, a new slug, a closed eatery and a
    renamed dish are all in the very next completion of the same text."""

    async def completions(q: str) -> list[tuple[str, str]]:
        r = await client.get("/api/v1/search/suggest", params={"q": q, "limit": 10})
        assert r.status_code == 200, r.text
        return [(s["slug"], s["name_vi"]) for s in r.json()["items"]]

    text_typed = "quan thu test-suggest"
    mine = ("test-suggest-mu", "test-suggest-nu")
    assert not {s for s, _ in await completions(text_typed)} & set(mine)  # remembered now
    eatery_id = await make_eatery(session, slug="test-suggest-mu", lat=21.2, lon=107.2, hours=None)
    assert ("test-suggest-mu", "Quán thử test-suggest-mu") in await completions(text_typed)

    async def change(sql: str, **params) -> None:
        async with session.begin():
            await session.execute(text(sql), params)

    await change("UPDATE eateries SET slug = 'test-suggest-nu' WHERE id = :id", id=eatery_id)
    assert {s for s, _ in await completions(text_typed)} & set(mine) == {"test-suggest-nu"}
    await change("UPDATE eateries SET status = 'closed' WHERE id = :id", id=eatery_id)
    assert not {s for s, _ in await completions(text_typed)} & set(mine)

    before = await completions("banh da cua")
    assert ("banh-da-cua", "Bánh đa cua") in before
    await change("UPDATE dishes SET name_vi = 'Bánh đa cua đồng' WHERE slug = 'banh-da-cua'")
    try:
        assert ("banh-da-cua", "Bánh đa cua đồng") in await completions("banh da cua")
    finally:
        await change("UPDATE dishes SET name_vi = 'Bánh đa cua' WHERE slug = 'banh-da-cua'")
    assert await completions("banh da cua") == before


async def test_suggest_while_typing_the_next_word(client):
    """Typing "tam b": the words before the one-letter word find the names, and the whole text
    must be in them (tourism.search.service._suggest_eateries)."""
    r = await client.get("/api/v1/search/suggest", params={"q": "tam b", "limit": 10})
    names = {s["name_vi"] for s in r.json()["items"] if s["kind"] == "eatery"}
    # the fourth "Tam Bạc", Nhà hàng Tam Bạc Xưa, is closed in the seeds
    assert names == {"Bánh cuốn Tam Bạc", "Cà phê Tam Bạc", "Bún cá cay Chợ Tam Bạc"}
