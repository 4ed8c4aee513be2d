"""Excel imports: the รต.1 and forecast forms read back, previewed as a dry run, applied through the entry services.

The export of a district-month (or of a forecast form) is the upload template. Reading a file
never writes: ``preview_*`` lists rows added / changed / unchanged with each changed cell's
old → new value and every problem with its sheet row and column letter, then runs the real
save inside a savepoint that is always rolled back, so locks, permissions, conflicts and the
entry service's own checks are reported before anything is saved. ``apply_*`` saves through
the same services as the grid, all or nothing.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlmodel import Session

from db.models import CATEGORY_CODES, CHANNEL_COLUMNS, Producer
from otop.config import get_settings
from otop.entry import (
    CellProblem,
    EntryConflict,
    EntryValidationError,
    RowInput,
    SaveResult,
    clean_note,
    load_month,
    parse_amount,
    save_month,
)
from otop.excel_style import METADATA_SHEET, Column
from otop.exports import forecast_columns, rt1_columns
from otop.fiscal import Period
from otop.forecast import ForecastRowInput, ForecastSaveResult, load_forecast, save_forecast
from otop.i18n import CATEGORY_LABELS, CHANNEL_LABELS, MONTHS_TH, format_baht, period_name
from otop.money import ZERO
from otop.permissions import Action, Actor, ensure_permission
from otop.status import EntryRefused, entry_status

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Spaces a copy from a web page or a Word file brings along, besides the ordinary ones.
_ODD_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u200b\ufeff"), " ")
_HEADER_SEARCH_ROWS = 40
_TOTAL_LABELS = ("รวม", "รวมทั้งสิ้น")
_MONTH_PATTERN = re.compile(r"^\s*(\S+)\s+(\d{4})\s*$")
NOTE_LABEL = "หมายเหตุ"


class ImportRejected(ValueError):
    """The file cannot be applied; ``problems`` lists every reason in Thai with its row and column."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- what a preview shows -------------------------------------------------------------------


@dataclass(frozen=True)
class CellChange:
    column: str
    old: str
    new: str

    @property
    def text(self) -> str:
        return f"{self.column}: {self.old} → {self.new}"


@dataclass(frozen=True)
class RowPreview:
    """One sheet row against what is stored: ``added``, ``changed`` or ``unchanged``."""

    sheet_row: int
    label: str
    status: str
    changes: tuple[CellChange, ...] = ()


@dataclass(frozen=True)
class ImportPreview:
    """The dry run of one file: what would change, what is wrong, and the version it applies to."""

    kind: str
    district_code: str
    target: str
    base_version: int
    rows: list[RowPreview]
    problems: list[str]
    untouched: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def summary(self) -> str:
        text = (
            f"{self.target}: เพิ่ม {self.count('added'):,} แถว · แก้ไข {self.count('changed'):,} แถว · "
            f"ไม่เปลี่ยน {self.count('unchanged'):,} แถว"
        )
        if self.untouched:
            text += f" · แถวในระบบที่ไม่มีในไฟล์ {self.untouched:,} แถว (คงค่าเดิม)"
        if self.problems:
            text += f" · พบปัญหา {len(self.problems):,} รายการ ยังไม่บันทึก"
        return text

    def lines(self) -> list[str]:
        """The preview as plain text lines: the summary, then each added or changed row with its cells."""
        out = [self.summary]
        for row in self.rows:
            if row.status == "unchanged":
                continue
            verb = "เพิ่ม" if row.status == "added" else "แก้ไข"
            out.append(f"แถวที่ {row.sheet_row} {row.label} [{verb}]: " + "; ".join(c.text for c in row.changes))
        return out


# --- reading a workbook ------------------------------------------------------------------------


@dataclass
class _Table:
    """The data rows of a form found in a workbook, with where each column is."""

    sheet: Worksheet
    columns: list[Column]
    rows: list[tuple[int, list[Any]]]
    metadata: dict[str, str]
    problems: list[str] = field(default_factory=list)


