"""What a browser gets besides the pages: an HTML page (not JSON) for an unknown address or a QR
code turned off, the API docs without a CDN, robots.txt, icons, the manifest, and compressed
answers."""

import gzip
import io
import re
import secrets
from html.parser import HTMLParser

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.web.conftest import axe_violations

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def meta(page: str, name: str) -> str:
    found = re.search(rf'<meta name="foodtour:{name}" content="([^"]*)">', page)
    assert found, f"no foodtour:{name} in the page"
    return found.group(1)


async def make_code(client, who) -> str:
    body = {
        "target": {"kind": "search", "query": "bánh đa cua"},
        "campaign": f"test-{secrets.token_hex(4)}",
    }
    r = await client.post("/api/v1/qr-codes", headers=who["headers"], json=body)
    assert r.status_code == 201, r.text
    return r.json()["code"]


async def test_a_browser_gets_the_site_for_an_unknown_address(client):
    r = await client.get("/quan-an/khong-co", headers=BROWSER)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert meta(r.text, "error") == "404"
    assert 'role="search"' in r.text  # the header's search box
    assert "content-security-policy" in r.headers
    # A program asking the same gets the API's error; the API's own paths always do.
    r = await client.get("/quan-an/khong-co")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await client.get("/api/v1/khong-co", headers=BROWSER)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_the_tourist_page_itself_is_not_an_error(client):
    r = await client.get("/search?q=banh", headers=BROWSER)
    assert r.status_code == 200
    assert meta(r.text, "error") == "" and meta(r.text, "error-target") == ""


async def test_a_qr_code_turned_off_offers_the_search_it_pointed_to(client, people):
    code = await make_code(client, people["moderator"])
    headers = people["moderator"]["headers"]
    r = await client.patch(f"/api/v1/qr-codes/{code}", headers=headers, json={"active": False})
    assert r.status_code == 200
    page = await client.get(f"/q/{code}", headers=BROWSER)
    assert page.status_code == 410
    assert page.headers["cache-control"] == "no-store"
    assert meta(page.text, "error") == "410"
    assert meta(page.text, "error-target") == "/search?q=b%C3%A1nh%20%C4%91a%20cua"
    api = await client.get(f"/q/{code}")
    assert api.status_code == 410 and api.json()["error"]["code"] == "gone"
    unknown = await client.get("/q/ZZZZZZZZZ", headers=BROWSER)
    assert unknown.status_code == 404 and meta(unknown.text, "error") == "404"
    assert meta(unknown.text, "error-target") == ""


class Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        for name in ("src", "href"):
            if tag in ("script", "link") and attributes.get(name):
                self.sources.append(attributes[name])


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_the_api_docs_need_no_internet(client, path):
    r = await client.get(path)
    assert r.status_code == 200
    parser = Scripts()
    parser.feed(r.text)
    assert parser.sources, "no script found"
    for source in parser.sources:
        assert source.startswith("/"), f"{path} loads {source} from elsewhere"
        asset = await client.get(source)
        assert asset.status_code == 200, source
    assert "fonts.googleapis" not in r.text


async def test_robots_icons_and_manifest(client):
    robots = await client.get("/robots.txt")
    assert robots.status_code == 200 and "Disallow: /console" in robots.text
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["start_url"] == "/" and body["display"] == "standalone"
    for icon in body["icons"]:
        r = await client.get(icon["src"])
        assert r.status_code == 200, icon
        if icon["type"] == "image/png":
            width, height = (int(n) for n in icon["sizes"].split("x"))
            assert Image.open(io.BytesIO(r.content)).size == (width, height)
    favicon = await client.get("/favicon.ico")
    assert Image.open(io.BytesIO(favicon.content)).size == (32, 32)
    page = (await client.get("/")).text
    assert 'rel="manifest" href="/manifest.webmanifest"' in page


