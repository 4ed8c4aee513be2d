"""Targets: half-up rounding, levels, status, and the official Buriram tables from the demo data."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.engine import session_scope
from otop.money import round_half_up
from otop.targets import build_target_table, levels_of, status_of, total_monthly_estimate
from tests.factories import actor

DATA = Path(__file__).resolve().parent.parent / "otop" / "data"


def test_round_half_up_rounds_halves_away_from_zero_unlike_python_round() -> None:
    assert round_half_up(Decimal("275254882.5")) == Decimal("275254883")
    assert round(275254882.5) == 275254882  # banker's rounding: the reason for round_half_up
    assert round_half_up(Decimal("0.5")) == Decimal("1")
    assert round_half_up(Decimal("2.4999")) == Decimal("2")


def test_levels_of_the_row_python_round_gets_wrong() -> None:
    levels = levels_of(Decimal("267237750"))  # หนองกี่, round 2
    assert levels.standard == Decimal("275254883")
    assert levels.basic == Decimal("272582505")
    assert levels.advanced == Decimal("277927260")


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        (Decimal("99"), "below_baseline"),
        (Decimal("100"), "baseline"),
        (Decimal("102"), "basic"),
        (Decimal("103.5"), "standard"),
        (Decimal("104"), "advanced"),
    ],
)
def test_status_is_the_highest_level_reached(actual: Decimal, status: str) -> None:
    assert status_of(actual, levels_of(Decimal("100"))) == status


def _official() -> dict[tuple[int, str], dict[str, str]]:
    with (DATA / "buriram_targets_2568.csv").open(encoding="utf-8") as handle:
        return {(int(row["round"]), row["district_code"]): row for row in csv.DictReader(handle)}


@pytest.mark.parametrize("round_no", [1, 2])
def test_target_table_reproduces_the_official_table_to_the_baht(demo_engine: Engine, round_no: int) -> None:
    official = _official()
    with session_scope(demo_engine) as session:
        table = build_target_table(
            session, actor=actor("province", "31"), province_code="31", fiscal_year_be=2568, round_no=round_no
        )
    assert len(table.rows) == 23
    for row in table.rows:
        expected = official[(round_no, row.district_code)]
        assert row.district_name_th == expected["district_name_th"]
        assert int(expected["row_no"]) == row.row_no
        assert row.levels.baseline == Decimal(expected["baseline_prev_fy"])
        assert row.levels.target_plus4 == Decimal(expected["target_plus4"])
        assert row.levels.basic == Decimal(expected["basic_plus2"])
        assert row.levels.standard == Decimal(expected["standard_plus3"])
        assert row.levels.advanced == Decimal(expected["advanced_plus4"])
        assert row.actual == Decimal(expected["actual_oct_mar_2568"])
        assert row.levels.monthly_estimate == Decimal(expected["monthly_estimate"])


def test_round_two_totals_row_matches_the_official_totals(demo_engine: Engine) -> None:
    with (DATA / "buriram_targets_2568_totals.csv").open(encoding="utf-8") as handle:
        totals = {row["round"]: row for row in csv.DictReader(handle)}
    with session_scope(demo_engine) as session:
        round1 = build_target_table(session, actor=actor("admin"), province_code="31", fiscal_year_be=2568, round_no=1)
        round2 = build_target_table(session, actor=actor("admin"), province_code="31", fiscal_year_be=2568, round_no=2)
    assert round1.total.levels.baseline == Decimal(totals["1"]["baseline_prev_fy"])
    expected = totals["2"]
    assert round2.total.levels.baseline == Decimal(expected["baseline_prev_fy"])
    assert round2.total.levels.target_plus4 == Decimal(expected["target_plus4"])
    assert round2.total.levels.basic == Decimal(expected["basic_plus2"])
    assert round2.total.levels.standard == Decimal(expected["standard_plus3"])
    assert round2.total.levels.advanced == Decimal(expected["advanced_plus4"])
    assert round2.total.actual == Decimal(expected["actual_oct_mar_2568"])
    assert total_monthly_estimate(round2) == Decimal(expected["monthly_estimate"])
    # The total is the province baseline times the factor, not the sum of the rounded rows.
    assert sum(row.levels.advanced for row in round2.rows) == Decimal("4443011058")


def test_round_one_as_of_march_puts_every_district_at_the_advanced_level(demo_engine: Engine) -> None:
    with session_scope(demo_engine) as session:
        table = build_target_table(
            session, actor=actor("admin"), province_code="31", fiscal_year_be=2568, round_no=1, as_of_period=256803
        )
    assert {row.status for row in table.rows} == {"advanced"}
