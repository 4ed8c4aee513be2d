"""Forecast form (แบบประมาณการรายได้): twelve months × four channels, submission and the committee's certification."""

from datetime import date
from typing import Any

import streamlit as st

from db.engine import session_scope
from otop.clock import utc_now
from otop.entry import EntryConflict, EntryValidationError
from otop.entry_frames import (
    REMARK,
    TOTAL,
    apply_edits,
    edited_cell_count,
    forecast_frame,
    forecast_row_inputs,
    month_totals,
    refresh_forecast_frame,
    totals_frame,
)
from otop.fiscal import bangkok_date, be_to_ce, ce_to_be, fiscal_year_of
from otop.forecast import (
    ForecastSheet,
    certify_forecast,
    list_forecast_forms,
    load_forecast,
    reopen_forecast,
    save_forecast,
    submit_forecast,
)
from otop.i18n import (
    CHANNEL_LABELS,
    FORECAST_STATUS_LABELS,
    format_baht,
    format_thai_date,
    format_thai_datetime,
    month_name,
)
from otop.permissions import Action, Actor, PermissionDenied, allowed, province_of
from otop.status import EntryRefused
from pages.common import clear_cached_reads, fiscal_year_options, get_actor, get_engine, pick_district
from pages.excel_panels import render_forecast_panel

KEY = "forecast"
FLASH_KEY = "forecast_flash"
AMOUNT_FORMAT = "%,.2f"
AMOUNT_WIDTH = 170
MONTH_WIDTH = 150
REMARK_WIDTH = 300
WRITE_ERRORS = (EntryValidationError, EntryConflict, EntryRefused, PermissionDenied)


@st.cache_data(ttl=30, max_entries=32, show_spinner="กำลังโหลดข้อมูล…")
def _sheet(_engine: Any, database: str, actor: Actor, district_code: str, fiscal_year_be: int) -> ForecastSheet:
    with session_scope(_engine) as session:
        return load_forecast(session=session, actor=actor, district_code=district_code, fiscal_year_be=fiscal_year_be)


def _error(error: Exception) -> None:
    if isinstance(error, EntryValidationError):
        st.error("บันทึกไม่ได้ ยังไม่มีข้อมูลใดถูกบันทึก:\n\n" + "\n".join(f"- {problem}" for problem in error.problems))
    else:
        st.error(str(error))


def _done(message: str) -> None:
    clear_cached_reads()
    st.session_state[FLASH_KEY] = message
    st.rerun()


def _amount_column(label: str, *, disabled: bool) -> Any:
    return st.column_config.NumberColumn(
        label, min_value=0, step=0.01, format=AMOUNT_FORMAT, disabled=disabled, width=AMOUNT_WIDTH
    )


def _show_state(sheet: ForecastSheet) -> None:
    today = bangkok_date(utc_now())
    due = f"กำหนดส่งจังหวัด: {format_thai_date(sheet.due_date)}"
    if sheet.status == "certified":
        st.success(
            f"{sheet.status_label} · ประชุมวันที่ "
            f"{format_thai_date(sheet.committee_meeting_date) if sheet.committee_meeting_date else '–'} "
            f"({sheet.committee_reference}) · รับรองโดย {sheet.certified_by} · {due}",
            icon=":material/verified:",
        )
        st.warning(
            "อ่านอย่างเดียว: แบบประมาณการที่รับรองแล้วแก้ไขไม่ได้ หากต้องแก้ไข ติดต่อสำนักงานพัฒนาชุมชนจังหวัดเพื่อขอเปิดให้แก้ไข",
            icon=":material/lock:",
        )
    elif sheet.status == "submitted":
        st.info(
            f"{sheet.status_label} โดย {sheet.submitted_by} เมื่อ {format_thai_datetime(sheet.submitted_at)} · "
            f"รอบันทึกการรับรองของ นตผ.อำเภอ · {due}",
            icon=":material/outgoing_mail:",
        )
    elif today > sheet.due_date:
        st.warning(
            f"{sheet.status_label} · เลยกำหนดส่งจังหวัดแล้ว ({format_thai_date(sheet.due_date)})", icon=":material/alarm:"
        )
    else:
        st.info(f"{sheet.status_label} · {due} (อีก {(sheet.due_date - today).days} วัน)", icon=":material/edit_note:")


def _pick_be_date(fiscal_year_be: int) -> date | None:
    """Day, Thai month and BE year side by side (the date widget only knows CE); ``None`` for 31 February."""
    st.markdown("วันที่ประชุม นตผ.อำเภอ")
    day_column, month_column, year_column = st.columns(3)
    today = bangkok_date(utc_now())
    day = day_column.selectbox("วันที่", range(1, 32), index=today.day - 1, key=f"{KEY}_meeting_day")
    month = month_column.selectbox(
        "เดือน", range(1, 13), index=today.month - 1, format_func=month_name, key=f"{KEY}_meeting_month"
    )
    years = [fiscal_year_be, fiscal_year_be - 1]
    default_year = ce_to_be(today.year)
    year_be = year_column.selectbox(
        "พ.ศ.", years, index=years.index(default_year) if default_year in years else 0, key=f"{KEY}_meeting_year"
    )
    try:
        return date(be_to_ce(year_be), month, day)
    except ValueError:
        return None


