"""One bike station by its operator's id: where a QR code on a station lands."""

from datetime import timedelta

from tests.helpers import local, tomorrow


async def test_station_by_operator_id_with_status(client, clock):
    nearby = await client.get("/api/v1/stations/nearby", params={"lat": 20.8577, "lon": 106.6839})
    first = nearby.json()["items"][0]

    clock(local(tomorrow(), 12) + timedelta(days=1))
    r = await client.get(f"/api/v1/stations/{first['station_id']}")
    assert r.status_code == 200, r.text
    station = r.json()
    for key in ("station_id", "name_vi", "location", "capacity", "num_bikes_available"):
        assert station[key] == first[key]
    assert station["distance_m"] is None  # no position was given
    assert station["is_stale"] is True  # a day after the seeded status was reported


async def test_unknown_or_malformed_station(client):
    missing = await client.get("/api/v1/stations/no-such-station")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    for bad in ("x" * 65, "a%20b", "%3Cscript%3E"):
        r = await client.get(f"/api/v1/stations/{bad}")
        assert r.status_code == 422, bad
        assert r.json()["error"]["details"][0]["field"] == "station_id"


async def test_nearby_still_answers_before_the_station_route(client):
    r = await client.get("/api/v1/stations/nearby", params={"lat": 20.8577, "lon": 106.6839})
    assert r.status_code == 200 and r.json()["count"] > 0
