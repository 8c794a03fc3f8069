"""The meeting brief: one self-contained HTML file with the key charts, numbers and
takeaways for a set of filters, to open in a meeting room without network.

plotly.js is written inline once, in the head, and every chart after it refers to
it, so the charts stay interactive (hover, zoom, Plotly's own PNG download) with
no connection at all; the file links to nothing outside itself. Printed from a
browser it gives A4 pages: the summary first, then one chart per page.

Everything here is pure (a SQLAlchemy Session in, a string out, no Streamlit run
needed), so the dashboard, the command line and the tests build the same file.
Every text that comes from the data (region, sector names) is HTML-escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data_access import queries
from data_access.filters import Filters
from data_access.suppression import protect
from data_access.views import VIEWS

from .charts import coverage_heatmap, supply_demand_bars, supply_demand_trend_lines
from .charts_outcomes import in_field_coverage_scatter, latest_cohort, overall_in_field_rate
from .charts_placements import as_floats, placements_against_gaps_bars, placements_against_gaps_sentence
from .formatting import fmt_count, fmt_rate, fmt_ratio, is_missing
from .headline import headline_figures
from .narrative import shortage_sentences, surplus_sentences

DEFAULT_TITLE = "Meeting brief: training supply against industry demand"
# Plotly's mode bar stays (zoom, reset, PNG download at twice the screen resolution); no Plotly logo, and
# no "Share chart..." button (plotly.js 3 shows it by default; it uploads the chart's data to Plotly Cloud).
CHART_CONFIG = {"displaylogo": False, "showSendToCloud": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
FONT_STACK = ('system-ui, -apple-system, "Segoe UI", Roboto, "Source Sans Pro", "Noto Sans", "Noto Sans CJK SC", '
              '"PingFang SC", "Microsoft YaHei", sans-serif')

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
        spec = VIEWS[name]
        frame = spec.run(self.session, filters)
        if not self.hide_below or frame.empty:
            return frame
        protected = protect(frame, spec, self.hide_below)
        self.hidden_cells += int(protected.hidden.to_numpy().sum())
        return protected.numbers


# --- takeaways: one sentence per chart, from the same numbers the chart draws -------------------


def sector_gap_takeaway(by_sector: pd.DataFrame) -> str:
    """The largest shortage and the largest surplus among sectors, with their numbers."""
    shortage, surplus = shortage_sentences(by_sector, limit=1), surplus_sentences(by_sector, limit=1)
    parts = [f"Largest shortage: {shortage[0]}" if shortage else "No sector has fewer graduates than openings.",
             f"Largest surplus: {surplus[0]}" if surplus else "No sector has more graduates than openings."]
    return " ".join(parts)


def coverage_takeaway(cells: pd.DataFrame) -> str:
    """How many region–sector cells with openings are short of graduates, and the lowest coverage."""
    cells = as_floats(cells, "supply", "demand", "gap", "coverage_ratio")
    rated = cells[cells["coverage_ratio"].notna()]
    if rated.empty:
        return "No region–sector combination has both openings and a known coverage ratio."
    short = rated[rated["coverage_ratio"] < 1]
    untrained = short[short["supply"] == 0]
    lowest = rated.sort_values(["coverage_ratio", "gap"], kind="stable").iloc[0]
    sentence = (f"{len(short)} of {len(rated)} region–sector combinations with openings are short of graduates"
                + (f" ({len(untrained)} with no local training at all)" if len(untrained) else "") + ". ")
    return sentence + (f"Lowest coverage: {lowest['sector_name']} in {lowest['region_name']}, "
                       f"{fmt_count(lowest['supply'])} graduates for {fmt_count(lowest['demand'])} openings "
                       f"(coverage {fmt_ratio(lowest['coverage_ratio'])}).")


def trend_takeaway(trend: pd.DataFrame) -> str:
    """Graduates and openings in the first and the last year of the trend."""
    trend = as_floats(trend, "supply", "demand", "coverage_ratio").sort_values("year")
    if trend.empty:
        return "No years with graduates or openings in this selection."
    last = trend.iloc[-1]
    latest = (f"In {int(last['year'])}: {fmt_count(last['supply'])} graduates against {fmt_count(last['demand'])} openings"
              f" (coverage {fmt_ratio(last['coverage_ratio'])})")
    if len(trend) == 1:
        return latest + "."
    first = trend.iloc[0]
    return (latest + f"; in {int(first['year'])}: {fmt_count(first['supply'])} against {fmt_count(first['demand'])}"
            f" (coverage {fmt_ratio(first['coverage_ratio'])}).")


def in_field_takeaway(frame: pd.DataFrame, *, overall: float) -> str:
    """The sectors whose graduates work in their field least and most often, against all sectors."""
    frame = as_floats(frame, "supply", "demand", "coverage_ratio", "in_field_rate")
    rated = frame[frame["in_field_rate"].notna()].sort_values(["in_field_rate", "sector_code"], kind="stable")
    if rated.empty:
        return "No sector's in-field rate can be shown (no employed graduates surveyed, or small numbers hidden)."
    lowest, highest = rated.iloc[0], rated.iloc[-1]

    def described(row: pd.Series) -> str:
        return (f"{row['sector_name']}, {fmt_rate(row['in_field_rate'])} of employed graduates work in their field "
                f"(coverage {fmt_ratio(row['coverage_ratio'])})")

    sentence = f"Lowest in-field rate: {described(lowest)}"
    if len(rated) > 1:
        sentence += f"; highest: {described(highest)}"
    if not is_missing(overall):
        sentence += f". All sectors: {fmt_rate(overall)}"
    return sentence + "."


# --- the document -------------------------------------------------------------------------------


def build_brief(session: Session, *, filters: Filters, hide_below: int | None = None,
                generated_at: datetime | None = None, title: str = DEFAULT_TITLE) -> str:
    """The meeting brief for ``filters`` as a complete, self-contained HTML document (UTF-8).

    Small-number protection applies to every number and chart when ``hide_below`` is set,
    and the brief says so. ``generated_at`` defaults to now (local time).
    """
    views = _Views(session, hide_below)
    generated_at = generated_at or datetime.now().astimezone()
    version = queries.current_data_version(session)

    earliest = None if filters.year_from is None else filters.year_from - 1  # the year before, for the change
    by_year = views.numbers("overview", filters.with_years(earliest, filters.year_to))
    year = filters.year_to if filters.year_to is not None else (int(by_year["year"].max()) if not by_year.empty else None)
    figures = headline_figures(by_year, year_to=year) if not by_year.empty else []
    latest = filters.with_years(year, year)

    by_sector = views.numbers("gaps_by_sector", latest)
    by_cell = views.numbers("gaps_by_region_sector", latest)
    sections = [
        _supply_demand_section(by_sector, latest),
        _coverage_section(by_cell, latest),
        _trend_section(views.numbers("supply_demand_trend", filters), filters),
        _placements_section(views.numbers("placements_vs_gaps", filters), filters),
        _in_field_section(views, filters),
    ]
    body = "\n".join([
        _header(title, filters, version, generated_at, hide_below, views.hidden_cells),
        _headline_html(figures),
        _gaps_html(by_sector, by_cell, year),
        *(_section_html(section) for section in sections),
        "<footer>Supply = graduates; demand = openings. Gap = supply − demand (negative = shortage); "
        "coverage = supply ÷ demand. Each chart's menu (top right, on screen) downloads it as a PNG image.</footer>",
    ])
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def meeting_brief_file(engine: Engine, *, filters: Filters, hide_below: int | None = None) -> bytes:
    """The brief as the bytes of an .html file (UTF-8), for a download button."""
    with Session(engine) as session:
        return build_brief(session, filters=filters, hide_below=hide_below).encode("utf-8")


def _header(title: str, filters: Filters, version: int, generated_at: datetime, hide_below: int | None,
            hidden_cells: int) -> str:
    scope = (f'<dl class="scope"><dt>Filters</dt><dd>{html.escape(filters.describe())}</dd>'
             f"<dt>Data version</dt><dd>{version}</dd>"
             f"<dt>Generated</dt><dd>{html.escape(generated_at.strftime('%Y-%m-%d %H:%M %Z').strip())}</dd></dl>")
    protection = ""
    if hide_below:
        found = "some are hidden in this brief" if hidden_cells else "none is small enough to hide in this brief"
        protection = (f'<p class="protection">Small numbers are hidden: counts of 1 to {hide_below - 1} people are not '
                      f"shown, and rates, gaps and ratios computed from them are left out ({found}).</p>")
    return f"<header>\n<h1>{html.escape(title)}</h1>\n{scope}\n{protection}\n</header>"


def _headline_html(figures) -> str:
    if not figures or all(f.value is None for f in figures):
        return "<h2>Headline figures</h2>\n<p>No data matches these filters.</p>"
    cards = []
    for figure in figures:
        label = figure.label if figure.year is None else f"{figure.label} ({figure.year})"
        change = f'<div class="change">{html.escape(figure.change)}</div>' if figure.change else ""
        cards.append(f'<div class="figure"><div class="label">{html.escape(label)}</div>'
                     f'<div class="value">{html.escape(figure.shown)}</div>{change}</div>')
    return '<h2>Headline figures</h2>\n<div class="figures">' + "".join(cards) + "</div>"


def _gaps_html(by_sector: pd.DataFrame, by_cell: pd.DataFrame, year: int | None) -> str:
    def listed(sentences: list[str], none: str) -> str:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences) or f"<li>{none}</li>"
        return f"<ul>{items}</ul>"

    shortages = surpluses = []
    if not by_sector.empty:
        shortages = shortage_sentences(by_sector) + shortage_sentences(by_cell, limit=2)
        surpluses = surplus_sentences(by_sector) + surplus_sentences(by_cell, limit=2)
    when = "" if year is None else f" in {year}"
    return (f"<h2>Where training and demand disagree most{when}</h2>\n<div class=\"gaps\">"
            f"<div><strong>Largest shortages</strong> (fewer graduates than openings)"
            f"{listed(shortages, 'No shortage in this selection.')}</div>"
            f"<div><strong>Largest surpluses</strong> (more graduates than openings)"
            f"{listed(surpluses, 'No surplus in this selection.')}</div></div>")


def _standalone(figure: go.Figure) -> go.Figure:
    """``figure`` made to stand on its own: importing Streamlit makes its "streamlit" template Plotly's default,
    which leaves margins to Streamlit's front end; outside it, axis labels must make their own room."""
    return go.Figure(figure).update_xaxes(automargin=True).update_yaxes(automargin=True)


