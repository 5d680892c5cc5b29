"""A fresh, migrated PostGIS database per test session, and an HTTP client over the app."""

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import datetime

import httpx
import pytest

from tests import statuses
from tests.helpers import make_eatery
from tourism.config import Settings
from tourism.dependencies import get_now
from tourism.embedded import EmbeddedPostgres, create_database, drop_database
from tourism.main import create_app
from tourism.maintenance import migrate, seed

os.environ.setdefault("TZ", "UTC")  # the server's zone must not matter: tests run it in UTC


def _admin_dsn(settings: Settings) -> str:
    """A plain DSN to the server's `postgres` database, embedded or configured."""
    if settings.database_url:
        base = settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        return base.rsplit("/", 1)[0] + "/postgres"
    server = EmbeddedPostgres(settings)
    server.up()  # idempotent; the project's own script starts the real PostGIS
    return server.url("postgres", driver="postgresql")


def _async_url(dsn: str, name: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1).rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def admin_dsn() -> str:
    return _admin_dsn(Settings())


@pytest.fixture(scope="session")
def fresh_database(admin_dsn: str):
    """A factory of throwaway databases, all dropped at the end of the session."""
    names: list[str] = []

    def make(prefix: str = "foodtour_test") -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        asyncio.run(create_database(admin_dsn, name))
        names.append(name)
        return _async_url(admin_dsn, name)

    yield make
    for name in names:
        asyncio.run(drop_database(admin_dsn, name))


@pytest.fixture(scope="session")
def database_url(fresh_database) -> str:
    url = fresh_database()
    migrate(url)
    return url


TEST_SECRET = "test-secret-" + secrets.token_hex(16)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, environment="test", secret_key=TEST_SECRET)


@pytest.fixture(scope="session")
def seeded(settings: Settings, database_url: str) -> dict:
    return asyncio.run(seed(settings, database_url))


@pytest.fixture(scope="session")
async def app(settings: Settings, seeded: dict) -> AsyncIterator:
    application = create_app(settings, background=False)
    async with application.router.lifespan_context(application):
        yield application


def _recording(app) -> httpx.AsyncClient:
    """A client of the app whose every answer tests/statuses.py checks against the contract."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(
        transport=transport, base_url="http://test", event_hooks={"response": [statuses.record]}
    )


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    async with _recording(app) as http:
        yield http


@pytest.fixture
def clock(app) -> Iterator:
    """Fix the API's clock: `clock(datetime)`; restored after the test."""

    def set_clock(instant: datetime) -> None:
        app.dependency_overrides[get_now] = lambda: instant

    yield set_clock
    app.dependency_overrides.pop(get_now, None)


@pytest.fixture
async def session(app) -> AsyncIterator:
    async with app.state.resources.sessions() as db_session:
        yield db_session


# -- people: one logged-in caller of each kind ------------------------------------------------

PASSWORD = "phở-và-bánh-đa-42"


@pytest.fixture(scope="session")
async def people(app):
    """tourist, other_tourist, owner and other_vendor (each with an eatery of their own),
    moderator, admin, operator (bike share): ids, e-mails and ready Authorization headers."""
    from tourism.accounts.schemas import UserCreate
    from tourism.accounts.service import assign_eateries, create_user

    kinds = {
        "tourist": "tourist",
        "other_tourist": "tourist",
        "owner": "vendor",
        "other_vendor": "vendor",
        "moderator": "moderator",
        "admin": "admin",
        "operator": "operator",
    }
    made: dict = {}
    async with app.state.resources.sessions() as session, session.begin():
        for label, role in kinds.items():
            email = f"{label.replace('_', '-')}-{secrets.token_hex(3)}@example.vn"
            data = UserCreate(email=email, password=PASSWORD, display_name=label.title())
            user = await create_user(session, data=data, role=role)
            made[label] = {"id": user.id, "email": email}
    # The vendors' own eateries, far from the seeded city, so editing them changes nothing the
    # other tests read.
    async with app.state.resources.sessions() as session:
        for label, lat in (("owner", 20.69), ("other_vendor", 20.68)):
            made[label]["eatery"] = await make_eatery(
                session,
                slug=f"test-{label.replace('_', '-')}-eatery",
                lat=lat,
                lon=106.56,
                hours="Mo-Su 06:00-22:00",
                menu=[("banh-da-cua", 40000), ("nem-cua-be", 25000), ("bun-ca-cay", 45000)],
            )
    async with app.state.resources.sessions() as session, session.begin():
        for label in ("owner", "other_vendor"):
            await assign_eateries(
                session, user_id=made[label]["id"], eatery_ids=[made[label]["eatery"]]
            )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        for person in made.values():
            r = await http.post(
                "/api/v1/auth/token", data={"username": person["email"], "password": PASSWORD}
            )
            person["headers"] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    made["anonymous"] = {"id": None, "email": None, "headers": {}}
    return made


@pytest.fixture(scope="session")
async def approved_review(session_client, people):
    """An approved review by `tourist` on the owner's eatery."""
    r = await session_client.post(
        f"/api/v1/eateries/{people['owner']['eatery']}/reviews",
        headers=people["tourist"]["headers"],
        json={"rating": 4, "text": "Ngon, phục vụ nhanh."},
    )
    assert r.status_code in (200, 201), r.text
    review_id = r.json()["id"]
    decision = await session_client.post(
        f"/api/v1/moderation/reviews/{review_id}/decision",
        headers=people["moderator"]["headers"],
        json={"action": "approve"},
    )
    assert decision.status_code == 200
    return review_id


@pytest.fixture(scope="session")
async def session_client(app):
    async with _recording(app) as http:
        yield http


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a route answered a status its OpenAPI operation does not list, or an
    error not in the `Error` shape."""
    if not statuses.SEEN:
        return
    schema = create_app(Settings(environment="test", secret_key=TEST_SECRET)).openapi()
    missing = statuses.unlisted(schema, statuses.SEEN)
    lines = [f"  {method.upper()} {path} answered {status}" for method, path, status in missing]
    lines += [
        f"  {method.upper()} {path} answered a {status} not in the Error shape: {why}"
        for method, path, status, why in sorted(statuses.MISSHAPEN)
    ]
    if lines:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        text = "answers the OpenAPI document does not describe:\n" + "\n".join(lines)
        if reporter:
            reporter.write_sep("=", "contract: answers the document does not describe", red=True)
            reporter.write_line(text)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
