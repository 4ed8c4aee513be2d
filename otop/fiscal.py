"""The Thai fiscal calendar: BE years, periods (calendar months), indicator rounds, entry windows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543
FISCAL_YEAR_FIRST_MONTH = 10
ROUND_MONTHS = {1: 6, 2: 12}
_PERIOD_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{1,2})\s*$")


def be_to_ce(year_be: int) -> int:
    return year_be - BE_OFFSET


def ce_to_be(year_ce: int) -> int:
    return year_ce + BE_OFFSET


def fiscal_year_of(day: date) -> int:
    """Fiscal year (BE) that contains a calendar day: 1 Oct 2024 is in FY2568."""
    year_be = ce_to_be(day.year)
    return year_be + 1 if day.month >= FISCAL_YEAR_FIRST_MONTH else year_be


def bangkok_now() -> datetime:
    return datetime.now(tz=BANGKOK)


def bangkok_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return moment.astimezone(BANGKOK).date()


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, written ``YYYY-MM`` with the BE year; stored as the integer BE yyyymm."""

    year_be: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if not 2400 <= self.year_be <= 2800:
            raise ValueError(f"BE year out of range: {self.year_be}")

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD_PATTERN.match(text)
        if not match:
            raise ValueError(f"รูปแบบเดือนไม่ถูกต้อง: {text!r} (ใช้ ปปปป-ดด เช่น 2567-10)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def from_code(cls, code: int) -> Period:
        return cls(code // 100, code % 100)

    @classmethod
    def of_date(cls, day: date) -> Period:
        return cls(ce_to_be(day.year), day.month)

    @property
    def code(self) -> int:
        return self.year_be * 100 + self.month

    @property
    def label(self) -> str:
        return f"{self.year_be}-{self.month:02d}"

    @property
    def year_ce(self) -> int:
        return be_to_ce(self.year_be)

    @property
    def fiscal_year_be(self) -> int:
        return self.year_be + 1 if self.month >= FISCAL_YEAR_FIRST_MONTH else self.year_be

    @property
    def fiscal_month_index(self) -> int:
        """0 for October … 11 for September."""
        return (self.month - FISCAL_YEAR_FIRST_MONTH) % 12

    def first_day(self) -> date:
        return date(self.year_ce, self.month, 1)

    def shift(self, months: int) -> Period:
        index = self.year_be * 12 + (self.month - 1) + months
        return Period(index // 12, index % 12 + 1)

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def same_month_previous_year(self) -> Period:
        return self.shift(-12)

    def __str__(self) -> str:
        return self.label


def fiscal_year_periods(fiscal_year_be: int) -> list[Period]:
    """October of the year before through September: FY2568 = 2567-10 … 2568-09."""
    start = Period(fiscal_year_be - 1, FISCAL_YEAR_FIRST_MONTH)
    return [start.shift(offset) for offset in range(12)]


def round_periods(fiscal_year_be: int, round_no: int) -> list[Period]:
    """Round 1 is October–March, round 2 the whole fiscal year."""
    if round_no not in ROUND_MONTHS:
        raise ValueError(f"รอบการประเมินต้องเป็น 1 หรือ 2 ไม่ใช่ {round_no}")
    return fiscal_year_periods(fiscal_year_be)[: ROUND_MONTHS[round_no]]


def period_codes(periods: list[Period]) -> list[int]:
    return [period.code for period in periods]


@dataclass(frozen=True)
class EntryWindow:
    """When a period may be entered: from ``opens_at`` (inclusive) to ``closes_at`` (exclusive)."""

    period: Period
    opens_at: datetime
    closes_at: datetime

    def is_open(self, moment: datetime) -> bool:
        return self.opens_at <= moment < self.closes_at


def _bangkok_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BANGKOK)


def default_entry_window(period: Period, *, close_day: int, reopen_day: int) -> EntryWindow:
    """Month M opens on ``reopen_day`` of M and closes when ``close_day`` of M+1 begins.

    With the defaults (close 6, reopen 10) October 2567 may be entered from
    10 Oct 2567 00:00 until 5 Nov 2567 23:59:59 Bangkok time.
    """
    if not 1 <= close_day <= 28 or not 1 <= reopen_day <= 28:
        raise ValueError("วันปิดและวันเปิดระบบต้องอยู่ระหว่างวันที่ 1 ถึง 28")
    opens = _bangkok_midnight(period.first_day() + timedelta(days=reopen_day - 1))
    closes = _bangkok_midnight(period.next().first_day() + timedelta(days=close_day - 1))
    return EntryWindow(period=period, opens_at=opens, closes_at=closes)


def deadline_of(period: Period, *, close_day: int) -> date:
    """The last day a district may confirm the month without being late (the 5th by default)."""
    return period.next().first_day() + timedelta(days=close_day - 2)
