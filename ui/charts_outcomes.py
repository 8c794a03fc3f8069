"""Charts and small pure helpers of the Graduate outcomes page.

Rates follow the data contract (ratios of sums; see data_access.metrics).
The outcome survey is by cohort: the sidebar's years select cohort years here,
and the latest cohort is often a year or more behind the latest enrolment.
Values hidden by small-number protection arrive as NaN and are left out of the
charts (the hover or a note says so) instead of failing. Every text is in the
current language (``locales/*/outcomes.toml``); data names show as stored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from streamlit import column_config

from data_access.filters import Filters

from .charts import DEMAND_COLOUR, SUPPLY_COLOUR, _layers, _layout, name_ticks, point_label
from .charts_enrolment import Grouping, signed
from .formatting import floats, fmt_count, fmt_rate, fmt_ratio, fmt_wage, is_missing, rate_decimals, wage_column_format
from .headline import Headline
from .i18n import label, t
from .theme import ink

GROUPINGS = {
    "sector": Grouping("sector", "outcomes_by_sector", "sector_code", "sector_name"),
    "region": Grouping("region", "outcomes_by_region", "region_code", "region_name"),
    "type": Grouping("type", "outcomes_by_type", "institution_type", "institution_type"),
}

# rate column -> what it is a share of, colour (Okabe–Ito) and marker; ``rate_label`` names it
RATES = {
    "employment_rate": ("surveyed", SUPPLY_COLOUR, "circle"),
    "job_rate": ("surveyed", "#56B4E9", "diamond"),
    "in_field_rate": ("employed", "#CC79A7", "square"),
    "further_study_rate": ("surveyed", "#009E73", "triangle-up"),
    "self_employment_rate": ("surveyed", "#000000", "x"),
}
EFFECTIVE_COLOUR = "#56B4E9"  # sky blue: the part of the blue supply that works in its field

# key and kind of the metrics of the page's head. The wage is not a median but a mean of the
# programs' median wages, weighted by employed (its label says so, short enough for a metric card).
HEADLINES = (
    ("employment_rate", "rate"),
    ("job_rate", "rate"),
    ("in_field_rate", "rate"),
    ("self_employment_rate", "rate"),
    ("further_study_rate", "rate"),
    ("wage_employment_weighted", "money"),
)


def rate_label(column: str) -> str:
    """What a rate (or the wage) is called in the current language: "Destination rate", "去向落实率"."""
    return t(f"outcomes.rate_{column}")


def latest_cohort(by_cohort: pd.DataFrame, filters: Filters) -> int | None:
    """The last cohort year within the filters' years that has survey results (None if none)."""
    years = by_cohort["cohort_year"]
    if filters.year_from is not None:
        years = years[years >= filters.year_from]
    if filters.year_to is not None:
        years = years[years <= filters.year_to]
    return None if years.empty else int(years.max())


def outcome_headlines(by_cohort: pd.DataFrame, *, cohort: int) -> list[Headline]:
    """Each headline rate and the wage for ``cohort``, with its change against the closest earlier cohort."""
    rows = by_cohort.set_index("cohort_year").sort_index()
    current = rows.loc[cohort] if cohort in rows.index else None
    earlier = rows[rows.index < cohort]
    previous, previous_year = (earlier.iloc[-1], int(earlier.index[-1])) if not earlier.empty else (None, None)
    figures = []
    for key, kind in HEADLINES:
        value = np.nan if current is None else current[key]
        before = np.nan if previous is None else previous[key]
        shown = "–" if is_missing(value) else fmt_rate(value) if kind == "rate" else fmt_wage(value)
        change = None
        if not is_missing(value) and not is_missing(before):
            # An ASCII sign: st.metric reads the direction of a change from a leading "-".
            change = (
                t("outcomes.rate_change", change=signed(100 * (value - before), f".{rate_decimals()}f"), cohort=previous_year)
                if kind == "rate"
                else t("outcomes.count_change", change=fmt_wage(value - before, signed=True), cohort=previous_year)
            )
        figures.append(
            Headline(
                key,
                rate_label(key),
                None if is_missing(value) else float(value),
                None if is_missing(before) else float(before),
                cohort,
                shown,
                change,
                t(f"outcomes.help_{key}"),
            )
        )
    return figures


def _shown(values, formatter) -> list[str]:
    """Each value formatted, or the word for a value hidden by small-number protection."""
    hidden = t("enrolment.hidden")
    return [hidden if is_missing(v) else formatter(v) for v in values]


