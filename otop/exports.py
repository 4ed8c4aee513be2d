"""Excel exports in the official layouts: one function per kind, each returning the workbook's bytes.

Every function checks the actor's permission first and reads through the shared services
(``otop.queries``, ``otop.targets``, the entry service); the look lives in ``otop.excel_style``.
National kinds count only the district-months a province has locked, and say so in the header.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import func, select, type_coerce
from sqlmodel import Session

from db.models import CATEGORY_CODES, CHANNEL_COLUMNS, PRODUCER_TYPE_CODES, District, DistrictMonth, Province
from db.types import UTCDateTime
from otop.clock import utc_now
from otop.entry import load_month
from otop.excel_style import Column, Sheet, render_workbook
from otop.fiscal import Period, fiscal_year_periods, round_periods
from otop.forecast import load_forecast
from otop.i18n import (
    CATEGORY_LABELS,
    CATEGORY_SHORT_LABELS,
    LEVEL_LABELS,
    MONTHS_TH,
    PRODUCER_TYPE_LABELS,
    format_baht,
    format_percent,
    format_thai_date,
    format_thai_datetime,
    month_name,
    period_name,
)
from otop.masterdata import BANGKOK_PROVINCE_CODE, list_districts, list_provinces
from otop.money import ZERO
from otop.permissions import Action, Actor, allowed, ensure_permission, province_of
from otop.queries import SalesFilter, sales_rows
from otop.targets import build_target_table, total_monthly_estimate

PERCENT_STEP = Decimal("0.000001")
SALES_GROUP = "ยอดจำหน่าย (บาท)"
FORECAST_GROUP = "ประมาณการรายได้จากการจำหน่ายผลิตภัณฑ์ OTOP"
NATIONAL_NOTE = "รายงานระดับประเทศ: นับเฉพาะข้อมูลที่จังหวัดล็อกแล้ว"


class ExportRequestError(ValueError):
    """The export was asked for without what it needs (a district, a month…); the message is Thai."""


# --- what is exported, where and when -------------------------------------------------


@dataclass(frozen=True)
class Area:
    """A district, a province, or (neither given) the whole country."""

    province_code: str | None = None
    district_code: str | None = None

    @property
    def national(self) -> bool:
        return self.province_code is None and self.district_code is None

    @property
    def province(self) -> str | None:
        return province_of(self.district_code) if self.district_code else self.province_code

    @property
    def slug(self) -> str:
        return self.district_code or self.province_code or "all"

    def sales_filter(self, periods: Sequence[int] | None) -> SalesFilter:
        return SalesFilter(
            province_code=self.province,
            district_codes=[self.district_code] if self.district_code else None,
            periods=periods,
            locked_only=self.national,
        )


@dataclass(frozen=True)
class ReportSpan:
    """The months a report covers: one month, a whole fiscal year, or one indicator round of it."""

    periods: tuple[Period, ...]
    fiscal_year_be: int
    round_no: int | None = None
    single_month: bool = False

    @classmethod
    def month(cls, period: Period) -> ReportSpan:
        return cls(periods=(period,), fiscal_year_be=period.fiscal_year_be, single_month=True)

    @classmethod
    def fiscal_year(cls, fiscal_year_be: int, round_no: int | None = None) -> ReportSpan:
        periods = round_periods(fiscal_year_be, round_no) if round_no else fiscal_year_periods(fiscal_year_be)
        return cls(periods=tuple(periods), fiscal_year_be=fiscal_year_be, round_no=round_no)

    @property
    def codes(self) -> list[int]:
        return [period.code for period in self.periods]

    @property
    def label(self) -> str:
        if self.single_month:
            return f"ประจำเดือน{period_name(self.periods[0])}"
        months = f"{period_name(self.periods[0])} – {period_name(self.periods[-1])}"
        round_text = f" รอบที่ {self.round_no}" if self.round_no else ""
        return f"ปีงบประมาณ พ.ศ. {self.fiscal_year_be}{round_text} ({months})"

    @property
    def slug(self) -> str:
        if self.single_month:
            return self.periods[0].label
        return f"fy{self.fiscal_year_be}" + (f"-r{self.round_no}" if self.round_no else "")


@dataclass(frozen=True)
class ExportFile:
    """A built export: the workbook's bytes, a file name, and the sheets for an on-screen preview."""

    kind: str
    filename: str
    content: bytes
    sheets: tuple[Sheet, ...]


# --- shared pieces ---------------------------------------------------------------------


def _channel_columns(
    group: str = SALES_GROUP,
    *,
    width: float = 15,
    markets: tuple[str, str] = ("ในประเทศ", "ต่างประเทศ"),
    channels: tuple[str, str] = ("ขายออฟไลน์", "ขายออนไลน์"),
) -> list[Column]:
    """The four channel columns under their market groups, in ``CHANNEL_COLUMNS`` order."""
    return [Column((group, market, channel), "money", width) for market in markets for channel in channels]


TOTAL_COLUMN = Column(("รวมทั้งสิ้น (บาท)",), "money", 17)
ROW_NO_COLUMN = Column(("ที่",), "code", 5)


def _channels(row: dict[str, Any] | None) -> list[Decimal]:
    if row is None:
        return [ZERO] * len(CHANNEL_COLUMNS)
    return [row[column] for column in CHANNEL_COLUMNS]


def _column_sums(rows: Sequence[Sequence[Any]], columns: Sequence[Column], label: str = "รวม") -> list[Any]:
    """The totals row: money and integer columns summed exactly, the first text column labelled."""
    totals: list[Any] = []
    labelled = False
    for index, column in enumerate(columns):
        if column.kind in ("money", "integer"):
            totals.append(
                sum((row[index] for row in rows if row[index] is not None), ZERO if column.kind == "money" else 0)
            )
        elif column.kind == "text" and not labelled:
            totals.append(label)
            labelled = True
        else:
            totals.append(None)
    return totals


