"""The staff console's account work: the account list, disabling and enabling accounts (and
what that does to tokens, logins and the moderation queue), changing one's own password, and
the queue's author history. Every test makes the accounts it changes."""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from tests.conftest import PASSWORD, TEST_SECRET
from tests.test_reviews import _decide, _post_review, make_eatery_for
from tourism.accounts.schemas import UserCreate
from tourism.accounts.service import assign_eateries, create_user

USERS = "/api/v1/admin/users"
PASSWORD_CHANGE = "/api/v1/auth/password"
ME = "/api/v1/auth/me"
QUEUE = "/api/v1/moderation/reviews"
NEW_PASSWORD = "chả-mực-hạ-long-77"
USER_ADMIN_KEYS = {"id", "email", "display_name", "role", "is_active", "eatery_ids", "created_at"}


def _fields(r: httpx.Response) -> list[str]:
    return [d["field"] for d in r.json()["error"]["details"]]


def _address() -> str:
    """A client address no other test uses: rate-limit buckets live in the shared database."""
    return "10." + ".".join(str(b) for b in secrets.token_bytes(3))


@asynccontextmanager
async def _client_at(app, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 123))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def _log_in(client, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/v1/auth/token", data={"username": email, "password": password})


async def _account(
    app, client, role: str = "tourist", *, name: str = "Khách", label: str = "acct"
) -> dict:
    """A fresh account made by the app's service, logged in: id, email, headers."""
    email = f"{label}-{secrets.token_hex(4)}@example.vn"
    async with app.state.resources.sessions() as session, session.begin():
        data = UserCreate(email=email, password=PASSWORD, display_name=name)
        user = await create_user(session, data=data, role=role)
    r = await _log_in(client, email)
    assert r.status_code == 200, r.text
    return {
        "id": user.id,
        "email": email,
        "headers": {"Authorization": f"Bearer {r.json()['access_token']}"},
    }


async def _switch(client, caller: dict, user_id: int, action: str) -> httpx.Response:
    return await client.post(f"{USERS}/{user_id}/{action}", headers=caller["headers"])


async def _audit(client, people, user_id: int) -> list[dict]:
    r = await client.get(
        "/api/v1/admin/audit",
        params={"entity": "user", "entity_id": str(user_id)},
        headers=people["admin"]["headers"],
    )
    assert r.status_code == 200
    return r.json()["items"]


async def _queue(client, people, eatery_id: int, status: str = "pending") -> list[dict]:
    r = await client.get(
        QUEUE,
        params={"status": status, "eatery_id": eatery_id},
        headers=people["moderator"]["headers"],
    )
    assert r.status_code == 200, r.text
    return r.json()["items"]


# -- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("tourist", 403),
        ("owner", 403),
        ("operator", 403),
        ("moderator", 403),
        ("admin", 200),
    ],
)
async def test_only_admins_list_accounts(client, people, who, status):
    r = await client.get(USERS, headers=people[who]["headers"])
    assert r.status_code == status, r.text


@pytest.mark.parametrize(
    ("who", "target_role", "status"),
    [
        ("anonymous", "tourist", 401),
        ("tourist", "tourist", 403),
        ("owner", "tourist", 403),
        ("operator", "tourist", 403),
        ("moderator", "tourist", 200),
        ("moderator", "vendor", 403),
        ("moderator", "moderator", 403),
        ("moderator", "admin", 403),
        ("moderator", "operator", 403),
        ("admin", "tourist", 200),
        ("admin", "vendor", 200),
        ("admin", "moderator", 200),
        ("admin", "admin", 200),
        ("admin", "operator", 200),
    ],
)
@pytest.mark.parametrize("action", ["disable", "enable"])
async def test_who_may_disable_and_enable_whom(
    app, client, people, who, target_role, status, action
):
    target = await _account(app, client, target_role, name=target_role.title())
    if action == "enable":  # an account to enable: disabled by an admin first
        assert (await _switch(client, people["admin"], target["id"], "disable")).status_code == 200
    r = await _switch(client, people[who], target["id"], action)
    assert r.status_code == status, r.text
    listed = await client.get(
        USERS, params={"q": target["email"]}, headers=people["admin"]["headers"]
    )
    [row] = listed.json()["items"]
    changed = status == 200
    assert row["is_active"] == ((action == "enable") == changed)
    actions = [e["action"] for e in await _audit(client, people, target["id"])]
    assert actions.count(f"user.{action}") == int(changed)


async def test_nobody_disables_their_own_account(app, client, people):
    admin = await _account(app, client, "admin", name="Admin")
    for action in ("disable", "enable"):
        r = await _switch(client, admin, admin["id"], action)
        assert r.status_code == 422, r.text
        assert _fields(r) == ["user_id"]
    assert (await client.get(ME, headers=admin["headers"])).status_code == 200
    moderator = await _account(app, client, "moderator", name="Mod")
    assert (await _switch(client, moderator, moderator["id"], "disable")).status_code == 403


