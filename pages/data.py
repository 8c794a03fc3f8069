"""Data: check CSV or Excel files in the browser and, as an editor, load them all-or-nothing or undo a load."""

import streamlit as st

from data_access.loading import load_history, load_sources, undo_load, undoable_versions, validate_for_load
from data_access.settings import get_settings
from ui import uploads
from ui.auth import editor_name, render_sign_in
from ui.context import dashboard_engine
from ui.data_page import CHECKED, DONE, HISTORY_COLUMNS, ROUND, finish, preview_of, show_check

st.title("Data")
st.caption("Check files against the data contract (the same check as `python -m data_access validate`), load them, "
           "and see or undo every load.")
render_sign_in()
editor, engine = editor_name(), dashboard_engine()
if DONE in st.session_state:
    message, counts = st.session_state.pop(DONE)
    st.success(message, icon=":material/check_circle:")
    st.dataframe(counts, width="content", hide_index=True, placeholder="")

st.subheader("Check and load files")
files = st.file_uploader("CSV or Excel files, one table each", type=["csv", "xlsx"], accept_multiple_files=True,
                         key=f"data_files_{st.session_state.get(ROUND, 0)}")
st.caption(f"Up to {st.get_option('server.maxUploadSize')} MB per file. CSV text in {uploads.ACCEPTED_ENCODINGS}; "
           "a workbook with one sheet, or with a sheet named after its table. The file name says the table "
           "(enrolments.csv), or choose it.")
chosen = []
for file in files or []:
    name_column, table_column = st.columns([2, 1], vertical_alignment="bottom")
    name_column.markdown(f"**{file.name}** · {file.size / 1024:,.1f} KB")
    choice = table_column.selectbox("Table", uploads.TABLE_CHOICES, key=f"table_{file.file_id}",
                                    format_func=lambda c, name=file.name: uploads.describe_choice(c, name))
    chosen.append(uploads.UploadedTable(file.name, file.getvalue(), choice))
    with st.expander(f"Preview of {file.name} (first {uploads.PREVIEW_ROWS} rows)"):
        preview, why = preview_of(file.file_id, choice, chosen[-1])
        if preview is None:
            st.caption(f"No preview: {why}.")
        else:
            st.dataframe(preview, hide_index=True)

if chosen:
    replace = st.checkbox("Replace all data", help="Empty every table first, then load these files as the whole truth.")
    if replace:
        st.warning("Replace empties every table first: tables without a file here will be empty afterwards. "
                   "It can be undone from the history below.", icon=":material/warning:")
    unmapped, fingerprint = uploads.unmapped_files(chosen), uploads.uploads_fingerprint(chosen, replace=replace)
    if unmapped:
        st.warning(f"Choose the table of {', '.join(unmapped)}: the file name names no table.")
    if st.button("Check files", icon=":material/fact_check:", disabled=bool(unmapped)):
        result = validate_for_load(engine, uploads.sources_for(chosen), replace=replace, max_problems=get_settings().max_problems)
        st.session_state[CHECKED] = (fingerprint, result)
    checked, result = st.session_state.get(CHECKED, (None, None))
    if checked == fingerprint:
        show_check(result)
        if result.ok and not editor:
            st.info("Sign in as an editor (top of the page) to load these files.", icon=":material/lock:")
        elif result.ok and st.button(uploads.load_label(result, replace=replace), type="primary", icon=":material/upload:"):
            outcome = load_sources(engine, uploads.sources_for(chosen), replace=replace, loaded_by=editor,
                                   max_problems=get_settings().max_problems)
            if outcome.ok:
                finish(f"Loaded. Every page now shows data version {outcome.data_version}.", outcome.counts)
            st.session_state[CHECKED] = (fingerprint, outcome.validation)
            st.rerun()

st.subheader("Load history")
history = uploads.history_frame(load_history(engine), timezone_name=st.context.timezone)
if history.empty:
    st.info("No load yet.")
else:
    st.dataframe(history, hide_index=True, column_config=HISTORY_COLUMNS, placeholder="")
undoable = undoable_versions(engine) if editor else []
if undoable:
    latest = undoable[0]
    sure = st.checkbox(f"I want to undo version {latest}, restoring exactly the data before it", key=f"undo_sure_{latest}")
    if st.button(f"Undo the latest load (version {latest})", icon=":material/undo:", disabled=not sure):
        outcome = undo_load(engine, latest, undone_by=editor)
        if outcome.ok:
            finish(f"Undid version {outcome.undone}. Every page now shows data version {outcome.data_version}.", outcome.counts)
        st.error(f"Nothing was changed: {outcome.problem}.")
