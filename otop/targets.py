"""Indicator targets: baselines, the three levels, the monthly estimate, attainment and status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from db.models import District, SalesSummary, Target
from otop.fiscal import period_codes, round_periods
from otop.masterdata import BANGKOK_PROVINCE_CODE
from otop.money import ZERO, round_half_up
from otop.permissions import Action, Actor, ensure_permission
from otop.queries import SalesFilter, totals_by

LEVEL_FACTORS: dict[str, Decimal] = {
    "basic": Decimal("1.02"),
    "standard": Decimal("1.03"),
    "advanced": Decimal("1.04"),
}
LEVEL_ORDER = ("below_baseline", "baseline", "basic", "standard", "advanced")
MONTHS_PER_YEAR = Decimal(12)


@dataclass(frozen=True)
class Levels:
    baseline: Decimal
    basic: Decimal
    standard: Decimal
    advanced: Decimal

    @property
    def target_plus4(self) -> Decimal:
        return self.advanced

    @property
    def monthly_estimate(self) -> Decimal:
        """The unrounded +4% target spread over twelve months, as the official tables do in both rounds.

        Dividing the already rounded target would be off by one baht in two Buriram rows
        (พลับพลาชัย and บ้านด่าน, round 2).
        """
        return round_half_up(self.baseline * LEVEL_FACTORS["advanced"] / MONTHS_PER_YEAR)


def levels_of(baseline: Decimal) -> Levels:
    """The levels of one baseline, each rounded half-up to whole baht."""
    return Levels(
        baseline=baseline,
        **{name: round_half_up(baseline * factor) for name, factor in LEVEL_FACTORS.items()},
    )


def status_of(actual: Decimal, levels: Levels) -> str:
    """The highest level reached: one of ``LEVEL_ORDER``."""
    reached = "below_baseline"
    for name, threshold in (
        ("baseline", levels.baseline),
        ("basic", levels.basic),
        ("standard", levels.standard),
        ("advanced", levels.advanced),
    ):
        if actual >= threshold:
            reached = name
    return reached


def attainment(actual: Decimal, level: Decimal) -> Decimal | None:
    """actual ÷ level as a ratio (1 = 100%); ``None`` when the level is zero."""
    if level == 0:
        return None
    return actual / level


@dataclass(frozen=True)
class TargetRow:
    row_no: int
    district_code: str
    district_name_th: str
    levels: Levels
    baseline_source: str
    actual: Decimal

    @property
    def attainment(self) -> Decimal | None:
        return attainment(self.actual, self.levels.target_plus4)

    @property
    def status(self) -> str:
        return status_of(self.actual, self.levels)


@dataclass(frozen=True)
class TargetTable:
    province_code: str
    fiscal_year_be: int
    round_no: int
    rows: list[TargetRow]
    total: TargetRow
    actual_periods: list[int]


def build_target_table(
    session: Session,
    *,
    actor: Actor,
    province_code: str,
    fiscal_year_be: int,
    round_no: int,
    as_of_period: int | None = None,
    locked_only: bool = False,
) -> TargetTable:
    """The official target table (enclosures 1 and 2) with actual sales to date.

    Baselines are the districts' recorded sales in the same months of the previous
    fiscal year, unless a baseline was imported. The totals row applies each factor
    to the province baseline and rounds once, as the official tables do.
    """
    ensure_permission(actor, Action.READ_FIGURES, province_code=province_code)
    if as_of_period is None:
        as_of_period = latest_period_with_sales(
            session, province_code=province_code, periods=period_codes(round_periods(fiscal_year_be, round_no))
        )
    districts = session.exec(
        select(District).where(District.province_code == province_code).order_by(District.code)
    ).all()
    tables = _target_tables(
        session,
        districts=districts,
        area=SalesFilter(province_code=province_code, locked_only=locked_only),
        fiscal_year_be=fiscal_year_be,
        round_no=round_no,
        as_of_period=as_of_period,
    )
    return tables.get(province_code) or _target_table(province_code, fiscal_year_be, round_no, [], [])


def build_district_target(
    session: Session,
    *,
    actor: Actor,
    district_code: str,
    fiscal_year_be: int,
    round_no: int,
    as_of_period: int | None,
    locked_only: bool = False,
) -> TargetRow:
    """One district's row of the target table, for screens a district officer may open."""
    ensure_permission(actor, Action.READ_FIGURES, district_code=district_code)
    districts = session.exec(select(District).where(District.code == district_code)).all()
    tables = _target_tables(
        session,
        districts=districts,
        area=SalesFilter(district_codes=[district_code], locked_only=locked_only),
        fiscal_year_be=fiscal_year_be,
        round_no=round_no,
        as_of_period=as_of_period,
    )
    if not tables:
        raise ValueError(f"ไม่พบอำเภอรหัส {district_code}")
    return next(iter(tables.values())).rows[0]


