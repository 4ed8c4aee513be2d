"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 01:58:34.100154
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", db.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=True),
        sa.Column("district_code", sa.String(length=4), nullable=True),
        sa.Column("period", sa.Integer(), nullable=True),
        sa.Column("producer_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("field", sa.String(length=50), nullable=True),
        sa.Column("old_value", sa.String(length=500), nullable=True),
        sa.Column("new_value", sa.String(length=500), nullable=True),
        sa.Column("detail", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_audit_event_district_period", ["district_code", "period"], unique=False
        )
        batch_op.create_index(
            "ix_audit_event_producer",
            ["producer_id", "category", "period"],
            unique=False,
        )

    op.create_table(
        "calendar_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("close_day", sa.Integer(), nullable=False),
        sa.Column("reopen_day", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.Column("updated_at", db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "period_override",
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("opens_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("closes_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=True),
        sa.Column("set_at", db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("period"),
    )
    op.create_table(
        "province",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name_th", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "district",
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("name_th", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["province.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_district_province_code"), ["province_code"], unique=False
        )

    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("position_title", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=True),
        sa.Column("district_code", sa.String(length=4), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("password_changed_at", db.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "role IN ('district', 'province', 'department', 'admin')",
            name="ck_app_user_role",
        ),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["district.code"],
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["province.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "district_month",
        sa.Column("district_code", sa.String(length=4), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=100), nullable=True),
        sa.Column("confirmed_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("locked_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("changes_since_lock", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["district.code"],
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["province.code"],
        ),
        sa.PrimaryKeyConstraint("district_code", "period"),
    )
    with op.batch_alter_table("district_month", schema=None) as batch_op:
        batch_op.create_index(
            "ix_district_month_province_period",
            ["province_code", "period"],
            unique=False,
        )

    op.create_table(
        "entry_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=4), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("expires_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("granted_by", sa.String(length=100), nullable=True),
        sa.Column("granted_at", db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["district.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("entry_exception", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entry_exception_district_period",
            ["district_code", "period"],
            unique=False,
        )

    op.create_table(
        "forecast",
        sa.Column("district_code", sa.String(length=4), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("fiscal_year_be", sa.Integer(), nullable=False),
        sa.Column(
            "domestic_offline", db.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "domestic_online", db.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "export_offline", db.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "export_online", db.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column("remark", sa.String(length=500), nullable=True),
        sa.Column("updated_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["district.code"],
        ),
        sa.PrimaryKeyConstraint("district_code", "period"),
    )
    with op.batch_alter_table("forecast", schema=None) as batch_op:
        batch_op.create_index(
            "ix_forecast_fiscal_year", ["fiscal_year_be", "district_code"], unique=False
        )

    op.create_table(
        "forecast_form",
        sa.Column("district_code", sa.String(length=4), nullable=False),
        sa.Column("fiscal_year_be", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=True),
        sa.Column("submitted_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("committee_meeting_date", sa.Date(), nullable=True),
        sa.Column("committee_reference", sa.String(length=200), nullable=True),
        sa.Column("certified_by", sa.String(length=200), nullable=True),
        sa.Column("certified_at", db.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'certified')",
            name="ck_forecast_form_status",
        ),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["district.code"],
        ),
        sa.PrimaryKeyConstraint("district_code", "fiscal_year_be"),
    )
    op.create_table(
        "sales_summary",
        sa.Column("district_code", sa.String(length=4), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("producer_type", sa.String(length=20), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column(
            "domestic_offline", db.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "domestic_online", db.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "export_offline", db.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "export_online", db.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["district.code"],
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["province.code"],
        ),
        sa.PrimaryKeyConstraint("district_code", "period", "category", "producer_type"),
    )
    with op.batch_alter_table("sales_summary", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sales_summary_province_period",
            ["province_code", "period"],
            unique=False,
        )

    op.create_table(
        "subdistrict",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("district_code", sa.String(length=4), nullable=False),
        sa.Column("name_th", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["district.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("subdistrict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subdistrict_district_code"), ["district_code"], unique=False
        )

    op.create_table(
        "target",
        sa.Column("district_code", sa.String(length=4), nullable=False),
        sa.Column("fiscal_year_be", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("baseline", db.types.Money(precision=14, scale=2), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint("round IN (1, 2)", name="ck_target_round"),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["district.code"],
        ),
        sa.PrimaryKeyConstraint("district_code", "fiscal_year_be", "round"),
    )
    op.create_table(
        "producer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("district_code", sa.String(length=4), nullable=False),
        sa.Column("subdistrict_code", sa.String(length=6), nullable=True),
        sa.Column("village_no", sa.Integer(), nullable=True),
        sa.Column("producer_type", sa.String(length=20), nullable=False),
        sa.Column("registered_year_be", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("proposed_by", sa.String(length=100), nullable=True),
        sa.Column("proposed_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "producer_type IN ('community', 'single_owner', 'sme')",
            name="ck_producer_type",
        ),
        sa.CheckConstraint(
            "status IN ('approved', 'pending', 'rejected')", name="ck_producer_status"
        ),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["district.code"],
        ),
        sa.ForeignKeyConstraint(
            ["subdistrict_code"],
            ["subdistrict.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("producer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_producer_district_status", ["district_code", "status"], unique=False
        )

    op.create_table(
        "monthly_sale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("producer_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=4), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column(
            "domestic_offline", db.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "domestic_online", db.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "export_offline", db.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column(
            "export_online", db.types.Money(precision=14, scale=2), nullable=False
        ),
        sa.Column("outlier_note", sa.String(length=500), nullable=True),
        sa.Column("saved_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "category IN ('food', 'beverage', 'textile', 'household', 'herbal')",
            name="ck_monthly_sale_category",
        ),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["district.code"],
        ),
        sa.ForeignKeyConstraint(
            ["producer_id"],
            ["producer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["province.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "producer_id", "category", "period", name="uq_monthly_sale_row"
        ),
    )
    with op.batch_alter_table("monthly_sale", schema=None) as batch_op:
        batch_op.create_index(
            "ix_monthly_sale_district_period", ["district_code", "period"], unique=False
        )
        batch_op.create_index(
            "ix_monthly_sale_province_period", ["province_code", "period"], unique=False
        )

    op.create_table(
        "producer_category",
        sa.Column("producer_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "category IN ('food', 'beverage', 'textile', 'household', 'herbal')",
            name="ck_producer_category_category",
        ),
        sa.ForeignKeyConstraint(
            ["producer_id"],
            ["producer.id"],
        ),
        sa.PrimaryKeyConstraint("producer_id", "category"),
    )


def downgrade() -> None:
    op.drop_table("producer_category")
    with op.batch_alter_table("monthly_sale", schema=None) as batch_op:
        batch_op.drop_index("ix_monthly_sale_province_period")
        batch_op.drop_index("ix_monthly_sale_district_period")

    op.drop_table("monthly_sale")
    with op.batch_alter_table("producer", schema=None) as batch_op:
        batch_op.drop_index("ix_producer_district_status")

    op.drop_table("producer")
    op.drop_table("target")
    with op.batch_alter_table("subdistrict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subdistrict_district_code"))

    op.drop_table("subdistrict")
    with op.batch_alter_table("sales_summary", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_summary_province_period")

    op.drop_table("sales_summary")
    op.drop_table("forecast_form")
    with op.batch_alter_table("forecast", schema=None) as batch_op:
        batch_op.drop_index("ix_forecast_fiscal_year")

    op.drop_table("forecast")
    with op.batch_alter_table("entry_exception", schema=None) as batch_op:
        batch_op.drop_index("ix_entry_exception_district_period")

    op.drop_table("entry_exception")
    with op.batch_alter_table("district_month", schema=None) as batch_op:
        batch_op.drop_index("ix_district_month_province_period")

    op.drop_table("district_month")
    op.drop_table("app_user")
    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_province_code"))

    op.drop_table("district")
    op.drop_table("province")
    op.drop_table("period_override")
    op.drop_table("calendar_setting")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_producer")
        batch_op.drop_index("ix_audit_event_district_period")
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
