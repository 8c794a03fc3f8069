"""Chart builders: pure functions from a query's DataFrame to a Plotly figure.

One palette (Okabe–Ito, safe for colour-blind readers) and one number format
for every chart. Shortage and surplus are told apart by an orange–purple
diverging scale and by words in the hover, never by red and green. Every word
inside a chart is in the current language (``locales/<language>/charts.toml``);
data names show as stored, written as Plotly text (``_layout``), never as markup.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .i18n import t
from .markup import figure_as_plotly_text, plotly_text
from .scale import OTHER_CODE

SUPPLY_COLOUR = "#0072B2"  # blue
DEMAND_COLOUR = "#E69F00"  # orange
NO_TRAINING_COLOUR = "#7a7a7a"  # grey: demand but no local graduates
BEFORE_COLOUR = "#56B4E9"  # sky blue: supply before a change, beside SUPPLY_COLOUR after it
# Orange (shortage) -> near white (balanced) -> purple (surplus): ColorBrewer PuOr.
COVERAGE_SCALE = [
    [0.0, "#b35806"],
    [0.25, "#f1a340"],
    [0.5, "#f7f7f7"],
    [0.75, "#998ec3"],
    [1.0, "#542788"],
]
COVERAGE_TICKS = [0.25, 0.5, 1, 2, 4]
FONT = dict(family="Source Sans Pro, Noto Sans CJK SC, sans-serif", size=14)


def _layers(layers) -> np.ndarray:
    """Stack same-shaped arrays into Plotly customdata, keeping numbers numbers and text text."""
    arrays = [np.asarray(layer, dtype=object) for layer in layers]
    stacked = np.empty(arrays[0].shape + (len(arrays),), dtype=object)
    for position, array in enumerate(arrays):
        stacked[..., position] = array
    return stacked


def _layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    """The last step of every chart builder: the shared look, ``title`` (plain words, e.g. with the filters'
    names), and every text from the data in the figure's traces and axes written as Plotly text, so that
    names show as typed (ui.markup); the builder's own texts in hovers and notes keep their markup."""
    figure_as_plotly_text(figure)
    figure.update_layout(
        title=dict(text=plotly_text(title), x=0, xanchor="left"),
        height=height,
        font=FONT,
        margin=dict(l=10, r=10, t=60, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
        separators=".,",
        hoverlabel=dict(font_size=14),
    )
    return figure


def supply_demand_bars(gaps: pd.DataFrame, *, title: str) -> go.Figure:
    """Supply and demand side by side per sector, largest shortage at the top."""
    # Plotly draws the first row at the bottom: largest shortage on top, the folded "other" item at the bottom.
    ordered = gaps.assign(_other=gaps["sector_code"] == OTHER_CODE).sort_values(["_other", "gap"], ascending=False)
    labels = ordered["sector_name"].map(short_label)
    custom = _layers([ordered["gap"], ordered["coverage_ratio"], ordered["sector_name"]])
    hover = (
        "<br>".join(
            [
                "%{customdata[2]}",
                t("charts.hover_value", name="%{fullData.name}", value="%{x:,}"),
                t("charts.hover_gap", value="%{customdata[0]:+,}"),
                t("charts.hover_coverage", value="%{customdata[1]:.2f}"),
            ]
        )
        + "<extra></extra>"
    )
    figure = go.Figure(
        [
            go.Bar(
                name=t("charts.supply"),
                y=labels,
                x=ordered["supply"],
                orientation="h",
                marker_color=SUPPLY_COLOUR,
                customdata=custom,
                hovertemplate=hover,
            ),
            go.Bar(
                name=t("charts.demand"),
                y=labels,
                x=ordered["demand"],
                orientation="h",
                marker_color=DEMAND_COLOUR,
                customdata=custom,
                hovertemplate=hover,
            ),
        ]
    )
    figure.update_layout(barmode="group", xaxis=dict(tickformat=",", title=t("charts.people")), yaxis=dict(title=None))
    return _layout(figure, title, height=max(320, 34 * len(ordered) + 120))


def short_label(text: str, limit: int = 38) -> str:
    """A name cut to ``limit`` characters for an axis (the hover shows it whole)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def coverage_heatmap(cells: pd.DataFrame, *, title: str) -> go.Figure:
    """Region x sector coverage ratio on a log scale centred on 1.0 (balanced).

    Cells with demand but no local graduates at all are grey ("no local
    training"), not the darkest shortage, so that planners can tell a program
    that is missing from one that is too small; cells without demand are blank.
    """
    regions = cells.drop_duplicates("region_code").sort_values("region_code")
    sectors = cells.drop_duplicates("sector_code").sort_values("sector_code")
    index = pd.MultiIndex.from_product([regions["region_code"], sectors["sector_code"]])
    full = cells.set_index(["region_code", "sector_code"]).reindex(index)
    shape = (len(regions), len(sectors))

    def grid(column: str) -> np.ndarray:
        return full[column].to_numpy(dtype=float).reshape(shape)

    coverage, supply = grid("coverage_ratio"), grid("supply")
    with np.errstate(divide="ignore"):
        z = np.clip(np.log2(coverage), -2, 2)  # 0.25x .. 4x
    untrained = (supply == 0) & (grid("demand") > 0)
    z[untrained] = np.nan
    verdict = np.where(
        np.isnan(coverage),
        t("charts.no_demand"),
        np.where(
            untrained,
            t("charts.no_local_training"),
            np.where(coverage < 1, t("charts.shortage"), np.where(coverage > 1, t("charts.surplus"), t("charts.balanced"))),
        ),
    )
    sector_names = np.tile(sectors["sector_name"].to_numpy(), (len(regions), 1))
    custom = _layers(
        [
            np.nan_to_num(supply),
            np.nan_to_num(grid("demand")),
            np.nan_to_num(grid("gap")),
            np.where(np.isnan(coverage), "–", np.char.mod("%.2f", np.nan_to_num(coverage))),
            verdict,
            sector_names,
        ]
    )
    hover = (
        "<br>".join(
            [
                "<b>%{y}</b> · %{customdata[5]} (%{x})",
                t("charts.hover_supply_demand", supply="%{customdata[0]:,.0f}", demand="%{customdata[1]:,.0f}"),
                t("charts.hover_gap_coverage", gap="%{customdata[2]:+,.0f}", coverage="%{customdata[3]}"),
                "<b>%{customdata[4]}</b>",
            ]
        )
        + "<extra></extra>"
    )
    common = dict(x=sectors["sector_code"], y=regions["region_name"], customdata=custom, xgap=1, ygap=1, hovertemplate=hover)
    figure = go.Figure(
        [
            go.Heatmap(
                z=z,
                colorscale=COVERAGE_SCALE,
                zmin=-2,
                zmax=2,
                zmid=0,
                name=t("charts.coverage"),
                colorbar=dict(
                    title=dict(text=t("charts.coverage_scale")),
                    tickvals=np.log2(COVERAGE_TICKS),
                    ticktext=["≤0.25", "0.5", t("charts.balanced_tick"), "2", "≥4"],
                ),
                **common,
            ),
            go.Heatmap(
                z=np.where(untrained, 1.0, np.nan),
                colorscale=[[0, NO_TRAINING_COLOUR], [1, NO_TRAINING_COLOUR]],
                showscale=False,
                name=t("charts.no_local_training"),
                **common,
            ),
        ]
    )
    figure.update_layout(
        xaxis=dict(title=None, side="top", tickangle=0, type="category"),
        yaxis=dict(title=None, autorange="reversed", type="category"),
    )
    figure.add_annotation(
        text=t("charts.heatmap_note"),
        xref="paper",
        yref="paper",
        x=0,
        y=-0.02,
        yanchor="top",
        showarrow=False,
        font=dict(size=12, color="#444"),
    )
    figure = _layout(figure, title, height=max(340, 36 * len(regions) + 190))
    figure.update_layout(margin=dict(t=90, b=40))
    return figure


def supply_demand_trend_lines(trend: pd.DataFrame, *, title: str) -> go.Figure:
    """Supply and demand over the years for the selection."""
    figure = go.Figure(
        [
            go.Scatter(
                name=t("charts.supply"),
                x=trend["year"],
                y=trend["supply"],
                mode="lines+markers",
                line=dict(color=SUPPLY_COLOUR, width=3),
                hovertemplate=t("charts.hover_graduates", year="%{x}", value="%{y:,}") + "<extra></extra>",
            ),
            go.Scatter(
                name=t("charts.demand"),
                x=trend["year"],
                y=trend["demand"],
                mode="lines+markers",
                line=dict(color=DEMAND_COLOUR, width=3, dash="dash"),
                hovertemplate=t("charts.hover_openings", year="%{x}", value="%{y:,}") + "<extra></extra>",
            ),
        ]
    )
    figure.update_layout(
        xaxis=dict(dtick=1, title=None), yaxis=dict(tickformat=",", title=t("charts.people"), rangemode="tozero")
    )
    return _layout(figure, title, height=380)


def crosswalk_preview_bars(preview: pd.DataFrame, *, title: str) -> go.Figure:
    """Supply by sector before and after an edit of the crosswalk, against demand (a ``crosswalk_preview``
    frame; the sectors the edit moves)."""
    labels = [
        short_label(str(name if isinstance(name, str) else code))
        for code, name in zip(preview["sector_code"], preview["sector_name"])
    ]
    figure = go.Figure(
        [
            go.Bar(
                name=t("charts.supply_before"),
                y=labels,
                x=preview["supply_before"],
                orientation="h",
                marker=dict(color=BEFORE_COLOUR),
                hovertemplate="%{y}: %{x:,.1f}<extra></extra>",
            ),
            go.Bar(
                name=t("charts.supply_after"),
                y=labels,
                x=preview["supply_after"],
                orientation="h",
                marker=dict(color=SUPPLY_COLOUR),
                hovertemplate="%{y}: %{x:,.1f}<extra></extra>",
            ),
            go.Bar(
                name=t("charts.demand"),
                y=labels,
                x=preview["demand"],
                orientation="h",
                marker=dict(color=DEMAND_COLOUR, pattern=dict(shape="/")),
                hovertemplate="%{y}: %{x:,}<extra></extra>",
            ),
        ]
    )
    figure.update_layout(
        barmode="group", xaxis=dict(tickformat=",", title=t("charts.people")), yaxis=dict(autorange="reversed", title=None)
    )
    return _layout(figure, title, height=max(260, 70 * len(preview) + 120))
