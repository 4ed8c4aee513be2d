"""Keeps ``sales_summary`` and ``sales_month_total`` equal to ``monthly_sale``, in the writer's transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, delete, func, insert, literal_column, select, tuple_
from sqlmodel import Session

from db.models import CHANNEL_COLUMNS, MonthlySale, Producer, SalesMonthTotal, SalesSummary


def _aggregate(condition: object):  # type: ignore[no-untyped-def]
    return (
        select(
            MonthlySale.district_code,
            MonthlySale.period,
            MonthlySale.category,
            Producer.producer_type,
            MonthlySale.province_code,
            *(func.sum(getattr(MonthlySale, column)) for column in CHANNEL_COLUMNS),
            func.count(literal_column("*")),
        )
        .join(Producer, Producer.id == MonthlySale.producer_id)
        .where(condition)  # type: ignore[arg-type]
        .group_by(
            MonthlySale.district_code,
            MonthlySale.period,
            MonthlySale.category,
            Producer.producer_type,
            MonthlySale.province_code,
        )
    )


_TARGET_COLUMNS = [
    "district_code",
    "period",
    "category",
    "producer_type",
    "province_code",
    *CHANNEL_COLUMNS,
    "row_count",
]


_MONTH_COLUMNS = ["district_code", "period", "province_code", *CHANNEL_COLUMNS, "row_count"]


def _month_totals(condition: object):  # type: ignore[no-untyped-def]
    """The district-month sums, added up from the summary rows just written (fifteen at most per month)."""
    return (
        select(
            SalesSummary.district_code,
            SalesSummary.period,
            SalesSummary.province_code,
            *(func.sum(getattr(SalesSummary, column)) for column in CHANNEL_COLUMNS),
            func.sum(SalesSummary.row_count),
        )
        .where(condition)  # type: ignore[arg-type]
        .group_by(SalesSummary.district_code, SalesSummary.period, SalesSummary.province_code)
    )


def refresh_district_months(session: Session, keys: Iterable[tuple[str, int]]) -> None:
    """Recompute the summary rows of the given (district_code, period) pairs from the raw rows."""
    pairs = sorted(set(keys))
    if not pairs:
        return
    session.flush()
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        summary_keys = tuple_(SalesSummary.district_code, SalesSummary.period).in_(chunk)
        session.execute(delete(SalesSummary).where(summary_keys))
        session.execute(
            delete(SalesMonthTotal).where(tuple_(SalesMonthTotal.district_code, SalesMonthTotal.period).in_(chunk))
        )
        condition = tuple_(MonthlySale.district_code, MonthlySale.period).in_(chunk)
        session.execute(insert(SalesSummary).from_select(_TARGET_COLUMNS, _aggregate(condition)))
        session.execute(insert(SalesMonthTotal).from_select(_MONTH_COLUMNS, _month_totals(summary_keys)))


def rebuild_summary(session: Session, *, province_code: str | None = None) -> None:
    """Recompute the whole summary (or one province's) from the raw rows."""
    session.flush()
    if province_code is None:
        session.execute(delete(SalesSummary))
        session.execute(delete(SalesMonthTotal))
        condition, summary_condition = and_(True), and_(True)
    else:
        session.execute(delete(SalesSummary).where(SalesSummary.province_code == province_code))
        session.execute(delete(SalesMonthTotal).where(SalesMonthTotal.province_code == province_code))
        condition = MonthlySale.province_code == province_code
        summary_condition = SalesSummary.province_code == province_code
    session.execute(insert(SalesSummary).from_select(_TARGET_COLUMNS, _aggregate(condition)))
    session.execute(insert(SalesMonthTotal).from_select(_MONTH_COLUMNS, _month_totals(summary_condition)))
