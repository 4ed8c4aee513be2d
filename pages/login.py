"""Login: the only screen an anonymous visitor can open."""

import pandas as pd
import streamlit as st

from otop.config import get_settings
from otop.demo import DEMO_PASSWORDS
from pages.common import AUTHENTICATOR_KEY, LOGIN_NOTICE_KEY, LOGIN_RESULT_KEY

LOGIN_FIELDS = {"Form name": "เข้าสู่ระบบ", "Username": "ชื่อผู้ใช้", "Password": "รหัสผ่าน", "Login": "เข้าสู่ระบบ"}
DEMO_ACCOUNTS = (
    ("admin", DEMO_PASSWORDS["admin"], "ผู้ดูแลระบบ"),
    ("department", DEMO_PASSWORDS["department"], "กรมการพัฒนาชุมชน"),
    ("province31", DEMO_PASSWORDS["province"], "สำนักงานพัฒนาชุมชนจังหวัดบุรีรัมย์"),
    ("district3101 … district3123", DEMO_PASSWORDS["district"], "สำนักงานพัฒนาชุมชนอำเภอ (23 อำเภอของบุรีรัมย์)"),
)

authenticator = st.session_state.get(AUTHENTICATOR_KEY)
if authenticator is None:
    st.error("ระบบเข้าสู่ระบบยังไม่พร้อม กรุณาเปิดหน้าเว็บใหม่")
    st.stop()


_, center, _ = st.columns([1, 2, 1])
with center:
    st.header("ระบบรายงานรายได้จากการจำหน่ายผลิตภัณฑ์ชุมชน (OTOP)")
    st.caption("กรมการพัฒนาชุมชน กระทรวงมหาดไทย · สำหรับเจ้าหน้าที่อำเภอ จังหวัด และกรม")
    notice = st.session_state.pop(LOGIN_NOTICE_KEY, None)
    if notice:
        st.warning(notice)
    authenticator.login(location="main", fields=LOGIN_FIELDS, key="login_form")
    if st.session_state.get("authentication_status"):
        st.rerun()
    result = st.session_state.pop(LOGIN_RESULT_KEY, None)
    if result is not None and not result.ok:
        st.error(result.message, icon=":material/error:")
    st.caption("ลืมรหัสผ่านหรือบัญชีถูกระงับ ติดต่อสำนักงานพัฒนาชุมชนจังหวัดหรือผู้ดูแลระบบ")
    if get_settings().demo_mode:
        with st.expander("บัญชีทดลองใช้ (เฉพาะโหมดสาธิต)"):
            st.dataframe(
                pd.DataFrame(DEMO_ACCOUNTS, columns=["ชื่อผู้ใช้", "รหัสผ่าน", "บัญชีของ"]),
                hide_index=True,
                width="stretch",
            )
