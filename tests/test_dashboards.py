"""Dashboards: every figure equals an independent sum of the raw monthly_sale rows, on both backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlmodel import Session

from db.engine import session_scope
from db.models import CHANNEL_COLUMNS, DistrictMonth, Forecast, MonthlySale, Producer
from otop.dashboards import (
    AreaProgress,
    ChannelSplit,
    latest_period,
    load_district_dashboard,
    load_monthly_history,
    load_national_dashboard,
    load_province_dashboard,
    monthly_history_frame,
    target_table_frame,
)
from otop.demo import official_targets
from otop.fiscal import Period, fiscal_year_periods, period_codes, round_periods
from otop.money import ZERO, round_half_up
from otop.permissions import Actor, PermissionDenied
from otop.targets import levels_of
from tests.factories import actor, lock_month, make_producer, make_sale

MARCH_2568 = Period(2568, 3)
ELAPSED = period_codes(round_periods(2568, 1))  # October 2567 – March 2568
PREVIOUS_YEAR = period_codes(fiscal_year_periods(2567))
PROVINCE = actor("province", "31")


@dataclass(frozen=True)
class RawRow:
    district_code: str
    province_code: str
    period: int
    category: str
    producer_type: str
    producer_id: int
    channels: tuple[Decimal, Decimal, Decimal, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.channels, ZERO)


# (district, producer type, categories) and, per producer, (period, category, four channels) rows.
SALES: dict[str, tuple[str, str, tuple[str, ...], list[tuple[int, str, tuple[str, ...]]]]] = {
    "a": (
        "3101",
        "community",
        ("food", "textile"),
        [
            (256610, "food", ("1000.50", "200", "0", "0")),
            (256611, "textile", ("800", "0", "50.25", "0")),
            (256703, "food", ("1200", "300", "0", "10")),
            (256705, "food", ("900", "100", "0", "0")),
            (256710, "food", ("1500.75", "250", "0", "0")),
            (256711, "textile", ("700", "90", "30", "5.5")),
            (256712, "food", ("1600", "0", "0", "0")),
            (256801, "textile", ("300", "30", "0", "0")),
            (256803, "food", ("2000", "400.4", "100", "0")),
        ],
    ),
    "b": (
        "3101",
        "sme",
        ("beverage",),
        [
            (256612, "beverage", ("5000", "1000", "2000", "500")),
            (256710, "beverage", ("6000", "1200", "2500", "600")),
            (256803, "beverage", ("4000", "900", "0", "0")),
        ],
    ),
    "c": (
        "3102",
        "single_owner",
        ("herbal",),
        [
            (256610, "herbal", ("400", "40", "0", "0")),
            (256702, "herbal", ("350", "0", "0", "0")),
            (256710, "herbal", ("450", "60", "0", "0")),
            (256712, "herbal", ("500.01", "0", "0", "0")),
        ],
    ),
    "d": (
        "3001",
        "community",
        ("food",),
        [
            (256611, "food", ("9000", "0", "0", "0")),
            (256710, "food", ("9500", "100", "0", "0")),
            (256711, "food", ("9900", "0", "0", "0")),
        ],
    ),
}
LOCKED = {
    ("3101", 256710),
    ("3101", 256711),
    ("3101", 256712),
    ("3102", 256710),
    ("3001", 256710),
    *((district, period) for district in ("3101", "3102", "3001") for period in PREVIOUS_YEAR),
}
FORECAST = {
    (256710, ("1000", "200", "0", "0")),
    (256711, ("1100", "150", "20", "0")),
    (256803, ("2500", "0", "0", "0")),
}


@pytest.fixture
def sales(engine: Engine) -> Iterator[Engine]:
    """Two Buriram districts and one of Nakhon Ratchasima with sales in FY2567 and FY2568, some months locked."""
    with session_scope(engine, write=True) as session:
        for district_code, producer_type, categories, rows in SALES.values():
            producer = make_producer(session, district_code, categories=categories, producer_type=producer_type)
            for period, category, amounts in rows:
                make_sale(session, producer, period, amounts, category=category)
        for district_code, period in sorted(LOCKED):
            lock_month(session, district_code, period)
        for period, amounts in FORECAST:
            session.add(
                Forecast(
                    district_code="3101",
                    period=period,
                    fiscal_year_be=2568,
                    **{column: Decimal(value) for column, value in zip(CHANNEL_COLUMNS, amounts, strict=True)},
                )
            )
    yield engine


def raw_rows(session: Session) -> list[RawRow]:
    """Every raw monthly_sale row with its producer's type: the independent source of truth."""
    statement = select(MonthlySale, Producer.producer_type).join(Producer, Producer.id == MonthlySale.producer_id)
    return [
        RawRow(
            district_code=sale.district_code,
            province_code=sale.province_code,
            period=sale.period,
            category=sale.category,
            producer_type=producer_type,
            producer_id=sale.producer_id,
            channels=tuple(getattr(sale, column) for column in CHANNEL_COLUMNS),  # type: ignore[arg-type]
        )
        for sale, producer_type in session.execute(statement).all()
    ]


