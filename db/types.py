"""Column types shared by the tables: exact money on every backend."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

CENT = Decimal("0.01")


class Money(TypeDecorator[Decimal]):
    """Baht with satang: NUMERIC(14, 2) on PostgreSQL, whole satang as INTEGER on SQLite.

    SQLite has no decimal type and would keep NUMERIC as a binary float, so sums over
    millions of rows could drift by a satang; integers keep every sum exact.
    """

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(value).quantize(CENT)
        if dialect.name == "sqlite":
            return int(amount * 100)
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            # Whole satang to baht with exactly two places; a dashboard converts thousands of sums per render.
            return Decimal(int(value)).scaleb(-2)
        return Decimal(value).quantize(CENT)

    @property
    def python_type(self) -> type:
        return Decimal


class UTCDateTime(TypeDecorator[Any]):
    """A point in time kept as naive UTC and always read back as an aware UTC datetime."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
