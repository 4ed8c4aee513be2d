"""Entry point: page config, database, login, the actor, and the navigation of the actor's screens."""

from functools import partial
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit_authenticator as stauth

from db.engine import session_scope
from otop.auth import SessionUser, authenticate, load_session_user, login_credentials, record_logout
from otop.bootstrap import open_database
from otop.config import Settings, SettingsError, get_settings
from otop.i18n import ROLE_LABELS
from otop.navigation import sections_for
from otop.permissions import Actor
from otop.retry import DatabaseUnavailable
from pages.common import ACTOR_KEY, AUTHENTICATOR_KEY, ENGINE_KEY, LOGIN_NOTICE_KEY, LOGIN_RESULT_KEY

# The login cookie is written, and deleted, on the run after login or logout: a component
# rendered in a run that is cut short by st.rerun() may never reach the browser.
REMEMBER_COOKIE_KEY = "otop_remember_cookie"
FORGET_COOKIE_KEY = "otop_forget_cookie"
CREDENTIALS_TTL_SECONDS = 300
# Page files by absolute path, so the app runs the same whatever the working directory or launcher.
ROOT = Path(__file__).resolve().parent

st.set_page_config(page_title="ระบบรายงานรายได้ OTOP", page_icon="🧺", layout="wide")


def _dispose(engine: Any) -> None:
    engine.dispose()


@st.cache_resource(show_spinner="กำลังเตรียมฐานข้อมูล…", on_release=_dispose)
def _open_engine(settings: Settings):  # type: ignore[no-untyped-def]
    """One engine per settings; tests point OTOP_DATABASE_URL elsewhere and clear st.cache_resource."""
    return open_database(settings)


@st.cache_data(ttl=CREDENTIALS_TTL_SECONDS, max_entries=4, show_spinner=False)
def _credentials(_engine: Any, database_url: str) -> dict[str, Any]:
    """The stored bcrypt hashes, read once and again only after a write (pages clear the cache) or the TTL."""
    with session_scope(_engine) as session:
        return login_credentials(session=session)


def _check_credentials(
    engine: Any, settings: Settings, credentials: dict[str, Any], username: str, password: str
) -> bool:
    with session_scope(engine, write=True) as session:
        result = authenticate(session=session, username=username, password=password, settings=settings)
    st.session_state[LOGIN_RESULT_KEY] = result
    if result.ok and result.actor is not None:
        # An account created since the credentials were cached still gets the widget's session keys.
        credentials["usernames"].setdefault(
            result.username, {"name": result.actor.display_name, "roles": [result.actor.role]}
        )
        st.session_state[REMEMBER_COOKIE_KEY] = True
    return result.ok


def _authenticator(engine: Any, settings: Settings) -> stauth.Authenticate:
    authenticator = stauth.Authenticate(
        _credentials(engine, settings.database_url),
        settings.cookie_name,
        settings.cookie_key,
        settings.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=settings.login_sleep_seconds,
    )
    model = authenticator.authentication_controller.authentication_model
    # The widget asks check_credentials whether a password is right; the database service answers
    # instead, so the lockout, disabled accounts and the audit trail apply to every login.
    model.check_credentials = partial(_check_credentials, engine, settings, model.credentials)
    return authenticator


def _resume_remembered_login(authenticator: stauth.Authenticate) -> None:
    """Resume a login from its signed cookie before the navigation is built, so that a reloaded or
    bookmarked page opens where it was instead of on the login page.
    """
    if st.session_state.get("authentication_status"):
        return
    token = authenticator.cookie_controller.get_cookie()
    if not token:
        return
    try:
        authenticator.authentication_controller.login(token=token)
    except stauth.LoginError:
        # The cookie names an account that can no longer log in: forget it for this session and in the browser.
        st.session_state["logout"] = True
        st.session_state[FORGET_COOKIE_KEY] = True
        st.session_state[LOGIN_NOTICE_KEY] = "การเข้าสู่ระบบที่จำไว้ใช้ไม่ได้แล้ว กรุณาเข้าสู่ระบบใหม่"


def _session_user(engine: Any, authenticator: stauth.Authenticate) -> SessionUser | None:
    """The logged-in user, read from the database on every run so that disabling an account ends its session."""
    if not st.session_state.get("authentication_status"):
        return None
    username = st.session_state.get("username")
    with session_scope(engine) as session:
        user = load_session_user(session=session, username=username) if username else None
    if user is None:
        authenticator.logout(location="unrendered")
        st.session_state[LOGIN_NOTICE_KEY] = "บัญชีนี้ถูกปิดการใช้งานแล้ว จึงออกจากระบบให้โดยอัตโนมัติ"
    return user


def _logout(authenticator: stauth.Authenticate, engine: Any, actor: Actor) -> None:
    with session_scope(engine, write=True) as session:
        record_logout(session=session, actor=actor)
    authenticator.authentication_controller.logout()
    st.session_state.pop(ACTOR_KEY, None)
    st.session_state[FORGET_COOKIE_KEY] = True


def _sidebar(user: SessionUser, authenticator: stauth.Authenticate, engine: Any) -> None:
    with st.sidebar:
        st.markdown(f"**{user.actor.display_name}**")
        if user.position_title not in ("", user.actor.display_name, ROLE_LABELS[user.actor.role]):
            st.caption(user.position_title)
        st.caption(f"{ROLE_LABELS[user.actor.role]} · {user.area_name}")
        st.button(
            "ออกจากระบบ",
            key="app_logout",
            icon=":material/logout:",
            on_click=_logout,
            args=(authenticator, engine, user.actor),
            width="stretch",
        )


try:
    settings = get_settings()
    settings.ensure_safe()
except SettingsError as error:
    st.error(str(error))
    st.stop()

engine = _open_engine(settings)
st.session_state[ENGINE_KEY] = engine
if settings.demo_mode:
    st.info("โหมดสาธิต: ข้อมูลและรหัสผ่านเป็นตัวอย่างเท่านั้น", icon=":material/science:")

authenticator = _authenticator(engine, settings)
st.session_state[AUTHENTICATOR_KEY] = authenticator
_resume_remembered_login(authenticator)
session_user = _session_user(engine, authenticator)

if session_user is None:
    st.session_state.pop(ACTOR_KEY, None)
    if st.session_state.pop(FORGET_COOKIE_KEY, False):
        authenticator.cookie_controller.delete_cookie()
    navigation = st.navigation([st.Page(ROOT / "pages" / "login.py", title="เข้าสู่ระบบ", icon=":material/login:")])
else:
    st.session_state[ACTOR_KEY] = session_user.actor
    if st.session_state.pop(REMEMBER_COOKIE_KEY, False):
        authenticator.cookie_controller.set_cookie()
    _sidebar(session_user, authenticator, engine)
    navigation = st.navigation(
        {
            section: [st.Page(ROOT / page.path, title=page.title, icon=page.icon) for page in pages]
            for section, pages in sections_for(session_user.actor.role).items()
        }
    )
try:
    navigation.run()
except DatabaseUnavailable as error:
    # A lost connection mid-page (the pool reconnects on the next run): say so in Thai, keep the page's input.
    st.error(str(error), icon=":material/cloud_off:")
