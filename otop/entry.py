"""District data entry: the monthly รต.1 grid — load, sync with last month, save (= confirm), row history."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import exists, func, insert, select, update
from sqlmodel import Session

from db.models import (
    CATEGORY_CODES,
    CHANNEL_COLUMNS,
    AuditEvent,
    District,
    DistrictMonth,
    MonthlySale,
    Producer,
    ProducerCategory,
    Subdistrict,
)
from otop import audit
from otop.clock import utc_now
from otop.config import get_settings
from otop.fiscal import Period
from otop.i18n import CATEGORY_LABELS, CHANNEL_LABELS, format_baht, format_thai_datetime, period_name
from otop.money import CENT, ZERO
from otop.outliers import Medians, OutlierFlag, OutlierRule, flag_values, history_medians, no_history
from otop.permissions import Action, Actor, ensure_permission, province_of
from otop.status import EntryStatus, ensure_writable, entry_status, last_closed_period, open_periods
from otop.summary import refresh_district_months
from otop.text import clean_text

CellValue = str | Decimal | int | float | None
NOTE_MAX_CHARS = 500
NOTE_FIELD = "outlier_note"
FIELD_LABELS = {**CHANNEL_LABELS, NOTE_FIELD: "หมายเหตุ"}
_CATEGORY_BY_LABEL = {label: code for code, label in CATEGORY_LABELS.items()}
_CONFLICT_NAMES_SHOWN = 10
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Above this many producers, reading the whole district's history is cheaper than a long IN list.
_HISTORY_FILTER_MAX_IDS = 200


class EntryValidationError(ValueError):
    """Bad input; ``problems`` holds one Thai message per bad cell or row, naming row and column."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class EntryConflict(Exception):
    """Someone saved the same month after this grid was loaded; ``rows`` names what they changed."""

    def __init__(self, message: str, rows: Sequence[str]) -> None:
        self.rows = list(rows)
        super().__init__(message)


class CellProblem(ValueError):
    """Why one cell's text is not an amount (Thai, without the row and column)."""


# --- shapes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowInput:
    """One grid or sheet row as the user gave it; the service parses and checks every value.

    ``outlier_note=None`` keeps the row's stored note, ``""`` clears it. ``row_label`` names the
    row in messages (e.g. ``"แถวที่ 12 ของไฟล์"``); by default ``"แถวที่ N"`` by position.
    """

    producer_id: int
    category: str
    domestic_offline: CellValue = None
    domestic_online: CellValue = None
    export_offline: CellValue = None
    export_online: CellValue = None
    outlier_note: str | None = None
    row_label: str | None = None


@dataclass(frozen=True)
class GridRow:
    """A row of the month's grid: one producer and category, its four channels and its flags."""

    row_no: int
    producer_id: int
    producer_name: str
    subdistrict_name: str
    village_no: int | None
    category: str
    producer_type: str
    domestic_offline: Decimal
    domestic_online: Decimal
    export_offline: Decimal
    export_online: Decimal
    outlier_note: str | None
    flags: tuple[OutlierFlag, ...]
    medians: Medians
    saved_version: int
    updated_by: str | None
    updated_at: datetime | None

    @property
    def key(self) -> tuple[int, str]:
        return (self.producer_id, self.category)

    def amount(self, channel: str) -> Decimal:
        return getattr(self, channel)

    @property
    def amounts(self) -> dict[str, Decimal]:
        return {channel: self.amount(channel) for channel in CHANNEL_COLUMNS}

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)

    @property
    def flagged(self) -> tuple[str, ...]:
        return tuple(flag.channel for flag in self.flags)

    @property
    def label(self) -> str:
        return f"แถวที่ {self.row_no} {self.producer_name} ({CATEGORY_LABELS[self.category]})"


@dataclass(frozen=True)
class MonthGrid:
    """A district-month as the entry page shows it."""

    district_code: str
    district_name_th: str
    period: Period
    rows: list[GridRow]
    version: int
    confirmed_by: str | None
    confirmed_at: datetime | None
    status: EntryStatus
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)

    @property
    def flagged_rows(self) -> list[GridRow]:
        return [row for row in self.rows if row.flags]


@dataclass(frozen=True)
class SaveResult:
    saved_at: datetime
    version: int
    changed_cells: int
    rows_added: int
    rows_changed: int
    confirmed_by: str

    @property
    def message(self) -> str:
        return f"บันทึกเมื่อ {format_thai_datetime(self.saved_at)} (แก้ไข {self.changed_cells:,} ช่อง)"


