"""`PUT /api/v1/operator/stations/status`: the bike-share operator pushes live status.

Runs on the seeded city, on stations far from the opera house that the other tests read, and
always with bikes + docks within capacity.
"""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from tests.conftest import PASSWORD, TEST_SECRET

URL = "/api/v1/operator/stations/status"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def entry(station_id: str, bikes: int, docks: int, at: datetime, **extra) -> dict:
    return {
        "station_id": station_id,
        "num_vehicles_available": bikes,
        "num_docks_available": docks,
        "is_installed": True,
        "is_renting": True,
        "is_returning": True,
        "last_reported": at.isoformat(),
        **extra,
    }


async def _station(client, station_id: str) -> dict | None:
    feed = (await client.get("/gbfs/v3/station_status.json")).json()["data"]["stations"]
    return next((s for s in feed if s["station_id"] == station_id), None)


async def _nearby_ids(client, lat: float, lon: float) -> set[str]:
    r = await client.get("/api/v1/stations/nearby", params={"lat": lat, "lon": lon})
    return {s["station_id"] for s in r.json()["items"]}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("tourist", 403),
        ("owner", 403),
        ("moderator", 403),
        ("operator", 200),
        ("admin", 200),
    ],
)
async def test_only_operators_and_admins_push(client, people, who, status):
    body = {"stations": [entry("hp-020", 1, 1, _now() - timedelta(days=365))]}
    r = await client.put(URL, headers=people[who]["headers"], json=body)
    assert r.status_code == status, r.text
    if status != 200:
        assert r.json()["error"]["code"] in ("not_authenticated", "forbidden")


async def test_operators_reach_nothing_else(client, people):
    headers = people["operator"]["headers"]
    assert (await client.get("/api/v1/moderation/reviews", headers=headers)).status_code == 403
    assert (await client.get("/api/v1/vendor/eateries", headers=headers)).status_code == 403
    assert (await client.get("/api/v1/admin/audit", headers=headers)).status_code == 403
    me = await client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200 and me.json()["role"] == "operator"


async def test_push_updates_the_api_and_the_feed(client, people, clock):
    now = _now()
    r = await client.put(
        URL,
        headers=people["operator"]["headers"],
        json={"stations": [entry("hp-021", 2, 3, now), entry("hp-022", 0, 5, now)]},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"updated": 2, "unchanged": 0, "skipped": []}
    pushed = await _station(client, "hp-021")
    assert (pushed["num_vehicles_available"], pushed["num_docks_available"]) == (2, 3)
    assert datetime.fromisoformat(pushed["last_reported"]) == now

    station = (await client.get("/gbfs/v3/station_information.json")).json()["data"]["stations"]
    where = next(s for s in station if s["station_id"] == "hp-021")
    clock(now + timedelta(minutes=1))
    nearby = await client.get(
        "/api/v1/stations/nearby", params={k: where[k] for k in ("lat", "lon")}
    )
    first = nearby.json()["items"][0]
    assert first["station_id"] == "hp-021"
    assert (first["num_bikes_available"], first["num_docks_available"]) == (2, 3)
    assert first["is_stale"] is False

    # An older report, arriving late, does not roll the status back.
    late = await client.put(
        URL,
        headers=people["operator"]["headers"],
        json={"stations": [entry("hp-021", 0, 0, now - timedelta(minutes=2))]},
    )
    assert late.json() == {"updated": 0, "unchanged": 1, "skipped": []}
    assert (await _station(client, "hp-021"))["num_vehicles_available"] == 2


