"""Load: the 5th of the month, when every district saves at once while provinces lock and unlock.

On PostgreSQL 200 simulated district officers (two per district, so their saves also collide)
save through the services in their own threads and transactions while every province involved
locks and unlocks its districts. On SQLite, which serialises writers on one file, a smaller crowd
runs the same checks. Afterwards the database must show no lost update, no write into a locked
month, one audit event per changed cell of every applied save, and every save either applied
whole or refused with a Thai reason. Throughput and p95 save time go to the run's summary.
"""

from __future__ import annotations

import random
import re
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from db.engine import make_engine, session_scope
from db.models import CHANNEL_COLUMNS, AuditEvent, District, DistrictMonth, MonthlySale, Subdistrict
from otop.entry import EntryConflict, EntryValidationError, RowInput, load_month, save_month
from otop.locks import (
    LockRefused,
    lock_district_month,
    lock_province_month,
    unlock_district_month,
    unlock_province_month,
)
from otop.money import ZERO
from otop.permissions import Actor
from otop.status import EntryRefused
from tests.factories import actor, make_producers
from tests.reliability.conftest import OPEN_PERIOD, report_figures

THAI = re.compile(r"[\u0E00-\u0E7F]")
BAD_CELLS = ("-5", "หนึ่งร้อย", "1.234", float("nan"), "1e400")


@dataclass(frozen=True)
class Crowd:
    provinces: int
    districts_per_province: int
    officers_per_district: int
    producers_per_district: int
    saves_per_officer: int
    pool_size: int


CROWDS = {
    "postgresql": Crowd(
        provinces=5,
        districts_per_province=20,
        officers_per_district=2,
        producers_per_district=5,
        saves_per_officer=3,
        pool_size=40,
    ),
    "sqlite": Crowd(
        provinces=2,
        districts_per_province=5,
        officers_per_district=2,
        producers_per_district=5,
        saves_per_officer=3,
        pool_size=20,
    ),
}


@dataclass
class Attempt:
    district_code: str
    officer: str
    base_version: int
    values: dict[int, dict[str, Decimal]]
    seconds: float = 0.0
    version: int | None = None
    changed_cells: int | None = None
    refusal: Exception | None = None


@dataclass
class Outcome:
    attempts: list[Attempt] = field(default_factory=list)
    unexpected: list[BaseException] = field(default_factory=list)
    province_actions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, attempt: Attempt) -> None:
        with self.lock:
            self.attempts.append(attempt)

    def fail(self, error: BaseException) -> None:
        with self.lock:
            self.unexpected.append(error)


def _amount(rng: random.Random) -> Decimal:
    # Below the ฿1,000,000 jump rule, so no save needs an outlier comment.
    return Decimal(rng.randrange(0, 90_000_000)) / 100


@dataclass(frozen=True)
class Special:
    """Three districts of the first province that make every outcome happen whatever the timing.

    ``held`` stays locked throughout, so its saves are refused; every save of ``invalid`` carries a
    bad cell, so none applies and each is refused by validation; the officers of ``contested`` open
    their grid together before their first save, so one saves and the other meets a conflict.
    The first province locks and unlocks only its other districts, never the whole province.
    """

    province_code: str
    held: str
    invalid: str
    contested: str

    @property
    def codes(self) -> set[str]:
        return {self.held, self.invalid, self.contested}


def _officer(
    engine: Engine,
    officer: Actor,
    producer_ids: list[int],
    crowd: Crowd,
    seed: int,
    start: threading.Barrier,
    together: threading.Barrier | None,
    always_invalid: bool,
    outcome: Outcome,
) -> None:
    rng = random.Random(seed)
    district_code = officer.district_code or ""
    try:
        start.wait()
        for round_no in range(crowd.saves_per_officer):
            with session_scope(engine) as session:
                grid = load_month(session=session, actor=officer, district_code=district_code, period=OPEN_PERIOD)
            if together is not None and round_no == 0:
                together.wait()
            values = {pid: {channel: _amount(rng) for channel in CHANNEL_COLUMNS} for pid in producer_ids}
            given: dict[int, dict[str, object]] = {
                pid: {channel: f"{amount:,.2f}" if rng.random() < 0.3 else amount for channel, amount in row.items()}
                for pid, row in values.items()
            }
            if always_invalid or rng.random() < 0.1:
                given[rng.choice(producer_ids)][rng.choice(CHANNEL_COLUMNS)] = rng.choice(BAD_CELLS)
            rows = [RowInput(producer_id=pid, category="food", **cells) for pid, cells in given.items()]  # type: ignore[arg-type]
            attempt = Attempt(district_code, officer.username, grid.version, values)
            started = time.perf_counter()
            try:
                with session_scope(engine, write=True) as session:
                    result = save_month(
                        session=session,
                        actor=officer,
                        district_code=district_code,
                        period=OPEN_PERIOD,
                        rows=rows,
                        base_version=grid.version,
                    )
                attempt.version, attempt.changed_cells = result.version, result.changed_cells
            except (EntryConflict, EntryRefused, EntryValidationError) as refusal:
                attempt.refusal = refusal
            attempt.seconds = time.perf_counter() - started
            outcome.add(attempt)
    except BaseException as error:  # reported by the main thread
        outcome.fail(error)


