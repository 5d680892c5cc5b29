"""The tourist's path in a real headless Chromium on a phone-sized screen, as after a QR scan.

Screenshots of every step go to tests/artifacts/web/.
"""

import re
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import expect

PRICE = re.compile(r"\d{1,3}(\.\d{3})+\s₫")  # 45.000 ₫, the Vietnamese way
PASSWORD = "bánh-đa-cua-2026"


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((el) => el.offsetParent !== null || el.closest('dialog[open]'))
  .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
  .map((el) => el.outerHTML)"""


def fits_a_phone(page) -> None:
    """Nothing wider than the screen, and every visible control has a name."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(UNLABELLED) == []


def tourist(live_server: str) -> dict:
    """A fresh tourist account, made through the API as the register form would."""
    email = f"khach-{secrets.token_hex(4)}@example.vn"
    r = httpx.post(
        f"{live_server}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Khách Pháp"},
    )
    assert r.status_code == 201, r.text
    return {"email": email, "password": PASSWORD}


def test_a_tourist_from_a_qr_code_searches_opens_reviews_and_reads_english(
    phone, live_server, shoot
):
    page = phone
    # A visitor who chose Vietnamese on an earlier visit: an en-US browser's first visit is in
    # English (tests/web/test_tourist_pages.py), a choice made on the switch is kept.
    page.add_init_script(
        "localStorage.setItem('foodtour.lang', localStorage.getItem('foodtour.lang') || 'vi')"
    )
    # 1. The QR code's address, campaign parameters and all.
    page.goto("/search?q=banh%20da%20cua&utm_source=qr&utm_medium=qr&utm_campaign=pho-co")
    first = page.locator(".result").first
    expect(first.locator(".dish-line")).to_contain_text("Bánh đa cua")
    expect(first.locator(".dish-line .price")).to_have_text(PRICE)
    expect(page.locator("h1")).to_have_text("Kết quả cho “banh da cua”")
    assert "utm_" not in page.url  # not carried into links the tourist shares
    expect(page.locator("#map")).to_have_attribute("data-markers", re.compile(r"^[1-9]\d*$"))
    fits_a_phone(page)
    shoot(page, "01-search-banh-da-cua")

    # 2. Type, wait for the suggestions, pick one with the keyboard.
    box = page.get_by_role("combobox", name="Tìm món ăn hoặc quán")
    box.fill("")
    box.press_sequentially("nem cua", delay=60)
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    names = page.locator('[role="option"] .suggestion-name')
    expect(names.first).to_be_visible()
    shoot(page, "02-suggestions-nem-cua")
    kinds = page.locator('[role="option"]').evaluate_all("els => els.map(e => e.className)")
    index = next(
        i
        for i, (text, kind) in enumerate(zip(names.all_inner_texts(), kinds, strict=True))
        if text == "Nem cua bể" and "suggestion-dish" in kind
    )
    for _ in range(index + 1):
        box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", f"suggestion-{index}")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=Nem\+cua\+b%E1%BB%83&dish=nem-cua-be$"))
    expect(page.locator(".result").first.locator(".dish-line")).to_contain_text("Nem cua bể")
    expect(page.locator(".result").first.locator(".price")).to_have_text(PRICE)
    shoot(page, "03-results-nem-cua-be")

    # 3. The eatery: this week's hours with Hai Phong's today marked, and the menu with prices.
    name = page.locator(".result h3 a").first.inner_text().split("\n")[0]
    page.locator(".result h3 a").first.click()
    expect(page.locator("h1")).to_contain_text(name)
    expect(page).to_have_url(re.compile(r"/eateries/\d+(\?dish=[a-z-]+)?$"))
    hours = page.locator("table.hours tr")
    expect(hours).to_have_count(7)
    today = page.locator('table.hours tr[aria-current="date"]')
    expect(today).to_have_count(1)
    weekdays = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
    hai_phong_today = weekdays[datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).weekday()]
    expect(today.locator("th")).to_contain_text(f"{hai_phong_today} (hôm nay)")
    expect(page.locator(".menu li").filter(has_text="Nem cua bể").locator(".price")).to_have_text(
        PRICE
    )
    expect(page.locator(".directions .coords")).to_have_text(re.compile(r"^20\.\d+, 106\.\d+$"))
    expect(page.locator(".directions a[href^='https://www.google.com/maps/dir/']")).to_have_count(1)
    expect(page.locator(".stations .card").first).to_contain_text(re.compile(r"\d+ xe sẵn sàng"))
    fits_a_phone(page)
    shoot(page, "04-eatery-hours-menu")

    # 4. Log in as a tourist, rate the eatery and a dish, and see the review wait for a moderator.
    account = tourist(live_server)
    page.locator(".write-review").get_by_role("button", name="Đăng nhập").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Email").fill(account["email"])
    dialog.get_by_label("Mật khẩu").fill(account["password"])
    dialog.get_by_role("button", name="Đăng nhập").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#account-name")).to_have_text("Khách Pháp")
    form = page.locator("form.review-form")
    form.get_by_role("radio", name="4 trên 5 sao").check()
    form.get_by_text("Chấm điểm từng món").click()
    form.get_by_label("Nem cua bể").select_option("5")
    form.get_by_label("Nhận xét của bạn").fill("Nem giòn, nhân cua nhiều. Sẽ quay lại!")
    form.get_by_role("button", name="Gửi đánh giá").click()
    status = page.locator(".review-status")
    expect(status).to_have_text("Đánh giá của bạn đang chờ kiểm duyệt.")
    expect(form.get_by_role("button", name="Cập nhật đánh giá")).to_be_visible()
    fits_a_phone(page)
    shoot(page, "05-review-pending")
    token = page.evaluate("JSON.parse(localStorage.getItem('foodtour.session')).token")
    mine = httpx.get(
        f"{live_server}/api/v1/reviews/mine", headers={"Authorization": f"Bearer {token}"}
    ).json()["items"]
    assert [(r["status"], r["rating"], r["dish_ratings"]) for r in mine] == [
        ("pending", 4, {"nem-cua-be": 5})
    ]

    # 5. English, by the switch; remembered on the next visit.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Opening hours this week")).to_be_visible()
    expect(page.locator(".review-status")).to_have_text("Your review is pending moderation.")
    expect(page.locator('table.hours tr[aria-current="date"] th')).to_contain_text("(today)")
    expect(page.locator(".menu .price").first).to_have_text(PRICE)  # still 30.000 ₫
    page.reload()
    expect(page.get_by_role("heading", name="Menu")).to_be_visible()
    expect(page.get_by_role("button", name="Tiếng Việt")).to_be_visible()
    shoot(page, "06-english")
    assert page.errors == []


