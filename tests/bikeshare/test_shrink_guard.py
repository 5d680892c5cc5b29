"""TOURISM_GBFS_MAX_SHRINK: an import or push that would take more than 20 % of the installed
stations off the map changes nothing, unless told to (`--allow-shrink`, `?allow_shrink=true`).

A seeded city of its own (30 installed stations); the tests run in order on it.
"""

import asyncio
import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.bikeshare.conftest import _city, _client
from tests.conftest import PASSWORD, TEST_SECRET
from tourism.accounts.schemas import UserCreate
from tourism.accounts.service import create_user
from tourism.bikeshare.models import BikeStation
from tourism.config import Settings
from tourism.database import create_engine, create_session_factory
from tourism.maintenance import seed

URL = "/api/v1/operator/stations/status"


@pytest.fixture(scope="module")
async def city(fresh_database):
    async for application in _city(fresh_database, "foodtour_gbfs_shrink"):
        await seed(application.state.resources.settings, application.state.database_url)
        yield application


@pytest.fixture(scope="module")
async def operator(city) -> dict:
    email = f"operator-{secrets.token_hex(3)}@example.vn"
    async with city.state.resources.sessions() as session, session.begin():
        data = UserCreate(email=email, password=PASSWORD, display_name="Operator")
        await create_user(session, data=data, role="operator")
    async with _client(city) as http:
        r = await http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def _installed(city) -> set[str]:
    async with city.state.resources.sessions() as session:
        rows = await session.scalars(select(BikeStation.station_id).where(BikeStation.is_installed))
        return set(rows)


async def _station_ids(city) -> list[str]:
    async with city.state.resources.sessions() as session:
        return list(await session.scalars(select(BikeStation.station_id).order_by(BikeStation.id)))


def _status(station_id: str, *, installed: bool, step: int) -> dict:
    """A status reported `step` tens of seconds from now (within the clock skew allowed):
    newer than the seeded one, and each push newer than the one before."""
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=10 * step)
    return {
        "station_id": station_id,
        "num_vehicles_available": 0,
        "num_docks_available": 0,
        "is_installed": installed,
        "is_renting": installed,
        "is_returning": installed,
        "last_reported": at.isoformat(),
    }


async def test_the_seeded_city_has_30_installed_stations(city):
    assert len(await _installed(city)) == 30


async def test_a_push_that_takes_too_many_stations_off_is_refused(city, operator):
    ids = await _station_ids(city)
    before = await _installed(city)

    def push(installed: bool, step: int, count: int = 7) -> dict:
        return {"stations": [_status(s, installed=installed, step=step) for s in ids[:count]]}

    async with _client(city) as http:
        feed_before = (await http.get("/gbfs/v3/station_status.json")).content
        refused = await http.put(URL, json=push(False, 1), headers=operator)  # 7 of 30 > 20 %
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "shrink_refused"
        assert error["details"] == {"installed": 30, "uninstalled": 7, "max_shrink": 0.2}
        assert "7 of the 30 installed stations" in error["message"]
        assert await _installed(city) == before
        assert (await http.get("/gbfs/v3/station_status.json")).content == feed_before

        # With the flag, the same push is applied.
        forced = await http.put(
            URL, params={"allow_shrink": "true"}, json=push(False, 1), headers=operator
        )
        assert forced.status_code == 200, forced.text
        assert forced.json()["updated"] == 7
        assert await _installed(city) == before - set(ids[:7])

        # Putting stations back is never limited.
        assert (await http.put(URL, json=push(True, 2), headers=operator)).status_code == 200
        assert await _installed(city) == before

        # At the limit (6 of 30) a push goes through without the flag.
        at_limit = await http.put(URL, json=push(False, 3, count=6), headers=operator)
        assert at_limit.status_code == 200, at_limit.text
        assert await _installed(city) == before - set(ids[:6])
        assert (await http.put(URL, json=push(True, 4), headers=operator)).status_code == 200
        assert await _installed(city) == before


@pytest.fixture
async def three_station_feed(city, tmp_path):
    """The city's own published feed cut down to 3 stations, as an operator's directory."""
    async with _client(city) as http:
        for name in ("gbfs", "station_information", "station_status"):
            document = (await http.get(f"/gbfs/v3/{name}.json")).json()
            if name != "gbfs":
                document["data"]["stations"] = document["data"]["stations"][:3]
            (tmp_path / f"{name}.json").write_text(json.dumps(document))
    return str(tmp_path)


def _foodtour(city, monkeypatch, *args: str, max_shrink: str | None = None):
    from tourism import cli, config

    monkeypatch.setenv("TOURISM_DATABASE_URL", city.state.database_url)
    monkeypatch.setenv("TOURISM_ENVIRONMENT", "test")
    monkeypatch.setenv("TOURISM_SECRET_KEY", TEST_SECRET)
    if max_shrink is None:
        monkeypatch.delenv("TOURISM_GBFS_MAX_SHRINK", raising=False)
    else:
        monkeypatch.setenv("TOURISM_GBFS_MAX_SHRINK", max_shrink)
    config.get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli.main, list(args))
    finally:
        config.get_settings.cache_clear()


async def _count_installed(url: str) -> int:
    engine = create_engine(Settings(database_url=url, environment="test", secret_key=TEST_SECRET))
    try:
        async with create_session_factory(engine)() as session:
            return await session.scalar(
                select(func.count()).select_from(BikeStation).where(BikeStation.is_installed)
            )
    finally:
        await engine.dispose()


def _installed_now(city) -> int:
    return asyncio.run(_count_installed(city.state.database_url))


def test_a_three_station_feed_is_refused_then_applied_with_the_flag(
    city, three_station_feed, monkeypatch
):
    assert _installed_now(city) == 30
    refused = _foodtour(city, monkeypatch, "import", "gbfs", three_station_feed)
    assert refused.exit_code == 1, refused.output
    assert refused.output.splitlines() == [
        "not imported, nothing changed: the feed would mark 27 of the 30 installed stations as "
        "not installed, more than the 20% allowed (TOURISM_GBFS_MAX_SHRINK); --allow-shrink "
        "applies it"
    ]
    assert _installed_now(city) == 30

    # The limit is the setting's: 27 of 30 is more than 89 %, not more than 90 %.
    lenient = _foodtour(city, monkeypatch, "import", "gbfs", three_station_feed, max_shrink="0.89")
    assert lenient.exit_code == 1 and "more than the 89% allowed" in lenient.output
    assert _installed_now(city) == 30

    applied = _foodtour(city, monkeypatch, "import", "gbfs", three_station_feed, "--allow-shrink")
    assert applied.exit_code == 0, applied.output
    assert applied.output.startswith("GBFS 3.0: 3 stations"), applied.output
    assert "27 no longer installed" in applied.output
    assert _installed_now(city) == 3

    # The same feed again takes nothing away: no flag needed, even with no shrink allowed.
    again = _foodtour(city, monkeypatch, "import", "gbfs", three_station_feed, max_shrink="0")
    assert again.exit_code == 0, again.output
    assert "0 no longer installed" in again.output
