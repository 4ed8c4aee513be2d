"""Completeness of a month: confirmed, locked, late, reported producers and outliers; province and nation."""

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from db.engine import session_scope
from db.models import EntryException
from otop import clock
from otop.completeness import (
    default_review_period,
    locked_summary_line,
    month_completeness,
    national_completeness,
)
from otop.fiscal import BANGKOK, Period
from otop.locks import lock_district_month
from otop.permissions import PermissionDenied
from otop.status import claim_district_month
from tests.factories import actor, make_producer, make_sale

OCTOBER = Period(2567, 10)
BEFORE_DEADLINE = datetime(2024, 11, 5, 12, tzinfo=BANGKOK)
AFTER_DEADLINE = datetime(2024, 11, 6, 0, tzinfo=BANGKOK)


def _confirm(engine: Engine, district_code: str, at: datetime, changes: int = 0) -> None:
    with session_scope(engine, write=True) as session:
        month = claim_district_month(session, district_code, OCTOBER)
        month.confirmed_by, month.confirmed_at, month.changes_since_lock = f"district{district_code}", at, changes


@pytest.fixture
def october(engine: Engine) -> Engine:
    """3101 confirmed on time and locked, 3102 confirmed late with changes, 3103 never confirmed."""
    with session_scope(engine, write=True) as session:
        weaver = make_producer(session, "3101", name="กลุ่มทอผ้าไหม", categories=("textile", "food"))
        potter = make_producer(session, "3101", name="กลุ่มเครื่องปั้นดินเผา", categories=("household",))
        make_producer(session, "3101", status="pending")
        idle = make_producer(session, "3101")
        idle.active = False
        make_sale(session, weaver, OCTOBER.code, (1000, 200, 0, 0), category="textile")
        make_sale(session, weaver, OCTOBER.code, (0, 0, 0, 0), category="food")
        sale = make_sale(session, potter, OCTOBER.code, (0, 0, "50000.50", 0), category="household")
        sale.outlier_note = "  ส่งออกล็อตใหญ่ไปญี่ปุ่น "
        other = make_producer(session, "3102")
        make_sale(session, other, OCTOBER.code, (300, 0, 0, 0))
        session.add(
            EntryException(district_code="3103", period=OCTOBER.code, expires_at=datetime(2099, 1, 1, tzinfo=BANGKOK))
        )
    _confirm(engine, "3101", datetime(2024, 11, 3, 16, tzinfo=BANGKOK))
    _confirm(engine, "3102", AFTER_DEADLINE, changes=4)
    clock.set_now(lambda: datetime(2024, 11, 4, 10, tzinfo=BANGKOK))
    with session_scope(engine, write=True) as session:
        lock_district_month(session=session, actor=actor("province", "31"), district_code="3101", period=OCTOBER)
    return engine


def test_month_completeness_describes_every_district(october: Engine) -> None:
    with session_scope(october) as session:
        states = month_completeness(
            session=session, actor=actor("province", "31"), province_code="31", period=OCTOBER, now=AFTER_DEADLINE
        )
    assert len(states) == 23
    assert [state.district_code for state in states] == sorted(state.district_code for state in states)
    by_code = {state.district_code: state for state in states}
    first, second, third = by_code["3101"], by_code["3102"], by_code["3103"]
    assert first.district_name_th == "เมืองบุรีรัมย์"
    assert (first.confirmed, first.confirmed_by, first.locked, first.locked_by) == (
        True,
        "district3101",
        True,
        "province31",
    )
    assert first.total == Decimal("51200.50")
    assert (first.producers_reported, first.producers_expected) == (2, 3)
    assert [(note.producer_name, note.category, note.note) for note in first.outliers] == [
        ("กลุ่มเครื่องปั้นดินเผา", "household", "ส่งออกล็อตใหญ่ไปญี่ปุ่น")
    ]
    assert not first.late
    assert (second.confirmed, second.locked, second.late, second.changes_since_lock) == (True, False, True, 4)
    assert (second.producers_reported, second.producers_expected, second.total) == (1, 1, Decimal("300.00"))
    assert (third.confirmed, third.locked, third.late, third.total) == (False, False, True, Decimal("0.00"))
    assert third.exception_until == datetime(2099, 1, 1, tzinfo=BANGKOK)
    assert first.exception_until is None
    assert locked_summary_line(states) == "อำเภอที่ล็อกข้อมูล: 1/23 อำเภอ"


