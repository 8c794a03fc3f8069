"""Charts and small pure helpers of the Graduate outcomes page.

Rates follow the data contract (ratios of sums; see data_access.metrics).
The outcome survey is by cohort: the sidebar's years select cohort years here,
and the latest cohort is often a year or more behind the latest enrolment.
Values hidden by small-number protection arrive as NaN and are left out of the
charts (the hover or a note says so) instead of failing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from streamlit import column_config

from data_access.filters import Filters

from .charts import DEMAND_COLOUR, SUPPLY_COLOUR, _layers, _layout, short_label
from .charts_enrolment import Grouping, floats, signed
from .formatting import fmt_count, fmt_rate, fmt_ratio, is_missing
from .headline import Headline

GROUPINGS = {
    "sector": Grouping("Sector", "sectors", "outcomes_by_sector", "sector_code", "sector_name"),
    "region": Grouping("Region", "regions", "outcomes_by_region", "region_code", "region_name"),
    "type": Grouping("Institution type", "institution types", "outcomes_by_type", "institution_type", "institution_type"),
}

# Not a median: a mean of the programs' median wages, weighted by employed (short enough for a metric card).
WAGE_LABEL = "Wage (weighted mean of medians)"

# rate column -> label, what it is a share of, colour (Okabe–Ito) and marker
RATES = {
    "employment_rate": ("Destination rate", "surveyed", SUPPLY_COLOUR, "circle"),
    "job_rate": ("Job rate", "surveyed", "#56B4E9", "diamond"),
    "in_field_rate": ("In-field rate", "employed", "#CC79A7", "square"),
    "further_study_rate": ("Further-study rate", "surveyed", "#009E73", "triangle-up"),
    "self_employment_rate": ("Self-employment rate", "surveyed", "#000000", "x"),
}
EFFECTIVE_COLOUR = "#56B4E9"  # sky blue: the part of the blue supply that works in its field

# key, label, kind, help (the metrics of the page's head)
HEADLINES = (
    ("employment_rate", "Destination rate", "rate", "(Employed + in further study) ÷ surveyed graduates: the usual “destination secured” rate."),
    ("job_rate", "Job rate", "rate", "Employed ÷ surveyed graduates."),
    ("in_field_rate", "In-field rate", "rate", "Employed in the field they trained for ÷ employed graduates."),
    ("self_employment_rate", "Self-employment rate", "rate", "Self-employed ÷ surveyed graduates."),
    ("further_study_rate", "Further-study rate", "rate", "In further study ÷ surveyed graduates."),
    ("wage_employment_weighted", WAGE_LABEL, "money",
     "Employment-weighted mean of medians: the monthly median wage of each institution's program, averaged with the "
     "number employed as weights, over the rows that state a wage. It is not the median wage of all graduates, which "
     "these tables cannot give."),
)


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
    for key, label, kind, help_text in HEADLINES:
        value = np.nan if current is None else current[key]
        before = np.nan if previous is None else previous[key]
        shown = "–" if is_missing(value) else fmt_rate(value) if kind == "rate" else fmt_count(value)
        change = None
        if not is_missing(value) and not is_missing(before):
            # An ASCII sign: st.metric reads the direction of a change from a leading "-".
            change = (f"{signed(100 * (value - before), '.1f')} pp vs cohort {previous_year}" if kind == "rate"
                      else f"{signed(value - before, ',.0f')} vs cohort {previous_year}")
        figures.append(Headline(key, label, None if is_missing(value) else float(value),
                                None if is_missing(before) else float(before), cohort, shown, change, help_text))
    return figures


def _shown(values, formatter) -> list[str]:
    return ["hidden" if is_missing(v) else formatter(v) for v in values]


# --- in-field rate against coverage ---------------------------------------------------------


def overall_in_field_rate(frame: pd.DataFrame) -> float:
    """Employed in field ÷ employed over all rows of ``frame`` (e.g. the cohorts of a period); NaN when
    nobody employed is known or when a count is hidden (a sum without it would be a different rate)."""
    employed, in_field = floats(frame["employed"]), floats(frame["employed_in_field"])
    if employed.isna().any() or in_field.isna().any() or not employed.sum():
        return float("nan")
    return float(in_field.sum() / employed.sum())


def in_field_coverage_scatter(frame: pd.DataFrame, *, overall: float, title: str) -> go.Figure:
    """One point per sector: coverage of demand (x, log scale, 1 = balanced) against the in-field
    rate of its graduates (y), point area by supply; reference lines at coverage 1 and at
    ``overall`` (the in-field rate of all sectors, see ``overall_in_field_rate``) split the
    plane into the four cases the caption explains.

    The sector code is first in each point's customdata, for ``ChartSelection``. Sectors
    without demand or without employed graduates surveyed cannot be placed (see
    ``unplaced_sectors_note``).
    """
    placed = frame[frame["coverage_ratio"].notna() & frame["in_field_rate"].notna() & (frame["coverage_ratio"] > 0)]
    supply = floats(placed["supply"]).fillna(0)
    custom = _layers([placed["sector_code"], placed["sector_name"], _shown(placed["supply"], fmt_count),
                      _shown(placed["demand"], fmt_count), _shown(placed["coverage_ratio"], fmt_ratio),
                      _shown(placed["in_field_rate"], fmt_rate), _shown(placed["employed"], fmt_count)])
    hover = ("<b>%{customdata[1]}</b> (%{customdata[0]})<br>in-field rate %{customdata[5]} of %{customdata[6]} employed"
             "<br>coverage %{customdata[4]}: %{customdata[2]} graduates for %{customdata[3]} openings"
             "<br><i>click to narrow the page to this sector</i><extra></extra>")
    figure = go.Figure(go.Scatter(
        x=floats(placed["coverage_ratio"]), y=100 * floats(placed["in_field_rate"]), mode="markers+text", text=placed["sector_code"],
        textposition="top center", textfont=dict(size=13, color="#222"), customdata=custom, hovertemplate=hover,
        marker=dict(size=supply, sizemode="area", sizeref=2 * max(1.0, supply.max()) / 50**2, sizemin=7,
                    color=SUPPLY_COLOUR, opacity=0.75, line=dict(color="white", width=1)),
        name="sectors", showlegend=False,
    ))
    figure.add_vline(x=1, line=dict(color="#444", dash="dash", width=1))
    # On a log axis Plotly places annotations at log10 of the value: 0 is coverage 1.
    figure.add_annotation(text="coverage 1: graduates = openings", x=0, xref="x", y=1, yref="y domain", yanchor="bottom",
                          showarrow=False, font=dict(size=12, color="#444"))
    if not np.isnan(overall):
        figure.add_hline(y=100 * overall, line=dict(color="#444", dash="dot", width=1),
                         annotation=dict(text=f"all sectors: {fmt_rate(overall)} in field", font=dict(size=12, color="#444")),
                         annotation_position="bottom right")
    for x, y, anchor, text in ((0, 1, "left", "short of graduates,<br>who work in their field"),
                               (1, 1, "right", "more graduates than openings,<br>yet they work in their field"),
                               (0, 0, "left", "short of graduates,<br>yet they leave the field"),
                               (1, 0, "right", "more graduates than openings,<br>and they leave the field")):
        figure.add_annotation(text=text, xref="x domain", yref="y domain", x=x, y=y, xanchor=anchor,
                              yanchor="top" if y else "bottom", showarrow=False, align=anchor,
                              font=dict(size=12, color="#666"))
    low = min(0.5, placed["coverage_ratio"].min() / 1.25) if len(placed) else 0.5
    high = max(2.0, placed["coverage_ratio"].max() * 1.25) if len(placed) else 2.0
    figure.update_layout(
        xaxis=dict(type="log", range=[np.log10(low), np.log10(high)], tickvals=[0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4],
                   ticktext=["0.25", "0.5", "0.75", "1", "1.5", "2", "3", "4"],
                   title="coverage ratio (graduates ÷ openings, log scale)"),
        yaxis=dict(title="in-field rate (% of employed)", ticksuffix="%", range=_padded_range(100 * floats(placed["in_field_rate"]), overall)),
        dragmode=False, clickmode="event+select",
    )
    figure = _layout(figure, title, height=560)
    figure.update_layout(margin=dict(t=80))  # room for the note on the coverage line
    return figure


def unplaced_sectors_note(frame: pd.DataFrame) -> str:
    """A sentence naming the sectors the scatter cannot place (no openings, or no employed graduates surveyed), or ""."""
    unplaced = frame[~(frame["coverage_ratio"].notna() & frame["in_field_rate"].notna() & (frame["coverage_ratio"] > 0))]
    if unplaced.empty:
        return ""
    return " Not shown (no openings, or no employed graduates surveyed): " + ", ".join(unplaced["sector_code"].astype(str)) + "."


def sector_key(frame: pd.DataFrame) -> str:
    """"A Agriculture, … · C Manufacturing · …": the codes the scatter's labels use, for a caption under it
    (names are too long to label twenty points without overlaps)."""
    codes = frame[["sector_code", "sector_name"]].drop_duplicates().sort_values("sector_code")
    return " · ".join(f"**{code}** {short_label(str(name), 28)}" for code, name in codes.itertuples(index=False))


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
    labels = ordered[grouping.name].astype(str).map(short_label)
    figure = go.Figure()
    for column, (label, base, colour, symbol) in RATES.items():
        custom = _layers([ordered[grouping.name].astype(str), _shown(ordered[column], fmt_rate), _shown(ordered[base], fmt_count)])
        figure.add_trace(go.Scatter(
            name=label, y=labels, x=100 * floats(ordered[column]), mode="markers", customdata=custom,
            marker=dict(color=colour, symbol=symbol, size=11, line=dict(color="white", width=1)),
            hovertemplate=f"<b>%{{customdata[0]}}</b><br>{label.lower()} %{{customdata[1]}} of %{{customdata[2]}} {base}<extra></extra>",
        ))
    figure.update_layout(xaxis=dict(title="% of surveyed graduates (in-field: % of employed)", ticksuffix="%", range=[-3, 103]),
                         yaxis=dict(title=None, type="category"))
    return _layout(figure, title, height=max(220, 30 * len(ordered) + 140))


def outcome_cohort_lines(by_cohort: pd.DataFrame, *, title: str) -> go.Figure:
    """The five rates over the survey cohorts."""
    figure = go.Figure()
    for column, (label, base, colour, symbol) in RATES.items():
        custom = _layers([_shown(by_cohort[column], fmt_rate), _shown(by_cohort[base], fmt_count)])
        figure.add_trace(go.Scatter(
            name=label, x=by_cohort["cohort_year"], y=100 * floats(by_cohort[column]), mode="lines+markers",
            customdata=custom, line=dict(color=colour, width=3), marker=dict(symbol=symbol, size=9),
            hovertemplate=f"cohort %{{x}}: {label.lower()} %{{customdata[0]}} of %{{customdata[1]}} {base}<extra></extra>",
        ))
    figure.update_layout(xaxis=dict(dtick=1, title="cohort (year of graduation)"),
                         yaxis=dict(title="%", ticksuffix="%", range=[0, 101]))
    return _layout(figure, title, height=400)


# --- effective supply ------------------------------------------------------------------------


def effective_supply_bars(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Per sector: graduates, the graduates expected to work in their field (effective supply)
    and openings, largest effective shortage at the top."""
    ordered = frame.sort_values("effective_gap", ascending=False, na_position="first", kind="stable")
    labels = ordered["sector_name"].astype(str).map(short_label)
    custom = _layers([ordered["sector_name"].astype(str), _shown(ordered["supply"], fmt_count),
                      _shown(ordered["in_field_rate"], fmt_rate), _shown(ordered["effective_supply"], fmt_count),
                      _shown(ordered["demand"], fmt_count), [_signed(v) for v in ordered["effective_gap"]],
                      _shown(ordered["effective_coverage"], fmt_ratio)])
    hover = ("<b>%{customdata[0]}</b><br>%{fullData.name}: %{x:,.0f}<br>graduates %{customdata[1]} × in-field rate "
             "%{customdata[2]} = effective supply %{customdata[3]}<br>openings %{customdata[4]} · effective gap "
             "%{customdata[5]} · effective coverage %{customdata[6]}<extra></extra>")
    # Drawn bottom-up within each sector, so listed in reverse; the legend reads top-down.
    bars = (("Demand (openings)", "demand", DEMAND_COLOUR), ("Effective supply (working in field)", "effective_supply", EFFECTIVE_COLOUR),
            ("Supply (graduates)", "supply", SUPPLY_COLOUR))
    figure = go.Figure([go.Bar(name=name, y=labels, x=floats(ordered[column]), orientation="h", marker_color=colour,
                               customdata=custom, hovertemplate=hover) for name, column, colour in bars])
    figure.update_layout(barmode="group", bargap=0.2, legend_traceorder="reversed", xaxis=dict(tickformat=",", title="people"),
                         yaxis=dict(title=None))
    return _layout(figure, title, height=max(220, 54 * len(ordered) + 130))


