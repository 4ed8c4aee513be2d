"""Pure Plotly figure builders for the dashboards: Thai titles and labels, baht with thousands separators."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from db.models import CHANNEL_COLUMNS
from otop.dashboards import AreaProgress, ChannelSplit, ProducerSales, Projection, YearOverYear
from otop.fiscal import Period
from otop.i18n import CHANNEL_LABELS, LEVEL_LABELS, PRODUCER_TYPE_LABELS, format_baht, format_percent, period_name
from otop.targets import LEVEL_ORDER, Levels, attainment

FONT_FAMILY = "Sarabun, 'TH Sarabun New', Loma, Garuda, sans-serif"
STATUS_COLOURS = {
    "below_baseline": "#d7301f",
    "baseline": "#fc8d59",
    "basic": "#e6c229",
    "standard": "#91cf60",
    "advanced": "#1a9850",
}
# Level ticks: thin light grey for basic up to thick black for advanced, readable on every status colour.
LEVEL_TICKS = {"basic": (2, "#9a9a9a"), "standard": (3, "#555555"), "advanced": (4, "#000000")}
PACE_COLOUR = "#7b3294"
ACTUAL_COLOUR = "#1f4e9c"
FORECAST_COLOUR = "#e08214"
PREVIOUS_COLOUR = "#a6a6a6"
LEVEL_LINE_COLOURS = {"basic": "#b8a000", "standard": "#5aae61", "advanced": "#00441b"}
CHANNEL_COLOURS = ("#1f4e9c", "#6baed6", "#e08214", "#fdb863")
BAHT_TICKS = ",.0f"
BAHT_HOVER = "฿%{x:,.2f}"
PERCENT_HOVER = "%{x:,.2f}%"
ROW_HEIGHT = 26
PROFILE_NOTE = "เส้นระดับเป้าหมายกระจายตามสัดส่วนยอดจำหน่ายรายเดือนของปีงบประมาณก่อน"
PACE_NOTE = "ตามสัดส่วนเวลา = ขั้นสูง × จำนวนเดือนที่ผ่านไป ÷ จำนวนเดือนในรอบ"
PROJECTION_NOTE = "ประมาณการ = ยอดถึงเดือนที่เลือก ÷ สัดส่วนยอดเดือนเดียวกันของปีงบประมาณก่อน · สีตามระดับที่น่าจะได้"


def _money(value: Decimal | None) -> float | None:
    """Plotly draws floats; the figures stay Decimal until this last step."""
    return None if value is None else float(value)


def _base_layout(figure: go.Figure, *, title: str, note: str | None = None, height: int | None = None) -> go.Figure:
    """Title (and a note under it) at the top left, the legend at the right, margins that fit the labels."""
    heading: dict[str, object] = {"text": title, "x": 0.01, "xanchor": "left", "xref": "container"}
    if note:
        heading["subtitle"] = {"text": note, "font": {"size": 12, "color": "#555555"}}
    figure.update_layout(
        title=heading,
        font={"family": FONT_FAMILY, "size": 14},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        separators=".,",
        legend={
            "yanchor": "top",
            "y": 1,
            "xanchor": "left",
            "x": 1.02,
            "traceorder": "grouped",
        },
        margin={"l": 10, "r": 10, "t": 100 if note else 60, "b": 10},
        plot_bgcolor="white",
        height=height,
    )
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    return figure


def _baht_axis(figure: go.Figure, axis: str, title: str) -> None:
    update = figure.update_xaxes if axis == "x" else figure.update_yaxes
    update(title_text=title, tickprefix="฿", tickformat=BAHT_TICKS, gridcolor="#e5e5e5", rangemode="tozero")


def _category_axis(figure: go.Figure, names: Sequence[str]) -> None:
    """Horizontal bars read top-down in the given order, their names clear of the axis line."""
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(names)), ticklabelstandoff=8)


def month_labels(periods: Sequence[Period]) -> list[str]:
    """``ต.ค. 67``: Thai month and BE year, short enough for an axis."""
    return [period_name(period, short=True) for period in periods]


def _add_level_ticks(
    figure: go.Figure,
    names: Sequence[str],
    levels: Sequence[Levels],
    suffix: str = "",
    scales: Sequence[Decimal] | None = None,
) -> None:
    """Vertical ticks at each area's basic, standard and advanced level (``scales`` turn baht into percent)."""
    hover = PERCENT_HOVER if scales else BAHT_HOVER
    for level, (width, colour) in LEVEL_TICKS.items():
        label = LEVEL_LABELS[level] + suffix
        figure.add_scatter(
            name=label,
            y=list(names),
            x=_scaled([getattr(item, level) for item in levels], scales),
            mode="markers",
            marker={"symbol": "line-ns", "size": 22, "color": colour, "line": {"width": width, "color": colour}},
            hovertemplate="<b>%{y}</b><br>" + label + " " + hover + "<extra></extra>",
            legendgroup="levels",
            legendgrouptitle_text="ระดับเป้าหมาย",
        )


