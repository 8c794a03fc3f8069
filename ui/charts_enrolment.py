"""Charts and small pure helpers of the Enrolment and graduates page.

Every chart is a pure function from a view's DataFrame to a Plotly figure,
drawn with the palette, layout and label rules of ``ui.charts``. Values that
small-number protection hid arrive as NaN: lines break, bars are left out and
hovers say "hidden" instead of failing. Every text is in the current language
(``locales/*/enrolment.toml``); data names show as stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from streamlit import column_config

from data_access.suppression import round_measure

from .charts import SUPPLY_COLOUR, _layers, _layout, name_ticks, point_label, short_label
from .formatting import floats, fmt_count, fmt_ratio, is_missing, protection_on, rate_decimals
from .headline import Headline
from .i18n import label, t
from .theme import ink

# Okabe–Ito, in the order ui.charts uses it (blue, orange first), without its yellow,
# which disappears on a projector. Groups beyond these share one grey.
CATEGORY_COLOURS = [SUPPLY_COLOUR, "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
OTHER_COLOUR = "#b8b8b8"
ENROLLED_COLOUR = "#56B4E9"  # sky blue: students in training
GRADUATES_COLOUR = SUPPLY_COLOUR  # graduates are the supply of ui.charts, same blue


@dataclass(frozen=True)
class Grouping:
    """One way to split enrolment or outcomes: its key ("sector", "region", "type"), the view that
    holds it and its code and name columns."""

    key: str
    view: str
    code: str
    name: str

    @property
    def label(self) -> str:
        """What the grouping is called in the current language ("Sector")."""
        return t(f"enrolment.group_{self.key}")

    @property
    def others(self) -> str:
        """The groups beyond the palette's colours as one legend entry ("other sectors")."""
        return t(f"enrolment.other_{self.key}")


GROUPINGS = {
    "sector": Grouping("sector", "enrolment_trend_by_sector", "sector_code", "sector_name"),
    "region": Grouping("region", "enrolment_trend_by_region", "region_code", "region_name"),
    "type": Grouping("type", "enrolment_trend_by_type", "institution_type", "institution_type"),
}

# The measure columns a planner can chart; ``measure_label`` says what each is called.
MEASURES = ("enrolled", "graduates", "graduates_per_enrolled")


def measure_label(measure: str) -> str:
    """What the planner calls a measure column, in the current language ("Enrolled students")."""
    return t(f"enrolment.measure_{measure}")


def latest_year(trend: pd.DataFrame) -> int | None:
    """The last year of a trend view that has any rows (None for an empty view)."""
    return None if trend.empty else int(trend["year"].max())


def signed(value: float, spec: str) -> str:
    """``value`` formatted with ``spec`` and a sign; "±0" when it rounds to zero, so that st.metric
    (which reads the direction from a leading "-") does not show "-0.00" as a fall. Pair with ``arrow``."""
    text = format(value, "+" + spec)
    return "±" + text[1:] if float(text.rstrip("%").replace(",", "")) == 0 else text


def arrow(change: str | None) -> str:
    """st.metric's delta_arrow for a change written by ``signed``: none for a change that rounds to zero."""
    return "off" if change and change.startswith("±") else "auto"


def fmt_growth(value: object) -> str:
    """A change against the previous year, signed, one decimal ("+3.2%"); an en dash when unknown."""
    return "–" if is_missing(value) else signed(100 * float(value), f".{rate_decimals()}f") + "%"


def _shown(values: pd.Series, formatter) -> list[str]:
    """Each value formatted for a hover; an empty one is "hidden" under small-number protection, else unknown
    (an en dash: enrolled is optional, and an unknown count is never shown as 0)."""
    empty = t("enrolment.hidden") if protection_on() else "–"
    return [empty if is_missing(v) else formatter(v) for v in values]


# --- headline ------------------------------------------------------------------------------


def _like_for_like(rows: pd.DataFrame, key: str, year: int) -> str | None:
    """The change of ``key`` against the year before over the regions that report enrolments in both years,
    with how many of how many regions that is when not all of them; None when no region reports both."""
    if year not in rows.index or is_missing(rows.at[year, f"{key}_change"]):
        return None
    difference, growth = float(rows.at[year, f"{key}_change"]), rows.at[year, f"{key}_growth"]
    count = signed(difference, ",.0f")
    both = count if is_missing(growth) else t("enrolment.count_growth", count=count, growth=fmt_growth(growth))
    change = t("enrolment.change_vs_year", change=both, year=year - 1)
    compared, reporting = int(rows.at[year, "regions_compared"]), int(rows.at[year, "regions_reporting"])
    if compared < reporting:
        change = t("headline.over_regions", change=change, count=compared, of=reporting)
    return change


