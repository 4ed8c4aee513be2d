"""Attainment dashboards: running totals against the levels, pace, breakdowns and projections, summed in the database.

Every figure comes from a handful of grouped queries (``otop.queries`` and the target tables),
never one query per district or per month, so a province or the whole country renders as fast
as one district.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import func, select, type_coerce
from sqlmodel import Session

from db.models import CATEGORY_CODES, CHANNEL_COLUMNS, PRODUCER_TYPE_CODES, District, MonthlySale, Producer, Province
from db.types import Money
from otop.fiscal import Period, fiscal_year_periods, period_codes, round_periods
from otop.i18n import CHANNEL_LABELS, LEVEL_LABELS, MONTHS_TH, month_name, period_name
from otop.money import ZERO, round_half_up
from otop.permissions import Action, Actor, ensure_permission, province_of
from otop.queries import ForecastFilter, SalesFilter, forecast_rows, sales_rows
from otop.targets import (
    Levels,
    TargetTable,
    attainment,
    build_district_target,
    build_national_target_tables,
    build_target_table,
    levels_of,
    status_of,
)

LEVEL_NAMES = ("basic", "standard", "advanced")
TOP_PRODUCERS = 10


@dataclass(frozen=True)
class ChannelSplit:
    """Amounts of the four channels (domestic/export × offline/online)."""

    domestic_offline: Decimal = ZERO
    domestic_online: Decimal = ZERO
    export_offline: Decimal = ZERO
    export_online: Decimal = ZERO

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> ChannelSplit:
        return cls(**{column: row[column] for column in CHANNEL_COLUMNS})

    @property
    def total(self) -> Decimal:
        return self.domestic_offline + self.domestic_online + self.export_offline + self.export_online

    def as_dict(self) -> dict[str, Decimal]:
        return {column: getattr(self, column) for column in CHANNEL_COLUMNS}

    def __add__(self, other: ChannelSplit) -> ChannelSplit:
        return ChannelSplit(**{column: getattr(self, column) + getattr(other, column) for column in CHANNEL_COLUMNS})


def sum_splits(splits: Iterable[ChannelSplit]) -> ChannelSplit:
    total = ChannelSplit()
    for split in splits:
        total = total + split
    return total


@dataclass(frozen=True)
class AreaProgress:
    """A district, or a province's total, in one round as of one month.

    ``actual`` holds the sales of each month from October to the as-of month, ``unlocked`` the part
    of each not yet locked by the province (unconfirmed), ``previous`` last fiscal year's sales in
    each month of the round and ``forecast`` the district's forecast for each month of the round.
    """

    code: str
    name_th: str
    levels: Levels
    round_periods: tuple[Period, ...]
    actual: tuple[ChannelSplit, ...]
    unlocked: tuple[Decimal, ...]
    previous: tuple[Decimal, ...]
    forecast: tuple[ChannelSplit, ...]

    @property
    def elapsed(self) -> int:
        return len(self.actual)

    @property
    def months_in_round(self) -> int:
        return len(self.round_periods)

    @property
    def total(self) -> Decimal:
        return sum((month.total for month in self.actual), ZERO)

    @property
    def unlocked_total(self) -> Decimal:
        return sum(self.unlocked, ZERO)

    @property
    def locked_total(self) -> Decimal:
        return self.total - self.unlocked_total

    @property
    def unlocked_periods(self) -> list[Period]:
        return [period for period, amount in zip(self.round_periods, self.unlocked, strict=False) if amount]

    @property
    def cumulative(self) -> list[Decimal]:
        running, result = ZERO, []
        for month in self.actual:
            running += month.total
            result.append(running)
        return result

    @property
    def forecast_cumulative(self) -> list[Decimal]:
        running, result = ZERO, []
        for month in self.forecast:
            running += month.total
            result.append(running)
        return result

    @property
    def profile(self) -> list[Decimal]:
        """Cumulative share of the round reached by the end of each month, from last year's months.

        Without sales last year the months count evenly.
        """
        previous_total = sum(self.previous, ZERO)
        count = self.months_in_round
        if previous_total == 0:
            return [Decimal(index + 1) / count for index in range(count)]
        running, shares = ZERO, []
        for amount in self.previous:
            running += amount
            shares.append(running / previous_total)
        return shares

    def level_path(self, level: str) -> list[Decimal]:
        """A level spread over the round's months by last year's monthly profile, cumulative."""
        value = getattr(self.levels, level)
        return [round_half_up(value * share) for share in self.profile]

    @property
    def levels_to_date(self) -> Levels:
        """Each level's path at the as-of month: where the district should be by now."""
        if not self.elapsed:
            return levels_of(ZERO)
        share = self.profile[self.elapsed - 1]
        return Levels(
            baseline=round_half_up(self.levels.baseline * share),
            basic=round_half_up(self.levels.basic * share),
            standard=round_half_up(self.levels.standard * share),
            advanced=round_half_up(self.levels.advanced * share),
        )

    @property
    def pace(self) -> Decimal:
        """Pro-rata pace: the +4% target spread evenly over the months of the round, to the as-of month."""
        return round_half_up(self.levels.advanced * self.elapsed / self.months_in_round)

    @property
    def status(self) -> str:
        return status_of(self.total, self.levels)

    @property
    def status_to_date(self) -> str:
        return status_of(self.total, self.levels_to_date)

    @property
    def attainment(self) -> Decimal | None:
        return attainment(self.total, self.levels.advanced)

    @property
    def forecast_to_date(self) -> Decimal:
        return sum((month.total for month in self.forecast[: self.elapsed]), ZERO)


