"""``python -m otop export`` and ``import``: files written, the dry run printed, problems listed, non-zero exit."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from db.engine import session_scope
from db.models import AuditEvent, MonthlySale
from otop import clock
from otop.cli import main
from otop.fiscal import BANGKOK
from tests.factories import make_producer, make_sale, make_user

OPEN_NOW = datetime(2024, 11, 3, 10, 0, tzinfo=BANGKOK)


@pytest.fixture
def cli_db(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> int:
    """The test database for the command line, a district user and one producer with October's sales."""
    clock.set_now(lambda: OPEN_NOW)
    monkeypatch.setenv("OTOP_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with session_scope(engine, write=True) as session:
        make_user(session, "district3101", "district", district_code="3101")
        producer = make_producer(session, "3101", name="กลุ่มทอผ้าบ้านโคกเมือง")
        make_sale(session, producer, 256710, (1000, 0, 0, 0))
    return producer.id  # type: ignore[return-value]


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _template(tmp_path: Path, producer_id: int, value: object) -> Path:
    """The district's รต.1 exported by the command line, with the producer's domestic offline cell changed."""
    path = tmp_path / "rt1.xlsx"
    code, _, _ = _run(
        ["export", "rt1", "--district", "3101", "--period", "2567-10", "-o", str(path), "--as", "district3101"]
    )
    assert code == 0
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet[f"B{r}"].value == producer_id)
    sheet[f"M{row}"].value = value
    workbook.save(path)
    return path


def _stored(engine: Engine) -> Decimal:
    with session_scope(engine) as session:
        return session.scalars(select(MonthlySale.domestic_offline)).one()


def test_export_writes_the_workbook_and_prints_its_title_and_status(cli_db: int, tmp_path: Path) -> None:
    path = tmp_path / "rt4.xlsx"
    code, out, _ = _run(["export", "rt4", "--province", "31", "--fy", "2568", "--round", "1", "-o", str(path)])

    assert code == 0
    assert out.splitlines()[0].startswith(f"บันทึกไฟล์ {path} แล้ว: แบบรายงานข้อมูลผลการจำหน่ายสินค้า")
    assert "สถานะข้อมูล: ยืนยันแล้ว 0/138 อำเภอ-เดือน" in out
    assert load_workbook(path).worksheets[0].title == "รต.4"


def test_export_is_refused_outside_the_users_area(cli_db: int, tmp_path: Path) -> None:
    code, _, err = _run(["export", "rt4", "--province", "31", "--period", "2567-10", "-o", str(tmp_path / "x.xlsx"),
                         "--as", "district3101"])  # fmt: skip
    assert code == 2
    assert "ไม่มีสิทธิ์ดูข้อมูลยอดจำหน่าย" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_import_dry_run_prints_the_preview_and_saves_nothing(cli_db: int, engine: Engine, tmp_path: Path) -> None:
    path = _template(tmp_path, cli_db, "1,250")
    code, out, _ = _run(["import", "rt1", str(path), "--district", "3101", "--period", "2567-10",
                         "--as", "district3101", "--dry-run"])  # fmt: skip

    assert code == 0
    assert "แบบ รต.1 เดือนตุลาคม 2567: เพิ่ม 0 แถว · แก้ไข 1 แถว · ไม่เปลี่ยน 0 แถว" in out
    assert "กลุ่มทอผ้าบ้านโคกเมือง (อาหาร) [แก้ไข]: ในประเทศ ออฟไลน์: 1,000.00 → 1,250.00" in out
    assert "ยังไม่ได้บันทึกข้อมูล" in out
    assert _stored(engine) == Decimal("1000.00")


def test_import_saves_through_the_entry_service(cli_db: int, engine: Engine, tmp_path: Path) -> None:
    path = _template(tmp_path, cli_db, "1,250")
    code, out, _ = _run(
        ["import", "rt1", str(path), "--district", "3101", "--period", "2567-10", "--as", "district3101"]
    )

    assert code == 0
    assert "บันทึกเมื่อ 3 พฤศจิกายน 2567 เวลา 10:00 น. (แก้ไข 1 ช่อง)" in out
    assert _stored(engine) == Decimal("1250.00")
    with session_scope(engine) as session:
        assert session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "update_cell")).all() == [
            "district3101"
        ]


def test_import_with_problems_lists_them_and_exits_non_zero(cli_db: int, engine: Engine, tmp_path: Path) -> None:
    path = _template(tmp_path, cli_db, -40)
    code, _, err = _run(
        ["import", "rt1", str(path), "--district", "3101", "--period", "2567-10", "--as", "district3101"]
    )

    assert code == 1
    assert "พบปัญหา 1 รายการ ไม่ได้บันทึกข้อมูลใด ๆ" in err
    assert "คอลัมน์ M (ยอดจำหน่าย (บาท) ในประเทศ ขายออฟไลน์): ติดลบไม่ได้ (-40)" in err
    assert _stored(engine) == Decimal("1000.00")


def test_import_of_a_file_that_is_not_there_is_refused(cli_db: int, tmp_path: Path) -> None:
    code, _, err = _run(["import", "forecast", str(tmp_path / "none.xlsx"), "--district", "3101", "--fy", "2568",
                         "--as", "district3101"])  # fmt: skip
    assert code == 2
    assert "ไม่พบไฟล์" in err
