"""Scale-out: two portal processes (replicas) on one PostgreSQL database, driven through their pages in a browser.

A save through one replica is seen through the other, and a lock made through one refuses a save
made through the other: the replicas keep no state of their own beyond each browser's session.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from db import migrate
from db.engine import make_engine, session_scope
from db.models import District
from tests.browser import ui
from tests.browser.conftest import run_of, screenshot
from tests.conftest import _Databases
from tests.reliability.portals import ROOT, PortalProcess, in_own_browser

pytestmark = [pytest.mark.postgres_only, pytest.mark.browser, pytest.mark.slow]

DOMESTIC_OFFLINE = 5  # the grid column of ในประเทศ ออฟไลน์
SAVED = "บันทึกเมื่อ"


@pytest.fixture(scope="module")
def replicas(
    demo_pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[PortalProcess, PortalProcess]]:
    logs = tmp_path_factory.mktemp("replicas")
    first, second = PortalProcess(demo_pg_url), PortalProcess(demo_pg_url)
    try:
        first.start(logs / "first.log")
        second.start(logs / "second.log")
        yield first, second
    finally:
        first.stop()
        second.stop()


def _district_name(database_url: str, district_code: str) -> str:
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        district = session.get(District, district_code)
        assert district is not None
        name = district.name_th
    engine.dispose()
    return name


def _choose_district(page: Page, name: str, district_code: str) -> None:
    """Pick the district on the lock page by its name and code, whatever else its label says."""
    ui.widget(page, "locks_district").get_by_role("combobox").click()
    with run_of(page):
        page.get_by_role("option", name=re.compile(rf"^{re.escape(name)} \({district_code}\)")).click()


def save_on_page(page: Page) -> None:
    ui.click(page, "entry_save")


def test_a_save_through_one_replica_is_seen_through_the_other(replicas: tuple[PortalProcess, PortalProcess]) -> None:
    in_own_browser("replica-save", lambda open_page: _save_seen_across(*replicas, open_page))


def test_a_lock_through_one_replica_refuses_a_save_through_the_other(
    replicas: tuple[PortalProcess, PortalProcess],
) -> None:
    in_own_browser("replica-lock", lambda open_page: _lock_refuses_across(*replicas, open_page))


def _save_seen_across(first: PortalProcess, second: PortalProcess, open_page: Callable[[], Page]) -> None:
    district_code = "3105"
    ui.open_month_for_district(first.portal, district_code)
    before = ui.saved_row(first.portal, district_code, 0).domestic_offline
    wanted = before + 321

    officer = open_page()
    ui.login(officer, first.portal, f"district{district_code}")
    grid = ui.open_entry_month(officer, first.portal, district_code)
    ui.edit_cell(grid, DOMESTIC_OFFLINE, 0, str(wanted))
    save_on_page(officer)
    expect(officer.get_by_test_id("stAlert").filter(has_text=SAVED)).to_be_visible()

    colleague = open_page()
    ui.login(colleague, second.portal, f"district{district_code}")
    seen = ui.open_entry_month(colleague, second.portal, district_code)
    assert ui.baht(ui.cell_text(seen, DOMESTIC_OFFLINE, 0)) == wanted
    assert colleague.url.startswith(second.url)
    screenshot(colleague, "replica-second-sees-first-save")


def _lock_refuses_across(first: PortalProcess, second: PortalProcess, open_page: Callable[[], Page]) -> None:
    district_code = "3106"
    name = _district_name(first.database_url, district_code)
    ui.open_month_for_district(first.portal, district_code)
    before = ui.saved_row(first.portal, district_code, 0).domestic_offline

    officer = open_page()  # on the second replica, with the month open and a cell changed, not yet saved
    ui.login(officer, second.portal, f"district{district_code}")
    grid = ui.open_entry_month(officer, second.portal, district_code)
    ui.edit_cell(grid, DOMESTIC_OFFLINE, 0, str(before + 55))

    director = open_page()  # on the first replica
    ui.login(director, first.portal, ui.PROVINCE_USER)
    ui.go_via_menu(director, "ตรวจสอบและล็อกข้อมูล")
    ui.pick_month(director, "locks", ui.DEMO_MONTH)
    _choose_district(director, name, district_code)
    ui.click(director, "locks_lock_district")
    expect(director.get_by_test_id("stAlert").filter(has_text=f"ล็อกข้อมูลอำเภอ{name}")).to_be_visible()

    save_on_page(officer)
    refusal = officer.get_by_test_id("stAlert").filter(has_text="ถูกล็อกโดย")
    expect(refusal).to_contain_text(ui.PROVINCE_USER)
    assert SAVED not in officer.get_by_test_id("stMain").inner_text()
    assert ui.saved_row(first.portal, district_code, 0).domestic_offline == before
    screenshot(officer, "replica-second-refuses-save-after-lock-on-first")


def test_replicas_logs_show_no_errors(replicas: tuple[PortalProcess, PortalProcess]) -> None:
    for replica in replicas:
        assert replica.process is not None and replica.process.poll() is None, "a replica died"
        text = Path(replica.log or "").read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in text, text[-2000:]


def test_replicas_starting_together_migrate_a_fresh_database_once(databases: _Databases) -> None:
    replicas_starting = 3
    url = databases.new_url("postgresql")
    environment = {**os.environ, "OTOP_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    upgrades = [
        subprocess.Popen(
            [sys.executable, "-m", "otop", "db", "upgrade"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(replicas_starting)
    ]
    outputs = [process.communicate(timeout=300)[0].decode() for process in upgrades]
    assert [process.returncode for process in upgrades] == [0] * replicas_starting, outputs
    engine = make_engine(url)
    assert migrate.is_up_to_date(engine)
    engine.dispose()
