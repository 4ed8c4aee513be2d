"""The state of a district-month for writers: claimed for update, locked or not, inside its entry window or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db.models import CalendarSetting, DistrictMonth, EntryException, PeriodOverride
from otop.clock import utc_now
from otop.config import get_settings
from otop.fiscal import BANGKOK, EntryWindow, Period, bangkok_date, deadline_of, default_entry_window
from otop.i18n import format_thai_datetime, period_name
from otop.permissions import province_of

# A window is looked for this many months around a moment; overrides rarely move one further.
_WINDOW_SEARCH_MONTHS = 3


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


def confirmation_deadline(session: Session, period: Period) -> datetime:
    """The moment after which a district's confirmation of the month is late.

    The end of the day before the close day (the 5th by default); a department override
    of the period's window moves it to the override's close.
    """
    override = session.get(PeriodOverride, period.code)
    if override is not None:
        return override.closes_at
    close_day, _ = calendar_days(session)
    last_day = deadline_of(period, close_day=close_day)
    return datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=BANGKOK)


def confirmation_last_day(session: Session, period: Period) -> date:
    """The last day, in Bangkok, on which a confirmation is on time: the 5th of M+1 by default."""
    return bangkok_date(confirmation_deadline(session, period) - timedelta(microseconds=1))


def next_window_opening(session: Session, now: datetime) -> EntryWindow | None:
    """The first window (of any period near ``now``) that opens after ``now``."""
    around = Period.of_date(bangkok_date(now))
    windows = [
        entry_window(session, around.shift(offset))[0]
        for offset in range(-_WINDOW_SEARCH_MONTHS, _WINDOW_SEARCH_MONTHS + 1)
    ]
    upcoming = [window for window in windows if window.opens_at > now]
    return min(upcoming, key=lambda window: window.opens_at, default=None)


def open_periods(session: Session, now: datetime) -> list[Period]:
    """The periods whose window is open at ``now`` (one with the default days; overrides may add more)."""
    around = Period.of_date(bangkok_date(now))
    periods = [around.shift(offset) for offset in range(-_WINDOW_SEARCH_MONTHS, _WINDOW_SEARCH_MONTHS + 1)]
    overridden = session.scalars(select(PeriodOverride).where(PeriodOverride.closes_at > now)).all()
    periods += [Period.from_code(override.period) for override in overridden]
    return sorted({period for period in periods if entry_window(session, period)[0].is_open(now)})


def last_closed_period(session: Session, now: datetime) -> Period:
    """The latest period whose entry window has closed by ``now``: the month a province verifies next."""
    period = Period.of_date(bangkok_date(now))
    while entry_window(session, period)[0].closes_at > now:
        period = period.previous()
    return period


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


def is_locked(session: Session, *, district_code: str, period: Period) -> bool:
    """Whether the province has locked this district-month (unlocked data is shown as unconfirmed)."""
    return bool(
        session.scalar(
            select(DistrictMonth.locked_at).where(
                DistrictMonth.district_code == district_code, DistrictMonth.period == period.code
            )
        )
    )


def locked_district_codes(session: Session, *, province_code: str, period: Period) -> set[str]:
    """The districts of a province whose month is locked; the others' figures are unconfirmed."""
    return set(
        session.scalars(
            select(DistrictMonth.district_code).where(
                DistrictMonth.province_code == province_code,
                DistrictMonth.period == period.code,
                DistrictMonth.locked_at.is_not(None),  # type: ignore[union-attr]
            )
        )
    )


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
    now: datetime | None = None
    next_opening: EntryWindow | None = None

    @property
    def open_until(self) -> datetime | None:
        """When writing stops: the window's close or the exception's expiry, whichever is later."""
        if not self.writable:
            return None
        return max(filter(None, [self.window.closes_at, self.exception_until]))

    @property
    def time_left(self) -> timedelta | None:
        """The countdown to ``open_until``; ``None`` when the month cannot be written."""
        if self.open_until is None or self.now is None:
            return None
        return self.open_until - self.now

    @property
    def closed_until(self) -> datetime | None:
        """When a closed month opens again on its own: its window's opening, or none (locked or past)."""
        if self.writable or self.locked or self.now is None:
            return None
        return self.window.opens_at if self.now < self.window.opens_at else None


def _closed_reason(period: Period, window: EntryWindow, now: datetime, next_opening: EntryWindow | None) -> str:
    if now < window.opens_at:
        return f"ยังไม่เปิดให้บันทึกข้อมูลเดือน{period_name(period)} ระบบจะเปิดเมื่อ {format_thai_datetime(window.opens_at)}"
    reason = (
        f"ปิดรับข้อมูลเดือน{period_name(period)} แล้วตั้งแต่ {format_thai_datetime(window.closes_at)} "
        "จังหวัดขยายเวลาให้อำเภอได้ หรือกรมการพัฒนาชุมชนเปิดระบบให้บันทึกใหม่"
    )
    if next_opening is not None:
        reason += (
            f" (ระบบจะเปิดรับข้อมูลเดือน{period_name(next_opening.period)} "
            f"เมื่อ {format_thai_datetime(next_opening.opens_at)})"
        )
    return reason


def entry_status(session: Session, *, district_code: str, period: Period, now: datetime | None = None) -> EntryStatus:
    """Lock first, then the window (or a province's exception for this district)."""
    now = now or utc_now()
    month = session.get(DistrictMonth, (district_code, period.code))
    window, source = entry_window(session, period)
    exception = active_exception(session, district_code, period, now)
    locked = month is not None and month.locked_at is not None
    reason: str | None = None
    next_opening: EntryWindow | None = None
    if locked:
        assert month is not None
        reason = (
            f"ข้อมูลเดือน{period_name(period)} ถูกล็อกโดย {month.locked_by} "
            f"เมื่อ {format_thai_datetime(month.locked_at)} อำเภอแก้ไขไม่ได้ "
            "ติดต่อสำนักงานพัฒนาชุมชนจังหวัดเพื่อขอปลดล็อก"
        )
    elif not window.is_open(now) and exception is None:
        next_opening = next_window_opening(session, now) if now >= window.closes_at else None
        reason = _closed_reason(period, window, now, next_opening)
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
        now=now,
        next_opening=next_opening,
    )


def claim_district_month(session: Session, district_code: str, period: Period) -> DistrictMonth:
    """The district-month row, created if missing and locked FOR UPDATE for the rest of the transaction.

    Saves and locks both go through here, so on PostgreSQL a save racing a lock is
    serialised on this row: it either lands before the lock or sees the lock and is refused.
    (On SQLite the write transaction already holds the database's write lock.) The row is
    always re-read, so an object the session loaded earlier shows the committed lock state.
    """
    key = (district_code, period.code)
    statement = (
        select(DistrictMonth)
        .where(DistrictMonth.district_code == district_code, DistrictMonth.period == period.code)
        .with_for_update()
        .execution_options(populate_existing=True)
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
    month = session.scalars(statement).first()
    assert month is not None, key
    return month


def ensure_writable(
    session: Session, *, district_code: str, period: Period, now: datetime | None = None
) -> DistrictMonth:
    """Claim the district-month and refuse with the reason when it is locked or closed."""
    month = claim_district_month(session, district_code, period)
    status = entry_status(session, district_code=district_code, period=period, now=now)
    if not status.writable:
        raise EntryRefused(status.reason)
    return month
