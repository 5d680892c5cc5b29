"""The life of a review, what vendors may and may not change, and exact aggregates."""

import asyncio

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import TEST_SECRET
from tests.test_reviews import _decide, _post_review, _tourist, make_eatery_for
from tourism.config import Settings
from tourism.main import create_app


async def _public(client, eatery_id) -> list[dict]:
    r = await client.get(f"/api/v1/eateries/{eatery_id}/reviews")
    assert r.status_code == 200
    return r.json()["items"]


async def _detail(client, eatery_id) -> dict:
    return (await client.get(f"/api/v1/eateries/{eatery_id}")).json()


async def test_review_life_cycle(client, app, people):
    eatery = await make_eatery_for(app, "life-cycle")
    author = await _tourist(app)
    posted = await _post_review(
        client, author, eatery, rating=5, dish_ratings={"banh-da-cua": 4}, text="Bát to, cua thật."
    )
    assert posted.status_code == 201 and posted.json()["status"] == "pending"
    review_id = posted.json()["id"]
    assert await _public(client, eatery) == []  # nobody else sees it
    mine = (await client.get("/api/v1/reviews/mine", headers=author["headers"])).json()["items"]
    assert [(m["id"], m["status"]) for m in mine] == [(review_id, "pending")]

    assert (await _decide(client, people, review_id, "approve")).status_code == 200
    public = await _public(client, eatery)
    assert [p["id"] for p in public] == [review_id]
    assert public[0]["author"] == "Khách" and "@" not in str(public[0])
    detail = await _detail(client, eatery)
    assert (detail["rating"], detail["rating_count"]) == (5.0, 1)
    assert detail["rating_histogram"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}
    crab = next(m for m in detail["menu"] if m["dish_slug"] == "banh-da-cua")
    assert (crab["rating"], crab["rating_count"]) == (4.0, 1)

    # posting again edits the review and sends it back to moderation
    again = await _post_review(client, author, eatery, rating=2, text="Hôm nay nguội.")
    assert again.status_code == 200 and again.json()["id"] == review_id
    assert again.json()["status"] == "pending"
    assert await _public(client, eatery) == []
    assert (await _detail(client, eatery))["rating_count"] == 0

    no_reason = await _decide(client, people, review_id, "reject")
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["details"][0]["field"] == "reason"
    rejected = await _decide(client, people, review_id, "reject", reason="Không liên quan món ăn")
    assert rejected.status_code == 200
    mine = (await client.get("/api/v1/reviews/mine", headers=author["headers"])).json()["items"]
    assert mine[0]["status"] == "rejected"
    assert mine[0]["moderation_reason"] == "Không liên quan món ăn"
    assert (await _decide(client, people, review_id, "approve")).status_code == 409


async def test_flags_owner_response_and_removal(client, app, people):
    eatery = await make_eatery_for(app, "flags")
    author = await _tourist(app)
    review_id = (await _post_review(client, author, eatery, rating=1, text="Tệ.")).json()["id"]
    await _decide(client, people, review_id, "approve")

    flag = await client.post(
        f"/api/v1/reviews/{review_id}/flags",
        headers=people["other_tourist"]["headers"],
        json={"reason": "không đúng sự thật"},
    )
    assert flag.status_code == 201
    twice = await client.post(
        f"/api/v1/reviews/{review_id}/flags",
        headers=people["other_tourist"]["headers"],
        json={"reason": "again"},
    )
    assert twice.status_code == 409
    # flagged reviews stay public (a flag must not silence a review) and go to the queue
    assert [p["id"] for p in await _public(client, eatery)] == [review_id]
    queue = await client.get(
        "/api/v1/moderation/reviews",
        params={"status": "flagged", "eatery_id": eatery},
        headers=people["moderator"]["headers"],
    )
    assert [(q["id"], q["flags"]) for q in queue.json()["items"]] == [
        (review_id, ["không đúng sự thật"])
    ]
    removed = await _decide(client, people, review_id, "remove", reason="Vi phạm quy định")
    assert removed.status_code == 200
    assert await _public(client, eatery) == []
    assert (await _detail(client, eatery))["rating_count"] == 0


async def test_owner_publishes_one_response(client, people, approved_review):
    headers = people["owner"]["headers"]
    for answer in ("Cảm ơn bạn!", "Cảm ơn bạn, hẹn gặp lại!"):
        r = await client.put(
            f"/api/v1/reviews/{approved_review}/response", headers=headers, json={"text": answer}
        )
        assert r.status_code == 200
    public = {p["id"]: p for p in await _public(client, people["owner"]["eatery"])}
    assert public[approved_review]["response"] == "Cảm ơn bạn, hẹn gặp lại!"


