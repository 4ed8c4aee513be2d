"""``python -m otop entry show``: a district-month's rows and totals with Thai headers and baht."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest

from db import migrate
from db.engine import make_engine, session_scope
from otop.cli import main
from otop.masterdata import load_master_data
from tests.conftest import _Databases
from tests.factories import make_producer, make_sale, make_user


@pytest.fixture
def cli_db(databases: _Databases, monkeypatch: pytest.MonkeyPatch) -> str:
    url = databases.new_url("sqlite")
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(engine, write=True) as session:
        load_master_data(session, province_codes={"31"})
        producer = make_producer(session, "3101", name="กลุ่มทอผ้าไหมบ้านสวาย", categories=("textile", "food"))
        make_sale(session, producer, 256710, (1_234_567, "89.5", 0, 10), category="textile")
        make_sale(session, producer, 256710, (1000, 0, 0, 0), category="food")
        make_user(session, "district3102", "district", district_code="3102")
    engine.dispose()
    monkeypatch.setenv("OTOP_DATABASE_URL", url)
    return url


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_entry_show_prints_rows_and_totals_in_thai(cli_db: str) -> None:
    code, output, _ = _run(["entry", "show", "--district", "3101", "--period", "2567-10"])
    lines = output.splitlines()
    assert code == 0
    assert lines[0] == "แบบ รต.1 อำเภอเมืองบุรีรัมย์ (3101) เดือนตุลาคม 2567"
    assert lines[2].startswith("ที่ | ผู้ผลิต | ตำบล | หมวด | ประเภท | ในประเทศ ออฟไลน์")
    assert "1 | กลุ่มทอผ้าไหมบ้านสวาย" in lines[3] and "| อาหาร |" in lines[3]
    assert "| ผ้า เครื่องแต่งกาย |" in lines[4] and "฿1,234,567.00 | ฿89.50 | ฿0.00 | ฿10.00 | ฿1,234,666.50" in lines[4]
    assert "รวม 2 แถว" in lines[-1] and "฿1,235,666.50" in lines[-1]


def test_entry_show_refuses_a_user_of_another_district(cli_db: str) -> None:
    code, _, error = _run(["entry", "show", "--district", "3101", "--period", "2567-10", "--as", "district3102"])
    assert code == 2
    assert "ไม่มีสิทธิ์" in error
