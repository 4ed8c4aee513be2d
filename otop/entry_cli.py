"""Command line for ``python -m otop entry show``: a district-month's รต.1 rows and totals."""

from __future__ import annotations

import argparse

from db.engine import session_scope
from otop.cli import SHELL_ACTOR, actor_from_username, engine_for
from otop.config import Settings
from otop.entry import MonthGrid, load_month
from otop.fiscal import Period
from otop.i18n import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    PRODUCER_TYPE_LABELS,
    format_baht,
    format_thai_datetime,
    period_name,
)

HEADER = ["ที่", "ผู้ผลิต", "ตำบล", "หมวด", "ประเภท", *CHANNEL_LABELS.values(), "รวม", "หมายเหตุ"]


def format_month(grid: MonthGrid) -> list[str]:
    """The lines ``entry show`` prints: title, state, header, one line per row, the totals line."""
    confirmed = (
        f"ยืนยันแล้วโดย {grid.confirmed_by} เมื่อ {format_thai_datetime(grid.confirmed_at)}"
        if grid.confirmed_at
        else "ยังไม่ได้ยืนยันข้อมูล"
    )
    state = grid.status.reason or f"เปิดให้บันทึกถึง {format_thai_datetime(grid.status.open_until)}"
    lines = [
        f"แบบ รต.1 อำเภอ{grid.district_name_th} ({grid.district_code}) เดือน{period_name(grid.period)}",
        f"{confirmed} | {state}",
        " | ".join(HEADER),
    ]
    for row in grid.rows:
        lines.append(
            " | ".join(
                [
                    str(row.row_no),
                    row.producer_name,
                    row.subdistrict_name,
                    CATEGORY_LABELS[row.category],
                    PRODUCER_TYPE_LABELS[row.producer_type],
                    *(format_baht(row.amount(channel)) for channel in CHANNEL_LABELS),
                    format_baht(row.total),
                    row.outlier_note or "",
                ]
            )
        )
    totals = [format_baht(grid.totals[channel]) for channel in CHANNEL_LABELS]
    lines.append(" | ".join(["", f"รวม {len(grid.rows):,} แถว", "", "", "", *totals, format_baht(grid.total), ""]))
    return lines


def _show(args: argparse.Namespace, settings: Settings) -> int:
    engine = engine_for(settings)
    period = Period.parse(args.period)
    with session_scope(engine) as session:
        actor = actor_from_username(session, args.as_user) if args.as_user else SHELL_ACTOR
        grid = load_month(session=session, actor=actor, district_code=args.district, period=period)
    print("\n".join(format_month(grid)))
    return 0


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    entry = commands.add_parser("entry", help="ยอดจำหน่ายรายเดือนของอำเภอ (monthly entry)")
    entry_commands = entry.add_subparsers(dest="entry_command", required=True)
    show = entry_commands.add_parser("show", help="แสดงแบบ รต.1 ของอำเภอหนึ่งเดือน")
    show.add_argument("--district", required=True, help="รหัสอำเภอ เช่น 3101")
    show.add_argument("--period", required=True, help="เดือน พ.ศ. เช่น 2567-10")
    show.add_argument("--as", dest="as_user", help="ชื่อผู้ใช้ที่ใช้สิทธิ์ (ค่าเริ่มต้น: ผู้ดูแลระบบ)")
    show.set_defaults(handler=_show)
