"""Published statistics on the Data page: run an import recipe on uploaded files and see its mapping
report before loading; what the imports in force did (rounding, suppressed cells, names matched through
aliases); and what estimated openings rest on, the sectors' replacement rates and the years employment is
smoothed over, which an editor changes as an undoable change of the data."""

from __future__ import annotations

import csv
import hashlib
import io
import math

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from data_access import caveats, queries, stored_settings
from data_access.loading import load_sources, save_setting
from data_access.recipes import import_recipe, report_lines, run_recipe, stored_names_of, upload_opener
from data_access.settings import get_settings
from data_access.summaries import DEFAULT_REPLACEMENT_RATE
from data_access.validation import Source

from .context import data_version
from .data_page import file_uploader, finish, last_resort, show_check, within_budget
from .i18n import current_language, label, md, t
from .markup import markdown_text

RUN_KEY = "recipe_run"  # session state: (fingerprint, run, checked validation)
RATES_FILE = "sectors.csv (edited on the Data page)"


def render_recipe_import(engine, editor: str | None, round_number: int) -> None:
    """Upload a recipe with the published files it names, see what it does, then load it."""
    st.subheader(t("published.heading"))
    st.caption(t("published.intro"))
    files = file_uploader(t("published.uploader"), ["toml", "csv", "xlsx", "geojson", "json"], key=f"recipe_files_{round_number}")
    if not files:
        return
    recipes = [f for f in files if f.name.lower().endswith(".toml")]
    if len(recipes) != 1:
        st.warning(t("published.one_recipe", count=len(recipes)), icon=":material/warning:")
        return
    recipe = recipes[0]
    data = {f.name: f.getvalue() for f in files if f is not recipe}
    replace = st.checkbox(t("data.replace"), help=t("data.replace_help"), key="recipe_replace")
    fingerprint = _fingerprint(recipe.getvalue(), data, replace, data_version())
    if st.button(t("published.run"), icon=":material/play_arrow:"):
        with last_resort():

            def run_and_check():
                run = run_recipe(recipe.getvalue(), recipe.name, upload_opener(data), stored_names_of(engine))
                checked = import_recipe(engine, run, replace=replace, check=True, max_problems=get_settings().max_problems)
                return run, checked.validation

            ran = within_budget(editor, run_and_check)
            if ran is not None:
                st.session_state[RUN_KEY] = (fingerprint, *ran)
    stored = st.session_state.get(RUN_KEY)
    if not stored or stored[0] != fingerprint:
        return
    _, run, validation = stored
    show_report(run.report)
    show_check(validation)
    if not validation.ok:
        return
    if not editor:
        st.info(t("data.sign_in_to_load"), icon=":material/lock:")
        return
    if st.button(t("published.load", title=run.title), type="primary", icon=":material/upload:"):
        with last_resort():
            outcome = import_recipe(engine, run, replace=replace, loaded_by=editor, max_problems=get_settings().max_problems)
            st.session_state.pop(RUN_KEY, None)
            if outcome.ok:
                finish(t("data.loaded", version=outcome.data_version), outcome.counts)
            show_check(outcome.validation)


def show_report(report: dict) -> None:
    """The mapping report of a recipe run, one line each, in the interface language."""
    lines = report_lines(report)
    if not lines:
        return
    with st.container(border=True):
        st.markdown(md("published.report_heading", title=report.get("title", "")))
        language = current_language()
        st.markdown("\n".join(f"- {markdown_text(line.text(language))}" for line in lines))


