"""Bad input, fuzzed: whatever a grid or a sheet sends, the services save it whole or refuse it in Thai.

Each generated cell is clean (its stored value is known), bad (it must be refused, and the
message must name its row and column) or wild (either is fine, but an accepted value must be
a proper amount). Rows may name another district's producer, an unknown one, an unknown
category, a duplicate, or carry hostile notes: HTML, formulas, exotic unicode, very long text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import streamlit
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import DBAPIError, StatementError
from sqlmodel import Session, SQLModel
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from db.models import CHANNEL_COLUMNS, AuditEvent, DistrictMonth, MonthlySale, Producer, SalesSummary
from otop.config import get_settings
from otop.entry import EntryValidationError, RowInput, clean_note, save_month
from otop.exports import export_rt1
from otop.forecast import ForecastRowInput, certify_forecast, reopen_forecast, save_forecast
from otop.i18n import CATEGORY_LABELS, CHANNEL_LABELS
from otop.imports import ImportRejected, apply_rt1_import, preview_rt1_import
from otop.locks import lock_district_month, unlock_district_month, unlock_province_month
from otop.permissions import Actor
from otop.producers import NAME_MAX_CHARS, ProducerError, propose_producer, reject_producer
from otop.reporting_calendar import grant_exception, set_period_override
from otop.text import clean_text
from otop.users import create_user
from tests.factories import actor, make_producer, make_user
from tests.reliability.conftest import INSIDE_WINDOW, OPEN_PERIOD, ROOT, report_figures

EXAMPLES = 200
# A workbook round trip (write, preview, apply) is slow on a busy 2-core machine: 100 per backend.
IMPORT_EXAMPLES = 100
THAI = re.compile(r"[\u0E00-\u0E7F]")
OFFICER = actor("district", "3101")
MISSING_PRODUCER = 987_654_321
MAX_CELL = get_settings().max_cell_baht
HOSTILE_TEXTS = (
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "<b>ตัวหนา</b> &amp; &lt;",
    '=HYPERLINK("http://example.invalid","คลิก")',
    "=1+1",
    "+66 81 234 5678",
    "-2+3",
    "@SUM(A1:A9)",
    "\u202eกลับด้าน\u202c",
    "ผ้าไหม\u200bมัดหมี่\ufeff",
    "👩🏽‍🌾 สินค้า 🧺",
    "Z̶̡͔̓a̷̗̓l̸̫̈g̴̱̏o̵͕͗",
    "line\nbreak\ttab",
    "' OR 1=1 --",
    "{{7*7}} ${7*7}",
)


@dataclass(frozen=True)
class Cell:
    given: object
    kind: str  # "clean", "bad" or "wild"
    expected: Decimal | None = None


def _clean_amounts() -> st.SearchStrategy[Cell]:
    amounts = st.integers(min_value=0, max_value=100_000_000).map(lambda satang: Decimal(satang) / 100)
    return st.one_of(
        st.just(Cell(None, "clean", Decimal("0.00"))),
        st.just(Cell("", "clean", Decimal("0.00"))),
        st.just(Cell("   ", "clean", Decimal("0.00"))),
        amounts.map(lambda amount: Cell(amount, "clean", amount)),
        amounts.map(lambda amount: Cell(f"{amount:,.2f}", "clean", amount)),
        amounts.map(lambda amount: Cell(f" ฿{amount:,} ", "clean", amount)),
        st.integers(min_value=0, max_value=1_000_000).map(lambda whole: Cell(whole, "clean", Decimal(whole))),
    )


def _bad_amounts() -> st.SearchStrategy[Cell]:
    negative = st.integers(min_value=1, max_value=10**15).map(lambda satang: -Decimal(satang) / 100)
    too_precise = st.integers(min_value=1, max_value=10**9).filter(lambda n: n % 10).map(lambda n: Decimal(n) / 1000)
    too_large = st.integers(min_value=int(MAX_CELL * 100) + 1, max_value=10**40).map(
        lambda satang: Decimal(satang) / 100
    )
    words = st.sampled_from(HOSTILE_TEXTS + ("หนึ่งร้อยบาท", "๑๒ บาทถ้วน", "N/A", "-", "0x1F", "1,2,3.4.5"))
    return st.one_of(
        negative.map(lambda amount: Cell(amount, "bad")),
        negative.map(lambda amount: Cell(f"{amount:,}", "bad")),
        too_precise.map(lambda amount: Cell(amount, "bad")),
        too_precise.map(lambda amount: Cell(str(amount), "bad")),
        too_large.map(lambda amount: Cell(amount, "bad")),
        too_large.map(lambda amount: Cell(f"{amount:E}", "bad")),
        st.sampled_from([float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("-Infinity")]).map(
            lambda value: Cell(value, "bad")
        ),
        st.sampled_from(["NaN", "nan", "inf", "-Infinity", "sNaN", "1e400", "-1e-400"]).map(
            lambda text: Cell(text, "bad")
        ),
        st.sampled_from([True, False, b"100", [1], {"x": 1}]).map(lambda value: Cell(value, "bad")),
        words.map(lambda text: Cell(text, "bad")),
    )


def _wild_amounts() -> st.SearchStrategy[Cell]:
    return st.one_of(
        st.text(max_size=40).map(lambda text: Cell(text, "wild")),
        st.from_regex(r"\A[ +\-]?[0-9๐-๙,._]{0,18}([eE][+\-]?[0-9]{1,3})?\Z").map(lambda text: Cell(text, "wild")),
        st.floats().map(lambda number: Cell(number, "wild")),
        st.decimals().map(lambda number: Cell(number, "wild")),
        st.integers(min_value=-(10**40), max_value=10**40).map(lambda number: Cell(number, "wild")),
    )


CELLS = st.one_of(_clean_amounts(), _clean_amounts(), _bad_amounts(), _wild_amounts())
NOTES = st.one_of(
    st.none(),
    st.sampled_from(HOSTILE_TEXTS),
    st.text(max_size=120),
    st.text(alphabet="กขคงจ ๑๒๓ abc<>&\"'=+-@", min_size=490, max_size=520),
)


@dataclass(frozen=True)
class Row:
    producer: str  # "own0".."own2", "foreign" or "missing"
    category: str
    cells: tuple[Cell, Cell, Cell, Cell]
    note: str | None


HOSTILE_ROWS = st.lists(
    st.builds(
        Row,
        producer=st.sampled_from(["own0", "own0", "own1", "own1", "own2", "own2", "foreign", "missing"]),
        category=st.one_of(
            st.sampled_from(["food", "food", "อาหาร", " food ", "beverage", "textile"]),
            st.sampled_from(HOSTILE_TEXTS),
            st.text(max_size=20),
        ),
        cells=st.tuples(CELLS, CELLS, CELLS, CELLS),
        note=NOTES,
    ),
    min_size=1,
    max_size=6,
)
CLEAN_CELLS = _clean_amounts()
# Rows that should all be saved: own producers, known categories, clean amounts, notes that may be hostile text.
CLEAN_ROWS = st.lists(
    st.builds(
        Row,
        producer=st.sampled_from(["own0", "own1", "own2"]),
        category=st.sampled_from(["food", "อาหาร", " food "]),
        cells=st.tuples(CLEAN_CELLS, CLEAN_CELLS, CLEAN_CELLS, CLEAN_CELLS),
        note=st.one_of(st.none(), st.sampled_from(HOSTILE_TEXTS), st.text(max_size=120)),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda row: row.producer,
)
ROWS = st.integers(min_value=0, max_value=2).flatmap(lambda pick: HOSTILE_ROWS if pick == 0 else CLEAN_ROWS)


def _category_code(text: str) -> str | None:
    stripped = text.strip()
    if stripped in CATEGORY_LABELS:
        return stripped
    return {label: code for code, label in CATEGORY_LABELS.items()}.get(stripped)


@dataclass
class Expectation:
    """What the service must do with the generated rows: the rows that must be refused, or the stored state."""

    refused_rows: set[str]
    refused_cells: set[tuple[str, str]]
    wild: bool
    stored: dict[tuple[int, str], tuple[dict[str, Decimal | None], str | None]]


def _expect(rows: list[Row], ids: dict[str, int], registered: dict[str, set[str]]) -> Expectation:
    expectation = Expectation(set(), set(), False, {})
    for index, row in enumerate(rows, start=1):
        label = f"แถวที่ {index}"
        code = _category_code(row.category)
        if row.producer in ("foreign", "missing") or code is None or code not in registered[row.producer]:
            expectation.refused_rows.add(label)
            continue
        key = (ids[row.producer], code)
        if key in expectation.stored:
            expectation.refused_rows.add(label)
            continue
        note = clean_note(row.note)
        if note is not None and len(note) > 500:
            expectation.refused_rows.add(label)
        for channel, cell in zip(CHANNEL_COLUMNS, row.cells, strict=True):
            if cell.kind == "bad":
                expectation.refused_cells.add((label, channel))
            expectation.wild = expectation.wild or cell.kind == "wild"
        expectation.stored[key] = (dict(zip(CHANNEL_COLUMNS, (cell.expected for cell in row.cells), strict=True)), note)
    return expectation


def _names(problem: str, label: str) -> bool:
    return problem.startswith(f"{label}:") or problem.startswith(f"{label} (")


def _reset(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in (AuditEvent, SalesSummary, MonthlySale, DistrictMonth):
            connection.execute(delete(table).where(table.district_code == "3101"))  # type: ignore[attr-defined]


def _month_state(engine: Engine) -> tuple[int, int, int]:
    with session_scope(engine) as session:
        rows = session.scalar(select(func.count()).select_from(MonthlySale).where(MonthlySale.district_code == "3101"))
        events = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.district_code == "3101"))
        version = session.scalar(select(DistrictMonth.version).where(DistrictMonth.district_code == "3101"))
    return int(rows or 0), int(events or 0), int(version or 0)


@pytest.mark.slow
def test_save_month_saves_whole_or_refuses_in_thai_whatever_it_is_given(
    engine: Engine, backend: str, ticking_clock: object
) -> None:
    with session_scope(engine, write=True) as session:
        own = [make_producer(session, "3101", categories=("food",)) for _ in range(2)]
        own.append(make_producer(session, "3101", categories=("food", "beverage")))
        foreign = make_producer(session, "3102", categories=("food",))
    ids = {f"own{n}": producer.id for n, producer in enumerate(own)} | {
        "foreign": foreign.id,
        "missing": MISSING_PRODUCER,
    }
    registered = {"own0": {"food"}, "own1": {"food"}, "own2": {"food", "beverage"}, "foreign": set(), "missing": set()}
    outcomes = {"saved": 0, "refused": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(rows=ROWS)
    def save_generated(rows: list[Row]) -> None:
        _reset(engine)
        expectation = _expect(rows, ids, registered)  # type: ignore[arg-type]
        inputs = [
            RowInput(
                ids[row.producer],  # type: ignore[arg-type]
                row.category,
                *(cell.given for cell in row.cells),  # type: ignore[arg-type]
                outlier_note=row.note,
            )
            for row in rows
        ]
        try:
            with session_scope(engine, write=True) as session:
                save_month(
                    session=session,
                    actor=OFFICER,
                    district_code="3101",
                    period=OPEN_PERIOD,
                    rows=inputs,
                    base_version=0,
                )
        except EntryValidationError as refusal:
            outcomes["refused"] += 1
            assert refusal.problems and all(THAI.search(problem) for problem in refusal.problems)
            assert all(problem.startswith("แถวที่ ") for problem in refusal.problems), refusal.problems
            for label in expectation.refused_rows:
                assert any(_names(problem, label) for problem in refusal.problems), (label, refusal.problems)
            for label, channel in expectation.refused_cells:
                column = f"คอลัมน์ “{CHANNEL_LABELS[channel]}”"
                assert any(_names(p, label) and column in p for p in refusal.problems), (
                    label,
                    channel,
                    refusal.problems,
                )
            assert expectation.wild or expectation.refused_rows or expectation.refused_cells, refusal.problems
            assert _month_state(engine) == (0, 0, 0), "a refused save left something behind"
            return
        outcomes["saved"] += 1
        assert not expectation.refused_rows and not expectation.refused_cells
        with session_scope(engine) as session:
            stored = {
                (sale.producer_id, sale.category): sale
                for sale in session.scalars(select(MonthlySale).where(MonthlySale.district_code == "3101"))
            }
        assert set(stored) == set(expectation.stored)
        for key, (amounts, note) in expectation.stored.items():
            sale = stored[key]
            assert sale.outlier_note == note
            for channel, expected in amounts.items():
                value = getattr(sale, channel)
                assert (
                    value.is_finite() and Decimal(0) <= value <= MAX_CELL and value == value.quantize(Decimal("0.01"))
                )
                if expected is not None:
                    assert value == expected, (key, channel, value, expected)

    save_generated()
    assert outcomes["saved"] and outcomes["refused"], outcomes
    report_figures(f"fuzz_save_month_{backend}", examples=sum(outcomes.values()), **outcomes)


# --- producer names --------------------------------------------------------------------------------

NAMES = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    st.text(max_size=60),
    st.text(alphabet="กขค <>\"'=&\x00", min_size=NAME_MAX_CHARS - 5, max_size=NAME_MAX_CHARS + 5),
    st.sampled_from(["", "   ", "\x00", "กลุ่ม\x00ทอผ้า", "=cmd|' /C calc'!A0"]),
)


@pytest.mark.slow
def test_propose_producer_stores_any_name_as_text_or_refuses_it_in_thai(
    engine: Engine, backend: str, ticking_clock: object
) -> None:
    accepted: set[str] = set()
    outcomes = {"proposed": 0, "refused": 0}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(name=NAMES)
    def propose_generated(name: str) -> None:
        expected = clean_text(name)
        must_refuse = not expected or len(expected) > NAME_MAX_CHARS or expected in accepted
        try:
            with session_scope(engine, write=True) as session:
                producer = propose_producer(
                    session=session,
                    actor=OFFICER,
                    district_code="3101",
                    name=name,
                    subdistrict_code="310101",
                    village_no=1,
                    producer_type="community",
                    categories=["food"],
                )
                producer_id = producer.id
        except ProducerError as refusal:
            outcomes["refused"] += 1
            assert must_refuse, refusal.problems
            assert all(THAI.search(problem) and problem.startswith("ชื่อกลุ่ม/ผู้ผลิต") for problem in refusal.problems)
            return
        outcomes["proposed"] += 1
        assert not must_refuse, expected
        accepted.add(expected)
        with session_scope(engine) as session:
            assert session.get(Producer, producer_id).name == expected  # type: ignore[union-attr]

    propose_generated()
    assert outcomes["proposed"] and outcomes["refused"], outcomes
    report_figures(f"fuzz_propose_producer_{backend}", examples=sum(outcomes.values()), **outcomes)


# --- the Excel import --------------------------------------------------------------------------------

FIRST_DATA_ROW = 11
CHANNEL_LETTERS = ("M", "N", "O", "P")
NOTE_LETTER = "R"
ID_LETTER = "B"
SHEET_CLEAN = st.one_of(
    st.integers(min_value=0, max_value=100_000_000)
    .map(lambda satang: Decimal(satang) / 100)
    .map(lambda amount: Cell(amount, "clean", amount)),
    st.integers(min_value=0, max_value=100_000_000)
    .map(lambda satang: Decimal(satang) / 100)
    .map(lambda amount: Cell(f" {amount:,.2f} ", "clean", amount)),
    st.integers(min_value=0, max_value=1_000_000).map(
        lambda whole: Cell(f"{whole:,}".translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")), "clean", Decimal(whole))
    ),
    st.just(Cell(None, "clean", Decimal("0.00"))),
)
SHEET_BAD = st.one_of(
    st.integers(min_value=1, max_value=10**12).map(lambda satang: Cell(-Decimal(satang) / 100, "bad")),
    st.integers(min_value=1, max_value=10**9)
    .filter(lambda n: n % 10)
    .map(lambda n: Cell(f"{Decimal(n) / 1000}", "bad")),
    st.integers(min_value=int(MAX_CELL) + 1, max_value=10**20).map(lambda whole: Cell(whole, "bad")),
    st.sampled_from(HOSTILE_TEXTS + ("หนึ่งร้อยบาท", "NaN", "inf", "N/A", "1e400")).map(lambda text: Cell(text, "bad")),
    st.sampled_from([True, datetime(2024, 10, 5, tzinfo=None)]).map(lambda value: Cell(value, "bad")),
)
SHEET_WILD = st.one_of(
    st.text(max_size=30).map(lambda text: Cell(ILLEGAL_CHARACTERS_RE.sub("", text), "wild")),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda number: Cell(number, "wild")),
)
SHEET_CELLS = st.integers(min_value=0, max_value=3).flatmap(
    lambda pick: SHEET_BAD if pick == 0 else SHEET_WILD if pick == 1 else SHEET_CLEAN
)
SHEET_NOTES = st.one_of(
    st.none(),
    st.sampled_from(HOSTILE_TEXTS).map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),
    st.text(max_size=60).map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),
)
# What may be typed over a producer code: nothing changes, or a code that must be refused.
ID_EDITS = st.sampled_from(["keep", "keep", "keep", "keep", "blank", "foreign", "missing", "text"])


@dataclass(frozen=True)
class SheetRow:
    cells: tuple[Cell, Cell, Cell, Cell]
    note: str | None
    id_edit: str


HOSTILE_SHEET_ROWS = st.lists(
    st.builds(
        SheetRow,
        cells=st.tuples(SHEET_CELLS, SHEET_CELLS, SHEET_CELLS, SHEET_CELLS),
        note=SHEET_NOTES,
        id_edit=ID_EDITS,
    ),
    min_size=3,
    max_size=3,
)
# Files an officer fills in properly: every one must be applied.
CLEAN_SHEET_ROWS = st.lists(
    st.builds(
        SheetRow,
        cells=st.tuples(SHEET_CLEAN, SHEET_CLEAN, SHEET_CLEAN, SHEET_CLEAN),
        note=SHEET_NOTES,
        id_edit=st.just("keep"),
    ),
    min_size=3,
    max_size=3,
)
SHEET_ROWS = st.integers(min_value=0, max_value=2).flatmap(
    lambda pick: HOSTILE_SHEET_ROWS if pick == 0 else CLEAN_SHEET_ROWS
)


def _as_text(sheet: Worksheet, coordinate: str, value: object) -> None:
    """Write a value as a user typing it would leave it: strings stay text even when they start with =."""
    cell = sheet[coordinate]
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _filled(template: bytes, rows: list[SheetRow], foreign_id: int) -> bytes:
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    for offset, row in enumerate(rows):
        number = FIRST_DATA_ROW + offset
        for letter, cell in zip(CHANNEL_LETTERS, row.cells, strict=True):
            _as_text(sheet, f"{letter}{number}", cell.given)
        _as_text(sheet, f"{NOTE_LETTER}{number}", row.note)
        edits = {"blank": None, "foreign": foreign_id, "missing": MISSING_PRODUCER, "text": "<b>รหัส</b>"}
        if row.id_edit in edits:
            _as_text(sheet, f"{ID_LETTER}{number}", edits[row.id_edit])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _stored(engine: Engine) -> dict[int, tuple[Decimal, ...]]:
    with session_scope(engine) as session:
        return {
            sale.producer_id: tuple(getattr(sale, channel) for channel in CHANNEL_COLUMNS)
            for sale in session.scalars(select(MonthlySale).where(MonthlySale.district_code == "3101"))
        }


@pytest.mark.slow
def test_rt1_import_previews_without_writing_and_applies_whole_or_refuses_in_thai(
    engine: Engine, backend: str, ticking_clock: object
) -> None:
    with session_scope(engine, write=True) as session:
        own = [make_producer(session, "3101", name=name) for name in HOSTILE_TEXTS[:3]]
        foreign = make_producer(session, "3102")
    first = [RowInput(producer.id, "food", "100", "0", "0", "0") for producer in own]  # type: ignore[arg-type]

    def restart() -> None:
        _reset(engine)
        with session_scope(engine, write=True) as session:
            save_month(
                session=session, actor=OFFICER, district_code="3101", period=OPEN_PERIOD, rows=first, base_version=0
            )

    restart()
    with session_scope(engine) as session:
        template = export_rt1(session=session, actor=OFFICER, district_code="3101", period=OPEN_PERIOD).content
    initial = _stored(engine)
    sheet_ids = [
        row[0]
        for row in load_workbook(io.BytesIO(template))
        .worksheets[0]
        .iter_rows(
            min_row=FIRST_DATA_ROW, max_row=FIRST_DATA_ROW + len(own) - 1, min_col=2, max_col=2, values_only=True
        )
    ]
    assert sorted(sheet_ids) == sorted(producer.id for producer in own)
    outcomes = {"applied": 0, "refused": 0}
    changed: list[bool] = []

    @settings(
        max_examples=IMPORT_EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        # Shrinking a workbook round trip takes minutes; three rows are readable as generated.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )
    @given(rows=SHEET_ROWS)
    def import_generated(rows: list[SheetRow]) -> None:
        if changed:  # only an applied import changes the month
            restart()
            changed.clear()
        content = _filled(template, rows, foreign.id)  # type: ignore[arg-type]
        with session_scope(engine, write=True) as session:
            preview = preview_rt1_import(
                session=session, actor=OFFICER, district_code="3101", period=OPEN_PERIOD, content=content
            )
        assert _month_state(engine)[2] == 1 and _stored(engine) == initial, "the dry run wrote something"
        assert all(THAI.search(problem) for problem in preview.problems), preview.problems
        for offset, row in enumerate(rows):
            number = FIRST_DATA_ROW + offset
            for letter, cell in zip(CHANNEL_LETTERS, row.cells, strict=True):
                if cell.kind == "bad":
                    where = f"แถวที่ {number} คอลัมน์ {letter} "
                    assert any(where in problem for problem in preview.problems), (where, cell, preview.problems)
            if row.id_edit != "keep":
                where = f"แถวที่ {number} คอลัมน์ {ID_LETTER} "
                assert any(where in problem for problem in preview.problems), (where, row.id_edit, preview.problems)
        try:
            with session_scope(engine, write=True) as session:
                apply_rt1_import(
                    session=session,
                    actor=OFFICER,
                    district_code="3101",
                    period=OPEN_PERIOD,
                    content=content,
                    base_version=preview.base_version,
                )
        except (ImportRejected, EntryValidationError) as refusal:
            outcomes["refused"] += 1
            assert not preview.ok, f"the preview accepted what the import refused: {refusal}"
            assert any(row.id_edit != "keep" or any(cell.kind != "clean" for cell in row.cells) for row in rows)
            assert THAI.search(str(refusal))
            assert _month_state(engine)[2] == 1 and _stored(engine) == initial, "a refused import left something behind"
            return
        outcomes["applied"] += 1
        changed.append(True)
        assert preview.ok, preview.problems
        assert all(row.id_edit == "keep" and all(cell.kind != "bad" for cell in row.cells) for row in rows)
        stored = _stored(engine)
        for producer_id, row in zip(sheet_ids, rows, strict=True):
            for value, cell in zip(stored[producer_id], row.cells, strict=True):
                assert (
                    value.is_finite() and Decimal(0) <= value <= MAX_CELL and value == value.quantize(Decimal("0.01"))
                )
                if cell.kind == "clean":
                    assert value == cell.expected, (value, cell)

    import_generated()
    assert outcomes["applied"] and outcomes["refused"], outcomes
    report_figures(f"fuzz_rt1_import_{backend}", examples=sum(outcomes.values()), **outcomes)


@pytest.mark.parametrize(
    "content",
    [b"", b"not a spreadsheet", b"PK\x03\x04" + b"\x00" * 64, b"<html><script>alert(1)</script></html>"],
    ids=["empty", "text", "broken-zip", "html"],
)
def test_rt1_import_refuses_a_file_that_is_not_a_workbook_in_thai(
    engine: Engine, ticking_clock: object, content: bytes
) -> None:
    with pytest.raises(ImportRejected) as refused:
        with session_scope(engine, write=True) as session:
            preview_rt1_import(
                session=session, actor=OFFICER, district_code="3101", period=OPEN_PERIOD, content=content
            )
    assert refused.value.problems and THAI.search(refused.value.problems[0])


# --- every other free-text field ------------------------------------------------------------------------

NUL_TEXT = "ก\x00ข\x07ค"
ADMIN = actor("admin")


def _forecast_ready(session: Session) -> None:
    save_forecast(
        session=session,
        actor=OFFICER,
        district_code="3101",
        fiscal_year_be=OPEN_PERIOD.fiscal_year_be,
        rows=[ForecastRowInput(period=OPEN_PERIOD, domestic_offline="1000")],
        base_version=0,
    )


def _locked(session: Session) -> None:
    lock_district_month(session=session, actor=actor("province", "31"), district_code="3101", period=OPEN_PERIOD)


FREE_TEXT: dict[str, tuple[Callable[[Session], object] | None, Callable[[Session, int], object]]] = {
    "reject_producer.reason": (
        None,
        lambda s, pid: reject_producer(session=s, actor=ADMIN, producer_id=pid, reason=NUL_TEXT),
    ),
    "save_forecast.remark": (
        None,
        lambda s, pid: save_forecast(
            session=s,
            actor=OFFICER,
            district_code="3101",
            fiscal_year_be=OPEN_PERIOD.fiscal_year_be,
            rows=[ForecastRowInput(period=OPEN_PERIOD, domestic_offline="5", remark=NUL_TEXT)],
            base_version=0,
        ),
    ),
    "certify_forecast.reference_and_certifier": (
        _forecast_ready,
        lambda s, pid: certify_forecast(
            session=s,
            actor=OFFICER,
            district_code="3101",
            fiscal_year_be=OPEN_PERIOD.fiscal_year_be,
            meeting_date=date(2024, 10, 20),
            reference=NUL_TEXT,
            certified_by=NUL_TEXT,
            base_version=1,
        ),
    ),
    "reopen_forecast.reason": (
        _forecast_ready,
        lambda s, pid: reopen_forecast(
            session=s, actor=ADMIN, district_code="3101", fiscal_year_be=OPEN_PERIOD.fiscal_year_be, reason=NUL_TEXT
        ),
    ),
    "unlock_district_month.reason": (
        _locked,
        lambda s, pid: unlock_district_month(
            session=s, actor=ADMIN, district_code="3101", period=OPEN_PERIOD, reason=NUL_TEXT
        ),
    ),
    "unlock_province_month.reason": (
        _locked,
        lambda s, pid: unlock_province_month(
            session=s, actor=ADMIN, province_code="31", period=OPEN_PERIOD, reason=NUL_TEXT
        ),
    ),
    "grant_exception.reason": (
        None,
        lambda s, pid: grant_exception(
            session=s,
            actor=ADMIN,
            district_code="3101",
            period=OPEN_PERIOD,
            expires_at=INSIDE_WINDOW + timedelta(days=3),
            reason=NUL_TEXT,
        ),
    ),
    "set_period_override.reason": (
        None,
        lambda s, pid: set_period_override(
            session=s,
            actor=ADMIN,
            period=OPEN_PERIOD,
            opens_at=INSIDE_WINDOW - timedelta(days=3),
            closes_at=INSIDE_WINDOW + timedelta(days=3),
            reason=NUL_TEXT,
        ),
    ),
    "create_user.display_name_and_title": (
        None,
        lambda s, pid: create_user(
            session=s,
            actor=ADMIN,
            username="nul.user",
            display_name=NUL_TEXT,
            position_title=NUL_TEXT,
            role="district",
            password="a-long-enough-passphrase",
            district_code="3101",
        ),
    ),
}


@pytest.mark.parametrize("field", sorted(FREE_TEXT))
def test_a_nul_in_any_free_text_is_dropped_or_refused_never_a_crash(
    engine: Engine, ticking_clock: object, field: str
) -> None:
    """PostgreSQL cannot store a NUL: one pasted into any text box must not fail the save with a driver error."""
    prepare, write = FREE_TEXT[field]
    with session_scope(engine, write=True) as session:
        producer_id = make_producer(session, "3101", status="pending").id
        make_user(session, "admin", "admin")
        if prepare:
            prepare(session)
    try:
        with session_scope(engine, write=True) as session:
            write(session, producer_id)  # type: ignore[arg-type]
    except (DBAPIError, StatementError) as crash:
        pytest.fail(f"{field}: a NUL crashed the database write: {crash.orig!r}")
    except ValueError as refusal:
        assert THAI.search(str(refusal))
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                assert not any(isinstance(value, str) and "\x00" in value for value in row), (table.name, row)


# --- names with HTML on the screens --------------------------------------------------------------------

HTML_NAMES = ('<img src=x onerror="alert(1)">', "<script>alert('x')</script> กลุ่ม", "<b>ตัวหนา</b> &amp;")
RAW_HTML_CALLS = re.compile(r"unsafe_allow_html\s*=\s*True|st\.html\(|components\.v1|components\.html\(")


def test_no_screen_turns_text_into_raw_html() -> None:
    """Streamlit escapes HTML in text unless a page opts out: no page may opt out."""
    sources = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    offending = [
        f"{path.name}: {match.group(0)}" for path in sources for match in RAW_HTML_CALLS.finditer(path.read_text())
    ]
    assert len(sources) > 5 and offending == []


def _text_elements(app: AppTest) -> list[Any]:
    return [*app.markdown, *app.caption, *app.error, *app.warning, *app.info, *app.success]


def _page(path: str, engine: Engine, who: Actor) -> AppTest:
    streamlit.cache_data.clear()
    app = AppTest.from_file(str(ROOT / "pages" / path), default_timeout=60)
    app.session_state["otop_engine"] = engine
    app.session_state["otop_actor"] = who
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    return app


def test_names_with_html_show_as_text_on_the_entry_and_approval_screens(engine: Engine, ticking_clock: object) -> None:
    with session_scope(engine, write=True) as session:
        producers = [make_producer(session, "3101", name=name) for name in HTML_NAMES]
        save_month(
            session=session,
            actor=OFFICER,
            district_code="3101",
            period=OPEN_PERIOD,
            rows=[RowInput(p.id, "food", "10", outlier_note=HTML_NAMES[0]) for p in producers],  # type: ignore[arg-type]
            base_version=0,
        )
        for name in HTML_NAMES:
            propose_producer(
                session=session,
                actor=actor("district", "3102"),
                district_code="3102",
                name=f"{name} ใหม่",
                subdistrict_code="310201",
                village_no=2,
                producer_type="community",
                categories=["food"],
            )

    entry = _page("entry.py", engine, OFFICER)
    shown = entry.data_editor[0].value.to_string()
    assert all(name in shown for name in HTML_NAMES), shown
    approvals = _page("locks.py", engine, actor("province", "31"))
    texts = _text_elements(approvals)
    for name in HTML_NAMES:
        assert any(f"{name} ใหม่" in element.value for element in texts), name
    for screen in (entry, approvals):
        assert not [element.value for element in [*screen.markdown, *screen.caption] if element.proto.allow_html]
    streamlit.cache_data.clear()
