"""The forecast form (แบบประมาณการรายได้): a district's 12 months × 4 channels, submission and certification.

States: ``draft`` (the district edits) → ``submitted`` (sent to the province; an edit puts it
back to draft) → ``certified`` (the district OTOP committee, นตผ.อำเภอ, certified it). A certified
form is read-only for every role until the province (or the department, or an admin) reopens
it with a reason, which puts it back to draft. The monthly entry window and the district-month
lock do not apply to the forecast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db.models import CHANNEL_COLUMNS, District, Forecast, ForecastForm
from otop import audit
from otop.clock import utc_now
from otop.config import get_settings
from otop.entry import CellProblem, CellValue, EntryConflict, EntryValidationError, district_name, parse_amount
from otop.fiscal import Period, bangkok_date, be_to_ce, fiscal_year_periods
from otop.i18n import CHANNEL_LABELS, FORECAST_STATUS_LABELS, format_thai_date, format_thai_datetime, period_name
from otop.money import ZERO
from otop.permissions import Action, Actor, ensure_permission
from otop.status import EntryRefused
from otop.text import clean_text

DUE_MONTH = 1
DUE_DAY = 23
REMARK_MAX_CHARS = 500
TEXT_MAX_CHARS = 200
REMARK_FIELD = "remark"


def forecast_due_date(fiscal_year_be: int) -> date:
    """23 January of the fiscal year: FY2568's form is due to the province on 23 มกราคม 2568."""
    return date(be_to_ce(fiscal_year_be), DUE_MONTH, DUE_DAY)


@dataclass(frozen=True)
class ForecastRowInput:
    """One month of the form as the user gave it; ``remark=None`` keeps the stored remark."""

    period: Period
    domestic_offline: CellValue = None
    domestic_online: CellValue = None
    export_offline: CellValue = None
    export_online: CellValue = None
    remark: str | None = None
    row_label: str | None = None


@dataclass(frozen=True)
class ForecastMonth:
    period: Period
    domestic_offline: Decimal
    domestic_online: Decimal
    export_offline: Decimal
    export_online: Decimal
    remark: str | None

    @property
    def amounts(self) -> dict[str, Decimal]:
        return {channel: getattr(self, channel) for channel in CHANNEL_COLUMNS}

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)


@dataclass(frozen=True)
class ForecastSheet:
    """A district's forecast form for one fiscal year, always twelve months October first."""

    district_code: str
    district_name_th: str
    fiscal_year_be: int
    months: list[ForecastMonth]
    status: str
    version: int
    submitted_by: str | None
    submitted_at: datetime | None
    committee_meeting_date: date | None
    committee_reference: str | None
    certified_by: str | None
    certified_at: datetime | None
    due_date: date
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)

    @property
    def editable(self) -> bool:
        return self.status != "certified"

    @property
    def status_label(self) -> str:
        return FORECAST_STATUS_LABELS[self.status]


@dataclass(frozen=True)
class ForecastSaveResult:
    saved_at: datetime
    version: int
    changed_cells: int
    status: str

    @property
    def message(self) -> str:
        return f"บันทึกประมาณการเมื่อ {format_thai_datetime(self.saved_at)} (แก้ไข {self.changed_cells:,} ช่อง)"


@dataclass(frozen=True)
class ForecastFormState:
    """One district's line in the province's list of forecast forms."""

    district_code: str
    district_name_th: str
    status: str
    total: Decimal
    submitted_at: datetime | None
    certified_at: datetime | None
    committee_meeting_date: date | None

    @property
    def status_label(self) -> str:
        return FORECAST_STATUS_LABELS[self.status]


# --- reading ----------------------------------------------------------------------------


def _periods(fiscal_year_be: int) -> list[Period]:
    if not 2500 <= fiscal_year_be <= 2700:
        raise EntryValidationError([f"ปีงบประมาณ {fiscal_year_be} ไม่ถูกต้อง"])
    return fiscal_year_periods(fiscal_year_be)


def _stored(session: Session, district_code: str, fiscal_year_be: int) -> dict[int, Forecast]:
    return {
        row.period: row
        for row in session.scalars(
            select(Forecast).where(Forecast.district_code == district_code, Forecast.fiscal_year_be == fiscal_year_be)
        )
    }


