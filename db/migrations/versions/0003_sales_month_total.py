"""sales_month_total: channel sums per district-month, kept with sales_summary

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 02:45:00

Filled from sales_summary here; from then on rewritten in every writer's transaction.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNELS = ["domestic_offline", "domestic_online", "export_offline", "export_online"]


def upgrade() -> None:
    op.create_table(
        "sales_month_total",
        sa.Column("district_code", sa.String(length=4), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        *(sa.Column(channel, db.types.Money(), nullable=False) for channel in CHANNELS),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["district_code"], ["district.code"]),
        sa.ForeignKeyConstraint(["province_code"], ["province.code"]),
        sa.PrimaryKeyConstraint("district_code", "period"),
    )
    with op.batch_alter_table("sales_month_total", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sales_month_total_province_sums",
            ["province_code", "period", "district_code", *CHANNELS, "row_count"],
            unique=False,
        )
    sums = ", ".join(f"SUM({channel})" for channel in CHANNELS)
    op.execute(
        f"INSERT INTO sales_month_total (district_code, period, province_code, {', '.join(CHANNELS)}, row_count) "
        f"SELECT district_code, period, province_code, {sums}, SUM(row_count) FROM sales_summary "
        "GROUP BY district_code, period, province_code"
    )


def downgrade() -> None:
    with op.batch_alter_table("sales_month_total", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_month_total_province_sums")
    op.drop_table("sales_month_total")
