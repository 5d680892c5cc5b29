"""OpenStreetMap import: tags read right, idempotent re-imports, unreadable hours harmless."""

import asyncio
import io
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
from tests.osm_export import elements, export
from tourism.maintenance import migrate
from tourism.osm.elements import Place, Skipped, read
from tourism.osm.reader import CHUNK, CountingFile, UnreadableExport, json_elements
from tourism.osm.service import READ_AHEAD, ImportSummary, Progress, import_elements

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
    assert "reading" in done.stderr and "writing" in done.stderr  # the progress bars
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


# -- the bulk path: staging, batches, one transaction, streaming ---------------------------------


def _in_transaction(url: str, work):
    from tourism.database import run_in_transaction

    return asyncio.run(run_in_transaction(work, url=url))


def _import_list(url: str, items, **options) -> ImportSummary:
    async def work(session):
        return await import_elements(
            session, items, now=datetime.now(UTC), window_days=8, **options
        )

    return _in_transaction(url, work)


def _node(osm_id: int, name: str, **tags) -> dict:
    tags = {"amenity": "restaurant", "name": name, **tags}
    return {"type": "node", "id": osm_id, "lat": 21.2, "lon": 107.2, "tags": tags}


def test_an_element_listed_twice_counts_once_and_the_last_one_wins(osm_database):
    items = [_node(7_100_000_000 + i, f"Quán {i}") for i in range(5)]
    items.append(_node(7_100_000_001, "Quán 1 (sau)", opening_hours="24/7"))
    summary = _import_list(osm_database, items, batch_size=2)
    assert (summary.created, summary.updated, summary.unchanged) == (5, 0, 0)
    assert summary.skipped == {"listed twice in the file (the last one counts)": 1}
    rows = _rows(
        osm_database,
        "SELECT osm_id, name_vi, opening_hours FROM eateries "
        "WHERE osm_id BETWEEN 7100000000 AND 7100000009 ORDER BY id",
    )
    # Created in file order (ids follow the first listing), with the last listing's values.
    assert [r["osm_id"] - 7_100_000_000 for r in rows] == [0, 1, 2, 3, 4]
    assert (rows[1]["name_vi"], rows[1]["opening_hours"]) == ("Quán 1 (sau)", "24/7")


def test_changed_hours_move_the_opening_intervals(osm_database):
    osm_id = 7_200_000_000
    first = _import_list(
        osm_database, [_node(osm_id, "Quán giờ", opening_hours="Mo-Su 08:00-09:00")]
    )
    assert first.created == 1
    before = _rows(osm_database, INTERVALS_OF.format(osm_id=osm_id))
    assert len(before) >= 8 and all(r["hours"] == 1 for r in before)  # one hour a day

    again = _import_list(osm_database, [_node(osm_id, "Quán giờ", opening_hours="24/7")])
    assert (again.created, again.updated, again.unchanged) == (0, 1, 0)
    after = _rows(osm_database, INTERVALS_OF.format(osm_id=osm_id))
    assert len(after) == 1 and after[0]["hours"] >= 24 * 8  # the whole window, one interval

    unreadable = _import_list(osm_database, [_node(osm_id, "Quán giờ", opening_hours="theo mùa")])
    assert unreadable.updated == 1
    assert unreadable.invalid_hours == [(f"node/{osm_id}", "theo mùa")]
    assert unreadable.invalid_hours_total == 1
    assert _rows(osm_database, INTERVALS_OF.format(osm_id=osm_id)) == []


INTERVALS_OF = (
    "SELECT extract(epoch FROM closes_at - opens_at) / 3600 AS hours FROM eatery_open_intervals "
    "WHERE eatery_id = (SELECT id FROM eateries WHERE osm_type = 'node' AND osm_id = {osm_id}) "
    "ORDER BY opens_at"
)


def _rows(url: str, sql: str) -> list:
    async def fetch():
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            return await conn.fetch(sql)
        finally:
            await conn.close()

    return asyncio.run(fetch())


SCHEMA_OF = (
    "SELECT indexdef AS d FROM pg_indexes WHERE tablename IN ('eateries', 'eatery_open_intervals')"
    " UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE conrelid IN ('eateries'::regclass, 'eatery_open_intervals'::regclass) ORDER BY 1"
)


def test_a_bulk_import_rebuilds_the_indexes_it_dropped(osm_database):
    schema = _rows(osm_database, SCHEMA_OF)
    assert any("gist_trgm_ops" in r["d"] for r in schema)
    items = [_node(7_300_000_000 + i, f"Quán lớn {i}", opening_hours="24/7") for i in range(300)]
    summary = _import_list(osm_database, items, batch_size=50, rebuild_indexes=True)
    assert summary.created == 300
    assert _rows(osm_database, SCHEMA_OF) == schema  # every index and constraint, as it was
    found = _rows(
        osm_database,
        "SELECT count(*) AS n FROM eateries WHERE foodtour_fold(name_vi) % 'quan lon 123' "
        "AND osm_id BETWEEN 7300000000 AND 7300000299",
    )
    assert found[0]["n"] >= 1
    opened = _rows(
        osm_database,
        "SELECT count(DISTINCT i.eatery_id) AS n FROM eatery_open_intervals AS i "
        "JOIN eateries AS e ON e.id = i.eatery_id WHERE e.osm_id BETWEEN 7300000000 AND 7300000299",
    )
    assert opened[0]["n"] == 300


