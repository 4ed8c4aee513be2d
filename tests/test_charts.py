"""Chart builders: the right traces, Thai titles and axis labels, baht and Thai months with BE years."""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go
import pytest

from otop import charts
from otop.dashboards import AreaProgress, ChannelSplit, ProducerSales, Projection, YearOverYear
from otop.fiscal import Period, fiscal_year_periods, round_periods
from otop.i18n import CATEGORY_LABELS
from otop.money import ZERO
from otop.targets import levels_of

ROUND_ONE = tuple(round_periods(2568, 1))


def progress(
    code: str,
    name: str,
    months: list[int],
    *,
    baseline: int = 1000,
    unlocked: list[int] | None = None,
    forecast: bool = True,
) -> AreaProgress:
    """An area whose months sold ``months`` baht each (all domestic offline)."""
    return AreaProgress(
        code=code,
        name_th=name,
        levels=levels_of(Decimal(baseline)),
        round_periods=ROUND_ONE,
        actual=tuple(ChannelSplit(domestic_offline=Decimal(amount)) for amount in months),
        unlocked=tuple(Decimal(amount) for amount in (unlocked or [0] * len(months))),
        previous=tuple(Decimal(baseline) / 6 for _ in ROUND_ONE),
        forecast=tuple(ChannelSplit(domestic_online=Decimal(150)) for _ in ROUND_ONE) if forecast else (),
    )


def trace_names(figure: go.Figure) -> list[str]:
    return [trace.name for trace in figure.data]


def test_attainment_bars_have_a_bar_per_status_level_ticks_and_the_pace() -> None:
    areas = [
        progress("3101", "เมืองบุรีรัมย์", [200] * 6, baseline=1000),
        progress("3102", "คูเมือง", [100] * 6, baseline=1000, unlocked=[0, 0, 0, 0, 0, 100]),
    ]
    figure = charts.attainment_bars_chart(areas, title="ยอดจำหน่ายสะสมรายอำเภอ")
    names = trace_names(figure)
    assert names[:5] == ["ต่ำกว่าฐาน", "ไม่ต่ำกว่าฐาน", "ขั้นต้น", "ขั้นมาตรฐาน", "ขั้นสูง"]
    assert "ยังไม่ล็อก (ยังไม่ยืนยัน)" in names
    assert names[-4:] == ["ขั้นต้น", "ขั้นมาตรฐาน", "ขั้นสูง", "ตามสัดส่วนเวลา"]
    advanced = figure.data[4]
    assert list(advanced.y) == ["เมืองบุรีรัมย์"]  # 1,200 ≥ 1,040
    assert list(advanced.x) == [1200.0]
    below = figure.data[0]
    assert list(below.y) == ["คูเมือง"] and list(below.x) == [500.0]  # the locked part only
    hatched = figure.data[5]
    assert hatched.marker.pattern.shape == "/"
    assert list(hatched.x) == [0.0, 100.0]
    assert figure.layout.title.text == "ยอดจำหน่ายสะสมรายอำเภอ"
    assert charts.PACE_NOTE in figure.layout.title.subtitle.text
    assert figure.layout.xaxis.title.text == "ยอดจำหน่ายสะสม (บาท)"
    assert figure.layout.xaxis.tickprefix == "฿"
    assert figure.layout.xaxis.tickformat == ",.0f"
    assert "Loma" in figure.layout.font.family
    assert list(figure.layout.yaxis.categoryarray) == ["คูเมือง", "เมืองบุรีรัมย์"]


def test_attainment_bars_without_unlocked_months_have_no_hatched_trace() -> None:
    figure = charts.attainment_bars_chart([progress("3101", "เมือง", [200] * 6)], title="t", locked_only=True)
    assert "ยังไม่ล็อก (ยังไม่ยืนยัน)" not in trace_names(figure)


