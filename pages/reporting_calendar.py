"""The reporting calendar: the department's close and reopen days, one period's own window, and a preview."""

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from db.engine import session_scope
from otop.fiscal import BANGKOK, Period, bangkok_now
from otop.i18n import format_thai_date, format_thai_datetime, period_name
from otop.navigation import roles_of
from otop.permissions import PermissionDenied
from otop.reporting_calendar import (
    FIRST_DAY,
    LAST_DAY,
    CalendarError,
    calendar_now,
    clear_period_override,
    get_calendar_days,
    list_period_overrides,
    preview_windows,
    set_calendar_days,
    set_period_override,
)
from pages.common import clear_cached_reads, get_engine, pick_period, require_roles

FLASH_KEY = "calendar_flash"
PREVIEW_MONTHS = 6
NO = "—"
SOURCE_LABELS = {"default": "ค่าปกติ", "override": "กำหนดพิเศษ"}

actor = require_roles(*roles_of("pages/reporting_calendar.py"))
engine = get_engine()


def _write(call: Callable[[Any], str]) -> None:
    """Run one write in its own transaction; on success remember the message and show the new state."""
    try:
        with session_scope(engine, write=True) as session:
            message = call(session)
    except (CalendarError, PermissionDenied) as error:
        st.error(str(error), icon=":material/block:")
        return
    clear_cached_reads()
    st.session_state[FLASH_KEY] = message
    st.rerun()


def _until(moment: datetime) -> str:
    """A window's end as people say it: the last minute it is open, not the first one it is closed."""
    return format_thai_datetime(moment - timedelta(minutes=1))


def _state(opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    if now < opens_at:
        return "ยังไม่เปิด"
    return "เปิดอยู่" if now < closes_at else "ปิดแล้ว"


def _moment(day: Any, clock_time: time) -> datetime:
    return datetime.combine(day, clock_time, tzinfo=BANGKOK)


st.title("ปฏิทินการรายงาน")
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash, icon=":material/check_circle:")

with session_scope(engine) as session:
    days = get_calendar_days(session=session, actor=actor)
    current = calendar_now(session=session, actor=actor)
    overrides = list_period_overrides(session=session, actor=actor)
    # Start with the month just closed: the one the department compiles, and the one most often reopened.
    anchor = current.open_periods[0] if current.open_periods else current.next_opening_period
    first_shown = (anchor or Period.of_date(bangkok_now().date())).previous()
    previews = preview_windows(session=session, actor=actor, first=first_shown, months=PREVIEW_MONTHS)

if current.open_periods:
    st.info(
        "ขณะนี้เปิดรับข้อมูล: " + ", ".join(f"เดือน{period_name(period)}" for period in current.open_periods),
        icon=":material/event_available:",
    )
elif current.next_opening_period is not None and current.next_opening_at is not None:
    st.warning(
        f"ขณะนี้ปิดระบบ ไม่มีเดือนที่เปิดรับข้อมูล ระบบจะเปิดรับข้อมูลเดือน{period_name(current.next_opening_period)} "
        f"เมื่อ {format_thai_datetime(current.next_opening_at)}",
        icon=":material/event_busy:",
    )

st.subheader(f"ช่วงเวลาบันทึกข้อมูล {PREVIEW_MONTHS} เดือน")
st.dataframe(
    pd.DataFrame(
        [
            {
                "ข้อมูลเดือน": period_name(preview.period),
                "สถานะตอนนี้": _state(preview.opens_at, preview.closes_at, current.now),
                "เปิดรับตั้งแต่": format_thai_datetime(preview.opens_at),
                "ปิดรับเมื่อสิ้น": _until(preview.closes_at),
                "ยืนยันได้ไม่ล่าช้าถึง": format_thai_date(preview.last_day),
                "ที่มา": SOURCE_LABELS[preview.source],
                "เหตุผล": preview.reason or NO,
            }
            for preview in previews
        ]
    ),
    hide_index=True,
    width="stretch",
    key="calendar_preview",
)