def _open(content: bytes) -> Workbook:
    try:
        return load_workbook(io.BytesIO(content), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportRejected(["อ่านไฟล์ไม่ได้: ต้องเป็นไฟล์ Excel (.xlsx) ที่ดาวน์โหลดจากระบบแล้วกรอกข้อมูล"]) from None


def _metadata(workbook: Workbook) -> dict[str, str]:
    if METADATA_SHEET not in workbook.sheetnames:
        return {}
    sheet = workbook[METADATA_SHEET]
    return {
        str(key): "" if value is None else str(value)
        for key, value in sheet.iter_rows(min_col=1, max_col=2, values_only=True)
        if key is not None
    }


def _text(value: Any) -> str:
    """A cell as clean text: odd spaces made ordinary, runs of spaces collapsed, ends trimmed."""
    if value is None:
        return ""
    return " ".join(str(value).translate(_ODD_SPACES).split())


def _find_table(content: bytes, columns: list[Column], form_name: str) -> _Table:
    """Locate the form's header (its first column label in column A, the second in column B) and check it."""
    workbook = _open(content)
    depth = max(len(column.path) for column in columns)
    first, second = columns[0].path[0], columns[1].path[0]
    for sheet in workbook.worksheets:
        if sheet.title == METADATA_SHEET:
            continue
        for row in range(1, min(sheet.max_row, _HEADER_SEARCH_ROWS) + 1):
            if _text(sheet.cell(row, 1).value) == first and _text(sheet.cell(row, 2).value) == _text(second):
                return _read_table(sheet, row, depth, columns, _metadata(workbook))
    raise ImportRejected([f"ไม่พบหัวตารางของ{form_name}ในไฟล์: กรุณาใช้ไฟล์ที่ดาวน์โหลดจากระบบ ไม่ลบหรือย้ายคอลัมน์"])


def _read_table(
    sheet: Worksheet, header_row: int, depth: int, columns: list[Column], metadata: dict[str, str]
) -> _Table:
    problems = []
    for index, column in enumerate(columns, start=1):
        label = column.path[-1]
        found = _text(sheet.cell(header_row + len(column.path) - 1, index).value)
        if found != _text(label):
            problems.append(
                f"หัวตารางคอลัมน์ {get_column_letter(index)} ควรเป็น “{_text(label)}” แต่พบ “{found}” "
                "กรุณาใช้ไฟล์ที่ดาวน์โหลดจากระบบ ไม่ลบ แทรก หรือย้ายคอลัมน์"
            )
    if problems:
        raise ImportRejected(problems)
    label_index = next(i for i, column in enumerate(columns) if column.kind == "text")
    rows: list[tuple[int, list[Any]]] = []
    for row_no, values in enumerate(
        sheet.iter_rows(min_row=header_row + depth, max_col=len(columns), values_only=True), start=header_row + depth
    ):
        cells = list(values) + [None] * (len(columns) - len(values))
        if _text(cells[label_index]) in _TOTAL_LABELS or _text(cells[0]) == NOTE_LABEL:
            break
        if all(_text(cell) == "" for cell in cells):
            continue
        rows.append((row_no, cells))
    return _Table(sheet=sheet, columns=columns, rows=rows, metadata=metadata)


def _where(row_no: int, index: int, column: Column) -> str:
    return f"แถวที่ {row_no} คอลัมน์ {get_column_letter(index + 1)} ({column.label})"


def _amount(value: Any, row_no: int, index: int, column: Column, problems: list[str]) -> Decimal | None:
    """One amount cell: Thai digits, thousands separators, spaces and numbers stored as text accepted."""
    given = _text(value).translate(THAI_DIGITS) if isinstance(value, str) else value
    try:
        return parse_amount(given, max_cell=get_settings().max_cell_baht)
    except CellProblem as problem:
        problems.append(f"{_where(row_no, index, column)}: {problem}")
        return None


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value).translate(THAI_DIGITS).replace(",", "")
    return int(text) if text.isdigit() else None


def _check_metadata(
    metadata: dict[str, str], expected: dict[str, str], describe: Callable[[str, str], str]
) -> list[str]:
    """A file exported for another district, month or form is refused before anything is compared."""
    if not metadata:
        return []
    return [
        describe(key, metadata.get(key, ""))
        for key, value in expected.items()
        if metadata.get(key) is not None and metadata.get(key) != value
    ]


