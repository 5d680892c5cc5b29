"""Logins and registrations under abuse: a login flood, password guessing, mass registration;
and the smaller leaks next to them (cached tokens, oversized token ids, e-mails as names)."""

import asyncio
import secrets
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import jwt
import pytest
import uvicorn
from click.testing import CliRunner
from sqlalchemy import select

from tests.conftest import PASSWORD, TEST_SECRET
from tourism.accounts.models import User
from tourism.accounts.schemas import UserCreate
from tourism.accounts.service import create_user

TOKEN = "/api/v1/auth/token"
REGISTER = "/api/v1/auth/register"
WRONG = "wrong-password-1"


def _email(label: str = "guess") -> str:
    return f"{label}-{secrets.token_hex(4)}@example.vn"


def _address() -> str:
    """A client address no other test uses: rate-limit buckets live in the shared database."""
    return "10." + ".".join(str(b) for b in secrets.token_bytes(3))


@asynccontextmanager
async def _client_at(app, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 123))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def _account(app) -> str:
    """A fresh tourist's e-mail (password: PASSWORD)."""
    email = _email("owner")
    async with app.state.resources.sessions() as session, session.begin():
        await create_user(
            session, data=UserCreate(email=email, password=PASSWORD, display_name="Khách")
        )
    return email


async def _log_in(app, address: str, email: str, password: str = PASSWORD) -> httpx.Response:
    async with _client_at(app, address) as http:
        return await http.post(TOKEN, data={"username": email, "password": password})


def _retry_after(r: httpx.Response) -> int:
    assert r.status_code == 429, r.text
    assert r.json()["error"]["code"] == "rate_limited"
    return int(r.headers["retry-after"])


# -- a login flood ----------------------------------------------------------------------------


