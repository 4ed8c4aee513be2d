"""User administration services: who may manage whom, validation in Thai, audit without passwords."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import AuditEvent, User
from otop import clock
from otop.auth import AuthOutcome, authenticate
from otop.config import Settings
from otop.passwords import verify_password
from otop.permissions import Actor, PermissionDenied
from otop.users import (
    UserError,
    UserView,
    assignable_roles,
    change_own_password,
    check_password_policy,
    create_user,
    get_own_account,
    list_users,
    reset_password,
    set_user_active,
    unlock_user,
    update_user,
)
from tests.factories import actor, make_user

OLD_PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-brand-new-secret-2568"
SETTINGS = Settings(max_failed_logins=3, lockout_minutes=15, min_password_length=10)
ADMIN = actor("admin")
PROVINCE31 = actor("province", "31")
T0 = datetime(2025, 1, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
def people(engine: Engine) -> Engine:
    """An admin, a department user, province 31 and 32 officers, and district users of 3101, 3102 and 3201."""
    with session_scope(engine, write=True) as session:
        make_user(session, "admin", "admin")
        make_user(session, "department", "department")
        make_user(session, "province31", "province", province_code="31")
        make_user(session, "province32", "province", province_code="32")
        for code in ("3101", "3102", "3201"):
            make_user(session, f"district{code}", "district", district_code=code)
    return engine


def _write(engine: Engine, call: Callable[[Session], object]) -> object:
    with session_scope(engine, write=True) as session:
        return call(session)


def _user(engine: Engine, username: str) -> User:
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        session.expunge(user)
        return user


def _audit(engine: Engine) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def _login(engine: Engine, username: str, password: str) -> AuthOutcome:
    with session_scope(engine, write=True) as session:
        return authenticate(session=session, username=username, password=password, settings=SETTINGS).outcome


def _create(session: Session, by: Actor = PROVINCE31, **overrides: object) -> UserView:
    fields: dict[str, object] = {
        "username": "district3103",
        "display_name": "สำนักงานพัฒนาชุมชนอำเภอกระสัง",
        "role": "district",
        "district_code": "3103",
        "password": NEW_PASSWORD,
        "position_title": "พัฒนาการอำเภอ",
        "settings": SETTINGS,
    } | overrides
    return create_user(session=session, actor=by, **fields)  # type: ignore[arg-type]


def test_create_user_stores_a_hash_binds_the_area_and_audits(people: Engine) -> None:
    clock.set_now(lambda: T0)
    view = _write(people, lambda session: _create(session, username="  District3103 "))
    assert isinstance(view, UserView)
    assert (view.username, view.role, view.province_code, view.district_code) == (
        "district3103",
        "district",
        "31",
        "3103",
    )
    assert view.area_name == "อำเภอกระสัง จังหวัดบุรีรัมย์"
    stored = _user(people, "district3103")
    assert stored.password_hash != NEW_PASSWORD
    assert verify_password(NEW_PASSWORD, stored.password_hash)
    assert (stored.created_at, stored.password_changed_at, stored.active) == (T0, T0, True)
    events = _audit(people)
    assert [(event.action, event.actor, event.district_code, event.new_value) for event in events] == [
        ("user_create", "province31", "3103", "district")
    ]
    assert _login(people, "district3103", NEW_PASSWORD) is AuthOutcome.SUCCESS


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"username": "ab"}, "ชื่อผู้ใช้ต้องยาว 3–50 ตัว"),
        ({"username": "ผู้ใช้ไทย"}, "ชื่อผู้ใช้ต้องยาว 3–50 ตัว"),
        ({"username": "district3101"}, "มีชื่อผู้ใช้ district3101 อยู่แล้ว"),
        ({"password": "short"}, "รหัสผ่านต้องยาวอย่างน้อย 10 ตัวอักษร"),
        ({"password": "ก" * 25}, "รหัสผ่านยาวเกินไป"),
        ({"password": " padded-password "}, "ต้องไม่ขึ้นต้นหรือลงท้ายด้วยช่องว่าง"),
        ({"password": "abc\x00defghijk"}, "ต้องไม่มีอักขระควบคุม"),
        ({"username": "district3103x", "password": "District3103X"}, "รหัสผ่านต้องไม่เหมือนชื่อผู้ใช้"),
        ({"display_name": "  "}, "กรุณากรอกชื่อที่แสดง"),
        ({"district_code": None}, "ผู้ใช้ระดับอำเภอต้องระบุอำเภอ"),
        ({"district_code": "3199"}, "ไม่พบอำเภอรหัส 3199"),
        ({"district_code": "3103", "province_code": "32"}, "อำเภอรหัส 3103 ไม่อยู่ในจังหวัดรหัส 32"),
        ({"role": "mayor"}, "บทบาท mayor ไม่ถูกต้อง"),
    ],
)
def test_create_user_refuses_bad_input_in_thai_and_saves_nothing(
    people: Engine, overrides: dict[str, object], message: str
) -> None:
    before = len(_audit(people))
    with pytest.raises(UserError, match=message):
        _write(people, lambda session: _create(session, **overrides))
    assert len(_audit(people)) == before
    with session_scope(people) as session:
        assert session.exec(select(User).where(User.username == "district3103")).first() is None


@pytest.mark.parametrize(
    ("by", "overrides"),
    [
        (PROVINCE31, {"district_code": "3201"}),
        (PROVINCE31, {"role": "province", "district_code": None, "province_code": "32"}),
        (PROVINCE31, {"role": "department", "district_code": None}),
        (PROVINCE31, {"role": "admin", "district_code": None}),
        (actor("department"), {"role": "admin", "district_code": None}),
        (actor("district", "3101"), {"district_code": "3101"}),
    ],
    ids=["other-province-district", "other-province-officer", "department", "admin", "dept-makes-admin", "district"],
)
def test_create_user_refuses_areas_and_roles_beyond_the_actor(
    people: Engine, by: Actor, overrides: dict[str, object]
) -> None:
    with pytest.raises(PermissionDenied):
        _write(people, lambda session: _create(session, by=by, **overrides))


def test_assignable_roles_stop_at_the_actors_own() -> None:
    assert assignable_roles(PROVINCE31) == ["district", "province"]
    assert assignable_roles(actor("department")) == ["district", "province", "department"]
    assert assignable_roles(ADMIN) == ["district", "province", "department", "admin"]


def test_list_users_shows_a_province_only_its_own_accounts(people: Engine) -> None:
    with session_scope(people) as session:
        own = list_users(session=session, actor=PROVINCE31, province_code="31")
        everyone = list_users(session=session, actor=ADMIN)
        with pytest.raises(PermissionDenied):
            list_users(session=session, actor=PROVINCE31, province_code="32")
        with pytest.raises(PermissionDenied):
            list_users(session=session, actor=PROVINCE31)
        with pytest.raises(PermissionDenied):
            list_users(session=session, actor=actor("district", "3101"), province_code="31")
    assert sorted(user.username for user in own) == ["district3101", "district3102", "province31"]
    assert len(everyone) == 7
    assert not any(hasattr(user, "password_hash") for user in everyone)


def test_update_user_moves_an_account_and_audits_each_field(people: Engine) -> None:
    view = _write(
        people,
        lambda session: update_user(
            session=session,
            actor=PROVINCE31,
            username="district3102",
            role="district",
            district_code="3105",
            display_name="สำนักงานพัฒนาชุมชนอำเภอใหม่",
        ),
    )
    assert isinstance(view, UserView)
    assert (view.district_code, view.display_name) == ("3105", "สำนักงานพัฒนาชุมชนอำเภอใหม่")
    changes = [(event.field, event.old_value, event.new_value) for event in _audit(people)]
    assert changes == [
        ("district_code", "3102", "3105"),
        ("display_name", "ผู้ใช้ district3102", "สำนักงานพัฒนาชุมชนอำเภอใหม่"),
    ]


def test_update_user_refuses_to_move_an_account_out_of_the_province(people: Engine) -> None:
    with pytest.raises(PermissionDenied):
        _write(
            people,
            lambda session: update_user(
                session=session, actor=PROVINCE31, username="district3101", role="district", district_code="3201"
            ),
        )
    with pytest.raises(PermissionDenied):
        _write(
            people,
            lambda session: update_user(
                session=session, actor=PROVINCE31, username="district3201", role="district", district_code="3101"
            ),
        )
    assert _user(people, "district3101").district_code == "3101"


def test_update_user_refuses_changing_ones_own_role(people: Engine) -> None:
    with pytest.raises(UserError, match="บัญชีตัวเอง"):
        _write(
            people,
            lambda session: update_user(
                session=session, actor=actor("admin", username="admin"), username="admin", role="department"
            ),
        )


def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(people: Engine) -> None:
    shell = actor("admin", username="cli")
    with pytest.raises(UserError, match="ผู้ดูแลระบบที่ใช้งานได้อย่างน้อยหนึ่งบัญชี"):
        _write(people, lambda session: set_user_active(session=session, actor=shell, username="admin", active=False))
    with pytest.raises(UserError, match="ผู้ดูแลระบบที่ใช้งานได้อย่างน้อยหนึ่งบัญชี"):
        _write(people, lambda session: update_user(session=session, actor=shell, username="admin", role="department"))
    with session_scope(people, write=True) as session:
        make_user(session, "admin2", "admin")
    _write(people, lambda session: set_user_active(session=session, actor=shell, username="admin", active=False))
    assert _user(people, "admin").active is False


def test_disabling_an_account_stops_its_logins_and_enabling_restores_them(people: Engine) -> None:
    _write(
        people,
        lambda session: set_user_active(session=session, actor=PROVINCE31, username="district3101", active=False),
    )
    assert _login(people, "district3101", OLD_PASSWORD) is AuthOutcome.DISABLED
    _write(
        people, lambda session: set_user_active(session=session, actor=PROVINCE31, username="district3101", active=True)
    )
    assert _login(people, "district3101", OLD_PASSWORD) is AuthOutcome.SUCCESS
    assert [event.action for event in _audit(people)] == ["user_disable", "login_refused", "user_enable", "login"]


def test_set_user_active_refuses_disabling_oneself(people: Engine) -> None:
    with pytest.raises(UserError, match="ของตัวเองไม่ได้"):
        _write(
            people,
            lambda session: set_user_active(session=session, actor=PROVINCE31, username="province31", active=False),
        )


def test_province_cannot_disable_another_provinces_user(people: Engine) -> None:
    with pytest.raises(PermissionDenied):
        _write(
            people,
            lambda session: set_user_active(session=session, actor=PROVINCE31, username="district3201", active=False),
        )
    assert _user(people, "district3201").active is True


def test_reset_password_replaces_the_hash_lifts_the_lock_and_audits_no_password(people: Engine) -> None:
    clock.set_now(lambda: T0)
    for _ in range(3):
        _login(people, "district3101", "wrong-password")
    assert _login(people, "district3101", OLD_PASSWORD) is AuthOutcome.LOCKED
    _write(
        people,
        lambda session: reset_password(
            session=session, actor=PROVINCE31, username="district3101", new_password=NEW_PASSWORD, settings=SETTINGS
        ),
    )
    assert _login(people, "district3101", OLD_PASSWORD) is AuthOutcome.INVALID
    assert _login(people, "district3101", NEW_PASSWORD) is AuthOutcome.SUCCESS
    events = _audit(people)
    assert "password_reset" in [event.action for event in events]
    assert not any(
        NEW_PASSWORD in str(value) or OLD_PASSWORD in str(value)
        for event in events
        for value in event.model_dump().values()
    )


def test_unlock_user_lets_a_locked_account_in_before_the_period_ends(people: Engine) -> None:
    clock.set_now(lambda: T0)
    for _ in range(3):
        _login(people, "district3101", "wrong-password")
    with session_scope(people) as session:
        listed = {user.username: user for user in list_users(session=session, actor=PROVINCE31, province_code="31")}
    assert listed["district3101"].locked
    assert listed["district3101"].status_label.startswith("ถูกระงับถึง 20 มกราคม 2568")
    _write(people, lambda session: unlock_user(session=session, actor=PROVINCE31, username="district3101"))
    clock.set_now(lambda: T0 + timedelta(minutes=1))
    assert _login(people, "district3101", OLD_PASSWORD) is AuthOutcome.SUCCESS


def test_change_own_password_needs_the_current_one(people: Engine) -> None:
    me = actor("district", "3101")
    with pytest.raises(UserError, match="รหัสผ่านปัจจุบันไม่ถูกต้อง"):
        _write(
            people,
            lambda session: change_own_password(
                session=session, actor=me, current_password="guess-guess", new_password=NEW_PASSWORD, settings=SETTINGS
            ),
        )
    with pytest.raises(UserError, match="ไม่ซ้ำกับรหัสผ่านปัจจุบัน"):
        _write(
            people,
            lambda session: change_own_password(
                session=session, actor=me, current_password=OLD_PASSWORD, new_password=OLD_PASSWORD, settings=SETTINGS
            ),
        )
    with pytest.raises(UserError, match="อย่างน้อย 10 ตัวอักษร"):
        _write(
            people,
            lambda session: change_own_password(
                session=session, actor=me, current_password=OLD_PASSWORD, new_password="short", settings=SETTINGS
            ),
        )
    assert _login(people, "district3101", OLD_PASSWORD) is AuthOutcome.SUCCESS
    _write(
        people,
        lambda session: change_own_password(
            session=session, actor=me, current_password=OLD_PASSWORD, new_password=NEW_PASSWORD, settings=SETTINGS
        ),
    )
    assert _login(people, "district3101", NEW_PASSWORD) is AuthOutcome.SUCCESS
    assert [(event.action, event.actor) for event in _audit(people) if event.action == "password_change"] == [
        ("password_change", "district3101")
    ]


def test_get_own_account_shows_the_actor_only_their_account(people: Engine) -> None:
    with session_scope(people) as session:
        account = get_own_account(session=session, actor=actor("district", "3102"))
    assert (account.username, account.area_name, account.role_label) == (
        "district3102",
        "อำเภอคูเมือง จังหวัดบุรีรัมย์",
        "เจ้าหน้าที่อำเภอ",
    )


@pytest.mark.parametrize("password", ["0123456789", "รหัสผ่านภาษาไทยยาวพอ", "x" * 72])
def test_check_password_policy_accepts_long_enough_passwords(password: str) -> None:
    check_password_policy(password, username="district3101", settings=SETTINGS)
