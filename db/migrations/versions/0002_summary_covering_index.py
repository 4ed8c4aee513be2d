"""sales_summary: a covering index for the area and period reads of dashboards and reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 02:30:00

The province index becomes a covering one: a province's months are summed from the index
alone, without a lookup into the table per summary row (SQLite otherwise preferred a scan of
the whole table in primary-key order to avoid a sort).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVERING_COLUMNS = [
    "province_code",
    "period",
    "district_code",
    "category",
    "producer_type",
    "domestic_offline",
    "domestic_online",
    "export_offline",
    "export_online",
    "row_count",
]


def upgrade() -> None:
    with op.batch_alter_table("sales_summary", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_summary_province_period")
        batch_op.create_index("ix_sales_summary_province_sums", COVERING_COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sales_summary", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_summary_province_sums")
        batch_op.create_index("ix_sales_summary_province_period", ["province_code", "period"], unique=False)
