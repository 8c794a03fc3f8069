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
from dataclasses import dataclass
from datetime import datetime

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data_access import queries
from data_access.filters import Filters
from data_access.planning import PlanningSettings, project
from data_access.suppression import RATE_BASE_FACTOR

from .caveats import caveat_notes
from .charts_planning import target_gap_bars
from .formatting import protected_numbers
from .headline import coverage_basis, headline_figures
from .i18n import current_language, speaking, t
from .planning import per_sector, target_takeaway
from .planning_layout import protected
from .statements import (
    GapLists,
    SessionSource,
    Statement,
    coverage_by_region_and_sector,
    coverage_on_the_map,
    gap_lists,
    gaps_by_sector,
    in_field_against_coverage,
    period_of_gaps,
    placements_against_gaps,
    supply_and_demand_over_the_years,
)
from .takeaways import in_years

# Plotly's mode bar stays (zoom, reset, PNG download at twice the screen resolution); no Plotly logo, and
# no "Share chart..." button (plotly.js 3 shows it by default; it uploads the chart's data to Plotly Cloud).
CHART_CONFIG = {"displaylogo": False, "showSendToCloud": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Source Sans Pro", "Noto Sans", "Noto Sans CJK SC", '
    '"PingFang SC", "Microsoft YaHei", sans-serif'
)

CHART_HEIGHT = 780  # px: at most, so that a chart with its heading and takeaway fits an A4 page
CHART_WIDTH = 700  # px: the width of A4 between 12 mm margins at 96 dpi, so that a printed chart keeps its type size
STYLE_TEMPLATE = f"""
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
.chart {{ width: {CHART_WIDTH}px; max-width: 100%; }}
footer {{ color: #555; font-size: .85rem; margin-top: 2rem; }}
.scope-line {{ color: #444; font-size: .85rem; margin: 0 0 .3rem; }}
@page {{
  size: A4 portrait; margin: 12mm 12mm 16mm;
  @bottom-left {{ content: "{{footer}}"; font-size: 8pt; color: #444; }}
  @bottom-right {{ content: "{{page_word}} " counter(page) " / " counter(pages); font-size: 8pt; color: #444; }}
}}
@media print {{
  html, body {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
  body {{ font-size: 10pt; line-height: 1.35; }}
  h1 {{ font-size: 18pt; }}
  h2 {{ font-size: 14pt; }}
  main {{ max-width: none; padding: 0; }}
  .figures {{ break-inside: avoid; }}
  .chart-section {{ break-before: page; page-break-before: always; break-inside: avoid; page-break-inside: avoid; }}
  /* the charts are drawn {CHART_WIDTH} px wide: A4 between the margins at 100 %, so their 14 px labels print at 10.5 pt */
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

    Every finding is the pages' own statement (ui/statements.py), read through this Session: the same
    periods, numbers and words as the pages and the projector. Small-number protection applies to every
    number and chart when ``hide_below`` is set, and the brief says so. ``generated_at`` defaults to now.
    """
    with protected_numbers(bool(hide_below)):
        return _brief(session, filters, hide_below, generated_at, title, plan)


def _brief(
    session: Session,
    filters: Filters,
    hide_below: int | None,
    generated_at: datetime | None,
    title: str | None,
    plan: PlanningSettings,
) -> str:
    title = title or t("brief.title")
    source = SessionSource(session, hide_below)
    generated_at = generated_at or datetime.now().astimezone()
    version = queries.current_data_version(session)

    earliest = None if filters.year_from is None else filters.year_from - 1  # the year before, for the change
    by_year = source.rows("overview", filters.with_years(earliest, filters.year_to)).numbers
    year = filters.year_to if filters.year_to is not None else (int(by_year["year"].max()) if not by_year.empty else None)
    figures = headline_figures(by_year, year_to=year, covered=source.calendar()) if not by_year.empty else []
    gaps = period_of_gaps(source, filters)
    sections: list[Statement | ChartSection] = []
    lists = None
    if gaps is not None:
        lists = gap_lists(source, gaps)
        sections += [gaps_by_sector(source, gaps)]
        on_the_map = coverage_on_the_map(source, gaps)
        sections += [on_the_map] if on_the_map is not None else []
        sections += [coverage_by_region_and_sector(source, gaps), placements_against_gaps(source, gaps)]
    sections += [supply_and_demand_over_the_years(source, filters)]
    in_field = in_field_against_coverage(source, filters)
    sections += [in_field] if in_field is not None else [ChartSection(t("brief.in_field_heading"), t("brief.no_survey"), None)]
    sections += [_planning_section(session, filters, plan, source.describe, hide_below)]
    scope_line = t("brief.scope_line", filters=source.describe(filters), version=version)
    body = "\n".join(
        [
            _header(title, source.describe(filters), version, generated_at, hide_below, source.hidden_cells),
            _caveats_html(caveat_notes(session, gaps.filters if gaps is not None else filters)),
            _headline_html(figures, coverage_basis(by_year, figures) if figures else None),
            _gaps_html(lists, gaps.latest if gaps is not None else None),
            *(_section_html(section, scope_line) for section in sections),
            f"<footer>{html.escape(t('brief.footer'))}</footer>",
        ]
    )
    style = STYLE_TEMPLATE.replace("{footer}", _css_text(scope_line)).replace("{page_word}", _css_text(t("brief.page")))
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(current_language())}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{style}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _css_text(text: str) -> str:
    """``text`` as the inside of a CSS string (printed in the page margins): quotes and backslashes escaped,
    no line breaks, nothing that could close the style element."""
    cleaned = " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')
    return cleaned.replace("<", "\\3C ").replace(">", "\\3E ")


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