def _ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole == 0 else (part / whole).quantize(PERCENT_STEP)


def _ensure_read(actor: Actor, area: Area) -> None:
    if area.national:
        ensure_permission(actor, Action.READ_NATIONAL)
    elif area.district_code:
        ensure_permission(actor, Action.READ_FIGURES, district_code=area.district_code)
    else:
        ensure_permission(actor, Action.READ_FIGURES, province_code=area.province_code)


def _district(session: Session, district_code: str) -> District:
    district = session.get(District, district_code)
    if district is None:
        raise ExportRequestError(f"ไม่พบอำเภอรหัส {district_code}")
    return district


def _province_name(session: Session, province_code: str) -> str:
    province = session.get(Province, province_code)
    if province is None:
        raise ExportRequestError(f"ไม่พบจังหวัดรหัส {province_code}")
    return province.name_th


def _area_label(session: Session, area: Area) -> str:
    if area.national:
        return "ทั่วประเทศ"
    if area.district_code:
        district = _district(session, area.district_code)
        return f"อำเภอ{district.name_th} จังหวัด{_province_name(session, district.province_code)}"
    return f"จังหวัด{_province_name(session, area.province_code or '')}"


def _expected_districts(session: Session, area: Area) -> int:
    if area.district_code:
        return 1
    statement = select(func.count()).select_from(District)
    if area.province_code:
        statement = statement.where(District.province_code == area.province_code)
    else:
        statement = statement.where(District.province_code != BANGKOK_PROVINCE_CODE)
    return int(session.scalar(statement) or 0)


@dataclass(frozen=True)
class MonthStates:
    """How many of a district's months are confirmed and locked, and when that last happened."""

    confirmed: int = 0
    locked: int = 0
    last_confirmed_at: datetime | None = None
    last_locked_at: datetime | None = None


def _month_states(session: Session, area: Area, periods: Sequence[int]) -> dict[str, MonthStates]:
    """The confirmation and lock state of the area's district-months, by district, in one grouped query."""
    statement = select(
        DistrictMonth.district_code,
        func.count(DistrictMonth.confirmed_at),
        func.count(DistrictMonth.locked_at),
        type_coerce(func.max(DistrictMonth.confirmed_at), UTCDateTime),
        type_coerce(func.max(DistrictMonth.locked_at), UTCDateTime),
    ).where(DistrictMonth.period.in_(list(periods)))  # type: ignore[attr-defined]
    if area.district_code:
        statement = statement.where(DistrictMonth.district_code == area.district_code)
    elif area.province_code:
        statement = statement.where(DistrictMonth.province_code == area.province_code)
    statement = statement.group_by(DistrictMonth.district_code)
    return {code: MonthStates(*values) for code, *values in session.execute(statement)}


def _status_lines(session: Session, area: Area, span_periods: Sequence[int], *, extra: str = "") -> list[str]:
    """The data's status for the header: confirmed and locked, and as of when."""
    exported = f"ข้อมูล ณ {format_thai_datetime(utc_now())}"
    if area.district_code and len(span_periods) == 1:
        month = session.get(DistrictMonth, (area.district_code, span_periods[0]))
        confirmed = (
            f"ยืนยันข้อมูลแล้วโดย {month.confirmed_by} เมื่อ {format_thai_datetime(month.confirmed_at)}"
            if month is not None and month.confirmed_at is not None
            else "อำเภอยังไม่ยืนยันข้อมูล"
        )
        locked = (
            f"จังหวัดล็อกแล้วโดย {month.locked_by} เมื่อ {format_thai_datetime(month.locked_at)}"
            if month is not None and month.locked_at is not None
            else "จังหวัดยังไม่ล็อก"
        )
        first = f"สถานะข้อมูล: {confirmed} · {locked}"
    else:
        states = _month_states(session, area, span_periods)
        expected = _expected_districts(session, area) * len(span_periods)
        unit = "อำเภอ" if len(span_periods) == 1 else "อำเภอ-เดือน"
        confirmed_count = sum(state.confirmed for state in states.values())
        locked_count = sum(state.locked for state in states.values())
        last_locked = max((s.last_locked_at for s in states.values() if s.last_locked_at), default=None)
        first = (
            f"สถานะข้อมูล: ยืนยันแล้ว {confirmed_count:,}/{expected:,} {unit} · ล็อกแล้ว {locked_count:,}/{expected:,} {unit}"
        )
        if last_locked is not None:
            first += f" · ล็อกล่าสุด {format_thai_datetime(last_locked)}"
    second = " · ".join(part for part in (exported, NATIONAL_NOTE if area.national else "", extra) if part)
    return [first, second]


def _state_text(state: MonthStates | None, months: int) -> str:
    if state is None or not state.confirmed:
        return "ยังไม่ยืนยัน"
    if months == 1:
        return "ล็อกแล้ว" if state.locked else "ยืนยันแล้ว"
    return f"ยืนยัน {state.confirmed}/{months} · ล็อก {state.locked}/{months}"


def _export(
    kind: str, area: Area, slug: str, sheets: Sequence[Sheet], metadata: dict[str, str] | None = None
) -> ExportFile:
    return ExportFile(
        kind=kind,
        filename=f"{kind}_{area.slug}_{slug}.xlsx",
        content=render_workbook(sheets, metadata=metadata),
        sheets=tuple(sheets),
    )


# --- district forms: รต.1, รต.2, forecast ----------------------------------------------