@pytest.mark.parametrize(
    ("user_id", "status"), [("999999999", 404), ("0", 422), ("abc", 422), ("1" * 30, 422)]
)
async def test_disabling_a_missing_or_malformed_id(client, people, user_id, status):
    r = await client.post(f"{USERS}/{user_id}/disable", headers=people["admin"]["headers"])
    assert r.status_code == status, r.text
    if status == 422:
        assert _fields(r) == ["user_id"]


# -- what disabling does ------------------------------------------------------------------------


async def test_a_disabled_tourist_is_out_at_once_and_their_reviews_follow_the_rules(
    app, client, people
):
    tourist = await _account(app, client, label="disabled")
    waiting_at = await make_eatery_for(app, f"disable-pending-{secrets.token_hex(3)}")
    public_at = await make_eatery_for(app, f"disable-public-{secrets.token_hex(3)}")
    pending = (await _post_review(client, tourist, waiting_at, rating=2, text="Chờ.")).json()
    approved = (await _post_review(client, tourist, public_at, rating=5, text="Ngon.")).json()
    assert (await _decide(client, people, approved["id"], "approve")).status_code == 200
    # flagged by someone else: public and counted, and in the flagged queue
    flagged = await client.post(
        f"/api/v1/reviews/{approved['id']}/flags",
        headers=people["other_tourist"]["headers"],
        json={"reason": "quảng cáo"},
    )
    assert flagged.status_code == 201
    assert [q["id"] for q in await _queue(client, people, waiting_at)] == [pending["id"]]
    assert [q["id"] for q in await _queue(client, people, public_at, "flagged")] == [approved["id"]]
    rating = (await client.get(f"/api/v1/eateries/{public_at}")).json()
    assert (rating["rating"], rating["rating_count"]) == (5.0, 1)

    r = await _switch(client, people["moderator"], tourist["id"], "disable")
    assert r.status_code == 200, r.text
    assert set(r.json()) == USER_ADMIN_KEYS
    assert r.json()["is_active"] is False and r.json()["id"] == tourist["id"]
    assert r.json()["created_at"].endswith("+07:00")

    # the token answers 401 at once, and the password no longer logs in
    me = await client.get(ME, headers=tourist["headers"])
    assert me.status_code == 401 and me.json()["error"]["code"] == "not_authenticated"
    assert (await _log_in(client, tourist["email"])).status_code == 401
    # the pending and the flagged review left the queues; the public one stays, still counted
    assert await _queue(client, people, waiting_at) == []
    assert await _queue(client, people, public_at, "flagged") == []
    page = (await client.get(f"/api/v1/eateries/{public_at}/reviews")).json()["items"]
    assert [p["id"] for p in page] == [approved["id"]]
    after = (await client.get(f"/api/v1/eateries/{public_at}")).json()
    assert (after["rating"], after["rating_count"]) == (5.0, 1)

    # twice changes nothing, and is audited once
    again = await _switch(client, people["moderator"], tourist["id"], "disable")
    assert again.status_code == 200 and again.json()["is_active"] is False
    [entry] = await _audit(client, people, tourist["id"])
    assert entry["action"] == "user.disable" and entry["actor_id"] == people["moderator"]["id"]
    assert (entry["before"], entry["after"]) == ({"is_active": True}, {"is_active": False})

    # enabled again: logs in, the reviews come back to the queue; the old token stays ended
    enabled = await _switch(client, people["admin"], tourist["id"], "enable")
    assert enabled.status_code == 200 and enabled.json()["is_active"] is True
    assert (await client.get(ME, headers=tourist["headers"])).status_code == 401
    fresh = await _log_in(client, tourist["email"])
    assert fresh.status_code == 200
    headers = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    assert (await client.get(ME, headers=headers)).status_code == 200
    assert [q["id"] for q in await _queue(client, people, waiting_at)] == [pending["id"]]
    assert [q["id"] for q in await _queue(client, people, public_at, "flagged")] == [approved["id"]]
    newest = (await _audit(client, people, tourist["id"]))[0]
    assert newest["action"] == "user.enable" and newest["actor_id"] == people["admin"]["id"]


async def test_a_disabled_vendor_is_out_and_keeps_their_eateries(app, client, people):
    vendor = await _account(app, client, "vendor", name="Chủ quán")
    eatery = await make_eatery_for(app, f"disable-vendor-{secrets.token_hex(3)}")
    async with app.state.resources.sessions() as session, session.begin():
        await assign_eateries(session, user_id=vendor["id"], eatery_ids=[eatery])
    r = await _switch(client, people["admin"], vendor["id"], "disable")
    assert r.status_code == 200 and r.json()["eatery_ids"] == [eatery]
    assert (await client.get("/api/v1/vendor/eateries", headers=vendor["headers"])).status_code == (
        401
    )


