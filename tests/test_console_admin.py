"""The staff console's catalogue API (issue 15): the department adds and edits eateries and
dishes, vendors close for a while, the week editor previews hours, the operator sees station
health. Roles, bad input naming the field, audit entries, and search seeing changes at once."""

import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.helpers import local, tomorrow
from tourism.dishes.service import slugify
from tourism.hours import TZ
from tourism.views.schemas import DishDetail, EateryDetail

# Far from the seeded city and from every other test's places (a ferry ride from Hai Phong).
HERE = {"lat": 21.31, "lon": 107.41}
ADMIN_ROLES = ("anonymous", "tourist", "owner", "moderator", "operator", "admin")
EXPECTED_FOR_ADMIN = {"anonymous": 401, "tourist": 403, "owner": 403, "moderator": 403}


def _place(offset: float = 0.0) -> dict:
    return {"type": "Point", "coordinates": [HERE["lon"] + offset, HERE["lat"]]}


def _field(response) -> str:
    assert response.status_code == 422, response.text
    return response.json()["error"]["details"][0]["field"]


async def _audit(client, people, entity: str, entity_id: int) -> list[dict]:
    r = await client.get(
        "/api/v1/admin/audit",
        params={"entity": entity, "entity_id": str(entity_id)},
        headers=people["admin"]["headers"],
    )
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def _search_slugs(client, q: str) -> list[str]:
    r = await client.get("/api/v1/search", params={"q": q, "limit": 50})
    assert r.status_code == 200, r.text
    return [hit["eatery"]["slug"] for hit in r.json()["items"]]


async def _serving(client, q: str, dish: str) -> list[str]:
    """The eateries a search for `q` finds through the dish `dish` (what other data matches
    a fuzzy text depends on what the other tests made)."""
    r = await client.get("/api/v1/search", params={"q": q, "limit": 50})
    assert r.status_code == 200, r.text
    return [
        hit["eatery"]["slug"]
        for hit in r.json()["items"]
        if any(d["slug"] == dish for d in hit["dishes"])
    ]


async def _suggested_dishes(client, q: str) -> list[str]:
    r = await client.get("/api/v1/search/suggest", params={"q": q, "limit": 10})
    assert r.status_code == 200, r.text
    return [s["slug"] for s in r.json()["items"] if s["kind"] == "dish"]


@pytest.fixture
async def made(session):
    """Ids and slugs the test makes, deleted after it: other tests count the catalogue."""
    things: dict[str, list] = {"eateries": [], "dishes": [], "stations": []}
    yield things
    async with session.begin():
        for table, column, values in (
            ("menu_items", "eatery_id", things["eateries"]),
            ("eateries", "id", things["eateries"]),
            ("dishes", "slug", things["dishes"]),
            ("bike_stations", "station_id", things["stations"]),
        ):
            if values:
                await session.execute(
                    text(f"DELETE FROM {table} WHERE {column} = ANY(:values)"), {"values": values}
                )


async def _new_eatery(client, people, made, **fields) -> dict:
    body = {
        "name_vi": f"Quán thử bàn giao {secrets.token_hex(3)}",
        "kind": "street_food",
        "address": "2 Phố Thử",
        "location": _place(),
        **fields,
    }
    r = await client.post("/api/v1/admin/eateries", json=body, headers=people["admin"]["headers"])
    assert r.status_code == 201, r.text
    made["eateries"].append(r.json()["id"])
    return r.json()


# -- roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/admin/eateries", None),
        ("POST", "/api/v1/admin/eateries", {}),
        ("PATCH", "/api/v1/admin/eateries/1", {"name_vi": ""}),
        ("POST", "/api/v1/admin/dishes", {}),
        ("PATCH", "/api/v1/admin/dishes/banh-da-cua", {"name_vi": ""}),
    ],
)
async def test_catalogue_edits_are_for_admins_only(client, people, method, path, body):
    for role in ADMIN_ROLES:
        r = await client.request(method, path, json=body, headers=people[role]["headers"])
        if role in EXPECTED_FOR_ADMIN:
            assert r.status_code == EXPECTED_FOR_ADMIN[role], (role, r.text)
        else:
            # past the role check: the operator is refused, the admin's bad body is a 422
            assert r.status_code == (403 if role == "operator" else 200 if method == "GET" else 422)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("tourist", 403), ("owner", 403), ("moderator", 403)]
    + [("operator", 200), ("admin", 200)],
)
async def test_station_health_is_for_operators_and_admins(client, people, role, status):
    r = await client.get("/api/v1/operator/stations", headers=people[role]["headers"])
    assert r.status_code == status, r.text


