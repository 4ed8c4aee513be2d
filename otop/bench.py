"""The performance benchmark: our services on a national database, beside a naive pandas path and DuckDB.

Each operation is timed as the median of repeated runs after a warm-up, on SQLite and on
PostgreSQL; the dashboards, exports and target tables run in turn with their references, round
after round. The naive reference reads the raw ``monthly_sale`` rows a dashboard covers into
pandas and groups them; DuckDB groups the same rows from memory ("about the hardware limit").
The figures of our services must equal the naive ones exactly. ``measure_streamlit_memory``
reports the peak RSS of the portal serving the department dashboard.
"""

from __future__ import annotations

import gc
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
import unicodedata
import urllib.request
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import BigInteger, Engine, and_, case, cast, create_engine, func, select, text, type_coerce
from sqlalchemy.engine import make_url

from db.engine import make_engine, session_scope
from db.models import CHANNEL_COLUMNS, District, DistrictMonth, MonthlySale, Producer, User
from otop import clock
from otop.benchdata import BenchSpec, Progress, build_national
from otop.completeness import DistrictMonthState, month_completeness
from otop.config import PROJECT_ROOT, Settings
from otop.dashboards import (
    AreaProgress,
    MonthlyHistory,
    NationalDashboard,
    ProvinceDashboard,
    latest_period,
    load_monthly_history,
    load_national_dashboard,
    load_province_dashboard,
)
from otop.entry import MonthGrid, RowInput, load_month, save_month
from otop.exports import ExportFile, ExportRequest, build_export
from otop.fiscal import Period, bangkok_now, fiscal_year_periods, period_codes, round_periods
from otop.i18n import period_name
from otop.masterdata import list_districts, list_provinces
from otop.navigation import PAGES
from otop.permissions import Actor, province_of
from otop.status import entry_window
from otop.targets import TargetTable, build_target_table
from otop.users import create_user, reset_password

BENCH_DIR = PROJECT_ROOT / "var" / "bench"
DEFAULT_JSON = BENCH_DIR / "latest.json"
BACKENDS = ("sqlite", "postgresql")
ROUND_NO = 2
GRID_ROWS_WANTED = 300
# The province the department dashboard's drill-down tab opens on (pages.common.pick_province).
DRILL_PROVINCE = "31"
CHANGED_CELLS = 3
NAIVE_MAX_REPEATS = 3
CONFIRM_ROUNDS = 3
MIN_NAIVE_RATIO = 10.0
# The --quick data is a twentieth of the country, so the naive path has fewer rows to read and the ratios
# come out lower than nationally (14-26x on a quiet machine, 7-8x seen under heavy load). Its exit gate is
# therefore a tripwire for a real regression (a lost index, a query per district), not the 10x budget,
# which the national run reports.
QUICK_REGRESSION_RATIO = 5.0
CENT = Decimal("0.01")
MEMORY_BUDGET_MB = 500

Numbers = dict[tuple[Any, ...], Decimal]


@dataclass(frozen=True)
class Operation:
    """One measured operation, its budget, and which naive reference (if any) it is compared with."""

    key: str
    label_th: str
    label_en: str
    budget_ms: float | None = None
    reference: str | None = None
    min_ratio: float | None = None
    gate: bool = False


OPERATIONS: tuple[Operation, ...] = (
    Operation("grid_load", "เปิดตารางบันทึกข้อมูลของอำเภอ", "district grid load", 100),
    Operation("grid_save", "บันทึกตารางข้อมูลของอำเภอ", "district grid save", 300),
    Operation(
        "province_dashboard",
        "แดชบอร์ดจังหวัด",
        "province dashboard",
        300,
        "province",
        MIN_NAIVE_RATIO,
        gate=True,
    ),
    Operation(
        "department_dashboard",
        "แดชบอร์ดกรม (ทั้งประเทศ เฉพาะที่ล็อก)",
        "department dashboard",
        1000,
        "national",
        MIN_NAIVE_RATIO,
        gate=True,
    ),
    Operation("rt4_export", "ส่งออก รต.4 ของจังหวัด", "province rt4 export", 1000, "province", MIN_NAIVE_RATIO),
    Operation("by_province_export", "ส่งออกสรุปรายจังหวัด", "national by-province export", None, "national"),
    Operation("target_table", "ตารางเป้าหมายของจังหวัด 2 รอบ", "province target table, both rounds", None, "province"),
)
OPERATIONS_BY_KEY = {operation.key: operation for operation in OPERATIONS}


# --- results -----------------------------------------------------------------------------


@dataclass
class Measurement:
    """The runs of one operation on one backend, with the reference times it is compared with."""

    operation: str
    runs_ms: list[float]
    naive_ms: float | None = None
    duckdb_ms: float | None = None
    # (ours, naive) medians of the extra paired rounds a ratio under its minimum is measured again with.
    confirmation: tuple[float, float] | None = None

    @property
    def spec(self) -> Operation:
        return OPERATIONS_BY_KEY[self.operation]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)

    @property
    def naive_ratio(self) -> float | None:
        """How many times faster than the naive path (naive ÷ ours)."""
        return None if self.naive_ms is None else self.naive_ms / self.median_ms

    @property
    def duckdb_ratio(self) -> float | None:
        """How many times slower than DuckDB's in-memory scan (ours ÷ DuckDB)."""
        return None if not self.duckdb_ms else self.median_ms / self.duckdb_ms

    @property
    def within_budget(self) -> bool | None:
        budget = self.spec.budget_ms
        return None if budget is None else self.median_ms <= budget

    @property
    def confirmed_ratio(self) -> float | None:
        return None if self.confirmation is None else self.confirmation[1] / self.confirmation[0]

    @property
    def ratio_holds(self) -> bool | None:
        """Whether it is the wanted number of times faster than the naive path, measured again before a no counts."""
        ratio, wanted = self.naive_ratio, self.spec.min_ratio
        if ratio is None or wanted is None:
            return None
        return ratio >= wanted or (self.confirmed_ratio is not None and self.confirmed_ratio >= wanted)

    def as_dict(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "operation": self.operation,
            "label_th": spec.label_th,
            "label_en": spec.label_en,
            "median_ms": round(self.median_ms, 3),
            "runs_ms": [round(run, 3) for run in self.runs_ms],
            "budget_ms": spec.budget_ms,
            "within_budget": self.within_budget,
            "reference": spec.reference,
            "naive_ms": None if self.naive_ms is None else round(self.naive_ms, 3),
            "naive_ratio": None if self.naive_ratio is None else round(self.naive_ratio, 2),
            "min_naive_ratio": spec.min_ratio,
            "confirmed_ratio": None if self.confirmed_ratio is None else round(self.confirmed_ratio, 2),
            "ratio_holds": self.ratio_holds,
            "duckdb_ms": None if self.duckdb_ms is None else round(self.duckdb_ms, 3),
            "duckdb_ratio": None if self.duckdb_ratio is None else round(self.duckdb_ratio, 2),
        }


