"""QR codes through the API: creating, permissions, images a real decoder reads, caching."""

import secrets
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.qr.decode import DECODERS, pdf_words

BANH_DA_CUA = {"kind": "search", "query": "bánh đa cua"}


def campaign() -> str:
    return f"test-{secrets.token_hex(4)}"


async def make(client, who, target=None, **fields):
    body = {"target": target or BANH_DA_CUA, "campaign": campaign(), **fields}
    r = await client.post("/api/v1/qr-codes", headers=who["headers"], json=body)
    assert r.status_code == 201, r.text
    return r.json()


def field_of(response) -> set[str]:
    assert response.status_code == 422, response.text
    return {d["field"] for d in response.json()["error"]["details"]}


async def test_staff_code_for_banh_da_cua_from_poster_to_search(client, people, app):
    settings = app.state.resources.settings
    made = await make(
        client, people["moderator"], campaign="tet-2027", placement="Nhà hát Lớn poster"
    )
    code = made["code"]
    assert len(code) >= 7 and code.isalnum()
    assert made["short_url"] == f"{settings.public_api_url}/q/{code}"
    assert made["deep_link"] == (
        f"{settings.public_web_url}/search?q=b%C3%A1nh%20%C4%91a%20cua"
        "&utm_source=tourism-department&utm_medium=qr&utm_campaign=tet-2027"
        "&utm_content=Nh%C3%A0%20h%C3%A1t%20L%E1%BB%9Bn%20poster"
    )
    assert made["target"] == {
        "kind": "search",
        "query": "bánh đa cua",
        "slug": None,
        "id": None,
        "dishes": None,
        "minutes": None,
        "mode": None,
        "name": "bánh đa cua",
    }
    assert made["active"] and made["scans"] == 0 and made["created_by"] == people["moderator"]["id"]

    for fmt, decode in DECODERS.items():
        r = await client.get(
            f"/api/v1/qr-codes/{code}.{fmt}", headers=people["moderator"]["headers"]
        )
        assert r.status_code == 200, r.text
        # What a phone camera reads is the short URL ...
        assert decode(r.content) == [made["short_url"]], fmt
    # ... and following it lands on the search, with the Vietnamese query intact.
    scan = await client.get(urlsplit(made["short_url"]).path)
    assert scan.status_code == 302
    assert scan.headers["location"] == made["deep_link"]
    query = parse_qs(urlsplit(scan.headers["location"]).query)
    assert query["q"] == ["bánh đa cua"]
    assert query["utm_medium"] == ["qr"] and query["utm_content"] == ["Nhà hát Lớn poster"]

    stats = await client.get(f"/api/v1/qr-codes/{code}/stats", headers=people["admin"]["headers"])
    assert stats.status_code == 200
    assert stats.json()["total"] == 1 and stats.json()["in_range"] == 1


async def test_the_poster_prints_its_title_and_a_vietnamese_line(client, people):
    made = await make(client, people["admin"], target={"kind": "dish", "slug": "nem-cua-be"})
    for paper in ("a6", "a4"):
        r = await client.get(
            f"/api/v1/qr-codes/{made['code']}.pdf",
            params={"paper": paper, "ec": "Q"},
            headers=people["admin"]["headers"],
        )
        assert r.headers["content-type"] == "application/pdf"
        assert f"qr-{made['code']}-{paper}.pdf" in r.headers["content-disposition"]
        words = pdf_words(r.content)
        assert "Nem cua bể" in words
        assert "Quét mã để xem các quán bán món này" in " ".join(words.split())
        # and for the visitors who do not read Vietnamese, English under it
        assert "Scan to see the eateries near you that serve this dish" in " ".join(words.split())


@pytest.mark.parametrize("fmt", ["png", "svg"])
@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
async def test_every_level_and_a_size_decode(client, people, fmt, level):
    made = await make(client, people["admin"])
    r = await client.get(
        f"/api/v1/qr-codes/{made['code']}.{fmt}",
        params={"size": 300, "ec": level},
        headers=people["admin"]["headers"],
    )
    assert r.status_code == 200
    assert DECODERS[fmt](r.content) == [made["short_url"]]