@pytest.mark.parametrize("rebuild", [False, True])
def test_a_failed_import_writes_nothing(osm_database, rebuild):
    """A failure in a late batch (a slug already taken) undoes the earlier batches too."""
    base = 7_400_000_000 + (1000 if rebuild else 0)
    schema = _rows(osm_database, SCHEMA_OF)
    _rows(
        osm_database,
        "INSERT INTO eateries (slug, name_vi, kind, address, location) VALUES "
        f"('osm-node-{base + 8}', 'Chiếm chỗ', 'cafe', '', "
        "ST_SetSRID(ST_MakePoint(107, 21), 4326))",
    )
    items = [_node(base + i, f"Quán {i}") for i in range(10)]
    with pytest.raises(Exception, match="uq_eateries_slug"):
        _import_list(osm_database, items, batch_size=2, rebuild_indexes=rebuild)
    written = _rows(
        osm_database,
        f"SELECT count(*) AS n FROM eateries WHERE osm_id BETWEEN {base} AND {base + 9}",
    )
    assert written[0]["n"] == 0
    assert _rows(osm_database, SCHEMA_OF) == schema


def test_a_malformed_file_is_one_clear_line_and_writes_nothing(osm_database, tmp_path):
    whole = json.dumps(export(3000), ensure_ascii=False)
    # Cut short after many batches, between two elements.
    cut = whole[: whole.index('{"type"', len(whole) * 2 // 3)].encode()
    path = tmp_path / "cut.json"
    path.write_bytes(cut)
    before = _count(osm_database, "SELECT count(*) AS n, max(updated_at) AS at FROM eateries")
    env = {**os.environ, "TOURISM_DATABASE_URL": osm_database, "TOURISM_ENVIRONMENT": "test",
           "TOURISM_SECRET_KEY": "x" * 40}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tourism.cli", "import", "osm", str(path), "--batch-size", "100"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error")]
    assert errors == [
        f"Error: {path}: not valid JSON (parse error: premature EOF) within bytes "
        f"{len(cut) - len(cut) % CHUNK}-{len(cut)}"  # the last piece read
    ], done.stderr
    after = _count(osm_database, "SELECT count(*) AS n, max(updated_at) AS at FROM eateries")
    assert tuple(after) == tuple(before)


def test_the_json_reader_does_not_read_the_whole_file():
    data = json.dumps(export(3000), ensure_ascii=False).encode()
    assert len(data) > 10 * CHUNK
    file = CountingFile(io.BytesIO(data))
    stream = json_elements(file, name="export.json")
    assert next(stream)["id"] == 8_000_000_000
    assert 0 < file.bytes_read <= CHUNK
    assert sum(1 for _ in stream) == 2999 and file.bytes_read == len(data)


def test_the_import_pulls_elements_as_it_goes(osm_database):
    """When the first batch reaches PostgreSQL, only a few batches were read: the elements are
    pulled from the stream as the database takes them, never gathered in a list."""
    pulled = 0

    def stream():
        nonlocal pulled
        for element in elements(3000, seed=11):
            pulled += 1
            yield {**element, "id": element["id"] - 1_000_000_000}

    class Watch(Progress):
        pulled_at_first_batch: int | None = None

        def staged(self, n: int) -> None:
            if self.pulled_at_first_batch is None:
                self.pulled_at_first_batch = pulled

    watch = Watch()
    summary = _import_list(osm_database, stream(), batch_size=100, progress=watch)
    assert summary.created + summary.unchanged == 2750 and pulled == 3000
    # At most the batch copied, READ_AHEAD waiting and one being read (100 places each,
    # with the skipped elements among them).
    assert watch.pulled_at_first_batch <= (READ_AHEAD + 2) * 100 * 1.15


def test_an_empty_export_and_a_document_without_elements():
    assert list(json_elements(CountingFile(io.BytesIO(b'{"elements": []}')), name="e")) == []
    with pytest.raises(UnreadableExport, match="no `elements` list"):
        list(json_elements(CountingFile(io.BytesIO(b'{"type": "x"}')), name="x.json"))
    with pytest.raises(UnreadableExport, match=r"^b\.json: not valid JSON \(lexical error"):
        list(json_elements(CountingFile(io.BytesIO(b'{"elements": [\xff]}')), name="b.json"))


def test_eatery_nodes_of_a_pbf_file(osm_database, tmp_path):
    import osmium

    path = tmp_path / "extract.osm.pbf"
    writer = osmium.SimpleWriter(str(path))
    try:
        for i, tags in enumerate(
            [
                {"amenity": "cafe", "name": "Cà phê PBF", "opening_hours": "24/7"},
                {"amenity": "restaurant", "name": "Quán PBF", "cuisine": "seafood"},
                {"amenity": "bench"},  # read, then skipped: not an eatery
                {"highway": "bus_stop", "name": "Trạm"},  # not read at all
            ]
        ):
            node = osmium.osm.mutable.Node(
                id=7_500_000_000 + i, location=(107.4, 21.3), tags=tags, version=1
            )
            writer.add_node(node)
    finally:
        writer.close()
    out = _import(osm_database, path)
    assert _numbers(out) == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 1}
    rows = _rows(
        osm_database,
        "SELECT name_vi, kind, opening_hours FROM eateries "
        "WHERE osm_id BETWEEN 7500000000 AND 7500000009 ORDER BY id",
    )
    assert [tuple(r) for r in rows] == [
        ("Cà phê PBF", "cafe", "24/7"),
        ("Quán PBF", "seafood_restaurant", None),
    ]
