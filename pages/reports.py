"""Reports and Excel exports: pick a report and its area and months, preview it, download it in the official layout."""

from typing import Any

import streamlit as st

from db.engine import session_scope
from otop.clock import utc_now
from otop.exports import ExportKind, ExportRequest, kinds_for, preview_frame
from otop.i18n import ROUND_LABELS
from otop.permissions import Actor
from otop.status import last_closed_period
from pages.common import fiscal_year_options, get_actor, get_engine, pick_district, pick_period, pick_province
from pages.excel_panels import render_export_download

KEY = "reports"
SPAN_CHOICES = {"month": "รายเดือน", "year": "ทั้งปีงบประมาณ", "round1": ROUND_LABELS[1], "round2": ROUND_LABELS[2]}
LEVEL_CHOICES = {"national": "ทั่วประเทศ", "province": "ทั้งจังหวัด", "district": "รายอำเภอ"}


@st.cache_data(ttl=300, max_entries=4, show_spinner=False)
def _last_closed(_engine: Any, database: str) -> Any:
    with session_scope(_engine) as session:
        return last_closed_period(session, utc_now())


def _area(kind: ExportKind, actor: Actor) -> dict[str, str | None]:
    """The district or province the report covers, from the actor's own area or the pickers."""
    if kind.scope == "national":
        st.caption("รายงานระดับประเทศ: นับเฉพาะข้อมูลที่จังหวัดล็อกแล้ว")
        return {}
    if kind.scope == "district":
        return {"district_code": pick_district(KEY, actor)}
    if kind.scope == "province":
        return {"province_code": pick_province(KEY, actor)}
    if actor.district_code:
        return {"district_code": actor.district_code}
    levels = ["province", "district"] if actor.province_code else list(LEVEL_CHOICES)
    level = st.radio("ระดับ", levels, format_func=LEVEL_CHOICES.get, horizontal=True, key=f"{KEY}_level")
    if level == "national":
        st.caption("ทั่วประเทศ: นับเฉพาะข้อมูลที่จังหวัดล็อกแล้ว")
        return {}
    if level == "district":
        return {"district_code": pick_district(KEY, actor)}
    return {"province_code": pick_province(KEY, actor)}


def _months(kind: ExportKind, default: Any) -> dict[str, Any]:
    """The month, fiscal year or round the report covers, as the kind needs."""
    if kind.timing == "none":
        st.caption("ทุกปีที่มีข้อมูล (ปีปฏิทิน พ.ศ. × เดือน)")
        return {}
    if kind.timing == "month":
        return {"period": pick_period(KEY, default=default)}
    years = fiscal_year_options()
    if kind.timing == "span":
        span = st.radio("ช่วงเวลา", list(SPAN_CHOICES), format_func=SPAN_CHOICES.get, horizontal=True, key=f"{KEY}_span")
        if span == "month":
            return {"period": pick_period(KEY, default=default)}
        year = st.selectbox("ปีงบประมาณ (พ.ศ.)", years, key=f"{KEY}_span_year")
        return {"fiscal_year_be": year, "round_no": {"year": None, "round1": 1, "round2": 2}[span]}
    left, right = st.columns(2)
    year = left.selectbox("ปีงบประมาณ (พ.ศ.)", years, key=f"{KEY}_year")
    if kind.timing == "round":
        round_no = right.radio("รอบการประเมิน", [1, 2], format_func=ROUND_LABELS.get, key=f"{KEY}_round")
        return {"fiscal_year_be": year, "round_no": round_no}
    return {"fiscal_year_be": year}


st.title("รายงานและส่งออก Excel")
st.caption(
    "รายงานตามแบบฟอร์มทางราชการ (รต.1–รต.4 แบบประมาณการ ตารางเป้าหมาย) และรายงานของระบบเดิม "
    "ไฟล์ Excel ใช้ตัวอักษร TH Sarabun New ตั้งหน้ากระดาษ A4 แนวนอน พร้อมพิมพ์"
)
actor = get_actor()
engine = get_engine()
kinds = {kind.code: kind for kind in kinds_for(actor)}
code = st.selectbox("รายงาน", list(kinds), format_func=lambda value: kinds[value].label, key=f"{KEY}_kind")
kind = kinds[code]
request = ExportRequest(kind.code, **_area(kind, actor), **_months(kind, _last_closed(engine, str(engine.url))))

export = render_export_download(engine=engine, actor=actor, request=request, key=KEY, label="ดาวน์โหลดไฟล์ Excel")
if export is not None:
    sheet = export.sheets[0]
    st.subheader(sheet.title_lines[0])
    st.markdown("  \n".join(sheet.title_lines[1:]))
    for line in sheet.status_lines:
        st.caption(line)
    if not sheet.rows:
        st.info("ยังไม่มีข้อมูลในช่วงที่เลือก ไฟล์ Excel จะมีเฉพาะหัวตาราง", icon=":material/info:")
    numbers = {
        column.label: st.column_config.TextColumn(column.label, alignment="right")
        for column in sheet.columns
        if column.kind in ("money", "integer", "percent")
    }
    st.dataframe(preview_frame(sheet), column_config=numbers, hide_index=True, key=f"{KEY}_preview")
    if sheet.signature:
        st.caption("ไฟล์ Excel มีช่องลงนามผู้รายงาน (พัฒนาการอำเภอ) ท้ายตาราง")
