"""Province dashboard: every district's running total against its levels and pace, the official table, trends."""

import streamlit as st

from otop import charts
from otop.dashboards import monthly_history_frame, projection_frame
from otop.i18n import LEVEL_LABELS, format_baht, format_percent, period_name
from otop.navigation import roles_of
from otop.permissions import PermissionDenied
from pages.common import get_engine, pick_province, require_roles
from pages.dashboard_common import (
    cached_month_completeness,
    cached_monthly_history,
    cached_province_dashboard,
    database_key,
    pick_window,
    show_breakdown,
    show_completeness_strip,
    show_figure,
    show_headline,
    show_table,
    show_target_table,
)
from pages.excel_panels import render_targets_download

KEY = "dashboard_province"

st.title("แดชบอร์ดจังหวัด")
actor = require_roles(*roles_of("pages/dashboard_province.py"))
engine = get_engine()
database = database_key(engine)
province_code = pick_province(KEY, actor)
try:
    window = pick_window(KEY, actor=actor, province_code=province_code)
    dashboard = cached_province_dashboard(
        engine, database, actor, province_code, window.fiscal_year_be, window.round_no, window.as_of
    )
    completeness = cached_month_completeness(engine, database, actor, province_code, window.as_of)
    history = cached_monthly_history(engine, database, actor, province_code)
except PermissionDenied as error:
    st.error(str(error))
    st.stop()

province = dashboard.province
months = f"ตุลาคม {window.fiscal_year_be - 1} – {period_name(window.as_of)}"
if window.latest_with_data is None:
    st.info(
        f"จังหวัด{dashboard.province_name_th}ยังไม่มียอดจำหน่ายในรอบที่ {window.round_no} ปีงบประมาณ {window.fiscal_year_be}"
    )

st.caption(
    f"จังหวัด{dashboard.province_name_th} · ยอดจำหน่ายสะสม {months} · "
    f"เทียบกับระดับเป้าหมายรอบที่ {window.round_no} (ฐาน = ยอดเดือนเดียวกันของปีงบประมาณ {window.fiscal_year_be - 1})"
)
show_headline(province, parts=dashboard.districts)
if province.unlocked_total:
    st.warning(
        f"ยอด {format_baht(province.unlocked_total)} มาจากเดือนที่จังหวัดยังไม่ล็อก (ยังไม่ยืนยัน) "
        "แสดงเป็นแถบลายเส้นในกราฟ และไม่นับในรายงานของกรมการพัฒนาชุมชนจนกว่าจะล็อก",
        icon=":material/lock_open:",
    )
show_completeness_strip(completeness, window.as_of)

(
    tab_districts,
    tab_table,
    tab_cumulative,
    tab_projection,
    tab_breakdown,
    tab_year,
    tab_history,
) = st.tabs(
    [
        "ยอดสะสมรายอำเภอ",
        "ตารางเป้าหมาย",
        "ยอดสะสมรายเดือน",
        "ประมาณการสิ้นปี",
        "สัดส่วนยอดจำหน่าย",
        "เทียบปีก่อน",
        "ข้อมูลรายเดือน",
    ]
)

with tab_districts:
    compare = st.radio(
        "เทียบกับ",
        ["round", "to_date"],
        format_func={
            "round": "ระดับเป้าหมายทั้งรอบ (ตามหนังสือจังหวัด)",
            "to_date": f"ระดับเป้าหมายสะสมถึง{period_name(window.as_of)} (ตามสัดส่วนปีก่อน)",
        }.get,
        horizontal=True,
        key=f"{KEY}_compare",
    )
    to_date = compare == "to_date"
    show_figure(
        charts.attainment_bars_chart(
            dashboard.districts,
            title=f"ยอดจำหน่ายสะสมรายอำเภอ {months} เทียบระดับเป้าหมายรอบที่ {window.round_no}",
            to_date=to_date,
        ),
        key=f"{KEY}_districts_chart",
    )

with tab_table:
    st.subheader(f"เป้าหมายตัวชี้วัด ปีงบประมาณ {window.fiscal_year_be} รอบที่ {window.round_no}")
    show_target_table(dashboard, key=f"{KEY}_target_table")
    render_targets_download(
        engine=engine,
        actor=actor,
        province_code=province_code,
        fiscal_year_be=window.fiscal_year_be,
        round_no=window.round_no,
        as_of=window.as_of,
        key=f"{KEY}_targets_excel",
    )
    st.caption("คลิกหัวคอลัมน์เพื่อเรียงลำดับ · สถานะ = ระดับสูงสุดที่ยอดสะสมถึง · ยังไม่ล็อก = เดือนที่จังหวัดยังไม่ล็อกข้อมูล")

with tab_cumulative:
    show_figure(
        charts.cumulative_chart(province, title=f"ยอดสะสมรายเดือน จังหวัด{dashboard.province_name_th}"),
        key=f"{KEY}_province_cumulative",
    )
    names = {area.code: area.name_th for area in dashboard.districts}
    chosen = st.selectbox("อำเภอ", list(names), format_func=names.get, key=f"{KEY}_district")
    district = next(area for area in dashboard.districts if area.code == chosen)
    show_figure(
        charts.cumulative_chart(district, title=f"ยอดสะสมรายเดือน อำเภอ{district.name_th}"),
        key=f"{KEY}_district_cumulative",
    )

with tab_projection:
    projection = dashboard.province_projection
    st.markdown(
        f"ประมาณการยอดทั้งปีงบประมาณ {window.fiscal_year_be} ของจังหวัด: "
        f"**{format_baht(projection.projected, decimals=0)}** "
        f"({format_percent(projection.attainment)} ของขั้นสูงทั้งปี) · ระดับที่น่าจะได้: "
        f"**{LEVEL_LABELS[projection.likely_status] if projection.likely_status else '–'}**"
    )
    show_figure(
        charts.projection_chart(
            dashboard.projections,
            title=f"ประมาณการยอดสิ้นปีงบประมาณ {window.fiscal_year_be} รายอำเภอ เทียบระดับเป้าหมายรอบที่ 2",
        ),
        key=f"{KEY}_projection_chart",
    )
    show_table(
        projection_frame(dashboard.projections),
        f"{KEY}_projection_table",
        percent_columns=["ร้อยละของเป้าหมายทั้งปี"],
        all_rows=True,
    )

with tab_breakdown:
    show_breakdown(dashboard.breakdown, province, KEY)

with tab_year:
    show_figure(
        charts.year_over_year_chart(
            dashboard.year_over_year,
            title=f"ยอดจำหน่ายรายเดือน ปีงบประมาณ {window.fiscal_year_be} เทียบ {window.fiscal_year_be - 1}",
        ),
        key=f"{KEY}_year_over_year_chart",
    )

with tab_history:
    st.subheader("ข้อมูลรายเดือนของยอดจำหน่าย")
    show_table(monthly_history_frame(history), f"{KEY}_history_table", all_rows=True)
    st.caption("ปีปฏิทิน (พ.ศ.) × เดือน เช่นเดียวกับหน้า “ข้อมูลรายเดือน” ของระบบเดิม · – = ยังไม่มีข้อมูล")
