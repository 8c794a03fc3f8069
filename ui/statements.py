"""Every finding the dashboard states, defined once: its view, its period, its chart and its takeaway.

A page, its presentation screen and the meeting brief all draw the same ``Statement``, so a finding reads
the same wherever it is made: the same period (the latest year with both supply and demand unless the
page is switched to the whole range), the same numbers (protected alike), the same words. Where a screen
sets figures of different periods side by side (outcomes are by cohort, supply by year), the statement
says so in its note.

The data comes through a ``Source``: ``PageSource`` reads the app's cached views as the sidebar protects
them, ``SessionSource`` reads a Session of its own (the brief, which may be built for another database).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy.orm import Session

from data_access import caveats, queries
from data_access.filters import Filters
from data_access.views import ViewRows, read_view

from .caveats import estimated_legend, mark_estimated
from .charts import coverage_heatmap, supply_demand_bars, supply_demand_trend_lines
from .charts_map import coverage_map
from .charts_outcomes import in_field_coverage_scatter, latest_cohort, overall_in_field_rate
from .charts_placements import as_floats, gap_status_words, placements_against_gaps_bars, placements_against_gaps_sentence, worded
from .context import named_not_linked
from .filters import describe_with
from .formatting import fmt_count
from .i18n import t
from .periods import GapPeriod, gap_period
from .scale import OTHER_CODE, by_largest_gap, keep_top, with_gap_measures
from .takeaways import (
    in_field_takeaway,
    in_years,
    largest_shortage_takeaway,
    lowest_coverage_takeaway,
    trend_takeaway,
)

PROJECTED_SECTORS = 7  # sectors a projected screen shows readably (two-line names); the rest are drawn as one
# Sectors of the projected supply-and-demand bars, the rest drawn as one: at 1280x720 a pair of bars per sector
# is as thick as its value labels only for this many.
PROJECTED_BAR_SECTORS = 4
HEATMAP_REGIONS = 25  # rows of the region x sector heat map; at national scale the rest are one row


class Source(Protocol):
    """Where statements read their data."""

    def rows(self, name: str, filters: Filters) -> ViewRows: ...
    def calendar(self) -> dict[str, list[int]]: ...
    def estimated(self) -> bool: ...
    def shapes(self) -> dict: ...
    def describe(self, filters: Filters) -> str: ...


@dataclass(frozen=True)
class Statement:
    """One finding: a heading, the filters its figures are for, its chart, its takeaway, the rows behind
    the chart (for its download) and notes on what it rests on."""

    key: str
    heading: str
    period: Filters
    figure: go.Figure | None
    takeaway: str | None
    rows: ViewRows | None = None
    file_name: str = ""
    notes: tuple[str, ...] = ()
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # other frames a page lists (sentences)


class SessionSource:
    """Statements' data read through ``session``, protected by ``hide_below``; counts the cells it hid."""

    def __init__(self, session: Session, hide_below: int | None = None) -> None:
        self.session, self.hide_below, self.hidden_cells = session, hide_below, 0
        regions, sectors = queries.list_regions(session), queries.list_sectors(session)
        self._regions = dict(zip(regions["region_code"], regions["region_name"]))
        self._sectors = dict(zip(sectors["sector_code"], sectors["sector_name"]))

    def rows(self, name: str, filters: Filters) -> ViewRows:
        result = read_view(self.session, name, filters, self.hide_below)
        self.hidden_cells += result.hidden_cells
        return named_not_linked(result)

    def calendar(self) -> dict[str, list[int]]:
        return {**queries.data_calendar(self.session), "comparable": queries.comparable_years(self.session)}

    def estimated(self) -> bool:
        return caveats.has_estimated_openings(self.session)

    def shapes(self) -> dict:
        return caveats.region_shapes(self.session)

    def describe(self, filters: Filters) -> str:
        return describe_with(filters, region_names=self._regions, sector_names=self._sectors)


