"""The staff console's moderation and department screens in a real Chromium, end to end.

A moderator clears reviews (keyboard, reasons, bulk) and the ratings and the authors' "my
reviews" follow; the department creates a vendor, a dish and an eatery, hands the eatery to the
vendor, and search finds the dish without diacritics; an admin disables a tourist whose token
then answers 401; a QR campaign is made, downloaded, counted, exported and turned off; the audit
log shows who did what. axe-core checks every screen at 360x740 and 1280x800. Screenshots go to
tests/artifacts/web/console-*.png.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import PHONE

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "tourism" / "web" / "static" / "i18n"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "bánh-đa-cua-2026"
DISH_NAME = "Bánh khoai Cát Hải"  # a dish the seeds do not have
DISH_SLUG = "banh-khoai-cat-hai"


# -- accounts and sessions --------------------------------------------------------------------


@pytest.fixture(scope="module")
def make_user(settings, live_server):
    """An account of any role, made the way the first admin is (`foodtour create-user`), and
    logged in through the API: {id, email, password, token, headers, display_name, role}."""
    env = {
        **os.environ,
        "TOURISM_DATABASE_URL": settings.database_url,
        "TOURISM_ENVIRONMENT": "test",
        "TOURISM_SECRET_KEY": settings.secret_key.get_secret_value(),
    }

    def make(role: str, name: str, eateries: tuple[int, ...] = ()) -> dict:
        email = f"{role}-{secrets.token_hex(4)}@example.vn"
        command = [sys.executable, "-m", "tourism.cli", "create-user", "--email", email]
        command += ["--password", PASSWORD, "--role", role, "--name", name]
        for eatery in eateries:
            command += ["--eatery", str(eatery)]
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return log_in(live_server, email)

    return make


def log_in(live_server: str, email: str, password: str = PASSWORD) -> dict:
    r = httpx.post(
        f"{live_server}/api/v1/auth/token", data={"username": email, "password": password}
    )
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    me = httpx.get(f"{live_server}/api/v1/auth/me", headers=headers).json()
    return {**me, "email": email, "password": password, "token": token, "headers": headers}


@pytest.fixture(scope="module")
def admin(make_user) -> dict:
    return make_user("admin", "Sở Du lịch")


@pytest.fixture(scope="module")
def moderator(make_user) -> dict:
    return make_user("moderator", "Kiểm duyệt viên")


@pytest.fixture
def console(browser, live_server):
    """open(user, viewport) -> a page of the console logged in as `user` (the session the
    login form would store), its errors collected in page.errors."""
    contexts = []

    def open_as(user: dict, viewport: dict = PHONE):
        context = browser.new_context(
            base_url=live_server,
            viewport=viewport,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            is_mobile=viewport is PHONE,
            has_touch=viewport is PHONE,
            bypass_csp=True,  # axe-core is injected as an inline script
            accept_downloads=True,
        )
        contexts.append(context)
        session = {
            "token": user["token"],
            "expiresAt": int(time.time() * 1000) + 3_600_000,
            "user": {k: user[k] for k in ("id", "display_name", "role")},
        }
        context.add_init_script(
            "if (!localStorage.getItem('foodtour.session')) "
            f"localStorage.setItem('foodtour.session', {json.dumps(json.dumps(session))});"
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on(
            "console",
            lambda m: (
                page.errors.append(m.text)
                if m.type == "error" and "Failed to load resource" not in m.text
                else None
            ),
        )
        return page

    yield open_as
    for context in contexts:
        context.close()


def go(page, path: str) -> None:
    """Open a console address and wait until its screen has loaded what it loads."""
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    settle(page)


def settle(page) -> None:
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("main .loading")).to_have_count(0)


UNLABELLED = """() => [...document.querySelectorAll('main :is(input, select, textarea, button)')]
  .filter((el) => el.offsetParent !== null)
  .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
  .map((el) => el.outerHTML)"""

SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main :is(button:not(.link), select, a.button, input:not([type=checkbox]):not([type=radio]))')]
  .filter((el) => el.offsetParent !== null)
  .filter((el) => el.getBoundingClientRect().height < 43.5)
  .map((el) => el.outerHTML.slice(0, 120))"""


