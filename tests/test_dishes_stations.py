"""Dishes, bike stations, the seed loader, health and the error shape."""

from datetime import timedelta

from tests.helpers import local, tomorrow

OPERA_HOUSE = {"lat": 20.8577, "lon": 106.6839}


async def test_dish_catalogue(client, seeded):
    r = await client.get("/api/v1/dishes", params={"limit": 100})
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == seeded["dishes"] >= 30
    assert r.json()["total"] == seeded["dishes"] and r.json()["next_cursor"] is None
    assert "Link" not in r.headers
    by_slug = {d["slug"]: d for d in items}
    crab = by_slug["banh-da-cua"]
    assert crab["name_vi"] == "Bánh đa cua"
    assert crab["eatery_count"] >= 10
    assert 0 < crab["price_min_vnd"] <= crab["price_max_vnd"]
    assert crab["aliases"]


async def test_dish_catalogue_category_and_paging(client):
    first = (await client.get("/api/v1/dishes", params={"limit": 5})).json()["items"]
    second = (await client.get("/api/v1/dishes", params={"limit": 5, "offset": 5})).json()["items"]
    assert len(first) == len(second) == 5
    assert not {d["slug"] for d in first} & {d["slug"] for d in second}
    assert [d["slug"] for d in first] == sorted(d["slug"] for d in first)
    soups = (await client.get("/api/v1/dishes", params={"category": "noodle_soup"})).json()
    assert soups["items"] and all(d["category"] == "noodle_soup" for d in soups["items"])


async def test_dish_detail_lists_eateries_cheapest_first(client):
    r = await client.get("/api/v1/dishes/banh-da-cua", params={"limit": 100})
    assert r.status_code == 200
    body = r.json()
    prices = [e["price_vnd"] for e in body["eateries"]]
    assert len(prices) == body["eatery_count"] == body["total"]
    assert body["next_cursor"] is None
    assert prices == sorted(prices)
    assert prices[0] == body["price_min_vnd"] and prices[-1] == body["price_max_vnd"]


async def test_dish_errors(client):
    assert (await client.get("/api/v1/dishes/no-such-dish")).status_code == 404
    bad = await client.get("/api/v1/dishes/Bánh!")
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "slug"
    assert (await client.get("/api/v1/dishes", params={"limit": 1000})).status_code == 422


async def test_stations_nearby_with_availability(client):
    r = await client.get("/api/v1/stations/nearby", params={**OPERA_HOUSE, "radius_m": 3000})
    assert r.status_code == 200
    items = r.json()["items"]
    assert items
    distances = [s["distance_m"] for s in items]
    assert distances == sorted(distances) and distances[-1] <= 3000
    for s in items:
        assert 0 <= s["num_bikes_available"] + s["num_docks_available"] <= s["capacity"]
        assert {"is_renting", "is_returning", "is_stale", "last_reported"} <= s.keys()


async def test_station_status_goes_stale_after_five_minutes(client, clock):
    first = (await client.get("/api/v1/stations/nearby", params=OPERA_HOUSE)).json()["items"][0]
    from datetime import datetime

    reported = datetime.fromisoformat(first["last_reported"])
    clock(reported + timedelta(minutes=4))
    fresh = (await client.get("/api/v1/stations/nearby", params=OPERA_HOUSE)).json()["items"][0]
    clock(reported + timedelta(minutes=6))
    stale = (await client.get("/api/v1/stations/nearby", params=OPERA_HOUSE)).json()["items"][0]
    assert fresh["is_stale"] is False
    assert stale["is_stale"] is True


async def test_stations_invalid_input(client):
    r = await client.get("/api/v1/stations/nearby", params={"lat": 20.8, "lon": 200})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "lon"


async def test_seed_loader_is_idempotent(settings, database_url, seeded, session):
    from sqlalchemy import func, select

    from tourism.maintenance import seed
    from tourism.models import BikeStation, Dish, Eatery, MenuItem

    async def counts() -> list[int]:
        return [
            await session.scalar(select(func.count()).select_from(model))
            for model in (Eatery, Dish, MenuItem, BikeStation)
        ]

    before = await counts()
    again = await _in_thread(seed, settings, database_url)
    await session.rollback()
    assert again == seeded
    assert await counts() == before
    assert seeded["eateries"] >= 80 and seeded["stations"] >= 25


async def _in_thread(fn, *args):
    import asyncio

    return await asyncio.to_thread(lambda: asyncio.run(fn(*args)))


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}


async def test_unknown_route_has_the_error_shape(client):
    r = await client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert set(r.json()["error"]) == {"code", "message", "details", "request_id"}


async def test_open_window_covers_the_coming_week(session):
    from tourism.eateries.models import OpenHoursWindow

    window = await session.get(OpenHoursWindow, 1)
    assert window.starts_at <= local(tomorrow(), 0) - timedelta(days=1)
    assert window.ends_at >= local(tomorrow(), 0) + timedelta(days=6)