def _certification(sheet: ForecastSheet, actor: Actor, engine: Any, *, pending: int) -> None:
    with st.expander("บันทึกการรับรองของ นตผ.อำเภอ", icon=":material/approval:"):
        with st.form(f"{KEY}_certify_form"):
            meeting_date = _pick_be_date(sheet.fiscal_year_be)
            reference = st.text_input("อ้างอิง (ครั้งที่ประชุม/เลขที่รายงานการประชุม)", max_chars=200, key=f"{KEY}_reference")
            certified_by = st.text_input("ผู้รับรอง (ชื่อและตำแหน่ง)", max_chars=200, key=f"{KEY}_certified_by")
            submitted = st.form_submit_button("บันทึกการรับรอง", key=f"{KEY}_certify", disabled=pending > 0)
        if submitted and meeting_date is None:
            st.error("วันที่ประชุม นตผ.อำเภอ: ไม่มีวันนี้ในปฏิทิน กรุณาเลือกใหม่")
        elif submitted:
            try:
                with session_scope(engine, write=True) as session:
                    certify_forecast(
                        session=session,
                        actor=actor,
                        district_code=sheet.district_code,
                        fiscal_year_be=sheet.fiscal_year_be,
                        meeting_date=meeting_date,
                        reference=reference,
                        certified_by=certified_by,
                        base_version=sheet.version,
                    )
            except WRITE_ERRORS as error:
                _error(error)
            else:
                _done("บันทึกการรับรองของ นตผ.อำเภอ แล้ว แบบประมาณการนี้แก้ไขไม่ได้จนกว่าจังหวัดจะเปิดให้แก้ไข")


def _reopen(sheet: ForecastSheet, actor: Actor, engine: Any) -> None:
    with st.expander("เปิดให้อำเภอแก้ไขประมาณการ", icon=":material/lock_open:"):
        reason = st.text_input("เหตุผลที่เปิดให้แก้ไข", max_chars=300, key=f"{KEY}_reopen_reason")
        if st.button("เปิดให้แก้ไข", key=f"{KEY}_reopen"):
            try:
                with session_scope(engine, write=True) as session:
                    reopen_forecast(
                        session=session,
                        actor=actor,
                        district_code=sheet.district_code,
                        fiscal_year_be=sheet.fiscal_year_be,
                        reason=reason,
                    )
            except WRITE_ERRORS as error:
                _error(error)
            else:
                _done("เปิดให้อำเภอแก้ไขประมาณการแล้ว (สถานะกลับเป็นร่าง)")


def _province_overview(actor: Actor, engine: Any, province_code: str, fiscal_year_be: int) -> None:
    with st.expander("สถานะแบบประมาณการของทุกอำเภอในจังหวัด", icon=":material/checklist:"):
        with session_scope(engine) as session:
            states = list_forecast_forms(
                session=session, actor=actor, province_code=province_code, fiscal_year_be=fiscal_year_be
            )
        st.dataframe(
            {
                "อำเภอ": [state.district_name_th for state in states],
                "สถานะ": [state.status_label for state in states],
                "ยอดประมาณการทั้งปี": [float(state.total) for state in states],
                "ส่งจังหวัดเมื่อ": [format_thai_datetime(state.submitted_at) for state in states],
                "วันประชุม นตผ.อำเภอ": [
                    format_thai_date(state.committee_meeting_date) if state.committee_meeting_date else "–"
                    for state in states
                ],
            },
            column_config={"ยอดประมาณการทั้งปี": st.column_config.NumberColumn(format=AMOUNT_FORMAT)},
            hide_index=True,
        )


st.title("ประมาณการรายได้")
actor = get_actor()
engine = get_engine()
database = str(engine.url)
pickers = st.columns([2, 3])
try:
    district_code = pick_district(KEY, actor, container=pickers[0])
    current_year = fiscal_year_of(bangkok_date(utc_now()))
    years = sorted({*fiscal_year_options(), current_year}, reverse=True)
    fiscal_year_be = pickers[1].selectbox(
        "ปีงบประมาณ (พ.ศ.)", years, index=years.index(current_year), key=f"{KEY}_fiscal_year"
    )
    sheet = _sheet(engine, database, actor, district_code, fiscal_year_be)
except (PermissionDenied, EntryValidationError) as error:
    st.error(str(error))
    st.stop()

