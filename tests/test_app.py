"""app.py through AppTest: login, wrong password, lockout and its end, logout, and each role's navigation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from sqlmodel import select
from streamlit.testing.v1 import AppTest
from streamlit_authenticator.controllers import CookieController

from db.engine import session_scope
from db.models import AuditEvent, User
from otop import clock
from otop.navigation import ACCOUNT_SECTION, PAGES, pages_for, sections_for
from otop.permissions import Actor
from tests.factories import make_producer, make_user

ROOT = Path(__file__).resolve().parent.parent
# AppTest resets Streamlit's "pages/ directory" flag before every run, so with app.py as the
# main script the second run would execute a file of pages/ directly (the old multipage
# mode) and skip app.py. A runner script outside the project keeps every run going through
# app.py, as the server does once app.py has called st.navigation.
RUNNER = f"import runpy\nrunpy.run_path({str(ROOT / 'app.py')!r}, run_name='__main__')\n"
PASSWORD = "correct-horse-battery"
COOKIE_KEY = "a-test-cookie-key-that-is-long-enough-0123456789"
T0 = datetime(2025, 1, 20, 3, 0, tzinfo=UTC)
ROLE_USERS = {
    "district": ("district3101", {"district_code": "3101"}),
    "province": ("province31", {"province_code": "31"}),
    "department": ("department", {}),
    "admin": ("admin", {}),
}


@pytest.fixture
def app_db(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The test database behind app.py (outside demo mode, no login pause, lockout after 3 failures)."""
    monkeypatch.setenv("OTOP_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("OTOP_DEMO_MODE", "0")
    monkeypatch.setenv("OTOP_COOKIE_KEY", COOKIE_KEY)
    monkeypatch.setenv("OTOP_LOGIN_SLEEP_SECONDS", "0")
    monkeypatch.setenv("OTOP_MAX_FAILED_LOGINS", "3")
    monkeypatch.setenv("OTOP_LOCKOUT_MINUTES", "15")
    st.cache_resource.clear()
    st.cache_data.clear()
    with session_scope(engine, write=True) as session:
        for role, (username, area) in ROLE_USERS.items():
            make_user(session, username, role, password=PASSWORD, **area)
    yield engine
    st.cache_resource.clear()
    st.cache_data.clear()


def open_app() -> AppTest:
    return AppTest.from_string(RUNNER, default_timeout=30).run()


def submit_login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def reachable(at: AppTest, path: str) -> bool:
    """Whether the navigation of the last run registered this page file."""
    try:
        at.switch_page(str(ROOT / path))
    except ValueError:
        return False
    return True


def actions(engine: Engine) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return [(event.action, event.actor) for event in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def on_login_page(at: AppTest) -> bool:
    return [widget.label for widget in at.text_input] == ["ชื่อผู้ใช้", "รหัสผ่าน"] and "otop_actor" not in at.session_state


def test_an_anonymous_visitor_gets_only_the_thai_login_page(app_db: Engine) -> None:
    at = open_app()
    assert not at.exception
    assert on_login_page(at)
    assert at.button[0].label == "เข้าสู่ระบบ"
    assert at.header[0].value.startswith("ระบบรายงานรายได้")
    assert reachable(at, "pages/login.py")
    assert not any(reachable(at, page.path) for page in PAGES)
    assert len(at.info) == 0


def test_login_success_sets_the_actor_sidebar_and_navigation(app_db: Engine) -> None:
    at = submit_login(open_app(), "District3101", PASSWORD)
    assert not at.exception
    assert at.session_state["otop_actor"] == Actor("district3101", "district", "31", "3101", "ผู้ใช้ district3101")
    assert [markdown.value for markdown in at.sidebar.markdown] == ["**ผู้ใช้ district3101**"]
    assert [caption.value for caption in at.sidebar.caption] == ["เจ้าหน้าที่อำเภอ · อำเภอเมืองบุรีรัมย์ จังหวัดบุรีรัมย์"]
    assert at.sidebar.button(key="app_logout").label == "ออกจากระบบ"
    assert len(at.text_input) == 0
    assert reachable(at, "pages/home.py")
    assert not reachable(at, "pages/login.py")
    assert actions(app_db) == [("login", "district3101")]


def test_wrong_password_shows_a_thai_error_and_stays_on_the_login_page(app_db: Engine) -> None:
    at = submit_login(open_app(), "district3101", "wrong-password")
    assert on_login_page(at)
    assert [error.value for error in at.error] == ["ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง (ใส่ผิดได้อีก 2 ครั้ง ก่อนบัญชีถูกระงับ 15 นาที)"]
    assert not reachable(at, "pages/home.py")
    assert actions(app_db) == [("login_failed", "district3101")]


def test_lockout_after_three_failures_ends_after_the_period(app_db: Engine) -> None:
    clock.set_now(lambda: T0)
    at = open_app()
    for _ in range(3):
        at = submit_login(at, "district3101", "wrong-password")
    locked_message = at.error[0].value
    assert "ถูกระงับชั่วคราว" in locked_message
    assert "20 มกราคม 2568 เวลา 10:15 น." in locked_message

    clock.set_now(lambda: T0 + timedelta(minutes=10))
    at = submit_login(at, "district3101", PASSWORD)
    assert on_login_page(at)
    assert "ถูกระงับชั่วคราว" in at.error[0].value

    clock.set_now(lambda: T0 + timedelta(minutes=15, seconds=1))
    at = submit_login(at, "district3101", PASSWORD)
    assert at.session_state["otop_actor"].username == "district3101"
    assert len(at.error) == 0
    assert [action for action, _ in actions(app_db)] == [
        "login_failed",
        "login_failed",
        "account_locked",
        "login_refused",
        "login",
    ]


def test_a_disabled_account_is_told_so(app_db: Engine) -> None:
    with session_scope(app_db, write=True) as session:
        session.exec(select(User).where(User.username == "province31")).one().active = False
    at = submit_login(open_app(), "province31", PASSWORD)
    assert on_login_page(at)
    assert "ถูกปิดการใช้งาน" in at.error[0].value


def test_logout_returns_to_the_login_page_and_is_audited(app_db: Engine) -> None:
    at = submit_login(open_app(), "province31", PASSWORD)
    assert at.session_state["otop_actor"].role == "province"
    at = at.sidebar.button(key="app_logout").click().run()
    assert not at.exception
    assert on_login_page(at)
    assert at.session_state["authentication_status"] is None
    assert not any(reachable(at, page.path) for page in PAGES)
    assert actions(app_db) == [("login", "province31"), ("logout", "province31")]


def test_an_account_disabled_during_a_session_is_logged_out_on_the_next_run(app_db: Engine) -> None:
    at = submit_login(open_app(), "district3101", PASSWORD)
    assert "otop_actor" in at.session_state
    with session_scope(app_db, write=True) as session:
        session.exec(select(User).where(User.username == "district3101")).one().active = False
    at.run()
    assert on_login_page(at)
    assert "ถูกปิดการใช้งานแล้ว" in at.warning[0].value


def test_a_role_change_takes_effect_on_the_next_run(app_db: Engine) -> None:
    at = submit_login(open_app(), "district3101", PASSWORD)
    assert not reachable(at, "pages/users.py")
    with session_scope(app_db, write=True) as session:
        user = session.exec(select(User).where(User.username == "district3101")).one()
        user.role, user.district_code = "province", None
    at.run()
    assert at.session_state["otop_actor"].role == "province"
    assert reachable(at, "pages/users.py")


def remember(monkeypatch: pytest.MonkeyPatch, username: str) -> None:
    """Make the browser present a valid login cookie for ``username`` (until the session logs out)."""
    token = {"username": username, "exp_date": (datetime.now() + timedelta(days=1)).timestamp()}
    monkeypatch.setattr(
        CookieController, "get_cookie", lambda self: None if st.session_state.get("logout") else dict(token)
    )


def test_a_remembered_login_opens_the_requested_page_directly(app_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    remember(monkeypatch, "province31")
    at = open_app()
    assert at.session_state["otop_actor"].username == "province31"
    at.switch_page(str(ROOT / "pages" / "users.py")).run()
    assert not at.exception
    assert at.title[0].value == "จัดการผู้ใช้"
    at = at.sidebar.button(key="app_logout").click().run()
    assert on_login_page(at)


def test_a_remembered_login_of_a_disabled_account_is_forgotten(app_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with session_scope(app_db, write=True) as session:
        session.exec(select(User).where(User.username == "district3101")).one().active = False
    remember(monkeypatch, "district3101")
    at = open_app()
    assert on_login_page(at)
    assert at.warning[0].value == "การเข้าสู่ระบบที่จำไว้ใช้ไม่ได้แล้ว กรุณาเข้าสู่ระบบใหม่"
    assert at.session_state["logout"] is True


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_each_role_sees_exactly_its_pages(app_db: Engine, role: str) -> None:
    at = open_app()
    at.session_state["authentication_status"] = True
    at.session_state["username"] = ROLE_USERS[role][0]
    at.run()
    assert not at.exception
    allowed = {page.path for page in pages_for(role)}
    assert {page.path for page in PAGES if reachable(at, page.path)} == allowed
    assert {"pages/home.py", "pages/account.py"} <= allowed
    assert ("pages/users.py" in allowed) is (role != "district")


def test_the_menu_puts_the_account_section_last() -> None:
    for role in ROLE_USERS:
        sections = list(sections_for(role))
        assert sections[0] == "ทั่วไป"
        assert sections[-1] == ACCOUNT_SECTION
    assert sections_for(None) == {}


def test_outside_demo_mode_the_app_refuses_a_short_cookie_key(app_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTOP_COOKIE_KEY", "too-short")
    at = open_app()
    assert "OTOP_COOKIE_KEY" in at.error[0].value
    assert "32 ไบต์" in at.error[0].value
    assert len(at.text_input) == 0
    assert "otop_engine" not in at.session_state


def test_demo_mode_shows_the_banner_and_the_demo_accounts(app_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTOP_DEMO_MODE", "1")
    with session_scope(app_db, write=True) as session:
        make_producer(session)  # a database with data gets no demo data loaded into it
    at = open_app()
    assert at.info[0].value.startswith("โหมดสาธิต")
    assert at.expander[0].label == "บัญชีทดลองใช้ (เฉพาะโหมดสาธิต)"
    assert on_login_page(at)
