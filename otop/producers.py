"""New producers: a district proposes one, the province approves or rejects it with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from db.models import CATEGORY_CODES, PRODUCER_TYPE_CODES, District, Producer, ProducerCategory, Subdistrict
from otop import audit
from otop.clock import utc_now
from otop.fiscal import bangkok_date, ce_to_be
from otop.i18n import CATEGORY_LABELS, PRODUCER_TYPE_LABELS
from otop.permissions import Action, Actor, ensure_permission, ensure_permission_somewhere
from otop.text import clean_text

NAME_MAX_CHARS = 300
REASON_MAX_CHARS = 500
MAX_VILLAGE_NO = 99
FIRST_REGISTERED_YEAR_BE = 2540


class ProducerError(ValueError):
    """A proposal or decision that cannot be made; ``problems`` holds the Thai reasons."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class ProducerProposal:
    """A proposed producer as the province's approval list and the district's own list show it."""

    producer_id: int
    name: str
    district_code: str
    district_name_th: str
    subdistrict_name: str
    village_no: int | None
    producer_type: str
    categories: tuple[str, ...]
    status: str
    proposed_by: str | None
    proposed_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None

    @property
    def categories_text(self) -> str:
        return ", ".join(CATEGORY_LABELS[category] for category in self.categories)

    @property
    def producer_type_label(self) -> str:
        return PRODUCER_TYPE_LABELS[self.producer_type]


def propose_producer(
    *,
    session: Session,
    actor: Actor,
    district_code: str,
    name: str,
    subdistrict_code: str,
    village_no: int | None,
    producer_type: str,
    categories: Sequence[str],
    registered_year_be: int | None = None,
    now: datetime | None = None,
) -> Producer:
    """A pending producer for the province to decide on; it can be entered only once approved."""
    ensure_permission(actor, Action.PROPOSE_PRODUCER, district_code=district_code)
    now = now or utc_now()
    current_year_be = ce_to_be(bangkok_date(now).year)
    year_be = current_year_be if registered_year_be is None else registered_year_be
    clean_name = clean_text(name or "")
    problems: list[str] = []
    if not clean_name:
        problems.append("ชื่อกลุ่ม/ผู้ผลิต: ต้องกรอก")
    elif len(clean_name) > NAME_MAX_CHARS:
        problems.append(f"ชื่อกลุ่ม/ผู้ผลิต: ยาวเกิน {NAME_MAX_CHARS} ตัวอักษร")
    elif _name_taken(session, district_code, clean_name):
        problems.append(f"ชื่อกลุ่ม/ผู้ผลิต: มี “{clean_name}” ในอำเภอนี้แล้ว (อนุมัติแล้วหรือรออนุมัติ)")
    subdistrict = session.get(Subdistrict, subdistrict_code) if subdistrict_code else None
    if subdistrict is None or subdistrict.district_code != district_code:
        problems.append("ตำบล: ต้องเลือกตำบลในอำเภอนี้")
    if village_no is not None and not 1 <= village_no <= MAX_VILLAGE_NO:
        problems.append(f"หมู่ที่: ต้องอยู่ระหว่าง 1 ถึง {MAX_VILLAGE_NO}")
    if producer_type not in PRODUCER_TYPE_CODES:
        problems.append("ประเภทผู้ผลิต: ต้องเลือกจากรายการ")
    chosen = list(dict.fromkeys(categories))
    if not chosen:
        problems.append("หมวดผลิตภัณฑ์: ต้องเลือกอย่างน้อยหนึ่งหมวด")
    elif any(category not in CATEGORY_CODES for category in chosen):
        problems.append("หมวดผลิตภัณฑ์: มีหมวดที่ไม่อยู่ในรายการ")
    if not FIRST_REGISTERED_YEAR_BE <= year_be <= current_year_be:
        problems.append(f"ปีที่ขึ้นทะเบียน: ต้องอยู่ระหว่าง พ.ศ. {FIRST_REGISTERED_YEAR_BE} ถึง {current_year_be}")
    if problems:
        raise ProducerError(problems)
    producer = Producer(
        name=clean_name,
        district_code=district_code,
        subdistrict_code=subdistrict_code,
        village_no=village_no,
        producer_type=producer_type,
        registered_year_be=year_be,
        active=True,
        status="pending",
        proposed_by=actor.username,
        proposed_at=now,
    )
    session.add(producer)
    session.flush()
    assert producer.id is not None
    session.add_all(ProducerCategory(producer_id=producer.id, category=category) for category in chosen)
    audit.record(
        session,
        actor=actor.username,
        action="propose_producer",
        at=now,
        district_code=district_code,
        producer_id=producer.id,
        new_value=clean_name,
        detail=f"ประเภท {PRODUCER_TYPE_LABELS[producer_type]}; หมวด {', '.join(CATEGORY_LABELS[c] for c in chosen)}",
    )
    session.flush()
    return producer


def _name_taken(session: Session, district_code: str, name: str) -> bool:
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Producer)
            .where(
                Producer.district_code == district_code,
                Producer.name == name,
                Producer.status.in_(("approved", "pending")),  # type: ignore[attr-defined]
            )
        )
    )


