"""Lock and unlock one district or the whole province: state, audit, refusals and permissions."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from db.engine import session_scope
from db.models import AuditEvent, DistrictMonth
from otop import clock
from otop.fiscal import BANGKOK, Period
from otop.locks import (
    LockRefused,
    lock_district_month,
    lock_province_month,
    unlock_district_month,
    unlock_province_month,
)
from otop.permissions import PermissionDenied
from otop.queries import SalesFilter, totals_by
from otop.status import EntryRefused, claim_district_month, ensure_writable
from tests.factories import actor, make_producer, make_sale

OCTOBER = Period(2567, 10)
LOCK_TIME = datetime(2024, 11, 5, 10, 0, tzinfo=BANGKOK)
BURIRAM_DISTRICTS = 23


@pytest.fixture(autouse=True)
def _frozen_clock() -> None:
    clock.set_now(lambda: LOCK_TIME)


def _month(session: Session, district_code: str, period: Period = OCTOBER) -> DistrictMonth | None:
    return session.get(DistrictMonth, (district_code, period.code))


def _audit(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_lock_district_month_locks_resets_changes_and_audits(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        month = claim_district_month(session, "3101", OCTOBER)
        month.confirmed_by, month.confirmed_at, month.changes_since_lock = "district3101", LOCK_TIME, 7
    with session_scope(engine, write=True) as session:
        result = lock_district_month(
            session=session, actor=actor("province", "31"), district_code="3101", period=OCTOBER
        )
    assert result.changed == ["3101"] and result.unconfirmed == []
    with session_scope(engine) as session:
        month = _month(session, "3101")
        assert month is not None
        assert (month.locked_by, month.locked_at, month.changes_since_lock) == ("province31", LOCK_TIME, 0)
        events = _audit(session, "lock")
    assert [(event.actor, event.district_code, event.period) for event in events] == [
        ("province31", "3101", OCTOBER.code)
    ]
    assert events[0].at == LOCK_TIME.astimezone(UTC)


def test_lock_district_month_allows_an_unconfirmed_month_and_says_so(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        result = lock_district_month(
            session=session, actor=actor("province", "31"), district_code="3102", period=OCTOBER
        )
    assert result.unconfirmed == ["3102"]
    with session_scope(engine) as session:
        month = _month(session, "3102")
        assert month is not None and month.locked_at == LOCK_TIME


def test_unlock_district_month_clears_the_lock_and_audits_the_reason(engine: Engine) -> None:
    province = actor("province", "31")
    with session_scope(engine, write=True) as session:
        lock_district_month(session=session, actor=province, district_code="3101", period=OCTOBER)
    with session_scope(engine, write=True) as session:
        result = unlock_district_month(
            session=session, actor=province, district_code="3101", period=OCTOBER, reason="  แก้ยอดกลุ่มทอผ้า  "
        )
    assert result.changed == ["3101"]
    with session_scope(engine) as session:
        month = _month(session, "3101")
        assert month is not None and month.locked_at is None and month.locked_by is None
        (event,) = _audit(session, "unlock")
    assert event.detail == "ปลดล็อกรายอำเภอ: แก้ยอดกลุ่มทอผ้า"
    assert event.old_value is not None and event.old_value.startswith("province31 ")


@pytest.mark.parametrize("reason", ["", "   ", None])
@pytest.mark.parametrize("scope", ["district", "province"])
def test_unlock_without_a_reason_is_refused(engine: Engine, reason: str | None, scope: str) -> None:
    province = actor("province", "31")
    with session_scope(engine, write=True) as session:
        lock_province_month(session=session, actor=province, province_code="31", period=OCTOBER)
    with pytest.raises(LockRefused, match="ต้องระบุเหตุผล"), session_scope(engine, write=True) as session:
        if scope == "district":
            unlock_district_month(session=session, actor=province, district_code="3101", period=OCTOBER, reason=reason)  # type: ignore[arg-type]
        else:
            unlock_province_month(session=session, actor=province, province_code="31", period=OCTOBER, reason=reason)  # type: ignore[arg-type]
    with session_scope(engine) as session:
        assert _audit(session, "unlock") == []
        month = _month(session, "3101")
        assert month is not None and month.locked_at is not None


def test_lock_province_month_locks_every_district_and_keeps_existing_locks(engine: Engine) -> None:
    earlier = LOCK_TIME - timedelta(days=1)
    with session_scope(engine, write=True) as session:
        month = claim_district_month(session, "3105", OCTOBER)
        month.locked_by, month.locked_at = "department", earlier
        confirmed = claim_district_month(session, "3101", OCTOBER)
        confirmed.confirmed_by, confirmed.confirmed_at = "district3101", earlier
    with session_scope(engine, write=True) as session:
        result = lock_province_month(session=session, actor=actor("province", "31"), province_code="31", period=OCTOBER)
    assert result.unchanged == ["3105"]
    assert len(result.changed) == BURIRAM_DISTRICTS - 1
    assert "3101" not in result.unconfirmed and len(result.unconfirmed) == BURIRAM_DISTRICTS - 2
    with session_scope(engine) as session:
        months = session.scalars(select(DistrictMonth).where(DistrictMonth.period == OCTOBER.code)).all()
        assert len(months) == BURIRAM_DISTRICTS and all(month.locked_at for month in months)
        kept = _month(session, "3105")
        assert kept is not None and (kept.locked_by, kept.locked_at) == ("department", earlier)
        assert len(_audit(session, "lock")) == BURIRAM_DISTRICTS - 1


def test_unlock_province_month_unlocks_every_locked_district(engine: Engine) -> None:
    province = actor("province", "31")
    with session_scope(engine, write=True) as session:
        lock_district_month(session=session, actor=province, district_code="3101", period=OCTOBER)
        lock_district_month(session=session, actor=province, district_code="3102", period=OCTOBER)
    with session_scope(engine, write=True) as session:
        result = unlock_province_month(
            session=session, actor=province, province_code="31", period=OCTOBER, reason="ตรวจทานใหม่ทั้งจังหวัด"
        )
    assert result.changed == ["3101", "3102"]
    assert len(result.unchanged) == BURIRAM_DISTRICTS - 2
    with session_scope(engine) as session:
        assert all(month.locked_at is None for month in session.scalars(select(DistrictMonth)))
        assert {event.detail for event in _audit(session, "unlock")} == {"ปลดล็อกทั้งจังหวัด: ตรวจทานใหม่ทั้งจังหวัด"}


def test_lock_district_month_refuses_an_already_locked_month(engine: Engine) -> None:
    province = actor("province", "31")
    with session_scope(engine, write=True) as session:
        lock_district_month(session=session, actor=province, district_code="3101", period=OCTOBER)
    with pytest.raises(LockRefused, match="ถูกล็อกอยู่แล้ว"), session_scope(engine, write=True) as session:
        lock_district_month(session=session, actor=province, district_code="3101", period=OCTOBER)


def test_unlock_district_month_refuses_a_month_that_is_not_locked(engine: Engine) -> None:
    with pytest.raises(LockRefused, match="ยังไม่ได้ล็อก"), session_scope(engine, write=True) as session:
        unlock_district_month(
            session=session, actor=actor("province", "31"), district_code="3101", period=OCTOBER, reason="ทดสอบ"
        )


def test_lock_refuses_a_month_that_has_not_begun(engine: Engine) -> None:
    with pytest.raises(LockRefused, match="ยังไม่ถึงเดือนธันวาคม 2567"), session_scope(engine, write=True) as session:
        lock_province_month(session=session, actor=actor("province", "31"), province_code="31", period=Period(2567, 12))
    with session_scope(engine) as session:
        assert session.scalars(select(DistrictMonth)).all() == []


@pytest.mark.parametrize(
    ("role", "code", "allowed"),
    [
        ("district", "3101", False),
        ("province", "31", True),
        ("province", "32", False),
        ("department", None, True),
        ("admin", None, True),
    ],
)
@pytest.mark.parametrize("scope", ["district", "province"])
def test_lock_permissions_by_role(engine: Engine, role: str, code: str | None, allowed: bool, scope: str) -> None:
    someone = actor(role, code)
    with session_scope(engine, write=True) as session:
        if not allowed:
            with pytest.raises(PermissionDenied, match="ไม่มีสิทธิ์ล็อกหรือปลดล็อกข้อมูล"):
                if scope == "district":
                    lock_district_month(session=session, actor=someone, district_code="3101", period=OCTOBER)
                else:
                    lock_province_month(session=session, actor=someone, province_code="31", period=OCTOBER)
            assert session.scalars(select(DistrictMonth)).all() == []
            return
        if scope == "district":
            result = lock_district_month(session=session, actor=someone, district_code="3101", period=OCTOBER)
        else:
            result = lock_province_month(session=session, actor=someone, province_code="31", period=OCTOBER)
    assert "3101" in result.changed


def test_province_user_cannot_unlock_another_province(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        lock_district_month(session=session, actor=actor("admin"), district_code="3201", period=OCTOBER)
    with pytest.raises(PermissionDenied), session_scope(engine, write=True) as session:
        unlock_district_month(
            session=session, actor=actor("province", "31"), district_code="3201", period=OCTOBER, reason="ขอแก้"
        )
    with pytest.raises(PermissionDenied), session_scope(engine, write=True) as session:
        unlock_province_month(
            session=session, actor=actor("province", "31"), province_code="32", period=OCTOBER, reason="x"
        )


def test_a_district_save_into_a_locked_month_is_refused(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        lock_district_month(session=session, actor=actor("province", "31"), district_code="3101", period=OCTOBER)
    with pytest.raises(EntryRefused, match="ถูกล็อก"), session_scope(engine, write=True) as session:
        ensure_writable(session, district_code="3101", period=OCTOBER)
    with session_scope(engine, write=True) as session:
        assert ensure_writable(session, district_code="3102", period=OCTOBER).locked_at is None


def test_department_totals_exclude_unlocked_months(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        for district_code, amount in (("3101", 1000), ("3102", 250)):
            make_sale(session, make_producer(session, district_code), OCTOBER.code, (amount, 0, 0, 0))
    national = SalesFilter(periods=[OCTOBER.code], locked_only=True)
    province_view = SalesFilter(province_code="31", periods=[OCTOBER.code])
    with session_scope(engine) as session:
        assert totals_by(session, national, "province_code") == {}
        assert totals_by(session, province_view, "district_code") == {
            "3101": Decimal("1000.00"),
            "3102": Decimal("250.00"),
        }
    with session_scope(engine, write=True) as session:
        lock_district_month(session=session, actor=actor("province", "31"), district_code="3101", period=OCTOBER)
    with session_scope(engine) as session:
        assert totals_by(session, national, "province_code") == {"31": Decimal("1000.00")}
    with session_scope(engine, write=True) as session:
        lock_district_month(session=session, actor=actor("province", "31"), district_code="3102", period=OCTOBER)
        unlock_district_month(
            session=session, actor=actor("province", "31"), district_code="3101", period=OCTOBER, reason="แก้ไขตัวเลข"
        )
    with session_scope(engine) as session:
        assert totals_by(session, national, "province_code") == {"31": Decimal("250.00")}
        assert totals_by(session, province_view, "province_code") == {"31": Decimal("1250.00")}
