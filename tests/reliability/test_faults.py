"""Faults: a PostgreSQL backend killed mid-save or mid-commit, a server that refuses us, and a pool that recovers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import streamlit
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from streamlit.testing.v1 import AppTest

from db.engine import make_engine, session_scope
from db.models import AuditEvent, DistrictMonth, MonthlySale
from otop import cli
from otop.entry import RowInput, load_month, save_month
from otop.retry import (
    ROLLED_BACK_MESSAGE,
    UNKNOWN_OUTCOME_MESSAGE,
    UNREACHABLE_MESSAGE,
    DatabaseUnavailable,
    translate_disconnects,
)
from tests.browser import ui
from tests.conftest import POSTGRES_URL
from tests.factories import actor, make_producer, make_producers, make_sale, make_user
from tests.reliability.conftest import OPEN_PERIOD, ROOT
from tests.reliability.portals import PortalProcess, in_own_browser

THAI = re.compile(r"[\u0E00-\u0E7F]")
OFFICER = actor("district", "3101")


def _server_admin() -> Engine:
    return create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")


def _terminate(admin: Engine, pid: int) -> None:
    """Kill one backend and wait (up to 5 s) until it is gone, as a DBA or a crash would."""
    with admin.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()


def _backend_pid(connection: Any) -> int:
    return int(connection.connection.dbapi_connection.info.backend_pid)


@contextmanager
def _kill_backend_once(engine: Engine, *, when: str) -> Iterator[list[int]]:
    """Terminate the saving connection's backend the first time ``when`` happens inside the save.

    ``when`` is the start of a statement (e.g. ``INSERT INTO audit_event``) or ``"COMMIT"``.
    The kill comes from a second connection while the save's transaction is open, exactly
    between the save's earlier writes and this step.
    """
    admin = _server_admin()
    killed: list[int] = []

    def before_statement(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not killed and statement.lstrip().upper().startswith(when):
            killed.append(_backend_pid(connection))
            _terminate(admin, killed[0])

    def before_commit(connection: Any) -> None:
        if not killed:
            killed.append(_backend_pid(connection))
            _terminate(admin, killed[0])

    hook, listener = ("commit", before_commit) if when == "COMMIT" else ("before_cursor_execute", before_statement)
    event.listen(engine, hook, listener)
    try:
        yield killed
    finally:
        event.remove(engine, hook, listener)
        admin.dispose()


def _month(engine: Engine, producers: int = 3) -> list[int]:
    with session_scope(engine, write=True) as session:
        return [producer.id for producer in make_producers(session, "3101", producers)]  # type: ignore[misc]


def _rows(producer_ids: list[int], amount: str) -> list[RowInput]:
    return [
        RowInput(producer_id=pid, category="food", domestic_offline=amount, domestic_online="10")
        for pid in producer_ids
    ]


def _save(engine: Engine, rows: list[RowInput], base_version: int) -> int:
    with session_scope(engine, write=True) as session:
        result = save_month(
            session=session,
            actor=OFFICER,
            district_code="3101",
            period=OPEN_PERIOD,
            rows=rows,
            base_version=base_version,
        )
    return result.version


def _state(engine: Engine) -> tuple[int, list[Decimal], int]:
    """(version, the month's domestic-offline figures, audit events of the month)."""
    with session_scope(engine) as session:
        month = session.get(DistrictMonth, ("3101", OPEN_PERIOD.code))
        figures = list(
            session.scalars(
                select(MonthlySale.domestic_offline)
                .where(MonthlySale.district_code == "3101", MonthlySale.period == OPEN_PERIOD.code)
                .order_by(MonthlySale.producer_id)
            )
        )
        events = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.period == OPEN_PERIOD.code)
        )
    return (month.version if month else 0), figures, int(events or 0)


