"""Render helpers of the Data page (the page itself only composes them)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pandas as pd
import streamlit as st

from data_access import budget, templates
from data_access.contract import LOAD_ORDER
from data_access.settings import get_settings
from data_access.store import first_line
from ui import uploads
from ui.components import download_button, download_csv
from ui.context import calendar, calendar_detail
from ui.i18n import current_language, md, t

CHECKED, DONE, ROUND = "data_checked", "data_done", "data_upload_round"  # session state keys
COUNTS = ("added", "updated", "removed", "restored")
TYPE_NAMES = {"geojson": "GeoJSON"}  # how a file type is written in a caption (others in capitals)

# Streamlit's file uploader writes its own instructions in English ("200MB per file • CSV, XLSX" and, while
# a file is dragged over it, "Drag and drop files here") and has no setting for them (Streamlit 1.67): they are
# hidden here, by the data-testids Streamlit gives the uploader, and ``file_uploader`` says the same in the
# interface language. The drag notice is the only child of the one plain <div> Streamlit adds to the drop
# zone while a file is dragged over it. Its "Upload" button has no setting either: its text is swapped the same way.
UPLOADER_STYLE = """
<style>
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
[data-testid="stFileUploaderDropzone"] > div:not([data-testid]) > span:only-child {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] > div:not([data-testid]) > span:only-child::after {{
  content: "{drop_here}"; font-size: 0.875rem;
}}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: "{upload}"; font-size: 0.875rem;
}}
</style>
"""


def uploader_style() -> None:
    """Hide Streamlit's English uploader instructions on this page (once per run, before the uploaders)."""
    quoted = {key: t(f"data.{key}").replace("\\", "\\\\").replace('"', '\\"') for key in ("drop_here", "upload")}
    st.html(UPLOADER_STYLE.format(**quoted))


def file_uploader(label: str, types: list[str], *, key: str, multiple: bool = True, container=None):
    """A file uploader for several files of ``types`` (one with ``multiple`` False) in ``container`` (the main area
    by default), with what it accepts said under it in the interface language (the largest size is the server's
    ``server.maxUploadSize``); the page calls ``uploader_style`` once to hide Streamlit's English texts."""
    where = st if container is None else container
    files = where.file_uploader(label, type=types, accept_multiple_files=multiple, key=key)
    where.caption(
        t(
            "data.upload_limits",
            types=t("filters.list_separator").join(TYPE_NAMES.get(kind, kind.upper()) for kind in types),
            size=st.get_option("server.maxUploadSize"),
        )
    )
    return files


def render_templates() -> None:
    """An empty CSV of every contract table (its header and an example row) and a zip of all of them."""
    st.subheader(t("templates.heading"))
    st.caption(t("templates.intro"))
    language = current_language()
    download_button(
        t("templates.zip"),
        templates.templates_zip(language),
        file_name=templates.ZIP_NAME,
        mime="application/zip",
        icon=":material/folder_zip:",
        key="template_zip",
    )
    for table in LOAD_ORDER:
        button, words = st.columns([1, 3], vertical_alignment="center")
        download_button(
            templates.file_name(table),
            templates.template_csv(table, language),
            container=button,
            file_name=templates.file_name(table),
            mime="text/csv",
            icon=":material/download:",
            key=f"template_{table}",
            width="stretch",
        )
        words.caption(t(f"templates.table_{table}"))


def _heading(column: str) -> str:
    return t(f"data_column.{column}")


def problem_columns() -> dict:
    """Settings of the problems table, headed in the current language."""
    return {
        "file": _heading("file"),
        "line": st.column_config.NumberColumn(_heading("line"), format="%d"),
        "column": _heading("column"),
        "problem": st.column_config.TextColumn(_heading("problem"), width=900),
    }


def history_columns() -> dict:
    """Settings of the load history table, headed in the current language."""
    return {
        "version": st.column_config.NumberColumn(_heading("version"), format="%d"),
        "when": st.column_config.TextColumn(_heading("when"), help=t("data_column.when_help")),
        "who": _heading("who"),
        "change": _heading("change"),
        "files": _heading("files"),
        "undone_by": st.column_config.NumberColumn(_heading("undone_by"), format="%d", help=t("data_column.undone_by_help")),
        **{c: st.column_config.NumberColumn(_heading(c), format="localized", help=t(f"data_column.{c}_help")) for c in COUNTS},
    }


def count_columns() -> dict:
    """Settings of the rows-per-table tables (a check's rows ready, a load's or undo's changes)."""
    return {
        "table": _heading("table"),
        "rows": st.column_config.NumberColumn(_heading("rows"), format="localized"),
        **{c: st.column_config.NumberColumn(_heading(c), format="localized") for c in COUNTS},
    }


