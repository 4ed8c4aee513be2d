"""Monthly entry (แบบ รต.1): the district's grid of producers' sales, sync, save = confirm, row history, proposals."""

from datetime import datetime, time, timedelta
from typing import Any

import streamlit as st

from db.engine import session_scope
from db.models import CATEGORY_CODES, PRODUCER_TYPE_CODES
from otop.entry import (
    EntryConflict,
    EntryValidationError,
    MonthGrid,
    default_entry_period,
    load_month,
    row_history,
    save_month,
    sync_month,
)
from otop.entry_frames import (
    FLAGS,
    NOTE,
    TOTAL,
    apply_edits,
    edited_cell_count,
    flags_needing_a_note,
    month_frame,
    month_row_inputs,
    month_totals,
    refresh_month_frame,
    totals_frame,
)
from otop.fiscal import BANGKOK, Period
from otop.i18n import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    PRODUCER_STATUS_LABELS,
    PRODUCER_TYPE_LABELS,
    format_baht,
    format_duration,
    format_thai_date,
    format_thai_datetime,
    period_name,
)
from otop.masterdata import list_subdistricts
from otop.outliers import OutlierRule
from otop.permissions import Action, Actor, PermissionDenied, allowed
from otop.producers import ProducerError, list_district_proposals, propose_producer
from otop.status import EntryRefused
from pages.common import clear_cached_reads, get_actor, get_engine, pick_district, pick_period
from pages.excel_panels import render_rt1_panel

KEY = "entry"
FLASH_KEY = "entry_flash"
CONFLICT_KEY = "entry_conflict"
AMOUNT_FORMAT = "%,.2f"
AMOUNT_WIDTH = 170


@st.cache_data(ttl=60, max_entries=8, show_spinner=False)
def _default_period(_engine: Any, database: str) -> Period:
    with session_scope(_engine) as session:
        return default_entry_period(session)


@st.cache_data(ttl=30, max_entries=32, show_spinner="กำลังโหลดข้อมูล…")
def _month(_engine: Any, database: str, actor: Actor, district_code: str, period_code: int) -> MonthGrid:
    with session_scope(_engine) as session:
        return load_month(
            session=session, actor=actor, district_code=district_code, period=Period.from_code(period_code)
        )


def _reload() -> None:
    st.session_state.pop(CONFLICT_KEY, None)
    clear_cached_reads()


def _amount_column(label: str, *, disabled: bool) -> Any:
    return st.column_config.NumberColumn(
        label, min_value=0, step=0.01, format=AMOUNT_FORMAT, disabled=disabled, width=AMOUNT_WIDTH
    )


def _column_config(*, editable: bool) -> dict[str, Any]:
    return {
        "row_no": st.column_config.NumberColumn("ที่", disabled=True, width=45, pinned=True),
        "producer": st.column_config.TextColumn("ผู้ผลิต", disabled=True, width=250, pinned=True),
        "subdistrict": st.column_config.TextColumn("ตำบล", disabled=True, width=100),
        "category": st.column_config.TextColumn("หมวด", disabled=True, width=150),
        "producer_type": st.column_config.TextColumn("ประเภท", disabled=True, width=150),
        **{channel: _amount_column(label, disabled=not editable) for channel, label in CHANNEL_LABELS.items()},
        TOTAL: _amount_column("รวม", disabled=True),
        FLAGS: st.column_config.TextColumn("ค่าผิดปกติ", disabled=True, width=170, help="สูงกว่าปกติมาก ต้องใส่หมายเหตุอธิบาย"),
        NOTE: st.column_config.TextColumn(
            "หมายเหตุ", disabled=not editable, max_chars=500, width=260, help="อธิบายค่าที่สูงผิดปกติ"
        ),
    }


