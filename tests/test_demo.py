"""Demo data: deterministic, and its totals equal the official Buriram figures exactly."""

from decimal import Decimal

from sqlalchemy import Engine, func, select

from db.engine import session_scope
from db.models import DistrictMonth, MonthlySale, Producer, User
from otop.demo import allocate, official_targets
from otop.fiscal import fiscal_year_periods, period_codes, round_periods
from otop.queries import SalesFilter, totals_by
from otop.summary import rebuild_summary


def test_allocate_splits_exactly_and_keeps_proportions() -> None:
    shares = allocate(1001, [1, 1, 2])
    assert sum(shares) == 1001
    assert shares == [250, 250, 501]
    assert allocate(7, [0, 3, 0]) == [0, 7, 0]


def _raw_totals(session, periods: list[int]) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    columns = (
        MonthlySale.domestic_offline,
        MonthlySale.domestic_online,
        MonthlySale.export_offline,
        MonthlySale.export_online,
    )
    rows = session.execute(select(MonthlySale.district_code, *columns).where(MonthlySale.period.in_(periods)))
    totals: dict[str, Decimal] = {}
    for district_code, *amounts in rows:
        totals[district_code] = totals.get(district_code, Decimal(0)) + sum(amounts)
    return totals


def test_demo_totals_equal_the_official_baselines_and_actuals(demo_engine: Engine) -> None:
    official = {(row.round_no, row.district_code): row for row in official_targets()}
    with session_scope(demo_engine) as session:
        fy2567_h1 = _raw_totals(session, period_codes(round_periods(2567, 1)))
        fy2567 = _raw_totals(session, period_codes(fiscal_year_periods(2567)))
        fy2568_h1 = _raw_totals(session, period_codes(round_periods(2568, 1)))
    for (round_no, district_code), row in official.items():
        assert fy2568_h1[district_code] == row.actual
        if round_no == 1:
            assert fy2567_h1[district_code] == row.baseline
        else:
            assert fy2567[district_code] == row.baseline


def test_demo_has_producers_users_and_statuses(demo_engine: Engine) -> None:
    with session_scope(demo_engine) as session:
        per_district = dict(
            session.execute(select(Producer.district_code, func.count()).group_by(Producer.district_code)).all()
        )
        roles = set(session.scalars(select(User.role)))
        statuses = session.scalar(select(func.count()).select_from(DistrictMonth))
    assert len(per_district) == 23
    assert all(100 <= count <= 200 for count in per_district.values())
    assert roles == {"admin", "department", "province", "district"}
    assert statuses == 23 * 18


def test_summary_equals_the_raw_rows(demo_engine: Engine) -> None:
    periods = period_codes(fiscal_year_periods(2567))
    with session_scope(demo_engine) as session:
        from_summary = totals_by(session, SalesFilter(province_code="31", periods=periods), "district_code")
        raw = _raw_totals(session, periods)
    assert from_summary == raw


def test_summary_rebuild_is_idempotent(demo_engine: Engine) -> None:
    periods = period_codes(round_periods(2568, 1))
    with session_scope(demo_engine) as session:
        before = totals_by(session, SalesFilter(periods=periods), "district_code")
        rebuild_summary(session, province_code="31")
        after = totals_by(session, SalesFilter(periods=periods), "district_code")
        session.rollback()
    assert before == after