def enrolment_headlines(totals: pd.DataFrame, *, year: int) -> list[Headline]:
    """Enrolled, graduates and graduates per enrolled student in ``year``, each with its change
    against the year before (``totals`` is the enrolment_trend view over both years)."""
    rows = totals.set_index("year")
    figures = []
    for key, kind in (("enrolled", "count"), ("graduates", "count"), ("graduates_per_enrolled", "ratio")):
        value = rows[key].get(year, np.nan)
        previous = rows[key].get(year - 1, np.nan)
        show = fmt_count if kind == "count" else fmt_ratio
        shown = "–" if is_missing(value) else show(value)
        change = None
        # An ASCII sign: st.metric reads the direction of a change from a leading "-".
        if kind == "count" and not is_missing(value) and f"{key}_change" in rows:
            change = _like_for_like(rows, key, year)
        elif kind == "ratio" and not is_missing(value) and not is_missing(previous):
            change = t("enrolment.change_vs_year", change=signed(value - previous, ".2f"), year=year - 1)
        help_text = (
            t("enrolment.completion_help")
            if key == "graduates_per_enrolled"
            else t("enrolment.headline_help", measure=measure_label(key), year=year)
        )
        figures.append(
            Headline(
                key,
                measure_label(key),
                None if is_missing(value) else float(value),
                None if is_missing(previous) else float(previous),
                year,
                shown,
                change,
                help_text,
            )
        )
    return figures


# --- trend --------------------------------------------------------------------------------


def enrolment_trend_lines(trend: pd.DataFrame, *, grouping: Grouping, measure: str, title: str) -> go.Figure:
    """One line per group over the years for ``measure`` (enrolled, graduates or graduates per
    enrolled student). The largest groups of the last year get the palette's colours, the rest
    are thin grey lines (still in the hover and the data), so that twenty sectors stay readable."""
    last = trend[trend["year"] == trend["year"].max()]
    ranking = last.sort_values("enrolled", ascending=False, na_position="last")[grouping.code].tolist()
    ranking += [code for code in trend[grouping.code].drop_duplicates() if code not in ranking]
    is_ratio = measure == "graduates_per_enrolled"
    hover = (
        t(
            "enrolment.trend_hover",
            name="%{customdata[0]}",
            year="%{x}",
            enrolled="%{customdata[1]}",
            enrolled_growth="%{customdata[2]}",
            graduates="%{customdata[3]}",
            graduates_growth="%{customdata[4]}",
            ratio="%{customdata[5]}",
        )
        + "<extra></extra>"
    )
    figure = go.Figure()
    for position, code in enumerate(reversed(ranking)):  # greys first, so coloured lines are drawn on top
        rank = len(ranking) - 1 - position
        rows = trend[trend[grouping.code] == code].sort_values("year")
        name = str(rows[grouping.name].iloc[0])
        coloured = rank < len(CATEGORY_COLOURS)
        custom = _layers(
            [
                [name] * len(rows),
                _shown(rows["enrolled"], fmt_count),
                [fmt_growth(v) for v in rows["enrolled_growth"]],
                _shown(rows["graduates"], fmt_count),
                [fmt_growth(v) for v in rows["graduates_growth"]],
                _shown(rows["graduates_per_enrolled"], fmt_ratio),
            ]
        )
        figure.add_trace(
            go.Scatter(
                x=rows["year"],
                y=floats(rows[measure]),
                customdata=custom,
                hovertemplate=hover,
                mode="lines+markers",
                name=short_label(name, 30) if coloured else grouping.others,
                legendgroup=code if coloured else "other",
                showlegend=coloured or rank == len(CATEGORY_COLOURS),
                legendrank=rank,
                line=dict(color=CATEGORY_COLOURS[rank] if coloured else OTHER_COLOUR, width=3 if coloured else 1.5),
                marker=dict(size=7 if coloured else 4),
            )
        )
    figure.update_layout(
        xaxis=dict(dtick=1, title=None),
        yaxis=dict(tickformat=".2f" if is_ratio else ",", title=t(f"enrolment.axis_{measure}"), rangemode="tozero"),
    )
    figure = _layout(figure, title, height=440)
    # Up to eight long names do not fit in one row above the plot: list them on the right.
    figure.update_layout(legend=dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.01, title=None))
    return figure