RT1_TITLE = "แบบจัดเก็บข้อมูลรายได้จากการจำหน่ายผลิตภัณฑ์ OTOP (รต.1)"
RT1_SUBTITLE = (
    "รายได้จากการจำหน่ายสินค้าที่ลงทะเบียน OTOP ทุกผลิตภัณฑ์ จำแนกตาม 5 กลุ่มประเภทผลิตภัณฑ์ ทั้งที่เข้ารับการคัดสรร OPC และไม่ได้เข้ารับการคัดสรรฯ"
)
RT1_TYPE_HEADERS = {
    "community": "กลุ่มผู้ผลิตชุมชน",
    "single_owner": "ผลิตภัณฑ์ชุมชนที่เป็นเจ้าของรายเดียว",
    "sme": "SMEs",
}
RT1_PRODUCER_ID_HEADER = "รหัสผู้ผลิต"
RT1_NOTE_HEADER = "หมายเหตุ (ค่าผิดปกติ)"
MARK = "✓"


def rt1_columns() -> list[Column]:
    """The columns of form รต.1, plus the producer code and remark the import reads back."""
    return [
        ROW_NO_COLUMN,
        Column((RT1_PRODUCER_ID_HEADER,), "code", 9),
        Column(("รายชื่อกลุ่ม/ผู้ผลิต ผู้ประกอบการ OTOP",), "text", 34),
        Column(("อำเภอ",), "text", 12),
        *(Column(("ประเภทผลิตภัณฑ์", CATEGORY_SHORT_LABELS[code]), "mark", 8) for code in CATEGORY_CODES),
        *(
            Column(("ประเภทกลุ่ม/ผู้ผลิต ผู้ประกอบการ OTOP", RT1_TYPE_HEADERS[code]), "mark", 10)
            for code in PRODUCER_TYPE_CODES
        ),
        *_channel_columns(width=14),
        Column(("รวมทั้งสิ้น",), "money", 15),
        Column((RT1_NOTE_HEADER,), "text", 18),
    ]


RT1_FIRST_CHANNEL_INDEX = 4 + len(CATEGORY_CODES) + len(PRODUCER_TYPE_CODES)


def _rt1_notes() -> list[str]:
    return [
        "หมายเหตุ",
        "- รายงานทุกสิ้นเดือน ทางระบบรายงานรายได้ OTOP",
        "- หากกลุ่ม/ผู้ผลิตฯ มีผลิตภัณฑ์มากกว่า 1 ประเภท ให้พิมพ์ชื่อกลุ่ม/ผู้ผลิตฯ เพิ่ม ตามจำนวนประเภทผลิตภัณฑ์",
        "- อำเภอจัดเก็บแบบรายงานเป็นหลักฐานเชิงประจักษ์",
        "- ใช้ไฟล์นี้กรอกยอดจำหน่ายแล้วอัปโหลดที่หน้าบันทึกข้อมูลได้: อย่าแก้รหัสผู้ผลิต ช่องว่างนับเป็น 0",
    ]


def export_rt1(*, session: Session, actor: Actor, district_code: str, period: Period) -> ExportFile:
    """Form รต.1 of one district-month: one row per producer and category; also the upload template."""
    area = Area(district_code=district_code)
    _ensure_read(actor, area)
    district = _district(session, district_code)
    grid = load_month(session=session, actor=actor, district_code=district_code, period=period)
    rows: list[list[Any]] = []
    for row_no, row in enumerate(grid.rows, start=1):
        amounts = [getattr(row, column) for column in CHANNEL_COLUMNS]
        rows.append(
            [
                row_no,
                row.producer_id,
                row.producer_name,
                district.name_th,
                *(MARK if row.category == code else None for code in CATEGORY_CODES),
                *(MARK if row.producer_type == code else None for code in PRODUCER_TYPE_CODES),
                *amounts,
                sum(amounts, ZERO),
                row.outlier_note or None,
            ]
        )
    columns = rt1_columns()
    sheet = Sheet(
        name="รต.1",
        title_lines=[
            RT1_TITLE,
            f"ประจำปีงบประมาณ พ.ศ. {period.fiscal_year_be}",
            f"{_area_label(session, area)} ประจำเดือน{period_name(period)}",
        ],
        status_lines=[RT1_SUBTITLE, *_status_lines(session, area, [period.code], extra=f"ฉบับที่ {grid.version}")],
        columns=columns,
        rows=rows,
        totals=_column_sums(rows, columns),
        notes=_rt1_notes(),
    )
    metadata = {
        "kind": "rt1",
        "district_code": district_code,
        "period": period.label,
        "version": str(grid.version),
        "exported_at": utc_now().isoformat(),
    }
    return _export("rt1", area, period.label, [sheet], metadata)


def _signature(position: str) -> list[str]:
    return [
        "ลงชื่อ ........................................................ ผู้รายงาน",
        "(........................................................)",
        f"ตำแหน่ง {position}",
        "วันที่ ........ / ........ / ........",
    ]


def export_rt2(*, session: Session, actor: Actor, district_code: str, period: Period) -> ExportFile:
    """Form รต.2: the district's monthly summary by category, signed by the district development officer."""
    area = Area(district_code=district_code)
    _ensure_read(actor, area)
    district = _district(session, district_code)
    by_category = {row["category"]: row for row in sales_rows(session, area.sales_filter([period.code]), ["category"])}
    columns = [
        ROW_NO_COLUMN,
        Column(("ประเภทผลิตภัณฑ์",), "text", 30),
        Column(("จำนวนรายการ",), "integer", 11),
        *_channel_columns(),
        TOTAL_COLUMN,
    ]
    rows = [
        [
            index,
            CATEGORY_LABELS[code],
            int(by_category[code]["row_count"]) if code in by_category else 0,
            *_channels(by_category.get(code)),
            by_category[code]["total"] if code in by_category else ZERO,
        ]
        for index, code in enumerate(CATEGORY_CODES, start=1)
    ]
    sheet = Sheet(
        name="รต.2",
        title_lines=[
            "รายงานข้อมูลรายได้จากการจำหน่ายผลิตภัณฑ์ชุมชน OTOP (รต.2)",
            f"ประจำปีงบประมาณ พ.ศ. {period.fiscal_year_be}",
            f"{_area_label(session, area)} ประจำเดือน{period_name(period)}",
        ],
        status_lines=_status_lines(session, area, [period.code]),
        columns=columns,
        rows=rows,
        totals=_column_sums(rows, columns),
        notes=["ขอรับรองว่าข้อมูลรายได้จากการจำหน่ายผลิตภัณฑ์ชุมชน OTOP ข้างต้นถูกต้องตามความเป็นจริง"],
        signature=_signature(f"พัฒนาการอำเภอ{district.name_th}"),
        one_page=True,
    )
    return _export("rt2", area, period.label, [sheet])