@pytest.mark.parametrize(
    ("text_", "flag"),
    [("Xem thêm tại https://quangcao.example.com", "link"), ("Ghé www.spam.vn nhé", "link")],
)
async def test_links_are_flagged_automatically(client, app, people, text_, flag):
    eatery = await make_eatery_for(app, f"auto-{flag}-{len(text_)}")
    author = await _tourist(app)
    review = (await _post_review(client, author, eatery, text=text_)).json()
    assert review["status"] == "pending"
    queue = await client.get(
        "/api/v1/moderation/reviews",
        params={"status": "flagged", "eatery_id": eatery},
        headers=people["moderator"]["headers"],
    )
    assert [(q["id"], q["auto_flags"]) for q in queue.json()["items"]] == [(review["id"], [flag])]


async def test_the_same_text_twice_is_flagged(client, app, people):
    words = "Quán này tuyệt vời nhất Hải Phòng, ai cũng phải đến thử một lần!"
    first = await make_eatery_for(app, "dup-one")
    second = await make_eatery_for(app, "dup-two")
    await _post_review(client, await _tourist(app), first, text=words)
    copy = (await _post_review(client, await _tourist(app), second, text=words)).json()
    queue = await client.get(
        "/api/v1/moderation/reviews",
        params={"status": "flagged", "eatery_id": second},
        headers=people["moderator"]["headers"],
    )
    assert queue.json()["items"][0]["id"] == copy["id"]
    assert "duplicate_text" in queue.json()["items"][0]["auto_flags"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "five"}, "rating"),
        ({}, "rating"),
        ({"rating": 4, "text": "x" * 2001}, "text"),
        ({"rating": 4, "dish_ratings": {"banh-da-cua": 9}}, "dish_ratings"),
        ({"rating": 4, "dish_ratings": {"pho-bo": 5}}, "dish_ratings"),  # not on this menu
        ({"rating": 4, "dish_ratings": {"Bánh": 5}}, "dish_ratings.Bánh.[key]"),
        ({"rating": 4, "status": "approved"}, "status"),
    ],
)
async def test_review_input_is_validated(client, app, body, field):
    eatery = await make_eatery_for(app, "validate-review")
    author = await _tourist(app)
    r = await client.post(
        f"/api/v1/eateries/{eatery}/reviews", headers=author["headers"], json=body
    )
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["error"]["details"]]
    assert (await client.get("/api/v1/reviews/mine", headers=author["headers"])).json()[
        "items"
    ] == []


async def test_review_of_unknown_eatery_is_404(client, app):
    author = await _tourist(app)
    assert (await _post_review(client, author, 999_999_999)).status_code == 404


