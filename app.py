"""Entry point: page config, database, login, the actor, and the navigation of the actor's screens."""

import streamlit as st

from otop.bootstrap import open_database
from otop.config import SettingsError, get_settings
from otop.navigation import pages_for
from pages.common import ENGINE_KEY

st.set_page_config(page_title="ระบบรายงานรายได้ OTOP", page_icon="🧺", layout="wide")


@st.cache_resource(show_spinner="กำลังเตรียมฐานข้อมูล…")
def _engine():  # type: ignore[no-untyped-def]
    return open_database(get_settings())


try:
    settings = get_settings()
    settings.ensure_safe()
except SettingsError as error:
    st.error(str(error))
    st.stop()

engine = _engine()
st.session_state[ENGINE_KEY] = engine
if settings.demo_mode:
    st.info("โหมดสาธิต: ข้อมูลและรหัสผ่านเป็นตัวอย่างเท่านั้น", icon=":material/science:")

navigation = st.navigation([st.Page(page.path, title=page.title, icon=page.icon) for page in pages_for("admin")])
navigation.run()
