"""The reporting calendar: the department's close and reopen days, period overrides, and provinces' exceptions.

The rule that decides whether a district may write now lives in ``otop.status.entry_status``;
this module only changes its inputs, each change audited in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from db.models import CalendarSetting, District, EntryException, PeriodOverride
from otop.audit import record
from otop.clock import utc_now
from otop.fiscal import Period, bangkok_date
from otop.i18n import format_thai_datetime, period_name
from otop.masterdata import list_districts
from otop.permissions import Action, Actor, ensure_permission
from otop.status import (
    active_exception,
    calendar_days,
    confirmation_deadline,
    confirmation_last_day,
    entry_window,
    is_locked,
    next_window_opening,
    open_periods,
)
from otop.text import without_controls

FIRST_DAY = 1
LAST_DAY = 28
# The shortest window (a month opening in February) must leave districts at least a week.
MIN_WINDOW_DAYS = 7
MAX_EXCEPTION_DAYS = 90
MAX_REASON_LENGTH = 500


class CalendarError(ValueError):
    """A calendar setting, override or exception that cannot be accepted; the message is Thai."""


@dataclass(frozen=True)
class CalendarDays:
    close_day: int
    reopen_day: int
    updated_by: str | None
    updated_at: datetime | None


@dataclass(frozen=True)
class WindowPreview:
    """One period's entry window as districts will see it."""

    period: Period
    opens_at: datetime
    closes_at: datetime
    deadline: datetime
    last_day: date
    source: str
    reason: str


@dataclass(frozen=True)
class ExceptionView:
    id: int
    district_code: str
    district_name_th: str
    period: Period
    expires_at: datetime
    reason: str
    granted_by: str | None
    granted_at: datetime | None
    active: bool


def _clean_reason(reason: str | None, *, required: bool, what: str) -> str:
    text = without_controls(reason or "").strip()
    if required and not text:
        raise CalendarError(f"ต้องระบุเหตุผล{what}")
    if len(text) > MAX_REASON_LENGTH:
        raise CalendarError(f"เหตุผล{what}ยาวเกิน {MAX_REASON_LENGTH} ตัวอักษร")
    return text


# --- the two days ------------------------------------------------------------------


def get_calendar_days(*, session: Session, actor: Actor) -> CalendarDays:
    """The close and reopen days in force and who last changed them."""
    ensure_permission(actor, Action.MANAGE_CALENDAR)
    setting = session.get(CalendarSetting, 1)
    close_day, reopen_day = calendar_days(session)
    return CalendarDays(
        close_day=close_day,
        reopen_day=reopen_day,
        updated_by=setting.updated_by if setting else None,
        updated_at=setting.updated_at if setting else None,
    )


def validate_calendar_days(close_day: int, reopen_day: int) -> None:
    """Both days within 1–28, the month closing before the next one opens, and a window of a week at least."""
    for label, day in (("วันปิดระบบ", close_day), ("วันเปิดระบบ", reopen_day)):
        if not isinstance(day, int) or isinstance(day, bool) or not FIRST_DAY <= day <= LAST_DAY:
            raise CalendarError(f"{label}ต้องเป็นวันที่ {FIRST_DAY} ถึง {LAST_DAY} ของเดือน (ได้ {day!r})")
    if close_day >= reopen_day:
        raise CalendarError(
            f"วันปิดระบบ (วันที่ {close_day}) ต้องมาก่อนวันเปิดระบบ (วันที่ {reopen_day}) เพื่อให้กรมมีเวลารวบรวมข้อมูลก่อนเปิดรับเดือนถัดไป"
        )
    shortest = (LAST_DAY - reopen_day + 1) + (close_day - 1)
    if shortest < MIN_WINDOW_DAYS:
        raise CalendarError(
            f"ช่วงบันทึกข้อมูลสั้นเกินไป: เดือนกุมภาพันธ์จะเปิดเพียง {shortest} วัน "
            f"(ต้องไม่น้อยกว่า {MIN_WINDOW_DAYS} วัน) ให้เลื่อนวันเปิดให้เร็วขึ้นหรือวันปิดให้ช้าลง"
        )


