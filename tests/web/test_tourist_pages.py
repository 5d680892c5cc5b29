"""The tourist pages in both languages, on a phone and a desktop, offline: English that reads
as English, server errors in the visitor's language, the eatery page's first screen, directions
that open on any phone, and accessibility (axe, tap targets, 320 px at 200 % text).

Screenshots go to tests/artifacts/web/.
"""

import json
import math
import re
import secrets
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import DESKTOP, PHONE, axe_violations

DICTIONARIES = Path(__file__).resolve().parents[2] / "tourism" / "web" / "static" / "i18n"

PRICE = re.compile(r"^\d{1,3}(\.\d{3})+\s₫$")  # 45.000 ₫, the Vietnamese way
SIZES = {"phone": PHONE, "desktop": DESKTOP}
LOCALES = {"vi": "vi-VN", "en": "en-US"}
OPERA_HOUSE = {"latitude": 20.8577, "longitude": 106.6839}


# Every tourist page loads its one approved review before the browser starts: an async fixture
# cannot run once Playwright's own event loop is up (see conftest.browser).
pytestmark = pytest.mark.usefixtures("approved_review")


def errors(page) -> list[str]:
    """page.errors without the base map's refused style: offline, that is the map's to explain
    (it says so on the map); a script error or a refused resource of this site still counts."""
    return [e for e in page.errors if "net::ERR_INTERNET_DISCONNECTED" not in e]


def words(lang: str) -> dict[str, str]:
    return json.loads((DICTIONARIES / f"{lang}.json").read_text(encoding="utf-8"))


def ready(page) -> None:
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("main[aria-busy]")).to_have_count(0)


def get(live_server: str, path: str, **params) -> dict:
    r = httpx.get(f"{live_server}/api/v1{path}", params=params)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def places(live_server) -> dict:
    """A seeded eatery serving bánh đa cua, its menu line, and a bike station near it."""
    hit = get(live_server, "/search", q="banh da cua", dish="banh-da-cua", limit=1)["items"][0]
    eatery = get(live_server, f"/eateries/{hit['eatery']['id']}")
    dish = next(m for m in eatery["menu"] if m["dish_slug"] == "banh-da-cua")
    station = eatery["nearby_stations"][0]
    return {"eatery": eatery, "dish": dish, "station": station}


def pages(places) -> dict[str, str]:
    return {
        "home": "/",
        "search": "/search?q=banh%20da%20cua&dish=banh-da-cua",
        "eatery": f"/eateries/{places['eatery']['id']}?dish=banh-da-cua",
        "station": f"/stations/{places['station']['station_id']}",
    }


# -- the language ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "lang"), [("en-US", "en"), ("vi-VN", "vi"), ("fr-FR", "en"), ("de-DE", "en")]
)
def test_a_first_visit_speaks_the_browsers_language_and_the_switch_is_remembered(
    tourist_page, locale, lang
):
    page = tourist_page(locale=locale)
    page.goto("/")
    ready(page)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(words(lang)["home_title"])
    other = "vi" if lang == "en" else "en"
    page.get_by_role("button", name=words(lang)[f"switch_to_{other}"]).click()
    expect(page.locator("h1")).to_have_text(words(other)["home_title"])
    page.reload()
    ready(page)
    expect(page.locator("html")).to_have_attribute("lang", other)
    expect(page.locator("h1")).to_have_text(words(other)["home_title"])
    assert errors(page) == []


def test_navigator_languages_are_walked_in_order(tourist_page):
    """A visitor whose browser says French, then Vietnamese, then English reads Vietnamese."""
    page = tourist_page(locale="fr-FR")
    page.add_init_script(
        "Object.defineProperty(navigator, 'languages', {get: () => ['fr-FR', 'vi', 'en-US']})"
    )
    page.goto("/")
    ready(page)
    expect(page.locator("html")).to_have_attribute("lang", "vi")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_names_come_in_the_readers_language_first(tourist_page, places, lang, shoot):
    dish = places["dish"]
    first, second = (
        (dish["name_en"], dish["name_vi"]) if lang == "en" else (dish["name_vi"], dish["name_en"])
    )
    other = "vi" if lang == "en" else "en"
    page = tourist_page(locale=LOCALES[lang])

    # a search card
    page.goto(pages(places)["search"])
    ready(page)
    name = page.locator(".result .dish-line .dish-name").first
    expect(name.locator("> span").first).to_have_text(first)
    expect(name.locator("> span").first).to_have_attribute("lang", lang)
    expect(name.locator(".secondary")).to_have_text(second)
    expect(name.locator(".secondary")).to_have_attribute("lang", other)

    # the eatery's menu and its name
    page.goto(f"/eateries/{places['eatery']['id']}")
    ready(page)
    expect(page.locator(".menu .dish-name").first).to_be_visible()
    menu = page.locator(".menu .dish-name").evaluate_all(
        "els => els.map((e) => [...e.children].map((c) => [c.textContent, c.lang]))"
    )
    assert [[first, lang], [second, other]] in menu
    eatery = places["eatery"]
    if lang == "en" and eatery["name_en"]:
        expect(page.locator("h1 > span").first).to_have_text(eatery["name_en"])
        expect(page.locator("h1 .secondary")).to_have_text(eatery["name_vi"])
    else:
        expect(page.locator("h1 > span").first).to_have_text(eatery["name_vi"])

    # the suggestions while typing
    box = page.locator("#q")
    box.fill("")
    box.press_sequentially("banh da cua", delay=40)
    options = page.locator('[role="option"].suggestion-dish')
    expect(options.first).to_be_visible()
    shown = options.evaluate_all(
        "els => els.map((e) => [e.querySelector('.suggestion-name').textContent,"
        " e.querySelector('.suggestion-note').textContent])"
    )
    assert [first, second] in shown
    shoot(page, f"tourist-suggestions-{lang}")
    assert errors(page) == []