def _pending_for_decision(session: Session, actor: Actor, producer_id: int) -> Producer:
    """The pending producer, locked for the decision, after checking the actor may decide for its province."""
    ensure_permission_somewhere(actor, Action.MANAGE_PRODUCERS)
    district_code = session.scalar(select(Producer.district_code).where(Producer.id == producer_id))
    if district_code is None:
        raise ProducerError([f"ไม่พบผู้ผลิตรหัส {producer_id}"])
    ensure_permission(actor, Action.MANAGE_PRODUCERS, district_code=district_code)
    producer = session.scalars(
        select(Producer).where(Producer.id == producer_id).with_for_update().execution_options(populate_existing=True)
    ).one()
    if producer.status != "pending":
        state = "อนุมัติแล้ว" if producer.status == "approved" else "ไม่อนุมัติไปแล้ว"
        raise ProducerError([f"ผู้ผลิต “{producer.name}” {state} โดย {producer.decided_by or '–'}"])
    return producer


def approve_producer(*, session: Session, actor: Actor, producer_id: int, now: datetime | None = None) -> Producer:
    """Approve a proposal: the producer's categories join the district's grid at its next sync."""
    producer = _pending_for_decision(session, actor, producer_id)
    now = now or utc_now()
    producer.status = "approved"
    producer.decided_by = actor.username
    producer.decided_at = now
    audit.record(
        session,
        actor=actor.username,
        action="approve_producer",
        at=now,
        district_code=producer.district_code,
        producer_id=producer.id,
        field="status",
        old_value="pending",
        new_value="approved",
    )
    session.flush()
    return producer


def reject_producer(
    *, session: Session, actor: Actor, producer_id: int, reason: str, now: datetime | None = None
) -> Producer:
    """Reject a proposal with a reason the district sees."""
    producer = _pending_for_decision(session, actor, producer_id)
    clean_reason = clean_text(reason or "")
    if not clean_reason:
        raise ProducerError(["เหตุผลที่ไม่อนุมัติ: ต้องกรอก"])
    if len(clean_reason) > REASON_MAX_CHARS:
        raise ProducerError([f"เหตุผลที่ไม่อนุมัติ: ยาวเกิน {REASON_MAX_CHARS} ตัวอักษร"])
    now = now or utc_now()
    producer.status = "rejected"
    producer.decided_by = actor.username
    producer.decided_at = now
    producer.decision_reason = clean_reason
    audit.record(
        session,
        actor=actor.username,
        action="reject_producer",
        at=now,
        district_code=producer.district_code,
        producer_id=producer.id,
        field="status",
        old_value="pending",
        new_value="rejected",
        detail=clean_reason,
    )
    session.flush()
    return producer


def _proposals(session: Session, *conditions: object) -> list[ProducerProposal]:
    statement = (
        select(Producer, District.name_th, Subdistrict.name_th)
        .join(District, District.code == Producer.district_code)
        .outerjoin(Subdistrict, Subdistrict.code == Producer.subdistrict_code)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(Producer.district_code, Producer.proposed_at.desc(), Producer.id)  # type: ignore[union-attr]
    )
    records = session.execute(statement).all()
    ids = [producer.id for producer, _, _ in records]
    categories: dict[int, list[str]] = {}
    for producer_id, category in session.execute(
        select(ProducerCategory.producer_id, ProducerCategory.category).where(
            ProducerCategory.producer_id.in_(ids)  # type: ignore[attr-defined]
        )
    ):
        categories.setdefault(producer_id, []).append(category)
    return [
        ProducerProposal(
            producer_id=producer.id,
            name=producer.name,
            district_code=producer.district_code,
            district_name_th=district_name_th,
            subdistrict_name=subdistrict_name or "",
            village_no=producer.village_no,
            producer_type=producer.producer_type,
            categories=tuple(sorted(categories.get(producer.id, []), key=CATEGORY_CODES.index)),
            status=producer.status,
            proposed_by=producer.proposed_by,
            proposed_at=producer.proposed_at,
            decided_by=producer.decided_by,
            decided_at=producer.decided_at,
            decision_reason=producer.decision_reason,
        )
        for producer, district_name_th, subdistrict_name in records
    ]


def list_pending_producers(*, session: Session, actor: Actor, province_code: str) -> list[ProducerProposal]:
    """Proposals of the province's districts awaiting a decision, by district, newest first."""
    ensure_permission(actor, Action.MANAGE_PRODUCERS, province_code=province_code)
    return _proposals(session, District.province_code == province_code, Producer.status == "pending")


def list_district_proposals(*, session: Session, actor: Actor, district_code: str) -> list[ProducerProposal]:
    """Every producer the district proposed (pending, approved or rejected with the reason), newest first."""
    ensure_permission(actor, Action.READ_FIGURES, district_code=district_code)
    return _proposals(session, Producer.district_code == district_code, Producer.proposed_by.is_not(None))  # type: ignore[union-attr]