@dataclass(frozen=True)
class HistoryEntry:
    """One audit event of a row: a changed cell or note."""

    at: datetime
    actor: str
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None

    @property
    def field_label(self) -> str:
        return FIELD_LABELS.get(self.field or "", self.field or "")

    def _text(self, value: str | None) -> str:
        if value is None:
            return "–"
        return format_baht(Decimal(value)) if self.field in CHANNEL_LABELS else value

    @property
    def old_text(self) -> str:
        return self._text(self.old_value)

    @property
    def new_text(self) -> str:
        return self._text(self.new_value)


# --- parsing -----------------------------------------------------------------------------


def parse_amount(value: CellValue, *, max_cell: Decimal) -> Decimal:
    """Baht as given by a user (number or text with commas or ฿); empty is zero.

    Refuses text, booleans, NaN and infinities, negatives, more than two decimals and
    amounts above ``max_cell``, each with a Thai reason.
    """
    if value is None:
        return ZERO
    if isinstance(value, bool):
        raise CellProblem("ต้องเป็นตัวเลข")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, numbers.Integral):
        amount = Decimal(int(value))
    elif isinstance(value, numbers.Real):
        # repr() keeps what was typed (0.1, not 0.1000000000000000055…)
        amount = Decimal(repr(float(value)))
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("฿", "").replace(" ", "")
        if not text:
            return ZERO
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellProblem(f"“{value.strip()}” ไม่ใช่ตัวเลข") from None
    else:
        raise CellProblem("ต้องเป็นตัวเลข")
    if not amount.is_finite():
        raise CellProblem("ไม่ใช่จำนวนที่ใช้ได้ (NaN หรือค่าอนันต์)")
    if amount < 0:
        raise CellProblem(f"ติดลบไม่ได้ ({amount})")
    if amount > max_cell:
        raise CellProblem(f"เกินยอดสูงสุดที่รับได้ต่อช่อง {format_baht(max_cell, decimals=0)}")
    if amount != amount.quantize(CENT):
        raise CellProblem(f"มีทศนิยมเกิน 2 ตำแหน่ง ({amount})")
    return amount.quantize(CENT)


def parse_category(value: str) -> str | None:
    """A category code from its code or its Thai label; ``None`` when it is neither."""
    text = (value or "").strip()
    if text in CATEGORY_CODES:
        return text
    return _CATEGORY_BY_LABEL.get(text)


def clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    return clean_text(note) or None


# --- reading -----------------------------------------------------------------------------


def district_name(session: Session, district_code: str) -> str:
    district = session.get(District, district_code)
    if district is None:
        raise EntryValidationError([f"ไม่พบอำเภอรหัส {district_code}"])
    return district.name_th


def default_entry_period(session: Session, *, now: datetime | None = None) -> Period:
    """The period open for entry now (the first to close if several); between windows, the last closed."""
    now = now or utc_now()
    periods = open_periods(session, now)
    return periods[0] if periods else last_closed_period(session, now)


