"""Indicator targets: baselines, the three levels, the monthly estimate, attainment and status."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from db.models import District, SalesSummary, Target
from otop.fiscal import period_codes, round_periods
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
    districts = session.exec(
        select(District).where(District.province_code == province_code).order_by(District.code)
    ).all()
    imported = {
        target.district_code: target
        for target in session.exec(
            select(Target).where(
                Target.fiscal_year_be == fiscal_year_be,
                Target.round == round_no,
                Target.district_code.in_([district.code for district in districts]),
            )
        ).all()
    }
    baseline_periods = period_codes(round_periods(fiscal_year_be - 1, round_no))
    actual_periods = period_codes(round_periods(fiscal_year_be, round_no))
    if as_of_period is None:
        as_of_period = latest_period_with_sales(session, province_code=province_code, periods=actual_periods)
    actual_periods = [code for code in actual_periods if as_of_period is not None and code <= as_of_period]
    recorded = totals_by(
        session,
        SalesFilter(province_code=province_code, periods=baseline_periods, locked_only=locked_only),
        "district_code",
    )
    actuals = totals_by(
        session,
        SalesFilter(province_code=province_code, periods=actual_periods, locked_only=locked_only),
        "district_code",
    )
    rows: list[TargetRow] = []
    for row_no, district in enumerate(districts, start=1):
        target = imported.get(district.code)
        baseline = target.baseline if target else recorded.get(district.code, ZERO)
        rows.append(
            TargetRow(
                row_no=row_no,
                district_code=district.code,
                district_name_th=district.name_th,
                levels=levels_of(baseline),
                baseline_source=target.source if target else "recorded",
                actual=actuals.get(district.code, ZERO),
            )
        )
    total_levels = levels_of(sum((row.levels.baseline for row in rows), ZERO))
    total = TargetRow(
        row_no=0,
        district_code=province_code,
        district_name_th="รวม",
        levels=total_levels,
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