def locked_months(session: Session) -> set[tuple[str, int]]:
    rows = session.execute(
        select(DistrictMonth.district_code, DistrictMonth.period).where(DistrictMonth.locked_at.is_not(None))  # type: ignore[union-attr]
    )
    return {(district, period) for district, period in rows.all()}


def raw_sum(rows: list[RawRow], keep: Callable[[RawRow], bool]) -> Decimal:
    return sum((row.total for row in rows if keep(row)), ZERO)


def area(areas: tuple[AreaProgress, ...], code: str) -> AreaProgress:
    return next(item for item in areas if item.code == code)


def test_province_dashboard_running_totals_equal_the_raw_rows(sales: Engine) -> None:
    with session_scope(sales) as session:
        rows = raw_rows(session)
        locked = locked_months(session)
        dashboard = load_province_dashboard(
            session=session, actor=PROVINCE, province_code="31", fiscal_year_be=2568, round_no=1, as_of=MARCH_2568
        )
    assert len(dashboard.districts) == 23
    for district_code in ("3101", "3102", "3104"):
        progress = area(dashboard.districts, district_code)
        own = [row for row in rows if row.district_code == district_code]
        assert progress.total == raw_sum(own, lambda r: r.period in ELAPSED)
        assert progress.unlocked_total == raw_sum(
            own, lambda r: r.period in ELAPSED and (r.district_code, r.period) not in locked
        )
        for index, period in enumerate(ELAPSED):
            month = [row for row in own if row.period == period]
            expected = [sum((row.channels[channel] for row in month), ZERO) for channel in range(4)]
            assert list(progress.actual[index].as_dict().values()) == expected
        assert progress.levels == levels_of(raw_sum(own, lambda r: r.period in period_codes(round_periods(2567, 1))))
    assert dashboard.province.total == raw_sum(rows, lambda r: r.province_code == "31" and r.period in ELAPSED)
    assert dashboard.table.total.actual == dashboard.province.total


def test_province_dashboard_breakdowns_and_year_over_year_equal_the_raw_rows(sales: Engine) -> None:
    with session_scope(sales) as session:
        rows = raw_rows(session)
        dashboard = load_province_dashboard(
            session=session, actor=PROVINCE, province_code="31", fiscal_year_be=2568, round_no=2, as_of=MARCH_2568
        )
    buriram = [row for row in rows if row.province_code == "31"]
    breakdown = dashboard.breakdown
    for category, amount in breakdown.by_category.items():
        assert amount == raw_sum(buriram, lambda r, c=category: r.category == c and r.period in ELAPSED)
    for producer_type, amount in breakdown.by_producer_type.items():
        assert amount == raw_sum(buriram, lambda r, t=producer_type: r.producer_type == t and r.period in ELAPSED)
    for channel_index, column in enumerate(CHANNEL_COLUMNS):
        assert getattr(breakdown.by_channel, column) == sum(
            (row.channels[channel_index] for row in buriram if row.period in ELAPSED), ZERO
        )
    comparison = dashboard.year_over_year
    for index, period in enumerate(period_codes(fiscal_year_periods(2568))):
        expected = raw_sum(buriram, lambda r, p=period: r.period == p) if period <= MARCH_2568.code else None
        assert comparison.current[index] == expected
        assert comparison.previous[index] == raw_sum(buriram, lambda r, p=PREVIOUS_YEAR[index]: r.period == p)