@dataclass(frozen=True)
class Check:
    """Whether one set of our figures equals the naive figures exactly."""

    name: str
    equal: bool
    compared: int
    detail: str = ""


@dataclass(frozen=True)
class Scenario:
    """Where the measurements are taken: the last month of the data, a large province, a ~300-row district."""

    fiscal_year_be: int
    round_no: int
    period: Period
    province_code: str
    province_districts: int
    district_code: str
    district_rows: int
    drill_province_code: str
    offered_fiscal_years: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["period"] = self.period.label
        return values


@dataclass(frozen=True)
class Reference:
    """The naive and DuckDB reference of one area: the rows read, and each one's median time."""

    name: str
    rows: int
    naive_ms: float
    duckdb_ms: float
    load_ms: float


@dataclass
class BackendRun:
    backend: str
    database: str
    build: dict[str, Any]
    scenario: Scenario
    measurements: list[Measurement] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "database": self.database,
            "build": self.build,
            "scenario": self.scenario.as_dict(),
            "measurements": [measurement.as_dict() for measurement in self.measurements],
            "references": [asdict(reference) for reference in self.references],
            "checks": [asdict(check) for check in self.checks],
        }


@dataclass
class BenchReport:
    spec: BenchSpec
    quick: bool
    repeats: int
    measured_at: datetime
    machine: dict[str, Any]
    runs: list[BackendRun] = field(default_factory=list)
    memory: dict[str, dict[str, Any]] | None = None

    def regressions(self) -> list[str]:
        """Gated operations no longer enough times faster than the naive path (the quick tripwire with --quick)."""
        found = []
        for run in self.runs:
            for measurement in run.measurements:
                if not measurement.spec.gate or measurement.ratio_holds is not False:
                    continue
                wanted = QUICK_REGRESSION_RATIO if self.quick else measurement.spec.min_ratio
                best = max(r for r in (measurement.naive_ratio, measurement.confirmed_ratio) if r is not None)
                if wanted is not None and best < wanted:
                    found.append(
                        f"{run.backend}: {measurement.spec.label_en} only {best:.1f}× faster than naive "
                        f"(wanted ≥ {wanted:g}×)"
                    )
        return found

    def mismatches(self) -> list[str]:
        return [
            f"{run.backend}: {check.name} {check.detail}"
            for run in self.runs
            for check in run.checks
            if not check.equal
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "spec": {**asdict(self.spec), "key": self.spec.key},
            "quick": self.quick,
            "repeats": self.repeats,
            "measured_at": self.measured_at.isoformat(),
            "machine": self.machine,
            "runs": [run.as_dict() for run in self.runs],
            "memory": self.memory,
            "regressions": self.regressions(),
            "mismatches": self.mismatches(),
        }


def machine_info() -> dict[str, Any]:
    memory_kib = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# --- databases -----------------------------------------------------------------------------


def sqlite_url(spec: BenchSpec, directory: Path = BENCH_DIR) -> str:
    return f"sqlite:///{directory / f'{spec.key}.sqlite3'}"


def postgres_url(spec: BenchSpec, server_url: str) -> str:
    """The bench database ``otop_bench_<key>`` on the server, created when it is missing."""
    server = make_url(server_url)
    name = f"otop_bench_{spec.key}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if exists.scalar() is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def bench_database_url(backend: str, spec: BenchSpec, settings: Settings) -> str:
    if backend == "sqlite":
        return sqlite_url(spec)
    if backend == "postgresql":
        return postgres_url(spec, settings.bench_postgres_url)
    raise ValueError(f"unknown backend: {backend}")


def shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


# --- the scenario -----------------------------------------------------------------------------


def find_scenario(engine: Engine, spec: BenchSpec) -> Scenario:
    """The province with the most districts, and the district whose open last month is nearest 300 rows."""
    last = spec.periods[-1]
    with session_scope(engine) as session:
        district_counts = session.execute(
            select(District.province_code, func.count())
            .where(District.province_code.in_(select(MonthlySale.province_code).distinct()))
            .group_by(District.province_code)
        ).all()
        province_code, province_districts = max(district_counts, key=lambda row: (row[1], row[0]))
        provinces = sorted(code for code, _ in district_counts)
        row_counts = session.execute(
            select(MonthlySale.district_code, func.count())
            .join(
                DistrictMonth,
                and_(DistrictMonth.district_code == MonthlySale.district_code, DistrictMonth.period == last),
            )
            .where(MonthlySale.period == last, DistrictMonth.locked_at.is_(None))
            .group_by(MonthlySale.district_code)
        ).all()
    if not row_counts:
        raise ValueError(f"ไม่มีอำเภอที่ยังไม่ล็อกเดือน {Period.from_code(last)} ในฐานข้อมูลทดสอบ")
    district_code, district_rows = min(row_counts, key=lambda row: (abs(row[1] - GRID_ROWS_WANTED), row[0]))
    return Scenario(
        fiscal_year_be=spec.fiscal_years[-1],
        round_no=ROUND_NO,
        period=Period.from_code(last),
        province_code=province_code,
        province_districts=int(province_districts),
        district_code=district_code,
        district_rows=int(district_rows),
        drill_province_code=DRILL_PROVINCE if DRILL_PROVINCE in provinces else provinces[0],
        offered_fiscal_years=offered_fiscal_years(spec),
    )


