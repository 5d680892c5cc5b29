"""OpenStreetMap import: tags read right, idempotent re-imports, unreadable hours harmless."""

import asyncio
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from geo.tiles import tile_of
from tests.osm_export import export
from tourism.maintenance import migrate
from tourism.osm.elements import Place, Skipped, read
from tourism.osm.service import import_elements

SMALL = Path(__file__).parent / "fixtures" / "osm" / "ha_long_bay_small.json"


def small_elements() -> list[dict]:
    return json.loads(SMALL.read_text(encoding="utf-8"))["elements"]


def test_every_tag_is_read():
    by_id = {e["id"]: read(e) for e in small_elements()}
    restaurant = by_id[9100000001]
    assert isinstance(restaurant, Place)
    assert (restaurant.osm_type, restaurant.slug) == ("node", "osm-node-9100000001")
    assert restaurant.name_vi == "Quán Gió Biển" and restaurant.name_en == "Sea Breeze Eatery"
    assert restaurant.kind == "seafood_restaurant"  # cuisine=seafood;vietnamese
    assert restaurant.address == "12 Đường Hạ Long"
    assert (restaurant.ward, restaurant.district) == ("Phường Bãi Cháy", "Thành phố Hạ Long")
    assert restaurant.phone == "+84 203 3845 123"  # the first of two
    assert restaurant.website == "https://gio-bien.example.vn"
    assert restaurant.opening_hours == "Mo-Su 10:00-22:00"
    assert (restaurant.lon, restaurant.lat) == (107.3001, 21.1001)

    cafe = by_id[9100000002]
    assert cafe.osm_type == "way" and (cafe.lon, cafe.lat) == (107.3015, 21.1012)  # its center
    assert cafe.opening_hours is None and cafe.opening_hours_unparsed == "sáng 6h - tối 10h"
    assert cafe.phone == "0203 384 5678" and cafe.website == "https://suong-som.example.vn"

    food_court = by_id[9100000003]
    assert food_court.osm_type == "relation" and food_court.kind == "market_stall"
    assert food_court.address == "Cảng tàu khách quốc tế, Bãi Cháy"
    assert by_id[9100000004].kind == "bakery" and by_id[9100000004].opening_hours == "24/7"
    assert by_id[9100000005].kind == "dessert_shop" and by_id[9100000005].phone is None

    assert by_id[9100000006] == Skipped("node/9100000006", "no name")
    assert by_id[9100000007].reason.startswith("no coordinates")
    assert by_id[9100000008].reason.startswith("not an eatery")
    assert by_id[9100000009].reason.startswith("not an eatery")  # an untagged node


def _count(url: str, sql: str):
    async def fetch():
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            return await conn.fetchrow(sql)
        finally:
            await conn.close()

    return asyncio.run(fetch())


