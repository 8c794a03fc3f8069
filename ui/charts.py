"""Chart builders: pure functions from a query's DataFrame to a Plotly figure.

One palette (Okabe–Ito, safe for colour-blind readers) and one number format
for every chart. Shortage and surplus are told apart by an orange–purple
diverging scale and by words in the hover, never by red and green.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

SUPPLY_COLOUR = "#0072B2"  # blue
DEMAND_COLOUR = "#E69F00"  # orange
GAP_COLOUR = "#555555"
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


def _layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    figure.update_layout(
        title=dict(text=title, x=0, xanchor="left"),
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
    ordered = gaps.sort_values("gap", ascending=False)  # Plotly draws the first row at the bottom
    labels = ordered["sector_name"]
    custom = np.stack([ordered["gap"], ordered["coverage_ratio"].fillna(np.nan)], axis=-1)
    hover = "%{y}<br>%{fullData.name}: %{x:,}<br>gap: %{customdata[0]:+,}<br>coverage: %{customdata[1]:.2f}<extra></extra>"
    figure = go.Figure(
        [
            go.Bar(name="Supply (graduates)", y=labels, x=ordered["supply"], orientation="h",
                   marker_color=SUPPLY_COLOUR, customdata=custom, hovertemplate=hover),
            go.Bar(name="Demand (openings)", y=labels, x=ordered["demand"], orientation="h",
                   marker_color=DEMAND_COLOUR, customdata=custom, hovertemplate=hover),
        ]
    )
    figure.update_layout(barmode="group", xaxis=dict(tickformat=",", title="people"), yaxis=dict(title=None))
    return _layout(figure, title, height=max(320, 34 * len(ordered) + 120))


def coverage_heatmap(cells: pd.DataFrame, *, title: str) -> go.Figure:
    """Region x sector coverage ratio on a log scale centred on 1.0 (balanced)."""
    regions = cells.drop_duplicates("region_code").sort_values("region_code")
    sectors = cells.drop_duplicates("sector_code").sort_values("sector_code")
    grid = cells.set_index(["region_code", "sector_code"])
    index = pd.MultiIndex.from_product([regions["region_code"], sectors["sector_code"]])
    full = grid.reindex(index)
    shape = (len(regions), len(sectors))
    coverage = full["coverage_ratio"].to_numpy(dtype=float).reshape(shape)
    with np.errstate(divide="ignore"):
        z = np.clip(np.log2(coverage), -2, 2)  # 0.25x .. 4x; no supply at all shows as the darkest shortage
    verdict = np.where(np.isnan(coverage), "no demand recorded", np.where(coverage < 1, "shortage", np.where(coverage > 1, "surplus", "balanced")))
    custom = np.stack(
        [
            full["supply"].fillna(0).to_numpy().reshape(shape),
            full["demand"].fillna(0).to_numpy().reshape(shape),
            full["gap"].fillna(0).to_numpy().reshape(shape),
            np.nan_to_num(coverage, nan=-1).round(2),
            verdict.reshape(shape),
        ],
        axis=-1,
    )
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=sectors["sector_code"],
            y=regions["region_name"],
            customdata=custom,
            colorscale=COVERAGE_SCALE,
            zmin=-2,
            zmax=2,
            zmid=0,
            xgap=1,
            ygap=1,
            colorbar=dict(
                title=dict(text="coverage<br>(supply ÷ demand)"),
                tickvals=np.log2(COVERAGE_TICKS),
                ticktext=["≤0.25", "0.5", "1 (balanced)", "2", "≥4"],
            ),
            hovertemplate=(
                "%{y} · sector %{x}<br>supply %{customdata[0]:,} · demand %{customdata[1]:,}"
                "<br>gap %{customdata[2]:+,} · coverage %{customdata[3]}<br>%{customdata[4]}<extra></extra>"
            ),
        )
    )
    figure.update_layout(xaxis=dict(title="sector", side="top", tickangle=0), yaxis=dict(title=None, autorange="reversed"))
    return _layout(figure, title, height=max(320, 36 * len(regions) + 160))


def supply_demand_trend_lines(trend: pd.DataFrame, *, title: str) -> go.Figure:
    """Supply and demand over the years for the selection."""
    figure = go.Figure(
        [
            go.Scatter(name="Supply (graduates)", x=trend["year"], y=trend["supply"], mode="lines+markers",
                       line=dict(color=SUPPLY_COLOUR, width=3), hovertemplate="%{x}: %{y:,} graduates<extra></extra>"),
            go.Scatter(name="Demand (openings)", x=trend["year"], y=trend["demand"], mode="lines+markers",
                       line=dict(color=DEMAND_COLOUR, width=3, dash="dash"), hovertemplate="%{x}: %{y:,} openings<extra></extra>"),
        ]
    )
    figure.update_layout(xaxis=dict(dtick=1, title=None), yaxis=dict(tickformat=",", title="people", rangemode="tozero"))
    return _layout(figure, title, height=380)
