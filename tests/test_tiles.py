"""Vector tiles: layers and attributes, filters, bounds, HTTP caching, and invalidation."""

import math

import mapbox_vector_tile
import pytest

from geo.tiles import tile_of
from tests.helpers import local, make_eatery, tomorrow
from tourism.bikeshare.models import BikeStation, BikeStationStatus
from tourism.bikeshare.schemas import StationStatusIn
from tourism.bikeshare.service import set_status
from tourism.dependencies import app_settings

OPERA_HOUSE = (106.6839, 20.8577)
MVT = "application/vnd.mapbox-vector-tile"


def path(lon: float, lat: float, z: int = 14) -> str:
    x, y = tile_of(lon, lat, z)
    return f"/api/v1/tiles/{z}/{x}/{y}.mvt"


def layers(body: bytes) -> dict:
    return mapbox_vector_tile.decode(body)


def features(body: bytes, layer: str) -> dict[int, dict]:
    """Features of one layer by id."""
    return {f["id"]: f for f in layers(body).get(layer, {}).get("features", [])}


async def test_city_centre_tile_has_eateries_and_stations(client):
    r = await client.get(path(*OPERA_HOUSE))
    assert r.status_code == 200
    assert r.headers["content-type"] == MVT
    eateries = features(r.content, "eateries")
    stations = features(r.content, "stations")
    assert len(eateries) >= 10 and len(stations) >= 1
    assert layers(r.content)["eateries"]["extent"] == 4096
    for feature in eateries.values():
        props = feature["properties"]
        assert feature["geometry"]["type"] == "Point"
        assert props["name"] and props["kind"]
        assert isinstance(props["votes"], int)
        assert props.get("open_now") in (True, False, None)
        assert isinstance(props["min_price_vnd"], int) and props["min_price_vnd"] > 0
        # within the tile or its 64-unit buffer
        x, y = feature["geometry"]["coordinates"]
        assert -64 <= x <= 4096 + 64 and -64 <= y <= 4096 + 64
    for feature in stations.values():
        props = feature["properties"]
        assert props["name"] and isinstance(props["bikes"], int) and isinstance(props["docks"], int)


async def test_tile_holds_what_the_bbox_endpoint_finds(client):
    """The same eateries as the GeoJSON endpoint over the tile's own bounds."""
    z, (x, y) = 15, tile_of(*OPERA_HOUSE, 15)
    lon0, lon1 = x / 2**z * 360 - 180, (x + 1) / 2**z * 360 - 180

    def lat_of(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / 2**z))))

    bbox = f"{lon0 + 1e-6},{lat_of(y + 1) + 1e-6},{lon1 - 1e-6},{lat_of(y) - 1e-6}"
    geojson = await client.get("/api/v1/eateries", params={"bbox": bbox, "limit": 100})
    inside = {f["id"] for f in geojson.json()["features"]}
    assert 0 < len(inside) < 100
    tile = await client.get(f"/api/v1/tiles/{z}/{x}/{y}.mvt")
    assert inside <= set(features(tile.content, "eateries"))


async def test_dish_filter_keeps_only_eateries_serving_it(client):
    dish = (await client.get("/api/v1/dishes/banh-da-cua", params={"limit": 100})).json()
    serving = {e["id"]: e["price_vnd"] for e in dish["eateries"]}
    everything = features((await client.get(path(*OPERA_HOUSE, z=12))).content, "eateries")
    r = await client.get(path(*OPERA_HOUSE, z=12), params={"dish": "banh-da-cua"})
    filtered = features(r.content, "eateries")
    assert filtered and len(filtered) < len(everything)
    for eatery_id, feature in filtered.items():
        assert feature["properties"]["price_vnd"] == serving[eatery_id]
        assert feature["properties"]["min_price_vnd"] <= serving[eatery_id]
    assert features(r.content, "stations")  # the stations layer is not filtered


async def test_unknown_dish_is_404(client):
    r = await client.get(path(*OPERA_HOUSE), params={"dish": "pizza-hawaii"})
    assert r.status_code == 404


