"""Unusual monthly figures: far above a producer's usual sales, or a sudden jump from nothing."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from db.models import CHANNEL_COLUMNS, MonthlySale
from otop.config import Settings, get_settings
from otop.fiscal import Period
from otop.i18n import format_baht

HISTORY_MONTHS = 12
# The last 12 reported months are looked for within this many months: a producer silent for
# three years is compared with nothing, as a new one would be.
LOOKBACK_MONTHS = 36

Medians = dict[str, Decimal | None]


@dataclass(frozen=True)
class OutlierRule:
    """How far above the usual a value may go before it needs a comment."""

    factor: Decimal
    jump_baht: Decimal

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> OutlierRule:
        settings = settings or get_settings()
        return cls(factor=settings.outlier_factor, jump_baht=settings.outlier_jump_baht)


@dataclass(frozen=True)
class OutlierFlag:
    """One flagged cell: its channel, its value, the producer's median and the reason in Thai."""

    channel: str
    value: Decimal
    median: Decimal | None
    reason: str


def median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def flag_values(
    amounts: Mapping[str, Decimal], medians: Mapping[str, Decimal | None], rule: OutlierRule
) -> list[OutlierFlag]:
    """The channels of one row whose value is unusual against the producer's medians.

    A channel with a positive median is flagged above ``factor`` × median; a channel the
    producer never sold in (no history, or a median of zero) is flagged above ``jump_baht``.
    """
    flags: list[OutlierFlag] = []
    for channel in CHANNEL_COLUMNS:
        value = amounts.get(channel, Decimal(0))
        usual = medians.get(channel)
        if usual is not None and usual > 0:
            if value > usual * rule.factor:
                reason = f"สูงกว่า {rule.factor:g} เท่าของค่ามัธยฐาน 12 เดือนที่รายงาน ({format_baht(usual)})"
                flags.append(OutlierFlag(channel, value, usual, reason))
        elif value > rule.jump_baht:
            reason = f"จากไม่เคยมียอดเป็นมากกว่า {format_baht(rule.jump_baht, decimals=0)}"
            flags.append(OutlierFlag(channel, value, usual, reason))
    return flags


def history_medians(
    session: Session, *, district_code: str, period: Period, producer_ids: Collection[int] | None = None
) -> dict[tuple[int, str], Medians]:
    """Per (producer, category) of the district: each channel's median over its last 12 reported months.

    A reported month is an earlier row with a positive total (a row synced and left empty is
    not a report). One query with a window function, whatever the number of producers;
    ``producer_ids`` narrows it to the producers a save needs.
    """
    row_total = (
        MonthlySale.domestic_offline
        + MonthlySale.domestic_online
        + MonthlySale.export_offline
        + MonthlySale.export_online
    )
    conditions = [
        MonthlySale.district_code == district_code,
        MonthlySale.period < period.code,
        MonthlySale.period >= period.shift(-LOOKBACK_MONTHS).code,
        row_total > 0,
    ]
    if producer_ids is not None:
        conditions.append(MonthlySale.producer_id.in_(sorted(producer_ids)))
    ranked = (
        select(
            MonthlySale.producer_id,
            MonthlySale.category,
            *(getattr(MonthlySale, column) for column in CHANNEL_COLUMNS),
            func.row_number()
            .over(
                partition_by=(MonthlySale.producer_id, MonthlySale.category),
                order_by=MonthlySale.period.desc(),  # type: ignore[attr-defined]
            )
            .label("recency"),
        )
        .where(*conditions)
        .subquery()
    )
    rows = session.execute(select(ranked).where(ranked.c.recency <= HISTORY_MONTHS))
    history: dict[tuple[int, str], list[Sequence[Decimal]]] = {}
    for row in rows:
        history.setdefault((row.producer_id, row.category), []).append([row[2 + i] for i in range(4)])
    return {key: _medians_of(values) for key, values in history.items()}


def _medians_of(months: Iterable[Sequence[Decimal]]) -> Medians:
    columns = list(zip(*months, strict=True))
    return {channel: median(list(values)) for channel, values in zip(CHANNEL_COLUMNS, columns, strict=True)}


def no_history() -> Medians:
    return dict.fromkeys(CHANNEL_COLUMNS)
