"""The operator's station health follows the API's clock: a station whose last report grows
older than 5 minutes turns stale on the screen. The server runs in this process, in a thread of
its own, so the test can move the clock the API reads (`get_now`)."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.servers import serving_in_thread
from tests.web.test_console import log_in
from tourism.dependencies import get_now
from tourism.main import create_app

STATION = "hp-005"


@pytest.fixture(scope="module")
def clocked_server(settings, seeded):
    """The app under uvicorn in a thread, reading its time from `clock["now"]`."""
    app = create_app(settings, background=False)
    clock = {"now": datetime.now(UTC)}

    async def now() -> datetime:
        return clock["now"]

    app.dependency_overrides[get_now] = now
    with serving_in_thread(app, settings) as base:
        yield base, clock


def test_the_operator_sees_a_station_turn_stale_when_the_clock_moves(
    browser, clocked_server, people, shoot
):
    base, clock = clocked_server
    operator = people["operator"]
    token = httpx.post(
        f"{base}/api/v1/auth/token",
        data={"username": operator["email"], "password": PASSWORD},
    ).json()["access_token"]
    report = {
        "stations": [
            {
                "station_id": STATION,
                "num_vehicles_available": 4,
                "num_docks_available": 6,
                "is_installed": True,
                "is_renting": True,
                "is_returning": True,
                "last_reported": clock["now"].isoformat(),
            }
        ]
    }
    pushed = httpx.put(
        f"{base}/api/v1/operator/stations/status",
        json=report,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert pushed.status_code == 200, pushed.text

    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, operator["email"])
        page.goto("/console/operator")
        row = page.locator(f'tr[data-station="{STATION}"]')
        expect(row.locator(".state-badge")).to_contain_text("Bình thường")
        shoot(page, "console-operator-03-fresh")

        clock["now"] += timedelta(minutes=6)  # no report for six minutes
        page.get_by_role("button", name="Làm mới").click()
        expect(row.locator(".state-badge")).to_contain_text("Quá hạn")
        shoot(page, "console-operator-04-stale")
    finally:
        context.close()
