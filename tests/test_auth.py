"""The login service: passwords, the lockout kept in the database, disabled accounts, the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from db.engine import session_scope
from db.models import AuditEvent, User
from otop import clock
from otop.auth import (
    UNKNOWN_USERNAME,
    AuthOutcome,
    AuthResult,
    authenticate,
    load_session_user,
    login_credentials,
    record_logout,
)
from otop.config import Settings
from otop.passwords import verify_password
from otop.permissions import Actor
from tests.factories import make_user

PASSWORD = "correct-horse-battery"
WRONG = "not-the-password"
SETTINGS = Settings(max_failed_logins=3, lockout_minutes=15)
T0 = datetime(2025, 1, 20, 3, 0, tzinfo=UTC)


def _login(engine: Engine, username: str, password: str, settings: Settings = SETTINGS) -> AuthResult:
    with session_scope(engine, write=True) as session:
        return authenticate(session=session, username=username, password=password, settings=settings)


def _user(engine: Engine, username: str) -> User:
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        session.expunge(user)
        return user


def _audit(engine: Engine) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


@pytest.fixture
def district_user(engine: Engine) -> str:
    with session_scope(engine, write=True) as session:
        make_user(session, "district3101", "district", password=PASSWORD, district_code="3101")
    return "district3101"


def test_authenticate_accepts_the_right_password_and_builds_the_actor(engine: Engine, district_user: str) -> None:
    clock.set_now(lambda: T0)
    result = _login(engine, "  District3101 ", PASSWORD)
    assert result.ok
    assert result.actor == Actor("district3101", "district", "31", "3101", "ผู้ใช้ district3101")
    events = _audit(engine)
    assert [(event.action, event.actor, event.district_code, event.at) for event in events] == [
        ("login", "district3101", "3101", T0)
    ]


def test_authenticate_rejects_a_wrong_password_and_counts_it(engine: Engine, district_user: str) -> None:
    result = _login(engine, district_user, WRONG)
    assert result.outcome is AuthOutcome.INVALID
    assert result.attempts_left == 2
    assert result.message == "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง (ใส่ผิดได้อีก 2 ครั้ง ก่อนบัญชีถูกระงับ 15 นาที)"
    assert _user(engine, district_user).failed_attempts == 1
    assert [event.action for event in _audit(engine)] == ["login_failed"]


def test_authenticate_success_forgets_earlier_failures(engine: Engine, district_user: str) -> None:
    _login(engine, district_user, WRONG)
    _login(engine, district_user, WRONG)
    assert _login(engine, district_user, PASSWORD).ok
    assert _user(engine, district_user).failed_attempts == 0


def test_authenticate_locks_after_max_failures_until_the_period_ends(engine: Engine, district_user: str) -> None:
    clock.set_now(lambda: T0)
    outcomes = [_login(engine, district_user, WRONG).outcome for _ in range(3)]
    assert outcomes == [AuthOutcome.INVALID, AuthOutcome.INVALID, AuthOutcome.LOCKED]
    assert _user(engine, district_user).locked_until == T0 + timedelta(minutes=15)

    clock.set_now(lambda: T0 + timedelta(minutes=14, seconds=59))
    refused = _login(engine, district_user, PASSWORD)
    assert refused.outcome is AuthOutcome.LOCKED
    assert refused.locked_until == T0 + timedelta(minutes=15)
    assert "20 มกราคม 2568 เวลา 10:15 น." in refused.message

    clock.set_now(lambda: T0 + timedelta(minutes=15, seconds=1))
    assert _login(engine, district_user, PASSWORD).ok
    user = _user(engine, district_user)
    assert (user.failed_attempts, user.locked_until) == (0, None)
    assert [event.action for event in _audit(engine)] == [
        "login_failed",
        "login_failed",
        "account_locked",
        "login_refused",
        "login",
    ]


def test_authenticate_gives_a_full_set_of_attempts_after_a_lock_runs_out(engine: Engine, district_user: str) -> None:
    clock.set_now(lambda: T0)
    for _ in range(3):
        _login(engine, district_user, WRONG)
    clock.set_now(lambda: T0 + timedelta(minutes=16))
    again = _login(engine, district_user, WRONG)
    assert (again.outcome, again.attempts_left) == (AuthOutcome.INVALID, 2)


def test_authenticate_refuses_a_disabled_account_and_says_so_only_to_its_owner(
    engine: Engine, district_user: str
) -> None:
    with session_scope(engine, write=True) as session:
        session.exec(select(User).where(User.username == district_user)).one().active = False
    assert _login(engine, district_user, WRONG).outcome is AuthOutcome.INVALID
    refused = _login(engine, district_user, PASSWORD)
    assert refused.outcome is AuthOutcome.DISABLED
    assert refused.actor is None
    assert "ถูกปิดการใช้งาน" in refused.message


def test_authenticate_does_not_audit_an_unknown_username(engine: Engine) -> None:
    typed = "my-secret-password-typed-in-the-wrong-box"
    result = _login(engine, typed, WRONG)
    assert result.outcome is AuthOutcome.INVALID
    assert result.message == "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
    events = _audit(engine)
    assert [(event.action, event.actor) for event in events] == [("login_failed", UNKNOWN_USERNAME)]
    assert all(typed not in str(value) for event in events for value in event.model_dump().values())


def test_authenticate_treats_a_username_with_a_nul_as_unknown(engine: Engine, district_user: str) -> None:
    result = _login(engine, "district3101\x00", PASSWORD)
    assert result.outcome is AuthOutcome.INVALID
    assert [(event.action, event.actor) for event in _audit(engine)] == [("login_failed", UNKNOWN_USERNAME)]


def test_authenticate_never_writes_a_password_to_the_audit_trail(engine: Engine, district_user: str) -> None:
    for password in (WRONG, WRONG, PASSWORD):
        _login(engine, district_user, password)
    values = [str(value) for event in _audit(engine) for value in event.model_dump().values()]
    assert values
    assert not any(PASSWORD in value or WRONG in value for value in values)


def test_load_session_user_names_the_area_and_drops_disabled_accounts(engine: Engine, district_user: str) -> None:
    with session_scope(engine, write=True) as session:
        make_user(session, "province31", "province", province_code="31")
        make_user(session, "admin", "admin")
    with session_scope(engine) as session:
        district = load_session_user(session=session, username=district_user)
        province = load_session_user(session=session, username="PROVINCE31")
        admin = load_session_user(session=session, username="admin")
        assert load_session_user(session=session, username="nobody") is None
    assert district is not None and province is not None and admin is not None
    assert district.area_name == "อำเภอเมืองบุรีรัมย์ จังหวัดบุรีรัมย์"
    assert province.area_name == "จังหวัดบุรีรัมย์"
    assert admin.area_name == "ทั้งประเทศ"
    assert province.actor == Actor("province31", "province", "31", None, "ผู้ใช้ province31")
    with session_scope(engine, write=True) as session:
        session.exec(select(User).where(User.username == district_user)).one().active = False
    with session_scope(engine) as session:
        assert load_session_user(session=session, username=district_user) is None


def test_login_credentials_hold_the_stored_hashes_of_active_users(engine: Engine, district_user: str) -> None:
    with session_scope(engine, write=True) as session:
        make_user(session, "gone", "district", district_code="3102").active = False
    with session_scope(engine) as session:
        credentials = login_credentials(session=session)
    assert list(credentials["usernames"]) == [district_user]
    entry = credentials["usernames"][district_user]
    assert entry["name"] == "ผู้ใช้ district3101"
    assert entry["roles"] == ["district"]
    assert verify_password(PASSWORD, entry["password"])


def test_record_logout_is_audited(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        record_logout(session=session, actor=Actor("district3101", "district", "31", "3101"))
    assert [(event.action, event.actor, event.province_code) for event in _audit(engine)] == [
        ("logout", "district3101", "31")
    ]
