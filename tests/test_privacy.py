"""Accounts and privacy (Decree 13/2023): the password rule, deleting one's account, and a
registration that does not tell whether an e-mail has an account."""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tourism.accounts import service as accounts
from tourism.accounts.models import EateryVendor, User
from tourism.accounts.passwords import common_passwords, strong_enough
from tourism.limits.models import RateEvent
from tourism.reviews.models import Review

REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"


def _email(label: str = "khach") -> str:
    return f"{label}{secrets.token_hex(3)}@example.vn"


@asynccontextmanager
async def _client(app) -> AsyncIterator[httpx.AsyncClient]:
    """A client from an address of its own: registrations are limited per address."""
    address = "10." + ".".join(str(b) for b in secrets.token_bytes(3))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 123))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def _register(http, email: str, password: str = PASSWORD, name: str = "Khách Pháp"):
    return await http.post(
        REGISTER, json={"email": email, "password": password, "display_name": name}
    )


async def _log_in(http, email: str, password: str = PASSWORD) -> dict:
    r = await http.post(TOKEN, data={"username": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _refusal(r: httpx.Response, field: str) -> str:
    assert r.status_code == 422, r.text
    details = {d["field"]: d["message"] for d in r.json()["error"]["details"]}
    assert field in details, details
    return details[field]


# -- the password rule ------------------------------------------------------------------------


def test_the_common_list_is_the_top_ten_thousand():
    common = common_passwords()
    assert 9_000 < len(common) <= 10_010  # a few collide once lower-cased; plus our own
    assert {"password12", "1qaz2wsx3edc", "matkhau123"} <= common
    assert "bánh-đa-cua-2026" not in common


@pytest.mark.parametrize(
    ("email", "password", "why"),
    [
        ("lan@example.vn", "password12", "common"),
        ("lan@example.vn", "PassWord12", "common"),  # in any case
        ("lan@example.vn", "1q2w3e4r5t", "common"),
        ("khach@example.vn", "khach12345", "name"),  # contains the e-mail's name
        ("khach@example.vn", "Xin-KHACH-2026", "name"),
        ("an@example.vn", "a.n-2026-1234", "name"),  # nothing else, digits and dots aside
        ("tran.thi.b@example.vn", "Tran.Thi.B.1990", "name"),
    ],
)
def test_the_rule_refuses_common_and_email_passwords(email, password, why):
    with pytest.raises(ValueError, match="common" if why == "common" else "e-mail"):
        strong_enough(password, email=email)


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("khach@example.vn", "bánh-đa-cua-2026"),
        ("an@example.vn", "bánh-an-2026"),  # a 2-letter name is only refused when it is all
        ("lan@example.vn", "chả-mực-hạ-long-77"),
    ],
)
def test_the_rule_accepts_rarer_passwords(email, password):
    assert strong_enough(password, email=email) == password


async def test_registration_refuses_password12_and_the_emails_name(app):
    async with _client(app) as http:
        common = await _register(http, _email(), "password12")
        assert "10,000 most common" in _refusal(common, "password")
        email = _email("khach")
        own_name = await _register(http, email, email.split("@")[0] + "!2026")
        assert "name of the e-mail" in _refusal(own_name, "password")
        fine = await _register(http, email, "bánh-đa-cua-2026")
        assert fine.status_code == 201, fine.text


async def test_every_way_of_setting_a_password_applies_the_rule(app, people):
    async with _client(app) as http:
        staff = await http.post(
            "/api/v1/admin/users",
            headers=people["admin"]["headers"],
            json={
                "email": _email("quan"),
                "password": "password12",
                "display_name": "Quán",
                "role": "vendor",
            },
        )
        assert "common" in _refusal(staff, "password")

        email = _email("doimk")
        assert (await _register(http, email)).status_code == 201
        headers = await _log_in(http, email)
        for new in ("password12", email.split("@")[0] + "-2026"):
            change = await http.post(
                "/api/v1/auth/password",
                headers=headers,
                json={"current_password": PASSWORD, "new_password": new},
            )
            _refusal(change, "new_password")

    from tourism.cli import main

    result = CliRunner().invoke(
        main, ["create-user", "--email", _email(), "--password", "password12", "--role", "admin"]
    )
    assert result.exit_code != 0 and "common" in result.output


# -- registering with an e-mail that has an account -------------------------------------------