def test_attainment_bars_as_percent_rank_areas_of_any_size() -> None:
    areas = [progress("31", "บุรีรัมย์", [520] * 6, baseline=3000), progress("30", "นครราชสีมา", [52] * 6, baseline=300)]
    figure = charts.attainment_bars_chart(areas, title="อันดับจังหวัด", as_percent=True, locked_only=True)
    advanced_bar = figure.data[4]
    assert list(advanced_bar.x) == pytest.approx([100.0, 100.0])  # 3,120 of 3,120 and 312 of 312
    ticks = next(trace for trace in figure.data if trace.name == "ขั้นสูง" and trace.type == "scatter")
    assert list(ticks.x) == pytest.approx([100.0, 100.0])
    assert figure.layout.xaxis.ticksuffix == "%"
    assert figure.layout.xaxis.title.text == "ร้อยละของระดับขั้นสูง (เป้าหมาย +4%)"


def test_attainment_bars_to_date_use_the_level_paths() -> None:
    area = progress("3101", "เมือง", [200, 200])
    figure = charts.attainment_bars_chart([area], title="t", to_date=True)
    ticks = next(trace for trace in figure.data if trace.name == "ขั้นสูง (ถึงเดือนนี้)")
    assert list(ticks.x) == [float(area.levels_to_date.advanced)]
    assert charts.PROFILE_NOTE in figure.layout.title.subtitle.text


def test_cumulative_chart_shows_actual_level_paths_pace_and_forecast_by_thai_month() -> None:
    area = progress("3101", "เมือง", [100, 300, 200])
    figure = charts.cumulative_chart(area, title="ยอดสะสมรายเดือน")
    assert trace_names(figure) == [
        "ขั้นต้น (ตามสัดส่วนปีก่อน)",
        "ขั้นมาตรฐาน (ตามสัดส่วนปีก่อน)",
        "ขั้นสูง (ตามสัดส่วนปีก่อน)",
        "ตามสัดส่วนเวลา",
        "ประมาณการของอำเภอ",
        "ยอดจริงสะสม",
    ]
    actual = figure.data[-1]
    assert list(actual.x) == ["ต.ค. 67", "พ.ย. 67", "ธ.ค. 67"]
    assert list(actual.y) == [100.0, 400.0, 600.0]
    assert list(figure.data[2].y)[-1] == 1040.0
    assert list(figure.data[4].y) == [150.0 * month for month in range(1, 7)]
    assert figure.layout.yaxis.title.text == "ยอดจำหน่ายสะสม (บาท)"
    assert figure.layout.xaxis.title.text == "เดือน"
    assert charts.PROFILE_NOTE in figure.layout.title.subtitle.text
    assert "฿" in actual.hovertemplate


def test_cumulative_chart_without_a_forecast_leaves_its_line_out() -> None:
    figure = charts.cumulative_chart(progress("3101", "เมือง", [100], forecast=False), title="t")
    assert "ประมาณการของอำเภอ" not in trace_names(figure)


def test_projection_chart_stacks_actual_and_estimate_coloured_by_likely_level() -> None:
    levels = levels_of(Decimal(1000))
    projections = [
        Projection("3101", "เมือง", Decimal(600), Decimal(1100), levels, "profile"),
        Projection("3102", "คูเมือง", Decimal(300), Decimal(900), levels, "profile"),
    ]
    figure = charts.projection_chart(projections, title="ประมาณการสิ้นปี")
    actual, estimate = figure.data[0], figure.data[1]
    assert actual.name == "ยอดจริงถึงเดือนที่เลือก"
    assert list(estimate.x) == [500.0, 600.0]
    assert list(actual.marker.color) == [charts.STATUS_COLOURS["advanced"], charts.STATUS_COLOURS["below_baseline"]]
    assert trace_names(figure)[2:] == ["ขั้นต้น ทั้งปี", "ขั้นมาตรฐาน ทั้งปี", "ขั้นสูง ทั้งปี"]
    assert figure.layout.xaxis.title.text == "ยอดจำหน่ายทั้งปีงบประมาณ (บาท)"


def test_share_chart_writes_amount_and_share_on_each_bar() -> None:
    amounts = {"food": Decimal("750"), "beverage": Decimal("250"), "textile": ZERO, "household": ZERO, "herbal": ZERO}
    figure = charts.share_chart(amounts, CATEGORY_LABELS, title="ตามประเภทผลิตภัณฑ์")
    bar = figure.data[0]
    assert list(bar.y)[:2] == ["อาหาร", "เครื่องดื่ม"]
    assert list(bar.text)[:2] == ["฿750 (75.0%)", "฿250 (25.0%)"]
    assert figure.layout.title.text == "ตามประเภทผลิตภัณฑ์"
    assert figure.layout.xaxis.title.text == "ยอดจำหน่าย (บาท)"


