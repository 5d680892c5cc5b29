"""A second city on a fresh database of its own: bike-share imports may rewrite every station,
which the seeded city the other tests read must never see."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import TEST_SECRET
from tourism.config import Settings
from tourism.main import create_app
from tourism.maintenance import migrate


async def _city(fresh_database, prefix: str, **settings) -> AsyncIterator:
    url = await asyncio.to_thread(fresh_database, prefix)
    await asyncio.to_thread(migrate, url)
    application = create_app(
        Settings(database_url=url, environment="test", secret_key=TEST_SECRET, **settings),
        background=False,
    )
    async with application.router.lifespan_context(application):
        application.state.database_url = url
        yield application


def _client(application) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.fixture(scope="module")
async def empty_city(fresh_database):
    """A migrated database with no station at all, published under another public URL."""
    async for application in _city(
        fresh_database, "foodtour_gbfs_empty", public_api_url="https://api.haiphong.example/"
    ):
        yield application


@pytest.fixture(scope="module")
async def operator_city(fresh_database):
    """A migrated, empty database that the import tests fill from the fixture feeds."""
    async for application in _city(fresh_database, "foodtour_gbfs_import"):
        yield application


@pytest.fixture
async def empty_client(empty_city) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(empty_city) as http:
        yield http


@pytest.fixture
async def city_client(operator_city) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(operator_city) as http:
        yield http
