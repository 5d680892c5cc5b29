"""The API contract for QR codes, bike stations, open data and GBFS: cursor paging (stable
under inserts, the old `offset` deprecated), both languages, and the official GBFS schemas in
the OpenAPI document."""

import secrets
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from sqlalchemy import delete

from tourism.bikeshare.models import BikeStation
from tourism.bikeshare.schemas import StationCreate, StationStatusIn
from tourism.bikeshare.service import upsert_station

ROOT = Path(__file__).resolve().parents[1]
# A corner of the province with no seeded station within kilometres.
FAR = {"lat": 20.70, "lon": 106.50}
GBFS_FILES = ("gbfs", "system_information", "vehicle_types", "station_information")
GBFS_FILES += ("station_status",)


def _next_from_link(response) -> str | None:
    link = response.headers.get("link", "")
    if 'rel="next"' not in link:
        return None
    url = link.split(";")[0].strip("<> ")
    return parse_qs(urlsplit(url).query)["cursor"][0]


async def _walk(client, path, params, headers=None, *, between=None) -> list[dict]:
    """Every item of a list, page by page through `next_cursor` (which must equal the Link
    header's); `between()` runs after the first page."""
    items, cursor, pages = [], None, 0
    while True:
        r = await client.get(
            path, params={**params, **({"cursor": cursor} if cursor else {})}, headers=headers
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["count"] == len(body["items"]) <= params["limit"]
        assert _next_from_link(r) == body["next_cursor"]
        items += body["items"]
        cursor, pages = body["next_cursor"], pages + 1
        if pages == 1 and between is not None:
            await between()
        if cursor is None:
            return items
        assert pages < 50


@pytest.fixture
async def far_stations(app):
    """Stations of this test only, far from the seeded city; removed afterwards."""
    tag = secrets.token_hex(3)
    made: list[str] = []

    async def add(name_vi: str, *, dlat: float, name_en: str | None = None, bikes: int = 3):
        station_id = f"ct-{tag}-{len(made)}"
        now = datetime.now(UTC)
        async with app.state.resources.sessions() as session, session.begin():
            await upsert_station(
                session,
                data=StationCreate(
                    station_id=station_id,
                    name_vi=name_vi,
                    name_en=name_en,
                    lat=FAR["lat"] + dlat,
                    lon=FAR["lon"],
                    capacity=10,
                    status=StationStatusIn(
                        num_bikes_available=bikes, num_docks_available=10 - bikes, last_reported=now
                    ),
                ),
                now=now,
            )
        made.append(station_id)
        return station_id

    yield add
    async with app.state.resources.sessions() as session, session.begin():
        await session.execute(delete(BikeStation).where(BikeStation.station_id.in_(made)))


# -- stations near a point: a keyset on (distance, id) -------------------------------------------


async def test_nearby_stations_walk_once_each_and_stay_stable(client, far_stations):
    ids = [await far_stations(f"Trạm thử {i}", dlat=0.001 * i) for i in range(1, 5)]
    # two stations at one point: the tie is broken by id, across a page's end
    ids.append(await far_stations("Trạm thử cùng chỗ", dlat=0.004))
    params = {**FAR, "radius_m": 2000, "limit": 2}

    async def insert_before_the_cursor():
        await far_stations("Trạm mới gần hơn", dlat=0.0001)

    walked = await _walk(
        client, "/api/v1/stations/nearby", params, between=insert_before_the_cursor
    )
    got = [s["station_id"] for s in walked]
    assert got == ids  # nearest first, each once, the new nearer one not in the later pages
    distances = [s["distance_m"] for s in walked]
    assert distances == sorted(distances)
    first = (await client.get("/api/v1/stations/nearby", params=params)).json()
    assert first["total"] == 6 and first["total_exact"] is True


async def test_nearby_stations_offset_is_deprecated(client, far_stations):
    for i in range(1, 4):
        await far_stations(f"Trạm {i}", dlat=0.001 * i)
    params = {**FAR, "radius_m": 2000, "limit": 1}
    all_ids = [
        s["station_id"]
        for s in (
            await client.get("/api/v1/stations/nearby", params={**params, "limit": 10})
        ).json()["items"]
    ]
    r = await client.get("/api/v1/stations/nearby", params={**params, "offset": 1})
    assert r.status_code == 200
    assert r.headers["deprecation"] == "true" and "sunset" in r.headers
    assert [s["station_id"] for s in r.json()["items"]] == all_ids[1:2]
    plain = await client.get("/api/v1/stations/nearby", params=params)
    assert "deprecation" not in plain.headers


async def test_a_tampered_or_foreign_cursor_is_a_422_naming_cursor(client, people, far_stations):
    for i in range(1, 3):
        await far_stations(f"Trạm {i}", dlat=0.001 * i)
    params = {**FAR, "radius_m": 2000, "limit": 1}
    cursor = (await client.get("/api/v1/stations/nearby", params=params)).json()["next_cursor"]
    assert cursor
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for bad in (tampered, "not-a-cursor"):
        r = await client.get("/api/v1/stations/nearby", params={**params, "cursor": bad})
        assert r.status_code == 422
        assert [d["field"] for d in r.json()["error"]["details"]] == ["cursor"]
    # another list's cursor, and this list's with other filters
    moved = {**params, "radius_m": 3000, "cursor": cursor}
    r = await client.get("/api/v1/stations/nearby", params=moved)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "cursor"
    r = await client.get(
        "/api/v1/qr-codes",
        params={"limit": 1, "cursor": cursor},
        headers=people["moderator"]["headers"],
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "cursor"


# -- the operator's station list ------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["name", "bikes", "state", "last_reported"])
async def test_operator_stations_walk_once_each(client, people, far_stations, sort):
    headers = people["operator"]["headers"]
    await far_stations("Trạm thử giữa", dlat=0.001, bikes=0)
    everything = (
        await client.get(
            "/api/v1/operator/stations", params={"sort": sort, "limit": 100}, headers=headers
        )
    ).json()
    assert everything["next_cursor"] is None  # the seeded city has fewer than 100
    expected = [s["station_id"] for s in everything["items"]]
    assert everything["total"] == len(expected) == sum(everything["counts"].values())

    async def insert():  # sorts first by name ("A..."), by bikes (0) and by state (empty)
        await far_stations("A trạm mới", dlat=0.002, bikes=0)

    walked = await _walk(
        client, "/api/v1/operator/stations", {"sort": sort, "limit": 7}, headers, between=insert
    )
    got = [s["station_id"] for s in walked]
    assert len(got) == len(set(got))
    assert [i for i in got if i in expected] == expected  # the same order, none lost


async def test_operator_stations_cursor_is_bound_to_the_sort(client, people):
    headers = people["operator"]["headers"]
    r = await client.get(
        "/api/v1/operator/stations", params={"sort": "name", "limit": 2}, headers=headers
    )
    cursor = r.json()["next_cursor"]
    r = await client.get(
        "/api/v1/operator/stations",
        params={"sort": "bikes", "limit": 2, "cursor": cursor},
        headers=headers,
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "cursor"
    r = await client.get(
        "/api/v1/operator/stations", params={"limit": 2, "offset": 2}, headers=headers
    )
    assert r.status_code == 200 and r.headers["deprecation"] == "true"


# -- QR codes -------------------------------------------------------------------------------------


async def _make_code(client, who, campaign: str) -> str:
    body = {"target": {"kind": "search", "query": "bánh đa cua"}, "campaign": campaign}
    r = await client.post("/api/v1/qr-codes", json=body, headers=who["headers"])
    assert r.status_code == 201, r.text
    return r.json()["code"]


async def test_qr_codes_walk_newest_first_once_each(client, people):
    moderator = people["moderator"]
    campaign = f"contract-{secrets.token_hex(3)}"
    codes = [await _make_code(client, moderator, campaign) for _ in range(5)]

    async def make_a_newer_one():
        codes.append(await _make_code(client, moderator, campaign))

    walked = await _walk(
        client,
        "/api/v1/qr-codes",
        {"campaign": campaign, "limit": 2},
        moderator["headers"],
        between=make_a_newer_one,
    )
    assert [c["code"] for c in walked] == list(reversed(codes[:5]))
    r = await client.get(
        "/api/v1/qr-codes", params={"campaign": campaign, "limit": 2}, headers=moderator["headers"]
    )
    assert r.json()["total"] == 6
    r = await client.get(
        "/api/v1/qr-codes",
        params={"campaign": campaign, "limit": 2, "offset": 4},
        headers=moderator["headers"],
    )
    assert r.headers["deprecation"] == "true"
    assert [c["code"] for c in r.json()["items"]] == list(reversed(codes))[4:6]


async def test_qr_errors_in_vietnamese(client, people):
    headers = people["moderator"]["headers"]
    r = await client.get("/api/v1/qr-codes/ZZZZZZZZ", headers={**headers, "Accept-Language": "vi"})
    assert r.status_code == 404
    assert r.headers["content-language"] == "vi"
    assert r.json()["error"]["message"] == "không tìm thấy mã QR 'ZZZZZZZZ'"
    r = await client.get("/api/v1/qr-codes/ZZZZZZZZ", params={"lang": "vi"}, headers=headers)
    assert r.json()["error"]["message"] == "không tìm thấy mã QR 'ZZZZZZZZ'"
    r = await client.get("/api/v1/qr-codes/ZZZZZZZZ", headers=headers)
    assert r.headers["content-language"] == "en"
    assert r.json()["error"]["message"] == "no QR code 'ZZZZZZZZ'"
    r = await client.get("/api/v1/campaigns/khong-co/stats", params={"lang": "vi"}, headers=headers)
    assert r.status_code == 404
    assert "chiến dịch" in r.json()["error"]["message"]


# -- stations: names and errors in both languages -------------------------------------------------


async def test_station_name_follows_the_language(client):
    en = (await client.get("/api/v1/stations/hp-001")).json()
    vi = (await client.get("/api/v1/stations/hp-001", params={"lang": "vi"})).json()
    assert en["name"] == en["name_en"] == "Hai Phong Opera House"
    assert vi["name"] == vi["name_vi"] == "Nhà hát Lớn Hải Phòng"
    near = await client.get(
        "/api/v1/stations/nearby",
        params={"lat": 20.8579, "lon": 106.6835, "limit": 1},
        headers={"Accept-Language": "vi"},
    )
    assert near.headers["content-language"] == "vi"
    assert near.json()["items"][0]["name"] == "Nhà hát Lớn Hải Phòng"


async def test_station_name_falls_back_to_vietnamese(client, far_stations):
    station_id = await far_stations("Trạm chỉ có tên Việt", dlat=0.001)
    r = await client.get(f"/api/v1/stations/{station_id}")
    assert r.json()["name"] == "Trạm chỉ có tên Việt" and r.json()["name_en"] is None


async def test_station_404_in_vietnamese(client):
    for kwargs in ({"params": {"lang": "vi"}}, {"headers": {"Accept-Language": "vi,en;q=0.5"}}):
        r = await client.get("/api/v1/stations/khong-co", **kwargs)
        assert r.status_code == 404
        assert r.headers["content-language"] == "vi"
        assert r.json()["error"]["message"] == "không tìm thấy trạm xe đạp có mã 'khong-co'"
    r = await client.get("/api/v1/open-data/nothing.csv", params={"lang": "vi"})
    assert r.status_code == 404
    assert r.json()["error"]["message"].startswith("không có tệp dữ liệu mở")


# -- the OpenAPI document: binary answers, and the official GBFS schemas --------------------------


@pytest.fixture
def spec(app) -> dict:
    return app.openapi()


def test_images_are_binary(spec):
    for suffix, media_type in (
        ("png", "image/png"),
        ("svg", "image/svg+xml"),
        ("pdf", "application/pdf"),
    ):
        content = spec["paths"][f"/api/v1/qr-codes/{{code}}.{suffix}"]["get"]["responses"]["200"][
            "content"
        ]
        assert content == {media_type: {"schema": {"type": "string", "format": "binary"}}}
        assert "304" in spec["paths"][f"/api/v1/qr-codes/{{code}}.{suffix}"]["get"]["responses"]


def test_gbfs_schema_copies_are_the_official_files():
    package = ROOT / "tourism" / "bikeshare" / "gbfs_schemas"
    standards = ROOT / "tests" / "standards" / "gbfs-v3.0"
    for name in GBFS_FILES:
        assert (package / f"{name}.json").read_bytes() == (standards / f"{name}.json").read_bytes()
    assert (package / "LICENSE").read_bytes() == (standards / "LICENSE").read_bytes()


def _no_external_refs(node) -> bool:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref is not None and not ref.startswith("#/"):
            return False
        return all(_no_external_refs(v) for v in node.values())
    if isinstance(node, list):
        return all(_no_external_refs(v) for v in node)
    return True


async def test_gbfs_answers_validate_against_the_documented_schemas(client, spec):
    """The 200 schema of each GBFS file is the official one, resolved inside the document, and
    the seeded system's real answer validates against it (and a broken one does not)."""
    assert _no_external_refs(spec)
    components = spec["components"]["schemas"]
    for name in GBFS_FILES:
        media = spec["paths"][f"/gbfs/v3/{name}.json"]["get"]["responses"]["200"]["content"]
        ref = media["application/json"]["schema"]["$ref"]
        schema = components[ref.rsplit("/", 1)[1]]
        assert "$id" not in schema and "$schema" not in schema
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        answer = (await client.get(f"/gbfs/v3/{name}.json")).json()
        assert list(validator.iter_errors(answer)) == [], name
        assert list(validator.iter_errors(media["application/json"]["example"])) == [], name
        broken = {**answer, "version": "2.3"}
        assert list(validator.iter_errors(broken)), name
    # draft-07 `dependencies` is 2020-12 `dependentRequired`: terms_url needs its date
    info = components["GbfsSystemInformation"]["properties"]["data"]
    assert info["dependentRequired"]["terms_url"] == ["terms_last_updated"]