# --- in-field rate against coverage ---------------------------------------------------------


def overall_in_field_rate(frame: pd.DataFrame) -> float:
    """Employed in field ÷ employed over all rows of ``frame`` (e.g. the cohorts of a period); NaN when
    nobody employed is known or when a count is hidden (a sum without it would be a different rate)."""
    employed, in_field = floats(frame["employed"]), floats(frame["employed_in_field"])
    if employed.isna().any() or in_field.isna().any() or not employed.sum():
        return float("nan")
    return float(in_field.sum() / employed.sum())


def in_field_coverage_scatter(frame: pd.DataFrame, *, overall: float, title: str, labelled: int | None = None) -> go.Figure:
    """One point per sector: coverage of demand (x, log scale, 1 = balanced) against the in-field
    rate of its graduates (y), point area by supply; reference lines at coverage 1 and at
    ``overall`` (the in-field rate of all sectors, see ``overall_in_field_rate``) split the
    plane into the four cases the caption explains. Each point is labelled with a short name
    (``point_label``; the hover gives it whole), above the point or, where a close point to its
    left is already labelled above, below it (``_label_positions``).

    The sector code is first in each point's customdata, for ``ChartSelection``. Sectors
    without demand or without employed graduates surveyed cannot be placed (see
    ``unplaced_sectors_note``). With ``labelled`` (a projected screen), only that many points are named:
    those furthest from balance and from the overall rate, the cases worth a word in the room.
    """
    placed = frame[frame["coverage_ratio"].notna() & frame["in_field_rate"].notna() & (frame["coverage_ratio"] > 0)]
    supply = floats(placed["supply"]).fillna(0)
    low = min(0.5, placed["coverage_ratio"].min() / 1.25) if len(placed) else 0.5
    high = max(2.0, placed["coverage_ratio"].max() * 1.25) if len(placed) else 2.0
    y_range = _padded_range(100 * floats(placed["in_field_rate"]), overall)
    names = [
        point_label(name) if isinstance(name, str) and name.strip() else str(code)
        for code, name in zip(placed["sector_code"], placed["sector_name"])
    ]
    if labelled is not None and len(placed) > labelled:
        # A doubling of coverage weighs as much as 20 points of in-field rate.
        distance = np.abs(np.log2(floats(placed["coverage_ratio"]))) + np.abs(floats(placed["in_field_rate"]) - overall) / 0.2
        kept = set(distance.reset_index(drop=True).sort_values(ascending=False, kind="stable").index[:labelled])
        names = [name if index in kept else "" for index, name in enumerate(names)]
    positions = _label_positions(
        np.log10(floats(placed["coverage_ratio"]).to_numpy()),
        100 * floats(placed["in_field_rate"]).to_numpy(),
        spans=(np.log10(high / low), y_range[1] - y_range[0]),
        named=[bool(name) for name in names],
        top=y_range[1],
        reach=0.35 if labelled is not None else 0.1,  # the projector's plot is short for its type
        unname_crowded=labelled is not None,
    )
    custom = _layers(
        [
            placed["sector_code"],
            placed["sector_name"],
            _shown(placed["supply"], fmt_count),
            _shown(placed["demand"], fmt_count),
            _shown(placed["coverage_ratio"], fmt_ratio),
            _shown(placed["in_field_rate"], fmt_rate),
            _shown(placed["employed"], fmt_count),
        ]
    )
    hover = (
        t(
            "outcomes.scatter_hover",
            name="%{customdata[1]}",
            code="%{customdata[0]}",
            rate="%{customdata[5]}",
            employed="%{customdata[6]}",
            coverage="%{customdata[4]}",
            supply="%{customdata[2]}",
            demand="%{customdata[3]}",
        )
        + "<extra></extra>"
    )
    figure = go.Figure(
        go.Scatter(
            x=floats(placed["coverage_ratio"]),
            y=100 * floats(placed["in_field_rate"]),
            mode="markers+text",
            text=[name if position else "" for name, position in zip(names, positions)],
            textposition=[position or "top center" for position in positions],
            cliponaxis=False,  # a name by a point near the plot's edge is drawn whole
            textfont=dict(size=13, color=ink().text),
            customdata=custom,
            hovertemplate=hover,
            marker=dict(
                size=supply,
                sizemode="area",
                sizeref=2 * max(1.0, supply.max()) / 50**2,
                sizemin=7,
                color=SUPPLY_COLOUR,
                opacity=0.75,
                line=dict(color="white", width=1),
            ),
            name=t("outcomes.scatter_trace"),
            showlegend=False,
        )
    )
    figure.add_vline(x=1, line=dict(color=ink().text, dash="dash", width=1))
    projected = labelled is not None  # the projector's short plot has room for the points' names only
    notes = dict(visible=not projected)  # the lines' and corners' words, said by the page's caption there
    # On a log axis Plotly places annotations at log10 of the value: 0 is coverage 1.
    figure.add_annotation(
        notes,
        text=t("outcomes.coverage_line"),
        x=0,
        xref="x",
        y=1,
        yref="y domain",
        yanchor="bottom",
        showarrow=False,
        font=dict(size=13, color=ink().muted),
    )
    if not np.isnan(overall):
        figure.add_hline(
            y=100 * overall,
            line=dict(color=ink().text, dash="dot", width=1),
            annotation=dict(
                notes, text=t("outcomes.overall_line", rate=fmt_rate(overall)), font=dict(size=13, color=ink().muted)
            ),
            annotation_position="bottom right",
        )
    for x, y, anchor, text in (
        (0, 1, "left", t("outcomes.short_in_field")),
        (1, 1, "right", t("outcomes.surplus_in_field")),
        (0, 0, "left", t("outcomes.short_leaving")),
        (1, 0, "right", t("outcomes.surplus_leaving")),
    ):
        figure.add_annotation(
            notes,
            text=text,
            xref="x domain",
            yref="y domain",
            x=x,
            y=y,
            xanchor=anchor,
            yanchor="top" if y else "bottom",
            showarrow=False,
            align=anchor,
            font=dict(size=13, color=ink().muted),
        )
    figure.update_layout(
        xaxis=dict(
            type="log",
            range=[np.log10(low), np.log10(high)],
            tickvals=[0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4],
            ticktext=["0.25", "0.5", "0.75", "1", "1.5", "2", "3", "4"],
            title=t("outcomes.scatter_x"),
        ),
        yaxis=dict(
            title=t("outcomes.scatter_y_short" if labelled is not None else "outcomes.scatter_y"), ticksuffix="%", range=y_range
        ),
        dragmode=False,
        clickmode="event+select",
    )
    figure = _layout(figure, title, height=560)
    figure.update_layout(margin=dict(t=80))  # room for the note on the coverage line
    return figure


