"""Completeness of a month: who confirmed, who is locked, who is late, for a province and for the country."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, select, type_coerce
from sqlmodel import Session

from db.models import (
    CHANNEL_COLUMNS,
    District,
    DistrictMonth,
    EntryException,
    MonthlySale,
    Producer,
    ProducerCategory,
    SalesSummary,
)
from db.types import UTCDateTime
from otop.clock import utc_now
from otop.fiscal import Period
from otop.masterdata import list_districts, list_provinces
from otop.money import ZERO
from otop.permissions import Action, Actor, ensure_permission
from otop.queries import SalesFilter, totals_by
from otop.status import confirmation_deadline, last_closed_period


@dataclass(frozen=True)
class OutlierNote:
    """A figure the district flagged as unusual, with its comment."""

    producer_id: int
    producer_name: str
    category: str
    note: str


@dataclass(frozen=True)
class DistrictMonthState:
    """One district's month as the province verifies it."""

    district_code: str
    district_name_th: str
    confirmed_by: str | None
    confirmed_at: datetime | None
    locked_by: str | None
    locked_at: datetime | None
    total: Decimal
    producers_reported: int
    producers_expected: int
    changes_since_lock: int
    outliers: tuple[OutlierNote, ...]
    late: bool
    exception_until: datetime | None = None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


@dataclass(frozen=True)
class ProvinceCompleteness:
    """One province's month for the department: how many of its districts confirmed, are locked, are late."""

    province_code: str
    province_name_th: str
    districts: int
    confirmed: int
    locked: int
    late: int


def is_late(confirmed_at: datetime | None, *, deadline: datetime, now: datetime) -> bool:
    """Confirmed after the deadline, or not confirmed once the deadline has passed."""
    if confirmed_at is None:
        return now >= deadline
    return confirmed_at >= deadline


def locked_summary_line(states: list[DistrictMonthState]) -> str:
    """The status line of the current system: ``อำเภอที่ล็อกข้อมูล: 20/23 อำเภอ``."""
    return f"อำเภอที่ล็อกข้อมูล: {sum(state.locked for state in states)}/{len(states)} อำเภอ"


def _any_figure() -> ColumnElement[bool]:
    first, *others = (getattr(MonthlySale, column) for column in CHANNEL_COLUMNS)
    return sum(others, first) > 0


