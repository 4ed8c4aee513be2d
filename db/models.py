"""SQLModel tables of the portal: master data, sales, forecasts, targets, status, audit, users."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import Money, UTCDateTime

CHANNEL_COLUMNS: tuple[str, ...] = (
    "domestic_offline",
    "domestic_online",
    "export_offline",
    "export_online",
)
CATEGORY_CODES: tuple[str, ...] = ("food", "beverage", "textile", "household", "herbal")
PRODUCER_TYPE_CODES: tuple[str, ...] = ("community", "single_owner", "sme")
ROLE_CODES: tuple[str, ...] = ("district", "province", "department", "admin")
PRODUCER_STATUSES: tuple[str, ...] = ("approved", "pending", "rejected")
FORECAST_STATUSES: tuple[str, ...] = ("draft", "submitted", "certified")


def _in(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    quoted = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


def money_field(**kwargs: object) -> Decimal:
    return Field(default=Decimal("0.00"), sa_type=Money, nullable=False, **kwargs)  # type: ignore[return-value]


def moment_field(*, nullable: bool = True, index: bool = False) -> datetime | None:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)  # type: ignore[return-value]


# --- master data -----------------------------------------------------------------


class Province(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=2)
    name_th: str = Field(max_length=100)
    name_en: str = Field(default="", max_length=100)


class District(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=4)
    province_code: str = Field(foreign_key="province.code", index=True, max_length=2)
    name_th: str = Field(max_length=100)
    name_en: str = Field(default="", max_length=100)


class Subdistrict(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=6)
    district_code: str = Field(foreign_key="district.code", index=True, max_length=4)
    name_th: str = Field(max_length=100)
    name_en: str = Field(default="", max_length=100)


class Producer(SQLModel, table=True):
    """An OTOP producer group or entrepreneur; pending ones are proposals awaiting the province."""

    __table_args__ = (
        _in("producer_type", PRODUCER_TYPE_CODES, "ck_producer_type"),
        _in("status", PRODUCER_STATUSES, "ck_producer_status"),
        Index("ix_producer_district_status", "district_code", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    district_code: str = Field(foreign_key="district.code", max_length=4)
    subdistrict_code: str | None = Field(default=None, foreign_key="subdistrict.code", max_length=6)
    village_no: int | None = Field(default=None)
    producer_type: str = Field(max_length=20)
    registered_year_be: int = Field(default=2568)
    active: bool = Field(default=True)
    status: str = Field(default="approved", max_length=10)
    proposed_by: str | None = Field(default=None, max_length=100)
    proposed_at: datetime | None = moment_field()
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = moment_field()
    decision_reason: str | None = Field(default=None, max_length=500)


class ProducerCategory(SQLModel, table=True):
    """A product category a producer sells in: one grid row per producer and category."""

    __tablename__ = "producer_category"
    __table_args__ = (_in("category", CATEGORY_CODES, "ck_producer_category_category"),)

    producer_id: int = Field(foreign_key="producer.id", primary_key=True)
    category: str = Field(primary_key=True, max_length=20)


# --- figures -----------------------------------------------------------------


class MonthlySale(SQLModel, table=True):
    """Form รต.1: one producer's sales in one category and month, by channel."""

    __tablename__ = "monthly_sale"
    __table_args__ = (
        UniqueConstraint("producer_id", "category", "period", name="uq_monthly_sale_row"),
        _in("category", CATEGORY_CODES, "ck_monthly_sale_category"),
        Index("ix_monthly_sale_district_period", "district_code", "period"),
        Index("ix_monthly_sale_province_period", "province_code", "period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    producer_id: int = Field(foreign_key="producer.id")
    category: str = Field(max_length=20)
    period: int = Field(description="Calendar month as BE yyyymm, e.g. 256710")
    district_code: str = Field(foreign_key="district.code", max_length=4)
    province_code: str = Field(foreign_key="province.code", max_length=2)
    domestic_offline: Decimal = money_field()
    domestic_online: Decimal = money_field()
    export_offline: Decimal = money_field()
    export_online: Decimal = money_field()
    outlier_note: str | None = Field(default=None, max_length=500)
    saved_version: int = Field(default=0)
    updated_at: datetime | None = moment_field()
    updated_by: str | None = Field(default=None, max_length=100)


class SalesSummary(SQLModel, table=True):
    """Channel sums of a district-month by category and producer type.

    Rewritten from monthly_sale in the same transaction as every write to that
    district-month, so it always equals the raw rows; dashboards and reports read it.
    """

    __tablename__ = "sales_summary"
    # Covering: a province's (or, skipping the province, the country's) months are summed from the index alone.
    __table_args__ = (
        Index(
            "ix_sales_summary_province_sums",
            "province_code",
            "period",
            "district_code",
            "category",
            "producer_type",
            *CHANNEL_COLUMNS,
            "row_count",
        ),
    )

    district_code: str = Field(foreign_key="district.code", primary_key=True, max_length=4)
    period: int = Field(primary_key=True)
    category: str = Field(primary_key=True, max_length=20)
    producer_type: str = Field(primary_key=True, max_length=20)
    province_code: str = Field(foreign_key="province.code", max_length=2)
    domestic_offline: Decimal = money_field()
    domestic_online: Decimal = money_field()
    export_offline: Decimal = money_field()
    export_online: Decimal = money_field()
    row_count: int = Field(default=0)


class SalesMonthTotal(SQLModel, table=True):
    """Channel sums of a district-month over all its categories and producer types.

    Rewritten together with sales_summary in every writer's transaction. Most dashboard and
    report reads group by area and month only; they sum one row per district-month here
    instead of one per category and producer type there.
    """

    __tablename__ = "sales_month_total"
    __table_args__ = (
        Index(
            "ix_sales_month_total_province_sums",
            "province_code",
            "period",
            "district_code",
            *CHANNEL_COLUMNS,
            "row_count",
        ),
    )

    district_code: str = Field(foreign_key="district.code", primary_key=True, max_length=4)
    period: int = Field(primary_key=True)
    province_code: str = Field(foreign_key="province.code", max_length=2)
    domestic_offline: Decimal = money_field()
    domestic_online: Decimal = money_field()
    export_offline: Decimal = money_field()
    export_online: Decimal = money_field()
    row_count: int = Field(default=0)


class DistrictMonth(SQLModel, table=True):
    """A district's month: confirmation, lock and the version used to detect conflicting saves."""

    __tablename__ = "district_month"
    __table_args__ = (Index("ix_district_month_province_period", "province_code", "period"),)

    district_code: str = Field(foreign_key="district.code", primary_key=True, max_length=4)
    period: int = Field(primary_key=True)
    province_code: str = Field(foreign_key="province.code", max_length=2)
    version: int = Field(default=0)
    confirmed_by: str | None = Field(default=None, max_length=100)
    confirmed_at: datetime | None = moment_field()
    locked_by: str | None = Field(default=None, max_length=100)
    locked_at: datetime | None = moment_field()
    changes_since_lock: int = Field(default=0)


class Forecast(SQLModel, table=True):
    """The forecast form: a district's expected sales for one month of a fiscal year, by channel."""

    __table_args__ = (Index("ix_forecast_fiscal_year", "fiscal_year_be", "district_code"),)

    district_code: str = Field(foreign_key="district.code", primary_key=True, max_length=4)
    period: int = Field(primary_key=True)
    fiscal_year_be: int
    domestic_offline: Decimal = money_field()
    domestic_online: Decimal = money_field()
    export_offline: Decimal = money_field()
    export_online: Decimal = money_field()
    remark: str | None = Field(default=None, max_length=500)
    updated_at: datetime | None = moment_field()
    updated_by: str | None = Field(default=None, max_length=100)


class ForecastForm(SQLModel, table=True):
    """State of a district's forecast form for a fiscal year and its committee certification."""

    __tablename__ = "forecast_form"
    __table_args__ = (_in("status", FORECAST_STATUSES, "ck_forecast_form_status"),)

    district_code: str = Field(foreign_key="district.code", primary_key=True, max_length=4)
    fiscal_year_be: int = Field(primary_key=True)
    status: str = Field(default="draft", max_length=10)
    version: int = Field(default=0)
    submitted_by: str | None = Field(default=None, max_length=100)
    submitted_at: datetime | None = moment_field()
    committee_meeting_date: date | None = Field(default=None)
    committee_reference: str | None = Field(default=None, max_length=200)
    certified_by: str | None = Field(default=None, max_length=200)
    certified_at: datetime | None = moment_field()


class Target(SQLModel, table=True):
    """An imported baseline for a district, fiscal year and round (otherwise it is computed)."""

    __table_args__ = (CheckConstraint("round IN (1, 2)", name="ck_target_round"),)

    district_code: str = Field(foreign_key="district.code", primary_key=True, max_length=4)
    fiscal_year_be: int = Field(primary_key=True)
    round: int = Field(primary_key=True)
    baseline: Decimal = money_field()
    source: str = Field(default="imported", max_length=200)
    updated_at: datetime | None = moment_field()
    updated_by: str | None = Field(default=None, max_length=100)


# --- reporting calendar -----------------------------------------------------------


class CalendarSetting(SQLModel, table=True):
    """The monthly entry window: month M opens on reopen_day of M, closes on close_day of M+1."""

    __tablename__ = "calendar_setting"

    id: int = Field(default=1, primary_key=True)
    close_day: int = Field(default=6)
    reopen_day: int = Field(default=10)
    updated_by: str | None = Field(default=None, max_length=100)
    updated_at: datetime | None = moment_field()


class PeriodOverride(SQLModel, table=True):
    """The department's own window for one period, replacing the default days."""

    __tablename__ = "period_override"

    period: int = Field(primary_key=True)
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=500)
    set_by: str | None = Field(default=None, max_length=100)
    set_at: datetime | None = moment_field()


class EntryException(SQLModel, table=True):
    """A province lets one district enter one period outside the window until expires_at."""

    __tablename__ = "entry_exception"
    __table_args__ = (Index("ix_entry_exception_district_period", "district_code", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    district_code: str = Field(foreign_key="district.code", max_length=4)
    period: int
    expires_at: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=500)
    granted_by: str | None = Field(default=None, max_length=100)
    granted_at: datetime | None = moment_field()


# --- people and the trail ---------------------------------------------------------


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = (_in("role", ROLE_CODES, "ck_app_user_role"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True)
    display_name: str = Field(max_length=200)
    position_title: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)
    province_code: str | None = Field(default=None, foreign_key="province.code", max_length=2)
    district_code: str | None = Field(default=None, foreign_key="district.code", max_length=4)
    active: bool = Field(default=True)
    failed_attempts: int = Field(default=0)
    locked_until: datetime | None = moment_field()
    created_at: datetime | None = moment_field()
    password_changed_at: datetime | None = moment_field()


class AuditEvent(SQLModel, table=True):
    """Who changed what, when, from which value to which; never a password."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_district_period", "district_code", "period"),
        Index("ix_audit_event_producer", "producer_id", "category", "period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    actor: str = Field(max_length=100)
    action: str = Field(max_length=50)
    province_code: str | None = Field(default=None, max_length=2)
    district_code: str | None = Field(default=None, max_length=4)
    period: int | None = Field(default=None)
    producer_id: int | None = Field(default=None)
    category: str | None = Field(default=None, max_length=20)
    field: str | None = Field(default=None, max_length=50)
    old_value: str | None = Field(default=None, max_length=500)
    new_value: str | None = Field(default=None, max_length=500)
    detail: str | None = Field(default=None, max_length=2000)