# -- dishes ---------------------------------------------------------------------------------------


def test_slugs_are_made_without_diacritics():
    assert slugify("Bánh đa cua") == "banh-da-cua"
    assert slugify("ĐẬU PHỤ rán  mắm tôm") == "dau-phu-ran-mam-tom"
    assert slugify("Cà phê (trứng)!") == "ca-phe-trung"
    assert slugify("Phở bò 24h") == "pho-bo-24h"
    assert slugify("☕ — ☕") == ""


async def test_categories_are_public(client):
    r = await client.get("/api/v1/dishes/categories")
    assert r.status_code == 200
    assert {"noodle_soup", "seafood", "drink"} <= set(r.json()["items"])


async def test_a_new_dish_is_searchable_at_once(client, people, made):
    admin = people["admin"]["headers"]
    tag = secrets.token_hex(2)
    folded = f"banh tom ho tay {tag}"
    slug = f"banh-tom-ho-tay-{tag}"
    # what these texts match is remembered now: the new dish must move the catalogue's version
    assert await _suggested_dishes(client, folded) == []
    assert await _serving(client, folded, slug) == []
    r = await client.post(
        "/api/v1/admin/dishes",
        headers=admin,
        json={
            "name_vi": f"Bánh tôm Hồ Tây {tag}",
            "name_en": "West Lake shrimp cake",
            "category": "street_snack",
            "aliases": ["banh tom", "banh tom", f"shrimp fritter {tag}"],
            "description_vi": "Bánh tôm chiên giòn.\nĂn với rau sống.",
        },
    )
    assert r.status_code == 201, r.text
    made["dishes"].append(slug)
    dish = r.json()
    assert dish == DishDetail.model_validate(dish).model_dump(mode="json")
    assert (dish["slug"], dish["eateries"], dish["eatery_count"]) == (slug, [], 0)
    assert dish["aliases"] == ["banh tom", f"shrimp fritter {tag}"]  # once each
    assert (await client.get(f"/api/v1/dishes/{slug}")).json()["name_en"] == dish["name_en"]

    # found at once, without diacritics, by name and by alias
    assert await _suggested_dishes(client, folded) == [slug]
    assert slug in await _suggested_dishes(client, f"shrimp fritter {tag}")
    # and the eateries that add it to their menu are found by search
    owner = people["owner"]
    menu = f"/api/v1/vendor/eateries/{owner['eatery']}/menu"
    added = await client.post(
        menu, headers=owner["headers"], json={"dish": slug, "price_vnd": 35000}
    )
    assert added.status_code == 201, added.text
    try:
        assert await _serving(client, folded, slug) == ["test-owner-eatery"]
    finally:
        await client.delete(f"{menu}/{slug}", headers=owner["headers"])

    (entry,) = await _audit(client, people, "dish", await _dish_id(client, people, slug))
    assert (entry["action"], entry["actor_id"]) == ("dish.create", people["admin"]["id"])
    assert entry["after"]["slug"] == slug and entry["after"]["category"] == "street_snack"


async def _dish_id(client, people, slug: str) -> int:
    entries = (
        await client.get(
            "/api/v1/admin/audit",
            params={"entity": "dish", "actor_id": people["admin"]["id"], "limit": 100},
            headers=people["admin"]["headers"],
        )
    ).json()["items"]
    return next(int(e["entity_id"]) for e in entries if (e["after"] or {}).get("slug") == slug)