# -- the account list ---------------------------------------------------------------------------


async def test_accounts_are_found_by_e_mail_part_name_role_and_state(app, client, people):
    mark = secrets.token_hex(4)
    admin = people["admin"]["headers"]
    tourist = await _account(app, client, label=f"lan-{mark}")
    named = await _account(app, client, name=f"Quán {mark.upper()}")  # found by name
    made = await client.post(
        USERS,
        headers=admin,
        json={
            "email": f"Vendor-{mark}@Example.vn",
            "password": PASSWORD,
            "display_name": "Bà Hoa",
            "role": "vendor",
            "eatery_ids": [people["owner"]["eatery"]],
        },
    )
    assert made.status_code == 201, made.text
    vendor_id = made.json()["id"]

    async def found(**params) -> dict:
        r = await client.get(USERS, params=params, headers=admin)
        assert r.status_code == 200, r.text
        return r.json()

    every = await found(q=mark.upper())  # any case, in the e-mail or the display name
    assert {i["id"] for i in every["items"]} == {tourist["id"], named["id"], vendor_id}
    assert every["total"] == 3 and every["count"] == 3
    assert all(set(item) == USER_ADMIN_KEYS for item in every["items"])
    # newest first
    assert [i["id"] for i in every["items"]] == sorted(
        (i["id"] for i in every["items"]), reverse=True
    )
    [vendor] = (await found(q=mark, role="vendor"))["items"]
    assert vendor["email"] == f"vendor-{mark}@example.vn"
    assert vendor["eatery_ids"] == [people["owner"]["eatery"]] and vendor["is_active"] is True
    assert {i["id"] for i in (await found(q=mark, role="tourist"))["items"]} == {
        tourist["id"],
        named["id"],
    }
    # a page, and the count of everything that matches; then the next page by its cursor
    first = await found(q=mark, limit=2)
    assert len(first["items"]) == 2 and first["total"] == 3 and first["next_cursor"]
    page = await found(q=mark, limit=2, cursor=first["next_cursor"])
    assert len(page["items"]) == 1 and page["total"] == 3 and page["next_cursor"] is None
    assert [i["id"] for i in first["items"] + page["items"]] == [i["id"] for i in every["items"]]
    # active or not
    assert (await _switch(client, people["admin"], tourist["id"], "disable")).status_code == 200
    assert [i["id"] for i in (await found(q=mark, active="false"))["items"]] == [tourist["id"]]
    assert (await found(q=mark, active="true"))["total"] == 2
    # `%` and `_` are letters, not wildcards
    assert (await found(q=f"{mark}%"))["total"] == 0
    assert (await found(q=f"lan_{mark}"))["total"] == 0
    # without a query: every account, people's too
    everyone = await found(limit=100)
    assert everyone["total"] >= 7 and len(everyone["items"]) == min(everyone["total"], 100)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "superuser"}, "role"),
        ({"active": "maybe"}, "active"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"q": "x" * 101}, "q"),
        ({"q": "a\x00b"}, "q"),
    ],
)
async def test_the_account_list_refuses_bad_parameters(client, people, params, field):
    r = await client.get(USERS, params=params, headers=people["admin"]["headers"])
    assert r.status_code == 422, r.text
    assert field in _fields(r)


# -- changing one's own password ----------------------------------------------------------------


async def test_a_password_change_ends_every_session(app, client):
    tourist = await _account(app, client, label="changer")
    other_session = (await _log_in(client, tourist["email"])).json()["access_token"]
    r = await client.post(
        PASSWORD_CHANGE,
        headers=tourist["headers"],
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert r.status_code == 204, r.text
    assert r.content == b"" and r.headers["cache-control"] == "no-store"
    for token in (tourist["headers"]["Authorization"], f"Bearer {other_session}"):
        ended = await client.get(ME, headers={"Authorization": token})
        assert ended.status_code == 401
    assert (await _log_in(client, tourist["email"])).status_code == 401
    fresh = await _log_in(client, tourist["email"], NEW_PASSWORD)
    assert fresh.status_code == 200
    me = await client.get(ME, headers={"Authorization": f"Bearer {fresh.json()['access_token']}"})
    assert me.status_code == 200 and me.json()["id"] == tourist["id"]
    claims = jwt.decode(fresh.json()["access_token"], TEST_SECRET, algorithms=["HS256"])
    assert claims["ver"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"current_password": "wrong-password-1", "new_password": NEW_PASSWORD},
            "current_password",
        ),
        ({"current_password": "", "new_password": NEW_PASSWORD}, "current_password"),
        ({"new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": PASSWORD, "new_password": "short1"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "onlyletterslong"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "1234567890"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "x" * 200 + "1"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": PASSWORD}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
        # the e-mail's name inside the password: the registration rule, with the account's e-mail
        ({"current_password": PASSWORD, "new_password": "{name}-2026"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "role": "admin"}, "role"),
    ],
)
async def test_a_password_change_is_validated(app, client, body, field):
    tourist = await _account(app, client, label="weak")
    if "new_password" in body:
        body = {
            **body,
            "new_password": body["new_password"].format(name=tourist["email"].split("@")[0]),
        }
    r = await client.post(PASSWORD_CHANGE, headers=tourist["headers"], json=body)
    assert r.status_code == 422, r.text
    assert field in _fields(r)
    # nothing changed: the token still works, the password still logs in
    assert (await client.get(ME, headers=tourist["headers"])).status_code == 200
    assert (await _log_in(client, tourist["email"])).status_code == 200