def forecast_columns() -> list[Column]:
    """The columns of the forecast form (enclosure 4)."""
    return [
        Column(("เดือน",), "text", 18),
        *_channel_columns(
            FORECAST_GROUP,
            width=16,
            markets=("ภายในประเทศ (บาท)", "ส่งออกต่างประเทศ (บาท)"),
            channels=("ออฟไลน์", "ออนไลน์"),
        ),
        TOTAL_COLUMN,
        Column(("หมายเหตุ",), "text", 24),
    ]


def export_forecast(*, session: Session, actor: Actor, district_code: str, fiscal_year_be: int) -> ExportFile:
    """The forecast form of a district: twelve months October–September by channel, total, remarks, signature.

    Also the upload template of the forecast import.
    """
    area = Area(district_code=district_code)
    _ensure_read(actor, area)
    form = load_forecast(session=session, actor=actor, district_code=district_code, fiscal_year_be=fiscal_year_be)
    rows = [
        [period_name(month.period), *month.amounts.values(), month.total, month.remark or None] for month in form.months
    ]
    columns = forecast_columns()
    status = form.status_label
    if form.status == "certified":
        meeting = format_thai_date(form.committee_meeting_date) if form.committee_meeting_date else "–"
        status += f" (ประชุมวันที่ {meeting}" + (f" {form.committee_reference})" if form.committee_reference else ")")
    elif form.submitted_at is not None and form.status == "submitted":
        status += f" เมื่อ {format_thai_datetime(form.submitted_at)}"
    sheet = Sheet(
        name="ประมาณการ",
        title_lines=[
            "แบบประมาณการรายได้จากการจำหน่ายผลิตภัณฑ์ OTOP",
            f"ปีงบประมาณ พ.ศ. {fiscal_year_be}",
            _area_label(session, area),
        ],
        status_lines=[
            f"สถานะแบบประมาณการ: {status} · กำหนดส่งจังหวัด {format_thai_date(form.due_date)}",
            f"ข้อมูล ณ {format_thai_datetime(utc_now())} · ฉบับที่ {form.version}",
        ],
        columns=columns,
        rows=rows,
        totals=_column_sums(rows, columns, label="รวมทั้งสิ้น"),
        notes=["ผ่านการรับรองข้อมูลจากคณะกรรมการหนึ่งตำบลหนึ่งผลิตภัณฑ์ระดับอำเภอ (นตผ.อำเภอ)"],
        signature=_signature(f"พัฒนาการอำเภอ{form.district_name_th}"),
        one_page=True,
    )
    metadata = {
        "kind": "forecast",
        "district_code": district_code,
        "fiscal_year_be": str(fiscal_year_be),
        "version": str(form.version),
        "exported_at": utc_now().isoformat(),
    }
    return _export("forecast", area, f"fy{fiscal_year_be}", [sheet], metadata)


# --- province forms: รต.3, รต.4, targets -------------------------------------------------


def export_rt3(*, session: Session, actor: Actor, province_code: str, span: ReportSpan) -> ExportFile:
    """Form รต.3: the province's sales by product category and channel."""
    area = Area(province_code=province_code)
    _ensure_read(actor, area)
    by_category = {row["category"]: row for row in sales_rows(session, area.sales_filter(span.codes), ["category"])}
    columns = [ROW_NO_COLUMN, Column(("ประเภทผลิตภัณฑ์",), "text", 32), *_channel_columns(), TOTAL_COLUMN]
    rows = [
        [
            index,
            CATEGORY_LABELS[code],
            *_channels(by_category.get(code)),
            by_category[code]["total"] if code in by_category else ZERO,
        ]
        for index, code in enumerate(CATEGORY_CODES, start=1)
    ]
    sheet = Sheet(
        name="รต.3",
        title_lines=[
            "แบบรายงานผลการจำหน่ายสินค้าโครงการหนึ่งตำบล หนึ่งผลิตภัณฑ์ แยกตามประเภทผลิตภัณฑ์ (รต.3)",
            f"{_area_label(session, area)} {span.label}",
        ],
        status_lines=_status_lines(session, area, span.codes),
        columns=columns,
        rows=rows,
        totals=_column_sums(rows, columns),
    )
    return _export("rt3", area, span.slug, [sheet])


def export_rt4(*, session: Session, actor: Actor, province_code: str, span: ReportSpan) -> ExportFile:
    """Form รต.4: the province's sales by district and channel, with each district's confirmation state."""
    area = Area(province_code=province_code)
    _ensure_read(actor, area)
    districts = list_districts(session, province_code)
    by_district = {
        row["district_code"]: row for row in sales_rows(session, area.sales_filter(span.codes), ["district_code"])
    }
    states = _month_states(session, area, span.codes)
    columns = [
        ROW_NO_COLUMN,
        Column(("อำเภอ",), "text", 20),
        *_channel_columns(),
        TOTAL_COLUMN,
        Column(("สถานะข้อมูล",), "text", 16 if span.single_month else 22),
    ]
    rows = [
        [
            index,
            district.name_th,
            *_channels(by_district.get(district.code)),
            by_district[district.code]["total"] if district.code in by_district else ZERO,
            _state_text(states.get(district.code), len(span.periods)),
        ]
        for index, district in enumerate(districts, start=1)
    ]
    sheet = Sheet(
        name="รต.4",
        title_lines=[
            "แบบรายงานข้อมูลผลการจำหน่ายสินค้าหนึ่งตำบล หนึ่งผลิตภัณฑ์ รายอำเภอ (รต.4)",
            f"{_area_label(session, area)} {span.label}",
        ],
        status_lines=_status_lines(session, area, span.codes),
        columns=columns,
        rows=rows,
        totals=_column_sums(rows, columns),
    )
    return _export("rt4", area, span.slug, [sheet])