class PageSource:
    """Statements' data as the pages read it: the app's cached views, protected as the sidebar says."""

    def rows(self, name: str, filters: Filters) -> ViewRows:
        from .context import view

        return view(name, filters)

    def calendar(self) -> dict[str, list[int]]:
        from .context import calendar

        return calendar()

    def estimated(self) -> bool:
        from .data_flags import openings_estimated

        return openings_estimated()

    def shapes(self) -> dict:
        from .data_flags import shapes

        return shapes()

    def describe(self, filters: Filters) -> str:
        from .filters import describe

        return describe(filters)


# --- marking what rests on estimated openings ---------------------------------------------------------


def _marked(source: Source, sentence: str | None) -> str | None:
    return mark_estimated(sentence, source.estimated())


def _demand_named(source: Source, figure: go.Figure) -> go.Figure:
    return estimated_legend(figure, source.estimated())


# --- supply and demand -----------------------------------------------------------------------------


def period_of_gaps(source: Source, filters: Filters, *, latest_only: bool = True) -> GapPeriod | None:
    """The years a gap is stated for: the latest with both sides, or the range (see ui/periods.py)."""
    return gap_period(filters, latest_only=latest_only, years=source.calendar())


def gaps_by_sector(source: Source, gaps: GapPeriod, *, latest_only: bool = True, projector: bool = False) -> Statement:
    """Supply against demand per sector, the largest shortage first; its takeaway compares with the year before."""
    period = gaps.filters
    rows = source.rows("gaps_by_sector", period)
    numbers = rows.numbers
    bars = numbers
    if projector and len(numbers) > PROJECTED_BAR_SECTORS:  # the largest gaps, readable from the back, the rest as one
        bars = keep_top(
            numbers,
            key="sector_code",
            name="sector_name",
            rank=by_largest_gap(numbers, "sector_code"),
            limit=PROJECTED_BAR_SECTORS,
            sums=("supply", "demand"),
            recompute=with_gap_measures,
            other_name=t("supply_demand.other_sectors", count=len(numbers) - PROJECTED_BAR_SECTORS),
        )
    scope = source.describe(period)
    figure = (
        None
        if numbers.empty
        else _demand_named(
            source, supply_demand_bars(bars, title=t("supply_demand.bars_title", filters=scope), projector=projector)
        )
    )
    when = in_years(period)
    if latest_only:
        previous = (
            source.rows("gaps_by_sector", period.with_years(gaps.previous, gaps.previous)).numbers if gaps.previous else None
        )
        sentence = largest_shortage_takeaway(numbers, previous, when=when, previous_year=gaps.before)
    else:
        sentence = largest_shortage_takeaway(numbers, when=when)
    return Statement(
        "gaps_by_sector",
        t("brief.supply_demand_heading"),
        period,
        figure,
        _marked(source, sentence),
        rows,
        "supply_demand_by_sector.csv",
        tuple(gaps.notes) + tuple(n for n in (not_linked_note(source, period),) if n),
    )


def not_linked_note(source: Source, filters: Filters) -> str | None:
    """How many graduates of programs linked to no sector stand outside every gap in ``filters``."""
    rows = source.rows("supply_not_linked_by_year", filters).numbers
    total = pd.to_numeric(rows["supply_not_linked"], errors="coerce").sum(min_count=1) if not rows.empty else None
    if total is None or total != total or total <= 0:
        return None
    return t("periods.not_linked", graduates=fmt_count(total))


def measured(cells: pd.DataFrame) -> pd.DataFrame:
    """``cells`` with a measured gap only (both sides known in some of their cells): no sentence names the others."""
    return cells[cells["measured"].astype(bool)] if "measured" in cells else cells