if actor.district_code:
    pickers[0].text_input("อำเภอ", value=sheet.district_name_th, disabled=True, key=f"{KEY}_own_district")
may_write = allowed(actor, Action.WRITE_FIGURES, district_code=district_code)
editable = may_write and sheet.editable
st.caption(
    f"แบบประมาณการรายได้จากการจำหน่ายผลิตภัณฑ์ OTOP · อำเภอ{sheet.district_name_th} · "
    f"ปีงบประมาณ {sheet.fiscal_year_be} (ตุลาคม {sheet.fiscal_year_be - 1} – กันยายน {sheet.fiscal_year_be})"
)
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash, icon=":material/check_circle:")
_show_state(sheet)
if not may_write:
    st.info("บัญชีของท่านดูข้อมูลได้อย่างเดียว", icon=":material/visibility:")

editor_key = f"{KEY}_grid_{district_code}_{fiscal_year_be}_v{sheet.version}"
edit_state = st.session_state.get(editor_key)
current = refresh_forecast_frame(apply_edits(forecast_frame(sheet), edit_state))
totals = month_totals(current)
pending = edited_cell_count(edit_state)
metrics = st.columns([2, 4, 2])
metrics[0].metric("ประมาณการทั้งปี", format_baht(sum(totals.values())), border=True)
metrics[1].metric("สถานะ", FORECAST_STATUS_LABELS[sheet.status], border=True)
if editable:
    metrics[2].metric("ช่องที่ยังไม่บันทึก", f"{pending:,}", border=True)

# The editor gets the saved amounts and only the total live: handed its own edits back as data,
# Streamlit's editor takes them for no-ops, drops them and the typed values are lost.
edited = st.data_editor(
    forecast_frame(sheet).assign(**{TOTAL: current[TOTAL]}),
    key=editor_key,
    column_config={
        "month": st.column_config.TextColumn("เดือน", disabled=True, pinned=True, width=MONTH_WIDTH),
        **{channel: _amount_column(label, disabled=not editable) for channel, label in CHANNEL_LABELS.items()},
        TOTAL: _amount_column("รวม", disabled=True),
        REMARK: st.column_config.TextColumn("หมายเหตุ", disabled=not editable, max_chars=500, width=REMARK_WIDTH),
    },
    disabled=not editable,
    hide_index=True,
    num_rows="fixed",
    height=38 + 35 * 12,
)
st.dataframe(
    totals_frame(totals, {"month": "รวมทั้งปี"}, {REMARK: ""}),
    column_config={
        "month": st.column_config.TextColumn("", width=MONTH_WIDTH, pinned=True),
        REMARK: st.column_config.TextColumn("", width=REMARK_WIDTH),
        **{channel: _amount_column(label, disabled=True) for channel, label in CHANNEL_LABELS.items()},
        TOTAL: _amount_column("รวม", disabled=True),
    },
    hide_index=True,
)

if editable:
    save_column, submit_column, _ = st.columns([1, 1, 3])
    if save_column.button("บันทึกประมาณการ", key=f"{KEY}_save", type="primary", icon=":material/save:"):
        try:
            with session_scope(engine, write=True) as session:
                result = save_forecast(
                    session=session,
                    actor=actor,
                    district_code=district_code,
                    fiscal_year_be=fiscal_year_be,
                    rows=forecast_row_inputs(sheet, edited, edit_state),
                    base_version=sheet.version,
                )
        except WRITE_ERRORS as error:
            _error(error)
        else:
            back_to_draft = " สถานะกลับเป็นร่าง ต้องส่งจังหวัดอีกครั้ง" if sheet.status != result.status else ""
            _done(result.message + back_to_draft)
    if sheet.status == "draft" and submit_column.button(
        "ส่งจังหวัด",
        key=f"{KEY}_submit",
        icon=":material/send:",
        disabled=pending > 0,
        help="บันทึกการแก้ไขก่อนส่ง" if pending else "ส่งแบบประมาณการที่บันทึกไว้ให้จังหวัด",
    ):
        try:
            with session_scope(engine, write=True) as session:
                submit_forecast(
                    session=session,
                    actor=actor,
                    district_code=district_code,
                    fiscal_year_be=fiscal_year_be,
                    base_version=sheet.version,
                )
        except WRITE_ERRORS as error:
            _error(error)
        else:
            _done("ส่งแบบประมาณการให้จังหวัดแล้ว")
    _certification(sheet, actor, engine, pending=pending)
render_forecast_panel(engine=engine, actor=actor, district_code=district_code, fiscal_year_be=fiscal_year_be)
if sheet.status == "certified" and allowed(actor, Action.LOCK, district_code=district_code):
    _reopen(sheet, actor, engine)
if actor.role != "district":
    _province_overview(actor, engine, province_of(district_code), fiscal_year_be)