def _show_status(grid: MonthGrid, *, may_write: bool) -> None:
    if grid.confirmed_at:
        st.success(
            f"ยืนยันข้อมูลแล้วโดย {grid.confirmed_by} เมื่อ {format_thai_datetime(grid.confirmed_at)}",
            icon=":material/verified:",
        )
    else:
        st.info("ยังไม่ได้ยืนยันข้อมูลเดือนนี้ (การกดบันทึกคือการยืนยันข้อมูลของอำเภอ)", icon=":material/pending:")
    status = grid.status
    if not may_write:
        st.info("บัญชีของท่านดูข้อมูลได้อย่างเดียว", icon=":material/visibility:")
    elif not status.writable:
        st.warning(f"อ่านอย่างเดียว: {status.reason}", icon=":material/lock:")
    elif status.open_until and status.time_left is not None:
        st.info(
            f"เปิดให้บันทึกถึง{until_text(status.open_until)} (เหลือเวลาอีก {format_duration(status.time_left)})",
            icon=":material/schedule:",
        )


def until_text(moment: datetime) -> str:
    """``สิ้นวันที่ 5 พฤศจิกายน 2567`` for a close at midnight, otherwise the date and time."""
    local = moment.astimezone(BANGKOK)
    if local.time() == time.min:
        return f"สิ้นวันที่ {format_thai_date(local.date() - timedelta(days=1))}"
    return f" {format_thai_datetime(moment)}"


def _save(grid: MonthGrid, rows: list[Any], actor: Actor, engine: Any) -> None:
    try:
        with session_scope(engine, write=True) as session:
            result = save_month(
                session=session,
                actor=actor,
                district_code=grid.district_code,
                period=grid.period,
                rows=rows,
                base_version=grid.version,
            )
    except EntryValidationError as error:
        st.error(
            "บันทึกไม่ได้ ยังไม่มีข้อมูลใดถูกบันทึก กรุณาแก้ไข:\n\n" + "\n".join(f"- {problem}" for problem in error.problems),
            icon=":material/error:",
        )
    except EntryConflict as error:
        # Shown at the top of the page, with the reload button, on this run and the next ones.
        st.session_state[CONFLICT_KEY] = (grid.district_code, grid.period.code, grid.version, str(error))
        st.rerun()
    except (EntryRefused, PermissionDenied) as error:
        st.error(str(error), icon=":material/block:")
    else:
        clear_cached_reads()
        st.session_state[FLASH_KEY] = (grid.district_code, grid.period.code, result.message)
        st.rerun()


def _sync(grid: MonthGrid, actor: Actor, engine: Any) -> None:
    try:
        with session_scope(engine, write=True) as session:
            added = sync_month(session=session, actor=actor, district_code=grid.district_code, period=grid.period)
    except (EntryRefused, PermissionDenied) as error:
        st.error(str(error), icon=":material/block:")
        return
    clear_cached_reads()
    message = (
        f"เพิ่ม {added:,} แถวจากรายชื่อเดือนก่อน (ยอดว่าง ให้กรอกยอดของเดือนนี้)" if added else "ไม่มีรายชื่อใหม่ให้เพิ่ม แถวที่มีอยู่ไม่ถูกแก้ไข"
    )
    st.session_state[FLASH_KEY] = (grid.district_code, grid.period.code, message)
    st.rerun()


def _history(grid: MonthGrid, actor: Actor, engine: Any) -> None:
    with st.expander("ประวัติการแก้ไขรายแถว", icon=":material/history:"):
        if not grid.rows:
            st.caption("ยังไม่มีแถวในเดือนนี้")
            return
        position = st.selectbox(
            "เลือกแถว",
            range(len(grid.rows)),
            format_func=lambda index: grid.rows[index].label,
            key=f"{KEY}_history_row",
        )
        row = grid.rows[position]
        with session_scope(engine) as session:
            entries = row_history(
                session=session,
                actor=actor,
                district_code=grid.district_code,
                period=grid.period,
                producer_id=row.producer_id,
                category=row.category,
            )
        if not entries:
            st.caption("ยังไม่มีการแก้ไขแถวนี้ผ่านระบบ")
            return
        st.dataframe(
            {
                "เมื่อ": [format_thai_datetime(entry.at) for entry in entries],
                "ผู้แก้ไข": [entry.actor for entry in entries],
                "คอลัมน์": [entry.field_label for entry in entries],
                "ค่าเดิม": [entry.old_text for entry in entries],
                "ค่าใหม่": [entry.new_text for entry in entries],
            },
            hide_index=True,
            key=f"{KEY}_history_table",
        )


