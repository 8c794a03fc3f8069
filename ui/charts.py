"""Chart builders: pure functions from a query's DataFrame to a Plotly figure.

One palette (Okabe–Ito, safe for colour-blind readers) and one number format
for every chart. Shortage and surplus are told apart by an orange–purple
diverging scale and by words in the hover, never by red and green. Every word
inside a chart is in the current language (``locales/<language>/charts.toml``);
data names show as stored, written as Plotly text (``_layout``), never as markup.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .i18n import t
from .markup import figure_as_plotly_text, plotly_text
from .scale import OTHER_CODE
from .theme import ink

SUPPLY_COLOUR = "#0072B2"  # blue
DEMAND_COLOUR = "#E69F00"  # orange
NOT_MEASURED_GREY = "#7a7a7a"  # grey: no verdict (a side unknown), on the heat map and the map alike
UNTRAINED_COLOUR = "#7f3b08"  # beyond the darkest shortage, marked "0": openings but no local graduates at all
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
    colours = ink()
    figure.update_layout(
        title=dict(text=plotly_text(title), x=0, xanchor="left", font=dict(color=colours.text)),
        height=height,
        font=dict(FONT, color=colours.text),
        margin=dict(l=10, r=10, t=60, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1, font=dict(color=colours.text)),
        separators=".,",
        hoverlabel=dict(font_size=14),
    )
    # Full-contrast labels at the body size (Streamlit's chart template draws them 12 px in a 3.7:1 grey).
    axes = dict(tickfont=dict(color=colours.text, size=FONT["size"]), title_font=dict(color=colours.text), gridcolor=colours.grid)
    figure.update_xaxes(**axes)
    figure.update_yaxes(**axes)
    return figure


def demand_name(frame: pd.DataFrame) -> str:
    """The demand series' name: the openings, or where shortage is graded against expected shares
    (data_access/views.py::graded), the openings the vocational graduates are expected to fill."""
    return t("charts.demand_expected") if "openings_all" in frame else t("charts.demand")


def supply_demand_bars(gaps: pd.DataFrame, *, title: str, projector: bool = False) -> go.Figure:
    """Supply and demand side by side per sector, largest shortage at the top, each bar labelled with its
    value and each sector with its whole name (on two lines where long).

    On the ``projector`` the bars are supply and demand only: a third, hatched bar of openings (or graduates)
    whose other side is unknown would make every bar thinner than its label at 1280x720; the page shows it."""
    # Plotly draws the first row at the bottom: largest shortage on top, the folded "other" item at the bottom.
    ordered = gaps.assign(_other=gaps["sector_code"] == OTHER_CODE).sort_values(["_other", "gap"], ascending=False)
    codes = ordered["sector_code"].astype(str).tolist()
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
    bars = dict(
        y=codes,
        orientation="h",
        customdata=custom,
        hovertemplate=hover,
        texttemplate="%{x:,.0f}",
        textposition="outside",
        cliponaxis=False,
        textfont=dict(size=13),
    )
    traces = [
        go.Bar(name=t("charts.supply"), x=ordered["supply"], marker_color=SUPPLY_COLOUR, **bars),
        go.Bar(name=demand_name(ordered), x=ordered["demand"], marker_color=DEMAND_COLOUR, **bars),
    ]
    # the known side of cells whose other side is unknown: drawn apart, hatched, never inside a gap
    for column, colour in (("supply_unmeasured", SUPPLY_COLOUR), ("demand_unmeasured", DEMAND_COLOUR)):
        if not projector and column in ordered and pd.to_numeric(ordered[column], errors="coerce").fillna(0).gt(0).any():
            unmeasured = dict(
                bars, hovertemplate=t("charts.hover_value", name="%{fullData.name}", value="%{x:,}") + "<extra></extra>"
            )
            pattern = dict(shape="/", fgcolor=colour, bgcolor="rgba(0,0,0,0)")
            traces.append(
                go.Bar(
                    name=t(f"charts.{column}"),
                    x=pd.to_numeric(ordered[column], errors="coerce").where(lambda v: v > 0),  # no label for none
                    marker=dict(color="rgba(0,0,0,0)", line=dict(color=colour, width=1), pattern=pattern),
                    **unmeasured,
                )
            )
    figure = go.Figure(traces)
    figure.update_layout(
        barmode="group",
        bargap=0.1 if projector else None,  # the projector's bars as thick as their labels
        xaxis=dict(tickformat=",", title=t("charts.people")),
        yaxis=dict(title=None),
    )
    figure = _layout(figure, title, height=max(320, 40 * len(ordered) + 120))
    return name_ticks(figure, "y", codes, ordered["sector_name"].tolist())


def name_ticks(figure: go.Figure, axis: str, codes: list, names: list, *, width: int = 26) -> go.Figure:
    """Label the categories ``codes`` of ``axis`` ("x" or "y") with their names, wrapped (after ``_layout``,
    which escapes the data's text; the names are escaped here)."""
    ticks = dict(tickmode="array", tickvals=[plotly_text(c) for c in codes], ticktext=[wrapped(n, width) for n in names])
    return figure.update_xaxes(**ticks) if axis == "x" else figure.update_yaxes(**ticks)


def wrapped(text: object, width: int = 26, lines: int = 2) -> str:
    """A name as Plotly text on up to ``lines`` lines of about ``width`` characters (broken between words;
    a name longer than that ends in "…"; the hover shows it whole). For tick texts set after ``_layout``."""
    words, rows, current = str(text).split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            rows.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    rows.append(current)
    if len(rows) > lines:
        rows = rows[: lines - 1] + [short_label(" ".join(rows[lines - 1 :]), width)]
    if len(str(text)) > 2 and " " not in str(text) and len(str(text)) > width * lines:  # one long word (Chinese names)
        rows = [str(text)[i : i + width] for i in range(0, len(str(text)), width)][:lines]
    return "<br>".join(plotly_text(row) for row in rows)


def short_label(text: str, limit: int = 38) -> str:
    """A name cut to ``limit`` characters for an axis (the hover shows it whole)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Where a name's first part ends: "Human health and social work activities" -> "Human health".
_NAME_PART_END = re.compile(r",| and |、|，|;|；")


def point_label(text: object, limit: int = 18, limit_wide: int = 8) -> str:
    """A short name to write beside a point (plain words; ``_layout`` escapes it): the name up to its first
    comma, " and ", "、", "，" or ";", cut between words to at most ``limit`` characters (``limit_wide`` for
    names in Chinese or another script without spaces) with "…" where still longer. The hover shows it whole."""
    name = " ".join(str(text).split())
    short = _NAME_PART_END.split(name, maxsplit=1)[0].strip() or name
    wide = any(unicodedata.east_asian_width(c) in "WF" for c in short)
    most = limit_wide if wide else limit
    if len(short) <= most:
        return short
    kept = ""
    for word in short.split(" "):
        if len(kept) + bool(kept) + len(word) > most - 1:
            break
        kept = f"{kept} {word}".strip()
    return (kept or short[: most - 1].rstrip()) + "…"


NO_DEMAND_COLOUR = "#d4d6dc"  # light grey, marked with a dash: no openings recorded (not "balanced", which is near white)
NOT_MEASURED_COLOUR = NOT_MEASURED_GREY  # marked with "?": a side is unknown, so no verdict at all


def _numbers_text(values: np.ndarray, spec: str) -> np.ndarray:
    """Numbers as hover text in the format ``spec``, "–" where unknown (never a false 0)."""
    texts = ["–" if np.isnan(v) else format(v, spec) for v in values.ravel()]
    return np.array(texts, dtype=object).reshape(values.shape)


def coverage_heatmap(cells: pd.DataFrame, *, title: str, sectors_as_rows: bool = False) -> go.Figure:
    """Region x sector coverage ratio on a log scale centred on 1.0 (balanced), sectors by name.

    Cells with demand but no local graduates at all are the strongest shortage, a shade beyond the scale's
    darkest orange and marked "0" ("no local training"), so that planners read them as the worst shortage
    and still tell a program that is missing from one that is too small; cells without openings are light
    grey with a dash, never the near-white of "balanced"; cells with a side unknown (not ``measured``) are
    grey with "?" and no verdict, the grey the map gives a region without a measured gap.

    Regions are the rows and sectors the columns, their names slanted below the grid; ``sectors_as_rows`` turns
    it a quarter (sectors down, their names level on one line), for a page where many sectors' slanted names
    would run into each other (the printed brief).
    """
    regions = cells.drop_duplicates("region_code").sort_values("region_code")
    sectors = cells.drop_duplicates("sector_code").sort_values("sector_code")
    index = pd.MultiIndex.from_product([regions["region_code"], sectors["sector_code"]])
    full = cells.set_index(["region_code", "sector_code"]).reindex(index)
    shape = (len(regions), len(sectors))

    def grid(column: str) -> np.ndarray:
        return full[column].to_numpy(dtype=float).reshape(shape)

    coverage, supply, demand = grid("coverage_ratio"), grid("supply"), grid("demand")
    listed = full["gap"].index.isin(cells.set_index(["region_code", "sector_code"]).index).reshape(shape)
    measured = (
        full["measured"].fillna(True).astype(bool).to_numpy().reshape(shape) if "measured" in full else np.ones(shape, bool)
    )
    unknown = listed & ~measured
    with np.errstate(divide="ignore"):
        z = np.clip(np.log2(coverage), -2, 2)  # 0.25x .. 4x
    untrained = (supply == 0) & (demand > 0) & ~unknown
    no_demand = np.isnan(coverage) & ~untrained & ~unknown
    z[untrained | unknown] = np.nan
    verdict = np.where(
        unknown,
        t("charts.not_measured"),
        np.where(
            np.isnan(coverage),
            t("charts.no_demand"),
            np.where(
                untrained,
                t("charts.no_local_training"),
                np.where(coverage < 1, t("charts.shortage"), np.where(coverage > 1, t("charts.surplus"), t("charts.balanced"))),
            ),
        ),
    )
    sector_names = np.tile(sectors["sector_name"].to_numpy(), (len(regions), 1))
    custom = _layers(
        [
            _numbers_text(supply, ",.0f"),
            _numbers_text(demand, ",.0f"),
            _numbers_text(grid("gap"), "+,.0f"),
            _numbers_text(coverage, ".2f"),
            verdict,
            sector_names,
            np.tile(regions["region_name"].to_numpy()[:, None], (1, len(sectors))),
        ]
    )
    hover = (
        "<br>".join(
            [
                "<b>%{customdata[6]}</b> · %{customdata[5]}",
                t("charts.hover_supply_demand", supply="%{customdata[0]}", demand="%{customdata[1]}"),
                t("charts.hover_gap_coverage", gap="%{customdata[2]}", coverage="%{customdata[3]}"),
                "<b>%{customdata[4]}</b>",
            ]
        )
        + "<extra></extra>"
    )
    codes = sectors["sector_code"].astype(str).tolist()
    names = regions["region_name"].tolist()
    turned = (lambda grid: np.swapaxes(grid, 0, 1)) if sectors_as_rows else (lambda grid: grid)
    common = dict(
        x=names if sectors_as_rows else codes,
        y=codes if sectors_as_rows else names,
        customdata=turned(custom),
        xgap=1,
        ygap=1,
        hovertemplate=hover,
    )
    figure = go.Figure(
        [
            go.Heatmap(
                z=turned(z),
                colorscale=COVERAGE_SCALE,
                zmin=-2,
                zmax=2,
                zmid=0,
                name=t("charts.coverage"),
                colorbar=dict(
                    title=dict(text=t("charts.coverage_scale_expected" if "openings_all" in cells else "charts.coverage_scale")),
                    tickvals=np.log2(COVERAGE_TICKS),
                    ticktext=["≤0.25", "0.5", t("charts.balanced_tick"), "2", "≥4"],
                ),
                **common,
            ),
            go.Heatmap(
                z=turned(np.where(untrained, 1.0, np.nan)),
                colorscale=[[0, UNTRAINED_COLOUR], [1, UNTRAINED_COLOUR]],
                showscale=False,
                text=turned(np.where(untrained, "0", "")),
                texttemplate="%{text}",
                textfont=dict(size=15, color="#ffffff"),
                name=t("charts.no_local_training"),
                **common,
            ),
            go.Heatmap(
                z=turned(np.where(no_demand, 1.0, np.nan)),
                colorscale=[[0, NO_DEMAND_COLOUR], [1, NO_DEMAND_COLOUR]],
                showscale=False,
                text=turned(np.where(no_demand, "–", "")),
                texttemplate="%{text}",
                textfont=dict(size=16, color=ink().text),
                name=t("charts.no_demand"),
                **common,
            ),
            go.Heatmap(
                z=turned(np.where(unknown, 1.0, np.nan)),
                colorscale=[[0, NOT_MEASURED_COLOUR], [1, NOT_MEASURED_COLOUR]],
                showscale=False,
                text=turned(np.where(unknown, "?", "")),
                texttemplate="%{text}",
                textfont=dict(size=16, color="#ffffff"),
                name=t("charts.not_measured"),
                **common,
            ),
        ]
    )
    figure.update_layout(
        xaxis=dict(title=None, side="bottom", tickangle=-40, type="category"),
        yaxis=dict(title=None, autorange="reversed", type="category"),
    )
    figure.add_annotation(
        text=t("charts.heatmap_note"),
        xref="paper",
        yref="paper",
        x=0,
        y=1.0,
        yanchor="bottom",
        showarrow=False,
        font=dict(size=13, color=ink().muted),
    )
    if sectors_as_rows:  # sector names level, one line each; the regions' names slanted below the grid
        figure.update_layout(xaxis=dict(autorange=None), yaxis=dict(autorange="reversed"))
        longest = max((len(str(n)) for n in names), default=10)
        bottom = min(30 + 7 * min(longest, 30), 250)
        figure = _layout(figure, title, height=max(340, 30 * len(sectors) + bottom + 100))
        figure.update_layout(margin=dict(t=90, b=bottom))
        wide = [any(unicodedata.east_asian_width(c) in "WF" for c in str(n)) for n in sectors["sector_name"]]
        names_cut = [short_label(str(n), 17 if w else 34) for n, w in zip(sectors["sector_name"], wide)]
        return name_ticks(figure, "y", codes, names_cut, width=34)
    longest = max((len(str(n)) for n in sectors["sector_name"]), default=10)
    bottom = min(30 + 7 * min(longest, 30), 250)  # room for the angled names under the grid
    figure = _layout(figure, title, height=max(340, 36 * len(regions) + bottom + 100))
    figure.update_layout(margin=dict(t=90, b=bottom))
    return name_ticks(figure, "x", codes, [short_label(str(n), 30) for n in sectors["sector_name"]], width=30)


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
                name=demand_name(trend),
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
