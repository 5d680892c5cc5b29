"""The food-tour planner page (issue #17) in Chromium, on a phone and a desktop, in Vietnamese
and English: the form plans, the plan is the API's own (same stops, times and prices), the map
draws it, the address is the plan (shared, Back), and the empty, invalid, offline and
no-position states say what is true. The console's QR form makes a code that opens the planner.
"""

import json
import re
import secrets
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import DESKTOP, PHONE, axe_violations, open_page

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bánh-đa-cua-2026"
HAI_PHONG = ZoneInfo("Asia/Ho_Chi_Minh")
# Tomorrow in Hai Phong: a fixed start makes the page's plan and the test's the same plan.
TOMORROW = (datetime.now(HAI_PHONG) + timedelta(days=1)).date().isoformat()
LUNCH = f"{TOMORROW}T11:00"
DISHES = ["banh-da-cua", "nem-cua-be", "bun-ca-cay"]
STATION = "hp-001"  # the Opera House, by the city centre
FAR_STATION = "hp-026"  # ~7.7 km out: the planner takes a bike from there
WORDS = {
    "vi": {
        "plan": "Lên lịch",
        "now": "Đi ngay bây giờ",
        "walk": "Đi bộ",
        "bike": "Xe đạp",
        "change": "Món, giờ và điểm xuất phát",
        "not_open": "không quán nào mở trong khung giờ này",
        "empty": "Không có quán nào mở trong khung giờ này",
        "unknown_dish": "không tìm thấy món ăn có mã: khong-co-mon",
        "refused": "Không lấy được vị trí của bạn",
        "offline": "Mất kết nối mạng",
        "bikes": "{n} xe sẵn sàng",
        "docks": "{n} chỗ trả xe",
    },
    "en": {
        "plan": "Plan the tour",
        "now": "Start now",
        "walk": "Walk",
        "bike": "Bike",
        "change": "Dishes, time and start",
        "not_open": "no eatery serving it is open in this window",
        "empty": "Nothing open in this window",
        "unknown_dish": "unknown dish: khong-co-mon",
        "refused": "Your position is not available",
        "offline": "No network connection",
        "bikes": "{n} bikes available",
        "docks": "{n} free docks",
    },
}
CASES = [
    pytest.param(PHONE, "vi-VN", "vi", id="phone-vi"),
    pytest.param(DESKTOP, "en-GB", "en", id="desktop-en"),
    pytest.param(PHONE, "en-GB", "en", id="phone-en"),
    pytest.param(DESKTOP, "vi-VN", "vi", id="desktop-vi"),
]
# What an offline browser logs by itself (the base map from another origin): not the page's.
OFFLINE = re.compile(r"ERR_INTERNET_DISCONNECTED|AJAXError|Failed to fetch")
RENDERED_STOPS = """() => document.querySelector('#map')._map
  .queryRenderedFeatures({ layers: ['tour-points'] })
  .filter((f) => f.properties.kind === 'stop').length"""


def page_errors(page) -> list[str]:
    return [error for error in page.errors if not OFFLINE.search(error)]


def ready(page) -> None:
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator(".tour-result")).not_to_have_attribute("aria-busy", "true")


def open_in(tourist_page, viewport, locale, lang, **options):
    page = tourist_page(viewport, locale, **options)
    page.add_init_script(f"localStorage.setItem('foodtour.lang', '{lang}')")
    return page


