"""``python -m otop users …``: add, list, reset passwords, unlock, disable and enable accounts."""

from __future__ import annotations

import argparse
import getpass
import sys

from db.engine import session_scope
from db.models import ROLE_CODES
from otop.cli import SHELL_ACTOR, CommandError, Handler, engine_for
from otop.config import Settings
from otop.masterdata import load_master_data
from otop.users import create_user, list_users, reset_password, set_user_active, unlock_user


def read_password(args: argparse.Namespace) -> str:
    """One line from stdin with ``--password-stdin``, otherwise typed twice at a hidden prompt."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("ไม่ได้รับรหัสผ่านทาง stdin")
        return password
    password = getpass.getpass("รหัสผ่านใหม่: ")
    if getpass.getpass("ยืนยันรหัสผ่านอีกครั้ง: ") != password:
        raise CommandError("รหัสผ่านทั้งสองครั้งไม่ตรงกัน")
    return password


def _add(args: argparse.Namespace, settings: Settings) -> int:
    password = read_password(args)
    with session_scope(engine_for(settings), write=True) as session:
        load_master_data(session)
        user = create_user(
            session=session,
            actor=SHELL_ACTOR,
            username=args.username,
            display_name=args.name or args.username,
            position_title=args.position or "",
            role=args.role,
            province_code=args.province,
            district_code=args.district,
            password=password,
            settings=settings,
        )
    print(f"เพิ่มผู้ใช้ {user.username} ({user.role_label}, {user.area_name}) แล้ว")
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    with session_scope(engine_for(settings)) as session:
        users = list_users(session=session, actor=SHELL_ACTOR, province_code=args.province)
    print(" | ".join(["ชื่อผู้ใช้", "ชื่อที่แสดง", "บทบาท", "พื้นที่", "สถานะ", "รหัสผ่านผิดติดกัน"]))
    for user in users:
        print(
            " | ".join(
                [
                    user.username,
                    user.display_name,
                    f"{user.role_label} ({user.role})",
                    user.area_name,
                    user.status_label,
                    str(user.failed_attempts),
                ]
            )
        )
    print(f"รวม {len(users)} บัญชี")
    return 0


def _reset_password(args: argparse.Namespace, settings: Settings) -> int:
    password = read_password(args)
    with session_scope(engine_for(settings), write=True) as session:
        user = reset_password(
            session=session, actor=SHELL_ACTOR, username=args.username, new_password=password, settings=settings
        )
    print(f"ตั้งรหัสผ่านใหม่ให้ {user.username} แล้ว (ปลดล็อกบัญชีด้วย)")
    return 0


def _unlock(args: argparse.Namespace, settings: Settings) -> int:
    with session_scope(engine_for(settings), write=True) as session:
        user = unlock_user(session=session, actor=SHELL_ACTOR, username=args.username)
    print(f"ปลดล็อกบัญชี {user.username} แล้ว")
    return 0


def _set_active(active: bool) -> Handler:
    def handler(args: argparse.Namespace, settings: Settings) -> int:
        with session_scope(engine_for(settings), write=True) as session:
            user = set_user_active(session=session, actor=SHELL_ACTOR, username=args.username, active=active)
        print(f"{'เปิด' if active else 'ปิด'}การใช้งานบัญชี {user.username} แล้ว")
        return 0

    return handler


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    users_parser = commands.add_parser("users", help="ผู้ใช้ (user accounts)")
    users_commands = users_parser.add_subparsers(dest="users_command", required=True)

    add = users_commands.add_parser("add", help="เพิ่มผู้ใช้ (add a user)")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=ROLE_CODES)
    add.add_argument("--province", help="รหัสจังหวัด เช่น 31 (role province)")
    add.add_argument("--district", help="รหัสอำเภอ เช่น 3101 (role district)")
    add.add_argument("--name", help="ชื่อที่แสดง (default: the username)")
    add.add_argument("--position", help="ตำแหน่ง")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.set_defaults(handler=_add)

    listing = users_commands.add_parser("list", help="รายชื่อผู้ใช้ (list users)")
    listing.add_argument("--province", help="only the users of this province")
    listing.set_defaults(handler=_list)

    reset = users_commands.add_parser("reset-password", help="ตั้งรหัสผ่านใหม่ (also unlocks)")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    reset.set_defaults(handler=_reset_password)

    for name, handler, help_text in (
        ("unlock", _unlock, "ปลดล็อกบัญชีที่ถูกระงับ (unlock)"),
        ("disable", _set_active(False), "ปิดการใช้งาน (disable)"),
        ("enable", _set_active(True), "เปิดการใช้งาน (enable)"),
    ):
        command = users_commands.add_parser(name, help=help_text)
        command.add_argument("username")
        command.set_defaults(handler=handler)
