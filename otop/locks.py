"""Province verification: lock and unlock one district's month or the whole province's, audited.

Every lock and unlock claims the district-month row with ``claim_district_month`` (SELECT … FOR
UPDATE) in the caller's transaction, the same row a district's save claims, so a save racing a
lock either lands before it or is refused; it never lands in a locked month. The lock's time is
read once the rows are held, so a save that landed first always carries an earlier time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from db.models import District, DistrictMonth
from otop.audit import record
from otop.clock import utc_now
from otop.fiscal import BANGKOK, Period
from otop.i18n import format_thai_datetime, period_name
from otop.masterdata import list_districts
from otop.permissions import Action, Actor, ensure_permission
from otop.status import claim_district_month
from otop.text import without_controls

MAX_REASON_LENGTH = 500
LOCK_ACTION = "lock"
UNLOCK_ACTION = "unlock"


class LockRefused(Exception):
    """A lock or unlock that cannot be done; the Thai message says what and why."""


@dataclass(frozen=True)
class LockResult:
    """What a lock or unlock did: the districts it changed and those already in that state."""

    period: Period
    at: datetime
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)


def _district(session: Session, district_code: str) -> District:
    district = session.get(District, district_code)
    if district is None:
        raise LockRefused(f"ไม่พบอำเภอรหัส {district_code}")
    return district


def _province_districts(session: Session, province_code: str) -> list[District]:
    districts = list_districts(session, province_code)
    if not districts:
        raise LockRefused(f"ไม่พบจังหวัดรหัส {province_code} หรือจังหวัดนี้ไม่มีอำเภอ")
    return districts


def _claim_all(session: Session, districts: list[District], period: Period) -> list[DistrictMonth]:
    """Claim every district's row in code order, as every caller does, so two province-wide actions cannot deadlock."""
    return [claim_district_month(session, district.code, period) for district in districts]


def _ensure_period_started(period: Period, now: datetime) -> None:
    if now.astimezone(BANGKOK).date() < period.first_day():
        raise LockRefused(f"ยังไม่ถึงเดือน{period_name(period)} จึงยังล็อกหรือปลดล็อกข้อมูลไม่ได้")


def _clean_reason(reason: str | None) -> str:
    text = without_controls(reason or "").strip()
    if not text:
        raise LockRefused("ต้องระบุเหตุผลการปลดล็อก (ช่อง เหตุผล ว่างอยู่)")
    if len(text) > MAX_REASON_LENGTH:
        raise LockRefused(f"เหตุผลการปลดล็อกยาวเกิน {MAX_REASON_LENGTH} ตัวอักษร (ยาว {len(text)} ตัวอักษร)")
    return text


def _lock(session: Session, actor: Actor, month: DistrictMonth, period: Period, now: datetime, detail: str) -> None:
    month.locked_by = actor.username
    month.locked_at = now
    month.changes_since_lock = 0
    session.add(month)
    record(
        session,
        actor=actor.username,
        action=LOCK_ACTION,
        at=now,
        district_code=month.district_code,
        period=period.code,
        field="locked_at",
        new_value=now.isoformat(),
        detail=detail,
    )


def _unlock(
    session: Session, actor: Actor, month: DistrictMonth, period: Period, now: datetime, reason: str, scope: str
) -> None:
    previous = f"{month.locked_by} {month.locked_at.isoformat() if month.locked_at else ''}".strip()
    month.locked_by = None
    month.locked_at = None
    session.add(month)
    record(
        session,
        actor=actor.username,
        action=UNLOCK_ACTION,
        at=now,
        district_code=month.district_code,
        period=period.code,
        field="locked_at",
        old_value=previous,
        detail=f"{scope}: {reason}",
    )


def lock_district_month(*, session: Session, actor: Actor, district_code: str, period: Period) -> LockResult:
    """Lock one district's month; refused when it is already locked or the month has not begun.

    A month the district never confirmed may be locked (the current system allows it, so a
    province can close a district that has nothing to report); the result lists it as unconfirmed.
    """
    ensure_permission(actor, Action.LOCK, district_code=district_code)
    district = _district(session, district_code)
    _ensure_period_started(period, utc_now())
    month = claim_district_month(session, district_code, period)
    now = utc_now()
    if month.locked_at is not None:
        raise LockRefused(
            f"ข้อมูลอำเภอ{district.name_th} เดือน{period_name(period)} ถูกล็อกอยู่แล้ว "
            f"โดย {month.locked_by} เมื่อ {format_thai_datetime(month.locked_at)}"
        )
    _lock(session, actor, month, period, now, "ล็อกรายอำเภอ")
    session.flush()
    return LockResult(
        period=period,
        at=now,
        changed=[district_code],
        unconfirmed=[district_code] if month.confirmed_at is None else [],
    )


def unlock_district_month(
    *, session: Session, actor: Actor, district_code: str, period: Period, reason: str
) -> LockResult:
    """Unlock one district's month so the district can correct it; a reason is required and audited."""
    ensure_permission(actor, Action.LOCK, district_code=district_code)
    text = _clean_reason(reason)
    district = _district(session, district_code)
    month = claim_district_month(session, district_code, period)
    now = utc_now()
    if month.locked_at is None:
        raise LockRefused(f"ข้อมูลอำเภอ{district.name_th} เดือน{period_name(period)} ยังไม่ได้ล็อก จึงไม่ต้องปลดล็อก")
    _unlock(session, actor, month, period, now, text, "ปลดล็อกรายอำเภอ")
    session.flush()
    return LockResult(period=period, at=now, changed=[district_code])


def lock_province_month(*, session: Session, actor: Actor, province_code: str, period: Period) -> LockResult:
    """Lock every district of the province for the month; districts already locked keep their lock."""
    ensure_permission(actor, Action.LOCK, province_code=province_code)
    districts = _province_districts(session, province_code)
    _ensure_period_started(period, utc_now())
    months = _claim_all(session, districts, period)
    now = utc_now()
    result = LockResult(period=period, at=now)
    for district, month in zip(districts, months, strict=True):
        if month.locked_at is not None:
            result.unchanged.append(district.code)
            continue
        _lock(session, actor, month, period, now, "ล็อกทั้งจังหวัด")
        result.changed.append(district.code)
        if month.confirmed_at is None:
            result.unconfirmed.append(district.code)
    session.flush()
    return result


def unlock_province_month(
    *, session: Session, actor: Actor, province_code: str, period: Period, reason: str
) -> LockResult:
    """Unlock every locked district of the province for the month; a reason is required and audited."""
    ensure_permission(actor, Action.LOCK, province_code=province_code)
    text = _clean_reason(reason)
    districts = _province_districts(session, province_code)
    months = _claim_all(session, districts, period)
    now = utc_now()
    result = LockResult(period=period, at=now)
    for district, month in zip(districts, months, strict=True):
        if month.locked_at is None:
            result.unchanged.append(district.code)
            continue
        _unlock(session, actor, month, period, now, text, "ปลดล็อกทั้งจังหวัด")
        result.changed.append(district.code)
    session.flush()
    return result
