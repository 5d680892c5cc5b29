"""Concurrent writes to one eatery: each lands whole, in one order, never as a 500.

The ASGI client runs the requests of one `asyncio.gather` interleaved on the event loop, each
with its own database session and connection, so they overlap in PostgreSQL as a double-click
or two open tabs would.
"""

import asyncio
import json
import random
import secrets

import pytest
from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.helpers import make_eatery

DISHES = (
    "banh-da-cua",
    "banh-da-cua-be",
    "banh-mi-cay",
    "banh-mi-pate",
    "nem-cua-be",
    "bun-ca-cay",
    "lau-cua-dong",
    "lau-hai-san",
    "banh-duc-tau",
    "banh-beo",
)
ROUNDS = 5
AT_ONCE = 10


@pytest.fixture(scope="module")
async def vendor(app, people, session_client):
    """A vendor of its own with two eateries far from everything else the tests read."""
    eateries = []
    async with app.state.resources.sessions() as session:
        for i in range(2):
            eateries.append(
                await make_eatery(
                    session,
                    slug=f"test-concurrency-{i}-{secrets.token_hex(3)}",
                    lat=20.66 - i / 100,
                    lon=106.55,
                    hours="Mo-Su 06:00-22:00",
                    menu=[("banh-da-cua", 40000)],
                )
            )
    email = f"concurrency-{secrets.token_hex(3)}@example.vn"
    made = await session_client.post(
        "/api/v1/admin/users",
        headers=people["admin"]["headers"],
        json={
            "email": email,
            "password": PASSWORD,
            "display_name": "Concurrency",
            "role": "vendor",
            "eatery_ids": eateries,
        },
    )
    assert made.status_code == 201, made.text
    token = await session_client.post(
        "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
    )
    return {
        "id": made.json()["id"],
        "eateries": eateries,
        "headers": {"Authorization": f"Bearer {token.json()['access_token']}"},
    }


def whole_menus(rng: random.Random, count: int) -> list[dict[str, list]]:
    """`count` different menus; every price is unique to its menu, so a mix of two shows."""
    menus = []
    for n in range(count):
        dishes = rng.sample(DISHES, rng.randint(1, len(DISHES)))
        menus.append(
            {d: [10_000 + 1_000 * n + i, rng.random() < 0.8] for i, d in enumerate(dishes)}
        )
    return menus


def body(menu: dict[str, list]) -> dict:
    return {
        "items": [
            {"dish": d, "price_vnd": price, "available": available}
            for d, (price, available) in menu.items()
        ]
    }


def canonical(menu: dict[str, list]) -> str:
    return json.dumps(menu, sort_keys=True)


def as_menu(items: list[dict]) -> dict[str, list]:
    return {m["dish"]: [m["price_vnd"], m["available"]] for m in items}


async def audit_entries(client, people, eatery_id: int, limit: int) -> list[dict]:
    """The eatery's newest audit entries, in the order they were written (ids)."""
    r = await client.get(
        "/api/v1/admin/audit",
        params={"entity": "eatery", "entity_id": str(eatery_id), "limit": limit},
        headers=people["admin"]["headers"],
    )
    assert r.status_code == 200, r.text
    return sorted(r.json()["items"], key=lambda e: e["id"])


def assert_chained(entries: list[dict]) -> None:
    """Each change started from the menu the one before it left."""
    for earlier, later in zip(entries, entries[1:], strict=False):
        assert later["before"]["menu"] == earlier["after"]["menu"], (earlier["id"], later["id"])


async def latest_prices(session, eatery_id: int) -> dict[str, int]:
    """Each dish's last recorded price, in the order the history rows were written."""
    rows = await session.execute(
        text(
            "SELECT DISTINCT ON (d.slug) d.slug, h.price_vnd FROM menu_price_history h"
            " JOIN dishes d ON d.id = h.dish_id WHERE h.eatery_id = :e"
            " ORDER BY d.slug, h.id DESC"
        ),
        {"e": eatery_id},
    )
    return dict(rows.all())


async def test_concurrent_menu_replacements_each_land_whole(client, people, vendor, session):
    eatery, headers = vendor["eateries"][0], vendor["headers"]
    url = f"/api/v1/vendor/eateries/{eatery}/menu"
    rng = random.Random(13)
    for round_ in range(ROUNDS):
        menus = whole_menus(rng, AT_ONCE)
        answers = await asyncio.gather(
            *(client.put(url, headers=headers, json=body(m)) for m in menus)
        )
        assert [a.status_code for a in answers] == [200] * AT_ONCE, [
            a.text[:200] for a in answers if a.status_code != 200
        ]
        # Each request answers the menu it sent: nobody else's change slipped in between.
        assert [as_menu(a.json()["items"]) for a in answers] == menus
        final = as_menu((await client.get(url, headers=headers)).json()["items"])
        assert final in menus, f"round {round_}: a menu nobody sent"

        entries = await audit_entries(client, people, eatery, AT_ONCE)
        assert [e["action"] for e in entries] == ["menu.replace"] * AT_ONCE
        assert sorted(map(canonical, (e["after"]["menu"] for e in entries))) == sorted(
            map(canonical, menus)
        )
        assert_chained(entries)
        assert entries[-1]["after"]["menu"] == final
        prices = await latest_prices(session, eatery)
        assert {d: prices[d] for d in final} == {d: p for d, (p, _) in final.items()}


