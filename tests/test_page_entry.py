"""The entry page run by AppTest: edit through the editor's state, save, conflicts, read-only months, sync."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from db.models import MonthlySale, Producer
from otop import clock
from otop.entry import RowInput, save_month
from otop.fiscal import BANGKOK, Period
from otop.permissions import Actor
from tests.factories import actor, lock_month, make_producer, make_sale

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "entry.py")
PERIOD = Period(2567, 10)
OPEN_NOW = datetime(2024, 11, 3, 10, 0, tzinfo=BANGKOK)
DISTRICT = actor("district", "3101")


@pytest.fixture(autouse=True)
def _fresh_page_state() -> Iterator[None]:
    st.cache_data.clear()
    clock.set_now(lambda: OPEN_NOW)
    yield
    st.cache_data.clear()


@pytest.fixture
def month(engine: Engine) -> list[Producer]:
    """Two producers of Mueang Buriram with figures for October 2567."""
    with session_scope(engine, write=True) as session:
        first = make_producer(session, "3101", name="กลุ่มทอผ้าไหมบ้านสวาย")
        second = make_producer(session, "3101", name="กลุ่มแม่บ้านข้าวหอมมะลิ")
        make_sale(session, first, PERIOD.code, (1000, 0, 0, 0))
        make_sale(session, second, PERIOD.code, (2000, 50, 0, 0))
    return [first, second]


def _page(engine: Engine, who: Actor = DISTRICT) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["otop_engine"] = engine
    at.session_state["otop_actor"] = who
    at.run()
    assert not at.exception, [exception.message for exception in at.exception]
    return at


def _edit(at: AppTest, edited_rows: dict[int, dict[str, object]]) -> AppTest:
    at.session_state[at.data_editor[0].key] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    at.run()
    return at


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The read-only table that has a column of this (Thai) name."""
    (table,) = [frame.value for frame in at.dataframe if column in frame.value.columns]
    return table


def _stored(engine: Engine) -> dict[int, tuple[Decimal, Decimal, str | None]]:
    with session_scope(engine) as session:
        return {
            row.producer_id: (row.domestic_offline, row.domestic_online, row.outlier_note)
            for row in session.scalars(select(MonthlySale).where(MonthlySale.period == PERIOD.code))
        }


def test_entry_page_saves_the_edits_and_shows_when(engine: Engine, month: list[Producer]) -> None:
    at = _page(engine)
    assert at.caption[0].value == "แบบ รต.1 · อำเภอเมืองบุรีรัมย์ (3101) · เดือนตุลาคม 2567"
    assert "เปิดให้บันทึกถึงสิ้นวันที่ 5 พฤศจิกายน 2567" in at.info[-1].value
    assert at.data_editor[0].value["producer"].tolist() == ["กลุ่มทอผ้าไหมบ้านสวาย", "กลุ่มแม่บ้านข้าวหอมมะลิ"]
    _edit(at, {0: {"domestic_offline": 1234.5, "domestic_online": 10}})
    assert at.metric[0].value == "฿3,294.50"
    assert at.metric[3].value == "2"
    assert at.data_editor[0].value["total"].tolist() == [1244.5, 2050.0]
    at.button(key="entry_save").click().run()
    assert not at.error
    assert at.success[0].value.startswith("บันทึกเมื่อ 3 พฤศจิกายน 2567 เวลา 10:00 น.")
    assert any("ยืนยันข้อมูลแล้วโดย district3101" in message.value for message in at.success)
    assert _stored(engine)[month[0].id] == (Decimal("1234.50"), Decimal("10.00"), None)  # type: ignore[index]
    assert at.data_editor[0].key.endswith("_v1")
    assert at.metric[3].value == "0"


def test_entry_page_refuses_a_negative_value_naming_row_and_column(engine: Engine, month: list[Producer]) -> None:
    at = _edit(_page(engine), {1: {"domestic_online": -5}})
    at.button(key="entry_save").click().run()
    (error,) = at.error
    assert "แถวที่ 2 (กลุ่มแม่บ้านข้าวหอมมะลิ (อาหาร)) คอลัมน์ “ในประเทศ ออนไลน์”: ติดลบไม่ได้" in error.value
    assert "ยังไม่มีข้อมูลใดถูกบันทึก" in error.value
    assert _stored(engine)[month[1].id][1] == Decimal("50.00")  # type: ignore[index]


def test_entry_page_names_the_rows_of_a_conflict_and_reloads_their_values(
    engine: Engine, month: list[Producer]
) -> None:
    at = _page(engine)
    with session_scope(engine, write=True) as session:
        save_month(
            session=session,
            actor=actor("province", "31"),
            district_code="3101",
            period=PERIOD,
            rows=[RowInput(month[1].id, "food", 2500, 50)],  # type: ignore[arg-type]
            base_version=0,
        )
    _edit(at, {0: {"domestic_offline": 1100}})
    at.button(key="entry_save").click().run()
    (error,) = at.error
    assert "กลุ่มแม่บ้านข้าวหอมมะลิ (อาหาร)" in error.value and "province31" in error.value
    assert _stored(engine)[month[0].id][0] == Decimal("1000.00")  # type: ignore[index]
    at.button(key="entry_reload").click().run()
    assert not at.error
    assert at.data_editor[0].value["domestic_offline"].tolist() == [1000.0, 2500.0]
    assert at.data_editor[0].key.endswith("_v1")