def _file_version(metadata: dict[str, str], current: int) -> int:
    """The version the file was exported at, so changes saved since then are caught as conflicts."""
    text = metadata.get("version", "")
    return int(text) if text.isdigit() else current


@contextmanager
def _rolled_back(session: Session) -> Iterator[None]:
    """Run the real save inside a savepoint that is always rolled back: a dry run that writes nothing."""
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()


def _trial(save: Callable[[], object], problems: list[str], conflict_hint: str) -> None:
    """The service's own refusals, as problems of the preview."""
    try:
        save()
    except EntryValidationError as error:
        problems.extend(error.problems)
    except EntryConflict as error:
        problems.append(f"{conflict_hint}{error}")
    except EntryRefused as error:
        problems.append(str(error))


def _money_text(value: Decimal) -> str:
    return format_baht(value, symbol=False)


# --- รต.1 ---------------------------------------------------------------------------------------------


@dataclass
class _Rt1Read:
    inputs: list[RowInput]
    sheet_rows: list[int]
    problems: list[str]
    base_version: int
    metadata: dict[str, str]
    keys_in_file: set[tuple[int, str]]


_RT1_CATEGORY_START = 4
_RT1_NAME_INDEX = 2


def _read_rt1(
    session: Session, *, district_code: str, period: Period, content: bytes, current_version: int
) -> _Rt1Read:
    columns = rt1_columns()
    table = _find_table(content, columns, "แบบ รต.1")
    problems = _check_metadata(
        table.metadata,
        {"kind": "rt1", "district_code": district_code, "period": period.label},
        lambda key, found: {
            "kind": f"ไฟล์นี้ไม่ใช่แบบ รต.1 (เป็นไฟล์ชนิด {found})",
            "district_code": f"ไฟล์นี้เป็นของอำเภอรหัส {found} ไม่ใช่อำเภอรหัส {district_code} ที่เลือก",
            "period": f"ไฟล์นี้เป็นข้อมูลเดือน {found} ไม่ใช่เดือน {period.label} ที่เลือก",
        }[key],
    )
    if problems:
        raise ImportRejected(problems)
    ids = {_whole_number(cells[1]) for _, cells in table.rows} - {None}
    producers = {
        record.id: record
        for record in session.execute(
            select(Producer.id, Producer.name, Producer.district_code).where(Producer.id.in_(sorted(ids)))  # type: ignore[union-attr]
        )
    }
    channel_indexes = [index for index, column in enumerate(columns) if column.kind == "money"][: len(CHANNEL_COLUMNS)]
    note_index = len(columns) - 1
    inputs: list[RowInput] = []
    sheet_rows: list[int] = []
    seen: dict[tuple[int, str], int] = {}
    keys_in_file: set[tuple[int, str]] = set()
    for row_no, cells in table.rows:
        before = len(problems)
        producer_id = _whole_number(cells[1])
        id_where = _where(row_no, 1, columns[1])
        producer = producers.get(producer_id) if producer_id is not None else None
        if producer_id is None:
            problems.append(f"{id_where}: ไม่มีรหัสผู้ผลิต หรือรหัสไม่ใช่ตัวเลข (“{_text(cells[1])}”)")
        elif producer is None:
            problems.append(f"{id_where}: ไม่พบผู้ผลิตรหัส {producer_id} ในระบบ")
        elif producer.district_code != district_code:
            problems.append(
                f"{id_where}: ผู้ผลิตรหัส {producer_id} ({producer.name}) อยู่อำเภออื่น "
                f"(รหัส {producer.district_code}) นำเข้าในอำเภอนี้ไม่ได้"
            )
        elif _text(cells[_RT1_NAME_INDEX]) not in ("", _text(producer.name)):
            problems.append(
                f"{_where(row_no, _RT1_NAME_INDEX, columns[_RT1_NAME_INDEX])}: ชื่อ “{_text(cells[_RT1_NAME_INDEX])}” "
                f"ไม่ตรงกับผู้ผลิตรหัส {producer_id} ในระบบ (“{_text(producer.name)}”) กรุณาตรวจสอบรหัสผู้ผลิต"
            )
        marked = [
            code for offset, code in enumerate(CATEGORY_CODES) if _text(cells[_RT1_CATEGORY_START + offset]) != ""
        ]
        first_letter = get_column_letter(_RT1_CATEGORY_START + 1)
        last_letter = get_column_letter(_RT1_CATEGORY_START + len(CATEGORY_CODES))
        if len(marked) != 1:
            reason = (
                "ไม่ได้ทำเครื่องหมายประเภทผลิตภัณฑ์"
                if not marked
                else "ทำเครื่องหมายประเภทผลิตภัณฑ์มากกว่า 1 ช่อง (แต่ละประเภทให้ใช้แถวแยก)"
            )
            problems.append(f"แถวที่ {row_no} คอลัมน์ {first_letter}–{last_letter} (ประเภทผลิตภัณฑ์): {reason}")
        amounts = [_amount(cells[index], row_no, index, columns[index], problems) for index in channel_indexes]
        if producer_id is not None and len(marked) == 1:
            keys_in_file.add((producer_id, marked[0]))
        if len(problems) > before or producer_id is None or len(marked) != 1:
            continue
        key = (producer_id, marked[0])
        if key in seen:
            problems.append(
                f"แถวที่ {row_no}: ผู้ผลิตรหัส {producer_id} ประเภท{CATEGORY_LABELS[marked[0]]} ซ้ำกับแถวที่ {seen[key]} "
                "(ผู้ผลิตและประเภทเดียวกันมีได้แถวเดียว)"
            )
            continue
        seen[key] = row_no
        inputs.append(
            RowInput(
                producer_id=producer_id,
                category=marked[0],
                **dict(zip(CHANNEL_COLUMNS, amounts, strict=True)),
                outlier_note=_text(cells[note_index]),
                row_label=f"แถวที่ {row_no} ของไฟล์",
            )
        )
        sheet_rows.append(row_no)
    return _Rt1Read(
        inputs=inputs,
        sheet_rows=sheet_rows,
        problems=problems,
        base_version=_file_version(table.metadata, current_version),
        metadata=table.metadata,
        keys_in_file=keys_in_file,
    )


