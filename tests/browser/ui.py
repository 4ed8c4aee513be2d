"""What a person does in the portal, as Playwright steps: log in, open a screen, pick, click, edit the grid."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import Locator, Page, expect

from db.engine import session_scope
from db.models import DistrictMonth
from otop.clock import utc_now
from otop.demo import DEMO_PASSWORDS
from otop.entry import GridRow, load_month
from otop.fiscal import Period
from otop.i18n import period_name
from otop.locks import unlock_district_month
from otop.permissions import Actor
from otop.reporting_calendar import grant_exception
from otop.status import is_locked
from tests.browser.conftest import RUN_ENDED, Portal, run_of, wait_for_run

PROVINCE_USER = "province31"
PROVINCE_ACTOR = Actor(username=PROVINCE_USER, role="province", province_code="31")
# The last demo month: every district has producers and figures in it, and its window closed long ago.
DEMO_MONTH = Period(2568, 3)
ROW_PIXELS = 35
COOKIE = "otop_portal"
ENTRY_TITLE = "บันทึกยอดจำหน่าย OTOP"
# A page load sends two messages to the app: its first run, and the login cookie component's value.
PAGE_LOAD_MESSAGES = 2


def password_of(username: str) -> str:
    for prefix in ("district", "province"):
        if username.startswith(prefix):
            return DEMO_PASSWORDS[prefix]
    return DEMO_PASSWORDS[username]


def open_month_for_district(portal: Portal, district_code: str, period: Period = DEMO_MONTH) -> int:
    """What a province does for a late district: unlock its month if locked, and extend its entry time by a day.

    Returns the month's version, which names the entry grid on the page.
    """
    with session_scope(portal.engine(), write=True) as session:
        if is_locked(session, district_code=district_code, period=period):
            unlock_district_month(
                session=session,
                actor=PROVINCE_ACTOR,
                district_code=district_code,
                period=period,
                reason="เปิดให้อำเภอแก้ไขข้อมูล (ทดสอบในเบราว์เซอร์)",
            )
        grant_exception(
            session=session,
            actor=PROVINCE_ACTOR,
            district_code=district_code,
            period=period,
            expires_at=utc_now() + timedelta(days=1),
            reason="ทดสอบในเบราว์เซอร์",
        )
    return month_version(portal, district_code, period)


def month_version(portal: Portal, district_code: str, period: Period = DEMO_MONTH) -> int:
    with session_scope(portal.engine()) as session:
        month = session.get(DistrictMonth, (district_code, period.code))
        return month.version if month else 0


def wait_for_page_load(page: Page) -> None:
    """Wait until a freshly loaded page has settled: its first run and the run of the cookie component are over.

    A login remembered in the cookie is resumed in the second run; a login form sent while that
    run is under way can be lost.
    """
    page.wait_for_function(RUN_ENDED, arg=PAGE_LOAD_MESSAGES)


def show_login_form(page: Page, portal: Portal) -> None:
    page.goto(portal.url)
    page.locator('input[aria-label="ชื่อผู้ใช้"]').wait_for()
    wait_for_page_load(page)


def reload(page: Page, title: str) -> None:
    """Reload the page, as an officer does to see what changed, and wait for its screen to come back."""
    page.reload()
    wait_for_page_load(page)
    expect(heading(page, title)).to_be_visible()


def login(page: Page, portal: Portal, username: str) -> None:
    """Log in through the form and wait until the menu is there and the login cookie is written."""
    show_login_form(page, portal)
    page.locator('input[aria-label="ชื่อผู้ใช้"]').fill(username)
    page.locator('input[aria-label="รหัสผ่าน"]').fill(password_of(username))
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.locator('[data-testid="stSidebarNav"] a').first.wait_for()
    # The cookie that keeps the login over a reload is written on a run after the login.
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')")
    wait_for_run(page)


def open_screen(page: Page, portal: Portal, url_path: str, title: str) -> None:
    """Open a screen by its address, as a bookmark or a reload does, and wait for its title."""
    page.goto(f"{portal.url}/{url_path}")
    wait_for_page_load(page)
    expect(heading(page, title)).to_be_visible()


def go_via_menu(page: Page, title: str) -> None:
    with run_of(page):
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).click()
    expect(heading(page, title)).to_be_visible()


def heading(page: Page, title: str) -> Locator:
    return page.locator("h1").filter(has_text=title)


def widget(page: Page, key: str) -> Locator:
    """A widget by its key: Streamlit marks each keyed element's container with ``st-key-<key>``."""
    return page.locator(f".st-key-{key}")


