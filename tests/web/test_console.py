"""The staff console's shell, and the vendor's, operator's and account screens in a real
Chromium: a vendor changes a price and the hours with the week editor and the tourist page
shows both; the operator sees every station; a password change ends the session. axe-core
checks each screen at 360x740 and 1280x800, with the page's own Content-Security-Policy on
(axe is served from this origin by the test, never by the app). Screenshots go to
tests/artifacts/web/console-*.png.
"""

import json
import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.web.conftest import AXE, AXE_URL, DESKTOP, PHONE, open_page
from tourism.eateries.schemas import PHONE_RULE
from tourism.web.router import module_closure

ROOT = Path(__file__).resolve().parents[2]
HAI_PHONG = ZoneInfo("Asia/Ho_Chi_Minh")
SIZES = {"phone": PHONE, "desktop": DESKTOP}


# -- the shell --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address", ["/console", "/console/", "/console/vendor/eateries/1/menu", "/console/admin"]
)
async def test_every_console_address_gets_the_console_shell(client, address):
    r = await client.get(address)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-cache"
    policy = r.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "object-src 'none'" in policy
    assert "unsafe" not in policy and "frame-ancestors 'none'" in policy
    assert r.headers["x-content-type-options"] == "nosniff"
    assets = re.search(r'name="foodtour:assets" content="([^"]+)"', r.text).group(1)
    assert f'<script type="module" src="{assets}/console/app.js">' in r.text
    assert f'href="{assets}/console/console.css"' in r.text
    assert not re.search(r'(src|href)="(https?:)?//', r.text)  # nothing from another origin
    head = await client.head(address)
    assert head.status_code == 200


async def test_each_page_preloads_its_own_modules_only(client):
    tourist = (await client.get("/")).text
    console = (await client.get("/console")).text
    preloads = {
        name: set(re.findall(r'rel="modulepreload" href="/static/[^/]+/([^"]+)"', page))
        for name, page in (("tourist", tourist), ("console", console))
    }
    assert {"app.js", "views/eatery.js", "api.js"} <= preloads["tourist"]
    assert not any(m.startswith("console/") for m in preloads["tourist"])
    assert {"console/app.js", "console/ui.js", "console/vendor.js", "api.js", "i18n.js"} <= (
        preloads["console"]
    )
    assert "app.js" not in preloads["console"] and "views/search.js" not in preloads["console"]
    assert preloads["console"] == set(module_closure("console/app.js"))


async def test_the_chart_library_is_served_gzipped(client):
    page = (await client.get("/console")).text
    assets = re.search(r'name="foodtour:assets" content="([^"]+)"', page).group(1)
    for name in ("vendor/uPlot.iife.min.js", "vendor/uPlot.min.css"):
        r = await client.get(f"{assets}/{name}", headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200, f"{name}: run ./scripts/build-web.sh"
        assert r.headers["content-encoding"] == "gzip"
    assert not (ROOT / "tourism" / "web" / "static" / "vendor" / "axe.min.js").exists()


# -- the browser ------------------------------------------------------------------------------


@pytest.fixture
def open_console(browser, live_server):
    """open(viewport) -> a console page with the page's own CSP; its errors (a script error, a
    refused resource) collected in page.errors."""
    pages = []

    def open_console_page(viewport: dict = PHONE):
        # the console must still speak Vietnamese and Hai Phong's time
        page = open_page(
            browser,
            live_server,
            viewport=viewport,
            locale="en-US",
            timezone_id="Europe/Paris",
            accept_downloads=True,
        )
        pages.append(page)
        return page

    yield open_console_page
    for page in pages:
        page.context.close()


def log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/console")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập bảng điều khiển")
    form = page.locator("form.login-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Mật khẩu").fill(password)
    form.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Xin chào"))


def settle(page) -> None:
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("main .loading")).to_have_count(0)


