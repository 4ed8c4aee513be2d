"""The shared look of every Excel export: TH Sarabun New, form headers, money format, totals row, A4 print setup."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "TH Sarabun New"
BODY_SIZE = 14
TITLE_SIZE = 16
MONEY_FORMAT = "#,##0.00"
INTEGER_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"
# A leading = + - or @ makes a spreadsheet read typed text as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@")
METADATA_SHEET = "ข้อมูลไฟล์"
LINE_HEIGHT_POINTS = 21.0
# How many characters of Thai text in TH Sarabun New 14 pt fit in one unit of column width
# (measured on LibreOffice's rendering, leaving room for breaks between words); bold is wider.
CHARS_PER_WIDTH_UNIT = 0.9
BOLD_CHARS_PER_WIDTH_UNIT = 0.8
# Thai vowel and tone marks written above or below a consonant take no width of their own.
_THAI_COMBINING = frozenset(chr(code) for code in (0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)))

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E7EEF7")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_FONT = Font(name=FONT_NAME, size=BODY_SIZE)
_BOLD = Font(name=FONT_NAME, size=BODY_SIZE, bold=True)
_TITLE = Font(name=FONT_NAME, size=TITLE_SIZE, bold=True)
_STATUS = Font(name=FONT_NAME, size=BODY_SIZE - 1, italic=True)
_NUMBER_FORMATS = {"money": MONEY_FORMAT, "integer": INTEGER_FORMAT, "percent": PERCENT_FORMAT, "code": "0"}


@dataclass(frozen=True)
class Column:
    """One table column: its header labels from the outermost group down to its own, its kind and width.

    Kinds: ``text`` (written as text, never a formula), ``mark`` (a centred tick),
    ``money`` (#,##0.00), ``integer`` (a count, summed in the totals row), ``percent`` and ``code``
    (a number that names something, such as a producer code or a BE year: no separator, never summed).
    """

    path: tuple[str, ...]
    kind: str = "text"
    width: float = 14.0

    @property
    def label(self) -> str:
        return " ".join(self.path).replace("\n", " ")


@dataclass
class Sheet:
    """One worksheet in a form's layout: title lines, the data's status, a table, a totals row, a signature."""

    name: str
    title_lines: list[str]
    status_lines: list[str]
    columns: list[Column]
    rows: list[list[Any]]
    totals: list[Any] | None = None
    notes: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    one_page: bool = False

    @property
    def header_depth(self) -> int:
        return max(len(column.path) for column in self.columns)


@dataclass(frozen=True)
class SheetLayout:
    """Where the table of a written sheet landed (1-based rows): used by readers and tests."""

    header_first_row: int
    header_last_row: int
    first_data_row: int
    totals_row: int | None


def write_text(cell: Cell, value: object) -> None:
    """Write ``value`` as text, even when it looks like a formula (``=HYPERLINK(…)`` stays text)."""
    text = "" if value is None else str(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True


def _write_value(cell: Cell, value: object, column: Column) -> None:
    if value is None:
        return
    if column.kind in _NUMBER_FORMATS and isinstance(value, Decimal | int) and not isinstance(value, bool):
        cell.value = value
        cell.number_format = _NUMBER_FORMATS[column.kind]
        horizontal = "center" if column.width <= 8 else "right"
        cell.alignment = Alignment(horizontal=horizontal, vertical="center")
        return
    write_text(cell, value)
    if column.kind == "text":
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
    else:
        cell.alignment = Alignment(horizontal="center", vertical="center")


def _lines_needed(text: str, width: float, *, bold: bool = False) -> int:
    """Lines a wrapped text takes in a column of ``width``: spreadsheets do not grow a row on open."""
    capacity = max(width * (BOLD_CHARS_PER_WIDTH_UNIT if bold else CHARS_PER_WIDTH_UNIT), 1)
    return sum(
        max(1, math.ceil(sum(1 for char in line if char not in _THAI_COMBINING) / capacity))
        for line in text.split("\n")
    )


def _merge_title(ws: Worksheet, row: int, text: str, last_column: int, font: Font) -> None:
    cell = ws.cell(row=row, column=1)
    write_text(cell, text)
    cell.font = font
    cell.alignment = Alignment(horizontal="center", vertical="center")
    if last_column > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
    ws.row_dimensions[row].height = LINE_HEIGHT_POINTS + (3 if font is _TITLE else 0)


def _write_header(ws: Worksheet, sheet: Sheet, first_row: int) -> int:
    """Header labels with groups merged across and short paths merged down; returns the last header row."""
    depth = sheet.header_depth
    columns = sheet.columns
    heights = [LINE_HEIGHT_POINTS] * depth
    for level in range(depth):
        index = 0
        while index < len(columns):
            path = columns[index].path
            if level >= len(path):
                index += 1
                continue
            if level == len(path) - 1:
                span_end, row_end = index, first_row + depth - 1
            else:
                span_end = index
                while (
                    span_end + 1 < len(columns)
                    and len(columns[span_end + 1].path) > level + 1
                    and columns[span_end + 1].path[: level + 1] == path[: level + 1]
                ):
                    span_end += 1
                row_end = first_row + level
            row = first_row + level
            cell = ws.cell(row=row, column=index + 1)
            write_text(cell, path[level])
            if span_end > index or row_end > row:
                ws.merge_cells(start_row=row, start_column=index + 1, end_row=row_end, end_column=span_end + 1)
            width = sum(column.width for column in columns[index : span_end + 1])
            rows_spanned = row_end - row + 1
            needed = _lines_needed(path[level], width - 1, bold=True) * LINE_HEIGHT_POINTS / rows_spanned
            for spanned in range(level, level + rows_spanned):
                heights[spanned] = max(heights[spanned], needed)
            index = span_end + 1
    for level in range(depth):
        row = first_row + level
        ws.row_dimensions[row].height = heights[level] + 4
        for column_index in range(1, len(columns) + 1):
            cell = ws.cell(row=row, column=column_index)
            cell.font = _BOLD
            cell.fill = _HEADER_FILL
            cell.border = _BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return first_row + depth - 1


def _write_row(ws: Worksheet, row: int, sheet: Sheet, values: Sequence[Any], *, total: bool) -> None:
    """One table row; its height is set from the longest wrapped text, as spreadsheets do not grow it on open."""
    lines = 1
    for column_index, (column, value) in enumerate(zip(sheet.columns, values, strict=True), start=1):
        cell = ws.cell(row=row, column=column_index)
        _write_value(cell, value, column)
        cell.font = _BOLD if total else _FONT
        cell.border = _BORDER
        if total:
            cell.fill = _TOTAL_FILL
        if column.kind == "text" and value is not None:
            lines = max(lines, _lines_needed(str(value), column.width - 2))
    ws.row_dimensions[row].height = LINE_HEIGHT_POINTS * lines + 2


def _print_setup(ws: Worksheet, sheet: Sheet, header_first: int, header_last: int) -> None:
    """A4 landscape, one page wide, as many pages tall as needed (one for a signed form), header rows on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if sheet.one_page else 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{header_first}:{header_last}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.8
    ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "หน้า &P / &N"
    ws.oddFooter.center.font = FONT_NAME
    ws.oddFooter.center.size = 12


def write_sheet(ws: Worksheet, sheet: Sheet) -> SheetLayout:
    """Lay one sheet out on a worksheet: titles, status, header, rows, totals, notes and signature."""
    last_column = len(sheet.columns)
    row = 1
    for line in sheet.title_lines:
        _merge_title(ws, row, line, last_column, _TITLE)
        row += 1
    for line in sheet.status_lines:
        _merge_title(ws, row, line, last_column, _STATUS)
        row += 1
    header_first = row + 1
    header_last = _write_header(ws, sheet, header_first)
    row = header_last + 1
    first_data_row = row
    for values in sheet.rows:
        _write_row(ws, row, sheet, values, total=False)
        row += 1
    totals_row = None
    if sheet.totals is not None:
        totals_row = row
        _write_row(ws, row, sheet, sheet.totals, total=True)
        row += 1
    row += 1
    for line in sheet.notes:
        cell = ws.cell(row=row, column=1)
        write_text(cell, line)
        cell.font = _FONT
        ws.row_dimensions[row].height = LINE_HEIGHT_POINTS
        row += 1
    if sheet.signature:
        row += 1
        signature_column = max(1, last_column - max(3, last_column // 3))
        for line in sheet.signature:
            cell = ws.cell(row=row, column=signature_column)
            write_text(cell, line)
            cell.font = _FONT
            cell.alignment = Alignment(horizontal="center")
            ws.merge_cells(start_row=row, start_column=signature_column, end_row=row, end_column=last_column)
            ws.row_dimensions[row].height = LINE_HEIGHT_POINTS + 4
            row += 1
    for column_index, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(column_index)].width = column.width
    ws.freeze_panes = ws.cell(row=first_data_row, column=1)
    _print_setup(ws, sheet, header_first, header_last)
    return SheetLayout(header_first, header_last, first_data_row, totals_row)


def render_workbook(sheets: Sequence[Sheet], *, metadata: dict[str, str] | None = None) -> bytes:
    """The workbook's bytes; ``metadata`` goes to a hidden sheet that imports read back."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for sheet in sheets:
        write_sheet(workbook.create_sheet(title=sheet_title(sheet.name)), sheet)
    if metadata:
        hidden = workbook.create_sheet(title=METADATA_SHEET)
        for row, (key, value) in enumerate(metadata.items(), start=1):
            write_text(hidden.cell(row=row, column=1), key)
            write_text(hidden.cell(row=row, column=2), value)
        hidden.sheet_state = "hidden"
    workbook.properties.creator = "OTOP Revenue Portal"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_title(name: str) -> str:
    """A worksheet name Excel accepts: no ``[]:*?/\\`` and at most 31 characters."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in name).strip()
    return cleaned[:31] or "Sheet"
