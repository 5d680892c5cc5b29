"""The API contract (issue #19) for reviews, moderation and the vendor's screens: one paging
style (cursor, `next_cursor`, `Link`, `total`; `offset` deprecated), errors in both languages,
and `name` in the request's language."""

import secrets
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.helpers import make_eatery
from tourism.accounts.models import User
from tourism.accounts.schemas import UserCreate
from tourism.accounts.service import assign_eateries, create_user
from tourism.reviews import service as reviews
from tourism.reviews.schemas import ReviewCreate

BASE = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


async def _user(app, role: str = "tourist") -> dict:
    email = f"c-{role}-{secrets.token_hex(4)}@example.vn"
    async with app.state.resources.sessions() as session, session.begin():
        user = await create_user(
            session,
            data=UserCreate(email=email, password=PASSWORD, display_name=f"Khách {role}"),
            role=role,
        )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        r = await http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    return {"id": user.id, "headers": {"Authorization": f"Bearer {r.json()['access_token']}"}}


async def _review(app, eatery_id: int, *, at: datetime, approve: int | None = None) -> int:
    """A review by a new author, submitted at `at` through the service (a rate-limit bucket of
    its own), approved by the moderator `approve` when given."""
    author = await _user(app)
    async with app.state.resources.sessions() as session, session.begin():
        user = await session.get(User, author["id"])
        review, _ = await reviews.submit(
            session,
            eatery_id=eatery_id,
            author=user,
            data=ReviewCreate(rating=4, text=f"Ngon lắm {secrets.token_hex(3)}"),
            now=at,
            rate_buckets={f"contract:{secrets.token_hex(6)}": 10},
        )
        if approve:
            await reviews.decide(
                session,
                review_id=review.id,
                moderator=await session.get(User, approve),
                action="approve",
                reason=None,
                now=at,
            )
        return review.id


@pytest.fixture(scope="module")
async def place(app):
    """A fresh eatery with five approved reviews (two submitted at the same instant, so the id
    breaks the tie) and three pending ones, and a vendor who manages it."""
    async with app.state.resources.sessions() as session:
        eatery_id = await make_eatery(
            session,
            slug=f"contract-reviews-{secrets.token_hex(3)}",
            lat=20.66,
            lon=106.55,
            hours="Mo-Su 06:00-22:00",
            menu=[("banh-da-cua", 40000), ("nem-cua-be", 25000), ("bun-ca-cay", 45000)],
        )
    times = [BASE, BASE + timedelta(hours=1), BASE + timedelta(hours=1), BASE + timedelta(hours=2)]
    times.append(BASE + timedelta(hours=3))
    moderator = await _user(app, "moderator")
    approved = [await _review(app, eatery_id, at=t, approve=moderator["id"]) for t in times]
    pending = [await _review(app, eatery_id, at=BASE + timedelta(minutes=m)) for m in (5, 5, 10)]
    vendor = await _user(app, "vendor")
    async with app.state.resources.sessions() as session, session.begin():
        await assign_eateries(session, user_id=vendor["id"], eatery_ids=[eatery_id])
    return {
        "eatery": eatery_id,
        "approved": approved,
        "pending": pending,
        "vendor": vendor,
        "moderator": moderator,
    }


async def _walk(client, path: str, *, headers=None, limit: int = 2, **params) -> list[dict]:
    """Every page of a list by its cursors; checks each page's Link header and `count`."""
    pages = []
    cursor = None
    for _ in range(50):  # a list whose cursor never ends fails here, not by hanging
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        r = await client.get(path, params=query, headers=headers or {})
        assert r.status_code == 200, r.text
        page = r.json()
        assert page["count"] == len(page["items"]) <= limit
        assert "Deprecation" not in r.headers
        cursor = page["next_cursor"]
        if cursor is None:
            assert 'rel="next"' not in r.headers.get("link", "")
        else:
            link = httpx.URL(r.headers["link"].split(">", 1)[0].lstrip("<"))
            assert link.path == path and link.params["cursor"] == cursor
            assert link.params["limit"] == str(limit)
        pages.append(page)
        if cursor is None:
            return pages
    raise AssertionError(f"{path}: still a next page after 50")


async def test_public_reviews_walk_once_each_newest_first_and_stay_stable(client, app, place):
    path = f"/api/v1/eateries/{place['eatery']}/reviews"
    pages = await _walk(client, path)
    ids = [item["id"] for page in pages for item in page["items"]]
    a = place["approved"]
    # newest first; the two of the same instant by id, higher first
    assert ids == [a[4], a[3], max(a[1], a[2]), min(a[1], a[2]), a[0]]
    assert {page["total"] for page in pages} == {5}
    assert all(page["total_exact"] for page in pages)

    # A review that lands before the cursor (newer) does not shift the pages after it.
    first = (await client.get(path, params={"limit": 2})).json()
    newer = await _review(
        app, place["eatery"], at=BASE + timedelta(days=1), approve=place["moderator"]["id"]
    )
    rest = (await client.get(path, params={"limit": 3, "cursor": first["next_cursor"]})).json()
    assert [i["id"] for i in first["items"] + rest["items"]] == ids
    assert rest["next_cursor"] is None and rest["total"] == 6
    again = (await client.get(path, params={"limit": 1})).json()
    assert again["items"][0]["id"] == newer
    place["approved"].append(newer)