def set_calendar_days(*, session: Session, actor: Actor, close_day: int, reopen_day: int) -> CalendarDays:
    """Set the day of M+1 on which month M closes and the day of M on which it opens."""
    ensure_permission(actor, Action.MANAGE_CALENDAR)
    validate_calendar_days(close_day, reopen_day)
    old_close, old_reopen = calendar_days(session)
    now = utc_now()
    setting = session.get(CalendarSetting, 1) or CalendarSetting(id=1)
    setting.close_day = close_day
    setting.reopen_day = reopen_day
    setting.updated_by = actor.username
    setting.updated_at = now
    session.add(setting)
    record(
        session,
        actor=actor.username,
        action="calendar_days",
        at=now,
        field="close_day/reopen_day",
        old_value=f"{old_close}/{old_reopen}",
        new_value=f"{close_day}/{reopen_day}",
    )
    session.flush()
    return CalendarDays(close_day=close_day, reopen_day=reopen_day, updated_by=actor.username, updated_at=now)


# --- one period's own window -------------------------------------------------------


def set_period_override(
    *, session: Session, actor: Actor, period: Period, opens_at: datetime, closes_at: datetime, reason: str
) -> PeriodOverride:
    """Give one period its own window (e.g. reopen a closed month, or extend it over a holiday)."""
    ensure_permission(actor, Action.MANAGE_CALENDAR)
    text = _clean_reason(reason, required=True, what="การกำหนดช่วงเวลาพิเศษ")
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        raise CalendarError("วันเวลาเปิดและปิดต้องระบุเขตเวลา")
    if closes_at <= opens_at:
        raise CalendarError(
            f"เวลาปิด ({format_thai_datetime(closes_at)}) ต้องหลังเวลาเปิด ({format_thai_datetime(opens_at)})"
        )
    if bangkok_date(closes_at) <= period.first_day():
        raise CalendarError(f"ช่วงเวลาของเดือน{period_name(period)} ต้องปิดหลังวันที่ 1 ของเดือนนั้น")
    now = utc_now()
    override = session.get(PeriodOverride, period.code)
    old = f"{override.opens_at.isoformat()} – {override.closes_at.isoformat()}" if override else None
    override = override or PeriodOverride(period=period.code, opens_at=opens_at, closes_at=closes_at)
    override.opens_at = opens_at
    override.closes_at = closes_at
    override.reason = text
    override.set_by = actor.username
    override.set_at = now
    session.add(override)
    record(
        session,
        actor=actor.username,
        action="period_override",
        at=now,
        period=period.code,
        field="window",
        old_value=old,
        new_value=f"{opens_at.isoformat()} – {closes_at.isoformat()}",
        detail=text,
    )
    session.flush()
    return override


def clear_period_override(*, session: Session, actor: Actor, period: Period) -> None:
    """Return a period to the default window."""
    ensure_permission(actor, Action.MANAGE_CALENDAR)
    override = session.get(PeriodOverride, period.code)
    if override is None:
        raise CalendarError(f"เดือน{period_name(period)} ไม่มีช่วงเวลาพิเศษให้ยกเลิก")
    record(
        session,
        actor=actor.username,
        action="period_override_cleared",
        period=period.code,
        field="window",
        old_value=f"{override.opens_at.isoformat()} – {override.closes_at.isoformat()}",
    )
    session.delete(override)
    session.flush()


def list_period_overrides(*, session: Session, actor: Actor) -> list[PeriodOverride]:
    ensure_permission(actor, Action.MANAGE_CALENDAR)
    return list(session.scalars(select(PeriodOverride).order_by(PeriodOverride.period.desc())))  # type: ignore[attr-defined]


def preview_windows(*, session: Session, actor: Actor, first: Period, months: int) -> list[WindowPreview]:
    """The entry windows of ``months`` periods from ``first``, overrides included."""
    ensure_permission(actor, Action.MANAGE_CALENDAR)
    previews = []
    for offset in range(months):
        period = first.shift(offset)
        window, source = entry_window(session, period)
        override = session.get(PeriodOverride, period.code)
        previews.append(
            WindowPreview(
                period=period,
                opens_at=window.opens_at,
                closes_at=window.closes_at,
                deadline=confirmation_deadline(session, period),
                last_day=confirmation_last_day(session, period),
                source=source,
                reason=override.reason if override else "",
            )
        )
    return previews


@dataclass(frozen=True)
class CalendarNow:
    """What is open at a moment and, when nothing is, what opens next."""

    now: datetime
    open_periods: list[Period]
    next_opening_period: Period | None
    next_opening_at: datetime | None


def calendar_now(*, session: Session, actor: Actor, now: datetime | None = None) -> CalendarNow:
    ensure_permission(actor, Action.MANAGE_CALENDAR)
    now = now or utc_now()
    upcoming = next_window_opening(session, now)
    return CalendarNow(
        now=now,
        open_periods=open_periods(session, now),
        next_opening_period=upcoming.period if upcoming else None,
        next_opening_at=upcoming.opens_at if upcoming else None,
    )