def load_forecast(*, session: Session, actor: Actor, district_code: str, fiscal_year_be: int) -> ForecastSheet:
    """The form with all twelve months (zero where nothing was entered) and its state."""
    ensure_permission(actor, Action.READ_FIGURES, district_code=district_code)
    periods = _periods(fiscal_year_be)
    name = district_name(session, district_code)
    stored = _stored(session, district_code, fiscal_year_be)
    form = session.get(ForecastForm, (district_code, fiscal_year_be))
    months = []
    for period in periods:
        row = stored.get(period.code)
        months.append(
            ForecastMonth(
                period=period,
                **{channel: getattr(row, channel) if row else ZERO for channel in CHANNEL_COLUMNS},
                remark=row.remark if row else None,
            )
        )
    totals = {channel: sum((getattr(month, channel) for month in months), ZERO) for channel in CHANNEL_COLUMNS}
    return ForecastSheet(
        district_code=district_code,
        district_name_th=name,
        fiscal_year_be=fiscal_year_be,
        months=months,
        status=form.status if form else "draft",
        version=form.version if form else 0,
        submitted_by=form.submitted_by if form else None,
        submitted_at=form.submitted_at if form else None,
        committee_meeting_date=form.committee_meeting_date if form else None,
        committee_reference=form.committee_reference if form else None,
        certified_by=form.certified_by if form else None,
        certified_at=form.certified_at if form else None,
        due_date=forecast_due_date(fiscal_year_be),
        totals=totals,
    )


def list_forecast_forms(
    *, session: Session, actor: Actor, province_code: str, fiscal_year_be: int
) -> list[ForecastFormState]:
    """Every district of the province with its form's state and total, for the province to follow up."""
    ensure_permission(actor, Action.READ_FIGURES, province_code=province_code)
    districts = session.execute(
        select(District.code, District.name_th).where(District.province_code == province_code).order_by(District.code)
    ).all()
    codes = [code for code, _ in districts]
    forms = {
        form.district_code: form
        for form in session.scalars(
            select(ForecastForm).where(
                ForecastForm.fiscal_year_be == fiscal_year_be,
                ForecastForm.district_code.in_(codes),  # type: ignore[attr-defined]
            )
        )
    }
    totals: dict[str, Decimal] = {}
    for row in session.scalars(
        select(Forecast).where(
            Forecast.fiscal_year_be == fiscal_year_be,
            Forecast.district_code.in_(codes),  # type: ignore[attr-defined]
        )
    ):
        totals[row.district_code] = totals.get(row.district_code, ZERO) + sum(
            (getattr(row, channel) for channel in CHANNEL_COLUMNS), ZERO
        )
    return [
        ForecastFormState(
            district_code=code,
            district_name_th=name,
            status=forms[code].status if code in forms else "draft",
            total=totals.get(code, ZERO),
            submitted_at=forms[code].submitted_at if code in forms else None,
            certified_at=forms[code].certified_at if code in forms else None,
            committee_meeting_date=forms[code].committee_meeting_date if code in forms else None,
        )
        for code, name in districts
    ]


# --- writing ----------------------------------------------------------------------------


