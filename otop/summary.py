"""Keeps ``sales_summary`` equal to ``monthly_sale``: rewritten in the writer's own transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, delete, func, insert, literal_column, select, tuple_
from sqlmodel import Session

from db.models import CHANNEL_COLUMNS, MonthlySale, Producer, SalesSummary


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


def refresh_district_months(session: Session, keys: Iterable[tuple[str, int]]) -> None:
    """Recompute the summary rows of the given (district_code, period) pairs from the raw rows."""
    pairs = sorted(set(keys))
    if not pairs:
        return
    session.flush()
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        session.execute(delete(SalesSummary).where(tuple_(SalesSummary.district_code, SalesSummary.period).in_(chunk)))
        condition = tuple_(MonthlySale.district_code, MonthlySale.period).in_(chunk)
        session.execute(insert(SalesSummary).from_select(_TARGET_COLUMNS, _aggregate(condition)))


def rebuild_summary(session: Session, *, province_code: str | None = None) -> None:
    """Recompute the whole summary (or one province's) from the raw rows."""
    session.flush()
    if province_code is None:
        session.execute(delete(SalesSummary))
        condition = and_(True)
    else:
        session.execute(delete(SalesSummary).where(SalesSummary.province_code == province_code))
        condition = MonthlySale.province_code == province_code
    session.execute(insert(SalesSummary).from_select(_TARGET_COLUMNS, _aggregate(condition)))