def _province(
    engine: Engine,
    province: Actor,
    district_codes: list[str],
    whole_province: bool,
    seed: int,
    done: threading.Event,
    outcome: Outcome,
) -> None:
    """Lock and unlock districts (and, if ``whole_province``, now and then all of them) until the officers are done."""
    rng = random.Random(seed)
    province_code = province.province_code or ""
    reason = "พบยอดผิดปกติ ให้อำเภอตรวจสอบและแก้ไข"
    try:
        while not done.is_set():
            district_code = rng.choice(district_codes)
            whole = whole_province and rng.random() < 0.1
            for step in ("lock", "unlock"):
                try:
                    with session_scope(engine, write=True) as session:
                        if step == "lock" and whole:
                            lock_province_month(
                                session=session, actor=province, province_code=province_code, period=OPEN_PERIOD
                            )
                        elif step == "lock":
                            lock_district_month(
                                session=session, actor=province, district_code=district_code, period=OPEN_PERIOD
                            )
                        elif whole:
                            unlock_province_month(
                                session=session,
                                actor=province,
                                province_code=province_code,
                                period=OPEN_PERIOD,
                                reason=reason,
                            )
                        else:
                            unlock_district_month(
                                session=session,
                                actor=province,
                                district_code=district_code,
                                period=OPEN_PERIOD,
                                reason=reason,
                            )
                except LockRefused:
                    pass
                with outcome.lock:
                    outcome.province_actions += 1
                done.wait(rng.uniform(0.005, 0.03))
    except BaseException as error:  # reported by the main thread
        outcome.fail(error)


def _kind(attempt: Attempt) -> str:
    return type(attempt.refusal).__name__ if attempt.refusal else "applied"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _prepare(engine: Engine, crowd: Crowd) -> dict[str, list[int]]:
    """Producers for the first districts of the first provinces (from 30, นครราชสีมา) large enough."""
    with session_scope(engine, write=True) as session:
        by_province: dict[str, list[str]] = defaultdict(list)
        subdistricts = set(session.scalars(select(Subdistrict.code).where(Subdistrict.code >= "30")))
        for code in session.scalars(
            select(District.code).where(District.province_code >= "30").order_by(District.code)
        ):
            if f"{code}01" in subdistricts:  # where the factory places its producers
                by_province[code[:2]].append(code)
        provinces = [codes for codes in by_province.values() if len(codes) >= crowd.districts_per_province]
        codes = [code for codes in provinces[: crowd.provinces] for code in codes[: crowd.districts_per_province]]
        return {
            code: [producer.id for producer in make_producers(session, code, crowd.producers_per_district)]  # type: ignore[misc]
            for code in codes
        }


def _run(engine: Engine, crowd: Crowd, producers: dict[str, list[int]]) -> tuple[Outcome, float, Special]:
    outcome = Outcome()
    officers = [
        actor("district", code, username=f"officer{code}-{n}")
        for code in producers
        for n in range(crowd.officers_per_district)
    ]
    by_province: dict[str, list[str]] = defaultdict(list)
    for code in producers:
        by_province[code[:2]].append(code)
    first_province = min(by_province)
    special = Special(first_province, *by_province[first_province][:3])
    with session_scope(engine, write=True) as session:
        lock_district_month(
            session=session, actor=actor("province", first_province), district_code=special.held, period=OPEN_PERIOD
        )
    start = threading.Barrier(len(officers) + 1)
    together = threading.Barrier(crowd.officers_per_district, timeout=120)
    done = threading.Event()
    officer_threads = [
        threading.Thread(
            target=_officer,
            args=(
                engine,
                officer,
                producers[officer.district_code or ""],
                crowd,
                n,
                start,
                together if officer.district_code == special.contested else None,
                officer.district_code == special.invalid,
                outcome,
            ),
        )
        for n, officer in enumerate(officers)
    ]
    province_threads = [
        threading.Thread(
            target=_province,
            args=(
                engine,
                actor("province", code),
                [c for c in codes if c not in special.codes],
                code != first_province,
                n,
                done,
                outcome,
            ),
        )
        for n, (code, codes) in enumerate(sorted(by_province.items()))
    ]
    for thread in [*officer_threads, *province_threads]:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in officer_threads:
        thread.join()
    elapsed = time.perf_counter() - began
    done.set()
    for thread in province_threads:
        thread.join()
    return outcome, elapsed, special


def _changed_cells(previous: dict[int, dict[str, Decimal]] | None, values: dict[int, dict[str, Decimal]]) -> int:
    return sum(
        1
        for pid, row in values.items()
        for channel, amount in row.items()
        if amount != (previous[pid][channel] if previous else ZERO)
    )