async def test_answers_are_compressed_when_the_client_takes_it(client):
    page = await client.get("/")
    assets = re.search(r'content="(/static/[0-9a-f]+)"', page.text).group(1)
    for path in (
        "/api/v1/eateries?bbox=106.66,20.84,106.71,20.87&limit=100",
        "/api/v1/dishes?limit=100",
        f"{assets}/app.js",
        f"{assets}/style.css",
        f"{assets}/i18n/vi.json",
        "/",
    ):
        plain = await client.get(path, headers={"Accept-Encoding": "identity"})
        packed = await client.get(path, headers={"Accept-Encoding": "gzip, br"})
        assert "content-encoding" not in plain.headers, path
        assert packed.headers.get("content-encoding") == "gzip", path
        assert "accept-encoding" in packed.headers.get("vary", "").lower(), path
        assert packed.content == plain.content  # httpx decodes it: the same answer
        async with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as r:
            wire = b"".join([chunk async for chunk in r.aiter_raw()])
        assert gzip.decompress(wire) == plain.content
        assert len(wire) < len(plain.content) / 2, path  # ...in fewer bytes
    icon = await client.get("/icon-512.png", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in icon.headers  # images are compressed already


def test_the_api_docs_render_offline_in_a_browser(tourist_page, shoot):
    """Swagger UI and ReDoc draw the API from this server alone (every other origin fails)."""
    page = tourist_page(viewport={"width": 1280, "height": 800})
    page.goto("/docs")
    title = page.locator(".swagger-ui .info .title")
    expect(title).to_contain_text("Hai Phong food tour API", timeout=30_000)
    expect(page.locator(".opblock-tag").first).to_be_visible()
    shoot(page, "docs-swagger")
    page.goto("/redoc")
    # ReDoc lays out the whole API before it shows anything: slow on a busy machine
    expect(page.locator("h1").first).to_contain_text("Hai Phong food tour API", timeout=60_000)
    expect(page.get_by_text("/api/v1/search", exact=False).first).to_be_attached()
    shoot(page, "docs-redoc")
    assert page.errors == []


def _code(live_server: str, admin: dict, *, active: bool) -> str:
    headers = admin["headers"]
    body = {
        "target": {"kind": "search", "query": "bánh đa cua"},
        "campaign": f"test-{secrets.token_hex(4)}",
    }
    made = httpx.post(f"{live_server}/api/v1/qr-codes", headers=headers, json=body)
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    if not active:
        r = httpx.patch(
            f"{live_server}/api/v1/qr-codes/{code}", headers=headers, json={"active": False}
        )
        assert r.status_code == 200
    return code


@pytest.mark.parametrize("locale", ["vi-VN", "en-US"])
def test_a_phone_scanning_a_dead_or_unknown_code_gets_a_page_it_can_use(
    tourist_page, live_server, people, shoot, locale
):
    page = tourist_page(locale=locale)
    english = locale == "en-US"
    gone = _code(live_server, people["admin"], active=False)
    response = page.goto(f"/q/{gone}")
    assert response.status == 410
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    notice = page.locator("main .notice")
    expect(notice).to_have_text(
        "This QR code's campaign has ended. Here is the page it opened:"
        if english
        else "Chương trình của mã QR này đã kết thúc. Đây là trang mã từng mở:"
    )
    # ...and under it the search the code pointed to, at its own address, to share
    expect(page.locator(".result").first).to_be_visible()
    assert page.url.endswith("/search?q=b%C3%A1nh%20%C4%91a%20cua")
    assert axe_violations(page) == []
    shoot(page, f"qr-gone-{locale}")

    response = page.goto("/q/ZZZZZZZZZ")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Unknown QR code" if english else "Không có mã QR này"
    )
    expect(page.get_by_role("search")).to_be_visible()
    assert axe_violations(page) == []
    shoot(page, f"qr-unknown-{locale}")
    response = page.goto("/khong-co-trang-nay")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Page not found" if english else "Không tìm thấy trang"
    )
    assert page.errors == []