def test_an_unconfirmed_district_is_late_only_once_the_deadline_has_passed(october: Engine) -> None:
    with session_scope(october) as session:
        before = month_completeness(
            session=session, actor=actor("admin"), province_code="31", period=OCTOBER, now=BEFORE_DEADLINE
        )
    late = {state.district_code for state in before if state.late}
    assert late == {"3102"}


def test_national_completeness_counts_each_province(october: Engine) -> None:
    with session_scope(october) as session:
        after = national_completeness(session=session, actor=actor("department"), period=OCTOBER, now=AFTER_DEADLINE)
        before = national_completeness(session=session, actor=actor("department"), period=OCTOBER, now=BEFORE_DEADLINE)
    by_code = {row.province_code: row for row in after}
    assert "10" not in by_code
    buriram = by_code["31"]
    assert (buriram.province_name_th, buriram.districts, buriram.confirmed, buriram.locked, buriram.late) == (
        "บุรีรัมย์",
        23,
        2,
        1,
        22,
    )
    surin = by_code["32"]
    assert (surin.confirmed, surin.locked, surin.late) == (0, 0, surin.districts)
    assert {row.province_code: row.late for row in before}["31"] == 1
    assert sum(row.late for row in before) == 1


@pytest.mark.parametrize(("role", "code"), [("district", "3101"), ("province", "32")])
def test_month_completeness_is_refused_outside_the_actors_area(engine: Engine, role: str, code: str) -> None:
    with pytest.raises(PermissionDenied), session_scope(engine) as session:
        month_completeness(session=session, actor=actor(role, code), province_code="31", period=OCTOBER)


def test_national_completeness_is_for_the_department(engine: Engine) -> None:
    with pytest.raises(PermissionDenied), session_scope(engine) as session:
        national_completeness(session=session, actor=actor("province", "31"), period=OCTOBER)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2024, 12, 3, tzinfo=BANGKOK), OCTOBER),
        (datetime(2024, 12, 6, tzinfo=BANGKOK), Period(2567, 11)),
        (datetime(2024, 11, 5, tzinfo=BANGKOK), Period(2567, 9)),
    ],
)
def test_default_review_period_is_the_latest_closed_month_with_data(
    engine: Engine, now: datetime, expected: Period
) -> None:
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3101")
        make_sale(session, producer, OCTOBER.code)
        make_sale(session, producer, Period(2567, 11).code)
    with session_scope(engine) as session:
        assert (
            default_review_period(session=session, actor=actor("province", "31"), province_code="31", now=now)
            == expected
        )


def test_default_review_period_without_data_is_the_month_just_closed(engine: Engine) -> None:
    now = datetime(2025, 2, 7, tzinfo=BANGKOK)
    with session_scope(engine) as session:
        assert default_review_period(session=session, actor=actor("admin"), province_code="31", now=now) == Period(
            2568, 1
        )


def test_month_completeness_on_the_demo_data(demo_engine: Engine) -> None:
    march = Period(2568, 3)
    with session_scope(demo_engine) as session:
        states = month_completeness(session=session, actor=actor("province", "31"), province_code="31", period=march)
    assert locked_summary_line(states) == "อำเภอที่ล็อกข้อมูล: 20/23 อำเภอ"
    assert all(state.confirmed and not state.late for state in states)
    assert all(state.producers_expected >= state.producers_reported > 0 for state in states)
