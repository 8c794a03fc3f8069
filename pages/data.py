"""Data: check CSV or Excel files in the browser and, as an editor, load them all-or-nothing or undo a load."""

import streamlit as st

from data_access.loading import load_history, load_sources, undo_load, undoable_versions, validate_for_load
from data_access.settings import get_settings
from ui import uploads
from ui.auth import editor_name, render_sign_in_note
from ui.context import dashboard_engine
from ui.crosswalk import render_crosswalk
from ui.data_page import (
    CHECKED,
    DONE,
    ROUND,
    count_columns,
    file_uploader,
    finish,
    history_columns,
    last_resort,
    preview_of,
    render_calendar,
    render_templates,
    show_check,
    uploader_style,
    within_budget,
)
from ui.filters import active_filters
from ui.i18n import md, t
from ui.published import (
    render_employment_smoothing,
    render_expected_shares,
    render_imports,
    render_recipe_import,
    render_replacement_rates,
)

st.title(t("nav.data"))
st.caption(t("data.intro"))
uploader_style()
render_sign_in_note()
editor, engine = editor_name(), dashboard_engine()
if DONE in st.session_state:
    message, counts = st.session_state.pop(DONE)
    st.success(message, icon=":material/check_circle:")
    st.dataframe(counts, width="content", hide_index=True, placeholder="", column_config=count_columns())

st.subheader(t("data.check_heading"))
files = file_uploader(t("data.uploader"), ["csv", "xlsx"], key=f"data_files_{st.session_state.get(ROUND, 0)}")
st.caption(t("data.upload_help"))
chosen = []
for file in files or []:
    name_column, table_column = st.columns([2, 1], vertical_alignment="bottom")
    name_column.markdown(md("data.file", name=file.name, size=f"{file.size / 1024:,.1f}"))
    choice = table_column.selectbox(
        t("data.table"),
        uploads.TABLE_CHOICES,
        key=f"table_{file.file_id}",
        format_func={c: uploads.describe_choice(c, file.name) for c in uploads.TABLE_CHOICES}.get,
    )
    chosen.append(uploads.UploadedTable(file.name, file.getvalue(), choice))
    with st.expander(md("data.preview", name=file.name, rows=uploads.PREVIEW_ROWS)):
        preview, why = preview_of(file.file_id, choice, chosen[-1])
        if preview is None:
            st.caption(md("data.no_preview", why=why))
        else:
            st.dataframe(preview, hide_index=True)

if chosen:
    replace = st.checkbox(t("data.replace"), help=t("data.replace_help"))
    if replace:
        st.warning(t("data.replace_warning"), icon=":material/warning:")
    unmapped, fingerprint = uploads.unmapped_files(chosen), uploads.uploads_fingerprint(chosen, replace=replace)
    if unmapped:
        st.warning(md("data.choose_table", files=t("filters.list_separator").join(unmapped)))
    if st.button(t("data.check"), icon=":material/fact_check:", disabled=bool(unmapped)):
        with last_resort():
            result = within_budget(
                editor,
                lambda: validate_for_load(
                    engine, uploads.sources_for(chosen), replace=replace, max_problems=get_settings().max_problems
                ),
            )
            if result is not None:
                st.session_state[CHECKED] = (fingerprint, result)
    checked, result = st.session_state.get(CHECKED, (None, None))
    if checked == fingerprint:
        show_check(result)
        if result.ok and not editor:
            st.info(t("data.sign_in_to_load"), icon=":material/lock:")
        elif result.ok and st.button(uploads.load_label(result, replace=replace), type="primary", icon=":material/upload:"):
            with last_resort():
                outcome = load_sources(
                    engine,
                    uploads.sources_for(chosen),
                    replace=replace,
                    loaded_by=editor,
                    max_problems=get_settings().max_problems,
                )
                if outcome.ok:
                    finish(t("data.loaded", version=outcome.data_version), outcome.counts)
                st.session_state[CHECKED] = (fingerprint, outcome.validation)
                st.rerun()

render_templates()
render_recipe_import(engine, editor, st.session_state.get(ROUND, 0))

render_calendar()
render_imports(engine)
render_crosswalk(engine, editor, active_filters())
render_replacement_rates(engine, editor)
render_employment_smoothing(engine, editor)
render_expected_shares(engine, editor)

st.subheader(t("data.history_heading"))
history = uploads.history_frame(load_history(engine), timezone_name=st.context.timezone)
if history.empty:
    st.info(t("data.no_history"))
else:
    st.dataframe(history, hide_index=True, column_config=history_columns(), placeholder="")
undoable = undoable_versions(engine) if editor else []
if undoable:
    latest = undoable[0]
    sure = st.checkbox(t("data.undo_sure", version=latest), key=f"undo_sure_{latest}")
    if st.button(t("data.undo", version=latest), icon=":material/undo:", disabled=not sure):
        outcome = undo_load(engine, latest, undone_by=editor)
        if outcome.ok:
            finish(t("data.undone", undone=outcome.undone, version=outcome.data_version), outcome.counts)
        st.error(md("data.nothing_changed", problem=outcome.problem))
