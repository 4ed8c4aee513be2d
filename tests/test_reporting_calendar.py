"""The reporting calendar: close and reopen days, period overrides, and one district's exception."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from db.engine import session_scope
from db.models import AuditEvent, EntryException, PeriodOverride
from otop import clock
from otop.fiscal import BANGKOK, Period
from otop.locks import lock_district_month
from otop.permissions import PermissionDenied
from otop.reporting_calendar import (
    CalendarError,
    calendar_now,
    clear_period_override,
    get_calendar_days,
    grant_exception,
    list_exceptions,
    list_period_overrides,
    preview_windows,
    revoke_exception,
    set_calendar_days,
    set_period_override,
)
from otop.status import EntryRefused, ensure_writable, entry_status
from tests.factories import actor

OCTOBER = Period(2567, 10)
NOVEMBER = Period(2567, 11)


def bkk(year_ce: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year_ce, month, day, hour, minute, tzinfo=BANGKOK)


def _events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _writable(engine: Engine, district_code: str, period: Period, moment: datetime) -> bool:
    with session_scope(engine) as session:
        return entry_status(session, district_code=district_code, period=period, now=moment).writable


# --- the two days ------------------------------------------------------------------


def test_calendar_days_default_to_six_and_ten(engine: Engine) -> None:
    with session_scope(engine) as session:
        days = get_calendar_days(session=session, actor=actor("department"))
    assert (days.close_day, days.reopen_day, days.updated_by) == (6, 10, None)


def test_calendar_closes_and_reopens_on_the_configured_days(engine: Engine) -> None:
    clock.set_now(lambda: bkk(2024, 10, 1, 9))
    with session_scope(engine, write=True) as session:
        set_calendar_days(session=session, actor=actor("department"), close_day=8, reopen_day=12)
    # October 2567 now opens on 12 October and closes when 8 November begins.
    assert not _writable(engine, "3101", OCTOBER, bkk(2024, 10, 11, 23, 59))
    assert _writable(engine, "3101", OCTOBER, bkk(2024, 10, 12))
    assert _writable(engine, "3101", OCTOBER, bkk(2024, 11, 7, 23, 59))
    assert not _writable(engine, "3101", OCTOBER, bkk(2024, 11, 8))
    # Between the close of October and the opening of November nothing is open.
    assert not _writable(engine, "3101", NOVEMBER, bkk(2024, 11, 11, 23, 59))
    assert _writable(engine, "3101", NOVEMBER, bkk(2024, 11, 12))
    with session_scope(engine) as session:
        days = get_calendar_days(session=session, actor=actor("admin"))
        (event,) = _events(session, "calendar_days")
    assert (days.close_day, days.reopen_day, days.updated_by) == (8, 12, "department")
    assert (event.old_value, event.new_value, event.actor) == ("6/10", "8/12", "department")


@pytest.mark.parametrize(
    ("close_day", "reopen_day", "message"),
    [
        (0, 10, "วันปิดระบบต้องเป็นวันที่ 1 ถึง 28"),
        (6, 29, "วันเปิดระบบต้องเป็นวันที่ 1 ถึง 28"),
        (10, 10, "ต้องมาก่อนวันเปิดระบบ"),
        (12, 10, "ต้องมาก่อนวันเปิดระบบ"),
        (1, 25, "สั้นเกินไป"),
        (True, 10, "วันปิดระบบต้องเป็นวันที่"),
    ],
)
def test_set_calendar_days_refuses_an_insane_window(
    engine: Engine, close_day: int, reopen_day: int, message: str
) -> None:
    with pytest.raises(CalendarError, match=message), session_scope(engine, write=True) as session:
        set_calendar_days(session=session, actor=actor("admin"), close_day=close_day, reopen_day=reopen_day)
    with session_scope(engine) as session:
        assert _events(session, "calendar_days") == []


@pytest.mark.parametrize(("role", "code"), [("district", "3101"), ("province", "31")])
def test_only_the_department_and_admin_set_the_calendar(engine: Engine, role: str, code: str) -> None:
    with pytest.raises(PermissionDenied, match="กำหนดปฏิทินการรายงาน"), session_scope(engine, write=True) as session:
        set_calendar_days(session=session, actor=actor(role, code), close_day=7, reopen_day=11)


# --- one period's window -----------------------------------------------------------


def test_period_override_reopens_a_closed_month_and_can_be_cleared(engine: Engine) -> None:
    clock.set_now(lambda: bkk(2024, 11, 20))
    assert not _writable(engine, "3101", OCTOBER, bkk(2024, 11, 20))
    with session_scope(engine, write=True) as session:
        set_period_override(
            session=session,
            actor=actor("department"),
            period=OCTOBER,
            opens_at=bkk(2024, 11, 20),
            closes_at=bkk(2024, 11, 25),
            reason="เปิดให้แก้ไขหลังน้ำท่วม",
        )
    assert _writable(engine, "3101", OCTOBER, bkk(2024, 11, 24, 23))
    assert not _writable(engine, "3101", OCTOBER, bkk(2024, 11, 25))
    with session_scope(engine, write=True) as session:
        (override,) = list_period_overrides(session=session, actor=actor("admin"))
        assert (override.reason, override.set_by) == ("เปิดให้แก้ไขหลังน้ำท่วม", "department")
        clear_period_override(session=session, actor=actor("department"), period=OCTOBER)
    assert not _writable(engine, "3101", OCTOBER, bkk(2024, 11, 24, 23))
    with session_scope(engine) as session:
        assert session.get(PeriodOverride, OCTOBER.code) is None
        assert len(_events(session, "period_override")) == 1
        assert len(_events(session, "period_override_cleared")) == 1


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "reason", "message"),
    [
        (bkk(2024, 11, 20), bkk(2024, 11, 25), "  ", "ต้องระบุเหตุผล"),
        (bkk(2024, 11, 25), bkk(2024, 11, 20), "ทดสอบ", "ต้องหลังเวลาเปิด"),
        (bkk(2024, 9, 1), bkk(2024, 9, 30), "ทดสอบ", "ต้องปิดหลังวันที่ 1"),
    ],
)
def test_set_period_override_refuses_bad_windows(
    engine: Engine, opens_at: datetime, closes_at: datetime, reason: str, message: str
) -> None:
    with pytest.raises(CalendarError, match=message), session_scope(engine, write=True) as session:
        set_period_override(
            session=session, actor=actor("admin"), period=OCTOBER, opens_at=opens_at, closes_at=closes_at, reason=reason
        )


def test_clear_period_override_refuses_a_period_without_one(engine: Engine) -> None:
    with pytest.raises(CalendarError, match="ไม่มีช่วงเวลาพิเศษ"), session_scope(engine, write=True) as session:
        clear_period_override(session=session, actor=actor("admin"), period=OCTOBER)


def test_preview_windows_shows_defaults_and_overrides(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        set_period_override(
            session=session,
            actor=actor("admin"),
            period=NOVEMBER,
            opens_at=bkk(2024, 11, 8),
            closes_at=bkk(2024, 12, 9),
            reason="วันหยุดยาว",
        )
        previews = preview_windows(session=session, actor=actor("admin"), first=OCTOBER, months=3)
    assert [preview.period for preview in previews] == [OCTOBER, NOVEMBER, Period(2567, 12)]
    assert [preview.source for preview in previews] == ["default", "override", "default"]
    assert (previews[0].opens_at, previews[0].closes_at, previews[0].deadline) == (
        bkk(2024, 10, 10),
        bkk(2024, 11, 6),
        bkk(2024, 11, 6),
    )
    assert (previews[1].opens_at, previews[1].deadline, previews[1].reason) == (
        bkk(2024, 11, 8),
        bkk(2024, 12, 9),
        "วันหยุดยาว",
    )


def test_calendar_now_tells_what_is_open_and_what_opens_next(engine: Engine) -> None:
    with session_scope(engine) as session:
        gap = calendar_now(session=session, actor=actor("admin"), now=bkk(2024, 11, 7))
        open_ = calendar_now(session=session, actor=actor("admin"), now=bkk(2024, 11, 12))
    assert gap.open_periods == [] and gap.next_opening_period == NOVEMBER
    assert gap.next_opening_at == bkk(2024, 11, 10)
    assert open_.open_periods == [NOVEMBER]


# --- a province's exception --------------------------------------------------------


def test_an_exception_lets_one_district_save_until_it_expires(engine: Engine) -> None:
    expiry = bkk(2024, 11, 12, 17)
    clock.set_now(lambda: bkk(2024, 11, 8, 9))
    with session_scope(engine, write=True) as session:
        grant_exception(
            session=session,
            actor=actor("province", "31"),
            district_code="3101",
            period=OCTOBER,
            expires_at=expiry,
            reason="ผู้ผลิตส่งแบบ รต.1 ล่าช้า",
        )
    for moment in (bkk(2024, 11, 8, 9), expiry - timedelta(seconds=1)):
        clock.set_now(lambda moment=moment: moment)
        with session_scope(engine, write=True) as session:
            ensure_writable(session, district_code="3101", period=OCTOBER)
        with pytest.raises(EntryRefused, match="ปิดรับข้อมูล"), session_scope(engine, write=True) as session:
            ensure_writable(session, district_code="3102", period=OCTOBER)
    clock.set_now(lambda: expiry)
    with pytest.raises(EntryRefused, match="ปิดรับข้อมูล"), session_scope(engine, write=True) as session:
        ensure_writable(session, district_code="3101", period=OCTOBER)
    with session_scope(engine) as session:
        (event,) = _events(session, "exception_granted")
    assert (event.district_code, event.period, event.detail) == ("3101", OCTOBER.code, "ผู้ผลิตส่งแบบ รต.1 ล่าช้า")


def test_granting_again_moves_the_expiry_and_revoking_ends_it(engine: Engine) -> None:
    clock.set_now(lambda: bkk(2024, 11, 8, 9))
    province = actor("province", "31")
    with session_scope(engine, write=True) as session:
        grant_exception(
            session=session, actor=province, district_code="3101", period=OCTOBER, expires_at=bkk(2024, 11, 9)
        )
        grant_exception(
            session=session, actor=province, district_code="3101", period=OCTOBER, expires_at=bkk(2024, 11, 11)
        )
    with session_scope(engine) as session:
        (view,) = list_exceptions(session=session, actor=province, province_code="31", period=OCTOBER)
        assert len(session.scalars(select(EntryException)).all()) == 1
    assert (view.district_code, view.district_name_th, view.expires_at, view.active) == (
        "3101",
        "เมืองบุรีรัมย์",
        bkk(2024, 11, 11),
        True,
    )
    assert _writable(engine, "3101", OCTOBER, bkk(2024, 11, 10))
    clock.set_now(lambda: bkk(2024, 11, 8, 10))
    with session_scope(engine, write=True) as session:
        revoke_exception(session=session, actor=province, district_code="3101", period=OCTOBER)
    assert not _writable(engine, "3101", OCTOBER, bkk(2024, 11, 8, 10))
    with session_scope(engine) as session:
        assert list_exceptions(session=session, actor=province, province_code="31", period=OCTOBER) == []
        (history,) = list_exceptions(
            session=session, actor=province, province_code="31", period=OCTOBER, include_expired=True
        )
        assert not history.active and history.expires_at == bkk(2024, 11, 8, 10)
        assert len(_events(session, "exception_revoked")) == 1
    with pytest.raises(CalendarError, match="ไม่มีการขยายเวลาที่ยังมีผล"), session_scope(engine, write=True) as session:
        revoke_exception(session=session, actor=province, district_code="3101", period=OCTOBER)


@pytest.mark.parametrize(
    ("expires_at", "message"),
    [
        (bkk(2024, 11, 8, 8), "ต้องอยู่หลังเวลาปัจจุบัน"),
        (bkk(2025, 6, 1), "ไม่เกิน 90 วัน"),
    ],
)
def test_grant_exception_refuses_a_bad_expiry(engine: Engine, expires_at: datetime, message: str) -> None:
    clock.set_now(lambda: bkk(2024, 11, 8, 9))
    with pytest.raises(CalendarError, match=message), session_scope(engine, write=True) as session:
        grant_exception(
            session=session, actor=actor("province", "31"), district_code="3101", period=OCTOBER, expires_at=expires_at
        )


def test_grant_exception_refuses_a_locked_month(engine: Engine) -> None:
    clock.set_now(lambda: bkk(2024, 11, 8, 9))
    province = actor("province", "31")
    with session_scope(engine, write=True) as session:
        lock_district_month(session=session, actor=province, district_code="3101", period=OCTOBER)
    with pytest.raises(CalendarError, match="ต้องปลดล็อกก่อน"), session_scope(engine, write=True) as session:
        grant_exception(
            session=session, actor=province, district_code="3101", period=OCTOBER, expires_at=bkk(2024, 11, 10)
        )


@pytest.mark.parametrize(
    ("role", "code", "district_code", "allowed"),
    [
        ("province", "31", "3101", True),
        ("province", "32", "3101", False),
        ("district", "3101", "3101", False),
        ("department", None, "3101", False),
        ("admin", None, "3101", True),
    ],
)
def test_grant_exception_permissions(
    engine: Engine, role: str, code: str | None, district_code: str, allowed: bool
) -> None:
    clock.set_now(lambda: bkk(2024, 11, 8, 9))
    with session_scope(engine, write=True) as session:
        call = {
            "session": session,
            "actor": actor(role, code),
            "district_code": district_code,
            "period": OCTOBER,
            "expires_at": bkk(2024, 11, 10),
        }
        if allowed:
            assert grant_exception(**call).district_code == district_code
        else:
            with pytest.raises(PermissionDenied, match="ขยายเวลาบันทึกให้อำเภอ"):
                grant_exception(**call)
