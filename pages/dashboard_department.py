"""National dashboard for the department: provinces ranked by attainment, national totals, locked data only."""

import streamlit as st

from otop import charts
from otop.dashboards import ranking_frame
from otop.i18n import LEVEL_LABELS, format_baht, format_percent, period_name
from otop.navigation import roles_of
from otop.permissions import PermissionDenied
from pages.common import get_engine, pick_province, require_roles
from pages.dashboard_common import (
    cached_national_dashboard,
    cached_province_dashboard,
    database_key,
    pick_window,
    show_breakdown,
    show_figure,
    show_headline,
    show_table,
    show_target_table,
)

KEY = "dashboard_department"

st.title("แดชบอร์ดระดับประเทศ")
st.info(
    "นับเฉพาะข้อมูลที่จังหวัดล็อกแล้วเท่านั้น เดือนที่จังหวัดยังไม่ล็อกถือว่ายังไม่ยืนยัน และไม่นับในแดชบอร์ดนี้",
    icon=":material/lock:",
)
actor = require_roles(*roles_of("pages/dashboard_department.py"))
engine = get_engine()
database = database_key(engine)
try:
    window = pick_window(KEY, actor=actor, locked_only=True)
    national = cached_national_dashboard(engine, database, actor, window.fiscal_year_be, window.round_no, window.as_of)
except PermissionDenied as error:
    st.error(str(error))
    st.stop()

months = f"ตุลาคม {window.fiscal_year_be - 1} – {period_name(window.as_of)}"
total = national.total
ranked = national.ranking
show_headline(total, parts=ranked, part_label="จังหวัด")
if national.provinces_without_data:
    st.caption(f"อีก {national.provinces_without_data} จังหวัดยังไม่มีข้อมูลที่ล็อกแล้วในปีงบประมาณนี้และปีก่อน")

tab_ranking, tab_totals, tab_drill = st.tabs(["อันดับจังหวัด", "ยอดรวมทั้งประเทศ", "รายอำเภอของจังหวัด"])

with tab_ranking:
    show_figure(
        charts.attainment_bars_chart(
            ranked,
            title=f"ร้อยละของเป้าหมายรายจังหวัด {months} (ข้อมูลที่ล็อกแล้ว) รอบที่ {window.round_no}",
            locked_only=True,
            as_percent=True,
        ),
        key=f"{KEY}_ranking_chart",
    )
    show_table(ranking_frame(national), f"{KEY}_ranking_table", percent_columns=["ร้อยละของเป้าหมาย"])

with tab_totals:
    show_breakdown(national.breakdown, total, KEY)

with tab_drill:
    province_code = pick_province(f"{KEY}_drill", actor)
    province = cached_province_dashboard(
        engine, database, actor, province_code, window.fiscal_year_be, window.round_no, window.as_of, True
    )
    st.markdown(
        f"จังหวัด{province.province_name_th}: ยอดที่ล็อกแล้ว **{format_baht(province.province.total, decimals=0)}** · "
        f"{format_percent(province.province.attainment)} ของขั้นสูง · "
        f"สถานะ **{LEVEL_LABELS[province.province.status]}**"
    )
    show_figure(
        charts.attainment_bars_chart(
            province.districts,
            title=f"ยอดที่ล็อกแล้วรายอำเภอ จังหวัด{province.province_name_th} ({months})",
            locked_only=True,
        ),
        key=f"{KEY}_drill_chart",
    )
    show_target_table(province, key=f"{KEY}_drill_table")
    st.caption("ยอดจริงนับเฉพาะเดือนที่จังหวัดล็อกแล้ว อำเภอที่ยังไม่ล็อกบางเดือนจึงอาจมียอดต่ำกว่าในแดชบอร์ดจังหวัด")