def coverage_by_region_and_sector(source: Source, gaps: GapPeriod, *, on_paper: bool = False) -> Statement:
    """Coverage per region and sector: a heat map of the regions with the largest gaps (the rest as one
    row); one region alone as bars per sector. The takeaway names the lowest coverage among cells large
    enough to matter. ``on_paper`` (the printed brief) draws sectors as the rows where there are more
    sectors than regions, so that their names print level instead of slanted into each other."""
    period = gaps.filters
    rows = source.rows("gaps_by_region_sector", period)
    cells = rows.numbers
    scope = source.describe(period)
    title = t("supply_demand.heatmap_title", filters=scope)
    regions = cells["region_code"].nunique() if not cells.empty else 0
    notes: tuple[str, ...] = ()
    if cells.empty:
        figure = None
    elif regions == 1:  # a single row of a heat map says less than bars
        figure = _demand_named(source, supply_demand_bars(cells, title=t("supply_demand.one_region_title", filters=scope)))
    else:
        drawn = keep_top(
            cells,
            key="region_code",
            name="region_name",
            rank=by_largest_gap(cells, "region_code"),
            limit=HEATMAP_REGIONS,
            sums=("supply", "demand"),
            by=("sector_code", "sector_name"),
            recompute=with_gap_measures,
            other_name=t("supply_demand.other_regions", count=regions - HEATMAP_REGIONS),
        )
        sectors_as_rows = on_paper and drawn["sector_code"].nunique() > drawn["region_code"].nunique()
        figure = coverage_heatmap(drawn, title=title, sectors_as_rows=sectors_as_rows)
        if (drawn["region_code"] == OTHER_CODE).any():
            notes = (t("supply_demand.heatmap_top", shown=HEATMAP_REGIONS, regions=f"{regions:,}"),)
    sentence = lowest_coverage_takeaway(measured(cells), when=in_years(period))
    return Statement(
        "coverage_by_region_and_sector",
        t("brief.coverage_heading"),
        period,
        figure,
        _marked(source, sentence),
        rows,
        "coverage_by_region_sector.csv",
        notes,
    )


def coverage_on_the_map(source: Source, gaps: GapPeriod) -> Statement | None:
    """Coverage per region on the regions' boundaries; None when no boundaries were loaded."""
    shapes = source.shapes()
    if not shapes:
        return None
    period = gaps.filters
    rows = source.rows("coverage_by_region", period)
    regions = rows.numbers
    figure = None
    if not regions.empty:
        figure = coverage_map(
            as_floats(regions, "supply", "demand", "gap", "coverage_ratio"),
            shapes,
            title=t("caveats.map_title", filters=source.describe(period)),
        )
    return Statement(
        "coverage_on_the_map",
        t("brief.map_heading"),
        period,
        figure,
        _marked(source, map_takeaway(regions, shapes)),
        rows,
        "coverage_by_region.csv",
        (t("caveats.map_note"),),
    )


def map_takeaway(regions: pd.DataFrame, shapes: dict) -> str | None:
    """The region with the lowest coverage, and how many regions on the map have a measured gap."""
    from .formatting import fmt_ratio

    on_map = regions[regions["region_code"].isin(list(shapes))]
    coverage = pd.to_numeric(on_map["coverage_ratio"], errors="coerce")
    measured_regions = on_map[coverage.notna() & (coverage > 0)]
    if measured_regions.empty:
        return None
    lowest = measured_regions.assign(_c=coverage).sort_values(["_c", "region_code"]).iloc[0]
    return t(
        "caveats.map_takeaway",
        lowest=lowest["region_name"],
        ratio=fmt_ratio(lowest["coverage_ratio"]),
        count=len(measured_regions),
        regions=len(shapes),
    )


def supply_and_demand_over_the_years(source: Source, filters: Filters) -> Statement:
    """Supply and demand per year over the filters' range; the takeaway compares the first and last years with both."""
    rows = source.rows("supply_demand_trend", filters)
    trend = rows.numbers
    figure = None
    if not as_floats(trend, "supply", "demand")[["supply", "demand"]].isna().all(axis=None):  # a year with a measured cell
        figure = _demand_named(
            source,
            supply_demand_trend_lines(
                as_floats(trend, "supply", "demand"), title=t("supply_demand.trend_title", filters=source.describe(filters))
            ),
        )
    return Statement(
        "supply_and_demand_over_the_years",
        t("brief.trend_heading"),
        filters,
        figure,
        _marked(source, trend_takeaway(source.rows("supply_demand_ends", filters).numbers)),
        rows,
        "supply_demand_trend.csv",
        _panel_note(trend),
    )