def _claim_form(session: Session, district_code: str, fiscal_year_be: int) -> ForecastForm:
    """The form row, created if missing, locked FOR UPDATE so two saves of one form serialise."""
    statement = (
        select(ForecastForm)
        .where(ForecastForm.district_code == district_code, ForecastForm.fiscal_year_be == fiscal_year_be)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    form = session.scalars(statement).first()
    if form is not None:
        return form
    try:
        with session.begin_nested():
            session.add(ForecastForm(district_code=district_code, fiscal_year_be=fiscal_year_be))
    except IntegrityError:
        pass  # another transaction created it first; take theirs
    form = session.scalars(statement).first()
    assert form is not None
    return form


def _writable_form(session: Session, district_code: str, fiscal_year_be: int, base_version: int) -> ForecastForm:
    district_name(session, district_code)
    form = _claim_form(session, district_code, fiscal_year_be)
    if form.status == "certified":
        raise EntryRefused(
            f"ประมาณการปีงบประมาณ {fiscal_year_be} ได้รับการรับรองจาก นตผ.อำเภอ แล้ว "
            f"(ประชุมวันที่ {format_thai_date(form.committee_meeting_date) if form.committee_meeting_date else '–'}) "
            "แก้ไขไม่ได้ ติดต่อสำนักงานพัฒนาชุมชนจังหวัดเพื่อขอเปิดให้แก้ไข"
        )
    if form.version != base_version:
        raise EntryConflict(
            f"มีผู้บันทึกประมาณการปีงบประมาณ {fiscal_year_be} ของอำเภอนี้หลังจากที่ท่านเปิดแบบฟอร์ม "
            f"(รุ่น {form.version} ท่านเปิดรุ่น {base_version}) — ข้อมูลของท่านยังไม่ถูกบันทึก "
            "กรุณาโหลดข้อมูลล่าสุดแล้วแก้ไขอีกครั้ง",
            [],
        )
    return form


def _parse_rows(
    fiscal_year_be: int, rows: Sequence[ForecastRowInput], stored: dict[int, Forecast]
) -> dict[int, tuple[dict[str, Decimal], str | None]]:
    max_cell = get_settings().max_cell_baht
    allowed = {period.code for period in _periods(fiscal_year_be)}
    problems: list[str] = []
    parsed: dict[int, tuple[dict[str, Decimal], str | None]] = {}
    seen: dict[int, str] = {}
    for index, row in enumerate(rows, start=1):
        label = row.row_label or f"แถวที่ {index}"
        where = f"{label} ({period_name(row.period)})"
        if row.period.code not in allowed:
            problems.append(f"{where}: ไม่อยู่ในปีงบประมาณ {fiscal_year_be} (ตุลาคม–กันยายน)")
            continue
        if row.period.code in seen:
            problems.append(f"{where}: ซ้ำกับ{seen[row.period.code]}")
            continue
        seen[row.period.code] = label
        amounts: dict[str, Decimal] = {}
        for channel in CHANNEL_COLUMNS:
            try:
                amounts[channel] = parse_amount(getattr(row, channel), max_cell=max_cell)
            except CellProblem as problem:
                problems.append(f"{where} คอลัมน์ “{CHANNEL_LABELS[channel]}”: {problem}")
        current = stored.get(row.period.code)
        remark = (current.remark if current else None) if row.remark is None else (clean_text(row.remark) or None)
        if remark is not None and len(remark) > REMARK_MAX_CHARS:
            problems.append(f"{where} คอลัมน์ “หมายเหตุ”: ยาวเกิน {REMARK_MAX_CHARS} ตัวอักษร")
        parsed[row.period.code] = (amounts, remark)
    if problems:
        raise EntryValidationError(problems)
    return parsed


def save_forecast(
    *,
    session: Session,
    actor: Actor,
    district_code: str,
    fiscal_year_be: int,
    rows: Sequence[ForecastRowInput],
    base_version: int,
    now: datetime | None = None,
) -> ForecastSaveResult:
    """Write the given months; a submitted form goes back to draft when a figure or remark changes."""
    ensure_permission(actor, Action.WRITE_FIGURES, district_code=district_code)
    now = now or utc_now()
    form = _writable_form(session, district_code, fiscal_year_be, base_version)
    stored = _stored(session, district_code, fiscal_year_be)
    parsed = _parse_rows(fiscal_year_be, rows, stored)
    changes: list[dict[str, object]] = []
    changed_cells = 0
    for code, (amounts, remark) in parsed.items():
        current = stored.get(code)
        old_amounts = {channel: getattr(current, channel) if current else ZERO for channel in CHANNEL_COLUMNS}
        old_remark = current.remark if current else None
        row_changes = [
            {"field": channel, "old_value": old_amounts[channel] if current else None, "new_value": amounts[channel]}
            for channel in CHANNEL_COLUMNS
            if amounts[channel] != old_amounts[channel]
        ]
        changed_cells += len(row_changes)
        if remark != old_remark:
            row_changes.append({"field": REMARK_FIELD, "old_value": old_remark, "new_value": remark})
        if not row_changes:
            continue
        if current is None:
            current = Forecast(district_code=district_code, period=code, fiscal_year_be=fiscal_year_be)
            session.add(current)
        for channel, amount in amounts.items():
            setattr(current, channel, amount)
        current.remark = remark
        current.updated_at = now
        current.updated_by = actor.username
        for change in row_changes:
            audit.record(
                session,
                actor=actor.username,
                action="forecast_update",
                at=now,
                district_code=district_code,
                period=code,
                **change,  # type: ignore[arg-type]
            )
            changes.append(change)
    form.version += 1
    if changes and form.status == "submitted":
        form.status = "draft"
        audit.record(
            session,
            actor=actor.username,
            action="forecast_status",
            at=now,
            district_code=district_code,
            field="status",
            old_value="submitted",
            new_value="draft",
            detail=f"แก้ไขประมาณการปีงบประมาณ {fiscal_year_be} หลังส่งจังหวัด ต้องส่งใหม่",
        )
    session.flush()
    return ForecastSaveResult(saved_at=now, version=form.version, changed_cells=changed_cells, status=form.status)


def _ensure_filled(session: Session, district_code: str, fiscal_year_be: int) -> None:
    stored = _stored(session, district_code, fiscal_year_be)
    total = sum((getattr(row, channel) for row in stored.values() for channel in CHANNEL_COLUMNS), ZERO)
    if total <= 0:
        raise EntryValidationError([f"ยังไม่ได้กรอกประมาณการปีงบประมาณ {fiscal_year_be} (ยอดรวมเป็นศูนย์)"])


def submit_forecast(
    *,
    session: Session,
    actor: Actor,
    district_code: str,
    fiscal_year_be: int,
    base_version: int,
    now: datetime | None = None,
) -> ForecastForm:
    """Send the form to the province (draft → submitted)."""
    ensure_permission(actor, Action.WRITE_FIGURES, district_code=district_code)
    now = now or utc_now()
    form = _writable_form(session, district_code, fiscal_year_be, base_version)
    _ensure_filled(session, district_code, fiscal_year_be)
    old_status = form.status
    form.status = "submitted"
    form.submitted_by = actor.username
    form.submitted_at = now
    form.version += 1
    audit.record(
        session,
        actor=actor.username,
        action="forecast_submit",
        at=now,
        district_code=district_code,
        field="status",
        old_value=old_status,
        new_value="submitted",
        detail=f"ส่งประมาณการปีงบประมาณ {fiscal_year_be} ให้จังหวัด",
    )
    session.flush()
    return form


def certify_forecast(
    *,
    session: Session,
    actor: Actor,
    district_code: str,
    fiscal_year_be: int,
    meeting_date: date,
    reference: str,
    certified_by: str,
    base_version: int,
    now: datetime | None = None,
) -> ForecastForm:
    """Record the นตผ.อำเภอ committee's certification; the form becomes read-only (and counts as submitted)."""
    ensure_permission(actor, Action.WRITE_FIGURES, district_code=district_code)
    now = now or utc_now()
    form = _writable_form(session, district_code, fiscal_year_be, base_version)
    problems: list[str] = []
    clean_reference = clean_text(reference or "")
    clean_certifier = clean_text(certified_by or "")
    if meeting_date is None or meeting_date > bangkok_date(now):
        problems.append("วันที่ประชุม นตผ.อำเภอ: ต้องกรอก และต้องไม่เป็นวันในอนาคต")
    if not clean_reference or len(clean_reference) > TEXT_MAX_CHARS:
        problems.append(f"เลขที่/ครั้งที่ประชุม (อ้างอิง): ต้องกรอก ไม่เกิน {TEXT_MAX_CHARS} ตัวอักษร")
    if not clean_certifier or len(clean_certifier) > TEXT_MAX_CHARS:
        problems.append(f"ผู้รับรอง: ต้องกรอก ไม่เกิน {TEXT_MAX_CHARS} ตัวอักษร")
    if problems:
        raise EntryValidationError(problems)
    _ensure_filled(session, district_code, fiscal_year_be)
    old_status = form.status
    if form.submitted_at is None or old_status == "draft":
        form.submitted_by = actor.username
        form.submitted_at = now
    form.status = "certified"
    form.committee_meeting_date = meeting_date
    form.committee_reference = clean_reference
    form.certified_by = clean_certifier
    form.certified_at = now
    form.version += 1
    audit.record(
        session,
        actor=actor.username,
        action="forecast_certify",
        at=now,
        district_code=district_code,
        field="status",
        old_value=old_status,
        new_value="certified",
        detail=f"นตผ.อำเภอ ประชุมวันที่ {format_thai_date(meeting_date)} ({clean_reference}) รับรองโดย {clean_certifier}",
    )
    session.flush()
    return form


def reopen_forecast(
    *,
    session: Session,
    actor: Actor,
    district_code: str,
    fiscal_year_be: int,
    reason: str,
    now: datetime | None = None,
) -> ForecastForm:
    """The province opens a certified form for editing again (certified → draft), with a reason."""
    ensure_permission(actor, Action.LOCK, district_code=district_code)
    now = now or utc_now()
    district_name(session, district_code)
    clean_reason = clean_text(reason or "")
    if not clean_reason:
        raise EntryValidationError(["เหตุผลที่เปิดให้แก้ไข: ต้องกรอก"])
    form = _claim_form(session, district_code, fiscal_year_be)
    if form.status != "certified":
        raise EntryValidationError([f"ประมาณการนี้ยังไม่ได้รับรอง (สถานะ: {FORECAST_STATUS_LABELS[form.status]})"])
    detail = (
        f"เปิดให้แก้ไขประมาณการปีงบประมาณ {fiscal_year_be}: {clean_reason} "
        f"(เดิมรับรองโดย {form.certified_by}, อ้างอิง {form.committee_reference})"
    )
    form.status = "draft"
    form.submitted_by = None
    form.submitted_at = None
    form.committee_meeting_date = None
    form.committee_reference = None
    form.certified_by = None
    form.certified_at = None
    form.version += 1
    audit.record(
        session,
        actor=actor.username,
        action="forecast_reopen",
        at=now,
        district_code=district_code,
        field="status",
        old_value="certified",
        new_value="draft",
        detail=detail[:2000],
    )
    session.flush()
    return form
