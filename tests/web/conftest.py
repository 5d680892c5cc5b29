"""A real server and a real browser: uvicorn on a free port against the test database, and
Debian's Chromium driven by Playwright (no browser download)."""

import os
import shutil
from pathlib import Path

import pytest

from tests.servers import serving

CHROMIUM = os.environ.get("TOURISM_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "web"
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def live_server(settings, seeded) -> str:
    """The app under uvicorn, as `make run` serves it, on the session's seeded database."""
    env = {
        "TOURISM_DATABASE_URL": settings.database_url,
        "TOURISM_ENVIRONMENT": "test",
        "TOURISM_SECRET_KEY": settings.secret_key.get_secret_value(),
        # every browser registers from 127.0.0.1; the limit itself is tested in test_auth_abuse
        "TOURISM_REGISTRATIONS_PER_ADDRESS_HOUR": "1000",
    }
    with serving(env) as base:
        yield base


# Module scope: Playwright's sync API runs an event loop of its own, which must be gone before
# the async tests of other modules run on pytest-asyncio's. The server (and so the database)
# starts first, for the same reason.
@pytest.fixture(scope="module")
def browser(live_server):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: sudo apt-get install chromium (scripts/bootstrap.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            # --no-sandbox: Chromium refuses to start as root with its sandbox (CI runs as root).
            # SwiftShader: WebGL for the map without a GPU.
            args=["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser, live_server):
    """A 360x740 phone in Paris time with an English browser: the page must still speak
    Vietnamese and tell Hai Phong's time."""
    context = browser.new_context(
        base_url=live_server,
        viewport=PHONE,
        locale="en-US",
        timezone_id="Europe/Paris",
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.errors = errors
    yield page
    context.close()


@pytest.fixture
def shoot():
    """Save a screenshot of the current step under tests/artifacts/web/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