def load_month(
    *, session: Session, actor: Actor, district_code: str, period: Period, now: datetime | None = None
) -> MonthGrid:
    """The month's rows with figures, flags and medians, its version, confirmation and entry status."""
    ensure_permission(actor, Action.READ_FIGURES, district_code=district_code)
    name = district_name(session, district_code)
    month = session.get(DistrictMonth, (district_code, period.code))
    status = entry_status(session, district_code=district_code, period=period, now=now)
    statement = (
        select(
            MonthlySale.producer_id,
            MonthlySale.category,
            *(getattr(MonthlySale, column) for column in CHANNEL_COLUMNS),
            MonthlySale.outlier_note,
            MonthlySale.saved_version,
            MonthlySale.updated_by,
            MonthlySale.updated_at,
            Producer.name,
            Producer.village_no,
            Producer.producer_type,
            Producer.subdistrict_code,
            Subdistrict.name_th.label("subdistrict_name"),  # type: ignore[attr-defined]
        )
        .join(Producer, Producer.id == MonthlySale.producer_id)
        .outerjoin(Subdistrict, Subdistrict.code == Producer.subdistrict_code)
        .where(MonthlySale.district_code == district_code, MonthlySale.period == period.code)
    )
    records = sorted(
        session.execute(statement),
        key=lambda r: (r.subdistrict_code or "", r.name, r.producer_id, CATEGORY_CODES.index(r.category)),
    )
    medians = history_medians(session, district_code=district_code, period=period)
    rule = OutlierRule.from_settings()
    rows: list[GridRow] = []
    totals = dict.fromkeys(CHANNEL_COLUMNS, ZERO)
    for row_no, record in enumerate(records, start=1):
        amounts = {column: getattr(record, column) for column in CHANNEL_COLUMNS}
        row_medians = medians.get((record.producer_id, record.category), no_history())
        for column in CHANNEL_COLUMNS:
            totals[column] += amounts[column]
        rows.append(
            GridRow(
                row_no=row_no,
                producer_id=record.producer_id,
                producer_name=record.name,
                subdistrict_name=record.subdistrict_name or "",
                village_no=record.village_no,
                category=record.category,
                producer_type=record.producer_type,
                **amounts,
                outlier_note=record.outlier_note,
                flags=tuple(flag_values(amounts, row_medians, rule)),
                medians=row_medians,
                saved_version=record.saved_version,
                updated_by=record.updated_by,
                updated_at=record.updated_at,
            )
        )
    return MonthGrid(
        district_code=district_code,
        district_name_th=name,
        period=period,
        rows=rows,
        version=month.version if month else 0,
        confirmed_by=month.confirmed_by if month else None,
        confirmed_at=month.confirmed_at if month else None,
        status=status,
        totals=totals,
    )


def row_history(
    *, session: Session, actor: Actor, district_code: str, period: Period, producer_id: int, category: str
) -> list[HistoryEntry]:
    """Every recorded change of one row in one month, oldest first."""
    ensure_permission(actor, Action.READ_FIGURES, district_code=district_code)
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.producer_id == producer_id,
            AuditEvent.category == category,
            AuditEvent.period == period.code,
            AuditEvent.district_code == district_code,
        )
        .order_by(AuditEvent.at, AuditEvent.id)  # type: ignore[arg-type]
    )
    return [
        HistoryEntry(
            at=event.at,
            actor=event.actor,
            action=event.action,
            field=event.field,
            old_value=event.old_value,
            new_value=event.new_value,
        )
        for event in events
    ]


# --- writing -----------------------------------------------------------------------------


@dataclass
class _ExistingRow:
    id: int
    producer_name: str
    amounts: dict[str, Decimal]
    outlier_note: str | None
    saved_version: int
    updated_by: str | None
    updated_at: datetime | None


@dataclass
class _ParsedRow:
    key: tuple[int, str]
    where: str
    amounts: dict[str, Decimal]
    outlier_note: str | None
    existing: _ExistingRow | None

    def changed_channels(self) -> list[str]:
        old = self.existing.amounts if self.existing else dict.fromkeys(CHANNEL_COLUMNS, ZERO)
        return [channel for channel in CHANNEL_COLUMNS if self.amounts[channel] != old[channel]]


def _existing_rows(session: Session, district_code: str, period: Period) -> dict[tuple[int, str], _ExistingRow]:
    statement = (
        select(
            MonthlySale.id,
            MonthlySale.producer_id,
            MonthlySale.category,
            *(getattr(MonthlySale, column) for column in CHANNEL_COLUMNS),
            MonthlySale.outlier_note,
            MonthlySale.saved_version,
            MonthlySale.updated_by,
            MonthlySale.updated_at,
            Producer.name,
        )
        .join(Producer, Producer.id == MonthlySale.producer_id)
        .where(MonthlySale.district_code == district_code, MonthlySale.period == period.code)
    )
    return {
        (record.producer_id, record.category): _ExistingRow(
            id=record.id,
            producer_name=record.name,
            amounts={column: getattr(record, column) for column in CHANNEL_COLUMNS},
            outlier_note=record.outlier_note,
            saved_version=record.saved_version,
            updated_by=record.updated_by,
            updated_at=record.updated_at,
        )
        for record in session.execute(statement)
    }


def _row_name(producer_name: str, category: str) -> str:
    return f"{producer_name} ({CATEGORY_LABELS[category]})"