def _signed(value: object) -> str:
    return "hidden" if is_missing(value) else f"{float(value):+,.0f}"


def effective_supply_note(frame: pd.DataFrame) -> str:
    """One sentence on graduates left out of effective supply (sectors without survey results), or ""."""
    left_out = pd.to_numeric(frame["supply_without_rate"], errors="coerce").fillna(0).sum()
    return "" if not left_out else (f" {fmt_count(left_out)} graduates in sectors without survey results are left out of "
                                    "effective supply.")


# --- table columns ------------------------------------------------------------------------------

_COUNT = dict(format="localized")
_RATE = dict(format="percent", step=0.001)  # the step sets the decimals shown: one

INSTITUTION_COLUMNS = {
    "institution_id": "Institution ID",
    "institution_name": column_config.TextColumn("Institution", width="medium", pinned=True),  # stays when scrolling sideways
    "surveyed": column_config.NumberColumn("Surveyed", **_COUNT),
    "employed": column_config.NumberColumn("Employed", **_COUNT),
    "employed_in_field": column_config.NumberColumn("In field", **_COUNT),
    "self_employed": column_config.NumberColumn("Self-employed", **_COUNT),
    "further_study": column_config.NumberColumn("Further study", **_COUNT),
    "unemployed": column_config.NumberColumn("Unemployed", **_COUNT),
    "employment_rate": column_config.NumberColumn("Destination rate", help=HEADLINES[0][3], **_RATE),
    "job_rate": column_config.NumberColumn("Job rate", **_RATE),
    "in_field_rate": column_config.NumberColumn("In-field rate", help=HEADLINES[2][3], **_RATE),
    "self_employment_rate": column_config.NumberColumn("Self-employment rate", **_RATE),
    "further_study_rate": column_config.NumberColumn("Further-study rate", **_RATE),
    "wage_employment_weighted": column_config.NumberColumn(WAGE_LABEL, help=HEADLINES[5][3], format="localized"),
}
