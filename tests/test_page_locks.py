"""pages/locks.py: a province officer verifies a month, locks and unlocks, grants exceptions and decides proposals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from db.models import AuditEvent, DistrictMonth, Producer
from otop import clock
from otop.fiscal import BANGKOK, Period
from otop.permissions import Actor
from otop.status import claim_district_month
from tests.factories import actor, make_producer, make_sale

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "locks.py")
OCTOBER = Period(2567, 10)
NOW = datetime(2024, 11, 8, 9, 0, tzinfo=BANGKOK)  # October 2567 has closed; the province verifies it
PROVINCE = actor("province", "31")


@pytest.fixture
def october(engine: Engine) -> Iterator[Engine]:
    """October 2567 in Buriram: 3101 and 3102 confirmed with sales, the others silent; one pending proposal."""
    st.cache_data.clear()
    clock.set_now(lambda: NOW)
    with session_scope(engine, write=True) as session:
        for district_code, amount in (("3101", 1500), ("3102", 700)):
            producer = make_producer(session, district_code)
            make_sale(session, producer, OCTOBER.code, (amount, 0, 0, 0))
            month = claim_district_month(session, district_code, OCTOBER)
            month.confirmed_by = f"district{district_code}"
            month.confirmed_at = datetime(2024, 11, 3, 15, tzinfo=BANGKOK)
        proposal = make_producer(session, "3104", name="กลุ่มจักสานบ้านหนองตาด", status="pending")
        proposal.proposed_by = "district3104"
    yield engine
    st.cache_data.clear()


def open_page(engine: Engine, who: Actor = PROVINCE) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["otop_engine"] = engine
    at.session_state["otop_actor"] = who
    return at.run()


def locked_codes(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return set(
            session.scalars(
                select(DistrictMonth.district_code).where(
                    DistrictMonth.period == OCTOBER.code,
                    DistrictMonth.locked_at.is_not(None),  # type: ignore[union-attr]
                )
            )
        )


def status_line(at: AppTest) -> str:
    return next(item.value for item in at.markdown if "อำเภอที่ล็อกข้อมูล" in item.value)


def test_the_page_shows_the_month_just_closed_with_every_district(october: Engine) -> None:
    at = open_page(october)
    assert not at.exception
    assert at.title[0].value == "ตรวจสอบและล็อกข้อมูล"
    assert "ข้อมูลเดือนตุลาคม 2567 · จังหวัดบุรีรัมย์" in at.subheader[0].value
    assert status_line(at) == "**อำเภอที่ล็อกข้อมูล: 0/23 อำเภอ**"
    table = at.dataframe[0].value
    assert len(table) == 23
    first = table.iloc[0]
    assert first["อำเภอ"] == "เมืองบุรีรัมย์"
    assert first["ยืนยันข้อมูล"] == "✓ 3 พ.ย. 67 15:00 · district3101"
    assert first["ล็อก"] == "—"
    assert first["ยอดจำหน่าย"] == "฿1,500.00"
    assert first["ผู้ผลิตที่รายงาน"] == "1/1"
    assert table.iloc[2]["กำหนดส่ง"] == "ล่าช้า"
    assert any("ภายในวันที่ 5 พฤศจิกายน 2567" in caption.value for caption in at.caption)


def test_locking_a_confirmed_district_updates_the_status_line(october: Engine) -> None:
    at = open_page(october)
    assert at.selectbox(key="locks_district").value == "3101"
    at.button(key="locks_lock_district").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("ล็อกข้อมูลอำเภอเมืองบุรีรัมย์ เดือนตุลาคม 2567 แล้วเมื่อ 8 พฤศจิกายน 2567")
    assert status_line(at) == "**อำเภอที่ล็อกข้อมูล: 1/23 อำเภอ**"
    assert locked_codes(october) == {"3101"}
    assert at.dataframe[0].value.iloc[0]["ล็อก"].startswith("✓ 8 พ.ย. 67 09:00 · province31")


def test_locking_an_unconfirmed_district_needs_the_extra_confirmation(october: Engine) -> None:
    at = open_page(october)
    at.selectbox(key="locks_district").set_value("3103").run()
    assert any("ยังไม่ได้ยืนยันข้อมูล" in warning.value for warning in at.warning)
    assert at.button(key="locks_lock_district").disabled
    at.checkbox(key="locks_lock_unconfirmed").check().run()
    at.button(key="locks_lock_district").click().run()
    assert "หมายเหตุ: ล็อกทั้งที่ยังไม่ได้ยืนยันข้อมูล: กระสัง" in at.success[0].value
    assert locked_codes(october) == {"3103"}


def test_unlocking_a_district_needs_a_reason(october: Engine) -> None:
    at = open_page(october)
    at.button(key="locks_lock_district").click().run()
    at.selectbox(key="locks_district").set_value("3101").run()
    at.button(key="locks_unlock_district").click().run()
    assert "ต้องระบุเหตุผลการปลดล็อก" in at.error[0].value
    assert locked_codes(october) == {"3101"}
    at.text_area(key="locks_unlock_district_reason").input("อำเภอขอแก้ยอดกลุ่มทอผ้า").run()
    at.button(key="locks_unlock_district").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("ปลดล็อกข้อมูลอำเภอเมืองบุรีรัมย์ เดือนตุลาคม 2567 แล้ว")
    assert locked_codes(october) == set()
    with session_scope(october) as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "unlock")).all()
    assert event.detail == "ปลดล็อกรายอำเภอ: อำเภอขอแก้ยอดกลุ่มทอผ้า"


def test_the_whole_province_is_locked_and_unlocked_only_after_confirmation(october: Engine) -> None:
    at = open_page(october)
    assert at.button(key="locks_lock_province").disabled
    assert any("จะถูกล็อกด้วย (21 อำเภอ)" in warning.value for warning in at.warning)
    at.checkbox(key="locks_province_lock_confirm").check().run()
    at.button(key="locks_lock_province").click().run()
    assert status_line(at) == "**อำเภอที่ล็อกข้อมูล: 23/23 อำเภอ**"
    assert len(locked_codes(october)) == 23
    assert at.button(key="locks_unlock_province").disabled
    at.text_area(key="locks_unlock_province_reason").input("กรมขอให้ตรวจทานใหม่").run()
    at.checkbox(key="locks_province_unlock_confirm").check().run()
    at.button(key="locks_unlock_province").click().run()
    assert status_line(at) == "**อำเภอที่ล็อกข้อมูล: 0/23 อำเภอ**"
    assert "(23 อำเภอ)" in at.success[0].value


def test_granting_and_revoking_an_exception(october: Engine) -> None:
    at = open_page(october)
    at.selectbox(key="locks_exception_district").set_value("3105")
    at.date_input(key="locks_exception_date").set_value(date(2024, 11, 12))
    at.time_input(key="locks_exception_time").set_value(time(16, 30))
    at.text_input(key="locks_exception_reason").input("ผู้ผลิตส่งแบบ รต.1 ล่าช้า")
    at.button(key="locks_grant_exception").click().run()
    assert not at.exception
    assert at.success[0].value == ("ขยายเวลาให้อำเภอหนองกี่ บันทึกข้อมูลเดือนตุลาคม 2567 ได้ถึง 12 พฤศจิกายน 2567 เวลา 16:30 น.")
    assert len(at.dataframe) == 2  # the completeness table, then the active exceptions
    exceptions = at.dataframe[1].value
    assert list(exceptions["อำเภอ"]) == ["หนองกี่"]
    assert at.dataframe[0].value.iloc[4]["ขยายเวลา"] == "12 พ.ย. 2567 16:30 น."
    at.button(key="locks_revoke_exception").click().run()
    assert at.success[0].value == "ยกเลิกการขยายเวลาของอำเภอหนองกี่ แล้ว"
    assert len(at.dataframe) == 1
    assert any("ยังไม่มีอำเภอที่ได้รับการขยายเวลา" in caption.value for caption in at.caption)


def test_a_past_expiry_is_refused_in_thai(october: Engine) -> None:
    at = open_page(october)
    at.date_input(key="locks_exception_date").set_value(date(2024, 11, 1))
    at.button(key="locks_grant_exception").click().run()
    assert "ต้องอยู่หลังเวลาปัจจุบัน" in at.error[0].value


def test_approving_and_rejecting_producer_proposals(october: Engine) -> None:
    with session_scope(october, write=True) as session:
        second = make_producer(session, "3104", name="กลุ่มผ้าไหมบ้านโคกเมือง", status="pending")
        second_id = second.id
    at = open_page(october)
    with session_scope(october) as session:
        first_id = session.scalars(select(Producer.id).where(Producer.name == "กลุ่มจักสานบ้านหนองตาด")).one()
    at.button(key=f"locks_reject_{second_id}").click().run()
    assert "เหตุผลที่ไม่อนุมัติ: ต้องกรอก" in at.error[0].value
    at.button(key=f"locks_approve_{first_id}").click().run()
    assert at.success[0].value.startswith("อนุมัติ “กลุ่มจักสานบ้านหนองตาด” แล้ว")
    at.text_input(key=f"locks_reject_reason_{second_id}").input("ซ้ำกับกลุ่มที่มีอยู่").run()
    at.button(key=f"locks_reject_{second_id}").click().run()
    assert at.success[0].value.startswith("ไม่อนุมัติ “กลุ่มผ้าไหมบ้านโคกเมือง” แล้ว")
    with session_scope(october) as session:
        statuses = dict(
            session.execute(select(Producer.name, Producer.status).where(Producer.district_code == "3104")).all()
        )
    assert statuses == {"กลุ่มจักสานบ้านหนองตาด": "approved", "กลุ่มผ้าไหมบ้านโคกเมือง": "rejected"}
    assert any("ไม่มีผู้ผลิตรายใหม่รออนุมัติ" in info.value for info in at.info)


def test_the_department_picks_a_province_and_cannot_grant_exceptions(october: Engine) -> None:
    at = open_page(october, actor("department"))
    assert not at.exception
    assert at.selectbox(key="locks_province").value == "31"
    assert [tab.label for tab in at.tabs] == ["รายอำเภอ", "ทั้งจังหวัด"]
    at.selectbox(key="locks_province").set_value("32").run()
    assert "จังหวัดสุรินทร์" in at.subheader[0].value


def test_a_district_officer_cannot_open_the_page(october: Engine) -> None:
    at = open_page(october, actor("district", "3101"))
    assert "หน้านี้เปิดได้เฉพาะ" in at.error[0].value
    assert not at.dataframe
