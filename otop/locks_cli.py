"""Command line for ``python -m otop lock``, ``unlock`` and ``status``: the same services as the lock page."""

from __future__ import annotations

import argparse

from sqlmodel import Session

from db.engine import session_scope
from db.models import Province
from otop.cli import SHELL_ACTOR, CommandError, actor_from_username, engine_for
from otop.completeness import DistrictMonthState, locked_summary_line, month_completeness
from otop.config import Settings
from otop.fiscal import Period
from otop.i18n import format_baht, format_thai_datetime, period_name
from otop.locks import (
    LockRefused,
    LockResult,
    lock_district_month,
    lock_province_month,
    unlock_district_month,
    unlock_province_month,
)
from otop.permissions import Actor, province_of


def _target(args: argparse.Namespace) -> tuple[str, str | None, Period]:
    if args.district and province_of(args.district) != args.province:
        raise CommandError(f"อำเภอรหัส {args.district} ไม่ได้อยู่ในจังหวัดรหัส {args.province}")
    return args.province, args.district, Period.parse(args.period)


def _province_name(session: Session, province_code: str) -> str:
    province = session.get(Province, province_code)
    if province is None:
        raise CommandError(f"ไม่พบจังหวัดรหัส {province_code}")
    return province.name_th


def _status_lines(states: list[DistrictMonthState]) -> list[str]:
    lines = []
    for state in states:
        confirmed = (
            f"ยืนยันแล้ว ({state.confirmed_by} {format_thai_datetime(state.confirmed_at)})"
            if state.confirmed
            else "ยังไม่ยืนยัน"
        )
        locked = f"ล็อกแล้ว ({state.locked_by} {format_thai_datetime(state.locked_at)})" if state.locked else "ยังไม่ล็อก"
        late = " | ล่าช้า" if state.late else ""
        lines.append(
            f"{state.district_code} {state.district_name_th} | {confirmed} | {locked} | "
            f"{format_baht(state.total)}{late}"
        )
    return lines


def _print_result(verb: str, result: LockResult, states: list[DistrictMonthState], actor: Actor) -> None:
    names = {state.district_code: state.district_name_th for state in states}
    changed = ", ".join(f"{names[code]} ({code})" for code in result.changed) or "ไม่มี"
    print(f"{verb}ข้อมูลเดือน{period_name(result.period)} โดย {actor.username}: {changed}")
    if result.unchanged:
        print(f"ไม่เปลี่ยนแปลง {len(result.unchanged)} อำเภอ (อยู่ในสถานะนั้นอยู่แล้ว)")
    if result.unconfirmed:
        unconfirmed = ", ".join(names[code] for code in result.unconfirmed)
        print(f"หมายเหตุ: ล็อกทั้งที่อำเภอยังไม่ได้ยืนยันข้อมูล: {unconfirmed}")
    print(locked_summary_line(states))


def _lock(args: argparse.Namespace, settings: Settings) -> int:
    province_code, district_code, period = _target(args)
    with session_scope(engine_for(settings), write=True) as session:
        actor = actor_from_username(session, args.as_user)
        try:
            if district_code:
                result = lock_district_month(session=session, actor=actor, district_code=district_code, period=period)
            else:
                result = lock_province_month(session=session, actor=actor, province_code=province_code, period=period)
        except LockRefused as error:
            raise CommandError(str(error)) from error
        states = month_completeness(session=session, actor=actor, province_code=province_code, period=period)
        _print_result("ล็อก", result, states, actor)
    return 0


def _unlock(args: argparse.Namespace, settings: Settings) -> int:
    province_code, district_code, period = _target(args)
    with session_scope(engine_for(settings), write=True) as session:
        actor = actor_from_username(session, args.as_user)
        try:
            if district_code:
                result = unlock_district_month(
                    session=session, actor=actor, district_code=district_code, period=period, reason=args.reason
                )
            else:
                result = unlock_province_month(
                    session=session, actor=actor, province_code=province_code, period=period, reason=args.reason
                )
        except LockRefused as error:
            raise CommandError(str(error)) from error
        states = month_completeness(session=session, actor=actor, province_code=province_code, period=period)
        _print_result("ปลดล็อก", result, states, actor)
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    period = Period.parse(args.period)
    with session_scope(engine_for(settings)) as session:
        actor = actor_from_username(session, args.as_user) if args.as_user else SHELL_ACTOR
        province_name = _province_name(session, args.province)
        states = month_completeness(session=session, actor=actor, province_code=args.province, period=period)
    print(f"สถานะข้อมูลเดือน{period_name(period)} จังหวัด{province_name} ({args.province})")
    for line in _status_lines(states):
        print(line)
    print(f"อำเภอที่ยืนยันข้อมูล: {sum(state.confirmed for state in states)}/{len(states)} อำเภอ")
    print(locked_summary_line(states))
    return 0


def _add_target_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--province", required=True, help="รหัสจังหวัด เช่น 31")
    parser.add_argument("--district", help="รหัสอำเภอ เช่น 3101 (ไม่ระบุ = ทั้งจังหวัด)")
    parser.add_argument("--period", required=True, help="เดือน พ.ศ. เช่น 2567-10")
    parser.add_argument("--as", dest="as_user", required=True, help="ชื่อผู้ใช้ที่ดำเนินการ")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    lock = commands.add_parser("lock", help="ล็อกข้อมูลของอำเภอหรือทั้งจังหวัด (lock)")
    _add_target_arguments(lock)
    lock.set_defaults(handler=_lock)

    unlock = commands.add_parser("unlock", help="ปลดล็อกข้อมูลของอำเภอหรือทั้งจังหวัด (unlock)")
    _add_target_arguments(unlock)
    unlock.add_argument("--reason", default="", help="เหตุผลการปลดล็อก (ต้องระบุ)")
    unlock.set_defaults(handler=_unlock)

    status = commands.add_parser("status", help="สถานะการยืนยันและการล็อกข้อมูลรายอำเภอ (status)")
    status.add_argument("--province", required=True, help="รหัสจังหวัด เช่น 31")
    status.add_argument("--period", required=True, help="เดือน พ.ศ. เช่น 2567-10")
    status.add_argument("--as", dest="as_user", help="ชื่อผู้ใช้ที่ดูข้อมูล (ไม่ระบุ = ผู้ดูแลระบบ)")
    status.set_defaults(handler=_status)