def test_entry_page_shows_a_locked_month_read_only_with_who_and_when(engine: Engine, month: list[Producer]) -> None:
    with session_scope(engine, write=True) as session:
        lock_month(session, "3101", PERIOD.code)
    at = _page(engine)
    (warning,) = at.warning
    assert warning.value.startswith("อ่านอย่างเดียว: ข้อมูลเดือนตุลาคม 2567 ถูกล็อกโดย province31 เมื่อ 3 พฤศจิกายน 2567")
    assert at.data_editor[0].proto.disabled
    assert [button.key for button in at.button if button.key in ("entry_save", "entry_sync")] == []


def test_entry_page_shows_a_closed_month_with_when_and_who_can_reopen(engine: Engine, month: list[Producer]) -> None:
    clock.set_now(lambda: datetime(2024, 11, 7, 9, 0, tzinfo=BANGKOK))
    at = _page(engine)
    (warning,) = at.warning
    assert "ปิดรับข้อมูลเดือนตุลาคม 2567 แล้วตั้งแต่ 6 พฤศจิกายน 2567" in warning.value
    assert "จังหวัดขยายเวลาให้อำเภอได้" in warning.value
    assert at.data_editor[0].proto.disabled


def test_entry_page_syncs_last_months_producers_into_an_empty_month(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        for name in ("กลุ่มหนึ่ง", "กลุ่มสอง"):
            make_sale(session, make_producer(session, "3101", name=name), PERIOD.previous().code, (900, 0, 0, 0))
    at = _page(engine)
    assert not at.data_editor
    assert "ดึงรายชื่อจากเดือนก่อน" in at.info[-1].value
    at.button(key="entry_sync").click().run()
    assert at.success[0].value.startswith("เพิ่ม 2 แถว")
    assert at.data_editor[0].value["domestic_offline"].tolist() == [0.0, 0.0]


def test_entry_page_needs_a_note_for_an_unusual_value(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3101", name="กลุ่มปลาส้ม")
        for offset in range(1, 13):
            make_sale(session, producer, PERIOD.shift(-offset).code, (10_000, 0, 0, 0))
        make_sale(session, producer, PERIOD.code, (10_000, 0, 0, 0))
    at = _edit(_page(engine), {0: {"domestic_offline": 90_000}})
    assert "ต้องใส่หมายเหตุ" in at.warning[0].value and "฿90,000.00" in at.warning[0].value
    assert at.data_editor[0].value["flags"].tolist() == ["⚠ ในประเทศ ออฟไลน์"]
    at.button(key="entry_save").click().run()
    assert "สูงกว่า 5 เท่า" in at.error[0].value
    _edit(at, {0: {"domestic_offline": 90_000, "note": "ออกร้านงาน OTOP City"}})
    at.button(key="entry_save").click().run()
    assert not at.error
    assert _stored(engine)[producer.id] == (Decimal("90000.00"), Decimal("0.00"), "ออกร้านงาน OTOP City")  # type: ignore[index]


def test_entry_page_shows_a_rows_history(engine: Engine, month: list[Producer]) -> None:
    at = _edit(_page(engine), {0: {"domestic_offline": 1500}})
    at.button(key="entry_save").click().run()
    table = _table(at, "คอลัมน์")
    assert table["คอลัมน์"].tolist() == ["ในประเทศ ออฟไลน์"]
    assert (table["ค่าเดิม"].tolist(), table["ค่าใหม่"].tolist()) == (["฿1,000.00"], ["฿1,500.00"])


def test_entry_page_lets_the_department_read_only(engine: Engine, month: list[Producer]) -> None:
    at = _page(engine, actor("department"))
    assert any(message.value == "บัญชีของท่านดูข้อมูลได้อย่างเดียว" for message in at.info)
    assert at.data_editor[0].proto.disabled
    assert [button.key for button in at.button if button.key and button.key.startswith("entry_")] == []
    assert at.selectbox(key="entry_province").value == "31"


def test_entry_page_sends_a_producer_proposal(engine: Engine, month: list[Producer]) -> None:
    at = _page(engine)
    at.text_input(key="entry_propose_name").input("กลุ่มจักสานบ้านโคก")
    at.multiselect(key="entry_propose_categories").select("household")
    at.button(key="entry_propose_submit").click().run()
    assert any("ส่ง “กลุ่มจักสานบ้านโคก” ให้จังหวัดพิจารณาแล้ว" in message.value for message in at.success)
    table = _table(at, "สถานะ")
    assert table["สถานะ"].tolist() == ["รอจังหวัดอนุมัติ"]
