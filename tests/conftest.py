"""Shared fixtures: every database test runs on SQLite, and on PostgreSQL when OTOP_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from db import migrate
from db.engine import make_engine, session_scope
from otop import clock
from otop.demo import load_demo
from otop.masterdata import load_master_data

POSTGRES_URL = os.environ.get("OTOP_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
MASTER_TABLES = {"province", "district", "subdistrict", "alembic_version"}


class _Databases:
    """Creates throw-away databases for one test session and drops them at the end."""

    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir
        self.created_pg: list[str] = []
        self.engines: list[Engine] = []

    def new_url(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.tmp_dir / f'otop-{uuid.uuid4().hex[:8]}.sqlite3'}"
        server = make_url(POSTGRES_URL)
        name = f"otop_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.created_pg.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    def new_engine(self, backend: str) -> Engine:
        engine = make_engine(self.new_url(backend))
        self.engines.append(engine)
        return engine

    def drop_all(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if not self.created_pg:
            return
        admin = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in self.created_pg:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Databases]:
    registry = _Databases(tmp_path_factory.mktemp("databases"))
    yield registry
    registry.drop_all()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def _migrated_engine(databases: _Databases, backend: str) -> Engine:
    engine = databases.new_engine(backend)
    migrate.upgrade(engine)
    with session_scope(engine, write=True) as session:
        load_master_data(session)
    return engine


def clear_data(engine: Engine) -> None:
    """Empty every table except the master data, fast on both backends."""
    tables = [table for table in reversed(SQLModel.metadata.sorted_tables) if table.name not in MASTER_TABLES]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def engine(_migrated_engine: Engine) -> Iterator[Engine]:
    """A migrated database with every province, district and subdistrict and nothing else."""
    clear_data(_migrated_engine)
    yield _migrated_engine


@pytest.fixture(scope="session")
def demo_engine(databases: _Databases, backend: str) -> Engine:
    """A migrated database with the Buriram demo data; tests must not change it."""
    engine = databases.new_engine(backend)
    migrate.upgrade(engine)
    with session_scope(engine, write=True) as session:
        load_demo(session)
    return engine


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    yield
    clock.set_now(None)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("OTOP_REQUIRE_FULL_SUITE") == "1" and not POSTGRES_URL:
        raise pytest.UsageError("OTOP_REQUIRE_FULL_SUITE=1 needs OTOP_TEST_DATABASE_URL (PostgreSQL) to be set")


# Tests that drive a real chromium against a served portal. Their waits are generous, but a
# shared 2-core machine under load can still starve a run; such a test is retried (never
# skipped), and pytest's summary names every rerun so flakiness stays visible.
REAL_BROWSER_MODULES = ("tests/browser/", "tests/reliability/test_replicas.py")
REAL_BROWSER_TESTS = ("tests/reliability/test_faults.py::test_a_killed_portal_process_loses_nothing_it_confirmed",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(REAL_BROWSER_MODULES) or item.nodeid.startswith(REAL_BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=3))
