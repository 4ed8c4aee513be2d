"""``python -m otop lock / unlock / status``: the same services and permissions as the lock page."""

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from sqlalchemy import Engine, select

from db.engine import session_scope
from db.models import AuditEvent, DistrictMonth
from otop.cli import main
from otop.fiscal import Period
from tests.factories import make_user

OCTOBER = Period(2567, 10)


@pytest.fixture
def cli_db(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("OTOP_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with session_scope(engine, write=True) as session:
        make_user(session, "province31", "province", province_code="31")
        make_user(session, "province32", "province", province_code="32")
        make_user(session, "district3101", "district", district_code="3101")
    return engine


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _locked(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return set(
            session.scalars(
                select(DistrictMonth.district_code).where(
                    DistrictMonth.period == OCTOBER.code,
                    DistrictMonth.locked_at.is_not(None),  # type: ignore[union-attr]
                )
            )
        )


def test_lock_locks_one_district_and_prints_the_status_line(cli_db: Engine) -> None:
    code, out, _ = _run(["lock", "--province", "31", "--district", "3101", "--period", "2567-10", "--as", "province31"])
    assert code == 0
    assert "ล็อกข้อมูลเดือนตุลาคม 2567 โดย province31: เมืองบุรีรัมย์ (3101)" in out
    assert "ยังไม่ได้ยืนยันข้อมูล: เมืองบุรีรัมย์" in out
    assert "อำเภอที่ล็อกข้อมูล: 1/23 อำเภอ" in out
    assert _locked(cli_db) == {"3101"}


def test_lock_without_a_district_locks_the_whole_province(cli_db: Engine) -> None:
    code, out, _ = _run(["lock", "--province", "31", "--period", "2567-10", "--as", "province31"])
    assert code == 0
    assert "อำเภอที่ล็อกข้อมูล: 23/23 อำเภอ" in out
    assert len(_locked(cli_db)) == 23


def test_unlock_with_a_reason_unlocks_and_audits_it(cli_db: Engine) -> None:
    _run(["lock", "--province", "31", "--period", "2567-10", "--as", "province31"])
    code, out, _ = _run(
        ["unlock", "--province", "31", "--district", "3102", "--period", "2567-10", "--as", "province31",
         "--reason", "อำเภอขอแก้ยอดผ้าไหม"]
    )  # fmt: skip
    assert code == 0
    assert "อำเภอที่ล็อกข้อมูล: 22/23 อำเภอ" in out
    assert "3102" not in _locked(cli_db)
    with session_scope(cli_db) as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "unlock")).all()
    assert (event.actor, event.district_code, event.detail) == (
        "province31",
        "3102",
        "ปลดล็อกรายอำเภอ: อำเภอขอแก้ยอดผ้าไหม",
    )


def test_unlock_without_a_reason_is_refused(cli_db: Engine) -> None:
    _run(["lock", "--province", "31", "--period", "2567-10", "--as", "province31"])
    code, _, err = _run(["unlock", "--province", "31", "--period", "2567-10", "--as", "province31", "--reason", " "])
    assert code == 2
    assert "ต้องระบุเหตุผลการปลดล็อก" in err
    assert len(_locked(cli_db)) == 23


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--province", "31", "--district", "3101", "--as", "district3101"], "ไม่มีสิทธิ์ล็อกหรือปลดล็อกข้อมูล"),
        (["--province", "31", "--as", "province32"], "ไม่มีสิทธิ์ล็อกหรือปลดล็อกข้อมูล"),
        (["--province", "31", "--as", "nobody"], "ไม่พบผู้ใช้"),
        (["--province", "31", "--district", "3201", "--as", "province31"], "ไม่ได้อยู่ในจังหวัด"),
    ],
)
def test_lock_refuses_with_a_thai_message_and_exit_code_2(cli_db: Engine, argv: list[str], message: str) -> None:
    code, out, err = _run(["lock", "--period", "2567-10", *argv])
    assert code == 2
    assert message in err and out == ""
    assert _locked(cli_db) == set()


def test_status_prints_each_district_and_the_counts(cli_db: Engine) -> None:
    _run(["lock", "--province", "31", "--district", "3101", "--period", "2567-10", "--as", "province31"])
    code, out, _ = _run(["status", "--province", "31", "--period", "2567-10"])
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "สถานะข้อมูลเดือนตุลาคม 2567 จังหวัดบุรีรัมย์ (31)"
    assert lines[1].startswith("3101 เมืองบุรีรัมย์ | ยังไม่ยืนยัน | ล็อกแล้ว (province31 ")
    assert lines[2].startswith("3102 คูเมือง | ยังไม่ยืนยัน | ยังไม่ล็อก")
    assert lines[-2:] == ["อำเภอที่ยืนยันข้อมูล: 0/23 อำเภอ", "อำเภอที่ล็อกข้อมูล: 1/23 อำเภอ"]


def test_status_as_a_user_of_another_province_is_refused(cli_db: Engine) -> None:
    code, _, err = _run(["status", "--province", "31", "--period", "2567-10", "--as", "province32"])
    assert code == 2
    assert "ไม่มีสิทธิ์" in err
