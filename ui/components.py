"""Small render helpers the pages compose."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from data_access.filters import Filters
from data_access.i18n import column_labels
from data_access.snapshot import csv_bytes
from data_access.suppression import RATE_BASE_FACTOR

from .context import ViewResult
from .filters import active_filters, scoped_file_name
from .i18n import current_language, label, md, t
from .markup import markdown_text
from .presentation import presentation_on

DownloadData = bytes | str | Callable[[], bytes | str]  # the file, or what makes it when clicked
PROJECTOR_FONT = 20  # px of chart text in presentation mode (the charts' own is 14)
# Heights of a projected chart, in px of a 1280x720 screen (a 1920x1080 one shows it 1.5 times larger, see
# ui/presentation.py): the title, the chart, its takeaway and the bottom bar fit with nothing to scroll;
# under a row of headline figures the chart has less room.
PROJECTOR_HEIGHT = 430
PROJECTOR_HEIGHT_UNDER_FIGURES = 300


def download_button(
    label: str, data: DownloadData, *, file_name: str, mime: str, key: str, container: DeltaGenerator | None = None, **options
) -> None:
    """A download button in ``container`` (the main area by default): every download of the app is drawn here.

    The file's name says what it holds: the filters' scope and the data version before its extension
    (ui/filters.py::scoped_file_name). A click only downloads; it does not rerun the app (``on_click="ignore"``). A download whose ``data`` is a
    callable is made when clicked (Streamlit's deferred download): the button holds the id of that callable, which
    every run of the script replaces with a new one (Streamlit's ``MediaFileManager.add_deferred``), dropping the
    old one when the run ends. A click that reruns the app thus dropped the id that a quick second click still
    held, and the second click delivered nothing (``MediaFileStorageError: Deferred file ... not found``).
    Without the rerun the id lasts as long as the page does, and every click makes the file anew.
    """
    (st if container is None else container).download_button(
        label, data=data, file_name=scoped_file_name(file_name), mime=mime, key=key, on_click="ignore", **options
    )


FILTER_COLUMNS = ("filter_year_from", "filter_year_to", "filter_regions", "filter_sectors")


def with_filter_columns(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """``frame`` with the sidebar's filters as its last columns, the same in every row (FILTER_COLUMNS: the first and
    last year, the region and sector codes joined by ";"; empty means all), so that two downloads of one chart for
    two regions can be told apart once saved, and the file stays one plain table."""
    return frame.assign(
        filter_year_from=pd.Series(filters.year_from, index=frame.index, dtype="Int64"),
        filter_year_to=pd.Series(filters.year_to, index=frame.index, dtype="Int64"),
        filter_regions=";".join(filters.regions),
        filter_sectors=";".join(filters.sectors),
    )


def download_csv(frame: pd.DataFrame, file_name: str, *, label: str | None = None, with_filters: bool = False) -> None:
    """A download of exactly ``frame``, written by the contract's CSV rules, its headers in the current language;
    ``with_filters`` (a chart's or a table's data): with the sidebar's filters as columns (``with_filter_columns``)."""
    if with_filters:
        frame = with_filter_columns(frame, active_filters())
    headed = frame.rename(columns=column_labels(current_language(), frame.columns))
    # Written when clicked, not on every run: a page has several downloads, some of thousands of rows.
    download_button(
        label or t("common.download_csv"),
        lambda: csv_bytes(headed),
        file_name=file_name,
        mime="text/csv",
        key=f"download_{file_name}",
        icon=":material/download:",
    )


def takeaway(text: str | None) -> None:
    """The plain-language finding under a chart (plain words; names in it show as typed); nothing when the
    chart has no finding to state."""
    if text:
        st.markdown(md("common.takeaway", text=text))


# The step that fixes a number format's decimals: Streamlit shows a count ("localized") with up to three decimals
# ("488.857" of a weighted count) and a percentage with up to two, dropping trailing zeros ("55%" beside
# "57.9%"), unless the column has a step. Counts are whole, percentages have one decimal, in every row alike.
FIXED_STEP = {"localized": 1, "percent": 0.001}


def fixed_decimals(column_config: Mapping | None) -> Mapping | None:
    """``column_config`` with a step (FIXED_STEP) on every count and percent column that has none."""
    if not column_config:
        return column_config
    adjusted = dict(column_config)
    for column, config in column_config.items():
        type_config = config.get("type_config", {}) if isinstance(config, Mapping) else {}
        step = FIXED_STEP.get(type_config.get("format"))
        if type_config.get("type") == "number" and step and not type_config.get("step"):
            adjusted[column] = {**config, "type_config": {**type_config, "step": step}}
    return adjusted


def number_columns(formats: Mapping[str, str], helps: Mapping[str, str] | None = None) -> dict:
    """Column settings for number columns by format ("localized", "percent", "%,.0f", "%.2f"), headed in the current
    language; counts whole and percentages with one decimal in every row (``fixed_decimals``)."""
    helps = helps or {}
    return dict(
        fixed_decimals(
            {
                column: st.column_config.NumberColumn(label(column), format=fmt, help=helps.get(column))
                for column, fmt in formats.items()
            }
        )
        or {}
    )


def protection_note(result: ViewResult) -> None:
    """Say how small-number protection changed the numbers (rounded, hidden), whenever it is on."""
    if result.threshold and not presentation_on():  # the projector's bottom bar says it once
        st.caption(
            t(
                "common.protection_note",
                threshold=result.threshold,
                largest=result.threshold - 1,
                base=RATE_BASE_FACTOR * result.threshold,
                cells=result.hidden_cells,
            )
        )


def _headed(table: pd.DataFrame, column_config: Mapping | None) -> dict:
    """Every column headed in the current language unless the page set its own settings."""
    config = {column: label(column) for column in table.columns}
    config.update(column_config or {})
    return config


def _rounded_to_step(table: pd.DataFrame, column_config: Mapping | None) -> pd.DataFrame:
    """Round every number column to the digits it shows. Streamlit's NumberColumn cuts a value to
    the decimals of its ``step`` instead of rounding it (0.7767 as a percent with step 0.001 reads
    77.6 % beside a chart saying 77.7 %); a percentage without a step shows 0.1 %. Downloads keep
    full values."""
    if not column_config:
        return table
    rounded = table
    for column, config in column_config.items():
        type_config = config.get("type_config", {}) if isinstance(config, Mapping) else {}
        step = type_config.get("step") or (0.001 if type_config.get("format") == "percent" else None)
        if step and column in table.columns and pd.api.types.is_float_dtype(table[column]):
            rounded = rounded.assign(**{column: table[column].round(max(0, -math.floor(math.log10(step))))})
    return rounded


def _whole_percent_when_protected(result: ViewResult, column_config: Mapping | None) -> Mapping | None:
    """Under small-number protection rates are published to a whole percent: a percent column shows no
    decimal (its step 0.01), rather than "83.0 %" claiming a precision the number no longer has."""
    if not column_config or not result.threshold:
        return column_config
    adjusted = dict(column_config)
    for column, config in column_config.items():
        type_config = config.get("type_config", {}) if isinstance(config, Mapping) else {}
        if type_config.get("format") == "percent":
            adjusted[column] = {**config, "type_config": {**type_config, "step": 0.01}}
    return adjusted


def _text_where_hidden(result: ViewResult, column_config: Mapping | None) -> Mapping | None:
    """A count column holding "<5" is text on screen: show it as text, not as a broken number."""
    if not column_config or not result.hidden_cells:
        return column_config
    adjusted = dict(column_config)
    for column, config in column_config.items():
        is_number = isinstance(config, Mapping) and config.get("type_config", {}).get("type") == "number"
        if is_number and column in result.table.columns and result.table[column].dtype == object:
            adjusted[column] = st.column_config.TextColumn(config.get("label"), help=config.get("help"))
    return adjusted


# Plotly's tool bar is a row of buttons, each a stop of the keyboard's Tab: on a page only its PNG download
# (and Streamlit's full screen) stay, zooming and panning being what a mouse does on the chart itself; the
# projector shows none.
MODE_BAR_REMOVED = ["zoom2d", "pan2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d", "select2d", "lasso2d"]
TABLE_ROWS_UNDER_A_CHART = 50  # rows of a chart's data table on the page; its download holds every row


def chart_config(*, presenting: bool | None = None) -> dict:
    """Plotly's configuration of every chart of the app (see MODE_BAR_REMOVED)."""
    if presentation_on() if presenting is None else presenting:
        return {"displayModeBar": False, "displaylogo": False}
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": MODE_BAR_REMOVED,
        "toImageButtonOptions": {"format": "png", "scale": 2},
    }