async def test_offset_still_works_and_says_it_is_deprecated(client, place):
    path = f"/api/v1/eateries/{place['eatery']}/reviews"
    walked = [i["id"] for p in await _walk(client, path, limit=100) for i in p["items"]]
    r = await client.get(path, params={"offset": 1, "limit": 2})
    assert r.status_code == 200
    assert r.headers["deprecation"] == "true" and "sunset" in r.headers
    assert 'rel="deprecation"' in r.headers["link"]
    assert [i["id"] for i in r.json()["items"]] == walked[1:3]


@pytest.mark.parametrize("kind", ["tampered", "other_list", "garbage"])
async def test_a_cursor_not_of_this_list_is_a_422_naming_it(client, place, people, kind):
    path = f"/api/v1/eateries/{place['eatery']}/reviews"
    if kind == "other_list":
        # a cursor of the moderation queue (also keyed by time and id)
        other = await client.get(
            "/api/v1/moderation/reviews",
            params={"limit": 1, "eatery_id": place["eatery"]},
            headers=place["moderator"]["headers"],
        )
        cursor = other.json()["next_cursor"]
    else:
        cursor = (await client.get(path, params={"limit": 1})).json()["next_cursor"]
        payload, signature = cursor.split(".")
        cursor = payload[:-2] + "AA." + signature if kind == "tampered" else "not-a-cursor"
    assert cursor
    r = await client.get(path, params={"cursor": cursor}, headers={"Accept-Language": "vi"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert [d["field"] for d in error["details"]] == ["cursor"]
    assert "con trỏ trang" in error["details"][0]["message"]


async def test_a_cursor_of_another_eatery_is_refused(client, place, people):
    own = (
        await client.get(f"/api/v1/eateries/{place['eatery']}/reviews", params={"limit": 1})
    ).json()
    r = await client.get(
        f"/api/v1/eateries/{people['owner']['eatery']}/reviews",
        params={"cursor": own["next_cursor"]},
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "cursor"


async def test_the_moderation_queue_pages_oldest_first_and_a_decision_does_not_skip(
    client, app, place, people
):
    staff = place["moderator"]["headers"]
    params = {"eatery_id": place["eatery"]}
    pages = await _walk(client, "/api/v1/moderation/reviews", headers=staff, **params)
    ids = [i["id"] for p in pages for i in p["items"]]
    p = place["pending"]
    assert ids == [min(p[0], p[1]), max(p[0], p[1]), p[2]]
    assert pages[0]["total"] == 3

    first = await client.get(
        "/api/v1/moderation/reviews", params={**params, "limit": 1}, headers=staff
    )
    decided = first.json()["items"][0]["id"]
    r = await client.post(
        f"/api/v1/moderation/reviews/{decided}/decision",
        headers=staff,
        json={"action": "approve"},
    )
    assert r.status_code == 200
    place["approved"].append(decided)
    rest = await client.get(
        "/api/v1/moderation/reviews",
        params={**params, "limit": 10, "cursor": first.json()["next_cursor"]},
        headers=staff,
    )
    assert [i["id"] for i in rest.json()["items"]] == ids[1:]
    assert rest.json()["total"] == 2


async def test_my_reviews_are_a_page_and_filter_by_eatery(client, app, place):
    me = await _user(app)
    made = []
    async with app.state.resources.sessions() as session:
        others = [
            await make_eatery(
                session,
                slug=f"contract-mine-{i}-{secrets.token_hex(3)}",
                lat=20.65,
                lon=106.54 + i / 100,
                hours=None,
            )
            for i in range(3)
        ]
    for i, eatery_id in enumerate(others):
        r = await client.post(
            f"/api/v1/eateries/{eatery_id}/reviews", headers=me["headers"], json={"rating": 3 + i}
        )
        assert r.status_code == 201
        made.append(r.json()["id"])
    again = await client.post(
        f"/api/v1/eateries/{others[0]}/reviews", headers=me["headers"], json={"rating": 2}
    )
    assert again.status_code == 200 and again.json()["id"] == made[0]

    pages = await _walk(client, "/api/v1/reviews/mine", headers=me["headers"])
    ids = [i["id"] for p in pages for i in p["items"]]
    assert ids == [made[0], made[2], made[1]]  # newest first: the edit resubmitted the first
    assert pages[0]["total"] == 3
    one = await client.get(
        "/api/v1/reviews/mine", params={"eatery_id": others[1]}, headers=me["headers"]
    )
    assert [i["id"] for i in one.json()["items"]] == [made[1]] and one.json()["total"] == 1


@pytest.mark.parametrize("how", ["query", "header"])
async def test_errors_in_vietnamese(client, place, people, how):
    def asked(path: str, **kwargs):
        if how == "query":
            kwargs["params"] = {**kwargs.get("params", {}), "lang": "vi"}
        else:
            kwargs["headers"] = {**kwargs.get("headers", {}), "Accept-Language": "vi-VN,vi;q=0.9"}
        return path, kwargs

    missing = 987_654_321
    path, kwargs = asked(f"/api/v1/eateries/{missing}/reviews")
    r = await client.get(path, **kwargs)
    assert r.status_code == 404 and r.headers["content-language"] == "vi"
    assert r.json()["error"]["message"] == f"không tìm thấy quán ăn có mã {missing}"

    path, kwargs = asked(
        f"/api/v1/reviews/{missing}/flags",
        headers=people["other_tourist"]["headers"],
        json={"reason": "Quảng cáo"},
    )
    r = await client.post(path, **kwargs)
    assert r.status_code == 404 and r.headers["content-language"] == "vi"
    assert r.json()["error"]["message"] == f"không tìm thấy đánh giá có mã {missing}"

    # a decision someone already made: 409, in Vietnamese
    path, kwargs = asked(
        f"/api/v1/moderation/reviews/{place['approved'][0]}/decision",
        headers=place["moderator"]["headers"],
        json={"action": "approve"},
    )
    r = await client.post(path, **kwargs)
    assert r.status_code == 409 and r.headers["content-language"] == "vi"
    assert r.json()["error"]["message"] == "không thể duyệt một đánh giá đã được duyệt"

    vendor = place["vendor"]["headers"]
    path, kwargs = asked(
        f"/api/v1/vendor/eateries/{people['owner']['eatery']}/menu", headers=vendor
    )
    r = await client.get(path, **kwargs)
    assert r.status_code == 404
    assert r.json()["error"]["message"].startswith("không tìm thấy quán ăn có mã")

    path, kwargs = asked(
        f"/api/v1/eateries/{place['eatery']}/reviews",
        headers=people["other_tourist"]["headers"],
        json={"rating": 4, "dish_ratings": {"banh-da-cua": 9}},
    )
    r = await client.post(path, **kwargs)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["message"] == "mỗi món chỉ được chấm từ 1 đến 5 sao"


async def test_the_same_errors_in_english_by_default(client, place):
    r = await client.get("/api/v1/eateries/987654321/reviews")
    assert r.status_code == 404 and r.headers["content-language"] == "en"
    assert r.json()["error"]["message"] == "no eatery with id 987654321"


@pytest.mark.parametrize("lang", ["en", "vi"])
async def test_vendor_lists_name_things_in_the_request_language(client, place, lang):
    vendor = place["vendor"]["headers"]
    eateries = await _walk(client, "/api/v1/vendor/eateries", headers=vendor, lang=lang)
    (eatery,) = [e for p in eateries for e in p["items"]]
    assert eatery["id"] == place["eatery"] and eateries[0]["total"] == 1
    assert eatery["name"] == (
        (eatery["name_en"] or eatery["name_vi"]) if lang == "en" else eatery["name_vi"]
    )

    path = f"/api/v1/vendor/eateries/{place['eatery']}/menu"
    pages = await _walk(client, path, headers=vendor, lang=lang)
    items = [m for p in pages for m in p["items"]]
    assert [m["dish"] for m in items] == ["banh-da-cua", "bun-ca-cay", "nem-cua-be"]
    assert len(pages) == 2 and pages[0]["total"] == 3
    for item in items:
        assert item["name"] == (item["name_en"] if lang == "en" else item["name_vi"])
    assert any(m["name_en"] != m["name_vi"] for m in items)


async def test_price_history_pages_oldest_first(client, place):
    vendor = place["vendor"]["headers"]
    base = f"/api/v1/vendor/eateries/{place['eatery']}/menu"
    for price in (41000, 42000, 43000):
        r = await client.patch(f"{base}/banh-da-cua", headers=vendor, json={"price_vnd": price})
        assert r.status_code == 200
        # a write answers the whole menu, not a page
        assert set(r.json()) == {"items"} and len(r.json()["items"]) == 3
    pages = await _walk(client, f"{base}/banh-da-cua/prices", headers=vendor)
    prices = [p["price_vnd"] for page in pages for p in page["items"]]
    assert prices == [40000, 41000, 42000, 43000]
    assert {page["dish"] for page in pages} == {"banh-da-cua"} and pages[0]["total"] == 4
