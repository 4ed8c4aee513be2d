"""The three dashboard pages, run as scripts: each role that may open one sees its title and charts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from otop.permissions import Actor
from pages.common import clear_cached_reads
from tests.factories import actor, make_producer, make_sale

PAGES = Path(__file__).resolve().parent.parent / "pages"
PROVINCE_PAGE = str(PAGES / "dashboard_province.py")
DISTRICT_PAGE = str(PAGES / "dashboard_district.py")
DEPARTMENT_PAGE = str(PAGES / "dashboard_department.py")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def open_page(page: str, engine: Engine, who: Actor) -> AppTest:
    at = AppTest.from_file(page, default_timeout=60)
    at.session_state["otop_engine"] = engine
    at.session_state["otop_actor"] = who
    return at.run()


def figures(at: AppTest) -> list[dict]:
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def chart_titles(at: AppTest) -> list[str]:
    return [figure["layout"]["title"]["text"] for figure in figures(at)]


@pytest.mark.parametrize(
    ("page", "title", "who", "first_chart"),
    [
        (PROVINCE_PAGE, "แดชบอร์ดจังหวัด", actor("province", "31"), "ยอดจำหน่ายสะสมรายอำเภอ"),
        (PROVINCE_PAGE, "แดชบอร์ดจังหวัด", actor("department"), "ยอดจำหน่ายสะสมรายอำเภอ"),
        (PROVINCE_PAGE, "แดชบอร์ดจังหวัด", actor("admin"), "ยอดจำหน่ายสะสมรายอำเภอ"),
        (DISTRICT_PAGE, "แดชบอร์ดอำเภอ", actor("district", "3101"), "ยอดจำหน่ายสะสม ตุลาคม"),
        (DISTRICT_PAGE, "แดชบอร์ดอำเภอ", actor("province", "31"), "ยอดจำหน่ายสะสม ตุลาคม"),
        (DISTRICT_PAGE, "แดชบอร์ดอำเภอ", actor("admin"), "ยอดจำหน่ายสะสม ตุลาคม"),
        (DEPARTMENT_PAGE, "แดชบอร์ดระดับประเทศ", actor("department"), "ร้อยละของเป้าหมายรายจังหวัด"),
        (DEPARTMENT_PAGE, "แดชบอร์ดระดับประเทศ", actor("admin"), "ร้อยละของเป้าหมายรายจังหวัด"),
    ],
    ids=lambda value: value.username if isinstance(value, Actor) else None,
)
def test_dashboard_opens_for_each_role_that_may_see_it(
    demo_engine: Engine, page: str, title: str, who: Actor, first_chart: str
) -> None:
    at = open_page(page, demo_engine, who)
    assert not at.exception
    assert not at.error
    assert [element.value for element in at.title] == [title]
    titles = chart_titles(at)
    assert titles and titles[0].startswith(first_chart)
    assert all(figure["layout"]["font"]["family"].startswith("Sarabun") for figure in figures(at))


def test_province_dashboard_opens_on_the_latest_month_and_lists_every_district(demo_engine: Engine) -> None:
    at = open_page(PROVINCE_PAGE, demo_engine, actor("province", "31"))
    assert at.selectbox(key="dashboard_province_as_of").value.code == 256803
    assert at.selectbox(key="dashboard_province_fiscal_year").value == 2568
    assert at.metric[0].value == "฿2,510,591,410"
    assert at.metric[2].value == "ขั้นสูง"
    assert at.metric[3].value == "23/23"
    table = at.dataframe[0].value
    assert len(table) == 24 and table.iloc[-1]["อำเภอ"] == "รวมจังหวัดบุรีรัมย์"
    assert "ยอดจำหน่ายปี 2567 (ฐาน)" in table.columns
    assert any("ยังไม่ล็อก" in element.value for element in at.warning)
    assert any("ล็อกแล้ว 20/23 อำเภอ" in element.value for element in at.markdown)


def test_province_dashboard_compares_with_the_levels_to_date_on_request(demo_engine: Engine) -> None:
    at = open_page(PROVINCE_PAGE, demo_engine, actor("province", "31"))
    at.selectbox(key="dashboard_province_round").set_value(2).run()
    at.radio(key="dashboard_province_compare").set_value("to_date").run()
    assert not at.exception
    names = [trace.get("name") for trace in figures(at)[0]["data"]]
    assert "ขั้นสูง (ถึงเดือนนี้)" in names
    assert at.metric[2].value == "ต่ำกว่าฐาน"  # the whole year's levels are far off in March


def test_department_dashboard_says_only_locked_data_counts(demo_engine: Engine) -> None:
    at = open_page(DEPARTMENT_PAGE, demo_engine, actor("department"))
    assert "นับเฉพาะข้อมูลที่จังหวัดล็อกแล้วเท่านั้น" in at.info[0].value
    # Three Buriram districts have not had March locked, so the national figure is below the province's.
    assert at.metric[0].value == "฿2,485,062,747"
    assert any(title.startswith("ยอดที่ล็อกแล้วรายอำเภอ จังหวัดบุรีรัมย์") for title in chart_titles(at))


@pytest.mark.parametrize(
    ("page", "who"),
    [(PROVINCE_PAGE, actor("district", "3101")), (DEPARTMENT_PAGE, actor("province", "31"))],
    ids=["district-on-province", "province-on-department"],
)
def test_dashboard_refuses_a_role_outside_its_area(demo_engine: Engine, page: str, who: Actor) -> None:
    at = open_page(page, demo_engine, who)
    assert not at.exception
    assert at.error and "เปิดหน้านี้ไม่ได้" in at.error[0].value  # the page's own role guard
    assert not at.get("plotly_chart")


def test_district_dashboard_shows_a_new_sale_on_the_next_run_after_a_write(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3101")
        make_sale(session, producer, 256710, ("1000", "0", "0", "0"))
    at = open_page(DISTRICT_PAGE, engine, actor("district", "3101"))
    assert at.metric[0].value == "฿1,000"
    with session_scope(engine, write=True) as session:
        producer = make_producer(session, "3101")
        make_sale(session, producer, 256710, ("234", "0", "0", "0"))
    clear_cached_reads()  # what every page does after a write
    at.run()
    assert at.metric[0].value == "฿1,234"