def _conflict_hint(metadata: dict[str, str], base_version: int) -> str:
    if not metadata:
        return ""
    return f"ไฟล์นี้ดาวน์โหลดไว้เมื่อข้อมูลเป็นฉบับที่ {base_version}: "


def preview_rt1_import(
    *, session: Session, actor: Actor, district_code: str, period: Period, content: bytes
) -> ImportPreview:
    """The dry run of an รต.1 file: nothing is saved, whatever it contains.

    Call it in a write scope (``session_scope(engine, write=True)``): the trial save takes the
    same locks as a real one, and is rolled back.
    """
    ensure_permission(actor, Action.WRITE_FIGURES, district_code=district_code)
    grid = load_month(session=session, actor=actor, district_code=district_code, period=period)
    read = _read_rt1(session, district_code=district_code, period=period, content=content, current_version=grid.version)
    problems = list(read.problems)
    status = entry_status(session, district_code=district_code, period=period)
    if not status.writable and status.reason:
        problems.insert(0, status.reason)
    stored = {row.key: row for row in grid.rows}
    previews: list[RowPreview] = []
    for row_no, given in zip(read.sheet_rows, read.inputs, strict=True):
        current = stored.get((given.producer_id, given.category))
        amounts = {channel: getattr(given, channel) for channel in CHANNEL_COLUMNS}
        label = f"รหัส {given.producer_id} ({CATEGORY_LABELS[given.category]})"
        if current is None:
            changes = [CellChange(CHANNEL_LABELS[c], "–", _money_text(a)) for c, a in amounts.items() if a != ZERO]
            previews.append(RowPreview(row_no, label, "added", tuple(changes)))
            continue
        label = f"{current.producer_name} ({CATEGORY_LABELS[current.category]})"
        changes = [
            CellChange(CHANNEL_LABELS[channel], _money_text(current.amount(channel)), _money_text(amount))
            for channel, amount in amounts.items()
            if amount != current.amount(channel)
        ]
        if clean_note(given.outlier_note) != clean_note(current.outlier_note):
            changes.append(CellChange(NOTE_LABEL, current.outlier_note or "–", given.outlier_note or "–"))
        previews.append(RowPreview(row_no, label, "changed" if changes else "unchanged", tuple(changes)))
    if not problems:
        with _rolled_back(session):
            _trial(
                lambda: save_month(
                    session=session,
                    actor=actor,
                    district_code=district_code,
                    period=period,
                    rows=read.inputs,
                    base_version=read.base_version,
                ),
                problems,
                _conflict_hint(read.metadata, read.base_version),
            )
    return ImportPreview(
        kind="rt1",
        district_code=district_code,
        target=f"แบบ รต.1 เดือน{period_name(period)}",
        base_version=read.base_version,
        rows=previews,
        problems=problems,
        untouched=sum(1 for key in stored if key not in read.keys_in_file),
    )


