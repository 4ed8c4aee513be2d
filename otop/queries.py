"""Filtered statement builders shared by lists, dashboards, targets and exports: sales and forecasts.

Figures are read from ``sales_summary``, which every write keeps equal to ``monthly_sale``;
``locked_only`` keeps just the district-months a province has locked (department reports).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Result, Select, and_, func, select, type_coerce
from sqlmodel import Session

from db.models import CHANNEL_COLUMNS, District, DistrictMonth, Forecast, SalesSummary
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


def channel_sum(column: str) -> ColumnElement[Decimal]:
    return type_coerce(func.coalesce(func.sum(getattr(SalesSummary, column)), 0), Money).label(column)


def total_sum() -> ColumnElement[Decimal]:
    columns = [getattr(SalesSummary, column) for column in CHANNEL_COLUMNS]
    row_total = columns[0] + columns[1] + columns[2] + columns[3]
    return type_coerce(func.coalesce(func.sum(row_total), 0), Money).label("total")


def _conditions(filters: SalesFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.province_code is not None:
        conditions.append(SalesSummary.province_code == filters.province_code)
    if filters.district_codes is not None:
        conditions.append(SalesSummary.district_code.in_(list(filters.district_codes)))
    if filters.periods is not None:
        conditions.append(SalesSummary.period.in_(list(filters.periods)))
    if filters.period_from is not None:
        conditions.append(SalesSummary.period >= filters.period_from)
    if filters.period_to is not None:
        conditions.append(SalesSummary.period <= filters.period_to)
    if filters.categories is not None:
        conditions.append(SalesSummary.category.in_(list(filters.categories)))
    return conditions


def sales_statement(filters: SalesFilter, group_by: Iterable[str] = ()) -> Select[Any]:
    """SUM of each channel and of the total, grouped by any of ``GROUPABLE``."""
    keys = list(group_by)
    unknown = set(keys) - set(GROUPABLE)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    key_columns = [getattr(SalesSummary, key) for key in keys]
    statement = select(
        *key_columns,
        *(channel_sum(column) for column in CHANNEL_COLUMNS),
        total_sum(),
        func.coalesce(func.sum(SalesSummary.row_count), 0).label("row_count"),
    )
    if filters.locked_only:
        statement = statement.join(
            DistrictMonth,
            and_(
                DistrictMonth.district_code == SalesSummary.district_code,
                DistrictMonth.period == SalesSummary.period,
                DistrictMonth.locked_at.is_not(None),
            ),
        )
    conditions = _conditions(filters)
    if conditions:
        statement = statement.where(*conditions)
    if key_columns:
        statement = statement.group_by(*key_columns).order_by(*key_columns)
    return statement


def _as_dicts(result: Result[Any]) -> list[dict[str, Any]]:
    # Zipping with the keys once is a quarter faster than a mapping per row; a dashboard reads a dozen of these.
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def sales_rows(session: Session, filters: SalesFilter, group_by: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The grouped sums as plain dicts (keys, four channels, ``total``, ``row_count``)."""
    return _as_dicts(session.exec(sales_statement(filters, group_by)))  # type: ignore[call-overload]


def totals_by(session: Session, filters: SalesFilter, key: str) -> dict[Any, Decimal]:
    """Total sales per value of one grouping key."""
    return {row[key]: row["total"] for row in sales_rows(session, filters, [key])}


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
    return _as_dicts(session.exec(forecast_statement(filters, group_by)))  # type: ignore[call-overload]