async def test_editing_a_dish(client, people, made):
    admin = people["admin"]["headers"]
    tag = secrets.token_hex(2)
    slug = f"test-dish-{tag}"
    made["dishes"] += [slug, f"{slug}-renamed"]
    body = {"slug": slug, "name_vi": f"Chè thử {tag}", "name_en": "Test sweet soup"}
    created = await client.post(
        "/api/v1/admin/dishes", headers=admin, json=body | {"category": "dessert"}
    )
    assert created.status_code == 201, created.text

    r = await client.patch(
        f"/api/v1/admin/dishes/{slug}",
        headers=admin,
        json={"name_vi": f"Chè bưởi {tag}", "aliases": [f"che buoi {tag}"], "description_en": None},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["name_vi"], r.json()["name_en"]) == (f"Chè bưởi {tag}", "Test sweet soup")
    assert await _suggested_dishes(client, f"che buoi {tag}") == [slug]
    assert await _suggested_dishes(client, f"che thu {tag}") == []  # the old name is gone

    renamed = await client.patch(
        f"/api/v1/admin/dishes/{slug}", headers=admin, json={"slug": f"{slug}-renamed"}
    )
    assert renamed.status_code == 200 and renamed.json()["slug"] == f"{slug}-renamed"
    assert (await client.get(f"/api/v1/dishes/{slug}")).status_code == 404
    entries = await _audit(client, people, "dish", await _dish_id(client, people, slug))
    assert [e["action"] for e in entries] == ["dish.update", "dish.update", "dish.create"]
    assert entries[0]["before"] == {"slug": slug} and entries[0]["after"] == {
        "slug": f"{slug}-renamed"
    }
    assert entries[1]["before"]["name_vi"] == f"Chè thử {tag}"

    missing = await client.patch(f"/api/v1/admin/dishes/{slug}", headers=admin, json={})
    assert missing.status_code == 404


async def test_bad_dishes_are_refused_naming_the_field(client, people, made):
    admin = people["admin"]["headers"]
    valid = {"name_vi": "Bánh đa cua", "name_en": "Crab noodle soup", "category": "noodle_soup"}
    taken = await client.post("/api/v1/admin/dishes", headers=admin, json=valid)
    assert taken.status_code == 409, taken.text  # made from the name: banh-da-cua exists
    assert taken.json()["error"]["details"] == [{"field": "slug", "message": "already taken"}]
    for change, field in (
        ({"category": "street_food"}, "category"),  # not one of /dishes/categories
        ({"category": None}, "category"),
        ({"slug": "Bánh"}, "slug"),
        ({"slug": "categories"}, "slug"),  # the path beside /dishes/{slug}
        ({"name_vi": "☕", "name_en": "Coffee"}, "slug"),  # the name makes no slug
        ({"name_en": ""}, "name_en"),
        ({"aliases": [""]}, "aliases.0"),
        ({"aliases": ["x"] * 31}, "aliases"),
        ({"price_vnd": 1}, "price_vnd"),
    ):
        r = await client.post("/api/v1/admin/dishes", headers=admin, json=valid | change)
        assert _field(r) == field, (change, r.text)
    for change, field in (({"name_vi": None}, "name_vi"), ({"category": "pizza"}, "category")):
        r = await client.patch("/api/v1/admin/dishes/banh-da-cua", headers=admin, json=change)
        assert _field(r) == field
    other = await client.patch(
        "/api/v1/admin/dishes/nem-cua-be", headers=admin, json={"slug": "banh-da-cua"}
    )
    assert other.status_code == 409 and other.json()["error"]["details"][0]["field"] == "slug"


# -- eateries -----------------------------------------------------------------------------------


