"""My account: who I am in the portal, and changing my own password."""

import streamlit as st

from db.engine import session_scope
from otop.config import get_settings
from otop.i18n import format_thai_datetime
from otop.permissions import PermissionDenied
from otop.users import UserError, change_own_password, get_own_account
from pages.common import clear_cached_reads, get_actor, get_engine

FLASH_KEY = "account_flash"
PASSWORD_KEYS = ("account_current_password", "account_new_password", "account_confirm_password")

actor = get_actor()
engine = get_engine()
settings = get_settings()

st.title("บัญชีของฉัน")
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash, icon=":material/check_circle:")

with session_scope(engine) as session:
    account = get_own_account(session=session, actor=actor)

details, password_column = st.columns([1, 1], gap="large")
with details:
    st.subheader("ข้อมูลบัญชี")
    st.markdown(
        "\n".join(
            [
                f"- **ชื่อผู้ใช้:** {account.username}",
                f"- **ชื่อที่แสดง:** {account.display_name}",
                f"- **ตำแหน่ง:** {account.position_title or '–'}",
                f"- **บทบาท:** {account.role_label}",
                f"- **พื้นที่:** {account.area_name}",
                f"- **เปลี่ยนรหัสผ่านล่าสุด:** {format_thai_datetime(account.password_changed_at)}",
            ]
        )
    )
    st.caption("ต้องการแก้ชื่อ ตำแหน่ง หรือพื้นที่ ติดต่อสำนักงานพัฒนาชุมชนจังหวัดหรือผู้ดูแลระบบ")

with password_column:
    st.subheader("เปลี่ยนรหัสผ่าน")
    with st.form("account_password_form", clear_on_submit=True):
        current_password = st.text_input("รหัสผ่านปัจจุบัน", type="password", key="account_current_password")
        new_password = st.text_input(
            "รหัสผ่านใหม่",
            type="password",
            key="account_new_password",
            help=(f"อย่างน้อย {settings.min_password_length} ตัวอักษร ไม่ขึ้นต้นหรือลงท้ายด้วยช่องว่าง และไม่เหมือนชื่อผู้ใช้"),
        )
        confirm_password = st.text_input("ยืนยันรหัสผ่านใหม่", type="password", key="account_confirm_password")
        submitted = st.form_submit_button("บันทึกรหัสผ่านใหม่", type="primary", key="account_change_password")
    if submitted:
        if not current_password:
            st.error("กรุณากรอกรหัสผ่านปัจจุบัน")
        elif new_password != confirm_password:
            st.error("รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน กรุณากรอกใหม่")
        else:
            try:
                with session_scope(engine, write=True) as session:
                    changed = change_own_password(
                        session=session,
                        actor=actor,
                        current_password=current_password,
                        new_password=new_password,
                        settings=settings,
                    )
            except (UserError, PermissionDenied) as error:
                st.error(str(error))
            else:
                clear_cached_reads()
                for key in PASSWORD_KEYS:
                    st.session_state.pop(key, None)
                st.session_state[FLASH_KEY] = (
                    f"เปลี่ยนรหัสผ่านแล้วเมื่อ {format_thai_datetime(changed.password_changed_at)} "
                    "ครั้งหน้าให้เข้าสู่ระบบด้วยรหัสผ่านใหม่"
                )
                st.rerun()