def _import(url: str, path: Path) -> str:
    env = {
        **os.environ,
        "TOURISM_DATABASE_URL": url,
        "TOURISM_ENVIRONMENT": "test",
        "TOURISM_SECRET_KEY": "x" * 40,
    }
    done = subprocess.run(
        [sys.executable, "-m", "tourism.cli", "import", "osm", str(path), "--batch-size", "400"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _numbers(summary: str) -> dict[str, int]:
    line = summary.splitlines()[0]
    return {
        word: int(n) for n, word in re.findall(r"(\d+) (created|updated|unchanged|skipped)", line)
    }


@pytest.fixture(scope="module")
def osm_database(fresh_database) -> str:
    url = fresh_database("foodtour_osm")
    migrate(url)
    return url


def test_a_large_export_imports_twice_without_duplicates(osm_database, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(3000), ensure_ascii=False), encoding="utf-8")

    first = _import(osm_database, path)
    assert _numbers(first) == {"created": 2750, "updated": 0, "unchanged": 0, "skipped": 250}
    assert "skipped 100: no name" in first
    assert "80 opening_hours not understood" in first and "... and 60 more" in first
    second = _import(osm_database, path)
    assert _numbers(second) == {"created": 0, "updated": 0, "unchanged": 2750, "skipped": 250}

    rows = _count(
        osm_database,
        "SELECT count(*) AS n, count(DISTINCT (osm_type, osm_id)) AS distinct_refs, "
        "count(opening_hours_unparsed) AS unparsed, "
        "count(*) FILTER (WHERE opening_hours_unparsed IS NOT NULL AND opening_hours IS NOT NULL)"
        " AS both_hours FROM eateries",
    )
    assert (rows["n"], rows["distinct_refs"], rows["unparsed"], rows["both_hours"]) == (
        2750,
        2750,
        80,
        0,
    )
    intervals = _count(
        osm_database, "SELECT count(DISTINCT eatery_id) AS n FROM eatery_open_intervals"
    )
    assert intervals["n"] > 1000  # valid hours became opening intervals at once

    # A changed export: renamed elements are updated, nothing else is touched.
    path.write_text(json.dumps(export(3000, renamed=frozenset({2, 4, 8, 10})), ensure_ascii=False))
    third = _import(osm_database, path)
    assert _numbers(third) == {"created": 0, "updated": 4, "unchanged": 2746, "skipped": 250}
    renamed = _count(
        osm_database, "SELECT count(*) AS n FROM eateries WHERE name_vi LIKE '%(mới)%'"
    )
    assert renamed["n"] == 4


def test_an_unreadable_file_is_a_clear_error(osm_database, tmp_path):
    path = tmp_path / "not-overpass.json"
    path.write_text('{"type": "FeatureCollection"}')
    env = {**os.environ, "TOURISM_DATABASE_URL": osm_database, "TOURISM_ENVIRONMENT": "test",
           "TOURISM_SECRET_KEY": "x" * 40}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tourism.cli", "import", "osm", str(path)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0 and "no `elements` list" in done.stderr


# -- imported eateries through the API ---------------------------------------------------------


@pytest.fixture(scope="module")
async def imported(app):
    async with app.state.resources.sessions() as session, session.begin():
        summary = await import_elements(
            session, small_elements(), now=datetime.now(UTC), window_days=8
        )
    return summary


async def test_small_fixture_summary(imported):
    assert imported.created + imported.unchanged + imported.updated == 5
    assert imported.skipped_total == 4
    assert imported.invalid_hours == [("way/9100000002", "sáng 6h - tối 10h")]


async def _eatery_id(client, name_fragment: str, lat: float, lon: float) -> dict:
    r = await client.get(
        "/api/v1/eateries/nearby", params={"lat": lat, "lon": lon, "radius_m": 2000}
    )
    assert r.status_code == 200
    return next(e for e in r.json()["items"] if name_fragment in e["name_vi"])


async def test_unreadable_hours_are_unknown_everywhere(client, imported):
    cafe = await _eatery_id(client, "Sương Sớm", 21.1012, 107.3015)
    assert cafe["open_now"] is None
    detail = await client.get(f"/api/v1/eateries/{cafe['id']}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["open_now"] is None and body["next_change"] is None
    assert body["opening_hours"] is None
    assert body["opening_hours_unparsed"] == "sáng 6h - tối 10h"
    assert body["website"] == "https://suong-som.example.vn"
    assert all(not day["intervals"] for day in body["schedule"])

    found = await client.get("/api/v1/search", params={"q": "suong som", "lat": 21.1, "lon": 107.3})
    assert found.status_code == 200
    hit = next(h for h in found.json()["items"] if h["eatery"]["id"] == cafe["id"])
    assert hit["eatery"]["open_now"] is None

    x, y = tile_of(107.3015, 21.1012, 15)
    import mapbox_vector_tile

    tile = mapbox_vector_tile.decode((await client.get(f"/api/v1/tiles/15/{x}/{y}.mvt")).content)
    feature = next(f for f in tile["eateries"]["features"] if f["id"] == cafe["id"])
    assert "open_now" not in feature["properties"]


async def test_valid_imported_hours_give_open_now(client, imported):
    bakery = await _eatery_id(client, "Bình Minh", 21.1034, 107.3039)
    assert bakery["open_now"] is True  # 24/7
    assert bakery["kind"] == "bakery"


async def test_a_vendor_keeps_their_hours_over_a_re_import(app, client, people, imported):
    from tourism.accounts.service import assign_eateries

    restaurant = await _eatery_id(client, "Gió Biển", 21.1001, 107.3001)
    async with app.state.resources.sessions() as session, session.begin():
        await assign_eateries(
            session,
            user_id=people["other_vendor"]["id"],
            eatery_ids=[people["other_vendor"]["eatery"], restaurant["id"]],
        )
    url = f"/api/v1/vendor/eateries/{restaurant['id']}"
    headers = people["other_vendor"]["headers"]
    try:
        r = await client.patch(url, headers=headers, json={"opening_hours": "Mo-Su 08:00-20:00"})
        assert r.status_code == 200
        async with app.state.resources.sessions() as session, session.begin():
            await import_elements(session, small_elements(), now=datetime.now(UTC), window_days=8)
        detail = (await client.get(f"/api/v1/eateries/{restaurant['id']}")).json()
        assert detail["opening_hours"] == "Mo-Su 08:00-20:00"
        assert detail["name_en"] == "Sea Breeze Eatery"
    finally:
        async with app.state.resources.sessions() as session, session.begin():
            await assign_eateries(
                session,
                user_id=people["other_vendor"]["id"],
                eatery_ids=[people["other_vendor"]["eatery"]],
            )