async def test_a_new_eatery_is_answered_in_full_and_found_at_once(client, people, made):
    tag = secrets.token_hex(3)
    name = f"Quán Bà Thử Nghiệm {tag}"
    assert await _search_slugs(client, f"quan ba thu nghiem {tag}") == []  # remembered now
    body = await _new_eatery(
        client,
        people,
        made,
        name_vi=name,
        name_en="Test Lady's",
        kind="restaurant",
        ward="Phường Thử",
        district="Quận Thử",
        phone="+84 225 3 999 999",
        description_vi="Mở cửa sớm.",
        opening_hours="24/7",
    )
    slug = f"quan-ba-thu-nghiem-{tag}"
    assert body["slug"] == slug
    expected = set(EateryDetail.model_fields) | {"closed_until"}
    assert set(body) == expected
    assert body["location"] == _place()
    assert (body["status"], body["closed_until"], body["open_now"]) == ("active", None, True)
    assert len(body["schedule"]) == 7 and body["menu"] == [] and body["verified"] is False
    assert (await client.get(f"/api/v1/eateries/{body['id']}")).json() == {
        k: v for k, v in body.items() if k != "closed_until"
    }
    assert await _search_slugs(client, f"quan ba thu nghiem {tag}") == [slug]
    nearby = await client.get("/api/v1/eateries/nearby", params={**HERE, "radius_m": 100})
    assert body["id"] in [e["id"] for e in nearby.json()["items"]]

    (entry,) = await _audit(client, people, "eatery", body["id"])
    assert (entry["action"], entry["actor_id"]) == ("eatery.create", people["admin"]["id"])
    assert entry["after"]["slug"] == slug and entry["after"]["location"] == _place()

    # the same name again: the slug made from it gets a number; a slug sent that is taken: 409
    again = await _new_eatery(client, people, made, name_vi=name)
    assert again["slug"] == f"{slug}-2"
    taken = await client.post(
        "/api/v1/admin/eateries",
        headers=people["admin"]["headers"],
        json={
            "slug": slug,
            "name_vi": "Khác",
            "kind": "cafe",
            "address": "3",
            "location": _place(),
        },
    )
    assert taken.status_code == 409 and taken.json()["error"]["details"][0]["field"] == "slug"

    listed = await client.get(
        "/api/v1/admin/eateries",
        params={"q": f"quán bà thử nghiệm {tag}"},
        headers=people["admin"]["headers"],
    )
    assert listed.status_code == 200
    assert listed.json() == {
        "items": [
            {
                "id": e["id"],
                "slug": e["slug"],
                "name_vi": name,
                "name_en": e["name_en"],
                "name": e["name_en"] or name,
                "status": "active",
                "address": e["address"],
            }
            for e in (again, body)  # by name without diacritics: "... thu nghiem" first
        ],
        "count": 2,
        "next_cursor": None,
        "total": 2,
        "total_exact": True,
    }
    first = await client.get(
        "/api/v1/admin/eateries", params={"q": tag, "limit": 1}, headers=people["admin"]["headers"]
    )
    assert [e["id"] for e in first.json()["items"]] == [again["id"]]
    assert first.json()["total"] == 2 and first.json()["next_cursor"]
    page = await client.get(
        "/api/v1/admin/eateries",
        params={"q": tag, "limit": 1, "cursor": first.json()["next_cursor"]},
        headers=people["admin"]["headers"],
    )
    assert [e["id"] for e in page.json()["items"]] == [body["id"]]
    assert page.json()["total"] == 2 and page.json()["next_cursor"] is None
    for q in ("%", "_", "\\"):  # wildcards are text
        r = await client.get(
            "/api/v1/admin/eateries", params={"q": q}, headers=people["admin"]["headers"]
        )
        assert r.status_code == 200 and r.json()["total"] == 0


async def test_bad_eateries_are_refused_naming_the_field(client, people):
    admin = people["admin"]["headers"]
    valid = {"name_vi": "Quán lỗi", "kind": "cafe", "address": "1 Phố Lỗi", "location": _place()}
    today = datetime.now(TZ).date()
    for change, field in (
        ({"location": {"type": "Point", "coordinates": [2.35, 48.85]}}, "location"),  # Paris
        ({"location": {"type": "Point", "coordinates": [106.68, 24.0]}}, "location"),
        ({"location": {"type": "Point", "coordinates": [106.68]}}, "location.coordinates"),
        ({"location": {"type": "Polygon", "coordinates": [106.68, 20.8]}}, "location.type"),
        ({"location": None}, "location"),
        ({"kind": "pizzeria"}, "kind"),
        ({"status": "gone"}, "status"),
        ({"closed_until": tomorrow().isoformat()}, "closed_until"),  # while active
        (
            {"status": "temporarily_closed", "closed_until": str(today - timedelta(days=1))},
            "closed_until",
        ),
        ({"opening_hours": "Mo-Xx 25:00"}, "opening_hours"),
        ({"phone": "call me"}, "phone"),
        ({"slug": "Quán"}, "slug"),
        ({"verified": True}, "verified"),
    ):
        r = await client.post("/api/v1/admin/eateries", headers=admin, json=valid | change)
        assert _field(r) == field, (change, r.text)
    paris = await client.post(
        "/api/v1/admin/eateries",
        headers=admin,
        json=valid | {"location": {"type": "Point", "coordinates": [2.35, 48.85]}},
    )
    assert "Vietnam" in paris.json()["error"]["details"][0]["message"]
    unknown = await client.patch("/api/v1/admin/eateries/999999999", headers=admin, json={})
    assert unknown.status_code == 404