# -- server errors -----------------------------------------------------------------------------


def open_dialog(page):
    page.goto("/")
    ready(page)
    page.locator("#account-button").click()
    return page.get_by_role("dialog")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_wrong_password_is_told_in_the_visitors_language(tourist_page, live_server, lang):
    w = words(lang)
    page = tourist_page(locale=LOCALES[lang])
    dialog = open_dialog(page)
    dialog.get_by_label(w["field_email"]).fill(f"nobody-{secrets.token_hex(4)}@example.vn")
    dialog.get_by_label(w["field_password"]).fill("không-phải-mật-khẩu-1")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator(".form-error")).to_have_text(w["error_login"])
    assert errors(page) == []


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_password_the_server_refuses_is_explained_in_the_pages_language(
    tourist_page, live_server, lang
):
    """Long enough for the browser, letters only for the server: the page asks the API in its
    own language and shows the API's message and what is wrong with the field."""
    w = words(lang)
    email = f"moi-{secrets.token_hex(4)}@example.vn"
    weak = "chichaichuoi"
    raw = httpx.post(
        f"{live_server}/api/v1/auth/register",
        json={"email": f"x{email}", "password": weak, "display_name": "Du khách"},
        headers={"Accept-Language": lang},
    ).json()["error"]
    assert raw["code"] == "invalid" and [d["field"] for d in raw["details"]] == ["password"]
    expected = f"{w['field_password']}: {raw['details'][0]['message']}"

    page = tourist_page(locale=LOCALES[lang])
    dialog = open_dialog(page)
    dialog.get_by_role("button", name=w["register"]).click()
    dialog.get_by_label(w["field_display_name"]).fill("Du khách")
    dialog.get_by_label(w["field_email"]).fill(email)
    dialog.get_by_label(w["field_password"]).fill(weak)
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator(".form-error")).to_have_text(expected)
    assert errors(page) == []


# -- the eatery's first screen -----------------------------------------------------------------


@pytest.fixture(scope="module")
def rated(live_server, people, approved_review) -> dict:
    """The owner's eatery, with at least one approved review, and its bánh đa cua line."""
    eatery = get(live_server, f"/eateries/{people['owner']['eatery']}")
    assert eatery["rating_count"] >= 1
    dish = next(m for m in eatery["menu"] if m["dish_slug"] == "banh-da-cua")
    return {"eatery": eatery, "dish": dish}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_eatery_page_shows_the_dish_searched_for_and_the_essentials_above_the_fold(
    rated, tourist_page, lang, shoot
):
    w = words(lang)
    eatery, dish = rated["eatery"], rated["dish"]
    page = tourist_page(locale=LOCALES[lang])
    page.goto(f"/eateries/{eatery['id']}?dish=banh-da-cua")
    ready(page)
    wanted = page.locator(".wanted-dish")
    expect(wanted).to_contain_text(dish["name_en"] if lang == "en" else dish["name_vi"])
    expect(wanted.locator(".price")).to_have_text(PRICE)
    assert int(re.sub(r"\D", "", wanted.locator(".price").inner_text())) == dish["price_vnd"]
    expect(page.locator(".menu li.wanted")).to_have_count(1)
    status = page.locator(".status-line .badge")
    expect(status).to_have_text(
        re.compile("|".join(re.escape(w[k]) for k in ("open_now", "closed_now", "hours_unknown")))
    )
    if eatery["next_change"]:
        expect(page.locator(".status-line .next-change")).to_have_text(re.compile(r"\d\d:\d\d"))
    rating = page.locator(".rating-line .rating")
    votes = w["votes_one" if eatery["rating_count"] == 1 else "votes_other"].format(
        n=eatery["rating_count"]
    )
    stars = f"{eatery['rating']:.1f}".replace(".", "," if lang == "vi" else ".")
    expect(rating.locator(".votes")).to_have_text(f"({votes})")
    expect(rating.locator(".votes")).to_have_attribute("aria-hidden", "true")
    # read aloud as a sentence (a label on a plain span is not allowed, axe says)
    expect(rating.locator(".visually-hidden")).to_have_text(
        w["rating_spoken"].format(stars=stars, votes=votes)
    )

    table_top = page.locator("table.hours").bounding_box()["y"]
    for name, locator in {
        "name": page.locator("h1"),
        "open/closed": status,
        "rating": rating,
        "dish": wanted,
    }.items():
        box = locator.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], f"{name} is below the fold"
        assert box["y"] < table_top, f"{name} comes after the week table"
    shoot(page, f"tourist-eatery-dish-{lang}")
    assert errors(page) == []


