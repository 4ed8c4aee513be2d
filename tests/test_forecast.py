"""The forecast form: twelve months, validation, conflicts, submit, committee certification, reopening."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from db.engine import session_scope
from db.models import AuditEvent, ForecastForm
from otop import clock
from otop.entry import EntryConflict, EntryValidationError
from otop.fiscal import BANGKOK, Period
from otop.forecast import (
    ForecastRowInput,
    certify_forecast,
    forecast_due_date,
    list_forecast_forms,
    load_forecast,
    reopen_forecast,
    save_forecast,
    submit_forecast,
)
from otop.permissions import Actor, PermissionDenied
from otop.status import EntryRefused
from tests.factories import actor, lock_month

NOW = datetime(2025, 1, 15, 9, 0, tzinfo=BANGKOK)
FY = 2568
DISTRICT = actor("district", "3101")
PROVINCE = actor("province", "31")


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.set_now(lambda: NOW)


def _save(engine: Engine, rows: list[ForecastRowInput], base_version: int = 0, who: Actor = DISTRICT):  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        return save_forecast(
            session=session, actor=who, district_code="3101", fiscal_year_be=FY, rows=rows, base_version=base_version
        )


def _load(engine: Engine, who: Actor = DISTRICT):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return load_forecast(session=session, actor=who, district_code="3101", fiscal_year_be=FY)


def _certify(engine: Engine, base_version: int, **overrides: object) -> ForecastForm:
    values: dict[str, object] = {
        "meeting_date": date(2025, 1, 14),
        "reference": "รายงานการประชุม นตผ.อำเภอ ครั้งที่ 1/2568",
        "certified_by": "นายอำเภอเมืองบุรีรัมย์",
    }
    values.update(overrides)
    with session_scope(engine, write=True) as session:
        return certify_forecast(
            session=session,
            actor=DISTRICT,
            district_code="3101",
            fiscal_year_be=FY,
            base_version=base_version,
            **values,
        )  # type: ignore[arg-type]


def test_load_forecast_has_twelve_months_from_october_and_the_due_date(engine: Engine) -> None:
    sheet = _load(engine)
    assert [month.period for month in sheet.months][0] == Period(2567, 10)
    assert [month.period for month in sheet.months][-1] == Period(2568, 9)
    assert len(sheet.months) == 12
    assert (sheet.status, sheet.version, sheet.total) == ("draft", 0, Decimal("0.00"))
    assert sheet.due_date == date(2025, 1, 23) == forecast_due_date(2568)


def test_save_forecast_writes_months_totals_and_audits_each_cell(engine: Engine) -> None:
    result = _save(
        engine,
        [
            ForecastRowInput(Period(2567, 10), "1,000", 200, remark="ช่วงออกพรรษา"),
            ForecastRowInput(Period(2568, 3), 500.5, None, None, 10),
        ],
    )
    assert (result.version, result.changed_cells, result.status) == (1, 4, "draft")
    sheet = _load(engine)
    assert sheet.months[0].total == Decimal("1200.00") and sheet.months[0].remark == "ช่วงออกพรรษา"
    assert sheet.months[5].amounts["export_online"] == Decimal("10.00")
    assert sheet.totals["domestic_offline"] == Decimal("1500.50")
    assert sheet.total == Decimal("1710.50")
    with session_scope(engine) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "forecast_update")).all()
    assert sorted((event.period, event.field, event.new_value) for event in events) == [
        (256710, "domestic_offline", "1000.00"),
        (256710, "domestic_online", "200.00"),
        (256710, "remark", "ช่วงออกพรรษา"),
        (256803, "domestic_offline", "500.50"),
        (256803, "export_online", "10.00"),
    ]


@pytest.mark.parametrize(
    ("value", "reason"), [("abc", "ไม่ใช่ตัวเลข"), (-1, "ติดลบ"), ("1.001", "ทศนิยม"), (float("nan"), "NaN")]
)
def test_save_forecast_refuses_bad_cells_naming_month_and_column(engine: Engine, value: object, reason: str) -> None:
    with pytest.raises(EntryValidationError) as refused:
        _save(engine, [ForecastRowInput(Period(2567, 10), 1), ForecastRowInput(Period(2567, 11), 1, value)])  # type: ignore[arg-type]
    (problem,) = refused.value.problems
    assert problem.startswith("แถวที่ 2 (พฤศจิกายน 2567) คอลัมน์ “ในประเทศ ออนไลน์”") and reason in problem
    assert _load(engine).total == 0


def test_save_forecast_refuses_months_outside_the_year_and_duplicates(engine: Engine) -> None:
    with pytest.raises(EntryValidationError) as refused:
        _save(
            engine,
            [
                ForecastRowInput(Period(2568, 10), 1),
                ForecastRowInput(Period(2567, 12), 1),
                ForecastRowInput(Period(2567, 12), 2),
            ],
        )
    assert "ไม่อยู่ในปีงบประมาณ 2568" in refused.value.problems[0]
    assert "ซ้ำกับแถวที่ 2" in refused.value.problems[1]


def test_save_forecast_refuses_a_stale_version(engine: Engine) -> None:
    _save(engine, [ForecastRowInput(Period(2567, 10), 1)])
    with pytest.raises(EntryConflict, match="รุ่น 1 ท่านเปิดรุ่น 0"):
        _save(engine, [ForecastRowInput(Period(2567, 10), 2)])
    assert _load(engine).months[0].domestic_offline == Decimal("1.00")


def test_forecast_is_not_bound_to_the_entry_window_or_month_locks(engine: Engine) -> None:
    clock.set_now(lambda: datetime(2025, 2, 7, 9, 0, tzinfo=BANGKOK))  # between two entry windows
    with session_scope(engine, write=True) as session:
        lock_month(session, "3101", 256710)
    assert _save(engine, [ForecastRowInput(Period(2567, 10), 1)]).version == 1


def test_submit_then_edit_goes_back_to_draft(engine: Engine) -> None:
    with session_scope(engine, write=True) as session, pytest.raises(EntryValidationError, match="ยอดรวมเป็นศูนย์"):
        submit_forecast(session=session, actor=DISTRICT, district_code="3101", fiscal_year_be=FY, base_version=0)
    _save(engine, [ForecastRowInput(Period(2567, 10), 100)])
    with session_scope(engine, write=True) as session:
        form = submit_forecast(session=session, actor=DISTRICT, district_code="3101", fiscal_year_be=FY, base_version=1)
    assert (form.status, form.submitted_by, form.version) == ("submitted", "district3101", 2)
    assert _save(engine, [ForecastRowInput(Period(2567, 10), 100)], base_version=2).status == "submitted"
    assert _save(engine, [ForecastRowInput(Period(2567, 10), 120)], base_version=3).status == "draft"


def test_certified_form_is_read_only_until_the_province_reopens_it(engine: Engine) -> None:
    _save(engine, [ForecastRowInput(Period(2567, 10), 100)])
    form = _certify(engine, base_version=1)
    assert (form.status, form.committee_meeting_date, form.certified_by) == (
        "certified",
        date(2025, 1, 14),
        "นายอำเภอเมืองบุรีรัมย์",
    )
    assert form.submitted_at == NOW
    sheet = _load(engine, who=PROVINCE)
    assert sheet.status_label == "นตผ.อำเภอ รับรองแล้ว" and not sheet.editable
    for who in (DISTRICT, PROVINCE, actor("admin")):
        with pytest.raises(EntryRefused, match="รับรองจาก นตผ.อำเภอ แล้ว"):
            _save(engine, [ForecastRowInput(Period(2567, 10), 1)], base_version=2, who=who)
    with session_scope(engine, write=True) as session, pytest.raises(PermissionDenied):
        reopen_forecast(session=session, actor=DISTRICT, district_code="3101", fiscal_year_be=FY, reason="แก้ไข")
    with session_scope(engine, write=True) as session, pytest.raises(EntryValidationError, match="เหตุผล"):
        reopen_forecast(session=session, actor=PROVINCE, district_code="3101", fiscal_year_be=FY, reason=" ")
    with session_scope(engine, write=True) as session:
        reopened = reopen_forecast(
            session=session, actor=PROVINCE, district_code="3101", fiscal_year_be=FY, reason="ตัวเลขเดือนมีนาคมผิด"
        )
    assert (reopened.status, reopened.certified_by, reopened.version) == ("draft", None, 3)
    assert _save(engine, [ForecastRowInput(Period(2567, 10), 1)], base_version=3).changed_cells == 1
    with session_scope(engine) as session:
        actions = [event.action for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("forecast_certify") == 1 and actions.count("forecast_reopen") == 1


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"meeting_date": date(2025, 1, 16)}, "วันที่ประชุม"),
        ({"reference": ""}, "อ้างอิง"),
        ({"certified_by": "  "}, "ผู้รับรอง"),
    ],
)
def test_certify_forecast_needs_the_committee_details(
    engine: Engine, overrides: dict[str, object], problem: str
) -> None:
    _save(engine, [ForecastRowInput(Period(2567, 10), 100)])
    with pytest.raises(EntryValidationError, match=problem):
        _certify(engine, base_version=1, **overrides)
    assert _load(engine).status == "draft"


@pytest.mark.parametrize(
    ("who", "may_write"),
    [
        (actor("district", "3101"), True),
        (actor("district", "3102"), False),
        (actor("province", "31"), True),
        (actor("province", "30"), False),
        (actor("department"), False),
        (actor("admin"), True),
    ],
)
def test_save_forecast_enforces_permissions(engine: Engine, who: Actor, may_write: bool) -> None:
    if may_write:
        assert _save(engine, [ForecastRowInput(Period(2567, 10), 1)], who=who).version == 1
    else:
        with pytest.raises(PermissionDenied):
            _save(engine, [ForecastRowInput(Period(2567, 10), 1)], who=who)


def test_list_forecast_forms_shows_each_district_state_to_the_province(engine: Engine) -> None:
    _save(engine, [ForecastRowInput(Period(2567, 10), 100, 5)])
    with session_scope(engine, write=True) as session:
        submit_forecast(session=session, actor=DISTRICT, district_code="3101", fiscal_year_be=FY, base_version=1)
    with session_scope(engine) as session:
        states = list_forecast_forms(session=session, actor=PROVINCE, province_code="31", fiscal_year_be=FY)
        with pytest.raises(PermissionDenied):
            list_forecast_forms(session=session, actor=DISTRICT, province_code="31", fiscal_year_be=FY)
    assert len(states) == 23
    first = states[0]
    assert (first.district_code, first.status_label, first.total) == ("3101", "ส่งจังหวัดแล้ว", Decimal("105.00"))
    assert {state.status for state in states[1:]} == {"draft"}