async def test_editing_an_eatery_and_closing_it_for_a_while(client, people, made, clock):
    admin = people["admin"]["headers"]
    eatery = await _new_eatery(client, people, made, opening_hours="Mo-Su 06:00-22:00")
    path = f"/api/v1/admin/eateries/{eatery['id']}"
    tag = secrets.token_hex(3)
    day = tomorrow()
    clock(local(day, 12))

    r = await client.patch(
        path,
        headers=admin,
        json={"name_vi": f"Quán Đổi Tên {tag}", "location": _place(0.001), "ward": None},
    )
    assert r.status_code == 200, r.text
    assert r.json()["name_vi"] == f"Quán Đổi Tên {tag}" and r.json()["location"] == _place(0.001)
    assert r.json()["ward"] is None and r.json()["open_now"] is True
    assert await _search_slugs(client, f"quan doi ten {tag}") == [eatery["slug"]]

    closed = await client.patch(
        path, headers=admin, json={"status": "temporarily_closed", "closed_until": str(day)}
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert (body["status"], body["closed_until"]) == ("temporarily_closed", str(day))
    assert body["open_now"] is False and body["next_change"] is None
    assert all(d["intervals"] == [] for d in body["schedule"])
    assert await _search_slugs(client, f"quan doi ten {tag}") == []  # not listed while closed
    nearby = await client.get(
        "/api/v1/eateries/nearby", params={**HERE, "radius_m": 500, "limit": 100}
    )
    assert eatery["id"] not in [e["id"] for e in nearby.json()["items"]]

    # other fields change while closed; leaving the closure forgets its day
    assert (await client.patch(path, headers=admin, json={"phone": "0225 3 111 222"})).json()[
        "closed_until"
    ] == str(day)
    reopened = await client.patch(path, headers=admin, json={"status": "active"})
    assert (reopened.json()["status"], reopened.json()["closed_until"]) == ("active", None)
    assert reopened.json()["open_now"] is True
    assert await _search_slugs(client, f"quan doi ten {tag}") == [eatery["slug"]]

    not_closed = await client.patch(path, headers=admin, json={"closed_until": str(day)})
    assert _field(not_closed) == "closed_until"
    entries = await _audit(client, people, "eatery", eatery["id"])
    assert [e["action"] for e in entries] == ["eatery.update"] * 4 + ["eatery.create"]
    assert entries[0]["before"] == {"status": "temporarily_closed", "closed_until": str(day)}
    assert entries[0]["after"] == {"status": "active", "closed_until": None}
    assert entries[3]["before"]["location"] == _place()
    assert entries[3]["after"]["location"] == _place(0.001)


async def test_a_temporary_closure_ends_after_its_last_day(app, client, people, made, session):
    from tourism.eateries.service import ensure_open_window, reopen_due

    admin = people["admin"]["headers"]
    today = datetime.now(TZ).date()
    first = await _new_eatery(
        client,
        people,
        made,
        opening_hours="24/7",
        status="temporarily_closed",
        closed_until=str(today),
    )
    second = await _new_eatery(client, people, made, opening_hours="24/7")
    r = await client.patch(
        f"/api/v1/admin/eateries/{second['id']}",
        headers=admin,
        json={"status": "temporarily_closed"},  # no day known: stays closed
    )
    assert r.json()["closed_until"] is None

    async with session.begin():
        assert await reopen_due(session, today=today) == []  # its last day is today
    async with session.begin():
        assert await reopen_due(session, today=today + timedelta(days=1)) == [first["id"]]
    detail = (await client.get(f"/api/v1/eateries/{first['id']}")).json()
    assert (detail["status"], detail["open_now"]) == ("active", True)
    open_nearby = await client.get(
        "/api/v1/eateries/nearby", params={**HERE, "radius_m": 100, "open_now": "true"}
    )
    assert first["id"] in [e["id"] for e in open_nearby.json()["items"]]  # its intervals too
    entry = (await _audit(client, people, "eatery", first["id"]))[0]
    assert (entry["action"], entry["actor_id"]) == ("eatery.reopen", None)
    assert entry["before"] == {"status": "temporarily_closed", "closed_until": str(today)}

    # the window's upkeep, every few minutes, is what runs it
    async with session.begin():
        await session.execute(
            text(
                "UPDATE eateries SET status = 'temporarily_closed', closed_until = :day "
                "WHERE id = :id"
            ),
            {"day": today - timedelta(days=1), "id": first["id"]},
        )
    async with session.begin():
        days = app.state.resources.settings.open_window_days
        await ensure_open_window(session, now=datetime.now(UTC), days=days)
    assert (await client.get(f"/api/v1/eateries/{first['id']}")).json()["open_now"] is True
    assert (await client.get(f"/api/v1/eateries/{second['id']}")).json()["status"] == (
        "temporarily_closed"
    )


# -- vendors --------------------------------------------------------------------------------------


async def test_vendors_close_for_a_while_and_hours_errors_are_sentences(client, people):
    owner = people["owner"]
    path = f"/api/v1/vendor/eateries/{owner['eatery']}"
    until = str(datetime.now(TZ).date() + timedelta(days=3))
    try:
        r = await client.patch(
            path,
            headers=owner["headers"],
            json={"status": "temporarily_closed", "closed_until": until},
        )
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["closed_until"]) == ("temporarily_closed", until)
        mine = (await client.get("/api/v1/vendor/eateries", headers=owner["headers"])).json()
        assert mine["items"][0]["closed_until"] == until
        detail = (await client.get(f"/api/v1/eateries/{owner['eatery']}")).json()
        assert (detail["status"], detail["open_now"]) == ("temporarily_closed", False)
        entry = (await _audit(client, people, "eatery", owner["eatery"]))[0]
        assert entry["actor_id"] == owner["id"]
        assert entry["after"] == {"status": "temporarily_closed", "closed_until": until}
    finally:
        r = await client.patch(path, headers=owner["headers"], json={"status": "active"})
        assert (r.json()["status"], r.json()["closed_until"]) == ("active", None)

    alone = await client.patch(path, headers=owner["headers"], json={"closed_until": until})
    assert _field(alone) == "closed_until"
    other = await client.patch(
        f"/api/v1/vendor/eateries/{people['other_vendor']['eatery']}",
        headers=owner["headers"],
        json={"status": "temporarily_closed"},
    )
    assert other.status_code == 404

    bad = await client.patch(path, headers=owner["headers"], json={"opening_hours": "Mo-Fr 6-14"})
    assert _field(bad) == "opening_hours"
    message = bad.json()["error"]["details"][0]["message"]
    assert message == (
        "Not valid opening hours from “6-14” on: write them in OpenStreetMap opening_hours "
        "syntax, like Mo-Fr 06:00-14:00; Sa,Su 07:00-22:00."
    )