def unplaced_sectors_note(frame: pd.DataFrame) -> str:
    """A sentence naming the sectors the scatter cannot place (no openings, or no employed graduates surveyed), or ""."""
    unplaced = frame[~(frame["coverage_ratio"].notna() & frame["in_field_rate"].notna() & (frame["coverage_ratio"] > 0))]
    if unplaced.empty:
        return ""
    return t("outcomes.unplaced", codes=t("filters.list_separator").join(unplaced["sector_code"].astype(str)))


def _label_positions(
    x: np.ndarray,
    y: np.ndarray,
    *,
    spans: tuple[float, float],
    named: list[bool] | None = None,
    top: float | None = None,
    reach: float = 0.1,
    unname_crowded: bool = False,
) -> list[str | None]:
    """The textposition of each point (``x`` and ``y`` as drawn, ``spans`` the axes' lengths in the same units).

    A name above its point ("top center") takes the y axis from the point up by ``reach`` of its span, one
    below ("bottom center") as much down; names of points within about a name's width (0.15 of the x span)
    should not share any of it. Taken from left to right, each point's name goes where it shares least with
    the names already placed, above when both are free; so the names of close points alternate above and
    below. A point whose name would run over ``top`` (the axis' end) is named below, and placed first. Only
    the points ``named`` (all by default) count. With ``unname_crowded`` (the projector, where a name must be
    read), a point whose name would share room wherever it goes is left unnamed: its position is None."""
    named = list(named) if named is not None else [True] * len(x)
    height = reach * spans[1]

    def extent(index: int, position: str) -> tuple[float, float]:
        return (y[index], y[index] + height) if position == "top center" else (y[index] - height, y[index])

    def at_the_top(index: int) -> bool:
        return top is not None and y[index] + height > top

    chosen: dict[int, str] = {}

    def shared(index: int, position: str) -> float:
        low, high = extent(index, position)
        return sum(
            max(0.0, min(high, other_high) - max(low, other_low))
            for other, other_position in chosen.items()
            if abs(x[index] - x[other]) < 0.15 * spans[0]
            for other_low, other_high in [extent(other, other_position)]
        )

    order = sorted((i for i in range(len(x)) if named[i]), key=lambda i: (not at_the_top(i), x[i], i))
    crowded = set()
    for index in order:
        options = ["bottom center"] if at_the_top(index) else ["top center", "bottom center"]
        position = min(options, key=lambda position: shared(index, position))
        if unname_crowded and shared(index, position) > 0:
            crowded.add(index)
        else:
            chosen[index] = position
    return [None if index in crowded else chosen.get(index, "top center") for index in range(len(x))]