async def test_menus_of_two_eateries_written_at_once(client, vendor):
    """Menu writes to two eateries at once (which share the tables' version counters) all land."""
    rng = random.Random(7)
    sent = {}
    requests = []
    for eatery in vendor["eateries"]:
        sent[eatery] = whole_menus(rng, AT_ONCE // 2)
        url = f"/api/v1/vendor/eateries/{eatery}/menu"
        requests += [client.put(url, headers=vendor["headers"], json=body(m)) for m in sent[eatery]]
    answers = await asyncio.gather(*requests)
    assert [a.status_code for a in answers] == [200] * len(requests)
    for eatery, menus in sent.items():
        url = f"/api/v1/vendor/eateries/{eatery}/menu"
        final = (await client.get(url, headers=vendor["headers"])).json()["items"]
        assert as_menu(final) in menus


async def test_overlapping_menu_changes_are_never_a_500(client, people, vendor, session):
    eatery, headers = vendor["eateries"][0], vendor["headers"]
    url = f"/api/v1/vendor/eateries/{eatery}/menu"
    rng = random.Random(42)
    expected = {"PUT": {200}, "POST": {201, 409}, "PATCH": {200, 404}, "DELETE": {204, 404}}
    for _ in range(ROUNDS):
        calls = []
        for n in range(AT_ONCE):
            dish, price = rng.choice(DISHES[:4]), 50_000 + n
            method = ("PUT", "POST", "PATCH", "DELETE")[n % 4]
            match method:
                case "PUT":
                    call = client.put(url, headers=headers, json=body(whole_menus(rng, 1)[0]))
                case "POST":
                    item = {"dish": dish, "price_vnd": price}
                    call = client.post(url, headers=headers, json=item)
                case "PATCH":
                    call = client.patch(f"{url}/{dish}", headers=headers, json={"price_vnd": price})
                case _:
                    call = client.delete(f"{url}/{dish}", headers=headers)
            calls.append((method, call))
        answers = await asyncio.gather(*(call for _, call in calls))
        for (method, _), answer in zip(calls, answers, strict=True):
            assert answer.status_code in expected[method], (method, answer.text[:300])
        done = sum(a.status_code < 300 for a in answers)
        entries = await audit_entries(client, people, eatery, done)
        assert_chained(entries)
        final = as_menu((await client.get(url, headers=headers)).json()["items"])
        assert entries[-1]["after"]["menu"] == final
        prices = await latest_prices(session, eatery)
        assert {d: prices[d] for d in final} == {d: p for d, (p, _) in final.items()}


async def test_concurrent_eatery_edits_keep_one_set_of_opening_intervals(
    client, people, vendor, session
):
    eatery, headers = vendor["eateries"][1], vendor["headers"]
    url = f"/api/v1/vendor/eateries/{eatery}"
    hours = ["Mo-Su 06:00-22:00", "Mo-Fr 07:00-21:00", "Sa,Su 08:00-12:00", "Mo-Su 10:00-14:00"]
    for _ in range(ROUNDS):
        changes = [
            {"opening_hours": hours[n % len(hours)]} if n % 2 else {"status": "active"}
            for n in range(AT_ONCE)
        ]
        answers = await asyncio.gather(
            *(client.patch(url, headers=headers, json=c) for c in changes)
        )
        assert [a.status_code for a in answers] == [200] * AT_ONCE, [a.text[:200] for a in answers]
        counts = (
            await session.execute(
                text(
                    "SELECT count(*) AS n, count(DISTINCT (opens_at, closes_at)) AS d"
                    " FROM eatery_open_intervals WHERE eatery_id = :e"
                ),
                {"e": eatery},
            )
        ).one()
        assert counts.n == counts.d > 0, "an eatery's intervals were written twice"
        # The audit's `before` is what the eatery was when the edit began, in order.
        entries = await audit_entries(client, people, eatery, AT_ONCE)
        seen: dict = {}
        for entry in entries:
            assert entry["before"] == {k: seen.get(k, v) for k, v in entry["before"].items()}
            seen |= entry["after"]


async def test_concurrent_replies_to_a_review_each_start_from_the_last(client, people, vendor):
    from tests.test_reviews import _decide, _post_review, _tourist

    eatery = vendor["eateries"][1]
    author = await _tourist(client._transport.app)
    review = await _post_review(client, author, eatery, text="Ngon, cua nhiều.")
    assert review.status_code == 201, review.text
    review_id = review.json()["id"]
    assert (await _decide(client, people, review_id, "approve")).status_code == 200
    texts = [f"Cảm ơn quý khách, lần {i}" for i in range(AT_ONCE)]
    answers = await asyncio.gather(
        *(
            client.put(
                f"/api/v1/reviews/{review_id}/response",
                headers=vendor["headers"],
                json={"text": text},
            )
            for text in texts
        )
    )
    assert [a.status_code for a in answers] == [200] * AT_ONCE
    r = await client.get(
        "/api/v1/admin/audit",
        params={"entity": "review", "entity_id": str(review_id), "limit": 50},
        headers=people["admin"]["headers"],
    )
    replies = sorted(
        (e for e in r.json()["items"] if e["action"] == "review.respond"), key=lambda e: e["id"]
    )
    assert len(replies) == AT_ONCE
    for earlier, later in zip(replies, replies[1:], strict=False):
        assert later["before"]["response"] == earlier["after"]["response"]
    public = await client.get(f"/api/v1/eateries/{eatery}/reviews")
    shown = next(i for i in public.json()["items"] if i["id"] == review_id)
    assert shown["response"] == replies[-1]["after"]["response"]
