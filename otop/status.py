"""The state of a district-month for writers: claimed for update, locked or not, inside its entry window or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db.models import CalendarSetting, DistrictMonth, EntryException, PeriodOverride
from otop.clock import utc_now
from otop.config import get_settings
from otop.fiscal import EntryWindow, Period, default_entry_window
from otop.i18n import format_thai_datetime, period_name
from otop.permissions import province_of


class EntryRefused(Exception):
    """The month cannot be written now; the Thai message says why and who can change that."""


def calendar_days(session: Session) -> tuple[int, int]:
    """(close_day, reopen_day): the department's setting, else the configured defaults."""
    setting = session.get(CalendarSetting, 1)
    if setting is not None:
        return setting.close_day, setting.reopen_day
    settings = get_settings()
    return settings.entry_close_day, settings.entry_reopen_day


def entry_window(session: Session, period: Period) -> tuple[EntryWindow, str]:
    """The window of a period and where it comes from: ``"default"`` or ``"override"``."""
    override = session.get(PeriodOverride, period.code)
    if override is not None:
        return EntryWindow(period=period, opens_at=override.opens_at, closes_at=override.closes_at), "override"
    close_day, reopen_day = calendar_days(session)
    return default_entry_window(period, close_day=close_day, reopen_day=reopen_day), "default"


def active_exception(session: Session, district_code: str, period: Period, now: datetime) -> EntryException | None:
    return session.scalars(
        select(EntryException)
        .where(
            EntryException.district_code == district_code,
            EntryException.period == period.code,
            EntryException.expires_at > now,
        )
        .order_by(EntryException.expires_at.desc())  # type: ignore[attr-defined]
    ).first()


@dataclass(frozen=True)
class EntryStatus:
    """Whether a district may write a month now, and the words that say why not."""

    period: Period
    district_code: str
    writable: bool
    locked: bool
    locked_by: str | None
    locked_at: datetime | None
    window: EntryWindow
    window_source: str
    exception_until: datetime | None
    reason: str | None

    @property
    def open_until(self) -> datetime | None:
        if not self.writable:
            return None
        return max(filter(None, [self.window.closes_at, self.exception_until]))


def entry_status(session: Session, *, district_code: str, period: Period, now: datetime | None = None) -> EntryStatus:
    """Lock first, then the window (or a province's exception for this district)."""
    now = now or utc_now()
    month = session.get(DistrictMonth, (district_code, period.code))
    window, source = entry_window(session, period)
    exception = active_exception(session, district_code, period, now)
    locked = month is not None and month.locked_at is not None
    reason: str | None = None
    if locked:
        assert month is not None
        reason = (
            f"ข้อมูลเดือน{period_name(period)} ถูกล็อกโดย {month.locked_by} "
            f"เมื่อ {format_thai_datetime(month.locked_at)} อำเภอแก้ไขไม่ได้ "
            "ติดต่อสำนักงานพัฒนาชุมชนจังหวัดเพื่อขอปลดล็อก"
        )
    elif not window.is_open(now) and exception is None:
        if now < window.opens_at:
            reason = f"ยังไม่เปิดให้บันทึกข้อมูลเดือน{period_name(period)} ระบบจะเปิดเมื่อ {format_thai_datetime(window.opens_at)}"
        else:
            reason = (
                f"ปิดรับข้อมูลเดือน{period_name(period)} แล้วตั้งแต่ {format_thai_datetime(window.closes_at)} "
                "จังหวัดขยายเวลาให้อำเภอได้ หรือกรมการพัฒนาชุมชนเปิดระบบให้บันทึกใหม่"
            )
    return EntryStatus(
        period=period,
        district_code=district_code,
        writable=reason is None,
        locked=locked,
        locked_by=month.locked_by if month else None,
        locked_at=month.locked_at if month else None,
        window=window,
        window_source=source,
        exception_until=exception.expires_at if exception else None,
        reason=reason,
    )


def claim_district_month(session: Session, district_code: str, period: Period) -> DistrictMonth:
    """The district-month row, created if missing and locked FOR UPDATE for the rest of the transaction.

    Saves and locks both go through here, so on PostgreSQL a save racing a lock is
    serialised on this row: it either lands before the lock or sees the lock and is refused.
    (On SQLite the write transaction already holds the database's write lock.)
    """
    key = (district_code, period.code)
    statement = (
        select(DistrictMonth)
        .where(DistrictMonth.district_code == district_code, DistrictMonth.period == period.code)
        .with_for_update()
    )
    month = session.scalars(statement).first()
    if month is not None:
        return month
    try:
        with session.begin_nested():
            session.add(
                DistrictMonth(district_code=district_code, period=period.code, province_code=province_of(district_code))
            )
    except IntegrityError:
        pass  # another transaction created it first; take theirs
    month = session.scalars(statement.execution_options(populate_existing=True)).first()
    assert month is not None, key
    return month


def ensure_writable(
    session: Session, *, district_code: str, period: Period, now: datetime | None = None
) -> DistrictMonth:
    """Claim the district-month and refuse with the reason when it is locked or closed."""
    month = claim_district_month(session, district_code, period)
    session.refresh(month)
    status = entry_status(session, district_code=district_code, period=period, now=now)
    if not status.writable:
        raise EntryRefused(status.reason)
    return month