def _scaled(amounts: Sequence[Decimal], scales: Sequence[Decimal] | None) -> list[float | None]:
    if scales is None:
        return [_money(amount) for amount in amounts]
    return [_money(amount * scale) for amount, scale in zip(amounts, scales, strict=True)]


def _legend_below(figure: go.Figure) -> None:
    """For a chart of one or two bars, whose height cannot hold a legend at the side."""
    figure.update_layout(
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
            "grouptitlefont": {"size": 12},
        },
        margin={"b": 130},
    )


def attainment_bars_chart(
    areas: Sequence[AreaProgress],
    *,
    title: str,
    to_date: bool = False,
    locked_only: bool = False,
    as_percent: bool = False,
) -> go.Figure:
    """One horizontal bar per area (its running total) with ticks at its levels and the pro-rata pace.

    Bars are coloured by the status reached; the part of a bar from months the province has not
    locked yet is hatched and lighter. ``to_date`` compares with each level's path at the as-of
    month instead of the whole round's levels; ``as_percent`` draws everything as a percentage of
    each area's advanced level, so areas of very different sizes can be ranked side by side.
    """
    names = [area.name_th for area in areas]
    levels = [area.levels_to_date if to_date else area.levels for area in areas]
    statuses = [area.status_to_date if to_date else area.status for area in areas]
    scales = [Decimal(100) / item.advanced if item.advanced else Decimal(0) for item in levels] if as_percent else None
    figure = go.Figure()
    for status in LEVEL_ORDER:
        chosen = [index for index, value in enumerate(statuses) if value == status]
        figure.add_bar(
            name=LEVEL_LABELS[status],
            y=[names[index] for index in chosen],
            x=_scaled(
                [areas[index].locked_total for index in chosen],
                None if scales is None else [scales[index] for index in chosen],
            ),
            orientation="h",
            marker_color=STATUS_COLOURS[status],
            customdata=[
                [
                    format_baht(areas[index].total),
                    format_percent(attainment(areas[index].total, levels[index].advanced)),
                    LEVEL_LABELS[status],
                ]
                for index in chosen
            ],
            hovertemplate="<b>%{y}</b><br>ยอดสะสม %{customdata[0]}<br>"
            "ร้อยละของขั้นสูง %{customdata[1]}<br>สถานะ %{customdata[2]}<extra></extra>",
            legendgroup="status",
            legendgrouptitle_text="สถานะ",
        )
    if not locked_only and any(area.unlocked_total for area in areas):
        figure.add_bar(
            name="ยังไม่ล็อก (ยังไม่ยืนยัน)",
            y=names,
            x=_scaled([area.unlocked_total for area in areas], scales),
            orientation="h",
            marker={
                "color": [STATUS_COLOURS[status] for status in statuses],
                "opacity": 0.45,
                "pattern": {"shape": "/", "fgcolor": "#333333", "size": 6},
            },
            customdata=[
                [format_baht(area.unlocked_total), ", ".join(month_labels(area.unlocked_periods))] for area in areas
            ],
            hovertemplate="<b>%{y}</b><br>ยังไม่ล็อก %{customdata[0]}<br>เดือน %{customdata[1]}<extra></extra>",
            legendgroup="status",
        )
    _add_level_ticks(figure, names, levels, " (ถึงเดือนนี้)" if to_date else "", scales)
    figure.add_scatter(
        name="ตามสัดส่วนเวลา",
        y=names,
        x=_scaled([area.pace for area in areas], scales),
        mode="markers",
        marker={"symbol": "diamond", "size": 9, "color": PACE_COLOUR},
        hovertemplate="<b>%{y}</b><br>ตามสัดส่วนเวลา " + (PERCENT_HOVER if scales else BAHT_HOVER) + "<extra></extra>",
        legendgroup="levels",
    )
    note = (PROFILE_NOTE + "<br>" if to_date else "ขีด = ระดับเป้าหมายของทั้งรอบ · ") + PACE_NOTE
    _base_layout(figure, title=title, note=note, height=max(380, 190 + ROW_HEIGHT * len(areas)))
    figure.update_layout(barmode="stack", bargap=0.25, legend_itemsizing="constant")
    if as_percent:
        figure.update_xaxes(
            title_text="ร้อยละของระดับขั้นสูง (เป้าหมาย +4%)",
            ticksuffix="%",
            tickformat=",.0f",
            gridcolor="#e5e5e5",
            rangemode="tozero",
        )
    else:
        _baht_axis(figure, "x", "ยอดจำหน่ายสะสม (บาท)")
    _category_axis(figure, names)
    if len(areas) < 4:
        _legend_below(figure)
    return figure


