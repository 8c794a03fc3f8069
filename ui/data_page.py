"""Render helpers of the Data page (the page itself only composes them)."""

import streamlit as st

from ui import uploads
from ui.components import download_csv

CHECKED, DONE, ROUND = "data_checked", "data_done", "data_upload_round"  # session state keys
PROBLEM_COLUMNS = {"line": st.column_config.NumberColumn(format="%d"), "problem": st.column_config.TextColumn(width=900)}
HISTORY_COLUMNS = {"version": st.column_config.NumberColumn(format="%d"), "when": st.column_config.TextColumn(help="local time"),
                   "undone_by": st.column_config.NumberColumn("undone by", format="%d", help="the undo that took this load back"),
                   **{c: st.column_config.NumberColumn(format="localized", help=f"rows {c}, over all tables")
                      for c in ("added", "updated", "removed", "restored")}}


def show_check(result) -> None:
    """The outcome of a check: rows per table, or every problem as a downloadable table."""
    if result.ok:
        st.success(f"No problems: {uploads.row_count_words(uploads.rows_to_load(result))} ready to load.", icon=":material/check_circle:")
        st.dataframe(uploads.rows_per_table(result), width="content", hide_index=True)
    else:
        st.error(f"{result.problem_count:,} problem(s); nothing can be loaded until every file is fixed.", icon=":material/error:")
        problems = uploads.problems_frame(result.problems)
        st.dataframe(problems, hide_index=True, column_config=PROBLEM_COLUMNS)
        if result.unlisted_problems:
            st.caption(f"… and {result.unlisted_problems:,} more problems not listed.")
        download_csv(problems, "problems.csv", label="Download the problems (CSV)")
        with st.expander("The same list as the command line prints it"):
            st.code("\n".join(result.report_lines()), language=None, wrap_lines=True)
    for warning in result.warnings:
        st.warning(f"{warning} (this does not stop the load)")


@st.cache_data(max_entries=32, show_spinner=False)
def preview_of(file_id: str, choice: str, _upload: uploads.UploadedTable):
    """The preview of one uploaded file, made once per upload and table choice (a large workbook is slow to read)."""
    return uploads.preview_frame(_upload)


def finish(message: str, counts: dict) -> None:
    """Remember what a load or undo did, start over with an empty upload, and rerun so every view reads the new data."""
    st.session_state[DONE] = (message, uploads.change_counts_frame(counts))
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    st.session_state.pop(CHECKED, None)
    st.rerun()
