"""The command line: db upgrade, demo, and the official target tables as CSV."""

import csv
import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from otop.cli import main

DATA = Path(__file__).resolve().parent.parent / "otop" / "data"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.sqlite3'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OTOP_DATABASE_URL", url)
        assert main(["db", "upgrade"]) == 0
        assert main(["demo"]) == 0
    return url


def _run(monkeypatch: pytest.MonkeyPatch, url: str, argv: list[str]) -> tuple[int, str]:
    monkeypatch.setenv("OTOP_DATABASE_URL", url)
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(argv)
    return code, out.getvalue()


@pytest.mark.parametrize("round_no", [1, 2])
def test_targets_csv_reproduces_the_official_file(demo_db: str, monkeypatch: pytest.MonkeyPatch, round_no: int) -> None:
    code, output = _run(
        monkeypatch, demo_db, ["targets", "--province", "31", "--fy", "2568", "--round", str(round_no), "--csv"]
    )
    assert code == 0
    produced = list(csv.reader(io.StringIO(output)))
    with (DATA / "buriram_targets_2568.csv").open(encoding="utf-8") as handle:
        official = [row for row in csv.reader(handle)]
    header, *rows = official
    assert produced[0][: len(header)] == header
    expected = [row for row in rows if row[1] == str(round_no)]
    assert [row[: len(header)] for row in produced[1:24]] == expected
    total = produced[24]
    assert total[5] == "รวม"
    if round_no == 2:
        with (DATA / "buriram_targets_2568_totals.csv").open(encoding="utf-8") as handle:
            official_total = [row for row in csv.DictReader(handle) if row["round"] == "2"][0]
        assert total[6:13] == [
            official_total[key]
            for key in (
                "baseline_prev_fy", "target_plus4", "basic_plus2", "standard_plus3",
                "advanced_plus4", "actual_oct_mar_2568", "monthly_estimate",
            )
        ]  # fmt: skip


def test_targets_prints_a_thai_table(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = _run(monkeypatch, demo_db, ["targets", "--province", "31", "--fy", "2568", "--round", "1"])
    assert code == 0
    assert "เมืองบุรีรัมย์" in output
    assert "229,501,168" in output
    assert "ขั้นสูง" in output


def test_demo_refuses_a_filled_database_without_reset(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _ = _run(monkeypatch, demo_db, ["demo"])
    assert code == 2
    code, output = _run(monkeypatch, demo_db, ["demo", "--if-empty"])
    assert code == 0
    assert "มีข้อมูลอยู่แล้ว" in output
