"""Excel exports: every kind opens, its totals equal sums of the raw rows, the shared look, permissions, text safety."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine, select

from db.engine import session_scope
from db.models import CHANNEL_COLUMNS, DistrictMonth, Forecast, MonthlySale, Producer
from otop import clock
from otop.excel_style import FONT_NAME, METADATA_SHEET, MONEY_FORMAT
from otop.exports import (
    EXPORT_KINDS,
    ExportFile,
    ExportRequest,
    ExportRequestError,
    build_export,
    kinds_for,
    preview_frame,
)
from otop.fiscal import BANGKOK, Period, fiscal_year_periods, round_periods
from otop.permissions import Actor, PermissionDenied
from tests.factories import actor, lock_month, make_producer, make_sale

NOW = datetime(2025, 4, 20, 9, 30, tzinfo=BANGKOK)
ADMIN = actor("admin")
PERIODS = (256610, 256611, 256703, 256710, 256711, 256712, 256803)
Raw = tuple[str, int, str, str, tuple[Decimal, ...]]  # district, period, category, producer type, channels


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.set_now(lambda: NOW)


def _amounts(seed: int) -> tuple[Decimal, ...]:
    return tuple(
        Decimal(f"{(seed * 37 + channel * 101) % 9973}.{(seed + channel * 7) % 100:02d}") for channel in range(4)
    )


@pytest.fixture
def sales(engine: Engine) -> list[Raw]:
    """Sales of three districts (two in Buriram, one in Nakhon Ratchasima) over seven months, some locked."""
    layout = [
        ("3101", ("food", "textile"), "community"),
        ("3101", ("beverage",), "single_owner"),
        ("3101", ("herbal",), "sme"),
        ("3102", ("household", "food"), "community"),
        ("3001", ("food",), "sme"),
    ]
    with session_scope(engine, write=True) as session:
        seed = 0
        for district_code, categories, producer_type in layout:
            producer = make_producer(session, district_code, categories=categories, producer_type=producer_type)
            for period in PERIODS:
                for category in categories:
                    seed += 1
                    make_sale(session, producer, period, _amounts(seed), category=category)
        for district_code, period in (("3101", 256710), ("3001", 256710), ("3101", 256803)):
            lock_month(session, district_code, period)
        month = session.get(DistrictMonth, ("3101", 256710))
        month.confirmed_by, month.confirmed_at = "district3101", NOW  # type: ignore[union-attr]
        for index, period in enumerate(fiscal_year_periods(2568)):
            session.add(
                Forecast(
                    district_code="3101",
                    period=period.code,
                    fiscal_year_be=2568,
                    **dict(zip(CHANNEL_COLUMNS, _amounts(index), strict=True)),
                )
            )
        session.flush()
        return [
            (
                sale.district_code,
                sale.period,
                sale.category,
                producer_type,
                tuple(getattr(sale, c) for c in CHANNEL_COLUMNS),
            )
            for sale, producer_type in session.execute(
                select(MonthlySale, Producer.producer_type).join(Producer, Producer.id == MonthlySale.producer_id)
            )
        ]


LOCKED = {("3101", 256710), ("3001", 256710), ("3101", 256803)}


def _pick(raw: list[Raw], *, districts: tuple[str, ...] | None = None, province: str | None = None,
          periods: list[int] | None = None, locked_only: bool = False) -> list[Raw]:  # fmt: skip
    return [
        row
        for row in raw
        if (districts is None or row[0] in districts)
        and (province is None or row[0].startswith(province))
        and (periods is None or row[1] in periods)
        and (not locked_only or (row[0], row[1]) in LOCKED)
    ]


def _channels(rows: list[Raw]) -> list[Decimal]:
    sums = [sum((row[4][index] for row in rows), Decimal(0)) for index in range(4)]
    return [*sums, sum(sums, Decimal(0))]


def _codes(periods: list[Period]) -> list[int]:
    return [period.code for period in periods]


FY2568 = _codes(fiscal_year_periods(2568))
ROUND1 = _codes(round_periods(2568, 1))

# Each case: the request, and the expected money columns of its totals row computed from the raw rows.
CASES: dict[str, tuple[ExportRequest, Callable[[list[Raw]], list[Decimal]]]] = {
    "rt1": (
        ExportRequest("rt1", district_code="3101", period=Period(2567, 10)),
        lambda raw: _channels(_pick(raw, districts=("3101",), periods=[256710])),
    ),
    "rt2": (
        ExportRequest("rt2", district_code="3101", period=Period(2567, 10)),
        lambda raw: _channels(_pick(raw, districts=("3101",), periods=[256710])),
    ),
    "rt3": (
        ExportRequest("rt3", province_code="31", fiscal_year_be=2568, round_no=1),
        lambda raw: _channels(_pick(raw, province="31", periods=ROUND1)),
    ),
    "rt4": (
        ExportRequest("rt4", province_code="31", period=Period(2567, 10)),
        lambda raw: _channels(_pick(raw, province="31", periods=[256710])),
    ),
    "overview": (
        ExportRequest("overview", province_code="31", fiscal_year_be=2568),
        lambda raw: [
            *(
                _channels([r for r in _pick(raw, province="31", periods=FY2568) if r[3] == kind])[4]
                for kind in ("community", "single_owner", "sme")
            ),
            sum(_channels(_pick(raw, province="31", periods=FY2568))[:2]),
            sum(_channels(_pick(raw, province="31", periods=FY2568))[2:4]),
            _channels(_pick(raw, province="31", periods=FY2568))[4],
        ],
    ),  # fmt: skip
    "overview-national": (
        ExportRequest("overview", fiscal_year_be=2568),
        lambda raw: [
            *(
                _channels([r for r in _pick(raw, periods=FY2568, locked_only=True) if r[3] == kind])[4]
                for kind in ("community", "single_owner", "sme")
            ),
            sum(_channels(_pick(raw, periods=FY2568, locked_only=True))[:2]),
            sum(_channels(_pick(raw, periods=FY2568, locked_only=True))[2:4]),
            _channels(_pick(raw, periods=FY2568, locked_only=True))[4],
        ],
    ),  # fmt: skip
    "by-category-monthly": (
        ExportRequest("by-category-monthly", district_code="3101", fiscal_year_be=2567),
        lambda raw: [
            *(
                _channels(
                    [
                        r
                        for r in _pick(raw, districts=("3101",), periods=_codes(fiscal_year_periods(2567)))
                        if r[2] == code
                    ]
                )[4]
                for code in ("food", "beverage", "textile", "household", "herbal")
            ),
            _channels(_pick(raw, districts=("3101",), periods=_codes(fiscal_year_periods(2567))))[4],
        ],
    ),  # fmt: skip
    "by-channel-monthly": (
        ExportRequest("by-channel-monthly", province_code="31", fiscal_year_be=2568),
        lambda raw: (lambda c: [c[0], c[1], c[0] + c[1], c[2], c[3], c[2] + c[3], c[4]])(
            _channels(_pick(raw, province="31", periods=FY2568))
        ),
    ),
    "by-province": (
        ExportRequest("by-province", fiscal_year_be=2568),
        lambda raw: _channels(_pick(raw, periods=FY2568, locked_only=True)),
    ),
    "domestic-vs-export": (
        ExportRequest("domestic-vs-export", fiscal_year_be=2568),
        lambda raw: (lambda c: [c[0] + c[1], c[2] + c[3], c[4]])(
            _channels(_pick(raw, periods=FY2568, locked_only=True))
        ),
    ),
    "years-months": (
        ExportRequest("years-months", province_code="31"),
        lambda raw: [
            *(_channels([r for r in _pick(raw, province="31") if r[1] % 100 == month])[4] for month in range(1, 13)),
            _channels(_pick(raw, province="31"))[4],
        ],
    ),
    "targets": (
        ExportRequest("targets", province_code="31", fiscal_year_be=2568, round_no=1),
        lambda raw: [
            _channels(_pick(raw, province="31", periods=_codes(round_periods(2567, 1))))[4],
            _channels(_pick(raw, province="31", periods=ROUND1))[4],
        ],
    ),
}
TARGET_COMPARED = (0, 5)  # baseline and actual among the money columns of the targets table


def _build(engine: Engine, request: ExportRequest, who: Actor = ADMIN) -> ExportFile:
    with session_scope(engine) as session:
        return build_export(session=session, actor=who, request=request)


def _sheet(export: ExportFile) -> Worksheet:
    return load_workbook(io.BytesIO(export.content)).worksheets[0]


def _totals_row(sheet: Worksheet) -> int:
    labelled = [
        cell.row for row in sheet.iter_rows() for cell in row if cell.value in ("รวม", "รวมทั้งสิ้น") and cell.font.b
    ]
    assert labelled, "no totals row"
    return labelled[-1]


def _money_totals(export: ExportFile) -> list[Any]:
    sheet = _sheet(export)
    row = _totals_row(sheet)
    columns = export.sheets[0].columns
    return [sheet.cell(row, index + 1).value for index, column in enumerate(columns) if column.kind == "money"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_export_kind_opens_and_its_totals_equal_the_raw_sums(engine: Engine, sales: list[Raw], case: str) -> None:
    request, expected = CASES[case]

    totals = _money_totals(_build(engine, request))

    wanted = expected(sales)
    if case == "targets":
        totals = [totals[index] for index in TARGET_COMPARED]
    assert [Decimal(str(value)) for value in totals] == wanted
    assert any(value != 0 for value in wanted), "the case must cover some sales"


def test_forecast_export_totals_equal_the_stored_forecast(engine: Engine, sales: list[Raw]) -> None:
    export = _build(engine, ExportRequest("forecast", district_code="3101", fiscal_year_be=2568))
    with session_scope(engine) as session:
        stored = session.scalars(select(Forecast).where(Forecast.district_code == "3101")).all()
    channels = [sum((getattr(row, column) for row in stored), Decimal(0)) for column in CHANNEL_COLUMNS]

    assert [Decimal(str(value)) for value in _money_totals(export)] == [*channels, sum(channels, Decimal(0))]
    assert [row[0] for row in export.sheets[0].rows][:3] == ["ตุลาคม 2567", "พฤศจิกายน 2567", "ธันวาคม 2567"]


def test_rt4_rows_are_each_districts_raw_sums_and_state(engine: Engine, sales: list[Raw]) -> None:
    export = _build(engine, ExportRequest("rt4", province_code="31", period=Period(2567, 10)))
    rows = {row[1]: row for row in export.sheets[0].rows}

    assert len(rows) == 23
    assert rows["เมืองบุรีรัมย์"][2:7] == _channels(_pick(sales, districts=("3101",), periods=[256710]))
    assert rows["คูเมือง"][2:7] == _channels(_pick(sales, districts=("3102",), periods=[256710]))
    assert rows["กระสัง"][6] == 0
    assert (rows["เมืองบุรีรัมย์"][7], rows["คูเมือง"][7], rows["กระสัง"][7]) == ("ล็อกแล้ว", "ยังไม่ยืนยัน", "ยังไม่ยืนยัน")


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_export_has_the_shared_look_and_print_setup(engine: Engine, sales: list[Raw], case: str) -> None:
    export = _build(engine, CASES[case][0])
    sheet = _sheet(export)
    layout_rows = len(export.sheets[0].title_lines) + len(export.sheets[0].status_lines)

    fonts = {cell.font.name for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert fonts == {FONT_NAME}
    money_formats = {
        sheet.cell(row, index + 1).number_format
        for row in range(layout_rows + 2, sheet.max_row + 1)
        for index, column in enumerate(export.sheets[0].columns)
        if column.kind == "money" and isinstance(sheet.cell(row, index + 1).value, int | float)
    }
    assert money_formats == {MONEY_FORMAT}
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert (sheet.page_setup.fitToWidth, sheet.sheet_properties.pageSetUpPr.fitToPage) == (1, True)
    assert sheet.print_title_rows and sheet.print_title_rows.startswith(f"${layout_rows + 2}:")
    header_last = int(sheet.print_title_rows.split(":")[1].lstrip("$"))
    assert sheet.freeze_panes == f"A{header_last + 1}"
    header_text = " ".join(str(sheet.cell(row, 1).value) for row in range(1, layout_rows + 1))
    assert "สถานะ" in header_text
    assert "ข้อมูล ณ 20 เมษายน 2568 เวลา 09:30 น." in header_text
    if EXPORT_KINDS[export.kind].scope == "national" or case == "overview-national":
        assert "นับเฉพาะข้อมูลที่จังหวัดล็อกแล้ว" in header_text


def test_rt1_header_states_who_confirmed_and_locked_and_when(engine: Engine, sales: list[Raw]) -> None:
    status = _build(engine, CASES["rt1"][0]).sheets[0].status_lines[1]
    assert status == (
        "สถานะข้อมูล: ยืนยันข้อมูลแล้วโดย district3101 เมื่อ 20 เมษายน 2568 เวลา 09:30 น. · "
        "จังหวัดล็อกแล้วโดย province31 เมื่อ 20 เมษายน 2568 เวลา 09:30 น."
    )


def test_rt1_follows_the_form_and_carries_what_the_import_needs(engine: Engine, sales: list[Raw]) -> None:
    export = _build(engine, CASES["rt1"][0])
    sheet = _sheet(export)
    first_data = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value == 1)

    assert [sheet.cell(first_data - 3, column).value for column in (1, 2, 3, 4, 5, 10, 13)] == [
        "ที่", "รหัสผู้ผลิต", "รายชื่อกลุ่ม/ผู้ผลิต ผู้ประกอบการ OTOP", "อำเภอ", "ประเภทผลิตภัณฑ์",
        "ประเภทกลุ่ม/ผู้ผลิต ผู้ประกอบการ OTOP", "ยอดจำหน่าย (บาท)",
    ]  # fmt: skip
    assert [sheet.cell(first_data - 1, column).value for column in range(13, 17)] == [
        "ขายออฟไลน์", "ขายออนไลน์", "ขายออฟไลน์", "ขายออนไลน์",
    ]  # fmt: skip
    assert len(export.sheets[0].rows) == len(_pick(sales, districts=("3101",), periods=[256710]))
    assert [sheet.cell(_totals_row(sheet), column).value for column in (1, 2, 3)] == [None, None, "รวม"]
    hidden = load_workbook(io.BytesIO(export.content))[METADATA_SHEET]
    assert hidden.sheet_state == "hidden"
    assert {row[0]: row[1] for row in hidden.iter_rows(values_only=True)}["district_code"] == "3101"


def test_a_formula_like_producer_name_is_written_as_text(engine: Engine) -> None:
    name = '=HYPERLINK("http://evil.example","คลิก")'
    with session_scope(engine, write=True) as session:
        make_sale(session, make_producer(session, "3101", name=name), 256710, (100, 0, 0, 0))
        make_sale(session, make_producer(session, "3101", name="@SUM(1)"), 256710, (5, 0, 0, 0))
    export = _build(engine, CASES["rt1"][0])
    sheet = _sheet(export)

    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value in (name, "@SUM(1)")]
    assert [(cell.data_type, cell.quotePrefix) for cell in cells] == [("s", True), ("s", True)]
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize(
    ("who", "request_", "permitted"),
    [
        (actor("district", "3101"), ExportRequest("rt1", district_code="3101", period=Period(2567, 10)), True),
        (actor("district", "3101"), ExportRequest("rt1", district_code="3102", period=Period(2567, 10)), False),
        (actor("district", "3101"), ExportRequest("rt4", province_code="31", period=Period(2567, 10)), False),
        (actor("district", "3101"), ExportRequest("overview", district_code="3101", fiscal_year_be=2568), True),
        (actor("province", "31"), ExportRequest("rt4", province_code="31", period=Period(2567, 10)), True),
        (actor("province", "31"), ExportRequest("rt2", district_code="3102", period=Period(2567, 10)), True),
        (actor("province", "31"), ExportRequest("rt3", province_code="30", fiscal_year_be=2568), False),
        (actor("province", "31"), ExportRequest("by-province", fiscal_year_be=2568), False),
        (actor("province", "31"), ExportRequest("overview", fiscal_year_be=2568), False),
        (actor("department"), ExportRequest("by-province", fiscal_year_be=2568), True),
        (actor("department"), ExportRequest("targets", province_code="30", fiscal_year_be=2568, round_no=2), True),
    ],
)
def test_exports_are_scoped_by_permissions(
    engine: Engine, who: Actor, request_: ExportRequest, permitted: bool
) -> None:
    if permitted:
        assert _build(engine, request_, who).content.startswith(b"PK")
    else:
        with pytest.raises(PermissionDenied):
            _build(engine, request_, who)


@pytest.mark.parametrize(
    ("role", "code", "expected"),
    [
        ("district", "3101", {"rt1", "rt2", "forecast", "overview", "by-category-monthly", "by-channel-monthly",
                              "years-months"}),
        ("province", "31", set(EXPORT_KINDS) - {"by-province", "domestic-vs-export"}),
        ("department", None, set(EXPORT_KINDS)),
    ],
)  # fmt: skip
def test_kinds_for_lists_what_the_role_may_export(role: str, code: str | None, expected: set[str]) -> None:
    assert {kind.code for kind in kinds_for(actor(role, code))} == expected


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (ExportRequest("rt1", district_code="3101"), "ต้องระบุเดือน"),
        (ExportRequest("rt2", period=Period(2567, 10)), "ต้องระบุอำเภอ"),
        (ExportRequest("targets", province_code="31", fiscal_year_be=2568), "ต้องระบุรอบที่ 1 หรือ 2"),
        (ExportRequest("rt4", province_code="31"), "ต้องระบุเดือน หรือปีงบประมาณ"),
        (ExportRequest("pivot", province_code="31"), "ไม่รู้จักรายงานชนิด pivot"),
    ],
)
def test_an_incomplete_request_is_refused_in_thai(engine: Engine, request_: ExportRequest, message: str) -> None:
    with pytest.raises(ExportRequestError, match=message):
        _build(engine, request_)


def test_preview_frame_shows_the_table_as_in_the_workbook(engine: Engine, sales: list[Raw]) -> None:
    export = _build(engine, ExportRequest("by-channel-monthly", province_code="31", fiscal_year_be=2568))
    frame = preview_frame(export.sheets[0])

    assert list(frame.columns)[:3] == ["เดือน", "ในประเทศ (บาท) ออฟไลน์", "ในประเทศ (บาท) ออนไลน์"]
    assert list(frame["เดือน"]) == [*(f"{m} {y}" for m, y in [("ตุลาคม", 2567), ("พฤศจิกายน", 2567), ("ธันวาคม", 2567),
        ("มกราคม", 2568), ("กุมภาพันธ์", 2568), ("มีนาคม", 2568), ("เมษายน", 2568), ("พฤษภาคม", 2568),
        ("มิถุนายน", 2568), ("กรกฎาคม", 2568), ("สิงหาคม", 2568), ("กันยายน", 2568)]), "รวม"]  # fmt: skip
    total = _channels(_pick(sales, province="31", periods=FY2568))[4]
    assert frame.iloc[-1]["รวมทั้งสิ้น (บาท)"] == f"{total:,.2f}"


def test_the_demo_provinces_rt4_matches_the_official_actuals(demo_engine: Engine) -> None:
    export = _build(demo_engine, ExportRequest("rt4", province_code="31", fiscal_year_be=2568, round_no=1))
    assert Decimal(str(_money_totals(export)[4])) == Decimal("2510591410")