# -- directions --------------------------------------------------------------------------------


def _walk(a: dict, lat: float, lon: float) -> float:
    """The page's estimate: the straight line (haversine) times 1.3."""
    rad = math.pi / 180
    d_lat, d_lon = (lat - a["latitude"]) * rad, (lon - a["longitude"]) * rad
    s = (
        math.sin(d_lat / 2) ** 2
        + math.cos(a["latitude"] * rad) * math.cos(lat * rad) * math.sin(d_lon / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(s)) * 1.3


@pytest.mark.parametrize("which", ["eatery", "station"])
def test_directions_open_google_apple_and_osm_without_a_position(tourist_page, places, which):
    page = tourist_page(locale="en-US")
    page.goto(pages(places)[which])
    ready(page)
    lon, lat = places[which]["location"]["coordinates"]
    links = page.locator(".directions a")
    expect(links.filter(has_text="Google Maps")).to_have_attribute(
        "href",
        f"https://www.google.com/maps/dir/?api=1&destination={lat},{lon}&travelmode=walking",
    )
    expect(links.filter(has_text="Apple Maps")).to_have_attribute(
        "href", f"https://maps.apple.com/?daddr={lat},{lon}&dirflg=w"
    )
    expect(links.filter(has_text="OpenStreetMap")).to_have_attribute(
        "href", f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
    )
    expect(page.locator(".directions a[href^='geo:']")).to_have_count(0)
    expect(page.locator(".directions .walk")).to_be_hidden()
    assert errors(page) == []


@pytest.mark.parametrize(("which", "lang"), [("eatery", "en"), ("station", "vi")])
def test_with_a_shared_position_directions_estimate_the_walk(
    tourist_page, places, which, lang, shoot
):
    page = tourist_page(locale=LOCALES[lang], geolocation=OPERA_HOUSE, permissions=["geolocation"])
    page.goto(pages(places)[which])
    ready(page)
    lon, lat = places[which]["location"]["coordinates"]
    metres = _walk(OPERA_HOUSE, lat, lon)
    minutes = max(1, round(metres / 75))
    walk = page.locator(".directions .walk")
    expect(walk).to_be_visible()
    if lang == "en":
        expect(walk).to_have_text(
            re.compile(rf"^About [\d.,]+ k?m on foot, about {minutes} min\.$")
        )
    else:
        expect(walk).to_have_text(
            re.compile(rf"^Đi bộ khoảng [\d.,]+ k?m, mất khoảng {minutes} phút\.$")
        )
    origin = f"{OPERA_HOUSE['latitude']},{OPERA_HOUSE['longitude']}"
    expect(page.locator(".directions a").filter(has_text="OpenStreetMap")).to_have_attribute(
        "href",
        "https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot"
        f"&route={origin};{lat},{lon}",
    )
    shoot(page, f"tourist-directions-{which}-{lang}")
    assert errors(page) == []


# -- accessibility -----------------------------------------------------------------------------

# What a thumb taps on the tourist pages: card names (eateries and stations), back links, the
# phone number, directions, chips.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main :is(a.button, a.chip, .card h3 a, .back a, .phone a, .directions a)')]
  .filter((el) => el.offsetParent !== null)
  .filter((el) => el.getBoundingClientRect().height < 43.5)
  .map((el) => el.outerHTML.slice(0, 160))"""


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_tourist_page_passes_axe_with_big_enough_targets(
    tourist_page, places, lang, size, shoot
):
    page = tourist_page(viewport=SIZES[size], locale=LOCALES[lang])
    for name, path in pages(places).items():
        page.goto(path)
        ready(page)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        violations = axe_violations(page)
        assert violations == [], f"{name}: {json.dumps(violations, indent=1, ensure_ascii=False)}"
        assert page.evaluate(SMALL_TARGETS) == [], name
        if name in ("search", "eatery", "station"):  # the targets the check is about are there
            assert page.locator(".card h3 a, .back a").count() > 0, name
        if size == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        shoot(page, f"tourist-{name}-{lang}-{size}")
    assert errors(page) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_sideways_scrolling_at_320_px_with_200_percent_text(tourist_page, places, lang, shoot):
    page = tourist_page(viewport={"width": 320, "height": 640}, locale=LOCALES[lang])
    widths = {}
    for name, path in pages(places).items():
        page.goto(path)
        ready(page)
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
        widths[name] = page.evaluate("document.documentElement.scrollWidth")
        shoot(page, f"tourist-{name}-{lang}-320-200pct")
    assert {name: w for name, w in widths.items() if w > 320} == {}
    assert errors(page) == []
