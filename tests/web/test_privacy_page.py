"""The privacy notice at /privacy (Decree 13/2023): in Vietnamese and English, reached from the
registration dialog and the footer, accessible; and deleting one's account from it.

Screenshots go to tests/artifacts/web/.
"""

import json
import secrets
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import axe_violations

DICTIONARIES = Path(__file__).resolve().parents[2] / "tourism" / "web" / "static" / "i18n"
LOCALES = {"vi": "vi-VN", "en": "en-US"}
PASSWORD = "bánh-đa-cua-2026"


def words(lang: str) -> dict[str, str]:
    return json.loads((DICTIONARIES / f"{lang}.json").read_text(encoding="utf-8"))


def ready(page) -> None:
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("main[aria-busy]")).to_have_count(0)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_privacy_notice_from_the_register_dialog(tourist_page, lang, shoot):
    w = words(lang)
    page = tourist_page(locale=LOCALES[lang])
    page.goto("/")
    ready(page)
    page.locator("#account-button").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name=w["register"]).click()
    link = dialog.get_by_role("link", name=w["privacy_register_link"])
    expect(link).to_have_attribute("href", "/privacy")
    link.click()

    expect(page.get_by_role("dialog")).to_have_count(0)  # not left in front of the notice
    expect(page).to_have_url(f"{page.url.split('/privacy')[0].rstrip('/')}/privacy")
    expect(page.locator("h1")).to_have_text(w["privacy_title"])
    expect(page.locator("h1")).to_be_focused()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert page.title().startswith(w["privacy_title"])
    main = page.locator("main")
    for key in ("privacy_controller", "privacy_item_addresses", "privacy_item_scans"):
        expect(main).to_contain_text(w[key])
    expect(main).to_contain_text(w["privacy_delete"])  # public reviews stay, as a former visitor
    assert w["former_visitor"] in w["privacy_delete"]
    # Logged out, the notice offers to log in to delete the account.
    expect(main.get_by_role("button", name=w["log_in"])).to_be_visible()
    footer = page.get_by_role("contentinfo").get_by_role("link", name=w["footer_privacy"])
    expect(footer).to_have_attribute("href", "/privacy")
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
    assert page.errors == []
    shoot(page, f"privacy-{lang}")

    # The address itself is the page: loaded directly, from the server.
    page.goto("/privacy")
    ready(page)
    expect(page.locator("h1")).to_have_text(w["privacy_title"])


def test_deleting_my_account_from_the_notice(tourist_page, live_server, shoot):
    w = words("en")
    email = f"xoa-{secrets.token_hex(4)}@example.vn"
    made = httpx.post(
        f"{live_server}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Lan"},
    )
    assert made.status_code == 201, made.text

    page = tourist_page(locale="en-US")
    page.goto("/privacy")
    ready(page)
    page.get_by_role("main").get_by_role("button", name=w["log_in"]).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(w["field_email"]).fill(email)
    dialog.get_by_label(w["field_password"]).fill(PASSWORD)
    dialog.locator("button[type=submit]").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    form = page.locator("form.delete-account")
    form.get_by_label(w["field_password"]).fill("not-my-password-1")
    form.get_by_role("button", name=w["privacy_delete_button"]).click()
    expect(form.locator(".form-error")).to_have_text(w["privacy_delete_wrong_password"])
    form.get_by_label(w["field_password"]).fill(PASSWORD)
    form.get_by_role("button", name=w["privacy_delete_button"]).click()
    expect(page.get_by_role("status").filter(has_text=w["privacy_deleted"])).to_be_visible()
    expect(page.locator("#account-button")).to_have_text(w["log_in"])  # logged out
    assert page.errors == []
    shoot(page, "privacy-deleted-en")

    login = httpx.post(
        f"{live_server}/api/v1/auth/token", data={"username": email, "password": PASSWORD}
    )
    assert login.status_code == 401