@pytest.mark.postgres_only
def test_save_month_killed_mid_save_is_rolled_back_with_a_thai_message_and_a_retry_succeeds(
    pg_engine: Engine, ticking_clock: datetime
) -> None:
    translate_disconnects(pg_engine)
    producer_ids = _month(pg_engine)
    _save(pg_engine, _rows(producer_ids, "100"), base_version=0)
    before = _state(pg_engine)

    # The figures and the summary are already written in the transaction when the audit insert runs.
    with _kill_backend_once(pg_engine, when="INSERT INTO AUDIT_EVENT") as killed:
        with pytest.raises(DatabaseUnavailable) as refused:
            _save(pg_engine, _rows(producer_ids, "250.50"), base_version=1)
    assert killed, "the save never reached the audit insert"
    assert refused.value.retry_safe
    assert str(refused.value) == ROLLED_BACK_MESSAGE and THAI.search(str(refused.value))
    assert _state(pg_engine) == before

    assert _save(pg_engine, _rows(producer_ids, "250.50"), base_version=1) == 2
    version, figures, events = _state(pg_engine)
    assert (version, figures) == (2, [Decimal("250.50")] * 3)
    assert events == before[2] + 3 + 1  # three changed cells and the confirmation


@pytest.mark.postgres_only
def test_connection_lost_in_commit_says_the_outcome_is_unknown_and_the_reloaded_month_tells(
    pg_engine: Engine, ticking_clock: datetime
) -> None:
    translate_disconnects(pg_engine)
    producer_ids = _month(pg_engine, producers=2)

    with _kill_backend_once(pg_engine, when="COMMIT") as killed:
        with pytest.raises(DatabaseUnavailable) as refused:
            _save(pg_engine, _rows(producer_ids, "75"), base_version=0)
    assert killed
    assert not refused.value.retry_safe
    assert str(refused.value) == UNKNOWN_OUTCOME_MESSAGE

    # As the message asks, the officer reloads: the backend died before COMMIT, so nothing landed.
    with session_scope(pg_engine) as session:
        grid = load_month(session=session, actor=OFFICER, district_code="3101", period=OPEN_PERIOD)
    assert (grid.version, grid.rows) == (0, [])
    assert _save(pg_engine, _rows(producer_ids, "75"), base_version=grid.version) == 1
    assert _state(pg_engine)[:2] == (1, [Decimal("75.00")] * 2)


@pytest.mark.postgres_only
def test_pool_recovers_when_every_connection_is_terminated(pg_engine: Engine, ticking_clock: datetime) -> None:
    """A database restart (every backend gone) needs no app restart: pre-ping replaces stale connections."""
    engine = translate_disconnects(make_engine(pg_engine.url.render_as_string(hide_password=False), pool_size=5))
    producer_ids = _month(engine, producers=1)
    held = [engine.connect() for _ in range(5)]
    pids = [_backend_pid(connection) for connection in held]
    for connection in held:
        connection.close()
    admin = _server_admin()
    for pid in pids:
        _terminate(admin, pid)
    admin.dispose()

    versions = [_save(engine, _rows(producer_ids, str(10 * attempt)), base_version=attempt) for attempt in range(8)]
    assert versions == list(range(1, 9))
    with engine.connect() as connection:
        assert _backend_pid(connection) not in pids
    assert engine.pool.checkedout() == 0
    engine.dispose()


def test_unreachable_database_gives_a_thai_message_not_a_driver_error() -> None:
    engine = translate_disconnects(make_engine("postgresql+psycopg://postgres@127.0.0.1:1/otop", pool_pre_ping=True))
    with pytest.raises(DatabaseUnavailable) as refused:
        with session_scope(engine) as session:
            load_month(session=session, actor=OFFICER, district_code="3101", period=OPEN_PERIOD)
    assert refused.value.retry_safe
    assert str(refused.value) == UNREACHABLE_MESSAGE
    engine.dispose()


def test_translate_disconnects_leaves_other_database_errors_alone(engine: Engine) -> None:
    guarded = translate_disconnects(make_engine(engine.url.render_as_string(hide_password=False)))
    with pytest.raises(DBAPIError) as failed:
        with guarded.connect() as connection:
            connection.execute(text("SELECT * FROM no_such_table"))
    assert not failed.value.connection_invalidated
    with guarded.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    guarded.dispose()


# Through app.py, as the server runs it (see tests/test_app.py for why a runner script).
RUNNER = f"import runpy\nrunpy.run_path({str(ROOT / 'app.py')!r}, run_name='__main__')\n"
COOKIE_KEY = "a-reliability-cookie-key-long-enough-0123456789"