def go(page, path: str) -> None:
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    settle(page)


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((el) => el.offsetParent !== null)
  .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
  .map((el) => el.outerHTML)"""

SMALL_TARGETS = """() => [...document.querySelectorAll(
    ':is(main, header) :is(button, select, a.button, .tabs a, nav a,'
    + ' input:not([type=checkbox]):not([type=radio]))')]
  .filter((el) => el.offsetParent !== null)
  .filter((el) => el.getBoundingClientRect().height < 43.5)
  .map((el) => el.outerHTML.slice(0, 160))"""


def check_screen(page, name: str, shoot, *, viewport: dict = PHONE) -> None:
    """No critical or serious axe-core violation; on a phone nothing wider than the screen;
    every control named and big enough to tap; then a screenshot."""
    assert AXE.is_file(), f"{AXE} is missing: npm ci --prefix web (axe-core, a devDependency)"
    settle(page)
    page.add_script_tag(url=AXE_URL)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
          .filter((v) => v.impact === 'critical' || v.impact === 'serious')
          .map((v) => ({id: v.id, help: v.help,
                        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' '))}))"""
    )
    assert violations == [], f"{name}: {json.dumps(violations, indent=1, ensure_ascii=False)}"
    assert page.evaluate(UNLABELLED) == [], name
    assert page.evaluate(SMALL_TARGETS) == [], name
    if viewport is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    shoot(page, f"console-{name}")


def api(live_server: str, method: str, path: str, who: dict | None = None, **kwargs):
    headers = who["headers"] if who else {}
    return httpx.request(method, f"{live_server}/api/v1{path}", headers=headers, **kwargs)


# -- the vendor -------------------------------------------------------------------------------


def _approved_review(live_server: str, people, eatery: int, text: str) -> int:
    """A review of `eatery` by a fresh tourist, approved by the moderator."""
    email = f"khach-{secrets.token_hex(4)}@example.vn"
    account = {"email": email, "password": "bánh-đa-cua-2026", "display_name": "Khách Huế"}
    assert api(live_server, "POST", "/auth/register", json=account).status_code == 201
    token = api(
        live_server,
        "POST",
        "/auth/token",
        data={"username": email, "password": account["password"]},
    ).json()["access_token"]
    tourist = {"headers": {"Authorization": f"Bearer {token}"}}
    r = api(
        live_server,
        "POST",
        f"/eateries/{eatery}/reviews",
        tourist,
        json={"rating": 4, "text": text},
    )
    assert r.status_code == 201, r.text
    decided = api(
        live_server,
        "POST",
        f"/moderation/reviews/{r.json()['id']}/decision",
        people["moderator"],
        json={"action": "approve"},
    )
    assert decided.status_code == 200, decided.text
    return r.json()["id"]


@pytest.fixture
def owner_eatery(people, live_server):
    """The owner vendor's eatery, put back as it was (hours, phone, status, menu) afterwards:
    other tests read it."""
    owner = people["owner"]
    eatery = owner["eatery"]
    answer = api(live_server, "GET", f"/vendor/eateries/{eatery}/menu", owner)
    assert answer.status_code == 200, answer.text
    menu = answer.json()["items"]
    before = api(live_server, "GET", f"/eateries/{eatery}").json()
    yield eatery
    api(
        live_server,
        "PUT",
        f"/vendor/eateries/{eatery}/menu",
        owner,
        json={
            "items": [
                {"dish": i["dish"], "price_vnd": i["price_vnd"], "available": i["available"]}
                for i in menu
            ]
        },
    )
    api(
        live_server,
        "PATCH",
        f"/vendor/eateries/{eatery}",
        owner,
        json={
            "opening_hours": before["opening_hours"],
            "phone": before["phone"],
            "status": before["status"],
        },
    )