async def test_bad_entries_are_skipped_the_rest_stored(client, people):
    now = _now()
    body = {
        "stations": [
            entry("hp-023", 1, 1, now),
            entry("hp-024", -1, 1, now),
            entry("no-such-station", 1, 1, now),
            entry("hp-025", 1, 1, now),
            entry("hp-025", 2, 1, now),
            "hp-026",
            {k: v for k, v in entry("hp-026", 1, 1, now).items() if k != "is_installed"},
            entry("hp-027", 1, 1, now + timedelta(hours=1)),
            entry("hp-020", 1, 1, now, last_reported="2026-11-22 10:00"),
            entry("hp-028", 500, 500, now),
            entry("hp-029\x00", 1, 1, now),
        ]
    }
    r = await client.put(URL, headers=people["operator"]["headers"], json=body)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["updated"], report["unchanged"]) == (1, 0)
    skipped = {s["index"]: (s["station_id"], s["reason"]) for s in report["skipped"]}
    assert sorted(skipped) == list(range(1, 11))
    assert skipped[1][1].startswith("num_vehicles_available: Input should be greater")
    assert skipped[2] == ("no-such-station", "unknown station_id (not in station_information)")
    assert skipped[3] == skipped[4] == ("hp-025", "duplicate station_id")
    assert skipped[5] == (None, "not an object")
    assert skipped[6] == ("hp-026", "is_installed: missing")
    assert skipped[7] == ("hp-027", "last_reported: in the future")
    assert "RFC 3339" in skipped[8][1]
    assert "capacity" in skipped[9][1]
    assert skipped[10][1] == "station_id: control characters are not allowed"
    assert (await _station(client, "hp-023"))["num_vehicles_available"] == 1
    assert (await _station(client, "hp-024"))["num_vehicles_available"] != -1


async def test_batches_are_bounded(client, people):
    headers = people["operator"]["headers"]
    too_many = {"stations": [entry("hp-020", 1, 1, _now())] * 1001}
    for body in (too_many, {"stations": []}, {"stations": "hp-020"}, {"items": []}):
        r = await client.put(URL, headers=headers, json=body)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"][0]["field"] in ("stations", "items")


async def test_a_station_taken_off_the_street_leaves_the_map(client, people, session):
    from sqlalchemy import select

    from tourism.bikeshare.models import BikeStation

    row = (
        await session.execute(
            select(BikeStation.station_id).where(BikeStation.station_id == "hp-030")
        )
    ).scalar_one()
    information = (await client.get("/gbfs/v3/station_information.json")).json()
    where = next(s for s in information["data"]["stations"] if s["station_id"] == row)
    headers = people["operator"]["headers"]
    now = _now()
    off = entry(row, 0, 0, now, is_installed=False, is_renting=False, is_returning=False)
    assert (await client.put(URL, headers=headers, json={"stations": [off]})).json()["updated"] == 1
    assert row not in await _nearby_ids(client, where["lat"], where["lon"])
    published = await _station(client, row)
    assert published["is_installed"] is False and published["is_renting"] is False
    back = entry(row, 1, 1, now + timedelta(seconds=1))
    assert (await client.put(URL, headers=headers, json={"stations": [back]})).json()[
        "updated"
    ] == 1
    assert row in await _nearby_ids(client, where["lat"], where["lon"])


async def test_pushes_are_audited(client, people):
    r = await client.get(
        "/api/v1/admin/audit",
        headers=people["admin"]["headers"],
        params={"actor_id": people["operator"]["id"]},
    )
    assert r.status_code == 200
    entries = [e for e in r.json()["items"] if e["action"] == "push_status"]
    assert entries and {"updated", "unchanged", "skipped"} <= set(entries[0]["after"])


async def test_admins_create_operator_accounts(client, people):
    email = f"tngo-{secrets.token_hex(3)}@example.vn"
    r = await client.post(
        "/api/v1/admin/users",
        headers=people["admin"]["headers"],
        json={"email": email, "password": PASSWORD, "display_name": "TNGo", "role": "operator"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "operator"
    refused = await client.post(
        "/api/v1/admin/users",
        headers=people["moderator"]["headers"],
        json={"email": "x" + email, "password": PASSWORD, "display_name": "X", "role": "operator"},
    )
    assert refused.status_code == 403
    token = await client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    pushed = await client.put(
        URL, headers=headers, json={"stations": [entry("hp-020", 1, 1, _now())]}
    )
    assert pushed.status_code == 200 and pushed.json()["skipped"] == []


def test_create_operator_from_the_command_line(database_url, seeded, monkeypatch):
    from tourism import cli, config

    monkeypatch.setenv("TOURISM_DATABASE_URL", database_url)
    monkeypatch.setenv("TOURISM_ENVIRONMENT", "test")
    monkeypatch.setenv("TOURISM_SECRET_KEY", TEST_SECRET)
    config.get_settings.cache_clear()
    try:
        email = f"operator-{secrets.token_hex(3)}@example.vn"
        result = CliRunner().invoke(
            cli.main,
            ["create-user", "--email", email, "--password", PASSWORD, "--role", "operator"],
        )
        assert result.exit_code == 0, result.output
        assert f"created operator {email}" in result.output
    finally:
        config.get_settings.cache_clear()