def projection_chart(projections: Sequence[Projection], *, title: str) -> go.Figure:
    """Actual to date plus the estimated rest of the year, coloured by the level it will likely reach."""
    names = [item.name_th for item in projections]
    colours = [STATUS_COLOURS[item.likely_status or "below_baseline"] for item in projections]
    figure = go.Figure()
    figure.add_bar(
        name="ยอดจริงถึงเดือนที่เลือก",
        y=names,
        x=[_money(item.actual_to_date) for item in projections],
        orientation="h",
        marker_color=colours,
        hovertemplate="<b>%{y}</b><br>ยอดจริง " + BAHT_HOVER + "<extra></extra>",
    )
    figure.add_bar(
        name="ส่วนที่ประมาณการถึงสิ้นปี",
        y=names,
        x=[_money((item.projected or item.actual_to_date) - item.actual_to_date) for item in projections],
        orientation="h",
        marker={"color": colours, "opacity": 0.4, "pattern": {"shape": ".", "fgcolor": "#333333", "size": 5}},
        customdata=[
            [
                format_baht(item.projected),
                "–" if item.likely_status is None else LEVEL_LABELS[item.likely_status],
                format_percent(item.attainment),
            ]
            for item in projections
        ],
        hovertemplate="<b>%{y}</b><br>ประมาณการทั้งปี %{customdata[0]}<br>"
        "ร้อยละของขั้นสูง %{customdata[2]}<br>ระดับที่น่าจะได้ %{customdata[1]}<extra></extra>",
    )
    _add_level_ticks(figure, names, [item.levels for item in projections], " ทั้งปี")
    _base_layout(figure, title=title, note=PROJECTION_NOTE, height=max(280, 190 + ROW_HEIGHT * len(projections)))
    figure.update_layout(barmode="stack", bargap=0.25, legend_itemsizing="constant")
    _baht_axis(figure, "x", "ยอดจำหน่ายทั้งปีงบประมาณ (บาท)")
    _category_axis(figure, names)
    return figure


def cumulative_chart(area: AreaProgress, *, title: str) -> go.Figure:
    """Cumulative sales month by month against the level paths, the pro-rata pace and the forecast."""
    labels = month_labels(area.round_periods)
    figure = go.Figure()
    for level in ("basic", "standard", "advanced"):
        figure.add_scatter(
            name=f"{LEVEL_LABELS[level]} (ตามสัดส่วนปีก่อน)",
            x=labels,
            y=[_money(value) for value in area.level_path(level)],
            mode="lines",
            line={"dash": "dash", "color": LEVEL_LINE_COLOURS[level], "width": 1.5},
            hovertemplate="%{x}<br>" + LEVEL_LABELS[level] + " ฿%{y:,.0f}<extra></extra>",
        )
    months = area.months_in_round
    figure.add_scatter(
        name="ตามสัดส่วนเวลา",
        x=labels,
        y=[_money(area.levels.advanced * (index + 1) / months) for index in range(months)],
        mode="lines",
        line={"dash": "dot", "color": PACE_COLOUR, "width": 1.5},
        hovertemplate="%{x}<br>ตามสัดส่วนเวลา ฿%{y:,.0f}<extra></extra>",
    )
    if area.forecast:
        figure.add_scatter(
            name="ประมาณการของอำเภอ",
            x=labels,
            y=[_money(value) for value in area.forecast_cumulative],
            mode="lines+markers",
            line={"color": FORECAST_COLOUR, "width": 2},
            marker={"symbol": "square", "size": 6},
            hovertemplate="%{x}<br>ประมาณการสะสม ฿%{y:,.2f}<extra></extra>",
        )
    figure.add_scatter(
        name="ยอดจริงสะสม",
        x=labels[: area.elapsed],
        y=[_money(value) for value in area.cumulative],
        mode="lines+markers",
        line={"color": ACTUAL_COLOUR, "width": 3},
        marker={"size": 8},
        hovertemplate="%{x}<br>ยอดจริงสะสม ฿%{y:,.2f}<extra></extra>",
    )
    _base_layout(figure, title=title, note=f"{PROFILE_NOTE}<br>{PACE_NOTE}", height=460)
    figure.update_xaxes(title_text="เดือน", categoryorder="array", categoryarray=labels)
    _baht_axis(figure, "y", "ยอดจำหน่ายสะสม (บาท)")
    return figure


