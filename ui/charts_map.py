"""The coverage map and the coverage-at-other-replacement-rates chart.

The map draws the loaded region boundaries as filled shapes on plain axes (longitude, and latitude on
the Mercator scale, equal in both directions): nothing is fetched, neither map tiles nor Plotly's own
world outlines (which its ``geo`` maps download from a CDN), so it works offline, in the meeting brief
too. Colours are the heat map's: coverage on a log scale centred on 1.0, orange for shortage, purple for
surplus; a region without a measured gap is grey and says so in its hover.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from .charts import COVERAGE_SCALE, NOT_MEASURED_GREY, SUPPLY_COLOUR, _layout
from .formatting import fmt_count, fmt_ratio
from .i18n import t

MAP_HEIGHT = 640


def coverage_map(regions: pd.DataFrame, shapes: dict[str, dict], *, title: str) -> go.Figure:
    """Coverage ratio per region on the regions' own boundaries (``shapes``: region code -> GeoJSON geometry
    in longitude/latitude). Every region with a boundary is drawn, one shape each."""
    rows = regions.set_index("region_code")
    observed = pd.to_numeric(rows["coverage_ratio"], errors="coerce")
    observed = observed[observed > 0]
    # 1.0 (balanced) stays in the middle; the scale reaches as far as the data, at least 0.25x .. 4x
    reach = max(2.0, float(np.ceil(np.abs(np.log2(observed)).max()))) if len(observed) else 2.0
    figure = go.Figure()
    grey_shown = False
    for code, geometry in shapes.items():
        row = rows.loc[code] if code in rows.index else None
        name = str(row["region_name"]) if row is not None and isinstance(row["region_name"], str) else code
        coverage = float(row["coverage_ratio"]) if row is not None and pd.notna(row["coverage_ratio"]) else math.nan
        measured = not math.isnan(coverage) and coverage > 0
        colour = _colour(coverage, reach) if measured else NOT_MEASURED_GREY
        supply = row["supply"] if row is not None else None
        demand = row["demand"] if row is not None else None
        hover = "<br>".join(
            [
                f"<b>{name}</b>",
                t("charts.hover_supply_demand", supply=fmt_count(supply), demand=fmt_count(demand)),
                t("charts.hover_coverage", value=fmt_ratio(coverage)) if measured else t("caveats.map_no_comparison"),
            ]
        )
        x, y = _outline(geometry)
        figure.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line=dict(color="white", width=0.8),
                hoveron="fills",
                hoverinfo="text",
                text=hover,
                name=t("caveats.map_no_comparison") if not measured else name,
                legendgroup="grey" if not measured else None,
                showlegend=not measured and not grey_shown,
            )
        )
        grey_shown = grey_shown or not measured
    figure.add_trace(_colour_bar(reach))
    figure.update_xaxes(visible=False, showgrid=False, zeroline=False)
    figure.update_yaxes(visible=False, showgrid=False, zeroline=False, scaleanchor="x", scaleratio=1)
    figure = _layout(figure, title, MAP_HEIGHT)
    figure.update_layout(
        legend=dict(orientation="h", x=0, xanchor="left", y=0, yanchor="top"), plot_bgcolor="white", hovermode="closest"
    )
    return figure


def _colour(coverage: float, reach: float) -> str:
    """The heat map's colours for a coverage ratio, on a log scale from 2^-reach to 2^reach."""
    position = (min(max(math.log2(coverage), -reach), reach) + reach) / (2 * reach)
    return sample_colorscale(COVERAGE_SCALE, [position])[0]


def _colour_bar(reach: float) -> go.Scatter:
    """An invisible point that carries the coverage scale's colour bar."""
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        hoverinfo="skip",
        showlegend=False,
        marker=dict(
            color=[0],
            cmin=-reach,
            cmax=reach,
            colorscale=COVERAGE_SCALE,
            showscale=True,
            colorbar=dict(
                title=dict(text=t("charts.coverage_scale")),
                tickvals=list(range(-int(reach), int(reach) + 1)),
                ticktext=[f"{2.0**k:.2g}" for k in range(-int(reach), int(reach) + 1)],
                len=0.75,
            ),
        ),
    )


def _outline(geometry: dict) -> tuple[list, list]:
    """The rings of a (Multi)Polygon as one line broken by gaps: longitude, and latitude on the Mercator scale
    (in degrees, so that shapes keep their proportions)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    xs: list = []
    ys: list = []
    for polygon in polygons:
        for ring in polygon:
            points = np.asarray(ring, dtype=float)
            latitude = np.radians(np.clip(points[:, 1], -85, 85))
            xs.extend(points[:, 0].round(5).tolist() + [None])
            ys.extend(np.degrees(np.log(np.tan(np.pi / 4 + latitude / 2))).round(5).tolist() + [None])
    return xs, ys


def sensitivity_lines(frame: pd.DataFrame, rates_used: list[float], *, title: str) -> go.Figure:
    """The coverage ratio of all sectors together (thick) and of each sector (thin) as the replacement rate
    is scaled. The axis shows the rates themselves when every sector uses the same one, else the multiple."""
    single = len(set(rates_used)) == 1
    factors = sorted(frame["factor"].unique())
    ticks = [f"{100 * f * rates_used[0]:g}%" if single else t("caveats.sensitivity_factor", factor=f"{f:g}") for f in factors]
    figure = go.Figure()
    for code, rows in frame.groupby("sector_code", sort=False):
        rows = rows.sort_values("factor")
        every = code == ""
        name = t("caveats.sensitivity_all") if every else str(rows["sector_name"].iloc[0])
        figure.add_trace(
            go.Scatter(
                x=[ticks[factors.index(f)] for f in rows["factor"]],
                y=rows["coverage_ratio"],
                mode="lines+markers",
                name=name,
                line=dict(width=4 if every else 1.5, color=SUPPLY_COLOUR if every else None),
                opacity=1 if every else 0.7,
                hovertemplate=f"{name}<br>%{{x}}: %{{y:.2f}}<extra></extra>",
            )
        )
    figure.update_xaxes(title_text=t("caveats.sensitivity_axis"), type="category")
    figure.update_yaxes(title_text=t("charts.coverage"), rangemode="tozero")
    figure = _layout(figure, title, 480)
    return figure.update_layout(legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top"))