def growth_against_previous_year(two_years: pd.DataFrame, *, grouping: Grouping, year: int) -> pd.DataFrame:
    """Per group: enrolled and graduates in ``year`` and the year before, and the growth of each.

    From an ``enrolment_trend`` view (``<measure>_before`` and ``_change`` present) the two years are those of
    the regions that report both, like for like; otherwise a group with no rows in one of the two years counts
    0 there (a program closed or opened). A value hidden by small-number protection stays empty.
    """
    keys = [grouping.code] if grouping.code == grouping.name else [grouping.code, grouping.name]
    measures = ["enrolled", "graduates"]
    if all(f"{m}_before" in two_years for m in measures):
        return _like_for_like_growth(two_years, keys, measures, year)
    latest = two_years.loc[two_years["year"] == year, keys + measures]
    before = two_years.loc[two_years["year"] == year - 1, keys + measures]
    both = latest.merge(before, on=keys, how="outer", suffixes=("", "_previous_year"), indicator=True)
    for measure in measures:
        both[measure] = floats(both[measure]).mask(both["_merge"] == "right_only", 0.0)
        previous = floats(both[f"{measure}_previous_year"]).mask(both["_merge"] == "left_only", 0.0)
        both[f"{measure}_previous_year"] = previous
        growth = (both[measure] - previous) / previous.where(previous != 0)
        # under protection the counts are rounded: their growth is published to a whole percent, as a rate
        both[f"{measure}_growth"] = round_measure(growth, "growth") if protection_on() else growth
    return both.drop(columns="_merge").reset_index(drop=True)


def _like_for_like_growth(two_years: pd.DataFrame, keys: list[str], measures: list[str], year: int) -> pd.DataFrame:
    """The groups of ``year`` with each measure before and after over the regions reporting both years."""
    rows = two_years.loc[two_years["year"] == year].copy()
    for measure in measures:
        before = floats(rows[f"{measure}_before"])
        rows[f"{measure}_previous_year"] = before
        rows[measure] = before + floats(rows[f"{measure}_change"])
        growth = floats(rows[f"{measure}_growth"])
        rows[f"{measure}_growth"] = round_measure(growth, "growth") if protection_on() else growth
    columns = keys + measures + [f"{m}_{part}" for m in measures for part in ("previous_year", "growth")]
    return rows[columns].reset_index(drop=True)


def _largest_changes(growth: pd.DataFrame, largest: int | None) -> pd.DataFrame:
    """The ``largest`` groups by their rate of growth of enrolment, up or down, as the axis shows them (all
    groups without ``largest``)."""
    if largest is None or len(growth) <= largest:
        return growth
    moved = floats(growth["enrolled_growth"]).abs()
    return growth.loc[moved.sort_values(ascending=False, na_position="last", kind="stable").index[:largest]]


def growth_groups_shown(two_years: pd.DataFrame, *, grouping: Grouping, year: int, largest: int | None) -> set[str]:
    """The names of the groups ``enrolment_growth_bars`` draws with the same arguments (its takeaway names no
    other)."""
    growth = growth_against_previous_year(two_years, grouping=grouping, year=year)
    return set(_largest_changes(growth, largest)[grouping.name].astype(str))