def offered_fiscal_years(spec: BenchSpec) -> tuple[int, ...]:
    """The fiscal years the dashboards' pickers offer: the current one back to the first with data."""
    current = Period.of_date(bangkok_now().date()).fiscal_year_be
    return tuple(range(max(current, spec.fiscal_years[-1]), spec.fiscal_years[0] - 1, -1))


@dataclass(frozen=True)
class Actors:
    district: Actor
    province: Actor
    department: Actor

    @classmethod
    def of(cls, scenario: Scenario) -> Actors:
        return cls(
            district=Actor(
                "bench_district",
                "district",
                province_of(scenario.district_code),
                scenario.district_code,
                "ผู้ทดสอบระดับอำเภอ",
            ),
            province=Actor("bench_province", "province", scenario.province_code, None, "ผู้ทดสอบระดับจังหวัด"),
            department=Actor("bench_department", "department", None, None, "ผู้ทดสอบระดับกรม"),
        )


# --- timing ------------------------------------------------------------------------------------


def time_runs(action: Callable[[], object], *, repeats: int, warmups: int = 1) -> list[float]:
    """Milliseconds of each of ``repeats`` calls, after ``warmups`` untimed calls."""
    for _ in range(warmups):
        action()
    runs = []
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        action()
        runs.append((time.perf_counter() - started) * 1000)
    return runs


def time_prepared_runs(
    prepare: Callable[[int], Callable[[], object]], *, repeats: int, warmups: int = 1
) -> list[float]:
    """Like ``time_runs``, but each call is built by ``prepare(index)`` first, untimed."""
    runs = []
    for index in range(warmups + repeats):
        action = prepare(index)
        gc.collect()
        started = time.perf_counter()
        action()
        if index >= warmups:
            runs.append((time.perf_counter() - started) * 1000)
    return runs


# --- what the pages call for one render -----------------------------------------------------------


@dataclass(frozen=True)
class ProvinceRender:
    dashboard: ProvinceDashboard
    completeness: list[DistrictMonthState]
    history: MonthlyHistory


@dataclass(frozen=True)
class DepartmentRender:
    dashboard: NationalDashboard
    drill_down: ProvinceDashboard


def _pick_window(
    engine: Engine, scenario: Scenario, actor: Actor, *, province_code: str | None = None, locked_only: bool = False
) -> None:
    """The two "latest month with data" reads the dashboards' pickers make to open on the latest month."""
    area = {"province_code": province_code, "locked_only": locked_only}
    with session_scope(engine) as session:
        latest_period(session=session, actor=actor, fiscal_years=scenario.offered_fiscal_years, **area)
    with session_scope(engine) as session:
        latest_period(
            session=session,
            actor=actor,
            fiscal_years=(scenario.fiscal_year_be,),
            round_no=scenario.round_no,
            **area,
        )


def _province_dashboard(
    engine: Engine, scenario: Scenario, actor: Actor, province_code: str, *, locked_only: bool = False
) -> ProvinceDashboard:
    with session_scope(engine) as session:
        return load_province_dashboard(
            session=session,
            actor=actor,
            province_code=province_code,
            fiscal_year_be=scenario.fiscal_year_be,
            round_no=scenario.round_no,
            as_of=scenario.period,
            locked_only=locked_only,
        )


def render_province_dashboard(engine: Engine, scenario: Scenario, actor: Actor) -> ProvinceRender:
    """The service reads of one render of pages/dashboard_province.py, one session each as the page's cached reads."""
    _pick_window(engine, scenario, actor, province_code=scenario.province_code)
    dashboard = _province_dashboard(engine, scenario, actor, scenario.province_code)
    with session_scope(engine) as session:
        completeness = month_completeness(
            session=session, actor=actor, province_code=scenario.province_code, period=scenario.period
        )
    with session_scope(engine) as session:
        history = load_monthly_history(session=session, actor=actor, province_code=scenario.province_code)
    return ProvinceRender(dashboard=dashboard, completeness=completeness, history=history)


def render_department_dashboard(engine: Engine, scenario: Scenario, actor: Actor) -> DepartmentRender:
    """The service reads of one render of pages/dashboard_department.py: national and locked only.

    Streamlit runs every tab's code on each run, so the render includes the drill-down tab's
    province dashboard (locked months only) of the province its picker opens on.
    """
    _pick_window(engine, scenario, actor, locked_only=True)
    with session_scope(engine) as session:
        dashboard = load_national_dashboard(
            session=session,
            actor=actor,
            fiscal_year_be=scenario.fiscal_year_be,
            round_no=scenario.round_no,
            as_of=scenario.period,
        )
    drill_down = _province_dashboard(engine, scenario, actor, scenario.drill_province_code, locked_only=True)
    return DepartmentRender(dashboard=dashboard, drill_down=drill_down)


def export_rt4(engine: Engine, scenario: Scenario, actor: Actor) -> ExportFile:
    request = ExportRequest(kind="rt4", province_code=scenario.province_code, fiscal_year_be=scenario.fiscal_year_be)
    with session_scope(engine) as session:
        return build_export(session=session, actor=actor, request=request)


def export_by_province(engine: Engine, scenario: Scenario, actor: Actor) -> ExportFile:
    request = ExportRequest(kind="by-province", fiscal_year_be=scenario.fiscal_year_be)
    with session_scope(engine) as session:
        return build_export(session=session, actor=actor, request=request)


def target_tables(engine: Engine, scenario: Scenario, actor: Actor) -> dict[int, TargetTable]:
    with session_scope(engine) as session:
        return {
            round_no: build_target_table(
                session,
                actor=actor,
                province_code=scenario.province_code,
                fiscal_year_be=scenario.fiscal_year_be,
                round_no=round_no,
                as_of_period=scenario.period.code,
            )
            for round_no in (1, 2)
        }


def grid_load(engine: Engine, scenario: Scenario, actor: Actor, now: datetime) -> MonthGrid:
    with session_scope(engine) as session:
        return load_month(
            session=session, actor=actor, district_code=scenario.district_code, period=scenario.period, now=now
        )


