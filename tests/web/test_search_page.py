"""The tourist's search page on a phone and a desktop (issue #16): the first screen answers,
lists end and come back on Back, the night, offline and busy states say what is true."""

import re
from datetime import datetime, timedelta
from datetime import time as dt_time
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.servers import serving_in_thread
from tests.web.conftest import DESKTOP, PHONE, axe_violations, open_page
from tourism.dependencies import get_now
from tourism.main import create_app

HAI_PHONG = ZoneInfo("Asia/Ho_Chi_Minh")
# The coming night in Hai Phong (the seeded hours hold from the day they were loaded): 03:00,
# after the latest closing any test gives an eatery serving the dish (02:00, test_eateries.py).
MIDNIGHT = datetime.combine(
    datetime.now(HAI_PHONG).date() + timedelta(days=1), dt_time(3, 0), tzinfo=HAI_PHONG
)
DISH_QUERY = "banh da cua"

# Sum of the layout shifts not caused by input, from the first paint on.
CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({ type: 'layout-shift', buffered: true });
"""
SHOWN_IDS = "els => els.map((el) => Number(el.dataset.eateryId))"
# What an offline browser logs by itself (the base map's style from another origin, the fetches
# of the offline test): not a fault of the page.
OFFLINE = re.compile(r"ERR_INTERNET_DISCONNECTED|AJAXError: Failed to fetch|status of 503")


def page_errors(page) -> list[str]:
    return [error for error in page.errors if not OFFLINE.search(error)]


def ready(page) -> None:
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")


def results_ready(page) -> None:
    ready(page)
    expect(page.locator(".results")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator(".result").first).to_be_visible()


def all_hits(base: str, q: str, **params) -> list[dict]:
    """Every hit of a search, page by page, as the API gives them."""
    items, cursor = [], None
    while True:
        answer = httpx.get(
            f"{base}/api/v1/search",
            params={"q": q, "limit": 50, **params, **({"cursor": cursor} if cursor else {})},
        ).json()
        items += answer["items"]
        cursor = answer["next_cursor"]
        if not cursor:
            return items


def big_query(base: str) -> tuple[str, int]:
    """A query with more than two pages of hits, and how many."""
    for q in ("banh", "pho", "bun", "cua"):
        n = len(all_hits(base, q))
        if n > 20:
            return q, n
    pytest.fail("no seeded query has more than 20 hits")


@pytest.mark.parametrize(("locale", "lang"), [("vi-VN", "vi"), ("en-GB", "en")])
def test_the_first_screen_answers_and_show_more_ends_without_repeats(
    tourist_page, live_server, shoot, locale, lang
):
    q, total = big_query(live_server)
    page = tourist_page(PHONE, locale)
    page.add_init_script(f"localStorage.setItem('foodtour.lang', '{lang}')")
    page.goto(f"/search?q={quote(q)}")
    results_ready(page)
    assert page.evaluate("document.body.dataset.view") == "search"
    first = page.locator(".result").first.bounding_box()
    assert first["y"] < 500, f"the first result starts at {first['y']} px"
    count = page.locator(".result-count")
    expect(count).to_have_text(re.compile(rf"^{total}\+? "))
    more = page.get_by_role("button", name="Xem thêm" if lang == "vi" else "Show more")
    expect(more).to_be_visible()
    shoot(page, f"search-{lang}-01-first-screen")
    assert axe_violations(page) == []

    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/v1/search" in r.url else None)
    while more.is_visible():
        shown = page.locator(".result").count()
        more.click()
        expect(page.locator(".result")).not_to_have_count(shown)
    expect(more).to_be_hidden()
    ids = page.locator(".result").evaluate_all(SHOWN_IDS)
    assert len(ids) == len(set(ids)), "an eatery is listed twice"
    assert len(ids) == total
    expect(count).to_have_text(re.compile(rf"^{total} "))
    assert all("cursor=" in url for url in requests), "a later page was fetched without a cursor"
    shoot(page, f"search-{lang}-02-all-shown")
    assert page_errors(page) == []


def test_back_from_an_eatery_restores_the_list_and_its_scroll(tourist_page, live_server, shoot):
    q, total = big_query(live_server)
    page = tourist_page(PHONE, "en-GB")
    page.add_init_script("localStorage.setItem('foodtour.lang', 'en')")
    page.goto(f"/search?q={quote(q)}")
    results_ready(page)
    page.get_by_role("button", name="Show more").click()
    expect(page.locator(".result")).to_have_count(min(total, 40))
    card = page.locator(".result").nth(24)
    card.scroll_into_view_if_needed()
    scroll = page.evaluate("window.scrollY")
    assert scroll > 1000
    name = card.locator("h3 a").inner_text()
    ids = page.locator(".result").evaluate_all(SHOWN_IDS)

    card.locator("h3 a").click()
    expect(page).to_have_url(re.compile(r"/eateries/\d+(\?dish=[a-z-]+)?$"))
    ready(page)
    back = page.get_by_role("link", name="← Back to results")
    expect(back).to_be_visible()
    shoot(page, "search-en-03-eatery-from-results")

    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if "/api/v1/search" in r.url else None)
    back.click()
    expect(page).to_have_url(re.compile(rf"/search\?q={re.escape(quote(q))}$"))
    results_ready(page)
    assert page.locator(".result").evaluate_all(SHOWN_IDS) == ids
    page.wait_for_function(f"Math.abs(window.scrollY - {scroll}) < 5")
    expect(page.locator(".result").nth(24).locator("h3 a")).to_have_text(name)
    expect(page.locator(".result").nth(24)).to_be_in_viewport()
    assert searches == [], "Back fetched the list again"
    shoot(page, "search-en-04-back-where-it-was")

    # The browser's own Back does the same; an eatery opened from home offers Home.
    page.locator(".result").nth(24).locator("h3 a").click()
    ready(page)
    page.go_back()
    results_ready(page)
    page.wait_for_function(f"Math.abs(window.scrollY - {scroll}) < 5")
    assert searches == []
    page.goto(f"/eateries/{ids[0]}")
    ready(page)
    expect(page.get_by_role("link", name="← Back to results")).to_have_count(0)
    assert page_errors(page) == []


@pytest.mark.parametrize(("locale", "lang"), [("vi-VN", "vi"), ("en-GB", "en")])
def test_on_a_desktop_the_list_sits_beside_the_map_without_shifting(
    tourist_page, shoot, locale, lang
):
    page = tourist_page(DESKTOP, locale)
    page.add_init_script(f"localStorage.setItem('foodtour.lang', '{lang}')")
    page.context.add_init_script(CLS_OBSERVER)
    page.goto(f"/search?q={quote(DISH_QUERY)}&dish=banh-da-cua")
    results_ready(page)
    expect(page.locator("#map")).to_have_attribute("data-markers", re.compile(r"^[1-9]\d*$"))
    map_box = page.locator("#map").bounding_box()
    list_box = page.locator(".results").bounding_box()
    assert list_box["x"] >= map_box["x"] + map_box["width"], "the list is not beside the map"
    assert list_box["y"] < 800, "the list starts below the first screen"
    cls = page.evaluate("window.__cls")
    assert cls <= 0.1, f"cumulative layout shift {cls}"
    shoot(page, f"search-{lang}-05-desktop")
    assert axe_violations(page) == []

    # A tap on a card shows it on the map; a marker's choice marks its card.
    first = page.locator(".result").first
    first.locator(".address").click()
    expect(first).to_have_class(re.compile(r"\bselected\b"))
    assert page_errors(page) == []


def test_offline_and_busy_say_so_and_retry_without_reloading(tourist_page, shoot):
    page = tourist_page(PHONE, "vi-VN")
    page.goto(f"/search?q={quote(DISH_QUERY)}")
    results_ready(page)
    page.evaluate("window.__samePage = true")  # gone if anything reloads the page

    # Offline: a new search says the network is down, and Retry works once it is back.
    page.context.set_offline(True)
    box = page.get_by_role("combobox", name="Tìm món ăn hoặc quán")
    box.fill("nem cua")
    box.press("Enter")
    notice = page.locator(".notice[data-reason=network_down]")
    expect(notice).to_contain_text("Mất kết nối mạng")
    expect(page.locator(".result")).to_have_count(0)
    shoot(page, "search-vi-06-offline")
    page.context.set_offline(False)
    assert axe_violations(page) == []
    notice.get_by_role("button", name="Thử lại").click()
    results_ready(page)
    expect(page.locator(".result").first).to_contain_text(re.compile("nem", re.I))
    expect(notice).to_have_count(0)

    # The whole page (here an eatery's) fails offline the same way, with its own Retry.
    page.context.set_offline(True)
    page.locator(".result").first.locator("h3 a").click()
    router_notice = page.locator("main .notice[data-reason=network_down]")
    expect(router_notice).to_be_visible()
    shoot(page, "search-vi-07-offline-eatery")
    page.context.set_offline(False)
    router_notice.get_by_role("button", name="Thử lại").click()
    ready(page)
    expect(page.locator("main h1")).not_to_have_text("Không tải được trang")
    expect(page.locator(".back a")).to_have_text("← Quay lại kết quả")

    # 503: the service is busy; Retry asks again.
    busy = {"left": 1}

    def once_busy(route):
        if busy["left"]:
            busy["left"] -= 1
            route.fulfill(
                status=503,
                json={"error": {"code": "unavailable", "message": "busy", "details": []}},
            )
        else:
            route.continue_()

    page.route("**/api/v1/search*", once_busy)
    page.goto(f"/search?q={quote(DISH_QUERY)}")
    ready(page)
    notice = page.locator(".notice[data-reason=service_busy]")
    expect(notice).to_contain_text("Dịch vụ đang bận")
    shoot(page, "search-vi-08-busy")
    notice.get_by_role("button", name="Thử lại").click()
    results_ready(page)
    assert busy["left"] == 0
    assert page_errors(page) == []


@pytest.fixture(scope="module")
def midnight_server(settings, seeded):
    """The app in a thread of this process, whose clock reads 03:00 in Hai Phong."""
    app = create_app(settings, background=False)

    async def now() -> datetime:
        return MIDNIGHT

    app.dependency_overrides[get_now] = now
    with serving_in_thread(app, settings, first_port=18760) as base:
        yield base


def midnight_page(browser, base: str, lang: str):
    """An offline phone at 03:00 Hai Phong time, in `lang`."""
    page = open_page(browser, base, locale="vi-VN" if lang == "vi" else "en-GB")
    page.context.add_init_script(f"localStorage.setItem('foodtour.lang', '{lang}')")
    page.clock.set_fixed_time(MIDNIGHT)
    return page


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_at_midnight_the_empty_list_says_who_serves_it_and_when_they_open(
    browser, midnight_server, shoot, lang
):
    base = midnight_server
    serving = all_hits(base, DISH_QUERY)  # the page asks the same question
    assert serving and all_hits(base, DISH_QUERY, open_now="true") == []
    first = min(
        datetime.fromisoformat(hit["eatery"]["next_change"])
        for hit in serving
        if hit["eatery"]["next_change"]
    )
    opens = first.astimezone(HAI_PHONG).strftime("%H:%M")
    assert first.astimezone(HAI_PHONG).date() == MIDNIGHT.date()  # later the same day

    page = midnight_page(browser, base, lang)
    try:
        page.goto(f"/search?q={quote(DISH_QUERY)}&dish=banh-da-cua&open_now=true")
        ready(page)
        count = page.locator(".result-count")
        notice = page.locator(".notice-closed")
        if lang == "vi":
            expect(count).to_have_text(f"Không quán nào bán “{DISH_QUERY}” đang mở cửa lúc này.")
            expect(notice).to_contain_text(f"{len(serving)} quán bán món này")
            expect(notice).to_contain_text(f"mở cửa lúc {opens}")
            untick = notice.get_by_role("button", name="Xem cả quán đang đóng cửa")
        else:
            expect(count).to_have_text(f"No eatery serving “{DISH_QUERY}” is open right now.")
            expect(notice).to_contain_text(f"{len(serving)} eateries serve it")
            expect(notice).to_contain_text(f"the first one opens at {opens}")
            untick = notice.get_by_role("button", name="Show closed eateries too")
        shoot(page, f"search-{lang}-09-midnight-empty")
        assert axe_violations(page) == []

        untick.click()
        expect(page).not_to_have_url(re.compile("open_now"))
        results_ready(page)
        expect(page.locator("#open-now")).not_to_be_checked()
        first_card = page.locator(".result").first
        expect(first_card.locator(".next-change")).to_have_text(
            re.compile(r"^(Mở cửa lúc|Opens at) \d\d:\d\d$")
        )
        shoot(page, f"search-{lang}-10-midnight-closed-cards")
        assert page_errors(page) == []
    finally:
        page.context.close()


def test_home_chips_lead_with_english_names_in_english(tourist_page, live_server, shoot):
    page = tourist_page(PHONE, "en-GB")
    page.add_init_script("localStorage.setItem('foodtour.lang', 'en')")
    page.goto("/")
    ready(page)
    dishes = httpx.get(f"{live_server}/api/v1/dishes", params={"limit": 100}).json()["items"]
    english = {d["name_vi"]: d["name_en"] for d in dishes if d["name_en"]}
    chip = page.locator(".chip").first
    vietnamese = chip.locator(".chip-vi").inner_text()
    expect(chip).to_contain_text(english[vietnamese])
    assert chip.inner_text().startswith(english[vietnamese])
    shoot(page, "home-en-chips")
    assert axe_violations(page) == []
    assert page_errors(page) == []
