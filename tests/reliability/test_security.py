"""Security: every service checks the role × action × target table first; secrets stay secret; user text stays text.

The permission table below is SPEC §2 written out. Every public function in otop/ that takes a
keyword-only ``actor`` is a service and must have a row in SERVICES: the table test fails when a
new service is missing, so nobody can add one without saying which permission guards it.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlmodel import Session

import otop
from db.engine import session_scope
from db.models import AuditEvent, User
from otop import users as user_service
from otop.auth import authenticate, record_logout
from otop.completeness import default_review_period, month_completeness, national_completeness
from otop.config import DEMO_COOKIE_KEY, Settings, SettingsError
from otop.dashboards import (
    latest_period,
    list_district_names,
    load_district_dashboard,
    load_monthly_history,
    load_national_dashboard,
    load_province_dashboard,
)
from otop.entry import RowInput, load_month, row_history, save_month, sync_month
from otop.exports import (
    EXPORT_KINDS,
    Area,
    ExportRequest,
    ReportSpan,
    build_export,
    export_by_category_monthly,
    export_by_channel_monthly,
    export_by_province,
    export_domestic_vs_export,
    export_forecast,
    export_overview,
    export_rt1,
    export_rt2,
    export_rt3,
    export_rt4,
    export_targets,
    export_years_months,
)
from otop.forecast import (
    ForecastRowInput,
    certify_forecast,
    list_forecast_forms,
    load_forecast,
    reopen_forecast,
    save_forecast,
    submit_forecast,
)
from otop.imports import apply_forecast_import, apply_rt1_import, preview_forecast_import, preview_rt1_import
from otop.locks import lock_district_month, lock_province_month, unlock_district_month, unlock_province_month
from otop.passwords import hash_password, verify_password
from otop.permissions import Action, Actor, PermissionDenied
from otop.producers import (
    approve_producer,
    list_district_proposals,
    list_pending_producers,
    propose_producer,
    reject_producer,
)
from otop.reporting_calendar import (
    calendar_now,
    clear_period_override,
    get_calendar_days,
    grant_exception,
    list_exceptions,
    list_period_overrides,
    preview_windows,
    revoke_exception,
    set_calendar_days,
    set_period_override,
)
from otop.targets import build_district_target, build_national_target_tables, build_target_table
from tests.factories import actor, make_producer, make_user
from tests.reliability.conftest import INSIDE_WINDOW, OPEN_PERIOD, ROOT

BCRYPT = re.compile(r"^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$")
FY = OPEN_PERIOD.fiscal_year_be
SPAN = ReportSpan.month(OPEN_PERIOD)
PASSWORD = "correct-horse-battery"

# --- the table -------------------------------------------------------------------------------------------

# SPEC §2: where each role may do each action: its own "district", its own "province", or "all".
SCOPES: dict[Action, dict[str, str]] = {
    Action.READ_FIGURES: {"district": "district", "province": "province", "department": "all", "admin": "all"},
    Action.WRITE_FIGURES: {"district": "district", "province": "province", "admin": "all"},
    Action.PROPOSE_PRODUCER: {"district": "district", "province": "province", "admin": "all"},
    Action.MANAGE_PRODUCERS: {"province": "province", "admin": "all"},
    Action.LOCK: {"province": "province", "department": "all", "admin": "all"},
    Action.GRANT_EXCEPTION: {"province": "province", "admin": "all"},
    Action.MANAGE_CALENDAR: {"department": "all", "admin": "all"},
    Action.MANAGE_TARGETS: {"province": "province", "department": "all", "admin": "all"},
    Action.MANAGE_USERS: {"province": "province", "department": "all", "admin": "all"},
    Action.READ_NATIONAL: {"department": "all", "admin": "all"},
}
ACTORS = (actor("district", "3101"), actor("province", "31"), actor("department"), actor("admin"))


@dataclass(frozen=True)
class Target:
    """What a call is aimed at. A district officer of 3101 sees 3101 as its own, 3102 as a sibling in
    its province and 3201 as foreign; ``missing`` is an object (producer, user) that does not exist."""

    name: str
    district_code: str | None = None
    province_code: str | None = None

    @property
    def area(self) -> Area:
        return Area(province_code=self.province_code, district_code=self.district_code)

    @property
    def national(self) -> bool:
        return self.district_code is None and self.province_code is None


DISTRICTS = (Target("own district", "3101"), Target("sibling district", "3102"), Target("foreign district", "3201"))
PROVINCES = (Target("own province", province_code="31"), Target("foreign province", province_code="32"))
NATIONAL = (Target("national"),)
AREAS = DISTRICTS + PROVINCES + NATIONAL
MISSING = Target("missing")
OBJECTS = (*DISTRICTS, MISSING)  # producers and users, placed in the district they belong to
SELF = (Target("own account"),)


def expected_allowed(actor: Actor, action: Action | None, target: Target) -> bool:
    """The table's answer; a missing object is refused only to a role that may not do the action anywhere."""
    if action is None:
        return True  # a service on the actor's own account
    if target is MISSING:
        return actor.role in SCOPES[action]
    if target.national and action is Action.READ_FIGURES:
        action = Action.READ_NATIONAL  # the whole country is read as a national report
    scope = SCOPES[action].get(actor.role)
    if scope is None:
        return False
    if scope == "all":
        return True
    if target.national:
        return False
    if scope == "district":
        return target.district_code == actor.district_code
    return (target.province_code or (target.district_code or "")[:2]) == actor.province_code


