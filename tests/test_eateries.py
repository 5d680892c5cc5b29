"""The public eatery endpoints against the seeded city."""

from datetime import UTC, timedelta

import pytest
from geojson_pydantic import FeatureCollection

from tests.helpers import local, make_eatery, tomorrow

OPERA_HOUSE = {"lat": 20.8577, "lon": 106.6839}
CITY_CENTRE_BBOX = "106.66,20.84,106.71,20.87"


async def test_nearby_lists_seeded_eateries_nearest_first(client):
    r = await client.get("/api/v1/eateries/nearby", params={**OPERA_HOUSE, "limit": 15})
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 15
    distances = [e["distance_m"] for e in items]
    assert distances == sorted(distances)
    assert all(d <= 1500 for d in distances)
    first = items[0]
    assert first["rating"] is None and first["rating_count"] == 0
    assert first["open_now"] in (True, False)
    lon, lat = first["location"]["coordinates"]
    assert 106.6 < lon < 106.8 and 20.8 < lat < 20.9


async def test_nearby_radius_bounds_the_answer(client):
    near = await client.get("/api/v1/eateries/nearby", params={**OPERA_HOUSE, "radius_m": 300})
    wide = await client.get(
        "/api/v1/eateries/nearby", params={**OPERA_HOUSE, "radius_m": 50000, "limit": 100}
    )
    assert all(e["distance_m"] <= 300 for e in near.json()["items"])
    assert len(wide.json()["items"]) > len(near.json()["items"])


async def test_nearby_with_dish_gives_its_price(client):
    r = await client.get(
        "/api/v1/eateries/nearby",
        params={**OPERA_HOUSE, "dish": "banh-da-cua", "radius_m": 20000, "limit": 50},
    )
    items = r.json()["items"]
    assert len(items) >= 5
    for e in items:
        assert e["dish"]["slug"] == "banh-da-cua"
        assert isinstance(e["dish"]["price_vnd"], int) and e["dish"]["price_vnd"] > 0