def plan_for(live_server: str, page_url: str) -> dict:
    """The API's plan for the page's address: the address's parameters are the API's."""
    params = dict(parse_qsl(urlsplit(page_url).query))
    answer = httpx.get(f"{live_server}/api/v1/tours/plan", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def local_name(item: dict, lang: str) -> str:
    return (lang == "en" and item.get("name_en")) or item["name_vi"]


def hhmm(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(HAI_PHONG).strftime("%H:%M")


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " ₫"


def shown_stops(page) -> list[dict]:
    return page.locator(".tour-stop").evaluate_all(
        """items => items.map((li) => ({
          id: Number(li.dataset.eateryId),
          number: li.querySelector('.stop-number').textContent,
          name: li.querySelector('h3').textContent.replace(/\\s+/g, ' '),
          href: li.querySelector('h3 a').getAttribute('href'),
          times: [...li.querySelectorAll('.stop-times time')]
            .map((t) => [t.getAttribute('datetime'), t.textContent]),
          dishes: [...li.querySelectorAll('.stop-dishes li')]
            .map((d) => d.textContent.replace(/\\s+/g, ' ')),
        }))"""
    )


def assert_same_plan(page, plan: dict, lang: str) -> None:
    """The page lists the API's stops in order, with its times and prices, and draws them."""
    stops = plan["stops"]
    assert stops, "the plan has no stops: the seeds changed?"
    shown = shown_stops(page)
    assert [s["id"] for s in shown] == [s["eatery"]["id"] for s in stops]
    for n, (seen, stop) in enumerate(zip(shown, stops, strict=True), start=1):
        assert seen["number"] == str(n)
        assert local_name(stop["eatery"], lang) in seen["name"]
        first = stop["dishes"][0]["slug"]
        assert seen["href"] == f"/eateries/{stop['eatery']['id']}?dish={first}"
        assert seen["times"] == [
            [stop["arrive_at"], hhmm(stop["arrive_at"])],
            [stop["leave_at"], hhmm(stop["leave_at"])],
        ]
        assert len(seen["dishes"]) == len(stop["dishes"])
        for text, dish in zip(seen["dishes"], stop["dishes"], strict=True):
            assert local_name(dish, lang) in text
            assert vnd(dish["price_vnd"]) in text.replace("\xa0", " ")
    totals = page.locator(".tour-totals")
    expect(totals).to_contain_text(vnd(plan["totals"]["food_vnd"]).replace(" ", "\xa0"))
    map_box = page.locator("#map")
    expect(map_box).to_have_attribute("data-stops", str(len(stops)))
    assert page.evaluate(RENDERED_STOPS) == len(stops)


@pytest.mark.parametrize(("viewport", "locale", "lang"), CASES)
def test_pick_three_dishes_and_plan_on_foot_from_a_station(
    tourist_page, live_server, shoot, viewport, locale, lang
):
    words = WORDS[lang]
    size = "phone" if viewport is PHONE else "desktop"
    page = open_in(tourist_page, viewport, locale, lang)
    page.goto("/tours")
    ready(page)
    assert page.evaluate("document.body.dataset.view") == "tour"
    chips = page.locator(".dish-toggle")
    expect(chips.first).to_be_visible()
    # the most popular first: the seeds' two most served dishes lead
    assert set(chips.evaluate_all("els => els.slice(0, 2).map((e) => e.dataset.slug)")) == {
        "banh-da-cua",
        "nem-cua-be",
    }
    for slug in DISHES:
        chip = page.locator(f'.dish-toggle[data-slug="{slug}"]')
        chip.click()
        expect(chip).to_have_attribute("aria-pressed", "true")
    page.get_by_label(words["now"]).uncheck()
    page.locator("#tour-when").fill(LUNCH)
    page.locator('label[for="tour-mode-walk"]').click()
    page.locator("#tour-station").select_option(STATION)
    shoot(page, f"tour-{size}-{lang}-01-form")
    assert axe_violations(page) == []

    page.get_by_role("button", name=words["plan"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/tours\?dishes="))
    ready(page)
    address = dict(parse_qsl(urlsplit(page.url).query))
    assert set(address["dishes"].split(",")) == set(DISHES)
    assert address == {
        "dishes": address["dishes"],
        "minutes": "180",
        "mode": "walk",
        "start_at": f"{LUNCH}:00+07:00",
        "station_id": STATION,
    }
    assert re.search(r"\?dishes=[a-z-]+,[a-z-]+,[a-z-]+&", page.url), "a list reads a,b,c"
    plan = plan_for(live_server, page.url)
    assert_same_plan(page, plan, lang)
    assert page.locator(".leg-bike").count() == 0, "a walk has no bike leg"
    if plan["distance_source"] == "estimate":
        expect(page.locator('[data-note="estimate"]')).to_be_visible()
    shoot(page, f"tour-{size}-{lang}-02-plan")
    assert axe_violations(page) == []
    assert page_errors(page) == []

    # The address is the plan: opened elsewhere, it plans the same at once.
    shared = open_in(tourist_page, viewport, locale, lang)
    shared.goto(page.url)
    ready(shared)
    expect(shared.locator(".tour-stop").first).to_be_visible()
    assert shown_stops(shared) == shown_stops(page)
    expect(shared.locator("#map")).to_have_attribute("data-stops", str(len(plan["stops"])))
    shoot(shared, f"tour-{size}-{lang}-03-shared")
    assert page_errors(shared) == []


@pytest.mark.parametrize(("viewport", "locale", "lang"), CASES[:2])
def test_a_bike_plan_shows_pick_up_and_drop_off_and_back_returns_to_the_walk(
    tourist_page, live_server, shoot, viewport, locale, lang
):
    words = WORDS[lang]
    size = "phone" if viewport is PHONE else "desktop"
    page = open_in(tourist_page, viewport, locale, lang)
    walk_url = (
        f"/tours?dishes=banh-da-cua,bun-ca-cay&minutes=180&mode=walk"
        f"&start_at={LUNCH}:00%2B07:00&station_id={FAR_STATION}"
    )
    page.goto(walk_url)
    ready(page)
    expect(page.locator(".tour-stop").first).to_be_visible()
    assert page.locator(".leg-bike").count() == 0

    # Change the way to the bike in the form: a new address, a new plan.
    page.locator(".tour-form-box > summary").click()
    page.locator('label[for="tour-mode-bike"]').click()
    page.get_by_role("button", name=words["plan"], exact=True).click()
    expect(page).to_have_url(re.compile(r"mode=bike"))
    ready(page)
    plan = plan_for(live_server, page.url)
    bikes = [leg for leg in plan["legs"] if leg["mode"] == "bike"]
    assert bikes, "from a far station the planner bikes: the seeds changed?"
    assert_same_plan(page, plan, lang)
    leg = page.locator(".leg-bike").first
    expect(leg).to_be_visible()
    pick_up, drop_off = bikes[0]["pick_up"], bikes[0]["drop_off"]
    expect(leg.locator(".pick-up")).to_contain_text(local_name(pick_up, lang))
    expect(leg.locator(".pick-up")).to_contain_text(
        words["bikes"].format(n=pick_up["num_bikes_available"])
    )
    expect(leg.locator(".drop-off")).to_contain_text(local_name(drop_off, lang))
    expect(leg.locator(".drop-off")).to_contain_text(
        words["docks"].format(n=drop_off["num_docks_available"])
    )
    expect(leg).to_contain_text(f"{bikes[0]['minutes']} ")
    expect(page.locator("#map")).to_have_attribute("data-legs", str(len(plan["legs"])))
    shoot(page, f"tour-{size}-{lang}-04-bike")
    assert axe_violations(page) == []

    page.go_back()
    expect(page).to_have_url(re.compile(r"mode=walk"))
    ready(page)
    expect(page.locator(".tour-stop").first).to_be_visible()
    assert page.locator(".leg-bike").count() == 0
    page.go_forward()
    expect(page).to_have_url(re.compile(r"mode=bike"))
    ready(page)
    expect(page.locator(".leg-bike").first).to_be_visible()
    assert page_errors(page) == []


@pytest.mark.parametrize(("viewport", "locale", "lang"), CASES[:2])
def test_an_impossible_window_says_why_each_dish_is_missing(
    tourist_page, live_server, shoot, viewport, locale, lang
):
    words = WORDS[lang]
    size = "phone" if viewport is PHONE else "desktop"
    page = open_in(tourist_page, viewport, locale, lang)
    url = (
        f"/tours?dishes={','.join(DISHES)}&minutes=30&mode=walk"
        f"&start_at={TOMORROW}T03:00:00%2B07:00&station_id={STATION}"
    )
    page.goto(url)
    ready(page)
    plan = plan_for(live_server, page.url)
    assert plan["stops"] == []
    expect(page.get_by_role("heading", name=words["empty"])).to_be_visible()
    reasons = page.locator(".tour-uncovered li")
    expect(reasons).to_have_count(len(plan["uncovered"]))
    assert reasons.evaluate_all("els => els.map((e) => [e.dataset.slug, e.dataset.reason])") == [
        [u["slug"], u["reason"]] for u in plan["uncovered"]
    ]
    if any(u["reason"] == "not_open" for u in plan["uncovered"]):
        expect(page.locator(".tour-uncovered")).to_contain_text(words["not_open"])
    expect(page.locator(".tour-map-column")).to_be_hidden()
    shoot(page, f"tour-{size}-{lang}-05-empty")
    assert axe_violations(page) == []
    assert page_errors(page) == []


@pytest.mark.parametrize(("viewport", "locale", "lang"), CASES[:2])
def test_an_unknown_dish_in_the_address_is_named_in_words(
    tourist_page, live_server, shoot, viewport, locale, lang
):
    page = open_in(tourist_page, viewport, locale, lang)
    url = f"/tours?dishes=khong-co-mon&station_id={STATION}"
    r = httpx.get(f"{live_server}/api/v1{url.replace('/tours', '/tours/plan')}")
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "dishes"
    page.goto(url)
    ready(page)
    notice = page.locator('.tour-alert [data-reason="invalid"]')
    expect(notice.get_by_role("alert")).to_have_text(re.compile(WORDS[lang]["unknown_dish"]))
    expect(page.locator(".tour-form")).to_be_visible()  # the form, open to correct the choice
    shoot(page, f"tour-{'phone' if viewport is PHONE else 'desktop'}-{lang}-06-invalid")
    assert axe_violations(page) == []
    assert page_errors(page) == []


def test_too_short_a_tour_names_the_field(tourist_page):
    page = open_in(tourist_page, PHONE, "en-GB", "en")
    page.goto(f"/tours?dishes=banh-da-cua&minutes=5&station_id={STATION}")
    ready(page)
    alert = page.locator('.tour-alert [data-reason="invalid"]').get_by_role("alert")
    # the API's words for what is wrong, after the page's own label of the field
    expect(alert).to_have_text(
        "Time for the whole tour: Input should be greater than or equal to 30"
    )


def test_offline_the_plan_says_so_and_retries(tourist_page, shoot):
    page = open_in(tourist_page, PHONE, "vi-VN", "vi")
    page.route("**/api/v1/tours/plan*", lambda route: route.abort("internetdisconnected"))
    url = (
        f"/tours?dishes=banh-da-cua&minutes=120&mode=walk&station_id={STATION}"
        f"&start_at={LUNCH}:00%2B07:00"
    )
    page.goto(url)
    ready(page)
    notice = page.locator(".tour-alert .notice")
    expect(notice).to_contain_text(WORDS["vi"]["offline"])
    shoot(page, "tour-phone-vi-07-offline")
    assert axe_violations(page) == []
    page.unroute("**/api/v1/tours/plan*")
    notice.get_by_role("button", name="Thử lại").click()
    expect(page.locator(".tour-stop").first).to_be_visible()


def test_from_here_plans_from_the_position_or_offers_a_station(tourist_page, shoot):
    url = (
        "/tours?dishes=banh-da-cua,nem-cua-be&minutes=180&mode=walk&from=here"
        f"&start_at={LUNCH}:00%2B07:00"
    )
    here = open_in(
        tourist_page,
        PHONE,
        "vi-VN",
        "vi",
        geolocation={"latitude": 20.8579, "longitude": 106.6835},
        permissions=["geolocation"],
    )
    here.goto(url)
    ready(here)
    expect(here.locator(".tour-stop").first).to_be_visible()
    expect(here.locator(".tour-start")).to_contain_text("vị trí của bạn")

    refused = open_in(tourist_page, PHONE, "vi-VN", "vi")  # no permission: refused
    refused.goto(url)
    ready(refused)
    expect(refused.locator('[data-reason="no-position"]')).to_contain_text(WORDS["vi"]["refused"])
    expect(refused.locator("#tour-station")).to_be_visible()
    expect(refused.locator("#tour-start-station")).to_be_checked()
    shoot(refused, "tour-phone-vi-08-no-position")
    assert axe_violations(refused) == []
    assert page_errors(refused) == []


def test_the_home_page_links_to_the_planner(tourist_page):
    page = open_in(tourist_page, PHONE, "en-GB", "en")
    page.goto("/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.get_by_role("link", name="Plan a food tour").click()
    expect(page).to_have_url(re.compile(r"/tours$"))
    ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a food tour")


# -- the console's QR code for a tour ----------------------------------------------------------


@pytest.fixture
def admin_console(browser, live_server, people):
    """The console as the session's admin, logged in as the login form would leave it."""
    headers = people["admin"]["headers"]
    me = httpx.get(f"{live_server}/api/v1/auth/me", headers=headers).json()
    session = {
        "token": headers["Authorization"].removeprefix("Bearer "),
        "expiresAt": int(time.time() * 1000) + 3_600_000,
        "user": {k: me[k] for k in ("id", "display_name", "role")},
    }
    page = open_page(browser, live_server)
    page.context.add_init_script(
        f"localStorage.setItem('foodtour.session', {json.dumps(json.dumps(session))});"
    )
    yield page
    page.context.close()


def test_an_admin_makes_a_tour_qr_code_that_opens_the_planner(
    admin_console, tourist_page, live_server, shoot
):
    page = admin_console
    page.goto("/console/admin/qr")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
    form = page.locator("form.admin-form")
    form.get_by_label("Mã dẫn tới").select_option("tour")
    tour = form.locator(".tour-target")
    expect(tour).to_be_visible()
    for name in ("Bánh đa cua", "Nem cua bể"):
        tour.get_by_label(name, exact=True).check()
    tour.get_by_label("Thời gian (phút)").fill("120")
    tour.get_by_label("Đi bằng").select_option("bike")
    form.get_by_label("Chiến dịch").fill(f"tour-{secrets.token_hex(3)}")
    shoot(page, "tour-console-01-qr-form")
    assert axe_violations(page) == []
    form.get_by_role("button", name="Tạo mã").click()
    created = page.locator(".qr-created .qr-item")
    expect(created).to_have_count(1)
    code = created.get_attribute("data-code")
    shoot(page, "tour-console-02-qr-created")
    assert page.errors == []

    scan = httpx.get(f"{live_server}/q/{code}", follow_redirects=False)
    assert scan.status_code in (302, 303, 307), scan.text
    target = urlsplit(scan.headers["location"])
    assert target.path == "/tours"
    address = dict(parse_qsl(target.query))
    assert address["dishes"].split(",") == ["banh-da-cua", "nem-cua-be"]
    assert (address["minutes"], address["mode"], address["from"]) == ("120", "bike", "here")

    # The scan on a phone that shares its position: planned at once.
    phone = open_in(
        tourist_page,
        PHONE,
        "vi-VN",
        "vi",
        geolocation={"latitude": 20.8579, "longitude": 106.6835},
        permissions=["geolocation"],
    )
    with phone.expect_request(re.compile(r"/api/v1/tours/plan\?.*lat=20\.8579")) as asked:
        phone.goto(f"{target.path}?{target.query}")
    ready(phone)
    assert "mode=bike" in asked.value.url
    # planned (what is open depends on the hour the test runs: stops, or why there are none)
    expect(phone.locator("#tour-result-heading")).to_be_visible()
    expect(phone.locator('[data-reason="no-position"]')).to_have_count(0)
    shoot(phone, "tour-phone-vi-09-from-qr")
    assert page_errors(phone) == []
