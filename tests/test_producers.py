"""Producer proposals: a district proposes, the province approves or rejects with a reason."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, select

from db.engine import session_scope
from db.models import AuditEvent, Producer, ProducerCategory
from otop.fiscal import BANGKOK
from otop.permissions import Actor, PermissionDenied
from otop.producers import (
    ProducerError,
    approve_producer,
    list_district_proposals,
    list_pending_producers,
    propose_producer,
    reject_producer,
)
from tests.factories import actor, make_producer

NOW = datetime(2025, 1, 10, 9, 0, tzinfo=BANGKOK)
DISTRICT = actor("district", "3101")
PROVINCE = actor("province", "31")


def _propose(engine: Engine, who: Actor = DISTRICT, **overrides: object) -> Producer:
    values: dict[str, object] = {
        "district_code": "3101",
        "name": "กลุ่มจักสานบ้านโคก",
        "subdistrict_code": "310101",
        "village_no": 7,
        "producer_type": "community",
        "categories": ["household", "food"],
    }
    values.update(overrides)
    with session_scope(engine, write=True) as session:
        return propose_producer(session=session, actor=who, now=NOW, **values)  # type: ignore[arg-type]


def test_propose_producer_creates_a_pending_producer_with_its_categories(engine: Engine) -> None:
    producer = _propose(engine)
    with session_scope(engine) as session:
        stored = session.get(Producer, producer.id)
        categories = set(
            session.scalars(select(ProducerCategory.category).where(ProducerCategory.producer_id == producer.id))
        )
        event = session.scalars(select(AuditEvent)).one()
    assert stored is not None
    assert (stored.status, stored.proposed_by, stored.proposed_at, stored.registered_year_be) == (
        "pending",
        "district3101",
        NOW,
        2568,
    )
    assert categories == {"household", "food"}
    assert (event.action, event.producer_id, event.new_value) == ("propose_producer", producer.id, "กลุ่มจักสานบ้านโคก")


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"name": "  "}, "ชื่อกลุ่ม/ผู้ผลิต: ต้องกรอก"),
        ({"subdistrict_code": "310201"}, "ตำบล: ต้องเลือกตำบลในอำเภอนี้"),
        ({"village_no": 0}, "หมู่ที่"),
        ({"producer_type": "coop"}, "ประเภทผู้ผลิต"),
        ({"categories": []}, "หมวดผลิตภัณฑ์: ต้องเลือก"),
        ({"categories": ["gold"]}, "หมวดผลิตภัณฑ์: มีหมวดที่ไม่อยู่ในรายการ"),
        ({"registered_year_be": 2570}, "ปีที่ขึ้นทะเบียน"),
    ],
)
def test_propose_producer_refuses_bad_fields(engine: Engine, overrides: dict[str, object], problem: str) -> None:
    with pytest.raises(ProducerError) as refused:
        _propose(engine, **overrides)
    assert any(text.startswith(problem) for text in refused.value.problems), refused.value.problems
    with session_scope(engine) as session:
        assert session.scalars(select(Producer)).all() == []


def test_propose_producer_refuses_a_name_already_in_the_district(engine: Engine) -> None:
    _propose(engine)
    with pytest.raises(ProducerError, match="มี “กลุ่มจักสานบ้านโคก” ในอำเภอนี้แล้ว"):
        _propose(engine, name=" กลุ่มจักสานบ้านโคก ")


def test_a_district_may_not_propose_for_another_district(engine: Engine) -> None:
    with pytest.raises(PermissionDenied):
        _propose(engine, who=actor("district", "3102"))


def test_province_approves_and_the_district_sees_the_decision(engine: Engine) -> None:
    producer = _propose(engine)
    with session_scope(engine) as session:
        pending = list_pending_producers(session=session, actor=PROVINCE, province_code="31")
    assert [(item.name, item.categories, item.district_name_th) for item in pending] == [
        ("กลุ่มจักสานบ้านโคก", ("food", "household"), "เมืองบุรีรัมย์")
    ]
    assert pending[0].categories_text == "อาหาร, ของใช้ ของตกแต่ง ของที่ระลึก"
    with session_scope(engine, write=True) as session:
        approved = approve_producer(session=session, actor=PROVINCE, producer_id=producer.id, now=NOW)  # type: ignore[arg-type]
    assert (approved.status, approved.decided_by) == ("approved", "province31")
    with session_scope(engine) as session:
        assert list_pending_producers(session=session, actor=PROVINCE, province_code="31") == []
        mine = list_district_proposals(session=session, actor=DISTRICT, district_code="3101")
        events = [event.action for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert [(item.status, item.decided_by) for item in mine] == [("approved", "province31")]
    assert events == ["propose_producer", "approve_producer"]
    with session_scope(engine, write=True) as session, pytest.raises(ProducerError, match="อนุมัติแล้ว"):
        approve_producer(session=session, actor=PROVINCE, producer_id=producer.id)  # type: ignore[arg-type]


def test_province_rejects_with_a_reason(engine: Engine) -> None:
    producer = _propose(engine)
    with session_scope(engine, write=True) as session, pytest.raises(ProducerError, match="เหตุผล"):
        reject_producer(session=session, actor=PROVINCE, producer_id=producer.id, reason="  ")  # type: ignore[arg-type]
    with session_scope(engine, write=True) as session:
        reject_producer(
            session=session,
            actor=PROVINCE,
            producer_id=producer.id,  # type: ignore[arg-type]
            reason="ซ้ำกับกลุ่มที่ขึ้นทะเบียนแล้ว",
        )
    with session_scope(engine) as session:
        (mine,) = list_district_proposals(session=session, actor=DISTRICT, district_code="3101")
    assert (mine.status, mine.decision_reason) == ("rejected", "ซ้ำกับกลุ่มที่ขึ้นทะเบียนแล้ว")
    _propose(engine)  # a rejected name may be proposed again


@pytest.mark.parametrize(
    "who",
    [actor("district", "3101"), actor("province", "32"), actor("department")],
    ids=["own-district", "other-province", "department"],
)
@pytest.mark.parametrize("decision", ["approve", "reject", "list"])
def test_only_the_province_or_admin_decides(engine: Engine, who: Actor, decision: str) -> None:
    producer = _propose(engine)
    with session_scope(engine, write=True) as session, pytest.raises(PermissionDenied):
        if decision == "approve":
            approve_producer(session=session, actor=who, producer_id=producer.id)  # type: ignore[arg-type]
        elif decision == "reject":
            reject_producer(session=session, actor=who, producer_id=producer.id, reason="x")  # type: ignore[arg-type]
        else:
            list_pending_producers(session=session, actor=who, province_code="31")
    with session_scope(engine) as session:
        assert session.get(Producer, producer.id).status == "pending"  # type: ignore[union-attr]


def test_admin_may_approve_and_an_unknown_producer_is_named(engine: Engine) -> None:
    producer = _propose(engine)
    with session_scope(engine, write=True) as session:
        assert approve_producer(session=session, actor=actor("admin"), producer_id=producer.id).status == "approved"  # type: ignore[arg-type]
    with session_scope(engine, write=True) as session, pytest.raises(ProducerError, match="ไม่พบผู้ผลิตรหัส 999999"):
        approve_producer(session=session, actor=actor("admin"), producer_id=999999)


def test_district_proposals_leave_out_producers_that_were_never_proposed(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        make_producer(session, "3101")
    _propose(engine)
    with session_scope(engine) as session:
        mine = list_district_proposals(session=session, actor=DISTRICT, district_code="3101")
    assert [item.name for item in mine] == ["กลุ่มจักสานบ้านโคก"]