def _headline_html(figures, basis: str | None = None) -> str:
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
    basis_html = f'<p class="basis">{html.escape(basis)}</p>' if basis else ""
    return heading + '<div class="figures">' + "".join(cards) + "</div>" + basis_html


def _gaps_html(lists: GapLists | None, year: int | None) -> str:
    def listed(sentences: list[str], none: str) -> str:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences) or f"<li>{html.escape(none)}</li>"
        return f"<ul>{items}</ul>"

    def side(name: str, note: str, by_sector: list[str], in_regions: list[str], none: str) -> str:
        regions = (
            f'<p class="note">{html.escape(t("overview.in_regions"))}</p>{listed(in_regions, t(none))}' if in_regions else ""
        )
        return (
            f"<div><strong>{html.escape(t(name))}</strong>{html.escape(t(note))}"
            f'<p class="note">{html.escape(t("overview.by_sector"))}</p>{listed(by_sector, t(none))}{regions}</div>'
        )

    lists = lists or GapLists([], [], [], [])
    heading = t("brief.gaps_heading_any") if year is None else t("brief.gaps_heading", when=in_years(Filters(year, year)))
    return (
        f'<h2>{html.escape(heading)}</h2>\n<div class="gaps">'
        + side(
            "brief.shortages",
            "brief.shortages_note",
            lists.shortages_by_sector,
            lists.shortages_in_regions,
            "brief.no_shortage" if lists.measured else "overview.not_measured",
        )
        + side(
            "brief.surpluses",
            "brief.surpluses_note",
            lists.surpluses_by_sector,
            lists.surpluses_in_regions,
            "brief.no_surplus" if lists.measured else "overview.not_measured",
        )
        + "</div>"
    )


def _standalone(figure: go.Figure) -> go.Figure:
    """``figure`` made to stand on its own: importing Streamlit makes its "streamlit" template Plotly's default,
    which leaves margins to Streamlit's front end; outside it, axis labels must make their own room."""
    standalone = go.Figure(figure).update_xaxes(automargin=True).update_yaxes(automargin=True)
    standalone.update_layout(width=CHART_WIDTH, autosize=False)
    if (standalone.layout.height or 0) > CHART_HEIGHT:  # a chart, its heading and takeaway on one A4 page
        standalone.update_layout(height=CHART_HEIGHT)
    title = str(standalone.layout.title.text or "")
    if " · " in title and "<br>" not in title:  # the filters on a line of their own, so the title is never cut
        what, _, scope = title.partition(" · ")
        standalone.update_layout(
            title_text=f"{what}<br><span style='font-size:13px'>{scope}</span>",
            margin_t=max(standalone.layout.margin.t or 0, 96),
        )
    return standalone


def _section_html(section: Statement | ChartSection, scope_line: str) -> str:
    """One finding on a page of its own when printed: heading, the filters and data version, the takeaway,
    the chart (drawn A4-wide) and its notes."""
    figure = section.figure
    chart = (
        f"<p>{html.escape(t('brief.no_data'))}</p>"
        if figure is None
        else '<div class="chart">'
        + _standalone(figure).to_html(full_html=False, include_plotlyjs=False, config=CHART_CONFIG)
        + "</div>"
    )
    notes = section.notes if isinstance(section, Statement) else ((section.note,) if section.note else ())
    note = "".join(f'<p class="note">{html.escape(n)}</p>' for n in notes if n)
    return (
        f'<section class="chart-section">\n<h2>{html.escape(section.heading)}</h2>\n'
        f'<p class="scope-line">{html.escape(scope_line)}</p>\n'
        f'<p class="takeaway">{html.escape(section.takeaway or "")}</p>\n{chart}\n{note}\n</section>'
    )


def _caveats_html(notes: list[str]) -> str:
    """What the figures rest on (estimates, suppressed cells, rounding), before any figure."""
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    return f'<section class="caveats">\n<h2>{html.escape(t("brief.caveats_heading"))}</h2>\n<ul>{items}</ul>\n</section>'


def _planning_section(
    session: Session, filters: Filters, plan: PlanningSettings, described, hide_below: int | None
) -> ChartSection:
    """The projected gap by sector in the planning horizon, with the scenario and without it."""
    heading = t("brief.planning_heading")
    to_year = plan.horizon(session, filters)
    if to_year is None:
        return ChartSection(heading, t("brief.no_planning"), None)
    everything = filters.with_years(None, None)
    result = project(session, to_year=to_year, method=plan.method, filters=everything, scenario=plan.scenario)
    baseline = project(session, to_year=to_year, method=plan.method, filters=everything) if plan.scenario else result
    if result.rows.empty:
        return ChartSection(heading, t("brief.no_planning"), None)
    by_sector = (
        protected(per_sector(result, baseline, to_year), threshold=hide_below)
        if hide_below
        else per_sector(result, baseline, to_year)
    )
    scope = described(filters.with_years(to_year, to_year))
    figure = target_gap_bars(by_sector, scenario=bool(plan.scenario), title=t("planning.bars_title", year=to_year, filters=scope))
    return ChartSection(
        heading,
        target_takeaway(by_sector, to_year, scenario=bool(plan.scenario)),
        figure,
        t("brief.planning_note", method=t(f"planning.method_{plan.method}")),
    )
