"""pages/reporting_calendar.py: the admin sets the close and reopen days and a period's own window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from db.models import AuditEvent, CalendarSetting, PeriodOverride
from otop import clock
from otop.fiscal import BANGKOK, Period
from otop.permissions import Actor
from tests.factories import actor

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "reporting_calendar.py")
NOW = datetime(2024, 11, 7, 9, 0, tzinfo=BANGKOK)  # between the close of October and the opening of November
OCTOBER = Period(2567, 10)


@pytest.fixture
def calendar_db(engine: Engine) -> Iterator[Engine]:
    st.cache_data.clear()
    clock.set_now(lambda: NOW)
    yield engine
    st.cache_data.clear()


def open_page(engine: Engine, who: Actor | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["otop_engine"] = engine
    at.session_state["otop_actor"] = who or actor("admin")
    return at.run()


def preview_row(at: AppTest, month: str) -> pd.Series:
    preview = at.dataframe[0].value
    return preview[preview["ข้อมูลเดือน"] == month].iloc[0]


def test_the_page_previews_the_coming_windows_in_thai(calendar_db: Engine) -> None:
    at = open_page(calendar_db)
    assert not at.exception
    assert at.title[0].value == "ปฏิทินการรายงาน"
    assert "ขณะนี้ปิดระบบ" in at.warning[0].value
    assert "เดือนพฤศจิกายน 2567 เมื่อ 10 พฤศจิกายน 2567 เวลา 00:00 น." in at.warning[0].value
    preview = at.dataframe[0].value
    assert len(preview) == 6
    october = preview.iloc[0]
    assert october["ข้อมูลเดือน"] == "ตุลาคม 2567"
    assert october["สถานะตอนนี้"] == "ปิดแล้ว"
    assert october["เปิดรับตั้งแต่"] == "10 ตุลาคม 2567 เวลา 00:00 น."
    assert october["ปิดรับเมื่อสิ้น"] == "5 พฤศจิกายน 2567 เวลา 23:59 น."
    assert october["ยืนยันได้ไม่ล่าช้าถึง"] == "5 พฤศจิกายน 2567"
    assert preview.iloc[1]["สถานะตอนนี้"] == "ยังไม่เปิด"


def test_the_admin_sets_the_close_and_reopen_days(calendar_db: Engine) -> None:
    at = open_page(calendar_db)
    at.number_input(key="calendar_close_day").set_value(8)
    at.number_input(key="calendar_reopen_day").set_value(12)
    at.button(key="calendar_save_days").click().run()
    assert not at.exception
    assert at.success[0].value == "บันทึกแล้ว: ปิดระบบวันที่ 8 เปิดระบบวันที่ 12 ของทุกเดือน"
    with session_scope(calendar_db) as session:
        setting = session.get(CalendarSetting, 1)
        assert setting is not None and (setting.close_day, setting.reopen_day, setting.updated_by) == (8, 12, "admin")
    october = preview_row(at, "ตุลาคม 2567")
    assert october["ปิดรับเมื่อสิ้น"] == "7 พฤศจิกายน 2567 เวลา 23:59 น."
    assert october["สถานะตอนนี้"] == "เปิดอยู่"
    assert any("แก้ไขล่าสุดโดย admin" in caption.value for caption in at.caption)


def test_an_insane_window_is_refused_and_nothing_is_saved(calendar_db: Engine) -> None:
    at = open_page(calendar_db)
    at.number_input(key="calendar_close_day").set_value(12)
    at.number_input(key="calendar_reopen_day").set_value(10)
    at.button(key="calendar_save_days").click().run()
    assert "ต้องมาก่อนวันเปิดระบบ" in at.error[0].value
    with session_scope(calendar_db) as session:
        assert session.get(CalendarSetting, 1) is None


def test_the_admin_reopens_a_closed_month_and_clears_it_again(calendar_db: Engine) -> None:
    at = open_page(calendar_db)
    assert at.selectbox(key="calendar_override_month").value == OCTOBER
    at.date_input(key="calendar_opens_date").set_value(date(2024, 11, 7))
    at.time_input(key="calendar_opens_time").set_value(time(9, 0))
    at.date_input(key="calendar_closes_date").set_value(date(2024, 11, 9))
    at.time_input(key="calendar_closes_time").set_value(time(16, 30))
    at.button(key="calendar_save_override").click().run()
    assert "ต้องระบุเหตุผล" in at.error[0].value
    at.text_input(key="calendar_override_reason").input("เปิดให้แก้ไขหลังน้ำท่วม").run()
    at.button(key="calendar_save_override").click().run()
    assert not at.exception
    assert at.success[0].value == "กำหนดช่วงเวลาพิเศษของเดือนตุลาคม 2567 แล้ว"
    assert "ขณะนี้เปิดรับข้อมูล: เดือนตุลาคม 2567" in at.info[0].value
    overrides = at.dataframe[1].value
    assert list(overrides["ข้อมูลเดือน"]) == ["ตุลาคม 2567"]
    assert overrides.iloc[0]["ปิดรับเมื่อ"] == "9 พฤศจิกายน 2567 เวลา 16:30 น."
    assert preview_row(at, "ตุลาคม 2567")["ที่มา"] == "กำหนดพิเศษ"
    at.button(key="calendar_clear_override").click().run()
    assert at.success[0].value.startswith("ยกเลิกช่วงเวลาพิเศษของเดือนตุลาคม 2567 แล้ว")
    with session_scope(calendar_db) as session:
        assert session.get(PeriodOverride, OCTOBER.code) is None
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["period_override", "period_override_cleared"]


def test_a_province_officer_cannot_open_the_calendar(calendar_db: Engine) -> None:
    at = open_page(calendar_db, actor("province", "31"))
    assert "หน้านี้เปิดได้เฉพาะ" in at.error[0].value
    assert not at.dataframe