def _padded_range(rates: pd.Series, overall: float) -> list[float]:
    """A y range with room above and below the points for labels and the corner notes."""
    values = [v for v in [*rates.tolist(), 100 * overall] if not is_missing(v)]
    if not values:
        return [0, 100]
    low, high = min(values), max(values)
    pad = max(8.0, 0.35 * (high - low))
    return [max(0.0, low - pad), min(100.0 + pad / 2, high + pad)]


# --- rates by group and by cohort -------------------------------------------------------------


def outcome_rate_dots(frame: pd.DataFrame, *, grouping: Grouping, title: str) -> go.Figure:
    """The five rates side by side for each group (a dot per rate), highest destination rate at the top."""
    ordered = frame.sort_values("employment_rate", na_position="first", kind="stable")  # first row at the bottom
    codes = ordered[grouping.code].astype(str).tolist()  # the categories; the ticks show the names
    figure = go.Figure()
    for column, (base, colour, symbol) in RATES.items():
        custom = _layers(
            [ordered[grouping.name].astype(str), _shown(ordered[column], fmt_rate), _shown(ordered[base], fmt_count)]
        )
        hover = (
            t(
                "outcomes.dots_hover",
                name="%{customdata[0]}",
                rate_name=t(f"outcomes.hover_{column}"),
                rate="%{customdata[1]}",
                count="%{customdata[2]}",
                base=t(f"outcomes.base_{base}"),
            )
            + "<extra></extra>"
        )
        figure.add_trace(
            go.Scatter(
                name=rate_label(column),
                y=codes,
                x=100 * floats(ordered[column]),
                mode="markers",
                customdata=custom,
                marker=dict(color=colour, symbol=symbol, size=11, line=dict(color="white", width=1)),
                hovertemplate=hover,
            )
        )
    figure.update_layout(
        xaxis=dict(title=t("outcomes.dots_axis"), ticksuffix="%", range=[-3, 103]), yaxis=dict(title=None, type="category")
    )
    figure = _layout(figure, title, height=max(220, 36 * len(ordered) + 140))
    return name_ticks(figure, "y", codes, ordered[grouping.name].astype(str).tolist())


def outcome_cohort_lines(by_cohort: pd.DataFrame, *, title: str) -> go.Figure:
    """The five rates over the survey cohorts."""
    figure = go.Figure()
    for column, (base, colour, symbol) in RATES.items():
        custom = _layers([_shown(by_cohort[column], fmt_rate), _shown(by_cohort[base], fmt_count)])
        hover = (
            t(
                "outcomes.cohort_hover",
                cohort="%{x}",
                rate_name=t(f"outcomes.hover_{column}"),
                rate="%{customdata[0]}",
                count="%{customdata[1]}",
                base=t(f"outcomes.base_{base}"),
            )
            + "<extra></extra>"
        )
        figure.add_trace(
            go.Scatter(
                name=rate_label(column),
                x=by_cohort["cohort_year"],
                y=100 * floats(by_cohort[column]),
                mode="lines+markers",
                customdata=custom,
                line=dict(color=colour, width=3),
                marker=dict(symbol=symbol, size=9),
                hovertemplate=hover,
            )
        )
    figure.update_layout(
        xaxis=dict(dtick=1, title=t("outcomes.cohort_axis")),
        yaxis=dict(title=t("outcomes.percent_axis"), ticksuffix="%", range=[0, 101]),
    )
    return _layout(figure, title, height=400)


# --- effective supply ------------------------------------------------------------------------