@dataclass
class World:
    """The rows the calls aim at: a pending producer and a district user in each target district."""

    producers: dict[str | None, int] = field(default_factory=dict)
    usernames: dict[str | None, str] = field(default_factory=dict)
    created: int = 0

    def new_username(self) -> str:
        self.created += 1
        return f"newuser{self.created}"


Call = Callable[[Session, Actor, Target, World], object]


@dataclass(frozen=True)
class Case:
    action: Action | None
    targets: tuple[Target, ...]
    call: Call


def _user_area(target: Target) -> dict[str, str | None]:
    return {"district_code": target.district_code, "province_code": (target.district_code or "")[:2] or None}


SERVICES: dict[str, Case] = {
    "otop.auth.record_logout": Case(None, SELF, lambda s, a, t, w: record_logout(session=s, actor=a)),
    "otop.completeness.default_review_period": Case(
        Action.READ_FIGURES,
        PROVINCES,
        lambda s, a, t, w: default_review_period(session=s, actor=a, province_code=t.province_code),
    ),
    "otop.completeness.month_completeness": Case(
        Action.READ_FIGURES,
        PROVINCES,
        lambda s, a, t, w: month_completeness(session=s, actor=a, province_code=t.province_code, period=OPEN_PERIOD),
    ),
    "otop.completeness.national_completeness": Case(
        Action.READ_NATIONAL, NATIONAL, lambda s, a, t, w: national_completeness(session=s, actor=a, period=OPEN_PERIOD)
    ),
    "otop.dashboards.latest_period": Case(
        Action.READ_FIGURES,
        AREAS,
        lambda s, a, t, w: latest_period(
            session=s, actor=a, fiscal_years=[FY], province_code=t.province_code, district_code=t.district_code
        ),
    ),
    "otop.dashboards.list_district_names": Case(
        Action.READ_FIGURES,
        PROVINCES,
        lambda s, a, t, w: list_district_names(session=s, actor=a, province_code=t.province_code),
    ),
    "otop.dashboards.load_district_dashboard": Case(
        Action.READ_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: load_district_dashboard(
            session=s, actor=a, district_code=t.district_code, fiscal_year_be=FY, round_no=1, as_of=OPEN_PERIOD
        ),
    ),
    "otop.dashboards.load_monthly_history": Case(
        Action.READ_FIGURES,
        DISTRICTS + PROVINCES,
        lambda s, a, t, w: load_monthly_history(
            session=s, actor=a, province_code=t.province_code, district_code=t.district_code
        ),
    ),
    "otop.dashboards.load_national_dashboard": Case(
        Action.READ_NATIONAL,
        NATIONAL,
        lambda s, a, t, w: load_national_dashboard(
            session=s, actor=a, fiscal_year_be=FY, round_no=1, as_of=OPEN_PERIOD
        ),
    ),
    "otop.dashboards.load_province_dashboard": Case(
        Action.READ_FIGURES,
        PROVINCES,
        lambda s, a, t, w: load_province_dashboard(
            session=s, actor=a, province_code=t.province_code, fiscal_year_be=FY, round_no=1, as_of=OPEN_PERIOD
        ),
    ),
    "otop.entry.load_month": Case(
        Action.READ_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: load_month(session=s, actor=a, district_code=t.district_code, period=OPEN_PERIOD),
    ),
    "otop.entry.row_history": Case(
        Action.READ_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: row_history(
            session=s,
            actor=a,
            district_code=t.district_code,
            period=OPEN_PERIOD,
            producer_id=w.producers[t.district_code],
            category="food",
        ),
    ),
    "otop.entry.save_month": Case(
        Action.WRITE_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: save_month(
            session=s,
            actor=a,
            district_code=t.district_code,
            period=OPEN_PERIOD,
            rows=[RowInput(w.producers[t.district_code], "food", "1")],
            base_version=0,
        ),
    ),
    "otop.entry.sync_month": Case(
        Action.WRITE_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: sync_month(session=s, actor=a, district_code=t.district_code, period=OPEN_PERIOD),
    ),
    "otop.exports.build_export": Case(
        Action.READ_FIGURES,
        AREAS,
        lambda s, a, t, w: build_export(
            session=s,
            actor=a,
            request=ExportRequest(
                "overview", province_code=t.province_code, district_code=t.district_code, period=OPEN_PERIOD
            ),
        ),
    ),
    "otop.exports.export_by_category_monthly": Case(
        Action.READ_FIGURES,
        AREAS,
        lambda s, a, t, w: export_by_category_monthly(session=s, actor=a, area=t.area, span=SPAN),
    ),
    "otop.exports.export_by_channel_monthly": Case(
        Action.READ_FIGURES,
        AREAS,
        lambda s, a, t, w: export_by_channel_monthly(session=s, actor=a, area=t.area, span=SPAN),
    ),
    "otop.exports.export_by_province": Case(
        Action.READ_NATIONAL, NATIONAL, lambda s, a, t, w: export_by_province(session=s, actor=a, span=SPAN)
    ),
    "otop.exports.export_domestic_vs_export": Case(
        Action.READ_NATIONAL, NATIONAL, lambda s, a, t, w: export_domestic_vs_export(session=s, actor=a, span=SPAN)
    ),
    "otop.exports.export_forecast": Case(
        Action.READ_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: export_forecast(session=s, actor=a, district_code=t.district_code, fiscal_year_be=FY),
    ),
    "otop.exports.export_overview": Case(
        Action.READ_FIGURES, AREAS, lambda s, a, t, w: export_overview(session=s, actor=a, area=t.area, span=SPAN)
    ),
    "otop.exports.export_rt1": Case(
        Action.READ_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: export_rt1(session=s, actor=a, district_code=t.district_code, period=OPEN_PERIOD),
    ),
    "otop.exports.export_rt2": Case(
        Action.READ_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: export_rt2(session=s, actor=a, district_code=t.district_code, period=OPEN_PERIOD),
    ),
    "otop.exports.export_rt3": Case(
        Action.READ_FIGURES,
        PROVINCES,
        lambda s, a, t, w: export_rt3(session=s, actor=a, province_code=t.province_code, span=SPAN),
    ),
    "otop.exports.export_rt4": Case(
        Action.READ_FIGURES,
        PROVINCES,
        lambda s, a, t, w: export_rt4(session=s, actor=a, province_code=t.province_code, span=SPAN),
    ),
    "otop.exports.export_targets": Case(
        Action.READ_FIGURES,
        PROVINCES,
        lambda s, a, t, w: export_targets(
            session=s, actor=a, province_code=t.province_code, fiscal_year_be=FY, round_no=1
        ),
    ),
    "otop.exports.export_years_months": Case(
        Action.READ_FIGURES, AREAS, lambda s, a, t, w: export_years_months(session=s, actor=a, area=t.area)
    ),
    "otop.forecast.certify_forecast": Case(
        Action.WRITE_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: certify_forecast(
            session=s,
            actor=a,
            district_code=t.district_code,
            fiscal_year_be=FY,
            meeting_date=date(2024, 10, 20),
            reference="ที่ประชุม นตผ.อำเภอ ครั้งที่ 1/2568",
            certified_by="ประธาน",
            base_version=0,
        ),
    ),
    "otop.forecast.list_forecast_forms": Case(
        Action.READ_FIGURES,
        PROVINCES,
        lambda s, a, t, w: list_forecast_forms(session=s, actor=a, province_code=t.province_code, fiscal_year_be=FY),
    ),
    "otop.forecast.load_forecast": Case(
        Action.READ_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: load_forecast(session=s, actor=a, district_code=t.district_code, fiscal_year_be=FY),
    ),
    "otop.forecast.reopen_forecast": Case(
        Action.LOCK,
        DISTRICTS,
        lambda s, a, t, w: reopen_forecast(
            session=s, actor=a, district_code=t.district_code, fiscal_year_be=FY, reason="แก้ไขตัวเลข"
        ),
    ),
    "otop.forecast.save_forecast": Case(
        Action.WRITE_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: save_forecast(
            session=s,
            actor=a,
            district_code=t.district_code,
            fiscal_year_be=FY,
            rows=[ForecastRowInput(period=OPEN_PERIOD, domestic_offline="1")],
            base_version=0,
        ),
    ),
    "otop.forecast.submit_forecast": Case(
        Action.WRITE_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: submit_forecast(
            session=s, actor=a, district_code=t.district_code, fiscal_year_be=FY, base_version=0
        ),
    ),
    "otop.imports.apply_forecast_import": Case(
        Action.WRITE_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: apply_forecast_import(
            session=s, actor=a, district_code=t.district_code, fiscal_year_be=FY, content=b"", base_version=0
        ),
    ),
    "otop.imports.apply_rt1_import": Case(
        Action.WRITE_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: apply_rt1_import(
            session=s, actor=a, district_code=t.district_code, period=OPEN_PERIOD, content=b"", base_version=0
        ),
    ),
    "otop.imports.preview_forecast_import": Case(
        Action.WRITE_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: preview_forecast_import(
            session=s, actor=a, district_code=t.district_code, fiscal_year_be=FY, content=b""
        ),
    ),
    "otop.imports.preview_rt1_import": Case(
        Action.WRITE_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: preview_rt1_import(
            session=s, actor=a, district_code=t.district_code, period=OPEN_PERIOD, content=b""
        ),
    ),
    "otop.locks.lock_district_month": Case(
        Action.LOCK,
        DISTRICTS,
        lambda s, a, t, w: lock_district_month(session=s, actor=a, district_code=t.district_code, period=OPEN_PERIOD),
    ),
    "otop.locks.lock_province_month": Case(
        Action.LOCK,
        PROVINCES,
        lambda s, a, t, w: lock_province_month(session=s, actor=a, province_code=t.province_code, period=OPEN_PERIOD),
    ),
    "otop.locks.unlock_district_month": Case(
        Action.LOCK,
        DISTRICTS,
        lambda s, a, t, w: unlock_district_month(
            session=s, actor=a, district_code=t.district_code, period=OPEN_PERIOD, reason="ตรวจสอบใหม่"
        ),
    ),
    "otop.locks.unlock_province_month": Case(
        Action.LOCK,
        PROVINCES,
        lambda s, a, t, w: unlock_province_month(
            session=s, actor=a, province_code=t.province_code, period=OPEN_PERIOD, reason="ตรวจสอบใหม่"
        ),
    ),
    "otop.producers.approve_producer": Case(
        Action.MANAGE_PRODUCERS,
        OBJECTS,
        lambda s, a, t, w: approve_producer(
            session=s, actor=a, producer_id=w.producers.get(t.district_code, 987654321)
        ),
    ),
    "otop.producers.list_district_proposals": Case(
        Action.READ_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: list_district_proposals(session=s, actor=a, district_code=t.district_code),
    ),
    "otop.producers.list_pending_producers": Case(
        Action.MANAGE_PRODUCERS,
        PROVINCES,
        lambda s, a, t, w: list_pending_producers(session=s, actor=a, province_code=t.province_code),
    ),
    "otop.producers.propose_producer": Case(
        Action.PROPOSE_PRODUCER,
        DISTRICTS,
        lambda s, a, t, w: propose_producer(
            session=s,
            actor=a,
            district_code=t.district_code,
            name="กลุ่มทอผ้าใหม่",
            subdistrict_code=f"{t.district_code}01",
            village_no=1,
            producer_type="community",
            categories=["textile"],
        ),
    ),
    "otop.producers.reject_producer": Case(
        Action.MANAGE_PRODUCERS,
        OBJECTS,
        lambda s, a, t, w: reject_producer(
            session=s, actor=a, producer_id=w.producers.get(t.district_code, 987654321), reason="ข้อมูลไม่ครบ"
        ),
    ),
    "otop.reporting_calendar.calendar_now": Case(
        Action.MANAGE_CALENDAR, NATIONAL, lambda s, a, t, w: calendar_now(session=s, actor=a)
    ),
    "otop.reporting_calendar.clear_period_override": Case(
        Action.MANAGE_CALENDAR,
        NATIONAL,
        lambda s, a, t, w: clear_period_override(session=s, actor=a, period=OPEN_PERIOD),
    ),
    "otop.reporting_calendar.get_calendar_days": Case(
        Action.MANAGE_CALENDAR, NATIONAL, lambda s, a, t, w: get_calendar_days(session=s, actor=a)
    ),
    "otop.reporting_calendar.grant_exception": Case(
        Action.GRANT_EXCEPTION,
        DISTRICTS,
        lambda s, a, t, w: grant_exception(
            session=s,
            actor=a,
            district_code=t.district_code,
            period=OPEN_PERIOD,
            expires_at=INSIDE_WINDOW + timedelta(days=30),
            reason="น้ำท่วม",
        ),
    ),
    "otop.reporting_calendar.list_exceptions": Case(
        Action.READ_FIGURES,
        PROVINCES,
        lambda s, a, t, w: list_exceptions(session=s, actor=a, province_code=t.province_code, period=OPEN_PERIOD),
    ),
    "otop.reporting_calendar.list_period_overrides": Case(
        Action.MANAGE_CALENDAR, NATIONAL, lambda s, a, t, w: list_period_overrides(session=s, actor=a)
    ),
    "otop.reporting_calendar.preview_windows": Case(
        Action.MANAGE_CALENDAR,
        NATIONAL,
        lambda s, a, t, w: preview_windows(session=s, actor=a, first=OPEN_PERIOD, months=3),
    ),
    "otop.reporting_calendar.revoke_exception": Case(
        Action.GRANT_EXCEPTION,
        DISTRICTS,
        lambda s, a, t, w: revoke_exception(session=s, actor=a, district_code=t.district_code, period=OPEN_PERIOD),
    ),
    "otop.reporting_calendar.set_calendar_days": Case(
        Action.MANAGE_CALENDAR,
        NATIONAL,
        lambda s, a, t, w: set_calendar_days(session=s, actor=a, close_day=6, reopen_day=10),
    ),
    "otop.reporting_calendar.set_period_override": Case(
        Action.MANAGE_CALENDAR,
        NATIONAL,
        lambda s, a, t, w: set_period_override(
            session=s,
            actor=a,
            period=OPEN_PERIOD,
            opens_at=INSIDE_WINDOW - timedelta(days=20),
            closes_at=INSIDE_WINDOW + timedelta(days=20),
            reason="เปิดระบบเพิ่ม",
        ),
    ),
    "otop.targets.build_district_target": Case(
        Action.READ_FIGURES,
        DISTRICTS,
        lambda s, a, t, w: build_district_target(
            s, actor=a, district_code=t.district_code, fiscal_year_be=FY, round_no=1, as_of_period=None
        ),
    ),
    "otop.targets.build_national_target_tables": Case(
        Action.READ_NATIONAL,
        NATIONAL,
        lambda s, a, t, w: build_national_target_tables(s, actor=a, fiscal_year_be=FY, round_no=1, as_of_period=None),
    ),
    "otop.targets.build_target_table": Case(
        Action.READ_FIGURES,
        PROVINCES,
        lambda s, a, t, w: build_target_table(s, actor=a, province_code=t.province_code, fiscal_year_be=FY, round_no=1),
    ),
    "otop.users.change_own_password": Case(
        None,
        SELF,
        lambda s, a, t, w: user_service.change_own_password(
            session=s, actor=a, current_password=PASSWORD, new_password="a-new-long-passphrase-2568"
        ),
    ),
    "otop.users.create_user": Case(
        Action.MANAGE_USERS,
        DISTRICTS,
        lambda s, a, t, w: user_service.create_user(
            session=s,
            actor=a,
            username=w.new_username(),
            display_name="เจ้าหน้าที่ใหม่",
            role="district",
            password="a-new-long-passphrase-2568",
            **_user_area(t),
        ),
    ),
    "otop.users.get_own_account": Case(None, SELF, lambda s, a, t, w: user_service.get_own_account(session=s, actor=a)),
    "otop.users.list_users": Case(
        Action.MANAGE_USERS,
        PROVINCES + NATIONAL,
        lambda s, a, t, w: user_service.list_users(session=s, actor=a, province_code=t.province_code),
    ),
    "otop.users.reset_password": Case(
        Action.MANAGE_USERS,
        OBJECTS,
        lambda s, a, t, w: user_service.reset_password(
            session=s,
            actor=a,
            username=w.usernames.get(t.district_code, "ghost"),
            new_password="a-new-long-passphrase-2568",
        ),
    ),
    "otop.users.set_user_active": Case(
        Action.MANAGE_USERS,
        OBJECTS,
        lambda s, a, t, w: user_service.set_user_active(
            session=s, actor=a, username=w.usernames.get(t.district_code, "ghost"), active=False
        ),
    ),
    "otop.users.unlock_user": Case(
        Action.MANAGE_USERS,
        OBJECTS,
        lambda s, a, t, w: user_service.unlock_user(
            session=s, actor=a, username=w.usernames.get(t.district_code, "ghost")
        ),
    ),
    "otop.users.update_user": Case(
        Action.MANAGE_USERS,
        OBJECTS,
        lambda s, a, t, w: user_service.update_user(
            session=s,
            actor=a,
            username=w.usernames.get(t.district_code, "ghost"),
            role="district",
            display_name="ชื่อใหม่",
            **_user_area(t if t.district_code else DISTRICTS[0]),
        ),
    ),
}