def _check_conflict(
    month: DistrictMonth, base_version: int, existing: dict[tuple[int, str], _ExistingRow], period: Period
) -> None:
    if month.version == base_version:
        return
    if base_version > month.version:
        raise EntryConflict(
            f"ตารางที่เปิดไว้ (รุ่น {base_version}) ไม่ตรงกับข้อมูลเดือน{period_name(period)} ที่บันทึกไว้ "
            f"(รุ่น {month.version}) กรุณาโหลดข้อมูลล่าสุด",
            [],
        )
    changed = sorted(
        (row for row in existing.values() if row.saved_version > base_version),
        key=lambda row: (row.producer_name, row.id),
    )
    if not changed:
        return  # only confirmations happened meanwhile: no figure the user saw has changed
    names = [_row_name(row.producer_name, key[1]) for key, row in existing.items() if row in changed]
    names.sort()
    latest = max(changed, key=lambda row: row.updated_at or _EPOCH)
    who = f" (ล่าสุดโดย {latest.updated_by} เมื่อ {format_thai_datetime(latest.updated_at)})" if latest.updated_by else ""
    shown = ", ".join(names[:_CONFLICT_NAMES_SHOWN])
    more = f" และอีก {len(names) - _CONFLICT_NAMES_SHOWN} แถว" if len(names) > _CONFLICT_NAMES_SHOWN else ""
    message = (
        f"มีผู้บันทึกข้อมูลเดือน{period_name(period)} ของอำเภอนี้หลังจากที่ท่านเปิดตาราง{who} "
        f"แถวที่เปลี่ยนไป {len(names)} แถว: {shown}{more} — ข้อมูลของท่านยังไม่ถูกบันทึก "
        "กรุณาโหลดข้อมูลล่าสุดแล้วแก้ไขอีกครั้ง"
    )
    raise EntryConflict(message, names)


def _validate(
    session: Session,
    *,
    district_code: str,
    period: Period,
    rows: Sequence[RowInput],
    existing: dict[tuple[int, str], _ExistingRow],
) -> list[_ParsedRow]:
    settings = get_settings()
    producer_ids = sorted({row.producer_id for row in rows if isinstance(row.producer_id, int)})
    producers = {
        record.id: record
        for record in session.execute(
            select(Producer.id, Producer.name, Producer.district_code, Producer.status, Producer.active).where(
                Producer.id.in_(producer_ids)  # type: ignore[union-attr]
            )
        )
    }
    registered = {
        (record.producer_id, record.category)
        for record in session.execute(
            select(ProducerCategory.producer_id, ProducerCategory.category).where(
                ProducerCategory.producer_id.in_(producer_ids)  # type: ignore[attr-defined]
            )
        )
    }
    problems: list[str] = []
    parsed: list[_ParsedRow] = []
    seen: dict[tuple[int, str], str] = {}
    for index, row in enumerate(rows, start=1):
        label = row.row_label or f"แถวที่ {index}"
        producer = producers.get(row.producer_id)
        if producer is None:
            problems.append(f"{label}: ไม่พบผู้ผลิตรหัส {row.producer_id}")
            continue
        category = parse_category(row.category)
        if category is None:
            problems.append(f"{label} ({producer.name}) คอลัมน์ “หมวดผลิตภัณฑ์”: ไม่รู้จักหมวด “{row.category}”")
            continue
        where = f"{label} ({_row_name(producer.name, category)})"
        if producer.district_code != district_code:
            problems.append(f"{where}: ผู้ผลิตนี้อยู่อำเภออื่น (รหัส {producer.district_code}) บันทึกในอำเภอนี้ไม่ได้")
            continue
        key = (row.producer_id, category)
        if key in seen:
            problems.append(f"{where}: ซ้ำกับ{seen[key]} (ผู้ผลิตและหมวดเดียวกันมีได้แถวเดียว)")
            continue
        seen[key] = label
        current = existing.get(key)
        if current is None:
            refusal = _new_row_refusal(producer.status, producer.active, key in registered, category)
            if refusal:
                problems.append(f"{where}: {refusal}")
                continue
        amounts: dict[str, Decimal] = {}
        for channel in CHANNEL_COLUMNS:
            try:
                amounts[channel] = parse_amount(getattr(row, channel), max_cell=settings.max_cell_baht)
            except CellProblem as problem:
                problems.append(f"{where} คอลัมน์ “{CHANNEL_LABELS[channel]}”: {problem}")
        note = (current.outlier_note if current else None) if row.outlier_note is None else clean_note(row.outlier_note)
        if note is not None and len(note) > NOTE_MAX_CHARS:
            problems.append(f"{where} คอลัมน์ “หมายเหตุ”: ยาวเกิน {NOTE_MAX_CHARS} ตัวอักษร")
        if len(amounts) == len(CHANNEL_COLUMNS):
            parsed.append(_ParsedRow(key=key, where=where, amounts=amounts, outlier_note=note, existing=current))
    problems += _outliers_without_comment(session, district_code=district_code, period=period, rows=parsed)
    if problems:
        raise EntryValidationError(problems)
    return parsed


