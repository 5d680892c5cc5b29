"""Accounts: registration, login, tokens, roles, and admin-made staff accounts."""

import secrets
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from tests.conftest import TEST_SECRET
from tourism.accounts.schemas import UserCreate
from tourism.accounts.service import create_user
from tourism.config import Settings

PASSWORD = "phở-và-bánh-đa-42"


def _email(role: str) -> str:
    return f"{role}-{secrets.token_hex(3)}@example.vn"


@pytest.fixture(scope="module")
async def people(app):
    """One account per kind of caller, made with the service the API uses."""
    made = {}
    async with app.state.resources.sessions() as session, session.begin():
        for label, role in [
            ("tourist", "tourist"),
            ("vendor", "vendor"),
            ("moderator", "moderator"),
            ("admin", "admin"),
        ]:
            data = UserCreate(email=_email(label), password=PASSWORD, display_name=label)
            user = await create_user(session, data=data, role=role)
            made[label] = {"id": user.id, "email": data.email}
    return made


async def _token(client, email: str, password: str = PASSWORD) -> str:
    r = await client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


async def _auth(client, people, who: str | None) -> dict:
    if who is None:
        return {}
    return {"Authorization": f"Bearer {await _token(client, people[who]['email'])}"}


async def test_register_login_me(client):
    email = _email("Traveller").upper()
    r = await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Lan"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body == {"email": email.lower(), "display_name": "Lan", "role": "tourist"}
    token = await _token(client, email.lower())
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["email"] == email.lower() and me.json()["display_name"] == "Lan"


async def test_token_response_is_oauth2(client, people):
    r = await client.post(
        "/api/v1/auth/token", data={"username": people["tourist"]["email"], "password": PASSWORD}
    )
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    claims = jwt.decode(body["access_token"], TEST_SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(people["tourist"]["id"]) and claims["exp"] > claims["iat"]
    assert claims["ver"] == 0  # the account's token version: no password change yet


async def test_same_email_in_other_case_changes_nothing(client, people):
    """Answered as a new e-mail would be (tests/test_privacy.py), and nothing is made."""
    r = await client.post(
        "/api/v1/auth/register",
        json={
            "email": people["tourist"]["email"].upper(),
            "password": "another-password-77",
            "display_name": "x",
        },
    )
    assert r.status_code == 201
    login = await client.post(
        "/api/v1/auth/token",
        data={"username": people["tourist"]["email"], "password": "another-password-77"},
    )
    assert login.status_code == 401
    token = await _token(client, people["tourist"]["email"])
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["display_name"] == "tourist"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD, "display_name": "x"}, "email"),
        ({"email": "a@example.vn", "password": "short1", "display_name": "x"}, "password"),
        ({"email": "a@example.vn", "password": "onlyletterslong", "display_name": "x"}, "password"),
        ({"email": "a@example.vn", "password": "1234567890", "display_name": "x"}, "password"),
        (
            {"email": "nguyenvan@example.vn", "password": "nguyenvan-2026", "display_name": "x"},
            "password",
        ),
        ({"email": "a@example.vn", "password": PASSWORD, "display_name": ""}, "display_name"),
        (
            {"email": "a@example.vn", "password": PASSWORD, "display_name": "x", "role": "admin"},
            "role",
        ),
        ({"email": "a@example.vn", "password": "x" * 200 + "1", "display_name": "x"}, "password"),
    ],
)
async def test_register_rejects_bad_fields(client, body, field):
    r = await client.post("/api/v1/auth/register", json=body)
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["error"]["details"]]


async def test_wrong_credentials_are_401_with_one_message(client, people):
    wrong_password = await client.post(
        "/api/v1/auth/token",
        data={"username": people["tourist"]["email"], "password": "wrong-password-1"},
    )
    unknown = await client.post(
        "/api/v1/auth/token", data={"username": "nobody@example.vn", "password": PASSWORD}
    )
    for r in (wrong_password, unknown):
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
    # the same answer but for each one's own request id
    assert {**wrong_password.json()["error"], "request_id": None} == {
        **unknown.json()["error"],
        "request_id": None,
    }


def _forged(user_id: int, *, key: str = TEST_SECRET, minutes: int = 30) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, key, algorithm="HS256")


@pytest.mark.parametrize(
    "make_header",
    [
        lambda p: {},
        lambda p: {"Authorization": "Bearer not-a-token"},
        lambda p: {"Authorization": f"Bearer {_forged(p['admin']['id'], minutes=-1)}"},
        lambda p: {"Authorization": f"Bearer {_forged(p['admin']['id'], key='x' * 40)}"},
        lambda p: {"Authorization": f"Bearer {_forged(999_999_999)}"},
    ],
    ids=["none", "garbage", "expired", "other-key", "no-such-user"],
)
async def test_me_needs_a_valid_token(client, people, make_header):
    r = await client.get("/api/v1/auth/me", headers=make_header(people))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"


# -- the authorisation matrix for admin endpoints -------------------------------------------------

CALLERS = [(None, 401), ("tourist", 403), ("vendor", 403), ("moderator", 403)]


