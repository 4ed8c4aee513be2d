"""pages/users.py: who may open it, what a province sees, and the create / disable / unlock / reset / assign actions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from db.models import AuditEvent, User
from otop.passwords import verify_password
from otop.permissions import Actor
from tests.factories import actor, make_user

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "users.py")
NEW_PASSWORD = "a-brand-new-secret-2568"


@pytest.fixture
def people(engine: Engine) -> Iterator[Engine]:
    st.cache_data.clear()
    with session_scope(engine, write=True) as session:
        make_user(session, "admin", "admin")
        make_user(session, "province31", "province", province_code="31")
        make_user(session, "district3101", "district", district_code="3101").failed_attempts = 2
        make_user(session, "district3201", "district", district_code="3201")
    yield engine
    st.cache_data.clear()


def open_page(engine: Engine, who: Actor) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["otop_engine"] = engine
    at.session_state["otop_actor"] = who
    return at.run()


def stored(engine: Engine, username: str) -> User | None:
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is not None:
            session.expunge(user)
        return user


def test_a_district_user_gets_nothing_of_the_page(people: Engine) -> None:
    at = open_page(people, actor("district", "3101"))
    assert "หน้านี้เปิดได้เฉพาะ" in at.error[0].value
    assert len(at.dataframe) == 0
    assert len(at.text_input) == 0


def test_a_province_sees_only_its_own_users(people: Engine) -> None:
    at = open_page(people, actor("province", "31"))
    assert not at.exception
    table = at.dataframe[0].value
    assert sorted(table["ชื่อผู้ใช้"]) == ["district3101", "province31"]
    assert set(table["พื้นที่"]) == {"อำเภอเมืองบุรีรัมย์ จังหวัดบุรีรัมย์", "จังหวัดบุรีรัมย์"}
    assert at.caption[0].value == "ผู้ใช้ของจังหวัดบุรีรัมย์"
    assert at.selectbox(key="users_new_role").options == ["เจ้าหน้าที่อำเภอ", "เจ้าหน้าที่จังหวัด"]


def test_a_province_creates_a_district_user(people: Engine) -> None:
    at = open_page(people, actor("province", "31"))
    at.text_input(key="users_new_username").input("district3102")
    at.text_input(key="users_new_name").input("สำนักงานพัฒนาชุมชนอำเภอคูเมือง")
    at.selectbox(key="users_new_district_31").set_value("3102")
    at.text_input(key="users_new_password").input(NEW_PASSWORD)
    at.text_input(key="users_new_password_confirm").input(NEW_PASSWORD)
    at = at.button(key="users_new_create").click().run()
    assert not at.exception
    assert at.success[0].value == "เพิ่มผู้ใช้ district3102 (เจ้าหน้าที่อำเภอ · อำเภอคูเมือง จังหวัดบุรีรัมย์) แล้ว"
    assert at.text_input(key="users_new_password").value == ""
    user = stored(people, "district3102")
    assert user is not None
    assert (user.role, user.district_code, user.province_code) == ("district", "3102", "31")
    assert verify_password(NEW_PASSWORD, user.password_hash)
    assert "district3102" in list(at.dataframe[0].value["ชื่อผู้ใช้"])


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short", "short", "รหัสผ่านต้องยาวอย่างน้อย 10 ตัวอักษร"),
        (NEW_PASSWORD, "something-else-2568", "รหัสผ่านทั้งสองช่องไม่ตรงกัน"),
    ],
)
def test_create_shows_the_refusal_and_saves_nothing(people: Engine, password: str, confirm: str, message: str) -> None:
    at = open_page(people, actor("province", "31"))
    at.text_input(key="users_new_username").input("district3102")
    at.text_input(key="users_new_name").input("อำเภอคูเมือง")
    at.text_input(key="users_new_password").input(password)
    at.text_input(key="users_new_password_confirm").input(confirm)
    at = at.button(key="users_new_create").click().run()
    assert message in at.error[0].value
    assert stored(people, "district3102") is None


def test_disable_unlock_and_reset_password_of_a_selected_user(people: Engine) -> None:
    at = open_page(people, actor("province", "31"))
    at.selectbox(key="users_selected").set_value("district3101")
    at = at.run()
    at = at.button(key="users_edit_district3101_unlock").click().run()
    assert at.success[0].value == "ปลดล็อกบัญชี district3101 แล้ว"
    assert stored(people, "district3101").failed_attempts == 0  # type: ignore[union-attr]

    at = at.button(key="users_edit_district3101_disable").click().run()
    assert stored(people, "district3101").active is False  # type: ignore[union-attr]
    assert at.success[0].value.startswith("ปิดการใช้งานบัญชี district3101 แล้ว")
    assert at.button(key="users_edit_district3101_enable").label == "เปิดการใช้งานบัญชีนี้อีกครั้ง"

    at.text_input(key="users_edit_district3101_password").input(NEW_PASSWORD)
    at.text_input(key="users_edit_district3101_password_confirm").input(NEW_PASSWORD)
    at = at.button(key="users_edit_district3101_reset").click().run()
    assert at.success[0].value.startswith("ตั้งรหัสผ่านใหม่ให้ district3101 แล้ว")
    assert verify_password(NEW_PASSWORD, stored(people, "district3101").password_hash)  # type: ignore[union-attr]
    with session_scope(people) as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [event.action for event in events] == ["user_unlock", "user_disable", "password_reset"]
    assert not any(NEW_PASSWORD in str(value) for event in events for value in event.model_dump().values())


def test_admin_sees_every_user_and_moves_one_to_another_district(people: Engine) -> None:
    at = open_page(people, actor("admin"))
    assert len(at.dataframe[0].value) == 4
    at.selectbox(key="users_scope").set_value("32")
    at = at.run()
    assert list(at.dataframe[0].value["ชื่อผู้ใช้"]) == ["district3201"]
    at.selectbox(key="users_edit_district3201_district_32").set_value("3202")
    at = at.button(key="users_edit_district3201_save").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("บันทึกข้อมูลของ district3201 แล้ว")
    assert stored(people, "district3201").district_code == "3202"  # type: ignore[union-attr]