def _row_inputs(grid: MonthGrid, changes: Mapping[tuple[int, str], Decimal]) -> list[RowInput]:
    """Every row of the grid, as the entry page sends it, with ``changes`` added to the domestic offline cell."""
    return [
        RowInput(
            producer_id=row.producer_id,
            category=row.category,
            domestic_offline=row.domestic_offline + changes.get(row.key, Decimal(0)),
            domestic_online=row.domestic_online,
            export_offline=row.export_offline,
            export_online=row.export_online,
            outlier_note=row.outlier_note,
        )
        for row in grid.rows
    ]


def _save(engine: Engine, scenario: Scenario, actor: Actor, now: datetime, rows: list[RowInput], version: int) -> None:
    with clock.frozen_at(now), session_scope(engine, write=True) as session:
        save_month(
            session=session,
            actor=actor,
            district_code=scenario.district_code,
            period=scenario.period,
            rows=rows,
            base_version=version,
            now=now,
        )


def entry_moment(engine: Engine, period: Period) -> datetime:
    """A moment in the middle of the period's entry window, so the save is into an open month."""
    with session_scope(engine) as session:
        window, _ = entry_window(session, period)
    return window.opens_at + (window.closes_at - window.opens_at) / 2


def measure_grid(engine: Engine, scenario: Scenario, actor: Actor, *, repeats: int) -> list[Measurement]:
    """Grid load, and saves of the whole grid with a few cells changed each time; the figures are put back after."""
    now = entry_moment(engine, scenario.period)
    load_runs = time_runs(lambda: grid_load(engine, scenario, actor, now), repeats=repeats)
    original = grid_load(engine, scenario, actor, now)

    def prepare(index: int) -> Callable[[], None]:
        grid = grid_load(engine, scenario, actor, now)
        start = (index * CHANGED_CELLS) % max(1, len(grid.rows))
        chosen = (grid.rows[(start + offset) % len(grid.rows)] for offset in range(CHANGED_CELLS))
        changes = {row.key: Decimal("1.00") for row in chosen}
        rows = _row_inputs(grid, changes)
        return lambda: _save(engine, scenario, actor, now, rows, grid.version)

    save_runs = time_prepared_runs(prepare, repeats=repeats)
    latest = grid_load(engine, scenario, actor, now)
    _save(engine, scenario, actor, now, _row_inputs(original, {}), latest.version)
    return [Measurement("grid_load", load_runs), Measurement("grid_save", save_runs)]


# --- the naive and DuckDB references -------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The months a dashboard covers: the round so far, and the same months of last fiscal year."""

    elapsed: tuple[int, ...]
    previous: tuple[int, ...]

    @classmethod
    def of(cls, scenario: Scenario) -> Window:
        periods = round_periods(scenario.fiscal_year_be, scenario.round_no)
        return cls(
            elapsed=tuple(period.code for period in periods if period <= scenario.period),
            previous=tuple(period.shift(-12).code for period in periods),
        )

    @property
    def periods(self) -> list[int]:
        return sorted({*self.elapsed, *self.previous})


def _satang(engine: Engine, column: Any) -> Any:
    """A money column as whole satang: stored that way on SQLite, NUMERIC(14,2) × 100 on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        return type_coerce(column, BigInteger)
    return cast(column * 100, BigInteger)


def raw_rows_statement(engine: Engine, *, province_code: str | None, periods: Sequence[int], locked_only: bool) -> Any:
    """The raw monthly rows a dashboard covers, with the producer type and whether the month is locked.

    As a naive implementation reads them: every row, joined to what the dashboard shows beside the
    figures; money as whole satang, so that pandas adds it up exactly.
    """
    month = and_(DistrictMonth.district_code == MonthlySale.district_code, DistrictMonth.period == MonthlySale.period)
    statement = (
        select(
            MonthlySale.province_code,
            MonthlySale.district_code,
            MonthlySale.period,
            MonthlySale.category,
            Producer.producer_type,
            case((DistrictMonth.locked_at.is_(None), 0), else_=1).label("locked"),
            *(_satang(engine, getattr(MonthlySale, column)).label(column) for column in CHANNEL_COLUMNS),
        )
        .join(Producer, Producer.id == MonthlySale.producer_id)
        .where(MonthlySale.period.in_(list(periods)))
    )
    if province_code is not None:
        statement = statement.where(MonthlySale.province_code == province_code)
    if locked_only:
        return statement.join(DistrictMonth, and_(month, DistrictMonth.locked_at.is_not(None)))
    return statement.outerjoin(DistrictMonth, month)


def read_raw_rows(engine: Engine, statement: Any) -> pd.DataFrame:
    with engine.connect() as connection:
        return pd.read_sql(statement, connection)


def _baht(satang: Any) -> Decimal:
    return (Decimal(int(satang)) / 100).quantize(CENT)


def _nonzero(numbers: Numbers) -> Numbers:
    return {key: value for key, value in numbers.items() if value != 0}


def naive_numbers(frame: pd.DataFrame, *, key: str, window: Window) -> Numbers:
    """The dashboard's figures from the raw rows with pandas: per area and month, and the breakdowns."""
    channels = list(CHANNEL_COLUMNS)
    frame = frame.assign(total=frame[channels].sum(axis=1))
    numbers: Numbers = {}
    by_month = frame.groupby([key, "period"])[[*channels, "total"]].sum()
    for (area, period), row in by_month.iterrows():
        if period in window.elapsed:
            for channel in channels:
                numbers[("month", area, int(period), channel)] = _baht(row[channel])
        if period in window.previous:
            numbers[("previous", area, int(period))] = _baht(row["total"])
    current = frame[frame["period"].isin(window.elapsed)]
    for (area, period), amount in current[current["locked"] == 0].groupby([key, "period"])["total"].sum().items():
        numbers[("unlocked", area, int(period))] = _baht(amount)
    for name in ("category", "producer_type"):
        for value, amount in current.groupby(name)["total"].sum().items():
            numbers[(name, value)] = _baht(amount)
    for channel in channels:
        numbers[("channel", channel)] = _baht(current[channel].sum())
    return _nonzero(numbers)