async def test_nearby_unknown_dish_is_404(client):
    r = await client.get("/api/v1/eateries/nearby", params={**OPERA_HOUSE, "dish": "pizza-hawaii"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_nearby_cards_built_by_postgresql_equal_the_python_cards(client, lang):
    """Nearby's items are JSON PostgreSQL writes; the map's list builds the same card in Python
    (tourism.eateries.card): for every eatery in both, the fields are the same values."""
    wide = {**OPERA_HOUSE, "radius_m": 3000, "limit": 100, "lang": lang, "dish": "banh-da-cua"}
    nearby = (await client.get("/api/v1/eateries/nearby", params=wide)).json()["items"]
    box = {"bbox": "106.6,20.8,106.8,20.95", "limit": 100, "lang": lang, "dish": "banh-da-cua"}
    features = (await client.get("/api/v1/eateries", params=box)).json()["features"]
    python = {
        f["id"]: {"id": f["id"], "location": f["geometry"], **f["properties"]} for f in features
    }
    assert nearby and set(python) >= {e["id"] for e in nearby}
    for item in nearby:
        card = {k: v for k, v in item.items() if k not in ("distance_m", "dish")}
        expected = dict(python[item["id"]])
        assert (expected.pop("dish_slug"), expected.pop("price_vnd")) == (
            item["dish"]["slug"],
            item["dish"]["price_vnd"],
        )
        assert card == expected
        assert item["dish"]["name"] == (
            item["dish"]["name_vi"] if lang == "vi" else item["dish"]["name_en"]
        )
        assert list(item)[-2:] == ["distance_m", "dish"]


async def test_nearby_total_is_a_lower_bound_past_what_it_counts(client, monkeypatch):
    from tourism.eateries import service

    params = {**OPERA_HOUSE, "radius_m": 20000}
    everything = await client.get("/api/v1/eateries/nearby", params={**params, "limit": 100})
    assert everything.json()["total_exact"] is True
    assert everything.json()["total"] >= len(everything.json()["items"]) > 6
    monkeypatch.setattr(service, "NEARBY_COUNTED", 5)
    first = (await client.get("/api/v1/eateries/nearby", params={**params, "limit": 2})).json()
    assert (first["total"], first["total_exact"]) == (5, False)
    assert [e["id"] for e in first["items"]] == [e["id"] for e in everything.json()["items"][:2]]
    later = (
        await client.get("/api/v1/eateries/nearby", params={**params, "limit": 3, "offset": 4})
    ).json()
    assert later["total"] == 8 and later["total_exact"] is False  # at least what was paged
    assert [e["id"] for e in later["items"]] == [e["id"] for e in everything.json()["items"][4:7]]


async def test_bbox_is_valid_geojson(client):
    r = await client.get("/api/v1/eateries", params={"bbox": CITY_CENTRE_BBOX, "limit": 40})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    collection = FeatureCollection.model_validate(r.json())
    assert 0 < len(collection.features) <= 40
    for feature in collection.features:
        lon, lat = feature.geometry.coordinates
        assert 106.66 <= lon <= 106.71 and 20.84 <= lat <= 20.87
        assert {"name_vi", "open_now", "rating", "rating_count"} <= feature.properties.keys()


async def test_bbox_with_dish_flattens_the_price(client):
    r = await client.get(
        "/api/v1/eateries", params={"bbox": "106.55,20.65,107.0,21.0", "dish": "banh-mi-cay"}
    )
    features = FeatureCollection.model_validate(r.json()).features
    assert features
    assert all(f.properties["dish_slug"] == "banh-mi-cay" for f in features)
    assert all(f.properties["price_vnd"] > 0 for f in features)


async def test_detail_has_hours_menu_and_stations(client):
    listing = await client.get("/api/v1/eateries/nearby", params=OPERA_HOUSE)
    eatery_id = listing.json()["items"][0]["id"]
    r = await client.get(f"/api/v1/eateries/{eatery_id}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == eatery_id
    assert body["opening_hours"]
    assert len(body["schedule"]) == 7
    assert sum(day["is_today"] for day in body["schedule"]) == 1
    if body["next_change"]:
        assert body["next_change"].endswith("+07:00")
    assert body["menu"] and all(item["price_vnd"] > 0 for item in body["menu"])
    stations = body["nearby_stations"]
    assert len(stations) == 3
    assert [s["distance_m"] for s in stations] == sorted(s["distance_m"] for s in stations)
    assert all(s["num_bikes_available"] is not None for s in stations)


async def test_unknown_eatery_is_404(client):
    r = await client.get("/api/v1/eateries/999999999")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/eateries/nearby", {"lat": 91, "lon": 106.68}, "lat"),
        ("/api/v1/eateries/nearby", {"lat": -90.5, "lon": 106.68}, "lat"),
        ("/api/v1/eateries/nearby", {"lat": 20.85, "lon": 181}, "lon"),
        ("/api/v1/eateries/nearby", {"lat": 20.85, "lon": "east"}, "lon"),
        ("/api/v1/eateries/nearby", {"lon": 106.68}, "lat"),
        ("/api/v1/eateries/nearby", {**OPERA_HOUSE, "radius_m": 50001}, "radius_m"),
        ("/api/v1/eateries/nearby", {**OPERA_HOUSE, "radius_m": 0}, "radius_m"),
        ("/api/v1/eateries/nearby", {**OPERA_HOUSE, "limit": 101}, "limit"),
        ("/api/v1/eateries/nearby", {**OPERA_HOUSE, "limit": 0}, "limit"),
        ("/api/v1/eateries/nearby", {**OPERA_HOUSE, "dish": "Bánh đa"}, "dish"),
        ("/api/v1/eateries/nearby", {**OPERA_HOUSE, "open_now": "maybe"}, "open_now"),
        ("/api/v1/eateries", {"bbox": "106.71,20.84,106.66,20.87"}, "bbox"),
        ("/api/v1/eateries", {"bbox": "106.66,20.87,106.71,20.84"}, "bbox"),
        ("/api/v1/eateries", {"bbox": "105.0,20.0,107.0,21.0"}, "bbox"),
        ("/api/v1/eateries", {"bbox": "106.66,20.84,106.71"}, "bbox"),
        ("/api/v1/eateries", {"bbox": "a,b,c,d"}, "bbox"),
        ("/api/v1/eateries", {"bbox": "106.66,-95,106.71,20.84"}, "bbox"),
        ("/api/v1/eateries", {}, "bbox"),
        ("/api/v1/eateries", {"bbox": CITY_CENTRE_BBOX, "limit": 500}, "limit"),
        ("/api/v1/eateries/abc", {}, "eatery_id"),
        ("/api/v1/eateries/-3", {}, "eatery_id"),
        ("/api/v1/eateries/99999999999999999999", {}, "eatery_id"),
    ],
)
async def test_invalid_input_is_422_naming_the_field(client, path, params, field):
    r = await client.get(path, params=params)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert field in [d["field"] for d in error["details"]]


# -- open now, at fixed instants, with the server in UTC ---------------------------------------

FAR_AWAY = {"lat": 20.7001, "lon": 106.5001}  # no seeded eatery within 5 km


@pytest.fixture
async def test_stalls(session):
    breakfast = await make_eatery(
        session,
        slug="test-breakfast",
        hours="Mo-Su 06:00-10:00",
        menu=[("banh-da-cua", 30000)],
        lat=FAR_AWAY["lat"],
        lon=FAR_AWAY["lon"],
    )
    late = await make_eatery(
        session,
        slug="test-late-night",
        hours="Mo-Su 18:00-02:00",
        menu=[("banh-da-cua", 45000)],
        lat=FAR_AWAY["lat"] + 0.001,
        lon=FAR_AWAY["lon"],
    )
    return {"breakfast": breakfast, "late": late}


async def _open_ids(client, **extra) -> list[int]:
    r = await client.get(
        "/api/v1/eateries/nearby", params={**FAR_AWAY, "open_now": "true", **extra}
    )
    assert r.status_code == 200
    return [e["id"] for e in r.json()["items"]]


async def test_open_now_at_breakfast_and_at_night(client, clock, test_stalls):
    day = tomorrow()
    clock(local(day, 6, 30).astimezone(UTC))
    assert await _open_ids(client) == [test_stalls["breakfast"]]
    clock(local(day, 23, 30))
    assert await _open_ids(client) == [test_stalls["late"]]
    clock(local(day, 1, 0) + timedelta(days=1))  # 01:00 the next morning: still the late one
    assert await _open_ids(client) == [test_stalls["late"]]
    clock(local(day, 14, 0))
    assert await _open_ids(client) == []


async def test_open_now_filter_with_dish_and_utc_clock(client, clock, test_stalls):
    day = tomorrow()
    clock(local(day, 6, 30).astimezone(UTC))  # the same instant, told in UTC
    assert await _open_ids(client, dish="banh-da-cua") == [test_stalls["breakfast"]]


async def test_detail_open_now_and_next_change_at_fixed_instant(client, clock, test_stalls):
    day = tomorrow()
    clock(local(day, 6, 30))
    body = (await client.get(f"/api/v1/eateries/{test_stalls['breakfast']}")).json()
    assert body["open_now"] is True
    assert body["next_change"] == local(day, 10).isoformat()
    clock(local(day, 23, 30))
    body = (await client.get(f"/api/v1/eateries/{test_stalls['breakfast']}")).json()
    assert body["open_now"] is False
    assert body["next_change"] == local(day + timedelta(days=1), 6).isoformat()


async def test_every_list_says_when_a_closed_eatery_opens(client, clock, test_stalls):
    """The cards of nearby, bbox and search carry the detail's next_change: at 23:30 the
    breakfast place opens at 06:00 tomorrow, the late one closes at 02:00."""
    day = tomorrow()
    clock(local(day, 23, 30))
    opens = local(day + timedelta(days=1), 6).isoformat()
    closes = local(day + timedelta(days=1), 2).isoformat()
    nearby = (await client.get("/api/v1/eateries/nearby", params=FAR_AWAY)).json()["items"]
    cards = {e["id"]: e for e in nearby}
    box = f"{FAR_AWAY['lon'] - 0.01},{FAR_AWAY['lat'] - 0.01},{FAR_AWAY['lon'] + 0.01},"
    box += f"{FAR_AWAY['lat'] + 0.01}"
    features = (await client.get("/api/v1/eateries", params={"bbox": box})).json()["features"]
    search = (
        await client.get("/api/v1/search", params={"q": "banh da cua", **FAR_AWAY, "limit": 50})
    ).json()["items"]
    hits = {h["eatery"]["id"]: h["eatery"] for h in search}
    for where in (cards, {f["id"]: f["properties"] for f in features}, hits):
        assert where[test_stalls["breakfast"]]["open_now"] is False
        assert where[test_stalls["breakfast"]]["next_change"] == opens
        assert where[test_stalls["late"]]["open_now"] is True
        assert where[test_stalls["late"]]["next_change"] == closes
    detail = (await client.get(f"/api/v1/eateries/{test_stalls['breakfast']}")).json()
    assert detail["next_change"] == opens


async def test_open_now_filters_before_the_limit(client, clock):
    """Filtering in SQL: the first 5 open eateries, not the open ones among the first 5."""
    clock(local(tomorrow(), 12, 0))
    params = {**OPERA_HOUSE, "radius_m": 50000, "open_now": "true"}
    everything = await client.get("/api/v1/eateries/nearby", params={**params, "limit": 100})
    first_five = await client.get("/api/v1/eateries/nearby", params={**params, "limit": 5})
    open_items = everything.json()["items"]
    assert len(open_items) > 5
    assert all(e["open_now"] is True for e in open_items)
    distances = [e["distance_m"] for e in open_items]
    assert distances == sorted(distances)
    assert [e["id"] for e in first_five.json()["items"]] == [e["id"] for e in open_items[:5]]
    all_nearest = (
        await client.get(
            "/api/v1/eateries/nearby", params={**OPERA_HOUSE, "radius_m": 50000, "limit": 100}
        )
    ).json()["items"]
    assert any(e["open_now"] is False for e in all_nearest), "some seeded eatery is closed at noon"


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "nan", "lon": 106.68},
        {"lat": 20.85, "lon": "inf"},
        {"lat": "1e400", "lon": 106.68},
        {**OPERA_HOUSE, "radius_m": "1e12"},
        {**OPERA_HOUSE, "radius_m": "1.5"},
        {**OPERA_HOUSE, "limit": "ten"},
        {**OPERA_HOUSE, "dish": "banh\x00da"},
        {**OPERA_HOUSE, "dish": "x" * 500},
        {"bbox": "nan,nan,nan,nan"},
        {"bbox": "106.6,20.8,106.7,20.9\x00"},
        {"bbox": "1" * 300},
    ],
)
async def test_hostile_input_is_never_a_500(client, params):
    path = "/api/v1/eateries" if "bbox" in params else "/api/v1/eateries/nearby"
    r = await client.get(path, params=params)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]