async def test_every_target_kind_links_to_its_page(client, people, app, session):
    from sqlalchemy import text

    web = app.state.resources.settings.public_web_url
    dish = await make(client, people["moderator"], target={"kind": "dish", "slug": "banh-da-cua"})
    assert dish["deep_link"].startswith(
        f"{web}/search?q=B%C3%A1nh%20%C4%91a%20cua&dish=banh-da-cua&utm_source="
    )
    assert dish["target"]["name"] == "Bánh đa cua"
    eatery_id = await session.scalar(text("SELECT min(id) FROM eateries WHERE status = 'active'"))
    eatery = await make(client, people["admin"], target={"kind": "eatery", "id": eatery_id})
    assert eatery["deep_link"].startswith(f"{web}/eateries/{eatery_id}?utm_source=")
    station = await make(client, people["admin"], target={"kind": "station", "id": "hp-001"})
    assert station["deep_link"].startswith(f"{web}/stations/hp-001?utm_source=")
    assert station["target"]["name"] == "Nhà hát Lớn Hải Phòng"
    for made in (dish, eatery, station):
        scan = await client.get(f"/q/{made['code']}")
        assert scan.headers["location"] == made["deep_link"]


async def test_targets_are_checked_against_the_database(client, people, session):
    from sqlalchemy import text

    from tests.helpers import make_eatery

    headers, name = people["moderator"]["headers"], campaign()
    closed = await make_eatery(session, slug="test-closed-qr", lat=20.60, lon=106.56, hours=None)
    async with session.begin():
        await session.execute(
            text("UPDATE eateries SET status = 'closed' WHERE id = :id"), {"id": closed}
        )

    async def post(target, **extra):
        body = {"target": target, "campaign": name, **extra}
        return await client.post("/api/v1/qr-codes", headers=headers, json=body)

    assert field_of(await post({"kind": "dish", "slug": "khong-co-mon-nay"})) == {"target.slug"}
    assert field_of(await post({"kind": "eatery", "id": 999_999_999})) == {"target.id"}
    assert field_of(await post({"kind": "eatery", "id": closed})) == {"target.id"}
    assert field_of(await post({"kind": "station", "id": "hp-999"})) == {"target.id"}
    assert field_of(await post({"kind": "menu", "id": 1})) == {"target"}
    assert field_of(await post({"kind": "search", "query": ""})) == {"target.search.query"}
    assert field_of(await post({"kind": "search", "query": "phở 🍜"})) == {"target.query"}
    assert field_of(await post({"kind": "search", "query": "x", "id": 3})) == {"target.search.id"}
    assert field_of(await post(BANH_DA_CUA, placement="a\x00b")) == {"placement"}
    assert field_of(await post(BANH_DA_CUA, created_by=1)) == {"created_by"}
    assert field_of(await post(BANH_DA_CUA, campaign="Tết 2027")) == {"campaign"}
    # Nothing half-written: no code exists in the campaign.
    r = await client.get("/api/v1/qr-codes", headers=headers, params={"campaign": name})
    assert r.json()["items"] == []


async def test_who_may_create_what(client, people):
    own = {"kind": "eatery", "id": people["owner"]["eatery"]}
    others = {"kind": "eatery", "id": people["other_vendor"]["eatery"]}

    async def post(who, target):
        body = {"target": target, "campaign": campaign()}
        r = await client.post("/api/v1/qr-codes", headers=people[who]["headers"], json=body)
        return r.status_code

    for who in ("moderator", "admin"):
        assert await post(who, BANH_DA_CUA) == 201
        assert await post(who, own) == 201
    assert await post("owner", own) == 201
    assert await post("owner", others) == 404  # as a missing eatery: no enumeration
    assert await post("owner", {"kind": "eatery", "id": 999_999_999}) == 404
    assert await post("owner", BANH_DA_CUA) == 403
    assert await post("owner", {"kind": "station", "id": "hp-001"}) == 403
    assert await post("tourist", BANH_DA_CUA) == 403
    assert await post("tourist", own) == 403
    assert await post("anonymous", BANH_DA_CUA) == 401