def _months_text(codes: Sequence[int]) -> str:
    if not codes:
        return "ยังไม่มีข้อมูล"
    first, last = Period.from_code(codes[0]), Period.from_code(codes[-1])
    return f"{month_name(first.month)}-{month_name(last.month)}"


def export_targets(
    *,
    session: Session,
    actor: Actor,
    province_code: str,
    fiscal_year_be: int,
    round_no: int,
    as_of: Period | None = None,
) -> ExportFile:
    """The target table of enclosures 1 and 2 with actual sales to date, attainment and status.

    Actuals run to ``as_of`` (by default the last month of the round with any sales).
    """
    area = Area(province_code=province_code)
    _ensure_read(actor, area)
    table = build_target_table(
        session,
        actor=actor,
        province_code=province_code,
        fiscal_year_be=fiscal_year_be,
        round_no=round_no,
        as_of_period=as_of.code if as_of else None,
    )
    previous = fiscal_year_be - 1
    base = "ฐานข้อมูล\nยอดจำหน่ายสินค้า OTOP"
    columns = [
        ROW_NO_COLUMN,
        Column(("อำเภอ",), "text", 18),
        Column((f"{base}\nปี {previous}",), "money", 16),
        Column((f"{base}\nปี {previous}\n(เพิ่มขึ้น 4%)",), "money", 16),
        Column((f"{base}\nขั้นต้น\nเพิ่มขึ้นร้อยละ 2",), "money", 16),
        Column((f"{base}\nขั้นมาตรฐาน\nเพิ่มขึ้นร้อยละ 3",), "money", 16),
        Column((f"{base}\nขั้นสูง\nเพิ่มขึ้นร้อยละ 4",), "money", 16),
        Column((f"ยอดจำหน่าย\nระหว่างเดือน\n({_months_text(table.actual_periods)})\nปี {fiscal_year_be}",), "money", 16),
        Column((f"ประมาณการ\nต่อเดือน (บันทึก)\nปี {fiscal_year_be}",), "money", 15),
        Column(("ร้อยละของ\nเป้าหมาย\n(+4%)",), "percent", 11),
        Column(("สถานะ",), "text", 13),
    ]

    def values(row_no: int | None, name: str, row: Any, estimate: Decimal) -> list[Any]:
        ratio = row.attainment
        return [
            row_no,
            name,
            row.levels.baseline,
            row.levels.target_plus4,
            row.levels.basic,
            row.levels.standard,
            row.levels.advanced,
            row.actual,
            estimate,
            None if ratio is None else ratio.quantize(PERCENT_STEP),
            LEVEL_LABELS[row.status],
        ]

    rows = [values(row.row_no, row.district_name_th, row, row.levels.monthly_estimate) for row in table.rows]
    periods = round_periods(fiscal_year_be, round_no)
    sheet = Sheet(
        name=f"เป้าหมาย รอบที่ {round_no}",
        title_lines=[
            "เป้าหมายตัวชี้วัดรายได้จากการจำหน่ายผลิตภัณฑ์ชุมชน OTOP",
            f"ประจำปีงบประมาณ พ.ศ. {fiscal_year_be} ({period_name(periods[0])} - {period_name(periods[-1])})",
            _area_label(session, area),
        ],
        status_lines=_status_lines(session, area, table.actual_periods or [periods[0].code]),
        columns=columns,
        rows=rows,
        totals=values(None, "รวม", table.total, total_monthly_estimate(table)),
        notes=[
            "ระดับเป้าหมายปัดเศษแบบครึ่งขึ้นเป็นบาท แถวรวมคำนวณจากฐานรวมของจังหวัดแล้วปัดเศษครั้งเดียว",
            "สถานะ = ระดับสูงสุดที่ยอดจำหน่ายจริงถึงแล้ว",
        ],
    )
    return _export("targets", area, f"fy{fiscal_year_be}-r{round_no}", [sheet])


# --- the current system's exports ------------------------------------------------------


def export_overview(*, session: Session, actor: Actor, area: Area, span: ReportSpan) -> ExportFile:
    """Overview of an area: each category's sales by producer type and by market, with its share."""
    _ensure_read(actor, area)
    cells = {
        (row["category"], row["producer_type"]): row
        for row in sales_rows(session, area.sales_filter(span.codes), ["category", "producer_type"])
    }
    grand_total = sum((row["total"] for row in cells.values()), ZERO)
    columns = [
        Column(("ประเภทผลิตภัณฑ์",), "text", 28),
        *(
            Column(("จำแนกตามประเภทผู้ผลิต (บาท)", PRODUCER_TYPE_LABELS[code]), "money", 16)
            for code in PRODUCER_TYPE_CODES
        ),
        Column(("จำแนกตามตลาด (บาท)", "ในประเทศ"), "money", 16),
        Column(("จำแนกตามตลาด (บาท)", "ต่างประเทศ"), "money", 16),
        TOTAL_COLUMN,
        Column(("ร้อยละของยอดรวม",), "percent", 11),
    ]
    rows: list[list[Any]] = []
    for category in CATEGORY_CODES:
        found = [cells[(category, code)] for code in PRODUCER_TYPE_CODES if (category, code) in cells]
        domestic = sum((row["domestic_offline"] + row["domestic_online"] for row in found), ZERO)
        export = sum((row["export_offline"] + row["export_online"] for row in found), ZERO)
        total = sum((row["total"] for row in found), ZERO)
        rows.append(
            [
                CATEGORY_LABELS[category],
                *(
                    cells[(category, code)]["total"] if (category, code) in cells else ZERO
                    for code in PRODUCER_TYPE_CODES
                ),
                domestic,
                export,
                total,
                _ratio(total, grand_total),
            ]
        )
    totals = _column_sums(rows, columns)
    totals[-1] = Decimal(1) if grand_total else None
    sheet = Sheet(
        name="ภาพรวม",
        title_lines=[
            "แบบสรุปภาพรวมรายงานยอดจำหน่ายสินค้า OTOP",
            f"{_area_label(session, area)} {span.label}",
        ],
        status_lines=_status_lines(session, area, span.codes),
        columns=columns,
        rows=rows,
        totals=totals,
    )
    return _export("overview", area, span.slug, [sheet])