def month_completeness(
    *, session: Session, actor: Actor, province_code: str, period: Period, now: datetime | None = None
) -> list[DistrictMonthState]:
    """Every district of the province for the month, in district-code order."""
    ensure_permission(actor, Action.READ_FIGURES, province_code=province_code)
    now = now or utc_now()
    districts = list_districts(session, province_code)
    months = {
        month.district_code: month
        for month in session.scalars(
            select(DistrictMonth).where(
                DistrictMonth.province_code == province_code, DistrictMonth.period == period.code
            )
        )
    }
    totals = totals_by(session, SalesFilter(province_code=province_code, periods=[period.code]), "district_code")
    reported = dict(
        session.execute(
            select(MonthlySale.district_code, func.count())
            .where(MonthlySale.province_code == province_code, MonthlySale.period == period.code, _any_figure())
            .group_by(MonthlySale.district_code)
        ).all()
    )
    expected = dict(
        session.execute(
            select(Producer.district_code, func.count())
            .join(ProducerCategory, ProducerCategory.producer_id == Producer.id)
            .join(District, District.code == Producer.district_code)
            .where(District.province_code == province_code, Producer.status == "approved", Producer.active)
            .group_by(Producer.district_code)
        ).all()
    )
    outliers: dict[str, list[OutlierNote]] = {}
    for district_code, producer_id, name, category, note in session.execute(
        select(MonthlySale.district_code, Producer.id, Producer.name, MonthlySale.category, MonthlySale.outlier_note)
        .join(Producer, Producer.id == MonthlySale.producer_id)
        .where(
            MonthlySale.province_code == province_code,
            MonthlySale.period == period.code,
            # Implied by the next condition, but PostgreSQL can estimate it (few rows carry a note) and
            # then looks producers up by key instead of reading them all.
            MonthlySale.outlier_note.is_not(None),  # type: ignore[union-attr]
            func.length(func.trim(func.coalesce(MonthlySale.outlier_note, ""))) > 0,
        )
        .order_by(MonthlySale.district_code, Producer.name, MonthlySale.category)
    ):
        outliers.setdefault(district_code, []).append(OutlierNote(producer_id, name, category, note.strip()))
    exceptions = dict(
        session.execute(
            select(EntryException.district_code, type_coerce(func.max(EntryException.expires_at), UTCDateTime))
            .where(
                EntryException.district_code.in_([district.code for district in districts]),  # type: ignore[attr-defined]
                EntryException.period == period.code,
                EntryException.expires_at > now,
            )
            .group_by(EntryException.district_code)
        ).all()
    )
    deadline = confirmation_deadline(session, period)
    states = []
    for district in districts:
        month = months.get(district.code)
        confirmed_at = month.confirmed_at if month else None
        states.append(
            DistrictMonthState(
                district_code=district.code,
                district_name_th=district.name_th,
                confirmed_by=month.confirmed_by if month else None,
                confirmed_at=confirmed_at,
                locked_by=month.locked_by if month else None,
                locked_at=month.locked_at if month else None,
                total=totals.get(district.code, ZERO),
                producers_reported=reported.get(district.code, 0),
                producers_expected=expected.get(district.code, 0),
                changes_since_lock=month.changes_since_lock if month else 0,
                outliers=tuple(outliers.get(district.code, [])),
                late=is_late(confirmed_at, deadline=deadline, now=now),
                exception_until=exceptions.get(district.code),
            )
        )
    return states


def national_completeness(
    *, session: Session, actor: Actor, period: Period, now: datetime | None = None
) -> list[ProvinceCompleteness]:
    """Every province for the month: districts confirmed, locked and late of all its districts."""
    ensure_permission(actor, Action.READ_NATIONAL)
    now = now or utc_now()
    deadline = confirmation_deadline(session, period)
    district_counts = dict(
        session.execute(select(District.province_code, func.count()).group_by(District.province_code)).all()
    )
    on_time = DistrictMonth.confirmed_at < deadline
    counts = {
        row.province_code: row
        for row in session.execute(
            select(
                DistrictMonth.province_code,
                func.count(DistrictMonth.confirmed_at).label("confirmed"),
                func.count(DistrictMonth.locked_at).label("locked"),
                func.sum(case((on_time, 1), else_=0)).label("on_time"),
            )
            .where(DistrictMonth.period == period.code)
            .group_by(DistrictMonth.province_code)
        )
    }
    deadline_passed = now >= deadline
    result = []
    for province in list_provinces(session):
        districts = district_counts.get(province.code, 0)
        row = counts.get(province.code)
        confirmed = int(row.confirmed) if row else 0
        punctual = int(row.on_time or 0) if row else 0
        result.append(
            ProvinceCompleteness(
                province_code=province.code,
                province_name_th=province.name_th,
                districts=districts,
                confirmed=confirmed,
                locked=int(row.locked) if row else 0,
                late=(districts - punctual) if deadline_passed else (confirmed - punctual),
            )
        )
    return result


def default_review_period(*, session: Session, actor: Actor, province_code: str, now: datetime | None = None) -> Period:
    """The month a province most likely verifies now: the latest month with data that has closed.

    Falls back to the month whose window closed last when the province has no data yet.
    """
    ensure_permission(actor, Action.READ_FIGURES, province_code=province_code)
    closed = last_closed_period(session, now or utc_now())
    latest = session.scalar(
        select(func.max(SalesSummary.period)).where(
            SalesSummary.province_code == province_code, SalesSummary.period <= closed.code
        )
    )
    return Period.from_code(latest) if latest else closed