@asynccontextmanager
async def _served(app) -> AsyncIterator[str]:
    """The app under a real uvicorn on a free loopback port, in this event loop.

    Over sockets a request waits for the loop like any other. Through ASGITransport a quick
    answer is made start to end without yielding, so it never meets a loop blocked by argon2.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


async def _health_checks_seconds(http: httpx.AsyncClient, calls: int = 30) -> float:
    """How long `calls` health checks take in all, spread out so they sample the flood."""
    total = 0.0
    for _ in range(calls):
        start = time.perf_counter()
        r = await http.get("/healthz")
        total += time.perf_counter() - start
        assert r.status_code == 200
        await asyncio.sleep(0.01)
    return total


async def test_a_login_flood_leaves_other_endpoints_responsive(app):
    async with _served(app) as base, httpx.AsyncClient(base_url=base) as http:
        idle = await _health_checks_seconds(http)
        stop = asyncio.Event()
        answers: list[int] = []

        async def guess() -> None:
            while not stop.is_set():
                # Each guess from an address of its own: all of them reach argon2, none a limit.
                address = "127." + ".".join(str(b) for b in secrets.token_bytes(3))
                transport = httpx.AsyncHTTPTransport(local_address=address)
                async with httpx.AsyncClient(base_url=base, transport=transport) as guesser:
                    r = await guesser.post(TOKEN, data={"username": _email(), "password": WRONG})
                answers.append(r.status_code)

        flood = [asyncio.create_task(guess()) for _ in range(6)]
        await asyncio.sleep(0.5)  # every guess is being hashed or queued for it
        loaded = await _health_checks_seconds(http)
        stop.set()
        await asyncio.gather(*flood)
    assert len(answers) >= 6 and set(answers) == {401}
    # With argon2 on the event loop, a check waits behind whole hashes of ~0.1 s each: the
    # checks took 30-40 times as long as idle (4-5 s against 0.1-0.2 s); off it, about as long.
    assert loaded < 5 * idle + 0.5, f"idle {idle:.3f} s, during the flood {loaded:.3f} s"


# -- password guessing ------------------------------------------------------------------------


async def test_wrong_passwords_lock_the_account_for_everyone_but_not_the_address(app, settings):
    victim, other = await _account(app), await _account(app)
    address = _address()
    failures = [
        await _log_in(app, address, victim, WRONG)
        for _ in range(settings.login_failures_per_account)
    ]
    assert {r.status_code for r in failures} == {401}
    # one message, however often (each with its own request id)
    assert len({str({**r.json()["error"], "request_id": None}) for r in failures}) == 1
    locked = await _log_in(app, address, victim)  # the right password changes nothing now
    window_s = settings.login_window_minutes * 60
    assert 0 < _retry_after(locked) <= window_s + 1
    assert locked.headers["cache-control"] == "no-store"
    assert "account" in locked.json()["error"]["message"]
    assert (await _log_in(app, _address(), victim)).status_code == 429  # from anywhere new
    assert (await _log_in(app, address, other)).status_code == 200  # the address may go on


async def test_an_address_is_limited_across_accounts_exactly(app, settings):
    email, address = await _account(app), _address()
    limit = settings.login_failures_per_address
    # Concurrent guesses at many e-mails: the advisory lock makes the count exact.
    answers = await asyncio.gather(
        *(_log_in(app, address, _email(), WRONG) for _ in range(limit + 3))
    )
    assert sorted(r.status_code for r in answers) == [401] * limit + [429] * 3
    full = await _log_in(app, address, email)
    assert _retry_after(full) > 0 and "address" in full.json()["error"]["message"]
    assert (await _log_in(app, _address(), email)).status_code == 200


async def test_a_success_takes_its_count_back(app, settings):
    email, address = await _account(app), _address()
    # From new addresses each time, so that every login meets the account's count.
    for _ in range(settings.login_failures_per_account + 2):
        assert (await _log_in(app, _address(), email)).status_code == 200
    almost = settings.login_failures_per_address - 1
    guesses = [_log_in(app, address, _email(), WRONG) for _ in range(almost)]
    assert {r.status_code for r in await asyncio.gather(*guesses)} == {401}
    for _ in range(3):
        assert (await _log_in(app, address, email)).status_code == 200
    assert (await _log_in(app, address, _email(), WRONG)).status_code == 401


async def test_the_account_lock_lifts_by_itself(app, settings, clock):
    email, address = await _account(app), _address()
    start = datetime.now(UTC).replace(microsecond=0)
    window = timedelta(minutes=settings.login_window_minutes)
    clock(start)
    for _ in range(settings.login_failures_per_account):
        assert (await _log_in(app, address, email, WRONG)).status_code == 401
    assert _retry_after(await _log_in(app, address, email)) == window.total_seconds() + 1
    # Attempts refused while locked are not counted: they do not keep the lock on.
    clock(start + window - timedelta(seconds=10))
    assert _retry_after(await _log_in(app, _address(), email)) == 11
    clock(start + window + timedelta(seconds=1))
    assert (await _log_in(app, address, email)).status_code == 200


async def test_the_owner_is_not_locked_out_of_a_known_address(app, settings):
    email, home, attacker = await _account(app), _address(), _address()
    assert (await _log_in(app, home, email)).status_code == 200
    for _ in range(settings.login_failures_per_account):
        assert (await _log_in(app, attacker, email, WRONG)).status_code == 401
    assert (await _log_in(app, attacker, email)).status_code == 429
    assert (await _log_in(app, _address(), email)).status_code == 429
    assert (await _log_in(app, home, email, WRONG)).status_code == 401  # a typo, not a lock
    assert (await _log_in(app, home, email)).status_code == 200


async def test_unknown_and_known_e_mails_lock_alike(app, settings):
    """A lock must not tell which e-mails have accounts."""
    address, known, unknown = _address(), await _account(app), _email("nobody")
    for email in (known, unknown):
        for _ in range(settings.login_failures_per_account):
            assert (await _log_in(app, address, email, WRONG)).status_code == 401
    first, second = await _log_in(app, address, known), await _log_in(app, address, unknown)
    # the same answer but for each one's own request id
    assert {**first.json()["error"], "request_id": None} == {
        **second.json()["error"],
        "request_id": None,
    }


# -- registration -----------------------------------------------------------------------------


async def test_registrations_are_limited_per_address(app, settings, people):
    address = _address()
    async with _client_at(app, address) as http:

        async def register(email: str) -> httpx.Response:
            body = {"email": email, "password": PASSWORD, "display_name": "Lan"}
            return await http.post(REGISTER, json=body)

        # An e-mail already taken counts too (and answers as a free one does).
        assert (await register(people["tourist"]["email"])).status_code == 201
        for _ in range(settings.registrations_per_address_hour - 1):
            assert (await register(_email("new"))).status_code == 201
        refused = await register(_email("new"))
        assert 0 < _retry_after(refused) <= 3601
    async with _client_at(app, _address()) as elsewhere:
        body = {"email": _email("new"), "password": PASSWORD, "display_name": "Lan"}
        assert (await elsewhere.post(REGISTER, json=body)).status_code == 201


async def test_a_display_name_with_an_at_sign_is_refused(app):
    async with _client_at(app, _address()) as http:
        email = _email("lan")
        r = await http.post(
            REGISTER, json={"email": email, "password": PASSWORD, "display_name": email}
        )
    assert r.status_code == 422, r.text
    assert [d["field"] for d in r.json()["error"]["details"]] == ["display_name"]


# -- token answers ----------------------------------------------------------------------------


async def test_token_answers_are_never_stored(app):
    email, address = await _account(app), _address()
    async with _client_at(app, address) as http:
        answers = [
            await http.post(TOKEN, data={"username": email, "password": PASSWORD}),
            await http.post(TOKEN, data={"username": email, "password": WRONG}),
            await http.post(TOKEN, data={"username": email}),  # no password: 422
        ]
    assert [r.status_code for r in answers] == [200, 401, 422]
    for r in answers:
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["pragma"] == "no-cache"
    assert answers[1].headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("sub", ["99999999999999999999", str(2**63), "0", "-1", "9" * 5000])
async def test_a_token_naming_no_possible_id_is_401(client, sub):
    now = datetime.now(UTC)
    claims = {"sub": sub, "iat": now, "exp": now + timedelta(minutes=5)}
    token = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    r = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "not_authenticated"


# -- display names are never e-mails ----------------------------------------------------------


@pytest.fixture
def cli_env(database_url, seeded, monkeypatch):
    from tourism import config

    monkeypatch.setenv("TOURISM_DATABASE_URL", database_url)
    monkeypatch.setenv("TOURISM_ENVIRONMENT", "test")
    monkeypatch.setenv("TOURISM_SECRET_KEY", TEST_SECRET)
    config.get_settings.cache_clear()
    yield
    config.get_settings.cache_clear()


@pytest.mark.parametrize(
    ("role", "name"), [("tourist", "Visitor"), ("operator", "Bike-share operator")]
)
def test_create_user_without_a_name_is_named_by_role(cli_env, database_url, role, name):
    from tourism import cli
    from tourism.database import run_in_transaction

    email = _email("cli")
    made = CliRunner().invoke(
        cli.main, ["create-user", "--email", email, "--password", PASSWORD, "--role", role]
    )
    assert made.exit_code == 0, made.output

    async def display_name(session) -> str:
        return await session.scalar(select(User.display_name).where(User.email == email))

    assert asyncio.run(run_in_transaction(display_name, url=database_url)) == name


def test_create_user_refuses_an_e_mail_as_name(cli_env):
    from tourism import cli

    email = _email("cli")
    refused = CliRunner().invoke(
        cli.main, ["create-user", "--email", email, "--password", PASSWORD, "--name", email]
    )
    assert refused.exit_code != 0 and "display names are public" in refused.output


def test_the_migration_renames_e_mail_display_names(fresh_database):
    from tourism.maintenance import migrate

    url = fresh_database("foodtour_names")
    dsn = url.replace("+asyncpg", "")
    migrate(url, "c4e8a1b2f608")  # the revision before

    async def add(rows: list[tuple[str, str, str]]) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.executemany(
                "INSERT INTO users (email, display_name, role, password_hash) "
                "VALUES ($1, $2, $3, 'x')",
                rows,
            )
        finally:
            await conn.close()

    async def names() -> dict[str, str]:
        conn = await asyncpg.connect(dsn)
        try:
            rows = await conn.fetch("SELECT email, display_name FROM users")
            return {r["email"]: r["display_name"] for r in rows}
        finally:
            await conn.close()

    asyncio.run(
        add(
            [
                ("a@example.vn", "a@example.vn", "tourist"),
                ("b@example.vn", "b@example.vn", "operator"),
                ("c@example.vn", "Chị Hoa", "tourist"),
            ]
        )
    )
    migrate(url)
    assert asyncio.run(names()) == {
        "a@example.vn": "Visitor",
        "b@example.vn": "Bike-share operator",
        "c@example.vn": "Chị Hoa",
    }
    with pytest.raises(asyncpg.CheckViolationError):
        asyncio.run(add([("d@example.vn", "d@example.vn", "tourist")]))
    migrate(url, "c4e8a1b2f608", down=True)
    asyncio.run(add([("d@example.vn", "d@example.vn", "tourist")]))  # the check is gone