def chart_name(figure: go.Figure, takeaway_text: str | None = None) -> str:
    """The chart's accessible name for screen readers: its title as plain words, then its takeaway."""
    title = re.sub(r"<br\s*/?>", " ", str(figure.layout.title.text or ""))
    title = html.unescape(re.sub(r"<[^>]+>", "", title)).strip()
    words = [title] if title else [t("common.chart")]
    if takeaway_text:
        words.append(markdown_text(takeaway_text))
    return ". ".join(word.rstrip(".") for word in words) + "."


def plotly_chart(figure: go.Figure, *, takeaway_text: str | None = None, **options):
    """``st.plotly_chart`` with the app's configuration and the chart's accessible name (chart_name)."""
    return st.plotly_chart(figure, config=chart_config(), alt=chart_name(figure, takeaway_text), **options)


def data_table_under_chart(frame: pd.DataFrame, key: str) -> None:
    """A switch that shows the data behind a chart as a plain table: what a screen reader reads instead of
    the chart (Streamlit's own data grid is drawn on a canvas). The table is drawn only when asked for: a
    page of charts with every table in it took twice as long to draw."""
    if not st.toggle(t("common.chart_table"), key=key):
        return
    headed = frame.rename(columns=column_labels(current_language(), frame.columns))
    if len(headed) > TABLE_ROWS_UNDER_A_CHART:
        st.caption(t("common.first_rows", shown=f"{TABLE_ROWS_UNDER_A_CHART:,}", rows=f"{len(headed):,}"))
    # thousands separated and two decimals, as the charts' labels; "–" where a value is missing or hidden
    st.table(headed.head(TABLE_ROWS_UNDER_A_CHART).style.format(precision=2, thousands=",", na_rep="–"))