def _section_html(section: ChartSection) -> str:
    chart = ("<p>No data matches these filters.</p>" if section.figure is None else
             '<div class="chart">' + _standalone(section.figure).to_html(full_html=False, include_plotlyjs=False,
                                                                        config=CHART_CONFIG) + "</div>")
    note = f'<p class="note">{html.escape(section.note)}</p>' if section.note else ""
    return (f'<section class="chart-section">\n<h2>{html.escape(section.heading)}</h2>\n'
            f'<p class="takeaway">{html.escape(section.takeaway)}</p>\n{chart}\n{note}\n</section>')


def _supply_demand_section(by_sector: pd.DataFrame, period: Filters) -> ChartSection:
    heading = "Supply and demand by sector"
    if by_sector.empty:
        return ChartSection(heading, "No graduates or openings match these filters.", None)
    figure = supply_demand_bars(as_floats(by_sector, "supply", "demand", "gap", "coverage_ratio"),
                                title=f"Supply and demand by sector, largest shortage first · {period.describe()}")
    return ChartSection(heading, sector_gap_takeaway(by_sector), figure)


def _coverage_section(cells: pd.DataFrame, period: Filters) -> ChartSection:
    heading = "Coverage by region and sector"
    if cells.empty:
        return ChartSection(heading, "No graduates or openings match these filters.", None)
    figure = coverage_heatmap(as_floats(cells, "supply", "demand", "gap", "coverage_ratio"),
                              title=f"Coverage ratio by region and sector · {period.describe()}")
    return ChartSection(heading, coverage_takeaway(cells), figure,
                        "Orange: fewer graduates than openings; purple: more; grey: openings but no local graduates.")


