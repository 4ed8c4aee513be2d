"""Login rules: password check, lockout kept in the database, disabled accounts, and the actor of a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import Session, select

from db.models import District, Province, User
from otop.audit import record
from otop.clock import utc_now
from otop.config import Settings, get_settings
from otop.i18n import format_thai_datetime
from otop.passwords import verify_password
from otop.permissions import Actor

# A wrong username is checked against this hash so that it costs the same bcrypt time as a
# wrong password: response times then do not tell which usernames exist.
_UNKNOWN_USER_HASH = "$2b$12$1IhZZCJ7hx6ZplkF07S.dON6zNmGNaW7f4mpNBvL4/B3VAgJq0buG"
# People sometimes type their password into the username box, so an unknown username is
# never written to the audit trail; this stands in for it.
UNKNOWN_USERNAME = "(ชื่อผู้ใช้ที่ไม่มีในระบบ)"
WRONG_CREDENTIALS = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
NATIONAL_AREA = "ทั้งประเทศ"


class AuthOutcome(StrEnum):
    SUCCESS = "success"
    INVALID = "invalid"
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True)
class AuthResult:
    """What a login attempt came to; ``message`` is the Thai text to show when it failed."""

    outcome: AuthOutcome
    username: str
    message: str = ""
    actor: Actor | None = None
    locked_until: datetime | None = None
    attempts_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is AuthOutcome.SUCCESS


@dataclass(frozen=True)
class SessionUser:
    """The logged-in person as the sidebar shows them, with the actor every service is given."""

    actor: Actor
    position_title: str
    area_name: str


def normalize_username(username: str) -> str:
    """Usernames are compared trimmed and lower-case, as the login widget sends them."""
    return username.strip().lower()


def actor_of(user: User) -> Actor:
    return Actor(
        username=user.username,
        role=user.role,
        province_code=user.province_code,
        district_code=user.district_code,
        display_name=user.display_name,
    )


def area_name(session: Session, *, province_code: str | None, district_code: str | None) -> str:
    """``อำเภอเมืองบุรีรัมย์ จังหวัดบุรีรัมย์``, ``จังหวัดบุรีรัมย์`` or ``ทั้งประเทศ``."""
    province = session.get(Province, province_code) if province_code else None
    district = session.get(District, district_code) if district_code else None
    parts = []
    if district is not None:
        parts.append(f"อำเภอ{district.name_th}")
    if province is not None:
        parts.append(f"จังหวัด{province.name_th}")
    return " ".join(parts) or NATIONAL_AREA


def lockout_message(username: str, locked_until: datetime, settings: Settings) -> str:
    return (
        f"บัญชี {username} ถูกระงับชั่วคราว เพราะใส่รหัสผ่านผิด {settings.max_failed_logins} ครั้งติดต่อกัน "
        f"เข้าสู่ระบบได้อีกครั้งหลัง {format_thai_datetime(locked_until)} "
        "หรือติดต่อผู้ดูแลระบบหรือสำนักงานพัฒนาชุมชนจังหวัดให้ปลดล็อก"
    )


def disabled_message(username: str) -> str:
    return f"บัญชี {username} ถูกปิดการใช้งาน กรุณาติดต่อผู้ดูแลระบบหรือสำนักงานพัฒนาชุมชนจังหวัด"


def _locked(username: str, locked_until: datetime, settings: Settings) -> AuthResult:
    return AuthResult(
        AuthOutcome.LOCKED, username, lockout_message(username, locked_until, settings), locked_until=locked_until
    )


def _audit_login(session: Session, user: User, action: str, at: datetime, detail: str) -> None:
    record(
        session,
        actor=user.username,
        action=action,
        at=at,
        province_code=user.province_code,
        district_code=user.district_code,
        detail=detail,
    )


def authenticate(*, session: Session, username: str, password: str, settings: Settings | None = None) -> AuthResult:
    """Check a login against the users table and apply the lockout rule; every attempt is audited.

    No permission check comes first because nobody is logged in yet: this is the check.
    A locked account is refused without looking at the password, so guessing stops while
    it is locked; after ``max_failed_logins`` wrong passwords in a row the account is locked
    for ``lockout_minutes`` (or until an administrator unlocks it). A disabled account is
    refused, and said to be disabled only to someone who knows its password. Failures
    are written too, so the caller must commit the session whatever the outcome.
    """
    settings = settings or get_settings()
    now = utc_now()
    name = normalize_username(username)
    # No account name holds a NUL, and PostgreSQL would refuse the query rather than find nothing.
    user = None if "\x00" in name else session.exec(select(User).where(User.username == name).with_for_update()).first()
    if user is None:
        verify_password(password, _UNKNOWN_USER_HASH)
        record(session, actor=UNKNOWN_USERNAME, action="login_failed", at=now, detail="ไม่มีชื่อผู้ใช้นี้ในระบบ")
        session.flush()
        return AuthResult(AuthOutcome.INVALID, name, WRONG_CREDENTIALS)
    if user.locked_until is not None:
        if user.locked_until > now:
            _audit_login(
                session, user, "login_refused", now, f"บัญชีถูกระงับชั่วคราวถึง {format_thai_datetime(user.locked_until)}"
            )
            session.flush()
            return _locked(name, user.locked_until, settings)
        user.locked_until = None
        user.failed_attempts = 0
    if not verify_password(password, user.password_hash):
        user.failed_attempts += 1
        attempts_left = settings.max_failed_logins - user.failed_attempts
        if attempts_left <= 0:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            _audit_login(
                session,
                user,
                "account_locked",
                now,
                f"รหัสผ่านผิด {user.failed_attempts} ครั้งติดต่อกัน ระงับถึง {format_thai_datetime(user.locked_until)}",
            )
            session.flush()
            return _locked(name, user.locked_until, settings)
        _audit_login(session, user, "login_failed", now, f"รหัสผ่านไม่ถูกต้อง (ครั้งที่ {user.failed_attempts})")
        session.flush()
        return AuthResult(
            AuthOutcome.INVALID,
            name,
            f"{WRONG_CREDENTIALS} (ใส่ผิดได้อีก {attempts_left} ครั้ง ก่อนบัญชีถูกระงับ {settings.lockout_minutes} นาที)",
            attempts_left=attempts_left,
        )
    if not user.active:
        _audit_login(session, user, "login_refused", now, "บัญชีถูกปิดการใช้งาน")
        session.flush()
        return AuthResult(AuthOutcome.DISABLED, name, disabled_message(name))
    user.failed_attempts = 0
    _audit_login(session, user, "login", now, "เข้าสู่ระบบสำเร็จ")
    session.flush()
    return AuthResult(AuthOutcome.SUCCESS, name, actor=actor_of(user))


def record_logout(*, session: Session, actor: Actor) -> None:
    """Audit a logout; nothing else about the account changes."""
    record(
        session,
        actor=actor.username,
        action="logout",
        province_code=actor.province_code,
        district_code=actor.district_code,
        detail="ออกจากระบบ",
    )
    session.flush()


def load_session_user(*, session: Session, username: str) -> SessionUser | None:
    """The active user a login session belongs to, read afresh so that role changes and
    disabling take effect on the next page load; ``None`` when the account is gone or disabled.
    """
    user = session.exec(select(User).where(User.username == normalize_username(username))).first()
    if user is None or not user.active:
        return None
    return SessionUser(
        actor=actor_of(user),
        position_title=user.position_title,
        area_name=area_name(session, province_code=user.province_code, district_code=user.district_code),
    )


def login_credentials(*, session: Session) -> dict[str, Any]:
    """The credentials dict streamlit-authenticator expects, built from the active users' stored bcrypt hashes."""
    users = session.exec(select(User).where(User.active == True).order_by(User.username)).all()  # noqa: E712
    return {
        "usernames": {
            user.username: {"name": user.display_name, "password": user.password_hash, "roles": [user.role]}
            for user in users
        }
    }
