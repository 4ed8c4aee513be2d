"""A district's save racing the province's lock lands before the lock or is refused, never into a locked month.

On PostgreSQL threads save while another thread locks, for many rounds; on SQLite, whose write
transactions take the database's write lock at BEGIN, the same rounds run one step after another.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, type_coerce

from db.engine import session_scope
from db.models import AuditEvent, DistrictMonth, MonthlySale
from db.types import UTCDateTime
from otop.clock import utc_now
from otop.entry import EntryConflict, RowInput, load_month, save_month
from otop.fiscal import Period
from otop.locks import lock_district_month, lock_province_month, unlock_district_month, unlock_province_month
from otop.reporting_calendar import set_period_override
from otop.status import EntryRefused
from tests.factories import actor, make_producer

PERIOD = Period(2567, 10)
DISTRICT_CODE = "3101"
DISTRICT = actor("district", DISTRICT_CODE)
PROVINCE = actor("province", "31")
ROUNDS = 25
SAVERS = 3
MAX_ATTEMPTS = 400
JOIN_SECONDS = 60


@dataclass
class Round:
    saved_at: list[datetime] = field(default_factory=list)
    refused: int = 0
    locked_at: datetime | None = None
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def producer_ids(engine: Engine) -> list[int]:
    """Producers of one district, and October 2567 opened for entry now by a department override."""
    now = utc_now()
    with session_scope(engine, write=True) as session:
        set_period_override(
            session=session,
            actor=actor("admin"),
            period=PERIOD,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1),
            reason="ทดสอบการบันทึกพร้อมกับการล็อก",
        )
        return [make_producer(session, DISTRICT_CODE).id for _ in range(SAVERS)]  # type: ignore[misc]


def _save_once(engine: Engine, producer_id: int, amount: int) -> datetime:
    with session_scope(engine) as session:
        version = load_month(session=session, actor=DISTRICT, district_code=DISTRICT_CODE, period=PERIOD).version
    with session_scope(engine, write=True) as session:
        result = save_month(
            session=session,
            actor=DISTRICT,
            district_code=DISTRICT_CODE,
            period=PERIOD,
            rows=[RowInput(producer_id, "food", amount, 0, 0, 0)],
            base_version=version,
        )
    return result.saved_at


def _save_until_refused(engine: Engine, producer_id: int, round_no: int, outcome: Round) -> None:
    try:
        for attempt in range(MAX_ATTEMPTS):
            try:
                saved_at = _save_once(engine, producer_id, 100 + round_no * MAX_ATTEMPTS + attempt)
            except EntryConflict:
                continue  # another saver of the district went first; reload and try again
            except EntryRefused:
                with outcome.lock:
                    outcome.refused += 1
                return
            with outcome.lock:
                outcome.saved_at.append(saved_at)
        raise AssertionError(f"saver of producer {producer_id} was never refused in round {round_no}")
    except BaseException as error:  # noqa: BLE001 - reported by the main thread
        outcome.errors.append(error)


def _lock(engine: Engine, round_no: int) -> datetime:
    with session_scope(engine, write=True) as session:
        if round_no % 2:
            return lock_province_month(session=session, actor=PROVINCE, province_code="31", period=PERIOD).at
        return lock_district_month(session=session, actor=PROVINCE, district_code=DISTRICT_CODE, period=PERIOD).at


def _unlock(engine: Engine, round_no: int) -> None:
    with session_scope(engine, write=True) as session:
        if round_no % 2:
            unlock_province_month(session=session, actor=PROVINCE, province_code="31", period=PERIOD, reason="รอบถัดไป")
        else:
            unlock_district_month(
                session=session, actor=PROVINCE, district_code=DISTRICT_CODE, period=PERIOD, reason="รอบถัดไป"
            )


def _race(engine: Engine, producer_ids: list[int], round_no: int, delay: float) -> Round:
    """Savers keep saving until refused while, after ``delay`` seconds, the province locks."""
    outcome = Round()

    def locker() -> None:
        try:
            time.sleep(delay)
            outcome.locked_at = _lock(engine, round_no)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            outcome.errors.append(error)

    threads = [
        threading.Thread(target=_save_until_refused, args=(engine, producer_id, round_no, outcome))
        for producer_id in producer_ids
    ]
    threads.append(threading.Thread(target=locker))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), f"round {round_no} did not finish"
    return outcome


def _serial(engine: Engine, producer_ids: list[int], round_no: int, saves_before: int) -> Round:
    """The same round one step at a time: saves, the lock, then every saver tries once more."""
    outcome = Round()
    for step in range(saves_before):
        outcome.saved_at.append(_save_once(engine, producer_ids[step % len(producer_ids)], 100 + round_no * 10 + step))
    outcome.locked_at = _lock(engine, round_no)
    for producer_id in producer_ids:
        with pytest.raises(EntryRefused, match="ถูกล็อก"):
            _save_once(engine, producer_id, 999_999)
        outcome.refused += 1
    return outcome


def _check_round(engine: Engine, outcome: Round, round_no: int) -> None:
    assert outcome.errors == [], f"round {round_no}: {outcome.errors!r}"
    assert outcome.locked_at is not None
    assert outcome.refused == SAVERS
    assert all(saved_at < outcome.locked_at for saved_at in outcome.saved_at)
    with session_scope(engine) as session:
        month = session.get(DistrictMonth, (DISTRICT_CODE, PERIOD.code))
        latest_write = session.scalar(
            select(type_coerce(func.max(MonthlySale.updated_at), UTCDateTime)).where(
                MonthlySale.district_code == DISTRICT_CODE, MonthlySale.period == PERIOD.code
            )
        )
    assert month is not None and month.locked_at == outcome.locked_at
    assert month.confirmed_at is None or month.confirmed_at < outcome.locked_at
    assert latest_write is None or latest_write < outcome.locked_at
    assert month.changes_since_lock == 0


def _confirmations_inside_locks(engine: Engine) -> list[datetime]:
    """Every confirmation the audit trail shows at a time the month was locked."""
    with session_scope(engine) as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.district_code == DISTRICT_CODE, AuditEvent.period == PERIOD.code)
            .where(AuditEvent.action.in_(["lock", "unlock", "confirm"]))  # type: ignore[attr-defined]
            .order_by(AuditEvent.at, AuditEvent.id)
        ).all()
    locked = False
    inside = []
    for event in events:
        if event.action in ("lock", "unlock"):
            locked = event.action == "lock"
        elif locked:
            inside.append(event.at)
    return inside


def test_a_save_racing_a_lock_never_lands_in_a_locked_month(
    engine: Engine, producer_ids: list[int], backend: str
) -> None:
    rng = random.Random(5)
    saved = 0
    for round_no in range(ROUNDS):
        if backend == "postgresql":
            outcome = _race(engine, producer_ids, round_no, delay=rng.uniform(0.0, 0.08))
        else:
            outcome = _serial(engine, producer_ids, round_no, saves_before=rng.randint(0, 4))
        _check_round(engine, outcome, round_no)
        saved += len(outcome.saved_at)
        _unlock(engine, round_no)
    assert saved > 0
    assert _confirmations_inside_locks(engine) == []
    with session_scope(engine) as session:
        confirmations = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "confirm")
        )
    assert confirmations == saved
