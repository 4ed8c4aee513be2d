"""User administration: create, assign role and area, disable, reset passwords, unlock, change one's own password."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from db.models import ROLE_CODES, District, Province, User
from otop.audit import record
from otop.auth import area_name, normalize_username
from otop.clock import utc_now
from otop.config import Settings, get_settings
from otop.i18n import ROLE_LABELS, format_thai_datetime
from otop.passwords import hash_password, verify_password
from otop.permissions import (
    Action,
    Actor,
    PermissionDenied,
    ensure_permission,
    ensure_permission_somewhere,
    province_of,
)
from otop.text import without_controls

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,49}$")
BCRYPT_MAX_BYTES = 72
# Who may hand out which role: nobody can create or manage an account above their own.
ROLE_RANK = {"district": 0, "province": 1, "department": 2, "admin": 3}


class UserError(ValueError):
    """Input a user service refuses; the message is Thai and names the field."""


@dataclass(frozen=True)
class UserView:
    """A user as screens and the command line show it; never the password hash."""

    username: str
    display_name: str
    position_title: str
    role: str
    province_code: str | None
    district_code: str | None
    area_name: str
    active: bool
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime | None
    password_changed_at: datetime | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def locked(self) -> bool:
        return self.locked_until is not None

    @property
    def status_label(self) -> str:
        if not self.active:
            return "ปิดการใช้งาน"
        if self.locked_until is not None:
            return f"ถูกระงับถึง {format_thai_datetime(self.locked_until)}"
        return "ใช้งานได้"


def assignable_roles(actor: Actor) -> list[str]:
    """The roles an actor may give to accounts: their own and those below it (services check again)."""
    return [role for role in ROLE_CODES if ROLE_RANK[role] <= ROLE_RANK[actor.role]]


def _view(session: Session, user: User, *, now: datetime) -> UserView:
    locked_until = user.locked_until if user.locked_until is not None and user.locked_until > now else None
    return UserView(
        username=user.username,
        display_name=user.display_name,
        position_title=user.position_title,
        role=user.role,
        province_code=user.province_code,
        district_code=user.district_code,
        area_name=area_name(session, province_code=user.province_code, district_code=user.district_code),
        active=user.active,
        failed_attempts=user.failed_attempts,
        locked_until=locked_until,
        created_at=user.created_at,
        password_changed_at=user.password_changed_at,
    )


def check_password_policy(password: str, *, username: str, settings: Settings | None = None) -> None:
    """Refuse a password that is short, too long for bcrypt, padded with spaces, or the username itself."""
    settings = settings or get_settings()
    if len(password) < settings.min_password_length:
        raise UserError(f"รหัสผ่านต้องยาวอย่างน้อย {settings.min_password_length} ตัวอักษร")
    if len(password.encode("utf-8")) > BCRYPT_MAX_BYTES:
        raise UserError(
            f"รหัสผ่านยาวเกินไป (สูงสุด {BCRYPT_MAX_BYTES} ไบต์ ประมาณ {BCRYPT_MAX_BYTES} ตัวอักษรภาษาอังกฤษ "
            f"หรือ {BCRYPT_MAX_BYTES // 3} ตัวอักษรภาษาไทย)"
        )
    # The login widget trims what is typed, so such a password could never be entered again.
    if password != password.strip():
        raise UserError("รหัสผ่านต้องไม่ขึ้นต้นหรือลงท้ายด้วยช่องว่าง")
    # bcrypt reads a password only up to a NUL, and no keyboard types control characters.
    if any(unicodedata.category(char) == "Cc" for char in password):
        raise UserError("รหัสผ่านต้องไม่มีอักขระควบคุม (เช่น แท็บ หรือการขึ้นบรรทัดใหม่)")
    if password.strip().lower() == normalize_username(username):
        raise UserError("รหัสผ่านต้องไม่เหมือนชื่อผู้ใช้")


def _ensure_manages(actor: Actor, *, role: str, province_code: str | None, district_code: str | None) -> None:
    """The actor may manage users of this area, and of this role."""
    ensure_permission(actor, Action.MANAGE_USERS, province_code=province_code, district_code=district_code)
    if ROLE_RANK[role] > ROLE_RANK[actor.role]:
        raise PermissionDenied(f"ผู้ใช้ {actor.username} ไม่มีสิทธิ์จัดการบัญชีที่มีบทบาท{ROLE_LABELS[role]}")


def _find_user(session: Session, username: str, *, for_update: bool = True) -> User:
    statement = select(User).where(User.username == normalize_username(username))
    if for_update:
        statement = statement.with_for_update()
    user = session.exec(statement).first()
    if user is None:
        raise UserError(f"ไม่พบผู้ใช้ชื่อ {username}")
    return user


def _ensure_manages_user(actor: Actor, user: User) -> None:
    _ensure_manages(actor, role=user.role, province_code=user.province_code, district_code=user.district_code)


def _area_of(role: str, *, province_code: str | None, district_code: str | None) -> tuple[str | None, str | None]:
    """The (province_code, district_code) a role is bound to, from what was given (not yet checked to exist)."""
    province_code = (province_code or "").strip() or None
    district_code = (district_code or "").strip() or None
    if role == "district":
        if district_code is None:
            raise UserError("ผู้ใช้ระดับอำเภอต้องระบุอำเภอ")
        if province_code is not None and province_of(district_code) != province_code:
            raise UserError(f"อำเภอรหัส {district_code} ไม่อยู่ในจังหวัดรหัส {province_code}")
        return province_of(district_code), district_code
    if role == "province":
        if province_code is None:
            raise UserError("ผู้ใช้ระดับจังหวัดต้องระบุจังหวัด")
        return province_code, None
    return None, None


def _check_area_exists(session: Session, *, province_code: str | None, district_code: str | None) -> None:
    if district_code is not None and session.get(District, district_code) is None:
        raise UserError(f"ไม่พบอำเภอรหัส {district_code}")
    if province_code is not None and session.get(Province, province_code) is None:
        raise UserError(f"ไม่พบจังหวัดรหัส {province_code}")


def _check_role(role: str) -> None:
    if role not in ROLE_CODES:
        raise UserError(f"บทบาท {role} ไม่ถูกต้อง (ใช้ได้: {', '.join(ROLE_CODES)})")


def _check_display_name(display_name: str) -> str:
    display_name = without_controls(display_name).strip()
    if not display_name:
        raise UserError("กรุณากรอกชื่อที่แสดง")
    if len(display_name) > 200:
        raise UserError("ชื่อที่แสดงยาวเกิน 200 ตัวอักษร")
    return display_name


def _check_position_title(position_title: str) -> str:
    position_title = without_controls(position_title).strip()
    if len(position_title) > 200:
        raise UserError("ตำแหน่งยาวเกิน 200 ตัวอักษร")
    return position_title


def _active_admins(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(User).where(User.role == "admin", User.active == True)  # noqa: E712
        )
        or 0
    )


def _audit_user(
    session: Session,
    actor: Actor,
    user: User,
    action: str,
    detail: str,
    *,
    field: str | None = None,
    old_value: object = None,
    new_value: object = None,
) -> None:
    record(
        session,
        actor=actor.username,
        action=action,
        province_code=user.province_code,
        district_code=user.district_code,
        field=field,
        old_value=old_value,
        new_value=new_value,
        detail=f"ผู้ใช้ {user.username}: {detail}",
    )


def list_users(*, session: Session, actor: Actor, province_code: str | None = None) -> list[UserView]:
    """The users of a province (its province and district accounts), or all users when no province is given."""
    ensure_permission(actor, Action.MANAGE_USERS, province_code=province_code)
    statement = select(User).order_by(User.role, User.province_code, User.district_code, User.username)
    if province_code is not None:
        statement = statement.where(User.province_code == province_code)
    now = utc_now()
    return [_view(session, user, now=now) for user in session.exec(statement).all()]


def get_own_account(*, session: Session, actor: Actor) -> UserView:
    """The actor's own account; everyone may see it, and only it."""
    return _view(session, _find_user(session, actor.username, for_update=False), now=utc_now())