days_column, override_column = st.columns(2, gap="large")
with days_column:
    st.subheader("วันปิดและวันเปิดระบบ")
    st.markdown(
        f"ข้อมูลเดือน M บันทึกได้ตั้งแต่วันที่ **{days.reopen_day}** ของเดือน M จนถึงสิ้นวันที่ "
        f"**{days.close_day - 1}** ของเดือน M+1 · วันที่ {days.close_day}–{days.reopen_day - 1} ของทุกเดือน "
        "กรมปิดระบบเพื่อรวบรวมข้อมูล"
    )
    if days.updated_by:
        st.caption(f"แก้ไขล่าสุดโดย {days.updated_by} เมื่อ {format_thai_datetime(days.updated_at)}")
    else:
        st.caption("ใช้ค่าเริ่มต้นของระบบ (ปิดวันที่ 6 เปิดวันที่ 10)")
    with st.form("calendar_days_form"):
        close_day = st.number_input(
            "วันปิดระบบ (วันที่ของเดือนถัดไป)",
            min_value=FIRST_DAY,
            max_value=LAST_DAY,
            value=days.close_day,
            step=1,
            key="calendar_close_day",
        )
        reopen_day = st.number_input(
            "วันเปิดระบบ (วันที่ของเดือนที่รายงาน)",
            min_value=FIRST_DAY,
            max_value=LAST_DAY,
            value=days.reopen_day,
            step=1,
            key="calendar_reopen_day",
        )
        if st.form_submit_button("บันทึกวันปิดและวันเปิดระบบ", type="primary", key="calendar_save_days"):

            def _save_days(session: Any) -> str:
                saved = set_calendar_days(
                    session=session, actor=actor, close_day=int(close_day), reopen_day=int(reopen_day)
                )
                return f"บันทึกแล้ว: ปิดระบบวันที่ {saved.close_day} เปิดระบบวันที่ {saved.reopen_day} ของทุกเดือน"

            _write(_save_days)

with override_column:
    st.subheader("ช่วงเวลาพิเศษรายเดือน")
    st.caption("ใช้เปิดระบบให้บันทึกเดือนที่ปิดไปแล้ว หรือขยายเวลาทั้งประเทศช่วงวันหยุดยาว")
    override_period = pick_period("calendar_override", default=first_shown)
    now = bangkok_now()
    opens_date_column, opens_time_column = st.columns(2)
    opens_date = opens_date_column.date_input(
        "เปิดรับตั้งแต่วันที่", value=now.date(), key="calendar_opens_date", format="DD/MM/YYYY"
    )
    opens_time = opens_time_column.time_input("เวลา", value=time(8, 30), key="calendar_opens_time")
    closes_date_column, closes_time_column = st.columns(2)
    closes_date = closes_date_column.date_input(
        "ปิดรับเมื่อวันที่", value=now.date() + timedelta(days=7), key="calendar_closes_date", format="DD/MM/YYYY"
    )
    closes_time = closes_time_column.time_input("เวลา", value=time(16, 30), key="calendar_closes_time")
    opens_at, closes_at = _moment(opens_date, opens_time), _moment(closes_date, closes_time)
    st.caption(
        f"ข้อมูลเดือน{period_name(override_period)} บันทึกได้ตั้งแต่ {format_thai_datetime(opens_at)} "
        f"ถึง {format_thai_datetime(closes_at)}"
    )
    override_reason = st.text_input("เหตุผล (ต้องระบุ)", key="calendar_override_reason", max_chars=500)
    if st.button("บันทึกช่วงเวลาพิเศษ", key="calendar_save_override", type="primary"):

        def _save_override(session: Any) -> str:
            set_period_override(
                session=session,
                actor=actor,
                period=override_period,
                opens_at=opens_at,
                closes_at=closes_at,
                reason=override_reason,
            )
            return f"กำหนดช่วงเวลาพิเศษของเดือน{period_name(override_period)} แล้ว"

        _write(_save_override)

st.subheader("ช่วงเวลาพิเศษที่กำหนดไว้")
if overrides:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "ข้อมูลเดือน": period_name(Period.from_code(override.period)),
                    "เปิดรับตั้งแต่": format_thai_datetime(override.opens_at),
                    "ปิดรับเมื่อ": format_thai_datetime(override.closes_at),
                    "เหตุผล": override.reason or NO,
                    "กำหนดโดย": override.set_by or NO,
                    "เมื่อ": format_thai_datetime(override.set_at),
                }
                for override in overrides
            ]
        ),
        hide_index=True,
        width="stretch",
        key="calendar_overrides",
    )
    clear_code = st.selectbox(
        "ยกเลิกช่วงเวลาพิเศษของเดือน",
        [override.period for override in overrides],
        format_func=lambda code: period_name(Period.from_code(code)),
        key="calendar_clear_period",
    )
    if st.button("ยกเลิกช่วงเวลาพิเศษ", key="calendar_clear_override"):

        def _clear(session: Any) -> str:
            clear_period_override(session=session, actor=actor, period=Period.from_code(clear_code))
            return f"ยกเลิกช่วงเวลาพิเศษของเดือน{period_name(Period.from_code(clear_code))} แล้ว กลับไปใช้ค่าปกติ"

        _write(_clear)
else:
    st.caption("ยังไม่มีเดือนที่กำหนดช่วงเวลาพิเศษ ทุกเดือนใช้วันปิดและวันเปิดระบบตามค่าปกติ")
