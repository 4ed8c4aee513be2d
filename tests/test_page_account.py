"""pages/account.py: everyone sees their own account and changes their own password."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from db.models import User
from otop.passwords import verify_password
from tests.factories import actor, make_user

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "account.py")
OLD_PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-brand-new-secret-2568"


@pytest.fixture
def account_db(engine: Engine) -> Iterator[Engine]:
    st.cache_data.clear()
    with session_scope(engine, write=True) as session:
        make_user(session, "district3101", "district", password=OLD_PASSWORD, district_code="3101")
    yield engine
    st.cache_data.clear()


def open_page(engine: Engine) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["otop_engine"] = engine
    at.session_state["otop_actor"] = actor("district", "3101")
    return at.run()


def change(at: AppTest, current: str, new: str, confirm: str) -> AppTest:
    at.text_input(key="account_current_password").input(current)
    at.text_input(key="account_new_password").input(new)
    at.text_input(key="account_confirm_password").input(confirm)
    return at.button(key="account_change_password").click().run()


def password_hash(engine: Engine) -> str:
    with session_scope(engine) as session:
        return session.exec(select(User.password_hash).where(User.username == "district3101")).one()


def test_the_page_shows_the_own_account(account_db: Engine) -> None:
    at = open_page(account_db)
    assert not at.exception
    details = at.markdown[0].value
    assert "**ชื่อผู้ใช้:** district3101" in details
    assert "**พื้นที่:** อำเภอเมืองบุรีรัมย์ จังหวัดบุรีรัมย์" in details
    assert "**บทบาท:** เจ้าหน้าที่อำเภอ" in details


def test_changing_the_password_needs_the_current_one(account_db: Engine) -> None:
    at = change(open_page(account_db), "a-wrong-guess", NEW_PASSWORD, NEW_PASSWORD)
    assert at.error[0].value == "รหัสผ่านปัจจุบันไม่ถูกต้อง"
    assert verify_password(OLD_PASSWORD, password_hash(account_db))


def test_mismatched_new_passwords_are_refused(account_db: Engine) -> None:
    at = change(open_page(account_db), OLD_PASSWORD, NEW_PASSWORD, "something-else-2568")
    assert at.error[0].value == "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน กรุณากรอกใหม่"
    assert verify_password(OLD_PASSWORD, password_hash(account_db))


def test_a_good_change_is_saved_and_confirmed(account_db: Engine) -> None:
    at = change(open_page(account_db), OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert not at.exception
    assert at.success[0].value.startswith("เปลี่ยนรหัสผ่านแล้วเมื่อ ")
    assert verify_password(NEW_PASSWORD, password_hash(account_db))
    assert at.text_input(key="account_new_password").value == ""
