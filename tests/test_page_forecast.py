"""The forecast page run by AppTest: edit and save, submit, certify (read-only after), reopen by the province."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from otop import clock
from otop.fiscal import BANGKOK, Period
from otop.forecast import ForecastRowInput, load_forecast, save_forecast
from otop.permissions import Actor
from tests.factories import actor

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "forecast.py")
NOW = datetime(2025, 1, 15, 9, 0, tzinfo=BANGKOK)
DISTRICT = actor("district", "3101")
PROVINCE = actor("province", "31")


@pytest.fixture(autouse=True)
def _fresh_page_state() -> Iterator[None]:
    st.cache_data.clear()
    clock.set_now(lambda: NOW)
    yield
    st.cache_data.clear()


def _page(engine: Engine, who: Actor = DISTRICT) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["otop_engine"] = engine
    at.session_state["otop_actor"] = who
    at.run()
    assert not at.exception, [exception.message for exception in at.exception]
    return at


def _sheet(engine: Engine):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return load_forecast(session=session, actor=DISTRICT, district_code="3101", fiscal_year_be=2568)


def _filled(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        save_forecast(
            session=session,
            actor=DISTRICT,
            district_code="3101",
            fiscal_year_be=2568,
            rows=[ForecastRowInput(Period(2567, 10), 100_000, 20_000)],
            base_version=0,
        )


def test_forecast_page_shows_twelve_months_and_the_due_date(engine: Engine) -> None:
    at = _page(engine)
    frame = at.data_editor[0].value
    assert frame["month"].tolist()[0] == "ตุลาคม 2567" and frame["month"].tolist()[-1] == "กันยายน 2568"
    assert len(frame) == 12
    assert "กำหนดส่งจังหวัด: 23 มกราคม 2568 (อีก 8 วัน)" in at.info[0].value


def test_forecast_page_saves_edits_then_submits(engine: Engine) -> None:
    at = _page(engine)
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {0: {"domestic_offline": 150000, "remark": "งานกาชาด"}, 3: {"export_online": 2500.5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert at.metric[0].value == "฿152,500.50"
    assert at.button(key="forecast_submit").disabled
    at.button(key="forecast_save").click().run()
    assert at.success[0].value.startswith("บันทึกประมาณการเมื่อ 15 มกราคม 2568 เวลา 09:00 น.")
    sheet = _sheet(engine)
    assert sheet.months[0].remark == "งานกาชาด" and sheet.total == Decimal("152500.50")
    at.button(key="forecast_submit").click().run()
    assert at.success[0].value == "ส่งแบบประมาณการให้จังหวัดแล้ว"
    assert _sheet(engine).status == "submitted"
    assert "ส่งจังหวัดแล้ว โดย district3101" in at.info[0].value


def test_forecast_page_refuses_bad_input_naming_month_and_column(engine: Engine) -> None:
    at = _page(engine)
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {2: {"domestic_online": -1}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="forecast_save").click().run()
    assert "แถวที่ 3 (ธันวาคม 2567) คอลัมน์ “ในประเทศ ออนไลน์”: ติดลบไม่ได้" in at.error[0].value
    assert _sheet(engine).version == 0


def test_forecast_page_certifies_and_then_is_read_only_until_the_province_reopens(engine: Engine) -> None:
    _filled(engine)
    at = _page(engine)
    at.selectbox(key="forecast_meeting_day").select(14)
    at.selectbox(key="forecast_meeting_month").select(1)
    at.selectbox(key="forecast_meeting_year").select(2568)
    at.text_input(key="forecast_reference").input("ครั้งที่ 1/2568")
    at.text_input(key="forecast_certified_by").input("นายอำเภอเมืองบุรีรัมย์")
    at.button(key="forecast_certify").click().run()
    assert not at.error
    assert "นตผ.อำเภอ รับรองแล้ว · ประชุมวันที่ 14 มกราคม 2568 (ครั้งที่ 1/2568)" in at.success[-1].value
    assert at.warning[0].value.startswith("อ่านอย่างเดียว")
    assert at.data_editor[0].proto.disabled
    assert [button.key for button in at.button if button.key in ("forecast_save", "forecast_reopen")] == []

    province = _page(engine, PROVINCE)
    assert province.data_editor[0].proto.disabled
    province.text_input(key="forecast_reopen_reason").input("ตัวเลขเดือนตุลาคมต้องแก้")
    province.button(key="forecast_reopen").click().run()
    assert province.success[0].value.startswith("เปิดให้อำเภอแก้ไขประมาณการแล้ว")
    assert not province.data_editor[0].proto.disabled
    assert _sheet(engine).status == "draft"


def test_forecast_page_shows_the_province_every_districts_state(engine: Engine) -> None:
    _filled(engine)
    at = _page(engine, PROVINCE)
    (overview,) = [frame.value for frame in at.dataframe if "สถานะ" in frame.value.columns]
    assert len(overview) == 23
    assert overview["สถานะ"].tolist()[0] == "ร่าง (อำเภอยังแก้ไขได้)"
    assert overview["ยอดประมาณการทั้งปี"].tolist()[0] == 120000.0


def test_forecast_page_refuses_a_meeting_date_that_does_not_exist(engine: Engine) -> None:
    _filled(engine)
    at = _page(engine)
    at.selectbox(key="forecast_meeting_day").select(31)
    at.selectbox(key="forecast_meeting_month").select(2)
    at.text_input(key="forecast_reference").input("ครั้งที่ 1/2568")
    at.text_input(key="forecast_certified_by").input("นายอำเภอ")
    at.button(key="forecast_certify").click().run()
    assert at.error[0].value.startswith("วันที่ประชุม นตผ.อำเภอ: ไม่มีวันนี้ในปฏิทิน")
    assert _sheet(engine).status == "draft"