@dataclass(frozen=True)
class Projection:
    """An estimate of the year-end total from the pace so far and last year's monthly profile."""

    code: str
    name_th: str
    actual_to_date: Decimal
    projected: Decimal | None
    levels: Levels
    method: str

    @property
    def likely_status(self) -> str | None:
        return None if self.projected is None else status_of(self.projected, self.levels)

    @property
    def attainment(self) -> Decimal | None:
        return None if self.projected is None else attainment(self.projected, self.levels.advanced)


@dataclass(frozen=True)
class Breakdown:
    """Sales of the months so far by product category, producer type and channel."""

    by_category: dict[str, Decimal]
    by_producer_type: dict[str, Decimal]
    by_channel: ChannelSplit

    @property
    def total(self) -> Decimal:
        return self.by_channel.total


@dataclass(frozen=True)
class YearOverYear:
    """Sales of each month of the fiscal year next to the same month of the year before."""

    fiscal_year_be: int
    periods: tuple[Period, ...]
    current: tuple[Decimal | None, ...]
    previous: tuple[Decimal, ...]

    def change(self, index: int) -> Decimal | None:
        current, previous = self.current[index], self.previous[index]
        if current is None or previous == 0:
            return None
        return current / previous - 1


@dataclass(frozen=True)
class ProducerSales:
    producer_id: int
    name: str
    producer_type: str
    total: Decimal


@dataclass(frozen=True)
class ProvinceDashboard:
    province_code: str
    province_name_th: str
    fiscal_year_be: int
    round_no: int
    as_of: Period
    locked_only: bool
    table: TargetTable
    province: AreaProgress
    districts: tuple[AreaProgress, ...]
    projections: tuple[Projection, ...]
    province_projection: Projection
    breakdown: Breakdown
    year_over_year: YearOverYear


@dataclass(frozen=True)
class DistrictDashboard:
    district_code: str
    district_name_th: str
    province_code: str
    fiscal_year_be: int
    round_no: int
    as_of: Period
    progress: AreaProgress
    projection: Projection
    breakdown: Breakdown
    year_over_year: YearOverYear
    top_producers: tuple[ProducerSales, ...]


