"""The entry and forecast grids as tables for the page's editor: frames, pending edits, live totals and flags."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from db.models import CHANNEL_COLUMNS
from otop.entry import MonthGrid, RowInput
from otop.forecast import ForecastRowInput, ForecastSheet
from otop.i18n import CATEGORY_LABELS, CHANNEL_LABELS, PRODUCER_TYPE_LABELS, format_baht, period_name
from otop.money import ZERO
from otop.outliers import OutlierFlag, OutlierRule, flag_values

TOTAL = "total"
FLAGS = "flags"
NOTE = "note"
REMARK = "remark"
MONTH_COLUMNS = ("row_no", "producer", "subdistrict", "category", "producer_type", *CHANNEL_COLUMNS, TOTAL, FLAGS, NOTE)
FORECAST_COLUMNS = ("month", *CHANNEL_COLUMNS, TOTAL, REMARK)


def cell_amount(value: Any) -> Decimal | None:
    """A cell's amount as Decimal (empty is zero); ``None`` when it is not a usable number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ZERO
    try:
        amount = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def _cell(value: Any) -> Any:
    """A cell as the service should receive it: an empty cell as ``None``, anything else untouched."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def apply_edits(frame: pd.DataFrame, edit_state: Mapping[str, Any] | None) -> pd.DataFrame:
    """The frame with an editor's pending ``edited_rows`` applied (rows are positions, as the editor gives them)."""
    current = frame.copy()
    if not edit_state:
        return current
    for position, changes in (edit_state.get("edited_rows") or {}).items():
        index = current.index[int(position)]
        for column, value in changes.items():
            if column not in current.columns:
                continue
            if pd.api.types.is_float_dtype(current[column].dtype):
                amount = cell_amount(value)
                # Text cannot sit in a number column; a value the editor could not hold stays as given
                # in the edit state and reaches the service, which refuses it with the row and column.
                usable = value is not None and amount is not None
                current.loc[index, column] = float(amount) if usable else math.nan  # type: ignore[arg-type]
            else:
                current.loc[index, column] = value
    return current


def edited_cell_count(edit_state: Mapping[str, Any] | None) -> int:
    if not edit_state:
        return 0
    return sum(len(changes) for changes in (edit_state.get("edited_rows") or {}).values())


def _raw_edit(edit_state: Mapping[str, Any] | None, position: int, column: str) -> tuple[bool, Any]:
    """The value the user typed into a cell, if they edited it (the frame may only hold its number)."""
    rows = (edit_state or {}).get("edited_rows") or {}
    changes = rows.get(position, rows.get(str(position), {}))
    return (column in changes, changes.get(column))


# --- the monthly grid --------------------------------------------------------------------------


def _flags_text(flags: list[OutlierFlag]) -> str:
    return "⚠ " + ", ".join(CHANNEL_LABELS[flag.channel] for flag in flags) if flags else ""


def month_frame(grid: MonthGrid) -> pd.DataFrame:
    """One line per grid row: the labels, the four channels as numbers, the total, the flags and the note."""
    return pd.DataFrame(
        {
            "row_no": [row.row_no for row in grid.rows],
            "producer": [row.producer_name for row in grid.rows],
            "subdistrict": [row.subdistrict_name for row in grid.rows],
            "category": [CATEGORY_LABELS[row.category] for row in grid.rows],
            "producer_type": [PRODUCER_TYPE_LABELS[row.producer_type] for row in grid.rows],
            **{
                channel: pd.Series([float(row.amount(channel)) for row in grid.rows], dtype="float64")
                for channel in CHANNEL_COLUMNS
            },
            TOTAL: pd.Series([float(row.total) for row in grid.rows], dtype="float64"),
            FLAGS: [_flags_text(list(row.flags)) for row in grid.rows],
            NOTE: [row.outlier_note or "" for row in grid.rows],
        },
        columns=list(MONTH_COLUMNS),
    )


def _row_amounts(frame: pd.DataFrame, position: int) -> dict[str, Decimal] | None:
    amounts = {channel: cell_amount(frame[channel].iat[position]) for channel in CHANNEL_COLUMNS}
    if any(amount is None for amount in amounts.values()):
        return None
    return amounts  # type: ignore[return-value]


