"""``python -m otop users …``: add, list, reset-password, unlock, disable, enable."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from db.engine import session_scope
from db.models import AuditEvent, User
from otop.auth import AuthOutcome, authenticate
from otop.cli import main
from otop.config import Settings
from tests.factories import make_user

PASSWORD = "cli-password-2568"


@pytest.fixture
def cli_env(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("OTOP_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def _run(argv: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _user(engine: Engine, username: str) -> User:
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        session.expunge(user)
        return user


def _login(engine: Engine, username: str, password: str) -> AuthOutcome:
    with session_scope(engine, write=True) as session:
        return authenticate(session=session, username=username, password=password, settings=Settings()).outcome


def test_users_add_reads_the_password_from_stdin(cli_env: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = _run(
        ["users", "add", "--username", "district3101", "--role", "district", "--district", "3101", "--password-stdin"],
        monkeypatch,
        stdin=f"{PASSWORD}\n",
    )
    assert code == 0
    assert "เพิ่มผู้ใช้ district3101 (เจ้าหน้าที่อำเภอ, อำเภอเมืองบุรีรัมย์ จังหวัดบุรีรัมย์)" in out
    assert PASSWORD not in out
    user = _user(cli_env, "district3101")
    assert (user.role, user.province_code, user.district_code, user.display_name) == (
        "district",
        "31",
        "3101",
        "district3101",
    )
    assert _login(cli_env, "district3101", PASSWORD) is AuthOutcome.SUCCESS
    with session_scope(cli_env) as session:
        assert [event.actor for event in session.exec(select(AuditEvent)).all()][0] == "cli"


def test_users_add_prompts_twice_without_stdin(cli_env: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, _ = _run(
        ["users", "add", "--username", "province31", "--role", "province", "--province", "31", "--name", "สพจ.บุรีรัมย์"],
        monkeypatch,
    )
    assert code == 0
    assert _user(cli_env, "province31").display_name == "สพจ.บุรีรัมย์"


def test_users_add_refuses_mismatched_prompts(cli_env: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([PASSWORD, "something-else-2568"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, err = _run(["users", "add", "--username", "admin2", "--role", "admin"], monkeypatch)
    assert code == 2
    assert "รหัสผ่านทั้งสองครั้งไม่ตรงกัน" in err


def test_users_add_reports_a_refusal_in_thai(cli_env: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _run(
        ["users", "add", "--username", "district3101", "--role", "district", "--password-stdin"],
        monkeypatch,
        stdin=f"{PASSWORD}\n",
    )
    assert code == 2
    assert err.startswith("ผิดพลาด: ผู้ใช้ระดับอำเภอต้องระบุอำเภอ")
    code, _, err = _run(
        ["users", "add", "--username", "x1x", "--role", "admin", "--password-stdin"], monkeypatch, stdin="short\n"
    )
    assert code == 2
    assert "รหัสผ่านต้องยาวอย่างน้อย" in err


def test_users_list_reset_unlock_disable_enable(cli_env: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with session_scope(cli_env, write=True) as session:
        make_user(session, "district3101", "district", district_code="3101").failed_attempts = 3
        make_user(session, "department", "department")
    code, out, _ = _run(["users", "list"], monkeypatch)
    assert code == 0
    assert "district3101 | ผู้ใช้ district3101 | เจ้าหน้าที่อำเภอ (district) | อำเภอเมืองบุรีรัมย์ จังหวัดบุรีรัมย์" in out
    assert "รวม 2 บัญชี" in out
    code, out, _ = _run(["users", "list", "--province", "31"], monkeypatch)
    assert "รวม 1 บัญชี" in out

    assert _run(["users", "unlock", "district3101"], monkeypatch)[0] == 0
    assert _user(cli_env, "district3101").failed_attempts == 0

    assert _run(["users", "reset-password", "district3101", "--password-stdin"], monkeypatch, f"{PASSWORD}\n")[0] == 0
    assert _login(cli_env, "district3101", PASSWORD) is AuthOutcome.SUCCESS

    code, out, _ = _run(["users", "disable", "district3101"], monkeypatch)
    assert (code, out.strip()) == (0, "ปิดการใช้งานบัญชี district3101 แล้ว")
    assert _login(cli_env, "district3101", PASSWORD) is AuthOutcome.DISABLED
    assert "ปิดการใช้งาน" in _run(["users", "list"], monkeypatch)[1]

    assert _run(["users", "enable", "district3101"], monkeypatch)[0] == 0
    assert _login(cli_env, "district3101", PASSWORD) is AuthOutcome.SUCCESS


def test_users_commands_name_an_unknown_user(cli_env: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _run(["users", "unlock", "nobody"], monkeypatch)
    assert code == 2
    assert "ไม่พบผู้ใช้ชื่อ nobody" in err
