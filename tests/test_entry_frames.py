"""The grids as tables: pending edits applied, live totals and flags, and what the page sends to the services."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

from db.models import CHANNEL_COLUMNS
from otop.entry import GridRow, MonthGrid
from otop.entry_frames import (
    apply_edits,
    cell_amount,
    edited_cell_count,
    flags_needing_a_note,
    month_frame,
    month_row_inputs,
    month_totals,
    refresh_month_frame,
    totals_frame,
)
from otop.fiscal import EntryWindow, Period
from otop.outliers import OutlierRule
from otop.status import EntryStatus

PERIOD = Period(2567, 10)
RULE = OutlierRule(factor=Decimal(5), jump_baht=Decimal(1_000_000))
MOMENT = datetime(2024, 11, 1, tzinfo=UTC)


def _row(
    row_no: int, producer_id: int, amounts: tuple[str, ...], median: str | None, note: str | None = None
) -> GridRow:
    return GridRow(
        row_no=row_no,
        producer_id=producer_id,
        producer_name=f"กลุ่ม {producer_id}",
        subdistrict_name="ในเมือง",
        village_no=1,
        category="food",
        producer_type="community",
        **{channel: Decimal(value) for channel, value in zip(CHANNEL_COLUMNS, amounts, strict=True)},
        outlier_note=note,
        flags=(),
        medians={channel: (Decimal(median) if median else None) for channel in CHANNEL_COLUMNS},
        saved_version=1,
        updated_by=None,
        updated_at=None,
    )


def _grid(*rows: GridRow) -> MonthGrid:
    window = EntryWindow(PERIOD, MOMENT, MOMENT)
    status = EntryStatus(PERIOD, "3101", True, False, None, None, window, "default", None, None)
    return MonthGrid("3101", "เมืองบุรีรัมย์", PERIOD, list(rows), 1, None, None, status)


GRID = _grid(_row(1, 11, ("100.50", "0", "0", "0"), "100"), _row(2, 12, ("2000", "10", "0", "0"), None))


def test_apply_edits_takes_positions_as_ints_or_text_and_keeps_the_base_frame() -> None:
    base = month_frame(GRID)
    state = {"edited_rows": {"1": {"domestic_online": 25.5, "note": "งานกาชาด"}, 0: {"domestic_offline": None}}}
    current = apply_edits(base, state)
    assert current["domestic_online"].tolist() == [0.0, 25.5]
    assert math.isnan(current["domestic_offline"].iat[0])
    assert current["note"].tolist() == ["", "งานกาชาด"]
    assert base["domestic_online"].tolist() == [0.0, 10.0]
    assert edited_cell_count(state) == 3


def test_refresh_recomputes_row_totals_and_flags_from_the_edits() -> None:
    current = refresh_month_frame(
        apply_edits(month_frame(GRID), {"edited_rows": {0: {"domestic_offline": 501}}}), GRID, RULE
    )
    assert current["total"].tolist() == [501.0, 2010.0]
    assert current["flags"].tolist() == ["⚠ ในประเทศ ออฟไลน์", ""]
    assert month_totals(current)["domestic_offline"] == Decimal("2501")
    assert flags_needing_a_note(GRID, current, RULE)[0].startswith("แถวที่ 1 กลุ่ม 11 (อาหาร) คอลัมน์ “ในประเทศ ออฟไลน์”")


def test_a_note_or_an_unchanged_value_needs_no_warning() -> None:
    noted = apply_edits(month_frame(GRID), {"edited_rows": {0: {"domestic_offline": 900, "note": "ออกงาน"}}})
    assert flags_needing_a_note(GRID, noted, RULE) == []
    flagged_before = _grid(_row(1, 11, ("900", "0", "0", "0"), "100"))
    assert flags_needing_a_note(flagged_before, month_frame(flagged_before), RULE) == []


def test_row_inputs_carry_what_the_user_typed_so_the_service_can_refuse_it() -> None:
    state = {"edited_rows": {1: {"export_offline": -5}}}
    current = apply_edits(month_frame(GRID), state)
    first, second = month_row_inputs(GRID, current, state)
    assert (first.producer_id, first.category, first.row_label) == (11, "food", "แถวที่ 1")
    assert first.domestic_offline == 100.5 and first.outlier_note == ""
    assert second.export_offline == -5


def test_cell_amount_reads_numbers_and_text_and_rejects_the_rest() -> None:
    assert cell_amount(None) == Decimal(0)
    assert cell_amount(float("nan")) == Decimal(0)
    assert cell_amount(0.1) == Decimal("0.1")
    assert cell_amount("1,250.75") == Decimal("1250.75")
    assert cell_amount("abc") is None
    assert cell_amount(float("inf")) is None


def test_totals_frame_keeps_the_grid_columns_around_the_amounts() -> None:
    totals = {channel: Decimal("1.50") for channel in CHANNEL_COLUMNS}
    frame = totals_frame(totals, {"producer": "รวม"}, {"note": ""})
    assert list(frame.columns) == ["producer", *CHANNEL_COLUMNS, "total", "note"]
    assert frame["total"].tolist() == [6.0]