async def test_registration_does_not_tell_whether_an_email_is_taken(app, monkeypatch):
    hashed = []
    real_hash = accounts.hash_password

    async def counting_hash(password: str) -> str:
        hashed.append(password)
        return await real_hash(password)

    monkeypatch.setattr(accounts, "hash_password", counting_hash)
    taken = _email("taken")
    async with _client(app) as http:
        assert (await _register(http, taken, name="Chủ")).status_code == 201
    async with _client(app) as first, _client(app) as second:
        again = await _register(first, taken, "someone-else-77", "Kẻ lạ")
        fresh_email = _email("fresh")
        fresh = await _register(second, fresh_email, "someone-else-77", "Kẻ lạ")
    assert again.status_code == fresh.status_code == 201
    assert again.json() == {"email": taken, "display_name": "Kẻ lạ", "role": "tourist"}
    assert fresh.json() == {**again.json(), "email": fresh_email}
    assert again.headers.keys() == fresh.headers.keys()
    assert len(hashed) == 3  # the taken e-mail's password is hashed too: the same time

    async with _client(app) as http:
        # Nothing was made or changed: the owner's password and name still hold.
        stranger = await http.post(TOKEN, data={"username": taken, "password": "someone-else-77"})
        assert stranger.status_code == 401
        me = await http.get(ME, headers=await _log_in(http, taken))
        assert me.json()["display_name"] == "Chủ"
    async with app.state.resources.sessions() as session:
        assert await session.scalar(select(func.count()).where(User.email == taken)) == 1


# -- deleting one's account -------------------------------------------------------------------


async def _review(http, eatery_id: int, headers: dict) -> int:
    r = await http.post(
        f"/api/v1/eateries/{eatery_id}/reviews",
        headers=headers,
        json={"rating": 5, "text": f"Bánh đa cua ngon {secrets.token_hex(4)}."},
    )
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


async def _rows_naming(app, settings, email: str, user_id: int) -> int:
    """Rate-limit rows named after this account: failed logins, known addresses, reviews."""
    account_bucket = accounts._by_account(email, settings.secret_key.get_secret_value())
    digest = account_bucket.rpartition(":")[2]
    async with app.state.resources.sessions() as session:
        return await session.scalar(
            select(func.count()).where(
                (RateEvent.bucket == account_bucket)
                | RateEvent.bucket.like(f"login:known:{digest}:%")
                | (RateEvent.bucket == f"review:user:{user_id}")
            )
        )


async def test_deleting_an_account(app, people, settings):
    email, name = _email("xoa"), f"Lan {secrets.token_hex(2)}"
    public_eatery, other_eatery = people["owner"]["eatery"], people["other_vendor"]["eatery"]
    async with _client(app) as http:
        assert (await _register(http, email, name=name)).status_code == 201
        headers = await _log_in(http, email)
        me = (await http.get(ME, headers=headers)).json()
        public = await _review(http, public_eatery, headers)
        approve = await http.post(
            f"/api/v1/moderation/reviews/{public}/decision",
            headers=people["moderator"]["headers"],
            json={"action": "approve"},
        )
        assert approve.status_code == 200, approve.text
        pending = await _review(http, other_eatery, headers)
        # a failed login: a rate-limit row named after the account
        await http.post(TOKEN, data={"username": email, "password": "wrong-password-1"})
        assert await _rows_naming(app, settings, email, me["id"]) >= 3  # + known address, review

        no_password = await http.request("DELETE", ME, headers=headers, json={})
        _refusal(no_password, "password")
        wrong = await http.request("DELETE", ME, headers=headers, json={"password": "nope-123x"})
        assert "not your current password" in _refusal(wrong, "password")
        anonymous = await http.request("DELETE", ME, json={"password": PASSWORD})
        assert anonymous.status_code == 401

        gone = await http.request("DELETE", ME, headers=headers, json={"password": PASSWORD})
        assert gone.status_code == 204, gone.text
        assert gone.headers["cache-control"] == "no-store"
        assert await _rows_naming(app, settings, email, me["id"]) == 0
        assert (await http.get(ME, headers=headers)).status_code == 401
        login = await http.post(TOKEN, data={"username": email, "password": PASSWORD})
        assert login.status_code == 401

        reviews = (await http.get(f"/api/v1/eateries/{public_eatery}/reviews")).json()
        kept = [r for r in reviews["items"] if r["id"] == public]
        assert len(kept) == 1 and kept[0]["author"] is None
        assert name not in str(reviews)

        audit = await http.get(
            "/api/v1/admin/audit",
            headers=people["admin"]["headers"],
            params={"entity": "user", "entity_id": str(me["id"])},
        )
        entry = audit.json()["items"][0]
        assert entry["action"] == "user.delete" and entry["actor_id"] is None
        assert entry["after"] == {"reviews_kept": 1, "reviews_deleted": 1}
        assert email not in str(entry) and name not in str(entry)

    async with app.state.resources.sessions() as session:
        assert await session.get(User, me["id"]) is None
        assert await session.get(Review, pending) is None
        assert (await session.get(Review, public)).user_id is None

    async with _client(app) as http:  # the e-mail is free again: a new account
        assert (await _register(http, email, "chả-mực-hạ-long-77", "Lan")).status_code == 201
        again = (
            await http.get(ME, headers=await _log_in(http, email, "chả-mực-hạ-long-77"))
        ).json()
        assert again["id"] != me["id"] and again["display_name"] == "Lan"


