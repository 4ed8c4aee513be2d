"""Province verification: a month's completeness, the four lock controls, district exceptions, producer proposals."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from db.engine import session_scope
from otop.completeness import DistrictMonthState, default_review_period, locked_summary_line, month_completeness
from otop.fiscal import BANGKOK, Period, bangkok_now, ce_to_be
from otop.i18n import CATEGORY_LABELS, format_baht, format_thai_date, format_thai_datetime, month_name, period_name
from otop.locks import (
    LockRefused,
    LockResult,
    lock_district_month,
    lock_province_month,
    unlock_district_month,
    unlock_province_month,
)
from otop.masterdata import list_provinces
from otop.navigation import roles_of
from otop.permissions import Action, Actor, PermissionDenied, allowed
from otop.producers import ProducerError, ProducerProposal, approve_producer, list_pending_producers, reject_producer
from otop.reporting_calendar import CalendarError, ExceptionView, grant_exception, list_exceptions, revoke_exception
from otop.status import confirmation_last_day
from pages.common import clear_cached_reads, get_engine, pick_period, pick_province, require_roles

FLASH_KEY = "locks_flash"
TTL_SECONDS = 60
MAX_ENTRIES = 64
YES, NO = "✓", "—"
UNLOCKED_COLOR = "#fff4d6"
LATE_COLOR = "#fde2dd"
ROW_HEIGHT = 35
REFUSALS = (LockRefused, CalendarError, ProducerError, PermissionDenied)

actor = require_roles(*roles_of("pages/locks.py"))
engine = get_engine()
database = str(engine.url)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _default_period(_engine: Any, database: str, actor: Actor, province_code: str) -> Period:
    with session_scope(_engine) as session:
        return default_review_period(session=session, actor=actor, province_code=province_code)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _completeness(
    _engine: Any, database: str, actor: Actor, province_code: str, period: Period
) -> tuple[list[DistrictMonthState], date]:
    with session_scope(_engine) as session:
        states = month_completeness(session=session, actor=actor, province_code=province_code, period=period)
        return states, confirmation_last_day(session, period)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _exceptions(_engine: Any, database: str, actor: Actor, province_code: str, period: Period) -> list[ExceptionView]:
    with session_scope(_engine) as session:
        return list_exceptions(session=session, actor=actor, province_code=province_code, period=period)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _proposals(_engine: Any, database: str, actor: Actor, province_code: str) -> list[ProducerProposal]:
    with session_scope(_engine) as session:
        return list_pending_producers(session=session, actor=actor, province_code=province_code)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _province_name(_engine: Any, database: str, province_code: str) -> str:
    with session_scope(_engine) as session:
        return {province.code: province.name_th for province in list_provinces(session)}[province_code]


def _write(call: Callable[[Any], str]) -> None:
    """Run one write in its own transaction; on success remember the message and show the new state."""
    try:
        with session_scope(engine, write=True) as session:
            message = call(session)
    except REFUSALS as error:
        st.error(str(error), icon=":material/block:")
        return
    clear_cached_reads()
    st.session_state[FLASH_KEY] = message
    st.rerun()


def _names(codes: list[str]) -> str:
    return ", ".join(names[code] for code in codes)


def _lock_message(result: LockResult, what: str) -> str:
    message = f"ล็อกข้อมูล{what} เดือน{period_name(result.period)} แล้วเมื่อ {format_thai_datetime(result.at)}"
    if result.unchanged:
        message += f" (ล็อกไว้ก่อนแล้ว {len(result.unchanged)} อำเภอ)"
    if result.unconfirmed:
        message += f" — หมายเหตุ: ล็อกทั้งที่ยังไม่ได้ยืนยันข้อมูล: {_names(result.unconfirmed)}"
    return message


def _unlock_message(result: LockResult, what: str) -> str:
    return (
        f"ปลดล็อกข้อมูล{what} เดือน{period_name(result.period)} แล้วเมื่อ {format_thai_datetime(result.at)} "
        f"({len(result.changed)} อำเภอ) อำเภอแก้ไขได้ภายในช่วงเวลาบันทึกหรือเมื่อจังหวัดขยายเวลาให้"
    )


def _stamp(moment: datetime | None, who: str | None) -> str:
    """``✓ 3 เม.ย. 68 16:00 · district3101``: short enough for every column to fit the table."""
    if moment is None:
        return NO
    local = moment.astimezone(BANGKOK)
    year = ce_to_be(local.year) % 100
    return f"{YES} {local.day} {month_name(local.month, short=True)} {year:02d} {local:%H:%M} · {who}"


def _timeliness(state: DistrictMonthState) -> str:
    if state.late:
        return "ล่าช้า"
    return "ตรงเวลา" if state.confirmed else "รอยืนยัน"


def _completeness_table(states: list[DistrictMonthState]) -> Any:
    frame = pd.DataFrame(
        [
            {
                "อำเภอ": state.district_name_th,
                "ยืนยันข้อมูล": _stamp(state.confirmed_at, state.confirmed_by),
                "ล็อก": _stamp(state.locked_at, state.locked_by),
                "ยอดจำหน่าย": format_baht(state.total),
                "ผู้ผลิตที่รายงาน": f"{state.producers_reported:,}/{state.producers_expected:,}",
                "แก้ไขหลังล็อก": f"{state.changes_since_lock:,}",
                "ค่าผิดปกติ": f"{len(state.outliers):,}",
                "กำหนดส่ง": _timeliness(state),
                "ขยายเวลา": format_thai_datetime(state.exception_until, short=True) if state.exception_until else NO,
            }
            for state in states
        ]
    )

    def row_style(row: pd.Series) -> list[str]:
        """Rows still waiting for the province stand out; late ones in a warmer tone."""
        state = states[row.name]
        color = "" if state.locked else LATE_COLOR if state.late else UNLOCKED_COLOR
        return [f"background-color: {color}" if color else ""] * len(row)

    return frame.style.apply(row_style, axis=1)


st.title("ตรวจสอบและล็อกข้อมูล")
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash, icon=":material/check_circle:")

if actor.province_code:
    province_code = actor.province_code
    picker_period = st.container()
else:
    picker_province, picker_period = st.columns([1, 2])
    province_code = pick_province("locks", actor, container=picker_province)
try:
    period = pick_period(
        "locks", default=_default_period(engine, database, actor, province_code), container=picker_period
    )
    states, last_day = _completeness(engine, database, actor, province_code, period)
except PermissionDenied as error:
    st.error(str(error))
    st.stop()

names = {state.district_code: state.district_name_th for state in states}
by_code = {state.district_code: state for state in states}
district_count = len(states)
locked = [state for state in states if state.locked]
unlocked = [state for state in states if not state.locked]
confirmed_count = sum(state.confirmed for state in states)
late_count = sum(state.late for state in states)

st.subheader(f"ข้อมูลเดือน{period_name(period)} · จังหวัด{_province_name(engine, database, province_code)}")
st.markdown(f"**{locked_summary_line(states)}**")
metrics = st.columns(4)
# The labels name the unit: a "19/23 อำเภอ" value is cut off in a quarter of the page.
metrics[0].metric("อำเภอที่ล็อกข้อมูล", f"{len(locked)}/{district_count}", border=True)
metrics[1].metric("อำเภอที่ยืนยันข้อมูล", f"{confirmed_count}/{district_count}", border=True)
metrics[2].metric("อำเภอที่ล่าช้า", f"{late_count}", border=True)
month_total = sum(state.total for state in states)
metrics[3].metric(
    "ยอดรวมเดือนนี้ (ล้านบาท)",
    f"{month_total / 1_000_000:,.2f}",
    help=f"{format_baht(month_total)} รวมทุกอำเภอ ทั้งที่ล็อกแล้วและยังไม่ล็อก",
    border=True,
)
st.caption(
    f"กำหนดยืนยันข้อมูล: ภายในวันที่ {format_thai_date(last_day)} · ล่าช้า = ยืนยันหลังกำหนด "
    "หรือยังไม่ยืนยันเมื่อเลยกำหนด · ข้อมูลที่จังหวัดยังไม่ล็อกถือว่ายังไม่ยืนยัน และไม่นับในรายงานของกรมการพัฒนาชุมชน"
)
st.dataframe(
    _completeness_table(states),
    hide_index=True,
    width="stretch",
    height=ROW_HEIGHT * (len(states) + 1) + 3,
    key="locks_table",
)
st.caption(
    "แถวสีเหลือง = ยังไม่ล็อก · แถวสีชมพู = ยังไม่ล็อกและล่าช้า · ผู้ผลิตที่รายงาน = แถวที่มียอด/แถวผู้ผลิตที่อนุมัติแล้ว · "
    "แก้ไขหลังล็อก = จำนวนช่องที่อำเภอแก้หลังการปลดล็อกครั้งล่าสุด"
)

outliers = [(state, note) for state in states for note in state.outliers]
with st.expander(f"ค่าผิดปกติที่อำเภอชี้แจง ({len(outliers)} รายการ)", expanded=bool(outliers)):
    if outliers:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "อำเภอ": state.district_name_th,
                        "กลุ่ม/ผู้ผลิต": note.producer_name,
                        "หมวดผลิตภัณฑ์": CATEGORY_LABELS[note.category],
                        "คำชี้แจง": note.note,
                    }
                    for state, note in outliers
                ]
            ),
            hide_index=True,
            width="stretch",
            key="locks_outliers",
        )
    else:
        st.caption("ไม่มีค่าผิดปกติที่ต้องชี้แจงในเดือนนี้")

st.subheader("ล็อกและปลดล็อกข้อมูล")
may_grant = allowed(actor, Action.GRANT_EXCEPTION, province_code=province_code)
may_decide = allowed(actor, Action.MANAGE_PRODUCERS, province_code=province_code)
proposals = _proposals(engine, database, actor, province_code) if may_decide else []
first_unlocked = next((index for index, state in enumerate(states) if not state.locked), 0)
tab_titles = ["รายอำเภอ", "ทั้งจังหวัด"]
if may_grant:
    tab_titles.append("ขยายเวลาให้อำเภอ")
if may_decide:
    tab_titles.append(f"ผู้ผลิตรายใหม่รออนุมัติ ({len(proposals)})")
tabs = dict(zip(tab_titles, st.tabs(tab_titles), strict=True))

with tabs["รายอำเภอ"]:
    district_code = st.selectbox(
        "อำเภอ",
        list(names),
        index=first_unlocked,
        # No lock state in the label: after a lock or unlock the picker would go on showing the old one.
        format_func=lambda code: f"{names[code]} ({code})",
        key="locks_district",
    )
    state = by_code[district_code]
    what = f"อำเภอ{state.district_name_th}"
    if state.locked:
        st.info(
            f"{what} ล็อกแล้วโดย {state.locked_by} เมื่อ {format_thai_datetime(state.locked_at)} "
            "การปลดล็อกต้องระบุเหตุผล และระบบจะบันทึกไว้ในประวัติการแก้ไข",
            icon=":material/lock:",
        )
        reason = st.text_area("เหตุผลการปลดล็อก", key="locks_unlock_district_reason", max_chars=500)
        if st.button("ปลดล็อกข้อมูลอำเภอนี้", key="locks_unlock_district", icon=":material/lock_open:"):
            _write(
                lambda session: _unlock_message(
                    unlock_district_month(
                        session=session, actor=actor, district_code=district_code, period=period, reason=reason
                    ),
                    what,
                )
            )
    else:
        confirmed_ok = True
        if not state.confirmed:
            st.warning(
                f"{what} ยังไม่ได้ยืนยันข้อมูลเดือน{period_name(period)} ถ้าล็อกตอนนี้ อำเภอจะบันทึกหรือแก้ไขไม่ได้จนกว่าจังหวัดจะปลดล็อก",
                icon=":material/warning:",
            )
            confirmed_ok = st.checkbox("ยืนยันล็อกแม้อำเภอยังไม่ได้ยืนยันข้อมูล", key="locks_lock_unconfirmed")
        if st.button(
            "ล็อกข้อมูลอำเภอนี้",
            key="locks_lock_district",
            type="primary",
            icon=":material/lock:",
            disabled=not confirmed_ok,
        ):
            _write(
                lambda session: _lock_message(
                    lock_district_month(session=session, actor=actor, district_code=district_code, period=period), what
                )
            )

with tabs["ทั้งจังหวัด"]:
    lock_column, unlock_column = st.columns(2, gap="large")
    with lock_column:
        st.markdown(f"**ล็อกทั้งจังหวัด** — จะล็อกอำเภอที่ยังไม่ล็อก {len(unlocked)} อำเภอ")
        not_confirmed = [state.district_name_th for state in unlocked if not state.confirmed]
        if not_confirmed:
            st.warning(
                f"อำเภอที่ยังไม่ได้ยืนยันข้อมูลและจะถูกล็อกด้วย ({len(not_confirmed)} อำเภอ): {', '.join(not_confirmed)}",
                icon=":material/warning:",
            )
        sure_lock = st.checkbox(f"ยืนยันการล็อกข้อมูลเดือน{period_name(period)} ทั้งจังหวัด", key="locks_province_lock_confirm")
        if st.button(
            "ล็อกทั้งจังหวัด",
            key="locks_lock_province",
            type="primary",
            icon=":material/lock:",
            disabled=not (sure_lock and unlocked),
        ):
            _write(
                lambda session: _lock_message(
                    lock_province_month(session=session, actor=actor, province_code=province_code, period=period),
                    "ทั้งจังหวัด",
                )
            )
    with unlock_column:
        st.markdown(f"**ปลดล็อกทั้งจังหวัด** — จะปลดล็อกอำเภอที่ล็อกอยู่ {len(locked)} อำเภอ")
        province_reason = st.text_area("เหตุผลการปลดล็อก", key="locks_unlock_province_reason", max_chars=500)
        sure_unlock = st.checkbox(
            f"ยืนยันการปลดล็อกข้อมูลเดือน{period_name(period)} ทั้งจังหวัด", key="locks_province_unlock_confirm"
        )
        if st.button(
            "ปลดล็อกทั้งจังหวัด",
            key="locks_unlock_province",
            icon=":material/lock_open:",
            disabled=not (sure_unlock and locked),
        ):
            _write(
                lambda session: _unlock_message(
                    unlock_province_month(
                        session=session,
                        actor=actor,
                        province_code=province_code,
                        period=period,
                        reason=province_reason,
                    ),
                    "ทั้งจังหวัด",
                )
            )

if may_grant:
    with tabs["ขยายเวลาให้อำเภอ"]:
        st.caption("ให้อำเภอเดียวบันทึกข้อมูลเดือนนี้ได้นอกช่วงเวลาปกติจนถึงเวลาที่กำหนด (ถ้าข้อมูลของอำเภอถูกล็อกอยู่ ต้องปลดล็อกก่อน)")
        today = bangkok_now()
        form_district, form_date, form_time = st.columns([2, 1, 1])
        exception_district = form_district.selectbox(
            "อำเภอ",
            list(names),
            index=first_unlocked,
            format_func=lambda code: f"{names[code]} ({code})",
            key="locks_exception_district",
        )
        expiry_date = form_date.date_input(
            "ขยายถึงวันที่", value=today.date() + timedelta(days=3), key="locks_exception_date", format="DD/MM/YYYY"
        )
        expiry_time = form_time.time_input("เวลา", value=time(16, 30), key="locks_exception_time")
        expires_at = datetime.combine(expiry_date, expiry_time, tzinfo=BANGKOK)
        st.caption(f"อำเภอ{names[exception_district]} บันทึกได้ถึง {format_thai_datetime(expires_at)}")
        exception_reason = st.text_input("เหตุผล (ถ้ามี)", key="locks_exception_reason", max_chars=500)
        if st.button("ขยายเวลา", key="locks_grant_exception", type="primary", icon=":material/more_time:"):

            def _grant(session: Any) -> str:
                granted = grant_exception(
                    session=session,
                    actor=actor,
                    district_code=exception_district,
                    period=period,
                    expires_at=expires_at,
                    reason=exception_reason,
                )
                return (
                    f"ขยายเวลาให้อำเภอ{names[exception_district]} บันทึกข้อมูลเดือน{period_name(period)} "
                    f"ได้ถึง {format_thai_datetime(granted.expires_at)}"
                )

            _write(_grant)
        active = _exceptions(engine, database, actor, province_code, period)
        if active:
            st.markdown("**การขยายเวลาที่ยังมีผล**")
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "อำเภอ": view.district_name_th,
                            "บันทึกได้ถึง": format_thai_datetime(view.expires_at),
                            "เหตุผล": view.reason or NO,
                            "อนุมัติโดย": view.granted_by or NO,
                            "เมื่อ": format_thai_datetime(view.granted_at),
                        }
                        for view in active
                    ]
                ),
                hide_index=True,
                width="stretch",
                key="locks_exceptions_table",
            )
            revoke_code = st.selectbox(
                "ยกเลิกการขยายเวลาของอำเภอ",
                [view.district_code for view in active],
                format_func=lambda code: names[code],
                key="locks_revoke_district",
            )
            if st.button("ยกเลิกการขยายเวลา", key="locks_revoke_exception", icon=":material/timer_off:"):

                def _revoke(session: Any) -> str:
                    revoke_exception(session=session, actor=actor, district_code=revoke_code, period=period)
                    return f"ยกเลิกการขยายเวลาของอำเภอ{names[revoke_code]} แล้ว"

                _write(_revoke)
        else:
            st.caption(f"ยังไม่มีอำเภอที่ได้รับการขยายเวลาสำหรับเดือน{period_name(period)}")

if may_decide:
    with tabs[tab_titles[-1]]:
        if not proposals:
            st.info("ไม่มีผู้ผลิตรายใหม่รออนุมัติ", icon=":material/task_alt:")
        for proposal in proposals:
            with st.container(border=True):
                st.markdown(f"**{proposal.name}** · อำเภอ{proposal.district_name_th}")
                village = f" หมู่ที่ {proposal.village_no}" if proposal.village_no else ""
                st.caption(
                    f"ตำบล{proposal.subdistrict_name}{village} · {proposal.producer_type_label} · "
                    f"หมวด: {proposal.categories_text} · เสนอโดย {proposal.proposed_by or NO} "
                    f"เมื่อ {format_thai_datetime(proposal.proposed_at)}"
                )
                approve_column, reject_column = st.columns([1, 3])
                if approve_column.button(
                    "อนุมัติ", key=f"locks_approve_{proposal.producer_id}", type="primary", icon=":material/check:"
                ):

                    def _approve(session: Any, proposal: ProducerProposal = proposal) -> str:
                        approve_producer(session=session, actor=actor, producer_id=proposal.producer_id)
                        return f"อนุมัติ “{proposal.name}” แล้ว อำเภอจะเห็นในตารางบันทึกเมื่อดึงรายชื่อครั้งถัดไป"

                    _write(_approve)
                rejection = reject_column.text_input(
                    "เหตุผลที่ไม่อนุมัติ", key=f"locks_reject_reason_{proposal.producer_id}", max_chars=500
                )
                if reject_column.button("ไม่อนุมัติ", key=f"locks_reject_{proposal.producer_id}", icon=":material/close:"):

                    def _reject(session: Any, proposal: ProducerProposal = proposal, reason: str = rejection) -> str:
                        reject_producer(session=session, actor=actor, producer_id=proposal.producer_id, reason=reason)
                        return f"ไม่อนุมัติ “{proposal.name}” แล้ว อำเภอจะเห็นเหตุผลที่ให้ไว้"

                    _write(_reject)