@dataclass(frozen=True)
class NationalDashboard:
    """All provinces, counting only months their province has locked."""

    fiscal_year_be: int
    round_no: int
    as_of: Period
    provinces: tuple[AreaProgress, ...]
    total: AreaProgress
    breakdown: Breakdown
    monthly: tuple[ChannelSplit, ...]
    provinces_without_data: int = field(default=0)

    @property
    def ranking(self) -> list[AreaProgress]:
        """Provinces with a baseline, best attainment first."""
        ranked = [area for area in self.provinces if area.levels.advanced > 0]
        return sorted(ranked, key=lambda area: (-(area.attainment or ZERO), area.code))


@dataclass(frozen=True)
class MonthlyHistory:
    """Sales by calendar year (BE) and month, as the current system's "monthly data" table."""

    years: tuple[int, ...]
    amounts: dict[tuple[int, int], Decimal]

    def amount(self, year_be: int, month: int) -> Decimal | None:
        return self.amounts.get((year_be, month))

    def year_total(self, year_be: int) -> Decimal:
        return sum((amount for (year, _), amount in self.amounts.items() if year == year_be), ZERO)


# --- reads -------------------------------------------------------------------------


def latest_period(
    *,
    session: Session,
    actor: Actor,
    fiscal_years: Sequence[int],
    round_no: int | None = None,
    province_code: str | None = None,
    district_code: str | None = None,
    locked_only: bool = False,
) -> Period | None:
    """The latest month with sales in the area (the country when neither code is given), ``None`` if none.

    Only the months of ``fiscal_years`` count, and of one round when ``round_no`` is given;
    the dashboards open on it.
    """
    if district_code is not None:
        ensure_permission(actor, Action.READ_FIGURES, district_code=district_code)
        area = SalesFilter(district_codes=[district_code], locked_only=locked_only)
    elif province_code is not None:
        ensure_permission(actor, Action.READ_FIGURES, province_code=province_code)
        area = SalesFilter(province_code=province_code, locked_only=locked_only)
    else:
        ensure_permission(actor, Action.READ_NATIONAL)
        area = SalesFilter(locked_only=locked_only)
    periods = [
        code
        for year in fiscal_years
        for code in period_codes(fiscal_year_periods(year) if round_no is None else round_periods(year, round_no))
    ]
    rows = sales_rows(session, replace(area, periods=periods), ["period"], channels=False)
    codes = [row["period"] for row in rows if row["total"]]
    return Period.from_code(max(codes)) if codes else None


def load_province_dashboard(
    *,
    session: Session,
    actor: Actor,
    province_code: str,
    fiscal_year_be: int,
    round_no: int,
    as_of: Period,
    locked_only: bool = False,
) -> ProvinceDashboard:
    """The province director's dashboard; ``locked_only`` counts just the locked months (department view)."""
    ensure_permission(actor, Action.READ_FIGURES, province_code=province_code)
    window = _Window.of(fiscal_year_be, round_no, as_of)
    table = build_target_table(
        session,
        actor=actor,
        province_code=province_code,
        fiscal_year_be=fiscal_year_be,
        round_no=round_no,
        as_of_period=as_of.code,
        locked_only=locked_only,
    )
    year_table = (
        table
        if round_no == 2
        else build_target_table(
            session,
            actor=actor,
            province_code=province_code,
            fiscal_year_be=fiscal_year_be,
            round_no=2,
            as_of_period=as_of.code,
            locked_only=locked_only,
        )
    )
    area = SalesFilter(province_code=province_code, locked_only=locked_only)
    series = _Series.read(session, area, window, key="district_code", locked_only=locked_only)
    forecasts = _forecasts(session, ForecastFilter(province_code=province_code), window, key="district_code")
    districts = tuple(
        series.progress(row.district_code, row.district_name_th, row.levels, forecasts.get(row.district_code))
        for row in table.rows
    )
    province_name = session.get(Province, province_code)
    province = _total_progress(
        province_code, province_name.name_th if province_name else province_code, table.total.levels, districts
    )
    year_levels = {row.district_code: row.levels for row in year_table.rows}
    projections = tuple(series.projection(area_.code, area_.name_th, year_levels[area_.code]) for area_ in districts)
    return ProvinceDashboard(
        province_code=province_code,
        province_name_th=province.name_th,
        fiscal_year_be=fiscal_year_be,
        round_no=round_no,
        as_of=window.as_of,
        locked_only=locked_only,
        table=table,
        province=province,
        districts=districts,
        projections=projections,
        province_projection=series.projection(province.code, province.name_th, year_table.total.levels, whole=True),
        breakdown=_breakdown(session, area, window),
        year_over_year=series.year_over_year(),
    )