def check_screen(page, name: str, shoot, *, phone: bool) -> None:
    """axe-core finds nothing critical or serious; on a phone nothing is wider than the
    screen; every control has a name and is big enough to tap; a screenshot."""
    assert AXE.is_file(), f"{AXE} is missing: npm ci --prefix web (axe-core is a devDependency)"
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
          .filter((v) => v.impact === 'critical' || v.impact === 'serious')
          .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' '))}))"""
    )
    assert violations == [], f"{name}: {json.dumps(violations, indent=1, ensure_ascii=False)}"
    assert page.evaluate(UNLABELLED) == [], name
    assert page.evaluate(SMALL_TARGETS) == [], name
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    shoot(page, f"console-{name}")


# -- the moderator ----------------------------------------------------------------------------


def post_review(live_server: str, author: dict, eatery_id: int, rating: int, text: str) -> int:
    r = httpx.post(
        f"{live_server}/api/v1/eateries/{eatery_id}/reviews",
        headers=author["headers"],
        json={"rating": rating, "text": text},
    )
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


def eatery_ids(live_server: str, q: str) -> list[int]:
    hits = httpx.get(f"{live_server}/api/v1/search", params={"q": q}).json()["items"]
    return [hit["eatery"]["id"] for hit in hits]


def my_reviews(live_server: str, author: dict) -> dict[int, dict]:
    r = httpx.get(f"{live_server}/api/v1/reviews/mine", headers=author["headers"])
    return {review["id"]: review for review in r.json()["items"]}


def review_card(page, text: str):
    """The queue's card for a review, loading more of the queue until it shows."""
    card = page.locator(".mod-item").filter(has_text=text)
    for _ in range(20):
        if card.count():
            break
        more = page.get_by_role("button", name="Xem thêm đánh giá")
        if not more.is_visible():
            break
        more.click()
        page.wait_for_timeout(300)
    expect(card).to_have_count(1)
    return card


