"""District-month status: the entry window, locks, exceptions, the countdown and the row claim."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from db.engine import session_scope
from db.models import CalendarSetting, DistrictMonth, EntryException, PeriodOverride
from otop.fiscal import BANGKOK, Period
from otop.i18n import format_duration
from otop.status import (
    EntryRefused,
    claim_district_month,
    confirmation_deadline,
    confirmation_last_day,
    ensure_writable,
    entry_status,
    is_locked,
    last_closed_period,
    locked_district_codes,
    next_window_opening,
    open_periods,
)

OCTOBER = Period(2567, 10)


def bkk(year_ce: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year_ce, month, day, hour, minute, tzinfo=BANGKOK)


@pytest.mark.parametrize(
    ("moment", "writable"),
    [
        (bkk(2024, 10, 9, 23, 59), False),
        (bkk(2024, 10, 10, 0, 0), True),
        (bkk(2024, 11, 5, 23, 59), True),
        (bkk(2024, 11, 6, 0, 0), False),
    ],
)
def test_entry_status_follows_the_default_window(engine: Engine, moment: datetime, writable: bool) -> None:
    with session_scope(engine) as session:
        status = entry_status(session, district_code="3101", period=OCTOBER, now=moment)
    assert status.writable is writable
    assert status.window_source == "default"
    assert (status.reason is None) is writable


def test_entry_status_follows_the_configured_days(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        session.add(CalendarSetting(id=1, close_day=8, reopen_day=12))
    with session_scope(engine) as session:
        assert not entry_status(session, district_code="3101", period=OCTOBER, now=bkk(2024, 10, 11)).writable
        assert entry_status(session, district_code="3101", period=OCTOBER, now=bkk(2024, 10, 12)).writable
        assert entry_status(session, district_code="3101", period=OCTOBER, now=bkk(2024, 11, 7, 23)).writable
        assert not entry_status(session, district_code="3101", period=OCTOBER, now=bkk(2024, 11, 8)).writable


def test_entry_status_counts_down_to_the_close(engine: Engine) -> None:
    with session_scope(engine) as session:
        status = entry_status(session, district_code="3101", period=OCTOBER, now=bkk(2024, 11, 2, 20, 30))
    assert status.open_until == bkk(2024, 11, 6)
    assert status.time_left == timedelta(days=3, hours=3, minutes=30)
    assert format_duration(status.time_left) == "3 วัน 3 ชั่วโมง 30 นาที"
    assert format_duration(timedelta(minutes=5)) == "5 นาที"
    assert format_duration(timedelta(days=2)) == "2 วัน"


def test_entry_status_before_opening_says_when_it_opens(engine: Engine) -> None:
    with session_scope(engine) as session:
        status = entry_status(session, district_code="3101", period=OCTOBER, now=bkk(2024, 10, 3))
    assert status.closed_until == bkk(2024, 10, 10)
    assert "ยังไม่เปิด" in (status.reason or "")
    assert "10 ตุลาคม 2567" in (status.reason or "")


def test_entry_status_after_closing_names_the_next_opening(engine: Engine) -> None:
    with session_scope(engine) as session:
        status = entry_status(session, district_code="3101", period=OCTOBER, now=bkk(2024, 11, 7))
    assert status.closed_until is None
    assert status.next_opening is not None
    assert status.next_opening.period == Period(2567, 11)
    assert status.next_opening.opens_at == bkk(2024, 11, 10)
    assert "ปิดรับข้อมูลเดือนตุลาคม 2567" in (status.reason or "")
    assert "เดือนพฤศจิกายน 2567 เมื่อ 10 พฤศจิกายน 2567" in (status.reason or "")


def test_entry_status_lock_wins_over_an_open_window_and_an_exception(engine: Engine) -> None:
    moment = bkk(2024, 10, 20)
    with session_scope(engine, write=True) as session:
        session.add(
            DistrictMonth(
                district_code="3101", period=OCTOBER.code, province_code="31", locked_by="province31", locked_at=moment
            )
        )
        session.add(EntryException(district_code="3101", period=OCTOBER.code, expires_at=moment + timedelta(days=30)))
    with session_scope(engine) as session:
        status = entry_status(session, district_code="3101", period=OCTOBER, now=moment + timedelta(hours=1))
    assert status.locked and not status.writable
    assert "ถูกล็อกโดย province31" in (status.reason or "")
    assert status.closed_until is None


def test_entry_status_exception_opens_a_closed_month_for_one_district(engine: Engine) -> None:
    expiry = bkk(2024, 11, 12, 17)
    with session_scope(engine, write=True) as session:
        session.add(EntryException(district_code="3101", period=OCTOBER.code, expires_at=expiry))
    with session_scope(engine) as session:
        mine = entry_status(session, district_code="3101", period=OCTOBER, now=bkk(2024, 11, 8))
        other = entry_status(session, district_code="3102", period=OCTOBER, now=bkk(2024, 11, 8))
        expired = entry_status(session, district_code="3101", period=OCTOBER, now=expiry)
    assert mine.writable and mine.open_until == expiry
    assert not other.writable
    assert not expired.writable


def test_entry_status_uses_the_period_override(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        session.add(PeriodOverride(period=OCTOBER.code, opens_at=bkk(2024, 12, 1), closes_at=bkk(2024, 12, 3)))
    with session_scope(engine) as session:
        inside = entry_status(session, district_code="3101", period=OCTOBER, now=bkk(2024, 12, 2))
        default_time = entry_status(session, district_code="3101", period=OCTOBER, now=bkk(2024, 10, 20))
        deadline = confirmation_deadline(session, OCTOBER)
    assert inside.writable and inside.window_source == "override"
    assert not default_time.writable
    assert deadline == bkk(2024, 12, 3)


def test_confirmation_deadline_is_the_end_of_the_day_before_the_close_day(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert confirmation_deadline(session, OCTOBER) == bkk(2024, 11, 6)
        assert confirmation_last_day(session, OCTOBER) == date(2024, 11, 5)
        session.add(CalendarSetting(id=1, close_day=9, reopen_day=12))
        session.flush()
        assert confirmation_deadline(session, OCTOBER) == bkk(2024, 11, 9)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (bkk(2024, 11, 5, 23), Period(2567, 9)),
        (bkk(2024, 11, 6), Period(2567, 10)),
        (bkk(2024, 12, 1), Period(2567, 10)),
    ],
)
def test_last_closed_period_is_the_month_whose_window_closed_last(
    engine: Engine, moment: datetime, expected: Period
) -> None:
    with session_scope(engine) as session:
        assert last_closed_period(session, moment) == expected


def test_open_periods_and_next_opening_in_the_compile_gap(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert open_periods(session, bkk(2024, 11, 7)) == []
        assert open_periods(session, bkk(2024, 11, 3)) == [OCTOBER]
        upcoming = next_window_opening(session, bkk(2024, 11, 7))
    assert upcoming is not None and upcoming.period == Period(2567, 11)


def test_ensure_writable_refuses_a_locked_month(engine: Engine) -> None:
    moment = bkk(2024, 10, 20)
    with session_scope(engine, write=True) as session:
        month = claim_district_month(session, "3101", OCTOBER)
        month.locked_by, month.locked_at = "province31", moment
    with pytest.raises(EntryRefused, match="ถูกล็อก"), session_scope(engine, write=True) as session:
        ensure_writable(session, district_code="3101", period=OCTOBER, now=moment)


def test_ensure_writable_claims_the_row_and_returns_it(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        month = ensure_writable(session, district_code="3105", period=OCTOBER, now=bkk(2024, 10, 20))
        assert (month.district_code, month.period, month.province_code) == ("3105", OCTOBER.code, "31")
    with session_scope(engine, write=True) as session:
        again = claim_district_month(session, "3105", OCTOBER)
        assert again.version == 0
        count = session.scalar(select(func.count()).select_from(DistrictMonth))
    assert count == 1


def test_claim_district_month_rereads_a_row_the_session_already_holds(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        claim_district_month(session, "3101", OCTOBER)
    with session_scope(engine) as reader:
        stale = reader.get(DistrictMonth, ("3101", OCTOBER.code))
        assert stale is not None and stale.locked_at is None
        reader.commit()  # ends the read transaction; the object stays in the session with its old values
        with session_scope(engine, write=True) as writer:
            row = writer.get(DistrictMonth, ("3101", OCTOBER.code))
            assert row is not None
            row.locked_by, row.locked_at = "province31", bkk(2024, 10, 20)
        fresh = claim_district_month(reader, "3101", OCTOBER)
    assert fresh is stale
    assert fresh.locked_by == "province31"


def test_locked_helpers_label_unconfirmed_district_months(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        for code, locked in (("3101", True), ("3102", False), ("3201", True)):
            month = claim_district_month(session, code, OCTOBER)
            if locked:
                month.locked_by, month.locked_at = "someone", bkk(2024, 11, 5)
    with session_scope(engine) as session:
        assert locked_district_codes(session, province_code="31", period=OCTOBER) == {"3101"}
        assert is_locked(session, district_code="3101", period=OCTOBER)
        assert not is_locked(session, district_code="3102", period=OCTOBER)
        assert not is_locked(session, district_code="3103", period=OCTOBER)
        assert not is_locked(session, district_code="3101", period=OCTOBER.next())