async def test_a_vendor_may_go_its_eateries_stay(app, people):
    email = _email("quan")
    async with _client(app) as http:
        made = await http.post(
            "/api/v1/admin/users",
            headers=people["admin"]["headers"],
            json={
                "email": email,
                "password": PASSWORD,
                "display_name": "Quán",
                "role": "vendor",
                "eatery_ids": [people["owner"]["eatery"]],
            },
        )
        assert made.status_code == 201, made.text
        headers = await _log_in(http, email)
        gone = await http.request("DELETE", ME, headers=headers, json={"password": PASSWORD})
        assert gone.status_code == 204
        assert (await http.get(f"/api/v1/eateries/{people['owner']['eatery']}")).status_code == 200
    async with app.state.resources.sessions() as session:
        left = select(func.count()).where(EateryVendor.user_id == made.json()["id"])
        assert await session.scalar(left) == 0


async def test_the_last_admin_cannot_go(app, people, monkeypatch):
    from tourism.privacy import service as privacy

    email = _email("admin")
    async with _client(app) as http:
        made = await http.post(
            "/api/v1/admin/users",
            headers=people["admin"]["headers"],
            json={"email": email, "password": PASSWORD, "display_name": "Sở", "role": "admin"},
        )
        assert made.status_code == 201, made.text
        headers = await _log_in(http, email)
        async with app.state.resources.sessions() as session:
            # Other admins exist here: they are counted.
            assert await privacy._other_admins(session, made.json()["id"]) >= 1

        async def nobody_else(session, user_id):
            return 0

        monkeypatch.setattr(privacy, "_other_admins", nobody_else)
        refused = await http.request("DELETE", ME, headers=headers, json={"password": PASSWORD})
        assert refused.status_code == 409
        assert "last admin" in refused.json()["error"]["message"]
        assert (await http.get(ME, headers=headers)).status_code == 200
        monkeypatch.undo()
        gone = await http.request("DELETE", ME, headers=headers, json={"password": PASSWORD})
        assert gone.status_code == 204


async def test_a_deleted_authors_flagged_review_stays_in_the_queue(app, people):
    """Still public until a moderator decides; the queue shows it with no author."""
    email, eatery = _email("flag"), people["other_vendor"]["eatery"]
    async with _client(app) as http:
        assert (await _register(http, email)).status_code == 201
        headers = await _log_in(http, email)
        review = await _review(http, eatery, headers)
        moderator = people["moderator"]["headers"]
        approve = await http.post(
            f"/api/v1/moderation/reviews/{review}/decision",
            headers=moderator,
            json={"action": "approve"},
        )
        assert approve.status_code == 200, approve.text
        flagged = await http.post(
            f"/api/v1/reviews/{review}/flags",
            headers=people["other_tourist"]["headers"],
            json={"reason": "Không đúng sự thật"},
        )
        assert flagged.status_code == 201, flagged.text
        gone = await http.request("DELETE", ME, headers=headers, json={"password": PASSWORD})
        assert gone.status_code == 204
        queue = await http.get(
            "/api/v1/moderation/reviews",
            headers=moderator,
            params={"status": "flagged", "eatery_id": eatery},
        )
        assert queue.status_code == 200, queue.text
        item = next(i for i in queue.json()["items"] if i["id"] == review)
        assert item["author"] is None and item["author_id"] is None
        assert item["flags"] == ["Không đúng sự thật"]
        removed = await http.post(
            f"/api/v1/moderation/reviews/{review}/decision",
            headers=moderator,
            json={"action": "remove", "reason": "Sai sự thật"},
        )
        assert removed.status_code == 200, removed.text
