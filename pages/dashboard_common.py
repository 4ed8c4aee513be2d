"""Shared parts of the three dashboards: cached service reads (cleared by every write), pickers and tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from db.engine import session_scope
from otop import charts
from otop.completeness import DistrictMonthState, month_completeness
from otop.dashboards import (
    AreaProgress,
    Breakdown,
    DistrictDashboard,
    MonthlyHistory,
    NationalDashboard,
    ProvinceDashboard,
    latest_period,
    list_district_names,
    load_district_dashboard,
    load_monthly_history,
    load_national_dashboard,
    load_province_dashboard,
    target_table_frame,
)
from otop.fiscal import Period, round_periods
from otop.i18n import (
    CATEGORY_LABELS,
    LEVEL_LABELS,
    PRODUCER_TYPE_LABELS,
    ROUND_LABELS,
    format_baht,
    format_percent,
    period_name,
)
from otop.permissions import Actor
from pages.common import fiscal_year_options, get_engine

TTL_SECONDS = 60
MAX_ENTRIES = 64


def database_key(engine: Any) -> str:
    """Part of every cache key, so two databases never share an entry (the password is hidden)."""
    return str(engine.url)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def cached_latest_period(
    _engine: Any,
    database: str,
    actor: Actor,
    fiscal_years: tuple[int, ...],
    round_no: int | None = None,
    province_code: str | None = None,
    district_code: str | None = None,
    locked_only: bool = False,
) -> Period | None:
    with session_scope(_engine) as session:
        return latest_period(
            session=session,
            actor=actor,
            fiscal_years=fiscal_years,
            round_no=round_no,
            province_code=province_code,
            district_code=district_code,
            locked_only=locked_only,
        )


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner="กำลังรวมยอดจำหน่าย…")
def cached_province_dashboard(
    _engine: Any,
    database: str,
    actor: Actor,
    province_code: str,
    fiscal_year_be: int,
    round_no: int,
    as_of: Period,
    locked_only: bool = False,
) -> ProvinceDashboard:
    with session_scope(_engine) as session:
        return load_province_dashboard(
            session=session,
            actor=actor,
            province_code=province_code,
            fiscal_year_be=fiscal_year_be,
            round_no=round_no,
            as_of=as_of,
            locked_only=locked_only,
        )


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner="กำลังรวมยอดจำหน่าย…")
def cached_district_dashboard(
    _engine: Any,
    database: str,
    actor: Actor,
    district_code: str,
    fiscal_year_be: int,
    round_no: int,
    as_of: Period,
) -> DistrictDashboard:
    with session_scope(_engine) as session:
        return load_district_dashboard(
            session=session,
            actor=actor,
            district_code=district_code,
            fiscal_year_be=fiscal_year_be,
            round_no=round_no,
            as_of=as_of,
        )


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner="กำลังรวมยอดจำหน่ายทั้งประเทศ…")
def cached_national_dashboard(
    _engine: Any, database: str, actor: Actor, fiscal_year_be: int, round_no: int, as_of: Period
) -> NationalDashboard:
    with session_scope(_engine) as session:
        return load_national_dashboard(
            session=session, actor=actor, fiscal_year_be=fiscal_year_be, round_no=round_no, as_of=as_of
        )


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def cached_monthly_history(
    _engine: Any,
    database: str,
    actor: Actor,
    province_code: str | None = None,
    district_code: str | None = None,
) -> MonthlyHistory:
    with session_scope(_engine) as session:
        return load_monthly_history(
            session=session, actor=actor, province_code=province_code, district_code=district_code
        )


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def cached_month_completeness(
    _engine: Any, database: str, actor: Actor, province_code: str, period: Period
) -> list[DistrictMonthState]:
    with session_scope(_engine) as session:
        return month_completeness(session=session, actor=actor, province_code=province_code, period=period)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def cached_district_names(_engine: Any, database: str, actor: Actor, province_code: str) -> dict[str, str]:
    with session_scope(_engine) as session:
        return list_district_names(session=session, actor=actor, province_code=province_code)


# --- pickers and shared sections ------------------------------------------------------


@dataclass(frozen=True)
class DashboardWindow:
    fiscal_year_be: int
    round_no: int
    as_of: Period
    latest_with_data: Period | None


def pick_window(
    key: str,
    *,
    actor: Actor,
    province_code: str | None = None,
    district_code: str | None = None,
    locked_only: bool = False,
    container=st,  # type: ignore[no-untyped-def]
) -> DashboardWindow:
    """Fiscal year, round and as-of month; they open on the latest month with data."""
    engine = get_engine()
    database = database_key(engine)
    area = {"province_code": province_code, "district_code": district_code, "locked_only": locked_only}
    years = fiscal_year_options()
    latest = cached_latest_period(engine, database, actor, tuple(years), None, **area)
    default_year = latest.fiscal_year_be if latest else years[0]
    year_column, round_column, month_column = container.columns(3)
    fiscal_year_be = year_column.selectbox(
        "ปีงบประมาณ (พ.ศ.)", years, index=years.index(default_year), key=f"{key}_fiscal_year"
    )
    round_no = round_column.selectbox("รอบการประเมิน", [1, 2], format_func=ROUND_LABELS.get, key=f"{key}_round")
    periods = round_periods(fiscal_year_be, round_no)
    latest_in_round = cached_latest_period(engine, database, actor, (fiscal_year_be,), round_no, **area)
    as_of = month_column.selectbox(
        "ข้อมูลถึงเดือน",
        periods,
        index=periods.index(latest_in_round) if latest_in_round in periods else 0,
        format_func=period_name,
        key=f"{key}_as_of",
    )
    return DashboardWindow(fiscal_year_be, round_no, as_of, latest_in_round)


def show_figure(figure: go.Figure, key: str) -> None:
    st.plotly_chart(figure, key=key, config={"displaylogo": False}, theme=None)


ROW_PIXELS = 35


def _status_style(label: object) -> str:
    colour = STATUS_BACKGROUNDS.get(str(label))
    return f"background-color: {colour}" if colour else ""


STATUS_BACKGROUNDS = {
    LEVEL_LABELS["below_baseline"]: "#f9d3cd",
    LEVEL_LABELS["baseline"]: "#fde0cf",
    LEVEL_LABELS["basic"]: "#fbf1c3",
    LEVEL_LABELS["standard"]: "#e2f2d2",
    LEVEL_LABELS["advanced"]: "#c9e9d2",
}


def show_table(
    frame: pd.DataFrame,
    key: str,
    *,
    percent_columns: Sequence[str] = (),
    pinned_columns: Sequence[str] = ("ที่", "อันดับ", "อำเภอ", "จังหวัด", "เดือน"),
    all_rows: bool = False,
) -> None:
    """A sortable table: number columns in baht with thousands separators (satang only where there are any),
    the named columns as percentages, the status column tinted by level, the name columns kept in view."""
    config: dict[str, object] = {
        column: st.column_config.Column(column, pinned=True) for column in pinned_columns if column in frame.columns
    }
    for column in frame.columns:
        if column in percent_columns:
            config[column] = st.column_config.NumberColumn(column, format="%.2f%%")
        elif frame[column].dtype.kind == "f":
            values = frame[column].dropna()
            decimals = 2 if ((values % 1) != 0).any() else 0
            config[column] = st.column_config.NumberColumn(column, format=f"฿%,.{decimals}f")
    data = frame.style.map(_status_style, subset=["สถานะ"]) if "สถานะ" in frame.columns else frame
    st.dataframe(
        data,
        key=key,
        hide_index=True,
        column_config=config,
        placeholder="–",
        height=ROW_PIXELS * (len(frame) + 1) + 3 if all_rows else "auto",
    )


def show_target_table(dashboard: ProvinceDashboard, key: str) -> None:
    """The official table with actual to date, attainment and status, every district on screen; columns sort."""
    show_table(target_table_frame(dashboard), key, percent_columns=["ร้อยละของเป้าหมาย"], all_rows=True)


def show_completeness_strip(states: list[DistrictMonthState], period: Period) -> None:
    """One badge per district: locked, confirmed but not locked, or not confirmed yet."""
    locked = sum(state.locked for state in states)
    confirmed = sum(state.confirmed for state in states)
    badges = []
    for state in states:
        if state.locked:
            badges.append(f":green-badge[:material/lock: {state.district_name_th}]")
        elif state.confirmed:
            badges.append(f":orange-badge[:material/check: {state.district_name_th}]")
        else:
            badges.append(f":red-badge[:material/schedule: {state.district_name_th}]")
    st.markdown(
        f"**ความครบถ้วนเดือน{period_name(period)}**: ยืนยันแล้ว {confirmed}/{len(states)} อำเภอ · "
        f"ล็อกแล้ว {locked}/{len(states)} อำเภอ  \n"
        ":green-badge[:material/lock: ล็อกแล้ว] :orange-badge[:material/check: ยืนยันแล้ว ยังไม่ล็อก] "
        ":red-badge[:material/schedule: ยังไม่ยืนยัน]"
    )
    st.markdown(" ".join(badges))


def show_headline(area: AreaProgress, *, parts: Sequence[AreaProgress] = (), part_label: str = "อำเภอ") -> None:
    """The four numbers a director reads first: running total, attainment, status, and who reached ขั้นสูง."""
    total, share, status, last = st.columns([3, 2, 2, 2])
    total.metric("ยอดจำหน่ายสะสม", format_baht(area.total, decimals=0), border=True)
    share.metric(
        "ร้อยละของเป้าหมาย",
        format_percent(area.attainment),
        help="ยอดสะสม ÷ ระดับขั้นสูง (เป้าหมาย +4%) ของทั้งรอบ",
        border=True,
    )
    status.metric("สถานะทั้งรอบ", LEVEL_LABELS[area.status], border=True)
    if parts:
        reached = sum(part.status == "advanced" for part in parts)
        last.metric(f"{part_label}ที่ถึงขั้นสูง", f"{reached}/{len(parts)}", border=True)
    else:
        last.metric(
            "เทียบเป้าสะสม",
            LEVEL_LABELS[area.status_to_date],
            help="เทียบยอดสะสมกับเป้าหมายสะสมถึงเดือนนี้ (ระดับเป้าหมายกระจายตามสัดส่วนยอดรายเดือนของปีงบประมาณก่อน)",
            border=True,
        )


def show_breakdown(breakdown: Breakdown, area: AreaProgress, key: str) -> None:
    """Sales of the months so far by product category, producer type and channel, and month by month."""
    show_figure(
        charts.share_chart(breakdown.by_category, CATEGORY_LABELS, title="ยอดจำหน่ายตามประเภทผลิตภัณฑ์"),
        key=f"{key}_category_chart",
    )
    show_figure(
        charts.share_chart(breakdown.by_producer_type, PRODUCER_TYPE_LABELS, title="ยอดจำหน่ายตามประเภทผู้ผลิต"),
        key=f"{key}_producer_type_chart",
    )
    left, right = st.columns(2)
    with left:
        show_figure(charts.channel_chart(breakdown.by_channel, title="ตามช่องทางจำหน่าย"), key=f"{key}_channel_chart")
    with right:
        show_figure(
            charts.monthly_channels_chart(area.round_periods, area.actual, title="รายเดือนแยกตามช่องทางจำหน่าย"),
            key=f"{key}_monthly_channels_chart",
        )
