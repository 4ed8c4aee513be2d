"""District dashboard: the district's own running total against its levels and pace, forecast, top producers."""

import streamlit as st

from otop import charts
from otop.dashboards import forecast_frame, monthly_history_frame
from otop.i18n import (
    LEVEL_LABELS,
    format_baht,
    format_percent,
    period_name,
)
from otop.navigation import roles_of
from otop.permissions import PermissionDenied
from pages.common import get_engine, pick_district, require_roles
from pages.dashboard_common import (
    cached_district_dashboard,
    cached_monthly_history,
    database_key,
    pick_window,
    show_breakdown,
    show_figure,
    show_headline,
    show_table,
)

KEY = "dashboard_district"

st.title("แดชบอร์ดอำเภอ")
actor = require_roles(*roles_of("pages/dashboard_district.py"))
engine = get_engine()
database = database_key(engine)
try:
    district_code = pick_district(KEY, actor)
    window = pick_window(KEY, actor=actor, district_code=district_code)
    dashboard = cached_district_dashboard(
        engine, database, actor, district_code, window.fiscal_year_be, window.round_no, window.as_of
    )
    history = cached_monthly_history(engine, database, actor, None, district_code)
except PermissionDenied as error:
    st.error(str(error))
    st.stop()

progress = dashboard.progress
months = f"ตุลาคม {window.fiscal_year_be - 1} – {period_name(window.as_of)}"
if window.latest_with_data is None:
    st.info(
        f"อำเภอ{dashboard.district_name_th}ยังไม่มียอดจำหน่ายในรอบที่ {window.round_no} ปีงบประมาณ {window.fiscal_year_be}"
    )
st.caption(f"อำเภอ{dashboard.district_name_th} · ยอดจำหน่ายสะสม {months} · เทียบกับระดับเป้าหมายรอบที่ {window.round_no}")
show_headline(progress)
if progress.unlocked_total:
    st.warning(
        f"ยอด {format_baht(progress.unlocked_total)} ของเดือน "
        f"{', '.join(period_name(period) for period in progress.unlocked_periods)} จังหวัดยังไม่ล็อก (ยังไม่ยืนยัน)",
        icon=":material/lock_open:",
    )

tab_progress, tab_forecast, tab_producers, tab_breakdown, tab_year, tab_history = st.tabs(
    ["ยอดสะสมเทียบเป้าหมาย", "ประมาณการเทียบยอดจริง", "ผู้ผลิตยอดสูงสุด", "สัดส่วนยอดจำหน่าย", "เทียบปีก่อน", "ข้อมูลรายเดือน"]
)

with tab_progress:
    show_figure(
        charts.attainment_bars_chart([progress], title=f"ยอดจำหน่ายสะสม {months} เทียบระดับเป้าหมายรอบที่ {window.round_no}"),
        key=f"{KEY}_progress_chart",
    )
    show_figure(
        charts.cumulative_chart(progress, title=f"ยอดสะสมรายเดือนอำเภอ{dashboard.district_name_th}"),
        key=f"{KEY}_cumulative_chart",
    )
    projection = dashboard.projection
    st.markdown(
        f"**ประมาณการยอดทั้งปีงบประมาณ {window.fiscal_year_be}:** {format_baht(projection.projected, decimals=0)} "
        f"({format_percent(projection.attainment)} ของขั้นสูงทั้งปี {format_baht(projection.levels.advanced, decimals=0)})"
        f" · ระดับที่น่าจะได้: **{LEVEL_LABELS[projection.likely_status] if projection.likely_status else '–'}**"
    )
    st.caption(charts.PROJECTION_NOTE.split(" · ")[0])

with tab_forecast:
    if not progress.forecast:
        st.info("อำเภอยังไม่ได้บันทึกแบบประมาณการรายได้ของปีงบประมาณนี้")
    show_figure(
        charts.forecast_vs_actual_chart(progress, title="ประมาณการเทียบยอดจริงรายเดือน แยกตามช่องทางจำหน่าย"),
        key=f"{KEY}_forecast_chart",
    )
    show_table(forecast_frame(progress), f"{KEY}_forecast_table", percent_columns=["ร้อยละของประมาณการ"], all_rows=True)

with tab_producers:
    show_figure(
        charts.top_producers_chart(
            dashboard.top_producers, title=f"ผู้ผลิตที่มียอดจำหน่ายสูงสุด {len(dashboard.top_producers)} อันดับ ({months})"
        ),
        key=f"{KEY}_producers_chart",
    )

with tab_breakdown:
    show_breakdown(dashboard.breakdown, progress, KEY)

with tab_year:
    show_figure(
        charts.year_over_year_chart(
            dashboard.year_over_year,
            title=f"ยอดจำหน่ายรายเดือน ปีงบประมาณ {window.fiscal_year_be} เทียบ {window.fiscal_year_be - 1}",
        ),
        key=f"{KEY}_year_over_year_chart",
    )

with tab_history:
    show_table(monthly_history_frame(history), f"{KEY}_history_table", all_rows=True)
    st.caption("ปีปฏิทิน (พ.ศ.) × เดือน · – = ยังไม่มีข้อมูล")