def test_a_vendor_changes_a_price_and_the_hours_and_the_tourist_page_shows_both(
    people, open_console, live_server, owner_eatery, shoot
):
    owner = people["owner"]
    eatery = owner_eatery
    # the menu the session made it with (tests/conftest.py), whatever earlier tests changed
    start = [("banh-da-cua", 40000), ("nem-cua-be", 25000), ("bun-ca-cay", 45000)]
    items = [{"dish": dish, "price_vnd": price} for dish, price in start]
    reset = api(live_server, "PUT", f"/vendor/eateries/{eatery}/menu", owner, json={"items": items})
    assert reset.status_code == 200, reset.text
    name = api(live_server, "GET", f"/eateries/{eatery}").json()["name_vi"]
    tag = secrets.token_hex(3)
    _approved_review(live_server, people, eatery, f"Bánh đa cua ngon, quán sạch. {tag}")
    page = open_console(PHONE)

    # 1. Log in: the vendor's home, with only the vendor's screens.
    log_in(page, owner["email"])
    nav = page.get_by_role("navigation", name="Các mục")
    # on a phone the brand is the way home
    expect(nav.get_by_role("link")).to_have_text(["Quán của tôi", "Mã QR của tôi"])
    expect(page.locator(".home-card").first).to_contain_text(re.compile(r"Quán của tôi\s*1"))
    check_screen(page, "vendor-01-home", shoot)

    # 2. Their eateries, with status.
    nav.get_by_role("link", name="Quán của tôi").click()
    settle(page)
    card = page.locator(".eatery-card").filter(has_text=name)
    expect(card.locator(".status-badge")).to_have_text("Đang hoạt động")
    check_screen(page, "vendor-02-eateries", shoot)
    card.get_by_role("link", name="Thông tin và giờ mở cửa").click()
    settle(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    editor = page.locator(".hours-editor")
    expect(editor.locator(".osm-written")).to_have_text("Mo-Su 06:00-22:00")
    expect(editor.locator(".hours-preview tr")).to_have_count(7)  # the server's reading

    # 3. A value the parser refuses: the server's sentence beside the field, no parser dump.
    editor.get_by_text("Nâng cao: cú pháp OpenStreetMap").click()
    osm = editor.get_by_label("Giờ mở cửa theo cú pháp opening_hours")
    osm.fill("every day 9 to 5")
    error = editor.locator(".field-error")
    expect(error).to_have_text(re.compile(r"\w+.*\."))
    expect(error).not_to_contain_text("expected")
    expect(osm).to_have_attribute("aria-invalid", "true")
    monday = editor.get_by_role("combobox", name="Thứ Hai", exact=True)
    expect(monday).to_be_disabled()  # the grid cannot show it
    shoot(page, "console-vendor-03-hours-invalid")
    osm.fill("Mo-Su 06:00-22:00")
    expect(error).to_be_empty()
    expect(monday).to_be_enabled()

    # 4. The week editor: Monday closed, Friday 17:00-02:00 (past midnight), Saturday the
    #    same as Friday, closed on public holidays.
    monday.select_option("closed")
    editor.get_by_label("Thứ Sáu, khung 1: mở lúc").fill("17:00")
    editor.get_by_label("Thứ Sáu, khung 1: đóng lúc").fill("02:00")
    friday_box = editor.get_by_role("group", name="Thứ Sáu", exact=True)
    expect(friday_box.locator(".overnight")).to_have_text("đến hôm sau")
    editor.get_by_role("button", name="Giống Thứ Sáu").click()
    editor.get_by_role("combobox", name="Ngày lễ", exact=True).select_option("closed")
    written = "Tu-Th,Su 06:00-22:00, Fr,Sa 17:00-02:00; PH off"
    expect(editor.locator(".osm-written")).to_have_text(written)
    expect(osm).to_have_value(written)
    friday = editor.locator(".hours-preview tr").nth(4)
    expect(friday).to_contain_text("17:00–02:00")
    expect(editor.locator(".hours-preview tr").nth(0)).to_contain_text("Nghỉ")

    # 5. A failed save keeps what was typed and says why beside the field.
    phone_box = page.get_by_label("Điện thoại")
    phone_box.fill("gọi tôi")
    page.get_by_role("button", name="Lưu thay đổi").click()
    phone_field = page.locator('[data-field="phone"]')
    # the rule in words, in the console's language (the API's message), not a pattern
    expect(phone_field.locator(".field-error")).to_have_text(PHONE_RULE.vi)
    expect(phone_box).to_be_focused()
    expect(osm).to_have_value(written)
    check_screen(page, "vendor-04-details-error", shoot)
    phone_box.fill("0225 3842 123")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator("#toasts")).to_contain_text("Đã lưu.")
    expect(phone_field.locator(".field-error")).to_be_empty()
    saved = api(live_server, "GET", f"/eateries/{eatery}").json()
    assert (saved["opening_hours"], saved["phone"]) == (written, "0225 3842 123")

    # 6. The menu: a price formatted as typed, a price out of range said beside it, a dish
    #    found without diacritics, one marked unavailable, saved in one request.
    page.get_by_role("navigation", name="Các trang của quán").get_by_role(
        "link", name="Thực đơn"
    ).click()
    settle(page)
    row = page.locator(".menu-row").filter(has_text="Bánh đa cua")
    price = row.get_by_label("Giá Bánh đa cua")
    price.fill("")
    price.press_sequentially("52000", delay=30)
    expect(price).to_have_value("52.000")
    nem = page.get_by_label("Giá Nem cua bể")
    nem.fill("12000000")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.method) if r.url.endswith("/menu") else None)
    page.get_by_role("button", name="Lưu thực đơn").click()
    nem_field = page.locator('.menu-row[data-dish="nem-cua-be"] .field .field-error')
    expect(nem_field).to_have_text("Giá phải lớn hơn 0 ₫ và không quá 10.000.000 ₫.")
    expect(nem).to_be_focused()
    assert "PUT" not in requests
    nem.fill("30000")
    search = page.get_by_label("Tìm trong danh mục món")
    search.fill("banh mi cay")
    page.get_by_role("button", name="Thêm Bánh mì cay").click()
    added = page.get_by_label("Giá Bánh mì cay")
    expect(added).to_be_focused()
    added.press_sequentially("15000", delay=30)
    expect(added).to_have_value("15.000")
    page.locator(".menu-row").filter(has_text="Bún cá cay").get_by_label(
        "Còn bán Bún cá cay"
    ).uncheck()
    expect(page.locator(".save-bar .dirty")).to_have_text("Có thay đổi chưa lưu.")
    page.get_by_role("button", name="Lưu thực đơn").click()
    expect(page.locator("#toasts")).to_contain_text("Đã lưu thực đơn.")
    assert requests.count("PUT") == 1

    # 7. The price history of a dish, as a chart with its figures as a table.
    row = page.locator(".menu-row").filter(has_text="Bánh đa cua")
    row.get_by_role("button", name="Lịch sử giá Bánh đa cua").click()
    chart = row.locator("figure.chart")
    expect(chart.locator("figcaption")).to_have_text("Giá Bánh đa cua theo thời gian")
    expect(chart.locator(".chart-plot canvas")).to_have_count(1)
    expect(chart.locator("table tbody tr").last.locator("td")).to_have_text("52.000 ₫")
    row.scroll_into_view_if_needed()
    check_screen(page, "vendor-05-menu", shoot)

    # 8. Reviews, newest first, with the public reply.
    page.get_by_role("navigation", name="Các trang của quán").get_by_role(
        "link", name="Đánh giá"
    ).click()
    settle(page)
    review = page.locator(".review").filter(has_text=tag)
    review.get_by_label("Trả lời công khai").fill(f"Cảm ơn bạn đã ghé quán! {tag}")
    review.get_by_role("button", name="Gửi trả lời").click()
    expect(page.locator("#toasts")).to_contain_text("Đã lưu câu trả lời.")
    expect(review.get_by_role("button", name="Cập nhật trả lời")).to_be_visible()
    check_screen(page, "vendor-06-reviews", shoot)

    # 9. The tourist page shows the new price, the new hours and the reply (read in Vietnamese:
    # a first visit from this en-US browser would be in English).
    page.evaluate("localStorage.setItem('foodtour.lang', 'vi')")
    page.goto(f"/eateries/{eatery}")
    menu = page.locator(".menu li")
    expect(menu.filter(has_text="Bánh đa cua").locator(".price")).to_have_text("52.000 ₫")
    expect(menu.filter(has_text="Bánh mì cay").locator(".price")).to_have_text("15.000 ₫")
    expect(menu.filter(has_text="Bún cá cay")).to_contain_text("Tạm hết")
    hours = page.locator("table.hours tr")
    expect(hours.nth(0)).to_contain_text("Nghỉ")
    expect(hours.nth(4)).to_contain_text("17:00–02:00")
    expect(hours.nth(5)).to_contain_text("17:00–02:00")
    expect(page.locator(".review").filter(has_text=tag)).to_contain_text("Cảm ơn bạn đã ghé quán!")
    shoot(page, "console-vendor-07-tourist-page")

    # 10. Temporarily closed until a day: the status says so (the fixture reopens it).
    go(page, f"/console/vendor/eateries/{eatery}")
    page.get_by_role("radio", name="Tạm đóng cửa").check()
    until = page.get_by_label("Đóng cửa đến hết ngày (nếu đã biết)")
    expect(until).to_be_visible()
    last_day = (datetime.now(HAI_PHONG) + timedelta(days=3)).date()
    until.fill(last_day.isoformat())
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator("#toasts")).to_contain_text("Đã lưu.")
    expect(page.locator(".status-badge")).to_have_text(re.compile(r"^Tạm đóng đến "))
    mine = api(live_server, "GET", "/vendor/eateries", owner).json()["items"]
    assert [(e["status"], e["closed_until"]) for e in mine if e["id"] == eatery] == [
        ("temporarily_closed", last_day.isoformat())
    ]
    assert page.errors == []