@pytest.fixture(autouse=True)
def _cheap_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """The services hash at the production cost (about 0.2 s each, far more on a busy machine);
    these tests check where hashes go, not their cost, so they hash at bcrypt's lowest."""
    monkeypatch.setattr(user_service, "hash_password", partial(hash_password, rounds=4))


def discovered_services() -> set[str]:
    """Every public function of otop/ with a keyword-only ``actor: Actor`` parameter."""
    names: set[str] = set()
    for module_info in pkgutil.iter_modules(otop.__path__):
        if module_info.name == "__main__":
            continue
        module = importlib.import_module(f"otop.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            parameter = inspect.signature(function).parameters.get("actor")
            if parameter is not None and parameter.kind is inspect.Parameter.KEYWORD_ONLY:
                if parameter.annotation in ("Actor", Actor):
                    names.add(f"{module.__name__}.{name}")
    return names


def test_the_permission_table_has_a_row_for_every_service_and_every_action() -> None:
    discovered = discovered_services()
    assert sorted(discovered - set(SERVICES)) == [], "services without a row in the permission table"
    assert sorted(set(SERVICES) - discovered) == [], "rows for services that no longer exist"
    assert set(SCOPES) == set(Action)
    assert len(discovered) >= 60


def _world(session: Session) -> World:
    world = World()
    for code in ("3101", "3102", "3201"):
        world.producers[code] = make_producer(session, code, status="pending").id  # type: ignore[assignment]
        world.usernames[code] = make_user(session, f"officer{code}", "district", district_code=code).username
    for acting in ACTORS:
        make_user(
            session,
            acting.username,
            acting.role,
            province_code=acting.province_code,
            district_code=acting.district_code,
        )
    return world


def _attempt(engine: Engine, call: Callable[[Session], object]) -> BaseException | None:
    """Run one call in a write transaction that is always rolled back, so every call sees the same data."""
    with Session(bind=engine.execution_options(otop_write=True)) as session:
        try:
            call(session)
        except Exception as error:  # any refusal but PermissionDenied is the service's business
            return error
        finally:
            session.rollback()
    return None


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_service_enforces_the_permission_table_before_anything_else(
    engine: Engine, ticking_clock: object, service: str
) -> None:
    case = SERVICES[service]
    with session_scope(engine, write=True) as session:
        world = _world(session)
    wrong: list[str] = []
    for acting in ACTORS:
        for target in case.targets:
            error = _attempt(engine, lambda session, t=target, a=acting: case.call(session, a, t, world))
            denied = isinstance(error, PermissionDenied)
            if expected_allowed(acting, case.action, target) == denied:
                verdict = f"{type(error).__name__}: {error}" if error else "allowed"
                wrong.append(f"{acting.role} → {target.name}: {verdict}")
            elif denied:
                assert re.search(r"[\u0E00-\u0E7F]", str(error)), error
    assert wrong == []


# --- passwords and secrets -----------------------------------------------------------------------------------


def test_demo_users_are_stored_as_bcrypt_hashes_only(demo_engine: Engine) -> None:
    from otop.demo import DEMO_PASSWORDS

    with session_scope(demo_engine) as session:
        users = session.scalars(select(User)).all()
    assert users
    for user in users:
        assert BCRYPT.match(user.password_hash), user.username
        assert all(password not in user.password_hash for password in DEMO_PASSWORDS.values())
    sample = next(user for user in users if user.role == "district")
    assert verify_password(DEMO_PASSWORDS["district"], sample.password_hash)


SECRET_PASSWORDS = ("Secret-Passphrase-Alpha-2568", "Secret-Passphrase-Bravo-2568", "Wrong-Guess-Charlie-2568")


def _everything_written(engine: Engine) -> str:
    """Every value of every audit event, as one text."""
    with session_scope(engine) as session:
        events = session.scalars(select(AuditEvent)).all()
    return "\n".join(repr(event.model_dump()) for event in events)


def _export_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def test_passwords_appear_only_as_bcrypt_hashes_never_in_logs_audit_or_exports(
    engine: Engine, ticking_clock: object, caplog: pytest.LogCaptureFixture
) -> None:
    admin = actor("admin")
    alpha, bravo, wrong = SECRET_PASSWORDS
    caplog.set_level("DEBUG")
    with session_scope(engine, write=True) as session:
        make_user(session, "admin", "admin")
        user_service.create_user(
            session=session,
            actor=admin,
            username="district3101",
            display_name="พัฒนาการอำเภอ",
            role="district",
            password=alpha,
            district_code="3101",
            province_code="31",
        )
    with session_scope(engine, write=True) as session:
        assert not authenticate(session=session, username="district3101", password=wrong).ok
    with session_scope(engine, write=True) as session:
        result = authenticate(session=session, username="district3101", password=alpha)
    assert result.ok and result.actor is not None
    with session_scope(engine, write=True) as session:
        user_service.change_own_password(
            session=session, actor=result.actor, current_password=alpha, new_password=bravo
        )
    with session_scope(engine, write=True) as session:
        user_service.reset_password(session=session, actor=admin, username="district3101", new_password=alpha)
        # People type their password into the username box; it must not be kept either.
        authenticate(session=session, username=wrong, password=bravo)

    with session_scope(engine) as session:
        stored = session.scalars(select(User).where(User.username == "district3101")).one()
    assert BCRYPT.match(stored.password_hash) and verify_password(alpha, stored.password_hash)
    written = _everything_written(engine)
    assert "login_failed" in written and "$2b$" not in written
    exports = []
    with session_scope(engine) as session:
        for kind in EXPORT_KINDS:
            request = ExportRequest(
                kind, province_code="31", district_code="3101", period=OPEN_PERIOD, fiscal_year_be=FY, round_no=1
            )
            if EXPORT_KINDS[kind].scope in ("area", "national", "province"):
                request = ExportRequest(kind, province_code="31", period=OPEN_PERIOD, fiscal_year_be=FY, round_no=1)
            if EXPORT_KINDS[kind].scope == "national":
                request = ExportRequest(kind, period=OPEN_PERIOD)
            exports.append(_export_text(build_export(session=session, actor=admin, request=request).content))
    for secret in SECRET_PASSWORDS:
        assert secret not in caplog.text
        assert secret not in written
        assert all(secret not in text for text in exports)
    assert all("$2b$" not in text for text in exports)


def test_cookie_key_is_required_outside_demo_mode() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings(demo_mode=False).ensure_safe()
    assert "OTOP_COOKIE_KEY" in str(refused.value) and re.search(r"[\u0E00-\u0E7F]", str(refused.value))
    with pytest.raises(SettingsError):
        Settings(demo_mode=False, cookie_key="short-key").ensure_safe()
    with pytest.raises(SettingsError):
        Settings(demo_mode=False, cookie_key=DEMO_COOKIE_KEY).ensure_safe()
    Settings(demo_mode=False, cookie_key="k" * 32).ensure_safe()
    Settings(demo_mode=True).ensure_safe()


def test_app_refuses_to_start_without_a_cookie_key_outside_demo_mode(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Any
) -> None:
    from streamlit.testing.v1 import AppTest

    database = tmp_path / "refused.sqlite3"
    monkeypatch.setenv("OTOP_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("OTOP_DEMO_MODE", "0")
    monkeypatch.delenv("OTOP_COOKIE_KEY", raising=False)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    assert [element.value for element in app.error] and "OTOP_COOKIE_KEY" in app.error[0].value
    assert not app.text_input, "the login form must not be shown"
    assert not database.exists(), "nothing may be opened or created before the settings are safe"


def test_cookie_key_never_reaches_the_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Any
) -> None:
    from streamlit.testing.v1 import AppTest

    secret = "cookie-key-that-must-never-be-logged-0123456789"
    monkeypatch.setenv("OTOP_DATABASE_URL", f"sqlite:///{tmp_path / 'cookie.sqlite3'}")
    monkeypatch.setenv("OTOP_DEMO_MODE", "0")
    monkeypatch.setenv("OTOP_COOKIE_KEY", secret)
    monkeypatch.setenv("OTOP_LOGIN_SLEEP_SECONDS", "0")
    caplog.set_level("DEBUG")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception and not app.error
    assert app.text_input, "the login form is shown"
    assert secret not in caplog.text


# --- user text in Excel exports ------------------------------------------------------------------------------

FORMULA_LIKE = (
    '=HYPERLINK("http://example.invalid/steal","คลิก")',
    "+66 81 234 5678",
    "-2+3 กลุ่มแม่บ้าน",
    "@SUM(A1:A9)",
)


def _fill_with_formula_like_text(session: Session) -> None:
    officer = actor("district", "3101")
    producers = [make_producer(session, "3101", name=name) for name in FORMULA_LIKE]
    save_month(
        session=session,
        actor=officer,
        district_code="3101",
        period=OPEN_PERIOD,
        rows=[
            RowInput(producer.id, "food", "2000000", "10", outlier_note=note)  # type: ignore[arg-type]
            for producer, note in zip(producers, reversed(FORMULA_LIKE), strict=True)
        ],
        base_version=0,
    )
    save_forecast(
        session=session,
        actor=officer,
        district_code="3101",
        fiscal_year_be=FY,
        rows=[
            ForecastRowInput(period=OPEN_PERIOD.shift(offset), domestic_offline="1000", remark=remark)
            for offset, remark in enumerate(FORMULA_LIKE)
        ],
        base_version=0,
    )
    certify_forecast(
        session=session,
        actor=officer,
        district_code="3101",
        fiscal_year_be=FY,
        meeting_date=date(2024, 10, 20),
        reference=FORMULA_LIKE[0],
        certified_by=FORMULA_LIKE[3],
        base_version=1,
    )
    lock_district_month(session=session, actor=actor("province", "31"), district_code="3101", period=OPEN_PERIOD)


def _requests() -> list[ExportRequest]:
    """One request per export kind, for the area and time that kind covers."""
    requests = []
    for code, kind in EXPORT_KINDS.items():
        area = {"district": {"district_code": "3101"}, "national": {}}.get(kind.scope, {"province_code": "31"})
        requests.append(ExportRequest(code, period=OPEN_PERIOD, fiscal_year_be=FY, round_no=1, **area))
    return requests


def test_formula_like_user_text_is_text_in_every_excel_export(engine: Engine, ticking_clock: object) -> None:
    with session_scope(engine, write=True) as session:
        _fill_with_formula_like_text(session)
    seen: dict[str, set[str]] = {}
    with session_scope(engine) as session:
        for request in _requests():
            content = build_export(session=session, actor=actor("admin"), request=request).content
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
                # No formula at all: every figure is a value the database summed, nothing is evaluated.
                assert not any(b"<f>" in archive.read(name) or b"<f " in archive.read(name) for name in sheets)
            for sheet in load_workbook(io.BytesIO(content)).worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                            assert cell.data_type == "s" and cell.quotePrefix, (request.kind, cell.coordinate)
                            seen.setdefault(request.kind, set()).add(cell.value)
    assert seen.get("rt1", set()) >= set(FORMULA_LIKE), seen.get("rt1")
    assert seen.get("forecast", set()) >= set(FORMULA_LIKE), seen.get("forecast")
