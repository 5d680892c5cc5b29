"""The web page as the server serves it: every QR address, its headers, its assets, its strings."""

import json
import re

import httpx
import pytest

from tourism.accounts.models import ROLES
from tourism.config import Settings
from tourism.dishes.models import CATEGORIES
from tourism.eateries.models import KINDS
from tourism.eateries.models import STATUSES as EATERY_STATUSES
from tourism.main import create_app
from tourism.qrcodes.models import CLIENT_KINDS, TARGET_KINDS
from tourism.web.router import MAP_LIBRARY, STATIC_DIR, asset_version

QR_ADDRESSES = [
    "/",
    "/search?q=banh%20da%20cua",
    "/search?q=b%C3%A1nh%20%C4%91a%20cua&dish=banh-da-cua&utm_source=qr&utm_medium=qr&utm_campaign=tet",
    "/eateries/1?utm_source=qr&utm_medium=qr",
    "/stations/hp-001?utm_source=poster",
]


def _assets(page: str) -> str:
    return re.search(r'name="foodtour:assets" content="([^"]+)"', page).group(1)


@pytest.mark.parametrize("address", QR_ADDRESSES)
async def test_every_qr_address_gets_the_page(client, address):
    r = await client.get(address)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-cache"
    assert '<html lang="vi">' in r.text
    assert f'<script type="module" src="{_assets(r.text)}/app.js">' in r.text
    policy = r.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "object-src 'none'" in policy
    assert r.headers["x-content-type-options"] == "nosniff"


async def test_the_page_loads_nothing_from_another_origin(client):
    page = (await client.get("/")).text
    assert not re.search(r'(src|href)="(https?:)?//', page)
    policy = (await client.get("/")).headers["content-security-policy"]
    assert "*" not in policy and "unsafe" not in policy
    # The one other origin: the default base map's (its style, tiles, fonts and sprites), as data.
    assert set(re.findall(r"https?://[^\s;]+", policy)) == {"https://tiles.openfreemap.org"}
    assert "img-src 'self' data: blob: https://tiles.openfreemap.org;" in policy
    assert "connect-src 'self' https://tiles.openfreemap.org;" in policy
    assert "script-src 'self';" in policy


async def test_api_and_errors_are_untouched(client):
    assert (await client.get("/api/v1/eateries/1")).headers["content-type"] == "application/json"
    missing = await client.get("/no/such/page")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert (await client.post("/search")).status_code == 405


async def test_assets_are_versioned_and_cached_for_a_year(client):
    page = (await client.get("/")).text
    base = _assets(page)
    assert base == f"/static/{asset_version()}"
    for name in ("app.js", "style.css", "i18n/vi.json", "views/eatery.js"):
        r = await client.get(f"{base}/{name}")
        assert r.status_code == 200, name
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "etag" in r.headers
    js = await client.get(f"{base}/app.js")
    assert "javascript" in js.headers["content-type"]
    again = await client.get(f"{base}/app.js", headers={"If-None-Match": js.headers["etag"]})
    assert again.status_code == 304


async def test_an_old_version_is_served_but_not_kept(client):
    r = await client.get("/static/0123456789ab/app.js")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    ["/static/x/no-such.js", "/static/x/../index.html", "/static/x/%2e%2e/router.py", "/static/x"],
)
async def test_no_asset_outside_the_static_folder(client, path):
    r = await client.get(path)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.skipif(not MAP_LIBRARY.is_file(), reason="needs `make web`")
async def test_the_map_library_is_served_gzipped_by_this_app(client):
    page = (await client.get("/")).text
    assert 'name="foodtour:map" content="on"' in page
    base = _assets(page)
    plain = await client.get(f"{base}/vendor/maplibre-gl-csp.js", headers={"Accept-Encoding": ""})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    packed = await client.get(
        f"{base}/vendor/maplibre-gl-csp.js", headers={"Accept-Encoding": "gzip, br"}
    )
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["content-type"].startswith("text/javascript")
    assert packed.content == plain.content  # httpx decodes: the same file
    assert int(packed.headers["content-length"]) < len(plain.content) / 3
    assert packed.headers["vary"] == "Accept-Encoding"