async def test_vendor_codes_say_so_in_utm_source(client, people):
    made = await make(
        client, people["owner"], target={"kind": "eatery", "id": people["owner"]["eatery"]}
    )
    assert parse_qs(urlsplit(made["deep_link"]).query)["utm_source"] == ["vendor"]
    assert made["created_by"] == people["owner"]["id"]


async def test_lists_show_own_codes_and_everything_to_staff(client, people):
    name = campaign()
    owner_code = (
        await make(
            client,
            people["owner"],
            target={"kind": "eatery", "id": people["owner"]["eatery"]},
            campaign=name,
        )
    )["code"]
    staff_code = (await make(client, people["moderator"], campaign=name))["code"]

    async def listed(who, **params):
        r = await client.get(
            "/api/v1/qr-codes", headers=people[who]["headers"], params={"campaign": name, **params}
        )
        assert r.status_code == 200, r.text
        return [c["code"] for c in r.json()["items"]]

    assert await listed("owner") == [owner_code]
    assert await listed("other_vendor") == []
    assert await listed("admin") == [staff_code, owner_code]  # newest first
    assert await listed("moderator", limit=1) == [staff_code]
    assert await listed("moderator", limit=1, offset=1) == [owner_code]
    # All of them are its eatery's codes (some made by staff for it).
    everything = await client.get("/api/v1/qr-codes", headers=people["owner"]["headers"])
    assert {c["target"]["id"] for c in everything.json()["items"]} == {people["owner"]["eatery"]}
    for who, status in (("tourist", 403), ("anonymous", 401)):
        r = await client.get("/api/v1/qr-codes", headers=people[who]["headers"])
        assert r.status_code == status
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}):
        r = await client.get("/api/v1/qr-codes", headers=people["admin"]["headers"], params=params)
        assert field_of(r) == set(params)


async def test_images_stats_and_changes_are_for_the_creator_and_staff(client, people):
    made = await make(
        client, people["owner"], target={"kind": "eatery", "id": people["owner"]["eatery"]}
    )
    code = made["code"]
    expected = {
        "owner": 200,
        "moderator": 200,
        "admin": 200,
        "other_vendor": 404,
        "tourist": 403,
        "other_tourist": 403,
        "anonymous": 401,
    }
    for path in (f"{code}", f"{code}.png", f"{code}.svg", f"{code}.pdf", f"{code}/stats"):
        for who, status in expected.items():
            r = await client.get(f"/api/v1/qr-codes/{path}", headers=people[who]["headers"])
            assert r.status_code == status, (path, who, r.text[:200])
    for who, status in expected.items():
        r = await client.patch(
            f"/api/v1/qr-codes/{code}", headers=people[who]["headers"], json={"active": True}
        )
        assert r.status_code == status, (who, r.text)
    r = await client.get(
        f"/api/v1/campaigns/{made['campaign']}/stats", headers=people["other_vendor"]["headers"]
    )
    assert r.status_code == 404


async def assign(client, people, who: str, eatery_ids: list[int]) -> None:
    r = await client.put(
        f"/api/v1/admin/vendors/{people[who]['id']}/eateries",
        headers=people["admin"]["headers"],
        json={"eatery_ids": eatery_ids},
    )
    assert r.status_code == 200, r.text
    assert r.json()["eatery_ids"] == sorted(eatery_ids)