def export_by_category_monthly(*, session: Session, actor: Actor, area: Area, span: ReportSpan) -> ExportFile:
    """Month by month, the sales of each product category."""
    _ensure_read(actor, area)
    cells = {
        (row["period"], row["category"]): row["total"]
        for row in sales_rows(session, area.sales_filter(span.codes), ["period", "category"])
    }
    columns = [
        Column(("เดือน",), "text", 18),
        *(Column(("ประเภทผลิตภัณฑ์ (บาท)", CATEGORY_LABELS[code]), "money", 17) for code in CATEGORY_CODES),
        TOTAL_COLUMN,
    ]
    rows = []
    for period in span.periods:
        amounts = [cells.get((period.code, code), ZERO) for code in CATEGORY_CODES]
        rows.append([period_name(period), *amounts, sum(amounts, ZERO)])
    sheet = Sheet(
        name="รายเดือนตามประเภท",
        title_lines=[
            "แบบสรุปภาพรวมรายงานยอดจำหน่ายสินค้า OTOP (รายเดือน แยกตามประเภทผลิตภัณฑ์)",
            f"{_area_label(session, area)} {span.label}",
        ],
        status_lines=_status_lines(session, area, span.codes),
        columns=columns,
        rows=rows,
        totals=_column_sums(rows, columns),
    )
    return _export("by-category-monthly", area, span.slug, [sheet])


def export_by_channel_monthly(*, session: Session, actor: Actor, area: Area, span: ReportSpan) -> ExportFile:
    """Month by month, domestic and export sales, offline and online."""
    _ensure_read(actor, area)
    by_period = {row["period"]: row for row in sales_rows(session, area.sales_filter(span.codes), ["period"])}
    columns = [
        Column(("เดือน",), "text", 18),
        Column(("ในประเทศ (บาท)", "ออฟไลน์"), "money", 15),
        Column(("ในประเทศ (บาท)", "ออนไลน์"), "money", 15),
        Column(("ในประเทศ (บาท)", "รวมในประเทศ"), "money", 16),
        Column(("ต่างประเทศ (บาท)", "ออฟไลน์"), "money", 15),
        Column(("ต่างประเทศ (บาท)", "ออนไลน์"), "money", 15),
        Column(("ต่างประเทศ (บาท)", "รวมต่างประเทศ"), "money", 16),
        TOTAL_COLUMN,
    ]
    rows = []
    for period in span.periods:
        offline, online, export_offline, export_online = _channels(by_period.get(period.code))
        rows.append(
            [
                period_name(period),
                offline,
                online,
                offline + online,
                export_offline,
                export_online,
                export_offline + export_online,
                offline + online + export_offline + export_online,
            ]
        )
    sheet = Sheet(
        name="รายเดือนตามช่องทาง",
        title_lines=[
            "แบบสรุปภาพรวมรายงานยอดจำหน่ายสินค้า OTOP (รายเดือน แยกตามการขายในประเทศและต่างประเทศ ออนไลน์ ออฟไลน์)",
            f"{_area_label(session, area)} {span.label}",
        ],
        status_lines=_status_lines(session, area, span.codes),
        columns=columns,
        rows=rows,
        totals=_column_sums(rows, columns),
    )
    return _export("by-channel-monthly", area, span.slug, [sheet])


