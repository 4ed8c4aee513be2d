"""The summaries equal the raw monthly rows exactly after any sequence of saves, syncs, locks and unlocks."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from db.engine import session_scope
from db.models import CHANNEL_COLUMNS, MonthlySale, Producer, SalesMonthTotal, SalesSummary
from otop import clock
from otop.entry import EntryValidationError, RowInput, load_month, save_month, sync_month
from otop.fiscal import BANGKOK, Period
from otop.locks import (
    LockRefused,
    lock_district_month,
    lock_province_month,
    unlock_district_month,
    unlock_province_month,
)
from otop.permissions import Actor
from otop.status import EntryRefused
from tests.factories import actor, make_producer

PROVINCE_CODE = "31"
DISTRICTS = ("3101", "3102", "3103")
PERIODS = (Period(2567, 10), Period(2567, 11), Period(2567, 12))
PROVINCE = actor("province", PROVINCE_CODE)
CATEGORY_SETS = (("food",), ("food", "textile"), ("beverage", "herbal", "household"))
TYPES = ("community", "single_owner", "sme")
STEPS = 40

Totals = dict[tuple[object, ...], tuple[object, ...]]


def moment_in_window(period: Period) -> datetime:
    """The 15th of the month at noon, Bangkok: inside the month's default entry window."""
    return datetime.combine(period.first_day() + timedelta(days=14), time(12), tzinfo=BANGKOK)


def raw_totals(engine: Engine) -> Totals:
    """The summary's grain computed in Python from every raw row."""
    totals: dict[tuple[str, int, str, str], list[object]] = {}
    with session_scope(engine) as session:
        rows = session.execute(
            select(MonthlySale, Producer.producer_type).join(Producer, Producer.id == MonthlySale.producer_id)
        ).all()
        for sale, producer_type in rows:
            key = (sale.district_code, sale.period, sale.category, producer_type)
            entry = totals.setdefault(key, [Decimal("0.00")] * 4 + [0])
            for index, column in enumerate(CHANNEL_COLUMNS):
                entry[index] += getattr(sale, column)  # type: ignore[operator]
            entry[4] += 1  # type: ignore[operator]
    return {key: tuple(values) for key, values in totals.items()}  # type: ignore[misc]


def month_totals(totals: Totals) -> Totals:
    """The raw totals rolled up to district and month (what sales_month_total holds)."""
    months: dict[tuple[object, ...], list[object]] = {}
    for (district_code, period, _category, _producer_type), values in totals.items():
        entry = months.setdefault((district_code, period), [Decimal("0.00")] * 4 + [0])
        for index, value in enumerate(values):
            entry[index] += value  # type: ignore[operator]
    return {key: tuple(values) for key, values in months.items()}


def stored_month_totals(engine: Engine) -> Totals:
    with session_scope(engine) as session:
        return {
            (row.district_code, row.period): (*(getattr(row, column) for column in CHANNEL_COLUMNS), row.row_count)
            for row in session.scalars(select(SalesMonthTotal))
        }


def summary_totals(engine: Engine) -> Totals:
    with session_scope(engine) as session:
        return {
            (row.district_code, row.period, row.category, row.producer_type): (
                *(getattr(row, column) for column in CHANNEL_COLUMNS),
                row.row_count,
            )
            for row in session.scalars(select(SalesSummary))
        }  # type: ignore[misc]


def _amount(rng: random.Random) -> str | Decimal | int:
    choice = rng.random()
    if choice < 0.2:
        return 0
    if choice < 0.6:
        return Decimal(rng.randint(0, 5_000_000)) / 100
    if choice < 0.8:
        return f"{rng.randint(0, 2_000_000):,}.{rng.randint(0, 99):02d}"
    return rng.randint(0, 90_000)


