"""Open data: the catalogue, licences, and files that open cleanly (csv module, GeoJSON)."""

import csv
import io
from datetime import UTC, datetime

import pytest
from geojson_pydantic import FeatureCollection
from sqlalchemy import func, select

from tourism.eateries.models import Eatery
from tourism.eateries.schemas import EateryCreate
from tourism.eateries.service import upsert_eatery
from tourism.opendata import service
from tourism.osm.service import import_elements

AWKWARD = 'Quán "Ốc", Bà Tư; Chi nhánh 2, ăn đêm'
PRIVATE = ("email", "password", "hash", "owner", "user_id", "status", "description_en")


@pytest.fixture(scope="module")
async def awkward_eatery(app) -> int:
    """An eatery whose name has quotes, commas, a semicolon and Vietnamese letters."""
    async with app.state.resources.sessions() as session, session.begin():
        return await upsert_eatery(
            session,
            data=EateryCreate(
                slug="test-open-data-awkward",
                name_vi=AWKWARD,
                name_en='Snail place, "the" best',
                kind="street_food",
                address='3, Ngõ 5 "Hẻm" Lạch Tray',
                lat=20.61,
                lon=106.49,
            ),
        )


@pytest.fixture(scope="module")
async def osm_eatery(app) -> None:
    element = {
        "type": "node",
        "id": 9200000001,
        "lat": 20.605,
        "lon": 106.485,
        "tags": {"amenity": "cafe", "name": "Cà phê Bến Cảng"},
    }
    async with app.state.resources.sessions() as session, session.begin():
        await import_elements(session, [element], now=datetime.now(UTC), window_days=8)


def read_csv(body: bytes) -> list[dict]:
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets need for UTF-8
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


async def active_eateries(session) -> int:
    return await session.scalar(
        select(func.count()).select_from(Eatery).where(Eatery.status == "active")
    )


async def test_catalogue_lists_every_data_set(client, osm_eatery):
    r = await client.get("/api/v1/open-data")
    assert r.status_code == 200
    body = r.json()
    datasets = {d["id"]: d for d in body["datasets"]}
    assert set(datasets) == {"eateries", "dishes", "menu", "stations"}
    files = {f["url"].rsplit("/", 1)[1] for d in datasets.values() for f in d["formats"]}
    assert files == {
        "eateries.geojson",
        "eateries.csv",
        "dishes.csv",
        "menu.csv",
        "stations.geojson",
    }
    for d in datasets.values():
        assert d["title"] and d["description"] and d["licence"]["url"].startswith("https://")
        assert d["updated_at"].endswith("+07:00")
        for f in d["formats"]:
            assert f["url"].startswith("http://test/api/v1/open-data/")
            assert (await client.get(f["url"])).status_code == 200
    # OpenStreetMap-derived rows make the eatery data sets ODbL, with OSM's attribution.
    for name in ("eateries", "menu"):
        assert datasets[name]["licence"]["id"] == "ODbL-1.0"
        assert "OpenStreetMap contributors" in datasets[name]["licence"]["attribution"]
    assert datasets["dishes"]["licence"]["id"] == "CC-BY-4.0"
    assert datasets["stations"]["licence"]["id"] == "CC-BY-4.0"


def test_licence_follows_the_data():
    eateries = service.BY_FILE["eateries.csv"]
    plain = service.licence(eateries, default="CC0-1.0", publisher="City", has_osm_rows=False)
    assert plain["id"] == "CC0-1.0" and plain["attribution"] == "City"
    dishes = service.BY_FILE["dishes.csv"]
    assert service.licence(dishes, default="CC0-1.0", publisher="C", has_osm_rows=True)["id"] == (
        "CC0-1.0"
    )


async def test_updated_time_follows_a_change(client, people):
    def updated(body: dict, name: str) -> str:
        return next(d["updated_at"] for d in body["datasets"] if d["id"] == name)

    before = (await client.get("/api/v1/open-data")).json()
    url = f"/api/v1/vendor/eateries/{people['owner']['eatery']}"
    headers = people["owner"]["headers"]
    original = (await client.get(f"/api/v1/eateries/{people['owner']['eatery']}")).json()["phone"]
    assert (await client.patch(url, headers=headers, json={"phone": "0225 111 2222"})).is_success
    try:
        after = (await client.get("/api/v1/open-data")).json()
        assert updated(after, "eateries") > updated(before, "eateries")
        assert updated(after, "dishes") == updated(before, "dishes")
    finally:
        await client.patch(url, headers=headers, json={"phone": original})