def test_a_vendor_sees_their_qr_codes_with_scans_and_downloads_posters(
    people, open_console, live_server, shoot, tmp_path
):
    owner = people["owner"]
    made = api(
        live_server,
        "POST",
        "/qr-codes",
        owner,
        json={
            "target": {"kind": "eatery", "id": owner["eatery"]},
            "campaign": f"quay-{secrets.token_hex(2)}",
            "placement": "Quầy thu ngân",
        },
    )
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    assert httpx.get(f"{live_server}/q/{code}").status_code == 302  # one scan today
    page = open_console(DESKTOP)
    log_in(page, owner["email"])
    page.get_by_role("navigation", name="Các mục").get_by_role("link", name="Mã QR của tôi").click()
    settle(page)
    card = page.locator(".qr-card").filter(has_text="Quầy thu ngân")
    expect(card.locator("figcaption")).to_have_text(re.compile(r"\(1 lượt\)$"))
    expect(card.locator(".chart-plot canvas")).to_have_count(1)
    with page.expect_download() as png:
        card.get_by_role("button", name="Tải PNG").click()
    assert png.value.suggested_filename == f"qr-{code}.png"
    path = tmp_path / "qr.png"
    png.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as pdf:
        card.get_by_role("button", name="Áp phích PDF A4").click()
    pdf.value.save_as(tmp_path / "qr.pdf")
    assert (tmp_path / "qr.pdf").read_bytes()[:5] == b"%PDF-"
    check_screen(page, "vendor-08-qr-desktop", shoot, viewport=DESKTOP)
    # English, by the switch: the screen is drawn again in it
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My QR codes")
    expect(card.locator("figcaption")).to_have_text("Scans per day, last 30 days (1 in all)")
    expect(page.get_by_role("button", name="Tiếng Việt")).to_be_visible()
    page.evaluate("localStorage.removeItem('foodtour.lang')")
    assert page.errors == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_vendor_screen_passes_axe(people, open_console, shoot, size):
    owner = people["owner"]
    eatery = owner["eatery"]
    page = open_console(SIZES[size])
    log_in(page, owner["email"])
    check_screen(page, f"vendor-home-{size}", shoot, viewport=SIZES[size])
    for slug, path in (
        ("eateries", "/console/vendor"),
        ("details", f"/console/vendor/eateries/{eatery}"),
        ("menu", f"/console/vendor/eateries/{eatery}/menu"),
        ("reviews", f"/console/vendor/eateries/{eatery}/reviews"),
        ("qr", "/console/vendor/qr"),
        ("account", "/console/account"),
        ("not-allowed", "/console/admin"),
    ):
        go(page, path)
        if slug == "menu":
            page.locator(".menu-row").first.get_by_role(
                "button", name=re.compile("^Lịch sử giá")
            ).click()
            expect(page.locator(".menu-row figure.chart").first).to_be_visible()
            page.get_by_label("Tìm trong danh mục món").fill("nem")
        check_screen(page, f"vendor-{slug}-{size}", shoot, viewport=SIZES[size])
    assert page.errors == []


