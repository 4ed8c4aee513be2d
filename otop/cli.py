"""Command line: ``python -m otop …``; every command goes through the same services as the pages."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable, Sequence

from sqlalchemy import Engine
from sqlmodel import Session, select

from db import migrate
from db.engine import make_engine, session_scope
from db.models import User
from otop.auth import actor_of
from otop.config import Settings, get_settings
from otop.demo import clear_all, database_is_empty, load_demo
from otop.i18n import LEVEL_LABELS, MONTHS_EN_SHORT, format_baht, format_percent
from otop.money import whole_or_cents
from otop.permissions import Actor, PermissionDenied
from otop.retry import DatabaseUnavailable, translate_disconnects
from otop.targets import TargetRow, TargetTable, build_target_table, total_monthly_estimate

SHELL_ACTOR = Actor(username="cli", role="admin", display_name="command line")
Handler = Callable[[argparse.Namespace, Settings], int]


class CommandError(Exception):
    """A refusal the command line reports on stderr with a non-zero exit."""


def engine_for(settings: Settings) -> Engine:
    engine = translate_disconnects(make_engine(settings.database_url))
    if not migrate.is_up_to_date(engine):
        migrate.upgrade(engine)
    return engine


def actor_from_username(session: Session, username: str) -> Actor:
    """The actor a ``--as USER`` option names; refused when unknown or disabled."""
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None or not user.active:
        raise CommandError(f"ไม่พบผู้ใช้ที่ใช้งานได้ชื่อ {username}")
    return actor_of(user)


# --- db and demo -------------------------------------------------------------------


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    print(f"ฐานข้อมูลอยู่ที่รุ่น {migrate.current_revision(engine)}")
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    engine = engine_for(settings)
    with session_scope(engine, write=True) as session:
        if args.reset:
            clear_all(session)
        elif not database_is_empty(session):
            if args.if_empty:
                print("ฐานข้อมูลมีข้อมูลอยู่แล้ว ไม่สร้างข้อมูลตัวอย่างซ้ำ")
                return 0
            raise CommandError("ฐานข้อมูลมีข้อมูลอยู่แล้ว ใช้ --reset เพื่อล้างและสร้างข้อมูลตัวอย่างใหม่")
        counts = load_demo(session)
    print(
        f"สร้างข้อมูลตัวอย่างแล้ว: ผู้ผลิต {counts['producers']:,} ราย, "
        f"ยอดจำหน่ายรายเดือน {counts['monthly_sales']:,} แถว, ผู้ใช้ {counts['users']} บัญชี"
    )
    return 0


# --- targets -------------------------------------------------------------------------

TARGET_CSV_COLUMNS = (
    "fiscal_year_be",
    "round",
    "months",
    "row_no",
    "district_code",
    "district_name_th",
    "baseline_prev_fy",
    "target_plus4",
    "basic_plus2",
    "standard_plus3",
    "advanced_plus4",
    "{actual}",
    "monthly_estimate",
    "attainment_pct",
    "status",
)


def actual_column_name(table: TargetTable) -> str:
    """``actual_oct_mar_2568``: names the months the actual sales cover, as the official header does."""
    if not table.actual_periods:
        return f"actual_{table.fiscal_year_be}"
    first, last = (table.actual_periods[0] % 100, table.actual_periods[-1] % 100)
    return f"actual_{MONTHS_EN_SHORT[first - 1]}_{MONTHS_EN_SHORT[last - 1]}_{table.fiscal_year_be}"


def _target_values(table: TargetTable, row: TargetRow, monthly_estimate: object) -> list[str]:
    ratio = row.attainment
    return [
        str(table.fiscal_year_be),
        str(table.round_no),
        "Oct-Mar" if table.round_no == 1 else "Oct-Sep",
        str(row.row_no) if row.row_no else "",
        row.district_code,
        row.district_name_th,
        whole_or_cents(row.levels.baseline),
        whole_or_cents(row.levels.target_plus4),
        whole_or_cents(row.levels.basic),
        whole_or_cents(row.levels.standard),
        whole_or_cents(row.levels.advanced),
        whole_or_cents(row.actual),
        whole_or_cents(monthly_estimate),  # type: ignore[arg-type]
        "" if ratio is None else f"{ratio * 100:.2f}",
        row.status,
    ]


def _targets(args: argparse.Namespace, settings: Settings) -> int:
    engine = engine_for(settings)
    with session_scope(engine) as session:
        table = build_target_table(
            session,
            actor=SHELL_ACTOR,
            province_code=args.province,
            fiscal_year_be=args.fy,
            round_no=args.round,
        )
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([column.format(actual=actual_column_name(table)) for column in TARGET_CSV_COLUMNS])
        for row in table.rows:
            writer.writerow(_target_values(table, row, row.levels.monthly_estimate))
        if not args.no_total:
            writer.writerow(_target_values(table, table.total, total_monthly_estimate(table)))
        return 0
    header = ["ที่", "อำเภอ", "ฐานปีก่อน", "เป้า +4%", "ขั้นต้น", "ขั้นมาตรฐาน", "ขั้นสูง", "ยอดจริง", "ประมาณการ/เดือน", "%", "สถานะ"]
    print(f"เป้าหมายตัวชี้วัด ปีงบประมาณ {table.fiscal_year_be} รอบที่ {table.round_no} จังหวัด {table.province_code}")
    print(" | ".join(header))
    for row in [*table.rows, table.total]:
        estimate = row.levels.monthly_estimate if row.row_no else total_monthly_estimate(table)
        print(
            " | ".join(
                [
                    str(row.row_no or ""),
                    row.district_name_th,
                    *(
                        format_baht(value, symbol=False, decimals=0)
                        for value in (
                            row.levels.baseline,
                            row.levels.target_plus4,
                            row.levels.basic,
                            row.levels.standard,
                            row.levels.advanced,
                            row.actual,
                            estimate,
                        )
                    ),
                    format_percent(row.attainment),
                    LEVEL_LABELS[row.status],
                ]
            )
        )
    return 0


# --- wiring --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m otop", description="OTOP Revenue Portal")
    commands = parser.add_subparsers(dest="command", required=True)

    db_parser = commands.add_parser("db", help="ฐานข้อมูล (database)")
    db_commands = db_parser.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(handler=_db_upgrade)

    demo_parser = commands.add_parser("demo", help="สร้างข้อมูลตัวอย่าง (demo data)")
    demo_parser.add_argument("--reset", action="store_true", help="ล้างข้อมูลทั้งหมดก่อน")
    demo_parser.add_argument("--if-empty", action="store_true", help="สร้างเฉพาะเมื่อฐานข้อมูลว่าง")
    demo_parser.set_defaults(handler=_demo)

    targets_parser = commands.add_parser("targets", help="ตารางเป้าหมายตัวชี้วัด (target table)")
    targets_parser.add_argument("--province", required=True)
    targets_parser.add_argument("--fy", type=int, required=True, help="ปีงบประมาณ พ.ศ. เช่น 2568")
    targets_parser.add_argument("--round", type=int, choices=(1, 2), required=True)
    targets_parser.add_argument("--csv", action="store_true")
    targets_parser.add_argument("--no-total", action="store_true", help="CSV without the totals row")
    targets_parser.set_defaults(handler=_targets)

    for register in _extra_registrations():
        register(commands)
    return parser


def _extra_registrations() -> list[Callable[[argparse._SubParsersAction], None]]:  # type: ignore[type-arg]
    """Command groups that live beside their services."""
    from otop import backup_cli, bench_cli, entry_cli, excel_cli, locks_cli, users_cli

    return [
        backup_cli.register,
        users_cli.register,
        locks_cli.register,
        entry_cli.register,
        bench_cli.register,
        excel_cli.register,
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        return int(args.handler(args, settings))
    except (CommandError, PermissionDenied, ValueError, DatabaseUnavailable) as error:
        print(f"ผิดพลาด: {error}", file=sys.stderr)
        return 2