def apply_rt1_import(
    *, session: Session, actor: Actor, district_code: str, period: Period, content: bytes, base_version: int
) -> SaveResult:
    """Save an รต.1 file through the grid's save service (= confirm): all rows or none.

    ``base_version`` is the preview's: a save made by someone else after the preview is a conflict.
    """
    ensure_permission(actor, Action.WRITE_FIGURES, district_code=district_code)
    read = _read_rt1(session, district_code=district_code, period=period, content=content, current_version=base_version)
    if read.problems:
        raise ImportRejected(read.problems)
    return save_month(
        session=session,
        actor=actor,
        district_code=district_code,
        period=period,
        rows=read.inputs,
        base_version=base_version,
    )


# --- the forecast form ----------------------------------------------------------------------------------


@dataclass
class _ForecastRead:
    inputs: list[ForecastRowInput]
    sheet_rows: list[int]
    problems: list[str]
    base_version: int
    metadata: dict[str, str]
    periods_in_file: set[int]


def parse_month_label(text: str) -> Period | None:
    """``ตุลาคม 2567`` (Thai digits allowed) as a period; ``None`` when it is not a Thai month and BE year."""
    match = _MONTH_PATTERN.match(_text(text).translate(THAI_DIGITS))
    if not match or match.group(1) not in MONTHS_TH:
        return None
    try:
        return Period(int(match.group(2)), MONTHS_TH.index(match.group(1)) + 1)
    except ValueError:
        return None


def _read_forecast(*, district_code: str, fiscal_year_be: int, content: bytes, current_version: int) -> _ForecastRead:
    columns = forecast_columns()
    table = _find_table(content, columns, "แบบประมาณการรายได้")
    problems = _check_metadata(
        table.metadata,
        {"kind": "forecast", "district_code": district_code, "fiscal_year_be": str(fiscal_year_be)},
        lambda key, found: {
            "kind": f"ไฟล์นี้ไม่ใช่แบบประมาณการรายได้ (เป็นไฟล์ชนิด {found})",
            "district_code": f"ไฟล์นี้เป็นของอำเภอรหัส {found} ไม่ใช่อำเภอรหัส {district_code} ที่เลือก",
            "fiscal_year_be": f"ไฟล์นี้เป็นประมาณการปีงบประมาณ {found} ไม่ใช่ปี {fiscal_year_be} ที่เลือก",
        }[key],
    )
    if problems:
        raise ImportRejected(problems)
    channel_indexes = [index for index, column in enumerate(columns) if column.kind == "money"][: len(CHANNEL_COLUMNS)]
    remark_index = len(columns) - 1
    inputs: list[ForecastRowInput] = []
    sheet_rows: list[int] = []
    seen: dict[int, int] = {}
    periods_in_file: set[int] = set()
    for row_no, cells in table.rows:
        before = len(problems)
        period = parse_month_label(_text(cells[0]))
        if period is not None:
            periods_in_file.add(period.code)
        if period is None:
            problems.append(f"{_where(row_no, 0, columns[0])}: “{_text(cells[0])}” ไม่ใช่ชื่อเดือนและปี พ.ศ. เช่น ตุลาคม 2567")
        elif period.fiscal_year_be != fiscal_year_be:
            problems.append(f"{_where(row_no, 0, columns[0])}: {period_name(period)} ไม่อยู่ในปีงบประมาณ {fiscal_year_be}")
        elif period.code in seen:
            problems.append(f"แถวที่ {row_no}: เดือน{period_name(period)} ซ้ำกับแถวที่ {seen[period.code]}")
        amounts = [_amount(cells[index], row_no, index, columns[index], problems) for index in channel_indexes]
        if len(problems) > before or period is None:
            continue
        seen[period.code] = row_no
        inputs.append(
            ForecastRowInput(
                period=period,
                **dict(zip(CHANNEL_COLUMNS, amounts, strict=True)),
                remark=_text(cells[remark_index]),
                row_label=f"แถวที่ {row_no} ของไฟล์",
            )
        )
        sheet_rows.append(row_no)
    return _ForecastRead(
        inputs=inputs,
        sheet_rows=sheet_rows,
        problems=problems,
        base_version=_file_version(table.metadata, current_version),
        metadata=table.metadata,
        periods_in_file=periods_in_file,
    )