def test_a_vendor_opening_another_roles_screen_gets_not_allowed(people, open_console):
    page = open_console(PHONE)
    log_in(page, people["owner"]["email"])
    for path in (
        "/console/admin",
        "/console/admin/users",
        "/console/operator",
        "/console/moderation",
    ):
        go(page, path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Không có quyền truy cập")
    go(page, f"/console/vendor/eateries/{people['other_vendor']['eatery']}")
    expect(page.get_by_role("alert")).to_have_text(re.compile("không thuộc tài khoản của bạn"))
    go(page, "/console/no/such/page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    assert page.errors == []


def test_a_tourist_in_the_console_is_sent_to_the_tourist_site(people, open_console, shoot):
    page = open_console(PHONE)
    log_in(page, people["tourist"]["email"])
    expect(page.get_by_text(re.compile("^Bảng điều khiển dành cho chủ quán"))).to_be_visible()
    expect(page.get_by_role("link", name="Tới trang cho du khách")).to_have_attribute("href", "/")
    expect(page.get_by_role("navigation", name="Các mục")).to_be_hidden()
    check_screen(page, "tourist-home", shoot)
    go(page, "/console/vendor")
    expect(page.get_by_role("heading", level=1)).to_have_text("Không có quyền truy cập")
    assert page.errors == []


# -- the week editor's OSM round trip ---------------------------------------------------------

ROUND_TRIP = [
    "Mo-Su 06:00-22:00",
    "Mo-Fr 06:00-14:00; Sa,Su 07:00-22:00",
    "Tu-Th,Su 06:00-22:00, Fr,Sa 17:00-02:00; PH off",
    "Mo,We,Fr 10:00-14:00,17:00-21:00",
    "24/7",
    "24/7; PH off",
    "off",
    "Mo-Fr 00:00-24:00; Sa 08:00-12:00; PH 08:00-12:00",
    "Mo-Th 10:00-22:00, Fr,Sa 17:00-02:00",
]
# Values the grid reads, written its own way.
NORMALISED = {
    "06:00-22:00": "Mo-Su 06:00-22:00",
    "Mo-Su 06:00-22:00; Su off": "Mo-Sa 06:00-22:00",
    "Sa-Mo 10:00-12:00": "Mo,Sa,Su 10:00-12:00",
    "Mo-Su 17:00-26:00": "Mo-Su 17:00-02:00",
    "Mo-Su 00:00-24:00": "24/7",
    "Su,PH off; Mo-Sa 8:00-20:00": "Mo-Sa 08:00-20:00; PH off",
    "Mo-Su 06:00-22:00, Fr,Sa 17:00-02:00": "Mo-Th,Su 06:00-22:00, Fr,Sa 06:00-22:00,17:00-02:00",
}
# Values only the advanced box can hold.
ADVANCED = [
    "Jan-Mar Mo-Fr 08:00-12:00",
    "Mo-Fr 08:00-12:00 || Sa 10:00-11:00",
    "sunrise-sunset",
    "Mo-Fr 08:00-18:00, We off",
    'Mo-Fr 08:00-12:00 "by appointment"',
]


def test_the_week_editor_round_trips_what_it_can_show(open_console):
    page = open_console(PHONE)
    page.goto("/console")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    result = page.evaluate(
        """async ([same, normalised, advanced]) => {
          const assets = document.querySelector('meta[name="foodtour:assets"]').content;
          const { parseHours, formatHours } = await import(`${assets}/console/hours-editor.js`);
          return {
            same: same.map((v) => formatHours(parseHours(v))),
            normalised: Object.keys(normalised).map((v) => formatHours(parseHours(v))),
            advanced: advanced.map((v) => parseHours(v)),
          };
        }""",
        [ROUND_TRIP, NORMALISED, ADVANCED],
    )
    assert result["same"] == ROUND_TRIP
    assert result["normalised"] == list(NORMALISED.values())
    assert result["advanced"] == [None] * len(ADVANCED)


# -- the operator -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_operator_sees_every_station_and_sorts_them(
    people, open_console, live_server, shoot, size
):
    operator = people["operator"]
    health = api(live_server, "GET", "/operator/stations", operator, params={"limit": 100})
    assert health.status_code == 200, health.text
    stations = health.json()["items"]
    page = open_console(SIZES[size])
    log_in(page, operator["email"])
    nav = page.get_by_role("navigation", name="Các mục")
    home = ["Trang chính"] if size == "desktop" else []
    expect(nav.get_by_role("link")).to_have_text([*home, "Tình trạng trạm xe đạp"])
    check_screen(page, f"operator-01-home-{size}", shoot, viewport=SIZES[size])
    nav.get_by_role("link", name="Tình trạng trạm xe đạp").click()
    settle(page)
    table = page.get_by_role("table", name="Các trạm xe đạp công cộng")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(stations))
    by_id = {s["station_id"]: s for s in stations}
    first = rows.first
    station = by_id[first.get_attribute("data-station")]
    # the worst state first, said in words
    states = {
        "ok": "Bình thường",
        "stale": "Quá hạn",
        "never_reported": "Chưa báo cáo",
        "empty": "Hết xe",
        "full": "Đầy chỗ",
    }
    expect(first.locator(".state-badge")).to_contain_text(states[station["state"]])
    # sort by bikes, fewest first, then most first
    header = table.get_by_role("columnheader", name=re.compile("^Xe"))
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    bikes = [
        None if c == "–" else int(c) for c in rows.locator("td:nth-child(3)").all_inner_texts()
    ]
    known = [b for b in bikes if b is not None]
    assert known == sorted(known)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    bikes = [int(c) for c in rows.locator("td:nth-child(3)").all_inner_texts() if c != "–"]
    assert bikes == sorted(bikes, reverse=True)
    # the counts and a refresh
    for state, n in health.json()["counts"].items():
        expect(page.locator(".state-counts li").filter(has_text=states[state])).to_contain_text(
            str(n)
        )
    page.get_by_role("button", name="Làm mới").click()
    expect(page.locator("#toasts")).to_contain_text("Đã cập nhật.")
    expect(header).to_have_attribute("aria-sort", "descending")  # the refresh keeps the sort
    check_screen(page, f"operator-02-stations-{size}", shoot, viewport=SIZES[size])
    assert page.errors == []