# -- the week editor's preview -------------------------------------------------------------------


async def test_hours_preview(client, clock):
    wednesday = date(2026, 11, 25)
    clock(local(wednesday, 23, 30))
    r = await client.post("/api/v1/hours/preview", json={"opening_hours": "Mo-Su 17:00-02:00"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["valid"], body["open_now"]) == (True, True)
    assert body["next_change"] == "2026-11-26T02:00:00+07:00"
    assert [d["date"] for d in body["schedule"]] == [f"2026-11-{d}" for d in range(23, 30)]
    assert [d["is_today"] for d in body["schedule"]] == [False, False, True] + [False] * 4
    assert all(d["intervals"] == [{"opens": "17:00", "closes": "02:00"}] for d in body["schedule"])
    assert body["schedule"][2] | {"intervals": []} == {
        "date": "2026-11-25",
        "weekday": "Wednesday",
        "weekday_vi": "Thứ Tư",
        "is_today": True,
        "intervals": [],
    }

    for expression, message in (
        ("Mo-Xx 25:00", "Not valid opening hours from “Xx 25:00” on: "),
        ("Mo-Fr 06:00-", "Not valid opening hours: they stop too early; "),
    ):
        bad = await client.post("/api/v1/hours/preview", json={"opening_hours": expression})
        assert _field(bad) == "opening_hours"
        error = bad.json()["error"]
        assert error["message"] == error["details"][0]["message"]
        assert error["message"].startswith(message) and "expected" not in error["message"]
    assert _field(await client.post("/api/v1/hours/preview", json={"opening_hours": " "})) == (
        "opening_hours"
    )


async def test_hours_preview_on_a_vietnamese_holiday(client, clock):
    clock(local(date(2026, 9, 2), 12))  # National Day
    r = await client.post(
        "/api/v1/hours/preview", json={"opening_hours": "Mo-Su 08:00-20:00; PH off"}
    )
    body = r.json()
    assert (body["open_now"], body["next_change"]) == (
        False,
        local(date(2026, 9, 3), 8).isoformat(),
    )
    holiday = next(d for d in body["schedule"] if d["is_today"])
    assert holiday["weekday"] == "Wednesday" and holiday["intervals"] == []


# -- the operator's station health ---------------------------------------------------------------


async def test_station_health_moves_with_the_clock(client, people, session, made, clock):
    from tourism.bikeshare.schemas import StationCreate, StationStatusIn
    from tourism.bikeshare.service import upsert_station

    reported = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    tag = secrets.token_hex(2)
    stations = {
        f"test-health-{name}-{tag}": (bikes, docks)
        for name, bikes, docks in (("ok", 4, 6), ("empty", 0, 10), ("full", 10, 0), ("never", 0, 0))
    }
    made["stations"] += list(stations)
    async with session.begin():
        for station_id, (bikes, docks) in stations.items():
            status = StationStatusIn(
                num_bikes_available=bikes, num_docks_available=docks, last_reported=reported
            )
            data = StationCreate(
                station_id=station_id,
                name_vi=f"Trạm thử {station_id}",
                lat=HERE["lat"],
                lon=HERE["lon"],
                capacity=10,
                status=None if "never" in station_id else status,
            )
            await upsert_station(session, data=data, now=reported)

    async def health(**params) -> dict:
        r = await client.get(
            "/api/v1/operator/stations",
            params={"limit": 100, **params},
            headers=people["operator"]["headers"],
        )
        assert r.status_code == 200, r.text
        return r.json()

    def mine(answer: dict) -> list[str]:
        by_id = {s["station_id"]: s["state"] for s in answer["items"]}
        return [by_id[s] for s in stations]

    clock(reported + timedelta(minutes=4, seconds=59))
    fresh = await health()
    assert fresh["now"] == (reported + timedelta(minutes=4, seconds=59)).astimezone(TZ).isoformat()
    assert mine(fresh) == ["ok", "empty", "full", "never_reported"]
    ok = next(s for s in fresh["items"] if s["station_id"] == f"test-health-ok-{tag}")
    assert ok == {
        "station_id": f"test-health-ok-{tag}",
        "name": f"Trạm thử test-health-ok-{tag}",
        "name_vi": f"Trạm thử test-health-ok-{tag}",
        "name_en": None,
        "num_bikes_available": 4,
        "num_docks_available": 6,
        "capacity": 10,
        "is_installed": True,
        "is_renting": True,
        "is_returning": True,
        "last_reported": reported.astimezone(TZ).isoformat(),
        "state": "ok",
    }
    assert fresh["count"] == len(fresh["items"]) == sum(fresh["counts"].values())
    assert set(fresh["counts"]) == {"ok", "stale", "never_reported", "empty", "full"}

    clock(reported + timedelta(minutes=5, seconds=1))  # no report for five minutes: stale
    later = await health(sort="state")
    assert mine(later) == ["stale", "stale", "stale", "never_reported"]
    order = ["never_reported", "stale", "empty", "full", "ok"]
    states = [s["state"] for s in later["items"]]
    assert states == sorted(states, key=order.index)
    assert later["counts"]["stale"] >= 3 and later["counts"]["never_reported"] >= 1

    for sort, key in (("bikes", "num_bikes_available"), ("docks", "num_docks_available")):
        values = [s[key] for s in (await health(sort=sort))["items"]]
        assert values == sorted(values, key=lambda v: (v is not None, v or 0))
    reports = [s["last_reported"] for s in (await health(sort="last_reported"))["items"]]
    assert reports[0] is None
    dated = [datetime.fromisoformat(r) for r in reports if r]
    assert dated == sorted(dated)
    assert len((await health(sort="name"))["items"]) == fresh["count"]
    mood = await client.get(
        "/api/v1/operator/stations", params={"sort": "mood"}, headers=people["admin"]["headers"]
    )
    assert _field(mood) == "sort"
