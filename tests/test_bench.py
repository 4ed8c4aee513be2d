"""The benchmark machinery on a tiny national database: report shape, exact figures, exit codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from db.engine import session_scope
from db.models import CHANNEL_COLUMNS, MonthlySale
from otop import bench
from otop.bench import (
    OPERATIONS_BY_KEY,
    BackendRun,
    BenchReport,
    Check,
    Measurement,
    Scenario,
    compare,
    display_width,
    format_report,
    run_bench,
)
from otop.benchdata import BenchSpec, build_national
from otop.cli import main
from otop.config import Settings
from otop.fiscal import Period
from tests.conftest import _Databases

TINY = BenchSpec(producers=300, provinces=("31", "32"), annual_sales_baht=1_500_000_000, seed=9)
REPEATS = 2


@pytest.fixture(scope="module")
def tiny_engine(databases: _Databases, backend: str) -> Engine:
    engine = databases.new_engine(backend)
    build_national(engine, TINY, progress=lambda _message: None)
    return engine


def _month_sums(engine: Engine, scenario: Scenario) -> tuple[Decimal, ...]:
    with session_scope(engine) as session:
        row = session.execute(
            select(*(func.sum(getattr(MonthlySale, column)) for column in CHANNEL_COLUMNS)).where(
                MonthlySale.district_code == scenario.district_code, MonthlySale.period == scenario.period.code
            )
        ).one()
    return tuple(Decimal(str(value)) for value in row)


def test_run_bench_measures_every_operation_and_our_figures_equal_the_naive_ones(tiny_engine: Engine) -> None:
    backend = tiny_engine.dialect.name
    scenario = bench.find_scenario(tiny_engine, TINY)
    before = _month_sums(tiny_engine, scenario)
    messages: list[str] = []

    report = run_bench(
        spec=TINY,
        backends=[backend],
        repeats=REPEATS,
        settings=Settings(),
        progress=messages.append,
        engines={backend: tiny_engine},
    )

    (run,) = report.runs
    assert run.backend == backend
    assert run.scenario == scenario
    assert [measurement.operation for measurement in run.measurements] == list(OPERATIONS_BY_KEY)
    for measurement in run.measurements:
        assert len(measurement.runs_ms) == REPEATS
        assert all(value > 0 for value in measurement.runs_ms)
        has_reference = measurement.spec.reference is not None
        assert (measurement.naive_ms is not None) == has_reference
        assert (measurement.duckdb_ms is not None) == has_reference
    assert {reference.name for reference in run.references} == {"province", "national"}
    assert all(reference.rows > 0 for reference in run.references)
    assert [check.name for check in run.checks if not check.equal] == []
    assert all(check.compared > 0 for check in run.checks)
    assert {check.name for check in run.checks} >= {"province dashboard = naive", "department dashboard = naive"}
    assert report.mismatches() == []
    assert any("ใช้ฐานข้อมูลทดสอบเดิม" in message for message in messages)
    # The grid saves change a few cells each time and put the figures back afterwards.
    assert _month_sums(tiny_engine, scenario) == before


def test_bench_report_json_and_table_show_every_figure(tiny_engine: Engine) -> None:
    backend = tiny_engine.dialect.name
    report = run_bench(
        spec=TINY,
        backends=[backend],
        repeats=REPEATS,
        settings=Settings(),
        progress=lambda _message: None,
        engines={backend: tiny_engine},
    )

    document = json.loads(json.dumps(report.as_dict(), ensure_ascii=False))
    (run,) = document["runs"]
    assert document["spec"]["key"] == TINY.key
    assert run["scenario"]["period"] == "2568-09"
    operations = {measurement["operation"]: measurement for measurement in run["measurements"]}
    assert set(operations) == set(OPERATIONS_BY_KEY)
    dashboard = operations["province_dashboard"]
    assert dashboard["budget_ms"] == 300
    assert dashboard["naive_ratio"] == pytest.approx(dashboard["naive_ms"] / dashboard["median_ms"], rel=0.01, abs=0.01)
    assert dashboard["duckdb_ratio"] == pytest.approx(
        dashboard["median_ms"] / dashboard["duckdb_ms"], rel=0.01, abs=0.01
    )
    assert operations["grid_load"]["naive_ms"] is None
    table = format_report(report)
    for operation in OPERATIONS_BY_KEY.values():
        assert operation.label_th in table
        assert operation.label_en in table
    assert f"[{backend}]" in table


def test_build_national_reuses_a_database_whose_marker_matches(tiny_engine: Engine) -> None:
    messages: list[str] = []
    counts = build_national(tiny_engine, TINY, progress=messages.append)
    assert messages == [f"ใช้ฐานข้อมูลทดสอบเดิม ({TINY.key})"]
    assert counts["monthly_sales"] > 0


def test_bench_spec_key_changes_with_what_the_database_holds() -> None:
    assert BenchSpec().key == BenchSpec().key
    assert BenchSpec().key != BenchSpec.quick().key
    assert BenchSpec(seed=1).key != BenchSpec(seed=2).key


def test_compare_names_the_figures_that_differ() -> None:
    ours = {("month", "3101", 256710, "domestic_offline"): Decimal("10.00"), ("category", "food"): Decimal("5.00")}
    naive = {("month", "3101", 256710, "domestic_offline"): Decimal("10.01"), ("category", "food"): Decimal("5.00")}

    check = compare("example", ours, naive)

    assert not check.equal
    assert check.compared == 2
    assert "10.00" in check.detail and "10.01" in check.detail
    assert compare("example", ours, dict(ours)).equal


def _report(measurements: list[Measurement], checks: list[Check] | None = None) -> BenchReport:
    scenario = Scenario(
        fiscal_year_be=2568,
        round_no=2,
        period=Period(2568, 9),
        province_code="30",
        province_districts=32,
        district_code="3001",
        district_rows=300,
        drill_province_code="31",
        offered_fiscal_years=(2568, 2567),
    )
    run = BackendRun(backend="sqlite", database="sqlite://", build={}, scenario=scenario)
    run.measurements = measurements
    run.checks = checks or []
    report = BenchReport(
        spec=BenchSpec.quick(),
        quick=True,
        repeats=1,
        measured_at=datetime(2026, 11, 24, tzinfo=UTC),
        machine=bench.machine_info(),
    )
    report.runs.append(run)
    return report


def test_regressions_list_gated_operations_below_ten_times_the_naive_path() -> None:
    report = _report(
        [
            Measurement("province_dashboard", [50.0], naive_ms=100.0, duckdb_ms=5.0),
            Measurement("department_dashboard", [5000.0], naive_ms=60_000.0, duckdb_ms=50.0),
            Measurement("target_table", [50.0], naive_ms=100.0, duckdb_ms=5.0),
        ]
    )

    assert report.regressions() == [
        "sqlite: province dashboard only 2.0× faster than naive (wanted ≥ 5×)",
    ]
    department = report.runs[0].measurements[1]
    assert department.within_budget is False
    assert department.ratio_holds is True


def test_quick_runs_gate_on_the_tripwire_and_national_runs_on_the_budget() -> None:
    seven_times = [Measurement("province_dashboard", [10.0], naive_ms=70.0, confirmation=(10.0, 70.0))]
    quick = _report(seven_times)
    assert quick.regressions() == []
    national = _report(seven_times)
    national.quick = False
    assert national.regressions() == ["sqlite: province dashboard only 7.0× faster than naive (wanted ≥ 10×)"]


@pytest.mark.parametrize(
    ("confirmation", "holds"),
    [((20.0, 300.0), True), ((50.0, 100.0), False)],
    ids=["noise-measured-again", "regression-confirmed"],
)
def test_a_ratio_below_ten_counts_only_when_measuring_again_confirms_it(
    confirmation: tuple[float, float], holds: bool
) -> None:
    measurement = Measurement("province_dashboard", [50.0], naive_ms=100.0, confirmation=confirmation)
    report = _report([measurement])

    assert measurement.ratio_holds is holds
    assert measurement.naive_ratio == 2.0
    assert measurement.confirmed_ratio == confirmation[1] / confirmation[0]
    assert bool(report.regressions()) is not holds
    assert "วัดซ้ำ" in format_report(report)


@pytest.mark.parametrize(
    ("measurements", "checks", "exit_code"),
    [
        ([Measurement("province_dashboard", [900.0], naive_ms=20_000.0)], [], 0),
        ([Measurement("province_dashboard", [90.0], naive_ms=200.0)], [], 1),
        ([Measurement("province_dashboard", [9.0], naive_ms=200.0)], [Check("x = naive", False, 1, "differs")], 1),
    ],
    ids=["over-budget-time-passes", "lost-ratio-fails", "wrong-figure-fails"],
)
def test_bench_command_fails_only_on_a_lost_ratio_or_a_wrong_figure(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    measurements: list[Measurement],
    checks: list[Check],
    exit_code: int,
) -> None:
    calls: list[dict[str, object]] = []

    def fake_run_bench(**kwargs: object) -> BenchReport:
        calls.append(kwargs)
        return _report(measurements, checks)

    monkeypatch.setattr(bench, "run_bench", fake_run_bench)
    target = tmp_path / "bench.json"

    code = main(["bench", "--quick", "--backend", "sqlite", "--repeats", "3", "--json", str(target)])

    assert code == exit_code
    assert calls[0]["backends"] == ("sqlite",)
    assert calls[0]["repeats"] == 3
    assert calls[0]["spec"] == BenchSpec.quick()
    assert json.loads(target.read_text(encoding="utf-8"))["quick"] is True
    assert "แดชบอร์ดจังหวัด" in capsys.readouterr().out


def test_display_width_does_not_count_thai_marks_above_or_below() -> None:
    assert display_width("แดชบอร์ด") == 7
    assert display_width("ที่") == 1
    assert display_width("abc") == 3