@pytest.mark.parametrize(("who", "status"), [*CALLERS, ("admin", 201)])
async def test_only_admins_create_staff(client, people, who, status):
    r = await client.post(
        "/api/v1/admin/users",
        headers=await _auth(client, people, who),
        json={
            "email": _email("staff"),
            "password": PASSWORD,
            "display_name": "Staff",
            "role": "vendor",
            "eatery_ids": [1],
        },
    )
    assert r.status_code == status, r.text
    if status == 201:
        assert r.json()["role"] == "vendor" and r.json()["eatery_ids"] == [1]


@pytest.mark.parametrize(("who", "status"), [*CALLERS, ("admin", 200)])
async def test_only_admins_assign_eateries(client, people, who, status):
    r = await client.put(
        f"/api/v1/admin/vendors/{people['vendor']['id']}/eateries",
        headers=await _auth(client, people, who),
        json={"eatery_ids": [2, 3]},
    )
    assert r.status_code == status, r.text
    if status == 200:
        assert r.json()["eatery_ids"] == [2, 3]


@pytest.mark.parametrize(
    ("target", "body", "status", "field"),
    [
        ("tourist", {"eatery_ids": [1]}, 422, "eatery_ids"),
        ("vendor", {"eatery_ids": [999_999]}, 422, "eatery_ids"),
        ("vendor", {"eatery_ids": [1], "owner": 5}, 422, "owner"),
        (None, {"eatery_ids": [1]}, 404, None),
    ],
)
async def test_assigning_eateries_is_validated(client, people, target, body, status, field):
    user_id = people[target]["id"] if target else 999_999_999
    r = await client.put(
        f"/api/v1/admin/vendors/{user_id}/eateries",
        headers=await _auth(client, people, "admin"),
        json=body,
    )
    assert r.status_code == status, r.text
    if field:
        assert field in [d["field"] for d in r.json()["error"]["details"]]


async def test_a_failed_admin_write_leaves_nothing_behind(client, people):
    email = _email("half")
    r = await client.post(
        "/api/v1/admin/users",
        headers=await _auth(client, people, "admin"),
        json={
            "email": email,
            "password": PASSWORD,
            "display_name": "Half",
            "role": "vendor",
            "eatery_ids": [999_999],
        },
    )
    assert r.status_code == 422
    login = await client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert login.status_code == 401  # the account was not created either


# -- settings and the command line ----------------------------------------------------------------


def test_secret_has_no_default_outside_development():
    with pytest.raises(ValidationError, match="TOURISM_SECRET_KEY"):
        Settings(environment="production", secret_key=None)
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(environment="production", secret_key="short")
    assert Settings(environment="development", secret_key=None).secret_key is not None


def test_create_user_command(database_url, seeded, monkeypatch):
    import asyncio

    from tourism import cli, config
    from tourism.accounts.service import eatery_ids_of
    from tourism.database import run_in_transaction

    monkeypatch.setenv("TOURISM_DATABASE_URL", database_url)
    monkeypatch.setenv("TOURISM_ENVIRONMENT", "test")
    monkeypatch.setenv("TOURISM_SECRET_KEY", TEST_SECRET)
    config.get_settings.cache_clear()
    try:
        email = _email("cli-vendor")
        runner = CliRunner()
        ok = runner.invoke(
            cli.main,
            [
                "create-user",
                "--email",
                email,
                "--password",
                PASSWORD,
                "--role",
                "vendor",
                "--eatery",
                "1",
                "--eatery",
                "2",
            ],
        )
        assert ok.exit_code == 0, ok.output
        assert f"created vendor {email}" in ok.output
        user_id = int(ok.output.rsplit("(id ", 1)[1].split(")")[0])
        assigned = asyncio.run(
            run_in_transaction(lambda session: eatery_ids_of(session, user_id), url=database_url)
        )
        assert assigned == [1, 2]
        again = runner.invoke(cli.main, ["create-user", "--email", email, "--password", PASSWORD])
        assert again.exit_code != 0 and "exists" in again.output
        weak = runner.invoke(cli.main, ["create-user", "--email", _email("w"), "--password", "abc"])
        assert weak.exit_code != 0
    finally:
        config.get_settings.cache_clear()


def test_demo_accounts_once_per_role(fresh_database):
    """`make run` in development: one account per role, made once, logins shown once."""
    import asyncio

    from tourism.database import run_in_transaction
    from tourism.maintenance import create_demo_accounts, migrate, seed

    url = fresh_database("foodtour_demo")
    settings = Settings(database_url=url, environment="test", secret_key=TEST_SECRET)
    migrate(url)
    asyncio.run(seed(settings, url))

    made = asyncio.run(run_in_transaction(create_demo_accounts, settings, url=url))
    again = asyncio.run(run_in_transaction(create_demo_accounts, settings, url=url))
    assert [role for role, _, _ in made] == ["tourist", "vendor", "moderator", "admin", "operator"]
    assert all(len(password) >= 10 for _, _, password in made)
    assert again == []