def create_user(
    *,
    session: Session,
    actor: Actor,
    username: str,
    display_name: str,
    role: str,
    password: str,
    province_code: str | None = None,
    district_code: str | None = None,
    position_title: str = "",
    settings: Settings | None = None,
) -> UserView:
    """A new active account bound to the area its role needs; the password is stored only as a bcrypt hash."""
    _check_role(role)
    province_code, district_code = _area_of(role, province_code=province_code, district_code=district_code)
    _ensure_manages(actor, role=role, province_code=province_code, district_code=district_code)
    _check_area_exists(session, province_code=province_code, district_code=district_code)
    name = normalize_username(username)
    if not USERNAME_PATTERN.match(name):
        raise UserError(
            "ชื่อผู้ใช้ต้องยาว 3–50 ตัว ใช้ได้เฉพาะอักษรภาษาอังกฤษ ตัวเลข จุด ขีด (-) และขีดล่าง (_) และขึ้นต้นด้วยอักษรหรือตัวเลข"
        )
    if session.exec(select(User.id).where(User.username == name)).first() is not None:
        raise UserError(f"มีชื่อผู้ใช้ {name} อยู่แล้ว")
    check_password_policy(password, username=name, settings=settings)
    now = utc_now()
    user = User(
        username=name,
        display_name=_check_display_name(display_name),
        position_title=_check_position_title(position_title),
        password_hash=hash_password(password),
        role=role,
        province_code=province_code,
        district_code=district_code,
        active=True,
        failed_attempts=0,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    view = _view(session, user, now=now)
    _audit_user(
        session, actor, user, "user_create", f"สร้างบัญชี{view.role_label} {view.area_name}", field="role", new_value=role
    )
    session.flush()
    return view


def update_user(
    *,
    session: Session,
    actor: Actor,
    username: str,
    role: str,
    province_code: str | None = None,
    district_code: str | None = None,
    display_name: str | None = None,
    position_title: str | None = None,
) -> UserView:
    """Assign a user's role and area (and optionally name and title); each changed field is audited."""
    ensure_permission_somewhere(actor, Action.MANAGE_USERS)
    user = _find_user(session, username)
    _ensure_manages_user(actor, user)
    _check_role(role)
    province_code, district_code = _area_of(role, province_code=province_code, district_code=district_code)
    _ensure_manages(actor, role=role, province_code=province_code, district_code=district_code)
    _check_area_exists(session, province_code=province_code, district_code=district_code)
    if user.username == actor.username and (role, province_code, district_code) != (
        user.role,
        user.province_code,
        user.district_code,
    ):
        raise UserError("เปลี่ยนบทบาทหรือพื้นที่ของบัญชีตัวเองไม่ได้ ให้ผู้ดูแลคนอื่นเป็นผู้เปลี่ยน")
    if user.role == "admin" and role != "admin" and user.active and _active_admins(session) <= 1:
        raise UserError("ต้องมีผู้ดูแลระบบที่ใช้งานได้อย่างน้อยหนึ่งบัญชี")
    changes = {"role": role, "province_code": province_code, "district_code": district_code}
    if display_name is not None:
        changes["display_name"] = _check_display_name(display_name)
    if position_title is not None:
        changes["position_title"] = _check_position_title(position_title)
    for field, value in changes.items():
        old = getattr(user, field)
        if old == value:
            continue
        setattr(user, field, value)
        _audit_user(session, actor, user, "user_update", f"แก้ไข {field}", field=field, old_value=old, new_value=value)
    session.flush()
    return _view(session, user, now=utc_now())


def set_user_active(*, session: Session, actor: Actor, username: str, active: bool) -> UserView:
    """Disable an account (it can no longer log in, and an open session ends on its next page) or enable it again."""
    ensure_permission_somewhere(actor, Action.MANAGE_USERS)
    user = _find_user(session, username)
    _ensure_manages_user(actor, user)
    if user.active == active:
        return _view(session, user, now=utc_now())
    if not active:
        if user.username == actor.username:
            raise UserError("ปิดการใช้งานบัญชีของตัวเองไม่ได้")
        if user.role == "admin" and _active_admins(session) <= 1:
            raise UserError("ต้องมีผู้ดูแลระบบที่ใช้งานได้อย่างน้อยหนึ่งบัญชี")
    user.active = active
    _audit_user(
        session,
        actor,
        user,
        "user_enable" if active else "user_disable",
        "เปิดการใช้งาน" if active else "ปิดการใช้งาน",
        field="active",
        old_value=not active,
        new_value=active,
    )
    session.flush()
    return _view(session, user, now=utc_now())


def reset_password(
    *, session: Session, actor: Actor, username: str, new_password: str, settings: Settings | None = None
) -> UserView:
    """An administrator sets a new password for someone (who forgot theirs); it also lifts a lockout."""
    ensure_permission_somewhere(actor, Action.MANAGE_USERS)
    user = _find_user(session, username)
    _ensure_manages_user(actor, user)
    check_password_policy(new_password, username=user.username, settings=settings)
    now = utc_now()
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    user.failed_attempts = 0
    user.locked_until = None
    _audit_user(session, actor, user, "password_reset", "ตั้งรหัสผ่านใหม่โดยผู้ดูแล")
    session.flush()
    return _view(session, user, now=now)


def unlock_user(*, session: Session, actor: Actor, username: str) -> UserView:
    """Lift a lockout before it runs out and forget the failed attempts."""
    ensure_permission_somewhere(actor, Action.MANAGE_USERS)
    user = _find_user(session, username)
    _ensure_manages_user(actor, user)
    now = utc_now()
    old = user.locked_until
    user.failed_attempts = 0
    user.locked_until = None
    _audit_user(session, actor, user, "user_unlock", "ปลดล็อกบัญชี", field="locked_until", old_value=old)
    session.flush()
    return _view(session, user, now=now)


def change_own_password(
    *, session: Session, actor: Actor, current_password: str, new_password: str, settings: Settings | None = None
) -> UserView:
    """Anyone may change their own password, and only their own: the account is the actor's, and the
    current password must be given, so a session left open is not enough to take the account over.
    """
    user = _find_user(session, actor.username)
    if not user.active:
        raise PermissionDenied(f"บัญชี {user.username} ถูกปิดการใช้งาน")
    if not verify_password(current_password, user.password_hash):
        raise UserError("รหัสผ่านปัจจุบันไม่ถูกต้อง")
    check_password_policy(new_password, username=user.username, settings=settings)
    if new_password == current_password:
        raise UserError("รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านปัจจุบัน")
    now = utc_now()
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    _audit_user(session, actor, user, "password_change", "เปลี่ยนรหัสผ่านของตัวเอง")
    session.flush()
    return _view(session, user, now=now)