class Scenario:
    """Producers in three districts and a seeded random walk over saves, syncs, locks and unlocks."""

    def __init__(self, engine: Engine, seed: int) -> None:
        self.engine = engine
        self.rng = random.Random(seed)
        self.producers: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        with session_scope(engine, write=True) as session:
            for district_code in DISTRICTS:
                chosen = [self.rng.choice(CATEGORY_SETS) for _ in range(self.rng.randint(3, 6))]
                self.producers[district_code] = [
                    (
                        make_producer(
                            session, district_code, categories=categories, producer_type=self.rng.choice(TYPES)
                        ).id,  # type: ignore[misc]
                        categories,
                    )
                    for categories in chosen
                ]
        self.outcomes: dict[str, int] = {}

    def _district_actor(self, district_code: str) -> Actor:
        return actor("district", district_code)

    def save(self, district_code: str, period: Period) -> None:
        who = self._district_actor(district_code)
        now = moment_in_window(period)
        with session_scope(self.engine) as session:
            version = load_month(
                session=session, actor=who, district_code=district_code, period=period, now=now
            ).version
        rows = [
            RowInput(
                producer_id=producer_id,
                category=category,
                **{column: _amount(self.rng) for column in CHANNEL_COLUMNS},
                outlier_note="ตรวจสอบกับผู้ผลิตแล้ว",
            )
            for producer_id, categories in self.producers[district_code]
            for category in categories
            if self.rng.random() < 0.6
        ]
        with clock.frozen_at(now), session_scope(self.engine, write=True) as session:
            save_month(
                session=session,
                actor=who,
                district_code=district_code,
                period=period,
                rows=rows,
                base_version=version,
                now=now,
            )

    def sync(self, district_code: str, period: Period) -> None:
        now = moment_in_window(period)
        with clock.frozen_at(now), session_scope(self.engine, write=True) as session:
            sync_month(
                session=session, actor=self._district_actor(district_code), district_code=district_code, period=period
            )

    def lock(self, district_code: str, period: Period) -> None:
        with clock.frozen_at(moment_in_window(period)), session_scope(self.engine, write=True) as session:
            lock_district_month(session=session, actor=PROVINCE, district_code=district_code, period=period)

    def unlock(self, district_code: str, period: Period) -> None:
        with clock.frozen_at(moment_in_window(period)), session_scope(self.engine, write=True) as session:
            unlock_district_month(
                session=session, actor=PROVINCE, district_code=district_code, period=period, reason="แก้ไขยอด"
            )

    def lock_province(self, _district_code: str, period: Period) -> None:
        with clock.frozen_at(moment_in_window(period)), session_scope(self.engine, write=True) as session:
            lock_province_month(session=session, actor=PROVINCE, province_code=PROVINCE_CODE, period=period)

    def unlock_province(self, _district_code: str, period: Period) -> None:
        with clock.frozen_at(moment_in_window(period)), session_scope(self.engine, write=True) as session:
            unlock_province_month(
                session=session, actor=PROVINCE, province_code=PROVINCE_CODE, period=period, reason="ตรวจทานใหม่"
            )

    def step(self) -> str:
        operations: list[tuple[str, Callable[[str, Period], None], int]] = [
            ("save", self.save, 8),
            ("sync", self.sync, 1),
            ("lock", self.lock, 2),
            ("unlock", self.unlock, 3),
            ("lock_province", self.lock_province, 1),
            ("unlock_province", self.unlock_province, 2),
        ]
        name, operation, _ = self.rng.choices(operations, weights=[weight for *_, weight in operations])[0]
        district_code, period = self.rng.choice(DISTRICTS), self.rng.choice(PERIODS)
        try:
            operation(district_code, period)
            outcome = name
        except (EntryRefused, LockRefused, EntryValidationError):
            outcome = f"{name} refused"
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        return outcome


@pytest.mark.parametrize("seed", [9, 76])
def test_summaries_equal_raw_sums_after_random_saves_locks_and_unlocks(engine: Engine, seed: int) -> None:
    scenario = Scenario(engine, seed)
    for step in range(STEPS):
        outcome = scenario.step()
        raw = raw_totals(engine)
        assert summary_totals(engine) == raw, f"step {step}: {outcome}"
        assert stored_month_totals(engine) == month_totals(raw), f"step {step}: {outcome}"
    assert raw_totals(engine), "the walk never saved a row"
    # The walk went through every kind of step, and writers were refused on locked months.
    assert {"save", "sync", "lock", "unlock", "lock_province", "unlock_province"} <= set(scenario.outcomes)
    assert scenario.outcomes.get("save refused", 0) > 0, scenario.outcomes