def _proposals(district_code: str, actor: Actor, engine: Any) -> None:
    with st.expander("เสนอผู้ผลิตรายใหม่", icon=":material/person_add:"):
        st.caption("จังหวัดจะพิจารณาอนุมัติ เมื่ออนุมัติแล้วกด “ดึงรายชื่อจากเดือนก่อน” ผู้ผลิตรายใหม่จะปรากฏในตาราง")
        with session_scope(engine) as session:
            subdistricts = {s.code: s.name_th for s in list_subdistricts(session, district_code)}
        with st.form(f"{KEY}_propose", clear_on_submit=True):
            name = st.text_input("ชื่อกลุ่ม/ผู้ผลิต", max_chars=300, key=f"{KEY}_propose_name")
            left, middle, right = st.columns(3)
            subdistrict_code = left.selectbox(
                "ตำบล", list(subdistricts), format_func=subdistricts.get, key=f"{KEY}_propose_subdistrict"
            )
            village_no = middle.number_input("หมู่ที่", min_value=1, max_value=99, step=1, key=f"{KEY}_propose_village")
            producer_type = right.selectbox(
                "ประเภทผู้ผลิต",
                PRODUCER_TYPE_CODES,
                format_func=PRODUCER_TYPE_LABELS.get,
                key=f"{KEY}_propose_type",
            )
            categories = st.multiselect(
                "หมวดผลิตภัณฑ์", CATEGORY_CODES, format_func=CATEGORY_LABELS.get, key=f"{KEY}_propose_categories"
            )
            submitted = st.form_submit_button("ส่งให้จังหวัดพิจารณา", key=f"{KEY}_propose_submit")
        if submitted:
            try:
                with session_scope(engine, write=True) as session:
                    producer = propose_producer(
                        session=session,
                        actor=actor,
                        district_code=district_code,
                        name=name,
                        subdistrict_code=subdistrict_code,
                        village_no=int(village_no),
                        producer_type=producer_type,
                        categories=categories,
                    )
            except ProducerError as error:
                st.error("ส่งข้อเสนอไม่ได้:\n\n" + "\n".join(f"- {problem}" for problem in error.problems))
            except PermissionDenied as error:
                st.error(str(error))
            else:
                clear_cached_reads()
                st.success(f"ส่ง “{producer.name}” ให้จังหวัดพิจารณาแล้ว")
        with session_scope(engine) as session:
            proposals = list_district_proposals(session=session, actor=actor, district_code=district_code)
        if proposals:
            st.dataframe(
                {
                    "ชื่อกลุ่ม/ผู้ผลิต": [item.name for item in proposals],
                    "หมวด": [item.categories_text for item in proposals],
                    "เสนอเมื่อ": [format_thai_datetime(item.proposed_at) for item in proposals],
                    "สถานะ": [PRODUCER_STATUS_LABELS[item.status] for item in proposals],
                    "ผู้พิจารณา": [item.decided_by or "" for item in proposals],
                    "เหตุผล": [item.decision_reason or "" for item in proposals],
                },
                hide_index=True,
                key=f"{KEY}_proposals_table",
            )


st.title("บันทึกยอดจำหน่าย OTOP")
actor = get_actor()
engine = get_engine()
database = str(engine.url)
pickers = st.columns([2, 3])
try:
    district_code = pick_district(KEY, actor, container=pickers[0])
    period = pick_period(KEY, default=_default_period(engine, database), container=pickers[1])
    grid = _month(engine, database, actor, district_code, period.code)
except (PermissionDenied, EntryValidationError) as error:
    st.error(str(error))
    st.stop()

if actor.district_code:
    pickers[0].text_input("อำเภอ", value=grid.district_name_th, disabled=True, key=f"{KEY}_own_district")
may_write = allowed(actor, Action.WRITE_FIGURES, district_code=district_code)
editable = may_write and grid.status.writable
st.caption(f"แบบ รต.1 · อำเภอ{grid.district_name_th} ({grid.district_code}) · เดือน{period_name(grid.period)}")
flash = st.session_state.pop(FLASH_KEY, None)
if flash and flash[:2] == (district_code, period.code):
    st.success(flash[2], icon=":material/check_circle:")
_show_status(grid, may_write=may_write)

