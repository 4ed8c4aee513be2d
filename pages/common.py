"""Helpers shared by the screens: the engine and actor of this session, and the period and area pickers."""

from __future__ import annotations

import streamlit as st

from db.engine import Engine, session_scope
from otop.fiscal import Period, bangkok_now, fiscal_year_periods
from otop.i18n import ROLE_LABELS, period_name
from otop.masterdata import list_districts, list_provinces
from otop.permissions import Actor

ENGINE_KEY = "otop_engine"
ACTOR_KEY = "otop_actor"
# Set by app.py for the login page: the login widget, the outcome of the last attempt, a notice to show.
AUTHENTICATOR_KEY = "otop_authenticator"
LOGIN_RESULT_KEY = "otop_login_result"
LOGIN_NOTICE_KEY = "otop_login_notice"
FIRST_FISCAL_YEAR = 2567


def _go_through_app() -> None:
    """Send a page that app.py did not run to app.py, which logs in and builds the role's menu.

    Until app.py has called st.navigation once in the server process, Streamlit serves a URL
    such as /users by running the file of pages/ directly (its pages-directory fallback).
    """
    if ENGINE_KEY not in st.session_state:
        st.switch_page("app.py")


def get_engine() -> Engine:
    """The engine app.py put in the session (tests put their own there)."""
    engine = st.session_state.get(ENGINE_KEY)
    if engine is None:
        _go_through_app()
        st.error("ไม่พบการเชื่อมต่อฐานข้อมูล กรุณาเปิดหน้าเว็บใหม่")
        st.stop()
    return engine


def get_actor() -> Actor:
    """The logged-in actor; a page opened without one shows nothing of itself."""
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None:
        _go_through_app()
        st.error("กรุณาเข้าสู่ระบบก่อนใช้งาน")
        st.stop()
    return actor


def require_roles(*roles: str) -> Actor:
    """The logged-in actor, if their role is one of ``roles``; otherwise the page stops before showing anything.

    Pages call it first. The navigation already leaves out pages a role may not open; this
    guard keeps a page shut even when it is run some other way. Services check again.
    """
    actor = get_actor()
    if actor.role not in roles:
        allowed = ", ".join(ROLE_LABELS[role] for role in roles)
        st.error(f"หน้านี้เปิดได้เฉพาะ {allowed} บัญชีของคุณ ({ROLE_LABELS[actor.role]}) จึงเปิดหน้านี้ไม่ได้")
        st.stop()
    return actor


def clear_cached_reads() -> None:
    """Called after every write so that every screen shows the new figures on its next run."""
    st.cache_data.clear()


def fiscal_year_options() -> list[int]:
    current = Period.of_date(bangkok_now().date()).fiscal_year_be
    return list(range(current, FIRST_FISCAL_YEAR - 1, -1))


def pick_period(key: str, *, default: Period, container=st) -> Period:  # type: ignore[no-untyped-def]
    """Fiscal year (BE) and month (Thai names, October first) side by side; returns the chosen period."""
    years = fiscal_year_options()
    if default.fiscal_year_be not in years:
        years = sorted({*years, default.fiscal_year_be}, reverse=True)
    left, right = container.columns(2)
    fiscal_year_be = left.selectbox(
        "ปีงบประมาณ (พ.ศ.)", years, index=years.index(default.fiscal_year_be), key=f"{key}_fiscal_year"
    )
    periods = fiscal_year_periods(fiscal_year_be)
    index = default.fiscal_month_index if default.fiscal_year_be == fiscal_year_be else 0
    period = right.selectbox("เดือน", periods, index=index, format_func=lambda p: period_name(p), key=f"{key}_month")
    return period


def pick_province(key: str, actor: Actor, *, container=st) -> str:  # type: ignore[no-untyped-def]
    """The actor's own province, or a choice of all provinces for national roles."""
    if actor.province_code:
        return actor.province_code
    with session_scope(get_engine()) as session:
        provinces = {p.code: p.name_th for p in list_provinces(session)}
    codes = list(provinces)
    default = codes.index("31") if "31" in codes else 0
    return container.selectbox(
        "จังหวัด", codes, index=default, format_func=lambda code: provinces[code], key=f"{key}_province"
    )


def pick_district(key: str, actor: Actor, *, container=st) -> str:  # type: ignore[no-untyped-def]
    """The actor's own district, or a choice among the districts the actor may see."""
    if actor.district_code:
        return actor.district_code
    province_code = pick_province(key, actor, container=container)
    with session_scope(get_engine()) as session:
        districts = {d.code: d.name_th for d in list_districts(session, province_code)}
    return container.selectbox(
        "อำเภอ", list(districts), format_func=lambda code: f"{districts[code]} ({code})", key=f"{key}_district"
    )
