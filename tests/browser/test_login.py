"""Logging in through a real browser: a wrong password, a login kept across reloads and bookmarks, logout."""

from playwright.sync_api import Page, expect

from otop.config import Settings
from otop.demo import DEMO_PASSWORDS
from tests.browser.conftest import Portal, screenshot

USERNAME = "district3123"
USERNAME_FIELD = 'input[aria-label="ชื่อผู้ใช้"]'
PASSWORD_FIELD = 'input[aria-label="รหัสผ่าน"]'
COOKIE = Settings().cookie_name
# True once the app has not been running for a second: the cookie component's own reruns are over,
# so a click is not lost in a run that replaces the form.
QUIET = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app ? app.getAttribute('data-test-script-state') : null;
  const now = Date.now();
  if (state !== 'notRunning') { window.__otopQuietSince = null; return false; }
  window.__otopQuietSince = window.__otopQuietSince || now;
  return now - window.__otopQuietSince >= 1000;
}
"""


def _quiet(page: Page) -> None:
    page.wait_for_function(QUIET, polling=100, timeout=60_000)


def _submit(page: Page, password: str) -> None:
    page.locator(USERNAME_FIELD).first.wait_for(timeout=30_000)
    _quiet(page)
    page.fill(USERNAME_FIELD, USERNAME)
    page.fill(PASSWORD_FIELD, password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()


def _cookies(page: Page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


def test_a_login_is_kept_across_reloads_until_logout(portal: Portal, page: Page) -> None:
    page.goto(portal.url)
    _submit(page, "not-the-password")
    expect(page.get_by_text("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง")).to_be_visible(timeout=30_000)

    _submit(page, DEMO_PASSWORDS["district"])
    expect(page.get_by_text("เจ้าหน้าที่อำเภอ · อำเภอ")).to_be_visible(timeout=30_000)
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')", timeout=30_000)
    screenshot(page, "login-sidebar")

    page.goto(f"{portal.url}/account")
    expect(page.get_by_text(f"ชื่อผู้ใช้: {USERNAME}")).to_be_visible(timeout=30_000)
    assert page.url.endswith("/account")

    _quiet(page)
    page.get_by_role("button", name="ออกจากระบบ").click()
    # While the run after logout replaces the page, the old form can still be on it for a moment.
    page.locator(USERNAME_FIELD).first.wait_for(timeout=30_000)
    # The browser deletes the cookie from a component of the run after logout, a moment later.
    page.wait_for_function(f"() => !document.cookie.includes('{COOKIE}=')", timeout=30_000)
    assert COOKIE not in _cookies(page)
    page.reload()
    page.locator(USERNAME_FIELD).first.wait_for(timeout=30_000)
    _quiet(page)
    expect(page.locator(USERNAME_FIELD)).to_have_count(1)
    expect(page.get_by_role("button", name="ออกจากระบบ")).to_have_count(0)