def show_check(result) -> None:
    """The outcome of a check: rows per table, or every problem as a downloadable table."""
    if result.ok:
        rows = uploads.rows_to_load(result)
        st.success(
            t("data.no_problems_one" if rows == 1 else "data.no_problems_many", rows=f"{rows:,}"), icon=":material/check_circle:"
        )
        st.dataframe(uploads.rows_per_table(result), width="content", hide_index=True, column_config=count_columns())
    else:
        st.error(t("data.problems", count=f"{result.problem_count:,}"), icon=":material/error:")
        problems = uploads.problems_frame(result.problems)
        st.dataframe(problems, hide_index=True, column_config=problem_columns())
        if result.unlisted_problems:
            st.caption(t("data.more_problems", count=f"{result.unlisted_problems:,}"))
        download_csv(problems.rename(columns=_heading), "problems.csv", label=t("data.download_problems"))
        with st.expander(t("data.cli_list")):
            st.code("\n".join(result.report_lines()), language=None, wrap_lines=True)
    for warning in result.warnings:
        st.warning(md("data.warning", warning=warning))


def preview_of(file_id: str, choice: str, upload: uploads.UploadedTable):
    """The preview of one uploaded file (``uploads.preview_frame``); never raises: an error nobody
    foresaw becomes the reason shown instead of the preview."""
    try:
        return _preview(file_id, choice, upload)
    except Exception as error:
        return None, unexpected(error)


@st.cache_data(max_entries=32, show_spinner=False)
def _preview(file_id: str, choice: str, _upload: uploads.UploadedTable):
    """The preview, made once per upload and table choice."""
    return uploads.preview_frame(_upload)


@contextmanager
def last_resort() -> Iterator[None]:
    """Around reading, checking or loading uploads: an error nobody foresaw (a bug of ours, the server
    out of memory) is shown as one line and the page goes on; never a traceback. Streamlit's own
    reruns and stops are not errors and pass through."""
    try:
        yield
    except Exception as error:
        st.error(unexpected(error, code=True), icon=":material/error:")


Checked = TypeVar("Checked")


def within_budget(editor: str | None, check: Callable[[], Checked]) -> Checked | None:
    """``check()`` (of uploaded files or of a recipe) as it is for an editor; for anyone else as this
    process's one check without a sign-in, within ANONYMOUS_CHECK_SECONDS (data_access/budget.py). When
    another such check is running, or this one runs over, the page says so and there is no result (None)."""
    if editor:
        return check()
    seconds = get_settings().anonymous_check_seconds
    try:
        with budget.anonymous_check(seconds):
            return check()
    except budget.CheckBusy:
        st.warning(t("data.check_busy"), icon=":material/hourglass_top:")
    except budget.OverBudget:
        st.warning(t("data.check_over_budget", seconds=f"{seconds:g}"), icon=":material/timer_off:")
    return None


def unexpected(error: BaseException, *, code: bool = False) -> str:
    """The one line shown for an unforeseen error: its kind and the first line of its text
    (with ``code``, as inline code, so that nothing in it is read as Markdown)."""
    kind, detail = type(error).__name__, first_line(error)
    said = kind if detail == kind else f"{kind}: {detail}"
    return t("data.unexpected", error="`" + said.replace("`", "'") + "`" if code else said)


def finish(message: str, counts: dict) -> None:
    """Remember what a load or undo did, start over with an empty upload, and rerun so every view reads the new data."""
    st.session_state[DONE] = (message, uploads.change_counts_frame(counts))
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    st.session_state.pop(CHECKED, None)
    st.rerun()


def render_calendar() -> None:
    """What the data covers: the years each table has rows for (and regions whose years differ); a year
    outside them is missing for that table, not zero."""
    st.subheader(t("data.calendar_heading"))
    st.caption(t("data.calendar_intro"))
    detail = calendar_detail()
    rows = []
    for table, covered in detail.items():
        differing = "; ".join(
            f"{region}: {years_in_words(years) or t('data.calendar_none')}"
            for region, years in list(covered["regions_differing"].items())[:8]
        )
        more = len(covered["regions_differing"]) - 8
        if more > 0:
            differing += "; " + t("data.calendar_more_regions", count=more)
        rows.append(
            {
                "table": f"{table}.csv",
                "years": years_in_words(covered["years"]) or t("data.calendar_none"),
                "regions_differing": differing,
            }
        )
    both = calendar()["comparable"]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        placeholder="–",
        column_config={
            "table": _heading("table"),
            "years": t("data.calendar_years"),
            "regions_differing": t("data.calendar_regions"),
        },
    )
    st.caption(t("data.calendar_both", years=years_in_words(both) or t("data.calendar_none")))


def years_in_words(years: list[int]) -> str:
    """Years as runs ("2018–2021, 2023")."""
    runs: list[str] = []
    for year in sorted(years):
        if runs and runs[-1].split("–")[-1] == str(year - 1):
            runs[-1] = f"{runs[-1].split('–')[0]}–{year}"
        else:
            runs.append(str(year))
    return ", ".join(runs)