def test_a_moderator_approves_and_rejects_and_the_site_follows(
    console, live_server, make_user, moderator, shoot
):
    tag = secrets.token_hex(3)
    first, second = eatery_ids(live_server, "banh da cua")[:2]
    before = httpx.get(f"{live_server}/api/v1/eateries/{first}").json()
    fan, critic, c, d = (make_user("tourist", f"Khách {n}") for n in ("Lan", "Minh", "Hà", "Tú"))
    good = post_review(live_server, fan, first, 5, f"Nước dùng ngọt, cua nhiều. {tag}-tot")
    bad = post_review(live_server, critic, first, 1, f"Mua ngay tại shop X giảm giá. {tag}-xau")
    bulk = [
        post_review(live_server, c, second, 4, f"Ngon, rẻ, đông khách. {tag}-c"),
        post_review(live_server, d, second, 3, f"Tạm được, hơi mặn. {tag}-d"),
    ]

    page = console(moderator)
    go(page, "/console/moderation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm duyệt đánh giá")
    expect(page.get_by_text(re.compile("^Phím tắt: j/k"))).to_be_visible()
    card = review_card(page, f"{tag}-tot")
    expect(card).to_contain_text("Khách Lan")
    expect(card.locator(".mod-history")).to_contain_text("bị từ chối")  # the author's history
    expect(card.get_by_role("link", name=re.compile(before["name_vi"]))).to_have_attribute(
        "href", f"/eateries/{first}"
    )
    card.scroll_into_view_if_needed()
    shoot(page, "console-mod-01-queue")

    # 1. Approve with the keyboard: j/k move between reviews, "a" approves the one in focus.
    card.locator(".mod-text").click()
    expect(card).to_be_focused()
    page.keyboard.press("j")
    expect(card).not_to_be_focused()
    expect(page.locator(".mod-item:focus")).to_have_class(re.compile(r"\bis-current\b"))
    page.keyboard.press("k")
    expect(card).to_be_focused()
    page.keyboard.press("a")
    expect(page.locator(".mod-item").filter(has_text=f"{tag}-tot")).to_have_count(0)
    expect(page.locator("#toasts")).to_contain_text("Đã duyệt")

    # 2. Reject: "r" goes to the reason, which is required (said beside the field).
    card = review_card(page, f"{tag}-xau")
    card.locator(".mod-text").click()
    page.keyboard.press("r")
    reason = card.get_by_label("Lý do (tác giả sẽ thấy)")
    expect(reason).to_be_focused()
    expect(card).to_contain_text("Bắt buộc khi từ chối.")
    reason.press("Enter")
    expect(card.locator(".field-error")).to_have_text("Hãy chọn hoặc viết lý do trước.")
    expect(reason).to_have_attribute("aria-invalid", "true")
    shoot(page, "console-mod-02-reason-required")
    card.get_by_label("Lý do mẫu").select_option("spam")
    expect(reason).to_have_value("Quảng cáo hoặc spam")
    card.get_by_role("button", name="Từ chối").click()
    expect(page.locator(".mod-item").filter(has_text=f"{tag}-xau")).to_have_count(0)

    # 3. Bulk approve a selection, one request each, with the progress said.
    for text in (f"{tag}-c", f"{tag}-d"):
        review_card(page, text).locator(".mod-select").check()
    button = page.locator("#mod-approve-selected")
    expect(button).to_have_text(re.compile(r"\(2\)"))
    button.click()
    expect(page.locator(".mod-progress")).to_have_text("Đã duyệt 2 đánh giá.")
    for text in (f"{tag}-c", f"{tag}-d"):
        expect(page.locator(".mod-item").filter(has_text=text)).to_have_count(0)
    shoot(page, "console-mod-03-bulk-approved")

    # What the site shows now: the rating counts the approved review, not the rejected one.
    after = httpx.get(f"{live_server}/api/v1/eateries/{first}").json()
    assert after["rating_count"] == before["rating_count"] + 1
    assert after["rating_histogram"]["5"] == before["rating_histogram"]["5"] + 1
    assert after["rating_histogram"]["1"] == before["rating_histogram"]["1"]
    assert my_reviews(live_server, fan)[good]["status"] == "approved"
    rejected = my_reviews(live_server, critic)[bad]
    assert (rejected["status"], rejected["moderation_reason"]) == (
        "rejected",
        "Quảng cáo hoặc spam",
    )
    assert [
        my_reviews(live_server, who)[r]["status"] for who, r in zip((c, d), bulk, strict=True)
    ] == [
        "approved",
        "approved",
    ]
    public = httpx.get(f"{live_server}/api/v1/eateries/{first}/reviews").json()["items"]
    assert any(f"{tag}-tot" in (r["text"] or "") for r in public)
    assert not any(f"{tag}-xau" in (r["text"] or "") for r in public)

    # 4. The flagged queue: a review with a link waits there with its automatic flag.
    linker = make_user("tourist", "Khách Quảng Cáo")
    post_review(live_server, linker, second, 5, f"Xem thêm tại http://example.com/{tag}")
    page.get_by_role("link", name=re.compile("^Bị báo cáo")).click()
    settle(page)
    expect(page).to_have_url(re.compile(r"status=flagged"))
    flagged = review_card(page, f"example.com/{tag}")
    expect(flagged).to_contain_text("Tự động: có đường link")
    flagged.scroll_into_view_if_needed()
    shoot(page, "console-mod-04-flagged")

    # 5. Disable that author: after a confirmation, its waiting review leaves the queue and its
    # token stops working.
    flagged.get_by_role("button", name="Khoá tài khoản Khách Quảng Cáo").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Khoá tài khoản Khách Quảng Cáo?")
    dialog.get_by_role("button", name="Khoá tài khoản").click()
    expect(page.locator("#toasts")).to_contain_text("Đã khoá tài khoản Khách Quảng Cáo")
    settle(page)
    expect(page.locator(".mod-item").filter(has_text=f"example.com/{tag}")).to_have_count(0)
    assert httpx.get(f"{live_server}/api/v1/auth/me", headers=linker["headers"]).status_code == 401
    assert page.errors == []