def preview_forecast_import(
    *, session: Session, actor: Actor, district_code: str, fiscal_year_be: int, content: bytes
) -> ImportPreview:
    """The dry run of a forecast form file: months changed or unchanged, every problem; nothing saved."""
    ensure_permission(actor, Action.WRITE_FIGURES, district_code=district_code)
    sheet = load_forecast(session=session, actor=actor, district_code=district_code, fiscal_year_be=fiscal_year_be)
    read = _read_forecast(
        district_code=district_code, fiscal_year_be=fiscal_year_be, content=content, current_version=sheet.version
    )
    problems = list(read.problems)
    stored = {month.period.code: month for month in sheet.months}
    previews: list[RowPreview] = []
    for row_no, given in zip(read.sheet_rows, read.inputs, strict=True):
        current = stored[given.period.code]
        changes = [
            CellChange(CHANNEL_LABELS[channel], _money_text(current.amounts[channel]), _money_text(amount))
            for channel in CHANNEL_COLUMNS
            if (amount := getattr(given, channel)) != current.amounts[channel]
        ]
        if (given.remark or None) != (current.remark or None):
            changes.append(CellChange(NOTE_LABEL, current.remark or "–", given.remark or "–"))
        previews.append(
            RowPreview(row_no, period_name(given.period), "changed" if changes else "unchanged", tuple(changes))
        )
    if not problems:
        with _rolled_back(session):
            _trial(
                lambda: save_forecast(
                    session=session,
                    actor=actor,
                    district_code=district_code,
                    fiscal_year_be=fiscal_year_be,
                    rows=read.inputs,
                    base_version=read.base_version,
                ),
                problems,
                _conflict_hint(read.metadata, read.base_version),
            )
    return ImportPreview(
        kind="forecast",
        district_code=district_code,
        target=f"แบบประมาณการรายได้ ปีงบประมาณ {fiscal_year_be}",
        base_version=read.base_version,
        rows=previews,
        problems=problems,
        untouched=sum(1 for code in stored if code not in read.periods_in_file),
    )


def apply_forecast_import(
    *, session: Session, actor: Actor, district_code: str, fiscal_year_be: int, content: bytes, base_version: int
) -> ForecastSaveResult:
    """Save a forecast form file through the forecast service: all months or none."""
    ensure_permission(actor, Action.WRITE_FIGURES, district_code=district_code)
    read = _read_forecast(
        district_code=district_code, fiscal_year_be=fiscal_year_be, content=content, current_version=base_version
    )
    if read.problems:
        raise ImportRejected(read.problems)
    return save_forecast(
        session=session,
        actor=actor,
        district_code=district_code,
        fiscal_year_be=fiscal_year_be,
        rows=read.inputs,
        base_version=base_version,
    )