def _panel_note(trend: pd.DataFrame) -> tuple[str, ...]:
    """When the years' lines rest on different cells (a region joins or leaves), a note that says so and how many
    cells each year measured: the lines are not a like-for-like series, the takeaway is."""
    if "measured_cells" not in trend or trend["measured_cells"].nunique() <= 1:
        return ()
    counted = ", ".join(f"{int(y)}: {int(n):,}" for y, n in zip(trend["year"], trend["measured_cells"]))
    return (t("supply_demand.trend_panel_note", cells=counted),)


# --- placements and outcomes against the gaps -------------------------------------------------------------


def placements_against_gaps(source: Source, gaps: GapPeriod, *, projector: bool = False) -> Statement:
    """Students placed per 100 openings in shortage and surplus sectors, for the same years as the gaps."""
    period = gaps.filters
    rows = source.rows("placements_vs_gaps", period)
    frame = rows.numbers
    figure = None
    if not frame.empty:
        figure = placements_against_gaps_bars(
            frame,
            title=t("placements.against_gaps_title", filters=source.describe(period)),
            furthest=PROJECTED_SECTORS if projector else None,
        )
    return Statement(
        "placements_against_gaps",
        t("brief.placements_heading"),
        period,
        figure,
        placements_against_gaps_sentence(frame)
        if not frame.empty and source.calendar()["placements"]
        else t("brief.no_placements"),
        worded(rows, "gap_status", gap_status_words),
        "placements_vs_gaps.csv",
        (t("brief.placements_note"),),
    )


PROJECTED_POINTS = 5  # points of the in-field scatter named on a projected screen


def in_field_against_coverage(
    source: Source, filters: Filters, *, latest_only: bool = True, projector: bool = False
) -> Statement | None:
    """Per sector, the in-field rate of the latest cohort (or of the range) against the coverage of the same
    years; None when no cohort was surveyed in the filters."""
    cohort = latest_cohort(source.rows("outcomes_by_cohort", filters).numbers, filters)
    if cohort is None:
        return None
    period = filters.with_years(cohort, cohort) if latest_only else filters
    rows = source.rows("in_field_vs_coverage", period)
    in_field = rows.numbers
    overall = overall_in_field_rate(source.rows("outcomes_by_cohort", period).numbers)
    figure = None
    if not in_field.empty:
        figure = in_field_coverage_scatter(
            in_field,
            overall=overall,
            title=t("outcomes.scatter_title", filters=source.describe(period)),
            labelled=PROJECTED_POINTS if projector else None,
        )
    sentence = in_field_takeaway(in_field, overall=overall) if not in_field.empty else t("brief.no_survey")
    note = t("statements.cohort_note", cohort=cohort) if latest_only else t("statements.cohorts_note")
    return Statement(
        "in_field_against_coverage",
        t("brief.in_field_heading"),
        period,
        figure,
        sentence,
        rows,
        "in_field_vs_coverage.csv",
        (note,),
    )


# --- the gaps in words ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapLists:
    """The largest shortages and surpluses in words: per sector, and per sector within a region (none when
    the selection has a single region: those would repeat the sector's)."""

    shortages_by_sector: list[str]
    shortages_in_regions: list[str]
    surpluses_by_sector: list[str]
    surpluses_in_regions: list[str]
    measured: bool = True  # some sector's gap is measured: without one, "no shortage" would be a claim about unknowns


def gap_lists(source: Source, gaps: GapPeriod) -> GapLists:
    """The shortage and surplus sentences of the overview and the brief, for the same years as the gaps."""
    from .narrative import shortage_sentences, surplus_sentences

    period = gaps.filters
    by_sector = source.rows("gaps_by_sector", period).numbers
    cells = measured(source.rows("gaps_by_region_sector", period).numbers)  # no unmeasured gap named
    several = cells["region_code"].nunique() > 1 if not cells.empty else False
    return GapLists(
        shortage_sentences(by_sector),
        shortage_sentences(cells) if several else [],
        surplus_sentences(by_sector),
        surplus_sentences(cells) if several else [],
        bool(pd.to_numeric(by_sector["gap"], errors="coerce").notna().any()) if not by_sector.empty else False,
    )