# -- every account ----------------------------------------------------------------------------


def test_a_password_change_ends_the_session_and_the_new_one_logs_in(
    people, open_console, live_server, shoot
):
    email = f"van-hanh-{secrets.token_hex(3)}@example.vn"
    made = api(
        live_server,
        "POST",
        "/admin/users",
        people["admin"],
        json={"email": email, "password": PASSWORD, "display_name": "Vận hành", "role": "operator"},
    )
    assert made.status_code == 201, made.text
    page = open_console(PHONE)
    log_in(page, email)
    old_token = page.evaluate("JSON.parse(localStorage.getItem('foodtour.session')).token")
    page.get_by_role("link", name="Đổi mật khẩu").first.click()
    settle(page)
    form = page.locator("main form")
    # the wrong current password: the API's message beside that field, the rest kept
    form.get_by_label("Mật khẩu hiện tại").fill("không-phải-mật-khẩu-này")
    form.get_by_label("Mật khẩu mới", exact=True).fill("xe-đạp-công-cộng-2026")
    form.get_by_label("Nhập lại mật khẩu mới").fill("xe-đạp-công-cộng-2026")
    form.get_by_role("button", name="Đổi mật khẩu").click()
    current = form.locator('[data-field="current_password"] .field-error')
    expect(current).not_to_be_empty()
    expect(form.get_by_label("Mật khẩu mới", exact=True)).to_have_value("xe-đạp-công-cộng-2026")
    check_screen(page, "account-01-wrong-password", shoot)
    form.get_by_label("Mật khẩu hiện tại").fill(PASSWORD)
    form.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập bảng điều khiển")
    expect(page.locator(".flash")).to_have_text(
        "Đã đổi mật khẩu. Hãy đăng nhập lại bằng mật khẩu mới."
    )
    assert "xe-đạp" not in page.url and PASSWORD not in page.url
    check_screen(page, "account-02-logged-out", shoot)
    headers = {"Authorization": f"Bearer {old_token}"}
    assert httpx.get(f"{live_server}/api/v1/auth/me", headers=headers).status_code == 401
    log_in(page, email, "xe-đạp-công-cộng-2026")
    assert page.errors == []
