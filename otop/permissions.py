"""The one place that answers "may this actor do this action to that district or province?"."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    READ_FIGURES = "read_figures"
    WRITE_FIGURES = "write_figures"
    PROPOSE_PRODUCER = "propose_producer"
    MANAGE_PRODUCERS = "manage_producers"
    LOCK = "lock"
    GRANT_EXCEPTION = "grant_exception"
    MANAGE_CALENDAR = "manage_calendar"
    MANAGE_TARGETS = "manage_targets"
    MANAGE_USERS = "manage_users"
    READ_NATIONAL = "read_national"


ACTION_LABELS = {
    Action.READ_FIGURES: "ดูข้อมูลยอดจำหน่าย",
    Action.WRITE_FIGURES: "บันทึกยอดจำหน่ายหรือประมาณการ",
    Action.PROPOSE_PRODUCER: "เสนอผู้ผลิตรายใหม่",
    Action.MANAGE_PRODUCERS: "อนุมัติหรือแก้ไขผู้ผลิต",
    Action.LOCK: "ล็อกหรือปลดล็อกข้อมูล",
    Action.GRANT_EXCEPTION: "ขยายเวลาบันทึกให้อำเภอ",
    Action.MANAGE_CALENDAR: "กำหนดปฏิทินการรายงาน",
    Action.MANAGE_TARGETS: "กำหนดเป้าหมาย",
    Action.MANAGE_USERS: "จัดการผู้ใช้",
    Action.READ_NATIONAL: "ดูรายงานระดับประเทศ",
}

# What each role may do, and at which scope: "own_district", "own_province" or "all".
_GRANTS: dict[str, dict[Action, str]] = {
    "district": {
        Action.READ_FIGURES: "own_district",
        Action.WRITE_FIGURES: "own_district",
        Action.PROPOSE_PRODUCER: "own_district",
    },
    "province": {
        Action.READ_FIGURES: "own_province",
        Action.WRITE_FIGURES: "own_province",
        Action.PROPOSE_PRODUCER: "own_province",
        Action.MANAGE_PRODUCERS: "own_province",
        Action.LOCK: "own_province",
        Action.GRANT_EXCEPTION: "own_province",
        Action.MANAGE_TARGETS: "own_province",
        Action.MANAGE_USERS: "own_province",
    },
    "department": {
        Action.READ_FIGURES: "all",
        Action.LOCK: "all",
        Action.MANAGE_CALENDAR: "all",
        Action.MANAGE_TARGETS: "all",
        Action.MANAGE_USERS: "all",
        Action.READ_NATIONAL: "all",
    },
    "admin": {action: "all" for action in Action},
}


class PermissionDenied(Exception):
    """The actor may not do this; the message is Thai and says what was refused."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: built from the logged-in user (or the CLI's ``--as``)."""

    username: str
    role: str
    province_code: str | None = None
    district_code: str | None = None
    display_name: str = ""

    def __post_init__(self) -> None:
        if self.role not in _GRANTS:
            raise ValueError(f"unknown role: {self.role}")
        if self.role == "district" and not self.district_code:
            raise ValueError("a district actor needs a district")
        if self.role == "province" and not self.province_code:
            raise ValueError("a province actor needs a province")


def province_of(district_code: str) -> str:
    """DOPA district codes start with their province's code: 3101 is in 31."""
    return district_code[:2]


def allowed(
    actor: Actor,
    action: Action,
    *,
    district_code: str | None = None,
    province_code: str | None = None,
) -> bool:
    """Whether ``actor`` may do ``action`` to a district, a province, or (neither given) nationally."""
    scope = _GRANTS[actor.role].get(action)
    if scope is None:
        return False
    if scope == "all":
        return True
    if district_code is not None and province_code is not None:
        if province_of(district_code) != province_code:
            return False
    if scope == "own_district":
        return district_code is not None and district_code == actor.district_code
    target_province = province_code or (province_of(district_code) if district_code else None)
    return target_province is not None and target_province == actor.province_code


def ensure_permission(
    actor: Actor,
    action: Action,
    *,
    district_code: str | None = None,
    province_code: str | None = None,
) -> None:
    if not allowed(actor, action, district_code=district_code, province_code=province_code):
        where = district_code or province_code or "ทั้งประเทศ"
        raise PermissionDenied(f"ผู้ใช้ {actor.username} ไม่มีสิทธิ์{ACTION_LABELS[action]}ของพื้นที่ {where}")


def ensure_permission_somewhere(actor: Actor, action: Action) -> None:
    """Refuse at once a role that may not do ``action`` anywhere.

    A service that must look its target up (a user, a producer) to learn its area calls this
    before the lookup, so that a refused actor cannot learn from the answer what exists.
    """
    if action not in _GRANTS[actor.role]:
        raise PermissionDenied(f"ผู้ใช้ {actor.username} ไม่มีสิทธิ์{ACTION_LABELS[action]}")


def visible_district_codes_filter(actor: Actor) -> tuple[str | None, str | None]:
    """The (province_code, district_code) a listing must be narrowed to for this actor."""
    if actor.role == "district":
        return province_of(actor.district_code or ""), actor.district_code
    if actor.role == "province":
        return actor.province_code, None
    return None, None
