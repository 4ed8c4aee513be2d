"""The audit trail: every change to figures, locks, users and settings is written here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session

from db.models import AuditEvent
from otop.clock import utc_now


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    at: datetime | None = None,
    province_code: str | None = None,
    district_code: str | None = None,
    period: int | None = None,
    producer_id: int | None = None,
    category: str | None = None,
    field: str | None = None,
    old_value: object = None,
    new_value: object = None,
    detail: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=at or utc_now(),
        actor=actor,
        action=action,
        province_code=province_code or (district_code[:2] if district_code else None),
        district_code=district_code,
        period=period,
        producer_id=producer_id,
        category=category,
        field=field,
        old_value=None if old_value is None else str(old_value),
        new_value=None if new_value is None else str(new_value),
        detail=detail,
    )
    session.add(event)
    return event


def record_many(
    session: Session,
    *,
    actor: str,
    action: str,
    at: datetime,
    district_code: str,
    period: int | None,
    changes: Iterable[Mapping[str, object]],
) -> int:
    """Many events of one action in one executemany, for saves that change hundreds of cells.

    Each change gives ``producer_id``, ``category``, ``field``, ``old_value`` and ``new_value``.
    """
    rows = [
        {
            "at": at,
            "actor": actor,
            "action": action,
            "province_code": district_code[:2],
            "district_code": district_code,
            "period": period,
            "producer_id": change.get("producer_id"),
            "category": change.get("category"),
            "field": change.get("field"),
            "old_value": None if change.get("old_value") is None else str(change["old_value"]),
            "new_value": None if change.get("new_value") is None else str(change["new_value"]),
            "detail": change.get("detail"),
        }
        for change in changes
    ]
    if rows:
        session.execute(insert(AuditEvent), rows)
    return len(rows)
