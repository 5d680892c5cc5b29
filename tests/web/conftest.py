"""A real server and a real browser: uvicorn on a free port against the test database, and
Debian's Chromium driven by Playwright (no browser download)."""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.fixtures.basemap import build_basemap
from tests.servers import serving

CHROMIUM = os.environ.get("TOURISM_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "web"
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def basemap_file(settings, tmp_path_factory) -> Path:
    """A small street map as a PMTiles archive (tests/fixtures/basemap.py), so that the pages
    draw streets without the internet."""
    return build_basemap(
        settings.database_url, tmp_path_factory.mktemp("basemap") / "streets.pmtiles"
    )


@pytest.fixture(scope="session")
def live_server(settings, seeded, basemap_file) -> str:
    """The app under uvicorn, as `make run` serves it, on the session's seeded database, with
    the fixture's base map (so no page reaches for the internet)."""
    env = {
        "TOURISM_BASEMAP_PMTILES": str(basemap_file),
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


DESKTOP = {"width": 1280, "height": 800}
AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__tests__/axe.min.js"  # answered by the test's route, never by the app
CLIENT_ERROR = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d")


def open_page(browser, base: str, *, viewport: dict = PHONE, locale: str = "vi-VN", **options):
    """A page of `base` in a new context of `browser`, offline: any request to another origin
    fails at once, as it would without a network; axe-core is at AXE_URL. Script errors,
    refused resources (CSP) and 5xx answers are collected in page.errors; close it with
    page.context.close()."""
    context = browser.new_context(
        base_url=base,
        viewport=viewport,
        locale=locale,
        timezone_id=options.pop("timezone_id", "Asia/Ho_Chi_Minh"),
        is_mobile=viewport is PHONE,
        has_touch=viewport is PHONE,
        **options,
    )
    context.route(
        f"**{AXE_URL}",
        lambda route: route.fulfill(
            body=AXE.read_text(encoding="utf-8"), content_type="text/javascript"
        ),
    )
    context.route(
        lambda url: not url.startswith(base) and not url.startswith(("data:", "blob:")),
        lambda route: route.abort("internetdisconnected"),
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))

    def on_console(message) -> None:
        # 4xx answers are the page's to explain (Chromium logs each one); a script error, a
        # refused resource or a 5xx is not.
        if message.type == "error" and not CLIENT_ERROR.search(message.text):
            page.errors.append(message.text)

    page.on("console", on_console)
    return page


@pytest.fixture
def tourist_page(browser, live_server):
    """open(viewport=PHONE, locale="vi-VN", **context options) -> `open_page` of the live
    server; the contexts close after the test."""
    pages = []

    def open_tourist_page(viewport: dict = PHONE, locale: str = "vi-VN", **options):
        pages.append(open_page(browser, live_server, viewport=viewport, locale=locale, **options))
        return pages[-1]

    yield open_tourist_page
    for page in pages:
        page.context.close()


def axe_violations(page) -> list[dict]:
    """axe-core's critical and serious violations on the page as it is now."""
    assert AXE.is_file(), f"{AXE} is missing: npm ci --prefix web (axe-core, a devDependency)"
    page.add_script_tag(url=AXE_URL)
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
          .filter((v) => v.impact === 'critical' || v.impact === 'serious')
          .map((v) => ({id: v.id, help: v.help,
                        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' '))}))"""
    )