def test_channel_chart_groups_domestic_and_export_by_offline_and_online() -> None:
    split = ChannelSplit(Decimal(600), Decimal(200), Decimal(150), Decimal(50))
    figure = charts.channel_chart(split, title="ตามช่องทางจำหน่าย")
    assert trace_names(figure) == ["ออฟไลน์", "ออนไลน์"]
    assert list(figure.data[0].x) == ["ในประเทศ", "ต่างประเทศ"]
    assert list(figure.data[0].y) == [600.0, 150.0]
    assert list(figure.data[1].text) == ["20.0%", "5.0%"]
    assert figure.layout.yaxis.tickprefix == "฿"
    assert figure.layout.xaxis.title.text == "ตลาด"


def test_year_over_year_chart_puts_each_month_beside_last_year() -> None:
    months = tuple(fiscal_year_periods(2568))
    comparison = YearOverYear(
        fiscal_year_be=2568,
        periods=months,
        current=(Decimal(110), *(None,) * 11),
        previous=(Decimal(100),) * 12,
    )
    figure = charts.year_over_year_chart(comparison, title="เทียบปีก่อน")
    assert trace_names(figure) == ["ปีงบประมาณ 2567", "ปีงบประมาณ 2568"]
    assert list(figure.data[0].x)[:3] == ["ต.ค.", "พ.ย.", "ธ.ค."]
    assert list(figure.data[1].customdata)[0] == "10.0%"
    assert figure.layout.yaxis.title.text == "ยอดจำหน่าย (บาท)"


def test_forecast_vs_actual_has_a_panel_per_channel() -> None:
    figure = charts.forecast_vs_actual_chart(progress("3101", "เมือง", [100, 200]), title="ประมาณการเทียบยอดจริง")
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles == ["ในประเทศ ออฟไลน์", "ในประเทศ ออนไลน์", "ต่างประเทศ ออฟไลน์", "ต่างประเทศ ออนไลน์"]
    assert [trace.name for trace in figure.data].count("ยอดจริง") == 4
    assert [trace.name for trace in figure.data].count("ประมาณการ") == 4
    assert list(figure.data[0].y) == [100.0, 200.0]
    assert list(figure.data[3].y) == [150.0] * 6  # domestic online forecast
    assert figure.layout.yaxis.tickprefix == "฿"


def test_top_producers_chart_lists_the_largest_first() -> None:
    producers = [
        ProducerSales(1, "กลุ่มทอผ้าไหม", "community", Decimal("5000")),
        ProducerSales(2, "บริษัท ดินภูเขาไฟ", "sme", Decimal("3000")),
    ]
    figure = charts.top_producers_chart(producers, title="ผู้ผลิตยอดสูงสุด")
    assert list(figure.layout.yaxis.categoryarray) == ["บริษัท ดินภูเขาไฟ", "กลุ่มทอผ้าไหม"]  # top of the chart first
    assert list(figure.data[0].text) == ["฿5,000", "฿3,000"]
    assert list(figure.data[0].customdata) == ["กลุ่มผู้ผลิตชุมชน", "SMEs"]


def test_monthly_channels_chart_stacks_the_four_channels() -> None:
    months = [ChannelSplit(Decimal(10), Decimal(20), Decimal(30), Decimal(40))] * 2
    figure = charts.monthly_channels_chart(ROUND_ONE, months, title="รายเดือน")
    assert trace_names(figure) == ["ในประเทศ ออฟไลน์", "ในประเทศ ออนไลน์", "ต่างประเทศ ออฟไลน์", "ต่างประเทศ ออนไลน์"]
    assert list(figure.data[0].x) == ["ต.ค. 67", "พ.ย. 67"]
    assert figure.layout.barmode == "stack"


def test_month_labels_are_thai_with_be_years() -> None:
    assert charts.month_labels([Period(2567, 10), Period(2568, 3)]) == ["ต.ค. 67", "มี.ค. 68"]
