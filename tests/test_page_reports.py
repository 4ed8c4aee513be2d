"""The reports page and Excel panels under AppTest: kinds per role, previews, downloads, upload → dry run → confirm."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import streamlit as st
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from db.models import MonthlySale
from otop import clock
from otop.exports import export_rt1
from otop.fiscal import BANGKOK, Period
from otop.permissions import Actor
from tests.factories import actor, make_producer, make_sale

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "reports.py")
PERIOD = Period(2567, 10)
OPEN_NOW = datetime(2024, 11, 3, 10, 0, tzinfo=BANGKOK)
DISTRICT = actor("district", "3101")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _fresh_page_state() -> Iterator[None]:
    st.cache_data.clear()
    clock.set_now(lambda: OPEN_NOW)
    yield
    st.cache_data.clear()


@pytest.fixture
def producer_id(engine: Engine) -> int:
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3101", name="กลุ่มทอผ้าไหมบ้านสวาย")
        make_sale(session, producer, PERIOD.code, (1000, 0, 0, 0))
    return producer.id  # type: ignore[return-value]


def _run(at: AppTest, engine: Engine, who: Actor) -> AppTest:
    at.session_state["otop_engine"] = engine
    at.session_state["otop_actor"] = who
    at.run()
    assert not at.exception, [exception.message for exception in at.exception]
    return at


def _page(engine: Engine, who: Actor = DISTRICT) -> AppTest:
    return _run(AppTest.from_file(PAGE, default_timeout=60), engine, who)


def _october(at: AppTest) -> AppTest:
    return _choose(_choose(at, "reports_fiscal_year", 2568), "reports_month", PERIOD)


def _choose(at: AppTest, key: str, value: object) -> AppTest:
    at.selectbox(key=key).set_value(value)
    at.run()
    assert not at.exception, [exception.message for exception in at.exception]
    return at


def test_a_district_officer_gets_the_district_kinds_and_the_rt1_preview(engine: Engine, producer_id: int) -> None:
    at = _october(_page(engine))

    assert at.selectbox(key="reports_kind").options == [
        "รต.1 ยอดจำหน่ายรายผู้ผลิต (อำเภอ รายเดือน)",
        "รต.2 สรุปรายเดือนของอำเภอ (พร้อมช่องลงนาม)",
        "แบบประมาณการรายได้ของอำเภอ",
        "สรุปภาพรวมยอดจำหน่าย",
        "สรุปรายเดือน แยกตามประเภทผลิตภัณฑ์",
        "สรุปรายเดือน แยกตามช่องทาง (ในประเทศ/ต่างประเทศ ออฟไลน์/ออนไลน์)",
        "ข้อมูลรายเดือนของยอดจำหน่าย (ปี × เดือน)",
    ]
    preview = at.dataframe[0].value
    assert list(preview["รายชื่อกลุ่ม/ผู้ผลิต ผู้ประกอบการ OTOP"]) == ["กลุ่มทอผ้าไหมบ้านสวาย", "รวม"]
    assert list(preview["รวมทั้งสิ้น"]) == ["1,000.00", "1,000.00"]
    assert at.subheader[0].value.startswith("แบบจัดเก็บข้อมูลรายได้")
    assert at.get("download_button")[0].proto.label == "ดาวน์โหลดไฟล์ Excel"


def test_a_province_officer_previews_rt4_with_every_district(engine: Engine, producer_id: int) -> None:
    at = _page(engine, actor("province", "31"))
    at = _october(_choose(at, "reports_kind", "rt4"))

    preview = at.dataframe[0].value
    assert len(preview) == 24
    assert preview.iloc[0]["อำเภอ"] == "เมืองบุรีรัมย์"
    assert preview.iloc[-1]["รวมทั้งสิ้น (บาท)"] == "1,000.00"
    assert not any("by-province" in option for option in at.selectbox(key="reports_kind").options)


def test_the_department_sees_that_national_reports_count_locked_data_only(engine: Engine, producer_id: int) -> None:
    at = _page(engine, actor("department"))
    at = _choose(at, "reports_kind", "by-province")

    assert any("นับเฉพาะข้อมูลที่จังหวัดล็อกแล้ว" in caption.value for caption in at.caption)
    preview = at.dataframe[0].value
    assert preview.iloc[-1]["รวมทั้งสิ้น (บาท)"] == "0.00"  # nothing is locked yet


# --- the upload panels ---------------------------------------------------------------------------------


def _rt1_panel_script() -> None:
    import streamlit as st

    from otop.fiscal import Period
    from pages.excel_panels import render_rt1_panel

    render_rt1_panel(
        engine=st.session_state["otop_engine"],
        actor=st.session_state["otop_actor"],
        district_code="3101",
        period=Period(2567, 10),
    )


def _filled_rt1(engine: Engine, producer_id: int, value: object) -> bytes:
    with session_scope(engine) as session:
        content = export_rt1(session=session, actor=DISTRICT, district_code="3101", period=PERIOD).content
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet[f"B{r}"].value == producer_id)
    sheet[f"M{row}"].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _stored(engine: Engine) -> Decimal:
    with session_scope(engine) as session:
        return session.scalars(select(MonthlySale.domestic_offline)).one()


def _panel(engine: Engine, who: Actor = DISTRICT) -> AppTest:
    return _run(AppTest.from_function(_rt1_panel_script, default_timeout=60), engine, who)


def test_the_rt1_panel_previews_an_upload_and_saves_only_on_confirm(engine: Engine, producer_id: int) -> None:
    at = _panel(engine)
    at.file_uploader[0].set_value(("rt1.xlsx", _filled_rt1(engine, producer_id, "๑,๒๕๐"), XLSX))
    at.run()

    assert [metric.value for metric in at.metric] == ["0", "1", "0", "0"]
    table = at.dataframe[0].value
    assert list(table["ค่าเดิม → ค่าใหม่"]) == ["ในประเทศ ออฟไลน์: 1,000.00 → 1,250.00"]
    assert _stored(engine) == Decimal("1000.00")

    at.button(key="entry_excel_3101_256710_confirm").click().run()

    assert not at.exception
    assert _stored(engine) == Decimal("1250.00")
    assert at.success[0].value.startswith("นำเข้าไฟล์แบบ รต.1 แล้ว: บันทึกเมื่อ 3 พฤศจิกายน 2567")
    assert at.file_uploader[0].value is None


def test_the_rt1_panel_lists_problems_and_offers_no_confirm(engine: Engine, producer_id: int) -> None:
    at = _panel(engine)
    at.file_uploader[0].set_value(("rt1.xlsx", _filled_rt1(engine, producer_id, "-12"), XLSX))
    at.run()

    assert "ติดลบไม่ได้" in at.error[0].value
    assert "คอลัมน์ M" in at.error[0].value
    assert not [button for button in at.button if button.key and button.key.endswith("_confirm")]
    assert _stored(engine) == Decimal("1000.00")


def test_the_rt1_panel_offers_only_the_download_to_a_reader(engine: Engine, producer_id: int) -> None:
    at = _panel(engine, actor("department"))

    assert len(at.get("download_button")) == 1
    assert len(at.file_uploader) == 0