def refresh_month_frame(frame: pd.DataFrame, grid: MonthGrid, rule: OutlierRule) -> pd.DataFrame:
    """Row totals and flags recomputed from the current (possibly edited) values."""
    current = frame.copy()
    totals: list[float] = []
    flags: list[str] = []
    for position, row in enumerate(grid.rows):
        amounts = _row_amounts(current, position)
        totals.append(float(sum(amounts.values(), ZERO)) if amounts else math.nan)
        flags.append(_flags_text(flag_values(amounts, row.medians, rule)) if amounts else "")
    current[TOTAL] = pd.Series(totals, index=current.index, dtype="float64")
    current[FLAGS] = flags
    return current


def month_totals(frame: pd.DataFrame) -> dict[str, Decimal]:
    """Channel totals of the current values (cells that are not numbers count as zero)."""
    return {channel: sum((cell_amount(value) or ZERO for value in frame[channel]), ZERO) for channel in CHANNEL_COLUMNS}


def flags_needing_a_note(grid: MonthGrid, frame: pd.DataFrame, rule: OutlierRule) -> list[str]:
    """Thai lines for the unusual values the user changed without writing a note (the save would refuse them)."""
    lines: list[str] = []
    for position, row in enumerate(grid.rows):
        amounts = _row_amounts(frame, position)
        if amounts is None or _text(frame[NOTE].iat[position]).strip():
            continue
        for flag in flag_values(amounts, row.medians, rule):
            if amounts[flag.channel] != row.amount(flag.channel):
                lines.append(
                    f"{row.label} คอลัมน์ “{CHANNEL_LABELS[flag.channel]}” {format_baht(flag.value)}: {flag.reason}"
                )
    return lines


def month_row_inputs(
    grid: MonthGrid, frame: pd.DataFrame, edit_state: Mapping[str, Any] | None = None
) -> list[RowInput]:
    """What the page sends to ``save_month``: every row, as the user left it, labelled with its grid row number."""
    inputs: list[RowInput] = []
    for position, row in enumerate(grid.rows):
        values: dict[str, Any] = {}
        for channel in CHANNEL_COLUMNS:
            edited, raw = _raw_edit(edit_state, position, channel)
            values[channel] = _cell(raw) if edited else _cell(frame[channel].iat[position])
        inputs.append(
            RowInput(
                producer_id=row.producer_id,
                category=row.category,
                **values,
                outlier_note=_text(frame[NOTE].iat[position]),
                row_label=f"แถวที่ {row.row_no}",
            )
        )
    return inputs


def totals_frame(
    totals: Mapping[str, Decimal], leading: Mapping[str, str], trailing: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The one-line totals table under a grid, with the grid's label columns around the amounts.

    Giving it the same columns as the grid (``leading`` before, ``trailing`` after) lets the
    page give them the same widths, so each total sits under its channel.
    """
    return pd.DataFrame(
        {
            **{column: [text] for column, text in leading.items()},
            **{channel: [float(totals[channel])] for channel in CHANNEL_COLUMNS},
            TOTAL: [float(sum(totals.values(), ZERO))],
            **{column: [text] for column, text in (trailing or {}).items()},
        }
    )


# --- the forecast form -------------------------------------------------------------------------


def forecast_frame(sheet: ForecastSheet) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": [period_name(month.period) for month in sheet.months],
            **{
                channel: pd.Series([float(getattr(month, channel)) for month in sheet.months], dtype="float64")
                for channel in CHANNEL_COLUMNS
            },
            TOTAL: pd.Series([float(month.total) for month in sheet.months], dtype="float64"),
            REMARK: [month.remark or "" for month in sheet.months],
        },
        columns=list(FORECAST_COLUMNS),
    )


def refresh_forecast_frame(frame: pd.DataFrame) -> pd.DataFrame:
    current = frame.copy()
    totals = []
    for position in range(len(current)):
        amounts = _row_amounts(current, position)
        totals.append(float(sum(amounts.values(), ZERO)) if amounts else math.nan)
    current[TOTAL] = pd.Series(totals, index=current.index, dtype="float64")
    return current


def forecast_row_inputs(
    sheet: ForecastSheet, frame: pd.DataFrame, edit_state: Mapping[str, Any] | None = None
) -> list[ForecastRowInput]:
    inputs: list[ForecastRowInput] = []
    for position, month in enumerate(sheet.months):
        values: dict[str, Any] = {}
        for channel in CHANNEL_COLUMNS:
            edited, raw = _raw_edit(edit_state, position, channel)
            values[channel] = _cell(raw) if edited else _cell(frame[channel].iat[position])
        inputs.append(
            ForecastRowInput(
                period=month.period,
                **values,
                remark=_text(frame[REMARK].iat[position]),
                row_label=f"แถวที่ {position + 1}",
            )
        )
    return inputs
