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
import re
import unicodedata
from dataclasses import dataclass, replace
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
from .formatting import floats, fmt_rate, fmt_ratio, protected_numbers
from .headline import coverage_basis, headline_figures
from .i18n import current_language, speaking, t
from .markup import plotly_text
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
CHART_HEIGHT_WITH_TABLE = 430  # px: a chart with its table of values below it on one page
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
.values {{ display: flex; gap: 24px; align-items: flex-start; margin: .3rem 0; }}
.values table {{ border-collapse: collapse; font-size: .8rem; }}
.values th, .values td {{ padding: 1px 8px 1px 0; text-align: right; border-bottom: 1px solid #e3e3e3; }}
.values th:first-child, .values td:first-child {{ text-align: left; }}
@page {{
  size: A4 portrait; margin: 12mm 12mm 16mm;
  @bottom-left {{ content: "{{footer}}"; font-size: 8pt; color: #444; }}
  @bottom-right {{ content: "{{page_word}} " counter(page) " / " counter(pages); font-size: 8pt; color: #444; }}
}}
@media print {{
  html, body {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
  body {{ font-size: 10pt; line-height: 1.35; }}
  h1 {{ font-size: 17pt; }}
  h2 {{ font-size: 13pt; margin: 1rem 0 .3rem; }}
  /* the summary compact, so that its lists stay on the first page with the figures where they can */
  .scope {{ margin-bottom: .5rem; }}
  .figures {{ gap: 6px; margin: .3rem 0 .5rem; }}
  .figure {{ padding: .3rem .6rem; }}
  .figure .value {{ font-size: 16pt; }}
  .gaps {{ font-size: 9.5pt; }}
  .gaps ul {{ margin: .15rem 0; }}
  .values table {{ font-size: 8pt; }}
  main {{ max-width: none; padding: 0; }}
  .figures {{ break-inside: avoid; }}
  /* the lists move to the next page whole rather than leave a few lines there on their own */
  .summary-gaps {{ break-inside: avoid; page-break-inside: avoid; }}
  .chart-section {{ break-before: page; page-break-before: always; break-inside: avoid; page-break-inside: avoid; }}
  /* a finding without a chart (no data) is a few lines: after the page before, not on a page of its own */
  .chart-section.no-chart {{ break-before: auto; page-break-before: auto; }}
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
        by_sector = gaps_by_sector(source, gaps)
        by_region = coverage_by_region_and_sector(source, gaps, on_paper=True)
        if _regions_in(by_region) > 1:
            on_the_map = coverage_on_the_map(source, gaps)
            sections += [by_sector, *([on_the_map] if on_the_map is not None else []), by_region]
        else:  # one region: its map and its row of the heat map (drawn as bars) would repeat the chart by sector
            sections += [replace(by_sector, notes=by_sector.notes + ((by_region.takeaway,) if by_region.takeaway else ()))]
        sections += [placements_against_gaps(source, gaps)]
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
            f'<p class="note definitions">{html.escape(t("brief.footer"))}</p>',
            _gaps_html(lists, gaps.latest if gaps is not None else None),
            *(_section_html(section, scope_line) for section in sections),
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
        f'<section class="summary-gaps">\n<h2>{html.escape(heading)}</h2>\n<div class="gaps">'
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
        + "</div>\n</section>"
    )


# --- the charts as printed ---------------------------------------------------------------------------

TITLE_SIZE = 18  # px: a chart's title, its filters on a line of 13 px below it
SCOPE_SIZE = 13
TITLE_PAD = 8  # px above the title
LINE = 1.35  # a line of text is this many times its font size high
LEGEND_ROW = 24  # px: a row of the legend (14 px names beside their symbol)
LEGEND_SYMBOL = 46  # px: a legend item's symbol and the gaps around its name
LABEL_GAP = 8  # px: between a bar's end and its value, and between the value and the edge
ROW_NAMES = 230  # px: the widest name left of a bar chart's rows
MIN_LABEL = 9  # px: the smallest value label printed (about 7 pt)
VALUES_ROWS = 10  # rows of the scatter's table of values below which it is one table, not two side by side


def text_width(text: object, size: float) -> float:
    """A generous estimate of the width in px of ``text`` (Plotly markup removed) in a ``size`` px sans-serif font:
    wide (Chinese) characters a full em, others six tenths of it."""
    plain = re.sub(r"<[^>]*>", "", html.unescape(str(text)))
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.6 * size for c in plain)


def _lines(text: object) -> list[str]:
    return re.split(r"<br\s*/?>", str(text or ""))


def _title_lines(title: str) -> tuple[str, str]:
    """A chart title ("what · filters", in either language's spacing) as its two parts; the filters may be ""."""
    if "<br>" in title:
        what, _, scope = title.partition("<br>")
        return what, re.sub(r"<[^>]*>", "", scope)
    parts = re.split(r"\s*·\s*", title, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (title, "")


def _legend_items(figure: go.Figure) -> list[str]:
    """The names the legend shows (Plotly shows none for a single trace, a heat map or a map)."""
    if figure.layout.showlegend is False:
        return []
    names = [
        str(trace.name)
        for trace in figure.data
        if trace.type not in ("heatmap", "choropleth", "choroplethmap", "choroplethmapbox")
        and trace.showlegend is not False
        and trace.name
    ]
    names = list(dict.fromkeys(names))
    return names if len(names) > 1 or figure.layout.showlegend else []


def _legend_rows(names: list[str], width: float) -> int:
    """Rows of a horizontal legend of ``names`` in ``width`` px, packed as Plotly packs them (estimated generously)."""
    rows, used = 0, width
    for name in names:
        item = LEGEND_SYMBOL + text_width(name, 14)
        if used + item > width:
            rows, used = rows + 1, 0.0
        used += item
    return rows


def _above_the_plot(annotation) -> bool:
    return (
        str(annotation.yref or "paper") in ("paper", "y domain")
        and (annotation.y or 0) >= 1
        and annotation.yanchor in ("bottom", None)
        and annotation.y is not None
    )


def _fit_values(figure: go.Figure, plot_width: float) -> None:
    """Widen the value axis of horizontal bars labelled outside their end, so that the longest label ends inside the
    chart: a bar of value v ends at v / R of the plot's width, its label takes w px after it."""
    needed = 0.0
    for trace in figure.data:
        if trace.type != "bar" or trace.orientation != "h" or trace.x is None:
            continue
        positions = trace.textposition if isinstance(trace.textposition, (list, tuple)) else [trace.textposition] * len(trace.x)
        if "outside" not in positions:
            continue
        size = (trace.textfont.size if trace.textfont and trace.textfont.size else None) or 14
        if trace.texttemplate and "%{x:,.0f}" in str(trace.texttemplate):
            labels = ["" if x is None or x != x else f"{x:,.0f}" for x in trace.x]
        elif trace.text is not None and not isinstance(trace.text, str):
            labels = [str(label) for label in trace.text]
        else:
            continue
        for value, label, position in zip(trace.x, labels, positions):
            if position != "outside" or value is None or value != value or not label or value <= 0:
                continue
            room = plot_width - text_width(label, size) - 2 * LABEL_GAP
            needed = max(needed, float(value) * plot_width / max(room, plot_width / 4))
    if needed <= 0 or figure.layout.xaxis.type == "log":
        return
    current = figure.layout.xaxis.range
    if current is not None and current[1] is not None and current[1] >= needed:
        return
    low = current[0] if current is not None and current[0] is not None else 0
    figure.update_xaxes(range=[low, needed], autorange=False)


def _cut_to(text: str, width: float, size: float = 14) -> str:
    """``text`` cut to at most ``width`` px, ending in "…" where cut (the hover keeps it whole)."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _short_row_names(figure: go.Figure) -> None:
    """Row names of horizontal bars at most ``ROW_NAMES`` px wide, so that the bars and their values keep room."""
    if not any(trace.type == "bar" and trace.orientation == "h" for trace in figure.data):
        return

    def cut(name: str) -> str:
        return "<br>".join(plotly_text(_cut_to(html.unescape(line), ROW_NAMES)) for line in _lines(name))

    if figure.layout.yaxis.ticktext:
        figure.update_yaxes(ticktext=[cut(str(tick)) for tick in figure.layout.yaxis.ticktext])
        return
    names = list(dict.fromkeys(_row_names(figure)))
    if names and max(text_width(name, 14) for name in names) > ROW_NAMES:
        figure.update_yaxes(tickmode="array", tickvals=names, ticktext=[cut(name) for name in names])


def _row_names(figure: go.Figure) -> list[str]:
    """The names written left of a chart's rows: its y axis's tick texts, else its categories."""
    if figure.layout.yaxis.ticktext:
        return [str(tick) for tick in figure.layout.yaxis.ticktext]
    return [str(y) for trace in figure.data if trace.type == "bar" and trace.y is not None for y in trace.y]


def _readable_values(figure: go.Figure) -> None:
    """Values beside thin bars at a size that prints legibly: Plotly shrinks a label to its bar's thickness
    (down to 5 px in a chart of 21 sectors × 3 bars); printed, a label is as high as its bar's slot allows,
    at least ``MIN_LABEL`` px, and may reach past its bar's thickness."""
    labelled = [
        trace
        for trace in figure.data
        if trace.type == "bar" and trace.orientation == "h" and (trace.texttemplate is not None or trace.text is not None)
    ]
    if not labelled:
        return
    grouped = len(labelled) if figure.layout.barmode == "group" else 1
    categories = max(len(trace.y) for trace in labelled if trace.y is not None)
    plot = (figure.layout.height or 450) - (figure.layout.margin.t or 0) - (figure.layout.margin.b or 0) - 50
    slot = plot / max(categories * grouped, 1)
    for trace in labelled:
        size = (trace.textfont.size if trace.textfont and trace.textfont.size else None) or 14
        trace.update(constraintext="none", textfont_size=max(MIN_LABEL, min(size, round(1.2 * slot))))


def for_print(figure: go.Figure, *, height: int = CHART_HEIGHT) -> go.Figure:
    """``figure`` laid out to stand on an A4 page: its own margins (outside Streamlit), at most
    ``CHART_WIDTH`` × ``CHART_HEIGHT`` px, the title at the top with its filters on a line of their own, the
    legend below the title and the notes over the plot below the legend, never on each other, and every value
    written beside a bar inside the chart."""
    printed = go.Figure(figure).update_xaxes(automargin=True).update_yaxes(automargin=True)
    printed.update_layout(width=CHART_WIDTH, autosize=False)
    if (printed.layout.height or 0) > height:  # a chart, its heading and takeaway on one A4 page
        printed.update_layout(height=height)
    height = printed.layout.height or 450
    what, scope = _title_lines(str(printed.layout.title.text or ""))
    top = TITLE_PAD + LINE * TITLE_SIZE * len(_lines(what)) + (LINE * SCOPE_SIZE if scope else 0)
    printed.update_layout(
        title=dict(
            text=what + (f"<br><span style='font-size:{SCOPE_SIZE}px'>{scope}</span>" if scope else ""),
            x=0,
            xanchor="left",
            xref="container",
            y=1 - (TITLE_PAD + (top - TITLE_PAD) / 2) / height,  # the middle of the title's own band at the top
            yanchor="middle",
            yref="container",
            pad=dict(t=0, b=0, l=0),
            font=dict(size=TITLE_SIZE),
        )
    )
    legend = printed.layout.legend
    names = _legend_items(printed)
    if names and legend.orientation == "h" and legend.y is not None and legend.y >= 1:  # a legend over the plot
        rows = _legend_rows(names, CHART_WIDTH)
        printed.update_layout(
            legend=dict(x=0, xanchor="left", y=1 - (top + 8) / height, yanchor="top", yref="container", xref="container")
        )
        top += 8 + rows * LEGEND_ROW
    notes = [a for a in printed.layout.annotations if _above_the_plot(a)]
    for note in notes:  # a note over the plot on lines that fit the page's width
        size = (note.font.size if note.font and note.font.size else None) or 14
        if text_width(note.text, size) > CHART_WIDTH - 20 and " · " in str(note.text):
            note.update(text=str(note.text).replace(" · ", "<br>"), align="left", xanchor="left")
    if notes:
        top += max(LINE * ((n.font.size if n.font and n.font.size else None) or 14) * len(_lines(n.text)) for n in notes) + 4
    printed.update_layout(margin=dict(t=max(int(round(top)) + 8, 40), r=max(printed.layout.margin.r or 0, 12)))
    left = max((text_width(line, 14) for tick in _row_names(printed) for line in _lines(tick)), default=0)
    _short_row_names(printed)
    _readable_values(printed)
    _fit_values(printed, CHART_WIDTH - (printed.layout.margin.r or 0) - max(left + 12, printed.layout.margin.l or 0))
    return printed


def _regions_in(statement: Statement) -> int:
    """The regions among the rows of ``statement`` (by region and sector)."""
    rows = statement.rows.numbers if statement.rows is not None else None
    return 0 if rows is None or rows.empty or "region_code" not in rows else int(rows["region_code"].nunique())


def _values_table(section: Statement | ChartSection) -> str:
    """The numbers of the in-field scatter as a small table below it, to read on paper (a point has no hover
    there): per sector its coverage and in-field rate, the lowest in-field rate first."""
    if not isinstance(section, Statement) or section.key != "in_field_against_coverage" or section.rows is None:
        return ""
    rows = section.rows.numbers
    if rows.empty:
        return ""
    ordered = rows.assign(_rate=floats(rows["in_field_rate"])).sort_values(["_rate", "sector_name"], na_position="last")
    head = "".join(
        f"<th>{html.escape(t(f'column.{column}'))}</th>" for column in ("sector_name", "coverage_ratio", "in_field_rate")
    )
    lines = [
        f"<tr><td>{html.escape(str(row.sector_name))}</td><td>{html.escape(fmt_ratio(row.coverage_ratio))}</td>"
        f"<td>{html.escape(fmt_rate(row.in_field_rate))}</td></tr>"
        for row in ordered.itertuples()
    ]
    half = (len(lines) + 1) // 2 if len(lines) > VALUES_ROWS else len(lines)  # two tables side by side where long
    tables = (lines[:half], lines[half:]) if half < len(lines) else (lines,)
    return (
        '<div class="values">'
        + "".join(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(part)}</tbody></table>" for part in tables)
        + "</div>"
    )


def _section_html(section: Statement | ChartSection, scope_line: str) -> str:
    """One finding on a page of its own when printed: heading, the filters and data version, the takeaway,
    the chart (drawn A4-wide) and its notes."""
    figure = section.figure
    values = _values_table(section)
    chart = (
        f"<p>{html.escape(t('brief.no_data'))}</p>"
        if figure is None
        else '<div class="chart">'
        + for_print(figure, height=CHART_HEIGHT_WITH_TABLE if values else CHART_HEIGHT).to_html(
            full_html=False, include_plotlyjs=False, config=CHART_CONFIG
        )
        + "</div>"
    )
    notes = section.notes if isinstance(section, Statement) else ((section.note,) if section.note else ())
    note = "".join(f'<p class="note">{html.escape(n)}</p>' for n in notes if n)
    return (
        f'<section class="chart-section{"" if figure is not None else " no-chart"}">\n<h2>{html.escape(section.heading)}</h2>\n'
        f'<p class="scope-line">{html.escape(scope_line)}</p>\n'
        f'<p class="takeaway">{html.escape(section.takeaway or "")}</p>\n{chart}\n{values}{note}\n</section>'
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
