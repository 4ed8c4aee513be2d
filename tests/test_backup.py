"""Backup and restore: a round trip to a fresh database keeps every row, lock and audit event."""

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import SQLModel

from db import migrate
from db.engine import make_engine, session_scope
from db.models import AuditEvent, DistrictMonth
from otop.audit import record
from otop.backup import BackupError, backup_database, restore_database
from otop.cli import main
from otop.masterdata import load_master_data
from tests.conftest import _Databases
from tests.factories import make_producer, make_sale, make_user


def _snapshot(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(row) for row in connection.execute(select(table))), key=lambda row: tuple(map(str, row))
            )
            for table in SQLModel.metadata.sorted_tables
        }


def _fill(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3101", name='=HYPERLINK("x") กลุ่มทอผ้า', categories=("food", "textile"))
        make_sale(session, producer, 256710, (1234.5, 10, 0, 0.25))
        make_sale(session, producer, 256710, (99, 0, 7, 0), category="textile")
        session.add(
            DistrictMonth(
                district_code="3101",
                period=256710,
                province_code="31",
                version=3,
                confirmed_by="district3101",
                confirmed_at=datetime(2024, 11, 3, 9, tzinfo=UTC),
                locked_by="province31",
                locked_at=datetime(2024, 11, 5, 10, tzinfo=UTC),
            )
        )
        make_user(session, "district3101", "district", district_code="3101")
        record(session, actor="province31", action="lock", district_code="3101", period=256710)
        record(session, actor="district3101", action="cell", district_code="3101", old_value="0", new_value="1234.50")


def test_backup_and_restore_round_trip_to_a_fresh_database(
    engine: Engine, databases: _Databases, backend: str, tmp_path: Path
) -> None:
    _fill(engine)
    before = _snapshot(engine)
    assert before["audit_event"] and before["district_month"] and before["monthly_sale"]
    backup = backup_database(engine.url.render_as_string(hide_password=False), tmp_path / "otop.backup")
    assert backup.size_bytes > 0

    fresh = databases.new_engine(backend)
    restore_database(fresh.url.render_as_string(hide_password=False), backup.path)
    assert migrate.is_up_to_date(fresh)
    assert _snapshot(fresh) == before


def test_sqlite_backup_is_consistent_while_the_portal_writes(databases: _Databases, tmp_path: Path) -> None:
    url = databases.new_url("sqlite")
    engine = make_engine(url)
    migrate.upgrade(engine)
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            with session_scope(engine, write=True) as session:
                record(session, actor="writer", action="tick")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        for attempt in range(3):
            backup_database(url, tmp_path / f"live-{attempt}.sqlite3")
    finally:
        stop.set()
        writer.join()
    copy = make_engine(f"sqlite:///{tmp_path / 'live-2.sqlite3'}")
    with copy.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert connection.execute(select(AuditEvent.id)).first() is not None
    copy.dispose()
    engine.dispose()


def test_restore_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BackupError):
        restore_database(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path / "missing.backup")


def test_cli_backup_and_restore(monkeypatch: pytest.MonkeyPatch, databases: _Databases, tmp_path: Path) -> None:
    source_url = databases.new_url("sqlite")
    source = make_engine(source_url)
    migrate.upgrade(source)
    with session_scope(source, write=True) as session:
        load_master_data(session, province_codes={"31"})
    _fill(source)
    monkeypatch.setenv("OTOP_DATABASE_URL", source_url)
    assert main(["backup", "-o", str(tmp_path / "cli.backup")]) == 0
    target_url = databases.new_url("sqlite")
    monkeypatch.setenv("OTOP_DATABASE_URL", target_url)
    assert main(["restore", str(tmp_path / "cli.backup")]) == 2  # refuses without --yes
    assert main(["restore", str(tmp_path / "cli.backup"), "--yes"]) == 0
    target = make_engine(target_url)
    assert _snapshot(target) == _snapshot(source)
    source.dispose()
    target.dispose()


def test_backup_file_is_readable_by_its_owner_only(engine: Engine, tmp_path: Path) -> None:
    """A backup holds every password hash: other accounts on the server must not read it."""
    _fill(engine)
    output = tmp_path / "private.backup"
    output.write_bytes(b"an older, world-readable file in the way")
    output.chmod(0o644)
    backup_database(engine.url.render_as_string(hide_password=False), output)
    assert output.stat().st_mode & 0o777 == 0o600
    assert output.stat().st_size > len(b"an older, world-readable file in the way")