def effective_supply_bars(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Per sector: graduates, the graduates expected to work in their field (effective supply)
    and openings, largest effective shortage at the top."""
    ordered = frame.sort_values("effective_gap", ascending=False, na_position="first", kind="stable")
    codes = ordered["sector_code"].astype(str).tolist()  # the categories; the ticks show the names
    custom = _layers(
        [
            ordered["sector_name"].astype(str),
            _shown(ordered["supply"], fmt_count),
            _shown(ordered["in_field_rate"], fmt_rate),
            _shown(ordered["effective_supply"], fmt_count),
            _shown(ordered["demand"], fmt_count),
            [_signed(v) for v in ordered["effective_gap"]],
            _shown(ordered["effective_coverage"], fmt_ratio),
        ]
    )
    hover = (
        t(
            "outcomes.effective_hover",
            name="%{customdata[0]}",
            bar="%{fullData.name}",
            value="%{x:,.0f}",
            supply="%{customdata[1]}",
            rate="%{customdata[2]}",
            effective="%{customdata[3]}",
            demand="%{customdata[4]}",
            gap="%{customdata[5]}",
            coverage="%{customdata[6]}",
        )
        + "<extra></extra>"
    )
    # Drawn bottom-up within each sector, so listed in reverse; the legend reads top-down.
    bars = (
        (t("outcomes.bar_demand"), "demand", DEMAND_COLOUR),
        (t("outcomes.bar_effective"), "effective_supply", EFFECTIVE_COLOUR),
        (t("outcomes.bar_supply"), "supply", SUPPLY_COLOUR),
    )
    figure = go.Figure(
        [
            go.Bar(
                name=name,
                y=codes,
                x=floats(ordered[column]),
                orientation="h",
                marker_color=colour,
                customdata=custom,
                hovertemplate=hover,
            )
            for name, column, colour in bars
        ]
    )
    figure.update_layout(
        barmode="group",
        bargap=0.2,
        legend_traceorder="reversed",
        xaxis=dict(tickformat=",", title=t("outcomes.people_axis")),
        yaxis=dict(title=None, type="category"),
    )
    figure = _layout(figure, title, height=max(220, 54 * len(ordered) + 130))
    return name_ticks(figure, "y", codes, ordered["sector_name"].astype(str).tolist())


def _signed(value: object) -> str:
    return t("enrolment.hidden") if is_missing(value) else f"{float(value):+,.0f}"


def effective_supply_note(frame: pd.DataFrame) -> str:
    """One sentence on graduates left out of effective supply (sectors without survey results), or ""."""
    left_out = pd.to_numeric(frame["supply_without_rate"], errors="coerce").fillna(0).sum()
    return t("outcomes.left_out", count=fmt_count(left_out)) if left_out else ""


# --- table columns ------------------------------------------------------------------------------

_COUNT = dict(format="localized")
_RATE = dict(format="percent", step=0.001)  # the step sets the decimals shown: one


def institution_columns() -> dict:
    """The table of outcomes by institution: column settings headed in the current language."""
    return {
        "institution_id": label("institution_id"),
        # pinned: the name stays when scrolling sideways
        "institution_name": column_config.TextColumn(label("institution_name"), width="medium", pinned=True),
        "surveyed": column_config.NumberColumn(label("surveyed"), **_COUNT),
        "employed": column_config.NumberColumn(label("employed"), **_COUNT),
        "employed_in_field": column_config.NumberColumn(t("outcomes.column_in_field"), **_COUNT),
        "self_employed": column_config.NumberColumn(label("self_employed"), **_COUNT),
        "further_study": column_config.NumberColumn(label("further_study"), **_COUNT),
        "unemployed": column_config.NumberColumn(t("outcomes.column_unemployed"), **_COUNT),
        "employment_rate": column_config.NumberColumn(
            rate_label("employment_rate"), help=t("outcomes.help_employment_rate"), **_RATE
        ),
        "job_rate": column_config.NumberColumn(rate_label("job_rate"), **_RATE),
        "in_field_rate": column_config.NumberColumn(rate_label("in_field_rate"), help=t("outcomes.help_in_field_rate"), **_RATE),
        "self_employment_rate": column_config.NumberColumn(rate_label("self_employment_rate"), **_RATE),
        "further_study_rate": column_config.NumberColumn(rate_label("further_study_rate"), **_RATE),
        "wage_employment_weighted": column_config.NumberColumn(
            rate_label("wage_employment_weighted"), help=t("outcomes.help_wage_employment_weighted"), format=wage_column_format()
        ),
    }