# -- the department ---------------------------------------------------------------------------


def test_the_department_adds_a_dish_and_an_eatery_for_a_vendor(console, live_server, admin, shoot):
    page = console(admin)
    vendor_email = f"quan-{secrets.token_hex(3)}@example.vn"

    # 1. A vendor account, made in the console.
    go(page, "/console/admin/users")
    form = page.locator("form.admin-form")
    form.get_by_label("Tên hiển thị").fill("Quán Bánh Khoai")
    form.get_by_label("Email").fill(vendor_email)
    form.get_by_label("Mật khẩu ban đầu").fill("ngan")  # too short: the API says so beside it
    form.get_by_label("Vai trò").select_option("vendor")
    form.get_by_role("button", name="Tạo tài khoản").click()
    password_field = form.locator('[data-field="password"]')
    expect(password_field.locator(".field-error")).not_to_be_empty()
    expect(form.get_by_label("Email")).to_have_value(vendor_email)  # kept
    shoot(page, "console-admin-01-account-error")
    form.get_by_label("Mật khẩu ban đầu").fill(PASSWORD)
    form.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator("#toasts")).to_contain_text("Đã tạo tài khoản Quán Bánh Khoai")
    vendor = log_in(live_server, vendor_email)
    assert vendor["role"] == "vendor"

    # 2. A dish: a failed save keeps what was typed and says which field is wrong.
    go(page, "/console/admin/dishes/new")
    form = page.locator("form.dish-form")
    form.get_by_label("Tên tiếng Việt").fill(DISH_NAME)
    form.get_by_label("Tên tiếng Anh").fill("Cat Hai taro cake")
    form.get_by_label("Tên gọi khác").fill("bánh khoai môn, khoai chiên Cát Hải")
    form.get_by_label("Giới thiệu tiếng Việt").fill("Bánh khoai môn chiên giòn của đảo Cát Hải.")
    form.get_by_role("button", name="Tạo món").click()  # no category yet
    expect(form.locator('[data-field="category"] .field-error')).not_to_be_empty()
    expect(form.get_by_label("Tên tiếng Việt")).to_have_value(DISH_NAME)
    shoot(page, "console-admin-02-dish-error")
    form.get_by_label("Nhóm món").select_option("street_snack")
    form.get_by_role("button", name="Tạo món").click()
    expect(page).to_have_url(re.compile(f"/console/admin/dishes/{DISH_SLUG}$"))
    settle(page)
    dish = httpx.get(f"{live_server}/api/v1/dishes/{DISH_SLUG}").json()
    assert dish["aliases"] == ["bánh khoai môn", "khoai chiên Cát Hải"]
    assert dish["category"] == "street_snack"
    form = page.locator("form.dish-form")
    form.get_by_label("Giới thiệu tiếng Anh").fill("Crisp fried taro cakes from Cat Hai island.")
    form.get_by_role("button", name="Lưu").click()
    expect(page.locator("#toasts")).to_contain_text("Đã lưu.")
    dish = httpx.get(f"{live_server}/api/v1/dishes/{DISH_SLUG}").json()
    assert dish["description_en"] == "Crisp fried taro cakes from Cat Hai island."

    # 3. An eatery: a position outside Vietnam is refused beside the position.
    go(page, "/console/admin/eateries/new")
    form = page.locator("form.eatery-form")
    form.get_by_label("Tên tiếng Việt").fill("Bánh khoai cô Hạnh")
    form.get_by_label("Tên tiếng Anh").fill("Ms Hanh's taro cakes")
    form.get_by_label("Loại quán").select_option("street_food")
    form.get_by_label("Địa chỉ").fill("15 Cầu Đất, Ngô Quyền")
    form.get_by_label("Quận/huyện").fill("Ngô Quyền")
    form.get_by_label("Điện thoại").fill("0225 3123 456")
    map_box = form.locator("#eatery-map")
    expect(map_box.locator("canvas.maplibregl-canvas, .map-fallback")).to_be_visible()
    if map_box.get_attribute("data-state") != "unavailable":  # the map sets the two numbers
        canvas = map_box.locator("canvas.maplibregl-canvas")
        for _ in range(20):  # a click before the map has loaded places nothing
            canvas.click()
            if form.get_by_label("Vĩ độ").input_value():
                break
            page.wait_for_timeout(250)
        expect(form.get_by_label("Vĩ độ")).to_have_value(re.compile(r"^20\.8\d+$"))
        expect(form.get_by_label("Kinh độ")).to_have_value(re.compile(r"^106\.6\d+$"))
    form.get_by_label("Vĩ độ").fill("48.8584")
    form.get_by_label("Kinh độ").fill("2.2945")
    form.locator(".hours-editor details.advanced summary").click()
    form.locator(".hours-editor input.osm-input").fill("Mo-Su 14:00-21:00")
    form.get_by_role("button", name="Tạo quán").click()
    expect(form.locator('[data-field="location"] > .field-error')).not_to_be_empty()
    expect(form.get_by_label("Tên tiếng Việt")).to_have_value("Bánh khoai cô Hạnh")
    shoot(page, "console-admin-03-eatery-outside-vietnam")
    form.get_by_label("Vĩ độ").fill("20.8561")
    form.get_by_label("Kinh độ").fill("106.6942")
    form.get_by_role("button", name="Tạo quán").click()
    expect(page).to_have_url(re.compile(r"/console/admin/eateries/\d+$"))
    settle(page)
    eatery_id = int(page.url.rsplit("/", 1)[1])
    eatery = httpx.get(f"{live_server}/api/v1/eateries/{eatery_id}").json()
    assert eatery["location"]["coordinates"] == pytest.approx([106.6942, 20.8561])
    assert eatery["opening_hours"] == "Mo-Su 14:00-21:00"
    shoot(page, "console-admin-04-eatery-saved")

    # ...and edited: closed for the holidays until a day, then open again.
    form = page.locator("form.eatery-form")
    form.get_by_label("Tình trạng", exact=True).select_option("temporarily_closed")
    until = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=10)).isoformat()
    form.get_by_label("Đóng cửa đến hết ngày").fill(until)
    with page.expect_response(lambda r: r.request.method == "PATCH") as saved:
        form.get_by_role("button", name="Lưu").click()
    assert saved.value.json()["closed_until"] == until
    expect(page.locator("#toasts")).to_contain_text("Đã lưu.")
    eatery = httpx.get(f"{live_server}/api/v1/eateries/{eatery_id}").json()
    assert (eatery["status"], eatery["open_now"]) == ("temporarily_closed", False)
    form.get_by_label("Tình trạng", exact=True).select_option("active")
    expect(form.get_by_label("Đóng cửa đến hết ngày")).to_be_hidden()
    with page.expect_response(lambda r: r.request.method == "PATCH") as saved:
        form.get_by_role("button", name="Lưu").click()
    assert saved.value.ok
    assert httpx.get(f"{live_server}/api/v1/eateries/{eatery_id}").json()["status"] == "active"

    # 4. Hand it to the vendor, picked by a search without diacritics.
    go(page, f"/console/admin/users?q={vendor_email}")
    card = page.locator(".admin-item").filter(has_text=vendor_email)
    card.get_by_role("button", name=re.compile("^Quán được quản lý")).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Tìm quán").fill("banh khoai co hanh")
    dialog.get_by_role("button", name="Thêm Bánh khoai cô Hạnh").click()
    shoot(page, "console-admin-05-assign")
    dialog.get_by_role("button", name="Lưu").click()
    expect(dialog).to_have_count(0)
    expect(card).to_contain_text("quản lý 1 quán")
    mine = httpx.get(f"{live_server}/api/v1/vendor/eateries", headers=vendor["headers"]).json()
    assert [e["id"] for e in mine["items"]] == [eatery_id]

    # 5. The vendor serves the dish; search finds both, typed without diacritics.
    r = httpx.post(
        f"{live_server}/api/v1/vendor/eateries/{eatery_id}/menu",
        headers=vendor["headers"],
        json={"dish": DISH_SLUG, "price_vnd": 25000},
    )
    assert r.status_code in (200, 201), r.text
    suggest = httpx.get(f"{live_server}/api/v1/search/suggest", params={"q": "banh khoai cat"})
    assert DISH_SLUG in [s["slug"] for s in suggest.json()["items"] if s["kind"] == "dish"]
    hits = httpx.get(f"{live_server}/api/v1/search", params={"q": "banh khoai cat hai"}).json()
    found = {h["eatery"]["id"]: [d["slug"] for d in h["dishes"]] for h in hits["items"]}
    assert DISH_SLUG in found.get(eatery_id, [])
    assert page.errors == []