def _check(engine: Engine, outcome: Outcome) -> None:
    applied = [attempt for attempt in outcome.attempts if attempt.refusal is None]
    refused = [attempt for attempt in outcome.attempts if attempt.refusal is not None]
    for attempt in refused:
        assert THAI.search(str(attempt.refusal)), attempt.refusal
        if isinstance(attempt.refusal, EntryValidationError):
            assert all("คอลัมน์" in problem for problem in attempt.refusal.problems), attempt.refusal.problems

    by_district: dict[str, dict[int, Attempt]] = defaultdict(dict)
    for attempt in applied:
        assert attempt.version not in by_district[attempt.district_code], "two saves got the same version"
        by_district[attempt.district_code][attempt.version or 0] = attempt

    with session_scope(engine) as session:
        for district_code, saves in by_district.items():
            versions = sorted(saves)
            assert versions == list(range(1, len(versions) + 1))
            month = session.get(DistrictMonth, (district_code, OPEN_PERIOD.code))
            assert month is not None and month.version == versions[-1]

            # No lost update: every applied save was made on the version it had loaded, and the
            # month ends holding exactly the last applied save's figures.
            for version in versions:
                assert saves[version].base_version == version - 1, (district_code, version)
                previous = saves[version - 1].values if version > 1 else None
                assert saves[version].changed_cells == _changed_cells(previous, saves[version].values)
            stored = {
                sale.producer_id: {channel: getattr(sale, channel) for channel in CHANNEL_COLUMNS}
                for sale in session.scalars(
                    select(MonthlySale).where(
                        MonthlySale.district_code == district_code, MonthlySale.period == OPEN_PERIOD.code
                    )
                )
            }
            assert stored == saves[versions[-1]].values

            # The trail, in the order the row lock serialised the transactions: each applied save is
            # one block of its changed cells followed by its confirmation, and none while locked.
            events = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.district_code == district_code, AuditEvent.period == OPEN_PERIOD.code)
                .order_by(AuditEvent.id)  # type: ignore[arg-type]
            ).all()
            locked = False
            cells: list[AuditEvent] = []
            confirmed: list[int] = []
            for event in events:
                if event.action in ("lock", "unlock"):
                    assert not cells, "a lock landed inside a save's transaction"
                    locked = event.action == "lock"
                    continue
                assert not locked, f"{event.action} written into the locked month of {district_code}"
                if event.action == "update_cell":
                    cells.append(event)
                    continue
                assert event.action == "confirm"
                version = int(event.new_value or 0)
                save = saves[version]
                assert len(cells) == save.changed_cells
                assert all(
                    Decimal(cell.new_value or "") == save.values[cell.producer_id or 0][cell.field or ""]
                    for cell in cells
                )
                confirmed.append(version)
                cells = []
            assert not cells
            assert confirmed == versions


@pytest.mark.slow
def test_concurrent_saves_while_provinces_lock_lose_nothing_and_never_write_a_locked_month(
    engine: Engine, backend: str, ticking_clock: datetime
) -> None:
    crowd = CROWDS[backend]
    producers = _prepare(engine, crowd)
    loaded = make_engine(
        engine.url.render_as_string(hide_password=False),
        pool_size=crowd.pool_size,
        max_overflow=10,
        pool_timeout=120,
    )
    try:
        outcome, elapsed, special = _run(loaded, crowd, producers)
    finally:
        loaded.dispose()
    assert outcome.unexpected == []
    officers = len(producers) * crowd.officers_per_district
    assert len(outcome.attempts) == officers * crowd.saves_per_officer
    _check(engine, outcome)

    def outcomes(district_code: str) -> list[str]:
        return [_kind(attempt) for attempt in outcome.attempts if attempt.district_code == district_code]

    per_district = crowd.officers_per_district * crowd.saves_per_officer
    assert outcomes(special.held) == ["EntryRefused"] * per_district
    assert outcomes(special.invalid) == ["EntryValidationError"] * per_district
    assert {"applied", "EntryConflict"} <= set(outcomes(special.contested))
    with session_scope(engine) as session:
        for code in (special.held, special.invalid):  # nothing half-saved where nothing was accepted
            assert session.scalars(select(MonthlySale.id).where(MonthlySale.district_code == code)).all() == []

    applied = [attempt for attempt in outcome.attempts if attempt.refusal is None]
    kinds: dict[str, int] = defaultdict(int)
    for attempt in outcome.attempts:
        kinds[_kind(attempt)] += 1
    seconds = [attempt.seconds for attempt in outcome.attempts]
    report_figures(
        f"load_{backend}",
        officers=officers,
        districts=len(producers),
        saves_attempted=len(outcome.attempts),
        saves_applied=len(applied),
        conflicts=kinds["EntryConflict"],
        refused_locked=kinds["EntryRefused"],
        refused_bad_input=kinds["EntryValidationError"],
        province_lock_actions=outcome.province_actions,
        seconds=round(elapsed, 2),
        applied_saves_per_second=round(len(applied) / elapsed, 1),
        attempts_per_second=round(len(outcome.attempts) / elapsed, 1),
        save_p50_ms=round(statistics.median(seconds) * 1000, 1),
        save_p95_ms=round(_percentile(seconds, 0.95) * 1000, 1),
    )
