"""The Thai fiscal calendar: years, periods, rounds and the entry window."""

from datetime import UTC, date, datetime

import pytest

from otop.fiscal import (
    BANGKOK,
    Period,
    bangkok_date,
    be_to_ce,
    ce_to_be,
    deadline_of,
    default_entry_window,
    fiscal_year_of,
    fiscal_year_periods,
    round_periods,
)
from otop.i18n import format_thai_datetime, period_name


@pytest.mark.parametrize(
    ("day", "fiscal_year_be"),
    [
        (date(2024, 9, 30), 2567),
        (date(2024, 10, 1), 2568),
        (date(2025, 9, 30), 2568),
        (date(2025, 10, 1), 2569),
        (date(2025, 1, 1), 2568),
    ],
)
def test_fiscal_year_of_turns_on_1_october(day: date, fiscal_year_be: int) -> None:
    assert fiscal_year_of(day) == fiscal_year_be


def test_be_and_ce_convert_both_ways() -> None:
    assert ce_to_be(2024) == 2567
    assert be_to_ce(2568) == 2025
    assert be_to_ce(ce_to_be(1999)) == 1999


def test_period_parses_be_text_and_knows_its_fiscal_year() -> None:
    october = Period.parse("2567-10")
    assert october.code == 256710
    assert october.fiscal_year_be == 2568
    assert october.fiscal_month_index == 0
    assert october.first_day() == date(2024, 10, 1)
    assert Period.parse("2568-9").fiscal_year_be == 2568
    assert Period.from_code(256803).label == "2568-03"
    assert Period.parse("2567-12").next() == Period(2568, 1)
    assert Period(2568, 1).previous() == Period(2567, 12)


@pytest.mark.parametrize("text", ["2567", "67-10", "2567-13", "abcd-ef", ""])
def test_period_refuses_malformed_text(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)


def test_rounds_cover_october_to_march_and_the_whole_year() -> None:
    assert [p.label for p in round_periods(2568, 1)] == [
        "2567-10", "2567-11", "2567-12", "2568-01", "2568-02", "2568-03",
    ]  # fmt: skip
    assert len(round_periods(2568, 2)) == 12
    assert round_periods(2568, 2)[-1].label == "2568-09"
    assert fiscal_year_periods(2568)[0].label == "2567-10"
    with pytest.raises(ValueError):
        round_periods(2568, 3)


def _bkk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


def test_entry_window_opens_on_the_10th_and_closes_after_the_5th() -> None:
    window = default_entry_window(Period.parse("2567-10"), close_day=6, reopen_day=10)
    assert not window.is_open(_bkk(2024, 10, 9, 23, 59))
    assert window.is_open(_bkk(2024, 10, 10, 0, 0))
    assert window.is_open(_bkk(2024, 10, 31, 23, 59))
    assert window.is_open(_bkk(2024, 11, 5, 23, 59))
    assert not window.is_open(_bkk(2024, 11, 6, 0, 0))
    assert not window.is_open(_bkk(2024, 11, 9, 12, 0))


def test_entry_window_days_are_settings() -> None:
    window = default_entry_window(Period.parse("2567-10"), close_day=8, reopen_day=1)
    assert window.is_open(_bkk(2024, 10, 1))
    assert window.is_open(_bkk(2024, 11, 7, 23, 0))
    assert not window.is_open(_bkk(2024, 11, 8))


def test_entry_window_is_in_bangkok_time_around_midnight_utc() -> None:
    window = default_entry_window(Period.parse("2567-10"), close_day=6, reopen_day=10)
    # 5 Nov 2024 17:30 UTC is 6 Nov 00:30 in Bangkok: already closed.
    assert not window.is_open(datetime(2024, 11, 5, 17, 30, tzinfo=UTC))
    # 5 Nov 2024 16:59 UTC is 5 Nov 23:59 in Bangkok: still open.
    assert window.is_open(datetime(2024, 11, 5, 16, 59, tzinfo=UTC))
    # 9 Oct 2024 17:00 UTC is the 10th at midnight in Bangkok: open.
    assert window.is_open(datetime(2024, 10, 9, 17, 0, tzinfo=UTC))
    assert bangkok_date(datetime(2024, 9, 30, 17, 0, tzinfo=UTC)) == date(2024, 10, 1)
    assert fiscal_year_of(bangkok_date(datetime(2024, 9, 30, 17, 0, tzinfo=UTC))) == 2568


def test_deadline_is_the_5th_of_the_next_month() -> None:
    assert deadline_of(Period.parse("2567-12"), close_day=6) == date(2025, 1, 5)


def test_thai_names_use_be_years() -> None:
    assert period_name(Period.parse("2567-10")) == "ตุลาคม 2567"
    assert period_name(Period.parse("2568-02"), short=True) == "ก.พ. 68"
    assert format_thai_datetime(datetime(2024, 11, 5, 9, 5, tzinfo=UTC)) == "5 พฤศจิกายน 2567 เวลา 16:05 น."
