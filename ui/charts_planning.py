"""Charts of the Planning page: pure functions from projection frames to Plotly figures.

Observed years are drawn solid, projected years dashed; the 80% interval of projected openings
is a shaded band; supply with the active scenario is drawn beside the baseline (intake
unchanged). Words are in the current language (locales/*/planning.toml); data names show as
stored, written as Plotly text.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .charts import BEFORE_COLOUR, DEMAND_COLOUR, SUPPLY_COLOUR, _layers, _layout, name_ticks
from .i18n import t
from .markup import plotly_text
from .scale import OTHER_CODE

BAND_COLOUR = "rgba(230, 159, 0, 0.18)"  # the demand orange, light: the interval of projected openings


def projection_lines(history: pd.DataFrame, projected: pd.DataFrame, *, title: str, scenario: bool) -> go.Figure:
    """Supply and demand over the years: observed (``history``: year, supply, demand) then projected
    (``projected``: year, demand, demand_low, demand_high, supply, supply_baseline), the interval of
    openings as a band; with ``scenario``, projected supply with the scenario and without it. The
    projected lines start at the last year observed on both sides, so the eye follows them on."""
    traces = []
    known = history.dropna(subset=["supply", "demand"])
    if not projected.empty and not known.empty:
        last = known.iloc[[-1]]
        start = pd.DataFrame(
            {
                "year": last["year"].to_numpy(),
                "demand": last["demand"].to_numpy(),
                "demand_low": last["demand"].to_numpy(),
                "demand_high": last["demand"].to_numpy(),
                "supply": last["supply"].to_numpy(),
                "supply_baseline": last["supply"].to_numpy(),
            }
        )
        projected = pd.concat([start, projected[start.columns]], ignore_index=True)
    if not projected.empty:
        band_years = list(projected["year"]) + list(projected["year"])[::-1]
        band = list(projected["demand_high"]) + list(projected["demand_low"])[::-1]
        traces.append(
            go.Scatter(
                x=band_years,
                y=band,
                fill="toself",
                fillcolor=BAND_COLOUR,
                line=dict(width=0),
                mode="lines",
                name=t("planning.band"),
                hoverinfo="skip",
            )
        )
    traces += [
        go.Scatter(
            x=history["year"],
            y=history["demand"],
            name=t("planning.demand_observed"),
            mode="lines+markers",
            line=dict(color=DEMAND_COLOUR, width=3),
            hovertemplate=t("planning.hover_openings", year="%{x}", value="%{y:,.0f}") + "<extra></extra>",
        ),
        go.Scatter(
            x=history["year"],
            y=history["supply"],
            name=t("planning.supply_observed"),
            mode="lines+markers",
            line=dict(color=SUPPLY_COLOUR, width=3),
            hovertemplate=t("planning.hover_graduates", year="%{x}", value="%{y:,.0f}") + "<extra></extra>",
        ),
    ]
    if not projected.empty:
        custom = _layers([projected["demand_low"], projected["demand_high"]])
        traces.append(
            go.Scatter(
                x=projected["year"],
                y=projected["demand"],
                name=t("planning.demand_projected"),
                mode="lines+markers",
                line=dict(color=DEMAND_COLOUR, width=3, dash="dash"),
                customdata=custom,
                hovertemplate=t(
                    "planning.hover_projected_openings",
                    year="%{x}",
                    value="%{y:,.0f}",
                    low="%{customdata[0]:,.0f}",
                    high="%{customdata[1]:,.0f}",
                )
                + "<extra></extra>",
            )
        )
        if scenario:
            traces.append(
                go.Scatter(
                    x=projected["year"],
                    y=projected["supply_baseline"],
                    name=t("planning.supply_baseline"),
                    mode="lines",
                    line=dict(color=BEFORE_COLOUR, width=2, dash="dot"),
                    hovertemplate=t("planning.hover_graduates", year="%{x}", value="%{y:,.0f}") + "<extra></extra>",
                )
            )
        traces.append(
            go.Scatter(
                x=projected["year"],
                y=projected["supply"],
                name=t("planning.supply_scenario" if scenario else "planning.supply_projected"),
                mode="lines+markers",
                line=dict(color=SUPPLY_COLOUR, width=3, dash="dash"),
                hovertemplate=t("planning.hover_graduates", year="%{x}", value="%{y:,.0f}") + "<extra></extra>",
            )
        )
    figure = go.Figure(traces)
    figure.update_layout(
        xaxis=dict(dtick=1, title=None), yaxis=dict(tickformat=",", title=t("charts.people"), rangemode="tozero")
    )
    figure = _layout(figure, title, height=460)
    # Up to six series: the legend goes under the chart, where it cannot run into the title.
    figure.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0), margin=dict(b=70))
    return figure


def target_gap_bars(by_sector: pd.DataFrame, *, title: str, scenario: bool) -> go.Figure:
    """Per sector in the target year: projected openings (with their 80% interval as a whisker) against
    projected graduates, with the scenario and, when there is one, without it; the largest shortage on top.
    ``by_sector``: sector_code, sector_name, demand, demand_low, demand_high, supply, supply_baseline."""
    # Plotly draws the first row at the bottom: the largest shortage on top, the folded "other" row at the bottom.
    ordered = by_sector.assign(gap=by_sector["supply"] - by_sector["demand"], _other=by_sector["sector_code"] == OTHER_CODE)
    ordered = ordered.sort_values(["_other", "gap"], ascending=False)
    codes = ordered["sector_code"].astype(str).tolist()  # the categories; the ticks show the names
    names = ordered["sector_name"].fillna(ordered["sector_code"]).astype(str).tolist()
    custom = _layers([names])
    hover = "%{customdata[0]}: %{x:,.0f}<extra>%{fullData.name}</extra>"
    traces = [
        go.Bar(
            name=t("planning.demand_projected"),
            y=codes,
            customdata=custom,
            x=ordered["demand"],
            orientation="h",
            marker_color=DEMAND_COLOUR,
            error_x=dict(
                type="data",
                symmetric=False,
                array=ordered["demand_high"] - ordered["demand"],
                arrayminus=ordered["demand"] - ordered["demand_low"],
                color="#7a4f00",
                thickness=1.5,
            ),
            hovertemplate=hover,
        )
    ]
    if scenario:
        traces.append(
            go.Bar(
                name=t("planning.supply_baseline"),
                y=codes,
                customdata=custom,
                x=ordered["supply_baseline"],
                orientation="h",
                marker_color=BEFORE_COLOUR,
                hovertemplate=hover,
            )
        )
    traces.append(
        go.Bar(
            name=t("planning.supply_scenario" if scenario else "planning.supply_projected"),
            y=codes,
            customdata=custom,
            x=ordered["supply"],
            orientation="h",
            marker_color=SUPPLY_COLOUR,
            hovertemplate=hover,
        )
    )
    figure = go.Figure(traces)
    figure.update_layout(
        barmode="group", xaxis=dict(tickformat=",", title=t("charts.people")), yaxis=dict(title=None, type="category")
    )
    figure = _layout(figure, title, height=max(320, (44 if scenario else 40) * len(ordered) + 140))
    return name_ticks(figure, "y", codes, names)


def difference_bars(years: pd.DataFrame, first: str, second: str) -> go.Figure:
    """The second scenario's graduates less the first's, per projected year (bars above 0: more with the second)."""
    figure = go.Figure(
        go.Bar(
            x=years["year"],
            y=years["difference"].round(0),
            marker_color=[SUPPLY_COLOUR if v >= 0 else DEMAND_COLOUR for v in years["difference"].fillna(0)],
            texttemplate="%{y:+,.0f}",
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{y:+,.0f}<extra></extra>",
        )
    )
    figure.update_layout(xaxis=dict(dtick=1, title=None), yaxis=dict(title=t("planning.compare_axis"), tickformat=","))
    return _layout(figure, plotly_text(t("planning.compare_title", first=first, second=second)), height=300)
