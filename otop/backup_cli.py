"""Command line for ``python -m otop backup`` and ``python -m otop restore``."""

from __future__ import annotations

import argparse
from pathlib import Path

from otop.backup import BackupError, backup_database, restore_database
from otop.config import Settings


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    try:
        result = backup_database(settings.database_url, Path(args.output))
    except BackupError as error:
        raise ValueError(str(error)) from error
    print(f"สำรองข้อมูล ({result.backend}) ไว้ที่ {result.path} ขนาด {result.size_bytes:,} ไบต์")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    if not args.yes:
        raise ValueError("การกู้คืนจะแทนที่ข้อมูลทั้งหมดในฐานข้อมูลปัจจุบัน ยืนยันด้วย --yes")
    try:
        restore_database(settings.database_url, Path(args.file))
    except BackupError as error:
        raise ValueError(str(error)) from error
    print(f"กู้คืนข้อมูลจาก {args.file} แล้ว")
    return 0


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    backup = commands.add_parser("backup", help="สำรองข้อมูลทั้งฐานข้อมูล (backup)")
    backup.add_argument("-o", "--output", required=True, help="ไฟล์ปลายทาง")
    backup.set_defaults(handler=_backup)
    restore = commands.add_parser("restore", help="กู้คืนข้อมูลจากไฟล์สำรอง (restore)")
    restore.add_argument("file", help="ไฟล์สำรองข้อมูล")
    restore.add_argument("--yes", action="store_true", help="ยืนยันการแทนที่ข้อมูลเดิม")
    restore.set_defaults(handler=_restore)