def duckdb_queries(key: str, window: Window) -> list[tuple[str, str]]:
    """The same groupings as ``naive_numbers``, in SQL over the in-memory table ``sales``."""
    elapsed = ", ".join(str(code) for code in window.elapsed) or "NULL"
    channels = ", ".join(f"SUM({column})" for column in CHANNEL_COLUMNS)
    total = " + ".join(CHANNEL_COLUMNS)
    return [
        ("month", f"SELECT {key}, period, {channels}, SUM({total}) FROM sales GROUP BY {key}, period"),
        (
            "unlocked",
            f"SELECT {key}, period, SUM({total}) FROM sales WHERE locked = 0 AND period IN ({elapsed}) "
            f"GROUP BY {key}, period",
        ),
        ("category", f"SELECT category, SUM({total}) FROM sales WHERE period IN ({elapsed}) GROUP BY category"),
        (
            "producer_type",
            f"SELECT producer_type, SUM({total}) FROM sales WHERE period IN ({elapsed}) GROUP BY producer_type",
        ),
        ("channel", f"SELECT {channels} FROM sales WHERE period IN ({elapsed})"),
    ]


def duckdb_numbers(results: Mapping[str, list[tuple[Any, ...]]], window: Window) -> Numbers:
    numbers: Numbers = {}
    for area, period, *sums in results["month"]:
        if period in window.elapsed:
            for channel, amount in zip(CHANNEL_COLUMNS, sums[:4], strict=True):
                numbers[("month", area, int(period), channel)] = _baht(amount)
        if period in window.previous:
            numbers[("previous", area, int(period))] = _baht(sums[4])
    for area, period, amount in results["unlocked"]:
        numbers[("unlocked", area, int(period))] = _baht(amount)
    for name in ("category", "producer_type"):
        for value, amount in results[name]:
            numbers[(name, value)] = _baht(amount)
    for channel, amount in zip(CHANNEL_COLUMNS, results["channel"][0], strict=True):
        numbers[("channel", channel)] = _baht(amount or 0)
    return _nonzero(numbers)


class ReferencePath:
    """The naive path and DuckDB over the raw rows one dashboard covers (a province, or the country locked only).

    ``naive()`` reads the rows into pandas and groups them; ``load_duckdb()`` reads them once more
    into an in-process DuckDB table, after which ``scan()`` only groups them.
    """

    def __init__(self, engine: Engine, *, name: str, key: str, window: Window, province_code: str | None) -> None:
        self.engine = engine
        self.name = name
        self.key = key
        self.window = window
        self.statement = raw_rows_statement(
            engine, province_code=province_code, periods=window.periods, locked_only=province_code is None
        )
        self.rows = 0
        self.load_ms = 0.0
        self.numbers: Numbers = {}
        self._duckdb: Any = None
        self._results: dict[str, list[tuple[Any, ...]]] = {}

    def naive(self) -> Numbers:
        """The figures of the latest read, kept for the checks (the raw rows are not)."""
        frame = read_raw_rows(self.engine, self.statement)
        self.rows = len(frame)
        self.numbers = naive_numbers(frame, key=self.key, window=self.window)
        return self.numbers

    def load_duckdb(self) -> None:
        import duckdb  # a development tool: only the benchmark needs it

        frame = read_raw_rows(self.engine, self.statement)
        started = time.perf_counter()
        self._duckdb = duckdb.connect()
        self._duckdb.register("raw_rows", frame)
        self._duckdb.execute("CREATE TABLE sales AS SELECT * FROM raw_rows")
        self._duckdb.unregister("raw_rows")
        self.load_ms = (time.perf_counter() - started) * 1000
        self.rows = len(frame)

    def scan(self) -> Numbers:
        for query_name, query in duckdb_queries(self.key, self.window):
            self._results[query_name] = self._duckdb.execute(query).fetchall()
        return duckdb_numbers(self._results, self.window)

    def close(self) -> None:
        if self._duckdb is not None:
            self._duckdb.close()
            self._duckdb = None


def time_rounds(
    actions: Mapping[str, Callable[[], object]],
    *,
    repeats: int,
    limits: Mapping[str, int] | None = None,
    warmed: Collection[str] = (),
) -> dict[str, list[float]]:
    """Milliseconds of each action, run in turn round after round after one warm-up round.

    Interleaving keeps a burst of load on a shared machine from landing on one operation only,
    so the ratios between them hold even when the absolute times move; collecting garbage before
    each call keeps one call's leftovers (the naive path's big frames) off the next one's time. ``limits`` caps the runs
    of the slow ones (the naive paths); ``warmed`` ones have just run and skip the warm-up.
    """
    limits = limits or {}
    runs: dict[str, list[float]] = {name: [] for name in actions}
    for name, action in actions.items():
        if name not in warmed:
            action()
    for round_no in range(repeats):
        for name, action in actions.items():
            if round_no >= limits.get(name, repeats):
                continue
            gc.collect()
            started = time.perf_counter()
            action()
            runs[name].append((time.perf_counter() - started) * 1000)
    return runs


# --- our figures, in the same shape ------------------------------------------------------------


def _area_numbers(areas: Iterable[AreaProgress]) -> Numbers:
    numbers: Numbers = {}
    for area in areas:
        for period, split in zip(area.round_periods, area.actual, strict=False):
            for channel, amount in split.as_dict().items():
                numbers[("month", area.code, period.code, channel)] = amount
        for period, amount in zip(area.round_periods, area.previous, strict=False):
            numbers[("previous", area.code, period.shift(-12).code)] = amount
        for period, amount in zip(area.round_periods, area.unlocked, strict=False):
            numbers[("unlocked", area.code, period.code)] = amount
    return numbers


def _breakdown_numbers(breakdown: Any) -> Numbers:
    numbers: Numbers = {("category", code): amount for code, amount in breakdown.by_category.items()}
    numbers.update({("producer_type", code): amount for code, amount in breakdown.by_producer_type.items()})
    numbers.update({("channel", code): amount for code, amount in breakdown.by_channel.as_dict().items()})
    return numbers


def dashboard_numbers(dashboard: ProvinceDashboard | NationalDashboard) -> Numbers:
    """The figures a dashboard shows per area and month and in its breakdowns, keyed as ``naive_numbers``."""
    areas = dashboard.districts if isinstance(dashboard, ProvinceDashboard) else dashboard.provinces
    return _nonzero({**_area_numbers(areas), **_breakdown_numbers(dashboard.breakdown)})