def chart_with_data(
    figure: go.Figure,
    result: ViewResult,
    file_name: str,
    *,
    key: str | None = None,
    on_select=None,
    projector_height: int = PROJECTOR_HEIGHT,
    takeaway_text: str | None = None,
):
    """A chart and, under it, the data behind it (protected like the chart): a switch to show it as a table,
    and its download; on the
    projector ``projector_height`` px tall (see for_projector). The chart is named by its title and
    ``takeaway_text`` for screen readers.

    With ``on_select``, returns Streamlit's selection event of the chart.
    """
    options = {"on_select": on_select, "selection_mode": ("points",), "key": key} if on_select else {}
    presenting = presentation_on()
    event = plotly_chart(
        for_projector(figure, projector_height) if presenting else figure,
        takeaway_text=takeaway_text,
        height="stretch" if presenting else "content",  # the projector's chart takes the room the window has
        **options,
    )
    protection_note(result)
    if not presenting:  # a meeting screen shows the finding, not file buttons
        data_table_under_chart(result.display, key=f"table_{file_name}")
        download_csv(result.display, file_name, with_filters=True)
    return event


TABLE_ROWS = 1_000  # rows a table sends to the browser; its download holds every row


def for_projector(figure: go.Figure, height: int = PROJECTOR_HEIGHT) -> go.Figure:
    """A copy of ``figure`` with text large enough to read from the back of a meeting room (value labels
    too), the legend on a line of its own under the title, and ``height`` px tall."""
    projected = go.Figure(figure)
    projected.update_layout(
        font=dict(size=PROJECTOR_FONT),
        title_font_size=PROJECTOR_FONT + 4,
        legend_font_size=PROJECTOR_FONT,
        hoverlabel_font_size=PROJECTOR_FONT,
        height=height,
        # Plotly anchors a title of several lines by its first: the lines after it need room of their own.
        title=dict(
            y=1, yref="container", yanchor="top", pad=dict(t=6 + 24 * str(projected.layout.title.text or "").count("<br>"))
        ),
        legend=dict(orientation="h", x=0, xanchor="left", y=1, yanchor="bottom"),
        margin=dict(t=_room_above(projected)),
    )
    for trace in projected.data:
        if getattr(trace, "texttemplate", None) or getattr(trace, "text", None) is not None:
            trace.update(textfont_size=max(trace.textfont.size or 0, PROJECTOR_FONT - 2))
            if trace.type == "bar":
                trace.update(constraintext="none")  # Plotly would shrink the labels to the bar's thickness
    for annotation in projected.layout.annotations:
        annotation.update(font_size=max(annotation.font.size or 0, PROJECTOR_FONT - 2))
    projected.update_xaxes(title_font_size=PROJECTOR_FONT, tickfont_size=PROJECTOR_FONT - 2)
    projected.update_yaxes(title_font_size=PROJECTOR_FONT, tickfont_size=PROJECTOR_FONT - 2)
    return projected