def enrolment_growth_bars(
    two_years: pd.DataFrame, *, grouping: Grouping, year: int, title: str, largest: int | None = None
) -> go.Figure:
    """Growth of enrolled students and graduates in ``year`` against the year before, one pair of
    bars per group, fastest growth of enrolment at the top; the counts are in the hover.

    With ``largest`` (a projected screen), only the groups whose enrolment grew or fell fastest, one bar of
    enrolment each (the measure its takeaway speaks of: a pair of labelled bars per group does not fit a
    1280x720 screen under the headline figures), and a note saying how many of how many are drawn."""
    growth = growth_against_previous_year(two_years, grouping=grouping, year=year)
    total = len(growth)
    growth = _largest_changes(growth, largest)
    # Plotly draws the first row at the bottom.
    ordered = growth.sort_values("enrolled_growth", na_position="first", kind="stable")
    codes = ordered[grouping.code].astype(str).tolist()  # the categories; the ticks show the names
    figure = go.Figure()
    # Plotly stacks a horizontal group from the bottom: graduates first puts enrolled on top, as in the legend.
    series = (("graduates", GRADUATES_COLOUR), ("enrolled", ENROLLED_COLOUR))
    drawn = series[1:] if largest is not None else series
    for measure, colour in drawn:
        change = ordered[f"{measure}_growth"]
        hover = (
            t(
                "enrolment.growth_hover",
                name="%{customdata[0]}",
                measure=t(f"enrolment.axis_{measure}"),
                before="%{customdata[1]}",
                previous=year - 1,
                now="%{customdata[2]}",
                year=year,
                change="%{customdata[3]}",
            )
            + "<extra></extra>"
        )
        custom = _layers(
            [
                ordered[grouping.name].astype(str),
                _shown(ordered[f"{measure}_previous_year"], fmt_count),
                _shown(ordered[measure], fmt_count),
                [fmt_growth(v) for v in change],
            ]
        )
        figure.add_trace(
            go.Bar(
                name=measure_label(measure),
                y=codes,
                x=100 * floats(change),
                orientation="h",
                marker_color=colour,
                customdata=custom,
                text=[fmt_growth(v) if not is_missing(v) else "" for v in change],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=hover,
            )
        )
    span = np.nanmax(np.abs(100 * ordered[[f"{m}_growth" for m, _ in drawn]].to_numpy(dtype=float)), initial=0.0)
    reach = max(5.0, math.ceil(1.3 * (0 if math.isnan(span) else span)))  # room for the labels outside the bars
    figure.update_layout(
        barmode="group",
        bargap=0.25,
        legend_traceorder="reversed",
        showlegend=True,  # also over the projector's one series: the legend says which measure it is
        xaxis=dict(
            title=t("enrolment.growth_axis", previous=year - 1, year=year)
            + ("" if len(growth) == total else " · " + t("enrolment.largest_changes", count=len(growth), total=total)),
            ticksuffix="%",
            range=[-reach, reach],
            zeroline=True,
            zerolinecolor=ink().text,
            zerolinewidth=1,
        ),
        yaxis=dict(title=None, type="category"),
    )
    if growth[["enrolled_previous_year", "graduates_previous_year"]].fillna(0).to_numpy().sum() == 0:
        figure.add_annotation(
            text=t("enrolment.growth_nothing_before", previous=year - 1),
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            showarrow=False,
            font=dict(size=14, color=ink().muted),
        )
    figure = _layout(figure, title, height=max(220, 44 * len(ordered) + 130))
    names = ordered[grouping.name].astype(str).tolist()
    if largest is not None:  # a projected screen: a short name (one line) per pair of bars
        names = [point_label(n) for n in names]
    return name_ticks(figure, "y", codes, names)


# --- drill-down -----------------------------------------------------------------------------


def sector_enrolment_bars(by_sector: pd.DataFrame, *, title: str) -> go.Figure:
    """Enrolled students and graduates per sector for one year, largest enrolment at the top.

    The sector code is first in each bar's customdata, for ``ChartSelection``.
    """
    ordered = by_sector.sort_values("enrolled", na_position="first", kind="stable")
    codes = ordered["sector_code"].astype(str).tolist()  # the categories; the ticks show the names
    custom = _layers(
        [
            ordered["sector_code"],
            ordered["sector_name"],
            _shown(ordered["enrolled"], fmt_count),
            _shown(ordered["graduates"], fmt_count),
            _shown(ordered["graduates_per_enrolled"], fmt_ratio),
        ]
    )
    hover = (
        t(
            "enrolment.sector_hover",
            name="%{customdata[1]}",
            enrolled="%{customdata[2]}",
            graduates="%{customdata[3]}",
            ratio="%{customdata[4]}",
        )
        + "<extra></extra>"
    )
    figure = go.Figure(
        [  # graduates first: Plotly stacks a horizontal group from the bottom
            go.Bar(
                name=measure_label("graduates"),
                y=codes,
                x=floats(ordered["graduates"]),
                orientation="h",
                marker_color=GRADUATES_COLOUR,
                customdata=custom,
                hovertemplate=hover,
            ),
            go.Bar(
                name=measure_label("enrolled"),
                y=codes,
                x=floats(ordered["enrolled"]),
                orientation="h",
                marker_color=ENROLLED_COLOUR,
                customdata=custom,
                hovertemplate=hover,
            ),
        ]
    )
    figure.update_layout(
        barmode="group",
        bargap=0.2,
        legend_traceorder="reversed",
        clickmode="event+select",
        xaxis=dict(tickformat=",", title=t("enrolment.students_axis")),
        yaxis=dict(title=None, type="category"),
    )
    figure = _layout(figure, title, height=max(220, 40 * len(ordered) + 130))
    return name_ticks(figure, "y", codes, ordered["sector_name"].astype(str).tolist())