def _locked_by_province(states: dict[str, MonthStates]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for district_code, state in states.items():
        counts[province_of(district_code)] = counts.get(province_of(district_code), 0) + state.locked
    return counts


def export_by_province(*, session: Session, actor: Actor, span: ReportSpan) -> ExportFile:
    """Every province's locked sales by channel (national, locked data only)."""
    area = Area()
    _ensure_read(actor, area)
    by_province = {
        row["province_code"]: row for row in sales_rows(session, area.sales_filter(span.codes), ["province_code"])
    }
    locked = _locked_by_province(_month_states(session, area, span.codes))
    columns = [
        ROW_NO_COLUMN,
        Column(("จังหวัด",), "text", 18),
        *_channel_columns(),
        TOTAL_COLUMN,
        Column(("อำเภอ-เดือนที่ล็อกแล้ว",), "integer", 12),
    ]
    rows = [
        [
            index,
            province.name_th,
            *_channels(by_province.get(province.code)),
            by_province[province.code]["total"] if province.code in by_province else ZERO,
            locked.get(province.code, 0),
        ]
        for index, province in enumerate(list_provinces(session), start=1)
    ]
    sheet = Sheet(
        name="รายจังหวัด",
        title_lines=["แบบสรุปรายงานยอดจำหน่ายสินค้า OTOP (รายจังหวัด)", f"ทั่วประเทศ {span.label}"],
        status_lines=_status_lines(session, area, span.codes),
        columns=columns,
        rows=rows,
        totals=_column_sums(rows, columns),
    )
    return _export("by-province", area, span.slug, [sheet])


def export_domestic_vs_export(*, session: Session, actor: Actor, span: ReportSpan) -> ExportFile:
    """Domestic against export sales of every province, with their shares (national, locked data only)."""
    area = Area()
    _ensure_read(actor, area)
    by_province = {
        row["province_code"]: row for row in sales_rows(session, area.sales_filter(span.codes), ["province_code"])
    }
    columns = [
        ROW_NO_COLUMN,
        Column(("จังหวัด",), "text", 18),
        Column(("ในประเทศ", "ยอดจำหน่าย (บาท)"), "money", 17),
        Column(("ในประเทศ", "ร้อยละ"), "percent", 10),
        Column(("ต่างประเทศ", "ยอดจำหน่าย (บาท)"), "money", 17),
        Column(("ต่างประเทศ", "ร้อยละ"), "percent", 10),
        TOTAL_COLUMN,
    ]

    def values(row_no: int | None, name: str, domestic: Decimal, export: Decimal) -> list[Any]:
        total = domestic + export
        return [row_no, name, domestic, _ratio(domestic, total), export, _ratio(export, total), total]

    rows = []
    for index, province in enumerate(list_provinces(session), start=1):
        offline, online, export_offline, export_online = _channels(by_province.get(province.code))
        rows.append(values(index, province.name_th, offline + online, export_offline + export_online))
    sheet = Sheet(
        name="ในประเทศและต่างประเทศ",
        title_lines=[
            "แบบรายงานเปรียบเทียบยอดจำหน่ายในประเทศและต่างประเทศ (รายจังหวัด)",
            f"ทั่วประเทศ {span.label}",
        ],
        status_lines=_status_lines(session, area, span.codes),
        columns=columns,
        rows=rows,
        totals=values(None, "รวม", sum((row[2] for row in rows), ZERO), sum((row[4] for row in rows), ZERO)),
    )
    return _export("domestic-vs-export", area, span.slug, [sheet])


def export_years_months(*, session: Session, actor: Actor, area: Area) -> ExportFile:
    """The current system's "monthly data": one row per calendar year (BE), one column per month."""
    _ensure_read(actor, area)
    by_period = {row["period"]: row["total"] for row in sales_rows(session, area.sales_filter(None), ["period"])}
    years = sorted({code // 100 for code in by_period})
    columns = [
        Column(("ปี (พ.ศ.)",), "code", 9),
        *(Column(("ยอดจำหน่ายรายเดือน (บาท)", name), "money", 14) for name in MONTHS_TH),
        Column(("รวมทั้งปี (บาท)",), "money", 17),
    ]
    rows = []
    for year in years:
        amounts = [by_period.get(year * 100 + month, ZERO) for month in range(1, 13)]
        rows.append([year, *amounts, sum(amounts, ZERO)])
    totals = _column_sums(rows, columns)
    totals[0] = "รวม"
    sheet = Sheet(
        name="ข้อมูลรายเดือน",
        title_lines=["ข้อมูลรายเดือนของยอดจำหน่ายสินค้า OTOP", _area_label(session, area)],
        status_lines=_status_lines(session, area, sorted(by_period) or [Period.of_date(utc_now().date()).code]),
        columns=columns,
        rows=rows,
        totals=totals,
    )
    return _export("years-months", area, "all-years", [sheet])


# --- the catalogue: one entry per kind, for the page and the command line -------------------


@dataclass(frozen=True)
class ExportRequest:
    """What the page or the command line asks for; each kind uses the parts it needs.

    ``period`` is the month of a monthly report, or for ``targets`` the month the actuals run to.
    """

    kind: str
    province_code: str | None = None
    district_code: str | None = None
    period: Period | None = None
    fiscal_year_be: int | None = None
    round_no: int | None = None

    @property
    def area(self) -> Area:
        return Area(province_code=self.province_code, district_code=self.district_code)

    def span(self) -> ReportSpan:
        if self.period is not None:
            return ReportSpan.month(self.period)
        if self.fiscal_year_be is not None:
            return ReportSpan.fiscal_year(self.fiscal_year_be, self.round_no)
        raise ExportRequestError(f"รายงาน {EXPORT_KINDS[self.kind].label} ต้องระบุเดือน หรือปีงบประมาณ")


@dataclass(frozen=True)
class ExportKind:
    """One kind of export: its Thai name, the level of area it covers and the time it needs.

    ``scope``: ``district``, ``province``, ``area`` (district, province or the country) or ``national``.
    ``timing``: ``month``, ``span`` (a month or a fiscal year, optionally a round), ``fiscal_year``,
    ``round`` (a fiscal year and a round) or ``none``.
    """

    code: str
    label: str
    scope: str
    timing: str
    build: Callable[[Session, Actor, ExportRequest], ExportFile] = field(repr=False, compare=False)


def _need_district(request: ExportRequest) -> str:
    if not request.district_code:
        raise ExportRequestError(f"รายงาน {EXPORT_KINDS[request.kind].label} ต้องระบุอำเภอ")
    return request.district_code


def _need_province(request: ExportRequest) -> str:
    province_code = request.province_code or (province_of(request.district_code) if request.district_code else None)
    if not province_code:
        raise ExportRequestError(f"รายงาน {EXPORT_KINDS[request.kind].label} ต้องระบุจังหวัด")
    return province_code


def _need_period(request: ExportRequest) -> Period:
    if request.period is None:
        raise ExportRequestError(f"รายงาน {EXPORT_KINDS[request.kind].label} ต้องระบุเดือน")
    return request.period


def _need_fiscal_year(request: ExportRequest) -> int:
    if request.fiscal_year_be is None:
        raise ExportRequestError(f"รายงาน {EXPORT_KINDS[request.kind].label} ต้องระบุปีงบประมาณ")
    return request.fiscal_year_be


def _need_round(request: ExportRequest) -> int:
    if request.round_no not in (1, 2):
        raise ExportRequestError(f"รายงาน {EXPORT_KINDS[request.kind].label} ต้องระบุรอบที่ 1 หรือ 2")
    return int(request.round_no)  # type: ignore[arg-type]


_KIND_LIST = (
    ExportKind(
        "rt1",
        "รต.1 ยอดจำหน่ายรายผู้ผลิต (อำเภอ รายเดือน)",
        "district",
        "month",
        lambda s, a, r: export_rt1(session=s, actor=a, district_code=_need_district(r), period=_need_period(r)),
    ),
    ExportKind(
        "rt2",
        "รต.2 สรุปรายเดือนของอำเภอ (พร้อมช่องลงนาม)",
        "district",
        "month",
        lambda s, a, r: export_rt2(session=s, actor=a, district_code=_need_district(r), period=_need_period(r)),
    ),
    ExportKind(
        "rt3",
        "รต.3 ยอดจำหน่ายของจังหวัด แยกตามประเภทผลิตภัณฑ์",
        "province",
        "span",
        lambda s, a, r: export_rt3(session=s, actor=a, province_code=_need_province(r), span=r.span()),
    ),
    ExportKind(
        "rt4",
        "รต.4 ยอดจำหน่ายของจังหวัด รายอำเภอ",
        "province",
        "span",
        lambda s, a, r: export_rt4(session=s, actor=a, province_code=_need_province(r), span=r.span()),
    ),
    ExportKind(
        "forecast",
        "แบบประมาณการรายได้ของอำเภอ",
        "district",
        "fiscal_year",
        lambda s, a, r: export_forecast(
            session=s, actor=a, district_code=_need_district(r), fiscal_year_be=_need_fiscal_year(r)
        ),
    ),
    ExportKind(
        "targets",
        "เป้าหมายตัวชี้วัด (สิ่งที่ส่งมาด้วย 1 และ 2) พร้อมผลการจำหน่าย",
        "province",
        "round",
        lambda s, a, r: export_targets(
            session=s,
            actor=a,
            province_code=_need_province(r),
            fiscal_year_be=_need_fiscal_year(r),
            round_no=_need_round(r),
            as_of=r.period,
        ),
    ),
    ExportKind(
        "overview",
        "สรุปภาพรวมยอดจำหน่าย",
        "area",
        "span",
        lambda s, a, r: export_overview(session=s, actor=a, area=r.area, span=r.span()),
    ),
    ExportKind(
        "by-category-monthly",
        "สรุปรายเดือน แยกตามประเภทผลิตภัณฑ์",
        "area",
        "span",
        lambda s, a, r: export_by_category_monthly(session=s, actor=a, area=r.area, span=r.span()),
    ),
    ExportKind(
        "by-channel-monthly",
        "สรุปรายเดือน แยกตามช่องทาง (ในประเทศ/ต่างประเทศ ออฟไลน์/ออนไลน์)",
        "area",
        "span",
        lambda s, a, r: export_by_channel_monthly(session=s, actor=a, area=r.area, span=r.span()),
    ),
    ExportKind(
        "by-province",
        "สรุปยอดจำหน่ายรายจังหวัด (ทั่วประเทศ เฉพาะข้อมูลที่ล็อกแล้ว)",
        "national",
        "span",
        lambda s, a, r: export_by_province(session=s, actor=a, span=r.span()),
    ),
    ExportKind(
        "domestic-vs-export",
        "เปรียบเทียบในประเทศและต่างประเทศ รายจังหวัด (ทั่วประเทศ เฉพาะข้อมูลที่ล็อกแล้ว)",
        "national",
        "span",
        lambda s, a, r: export_domestic_vs_export(session=s, actor=a, span=r.span()),
    ),
    ExportKind(
        "years-months",
        "ข้อมูลรายเดือนของยอดจำหน่าย (ปี × เดือน)",
        "area",
        "none",
        lambda s, a, r: export_years_months(session=s, actor=a, area=r.area),
    ),
)
EXPORT_KINDS: dict[str, ExportKind] = {kind.code: kind for kind in _KIND_LIST}


def build_export(*, session: Session, actor: Actor, request: ExportRequest) -> ExportFile:
    """The export a request asks for; refused when the actor may not read that area."""
    kind = EXPORT_KINDS.get(request.kind)
    if kind is None:
        raise ExportRequestError(f"ไม่รู้จักรายงานชนิด {request.kind}")
    return kind.build(session, actor, request)


def kinds_for(actor: Actor) -> list[ExportKind]:
    """The kinds this actor may export at least for its own area, in menu order."""
    own_province = actor.province_code or (province_of(actor.district_code) if actor.district_code else None)
    may_read_province = actor.role in ("department", "admin") or allowed(
        actor, Action.READ_FIGURES, province_code=own_province
    )
    available = []
    for kind in _KIND_LIST:
        if kind.scope == "national":
            permitted = allowed(actor, Action.READ_NATIONAL)
        elif kind.scope == "province":
            permitted = may_read_province
        else:
            permitted = True
        if permitted:
            available.append(kind)
    return available


def preview_frame(sheet: Sheet) -> pd.DataFrame:
    """The sheet's table and totals row as text, formatted as in the workbook, for an on-screen preview."""

    def shown(value: Any, kind: str) -> str:
        if value is None:
            return ""
        if kind == "money":
            return format_baht(value, symbol=False)
        if kind == "percent":
            return format_percent(value)
        return str(value)

    rows = [*sheet.rows, *([sheet.totals] if sheet.totals is not None else [])]
    labels = [column.label for column in sheet.columns]
    return pd.DataFrame(
        [[shown(value, column.kind) for value, column in zip(row, sheet.columns, strict=True)] for row in rows],
        columns=labels,
    )