@pytest.mark.postgres_only
def test_entry_page_says_in_thai_that_a_lost_connection_saved_nothing_and_the_retry_saves(
    pg_engine: Engine, ticking_clock: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTOP_DATABASE_URL", pg_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("OTOP_DEMO_MODE", "0")
    monkeypatch.setenv("OTOP_COOKIE_KEY", COOKIE_KEY)
    monkeypatch.setenv("OTOP_LOGIN_SLEEP_SECONDS", "0")
    streamlit.cache_resource.clear()
    streamlit.cache_data.clear()
    with session_scope(pg_engine, write=True) as session:
        make_user(session, "district3101", "district", password="correct-horse-battery", district_code="3101")
        producer = make_producer(session, "3101")
        make_sale(session, producer, OPEN_PERIOD.code, (0, 0, 0, 0))
    try:
        app = AppTest.from_string(RUNNER, default_timeout=60).run()
        app.text_input[0].input("district3101")
        app.text_input[1].input("correct-horse-battery")
        app.button[0].click().run()
        app.switch_page(str(ROOT / "pages" / "entry.py")).run()
        app.session_state[app.data_editor[0].key] = {
            "edited_rows": {0: {"domestic_offline": 4321}},
            "added_rows": [],
            "deleted_rows": [],
        }
        app.run()
        # The app's own engine (made by app.py) is the one to break: listen on every engine.
        with _kill_backend_once(Engine, when="INSERT INTO AUDIT_EVENT") as killed:  # type: ignore[arg-type]
            app.button(key="entry_save").click().run()
        assert killed and not app.exception
        assert [error.value for error in app.error] == [ROLLED_BACK_MESSAGE]
        assert _state(pg_engine)[:2] == (0, [Decimal("0.00")])

        app.button(key="entry_save").click().run()  # the edit is still in the grid: the officer clicks again
        assert not app.exception and not app.error
        assert [message.value for message in app.success if "บันทึกเมื่อ" in message.value]
        assert _state(pg_engine)[:2] == (1, [Decimal("4321.00")])
    finally:
        streamlit.cache_resource.clear()
        streamlit.cache_data.clear()


@pytest.mark.postgres_only
@pytest.mark.browser
@pytest.mark.slow
def test_a_killed_portal_process_loses_nothing_it_confirmed(demo_pg_url: str, tmp_path: Path) -> None:
    in_own_browser("killed-portal", lambda open_page: _kill_after_a_confirmed_save(demo_pg_url, tmp_path, open_page))


def _kill_after_a_confirmed_save(demo_pg_url: str, tmp_path: Path, open_page: Callable[[], Page]) -> None:
    district_code = "3107"
    portal = PortalProcess(demo_pg_url).start(tmp_path / "before-kill.log")
    try:
        version = ui.open_month_for_district(portal.portal, district_code)
        wanted = ui.saved_row(portal.portal, district_code, 0).domestic_offline + 777
        officer = open_page()
        ui.login(officer, portal.portal, f"district{district_code}")
        grid = ui.open_entry_month(officer, portal.portal, district_code)
        ui.edit_cell(grid, 5, 0, str(wanted))  # ในประเทศ ออฟไลน์ of the first row
        ui.click(officer, "entry_save")
        expect(officer.get_by_test_id("stAlert").filter(has_text="บันทึกเมื่อ")).to_be_visible()
    finally:
        portal.kill()  # SIGKILL right after the officer saw "saved": no shutdown code runs

    # What the officer was told is saved is in the database, whole: the figure, the version, the trail.
    assert ui.saved_row(portal.portal, district_code, 0).domestic_offline == wanted
    assert ui.month_version(portal.portal, district_code) == version + 1
    engine = make_engine(demo_pg_url)
    with session_scope(engine) as session:
        trail = session.scalars(
            select(AuditEvent.new_value).where(
                AuditEvent.district_code == district_code, AuditEvent.action == "update_cell"
            )
        ).all()
    engine.dispose()
    assert f"{wanted:.2f}" in trail

    restarted = PortalProcess(demo_pg_url, port=portal.port).start(tmp_path / "after-restart.log")
    try:
        officer.reload()  # the signed login cookie carries the officer over to the new process
        ui.wait_for_page_load(officer)
        grid = ui.open_entry_month(officer, restarted.portal, district_code)
        assert ui.baht(ui.cell_text(grid, 5, 0)) == wanted
    finally:
        restarted.stop()


def test_command_line_reports_an_unreachable_database_in_thai(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OTOP_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/otop")
    assert cli.main(["targets", "--province", "31", "--fy", "2568", "--round", "1"]) == 2
    assert UNREACHABLE_MESSAGE in capsys.readouterr().err
