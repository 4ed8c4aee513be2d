"""The main journeys in a real browser, in the order of issue 8: entry, locks, dashboard, Excel out and in,
bad input, access. Each journey works on a district of its own, so they pass in any order.

The demo's months are long closed, so each journey first does what a province does for a late district
(otop.reporting_calendar.grant_exception, after unlocking the month if it is locked): this keeps the
journeys independent of today's date, where the month open for entry would be empty until synced.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Download, Page, expect
from sqlalchemy import func, select

from db.engine import session_scope
from db.models import AuditEvent, District, MonthlySale
from otop.config import get_settings
from otop.exports import RT1_FIRST_CHANNEL_INDEX, RT1_PRODUCER_ID_HEADER
from otop.fiscal import round_periods
from tests.browser import ui
from tests.browser.conftest import Portal, run_of, screenshot

DOMESTIC_OFFLINE = 5
DOMESTIC_ONLINE = 6
ENTRY = ui.ENTRY_TITLE
LOCKS = "ตรวจสอบและล็อกข้อมูล"
PROVINCE_DASHBOARD = "แดชบอร์ดจังหวัด"
REPORTS = "รายงานและส่งออก Excel"
SAVED = "บันทึกเมื่อ"


def _district_name(portal: Portal, district_code: str) -> str:
    with session_scope(portal.engine()) as session:
        district = session.get(District, district_code)
        assert district is not None
        return district.name_th


def _audit_changes(portal: Portal, district_code: str, producer_id: int, field: str) -> list[tuple[str, str, str]]:
    with session_scope(portal.engine()) as session:
        events = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.district_code == district_code,
                AuditEvent.period == ui.DEMO_MONTH.code,
                AuditEvent.producer_id == producer_id,
                AuditEvent.field == field,
                AuditEvent.action == "update_cell",
            )
            .order_by(AuditEvent.id)  # type: ignore[arg-type]
        ).all()
        return [(event.actor, event.old_value or "", event.new_value or "") for event in events]


def _sales_total(portal: Portal, *conditions: object) -> Decimal:
    channels = (
        MonthlySale.domestic_offline
        + MonthlySale.domestic_online
        + MonthlySale.export_offline
        + MonthlySale.export_online
    )
    with session_scope(portal.engine()) as session:
        return Decimal(session.scalar(select(func.coalesce(func.sum(channels), 0)).where(*conditions)))


def _save(page: Page) -> None:
    ui.click(page, "entry_save")
    expect(page.get_by_test_id("stAlert").filter(has_text=SAVED)).to_be_visible()


def _entry_excel_panel(page: Page) -> None:
    # Opening an expander is drawn by the browser alone: no run to wait for.
    page.get_by_text("Excel: ดาวน์โหลดแบบ รต.1").click()
    ui.widget(page, "entry_excel_download").wait_for()


def _download(page: Page, key: str) -> Download:
    with page.expect_download() as download:
        ui.widget(page, key).get_by_role("button").click()
    return download.value


def _workbook(download: Download, **options: bool) -> Workbook:
    # The download is kept under a name without an extension, which openpyxl refuses to open by name.
    return load_workbook(io.BytesIO(download.path().read_bytes()), **options)


def _filled_rt1(download: Download, fill: Callable[[Workbook, int, int], None], path: Path) -> Path:
    """The downloaded form with ``fill(workbook, first_data_row, first_channel_column)`` applied, saved at ``path``."""
    workbook = _workbook(download)
    sheet = workbook.active
    header_row = next(row[0].row for row in sheet.iter_rows() if RT1_PRODUCER_ID_HEADER in [c.value for c in row])
    first_data_row = next(
        row for row in range(header_row + 1, sheet.max_row + 1) if isinstance(sheet.cell(row, 2).value, int)
    )
    fill(workbook, first_data_row, RT1_FIRST_CHANNEL_INDEX + 1)
    workbook.save(path)
    return path


def _upload(page: Page, district_code: str, path: Path) -> None:
    uploader = page.locator(f'[class*="st-key-entry_excel_{district_code}_{ui.DEMO_MONTH.code}_file_"]')
    with run_of(page):
        uploader.locator('input[type="file"]').set_input_files(path)


def test_officer_edits_two_cells_and_saves(portal: Portal, page: Page) -> None:
    district_code = "3102"
    version = ui.open_month_for_district(portal, district_code)
    first, second = ui.saved_row(portal, district_code, 0), ui.saved_row(portal, district_code, 1)
    new_first, new_second = first.domestic_offline + Decimal("1234.5"), second.domestic_online + Decimal("250")

    ui.login(page, portal, f"district{district_code}")
    grid = ui.open_entry_month(page, portal, district_code)
    screenshot(page, "entry-grid")
    ui.edit_cell(grid, DOMESTIC_OFFLINE, 0, str(new_first))
    expect(page.get_by_test_id("stMetric").filter(has_text="ช่องที่ยังไม่บันทึก")).to_contain_text("1")
    ui.edit_cell(grid, DOMESTIC_ONLINE, 1, str(new_second))
    expect(page.get_by_test_id("stMetric").filter(has_text="ช่องที่ยังไม่บันทึก")).to_contain_text("2")
    _save(page)

    saved_message = page.get_by_test_id("stAlert").filter(has_text=SAVED).inner_text()
    assert re.search(r"บันทึกเมื่อ \d{1,2} \S+ 25\d\d เวลา \d\d:\d\d น\. \(แก้ไข 2 ช่อง\)", saved_message)
    grid = ui.entry_grid(page, district_code, ui.DEMO_MONTH, version + 1)
    assert ui.baht(ui.cell_text(grid, DOMESTIC_OFFLINE, 0)) == new_first
    assert ui.baht(ui.cell_text(grid, DOMESTIC_ONLINE, 1)) == new_second
    screenshot(page, "entry-grid-saved")

    assert ui.saved_row(portal, district_code, 0).domestic_offline == new_first
    assert ui.saved_row(portal, district_code, 1).domestic_online == new_second
    officer = f"district{district_code}"
    assert _audit_changes(portal, district_code, first.producer_id, "domestic_offline")[-1] == (
        officer,
        str(first.domestic_offline),
        str(new_first),
    )
    assert _audit_changes(portal, district_code, second.producer_id, "domestic_online")[-1] == (
        officer,
        str(second.domestic_online),
        str(new_second),
    )


def test_director_locks_then_unlocks_a_district_and_the_officer_can_save_again(
    portal: Portal, open_page: Callable[[], Page]
) -> None:
    district_code = "3103"
    name = _district_name(portal, district_code)
    ui.open_month_for_district(portal, district_code)
    officer, director = open_page(), open_page()
    ui.login(officer, portal, f"district{district_code}")
    ui.open_entry_month(officer, portal, district_code)
    expect(ui.widget(officer, "entry_save")).to_be_visible()

    ui.login(director, portal, ui.PROVINCE_USER)
    ui.go_via_menu(director, LOCKS)
    ui.pick_month(director, "locks", ui.DEMO_MONTH)
    ui.choose(director, "locks_district", f"{name} ({district_code})")
    ui.click(director, "locks_lock_district")
    expect(director.get_by_test_id("stAlert").filter(has_text=f"ล็อกข้อมูลอำเภอ{name}")).to_be_visible()
    screenshot(director, "locks-page")

    ui.reload(officer, ENTRY)
    grid = ui.open_entry_month(officer, portal, district_code)
    locked = officer.get_by_test_id("stAlert").filter(has_text="อ่านอย่างเดียว")
    expect(locked).to_contain_text(f"ถูกล็อกโดย {ui.PROVINCE_USER} เมื่อ")
    assert re.search(r"เมื่อ \d{1,2} \S+ 25\d\d เวลา \d\d:\d\d น\.", locked.inner_text())
    expect(ui.widget(officer, "entry_save")).to_have_count(0)
    expect(grid.locator(f"#glide-cell-{DOMESTIC_OFFLINE}-0")).to_have_attribute("aria-readonly", "true")
    screenshot(officer, "entry-grid-locked")

    locked_note = director.get_by_test_id("stAlert").filter(has_text=f"อำเภอ{name} ล็อกแล้วโดย {ui.PROVINCE_USER}")
    expect(locked_note).to_be_visible()
    reason = ui.widget(director, "locks_unlock_district_reason").locator("textarea")
    reason.fill("อำเภอขอแก้ไขยอดของกลุ่มผู้ผลิตที่รายงานผิด")
    with run_of(director):
        reason.press("Control+Enter")
    ui.click(director, "locks_unlock_district")
    expect(director.get_by_test_id("stAlert").filter(has_text=f"ปลดล็อกข้อมูลอำเภอ{name}")).to_be_visible()

    ui.reload(officer, ENTRY)
    grid = ui.open_entry_month(officer, portal, district_code)
    before = ui.saved_row(portal, district_code, 0).domestic_offline
    ui.edit_cell(grid, DOMESTIC_OFFLINE, 0, str(before + 100))
    _save(officer)
    assert ui.saved_row(portal, district_code, 0).domestic_offline == before + 100
    with session_scope(portal.engine()) as session:
        unlock = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.district_code == district_code, AuditEvent.action == "unlock")
            .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
        ).first()
    assert unlock is not None and unlock.actor == ui.PROVINCE_USER
    assert "อำเภอขอแก้ไขยอด" in (unlock.detail or "")


def test_province_dashboard_shows_the_new_running_total_after_a_save(
    portal: Portal, open_page: Callable[[], Page]
) -> None:
    district_code = "3104"
    name = _district_name(portal, district_code)
    ui.open_month_for_district(portal, district_code)
    round_one = [period.code for period in round_periods(ui.DEMO_MONTH.fiscal_year_be, 1)]
    running_before = _sales_total(
        portal,
        MonthlySale.district_code == district_code,
        MonthlySale.period.in_(round_one),  # type: ignore[attr-defined]
    )
    officer, director = open_page(), open_page()
    ui.login(officer, portal, f"district{district_code}")
    grid = ui.open_entry_month(officer, portal, district_code)
    before = ui.saved_row(portal, district_code, 0).domestic_offline
    ui.edit_cell(grid, DOMESTIC_OFFLINE, 0, str(before + 50_000))
    _save(officer)

    director.set_viewport_size({"width": 1920, "height": 1080})
    ui.login(director, portal, ui.PROVINCE_USER)
    ui.go_via_menu(director, PROVINCE_DASHBOARD)
    screenshot(director, "dashboard-province")
    director.get_by_role("tab", name="ตารางเป้าหมาย").click()
    table = director.locator('[role="tabpanel"]:visible [data-testid="stDataFrame"]').first
    table.locator("#glide-cell-0-0").wait_for(state="attached")
    headers = table.locator("th").all_inner_texts()
    actual_column = next(index for index, text in enumerate(headers) if text.startswith("ยอดจำหน่าย ต.ค.–มี.ค."))
    names = [table.locator(f"#glide-cell-1-{row}").inner_text() for row in range(23)]
    shown = ui.baht(ui.cell_text(table, actual_column, names.index(name)))
    screenshot(director, "dashboard-province-table")

    assert shown == running_before + 50_000
    assert shown == _sales_total(
        portal,
        MonthlySale.district_code == district_code,
        MonthlySale.period.in_(round_one),  # type: ignore[attr-defined]
    )


def test_excel_export_downloads_and_its_total_matches_the_database(portal: Portal, page: Page) -> None:
    ui.login(page, portal, ui.PROVINCE_USER)
    ui.go_via_menu(page, REPORTS)
    ui.choose(page, "reports_kind", "รต.4 ยอดจำหน่ายของจังหวัด รายอำเภอ")
    ui.choose_radio(page, "reports_span", "รายเดือน")
    ui.pick_month(page, "reports", ui.DEMO_MONTH)
    expect(page.get_by_test_id("stHeading").filter(has_text="รต.4")).to_be_visible()
    screenshot(page, "reports")
    download = _download(page, "reports_download")

    assert download.suggested_filename.endswith(".xlsx")
    sheet = _workbook(download, data_only=True).active
    total_row = next(row for row in sheet.iter_rows() if row[0].value == "รวม" or row[1].value == "รวม")
    numbers = [cell.value for cell in total_row if isinstance(cell.value, int | float | Decimal)]
    expected = _sales_total(portal, MonthlySale.province_code == "31", MonthlySale.period == ui.DEMO_MONTH.code)
    assert Decimal(str(max(numbers))) == expected
    assert sum(Decimal(str(value)) for value in numbers) == 2 * expected


def test_import_of_a_filled_rt1_previews_then_saves(portal: Portal, page: Page, tmp_path: Path) -> None:
    district_code = "3106"
    version = ui.open_month_for_district(portal, district_code)
    new_amount = Decimal("7777.25")
    ui.login(page, portal, f"district{district_code}")
    ui.open_entry_month(page, portal, district_code)
    _entry_excel_panel(page)
    download = _download(page, "entry_excel_download")

    def fill(workbook: Workbook, first_row: int, first_channel: int) -> None:
        workbook.active.cell(first_row, first_channel).value = float(new_amount)

    _upload(page, district_code, _filled_rt1(download, fill, tmp_path / "rt1.xlsx"))
    expect(page.get_by_text("ผลการตรวจสอบไฟล์ (ยังไม่บันทึก)")).to_be_visible()
    assert ui.metric_value(page, "แถวที่แก้ไข") == "1"
    assert ui.metric_value(page, "ปัญหาที่พบ") == "0"
    assert ui.saved_row(portal, district_code, 0).domestic_offline != new_amount
    screenshot(page, "import-preview")

    ui.click(page, f"entry_excel_{district_code}_{ui.DEMO_MONTH.code}_confirm")
    expect(page.get_by_test_id("stAlert").filter(has_text="นำเข้าไฟล์แบบ รต.1 แล้ว")).to_be_visible()
    grid = ui.entry_grid(page, district_code, ui.DEMO_MONTH, version + 1)
    assert ui.baht(ui.cell_text(grid, DOMESTIC_OFFLINE, 0)) == new_amount
    assert ui.saved_row(portal, district_code, 0).domestic_offline == new_amount


def test_bad_input_shows_a_thai_error_and_changes_nothing(portal: Portal, page: Page, tmp_path: Path) -> None:
    district_code = "3107"
    version = ui.open_month_for_district(portal, district_code)
    before = ui.saved_row(portal, district_code, 0)
    too_much = get_settings().max_cell_baht * 2
    ui.login(page, portal, f"district{district_code}")
    grid = ui.open_entry_month(page, portal, district_code)
    ui.edit_cell(grid, DOMESTIC_OFFLINE, 0, str(too_much))
    ui.click(page, "entry_save")
    error = page.get_by_test_id("stAlert").filter(has_text="บันทึกไม่ได้")
    expect(error).to_contain_text("ยังไม่มีข้อมูลใดถูกบันทึก")
    expect(error).to_contain_text("แถวที่ 1")
    expect(error).to_contain_text("ในประเทศ ออฟไลน์")
    expect(error).to_contain_text("เกินยอดสูงสุดที่รับได้ต่อช่อง")
    screenshot(page, "entry-grid-refused")
    assert ui.saved_row(portal, district_code, 0) == before
    assert ui.month_version(portal, district_code) == version

    ui.reload(page, ENTRY)
    ui.open_entry_month(page, portal, district_code)
    _entry_excel_panel(page)
    download = _download(page, "entry_excel_download")

    def fill(workbook: Workbook, first_row: int, first_channel: int) -> None:
        workbook.active.cell(first_row, first_channel).value = "หนึ่งพันบาท"

    _upload(page, district_code, _filled_rt1(download, fill, tmp_path / "rt1-text.xlsx"))
    problems = page.get_by_test_id("stAlert").filter(has_text="ยังนำเข้าไม่ได้")
    expect(problems).to_contain_text("ไม่มีข้อมูลใดถูกบันทึก")
    expect(problems).to_contain_text("“หนึ่งพันบาท” ไม่ใช่ตัวเลข")
    expect(problems).to_contain_text("คอลัมน์")
    expect(ui.widget(page, f"entry_excel_{district_code}_{ui.DEMO_MONTH.code}_confirm")).to_have_count(0)
    screenshot(page, "import-refused")
    assert ui.saved_row(portal, district_code, 0) == before
    assert ui.month_version(portal, district_code) == version


HOME = "ระบบรายงานรายได้จากการจำหน่ายผลิตภัณฑ์ชุมชน OTOP"
PROVINCE_SCREENS = {"locks": LOCKS, "dashboard_province": PROVINCE_DASHBOARD, "users": "จัดการผู้ใช้", "reports": REPORTS}
DEPARTMENT_SCREENS = {"dashboard_department": "แดชบอร์ดระดับประเทศ", "reporting_calendar": "ปฏิทินการรายงาน"}
NOT_FOR_DISTRICTS = {
    "locks": LOCKS,
    "dashboard_province": PROVINCE_DASHBOARD,
    "users": "จัดการผู้ใช้",
    **DEPARTMENT_SCREENS,
}


def test_anonymous_visitor_sees_only_the_login_page(portal: Portal, page: Page) -> None:
    ui.show_login_form(page, portal)
    screenshot(page, "login")
    for url_path, title in {**PROVINCE_SCREENS, **DEPARTMENT_SCREENS, "entry": ENTRY}.items():
        page.goto(f"{portal.url}/{url_path}")
        ui.wait_for_page_load(page)
        expect(page.locator('input[aria-label="ชื่อผู้ใช้"]')).to_be_visible()
        expect(ui.heading(page, title)).to_have_count(0)
        expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
        expect(page.locator('[data-testid="data-grid-canvas"]:visible')).to_have_count(0)
        expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(0)


def test_district_officer_cannot_open_a_province_screen_by_its_address(portal: Portal, page: Page) -> None:
    ui.login(page, portal, "district3108")
    menu = page.locator('[data-testid="stSidebarNav"]').inner_text()
    for url_path, title in NOT_FOR_DISTRICTS.items():
        assert title not in menu
        page.goto(f"{portal.url}/{url_path}")
        ui.wait_for_page_load(page)
        # The address is not among the officer's screens: the portal opens its home screen instead.
        expect(ui.heading(page, HOME)).to_be_visible()
        expect(ui.heading(page, title)).to_have_count(0)
        expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(0)
        expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(0)


@pytest.mark.parametrize(
    ("username", "screens"),
    [
        ("district3109", {"dashboard_district": "แดชบอร์ดอำเภอ", "forecast": "ประมาณการรายได้", "account": "บัญชีของฉัน"}),
        ("province31", PROVINCE_SCREENS),
        ("department", DEPARTMENT_SCREENS),
    ],
)
def test_main_screens_open_for_their_roles(portal: Portal, page: Page, username: str, screens: dict[str, str]) -> None:
    ui.login(page, portal, username)
    for url_path, title in screens.items():
        ui.open_screen(page, portal, url_path, title)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        screenshot(page, f"{username}-{url_path}")