# --- a province's exception for one district ------------------------------------


def grant_exception(
    *,
    session: Session,
    actor: Actor,
    district_code: str,
    period: Period,
    expires_at: datetime,
    reason: str = "",
) -> EntryException:
    """Let one district write one period outside the window until ``expires_at``.

    An exception does not open a locked month: the province unlocks it first. Granting again
    while one is active moves its expiry instead of adding a second one.
    """
    ensure_permission(actor, Action.GRANT_EXCEPTION, district_code=district_code)
    district = session.get(District, district_code)
    if district is None:
        raise CalendarError(f"ไม่พบอำเภอรหัส {district_code}")
    text = _clean_reason(reason, required=False, what="การขยายเวลา")
    now = utc_now()
    if expires_at.tzinfo is None:
        raise CalendarError("วันเวลาสิ้นสุดต้องระบุเขตเวลา")
    if expires_at <= now:
        raise CalendarError(f"วันเวลาสิ้นสุด ({format_thai_datetime(expires_at)}) ต้องอยู่หลังเวลาปัจจุบัน")
    if expires_at > now + timedelta(days=MAX_EXCEPTION_DAYS):
        raise CalendarError(f"ขยายเวลาได้ไม่เกิน {MAX_EXCEPTION_DAYS} วันนับจากวันนี้")
    if bangkok_date(now) < period.first_day():
        raise CalendarError(f"ยังไม่ถึงเดือน{period_name(period)} จึงยังขยายเวลาไม่ได้")
    if is_locked(session, district_code=district_code, period=period):
        raise CalendarError(
            f"ข้อมูลอำเภอ{district.name_th} เดือน{period_name(period)} ถูกล็อกอยู่ ต้องปลดล็อกก่อน อำเภอจึงจะบันทึกได้ในช่วงที่ขยายเวลา"
        )
    exception = active_exception(session, district_code, period, now)
    old = exception.expires_at.isoformat() if exception else None
    if exception is None:
        exception = EntryException(district_code=district_code, period=period.code, expires_at=expires_at)
    exception.expires_at = expires_at
    exception.reason = text
    exception.granted_by = actor.username
    exception.granted_at = now
    session.add(exception)
    record(
        session,
        actor=actor.username,
        action="exception_granted",
        at=now,
        district_code=district_code,
        period=period.code,
        field="expires_at",
        old_value=old,
        new_value=expires_at.isoformat(),
        detail=text or None,
    )
    session.flush()
    return exception


def revoke_exception(*, session: Session, actor: Actor, district_code: str, period: Period) -> EntryException:
    """End a district's active exception now; the row stays as history, its expiry set to this moment."""
    ensure_permission(actor, Action.GRANT_EXCEPTION, district_code=district_code)
    now = utc_now()
    exception = active_exception(session, district_code, period, now)
    if exception is None:
        raise CalendarError(f"อำเภอรหัส {district_code} ไม่มีการขยายเวลาที่ยังมีผลสำหรับเดือน{period_name(period)}")
    old = exception.expires_at.isoformat()
    exception.expires_at = now
    session.add(exception)
    record(
        session,
        actor=actor.username,
        action="exception_revoked",
        at=now,
        district_code=district_code,
        period=period.code,
        field="expires_at",
        old_value=old,
        new_value=now.isoformat(),
    )
    session.flush()
    return exception


def list_exceptions(
    *, session: Session, actor: Actor, province_code: str, period: Period, include_expired: bool = False
) -> list[ExceptionView]:
    """The exceptions granted to the province's districts for one period, newest expiry first."""
    ensure_permission(actor, Action.READ_FIGURES, province_code=province_code)
    now = utc_now()
    names = {district.code: district.name_th for district in list_districts(session, province_code)}
    statement = select(EntryException).where(
        EntryException.district_code.in_(list(names)),  # type: ignore[attr-defined]
        EntryException.period == period.code,
    )
    if not include_expired:
        statement = statement.where(EntryException.expires_at > now)
    rows = session.scalars(statement.order_by(EntryException.expires_at.desc())).all()  # type: ignore[attr-defined]
    return [
        ExceptionView(
            id=row.id or 0,
            district_code=row.district_code,
            district_name_th=names[row.district_code],
            period=Period.from_code(row.period),
            expires_at=row.expires_at,
            reason=row.reason,
            granted_by=row.granted_by,
            granted_at=row.granted_at,
            active=row.expires_at > now,
        )
        for row in rows
    ]