async def test_open_now_filter_follows_the_clock(client, clock):
    day = tomorrow()
    clock(local(day, 3, 0))
    night = features(
        (await client.get(path(*OPERA_HOUSE), params={"open_now": True})).content, "eateries"
    )
    clock(local(day, 12, 0))
    noon = features(
        (await client.get(path(*OPERA_HOUSE), params={"open_now": True})).content, "eateries"
    )
    assert len(noon) > len(night)
    assert all(f["properties"]["open_now"] is True for f in noon.values())


@pytest.mark.parametrize(
    ("tile", "field"),
    [
        ("23/0/0", "z"),
        ("-1/0/0", "z"),
        ("3/8/0", "x"),
        ("3/0/8", "y"),
        ("3/0/-1", "y"),
        ("3/a/0", "x"),
        ("3/0/0.5", "y"),
        ("0/1/0", "x"),
    ],
)
async def test_out_of_range_tiles_are_422_naming_the_field(client, tile, field):
    r = await client.get(f"/api/v1/tiles/{tile}.mvt")
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["error"]["details"]]


async def test_bad_filters_are_422(client):
    r = await client.get(path(*OPERA_HOUSE), params={"dish": "Bánh đa"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "dish"
    r = await client.get(path(*OPERA_HOUSE), params={"open_now": "sometimes"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "open_now"


async def test_etag_and_if_none_match(client):
    first = await client.get(path(*OPERA_HOUSE))
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.headers["cache-control"] == "public, no-cache"
    again = await client.get(path(*OPERA_HOUSE), headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    assert again.headers["etag"] == etag
    listed = await client.get(path(*OPERA_HOUSE), headers={"If-None-Match": f'"x", W/{etag}'})
    assert listed.status_code == 304
    other = await client.get(path(*OPERA_HOUSE), headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.content == first.content
    # Another tile, another tag.
    assert (await client.get(path(*OPERA_HOUSE, z=13))).headers["etag"] != etag


async def test_empty_tile_is_an_empty_200(client):
    r = await client.get("/api/v1/tiles/10/0/0.mvt")
    assert r.status_code == 200 and r.content == b""


async def test_features_per_layer_are_capped_best_rated_first(app, client, approved_review):
    everything = features((await client.get(path(*OPERA_HOUSE, z=10))).content, "eateries")
    fewer = app.state.resources.settings.model_copy(update={"tile_max_features": 5})
    app.dependency_overrides[app_settings] = lambda: fewer
    try:
        capped = features((await client.get(path(*OPERA_HOUSE, z=10))).content, "eateries")
    finally:
        app.dependency_overrides.pop(app_settings)
    assert len(everything) > 5 and len(capped) == 5

    def score(feature: dict) -> float:
        """The Bayesian rating search ranks by: 5 phantom votes of 3 stars."""
        props = feature["properties"]
        return (props.get("rating", 3) * props["votes"] + 15) / (props["votes"] + 5)

    best = sorted(map(score, everything.values()), reverse=True)[:5]
    assert sorted(map(score, capped.values()), reverse=True) == pytest.approx(best, abs=1e-4)
    assert best[0] > 3  # the rated eateries make it into the capped tile


# -- never stale --------------------------------------------------------------------------------

OWNER_Z = 16


async def _owner_tile(client, people, **params):
    eatery_id = people["owner"]["eatery"]
    r = await client.get(path(106.56, 20.69, OWNER_Z), params=params)
    assert r.status_code == 200
    return r, features(r.content, "eateries").get(eatery_id)


async def _owner_menu(client, people) -> dict[str, dict]:
    menu = await client.get(
        f"/api/v1/vendor/eateries/{people['owner']['eatery']}/menu",
        headers=people["owner"]["headers"],
    )
    assert menu.status_code == 200
    return {m["dish"]: m for m in menu.json()["items"]}


async def _patch_item(client, people, dish: str, change: dict) -> None:
    url = f"/api/v1/vendor/eateries/{people['owner']['eatery']}/menu/{dish}"
    r = await client.patch(url, headers=people["owner"]["headers"], json=change)
    assert r.status_code == 200, r.text


async def test_a_menu_change_through_the_api_shows_at_once(client, people):
    menu = await _owner_menu(client, people)
    cheapest = min(m["price_vnd"] for m in menu.values() if m["available"])
    dish = max(menu, key=lambda d: menu[d]["price_vnd"])
    before, eatery = await _owner_tile(client, people)
    assert eatery["properties"]["min_price_vnd"] == cheapest
    await _patch_item(client, people, dish, {"price_vnd": 1000, "available": True})
    try:
        after, eatery = await _owner_tile(client, people)
        assert eatery["properties"]["min_price_vnd"] == 1000
        assert after.headers["etag"] != before.headers["etag"]
        stale = await client.get(
            path(106.56, 20.69, OWNER_Z), headers={"If-None-Match": before.headers["etag"]}
        )
        assert stale.status_code == 200
    finally:
        await _patch_item(
            client,
            people,
            dish,
            {"price_vnd": menu[dish]["price_vnd"], "available": menu[dish]["available"]},
        )
    restored, eatery = await _owner_tile(client, people)
    assert eatery["properties"]["min_price_vnd"] == cheapest
    assert restored.headers["etag"] == before.headers["etag"]  # same content, same tag


async def test_a_dish_filtered_tile_follows_availability(client, people):
    menu = await _owner_menu(client, people)
    dish, item = next(iter(menu.items()))
    await _patch_item(client, people, dish, {"available": True})
    try:
        _, eatery = await _owner_tile(client, people, dish=dish)
        assert eatery["properties"]["price_vnd"] == item["price_vnd"]
        await _patch_item(client, people, dish, {"available": False})
        _, eatery = await _owner_tile(client, people, dish=dish)
        assert eatery is None
    finally:
        await _patch_item(client, people, dish, {"available": item["available"]})


async def test_hours_change_and_the_clock_move_open_now(client, clock, people):
    url = f"/api/v1/vendor/eateries/{people['owner']['eatery']}"
    headers = people["owner"]["headers"]
    mine = (await client.get("/api/v1/vendor/eateries", headers=headers)).json()["items"]
    original = next(e["opening_hours"] for e in mine if e["id"] == people["owner"]["eatery"])

    async def set_hours(value: str | None) -> None:
        r = await client.patch(url, headers=headers, json={"opening_hours": value})
        assert r.status_code == 200, r.text

    day = tomorrow()
    await set_hours("Mo-Su 06:00-22:00")
    try:
        clock(local(day, 21, 59))
        _, eatery = await _owner_tile(client, people)
        assert eatery["properties"]["open_now"] is True
        clock(local(day, 22, 0))  # closing time: the cached layer expires by itself
        _, eatery = await _owner_tile(client, people)
        assert eatery["properties"]["open_now"] is False
        _, eatery = await _owner_tile(client, people, open_now=True)
        assert eatery is None

        clock(local(day, 12, 0))
        _, eatery = await _owner_tile(client, people)
        assert eatery["properties"]["open_now"] is True
        await set_hours("Mo-Su 17:00-23:00")
        _, eatery = await _owner_tile(client, people)
        assert eatery["properties"]["open_now"] is False
    finally:
        await set_hours(original)


async def test_a_moved_or_closed_eatery_leaves_its_tile(client, session):
    here, there = (106.52, 20.62), (106.45, 20.62)
    eatery_id = await make_eatery(
        session, slug="test-tiles-moving", lat=here[1], lon=here[0], hours=None, menu=[]
    )
    first = await client.get(path(*here))
    assert eatery_id in features(first.content, "eateries")
    assert "open_now" not in features(first.content, "eateries")[eatery_id]["properties"]
    await make_eatery(session, slug="test-tiles-moving", lat=there[1], lon=there[0], hours=None)
    assert eatery_id not in features((await client.get(path(*here))).content, "eateries")
    assert eatery_id in features((await client.get(path(*there))).content, "eateries")


async def test_a_station_status_change_shows_at_once(client, session):
    from sqlalchemy import select

    station_pk, lon, lat = (
        await session.execute(
            select(BikeStation.id, BikeStation.location.ST_X(), BikeStation.location.ST_Y())
            .order_by(BikeStation.id)
            .limit(1)
        )
    ).one()
    saved = StationStatusIn.model_validate(
        await session.get(BikeStationStatus, station_pk), from_attributes=True
    )
    await session.rollback()
    before = features((await client.get(path(lon, lat))).content, "stations")[station_pk]
    bikes = before["properties"]["bikes"]

    async def status(new: StationStatusIn) -> None:
        async with session.begin():
            await set_status(session, station_pk=station_pk, status=new, now=local(tomorrow(), 9))

    eateries_before = await client.get(path(lon, lat))
    await status(StationStatusIn(num_bikes_available=bikes + 7, num_docks_available=3))
    try:
        after = await client.get(path(lon, lat))
        assert features(after.content, "stations")[station_pk]["properties"]["bikes"] == bikes + 7
        assert after.headers["etag"] != eateries_before.headers["etag"]
        # the eateries layer is the same bytes: only the stations layer was made again
        assert features(after.content, "eateries") == features(eateries_before.content, "eateries")
    finally:
        await status(saved)  # as it was, report time included: other tests read the newest


async def test_cache_serves_repeats_and_is_bounded(app, client):
    cache = app.state.resources.tile_cache
    await client.get(path(*OPERA_HOUSE, z=11))
    hits = cache.hits
    await client.get(path(*OPERA_HOUSE, z=11))
    assert cache.hits == hits + 2  # both layers
    assert cache.bytes <= cache.max_bytes


def test_tile_of_matches_known_tiles():
    assert tile_of(0, 0, 1) == (1, 1)
    assert tile_of(-180, 85, 2) == (0, 0)
    assert tile_of(*OPERA_HOUSE, 14) == (13047, 7221)
    assert tile_of(179.9999, -85.05, 3) == (7, 7)


# -- per-eatery columns kept by triggers (the `tile_columns` migration) -----------------------

# What the tile's attributes were made from before they were columns: probes of menu_items and
# eatery_open_intervals per eatery, the oracle the precomputed columns must agree with.
ORACLE = """
SELECT e.id,
       (SELECT min(m.price_vnd) FROM menu_items AS m
         WHERE m.eatery_id = e.id AND m.is_available) AS min_price_vnd,
       CASE WHEN e.opening_hours IS NULL THEN NULL
            ELSE EXISTS (SELECT FROM eatery_open_intervals AS i
                          WHERE i.eatery_id = e.id AND i.opens_at <= :now
                            AND i.closes_at > :now) END AS open_now
  FROM eateries AS e WHERE e.id = ANY (:ids)
"""


async def _oracle(session, ids, now) -> dict[int, dict]:
    from sqlalchemy import text

    rows = (await session.execute(text(ORACLE), {"ids": list(ids), "now": now})).all()
    await session.rollback()
    return {r.id: {"min_price_vnd": r.min_price_vnd, "open_now": r.open_now} for r in rows}


def _shown(feature: dict) -> dict:
    props = feature["properties"]
    return {"min_price_vnd": props.get("min_price_vnd"), "open_now": props.get("open_now")}


@pytest.mark.parametrize("hour", [3, 12, 21])
async def test_tile_attributes_are_what_menus_and_intervals_say(client, session, clock, hour):
    now = local(tomorrow(), hour)
    clock(now)
    for params in ({}, {"open_now": True}, {"dish": "banh-da-cua"}):
        shown = features(
            (await client.get(path(*OPERA_HOUSE, z=12), params=params)).content, "eateries"
        )
        assert shown
        expected = await _oracle(session, shown, now)
        assert {i: _shown(f) for i, f in shown.items()} == expected, params


SPOT = (106.40, 20.75)  # far from the seeded city and the other tests' eateries


async def test_tile_columns_follow_menu_and_hours_changes(client, session, clock):
    """Price change, item sold out, item removed and added, hours changed: each shows in the
    tile, rendered afresh from the columns the triggers keep."""
    from sqlalchemy import text

    day = tomorrow()
    clock(local(day, 12))
    menu = [("banh-da-cua", 40000), ("nem-cua-be", 25000), ("bun-ca-cay", 45000)]
    eatery_id = await make_eatery(
        session, slug="test-tiles-columns", lat=SPOT[1], lon=SPOT[0],
        hours="Mo-Su 08:00-20:00", menu=menu,
    )  # fmt: skip

    async def shown(**params) -> dict | None:
        r = await client.get(path(*SPOT, z=16), params=params)
        feature = features(r.content, "eateries").get(eatery_id)
        return None if feature is None else feature["properties"]

    async def sql(statement: str) -> None:
        async with session.begin():
            await session.execute(text(statement), {"id": eatery_id})

    assert (await shown())["min_price_vnd"] == 25000
    assert (await shown())["open_now"] is True
    # a price change, through the service
    await make_eatery(
        session, slug="test-tiles-columns", lat=SPOT[1], lon=SPOT[0],
        hours="Mo-Su 08:00-20:00", menu=[("banh-da-cua", 40000), ("nem-cua-be", 20000),
                                         ("bun-ca-cay", 45000)],
    )  # fmt: skip
    assert (await shown())["min_price_vnd"] == 20000
    # the cheapest item sold out: the next cheapest
    await sql(
        "UPDATE menu_items SET is_available = false WHERE eatery_id = :id "
        "AND dish_id = (SELECT id FROM dishes WHERE slug = 'nem-cua-be')"
    )
    assert (await shown())["min_price_vnd"] == 40000
    assert (await shown(dish="nem-cua-be")) is None
    # a cheaper item added, then removed
    await sql(
        "INSERT INTO menu_items (eatery_id, dish_id, price_vnd) "
        "SELECT :id, id, 5000 FROM dishes WHERE slug = 'banh-mi-cay'"
    )
    assert (await shown())["min_price_vnd"] == 5000
    await sql("DELETE FROM menu_items WHERE eatery_id = :id AND price_vnd = 5000")
    assert (await shown())["min_price_vnd"] == 40000
    # everything sold out: no price at all
    await sql("UPDATE menu_items SET is_available = false WHERE eatery_id = :id")
    assert "min_price_vnd" not in await shown()
    # hours changed: closed at noon now, open in the evening, and off the open-now tile
    await make_eatery(
        session, slug="test-tiles-columns", lat=SPOT[1], lon=SPOT[0],
        hours="Mo-Su 17:00-23:00", menu=menu,
    )  # fmt: skip
    assert (await shown())["open_now"] is False
    assert (await shown())["min_price_vnd"] == 25000  # the menu put back, all available
    assert await shown(open_now=True) is None
    clock(local(day, 22, 59))
    assert (await shown(open_now=True))["open_now"] is True
    clock(local(day, 23, 0))
    assert await shown(open_now=True) is None
    # hours no longer known
    await make_eatery(
        session, slug="test-tiles-columns", lat=SPOT[1], lon=SPOT[0], hours=None, menu=menu
    )
    assert "open_now" not in await shown()
    expected = await _oracle(session, [eatery_id], local(day, 23, 0))
    assert expected[eatery_id] == {"min_price_vnd": 25000, "open_now": None}


async def test_without_the_cache_every_tile_is_rendered_the_same(app, client):
    """TOURISM_TILE_CACHE_MB=0 (the benchmark's cold mode): no version read, same bytes."""
    cached = await client.get(path(*OPERA_HOUSE, z=13))
    cache = app.state.resources.tile_cache
    saved, cache.max_bytes = cache.max_bytes, 0
    try:
        hits = cache.hits
        cold = await client.get(path(*OPERA_HOUSE, z=13))
    finally:
        cache.max_bytes = saved
    assert cache.hits == hits and cold.content == cached.content
    assert cold.headers["etag"] == cached.headers["etag"]
