"""User administration: the province's (or, nationally, every) account; create, assign, disable, reset, unlock."""

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from db.engine import session_scope
from otop.config import get_settings
from otop.i18n import ROLE_LABELS, format_thai_datetime
from otop.masterdata import list_districts, list_provinces
from otop.navigation import USER_ADMIN_ROLES
from otop.permissions import Actor, PermissionDenied
from otop.users import (
    UserError,
    UserView,
    assignable_roles,
    create_user,
    list_users,
    reset_password,
    set_user_active,
    unlock_user,
    update_user,
)
from pages.common import clear_cached_reads, get_engine, require_roles

FLASH_KEY = "users_flash"
ALL_AREAS = ""

actor = require_roles(*USER_ADMIN_ROLES)
engine = get_engine()
settings = get_settings()


def _province_names() -> dict[str, str]:
    with session_scope(engine) as session:
        return {province.code: province.name_th for province in list_provinces(session)}


def _district_names(province_code: str) -> dict[str, str]:
    with session_scope(engine) as session:
        return {district.code: district.name_th for district in list_districts(session, province_code)}


def _run(write: Callable[..., UserView], message: Callable[[UserView], str], *, clear: tuple[str, ...] = ()) -> None:
    """One write in its own transaction; a refusal is shown where the button is, a success after the reload."""
    try:
        with session_scope(engine, write=True) as session:
            view = write(session=session, actor=actor)
    except (UserError, PermissionDenied) as error:
        st.error(str(error))
        return
    clear_cached_reads()
    st.session_state[FLASH_KEY] = message(view)
    for key in clear:
        st.session_state.pop(key, None)
    st.rerun()


def _area_inputs(
    key: str, actor: Actor, role: str, *, province_code: str | None = None, district_code: str | None = None
) -> tuple[str | None, str | None]:
    """Province and district pickers for the role being assigned; a province officer stays in their province."""
    if role not in ("district", "province"):
        st.caption("บทบาทนี้ดูแลทั้งประเทศ ไม่ผูกกับจังหวัดหรืออำเภอ")
        return None, None
    if actor.province_code:
        chosen_province = actor.province_code
    else:
        provinces = _province_names()
        codes = list(provinces)
        default = province_code if province_code in provinces else ("31" if "31" in provinces else codes[0])
        chosen_province = st.selectbox(
            "จังหวัด",
            codes,
            index=codes.index(default),
            format_func=lambda code: f"{provinces[code]} ({code})",
            key=f"{key}_province",
        )
    if role == "province":
        return chosen_province, None
    districts = _district_names(chosen_province)
    codes = list(districts)
    index = codes.index(district_code) if district_code in districts else 0
    chosen_district = st.selectbox(
        "อำเภอ",
        codes,
        index=index,
        format_func=lambda code: f"{districts[code]} ({code})",
        key=f"{key}_district_{chosen_province}",
    )
    return chosen_province, chosen_district


def _role_input(key: str, *, current: str | None = None) -> str:
    roles = assignable_roles(actor)
    if current is not None and current not in roles:
        roles = [current, *roles]
    return st.selectbox(
        "บทบาท",
        roles,
        index=roles.index(current) if current in roles else 0,
        format_func=lambda role: ROLE_LABELS[role],
        key=key,
    )


USER_COLUMNS = (
    "ชื่อผู้ใช้",
    "สถานะ",
    "บทบาท",
    "พื้นที่",
    "ชื่อที่แสดง",
    "ตำแหน่ง",
    "รหัสผ่านผิดติดกัน (ครั้ง)",
    "เปลี่ยนรหัสผ่านล่าสุด",
)


def _users_table(users: list[UserView]) -> pd.DataFrame:
    rows = [
        (
            user.username,
            user.status_label,
            user.role_label,
            user.area_name,
            user.display_name,
            user.position_title,
            user.failed_attempts,
            format_thai_datetime(user.password_changed_at),
        )
        for user in users
    ]
    return pd.DataFrame(rows, columns=list(USER_COLUMNS))


