"""`foodtour import gbfs`: an operator's GBFS 2.3 and 3.0 feeds fill a city of its own, seen
through the API (stations nearby, eatery detail, the published feeds); broken feeds change
nothing, broken stations are skipped and reported.

The tests run in order on one database: each starts from what the one before left.
"""

import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from tests.bikeshare.helpers import FIXTURES, feed_server, published_feeds, schema_errors
from tests.conftest import TEST_SECRET
from tests.helpers import make_eatery
from tourism.bikeshare import operator_feeds as feeds
from tourism.bikeshare.commands import refresh, refresh_every
from tourism.bikeshare.operator_feeds import FeedError
from tourism.dependencies import get_now

LACH_TRAY = {"lat": 20.8474, "lon": 106.6928}  # station lt-01
V23_REPORTED = datetime.fromtimestamp(1764046800, UTC)  # the v2.3 snapshot
V30_REPORTED = datetime.fromisoformat("2025-11-25T12:10:00+07:00")


@pytest.fixture(scope="module")
async def eatery(operator_city):
    """An eatery a few steps from station lt-01."""
    async with operator_city.state.resources.sessions() as session:
        return await make_eatery(
            session,
            slug="quan-lach-tray",
            lat=20.8476,
            lon=106.6925,
            hours="Mo-Su 06:00-22:00",
        )


@pytest.fixture
def at(operator_city):
    """Fix that city's clock: `at(instant)`."""

    def set_clock(instant: datetime) -> None:
        operator_city.dependency_overrides[get_now] = lambda: instant

    yield set_clock
    operator_city.dependency_overrides.pop(get_now, None)


async def _import(city, source: str):
    return await refresh(city.state.resources.sessions, source)


async def _stations(client) -> dict[str, dict]:
    r = await client.get("/api/v1/stations/nearby", params={**LACH_TRAY, "radius_m": 5000})
    assert r.status_code == 200
    return {s["station_id"]: s for s in r.json()["items"]}


async def _status_feed(client) -> bytes:
    return (await client.get("/gbfs/v3/station_status.json")).content


async def test_v23_directory_import(operator_city, city_client, eatery, at):
    before = await city_client.get(f"/api/v1/eateries/{eatery}")
    assert before.json()["nearby_stations"] == []

    report = await _import(operator_city, str(FIXTURES / "v2.3"))
    assert report.version == "2.3" and report.skipped == []
    assert (report.stations, report.stations_changed, report.uninstalled) == (4, 4, 0)
    assert (report.statuses_updated, report.statuses_unchanged) == (4, 0)

    at(V23_REPORTED + timedelta(minutes=1))
    stations = await _stations(city_client)
    assert set(stations) == {"lt-01", "lt-02", "lt-03", "lt-04"}
    lt01 = stations["lt-01"]
    assert lt01["name_vi"] == "Sân vận động Lạch Tray" and lt01["name_en"] is None
    assert (lt01["num_bikes_available"], lt01["num_docks_available"], lt01["capacity"]) == (
        7,
        7,
        15,
    )
    assert lt01["location"]["coordinates"] == [106.6928, 20.8474]
    assert lt01["last_reported"] == "2025-11-25T11:59:30+07:00" and lt01["is_stale"] is False
    assert stations["lt-03"]["is_renting"] is False and stations["lt-03"]["is_returning"] is True

    # The eatery detail shows the nearest stations with their live status.
    detail = (await city_client.get(f"/api/v1/eateries/{eatery}")).json()["nearby_stations"]
    assert [s["station_id"] for s in detail][0] == "lt-01"
    assert len(detail) == 3 and detail[0]["num_bikes_available"] == 7
    assert detail[0]["is_stale"] is False

    at(V23_REPORTED + timedelta(minutes=10))
    later = (await city_client.get(f"/api/v1/eateries/{eatery}")).json()["nearby_stations"]
    assert later[0]["is_stale"] is True


async def test_v30_import_over_http(operator_city, city_client, eatery, at):
    with feed_server() as base:
        report = await _import(operator_city, f"{base}/v3.0/gbfs.json")
    assert report.version == "3.0" and report.skipped == []
    assert (report.stations, report.uninstalled) == (4, 1)  # lt-05 new, lt-03 gone
    assert (report.statuses_updated, report.statuses_unchanged) == (4, 0)

    at(V30_REPORTED)
    stations = await _stations(city_client)
    assert set(stations) == {"lt-01", "lt-02", "lt-04", "lt-05"}  # lt-03 is not installed
    assert stations["lt-01"]["name_en"] == "Lach Tray Stadium"
    assert (stations["lt-01"]["num_bikes_available"], stations["lt-01"]["num_docks_available"]) == (
        3,
        12,
    )
    assert stations["lt-02"]["is_returning"] is False
    assert stations["lt-05"]["name_vi"] == "Chợ Hàng" and stations["lt-05"]["capacity"] == 8

    detail = (await city_client.get(f"/api/v1/eateries/{eatery}")).json()["nearby_stations"]
    assert detail[0]["station_id"] == "lt-01" and detail[0]["num_bikes_available"] == 3
    assert "lt-03" not in {s["station_id"] for s in detail}

    # The city republishes what it imported, valid GBFS v3.0.
    published = await published_feeds(city_client)
    for name, document in published.items():
        assert schema_errors(document, name) == [], name
    status = {s["station_id"]: s for s in published["station_status"]["data"]["stations"]}
    assert status["lt-03"]["is_installed"] is False and status["lt-03"]["is_renting"] is False
    assert status["lt-05"]["num_vehicles_available"] == 6
    assert status["lt-01"]["last_reported"] == "2025-11-25T12:09:20+07:00"