def share_chart(amounts: Mapping[str, Decimal], labels: Mapping[str, str], *, title: str) -> go.Figure:
    """Horizontal bars of amounts by a breakdown key, each labelled with its amount and share of the total."""
    total = sum(amounts.values(), Decimal(0))
    names = [labels[code] for code in amounts]
    values = [_money(amount) for amount in amounts.values()]
    figure = go.Figure(
        go.Bar(
            y=names,
            x=values,
            orientation="h",
            marker_color=ACTUAL_COLOUR,
            text=[
                f"{format_baht(amount, decimals=0)} ({format_percent(amount / total if total else None, decimals=1)})"
                for amount in amounts.values()
            ],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="<b>%{y}</b><br>%{text}<extra></extra>",
            name="ยอดจำหน่าย",
        )
    )
    _base_layout(figure, title=title, height=max(260, 130 + 44 * len(names)))
    figure.update_layout(showlegend=False)
    # The amounts are written on the bars; the room to the right keeps the longest label inside the chart.
    figure.update_xaxes(
        title_text="ยอดจำหน่าย (บาท)", showticklabels=False, showgrid=False, range=[0, max(values or [0]) * 1.6 or 1]
    )
    _category_axis(figure, names)
    return figure


def channel_chart(split: ChannelSplit, *, title: str) -> go.Figure:
    """Domestic and export side by side, each split into offline and online."""
    markets = ["ในประเทศ", "ต่างประเทศ"]
    figure = go.Figure()
    for name, columns, colour in (
        ("ออฟไลน์", ("domestic_offline", "export_offline"), ACTUAL_COLOUR),
        ("ออนไลน์", ("domestic_online", "export_online"), FORECAST_COLOUR),
    ):
        amounts = [getattr(split, column) for column in columns]
        figure.add_bar(
            name=name,
            x=markets,
            y=[_money(amount) for amount in amounts],
            marker_color=colour,
            text=[format_percent(amount / split.total if split.total else None, decimals=1) for amount in amounts],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x} " + name + "<br>฿%{y:,.2f} (%{text})<extra></extra>",
        )
    _base_layout(figure, title=title, height=420)
    # Export bars are short, so the legend fits inside the empty top-right corner of the plot.
    figure.update_layout(barmode="group", legend={"x": 0.98, "xanchor": "right", "y": 0.98, "yanchor": "top"})
    figure.update_xaxes(title_text="ตลาด")
    _baht_axis(figure, "y", "ยอดจำหน่าย (บาท)")
    return figure


def year_over_year_chart(comparison: YearOverYear, *, title: str) -> go.Figure:
    """Each month of this fiscal year next to the same month of last year."""
    labels = [period_name(period, short=True).split(" ")[0] for period in comparison.periods]
    figure = go.Figure()
    figure.add_bar(
        name=f"ปีงบประมาณ {comparison.fiscal_year_be - 1}",
        x=labels,
        y=[_money(amount) for amount in comparison.previous],
        marker_color=PREVIOUS_COLOUR,
        hovertemplate="%{x} ปีก่อน ฿%{y:,.2f}<extra></extra>",
    )
    figure.add_bar(
        name=f"ปีงบประมาณ {comparison.fiscal_year_be}",
        x=labels,
        y=[_money(amount) for amount in comparison.current],
        marker_color=ACTUAL_COLOUR,
        customdata=[format_percent(comparison.change(index), decimals=1) for index in range(len(labels))],
        hovertemplate="%{x} ปีนี้ ฿%{y:,.2f}<br>เทียบปีก่อน %{customdata}<extra></extra>",
    )
    _base_layout(figure, title=title, height=420)
    figure.update_layout(barmode="group")
    figure.update_xaxes(title_text="เดือน (ตุลาคม–กันยายน)", categoryorder="array", categoryarray=labels)
    _baht_axis(figure, "y", "ยอดจำหน่าย (บาท)")
    return figure


