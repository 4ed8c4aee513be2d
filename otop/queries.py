"""Filtered statement builders shared by lists, dashboards, targets and exports: sales and forecasts.

Figures are read from ``sales_summary`` (by category and producer type) or, when a query needs
no finer grain than area and month, ``sales_month_total``; every write keeps both equal to
``monthly_sale``. ``locked_only`` keeps just the district-months a province has locked
(department reports).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, type_coerce
from sqlmodel import Session

from db.models import CHANNEL_COLUMNS, District, DistrictMonth, Forecast, SalesMonthTotal, SalesSummary
from db.types import Money

GROUPABLE = ("province_code", "district_code", "period", "category", "producer_type")


@dataclass(frozen=True)
class SalesFilter:
    """Which summary rows count: an area, a set of periods, and whether only locked months."""

    province_code: str | None = None
    district_codes: Sequence[str] | None = None
    periods: Sequence[int] | None = None
    period_from: int | None = None
    period_to: int | None = None
    locked_only: bool = False
    categories: Sequence[str] | None = field(default=None)


# Grouped by nothing finer than area and month, and over every category: one row per district-month will do.
MONTH_GRAIN = frozenset({"province_code", "district_code", "period"})
SummaryTable = type[SalesSummary] | type[SalesMonthTotal]


def summary_source(filters: SalesFilter, keys: Iterable[str]) -> SummaryTable:
    """``sales_month_total`` when it holds every figure the grouping needs, else ``sales_summary``.

    Both are kept equal to the raw rows, so the answer is the same; the month totals have a
    fifteenth of the rows to add up.
    """
    if filters.categories is None and set(keys) <= MONTH_GRAIN:
        return SalesMonthTotal
    return SalesSummary


# Column expressions are immutable: built once per table, not once per query (building them is not cheap).
@cache
def channel_sum(column: str, source: SummaryTable = SalesSummary) -> ColumnElement[Decimal]:
    return type_coerce(func.coalesce(func.sum(getattr(source, column)), 0), Money).label(column)


@cache
def total_sum(source: SummaryTable = SalesSummary) -> ColumnElement[Decimal]:
    columns = [getattr(source, column) for column in CHANNEL_COLUMNS]
    row_total = columns[0] + columns[1] + columns[2] + columns[3]
    return type_coerce(func.coalesce(func.sum(row_total), 0), Money).label("total")


def _conditions(filters: SalesFilter, source: SummaryTable) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.province_code is not None:
        conditions.append(source.province_code == filters.province_code)
    if filters.district_codes is not None:
        conditions.append(source.district_code.in_(list(filters.district_codes)))
    if filters.periods is not None:
        conditions.append(source.period.in_(list(filters.periods)))
    if filters.period_from is not None:
        conditions.append(source.period >= filters.period_from)
    if filters.period_to is not None:
        conditions.append(source.period <= filters.period_to)
    if filters.categories is not None:
        conditions.append(SalesSummary.category.in_(list(filters.categories)))
    return conditions


def _locked_months(filters: SalesFilter, source: SummaryTable) -> list[ColumnElement[bool]]:
    """The join to the locked district-months, repeating the area and period filters on them.

    The repeats change no result; they let the planners narrow the months before the join
    (PostgreSQL does not carry an IN list across an equality by itself).
    """
    conditions = [
        DistrictMonth.district_code == source.district_code,
        DistrictMonth.period == source.period,
        DistrictMonth.locked_at.is_not(None),
    ]
    if filters.province_code is not None:
        conditions.append(DistrictMonth.province_code == filters.province_code)
    if filters.periods is not None:
        conditions.append(DistrictMonth.period.in_(list(filters.periods)))
    return conditions


def sales_statement(filters: SalesFilter, group_by: Iterable[str] = (), *, channels: bool = True) -> Select[Any]:
    """SUM of each channel (unless ``channels=False``) and of the total, grouped by any of ``GROUPABLE``."""
    keys = list(group_by)
    unknown = set(keys) - set(GROUPABLE)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    source = summary_source(filters, keys)
    key_columns = [getattr(source, key) for key in keys]
    statement = select(
        *key_columns,
        *(channel_sum(column, source) for column in CHANNEL_COLUMNS if channels),
        total_sum(source),
        func.coalesce(func.sum(source.row_count), 0).label("row_count"),
    )
    if filters.locked_only:
        statement = statement.join(DistrictMonth, and_(*_locked_months(filters, source)))
    conditions = _conditions(filters, source)
    if conditions:
        statement = statement.where(*conditions)
    if key_columns:
        statement = statement.group_by(*key_columns).order_by(*key_columns)
    return statement


def _rows(session: Session, statement: Select[Any]) -> list[dict[str, Any]]:
    """The rows of a grouped read as plain dicts, through the session's connection and transaction.

    A dashboard makes a dozen of these reads: plain sums need none of the ORM's row handling, and
    zipping each row with the keys once is a quarter faster than a mapping per row.
    """
    session.flush()
    result = session.connection().execute(statement)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def sales_rows(
    session: Session, filters: SalesFilter, group_by: Iterable[str] = (), *, channels: bool = True
) -> list[dict[str, Any]]:
    """The grouped sums as plain dicts: keys, the four channels (unless ``channels=False``), ``total``, ``row_count``.

    Reads that need only the totals leave the channels out: four fewer sums to add up and convert per row.
    """
    return _rows(session, sales_statement(filters, group_by, channels=channels))


def totals_by(session: Session, filters: SalesFilter, key: str) -> dict[Any, Decimal]:
    """Total sales per value of one grouping key."""
    return {row[key]: row["total"] for row in sales_rows(session, filters, [key], channels=False)}


FORECAST_GROUPABLE = ("district_code", "period", "fiscal_year_be")


@dataclass(frozen=True)
class ForecastFilter:
    """Which forecast rows count: an area and a fiscal year or a set of periods."""

    province_code: str | None = None
    district_codes: Sequence[str] | None = None
    fiscal_year_be: int | None = None
    periods: Sequence[int] | None = None


def forecast_statement(filters: ForecastFilter, group_by: Iterable[str] = ()) -> Select[Any]:
    """SUM of each forecast channel and of the total, grouped by any of ``FORECAST_GROUPABLE``."""
    keys = list(group_by)
    unknown = set(keys) - set(FORECAST_GROUPABLE)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    key_columns = [getattr(Forecast, key) for key in keys]
    channels = [getattr(Forecast, column) for column in CHANNEL_COLUMNS]
    statement = select(
        *key_columns,
        *(
            type_coerce(func.coalesce(func.sum(column), 0), Money).label(name)
            for name, column in zip(CHANNEL_COLUMNS, channels, strict=True)
        ),
        type_coerce(func.coalesce(func.sum(channels[0] + channels[1] + channels[2] + channels[3]), 0), Money).label(
            "total"
        ),
    )
    conditions: list[ColumnElement[bool]] = []
    if filters.province_code is not None:
        statement = statement.join(District, District.code == Forecast.district_code)
        conditions.append(District.province_code == filters.province_code)
    if filters.district_codes is not None:
        conditions.append(Forecast.district_code.in_(list(filters.district_codes)))
    if filters.fiscal_year_be is not None:
        conditions.append(Forecast.fiscal_year_be == filters.fiscal_year_be)
    if filters.periods is not None:
        conditions.append(Forecast.period.in_(list(filters.periods)))
    if conditions:
        statement = statement.where(*conditions)
    if key_columns:
        statement = statement.group_by(*key_columns).order_by(*key_columns)
    return statement


def forecast_rows(session: Session, filters: ForecastFilter, group_by: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The grouped forecast sums as plain dicts (keys, four channels, ``total``)."""
    return _rows(session, forecast_statement(filters, group_by))