def _new_row_refusal(status: str, active: bool, registered: bool, category: str) -> str | None:
    """Why a row may not be added for this producer and category; existing rows may always be corrected."""
    if status == "pending":
        return "ผู้ผลิตนี้ยังรอจังหวัดอนุมัติ ยังบันทึกยอดไม่ได้"
    if status == "rejected":
        return "ผู้ผลิตนี้ไม่ได้รับอนุมัติจากจังหวัด บันทึกยอดไม่ได้"
    if not active:
        return "ผู้ผลิตนี้เลิกดำเนินการแล้ว เพิ่มแถวใหม่ไม่ได้"
    if not registered:
        return f"ผู้ผลิตนี้ไม่ได้ลงทะเบียนหมวด “{CATEGORY_LABELS[category]}” ขอให้จังหวัดเพิ่มหมวดให้ผู้ผลิตก่อนบันทึก"
    return None


def _outliers_without_comment(
    session: Session, *, district_code: str, period: Period, rows: Sequence[_ParsedRow]
) -> list[str]:
    """A changed value that is unusual needs the row's note; unchanged values were accepted before."""
    to_check = [(row, set(row.changed_channels())) for row in rows if not row.outlier_note]
    to_check = [(row, changed) for row, changed in to_check if changed]
    if not to_check:
        return []
    producer_ids = {row.key[0] for row, _ in to_check}
    medians = history_medians(
        session,
        district_code=district_code,
        period=period,
        producer_ids=producer_ids if len(producer_ids) <= _HISTORY_FILTER_MAX_IDS else None,
    )
    rule = OutlierRule.from_settings()
    problems: list[str] = []
    for row, changed in to_check:
        for flag in flag_values(row.amounts, medians.get(row.key, no_history()), rule):
            if flag.channel in changed:
                problems.append(
                    f"{row.where} คอลัมน์ “{CHANNEL_LABELS[flag.channel]}”: ยอด {format_baht(flag.value)} "
                    f"{flag.reason} กรุณาใส่หมายเหตุอธิบายในคอลัมน์ “หมายเหตุ”"
                )
    return problems


def save_month(
    *,
    session: Session,
    actor: Actor,
    district_code: str,
    period: Period,
    rows: Sequence[RowInput],
    base_version: int,
    now: datetime | None = None,
) -> SaveResult:
    """Validate and write the given rows and confirm the month, all in the caller's transaction.

    Rows not given are left as they are. Refuses (raising before any write) when the actor may
    not write the district, the month is locked or closed (``EntryRefused``), someone changed
    rows since ``base_version`` (``EntryConflict``), or any value is bad (``EntryValidationError``).
    """
    ensure_permission(actor, Action.WRITE_FIGURES, district_code=district_code)
    now = now or utc_now()
    month = ensure_writable(session, district_code=district_code, period=period, now=now)
    existing = _existing_rows(session, district_code, period)
    _check_conflict(month, base_version, existing, period)
    parsed = _validate(session, district_code=district_code, period=period, rows=rows, existing=existing)

    version = month.version + 1
    stamp = {"saved_version": version, "updated_at": now, "updated_by": actor.username}
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    changes: list[dict[str, object]] = []
    changed_cells = 0
    for row in parsed:
        producer_id, category = row.key
        channels = row.changed_channels()
        changed_cells += len(channels)
        for channel in channels:
            changes.append(
                {
                    "producer_id": producer_id,
                    "category": category,
                    "field": channel,
                    "old_value": row.existing.amounts[channel] if row.existing else None,
                    "new_value": row.amounts[channel],
                }
            )
        old_note = row.existing.outlier_note if row.existing else None
        if row.outlier_note != old_note:
            changes.append(
                {
                    "producer_id": producer_id,
                    "category": category,
                    "field": NOTE_FIELD,
                    "old_value": old_note,
                    "new_value": row.outlier_note,
                }
            )
        values = {**row.amounts, "outlier_note": row.outlier_note, **stamp}
        if row.existing is None:
            inserts.append(
                {
                    "producer_id": producer_id,
                    "category": category,
                    "period": period.code,
                    "district_code": district_code,
                    "province_code": province_of(district_code),
                    **values,
                }
            )
        elif channels or row.outlier_note != old_note:
            updates.append({"id": row.existing.id, **values})
    if inserts:
        session.execute(insert(MonthlySale), inserts)
    if updates:
        session.execute(update(MonthlySale), updates)
    refresh_district_months(session, [(district_code, period.code)])

    month.version = version
    month.confirmed_by = actor.username
    month.confirmed_at = now
    month.changes_since_lock += changed_cells
    audit.record_many(
        session,
        actor=actor.username,
        action="update_cell",
        at=now,
        district_code=district_code,
        period=period.code,
        changes=changes,
    )
    audit.record(
        session,
        actor=actor.username,
        action="confirm",
        at=now,
        district_code=district_code,
        period=period.code,
        new_value=version,
        detail=(
            f"ยืนยันข้อมูลเดือน{period_name(period)}: {len(parsed)} แถว, เพิ่ม {len(inserts)} แถว, แก้ไข {changed_cells} ช่อง"
        ),
    )
    session.flush()
    return SaveResult(
        saved_at=now,
        version=version,
        changed_cells=changed_cells,
        rows_added=len(inserts),
        rows_changed=len(updates),
        confirmed_by=actor.username,
    )