def test_an_admin_disables_a_tourist_whose_token_stops_at_once(
    console, live_server, make_user, admin, shoot
):
    tourist = make_user("tourist", "Khách Phá Rối")
    me = f"{live_server}/api/v1/auth/me"
    assert httpx.get(me, headers=tourist["headers"]).status_code == 200
    page = console(admin, DESKTOP)
    go(page, "/console/admin/users")
    page.get_by_label("Tìm theo email hoặc tên").fill(tourist["email"])
    page.get_by_label("Vai trò").first.select_option("tourist")
    page.get_by_role("button", name="Tìm", exact=True).click()
    settle(page)
    card = page.locator(".admin-item").filter(has_text=tourist["email"])
    expect(card).to_contain_text("Đang hoạt động")
    card.get_by_role("button", name=re.compile("^Khoá")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Khoá tài khoản Khách Phá Rối?")
    shoot(page, "console-admin-06-disable-confirm")
    dialog.get_by_role("button", name="Khoá").click()
    expect(card).to_contain_text("Đã khoá")
    expect(card.get_by_role("button", name=re.compile("^Mở khoá"))).to_be_visible()
    assert httpx.get(me, headers=tourist["headers"]).status_code == 401
    r = httpx.post(
        f"{live_server}/api/v1/auth/token",
        data={"username": tourist["email"], "password": PASSWORD},
    )
    assert r.status_code == 401
    shoot(page, "console-admin-07-disabled")
    assert page.errors == []


def test_a_qr_campaign_from_code_to_csv(console, live_server, admin, shoot, tmp_path):
    campaign = f"he-{secrets.token_hex(3)}"
    page = console(admin)
    go(page, "/console/admin/qr")
    form = page.locator("form.admin-form")
    form.get_by_label("Mã dẫn tới").select_option("search")
    form.get_by_label("Từ khoá tìm kiếm").fill("bánh đa cua")
    form.get_by_label("Chiến dịch").fill(campaign)
    form.get_by_label("Nơi đặt").fill("Áp phích Nhà hát Lớn")
    form.get_by_role("button", name="Tạo mã").click()
    created = page.locator(".qr-created .qr-item")
    expect(created).to_have_count(1)
    code = created.get_attribute("data-code")
    shoot(page, "console-admin-08-qr-created")

    with page.expect_download() as download:
        created.get_by_role("button", name=f"Tải PNG {code}").click()
    png = tmp_path / "code.png"
    download.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # A second code of the campaign, for an eatery picked by a search without diacritics.
    form.get_by_label("Mã dẫn tới").select_option("eatery")
    expect(form.get_by_label("Từ khoá tìm kiếm")).to_be_hidden()
    form.get_by_label("Tìm quán").fill("banh da cua ba cu")
    form.locator(".picker-results button").first.click()
    expect(form.locator(".picker-chosen")).to_contain_text("Bánh đa cua Bà Cụ")
    form.get_by_label("Nơi đặt").fill("Bàn quán")
    form.get_by_role("button", name="Tạo mã").click()
    expect(page.locator(".qr-created .qr-item")).not_to_have_attribute("data-code", code)
    expect(page.locator(".qr-created .qr-item")).to_contain_text("Một quán")

    # Two scans of the first code from two kinds of phone.
    for agent in (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
        "Mozilla/5.0 (Linux; Android 14)",
    ):
        r = httpx.get(f"{live_server}/q/{code}", headers={"User-Agent": agent})
        assert r.status_code == 302

    page.get_by_label("Chiến dịch", exact=True).last.fill(campaign)
    page.get_by_role("button", name="Xem thống kê").click()
    settle(page)
    dashboard = page.locator(".campaign")
    expect(dashboard.locator(".campaign-totals")).to_contain_text("2 lượt quét")
    expect(dashboard.locator("figure.chart")).to_have_count(1)
    expect(dashboard.locator("table.data").last).to_contain_text(code)
    dashboard.scroll_into_view_if_needed()
    shoot(page, "console-admin-09-campaign")
    with page.expect_download() as download:
        dashboard.get_by_role("button", name="Tải CSV số lượt mỗi ngày").click()
    csv_file = tmp_path / "scans.csv"
    download.value.save_as(csv_file)
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    assert lines[0] == "date,scans"
    assert f"{today},2" in lines

    # Turned off: a scan now answers 410.
    card = page.locator(f'.admin-results .qr-item[data-code="{code}"]')
    card.get_by_role("button", name=f"Tắt mã {code}").click()
    page.get_by_role("dialog").get_by_role("button", name="Tắt mã").click()
    expect(card).to_contain_text("Đã tắt")
    assert httpx.get(f"{live_server}/q/{code}").status_code == 410

    # The same screen in English.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("QR codes and campaigns")
    expect(card).to_contain_text("Turned off")
    shoot(page, "console-admin-09b-qr-english")
    assert page.errors == []


def test_the_audit_log_says_who_changed_what(console, live_server, make_user, admin, shoot):
    tourist = make_user("tourist", "Khách Được Mở")
    for action in ("disable", "enable"):
        r = httpx.post(
            f"{live_server}/api/v1/admin/users/{tourist['id']}/{action}", headers=admin["headers"]
        )
        assert r.status_code == 200, r.text
    page = console(admin, DESKTOP)
    go(page, "/console/admin/audit")
    page.get_by_label("Loại đối tượng").select_option("user")
    page.get_by_label("Mã người thực hiện").fill(str(admin["id"]))
    page.get_by_role("button", name="Lọc").click()
    settle(page)
    entries = page.locator(".audit-entry").filter(has_text=f"#{tourist['id']}")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text("user.enable")  # newest first
    expect(entries.last).to_contain_text("user.disable")
    expect(entries.last.locator("table.audit-changes")).to_contain_text("is_active")
    expect(page).to_have_url(re.compile(rf"entity=user&actor_id={admin['id']}"))
    shoot(page, "console-admin-10-audit")
    assert page.errors == []


# -- every screen, both sizes -----------------------------------------------------------------

SCREENS = {
    "moderation-pending": "/console/moderation",
    "moderation-flagged": "/console/moderation?status=flagged",
    "users": "/console/admin/users",
    "eateries": "/console/admin/eateries",
    "eatery-new": "/console/admin/eateries/new",
    "eatery-edit": "/console/admin/eateries/{eatery}",
    "dishes": "/console/admin/dishes",
    "dish-new": "/console/admin/dishes/new",
    "dish-edit": "/console/admin/dishes/banh-da-cua",
    "qr": "/console/admin/qr",
    "audit": "/console/admin/audit",
}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_staff_screen_passes_axe(console, live_server, admin, shoot, size):
    eatery = eatery_ids(live_server, "banh da cua")[0]
    page = console(admin, PHONE if size == "phone" else DESKTOP)
    for name, path in SCREENS.items():
        go(page, path.format(eatery=eatery))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_screen(page, f"{size}-{name}", shoot, phone=size == "phone")
    assert page.errors == []


def test_a_moderator_sees_no_department_screen(console, moderator):
    page = console(moderator, DESKTOP)
    go(page, "/console")
    nav = page.locator("#console-nav")
    expect(nav.get_by_role("link", name=re.compile("^Đánh giá chờ duyệt"))).to_be_visible()
    expect(nav.get_by_role("link", name="Tài khoản")).to_have_count(0)
    expect(page.locator(".home-card").first.locator(".home-count")).to_have_text(re.compile(r"\d"))
    go(page, "/console/admin/users")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Tài khoản")
    assert page.errors == []
