"""Backup and restore of the whole database: SQLite's online backup API, PostgreSQL's pg_dump/pg_restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why in Thai."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    backend: str
    size_bytes: int


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("สำรองข้อมูลได้เฉพาะฐานข้อมูล SQLite ที่เป็นไฟล์")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for pg_dump/pg_restore, with the password passed by environment."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"ไม่พบโปรแกรม {command[0]} (ติดตั้งแพ็กเกจ postgresql-client)")
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} ไม่สำเร็จ: {finished.stderr.strip()[:500]}")


def _private_file(path: Path) -> None:
    """Create (or empty) ``path`` readable by its owner only, before anything is written to it.

    A backup holds every figure and every password hash: it must not be readable by other
    accounts of the server, not even for the moment between creating and restricting it.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(descriptor)
    os.chmod(path, 0o600)


def backup_database(database_url: str, output: Path) -> BackupResult:
    """Write a consistent copy of the database to ``output`` (owner-only); safe while the portal is running."""
    url = make_url(database_url)
    output.parent.mkdir(parents=True, exist_ok=True)
    _private_file(output)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(output)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        backend = "sqlite"
    elif url.get_backend_name() == "postgresql":
        connection, environment = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", f"--dbname={connection}", f"--file={output}"], environment)
        backend = "postgresql"
    else:
        raise BackupError(f"ไม่รองรับฐานข้อมูลชนิด {url.get_backend_name()}")
    return BackupResult(path=output, backend=backend, size_bytes=output.stat().st_size)


def restore_database(database_url: str, backup_file: Path) -> None:
    """Replace the database's contents with the backup's (schema, rows, locks and audit trail)."""
    if not backup_file.is_file():
        raise BackupError(f"ไม่พบไฟล์สำรองข้อมูล {backup_file}")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(backup_file)
        target = sqlite3.connect(target_path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return
    if url.get_backend_name() == "postgresql":
        connection, environment = _libpq(url)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={connection}",
                str(backup_file),
            ],
            environment,
        )
        return
    raise BackupError(f"ไม่รองรับฐานข้อมูลชนิด {url.get_backend_name()}")