def sync_month(
    *, session: Session, actor: Actor, district_code: str, period: Period, now: datetime | None = None
) -> int:
    """ "ดึงรายชื่อจากเดือนก่อน": add empty rows for last month's producers and categories.

    Copies the producer × category list of the most recent earlier month with rows, plus
    approved producers' categories that never had a row (newly approved producers), keeping
    only approved, active producers and their registered categories. Rows already in the month
    are never touched. Returns how many rows were added.
    """
    ensure_permission(actor, Action.WRITE_FIGURES, district_code=district_code)
    now = now or utc_now()
    month = ensure_writable(session, district_code=district_code, period=period, now=now)
    source = session.scalar(
        select(func.max(MonthlySale.period)).where(
            MonthlySale.district_code == district_code, MonthlySale.period < period.code
        )
    )
    present = _keys(session, MonthlySale.district_code == district_code, MonthlySale.period == period.code)
    previous = (
        _keys(session, MonthlySale.district_code == district_code, MonthlySale.period == source)
        if source is not None
        else set()
    )
    eligible_statement = (
        select(ProducerCategory.producer_id, ProducerCategory.category)
        .join(Producer, Producer.id == ProducerCategory.producer_id)
        .where(Producer.district_code == district_code, Producer.status == "approved", Producer.active)
    )
    eligible = {tuple(record) for record in session.execute(eligible_statement)}
    never_reported = {
        tuple(record)
        for record in session.execute(
            eligible_statement.where(
                ~exists().where(
                    MonthlySale.producer_id == ProducerCategory.producer_id,
                    MonthlySale.category == ProducerCategory.category,
                )
            )
        )
    }
    to_add = sorted(((eligible & previous) | never_reported) - present)
    if not to_add:
        return 0
    version = month.version + 1
    session.execute(
        insert(MonthlySale),
        [
            {
                "producer_id": producer_id,
                "category": category,
                "period": period.code,
                "district_code": district_code,
                "province_code": province_of(district_code),
                **dict.fromkeys(CHANNEL_COLUMNS, ZERO),
                "saved_version": version,
                "updated_at": now,
                "updated_by": actor.username,
            }
            for producer_id, category in to_add
        ],
    )
    refresh_district_months(session, [(district_code, period.code)])
    month.version = version
    new_ones = len(set(to_add) & never_reported)
    source_text = f"รายชื่อเดือน{period_name(Period.from_code(source))}" if source is not None else "ทะเบียนผู้ผลิต"
    audit.record(
        session,
        actor=actor.username,
        action="sync",
        at=now,
        district_code=district_code,
        period=period.code,
        new_value=len(to_add),
        detail=f"เพิ่ม {len(to_add)} แถวจาก{source_text} (ผู้ผลิตที่เพิ่งอนุมัติ {new_ones} แถว)",
    )
    session.flush()
    return len(to_add)


def _keys(session: Session, *conditions: object) -> set[tuple[int, str]]:
    statement = select(MonthlySale.producer_id, MonthlySale.category).where(*conditions)  # type: ignore[arg-type]
    return {(record.producer_id, record.category) for record in session.execute(statement)}