def _room_above(figure: go.Figure) -> int:
    """Px above the plot of a projected chart for its title (a second line when it has one) and its legend (a
    row per about 700 px of entries at the projector's size)."""
    title = str(figure.layout.title.text or "")
    entries = [
        str(trace.name or "")
        for trace in figure.data
        if trace.showlegend is not False and trace.name and (figure.layout.showlegend is not False)
    ]
    # Plotly wraps the legend at the figure's right edge from the plot's left one: about 700 px at 1280x720.
    width = sum(sum(1.0 if ord(c) > 0x2E80 else 0.6 for c in name) * PROJECTOR_FONT + 60 for name in entries)
    rows = math.ceil(width / 700) if entries else 0
    return 44 + 50 * title.count("<br>") + 34 * rows


def table_with_data(
    result: ViewResult,
    file_name: str,
    *,
    column_config: Mapping | None = None,
    key: str | None = None,
    on_select=None,
    height: int | str = "auto",
):
    """A sortable table of the view and its download. With ``on_select``, returns the row selection event."""
    options = {"on_select": on_select, "selection_mode": "single-row", "key": key} if on_select else {}
    column_config = _whole_percent_when_protected(result, fixed_decimals(_headed(result.table, column_config)))
    if len(result.table) > TABLE_ROWS:
        st.caption(t("common.first_rows", shown=f"{TABLE_ROWS:,}", rows=f"{len(result.table):,}"))
    event = st.dataframe(
        _rounded_to_step(result.table.head(TABLE_ROWS), column_config),
        hide_index=True,
        placeholder="–",
        column_config=_text_where_hidden(result, column_config),
        height=height,
        **options,
    )
    protection_note(result)
    download_csv(result.display, file_name, with_filters=True)
    return event


def show_statement(statement, *, notes_first: bool = True, **chart_options):
    """A statement (ui/statements.py) as a page draws it: its notes, its chart with the download of the rows
    behind it, and its takeaway; the notes under the chart when ``notes_first`` is False. Returns the chart's
    selection event when ``chart_options`` ask for one."""
    if notes_first and not presentation_on():
        for note in statement.notes:
            st.caption(markdown_text(note))
    event = None
    if statement.figure is not None and statement.rows is not None:
        event = chart_with_data(
            statement.figure, statement.rows, statement.file_name, takeaway_text=statement.takeaway, **chart_options
        )
    if statement.takeaway:
        takeaway(statement.takeaway)
    if not notes_first and not presentation_on():
        for note in statement.notes:
            st.caption(markdown_text(note))
    return event