def _fingerprint(recipe: bytes, files: dict[str, bytes], replace: bool, version: int) -> str:
    digest = hashlib.sha256(recipe + (b"replace" if replace else b"upsert") + str(version).encode())
    for name in sorted(files):
        digest.update(name.encode("utf-8") + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


@st.cache_data(show_spinner=False, max_entries=4)
def _imports(version: int, _engine) -> list[dict]:
    with Session(_engine) as session:
        return caveats.imports(session)


def render_imports(engine) -> None:
    """What every import in force did: its report, so that rounding and suppressed cells are in view."""
    records = _imports(data_version(), engine)
    if not records:
        return
    st.subheader(t("published.in_force_heading"))
    for record in records:
        with st.expander(md("published.in_force", title=record["title"], version=record["load_id"]), expanded=True):
            language = current_language()
            st.markdown("\n".join(f"- {markdown_text(line.text(language))}" for line in report_lines(record["report"])))


@st.cache_data(show_spinner=False, max_entries=4)
def _rates(version: int, _engine) -> pd.DataFrame:
    with Session(_engine) as session:
        return queries.replacement_rates(session)


def render_replacement_rates(engine, editor: str | None) -> None:
    """The replacement rate of each sector (stated or the default), editable by an editor."""
    rates = _rates(data_version(), engine)
    if rates.empty:
        return
    st.subheader(t("published.rates_heading"))
    st.caption(t("published.rates_intro", rate=f"{100 * DEFAULT_REPLACEMENT_RATE:g}%", source=t("caveats.rate_source")))
    config = {
        "replacement_rate": st.column_config.NumberColumn(
            t("published.rate_stated"), min_value=0.0, max_value=1.0, step=0.005, format="percent"
        ),
        "rate_used": st.column_config.NumberColumn(t("published.rate_used"), format="percent", step=0.001),
    }
    _sector_figures(engine, editor, rates, "replacement_rate", ["rate_used"], config, "rates")


def render_expected_shares(engine, editor: str | None) -> None:
    """The share of each sector's openings its vocational graduates are expected to fill (empty: all of
    them), against which shortage and surplus are graded; editable by an editor like the replacement rates."""
    sectors = _rates(data_version(), engine)
    if sectors.empty:
        return
    st.subheader(t("published.shares_heading"))
    st.caption(t("published.shares_intro"))
    config = {
        "expected_share": st.column_config.NumberColumn(
            t("published.share_stated"), min_value=0.01, max_value=1.0, step=0.05, format="percent"
        )
    }
    _sector_figures(engine, editor, sectors, "expected_share", [], config, "shares")


def _sector_figures(
    engine, editor: str | None, sectors: pd.DataFrame, column: str, beside: list[str], config: dict, texts: str
) -> None:
    """A figure each sector states (``column`` of sectors.csv) in a table, editable by an editor: the changed
    sectors are saved as a sectors.csv load, recorded in the history and undoable; ``texts`` names the
    messages (published.<texts>_changed, _save, _saved)."""
    shown = sectors[["sector_code", "sector_name", column, *beside]]
    config = {"sector_code": label("sector_code"), "sector_name": label("sector_name"), **config}
    if not editor:
        st.dataframe(shown, hide_index=True, column_config=config, placeholder="–")
        return
    edited = st.data_editor(
        shown,
        hide_index=True,
        column_config=config,
        disabled=["sector_code", "sector_name", *beside],
        key=f"{texts}_editor_{data_version()}",
        placeholder="–",  # an empty cell, never the word "None"
    )
    changed = [
        code
        for code, value, before in zip(edited["sector_code"], edited[column], sectors[column])
        if not (_blank(value) and _blank(before)) and value != before
    ]
    if not changed:
        return
    st.caption(t(f"published.{texts}_changed", count=len(changed)))
    if st.button(t(f"published.{texts}_save"), type="primary", icon=":material/save:"):
        rows = sectors.set_index("sector_code")
        rows.loc[changed, column] = edited.set_index("sector_code").loc[changed, column]
        with last_resort():
            source = sectors_source(rows.loc[changed].reset_index())
            outcome = load_sources(engine, [source], loaded_by=editor, max_problems=get_settings().max_problems)
            if outcome.ok:
                finish(t(f"published.{texts}_saved", version=outcome.data_version), outcome.counts)
            show_check(outcome.validation)


def sectors_source(sectors: pd.DataFrame) -> Source:
    """Sectors as a sectors.csv load with every figure a sector states (a load replaces a whole row, so a
    figure not edited is written as stored; an empty one: back to the default)."""
    columns = ["sector_code", "sector_name", "replacement_rate", "expected_share"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in sectors[columns].itertuples(index=False):
        writer.writerow([row[0], row[1], *("" if _blank(v) else repr(float(v)) for v in row[2:])])
    return Source(RATES_FILE, buffer.getvalue().encode("utf-8"), table_hint="sectors")


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@st.cache_data(show_spinner=False, max_entries=4)
def _smoothing(version: int, _engine) -> int:
    with Session(_engine) as session:
        return stored_settings.employment_smoothing(session)


def smoothing_label(years: int) -> str:
    """A choice of employment smoothing in words: "1 year (off)", "2 years", ..."""
    return t("published.smoothing_off") if years == 1 else t("published.smoothing_years", years=years)


def render_employment_smoothing(engine, editor: str | None) -> None:
    """The years employment is averaged over before its change is taken (1 = off), changeable by an editor
    as an undoable change of the data; shown next to the replacement rates, as the other choice estimated
    openings rest on."""
    if _rates(data_version(), engine).empty:
        return
    current = _smoothing(data_version(), engine)
    st.subheader(t("published.smoothing_heading"))
    st.caption(t("published.smoothing_intro"))
    if not editor:
        st.caption(t("published.smoothing_current", choice=smoothing_label(current)))
        return
    chosen = st.segmented_control(
        t("published.smoothing_label"),
        stored_settings.SMOOTHING_YEARS,
        default=current,
        format_func=smoothing_label,
        required=True,
        key=f"smoothing_{data_version()}",
    )
    if chosen is None or chosen == current:
        return
    st.caption(t("published.smoothing_changed", before=smoothing_label(current), after=smoothing_label(chosen)))
    if st.button(t("published.smoothing_save"), type="primary", icon=":material/save:"):
        with last_resort():
            outcome = save_setting(engine, stored_settings.EMPLOYMENT_SMOOTHING, int(chosen), loaded_by=editor)
            if outcome.ok:
                finish(t("published.smoothing_saved", version=outcome.data_version), outcome.counts)
            elif outcome.nothing_to_load:  # another editor chose the same meanwhile
                st.info(t("published.smoothing_current", choice=smoothing_label(int(chosen))))
            else:
                show_check(outcome.validation)