def load_district_dashboard(
    *,
    session: Session,
    actor: Actor,
    district_code: str,
    fiscal_year_be: int,
    round_no: int,
    as_of: Period,
) -> DistrictDashboard:
    """A district's own dashboard: running total against its levels, forecast, top producers."""
    ensure_permission(actor, Action.READ_FIGURES, district_code=district_code)
    window = _Window.of(fiscal_year_be, round_no, as_of)
    row = build_district_target(
        session,
        actor=actor,
        district_code=district_code,
        fiscal_year_be=fiscal_year_be,
        round_no=round_no,
        as_of_period=as_of.code,
    )
    year_row = (
        row
        if round_no == 2
        else build_district_target(
            session,
            actor=actor,
            district_code=district_code,
            fiscal_year_be=fiscal_year_be,
            round_no=2,
            as_of_period=as_of.code,
        )
    )
    area = SalesFilter(district_codes=[district_code])
    series = _Series.read(session, area, window, key="district_code", locked_only=False)
    forecasts = _forecasts(session, ForecastFilter(district_codes=[district_code]), window, key="district_code")
    progress = series.progress(district_code, row.district_name_th, row.levels, forecasts.get(district_code))
    return DistrictDashboard(
        district_code=district_code,
        district_name_th=row.district_name_th,
        province_code=province_of(district_code),
        fiscal_year_be=fiscal_year_be,
        round_no=round_no,
        as_of=window.as_of,
        progress=progress,
        projection=series.projection(district_code, row.district_name_th, year_row.levels),
        breakdown=_breakdown(session, area, window),
        year_over_year=series.year_over_year(),
        top_producers=tuple(_top_producers(session, district_code, window.elapsed_codes)),
    )


def load_national_dashboard(
    *, session: Session, actor: Actor, fiscal_year_be: int, round_no: int, as_of: Period
) -> NationalDashboard:
    """The department's view: every province's attainment from locked months only."""
    ensure_permission(actor, Action.READ_NATIONAL)
    window = _Window.of(fiscal_year_be, round_no, as_of)
    tables = build_national_target_tables(
        session, actor=actor, fiscal_year_be=fiscal_year_be, round_no=round_no, as_of_period=as_of.code
    )
    area = SalesFilter(locked_only=True)
    series = _Series.read(session, area, window, key="province_code", locked_only=True)
    names = dict(session.execute(select(Province.code, Province.name_th)).all())
    provinces = tuple(
        series.progress(code, names.get(code, code), table.total.levels, None) for code, table in tables.items()
    )
    total = _total_progress(
        "", "ทั้งประเทศ", levels_of(sum((table.total.levels.baseline for table in tables.values()), ZERO)), provinces
    )
    return NationalDashboard(
        fiscal_year_be=fiscal_year_be,
        round_no=round_no,
        as_of=window.as_of,
        provinces=provinces,
        total=total,
        breakdown=_breakdown(session, area, window),
        monthly=total.actual,
        provinces_without_data=sum(1 for area_ in provinces if area_.levels.advanced == 0 and area_.total == 0),
    )