def _by_area_channel(numbers: Numbers, periods: Iterable[int]) -> Numbers:
    wanted = set(periods)
    sums: Numbers = {}
    for key, amount in numbers.items():
        if key[0] == "month" and key[2] in wanted:
            area_key = (key[1], key[3])
            sums[area_key] = sums.get(area_key, Decimal(0)) + amount
    return _nonzero(sums)


def export_numbers(export: ExportFile, codes_by_name: Mapping[str, str]) -> Numbers:
    """The channel columns of an export's table, by area code (the rows name areas in Thai)."""
    numbers: Numbers = {}
    for row in export.sheets[0].rows:
        code = codes_by_name[row[1]]
        for channel, amount in zip(CHANNEL_COLUMNS, row[2:6], strict=True):
            numbers[(code, channel)] = amount
    return _nonzero(numbers)


def target_numbers(tables: Mapping[int, TargetTable]) -> Numbers:
    return _nonzero(
        {
            (round_no, row.district_code, name): value
            for round_no, table in tables.items()
            for row in table.rows
            for name, value in (("baseline", row.levels.baseline), ("actual", row.actual))
        }
    )


def naive_target_numbers(naive: Numbers, scenario: Scenario) -> Numbers:
    """Each district's baseline (last year's same months) and actual to date, in both rounds, from the raw rows."""
    numbers: Numbers = {}
    for round_no in (1, 2):
        periods = round_periods(scenario.fiscal_year_be, round_no)
        actual_codes = {period.code for period in periods if period <= scenario.period}
        baseline_codes = {period.shift(-12).code for period in periods}
        for key, amount in naive.items():
            if key[0] == "month" and key[2] in actual_codes:
                target = (round_no, key[1], "actual")
            elif key[0] == "previous" and key[2] in baseline_codes:
                target = (round_no, key[1], "baseline")
            else:
                continue
            numbers[target] = numbers.get(target, Decimal(0)) + amount
    return _nonzero(numbers)


def compare(name: str, ours: Numbers, naive: Numbers) -> Check:
    """Exact equality of two sets of figures; the detail names the first few that differ."""
    keys = sorted(set(ours) | set(naive), key=str)
    differing = [key for key in keys if ours.get(key) != naive.get(key)]
    detail = "; ".join(f"{key}: ours {ours.get(key)} naive {naive.get(key)}" for key in differing[:3])
    return Check(name=name, equal=not differing, compared=len(keys), detail=detail)


# --- one backend ------------------------------------------------------------------------------


def measure_backend(
    engine: Engine, spec: BenchSpec, *, repeats: int, progress: Progress, build: dict[str, Any]
) -> BackendRun:
    backend = engine.dialect.name
    scenario = find_scenario(engine, spec)
    actors = Actors.of(scenario)
    window = Window.of(scenario)
    run = BackendRun(backend=backend, database=shown_url(str(engine.url)), build=build, scenario=scenario)

    progress(f"[{backend}] ตารางบันทึกข้อมูลอำเภอ {scenario.district_code} ({scenario.district_rows} แถว)")
    run.measurements += measure_grid(engine, scenario, actors.district, repeats=repeats)

    references = {
        "province": ReferencePath(
            engine, name="province", key="district_code", window=window, province_code=scenario.province_code
        ),
        "national": ReferencePath(engine, name="national", key="province_code", window=window, province_code=None),
    }
    try:
        progress(f"[{backend}] ข้อมูลอ้างอิง: โหลดแถวดิบเข้า DuckDB (จังหวัด {scenario.province_code} และทั้งประเทศ)")
        for reference in references.values():
            reference.load_duckdb()
        actions: dict[str, Callable[[], object]] = {
            "province_dashboard": lambda: render_province_dashboard(engine, scenario, actors.province),
            "department_dashboard": lambda: render_department_dashboard(engine, scenario, actors.department),
            "rt4_export": lambda: export_rt4(engine, scenario, actors.province),
            "by_province_export": lambda: export_by_province(engine, scenario, actors.department),
            "target_table": lambda: target_tables(engine, scenario, actors.province),
        }
        for name, reference in references.items():
            actions[f"naive:{name}"] = reference.naive
            actions[f"duckdb:{name}"] = reference.scan
        progress(f"[{backend}] แดชบอร์ด รายงาน ตารางเป้าหมาย และข้อมูลอ้างอิง สลับกันรอบละครั้ง ({repeats} รอบ)")
        naive_paths = [f"naive:{name}" for name in references]
        runs = time_rounds(
            actions,
            repeats=repeats,
            limits=dict.fromkeys(naive_paths, NAIVE_MAX_REPEATS),
            warmed=naive_paths,
        )
        for name, reference in references.items():
            run.references.append(
                Reference(
                    name=name,
                    rows=reference.rows,
                    naive_ms=statistics.median(runs[f"naive:{name}"]),
                    duckdb_ms=statistics.median(runs[f"duckdb:{name}"]),
                    load_ms=reference.load_ms,
                )
            )
        medians = {reference.name: reference for reference in run.references}
        for key in ("province_dashboard", "department_dashboard", "rt4_export", "by_province_export", "target_table"):
            measurement = Measurement(key, runs[key])
            reference = medians.get(measurement.spec.reference or "")
            if reference is not None:
                measurement.naive_ms = reference.naive_ms
                measurement.duckdb_ms = reference.duckdb_ms
            run.measurements.append(measurement)
        for measurement in run.measurements:
            if measurement.spec.gate and measurement.ratio_holds is False:
                progress(f"[{backend}] {measurement.spec.label_th}: อัตราส่วนต่ำกว่าเกณฑ์ วัดซ้ำเพื่อยืนยัน")
                reference = references[measurement.spec.reference or ""]
                paired = time_rounds(
                    {"ours": actions[measurement.operation], "naive": reference.naive},
                    repeats=CONFIRM_ROUNDS,
                    warmed=("ours", "naive"),
                )
                measurement.confirmation = (statistics.median(paired["ours"]), statistics.median(paired["naive"]))
        run.checks += _checks(engine, scenario, actors, references["province"], references["national"])
    finally:
        for reference in references.values():
            reference.close()
    return run