def _edit_user(user: UserView) -> None:
    key = f"users_edit_{user.username}"
    st.markdown(f"**{user.display_name}** ({user.username}) · {user.role_label} · {user.area_name}")
    st.caption(f"สถานะ: {user.status_label}")
    details, access = st.columns(2, gap="large")
    with details:
        st.markdown("##### บทบาทและพื้นที่")
        display_name = st.text_input("ชื่อที่แสดง", value=user.display_name, key=f"{key}_name")
        position_title = st.text_input("ตำแหน่ง", value=user.position_title, key=f"{key}_position")
        role = _role_input(f"{key}_role", current=user.role)
        province_code, district_code = _area_inputs(
            key, actor, role, province_code=user.province_code, district_code=user.district_code
        )
        if st.button("บันทึกการแก้ไข", key=f"{key}_save", type="primary"):
            _run(
                partial(
                    update_user,
                    username=user.username,
                    role=role,
                    province_code=province_code,
                    district_code=district_code,
                    display_name=display_name,
                    position_title=position_title,
                ),
                lambda view: f"บันทึกข้อมูลของ {view.username} แล้ว ({view.role_label} · {view.area_name})",
            )
    with access:
        st.markdown("##### การเข้าใช้งาน")
        if user.username == actor.username:
            st.caption("บัญชีของคุณเอง: ปิดการใช้งานหรือเปลี่ยนบทบาทไม่ได้ เปลี่ยนรหัสผ่านได้ที่หน้า บัญชีของฉัน")
        elif user.active:
            if st.button("ปิดการใช้งานบัญชีนี้", key=f"{key}_disable", icon=":material/block:"):
                _run(
                    partial(set_user_active, username=user.username, active=False),
                    lambda view: f"ปิดการใช้งานบัญชี {view.username} แล้ว เข้าสู่ระบบไม่ได้จนกว่าจะเปิดอีกครั้ง",
                )
        elif st.button("เปิดการใช้งานบัญชีนี้อีกครั้ง", key=f"{key}_enable", icon=":material/check_circle:"):
            _run(
                partial(set_user_active, username=user.username, active=True),
                lambda view: f"เปิดการใช้งานบัญชี {view.username} แล้ว",
            )
        if user.locked or user.failed_attempts:
            if st.button("ปลดล็อกบัญชี", key=f"{key}_unlock", icon=":material/lock_open:"):
                _run(
                    partial(unlock_user, username=user.username),
                    lambda view: f"ปลดล็อกบัญชี {view.username} แล้ว",
                )
        st.markdown("##### ตั้งรหัสผ่านใหม่")
        st.caption(f"ใช้เมื่อผู้ใช้ลืมรหัสผ่าน (ยาวอย่างน้อย {settings.min_password_length} ตัวอักษร) และจะปลดล็อกบัญชีด้วย")
        new_password = st.text_input("รหัสผ่านใหม่", type="password", key=f"{key}_password")
        confirm_password = st.text_input("ยืนยันรหัสผ่านใหม่", type="password", key=f"{key}_password_confirm")
        if st.button("ตั้งรหัสผ่านใหม่", key=f"{key}_reset"):
            if new_password != confirm_password:
                st.error("รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน")
            else:
                _run(
                    partial(reset_password, username=user.username, new_password=new_password, settings=settings),
                    lambda view: f"ตั้งรหัสผ่านใหม่ให้ {view.username} แล้ว แจ้งรหัสผ่านให้เจ้าของบัญชีโดยตรง",
                    clear=(f"{key}_password", f"{key}_password_confirm"),
                )


def _create_user(default_province: str | None) -> None:
    key = "users_new"
    left, right = st.columns(2, gap="large")
    with left:
        username = st.text_input(
            "ชื่อผู้ใช้", key=f"{key}_username", help="อักษรภาษาอังกฤษตัวเล็ก ตัวเลข จุด ขีด หรือขีดล่าง 3–50 ตัว เช่น district3101"
        )
        display_name = st.text_input("ชื่อที่แสดง", key=f"{key}_name", placeholder="เช่น สำนักงานพัฒนาชุมชนอำเภอเมืองบุรีรัมย์")
        position_title = st.text_input("ตำแหน่ง", key=f"{key}_position", placeholder="เช่น พัฒนาการอำเภอ")
    with right:
        role = _role_input(f"{key}_role")
        province_code, district_code = _area_inputs(key, actor, role, province_code=default_province)
        password = st.text_input(
            "รหัสผ่านเริ่มต้น",
            type="password",
            key=f"{key}_password",
            help=f"อย่างน้อย {settings.min_password_length} ตัวอักษร ผู้ใช้เปลี่ยนเองได้ที่หน้า บัญชีของฉัน",
        )
        confirm_password = st.text_input("ยืนยันรหัสผ่าน", type="password", key=f"{key}_password_confirm")
    if st.button("เพิ่มผู้ใช้", key=f"{key}_create", type="primary", icon=":material/person_add:"):
        if password != confirm_password:
            st.error("รหัสผ่านทั้งสองช่องไม่ตรงกัน")
            return
        _run(
            partial(
                create_user,
                username=username,
                display_name=display_name,
                position_title=position_title,
                role=role,
                province_code=province_code,
                district_code=district_code,
                password=password,
                settings=settings,
            ),
            lambda view: f"เพิ่มผู้ใช้ {view.username} ({view.role_label} · {view.area_name}) แล้ว",
            clear=tuple(f"{key}_{name}" for name in ("username", "name", "position", "password", "password_confirm")),
        )


st.title("จัดการผู้ใช้")
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash, icon=":material/check_circle:")

if actor.province_code:
    scope: str | None = actor.province_code
    st.caption(f"ผู้ใช้ของจังหวัด{_province_names().get(actor.province_code, actor.province_code)}")
else:
    provinces = _province_names()
    choice = st.selectbox(
        "แสดงผู้ใช้ของ",
        [ALL_AREAS, *provinces],
        format_func=lambda code: "ทุกจังหวัดและส่วนกลาง" if code == ALL_AREAS else f"จังหวัด{provinces[code]}",
        key="users_scope",
    )
    scope = choice or None

with session_scope(engine) as session:
    users = list_users(session=session, actor=actor, province_code=scope)

active_count = sum(1 for user in users if user.active)
locked_count = sum(1 for user in users if user.locked)
st.caption(f"ทั้งหมด {len(users):,} บัญชี · ใช้งานได้ {active_count:,} · ถูกระงับชั่วคราว {locked_count:,}")
st.dataframe(_users_table(users), hide_index=True, width="stretch", key="users_table")

edit_tab, create_tab = st.tabs(["แก้ไขผู้ใช้", "เพิ่มผู้ใช้"])
with edit_tab:
    if users:
        by_name = {user.username: user for user in users}
        selected = st.selectbox(
            "เลือกผู้ใช้",
            list(by_name),
            format_func=lambda name: f"{name} — {by_name[name].display_name}",
            key="users_selected",
        )
        _edit_user(by_name[selected])
    else:
        st.info("ยังไม่มีผู้ใช้ในขอบเขตนี้")
with create_tab:
    _create_user(scope)