def load_monthly_history(
    *, session: Session, actor: Actor, province_code: str | None = None, district_code: str | None = None
) -> MonthlyHistory:
    """Every month's sales of a province or a district, by calendar year and month."""
    if district_code is not None:
        ensure_permission(actor, Action.READ_FIGURES, district_code=district_code)
        area = SalesFilter(district_codes=[district_code])
    elif province_code is not None:
        ensure_permission(actor, Action.READ_FIGURES, province_code=province_code)
        area = SalesFilter(province_code=province_code)
    else:
        raise ValueError("ต้องระบุจังหวัดหรืออำเภอ")
    amounts = {
        (row["period"] // 100, row["period"] % 100): row["total"]
        for row in sales_rows(session, area, ["period"], channels=False)
    }
    return MonthlyHistory(years=tuple(sorted({year for year, _ in amounts})), amounts=amounts)


def list_district_names(*, session: Session, actor: Actor, province_code: str) -> dict[str, str]:
    """District code → Thai name for the district pickers of a province's dashboards."""
    ensure_permission(actor, Action.READ_FIGURES, province_code=province_code)
    rows = session.execute(
        select(District.code, District.name_th).where(District.province_code == province_code).order_by(District.code)
    )
    return dict(rows.all())


# --- tables for the screens -----------------------------------------------------------


def target_table_frame(dashboard: ProvinceDashboard) -> pd.DataFrame:
    """The official table's columns (enclosures 1 and 2) plus actual to date, attainment and status.

    Amounts are floats for display only; the figures themselves stay Decimal in the dashboard.
    """
    table = dashboard.table
    actual_label = actual_column_label(dashboard.fiscal_year_be, dashboard.as_of)
    unlocked = {area.code: area.unlocked_periods for area in dashboard.districts}
    records = []
    for row in [*table.rows, table.total]:
        pending = (
            unlocked.get(row.district_code, [])
            if row.row_no
            else sorted({period for periods in unlocked.values() for period in periods})
        )
        records.append(
            {
                "ที่": str(row.row_no) if row.row_no else "",
                "อำเภอ": row.district_name_th if row.row_no else f"รวมจังหวัด{dashboard.province_name_th}",
                f"ยอดจำหน่ายปี {table.fiscal_year_be - 1} (ฐาน)": float(row.levels.baseline),
                "เป้าหมาย +4%": float(row.levels.target_plus4),
                "ขั้นต้น +2%": float(row.levels.basic),
                "ขั้นมาตรฐาน +3%": float(row.levels.standard),
                "ขั้นสูง +4%": float(row.levels.advanced),
                actual_label: float(row.actual),
                "ประมาณการต่อเดือน": float(
                    row.levels.monthly_estimate
                    if row.row_no
                    else sum((item.levels.monthly_estimate for item in table.rows), ZERO)
                ),
                "ร้อยละของเป้าหมาย": None if row.attainment is None else float(row.attainment * 100),
                "สถานะ": LEVEL_LABELS[row.status],
                "ยังไม่ล็อก": ", ".join(period_name(period, short=True) for period in pending),
            }
        )
    frame = pd.DataFrame.from_records(records)
    # A locked-only table has nothing unconfirmed in it by construction.
    return frame.drop(columns=["ยังไม่ล็อก"]) if dashboard.locked_only else frame


def actual_column_label(fiscal_year_be: int, as_of: Period) -> str:
    """``ยอดจำหน่าย ต.ค.–มี.ค. 2568``: the official header's months, short enough for a column."""
    return f"ยอดจำหน่าย ต.ค.–{month_name(as_of.month, short=True)} {fiscal_year_be}"


def monthly_history_frame(history: MonthlyHistory) -> pd.DataFrame:
    """Months (January–December) down, calendar years (BE) across, a totals row; empty months are blank.

    The same years × months grid as the current system's "monthly data", turned so that a
    dozen months fit on a screen without scrolling sideways.
    """
    records: list[dict[str, object]] = []
    for month, name in enumerate(MONTHS_TH, start=1):
        record: dict[str, object] = {"เดือน": name}
        for year in history.years:
            amount = history.amount(year, month)
            record[str(year)] = None if amount is None else float(amount)
        records.append(record)
    records.append({"เดือน": "รวมทั้งปี", **{str(year): float(history.year_total(year)) for year in history.years}})
    return pd.DataFrame.from_records(records, columns=["เดือน", *(str(year) for year in history.years)])


def projection_frame(projections: Sequence[Projection]) -> pd.DataFrame:
    return pd.DataFrame.from_records(
        [
            {
                "อำเภอ": item.name_th,
                "ยอดจริงถึงเดือนที่เลือก": float(item.actual_to_date),
                "ประมาณการยอดทั้งปี": None if item.projected is None else float(item.projected),
                "ขั้นสูงทั้งปี +4%": float(item.levels.advanced),
                "ร้อยละของเป้าหมายทั้งปี": None if item.attainment is None else float(item.attainment * 100),
                "ระดับที่น่าจะได้": "–" if item.likely_status is None else LEVEL_LABELS[item.likely_status],
            }
            for item in projections
        ]
    )


def forecast_frame(area: AreaProgress) -> pd.DataFrame:
    """Actual against forecast for each month of the round, in total and by channel."""
    records = []
    for index, period in enumerate(area.round_periods):
        actual = area.actual[index] if index < area.elapsed else None
        forecast = area.forecast[index] if area.forecast else None
        record: dict[str, object] = {"เดือน": period_name(period)}
        record["ยอดจริง"] = None if actual is None else float(actual.total)
        record["ประมาณการ"] = None if forecast is None else float(forecast.total)
        record["ร้อยละของประมาณการ"] = (
            float(actual.total / forecast.total * 100) if actual is not None and forecast and forecast.total else None
        )
        for column in CHANNEL_COLUMNS:
            label = CHANNEL_LABELS[column]
            record[f"ยอดจริง {label}"] = None if actual is None else float(getattr(actual, column))
            record[f"ประมาณการ {label}"] = None if forecast is None else float(getattr(forecast, column))
        records.append(record)
    return pd.DataFrame.from_records(records)


def ranking_frame(dashboard: NationalDashboard) -> pd.DataFrame:
    """Provinces by attainment of the +4% level from locked months, best first."""
    return pd.DataFrame.from_records(
        [
            {
                "อันดับ": rank,
                "จังหวัด": area.name_th,
                "ฐานปีก่อน": float(area.levels.baseline),
                "ขั้นต้น +2%": float(area.levels.basic),
                "ขั้นมาตรฐาน +3%": float(area.levels.standard),
                "ขั้นสูง +4%": float(area.levels.advanced),
                "ยอดที่ล็อกแล้ว": float(area.total),
                "ร้อยละของเป้าหมาย": None if area.attainment is None else float(area.attainment * 100),
                "สถานะ": LEVEL_LABELS[area.status],
            }
            for rank, area in enumerate(dashboard.ranking, start=1)
        ]
    )


# --- internals ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Window:
    """The months a dashboard reads: this round to the as-of month, and last fiscal year."""

    fiscal_year_be: int
    round_no: int
    as_of: Period
    round_codes: tuple[int, ...]
    elapsed_codes: tuple[int, ...]
    previous_year_codes: tuple[int, ...]
    year_codes: tuple[int, ...]

    @classmethod
    def of(cls, fiscal_year_be: int, round_no: int, as_of: Period) -> _Window:
        round_codes = tuple(period_codes(round_periods(fiscal_year_be, round_no)))
        if as_of.code not in round_codes:
            raise ValueError(
                f"เดือน{period_name(as_of)} ไม่อยู่ในรอบที่ {round_no} ของปีงบประมาณ {fiscal_year_be} "
                "กรุณาเลือกเดือนในรอบการประเมิน"
            )
        return cls(
            fiscal_year_be=fiscal_year_be,
            round_no=round_no,
            as_of=as_of,
            round_codes=round_codes,
            elapsed_codes=tuple(code for code in round_codes if code <= as_of.code),
            previous_year_codes=tuple(period_codes(fiscal_year_periods(fiscal_year_be - 1))),
            year_codes=tuple(period_codes(fiscal_year_periods(fiscal_year_be))),
        )

    @property
    def elapsed_count(self) -> int:
        return len(self.elapsed_codes)


@dataclass(frozen=True)
class _Series:
    """Monthly sums per area (district or province) for this year so far and all of last year."""

    window: _Window
    actual: dict[tuple[str, int], ChannelSplit]
    locked: dict[tuple[str, int], Decimal]
    previous: dict[tuple[str, int], Decimal]
    locked_only: bool

    @classmethod
    def read(cls, session: Session, area: SalesFilter, window: _Window, *, key: str, locked_only: bool) -> _Series:
        current = sales_rows(session, replace(area, periods=list(window.elapsed_codes)), [key, "period"])
        previous = sales_rows(
            session, replace(area, periods=list(window.previous_year_codes)), [key, "period"], channels=False
        )
        locked: dict[tuple[str, int], Decimal] = {}
        if not locked_only:
            locked_filter = replace(area, periods=list(window.elapsed_codes), locked_only=True)
            locked = {
                (row[key], row["period"]): row["total"]
                for row in sales_rows(session, locked_filter, [key, "period"], channels=False)
            }
        return cls(
            window=window,
            actual={(row[key], row["period"]): ChannelSplit.of_row(row) for row in current},
            locked=locked,
            previous={(row[key], row["period"]): row["total"] for row in previous},
            locked_only=locked_only,
        )

    def previous_year(self, code: str | None) -> list[Decimal]:
        """Last fiscal year's twelve months of one area, or of all areas read (``None``)."""
        # Looked up by key, not filtered from every area's months: this runs once per district.
        if code is not None:
            return [self.previous.get((code, period), ZERO) for period in self.window.previous_year_codes]
        by_month: dict[int, Decimal] = {}
        for (_, month), amount in self.previous.items():
            by_month[month] = by_month.get(month, ZERO) + amount
        return [by_month.get(period, ZERO) for period in self.window.previous_year_codes]

    def progress(
        self, code: str, name_th: str, levels: Levels, forecast: Sequence[ChannelSplit] | None
    ) -> AreaProgress:
        actual = tuple(self.actual.get((code, period), ChannelSplit()) for period in self.window.elapsed_codes)
        unlocked = tuple(
            ZERO if self.locked_only else month.total - self.locked.get((code, period), ZERO)
            for month, period in zip(actual, self.window.elapsed_codes, strict=True)
        )
        months = len(self.window.round_codes)
        return AreaProgress(
            code=code,
            name_th=name_th,
            levels=levels,
            round_periods=tuple(Period.from_code(period) for period in self.window.round_codes),
            actual=actual,
            unlocked=unlocked,
            previous=tuple(self.previous_year(code)[:months]),
            forecast=tuple(forecast[:months]) if forecast is not None else (),
        )

    def projection(self, code: str, name_th: str, year_levels: Levels, *, whole: bool = False) -> Projection:
        """The year-end estimate of one area, or of all areas read together (``whole``)."""
        area = None if whole else code
        splits = (
            self.actual.values() if whole else (self.actual.get((code, period)) for period in self.window.elapsed_codes)
        )
        actual = sum((split.total for split in splits if split is not None), ZERO)
        return _projection(code, name_th, actual, self.previous_year(area), self.window.elapsed_count, year_levels)

    def year_over_year(self) -> YearOverYear:
        current: dict[int, Decimal] = {}
        for (_, period), split in self.actual.items():
            current[period] = current.get(period, ZERO) + split.total
        previous: dict[int, Decimal] = {}
        for (_, period), amount in self.previous.items():
            previous[period] = previous.get(period, ZERO) + amount
        return YearOverYear(
            fiscal_year_be=self.window.fiscal_year_be,
            periods=tuple(Period.from_code(code) for code in self.window.year_codes),
            current=tuple(
                current.get(code, ZERO) if code <= self.window.as_of.code else None for code in self.window.year_codes
            ),
            previous=tuple(previous.get(code, ZERO) for code in self.window.previous_year_codes),
        )


def _projection(
    code: str, name_th: str, actual: Decimal, previous_year: Sequence[Decimal], elapsed: int, year_levels: Levels
) -> Projection:
    """Year-end estimate: the total so far divided by the share of last year's sales made by the same month."""
    previous_total = sum(previous_year, ZERO)
    previous_to_date = sum(previous_year[:elapsed], ZERO)
    if elapsed == 0:
        projected, method = None, "none"
    elif previous_total > 0 and previous_to_date > 0:
        projected, method = round_half_up(actual * previous_total / previous_to_date), "profile"
    else:
        projected, method = round_half_up(actual * 12 / elapsed), "even"
    return Projection(
        code=code, name_th=name_th, actual_to_date=actual, projected=projected, levels=year_levels, method=method
    )


def _total_progress(code: str, name_th: str, levels: Levels, parts: Sequence[AreaProgress]) -> AreaProgress:
    """The sum of several areas' months, against the given (separately rounded) levels."""
    if not parts:
        raise ValueError("ไม่มีอำเภอในพื้นที่ที่เลือก")
    first = parts[0]
    return AreaProgress(
        code=code,
        name_th=name_th,
        levels=levels,
        round_periods=first.round_periods,
        actual=tuple(sum_splits(months) for months in zip(*(part.actual for part in parts), strict=True)),
        unlocked=tuple(sum(months, ZERO) for months in zip(*(part.unlocked for part in parts), strict=True)),
        previous=tuple(sum(months, ZERO) for months in zip(*(part.previous for part in parts), strict=True)),
        forecast=_sum_forecasts([part.forecast for part in parts], first.months_in_round),
    )


def _sum_forecasts(forecasts: Sequence[tuple[ChannelSplit, ...]], months: int) -> tuple[ChannelSplit, ...]:
    """Month by month sums; areas without a forecast count as zero, and none at all gives none."""
    given = [forecast for forecast in forecasts if forecast]
    if not given:
        return ()
    return tuple(sum_splits(forecast[index] for forecast in given) for index in range(months))


def _forecasts(
    session: Session, filters: ForecastFilter, window: _Window, *, key: str
) -> dict[str, list[ChannelSplit]]:
    rows = forecast_rows(session, replace(filters, periods=list(window.round_codes)), [key, "period"])
    by_area: dict[str, dict[int, ChannelSplit]] = {}
    for row in rows:
        by_area.setdefault(row[key], {})[row["period"]] = ChannelSplit.of_row(row)
    return {
        code: [months.get(period, ChannelSplit()) for period in window.round_codes] for code, months in by_area.items()
    }


def _breakdown(session: Session, area: SalesFilter, window: _Window) -> Breakdown:
    rows = sales_rows(session, replace(area, periods=list(window.elapsed_codes)), ["category", "producer_type"])
    by_category = dict.fromkeys(CATEGORY_CODES, ZERO)
    by_type = dict.fromkeys(PRODUCER_TYPE_CODES, ZERO)
    for row in rows:
        by_category[row["category"]] += row["total"]
        by_type[row["producer_type"]] += row["total"]
    return Breakdown(
        by_category=by_category,
        by_producer_type=by_type,
        by_channel=sum_splits(ChannelSplit.of_row(row) for row in rows),
    )


def _top_producers(session: Session, district_code: str, periods: Sequence[int]) -> list[ProducerSales]:
    """The district's best-selling producers over the months: one grouped query over the raw rows."""
    channels = [getattr(MonthlySale, column) for column in CHANNEL_COLUMNS]
    total = type_coerce(func.sum(channels[0] + channels[1] + channels[2] + channels[3]), Money).label("total")
    statement = (
        select(Producer.id, Producer.name, Producer.producer_type, total)
        .join(Producer, Producer.id == MonthlySale.producer_id)
        .where(MonthlySale.district_code == district_code, MonthlySale.period.in_(list(periods)))
        .group_by(Producer.id, Producer.name, Producer.producer_type)
        .order_by(total.desc(), Producer.id)
        .limit(TOP_PRODUCERS)
    )
    return [
        ProducerSales(producer_id=producer_id, name=name, producer_type=producer_type, total=amount)
        for producer_id, name, producer_type, amount in session.execute(statement)
    ]