def choose(page: Page, key: str, option: str) -> None:
    """Pick ``option`` (its exact text) in the selectbox with widget key ``key``: type it, then Enter.

    By mouse it is not reliable: when the list has to scroll the page to show an item (the chosen one
    far down the list, or the field near the bottom of the page), Streamlit 1.67's combobox closes on
    that scroll. Typing narrows the list and gives the match the keyboard focus; Enter takes it.
    """
    field = widget(page, key).get_by_role("combobox")
    if field.input_value() == option:
        return
    field.focus()
    field.press("Control+a")
    field.press_sequentially(option)
    expect(page.get_by_role("option", name=option, exact=True)).to_have_attribute("data-focused", "true")
    with run_of(page):
        field.press("Enter")
    expect(field).to_have_value(option)


def choose_radio(page: Page, key: str, option: str) -> None:
    """Pick ``option`` in the radio group with widget key ``key``."""
    choice = widget(page, key).get_by_role("radio", name=option, exact=True)
    if choice.is_checked():
        return
    with run_of(page):
        widget(page, key).locator("label").filter(has=choice).click()
    expect(choice).to_be_checked()


def click(page: Page, key: str) -> None:
    with run_of(page):
        widget(page, key).locator("button").click()


def pick_month(page: Page, key: str, period: Period) -> None:
    """The fiscal year and month pickers of pages.common.pick_period, with widget keys ``<key>_…``."""
    choose(page, f"{key}_fiscal_year", str(period.fiscal_year_be))
    choose(page, f"{key}_month", period_name(period))


def entry_grid(page: Page, district_code: str, period: Period, version: int) -> Locator:
    """The entry page's grid of one district-month as saved at ``version`` (its widget key names all three)."""
    return widget(page, f"entry_grid_{district_code}_{period.code}_v{version}")


def edit_cell(grid: Locator, column: int, row: int, value: str) -> None:
    """Type ``value`` into a body cell of a canvas grid and wait for the run the edit starts.

    Select the top-left body cell, move with the arrow keys (each step waits until the grid has
    selected the next cell: a key pressed before that is lost), open the cell's editor with
    Enter, wait for it, fill it, commit with Enter.
    """
    page = grid.page
    canvas = grid.locator('[data-testid="data-grid-canvas"]')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 10, box["y"] + ROW_PIXELS + ROW_PIXELS / 2)
    expect(_cell(grid, 0, 0)).to_have_attribute("aria-selected", "true")
    for step in range(1, column + 1):
        page.keyboard.press("ArrowRight")
        expect(_cell(grid, step, 0)).to_have_attribute("aria-selected", "true")
    for step in range(1, row + 1):
        page.keyboard.press("ArrowDown")
        expect(_cell(grid, column, step)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    editor = page.locator(".gdg-input")
    editor.wait_for()
    editor.fill(value)
    with run_of(page):
        page.keyboard.press("Enter")


def _cell(grid: Locator, column: int, row: int) -> Locator:
    return grid.locator(f"#glide-cell-{column}-{row}")


def cell_text(grid: Locator, column: int, row: int) -> str:
    """The committed value of a body cell, from the grid's accessible table (row 0 is the first body row).

    The table holds only the columns in view, like the canvas: scroll the grid first for the others.
    """
    return _cell(grid, column, row).inner_text()


def metric_value(page: Page, label: str) -> str:
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue").inner_text()


def baht(text: str) -> Decimal:
    """``฿1,234.50`` or ``1,234.5`` as a Decimal."""
    return Decimal(re.sub(r"[^0-9.\-]", "", text))


def district_actor(district_code: str) -> Actor:
    return Actor(username=f"district{district_code}", role="district", province_code="31", district_code=district_code)


def saved_row(portal: Portal, district_code: str, row: int, period: Period = DEMO_MONTH) -> GridRow:
    """Row ``row`` (0 = the first) of the district-month as the entry service reads it from the database."""
    with session_scope(portal.engine()) as session:
        grid = load_month(
            session=session, actor=district_actor(district_code), district_code=district_code, period=period
        )
    return grid.rows[row]


def open_entry_month(page: Page, portal: Portal, district_code: str, period: Period = DEMO_MONTH) -> Locator:
    """On the entry page, pick the month and return its grid (named by the month's saved version)."""
    if not heading(page, ENTRY_TITLE).is_visible():
        go_via_menu(page, ENTRY_TITLE)
    pick_month(page, "entry", period)
    grid = entry_grid(page, district_code, period, month_version(portal, district_code, period))
    grid.locator('[data-testid="data-grid-canvas"]').wait_for()
    return grid