def build_national_target_tables(
    session: Session,
    *,
    actor: Actor,
    fiscal_year_be: int,
    round_no: int,
    as_of_period: int | None,
    locked_only: bool = True,
) -> dict[str, TargetTable]:
    """Every province's target table at once (Bangkok has no district offices), by province code.

    A handful of grouped queries for the whole country, whatever the number of districts.
    """
    ensure_permission(actor, Action.READ_NATIONAL)
    districts = session.exec(
        select(District)
        .where(District.province_code != BANGKOK_PROVINCE_CODE)
        .order_by(District.province_code, District.code)
    ).all()
    return _target_tables(
        session,
        districts=districts,
        area=SalesFilter(locked_only=locked_only),
        fiscal_year_be=fiscal_year_be,
        round_no=round_no,
        as_of_period=as_of_period,
    )


def _target_table(
    province_code: str, fiscal_year_be: int, round_no: int, rows: list[TargetRow], actual_periods: list[int]
) -> TargetTable:
    total = TargetRow(
        row_no=0,
        district_code=province_code,
        district_name_th="รวม",
        levels=levels_of(sum((row.levels.baseline for row in rows), ZERO)),
        baseline_source="sum",
        actual=sum((row.actual for row in rows), ZERO),
    )
    return TargetTable(
        province_code=province_code,
        fiscal_year_be=fiscal_year_be,
        round_no=round_no,
        rows=rows,
        total=total,
        actual_periods=actual_periods,
    )


def _target_tables(
    session: Session,
    *,
    districts: Sequence[District],
    area: SalesFilter,
    fiscal_year_be: int,
    round_no: int,
    as_of_period: int | None,
) -> dict[str, TargetTable]:
    """The target tables of the provinces of ``districts``; ``area`` narrows the sales read to the same places."""
    district_codes = {district.code for district in districts}
    target_filter = [Target.fiscal_year_be == fiscal_year_be, Target.round == round_no]
    if area.province_code is not None or area.district_codes is not None:
        target_filter.append(Target.district_code.in_(sorted(district_codes)))
    imported = {target.district_code: target for target in session.exec(select(Target).where(*target_filter)).all()}
    baseline_periods = period_codes(round_periods(fiscal_year_be - 1, round_no))
    actual_periods = [
        code
        for code in period_codes(round_periods(fiscal_year_be, round_no))
        if as_of_period is not None and code <= as_of_period
    ]
    recorded = totals_by(session, replace(area, periods=baseline_periods), "district_code")
    actuals = totals_by(session, replace(area, periods=actual_periods), "district_code")
    rows_by_province: dict[str, list[TargetRow]] = {}
    for district in districts:
        rows = rows_by_province.setdefault(district.province_code, [])
        target = imported.get(district.code)
        baseline = target.baseline if target else recorded.get(district.code, ZERO)
        rows.append(
            TargetRow(
                row_no=len(rows) + 1,
                district_code=district.code,
                district_name_th=district.name_th,
                levels=levels_of(baseline),
                baseline_source=target.source if target else "recorded",
                actual=actuals.get(district.code, ZERO),
            )
        )
    return {
        province_code: _target_table(province_code, fiscal_year_be, round_no, rows, actual_periods)
        for province_code, rows in rows_by_province.items()
    }


def latest_period_with_sales(session: Session, *, province_code: str, periods: list[int]) -> int | None:
    """The last of ``periods`` for which the province has any recorded sales."""
    return session.scalar(
        sa_select(func.max(SalesSummary.period)).where(
            SalesSummary.province_code == province_code, SalesSummary.period.in_(periods)
        )
    )


def total_monthly_estimate(table: TargetTable) -> Decimal:
    """The totals row of the monthly-estimate column is the sum of the district rows."""
    return sum((row.levels.monthly_estimate for row in table.rows), ZERO)