async def test_the_same_feed_again_changes_nothing(operator_city, city_client):
    before = await _status_feed(city_client)
    report = await _import(operator_city, str(FIXTURES / "v3.0"))
    assert (report.stations_changed, report.uninstalled) == (0, 0)
    assert (report.statuses_updated, report.statuses_unchanged) == (0, 4)
    assert await _status_feed(city_client) == before


async def test_an_older_feed_does_not_roll_statuses_back(operator_city, city_client):
    report = await _import(operator_city, str(FIXTURES / "v2.3"))
    assert report.statuses_updated == 0 and report.statuses_unchanged == 4
    assert report.uninstalled == 1  # lt-05 is not in the 2.3 feed
    stations = await _stations(city_client)
    assert "lt-03" in stations and "lt-05" not in stations  # the feed lists lt-03 again
    assert stations["lt-01"]["num_bikes_available"] == 3  # still the newer 3.0 report
    assert stations["lt-01"]["name_en"] == "Lach Tray Stadium"  # 2.3 has no English name
    await _import(operator_city, str(FIXTURES / "v3.0"))


async def test_invalid_stations_are_skipped_and_reported(operator_city, city_client):
    report = await _import(operator_city, str(FIXTURES / "invalid"))
    reasons = {(s.file, s.index): (s.station_id, s.reason) for s in report.skipped}
    information = "station_information"
    assert reasons[(information, 1)] == ("lt-02", "name: missing")
    assert reasons[(information, 2)][1].startswith("lon: Input should be less than or equal")
    assert reasons[(information, 3)] == ("lt-05", "duplicate station_id")
    assert reasons[(information, 4)] == ("lt-05", "duplicate station_id")
    assert reasons[(information, 5)][1].startswith("capacity: Input should be greater")
    assert reasons[(information, 6)] == (None, "station_id: missing")
    assert "0,0" in reasons[(information, 7)][1]
    assert reasons[(information, 8)] == (None, "not an object")
    status = "station_status"
    assert reasons[(status, 0)][1].startswith("num_vehicles_available: Input should be greater")
    assert reasons[(status, 2)] == ("lt-04", "last_reported: missing")
    assert reasons[(status, 3)][1] == reasons[(status, 4)][1] == "duplicate station_id"
    assert reasons[(status, 5)] == ("ghost", "unknown station_id (not in station_information)")
    assert reasons[(status, 6)][0] == "lt-01b"
    assert "capacity (4)" in reasons[(status, 7)][1]
    assert len(report.skipped) == 15

    # What was valid landed: lt-01 and lt-06 (information), lt-02 (status)
    assert (report.stations, report.statuses_updated) == (2, 1)
    stations = await _stations(city_client)
    assert stations["lt-01"]["name_vi"] == "Trạm lt-01"
    assert stations["lt-01"]["num_bikes_available"] == 3  # its bad status left the old one
    assert stations["lt-02"]["num_bikes_available"] == 1
    assert stations["lt-02"]["name_vi"] == "Đại học Hàng Hải"  # its bad information too
    assert stations["lt-04"]["location"]["coordinates"] == [106.6898, 20.8554]
    assert stations["lt-06"]["num_bikes_available"] is None  # listed, never validly reported
    # Every station the feed names is still installed, valid or not; lt-05 is not duplicated.
    assert {"lt-04", "lt-05"} <= set(stations)
    assert report.uninstalled == 0
    await _import(operator_city, str(FIXTURES / "v3.0"))


def _write_feed(directory, *, gbfs=None, information=None, status=None) -> str:
    shutil.copytree(FIXTURES / "v3.0", directory)
    for name, document in (
        ("gbfs", gbfs),
        ("station_information", information),
        ("station_status", status),
    ):
        if document is not None:
            raw = document if isinstance(document, bytes) else json.dumps(document).encode()
            (directory / f"{name}.json").write_bytes(raw)
    return str(directory)


def _v30(name: str) -> dict:
    return json.loads((FIXTURES / "v3.0" / f"{name}.json").read_text(encoding="utf-8"))