def test_projection_scales_the_pace_by_last_years_monthly_profile(sales: Engine) -> None:
    with session_scope(sales) as session:
        rows = raw_rows(session)
        dashboard = load_province_dashboard(
            session=session, actor=PROVINCE, province_code="31", fiscal_year_be=2568, round_no=1, as_of=Period(2567, 12)
        )
    projection = next(item for item in dashboard.projections if item.code == "3101")
    so_far = raw_sum(rows, lambda r: r.district_code == "3101" and 256710 <= r.period <= 256712)
    last_year = raw_sum(rows, lambda r: r.district_code == "3101" and r.period in PREVIOUS_YEAR)
    last_year_to_december = raw_sum(rows, lambda r: r.district_code == "3101" and 256610 <= r.period <= 256612)
    assert projection.method == "profile"
    assert projection.actual_to_date == so_far
    assert projection.projected == round_half_up(so_far * last_year / last_year_to_december)
    assert projection.levels == levels_of(last_year)
    assert projection.likely_status is not None


def test_projection_without_history_assumes_an_even_year(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3105")
        make_sale(session, producer, 256710, ("300", "0", "0", "0"))
        make_sale(session, producer, 256711, ("600", "0", "0", "0"))
        dashboard = load_province_dashboard(
            session=session, actor=PROVINCE, province_code="31", fiscal_year_be=2568, round_no=2, as_of=Period(2567, 11)
        )
    projection = next(item for item in dashboard.projections if item.code == "3105")
    assert projection.method == "even"
    assert projection.projected == Decimal("5400")


def test_level_paths_follow_last_years_profile_and_end_at_the_level(sales: Engine) -> None:
    with session_scope(sales) as session:
        rows = raw_rows(session)
        dashboard = load_province_dashboard(
            session=session, actor=PROVINCE, province_code="31", fiscal_year_be=2568, round_no=1, as_of=Period(2567, 11)
        )
    progress = area(dashboard.districts, "3101")
    round_one_last_year = period_codes(round_periods(2567, 1))
    total = raw_sum(rows, lambda r: r.district_code == "3101" and r.period in round_one_last_year)
    to_november = raw_sum(rows, lambda r: r.district_code == "3101" and r.period in (256610, 256611))
    assert progress.level_path("advanced")[-1] == progress.levels.advanced
    assert progress.levels_to_date.advanced == round_half_up(progress.levels.advanced * to_november / total)
    assert progress.pace == round_half_up(progress.levels.advanced * 2 / 6)
    assert progress.elapsed == 2


def test_area_without_last_year_spreads_its_levels_evenly() -> None:
    months = tuple(round_periods(2568, 2))
    progress = AreaProgress(
        code="3101",
        name_th="ทดสอบ",
        levels=levels_of(Decimal("1200")),
        round_periods=months,
        actual=(ChannelSplit(domestic_offline=Decimal("100")),) * 3,
        unlocked=(ZERO,) * 3,
        previous=(ZERO,) * 12,
        forecast=(),
    )
    assert progress.level_path("basic")[:3] == [Decimal("102"), Decimal("204"), Decimal("306")]
    assert progress.levels_to_date.baseline == Decimal("300")
    assert progress.status_to_date == "baseline"
    assert progress.status == "below_baseline"


def test_district_dashboard_forecast_and_top_producers_equal_the_raw_rows(sales: Engine) -> None:
    who = actor("district", "3101")
    with session_scope(sales) as session:
        rows = raw_rows(session)
        dashboard = load_district_dashboard(
            session=session, actor=who, district_code="3101", fiscal_year_be=2568, round_no=1, as_of=MARCH_2568
        )
    progress = dashboard.progress
    assert progress.total == raw_sum(rows, lambda r: r.district_code == "3101" and r.period in ELAPSED)
    forecasts = dict(FORECAST)
    for index, period in enumerate(ELAPSED):
        expected = sum((Decimal(value) for value in forecasts.get(period, ("0",) * 4)), ZERO)
        assert progress.forecast[index].total == expected
    totals: dict[int, Decimal] = {}
    for row in rows:
        if row.district_code == "3101" and row.period in ELAPSED:
            totals[row.producer_id] = totals.get(row.producer_id, ZERO) + row.total
    assert [(item.producer_id, item.total) for item in dashboard.top_producers] == sorted(
        totals.items(), key=lambda item: (-item[1], item[0])
    )
    assert dashboard.breakdown.total == progress.total


def test_national_dashboard_counts_only_locked_months(sales: Engine) -> None:
    with session_scope(sales) as session:
        rows = raw_rows(session)
        locked = locked_months(session)
        dashboard = load_national_dashboard(
            session=session, actor=actor("department"), fiscal_year_be=2568, round_no=1, as_of=MARCH_2568
        )
    counted = [row for row in rows if (row.district_code, row.period) in locked]
    assert dashboard.total.total == raw_sum(counted, lambda r: r.period in ELAPSED)
    for province_code in ("30", "31"):
        province = area(dashboard.provinces, province_code)
        assert province.total == raw_sum(
            counted, lambda r, p=province_code: r.province_code == p and r.period in ELAPSED
        )
        baseline = raw_sum(
            counted,
            lambda r, p=province_code: r.province_code == p and r.period in period_codes(round_periods(2567, 1)),
        )
        assert province.levels == levels_of(baseline)
    assert [item.code for item in dashboard.ranking] == sorted(
        ("30", "31"), key=lambda code: -(area(dashboard.provinces, code).attainment or ZERO)
    )
    assert len(dashboard.provinces) == 76
    assert dashboard.breakdown.total == dashboard.total.total


def test_monthly_history_equals_the_raw_rows_by_calendar_month(sales: Engine) -> None:
    with session_scope(sales) as session:
        rows = raw_rows(session)
        history = load_monthly_history(session=session, actor=PROVINCE, province_code="31")
    periods = {row.period for row in rows if row.province_code == "31"}
    assert history.years == (2566, 2567, 2568)
    for period in periods:
        assert history.amount(period // 100, period % 100) == raw_sum(
            rows, lambda r, p=period: r.province_code == "31" and r.period == p
        )
    frame = monthly_history_frame(history)
    assert list(frame.columns) == ["เดือน", "2566", "2567", "2568"]
    assert frame.iloc[-1]["2567"] == float(raw_sum(rows, lambda r: r.province_code == "31" and r.period // 100 == 2567))
    assert frame.iloc[0]["เดือน"] == "มกราคม"


def test_latest_period_finds_the_last_month_with_sales_and_with_locked_sales(sales: Engine) -> None:
    with session_scope(sales) as session:
        latest = latest_period(session=session, actor=PROVINCE, fiscal_years=[2568], province_code="31")
        locked = latest_period(
            session=session, actor=actor("department"), fiscal_years=[2568], round_no=1, locked_only=True
        )
        nothing = latest_period(session=session, actor=PROVINCE, fiscal_years=[2570], province_code="31")
    assert latest == MARCH_2568
    assert locked == Period(2567, 12)
    assert nothing is None


def test_as_of_outside_the_round_is_refused_in_thai(sales: Engine) -> None:
    with session_scope(sales) as session, pytest.raises(ValueError, match="ไม่อยู่ในรอบที่ 1"):
        load_province_dashboard(
            session=session, actor=PROVINCE, province_code="31", fiscal_year_be=2568, round_no=1, as_of=Period(2568, 4)
        )


def _province(session: Session, who: Actor) -> Any:
    return load_province_dashboard(
        session=session, actor=who, province_code="31", fiscal_year_be=2568, round_no=1, as_of=MARCH_2568
    )


def _district(session: Session, who: Actor) -> Any:
    return load_district_dashboard(
        session=session, actor=who, district_code="3101", fiscal_year_be=2568, round_no=1, as_of=MARCH_2568
    )


def _national(session: Session, who: Actor) -> Any:
    return load_national_dashboard(session=session, actor=who, fiscal_year_be=2568, round_no=1, as_of=MARCH_2568)


ALLOWED = {
    ("district", "3101"): {"district"},
    ("district", "3102"): set(),
    ("province", "31"): {"province", "district"},
    ("province", "30"): set(),
    ("department", None): {"province", "district", "national"},
    ("admin", None): {"province", "district", "national"},
}


@pytest.mark.parametrize("who", list(ALLOWED), ids=lambda who: f"{who[0]}-{who[1]}")
@pytest.mark.parametrize(("view", "load"), [("province", _province), ("district", _district), ("national", _national)])
def test_dashboards_are_refused_outside_the_actors_area(
    sales: Engine, who: tuple[str, str | None], view: str, load: Callable[[Session, Actor], Any]
) -> None:
    reader = actor(*who)
    with session_scope(sales) as session:
        if view in ALLOWED[who]:
            assert load(session, reader) is not None
        else:
            with pytest.raises(PermissionDenied):
                load(session, reader)


def test_a_province_dashboard_takes_a_handful_of_grouped_queries(demo_engine: Engine) -> None:
    statements: list[str] = []

    def count(*_: object) -> None:
        statements.append("")

    event.listen(demo_engine, "before_cursor_execute", count)
    try:
        with session_scope(demo_engine) as session:
            _province(session, PROVINCE)
            province_queries = len(statements)
            statements.clear()
            _national(session, actor("department"))
    finally:
        event.remove(demo_engine, "before_cursor_execute", count)
    assert province_queries <= 16  # 23 districts × 6 months would be 138 queries one by one
    assert len(statements) <= 10


# --- the demo data against the official tables ---------------------------------------


def test_demo_round_one_as_of_march_shows_the_official_actuals_and_every_district_advanced(demo_engine: Engine) -> None:
    official = {row.district_code: row for row in official_targets() if row.round_no == 1}
    with session_scope(demo_engine) as session:
        dashboard = _province(session, PROVINCE)
    assert len(dashboard.districts) == 23
    for progress in dashboard.districts:
        assert progress.total == official[progress.code].actual
        assert progress.levels.advanced == official[progress.code].advanced
        assert progress.status == "advanced"
    frame = target_table_frame(dashboard)
    assert list(frame["สถานะ"])[:23] == ["ขั้นสูง"] * 23
    assert frame.iloc[-1]["อำเภอ"] == "รวมจังหวัดบุรีรัมย์"
    # The demo leaves March unlocked in the last three districts: marked, still counted for the province.
    assert {progress.code for progress in dashboard.districts if progress.unlocked_total} == {"3121", "3122", "3123"}


def test_demo_round_two_shows_progress_against_the_round_two_levels(demo_engine: Engine) -> None:
    official = {row.district_code: row for row in official_targets() if row.round_no == 2}
    with session_scope(demo_engine) as session:
        dashboard = load_province_dashboard(
            session=session, actor=PROVINCE, province_code="31", fiscal_year_be=2568, round_no=2, as_of=MARCH_2568
        )
    for progress in dashboard.districts:
        expected = official[progress.code]
        assert progress.levels.basic == expected.basic
        assert progress.levels.standard == expected.standard
        assert progress.levels.advanced == expected.advanced
        assert progress.total == expected.actual
        assert progress.attainment == expected.actual / expected.advanced
        assert progress.pace == round_half_up(expected.advanced * 6 / 12)
        assert progress.months_in_round == 12
    assert dashboard.province.levels.advanced == Decimal("4443011059")