async def test_eateries_csv_opens_cleanly(client, session, awkward_eatery):
    r = await client.get("/api/v1/open-data/eateries.csv")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="eateries.csv"' in r.headers["content-disposition"]
    assert 'rel="license"' in r.headers["link"]
    rows = read_csv(r.content)
    assert len(rows) == await active_eateries(session)
    assert list(rows[0]) == [*service.EATERY_FIELDS, "lon", "lat"]
    assert not set(rows[0]) & set(PRIVATE)
    awkward = next(row for row in rows if row["id"] == str(awkward_eatery))
    assert awkward["name_vi"] == AWKWARD
    assert awkward["name_en"] == 'Snail place, "the" best'
    assert awkward["address"] == '3, Ngõ 5 "Hẻm" Lạch Tray'
    assert awkward["opening_hours"] == "" and awkward["rating"] == ""
    assert float(awkward["lon"]) == pytest.approx(106.49)
    assert any(row["name_vi"].startswith("Bánh") or "đ" in row["name_vi"] for row in rows)


async def test_eateries_geojson_matches_the_csv(client, awkward_eatery, osm_eatery):
    r = await client.get("/api/v1/open-data/eateries.geojson")
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    body = r.json()
    collection = FeatureCollection.model_validate(body)
    rows = read_csv((await client.get("/api/v1/open-data/eateries.csv")).content)
    assert len(collection.features) == len(rows)
    assert body["licence"]["id"] == "ODbL-1.0"
    by_id = {f["id"]: f for f in body["features"]}
    awkward = by_id[awkward_eatery]
    assert awkward["properties"]["name_vi"] == AWKWARD
    assert awkward["geometry"]["coordinates"] == pytest.approx([106.49, 20.61])
    osm = next(f for f in body["features"] if f["properties"]["osm_ref"] == "node/9200000001")
    assert osm["properties"]["name_vi"] == "Cà phê Bến Cảng"
    assert not set(awkward["properties"]) & set(PRIVATE)


async def test_dishes_and_menu_csv(client, people):
    dishes = read_csv((await client.get("/api/v1/open-data/dishes.csv")).content)
    crab = next(d for d in dishes if d["slug"] == "banh-da-cua")
    assert crab["name_vi"] == "Bánh đa cua" and crab["aliases"]
    menu = read_csv((await client.get("/api/v1/open-data/menu.csv")).content)
    assert set(menu[0]) == set(service.MENU_FIELDS)
    owner = str(people["owner"]["eatery"])
    theirs = {m["dish_slug"]: int(m["price_vnd"]) for m in menu if m["eatery_id"] == owner}
    current = await client.get(
        f"/api/v1/vendor/eateries/{owner}/menu", headers=people["owner"]["headers"]
    )
    assert theirs == {m["dish"]: m["price_vnd"] for m in current.json()["items"]}


async def test_stations_geojson(client):
    body = (await client.get("/api/v1/open-data/stations.geojson")).json()
    collection = FeatureCollection.model_validate(body)
    assert collection.features
    props = body["features"][0]["properties"]
    assert {"station_id", "capacity", "num_bikes_available"} <= set(props)


async def test_exports_stream_in_chunks(app, monkeypatch):
    monkeypatch.setattr(service, "CHUNK_ROWS", 7)
    export = service.EXPORTS["eateries"]
    sessions = app.state.resources.sessions
    chunks = [c async for c in service.csv_stream(sessions, export.query(), export.columns)]
    assert len(chunks) > 3
    assert all(len(c) < 7 * 2000 for c in chunks)


@pytest.mark.parametrize(
    ("file", "status"),
    [("pubs.csv", 404), ("eateries.xlsx", 422), ("dishes.geojson", 404), ("../etc.csv", 404)],
)
async def test_unknown_files(client, file, status):
    r = await client.get(f"/api/v1/open-data/{file}")
    assert r.status_code == status
