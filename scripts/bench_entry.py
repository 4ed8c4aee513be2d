"""Service time of the monthly grid: load and save a 300-row district month with a year of history.

Usage: ``python -m scripts.bench_entry [DATABASE_URL]`` (default: a throw-away SQLite file).
Prints the median of several runs of load_month, a first save (300 new rows) and a full re-save
(300 rows, every cell changed), each inside its own transaction as the page runs them, as wall-clock
time and as this process's CPU time (on PostgreSQL the server's own time is only in the wall clock).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from db import migrate
from db.engine import make_engine, session_scope
from db.models import CHANNEL_COLUMNS, MonthlySale
from otop import clock
from otop.entry import RowInput, load_month, save_month
from otop.fiscal import BANGKOK, Period
from otop.masterdata import load_master_data
from otop.permissions import Actor
from otop.summary import rebuild_summary
from tests.factories import make_producers

DISTRICT = "3101"
PERIOD = Period(2567, 10)
ACTOR = Actor("district3101", "district", "31", DISTRICT)
RUNS = 5


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and this process's CPU milliseconds; on a busy machine the CPU time is the fairer figure."""
    started, cpu_started = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000


def _report(name: str, label: str, runs: list[tuple[float, float]]) -> None:
    wall = statistics.median(run[0] for run in runs)
    cpu = statistics.median(run[1] for run in runs)
    print(f"{name}: {label}: median {wall:.1f} ms wall, {cpu:.1f} ms CPU in this process ({len(runs)} runs)")


def main(database_url: str | None) -> int:
    if database_url is None:
        database_url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench-entry.sqlite3'}"
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    clock.set_now(lambda: datetime(2024, 11, 3, 10, 0, tzinfo=BANGKOK))
    with session_scope(engine, write=True) as session:
        load_master_data(session, province_codes={"31"})
        producers = make_producers(session, DISTRICT, 150, categories=("food", "textile"))
        history = [
            {
                "producer_id": producer.id,
                "category": category,
                "period": PERIOD.shift(-offset).code,
                "district_code": DISTRICT,
                "province_code": "31",
                **{column: Decimal(1000 + offset) for column in CHANNEL_COLUMNS},
            }
            for producer in producers
            for category in ("food", "textile")
            for offset in range(1, 13)
        ]
        session.execute(insert(MonthlySale), history)
        rebuild_summary(session)
    keys = [(producer.id, category) for producer in producers for category in ("food", "textile")]

    def rows(amount: int) -> list[RowInput]:
        return [RowInput(pid, category, amount, f"{amount:,}.50", amount, 0) for pid, category in keys]  # type: ignore[arg-type]

    version = 0

    def save(amount: int) -> None:
        nonlocal version
        with session_scope(engine, write=True) as session:
            version = save_month(
                session=session,
                actor=ACTOR,
                district_code=DISTRICT,
                period=PERIOD,
                rows=rows(amount),
                base_version=version,
            ).version

    def load() -> None:
        with session_scope(engine) as session:
            grid = load_month(session=session, actor=ACTOR, district_code=DISTRICT, period=PERIOD)
            assert len(grid.rows) == 300

    first_save = _timed(lambda: save(1500))
    resaves = [_timed(lambda amount=amount: save(amount)) for amount in range(1501, 1501 + RUNS)]
    loads = [_timed(load) for _ in range(RUNS)]
    name = engine.dialect.name
    _report(name, "load_month, 300 rows", loads)
    _report(name, "save_month, 300 new rows", [first_save])
    _report(name, "save_month, 300 rows with 900 cells changed", resaves)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