async def test_a_password_change_needs_a_login(client):
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert (await client.post(PASSWORD_CHANGE, json=body)).status_code == 401


async def test_wrong_current_passwords_count_as_failed_logins(app, client, settings):
    tourist = await _account(app, client, label="guessed")
    body = {"current_password": "wrong-password-1", "new_password": NEW_PASSWORD}
    async with _client_at(app, _address()) as thief:
        for _ in range(settings.login_failures_per_account):
            r = await thief.post(PASSWORD_CHANGE, headers=tourist["headers"], json=body)
            assert r.status_code == 422 and _fields(r) == ["current_password"]
        locked = await thief.post(
            PASSWORD_CHANGE,
            headers=tourist["headers"],
            json={**body, "current_password": PASSWORD},  # right, but too late
        )
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    # the account's lock holds logins from a new address too
    async with _client_at(app, _address()) as elsewhere:
        assert (await _log_in(elsewhere, tourist["email"])).status_code == 429
    # and the password did not change
    assert (await client.get(ME, headers=tourist["headers"])).status_code == 200


# -- token versions -----------------------------------------------------------------------------


def _token(user_id: int, **claims) -> dict:
    now = datetime.now(UTC)
    body = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=5), **claims}
    return {"Authorization": f"Bearer {jwt.encode(body, TEST_SECRET, algorithm='HS256')}"}


async def test_tokens_from_before_versions_count_as_version_0(app, client):
    tourist = await _account(app, client, label="old-token")
    assert (await client.get(ME, headers=_token(tourist["id"]))).status_code == 200
    for ver in (1, -1, "0", 2**31, True, None, 0.0):
        r = await client.get(ME, headers=_token(tourist["id"], ver=ver))
        assert r.status_code == 401, ver
    changed = await client.post(
        PASSWORD_CHANGE,
        headers=_token(tourist["id"]),
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 204
    assert (await client.get(ME, headers=_token(tourist["id"]))).status_code == 401
    assert (await client.get(ME, headers=_token(tourist["id"], ver=1))).status_code == 200


# -- the moderation queue -----------------------------------------------------------------------


async def test_the_queue_shows_the_author_and_their_history_oldest_first(app, client, people):
    author, newcomer = await _account(app, client), await _account(app, client)
    eateries = [await make_eatery_for(app, f"history-{secrets.token_hex(3)}") for _ in range(3)]
    rejected, removed, waiting = [
        (await _post_review(client, author, eatery, text=f"Lần {n}.")).json()["id"]
        for n, eatery in enumerate(eateries)
    ]
    assert (await _decide(client, people, rejected, "reject", reason="Lạc đề")).status_code == 200
    assert (await _decide(client, people, removed, "approve")).status_code == 200
    assert (await _decide(client, people, removed, "remove", reason="Spam")).status_code == 200
    first = (await _post_review(client, newcomer, eateries[2], text="Đầu tiên.")).json()["id"]

    items = await _queue(client, people, eateries[2])
    assert [i["id"] for i in items] == [waiting, first]  # oldest first
    by_id = {i["id"]: i for i in items}
    assert by_id[waiting]["author_id"] == author["id"]
    assert by_id[waiting]["author_history"] == {"reviews": 3, "rejected": 1, "removed": 1}
    assert by_id[first]["author_id"] == newcomer["id"]
    assert by_id[first]["author_history"] == {"reviews": 1, "rejected": 0, "removed": 0}
    assert by_id[first]["eatery_id"] == eateries[2]
    # an edit resubmits: the review goes to the back of the queue
    await _post_review(client, author, eateries[2], text="Sửa lại.")
    assert [i["id"] for i in await _queue(client, people, eateries[2])] == [first, waiting]
