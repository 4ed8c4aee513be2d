"""Home: what the portal is for and where to start."""

import streamlit as st

from otop.fiscal import Period, bangkok_now, fiscal_year_of
from otop.i18n import period_name

today = bangkok_now()
st.title("ระบบรายงานรายได้จากการจำหน่ายผลิตภัณฑ์ชุมชน OTOP")
st.caption(f"ปีงบประมาณ พ.ศ. {fiscal_year_of(today.date())} · เดือนปัจจุบัน {period_name(Period.of_date(today.date()))}")
st.markdown(
    "อำเภอบันทึกยอดจำหน่ายของผู้ผลิต OTOP ทุกเดือน (แบบ รต.1) และยืนยันข้อมูล "
    "จังหวัดตรวจสอบและล็อกข้อมูล เฉพาะข้อมูลที่จังหวัดล็อกแล้วจึงนับในรายงานของกรมการพัฒนาชุมชน"
)