async def test_map_style_setting_reaches_the_page_and_the_policy(database_url):
    settings = Settings(
        database_url=database_url,
        environment="test",
        secret_key="x" * 32,
        map_style_url="https://tiles.example.org/styles/hp.json",
    )
    app = create_app(settings, background=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        r = await http.get("/search?q=nem")
    assert 'content="https://tiles.example.org/styles/hp.json"' in r.text
    policy = r.headers["content-security-policy"]
    assert "connect-src 'self' https://tiles.example.org;" in policy
    assert "script-src 'self';" in policy  # a base map never brings scripts


@pytest.mark.parametrize(
    "bad", ["javascript:alert(1)", 'https://x.org/"><script>', "ftp://x.org/s"]
)
def test_map_style_url_must_be_http_or_a_path(bad):
    with pytest.raises(ValueError, match="map_style_url"):
        Settings(map_style_url=bad)


# -- every string in both languages -----------------------------------------------------------

DICTIONARIES = {lang: STATIC_DIR / "i18n" / f"{lang}.json" for lang in ("vi", "en")}
SOURCES = [
    *STATIC_DIR.glob("*.js"),
    *STATIC_DIR.glob("views/*.js"),
    *STATIC_DIR.glob("console/*.js"),
]
SHELLS = [STATIC_DIR.parent / "index.html", STATIC_DIR.parent / "console.html"]
# Keys built at run time from a prefix: the values each can take.
DYNAMIC = {
    "review_status_": ["pending", "approved", "rejected", "flagged", "removed"],
    "sort_": ["relevance", "distance", "price", "rating"],
    "switch_to_": ["vi", "en"],
    "field_": ["email", "password", "display_name"],
    "legend_": ["open", "closed", "unknown", "station", "here"],
    # the console's words for the values the API sends (admin.js WORDS): its vocabularies
    "console_admin_": [
        f"{group}_{value}"
        for group, values in {
            "role": ROLES,
            "kind": KINDS,
            "status": EATERY_STATUSES,
            "category": CATEGORIES,
            "target": TARGET_KINDS,
            "client": CLIENT_KINDS,
            "entity": ("eatery", "dish", "review", "user", "qr_code", "bike_station_status"),
        }.items()
        for value in values
    ],
}


def _dictionary(lang: str) -> dict[str, str]:
    return json.loads(DICTIONARIES[lang].read_text(encoding="utf-8"))


def _keys_used() -> set[str]:
    used: set[str] = set()
    for source in SOURCES:
        code = source.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\('([a-z_]+)'", code))
        for key in re.findall(r"\bplural\('([a-z_]+)'", code):
            used |= {f"{key}_one", f"{key}_other"}
        for prefix in re.findall(r"\bt\(`([a-z_]+)\$\{", code):
            assert prefix in DYNAMIC, f"{source.name}: list the keys of t(`{prefix}...`)"
            used |= {prefix + value for value in DYNAMIC[prefix]}
        for key in re.findall(r"'((?:opens|closes)_at)'", code):
            used |= {key, f"{key}_day"}
        # The console names its keys in tables and screen lists too: `title: 'console_...'`.
        used |= set(re.findall(r"(?<!plural\()'(console_[a-z0-9_]+)'", code))
    for shell in SHELLS:
        html = shell.read_text(encoding="utf-8")
        used |= set(re.findall(r'data-i18n(?:-[a-z-]+)?="([a-z_]+)"', html))
    return used


def test_both_languages_have_the_same_keys():
    vi, en = _dictionary("vi"), _dictionary("en")
    assert vi.keys() == en.keys()
    main = {
        lang: json.loads(path.read_text(encoding="utf-8")) for lang, path in DICTIONARIES.items()
    }
    assert main["vi"].keys() == main["en"].keys()
    assert all(value.strip() for value in [*vi.values(), *en.values()])


def test_every_string_the_page_uses_is_translated():
    used = _keys_used()
    assert len(used) > 80
    missing = used - _dictionary("vi").keys()
    assert not missing, f"missing from the dictionaries: {sorted(missing)}"
    unused = _dictionary("vi").keys() - used
    assert not unused, f"never used: {sorted(unused)}"


def test_placeholders_match_between_languages():
    vi, en = _dictionary("vi"), _dictionary("en")
    for key in vi:
        assert set(re.findall(r"\{\w+\}", vi[key])) == set(re.findall(r"\{\w+\}", en[key])), key


async def test_without_the_map_library_the_page_says_so(database_url, monkeypatch, tmp_path):
    import tourism.web.router as web

    monkeypatch.setattr(web, "MAP_LIBRARY", tmp_path / "missing.js")
    settings = Settings(database_url=database_url, environment="test", secret_key="x" * 32)
    transport = httpx.ASGITransport(app=create_app(settings, background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        page = (await http.get("/")).text
    assert 'name="foodtour:map" content="off"' in page  # the script then shows lists only
