"""Reliability fixtures: a PostgreSQL-only database, a ticking clock inside an entry window, and the figures report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import monotonic

import pytest
from sqlalchemy import Engine

from db import migrate
from db.engine import make_engine, session_scope
from otop import clock
from otop.demo import load_demo
from otop.fiscal import Period
from otop.masterdata import load_master_data
from tests.conftest import POSTGRES_URL, _Databases, clear_data

ROOT = Path(__file__).resolve().parents[2]
REPORT_PATH = ROOT / "artifacts" / "reliability.json"
HERE = Path(__file__).resolve().parent

# October 2567 is open for entry from 10 October until the end of 5 November 2567 (Bangkok).
OPEN_PERIOD = Period(2567, 10)
INSIDE_WINDOW = datetime(2024, 11, 1, 3, 0, tzinfo=UTC)

_figures: dict[str, dict[str, object]] = {}


def report_figures(name: str, **figures: object) -> None:
    """Keep figures (throughput, p95, example counts) for the end-of-run summary and artifacts/."""
    _figures[name] = figures


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a PostgreSQL server the PostgreSQL-only tests are left out, not skipped (CI always has one)."""
    if POSTGRES_URL:
        return
    left_out = [item for item in items if HERE in Path(item.path).parents and item.get_closest_marker("postgres_only")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _figures:
        return
    terminalreporter.section("reliability figures")
    for name, figures in _figures.items():
        terminalreporter.write_line(f"{name}: " + ", ".join(f"{key}={value}" for key, value in figures.items()))
    REPORT_PATH.parent.mkdir(parents=True, exist_ok=True)
    REPORT_PATH.write_text(json.dumps(_figures, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def _pg_migrated_engine(databases: _Databases) -> Engine:
    engine = databases.new_engine("postgresql")
    migrate.upgrade(engine)
    with session_scope(engine, write=True) as session:
        load_master_data(session)
    return engine


@pytest.fixture
def pg_engine(_pg_migrated_engine: Engine) -> Iterator[Engine]:
    """A PostgreSQL database with every province, district and subdistrict (for postgres_only tests)."""
    clear_data(_pg_migrated_engine)
    yield _pg_migrated_engine


@pytest.fixture(scope="session")
def demo_pg_url(databases: _Databases) -> str:
    """A PostgreSQL database with the demo data that the portal processes of these tests share and change."""
    url = databases.new_url("postgresql")
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(engine, write=True) as session:
        load_demo(session)
    engine.dispose()
    return url


@pytest.fixture
def ticking_clock() -> Iterator[datetime]:
    """The clock runs at real speed from a moment inside October 2567's entry window.

    Saves get distinct, ordered timestamps, and the month stays open for the whole test.
    """
    started = monotonic()
    clock.set_now(lambda: INSIDE_WINDOW + timedelta(seconds=monotonic() - started))
    yield INSIDE_WINDOW
    clock.set_now(None)
