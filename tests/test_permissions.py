"""Who may do what where: the role × action × target table, checked on ``allowed`` and through the services.

Add a service by appending a ``ServiceCase`` to ``SERVICE_CASES``: a call taking (session, actor),
the target it touches, and the roles that must get through. Every role is tried on every case,
on SQLite and PostgreSQL; the roles not listed must get ``PermissionDenied`` and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from db.engine import session_scope
from db.models import AuditEvent, User
from otop import clock
from otop.entry import load_month, save_month
from otop.fiscal import Period
from otop.locks import lock_district_month
from otop.permissions import Action, Actor, PermissionDenied, allowed
from otop.targets import build_target_table
from otop.users import create_user, list_users, reset_password, set_user_active, unlock_user, update_user
from tests.factories import actor, make_user

ROLES = ("district", "province", "department", "admin")
ACTORS = {
    "district": actor("district", "3101"),
    "province": actor("province", "31"),
    "department": actor("department"),
    "admin": actor("admin"),
}


@dataclass(frozen=True)
class Target:
    district_code: str | None
    province_code: str | None


# The district actor is 3101 and the province actor 31 (Buriram); 3102 is another Buriram district,
# 3201 a district of Surin (32).
TARGETS = {
    "own_district": Target("3101", "31"),
    "other_district": Target("3102", "31"),
    "other_province_district": Target("3201", "32"),
    "own_province": Target(None, "31"),
    "other_province": Target(None, "32"),
    "national": Target(None, None),
}

# y = allowed, . = refused; one column per target above, in that order.
POLICY_TABLE = """
read_figures       district    y . . . . .
read_figures       province    y y . y . .
read_figures       department  y y y y y y
write_figures      district    y . . . . .
write_figures      province    y y . y . .
write_figures      department  . . . . . .
propose_producer   district    y . . . . .
propose_producer   province    y y . y . .
propose_producer   department  . . . . . .
manage_producers   district    . . . . . .
manage_producers   province    y y . y . .
manage_producers   department  . . . . . .
lock               district    . . . . . .
lock               province    y y . y . .
lock               department  y y y y y y
grant_exception    district    . . . . . .
grant_exception    province    y y . y . .
grant_exception    department  . . . . . .
manage_calendar    district    . . . . . .
manage_calendar    province    . . . . . .
manage_calendar    department  y y y y y y
manage_targets     district    . . . . . .
manage_targets     province    y y . y . .
manage_targets     department  y y y y y y
manage_users       district    . . . . . .
manage_users       province    y y . y . .
manage_users       department  y y y y y y
read_national      district    . . . . . .
read_national      province    . . . . . .
read_national      department  y y y y y y
"""


def _policy() -> dict[tuple[str, Action, str], bool]:
    policy: dict[tuple[str, Action, str], bool] = {}
    for line in POLICY_TABLE.strip().splitlines():
        action, role, *marks = line.split()
        assert len(marks) == len(TARGETS), line
        for target, mark in zip(TARGETS, marks, strict=True):
            policy[(role, Action(action), target)] = mark == "y"
    for action in Action:
        for target in TARGETS:
            policy[("admin", action, target)] = True
    return policy


POLICY = _policy()


def test_the_policy_table_covers_every_role_action_and_target() -> None:
    assert len(POLICY) == len(ROLES) * len(Action) * len(TARGETS)


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", ROLES)
def test_allowed_follows_the_policy_table(role: str, action: Action, target: str) -> None:
    where = TARGETS[target]
    result = allowed(ACTORS[role], action, district_code=where.district_code, province_code=where.province_code)
    assert result is POLICY[(role, action, target)]


@pytest.mark.parametrize("role", ["province", "department"])
def test_allowed_refuses_a_district_named_with_the_wrong_province(role: str) -> None:
    # 3201 is not in 31: a scoped actor must not get in by naming its own province beside it.
    assert allowed(ACTORS[role], Action.READ_FIGURES, district_code="3201", province_code="31") is (
        role == "department"
    )


# --- the same table through the services ---------------------------------------------------

PERIOD = Period(2567, 10)
INSIDE_ENTRY_WINDOW = datetime(2024, 10, 20, 5, 0, tzinfo=UTC)
NEW_PASSWORD = "permission-table-2568"
PROVINCIAL = frozenset({"province", "department", "admin"})
NATIONAL = frozenset({"department", "admin"})
WRITERS = frozenset({"district", "province", "admin"})


@dataclass(frozen=True)
class ServiceCase:
    name: str
    target: str
    call: Callable[[Session, Actor], object]
    roles: frozenset[str]

    @property
    def id(self) -> str:
        return f"{self.name}-{self.target}"


def _targets(province_code: str) -> Callable[[Session, Actor], object]:
    return lambda session, who: build_target_table(
        session, actor=who, province_code=province_code, fiscal_year_be=2568, round_no=1
    )


def _load(district_code: str) -> Callable[[Session, Actor], object]:
    return lambda session, who: load_month(session=session, actor=who, district_code=district_code, period=PERIOD)


def _save(district_code: str) -> Callable[[Session, Actor], object]:
    return lambda session, who: save_month(
        session=session,
        actor=who,
        district_code=district_code,
        period=PERIOD,
        rows=[],
        base_version=0,
        now=INSIDE_ENTRY_WINDOW,
    )


def _lock(district_code: str) -> Callable[[Session, Actor], object]:
    return lambda session, who: lock_district_month(
        session=session, actor=who, district_code=district_code, period=PERIOD
    )


def _create(role: str, district_code: str | None = None, province_code: str | None = None) -> Callable[..., object]:
    return lambda session, who: create_user(
        session=session,
        actor=who,
        username=f"new-{role}",
        display_name="ผู้ใช้ใหม่",
        role=role,
        district_code=district_code,
        province_code=province_code,
        password=NEW_PASSWORD,
    )


SERVICE_CASES = [
    ServiceCase("load_month", "own_district", _load("3101"), frozenset({"district", *PROVINCIAL})),
    ServiceCase("load_month", "other_district", _load("3102"), PROVINCIAL),
    ServiceCase("load_month", "other_province_district", _load("3201"), NATIONAL),
    ServiceCase("save_month", "own_district", _save("3101"), WRITERS),
    ServiceCase("save_month", "other_district", _save("3102"), frozenset({"province", "admin"})),
    ServiceCase("save_month", "other_province_district", _save("3201"), frozenset({"admin"})),
    ServiceCase("lock_district_month", "own_district", _lock("3101"), PROVINCIAL),
    ServiceCase("lock_district_month", "other_province_district", _lock("3201"), NATIONAL),
    ServiceCase("build_target_table", "own_province", _targets("31"), PROVINCIAL),
    ServiceCase("build_target_table", "other_province", _targets("32"), NATIONAL),
    ServiceCase(
        "list_users", "own_province", lambda s, who: list_users(session=s, actor=who, province_code="31"), PROVINCIAL
    ),
    ServiceCase(
        "list_users", "other_province", lambda s, who: list_users(session=s, actor=who, province_code="32"), NATIONAL
    ),
    ServiceCase("list_users", "national", lambda s, who: list_users(session=s, actor=who), NATIONAL),
    ServiceCase("create_user", "own_district", _create("district", "3103"), PROVINCIAL),
    ServiceCase("create_user", "other_province_district", _create("district", "3203"), NATIONAL),
    ServiceCase("create_user", "own_province", _create("province", province_code="31"), PROVINCIAL),
    ServiceCase("create_user", "national", _create("department"), NATIONAL),
    ServiceCase("create_admin", "national", _create("admin"), frozenset({"admin"})),
    ServiceCase(
        "update_user",
        "other_district",
        lambda s, who: update_user(
            session=s, actor=who, username="district3102", role="district", district_code="3105"
        ),
        PROVINCIAL,
    ),
    ServiceCase(
        "update_user",
        "other_province_district",
        lambda s, who: update_user(
            session=s, actor=who, username="district3201", role="district", district_code="3202"
        ),
        NATIONAL,
    ),
    ServiceCase(
        "set_user_active",
        "other_district",
        lambda s, who: set_user_active(session=s, actor=who, username="district3102", active=False),
        PROVINCIAL,
    ),
    ServiceCase(
        "set_user_active",
        "other_province_district",
        lambda s, who: set_user_active(session=s, actor=who, username="district3201", active=False),
        NATIONAL,
    ),
    ServiceCase(
        "reset_password",
        "other_district",
        lambda s, who: reset_password(session=s, actor=who, username="district3102", new_password=NEW_PASSWORD),
        PROVINCIAL,
    ),
    ServiceCase(
        "reset_password",
        "other_province_district",
        lambda s, who: reset_password(session=s, actor=who, username="district3201", new_password=NEW_PASSWORD),
        NATIONAL,
    ),
    ServiceCase(
        "unlock_user",
        "own_province",
        lambda s, who: unlock_user(session=s, actor=who, username="province31"),
        PROVINCIAL,
    ),
    ServiceCase(
        "unlock_user", "national", lambda s, who: unlock_user(session=s, actor=who, username="department"), NATIONAL
    ),
]


@pytest.fixture
def accounts(engine: Engine) -> Engine:
    """The four actors' own accounts plus users in another Buriram district and in Surin."""
    with session_scope(engine, write=True) as session:
        make_user(session, "admin", "admin")
        make_user(session, "department", "department")
        make_user(session, "province31", "province", province_code="31")
        for code in ("3101", "3102", "3201"):
            make_user(session, f"district{code}", "district", district_code=code)
    return engine


