"""The street map: a self-hosted PMTiles base map served in byte ranges, drawn in Chromium with
street names in the page's language; markers with popups; bike stations on demand; and a plain
background with a notice when the base map cannot load."""

import io
import json
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.servers import serving
from tests.web.conftest import ARTIFACTS, AXE, AXE_URL, CLIENT_ERROR, PHONE, axe_violations
from tourism.config import Settings
from tourism.main import create_app

SEARCH = "/search?q=banh%20da%20cua"
OPERA_HOUSE = [106.6839, 20.8577]
EARTH = (226, 223, 218)  # Protomaps' light land colour: what the fixture's "earth" draws
PLAIN = (232, 238, 233)  # the plain background, with no base map
OFFLINE = "net::ERR_INTERNET_DISCONNECTED"

# -- /basemap.pmtiles over HTTP ----------------------------------------------------------------


@pytest.fixture
def archive(tmp_path) -> Path:
    path = tmp_path / "city.pmtiles"
    path.write_bytes(bytes(range(256)) * 4)  # 1024 bytes: the server does not read them
    return path


def _client(**settings) -> httpx.AsyncClient:
    # No lifespan: the base map needs no database.
    app = create_app(
        Settings(environment="test", secret_key="x" * 32, **settings), background=False
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def http(archive):
    async with _client(basemap_pmtiles=archive) as client:
        yield client


async def test_a_byte_range_is_206_with_its_content_range(http, archive):
    r = await http.get("/basemap.pmtiles", headers={"Range": "bytes=0-99"})
    assert r.status_code == 206
    assert r.headers["content-range"] == "bytes 0-99/1024"
    assert r.content == archive.read_bytes()[:100]
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["cache-control"] == "public, max-age=86400"
    assert r.headers["etag"].startswith('"')  # strong: the PMTiles reader compares it
    tail = await http.get("/basemap.pmtiles", headers={"Range": "bytes=1000-"})
    assert tail.status_code == 206 and tail.content == archive.read_bytes()[1000:]


async def test_no_range_is_the_whole_file(http, archive):
    r = await http.get("/basemap.pmtiles")
    assert r.status_code == 200
    assert r.content == archive.read_bytes()
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["content-type"] == "application/vnd.pmtiles"


async def test_a_range_past_the_end_is_416(http):
    r = await http.get("/basemap.pmtiles", headers={"Range": "bytes=5000-6000"})
    assert r.status_code == 416
    assert r.headers["content-range"] == "bytes */1024"


async def test_a_known_etag_is_304_until_the_file_changes(http, archive):
    etag = (await http.get("/basemap.pmtiles", headers={"Range": "bytes=0-9"})).headers["etag"]
    again = await http.get("/basemap.pmtiles", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = await http.get("/basemap.pmtiles", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200
    archive.write_bytes(b"a new archive, of another size")
    changed = await http.get("/basemap.pmtiles", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_head_says_the_size_without_the_body(http):
    r = await http.head("/basemap.pmtiles")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-length"] == "1024" and r.headers["accept-ranges"] == "bytes"
    ranged = await http.head("/basemap.pmtiles", headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and ranged.headers["content-range"] == "bytes 0-99/1024"


async def test_without_an_archive_there_is_none(archive):
    async with _client() as http:
        r = await http.get("/basemap.pmtiles")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        assert '<meta name="foodtour:basemap" content="">' in (await http.get("/")).text
    async with _client(basemap_pmtiles=archive) as http:
        configured = (await http.get("/search?q=nem")).text
    assert '<meta name="foodtour:basemap" content="/basemap.pmtiles">' in configured


def test_a_missing_archive_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="TOURISM_BASEMAP_PMTILES"):
        Settings(basemap_pmtiles=tmp_path / "missing.pmtiles")
    assert Settings(basemap_pmtiles="").basemap_pmtiles is None


def test_the_default_base_map_is_openfreemap():
    assert Settings().map_style_url == "https://tiles.openfreemap.org/styles/liberty"
    assert Settings(map_style_url="").map_style_url == ""  # no base map at all


# -- in Chromium ---------------------------------------------------------------------------------


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        "TOURISM_DATABASE_URL": settings.database_url,
        "TOURISM_ENVIRONMENT": "test",
        "TOURISM_SECRET_KEY": settings.secret_key.get_secret_value(),
        **extra,
    }


# live_server (tests/web/conftest.py) serves the fixture base map to every page.


@pytest.fixture(scope="module")
def broken_style_server(settings, seeded):
    """A server whose base map style cannot be fetched (and no PMTiles archive)."""
    env = _env(settings, TOURISM_MAP_STYLE_URL="http://127.0.0.1:9/styles/city.json")
    with serving(env) as base:
        yield base


def _drawn(page, address: str) -> None:
    page.goto(address)
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("main:not([aria-busy])")
    page.wait_for_selector("#map[data-markers]")


def _view(page, center: list[float], zoom: float) -> None:
    """Move the map and wait until it has drawn everything in view."""
    page.evaluate(
        """async ([center, zoom]) => {
          const map = document.querySelector('#map')._map;
          map.jumpTo({ center, zoom });
          await new Promise((resolve) => map.once('idle', resolve));
        }""",
        [center, zoom],
    )


def _colours(page) -> list[tuple[int, int, int]]:
    shot = page.locator("#map canvas").screenshot()
    data = Image.open(io.BytesIO(shot)).convert("RGB").tobytes()
    return [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]


def _rendered(page, layers: list[str]) -> list[dict]:
    return page.evaluate(
        """(layers) => document.querySelector('#map')._map
            .queryRenderedFeatures({ layers })
            .map((f) => ({ layer: f.layer.id, ...f.properties }))""",
        layers,
    )


def _label_field(page, layer: str):
    return page.evaluate(
        "(layer) => document.querySelector('#map')._map.getLayoutProperty(layer, 'text-field')",
        layer,
    )


def _tap_marker(page, kind: str) -> None:
    """Centre the map on a marker of `kind`, close up so no other marker is under the finger,
    and tap it."""
    found = page.evaluate(
        """async (kind) => {
          const map = document.querySelector('#map')._map;
          // the one nearest the Opera House: places other tests add far out of town are left alone
          const distance = (f) => Math.hypot(f.geometry.coordinates[0] - 106.6839,
                                             f.geometry.coordinates[1] - 20.8577);
          const marker = map.querySourceFeatures('places')
            .filter((f) => f.properties.kind === kind)
            .sort((a, b) => distance(a) - distance(b))[0];
          if (!marker) return false;
          // A tile gives a point only to its own grid: read from the zoomed-out tiles of a wide
          // view, the marker is metres off, a dozen pixels at street level. Read it again from
          // the close-up tiles, which place it as drawn.
          const idle = () => new Promise((resolve) => map.once('idle', resolve));
          map.jumpTo({ center: marker.geometry.coordinates, zoom: 18 });
          await idle();
          const drawn = map.querySourceFeatures('places')
            .find((f) => f.properties.key === marker.properties.key);
          map.jumpTo({ center: drawn.geometry.coordinates });
          await idle();
          const { x, y } = map.project(drawn.geometry.coordinates);
          return { x, y };
        }""",
        kind,
    )
    assert found, f"no {kind} marker on the map"
    box = page.locator("#map canvas").bounding_box()
    # where the marker is drawn (the map's centre is not always the canvas's)
    page.touchscreen.tap(box["x"] + found["x"], box["y"] + found["y"])
    page.wait_for_selector(".maplibregl-popup")


def test_the_street_map_comes_from_the_servers_archive(tourist_page):
    page = tourist_page()
    ranges = []
    page.on(
        "response",
        lambda r: (
            ranges.append((r.status, r.request.headers.get("range")))
            if r.url.endswith("/basemap.pmtiles")
            else None
        ),
    )
    _drawn(page, SEARCH)
    box = page.locator("#map")
    assert box.get_attribute("data-basemap") == "pmtiles"
    assert int(box.get_attribute("data-markers")) > 0
    assert ranges and all(s == 206 and r.startswith("bytes=") for s, r in ranges), ranges

    _view(page, OPERA_HOUSE, 15)
    pixels = _colours(page)
    land = sum(p == EARTH for p in pixels) / len(pixels)
    assert land > 0.2, f"the land colour covers {land:.0%} of the map"
    assert PLAIN not in pixels and len(set(pixels)) > 50  # streets, names, markers
    roads = {f["layer"] for f in _rendered(page, ["roads_major", "roads_minor"])}
    assert roads == {"roads_major", "roads_minor"}
    labels = _rendered(page, ["roads_labels_major", "roads_labels_minor"])
    assert labels and all(f["name:vi"] for f in labels)
    vietnamese = ["coalesce", ["get", "name:vi"], ["get", "name"]]
    assert _label_field(page, "roads_labels_major") == vietnamese
    attribution = page.locator(".maplibregl-ctrl-attrib-inner")
    assert "OpenStreetMap contributors" in attribution.text_content()

    # three states of opening hours, told apart by colour and named by the legend
    legend = page.locator(".legend li")
    texts = legend.all_text_contents()
    assert {"Đang mở cửa", "Đang đóng cửa", "Chưa rõ giờ mở cửa"} <= set(texts), texts
    dots = {
        el.evaluate("(e) => getComputedStyle(e).backgroundColor")
        for el in page.locator(".legend .dot-open, .legend .dot-closed, .legend .dot-unknown").all()
    }
    assert len(dots) == 3
    # The README's picture: the first screen, as the phone shows it.
    _view(page, [106.6868, 20.8556], 14.3)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-street-map-phone.png"))
    assert axe_violations(page) == []
    assert page.errors == []


def test_a_tap_on_an_eatery_tells_its_dish_price_and_hours(tourist_page):
    page = tourist_page()
    _drawn(page, SEARCH)
    _tap_marker(page, "eatery")
    popup = page.locator(".maplibregl-popup")
    link = popup.locator("a[href^='/eateries/']")
    assert link.text_content().strip()
    text = popup.text_content()
    assert "Bánh đa cua" in text and "₫" in text
    assert any(word in text for word in ("Đang mở cửa", "Đang đóng cửa", "Chưa rõ giờ"))
    # the view's card for the same eatery is selected
    card_id = "eatery-" + link.get_attribute("href").rsplit("/", 1)[1]
    page.wait_for_selector(f"#{card_id}.selected")
    assert axe_violations(page) == []
    link.click()
    page.wait_for_url("**/eateries/*")
    assert page.errors == []


def test_bike_stations_show_on_demand(tourist_page):
    page = tourist_page()
    _drawn(page, SEARCH)
    toggle = page.get_by_role("button", name="Trạm xe đạp")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    page.wait_for_selector("#map[data-stations]")
    assert int(page.locator("#map").get_attribute("data-stations")) > 0
    _tap_marker(page, "station")
    popup = page.locator(".maplibregl-popup")
    assert popup.locator("a[href^='/stations/']").text_content().strip()
    assert "xe sẵn sàng" in popup.text_content() and "chỗ trả xe" in popup.text_content()
    toggle.click()
    page.wait_for_selector("#map:not([data-stations])")
    assert axe_violations(page) == []
    assert page.errors == []


def test_english_street_names_on_the_english_page(tourist_page):
    page = tourist_page(locale="en-GB")
    page.add_init_script("localStorage.setItem('foodtour.lang', 'en')")
    _drawn(page, SEARCH)
    assert page.locator("html").get_attribute("lang") == "en"
    _view(page, OPERA_HOUSE, 15.5)
    english = ["coalesce", ["get", "name:en"], ["get", "name"]]
    assert _label_field(page, "roads_labels_minor") == english
    labels = _rendered(page, ["roads_labels_major", "roads_labels_minor"])
    assert labels and all(f["name:en"].endswith("Street") for f in labels), labels
    assert page.get_by_role("button", name="Bike stations").is_visible()
    assert "Hours unknown" in page.locator(".legend").text_content()
    assert page.errors == []


def test_without_its_base_map_the_map_still_shows_the_places(browser, broken_style_server):
    base = broken_style_server
    context = browser.new_context(
        base_url=base,
        viewport=PHONE,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        is_mobile=True,
        has_touch=True,
    )
    try:
        context.route(
            f"**{AXE_URL}",
            lambda route: route.fulfill(body=AXE.read_text(encoding="utf-8")),
        )
        context.route(  # offline, as the other browser tests are
            lambda url: not url.startswith(base) and not url.startswith(("data:", "blob:")),
            lambda route: route.abort("internetdisconnected"),
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error"
                and not CLIENT_ERROR.search(m.text)
                and OFFLINE not in m.text  # the style's request: the failure under test
                else None
            ),
        )
        _drawn(page, SEARCH)
        box = page.locator("#map")
        assert box.get_attribute("data-basemap") == "unavailable"
        assert int(box.get_attribute("data-markers")) > 0
        notice = page.locator("#map .map-notice")
        assert notice.is_visible()
        assert (
            notice.text_content()
            == json.loads(
                (
                    Path(__file__).resolve().parents[2] / "tourism/web/static/i18n/vi.json"
                ).read_text()
            )["basemap_unavailable"]
        )
        _tap_marker(page, "eatery")  # the markers still work
        assert axe_violations(page) == []
        assert errors == []
    finally:
        context.close()