conflict = st.session_state.get(CONFLICT_KEY)
if conflict and conflict[:3] == (district_code, period.code, grid.version):
    st.error(conflict[3], icon=":material/sync_problem:")
    st.button("โหลดข้อมูลล่าสุด", key=f"{KEY}_reload", on_click=_reload, icon=":material/refresh:")

editor_key = f"{KEY}_grid_{district_code}_{period.code}_v{grid.version}"
rule = OutlierRule.from_settings()
edit_state = st.session_state.get(editor_key)
current = refresh_month_frame(apply_edits(month_frame(grid), edit_state), grid, rule)
totals = month_totals(current)
pending = edited_cell_count(edit_state)

metrics = st.columns([2, 1, 1, 1])
metrics[0].metric("ยอดรวมทั้งอำเภอเดือนนี้", format_baht(sum(totals.values())), border=True)
metrics[1].metric("จำนวนแถว", f"{len(grid.rows):,}", border=True)
metrics[2].metric("แถวที่มีค่าผิดปกติ", f"{int((current[FLAGS] != '').sum()):,}", border=True)
if editable:
    metrics[3].metric("ช่องที่ยังไม่บันทึก", f"{pending:,}", border=True)

if editable and st.button(
    "ดึงรายชื่อจากเดือนก่อน",
    key=f"{KEY}_sync",
    icon=":material/playlist_add:",
    help="เพิ่มผู้ผลิตและหมวดของเดือนก่อน (และผู้ผลิตที่จังหวัดเพิ่งอนุมัติ) เป็นแถวยอดว่าง ไม่แก้ไขแถวที่มีอยู่แล้ว",
):
    _sync(grid, actor, engine)

if not grid.rows:
    st.info(
        "ยังไม่มีรายชื่อผู้ผลิตในเดือนนี้" + (" กด “ดึงรายชื่อจากเดือนก่อน” เพื่อเริ่มกรอกยอด" if editable else ""),
        icon=":material/info:",
    )
else:
    # The editor gets the saved amounts and only the computed columns live: handed its own edits back
    # as data, Streamlit's editor takes them for no-ops, drops them and the typed values are lost.
    edited = st.data_editor(
        month_frame(grid).assign(**{TOTAL: current[TOTAL], FLAGS: current[FLAGS]}),
        key=editor_key,
        column_config=_column_config(editable=editable),
        disabled=not editable,
        hide_index=True,
        num_rows="fixed",
        height=min(38 + 35 * len(grid.rows), 600),
    )
    label_columns = _column_config(editable=False)
    st.dataframe(
        totals_frame(
            totals,
            {
                "row_no": "",
                "producer": f"รวมทั้งอำเภอ ({len(grid.rows):,} แถว)",
                "subdistrict": "",
                "category": "",
                "producer_type": "",
            },
            {FLAGS: "", NOTE: ""},
        ),
        column_config={
            **label_columns,
            "row_no": st.column_config.TextColumn("", width=45, pinned=True),
            "producer": st.column_config.TextColumn("", width=250, pinned=True),
            "subdistrict": st.column_config.TextColumn("", width=100),
            "category": st.column_config.TextColumn("", width=150),
            "producer_type": st.column_config.TextColumn("", width=150),
            FLAGS: st.column_config.TextColumn("", width=170),
            NOTE: st.column_config.TextColumn("", width=260),
        },
        hide_index=True,
        key=f"{KEY}_totals",
    )
    missing_notes = flags_needing_a_note(grid, current, rule)
    if editable and missing_notes:
        st.warning(
            "ค่าต่อไปนี้สูงผิดปกติ ต้องใส่หมายเหตุในคอลัมน์ “หมายเหตุ” ของแถวนั้นก่อนบันทึก:\n\n"
            + "\n".join(f"- {line}" for line in missing_notes[:20]),
            icon=":material/warning:",
        )
    if editable and st.button("บันทึกและยืนยันข้อมูล", key=f"{KEY}_save", type="primary", icon=":material/save:"):
        _save(grid, month_row_inputs(grid, edited, edit_state), actor, engine)

render_rt1_panel(engine=engine, actor=actor, district_code=district_code, period=period)
if grid.rows:
    _history(grid, actor, engine)
if allowed(actor, Action.PROPOSE_PRODUCER, district_code=district_code):
    _proposals(district_code, actor, engine)
