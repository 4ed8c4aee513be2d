"""Command line for ``python -m otop export`` and ``import``: the same export and import services as the pages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlmodel import Session

from db.engine import session_scope
from otop.cli import SHELL_ACTOR, CommandError, actor_from_username, engine_for
from otop.config import Settings
from otop.entry import EntryConflict
from otop.exports import EXPORT_KINDS, ExportRequest, build_export
from otop.fiscal import Period
from otop.imports import (
    ImportPreview,
    apply_forecast_import,
    apply_rt1_import,
    preview_forecast_import,
    preview_rt1_import,
)
from otop.permissions import Actor, province_of
from otop.status import EntryRefused


def _export(args: argparse.Namespace, settings: Settings) -> int:
    if args.district and args.province and province_of(args.district) != args.province:
        raise CommandError(f"อำเภอรหัส {args.district} ไม่ได้อยู่ในจังหวัดรหัส {args.province}")
    request = ExportRequest(
        kind=args.kind,
        province_code=args.province or (province_of(args.district) if args.district else None),
        district_code=args.district,
        period=Period.parse(args.period) if args.period else None,
        fiscal_year_be=args.fy,
        round_no=args.round,
    )
    with session_scope(engine_for(settings)) as session:
        actor = actor_from_username(session, args.as_user) if args.as_user else SHELL_ACTOR
        export = build_export(session=session, actor=actor, request=request)
    output = Path(args.output)
    output.write_bytes(export.content)
    sheet = export.sheets[0]
    print(f"บันทึกไฟล์ {output} แล้ว: {' '.join(sheet.title_lines)}")
    for line in sheet.status_lines:
        print(line)
    return 0


def _print_preview(preview: ImportPreview) -> None:
    for line in preview.lines():
        print(line)
    if preview.problems:
        print(f"พบปัญหา {len(preview.problems)} รายการ ไม่ได้บันทึกข้อมูลใด ๆ:", file=sys.stderr)
        for problem in preview.problems:
            print(f"- {problem}", file=sys.stderr)


def _preview(args: argparse.Namespace, session: Session, actor: Actor, content: bytes) -> ImportPreview:
    if args.form == "rt1":
        return preview_rt1_import(
            session=session, actor=actor, district_code=args.district, period=Period.parse(args.period), content=content
        )
    return preview_forecast_import(
        session=session, actor=actor, district_code=args.district, fiscal_year_be=args.fy, content=content
    )


def _apply(args: argparse.Namespace, session: Session, actor: Actor, content: bytes, base_version: int) -> str:
    if args.form == "rt1":
        period = Period.parse(args.period)
        return apply_rt1_import(
            session=session,
            actor=actor,
            district_code=args.district,
            period=period,
            content=content,
            base_version=base_version,
        ).message
    return apply_forecast_import(
        session=session,
        actor=actor,
        district_code=args.district,
        fiscal_year_be=args.fy,
        content=content,
        base_version=base_version,
    ).message


def _import(args: argparse.Namespace, settings: Settings) -> int:
    """Print the dry run; save only when it found nothing wrong and ``--dry-run`` was not given."""
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"ไม่พบไฟล์ {path}")
    if args.form == "rt1" and not args.period:
        raise CommandError("นำเข้าแบบ รต.1 ต้องระบุ --period เช่น 2567-10")
    if args.form == "forecast" and not args.fy:
        raise CommandError("นำเข้าแบบประมาณการต้องระบุ --fy เช่น 2568")
    content = path.read_bytes()
    with session_scope(engine_for(settings), write=True) as session:
        actor = actor_from_username(session, args.as_user)
        preview = _preview(args, session, actor, content)
        _print_preview(preview)
        if not preview.ok:
            return 1
        if args.dry_run:
            print("ทดลองนำเข้าเท่านั้น (--dry-run): ยังไม่ได้บันทึกข้อมูล")
            return 0
        try:
            message = _apply(args, session, actor, content, preview.base_version)
        except (EntryConflict, EntryRefused) as error:
            raise CommandError(str(error)) from error
    print(message)
    return 0


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export_parser = commands.add_parser("export", help="ส่งออกรายงาน Excel ตามแบบฟอร์ม (Excel export)")
    export_parser.add_argument("kind", choices=list(EXPORT_KINDS), help="ชนิดรายงาน")
    export_parser.add_argument("--province", help="รหัสจังหวัด เช่น 31 (ไม่ระบุ = ทั่วประเทศ)")
    export_parser.add_argument("--district", help="รหัสอำเภอ เช่น 3101")
    when = export_parser.add_mutually_exclusive_group()
    when.add_argument("--period", help="เดือน พ.ศ. เช่น 2567-10")
    when.add_argument("--fy", type=int, help="ปีงบประมาณ พ.ศ. เช่น 2568")
    export_parser.add_argument("--round", type=int, choices=(1, 2), help="รอบการประเมิน (กับ --fy)")
    export_parser.add_argument("-o", "--output", required=True, help="ไฟล์ .xlsx ที่จะเขียน")
    export_parser.add_argument("--as", dest="as_user", help="ส่งออกในสิทธิ์ของผู้ใช้นี้ (ไม่ระบุ = ผู้ดูแลระบบ)")
    export_parser.set_defaults(handler=_export)

    import_parser = commands.add_parser("import", help="นำเข้าไฟล์ Excel แบบ รต.1 หรือแบบประมาณการ (Excel import)")
    import_parser.add_argument("form", choices=("rt1", "forecast"), help="แบบฟอร์มของไฟล์")
    import_parser.add_argument("file", help="ไฟล์ .xlsx ที่ดาวน์โหลดจากระบบแล้วกรอกข้อมูล")
    import_parser.add_argument("--district", required=True, help="รหัสอำเภอ เช่น 3101")
    import_parser.add_argument("--period", help="เดือน พ.ศ. ของแบบ รต.1 เช่น 2567-10")
    import_parser.add_argument("--fy", type=int, help="ปีงบประมาณของแบบประมาณการ เช่น 2568")
    import_parser.add_argument("--as", dest="as_user", required=True, help="ผู้ใช้ที่นำเข้า (ใช้สิทธิ์ของผู้ใช้นี้)")
    import_parser.add_argument("--dry-run", action="store_true", help="แสดงผลการตรวจสอบเท่านั้น ไม่บันทึก")
    import_parser.set_defaults(handler=_import)