async def test_vendors_see_the_codes_of_the_eateries_they_manage_now(client, people):
    """Not the codes they made: a vendor taken off an eatery loses its codes at once, and the
    vendor given it sees them, staff's included."""
    eatery, theirs = people["owner"]["eatery"], people["other_vendor"]["eatery"]
    name = campaign()
    mine = await make(
        client, people["owner"], target={"kind": "eatery", "id": eatery}, campaign=name
    )
    staff = await make(
        client, people["moderator"], target={"kind": "eatery", "id": eatery}, campaign=name
    )
    assert (await client.get(f"/q/{mine['code']}")).status_code == 302

    async def status(who, method, path, **kwargs):
        r = await client.request(method, path, headers=people[who]["headers"], **kwargs)
        return r.status_code

    async def listed(who):
        r = await client.get(
            "/api/v1/qr-codes", headers=people[who]["headers"], params={"campaign": name}
        )
        assert r.status_code == 200, r.text
        return [c["code"] for c in r.json()["items"]]

    def requests(code):
        return [
            ("GET", f"/api/v1/qr-codes/{code}", {}),
            ("GET", f"/api/v1/qr-codes/{code}.png", {}),
            ("GET", f"/api/v1/qr-codes/{code}/stats", {}),
            ("GET", f"/api/v1/campaigns/{name}/stats", {}),
            ("PATCH", f"/api/v1/qr-codes/{code}", {"json": {"active": True}}),
        ]

    assert await listed("owner") == [staff["code"], mine["code"]]
    assert await listed("other_vendor") == []
    try:
        await assign(client, people, "owner", [])
        await assign(client, people, "other_vendor", [theirs, eatery])
        for code in (mine["code"], staff["code"]):
            for method, path, kwargs in requests(code):
                assert await status("owner", method, path, **kwargs) == 404, (method, path)
                assert await status("other_vendor", method, path, **kwargs) == 200, (method, path)
        assert await listed("owner") == []
        assert await listed("other_vendor") == [staff["code"], mine["code"]]
        off = await client.patch(
            f"/api/v1/qr-codes/{mine['code']}",
            headers=people["other_vendor"]["headers"],
            json={"active": False},
        )
        assert off.status_code == 200 and off.json()["active"] is False
        stats = await client.get(
            f"/api/v1/qr-codes/{mine['code']}/stats", headers=people["other_vendor"]["headers"]
        )
        assert stats.json()["total"] == 1
        # A code for the eatery it lost cannot be made either.
        r = await client.post(
            "/api/v1/qr-codes",
            headers=people["owner"]["headers"],
            json={"target": {"kind": "eatery", "id": eatery}, "campaign": name},
        )
        assert r.status_code == 404
    finally:
        await assign(client, people, "owner", [eatery])
        await assign(client, people, "other_vendor", [theirs])
    assert await listed("owner") == [staff["code"], mine["code"]]
    assert await listed("other_vendor") == []