def _checks(
    engine: Engine, scenario: Scenario, actors: Actors, province: ReferencePath, national: ReferencePath
) -> list[Check]:
    """Our figures against the naive ones of the last timed run (and DuckDB's against them), each set exactly."""
    province_naive, national_naive = province.numbers, national.numbers
    with session_scope(engine) as session:
        district_names = {
            district.name_th: district.code for district in list_districts(session, scenario.province_code)
        }
        province_names = {item.name_th: item.code for item in list_provinces(session)}
    year = period_codes(fiscal_year_periods(scenario.fiscal_year_be))
    return [
        compare(
            "province dashboard = naive",
            dashboard_numbers(render_province_dashboard(engine, scenario, actors.province).dashboard),
            province_naive,
        ),
        compare(
            "department dashboard = naive",
            dashboard_numbers(render_department_dashboard(engine, scenario, actors.department).dashboard),
            national_naive,
        ),
        compare("DuckDB = naive (province)", province.scan(), province_naive),
        compare("DuckDB = naive (national)", national.scan(), national_naive),
        compare(
            "rt4 export = naive",
            export_numbers(export_rt4(engine, scenario, actors.province), district_names),
            _by_area_channel(province_naive, year),
        ),
        compare(
            "by-province export = naive",
            export_numbers(export_by_province(engine, scenario, actors.department), province_names),
            _by_area_channel(national_naive, year),
        ),
        compare(
            "target tables = naive",
            target_numbers(target_tables(engine, scenario, actors.province)),
            naive_target_numbers(province_naive, scenario),
        ),
    ]


# --- the whole run ------------------------------------------------------------------------------


def prepare_backend(
    backend: str, spec: BenchSpec, settings: Settings, progress: Progress
) -> tuple[Engine, dict[str, Any]]:
    """An engine on the bench database of ``backend``, built (or reused) for ``spec``."""
    url = bench_database_url(backend, spec, settings)
    engine = make_engine(url)
    progress(f"[{backend}] ฐานข้อมูลทดสอบ {shown_url(url)}")
    started = time.perf_counter()
    counts = build_national(engine, spec, progress)
    return engine, {**counts, "seconds": round(time.perf_counter() - started, 1)}


def run_bench(
    *,
    spec: BenchSpec,
    backends: Sequence[str],
    repeats: int,
    settings: Settings,
    quick: bool = False,
    progress: Progress = print,
    engines: Mapping[str, Engine] | None = None,
) -> BenchReport:
    """Build or reuse the database of each backend and measure every operation on it.

    ``engines`` gives ready engines by backend (tests); otherwise the bench databases are used.
    """
    report = BenchReport(spec=spec, quick=quick, repeats=repeats, measured_at=clock.utc_now(), machine=machine_info())
    for backend in backends:
        if engines is not None and backend in engines:
            engine = engines[backend]
            started = time.perf_counter()
            build = {**build_national(engine, spec, progress), "seconds": round(time.perf_counter() - started, 1)}
        else:
            engine, build = prepare_backend(backend, spec, settings, progress)
        try:
            report.runs.append(measure_backend(engine, spec, repeats=repeats, progress=progress, build=build))
        finally:
            if engines is None:
                engine.dispose()
    return report


# --- output ---------------------------------------------------------------------------------------


def display_width(value: str) -> int:
    """Columns a string takes in a terminal: Thai vowel and tone marks above or below take none."""
    return sum(0 if unicodedata.combining(char) or unicodedata.category(char) == "Mn" else 1 for char in value)


def _pad(value: str, width: int, *, right: bool = False) -> str:
    padding = " " * max(0, width - display_width(value))
    return padding + value if right else value + padding


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}×"


def _verdict(measurement: Measurement) -> str:
    parts = []
    if measurement.within_budget is not None:
        parts.append("ผ่าน" if measurement.within_budget else "เกินงบ")
    if measurement.ratio_holds is not None:
        wanted = measurement.spec.min_ratio
        if measurement.confirmed_ratio is not None:
            parts.append(f"วัดซ้ำ (again) {measurement.confirmed_ratio:.1f}×")
        parts.append(f"≥{wanted:g}× ✓" if measurement.ratio_holds else f"<{wanted:g}× ✗")
    return ", ".join(parts) or "—"


def format_report(report: BenchReport) -> str:
    """A readable Thai/English table per backend: our time, budget, naive, ratios, and which budgets hold."""
    lines = [
        f"ผลการทดสอบประสิทธิภาพ (benchmark) {report.measured_at:%Y-%m-%d %H:%M} UTC — "
        f"{'quick' if report.quick else 'national'} spec {report.spec.key}, "
        f"{report.machine['cores']} cores, {report.machine['memory_gib']} GiB; "
        f"median of {report.repeats} interleaved runs after a warm-up (naive paths: {NAIVE_MAX_REPEATS})",
    ]
    header = [
        "การวัด (operation)",
        "ของเรา ms",
        "งบ ms",
        "naive ms",
        "naive/เรา",
        "เรา/DuckDB",
        "ผล (budget)",
    ]
    for run in report.runs:
        scenario = run.scenario
        build = run.build
        lines += [
            "",
            f"[{run.backend}] {run.database}",
            f"  ข้อมูล: {build.get('monthly_sales', 0):,} แถวรายเดือน; จังหวัด {scenario.province_code} "
            f"({scenario.province_districts} อำเภอ), อำเภอ {scenario.district_code} ({scenario.district_rows} แถว), "
            f"เดือน {scenario.period.label}, ปีงบประมาณ {scenario.fiscal_year_be} รอบที่ {scenario.round_no}",
        ]
        lines += [
            f"  อ้างอิง {reference.name}: {reference.rows:,} แถวดิบ, pandas {_ms(reference.naive_ms)} ms, "
            f"DuckDB {_ms(reference.duckdb_ms)} ms (โหลดครั้งเดียว {_ms(reference.load_ms)} ms)"
            for reference in run.references
        ]
        rows = [
            [
                f"{m.spec.label_th} ({m.spec.label_en})",
                _ms(m.median_ms),
                _ms(m.spec.budget_ms),
                _ms(m.naive_ms),
                _ratio(m.naive_ratio),
                _ratio(m.duckdb_ratio),
                _verdict(m),
            ]
            for m in run.measurements
        ]
        widths = [max(display_width(row[index]) for row in [header, *rows]) for index in range(len(header))]
        for row in [header, *rows]:
            cells = [_pad(cell, widths[index], right=0 < index < 6) for index, cell in enumerate(row)]
            lines.append("  " + " | ".join(cells))
        lines += [
            f"  {'✓' if check.equal else '✗'} {check.name} ({check.compared:,} ตัวเลข)"
            + ("" if check.equal else f": {check.detail}")
            for check in run.checks
        ]
    for backend, memory in (report.memory or {}).items():
        lines.append(
            f"[{backend}] หน่วยความจำสูงสุดของ Streamlit ที่แสดงแดชบอร์ดกรม (peak RSS, VmHWM): "
            f"{memory['peak_rss_mb']:,.0f} MB (งบ {MEMORY_BUDGET_MB:,} MB)"
        )
    regressions, mismatches = report.regressions(), report.mismatches()
    lines.append("")
    lines += [f"ถดถอย (regression): {item}" for item in regressions]
    lines += [f"ตัวเลขไม่ตรง (mismatch): {item}" for item in mismatches]
    if not regressions and not mismatches:
        lines.append("อัตราส่วนเทียบ naive ผ่านทุกข้อ และตัวเลขตรงกับข้อมูลดิบทุกชุด")
    return "\n".join(lines)


