"""Charts of the Institution scorecard: pure functions from a DataFrame to a Plotly figure,
in the palette and number format of ui/charts.py. Values hidden by small-number
protection arrive as NaN and are drawn as missing, labelled "hidden". Texts are in the
current language (locales/*/placements.toml and scorecard.toml); data names show as stored."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .charts import SUPPLY_COLOUR, _layers
from .charts_placements import HIRED_COLOUR, PLACED_COLOUR, as_floats, hidden_text, placed_hired_labels, titled_layout
from .formatting import fmt_rate, is_missing
from .i18n import label, t

# The institution stands out; its region and the whole selection are the background it is read against.
SCOPE_COLOURS = {"institution": SUPPLY_COLOUR, "region": "#56B4E9", "all": "#999999"}
ENROLLED_COLOUR = "#009E73"  # Okabe–Ito bluish green: enrolled (graduates keep the supply blue)


def rate_comparison_bars(comparison: pd.DataFrame, rates: dict[str, str], *, title: str) -> go.Figure:
    """Each rate (``rates`` maps a column to its label) as a group of bars: one bar per scope
    (the institution, its region, all selected), the value written on top."""
    labels = list(rates.values())
    traces = []
    for _, row in comparison.iterrows():
        values = [row[rate] for rate in rates]
        text = [hidden_text() if is_missing(v) else fmt_rate(v) for v in values]
        traces.append(
            go.Bar(
                name=str(row["scope_name"]),
                x=labels,
                y=[None if is_missing(v) else v for v in values],
                text=text,
                textposition="outside",
                cliponaxis=False,
                marker_color=SCOPE_COLOURS.get(row["scope"], "#999999"),
                customdata=_layers([[str(row["scope_name"])] * len(labels), text]),
                hovertemplate="%{x}<br>%{customdata[0]}: <b>%{customdata[1]}</b><extra></extra>",
            )
        )
    figure = go.Figure(traces)
    top = pd.to_numeric(comparison[list(rates)].stack(), errors="coerce").max()
    figure.update_layout(
        barmode="group",
        yaxis=dict(tickformat=".0%", title=None, range=[0, max(1.0, 0 if is_missing(top) else float(top)) * 1.15]),
        xaxis=dict(title=None),
    )
    return titled_layout(figure, title, height=420)


def enrolment_trend_lines(trend: pd.DataFrame, *, title: str) -> go.Figure:
    """Enrolled students and graduates per year."""
    trend = as_floats(trend, "enrolled", "graduates")
    figure = go.Figure(
        [
            go.Scatter(
                name=label(column),
                x=trend["year"],
                y=trend[column],
                mode="lines+markers+text",
                texttemplate="%{y:,}",
                textposition="top center",
                cliponaxis=False,
                line=dict(color=colour, width=3, dash=dash),
                hovertemplate=t("scorecard.trend_hover", year="%{x}", measure=label(column), value="%{y:,}") + "<extra></extra>",
            )
            for column, colour, dash in (("enrolled", ENROLLED_COLOUR, "solid"), ("graduates", SUPPLY_COLOUR, "dash"))
        ]
    )
    top = pd.to_numeric(trend["enrolled"], errors="coerce").max()
    figure.update_layout(
        xaxis=dict(dtick=1, title=None),
        yaxis=dict(tickformat=",", title=t("placements.students"), range=[0, (1 if is_missing(top) else float(top)) * 1.15]),
    )
    return titled_layout(figure, title, height=360)


def placements_per_year_bars(placements: pd.DataFrame, *, title: str) -> go.Figure:
    """Students placed per year (light bar) with those hired after placement in front (dark bar),
    the hire rate written on top."""
    placements = as_floats(placements, "students_placed", "hired", "placement_hire_rate")
    years = placements["year"].astype(int)
    placed, hired = placements["students_placed"], placements["hired"]
    text = placed_hired_labels(placed, placements["placement_hire_rate"])
    figure = go.Figure(
        [
            go.Bar(
                name=t("placements.students_placed"),
                x=years,
                y=placed,
                marker_color=PLACED_COLOUR,
                text=text,
                textposition="outside",
                cliponaxis=False,
                hovertemplate=t("placements.placed_year_hover", year="%{x}", value="%{y:,}") + "<extra></extra>",
            ),
            go.Bar(
                name=t("placements.hired_after_placement"),
                x=years,
                y=hired,
                marker_color=HIRED_COLOUR,
                width=0.4,
                hovertemplate=t("placements.hired_year_hover", year="%{x}", value="%{y:,}") + "<extra></extra>",
            ),
        ]
    )
    top = pd.to_numeric(placed, errors="coerce").max()
    figure.update_layout(
        barmode="overlay",
        xaxis=dict(dtick=1, title=None),
        yaxis=dict(tickformat=",", title=t("placements.students"), range=[0, (1 if is_missing(top) else float(top)) * 1.2]),
    )
    return titled_layout(figure, title, height=360)