async def test_deactivated_codes_answer_410_and_come_back(client, people):
    made = await make(client, people["moderator"])
    code, headers = made["code"], people["moderator"]["headers"]
    assert (await client.get(f"/q/{code}")).status_code == 302
    r = await client.patch(f"/api/v1/qr-codes/{code}", headers=headers, json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    gone = await client.get(f"/q/{code}")
    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "gone"
    assert gone.headers["cache-control"] == "no-store"
    assert "location" not in gone.headers
    r = await client.patch(f"/api/v1/qr-codes/{code}", headers=headers, json={"active": True})
    assert r.json()["active"] is True
    assert (await client.get(f"/q/{code}")).status_code == 302
    # Scans of a code that is off are not counted.
    r = await client.get(f"/api/v1/qr-codes/{code}", headers=headers)
    assert r.json()["scans"] == 2
    for body in ({"active": "maybe"}, {}, {"active": False, "campaign": "x"}):
        r = await client.patch(f"/api/v1/qr-codes/{code}", headers=headers, json=body)
        assert r.status_code == 422


async def test_unknown_codes_are_404(client, people):
    for path in ("/q/Zz9Zz9Zz9", "/q/short", "/q/has-dash!", "/q/" + "a" * 40):
        r = await client.get(path)
        assert r.status_code == 404, path
        assert r.headers["cache-control"] == "no-store"
    headers = people["admin"]["headers"]
    for path in ("Zz9Zz9Zz9", "Zz9Zz9Zz9.png", "Zz9Zz9Zz9.pdf", "Zz9Zz9Zz9/stats"):
        r = await client.get(f"/api/v1/qr-codes/{path}", headers=headers)
        assert r.status_code == 404, path


@pytest.mark.parametrize(
    ("fmt", "params", "field"),
    [
        ("png", {"size": 127}, "size"),
        ("png", {"size": 4097}, "size"),
        ("png", {"size": "big"}, "size"),
        ("svg", {"size": 0}, "size"),
        ("svg", {"size": -5}, "size"),
        ("png", {"ec": "X"}, "ec"),
        ("png", {"ec": "m"}, "ec"),
        ("svg", {"ec": ""}, "ec"),
        ("pdf", {"ec": "HH"}, "ec"),
        ("pdf", {"paper": "a5"}, "paper"),
    ],
)
async def test_invalid_sizes_and_levels_are_422(client, people, fmt, params, field):
    made = await make(client, people["admin"])
    r = await client.get(
        f"/api/v1/qr-codes/{made['code']}.{fmt}", params=params, headers=people["admin"]["headers"]
    )
    assert field_of(r) == {field}


async def test_images_are_cacheable_with_etags(client, people):
    made = await make(client, people["admin"])
    url = f"/api/v1/qr-codes/{made['code']}.png"
    headers = people["admin"]["headers"]
    first = await client.get(url, headers=headers, params={"size": 256})
    etag = first.headers["etag"]
    assert etag.startswith('"') and "max-age" in first.headers["cache-control"]
    assert "private" in first.headers["cache-control"]
    again = await client.get(url, headers={**headers, "If-None-Match": etag}, params={"size": 256})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    listed = await client.get(
        url, headers={**headers, "If-None-Match": f'"other", W/{etag}'}, params={"size": 256}
    )
    assert listed.status_code == 304
    bigger = await client.get(url, headers={**headers, "If-None-Match": etag}, params={"size": 300})
    assert bigger.status_code == 200 and bigger.headers["etag"] != etag
    # Same parameters, same bytes (what the ETag promises), for every format.
    for fmt in ("png", "svg", "pdf"):
        path = f"/api/v1/qr-codes/{made['code']}.{fmt}"
        one, two = [await client.get(path, headers=headers) for _ in range(2)]
        assert one.content == two.content and one.headers["etag"] == two.headers["etag"]
    svg = await client.get(f"/api/v1/qr-codes/{made['code']}.svg", headers=headers)
    pdf = await client.get(f"/api/v1/qr-codes/{made['code']}.pdf", headers=headers)
    assert len({etag, svg.headers["etag"], pdf.headers["etag"]}) == 3


async def test_a_tour_code_opens_the_planner_from_the_scanner(client, people):
    headers = people["admin"]["headers"]
    body = {
        "target": {
            "kind": "tour",
            "dishes": ["banh-da-cua", "nem-cua-be"],
            "minutes": 180,
            "mode": "bike",
        },
        "campaign": f"test-tour-{secrets.token_hex(3)}",
    }
    r = await client.post("/api/v1/qr-codes", headers=headers, json=body)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["target"]["kind"] == "tour"
    assert made["target"]["dishes"] == ["banh-da-cua", "nem-cua-be"]
    assert made["target"]["name"] == "Food tour: Bánh đa cua, Nem cua bể"
    scan = await client.get(f"/q/{made['code']}")
    assert scan.status_code == 302
    location = scan.headers["location"]
    assert location.split("?")[0].endswith("/tours")
    assert "dishes=banh-da-cua%2Cnem-cua-be" in location and "mode=bike" in location
    assert "minutes=180" in location and "from=here" in location
    poster = await client.get(f"/api/v1/qr-codes/{made['code']}.pdf", headers=headers)
    words = " ".join(pdf_words(poster.content).split())
    assert "Food tour: Bánh đa cua, Nem cua bể" in words
    assert "Scan to plan a food tour from where you stand" in words
    bad = {**body, "target": {**body["target"], "dishes": ["banh-da-cua", "khong-co"]}}
    r = await client.post("/api/v1/qr-codes", headers=headers, json=bad)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "target.dishes"