# --- memory of a Streamlit process serving the department dashboard -------------------------------------

BENCH_USERNAME = "bench_department"
STREAMLIT_PORT = 8516
PAGE_TIMEOUT_MS = 180_000
LOGIN_SETTLE_MS = 2_000
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BENCH_ADMIN = Actor("bench", "admin", display_name="การทดสอบประสิทธิภาพ")


def prepare_department_login(engine: Engine) -> str:
    """A department account for the browser, with a fresh random password that is never shown or stored."""
    password = secrets.token_urlsafe(24)
    with session_scope(engine, write=True) as session:
        exists = session.scalar(select(func.count()).select_from(User).where(User.username == BENCH_USERNAME))
        if exists:
            reset_password(session=session, actor=BENCH_ADMIN, username=BENCH_USERNAME, new_password=password)
        else:
            create_user(
                session=session,
                actor=BENCH_ADMIN,
                username=BENCH_USERNAME,
                display_name="ผู้ทดสอบประสิทธิภาพ (กรม)",
                role="department",
                password=password,
            )
    return password


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(VmHWM, VmRSS) of a process in MiB, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            values[name] = int(rest.split()[0]) / 1024
    return values["VmHWM"], values["VmRSS"]


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    """Wait until a started ``streamlit run`` answers its health check; fail if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy in time")


def measure_streamlit_memory(
    *, database_url: str, spec: BenchSpec, progress: Progress = print, port: int = STREAMLIT_PORT
) -> dict[str, Any]:
    """Peak RSS of ``streamlit run app.py`` on the bench database after a department user opens the national dashboard.

    The browser logs in through the login page, opens the department dashboard, and then the
    round-2 (whole year) view; the figure is the process's high-water mark (VmHWM).
    """
    from playwright.sync_api import sync_playwright  # a development tool: only the benchmark needs it

    engine = make_engine(database_url)
    try:
        password = prepare_department_login(engine)
    finally:
        engine.dispose()
    title = next(page.title for page in PAGES if page.path == "pages/dashboard_department.py")
    url = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "OTOP_DATABASE_URL": database_url,
        "OTOP_DEMO_MODE": "1",
        "OTOP_LOGIN_SLEEP_SECONDS": "0",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    command = [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"),
        "--server.port", str(port), "--server.headless", "true", "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    progress(f"หน่วยความจำ: เปิด streamlit ที่ {url} บน {shown_url(database_url)}")
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_healthy(url, process)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="th-TH")
                page.set_default_timeout(PAGE_TIMEOUT_MS)
                _log_in(page, url, password)
                page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).click()
                page.locator("h1").filter(has_text=title).wait_for()
                _wait_for_run(page)
                page.wait_for_selector('[data-testid="stPlotlyChart"]')
                last_month = period_name(Period.from_code(spec.periods[-1]))
                progress(f"หน่วยความจำ: เปิดแดชบอร์ดระดับประเทศแล้ว เลือกรอบที่ 2 ถึงเดือน{last_month}")
                _choose(page, "รอบการประเมิน", "รอบที่ 2")
                _choose(page, "ข้อมูลถึงเดือน", last_month)
                BENCH_DIR.mkdir(parents=True, exist_ok=True)
                screenshot = BENCH_DIR / f"department-dashboard-{make_url(database_url).get_backend_name()}.png"
                page.screenshot(path=str(screenshot), full_page=True)
            finally:
                browser.close()
        peak, current = peak_rss_mb(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return {
        "page": "pages/dashboard_department.py",
        "spec": spec.key,
        "peak_rss_mb": round(peak, 1),
        "rss_mb": round(current, 1),
        "budget_mb": MEMORY_BUDGET_MB,
        "within_budget": peak <= MEMORY_BUDGET_MB,
        "screenshot": str(screenshot.relative_to(PROJECT_ROOT)),
    }


def _log_in(page: Any, url: str, password: str) -> None:
    """Log in through the form once the page has settled (its load sends a second run for the login cookie)."""
    page.goto(url)
    page.locator('input[aria-label="ชื่อผู้ใช้"]').wait_for()
    page.wait_for_timeout(LOGIN_SETTLE_MS)
    _wait_for_run(page)
    page.locator('input[aria-label="ชื่อผู้ใช้"]').fill(BENCH_USERNAME)
    page.locator('input[aria-label="รหัสผ่าน"]').fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.locator('[data-testid="stSidebarNav"] a').first.wait_for()
    _wait_for_run(page)


def _choose(page: Any, label: str, option: str) -> None:
    """Pick an option of a select box and wait for the dashboard to render again."""
    page.get_by_label(label).click()
    page.get_by_role("option", name=option).first.click()
    _wait_for_run(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"]')


def _wait_for_run(page: Any) -> None:
    """Until Streamlit has finished the current run and no element of the previous one is left on screen."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached")
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