def _fingerprint(engine: Engine) -> tuple[int, int, list[tuple[str, bool, str | None, str]]]:
    with session_scope(engine) as session:
        events = int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
        users = session.exec(select(User).order_by(User.username)).all()
        return (
            events,
            len(users),
            [(user.username, user.active, user.district_code, user.password_hash) for user in users],
        )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", SERVICE_CASES, ids=lambda case: case.id)
def test_services_follow_the_policy_table(accounts: Engine, case: ServiceCase, role: str) -> None:
    clock.set_now(lambda: datetime(2025, 1, 20, 3, 0, tzinfo=UTC))
    before = _fingerprint(accounts)
    if role in case.roles:
        with session_scope(accounts, write=True) as session:
            case.call(session, ACTORS[role])
        return
    with pytest.raises(PermissionDenied), session_scope(accounts, write=True) as session:
        case.call(session, ACTORS[role])
    assert _fingerprint(accounts) == before


def test_the_service_table_agrees_with_the_policy_table() -> None:
    """Each read or write case's roles are those the policy allows for the action behind it, at that target."""
    behind = {
        "load_month": Action.READ_FIGURES,
        "save_month": Action.WRITE_FIGURES,
        "lock_district_month": Action.LOCK,
        "build_target_table": Action.READ_FIGURES,
        "list_users": Action.MANAGE_USERS,
    }
    for case in SERVICE_CASES:
        if case.name in behind:
            expected = {role for role in ROLES if POLICY[(role, behind[case.name], case.target)]}
            assert set(case.roles) == expected, case.id