def _trend_section(trend: pd.DataFrame, filters: Filters) -> ChartSection:
    heading = "Supply and demand over the years"
    if trend.empty:
        return ChartSection(heading, "No graduates or openings match these filters.", None)
    figure = supply_demand_trend_lines(as_floats(trend, "supply", "demand"),
                                       title=f"Supply and demand over the years · {filters.describe()}")
    return ChartSection(heading, trend_takeaway(trend), figure)


def _placements_section(against_gaps: pd.DataFrame, filters: Filters) -> ChartSection:
    heading = "Placements in shortage and surplus sectors"
    if against_gaps.empty:
        return ChartSection(heading, "No placements or openings match these filters.", None)
    figure = placements_against_gaps_bars(
        against_gaps, title=f"Students placed per 100 openings, sectors by coverage ratio · {filters.describe()}")
    return ChartSection(heading, placements_against_gaps_sentence(against_gaps), figure,
                        "A placement's sector and region are the host employer's.")


def _in_field_section(views: _Views, filters: Filters) -> ChartSection:
    heading = "In-field rate against coverage"
    cohort = latest_cohort(views.numbers("outcomes_by_cohort", filters), filters)
    if cohort is None:
        return ChartSection(heading, "No graduate survey results match these filters.", None)
    period = filters.with_years(cohort, cohort)
    in_field = views.numbers("in_field_vs_coverage", period)
    if in_field.empty:
        return ChartSection(heading, "No graduate survey results match these filters.", None)
    overall = overall_in_field_rate(views.numbers("outcomes_by_cohort", period))
    figure = in_field_coverage_scatter(in_field, overall=overall,
                                       title=f"In-field rate against coverage by sector · {period.describe()}")
    key = " · ".join(f"{code} {name}" for code, name in
                     in_field[["sector_code", "sector_name"]].drop_duplicates().sort_values("sector_code").itertuples(index=False))
    return ChartSection(heading, f"Survey cohort {cohort}. " + in_field_takeaway(in_field, overall=overall), figure,
                        "Left of the dashed line, fewer graduates than openings; below the dotted line, graduates work "
                        f"in their field less often than overall. Point size: graduates. Sectors: {key}")