def forecast_vs_actual_chart(area: AreaProgress, *, title: str) -> go.Figure:
    """Four panels, one per channel: actual sales by month as bars, the forecast as a line."""
    labels = month_labels(area.round_periods)
    figure = make_subplots(
        rows=2,
        cols=2,
        subplot_titles=[CHANNEL_LABELS[column] for column in CHANNEL_COLUMNS],
        vertical_spacing=0.18,
        horizontal_spacing=0.12,
    )
    for index, column in enumerate(CHANNEL_COLUMNS):
        row, col = index // 2 + 1, index % 2 + 1
        figure.add_bar(
            name="ยอดจริง",
            x=labels[: area.elapsed],
            y=[_money(getattr(month, column)) for month in area.actual],
            marker_color=ACTUAL_COLOUR,
            legendgroup="actual",
            showlegend=index == 0,
            hovertemplate="%{x} ยอดจริง ฿%{y:,.2f}<extra>" + CHANNEL_LABELS[column] + "</extra>",
            row=row,
            col=col,
        )
        if area.forecast:
            figure.add_scatter(
                name="ประมาณการ",
                x=labels,
                y=[_money(getattr(month, column)) for month in area.forecast],
                mode="lines+markers",
                line={"color": FORECAST_COLOUR},
                legendgroup="forecast",
                showlegend=index == 0,
                hovertemplate="%{x} ประมาณการ ฿%{y:,.2f}<extra>" + CHANNEL_LABELS[column] + "</extra>",
                row=row,
                col=col,
            )
    _base_layout(figure, title=title, height=640)
    figure.update_layout(margin={"t": 90})
    figure.update_yaxes(tickprefix="฿", tickformat=BAHT_TICKS, gridcolor="#e5e5e5", rangemode="tozero")
    figure.update_yaxes(title_text="บาท", col=1)
    figure.update_xaxes(categoryorder="array", categoryarray=labels)
    figure.update_xaxes(title_text="เดือน", row=2)
    return figure


def top_producers_chart(producers: Sequence[ProducerSales], *, title: str) -> go.Figure:
    """The best-selling producers, largest first, each with its amount written on its bar."""
    names = [producer.name for producer in producers]
    values = [_money(producer.total) for producer in producers]
    figure = go.Figure(
        go.Bar(
            y=names,
            x=values,
            orientation="h",
            marker_color=ACTUAL_COLOUR,
            text=[format_baht(producer.total, decimals=0) for producer in producers],
            textposition="outside",
            cliponaxis=False,
            customdata=[PRODUCER_TYPE_LABELS[producer.producer_type] for producer in producers],
            hovertemplate="<b>%{y}</b><br>%{customdata}<br>" + BAHT_HOVER + "<extra></extra>",
            name="ยอดจำหน่าย",
        )
    )
    _base_layout(figure, title=title, height=max(300, 130 + 34 * len(names)))
    figure.update_layout(showlegend=False)
    figure.update_xaxes(
        title_text="ยอดจำหน่าย (บาท)", showticklabels=False, showgrid=False, range=[0, max(values or [0]) * 1.3 or 1]
    )
    _category_axis(figure, names)
    return figure


def monthly_channels_chart(periods: Sequence[Period], months: Sequence[ChannelSplit], *, title: str) -> go.Figure:
    """Monthly totals stacked by channel."""
    labels = month_labels(periods)[: len(months)]
    figure = go.Figure()
    for column, colour in zip(CHANNEL_COLUMNS, CHANNEL_COLOURS, strict=True):
        figure.add_bar(
            name=CHANNEL_LABELS[column],
            x=labels,
            y=[_money(getattr(month, column)) for month in months],
            marker_color=colour,
            hovertemplate="%{x}<br>" + CHANNEL_LABELS[column] + " ฿%{y:,.2f}<extra></extra>",
        )
    _base_layout(figure, title=title, height=460)
    figure.update_layout(barmode="stack")
    _legend_below(figure)
    figure.update_xaxes(categoryorder="array", categoryarray=labels)
    _baht_axis(figure, "y", "ยอดจำหน่าย (บาท)")
    return figure