def codes_in(selected: tuple[str, ...], frame: pd.DataFrame, column: str) -> tuple[str, ...]:
    """The selected codes that the chart still shows (a selection outlives a change of the sidebar filters)."""
    shown = set(frame[column].astype(str))
    return tuple(code for code in selected if code in shown)


def names_by_code(frame: pd.DataFrame, code: str, name: str) -> dict[str, str]:
    """Code -> name, for saying what a selection narrows to."""
    return dict(zip(frame[code].astype(str), frame[name].astype(str)))


def selected_program(event, programs: pd.DataFrame) -> tuple[str, str] | None:
    """The (code, name) of the program picked in the program table, or None.

    Streamlit reports the row's position in the data it was given, whatever
    sorting the user applied on screen.
    """
    rows = (event or {}).get("selection", {}).get("rows", []) if isinstance(event, dict) else event.selection.rows
    if not rows or rows[0] >= len(programs):
        return None
    row = programs.iloc[rows[0]]
    return str(row["program_code"]), str(row["program_name"])


# --- table columns ------------------------------------------------------------------------

_COUNT = dict(format="localized", width="small")


def program_columns() -> dict:
    """The program table's column settings, headed in the current language."""
    return {
        # Widths in pixels so that the eleven columns fit a 1400-pixel screen without scrolling sideways.
        "program_code": column_config.TextColumn(t("enrolment.column_code"), width=56),
        "program_name": column_config.TextColumn(label("program_name"), width=170, pinned=True),
        "sector_code": None,  # the sector's name says it
        "sector_name": column_config.TextColumn(label("sector_name"), width=120),
        "level": column_config.TextColumn(label("level"), width=70),
        "institutions": column_config.NumberColumn(
            label("institutions"), help=t("enrolment.institutions_help"), format="localized", width=80
        ),
        "enrolled": column_config.NumberColumn(label("enrolled"), format="localized", width=72),
        "graduates": column_config.NumberColumn(label("graduates"), format="localized", width=78),
        "graduates_per_enrolled": column_config.NumberColumn(
            t("enrolment.column_ratio"), format="%.2f", width=96, help=t("enrolment.completion_help")
        ),
        "enrolled_previous_year": column_config.NumberColumn(
            t("enrolment.column_year_before"), help=t("enrolment.year_before_help"), format="localized", width=80
        ),
        "enrolled_growth": column_config.NumberColumn(
            t("enrolment.column_growth"), format="percent", step=0.001, width=66, help=t("enrolment.growth_help")
        ),
        # the common panel growth is computed over: said under the table (program_panel_note), kept in the download
        "regions_compared": None,
        "regions_reporting": None,
    }


def program_panel_note(programs: pd.DataFrame, year: int) -> str | None:
    """Under the program table, when its growth compares part of the regions (those whose enrolments report
    both years): how many of how many; None when it compares all of them."""
    if programs.empty or "regions_compared" not in programs:
        return None
    compared, reporting = int(programs["regions_compared"].iloc[0]), int(programs["regions_reporting"].iloc[0])
    if compared == reporting:
        return None
    if compared == 0:
        return t("enrolment.programs_no_panel", previous=year - 1, year=year)
    return t("enrolment.programs_panel", count=compared, of=reporting, previous=year - 1, year=year)


def institution_columns() -> dict:
    """The table of institutions offering a program: column settings headed in the current language."""
    return {
        "institution_id": label("institution_id"),
        "institution_name": column_config.TextColumn(label("institution_name"), width="large"),
        "enrolled": column_config.NumberColumn(label("enrolled"), **_COUNT),
        "graduates": column_config.NumberColumn(label("graduates"), **_COUNT),
        "graduates_per_enrolled": column_config.NumberColumn(
            measure_label("graduates_per_enrolled"), format="%.2f", help=t("enrolment.completion_help")
        ),
    }
