"""The published GBFS v3.0 feeds: valid against the official schemas, for the seeded city and
for a city without a single station; ETags; what the files say."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.bikeshare.helpers import (
    FIXTURES,
    PUBLISHED,
    SCHEMAS,
    published_feeds,
    schema_errors,
    validator,
)
from tourism.config import PROJECT_ROOT

RFC3339_LOCAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")
# The team's shared copy, where it exists (a clean CI clone does not have it).
SHARED = [
    root / "shared" / "standards" / "gbfs-v3.0"
    for root in (PROJECT_ROOT.parent, PROJECT_ROOT.parent.parent)
]


def test_schema_copies_are_the_official_files_unchanged():
    shared = next((path for path in SHARED if path.is_dir()), None)
    if shared is None:
        pytest.skip("no ../shared/standards/gbfs-v3.0 beside this checkout")
    names = sorted(p.name for p in shared.iterdir() if p.suffix == ".json" or p.name == "LICENSE")
    assert "station_status.json" in names and "LICENSE" in names
    ours = sorted(p.name for p in SCHEMAS.iterdir() if p.suffix == ".json" or p.name == "LICENSE")
    assert ours == names
    for name in names:
        assert (SCHEMAS / name).read_bytes() == (shared / name).read_bytes(), name


def test_formats_are_really_checked():
    """Without the format extras, jsonschema accepts any string as a date-time or a URI."""
    checker = validator("system_information").format_checker
    assert {"date-time", "date", "uri", "email"} <= set(checker.checkers)
    assert not checker.conforms("2026-11-22 13:05", "date-time")
    assert not checker.conforms("2026-13-01T00:00:00+07:00", "date-time")
    assert not checker.conforms("not a url", "uri")
    assert not checker.conforms("no-at-sign", "email")
    assert checker.conforms("2026-11-22T13:05:00+07:00", "date-time")
    document = {
        "last_updated": "yesterday",
        "ttl": 0,
        "version": "3.0",
        "data": {"feeds": [{"name": "system_information", "url": "a url"}]},
    }
    errors = " ".join(schema_errors(document, "gbfs"))
    assert "date-time" in errors and "uri" in errors


def test_the_v3_fixtures_follow_the_specification():
    """The operator feeds the import tests read are themselves valid GBFS v3.0."""
    for name in PUBLISHED:
        document = json.loads((FIXTURES / "v3.0" / f"{name}.json").read_text(encoding="utf-8"))
        assert schema_errors(document, name) == [], name


def _check_common(feeds: dict, public_api_url: str) -> None:
    assert set(feeds) == set(PUBLISHED)
    for name, document in feeds.items():
        assert schema_errors(document, name) == [], name
        assert document["version"] == "3.0"
        assert RFC3339_LOCAL.match(document["last_updated"]), document["last_updated"]
        assert document["ttl"] >= 0
    for feed in feeds["gbfs"]["data"]["feeds"]:
        assert feed["url"] == f"{public_api_url.rstrip('/')}/gbfs/v3/{feed['name']}.json"
    system = feeds["system_information"]["data"]
    assert system["languages"] == ["vi", "en"]
    assert system["timezone"] == "Asia/Ho_Chi_Minh"
    assert system["opening_hours"] and system["feed_contact_email"]
    assert system["license_id"] == "CC-BY-4.0"
    for key in ("name", "operator", "attribution_organization_name"):
        assert {t["language"] for t in system[key]} == {"vi", "en"}, key
    kinds = feeds["vehicle_types"]["data"]["vehicle_types"]
    assert [(k["form_factor"], k["propulsion_type"]) for k in kinds] == [("bicycle", "human")]


async def test_seeded_city_feeds_validate(app, client, seeded):
    feeds = await published_feeds(client)
    _check_common(feeds, app.state.resources.settings.public_api_url)
    information = feeds["station_information"]["data"]["stations"]
    status = {s["station_id"]: s for s in feeds["station_status"]["data"]["stations"]}
    assert len(information) >= seeded["stations"]
    assert set(status) == {s["station_id"] for s in information}
    opera = next(s for s in information if s["station_id"] == "hp-001")
    assert opera["name"] == [
        {"text": "Nhà hát Lớn Hải Phòng", "language": "vi"},
        {"text": "Hai Phong Opera House", "language": "en"},
    ]
    assert (opera["lat"], opera["lon"], opera["capacity"]) == (20.8579, 106.6835, 20)
    for s in status.values():
        assert s["vehicle_types_available"] == [
            {"vehicle_type_id": "bicycle", "count": s["num_vehicles_available"]}
        ]
        assert RFC3339_LOCAL.match(s["last_reported"])


async def test_station_status_agrees_with_the_stations_api(client):
    feed = (await client.get("/gbfs/v3/station_status.json")).json()["data"]["stations"]
    nearby = await client.get("/api/v1/stations/nearby", params={"lat": 20.8579, "lon": 106.6835})
    api = {s["station_id"]: s for s in nearby.json()["items"]}
    compared = 0
    for s in feed:
        if s["station_id"] in api:
            mine = api[s["station_id"]]
            assert s["num_vehicles_available"] == mine["num_bikes_available"]
            assert s["num_docks_available"] == mine["num_docks_available"]
            assert s["is_renting"] == mine["is_renting"]
            assert s["is_returning"] == mine["is_returning"]
            compared += 1
    assert compared >= 3


async def test_an_empty_system_publishes_every_required_file(empty_client):
    """No station at all: every file still answers 200 and validates."""
    feeds = await published_feeds(empty_client)
    _check_common(feeds, "https://api.haiphong.example/")
    assert feeds["station_information"]["data"]["stations"] == []
    assert feeds["station_status"]["data"]["stations"] == []
    for name in ("station_information", "station_status"):
        assert feeds[name]["last_updated"] == feeds["gbfs"]["last_updated"]


async def test_etag_and_if_none_match(client, people):
    first = await client.get("/gbfs/v3/station_status.json")
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert first.headers["cache-control"] == "public, max-age=60"
    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = await client.get("/gbfs/v3/station_status.json", headers={"If-None-Match": sent})
        assert again.status_code == 304, sent
        assert again.content == b"" and again.headers["etag"] == etag
    other = await client.get("/gbfs/v3/station_status.json", headers={"If-None-Match": '"x"'})
    assert other.status_code == 200 and other.content == first.content

    # A pushed status changes the file, so the old tag no longer matches.
    station = next(s for s in first.json()["data"]["stations"] if s["station_id"] == "hp-010")
    reported = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    push = await client.put(
        "/api/v1/operator/stations/status",
        headers=people["operator"]["headers"],
        json={
            "stations": [
                {
                    **{k: station[k] for k in ("station_id", "is_installed", "is_returning")},
                    "is_renting": True,
                    "num_vehicles_available": 0,
                    "num_docks_available": 1,
                    "last_reported": reported.isoformat(),
                }
            ]
        },
    )
    assert push.json()["updated"] == 1, push.text
    changed = await client.get("/gbfs/v3/station_status.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    body = changed.json()
    assert datetime.fromisoformat(body["last_updated"]) == reported  # the newest report
    mine = next(s for s in body["data"]["stations"] if s["station_id"] == "hp-010")
    assert (mine["num_vehicles_available"], mine["num_docks_available"]) == (0, 1)


async def test_system_files_keep_their_tag(client):
    for name in ("gbfs", "system_information", "vehicle_types", "station_information"):
        first = await client.get(f"/gbfs/v3/{name}.json")
        second = await client.get(
            f"/gbfs/v3/{name}.json", headers={"If-None-Match": first.headers["etag"]}
        )
        assert first.status_code == 200 and second.status_code == 304, name


async def test_unknown_files_are_404_in_the_error_shape(client):
    r = await client.get("/gbfs/v3/vehicle_status.json")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_system_metadata_is_configurable(monkeypatch):
    from pydantic import ValidationError

    from tourism.bikeshare.config import GbfsSettings
    from tourism.bikeshare.publishing import system_information

    monkeypatch.setenv("TOURISM_GBFS_OPENING_HOURS", "Mo-Su 05:00-22:00")
    monkeypatch.setenv("TOURISM_GBFS_FEED_CONTACT_EMAIL", "opendata@haiphong.gov.vn")
    monkeypatch.setenv("TOURISM_GBFS_LICENSE_URL", "https://haiphong.gov.vn/open-data-licence")
    settings = GbfsSettings()
    document = system_information(settings, published_at=datetime.now(UTC))
    assert schema_errors(document, "system_information") == []
    assert document["data"]["opening_hours"] == "Mo-Su 05:00-22:00"
    assert document["data"]["feed_contact_email"] == "opendata@haiphong.gov.vn"
    assert document["data"]["license_url"] == "https://haiphong.gov.vn/open-data-licence"
    assert "license_id" not in document["data"]  # GBFS allows one of the two
    with pytest.raises(ValidationError, match="opening_hours"):
        GbfsSettings(opening_hours="Mo-Xx 25:00")
    with pytest.raises(ValidationError, match="feed_contact_email"):
        GbfsSettings(feed_contact_email="not-an-address")


def test_production_refuses_the_placeholder_contact(monkeypatch):
    """Every feed publishes feed_contact_email: production must set a real one."""
    from tourism.bikeshare.config import GbfsSettings
    from tourism.config import Settings
    from tourism.main import create_app

    production = Settings(
        environment="production", secret_key="p" * 32, database_url="postgresql://x/x"
    )
    monkeypatch.delenv("TOURISM_GBFS_FEED_CONTACT_EMAIL", raising=False)
    with pytest.raises(ValueError, match="TOURISM_GBFS_FEED_CONTACT_EMAIL"):
        create_app(production)
    with pytest.raises(ValueError, match="TOURISM_GBFS_FEED_CONTACT_EMAIL"):
        create_app(production, gbfs=GbfsSettings())  # settings handed in are checked too
    create_app(production.model_copy(update={"environment": "test"}))  # only production
    monkeypatch.setenv("TOURISM_GBFS_FEED_CONTACT_EMAIL", "xedap@haiphong.gov.vn")
    assert create_app(production).title


async def test_feeds_publish_the_settings_the_app_was_made_with(settings, monkeypatch):
    """Read once, when the app is made: the environment changing later changes nothing."""
    import httpx

    from tourism.bikeshare.config import GbfsSettings
    from tourism.main import create_app

    gbfs = GbfsSettings(feed_contact_email="xedap@haiphong.gov.vn", name_en="Harbour Bikes")
    application = create_app(settings, gbfs=gbfs, background=False)
    monkeypatch.setenv("TOURISM_GBFS_FEED_CONTACT_EMAIL", "someone-else@example.com")
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            data = (await http.get("/gbfs/v3/system_information.json")).json()["data"]
    assert data["feed_contact_email"] == "xedap@haiphong.gov.vn"
    assert {"text": "Harbour Bikes", "language": "en"} in data["name"]