async def test_unusable_feeds_change_nothing(operator_city, city_client, tmp_path):
    def stations(items):
        return {**_v30("station_information"), "data": {"stations": items}}

    not_json = b'{"version": "3.0", "data": '
    v1 = {"last_updated": 1, "ttl": 0, "data": {"en": {"feeds": []}}}
    listed = [f for f in _v30("gbfs")["data"]["feeds"] if f["name"] != "station_status"]
    no_status = {**_v30("gbfs"), "data": {"feeds": listed}}
    too_many = stations([{"station_id": str(i)} for i in range(feeds.MAX_STATIONS + 1)])
    mixed = {**_v30("station_status"), "version": "2.3"}
    cases = {
        "not-json": ({"information": not_json}, "not valid JSON"),
        "nan": ({"information": b'{"version": "3.0", "lat": NaN}'}, "not valid JSON"),
        "v1": ({"gbfs": v1}, "version None is not supported"),
        "no-status": ({"gbfs": no_status}, "no `station_status` feed"),
        "not-a-list": ({"information": stations({"a": 1})}, "`data.stations` is not a list"),
        "too-many": ({"information": too_many}, f"more than {feeds.MAX_STATIONS} stations"),
        "huge": ({"status": b" " * (feeds.MAX_FEED_BYTES + 1)}, "larger than"),
        "mixed-versions": ({"status": mixed}, "version 2.3 but gbfs.json says 3.0"),
        "empty": ({"information": stations([])}, r"refusing to mark all \d+ installed"),
    }
    before = await _status_feed(city_client)
    for label, (files, message) in cases.items():
        source = _write_feed(tmp_path / label, **files)
        with pytest.raises(FeedError, match=message):
            await _import(operator_city, source)
    with pytest.raises(FeedError, match="cannot read"):
        await _import(operator_city, str(tmp_path / "nowhere"))
    assert await _status_feed(city_client) == before


async def test_unusable_urls_change_nothing(operator_city, city_client, tmp_path):
    before = await _status_feed(city_client)
    _write_feed(
        tmp_path / "local-file",
        gbfs={
            **_v30("gbfs"),
            "data": {
                "feeds": [
                    {"name": "station_information", "url": "file:///etc/passwd"},
                    {"name": "station_status", "url": "station_status.json"},
                ]
            },
        },
    )
    with feed_server(tmp_path, huge_bytes=feeds.MAX_FEED_BYTES) as base:
        for url, message in (
            (f"{base}/nothing/gbfs.json", "HTTP 404"),
            (f"{base}/huge.json", "larger than"),
            (f"{base}/local-file/gbfs.json", "only http"),
            ("http://127.0.0.1:9/gbfs.json", "cannot fetch"),
        ):
            with pytest.raises(FeedError, match=message):
                await _import(operator_city, url)
    assert await _status_feed(city_client) == before


async def test_refreshing_every_n_seconds_survives_failures(operator_city):
    outcomes = []
    await refresh_every(
        operator_city.state.resources.sessions,
        str(FIXTURES / "missing"),
        seconds=0,
        report=outcomes.append,
        rounds=2,
    )
    assert len(outcomes) == 2 and all(isinstance(o, FeedError) for o in outcomes)
    outcomes.clear()
    await refresh_every(
        operator_city.state.resources.sessions,
        str(FIXTURES / "v3.0"),
        seconds=0.01,
        report=outcomes.append,
        rounds=2,
    )
    assert [o.statuses_unchanged for o in outcomes] == [4, 4]


def test_import_command(operator_city, monkeypatch):
    from tourism import cli, config

    monkeypatch.setenv("TOURISM_DATABASE_URL", operator_city.state.database_url)
    monkeypatch.setenv("TOURISM_ENVIRONMENT", "test")
    monkeypatch.setenv("TOURISM_SECRET_KEY", TEST_SECRET)
    config.get_settings.cache_clear()
    try:
        runner = CliRunner()
        ok = runner.invoke(cli.main, ["import", "gbfs", str(FIXTURES / "v3.0")])
        assert ok.exit_code == 0, ok.output
        assert ok.output.startswith("GBFS 3.0: 4 stations (0 new or changed)")
        invalid = runner.invoke(cli.main, ["import", "gbfs", str(FIXTURES / "invalid")])
        assert invalid.exit_code == 0, invalid.output
        assert "15 entries skipped" in invalid.output
        assert "skipped station_information[1] (lt-02): name: missing" in invalid.output
        broken = runner.invoke(cli.main, ["import", "gbfs", str(FIXTURES / "missing")])
        assert broken.exit_code == 1 and "not imported, nothing changed" in broken.output
        too_often = runner.invoke(cli.main, ["import", "gbfs", "x", "--every", "1"])
        assert too_often.exit_code == 2
    finally:
        config.get_settings.cache_clear()
