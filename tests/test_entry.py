"""The monthly grid service: load, save (= confirm), audit, conflicts, refusals, bad input, outliers, sync."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from db.engine import session_scope
from db.models import AuditEvent, DistrictMonth, MonthlySale, Producer, SalesSummary
from otop import clock
from otop.entry import (
    EntryConflict,
    EntryValidationError,
    RowInput,
    default_entry_period,
    load_month,
    parse_amount,
    row_history,
    save_month,
    sync_month,
)
from otop.fiscal import BANGKOK, Period
from otop.locks import lock_district_month, unlock_district_month
from otop.permissions import PermissionDenied
from otop.producers import approve_producer, propose_producer
from otop.queries import SalesFilter, totals_by
from otop.status import EntryRefused
from tests.factories import actor, lock_month, make_producer, make_producers, make_sale

PERIOD = Period(2567, 10)
OPEN_NOW = datetime(2024, 11, 3, 10, 0, tzinfo=BANGKOK)  # 3 Nov 2567: October 2567 is open until the 5th
CLOSED_NOW = datetime(2024, 11, 7, 10, 0, tzinfo=BANGKOK)
DISTRICT = actor("district", "3101")
PROVINCE = actor("province", "31")


@pytest.fixture(autouse=True)
def _open_month() -> None:
    clock.set_now(lambda: OPEN_NOW)


def _save(engine: Engine, rows: list[RowInput], *, base_version: int = 0, who=DISTRICT, district_code="3101"):  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        return save_month(
            session=session, actor=who, district_code=district_code, period=PERIOD, rows=rows, base_version=base_version
        )


def _load(engine: Engine, who=DISTRICT, district_code: str = "3101", period: Period = PERIOD):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return load_month(session=session, actor=who, district_code=district_code, period=period)


def _producers(engine: Engine, count: int = 2, district_code: str = "3101", **kwargs) -> list[Producer]:  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        return [make_producer(session, district_code, **kwargs) for _ in range(count)]


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# --- saving and confirming ----------------------------------------------------------------


def test_save_month_writes_rows_confirms_and_audits_each_changed_cell(engine: Engine) -> None:
    first, second = _producers(engine)
    result = _save(
        engine,
        [
            RowInput(first.id, "food", "1,500.50", 200, None, 0),  # type: ignore[arg-type]
            RowInput(second.id, "food", Decimal("300"), None, None, None),  # type: ignore[arg-type]
        ],
    )
    assert (result.version, result.changed_cells, result.rows_added) == (1, 3, 2)
    assert result.message.startswith("บันทึกเมื่อ 3 พฤศจิกายน 2567 เวลา 10:00 น.")
    grid = _load(engine)
    assert [row.producer_id for row in grid.rows] == [first.id, second.id]
    assert grid.rows[0].domestic_offline == Decimal("1500.50")
    assert grid.rows[0].total == Decimal("1700.50")
    assert grid.total == Decimal("2000.50")
    assert grid.version == 1
    assert grid.confirmed_by == "district3101"
    assert grid.confirmed_at == OPEN_NOW
    with session_scope(engine) as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        summary_total = sum(
            (s.domestic_offline + s.domestic_online + s.export_offline + s.export_online)
            for s in session.scalars(select(SalesSummary))
        )
        month = session.get(DistrictMonth, ("3101", PERIOD.code))
    cells = [(e.producer_id, e.field, e.old_value, e.new_value) for e in events if e.action == "update_cell"]
    assert cells == [
        (first.id, "domestic_offline", None, "1500.50"),
        (first.id, "domestic_online", None, "200.00"),
        (second.id, "domestic_offline", None, "300.00"),
    ]
    assert [e.action for e in events if e.action == "confirm"] == ["confirm"]
    assert all(e.actor == "district3101" and e.period == PERIOD.code for e in events)
    assert summary_total == Decimal("2000.50")
    assert month is not None and month.changes_since_lock == 3


def test_save_month_second_save_audits_only_the_changed_cells_with_old_and_new(engine: Engine) -> None:
    (producer,) = _producers(engine, 1)
    _save(engine, [RowInput(producer.id, "food", 100, 50)])  # type: ignore[arg-type]
    result = _save(engine, [RowInput(producer.id, "food", 100, 75)], base_version=1)  # type: ignore[arg-type]
    assert result.changed_cells == 1
    with session_scope(engine) as session:
        history = row_history(
            session=session,
            actor=DISTRICT,
            district_code="3101",
            period=PERIOD,
            producer_id=producer.id,
            category="food",
        )
        month = session.get(DistrictMonth, ("3101", PERIOD.code))
    assert [(h.field, h.old_value, h.new_value) for h in history] == [
        ("domestic_offline", None, "100.00"),
        ("domestic_online", None, "50.00"),
        ("domestic_online", "50.00", "75.00"),
    ]
    assert history[-1].field_label == "ในประเทศ ออนไลน์"
    assert (history[-1].old_text, history[-1].new_text) == ("฿50.00", "฿75.00")
    assert month is not None and (month.version, month.changes_since_lock) == (2, 3)


def test_save_month_with_nothing_changed_still_confirms(engine: Engine) -> None:
    (producer,) = _producers(engine, 1)
    _save(engine, [RowInput(producer.id, "food", 100)])  # type: ignore[arg-type]
    clock.set_now(lambda: OPEN_NOW.replace(hour=15))
    result = _save(engine, [RowInput(producer.id, "food", "100.00")], base_version=1, who=PROVINCE)  # type: ignore[arg-type]
    assert result.changed_cells == 0
    grid = _load(engine)
    assert (grid.confirmed_by, grid.confirmed_at, grid.version) == ("province31", OPEN_NOW.replace(hour=15), 2)


# --- refusals ------------------------------------------------------------------------------


def test_save_month_rejects_locked_period(engine: Engine) -> None:
    (producer,) = _producers(engine, 1)
    with session_scope(engine, write=True) as session:
        lock_month(session, "3101", PERIOD.code)
    with pytest.raises(EntryRefused, match="ถูกล็อกโดย province31"):
        _save(engine, [RowInput(producer.id, "food", 100)])  # type: ignore[arg-type]
    with pytest.raises(EntryRefused, match="ถูกล็อก"):
        _save(engine, [RowInput(producer.id, "food", 100)], who=actor("admin"))  # type: ignore[arg-type]
    assert _count(engine, MonthlySale) == 0
    assert _count(engine, AuditEvent) == 0
    grid = _load(engine)
    assert grid.status.locked and not grid.status.writable


def test_save_month_rejects_closed_period(engine: Engine) -> None:
    (producer,) = _producers(engine, 1)
    clock.set_now(lambda: CLOSED_NOW)
    with pytest.raises(EntryRefused, match="ปิดรับข้อมูลเดือนตุลาคม 2567"):
        _save(engine, [RowInput(producer.id, "food", 100)], who=PROVINCE)  # type: ignore[arg-type]
    assert _count(engine, MonthlySale) == 0


def test_save_month_rejects_a_conflicting_save_naming_the_changed_rows(engine: Engine) -> None:
    first, second = _producers(engine)
    _save(engine, [RowInput(first.id, "food", 100), RowInput(second.id, "food", 200)])  # type: ignore[arg-type]
    mine = _load(engine)
    _save(engine, [RowInput(second.id, "food", 999)], base_version=mine.version, who=PROVINCE)  # type: ignore[arg-type]
    with pytest.raises(EntryConflict) as refused:
        _save(engine, [RowInput(first.id, "food", 150)], base_version=mine.version)  # type: ignore[arg-type]
    assert refused.value.rows == [f"{second.name} (อาหาร)"]
    assert second.name in str(refused.value) and "province31" in str(refused.value)
    reloaded = _load(engine)
    assert [row.domestic_offline for row in reloaded.rows] == [Decimal("100.00"), Decimal("999.00")]
    assert reloaded.version == 2


def test_save_month_allows_a_save_when_others_only_confirmed_meanwhile(engine: Engine) -> None:
    (producer,) = _producers(engine, 1)
    _save(engine, [RowInput(producer.id, "food", 100)])  # type: ignore[arg-type]
    _save(engine, [RowInput(producer.id, "food", 100)], base_version=1, who=PROVINCE)  # type: ignore[arg-type]
    result = _save(engine, [RowInput(producer.id, "food", 120)], base_version=1)  # type: ignore[arg-type]
    assert result.version == 3


def test_save_month_refuses_a_version_from_the_future(engine: Engine) -> None:
    (producer,) = _producers(engine, 1)
    with pytest.raises(EntryConflict, match="โหลดข้อมูลล่าสุด"):
        _save(engine, [RowInput(producer.id, "food", 100)], base_version=5)  # type: ignore[arg-type]


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("abc", "ไม่ใช่ตัวเลข"),
        ("12O", "ไม่ใช่ตัวเลข"),
        (-5, "ติดลบไม่ได้"),
        ("-0.01", "ติดลบไม่ได้"),
        (float("nan"), "NaN"),
        (float("inf"), "NaN"),
        (Decimal("NaN"), "NaN"),
        ("inf", "NaN"),
        ("1.234", "ทศนิยมเกิน 2 ตำแหน่ง"),
        (0.125, "ทศนิยมเกิน 2 ตำแหน่ง"),
        (10_000_000_000.01, "เกินยอดสูงสุด"),
        ("20,000,000,000", "เกินยอดสูงสุด"),
        (True, "ต้องเป็นตัวเลข"),
    ],
)
def test_save_month_refuses_a_bad_cell_naming_row_and_column(engine: Engine, value: object, reason: str) -> None:
    first, second = _producers(engine)
    rows = [RowInput(first.id, "food", 100), RowInput(second.id, "food", 1, 2, value)]  # type: ignore[arg-type]
    with pytest.raises(EntryValidationError) as refused:
        _save(engine, rows)
    (problem,) = refused.value.problems
    assert problem.startswith(f"แถวที่ 2 ({second.name} (อาหาร)) คอลัมน์ “ต่างประเทศ ออฟไลน์”")
    assert reason in problem
    assert _count(engine, MonthlySale) == 0
    assert _count(engine, AuditEvent) == 0
    assert _load(engine).version == 0


def test_save_month_reports_every_bad_cell_and_uses_the_given_row_labels(engine: Engine) -> None:
    (producer,) = _producers(engine, 1)
    rows = [RowInput(producer.id, "food", "x", -1, None, "1.111", row_label="แถวที่ 12 ของไฟล์")]  # type: ignore[arg-type]
    with pytest.raises(EntryValidationError) as refused:
        _save(engine, rows)
    assert len(refused.value.problems) == 3
    assert all(problem.startswith("แถวที่ 12 ของไฟล์") for problem in refused.value.problems)


def test_save_month_is_all_or_nothing(engine: Engine) -> None:
    first, second = _producers(engine)
    _save(engine, [RowInput(first.id, "food", 100)])  # type: ignore[arg-type]
    with pytest.raises(EntryValidationError):
        _save(engine, [RowInput(first.id, "food", 500), RowInput(second.id, "food", "oops")], base_version=1)  # type: ignore[arg-type]
    grid = _load(engine)
    assert [(row.producer_id, row.domestic_offline) for row in grid.rows] == [(first.id, Decimal("100.00"))]
    assert grid.version == 1
    assert _count(engine, AuditEvent) == 2


def test_save_month_refuses_a_producer_of_another_district(engine: Engine) -> None:
    (other,) = _producers(engine, 1, district_code="3102")
    with pytest.raises(EntryValidationError, match="อยู่อำเภออื่น") as refused:
        _save(engine, [RowInput(other.id, "food", 100)])  # type: ignore[arg-type]
    assert refused.value.problems[0].startswith("แถวที่ 1 (")


def test_save_month_refuses_a_duplicate_producer_and_category(engine: Engine) -> None:
    (producer,) = _producers(engine, 1)
    with pytest.raises(EntryValidationError, match="แถวที่ 2 .*ซ้ำกับแถวที่ 1"):
        _save(engine, [RowInput(producer.id, "food", 100), RowInput(producer.id, "อาหาร", 5)])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("setup", "category", "reason"),
    [
        ({"status": "pending"}, "food", "รอจังหวัดอนุมัติ"),
        ({"status": "rejected"}, "food", "ไม่ได้รับอนุมัติ"),
        ({"active": False}, "food", "เลิกดำเนินการ"),
        ({}, "textile", "ไม่ได้ลงทะเบียนหมวด “ผ้า เครื่องแต่งกาย”"),
        ({}, "jewellery", "ไม่รู้จักหมวด"),
    ],
)
def test_save_month_refuses_a_new_row_the_producer_may_not_have(
    engine: Engine, setup: dict[str, object], category: str, reason: str
) -> None:
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3101", status=str(setup.get("status", "approved")))
        producer.active = bool(setup.get("active", True))
    with pytest.raises(EntryValidationError, match=reason):
        _save(engine, [RowInput(producer.id, category, 100)])  # type: ignore[arg-type]


def test_save_month_refuses_an_unknown_producer(engine: Engine) -> None:
    with pytest.raises(EntryValidationError, match="แถวที่ 1: ไม่พบผู้ผลิตรหัส 424242"):
        _save(engine, [RowInput(424242, "food", 100)])


def test_save_month_lets_a_row_of_a_since_deactivated_producer_be_corrected(engine: Engine) -> None:
    (producer,) = _producers(engine, 1)
    _save(engine, [RowInput(producer.id, "food", 100)])  # type: ignore[arg-type]
    with session_scope(engine, write=True) as session:
        session.get(Producer, producer.id).active = False  # type: ignore[union-attr]
    assert _save(engine, [RowInput(producer.id, "food", 90)], base_version=1).changed_cells == 1  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "0.00"), ("", "0.00"), (" ฿1,234.5 ", "1234.50"), (12, "12.00"), (0.1, "0.10"), (Decimal("1.230"), "1.23")],
)
def test_parse_amount_accepts_what_a_user_types(value: object, expected: str) -> None:
    assert parse_amount(value, max_cell=Decimal("10000000000")) == Decimal(expected)  # type: ignore[arg-type]


# --- permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["load", "save", "sync"])
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (actor("district", "3101"), {"load", "save", "sync"}),
        (actor("district", "3102"), set()),
        (actor("province", "31"), {"load", "save", "sync"}),
        (actor("province", "32"), set()),
        (actor("department"), {"load"}),
        (actor("admin"), {"load", "save", "sync"}),
    ],
)
def test_entry_services_enforce_permissions(engine: Engine, operation: str, who, allowed: set[str]) -> None:  # type: ignore[no-untyped-def]
    (producer,) = _producers(engine, 1)

    def run() -> object:
        if operation == "load":
            return _load(engine, who=who)
        if operation == "save":
            return _save(engine, [RowInput(producer.id, "food", 1)], who=who)  # type: ignore[arg-type]
        with session_scope(engine, write=True) as session:
            return sync_month(session=session, actor=who, district_code="3101", period=PERIOD)

    if operation in allowed:
        run()
    else:
        with pytest.raises(PermissionDenied, match=who.username):
            run()
        assert _count(engine, AuditEvent) == 0


# --- outliers ------------------------------------------------------------------------------


def _history(engine: Engine, amount: int, months: int = 12) -> Producer:
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3101")
        for offset in range(1, months + 1):
            make_sale(session, producer, PERIOD.shift(-offset).code, (amount, 0, 0, 0))
    return producer


def test_save_month_needs_a_comment_for_a_value_far_above_the_median(engine: Engine) -> None:
    producer = _history(engine, 10_000)
    with pytest.raises(EntryValidationError) as refused:
        _save(engine, [RowInput(producer.id, "food", 50_001)])  # type: ignore[arg-type]
    (problem,) = refused.value.problems
    assert "คอลัมน์ “ในประเทศ ออฟไลน์”" in problem and "สูงกว่า 5 เท่า" in problem and "฿10,000.00" in problem
    assert _save(engine, [RowInput(producer.id, "food", 50_000)]).changed_cells == 1  # type: ignore[arg-type]
    _save(
        engine,
        [RowInput(producer.id, "food", 80_000, outlier_note="งานกาชาดประจำปี ขายได้มาก")],  # type: ignore[arg-type]
        base_version=1,
    )
    (row,) = _load(engine).rows
    assert row.outlier_note == "งานกาชาดประจำปี ขายได้มาก"
    assert row.flagged == ("domestic_offline",)
    assert row.medians["domestic_offline"] == Decimal("10000.00")


def test_save_month_needs_a_comment_for_a_jump_from_nothing(engine: Engine) -> None:
    producer = _history(engine, 10_000)
    with pytest.raises(EntryValidationError, match="คอลัมน์ “ต่างประเทศ ออนไลน์”.*จากไม่เคยมียอด"):
        _save(engine, [RowInput(producer.id, "food", 10_000, 0, 0, 1_000_000.01)])  # type: ignore[arg-type]
    (fresh,) = _producers(engine, 1)
    with pytest.raises(EntryValidationError, match="จากไม่เคยมียอด"):
        _save(engine, [RowInput(fresh.id, "food", 2_000_000)])  # type: ignore[arg-type]
    assert _save(engine, [RowInput(fresh.id, "food", 1_000_000)]).changed_cells == 1  # type: ignore[arg-type]


def test_an_unchanged_flagged_value_needs_no_new_comment(engine: Engine) -> None:
    producer = _history(engine, 10_000)
    _save(engine, [RowInput(producer.id, "food", 90_000, outlier_note="ออกงาน OTOP City")])  # type: ignore[arg-type]
    result = _save(engine, [RowInput(producer.id, "food", 90_000, 10, outlier_note="")], base_version=1)  # type: ignore[arg-type]
    assert result.changed_cells == 1
    (row,) = _load(engine).rows
    assert row.outlier_note is None
    with session_scope(engine) as session:
        notes = session.scalars(select(AuditEvent.new_value).where(AuditEvent.field == "outlier_note")).all()
    assert notes == ["ออกงาน OTOP City", None]


def test_the_median_uses_only_the_last_twelve_reported_months(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3101")
        for offset in range(1, 13):
            make_sale(session, producer, PERIOD.shift(-offset).code, (1_000, 0, 0, 0))
        for offset in range(13, 25):
            make_sale(session, producer, PERIOD.shift(-offset).code, (100_000, 0, 0, 0))
        make_sale(session, producer, PERIOD.shift(-25).code, (0, 0, 0, 0))
    with pytest.raises(EntryValidationError, match="฿1,000.00"):
        _save(engine, [RowInput(producer.id, "food", 6_000)])  # type: ignore[arg-type]


# --- sync ----------------------------------------------------------------------------------


def test_sync_month_copies_last_months_list_with_empty_figures_and_never_overwrites(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        first, second, third = (make_producer(session, "3101", categories=("food", "herbal")) for _ in range(3))
        gone = make_producer(session, "3101")
        for producer in (first, second, gone):
            make_sale(session, producer, PERIOD.shift(-2).code, (500, 0, 0, 0))
            make_sale(session, producer, PERIOD.shift(-2).code, (5, 0, 0, 0), category="herbal")
        make_sale(session, third, PERIOD.shift(-3).code, (7, 0, 0, 0))
        make_sale(session, third, PERIOD.shift(-3).code, (7, 0, 0, 0), category="herbal")
        gone.active = False
    _save(engine, [RowInput(first.id, "food", 777)])  # type: ignore[arg-type]
    with session_scope(engine, write=True) as session:
        added = sync_month(session=session, actor=DISTRICT, district_code="3101", period=PERIOD)
    assert added == 3
    grid = _load(engine)
    keys = {(row.producer_id, row.category): row.domestic_offline for row in grid.rows}
    assert keys == {
        (first.id, "food"): Decimal("777.00"),
        (first.id, "herbal"): Decimal("0.00"),
        (second.id, "food"): Decimal("0.00"),
        (second.id, "herbal"): Decimal("0.00"),
    }
    assert grid.version == 2
    with session_scope(engine, write=True) as session:
        assert sync_month(session=session, actor=DISTRICT, district_code="3101", period=PERIOD) == 0
    with session_scope(engine) as session:
        syncs = session.scalars(select(AuditEvent).where(AuditEvent.action == "sync")).all()
        summary_rows = session.scalar(
            select(func.sum(SalesSummary.row_count)).where(SalesSummary.period == PERIOD.code)
        )
    assert [event.new_value for event in syncs] == ["3"]
    assert "กันยายน 2567" not in (syncs[0].detail or "") and "สิงหาคม 2567" in (syncs[0].detail or "")
    assert summary_rows == 4


def test_sync_month_is_refused_on_a_locked_month(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3101")
        make_sale(session, producer, PERIOD.previous().code)
        lock_month(session, "3101", PERIOD.code)
    with session_scope(engine, write=True) as session, pytest.raises(EntryRefused):
        sync_month(session=session, actor=DISTRICT, district_code="3101", period=PERIOD)
    assert _load(engine).rows == []


def test_a_proposed_producer_appears_in_the_grid_once_approved_and_synced(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        regular = make_producer(session, "3101")
        make_sale(session, regular, PERIOD.previous().code)
        proposed = propose_producer(
            session=session,
            actor=DISTRICT,
            district_code="3101",
            name="กลุ่มทอผ้าไหมบ้านใหม่",
            subdistrict_code="310101",
            village_no=4,
            producer_type="community",
            categories=["textile", "food"],
        )
    with session_scope(engine, write=True) as session:
        assert sync_month(session=session, actor=DISTRICT, district_code="3101", period=PERIOD) == 1
    with pytest.raises(EntryValidationError, match="รอจังหวัดอนุมัติ"):
        _save(engine, [RowInput(proposed.id, "textile", 100)], base_version=1)  # type: ignore[arg-type]
    with session_scope(engine, write=True) as session:
        approve_producer(session=session, actor=PROVINCE, producer_id=proposed.id)  # type: ignore[arg-type]
    with session_scope(engine, write=True) as session:
        assert sync_month(session=session, actor=DISTRICT, district_code="3101", period=PERIOD) == 2
    grid = _load(engine)
    assert [(row.producer_name, row.category) for row in grid.rows if row.producer_id == proposed.id] == [
        ("กลุ่มทอผ้าไหมบ้านใหม่", "food"),
        ("กลุ่มทอผ้าไหมบ้านใหม่", "textile"),
    ]
    assert _save(engine, [RowInput(proposed.id, "textile", 100)], base_version=grid.version).changed_cells == 1  # type: ignore[arg-type]


# --- reading -------------------------------------------------------------------------------


def test_load_month_describes_rows_with_subdistrict_type_and_totals(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3101", producer_type="sme", categories=("food", "beverage"))
        make_sale(session, producer, PERIOD.code, (1, 2, 3, 4))
        make_sale(session, producer, PERIOD.code, (10, 0, 0, 0), category="beverage")
    grid = _load(engine)
    assert grid.district_name_th == "เมืองบุรีรัมย์"
    assert [row.category for row in grid.rows] == ["food", "beverage"]
    assert grid.rows[0].subdistrict_name and grid.rows[0].producer_type == "sme"
    assert grid.totals == {
        "domestic_offline": Decimal("11.00"),
        "domestic_online": Decimal("2.00"),
        "export_offline": Decimal("3.00"),
        "export_online": Decimal("4.00"),
    }
    assert grid.total == Decimal("20.00")
    assert grid.status.writable


def test_a_300_row_month_loads_and_saves_in_one_go(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        producers = make_producers(session, "3101", 150, categories=("food", "textile"))
    rows = [
        RowInput(producer.id, category, index, "1,000.25", 0, index % 7)  # type: ignore[arg-type]
        for index, producer in enumerate(producers)
        for category in ("food", "textile")
    ]
    result = _save(engine, rows)
    assert result.rows_added == 300
    grid = _load(engine)
    assert len(grid.rows) == 300
    assert grid.totals["domestic_online"] == Decimal("300075.00")
    assert _count(engine, AuditEvent) == 1 + sum(
        (index != 0) + 1 + (index % 7 != 0) for index in range(150) for _ in range(2)
    )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2024, 11, 3, 10, 0, tzinfo=BANGKOK), Period(2567, 10)),
        (datetime(2024, 11, 12, 10, 0, tzinfo=BANGKOK), Period(2567, 11)),
        (datetime(2024, 11, 7, 10, 0, tzinfo=BANGKOK), Period(2567, 10)),
    ],
)
def test_default_entry_period_is_the_open_one_else_the_last_closed(
    engine: Engine, moment: datetime, expected: Period
) -> None:
    with session_scope(engine) as session:
        assert default_entry_period(session, now=moment) == expected


def test_a_province_lock_refuses_saves_and_an_unlock_lets_them_count_changes_again(engine: Engine) -> None:
    (producer,) = _producers(engine, 1)
    _save(engine, [RowInput(producer.id, "food", 100, 1)])  # type: ignore[arg-type]
    with session_scope(engine, write=True) as session:
        lock_district_month(session=session, actor=PROVINCE, district_code="3101", period=PERIOD)
    with pytest.raises(EntryRefused, match="ถูกล็อกโดย province31"):
        _save(engine, [RowInput(producer.id, "food", 200)], base_version=1)  # type: ignore[arg-type]
    with session_scope(engine, write=True) as session:
        unlock_district_month(
            session=session, actor=PROVINCE, district_code="3101", period=PERIOD, reason="อำเภอขอแก้ยอดผู้ผลิต"
        )
    grid = _load(engine)
    _save(engine, [RowInput(producer.id, "food", 200, 1)], base_version=grid.version)  # type: ignore[arg-type]
    with session_scope(engine) as session:
        month = session.get(DistrictMonth, ("3101", PERIOD.code))
    assert month is not None and month.changes_since_lock == 1


def test_load_month_totals_equal_the_summary_on_the_demo_data(demo_engine: Engine) -> None:
    with session_scope(demo_engine) as session:
        grid = load_month(session=session, actor=actor("admin"), district_code="3101", period=PERIOD, now=OPEN_NOW)
        summary = totals_by(session, SalesFilter(district_codes=["3101"], periods=[PERIOD.code]), "district_code")
    assert len(grid.rows) > 100
    assert grid.total == summary["3101"]
    assert grid.status.locked and grid.status.locked_by == "province31"
    assert grid.flagged_rows == []