def test_register_then_near_me_shows_distances(browser, live_server, shoot):
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 360, "height": 740},
        geolocation={"latitude": 20.8577, "longitude": 106.6839},  # the Opera House
        permissions=["geolocation"],
        locale="vi-VN",  # a first visit speaks the browser's language
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Hôm nay ăn gì ở Hải Phòng?")
    page.get_by_role("button", name="Đăng nhập").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Đăng ký").click()
    dialog.get_by_label("Tên hiển thị").fill("Du khách")
    dialog.get_by_label("Email").fill(f"moi-{secrets.token_hex(4)}@example.vn")
    dialog.get_by_label("Mật khẩu").fill("ngắn")
    dialog.get_by_role("button", name="Đăng ký").click()
    # too short: the browser says so before anything is sent
    assert dialog.get_by_label("Mật khẩu").evaluate("input => input.validity.tooShort")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Mật khẩu").fill(PASSWORD)
    dialog.get_by_role("button", name="Đăng ký").click()
    expect(page.locator("#account-name")).to_have_text("Du khách")

    page.goto("/search?q=banh%20mi%20cay")
    first = page.locator(".result").first
    expect(first.locator(".distance")).to_have_text(re.compile(r"^\d+ m$|^\d+,\d km$"))
    expect(page.get_by_role("button", name="Đang dùng vị trí của bạn")).to_be_visible()
    page.get_by_label("Sắp xếp").select_option("distance")
    expect(page).to_have_url(re.compile(r"sort=distance"))
    distances = page.locator(".result .distance").all_inner_texts()
    metres = [
        float(d.replace(" km", "").replace(",", ".")) * 1000
        if "km" in d
        else float(d.replace(" m", ""))
        for d in distances
    ]
    assert metres == sorted(metres) and len(metres) > 1
    shoot(page, "07-near-me-by-distance")
    context.close()
