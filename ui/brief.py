"""The meeting brief: one self-contained HTML file with the key charts, numbers and
takeaways for a set of filters, to open in a meeting room without network.

plotly.js is written inline once, in the head, and every chart after it refers to
it, so the charts stay interactive (hover, zoom, Plotly's own PNG download) with
no connection at all; the file links to nothing outside itself. Printed from a
browser it gives A4 pages: the summary first, then one chart per page.

Everything here reads the data through a SQLAlchemy Session and returns a string
(no widgets), so the dashboard and the tests build the same file. Its texts are
in the current language (ui.i18n), the takeaways are the pages' own
(ui.takeaways), and region and sector names come from the same Session.
Every text that comes from the data (region, sector names) is HTML-escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data_access import caveats, queries
from data_access.filters import Filters
from data_access.planning import PlanningSettings, project
from data_access.suppression import RATE_BASE_FACTOR
from data_access.views import read_view

from .caveats import caveat_notes, estimated_legend, estimated_mark, measured_cells
from .charts import coverage_heatmap, supply_demand_bars, supply_demand_trend_lines
from .charts_map import coverage_map
from .charts_outcomes import in_field_coverage_scatter, latest_cohort, overall_in_field_rate
from .charts_placements import as_floats, placements_against_gaps_bars, placements_against_gaps_sentence
from .charts_planning import target_gap_bars
from .filters import describe_with
from .formatting import fmt_count
from .headline import headline_figures
from .i18n import current_language, speaking, t
from .narrative import shortage_sentences, surplus_sentences
from .planning import per_sector, target_takeaway
from .sensitivity import map_takeaway
from .takeaways import in_field_takeaway, in_years, largest_shortage_takeaway, lowest_coverage_takeaway, trend_takeaway

# Plotly's mode bar stays (zoom, reset, PNG download at twice the screen resolution); no Plotly logo, and
# no "Share chart..." button (plotly.js 3 shows it by default; it uploads the chart's data to Plotly Cloud).
CHART_CONFIG = {"displaylogo": False, "showSendToCloud": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Source Sans Pro", "Noto Sans", "Noto Sans CJK SC", '
    '"PingFang SC", "Microsoft YaHei", sans-serif'
)

STYLE = f"""
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; }}
body {{ font-family: {FONT_STACK}; font-size: 16px; line-height: 1.45; color: #1a1a1a; background: #fff; margin: 0; }}
main {{ max-width: 980px; margin: 0 auto; padding: 24px 28px 48px; }}
h1 {{ font-size: 1.9rem; margin: 0 0 .3rem; }}
h2 {{ font-size: 1.35rem; margin: 1.6rem 0 .4rem; }}
.scope {{ color: #444; margin: 0 0 1rem; }}
.scope dt {{ font-weight: 600; float: left; clear: left; min-width: 9.5rem; }}
.scope dd {{ margin: 0 0 .15rem 9.5rem; }}
.protection {{ border-left: 4px solid #0072B2; background: #eef5fb; padding: .5rem .8rem; margin: .8rem 0; }}
.figures {{ display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; margin: .6rem 0 1rem; }}
.figure {{ border: 1px solid #ccc; border-radius: 6px; padding: .5rem .7rem; }}
.figure .label {{ font-size: .85rem; color: #444; }}
.figure .value {{ font-size: 1.7rem; font-weight: 700; }}
.figure .change {{ font-size: .8rem; color: #444; }}
.gaps {{ display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }}
.gaps ul {{ padding-left: 1.2rem; margin: .3rem 0; }}
.takeaway {{ font-weight: 600; margin: .2rem 0 .6rem; }}
.note {{ color: #444; font-size: .9rem; }}
.chart {{ width: 100%; }}
footer {{ color: #555; font-size: .85rem; margin-top: 2rem; }}
@page {{ size: A4 portrait; margin: 12mm; }}
@media print {{
  html, body {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
  body {{ font-size: 11pt; }}
  main {{ max-width: none; padding: 0; }}
  .figures {{ break-inside: avoid; }}
  .chart-section {{ break-before: page; page-break-before: always; break-inside: avoid; page-break-inside: avoid; }}
  /* the charts are drawn at screen width (up to 924 px); A4 between margins is about 700 px */
  .chart {{ zoom: 0.74; }}
  .modebar, .modebar-container {{ display: none !important; }}
}}
"""


@dataclass(frozen=True)
class ChartSection:
    """One chart of the brief with the sentence that says what it shows."""

    heading: str
    takeaway: str
    figure: go.Figure | None  # None when no rows match the filters
    note: str = ""


class _Views:
    """The brief's view results, protected when a threshold is set, with the hidden cells counted."""

    def __init__(self, session: Session, hide_below: int | None) -> None:
        self.session, self.hide_below, self.hidden_cells = session, hide_below, 0

    def numbers(self, name: str, filters: Filters) -> pd.DataFrame:
        rows = read_view(self.session, name, filters, self.hide_below)
        self.hidden_cells += rows.hidden_cells
        return rows.numbers


# --- the document -------------------------------------------------------------------------------


def build_brief(
    session: Session,
    *,
    filters: Filters,
    hide_below: int | None = None,
    generated_at: datetime | None = None,
    title: str | None = None,
    plan: PlanningSettings = PlanningSettings(),
) -> str:
    """The meeting brief for ``filters`` as a complete, self-contained HTML document (UTF-8), in the
    current language, with the projected gap for ``plan`` (horizon, method, scenario).

    Small-number protection applies to every number and chart when ``hide_below`` is set,
    and the brief says so. ``generated_at`` defaults to now (local time).
    """
    title = title or t("brief.title")
    views = _Views(session, hide_below)
    described = _Describer(session)
    generated_at = generated_at or datetime.now().astimezone()
    version = queries.current_data_version(session)

    earliest = None if filters.year_from is None else filters.year_from - 1  # the year before, for the change
    by_year = views.numbers("overview", filters.with_years(earliest, filters.year_to))
    year = filters.year_to if filters.year_to is not None else (int(by_year["year"].max()) if not by_year.empty else None)
    covered = queries.data_calendar(session)
    figures = headline_figures(by_year, year_to=year, covered=covered) if not by_year.empty else []
    # Gaps are compared only in years with both supply and demand: the latest such year of the range.
    both = [
        y
        for y in queries.comparable_years(session)
        if (filters.year_from is None or y >= filters.year_from) and (year is None or y <= year)
    ]
    year = both[-1] if both else year
    latest = filters.with_years(year, year)

    by_sector = views.numbers("gaps_by_sector", latest)
    by_cell = views.numbers("gaps_by_region_sector", latest)
    # The year before is named only within the years of data; compared only when it has both sides too.
    first_of_data = min((y for years in covered.values() for y in years), default=None)
    previous_year = None if year is None or first_of_data is None or year - 1 < first_of_data else year - 1
    previous = (
        views.numbers("gaps_by_sector", filters.with_years(previous_year, previous_year))
        if previous_year in queries.comparable_years(session)
        else None
    )
    estimated = caveats.has_estimated_openings(session)
    shapes = caveats.region_shapes(session)
    sections = [
        _marked(
            _supply_demand_section(
                by_sector, previous, latest, described(latest), previous_year, views.numbers("supply_not_linked_by_year", latest)
            ),
            estimated,
        ),
        *(
            [_marked(_map_section(views.numbers("coverage_by_region", latest), shapes, described(latest)), estimated)]
            if shapes
            else []
        ),
        _marked(_coverage_section(by_cell, latest, described(latest)), estimated),
        _marked(_trend_section(views.numbers("supply_demand_trend", filters), described(filters)), estimated),
        _placements_section(views.numbers("placements_vs_gaps", filters), described(filters)),
        _in_field_section(views, filters, described),
        _planning_section(session, filters, plan, described),
    ]
    body = "\n".join(
        [
            _header(title, described(filters), version, generated_at, hide_below, views.hidden_cells),
            _caveats_html(caveat_notes(session, latest)),
            _headline_html(figures),
            _gaps_html(by_sector, measured_cells(session, by_cell, latest), year),
            *(_section_html(section) for section in sections),
            f"<footer>{html.escape(t('brief.footer'))}</footer>",
        ]
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(current_language())}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def meeting_brief_file(
    engine: Engine,
    *,
    filters: Filters,
    hide_below: int | None = None,
    language: str | None = None,
    plan: PlanningSettings = PlanningSettings(),
) -> bytes:
    """The brief as the bytes of an .html file (UTF-8), for a download button, in ``language``
    (default: the current one; a download built when clicked runs outside the session, so the page
    passes its language and planning settings along)."""
    with speaking(language or current_language()), Session(engine) as session:
        return build_brief(session, filters=filters, hide_below=hide_below, plan=plan).encode("utf-8")


class _Describer:
    """The filters in words (ui.filters.describe_with) with the names of the brief's own Session,
    which need not be the app's database."""

    def __init__(self, session: Session) -> None:
        regions, sectors = queries.list_regions(session), queries.list_sectors(session)
        self.regions = dict(zip(regions["region_code"], regions["region_name"]))
        self.sectors = dict(zip(sectors["sector_code"], sectors["sector_name"]))

    def __call__(self, filters: Filters) -> str:
        return describe_with(filters, region_names=self.regions, sector_names=self.sectors)


def _header(title: str, described: str, version: int, generated_at: datetime, hide_below: int | None, hidden_cells: int) -> str:
    scope = (
        f'<dl class="scope"><dt>{html.escape(t("brief.filters"))}</dt><dd>{html.escape(described)}</dd>'
        f"<dt>{html.escape(t('brief.data_version'))}</dt><dd>{version}</dd>"
        f"<dt>{html.escape(t('brief.generated'))}</dt>"
        f"<dd>{html.escape(generated_at.strftime('%Y-%m-%d %H:%M %Z').strip())}</dd></dl>"
    )
    protection = ""
    if hide_below:
        found = t("brief.protection_some") if hidden_cells else t("brief.protection_none")
        protection = f'<p class="protection">{html.escape(t("brief.protection", threshold=hide_below, largest=hide_below - 1, base=RATE_BASE_FACTOR * hide_below, found=found))}</p>'
    return f"<header>\n<h1>{html.escape(title)}</h1>\n{scope}\n{protection}\n</header>"


def _headline_html(figures) -> str:
    heading = f"<h2>{html.escape(t('brief.headline'))}</h2>\n"
    if not figures or all(f.value is None for f in figures):
        return f"{heading}<p>{html.escape(t('brief.no_data'))}</p>"
    cards = []
    for figure in figures:
        label = figure.label if figure.year is None else t("metric.with_year", label=figure.label, year=figure.year)
        change = f'<div class="change">{html.escape(figure.change)}</div>' if figure.change else ""
        cards.append(
            f'<div class="figure"><div class="label">{html.escape(label)}</div>'
            f'<div class="value">{html.escape(figure.shown)}</div>{change}</div>'
        )
    return heading + '<div class="figures">' + "".join(cards) + "</div>"


def _gaps_html(by_sector: pd.DataFrame, by_cell: pd.DataFrame, year: int | None) -> str:
    def listed(sentences: list[str], none: str) -> str:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences) or f"<li>{html.escape(none)}</li>"
        return f"<ul>{items}</ul>"

    def side(name: str, note: str, sentences: list[str], none: str) -> str:
        return f"<div><strong>{html.escape(t(name))}</strong>{html.escape(t(note))}{listed(sentences, t(none))}</div>"

    shortages = surpluses = []
    if not by_sector.empty:
        shortages = shortage_sentences(by_sector) + shortage_sentences(by_cell, limit=2)
        surpluses = surplus_sentences(by_sector) + surplus_sentences(by_cell, limit=2)
    heading = t("brief.gaps_heading_any") if year is None else t("brief.gaps_heading", when=in_years(Filters(year, year)))
    return (
        f'<h2>{html.escape(heading)}</h2>\n<div class="gaps">'
        + side("brief.shortages", "brief.shortages_note", shortages, "brief.no_shortage")
        + side("brief.surpluses", "brief.surpluses_note", surpluses, "brief.no_surplus")
        + "</div>"
    )


def _standalone(figure: go.Figure) -> go.Figure:
    """``figure`` made to stand on its own: importing Streamlit makes its "streamlit" template Plotly's default,
    which leaves margins to Streamlit's front end; outside it, axis labels must make their own room."""
    return go.Figure(figure).update_xaxes(automargin=True).update_yaxes(automargin=True)


def _section_html(section: ChartSection) -> str:
    chart = (
        f"<p>{html.escape(t('brief.no_data'))}</p>"
        if section.figure is None
        else '<div class="chart">'
        + _standalone(section.figure).to_html(full_html=False, include_plotlyjs=False, config=CHART_CONFIG)
        + "</div>"
    )
    note = f'<p class="note">{html.escape(section.note)}</p>' if section.note else ""
    return (
        f'<section class="chart-section">\n<h2>{html.escape(section.heading)}</h2>\n'
        f'<p class="takeaway">{html.escape(section.takeaway)}</p>\n{chart}\n{note}\n</section>'
    )


def _supply_demand_section(
    by_sector: pd.DataFrame,
    previous: pd.DataFrame | None,
    period: Filters,
    described: str,
    previous_year: int | None,
    not_linked: pd.DataFrame,
) -> ChartSection:
    heading = t("brief.supply_demand_heading")
    if by_sector.empty:
        return ChartSection(heading, t("brief.no_supply_demand"), None)
    figure = supply_demand_bars(
        as_floats(by_sector, "supply", "demand", "gap", "coverage_ratio"), title=t("brief.supply_demand_chart", filters=described)
    )
    outside = not_linked["supply_not_linked"].sum(min_count=1) if not not_linked.empty else None
    note = (
        t("periods.not_linked", graduates=fmt_count(outside))
        if outside is not None and outside == outside and outside > 0
        else ""
    )
    return ChartSection(
        heading,
        largest_shortage_takeaway(by_sector, previous, when=in_years(period), previous_year=previous_year),
        figure,
        note,
    )


def _coverage_section(cells: pd.DataFrame, period: Filters, described: str) -> ChartSection:
    heading = t("brief.coverage_heading")
    if cells.empty:
        return ChartSection(heading, t("brief.no_supply_demand"), None)
    figure = coverage_heatmap(
        as_floats(cells, "supply", "demand", "gap", "coverage_ratio"), title=t("brief.coverage_chart", filters=described)
    )
    return ChartSection(heading, lowest_coverage_takeaway(cells, when=in_years(period)), figure, t("brief.coverage_note"))


def _caveats_html(notes: list[str]) -> str:
    """What the figures rest on (estimates, suppressed cells, rounding), before any figure."""
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    return f'<section class="caveats">\n<h2>{html.escape(t("brief.caveats_heading"))}</h2>\n<ul>{items}</ul>\n</section>'


def _marked(section: ChartSection, estimated: bool) -> ChartSection:
    """``section`` with its takeaway and its demand series marked as resting on estimated openings, when they do."""
    if not estimated or section.figure is None:
        return section
    takeaway = f"{section.takeaway} {estimated_mark()}" if section.takeaway else section.takeaway
    return replace(section, takeaway=takeaway, figure=estimated_legend(section.figure, True))


def _map_section(regions: pd.DataFrame, shapes: dict, described: str) -> ChartSection:
    heading = t("brief.map_heading")
    if regions.empty:
        return ChartSection(heading, t("brief.no_supply_demand"), None)
    figure = coverage_map(
        as_floats(regions, "supply", "demand", "gap", "coverage_ratio"), shapes, title=t("caveats.map_title", filters=described)
    )
    return ChartSection(heading, map_takeaway(regions, shapes) or "", figure, t("caveats.map_note"))


def _trend_section(trend: pd.DataFrame, described: str) -> ChartSection:
    heading = t("brief.trend_heading")
    if trend.empty:
        return ChartSection(heading, t("brief.no_supply_demand"), None)
    figure = supply_demand_trend_lines(as_floats(trend, "supply", "demand"), title=t("brief.trend_chart", filters=described))
    return ChartSection(heading, trend_takeaway(trend), figure)


def _placements_section(against_gaps: pd.DataFrame, described: str) -> ChartSection:
    heading = t("brief.placements_heading")
    if against_gaps.empty:
        return ChartSection(heading, t("brief.no_placements"), None)
    figure = placements_against_gaps_bars(against_gaps, title=t("brief.placements_chart", filters=described))
    return ChartSection(heading, placements_against_gaps_sentence(against_gaps), figure, t("brief.placements_note"))


def _in_field_section(views: _Views, filters: Filters, described: _Describer) -> ChartSection:
    heading = t("brief.in_field_heading")
    cohort = latest_cohort(views.numbers("outcomes_by_cohort", filters), filters)
    if cohort is None:
        return ChartSection(heading, t("brief.no_survey"), None)
    period = filters.with_years(cohort, cohort)
    in_field = views.numbers("in_field_vs_coverage", period)
    if in_field.empty:
        return ChartSection(heading, t("brief.no_survey"), None)
    overall = overall_in_field_rate(views.numbers("outcomes_by_cohort", period))
    figure = in_field_coverage_scatter(in_field, overall=overall, title=t("brief.in_field_chart", filters=described(period)))
    sectors = " · ".join(
        f"{code} {name}"
        for code, name in in_field[["sector_code", "sector_name"]]
        .drop_duplicates()
        .sort_values("sector_code")
        .itertuples(index=False)
    )
    return ChartSection(
        heading,
        t("brief.in_field_takeaway", cohort=cohort, takeaway=in_field_takeaway(in_field, overall=overall)),
        figure,
        t("brief.in_field_note", sectors=sectors),
    )


def _planning_section(session: Session, filters: Filters, plan: PlanningSettings, described: _Describer) -> ChartSection:
    """The projected gap by sector in the planning horizon, with the scenario and without it."""
    heading = t("brief.planning_heading")
    to_year = plan.horizon(session, filters)
    if to_year is None:
        return ChartSection(heading, t("brief.no_planning"), None)
    everything = filters.with_years(None, None)
    rows = project(session, to_year=to_year, method=plan.method, filters=everything, scenario=plan.scenario).rows
    baseline = project(session, to_year=to_year, method=plan.method, filters=everything).rows if plan.scenario else rows
    if rows.empty:
        return ChartSection(heading, t("brief.no_planning"), None)
    by_sector = per_sector(rows, baseline, to_year)
    scope = described(filters.with_years(to_year, to_year))
    figure = target_gap_bars(by_sector, scenario=bool(plan.scenario), title=t("planning.bars_title", year=to_year, filters=scope))
    return ChartSection(
        heading,
        target_takeaway(by_sector, to_year, scenario=bool(plan.scenario)),
        figure,
        t("brief.planning_note", method=t(f"planning.method_{plan.method}")),
    )