# -- vendors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["rating", "votes", "rating_avg", "rating_count", "verified", "owner", "name_vi"]
)
async def test_vendor_cannot_set_protected_fields(client, people, field):
    r = await client.patch(
        f"/api/v1/vendor/eateries/{people['owner']['eatery']}",
        headers=people["owner"]["headers"],
        json={field: 5},
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == field


async def test_vendor_edits_hours_and_they_are_validated(client, people):
    headers = people["owner"]["headers"]
    eatery = people["owner"]["eatery"]
    path = f"/api/v1/vendor/eateries/{eatery}"
    bad = await client.patch(path, headers=headers, json={"opening_hours": "Mo-Xx 25:00"})
    assert bad.status_code == 422
    assert "opening_hours" in bad.json()["error"]["details"][0]["message"]
    original = (await client.get(f"/api/v1/eateries/{eatery}")).json()["opening_hours"]
    try:
        good = await client.patch(path, headers=headers, json={"opening_hours": "24/7"})
        assert good.status_code == 200 and good.json()["opening_hours"] == "24/7"
        assert (await client.get(f"/api/v1/eateries/{eatery}")).json()["open_now"] is True
        audit = await client.get(
            "/api/v1/admin/audit",
            params={"entity": "eatery", "entity_id": str(eatery)},
            headers=people["admin"]["headers"],
        )
        entry = audit.json()["items"][0]
        assert entry["action"] == "eatery.update" and entry["actor_id"] == people["owner"]["id"]
        assert entry["after"] == {"opening_hours": "24/7"}
        assert entry["before"] == {"opening_hours": original}
    finally:
        await client.patch(path, headers=headers, json={"opening_hours": original})


async def test_prices_keep_their_history(client, people):
    headers = people["owner"]["headers"]
    dish = (
        await client.get(
            f"/api/v1/vendor/eateries/{people['owner']['eatery']}/menu", headers=headers
        )
    ).json()["items"][0]
    path = f"/api/v1/vendor/eateries/{people['owner']['eatery']}/menu/{dish['dish']}"
    before = (await client.get(f"{path}/prices", headers=headers)).json()["items"]
    for price in (dish["price_vnd"] + 5000, dish["price_vnd"] + 10000):
        r = await client.patch(path, headers=headers, json={"price_vnd": price})
        assert r.status_code == 200
    await client.patch(path, headers=headers, json={"available": True})  # not a price change
    after = (await client.get(f"{path}/prices", headers=headers)).json()["items"]
    assert [p["price_vnd"] for p in after[len(before) :]] == [
        dish["price_vnd"] + 5000,
        dish["price_vnd"] + 10000,
    ]
    assert (await client.patch(path, headers=headers, json={"price_vnd": 0})).status_code == 422


async def test_replacing_the_menu_is_all_or_nothing(client, people):
    headers = people["owner"]["headers"]
    menu = (
        await client.get(
            f"/api/v1/vendor/eateries/{people['owner']['eatery']}/menu", headers=headers
        )
    ).json()["items"]
    broken = [{"dish": "banh-da-cua", "price_vnd": 39000}, {"dish": "no-such-dish", "price_vnd": 1}]
    r = await client.put(
        f"/api/v1/vendor/eateries/{people['owner']['eatery']}/menu",
        headers=headers,
        json={"items": broken},
    )
    assert r.status_code == 422
    assert (
        await client.get(
            f"/api/v1/vendor/eateries/{people['owner']['eatery']}/menu", headers=headers
        )
    ).json()["items"] == menu
    new = [{"dish": "banh-da-cua", "price_vnd": 39000}, {"dish": "bun-ca-cay", "price_vnd": 45000}]
    r = await client.put(
        f"/api/v1/vendor/eateries/{people['owner']['eatery']}/menu",
        headers=headers,
        json={"items": new},
    )
    assert r.status_code == 200
    assert [(i["dish"], i["price_vnd"]) for i in r.json()["items"]] == [
        ("banh-da-cua", 39000),
        ("bun-ca-cay", 45000),
    ]


# -- aggregates under concurrency, and rate limits ------------------------------------------------


async def test_aggregates_stay_exact_under_concurrent_changes(client, app, people, session):
    eatery = await make_eatery_for(app, "concurrency")
    authors = [await _tourist(app) for _ in range(12)]
    posted = await asyncio.gather(
        *(_post_review(client, a, eatery, rating=1 + i % 5) for i, a in enumerate(authors))
    )
    ids = [p.json()["id"] for p in posted]
    decisions = await asyncio.gather(*(_decide(client, people, i, "approve") for i in ids))
    assert all(d.status_code == 200 for d in decisions)
    # at the same time: four authors edit (back to pending), four reviews are removed
    await asyncio.gather(
        *(_post_review(client, a, eatery, rating=5) for a in authors[:4]),
        *(_decide(client, people, i, "remove", reason="spam") for i in ids[4:8]),
    )
    truth = (
        await session.execute(
            text(
                "SELECT round(avg(rating), 2), count(*) FROM reviews "
                "WHERE eatery_id = :e AND status IN ('approved', 'flagged')"
            ),
            {"e": eatery},
        )
    ).one()
    detail = await _detail(client, eatery)
    assert detail["rating_count"] == truth[1] == 4
    assert detail["rating"] == float(truth[0])
    assert sum(detail["rating_histogram"].values()) == 4


async def test_review_rate_limits(database_url, seeded, people):
    settings = Settings(
        database_url=database_url,
        environment="test",
        secret_key=TEST_SECRET,
        reviews_per_account_hour=2,
        reviews_per_address_hour=3,
    )
    app = create_app(settings, background=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        eateries = [await make_eatery_for(app, f"rate-{i}") for i in range(4)]
        one, two = await _tourist(app), await _tourist(app)
        assert (await _post_review(http, one, eateries[0])).status_code == 201
        assert (await _post_review(http, one, eateries[1])).status_code == 201
        limited = await _post_review(http, one, eateries[2])
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) > 0
        assert limited.json()["error"]["code"] == "rate_limited"
        assert (await _post_review(http, two, eateries[2])).status_code == 201
        by_address = await _post_review(http, two, eateries[3])
        assert by_address.status_code == 429  # the address's third review went through above


async def test_adding_a_dish_twice_is_409_and_each_change_is_audited(client, people):
    headers = people["owner"]["headers"]
    eatery = people["owner"]["eatery"]
    base = f"/api/v1/vendor/eateries/{eatery}/menu"
    current = (await client.get(base, headers=headers)).json()["items"]
    again = await client.post(
        base, headers=headers, json={"dish": current[0]["dish"], "price_vnd": 12000}
    )
    assert again.status_code == 409
    assert (await client.get(base, headers=headers)).json()["items"] == current
    added = await client.post(
        base, headers=headers, json={"dish": "che-thap-cam", "price_vnd": 20000}
    )
    assert added.status_code == 201
    try:
        audit = await client.get(
            "/api/v1/admin/audit",
            params={"entity": "eatery", "entity_id": str(eatery)},
            headers=people["admin"]["headers"],
        )
        entry = audit.json()["items"][0]
        assert entry["action"] == "menu.add"
        assert "che-thap-cam" not in entry["before"]["menu"]
        assert entry["after"]["menu"]["che-thap-cam"] == [20000, True]
    finally:
        assert (await client.delete(f"{base}/che-thap-cam", headers=headers)).status_code == 204
