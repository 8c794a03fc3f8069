"""The scenario editor of the Planning page: change the entrants of a program (in one region or every
region) by a percentage or to a number from a year on, see the lag until its graduates arrive, keep
the scenario in the link, download and upload it as the contract's scenario CSV, and (editors) save
it under a name, load a saved version, and compare two side by side."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import planning
from data_access.filters import Filters
from data_access.planning import Projection, ScenarioChange
from data_access.scenarios import load_scenario, save_scenario, saved_scenarios

from .charts_planning import difference_bars
from .components import download_button, plotly_chart
from .context import dashboard_engine
from .data_page import file_uploader, uploader_style
from .formatting import fmt_count
from .i18n import md, t
from .planning import (
    CURRENT_KEY,
    ROUND_KEY,
    ROWS_KEY,
    SCENARIO_KEY,
    Settings,
    encode_scenario,
    last_intake,
    per_sector,
    per_year,
    projection,
    starting_rows,
)

EVERY_REGION = ""


def _restart(changes: list[ScenarioChange]) -> None:
    """Start the editor again from ``changes`` (an upload, a saved scenario): they are also the ones in force,
    which the editor of a new round would otherwise start from instead."""
    st.session_state[ROWS_KEY] = list(changes)
    st.session_state[CURRENT_KEY] = list(changes)
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    st.rerun()


def render_editor(filters: Filters, first_year: int) -> list[ScenarioChange]:
    """The editor; returns the changes it holds now, and writes them into the link."""
    intake = last_intake(filters)
    programs = intake.drop_duplicates("program_code").set_index("program_code")["program_name"].to_dict()
    regions = sorted(set(intake["region_code"]))
    start = _rows_frame(starting_rows())
    st.caption(t("planning.editor_help", year=first_year))
    key = f"scenario_editor_{st.session_state.get(ROUND_KEY, 0)}"
    if key not in st.session_state and CURRENT_KEY in st.session_state:  # back on the page: start from what it held
        st.session_state[ROWS_KEY] = list(st.session_state[CURRENT_KEY])
        start = _rows_frame(st.session_state[ROWS_KEY])
    edited = st.data_editor(
        start,
        num_rows="dynamic",
        hide_index=True,
        placeholder="–",  # an empty cell, never the word "None"
        key=key,
        column_config={
            "program_code": st.column_config.SelectboxColumn(
                t("planning.col_program"),
                options=list(programs),
                required=True,
                format_func=lambda code: f"{programs.get(code, code)} ({code})",
            ),
            "region_code": st.column_config.SelectboxColumn(
                t("planning.col_region"),
                options=[EVERY_REGION, *regions],
                format_func=lambda code: code or t("planning.every_region"),
            ),
            "from_year": st.column_config.NumberColumn(
                t("planning.col_from_year"),
                min_value=1990,
                max_value=2100,
                step=1,
                format="%d",
                default=first_year,
                required=True,
            ),
            "how": st.column_config.SelectboxColumn(
                t("planning.col_how"),
                options=["percent", "number"],
                default="percent",
                required=True,
                format_func=lambda h: t(f"planning.how_{h}"),
            ),
            "value": st.column_config.NumberColumn(t("planning.col_value"), required=True, help=t("planning.value_help")),
        },
    )
    changes, notes = changes_from_rows(edited, intake)
    st.session_state[CURRENT_KEY] = changes
    for note in notes:
        st.caption(note)
    encoded = encode_scenario(changes)
    if st.query_params.get(SCENARIO_KEY, "") != encoded:
        if encoded:
            st.query_params[SCENARIO_KEY] = encoded
        elif SCENARIO_KEY in st.query_params:
            del st.query_params[SCENARIO_KEY]
    return changes


def _rows_frame(changes: list[ScenarioChange]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "program_code": c.program_code,
                "region_code": c.region_code or EVERY_REGION,
                "from_year": c.from_year,
                "how": "percent",
                "value": round(100 * c.change, 4),
            }
            for c in changes
        ],
        columns=["program_code", "region_code", "from_year", "how", "value"],
    )


def changes_from_rows(rows: pd.DataFrame, intake: pd.DataFrame) -> tuple[list[ScenarioChange], list[str]]:
    """The editor's rows as changes (a number becomes its fraction of the last intake) and one line per change
    saying when its graduates arrive; rows not filled in are left out."""
    changes, notes = [], []
    for row in rows.itertuples():
        program, year, value = row.program_code, row.from_year, row.value
        if not isinstance(program, str) or not program or pd.isna(year) or pd.isna(value):
            continue
        region = row.region_code or None
        own = intake[(intake["program_code"] == program) & ((intake["region_code"] == region) if region else True)]
        if own.empty:  # a program the region (or the selection) has no intake of: said, not dropped in silence
            notes.append(t("planning.not_taught", program=program, region=region or t("planning.every_region")))
            continue
        baseline, duration = float(own["entrants"].sum()), int(own["duration"].iloc[0])
        change = value / 100 if row.how == "percent" else (value / baseline - 1 if baseline > 0 else 0.0)
        change = max(change, -1.0)
        changes.append(ScenarioChange(program, region, int(year), round(change, 6)))
        notes.append(
            t(
                "planning.lag_note",
                program=own["program_name"].iloc[0],
                intake=fmt_count(baseline * (1 + change)),
                before=fmt_count(baseline),
                year=int(year),
                duration=duration,
                graduates=int(year) + duration,
            )
        )
    return changes, notes


def render_files(changes: list[ScenarioChange]) -> None:
    """Download the scenario as the contract's CSV; upload one to start the editor from it."""
    left, right = st.columns(2)
    download_button(
        t("planning.download_scenario"),
        planning.scenario_csv(changes),
        container=left,
        file_name="scenario.csv",
        mime="text/csv",
        icon=":material/download:",
        key="scenario_download",
    )
    uploader_style()  # Streamlit's own uploader texts are English: said in the interface language instead
    upload = file_uploader(t("planning.upload_scenario"), ["csv"], key="scenario_upload", multiple=False, container=right)
    if upload is not None and st.session_state.get("scenario_uploaded") != upload.file_id:
        read, problems = planning.read_scenario(upload.getvalue(), upload.name)
        if problems:
            for problem in problems:
                st.error(md("planning.upload_problem", problem=problem))
        else:
            st.session_state["scenario_uploaded"] = upload.file_id
            _restart(read)


def render_saved(editor: str | None, changes: list[ScenarioChange], filters: Filters, settings: Settings, year: int) -> None:
    """Saved scenarios: an editor saves the current one under a name; anyone loads a saved version or compares two."""
    engine = dashboard_engine()
    saved = saved_scenarios(engine)
    if editor:
        name_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
        name = name_column.text_input(t("planning.scenario_name"), key="scenario_name", max_chars=80)
        if button_column.button(t("planning.save_scenario"), disabled=not (name.strip() and changes), key="scenario_save"):
            version = save_scenario(engine, name, changes, saved_by=editor)
            st.success(md("planning.saved", name=" ".join(name.split()), version=version))
            saved = saved_scenarios(engine)
    if saved.empty:
        st.caption(t("planning.none_saved") if editor else t("planning.none_saved_sign_in"))
        return
    labels = {f"{n} · v{v}": (n, int(v)) for n, v in zip(saved["name"], saved["version"])}
    choice = st.selectbox(
        t("planning.load_saved"),
        [None, *labels],
        key="scenario_load_choice",
        format_func=lambda label: t("planning.choose") if label is None else label,
    )
    if choice is not None and st.button(t("planning.load"), key="scenario_load"):
        _restart(load_scenario(engine, *labels[choice]))
    st.markdown(md("planning.compare_heading", year=year))
    left, right = st.columns(2)
    first = left.selectbox(t("planning.compare_a"), list(labels), key="compare_a")
    second = right.selectbox(t("planning.compare_b"), list(labels), index=min(1, len(labels) - 1), key="compare_b")
    if first and second:
        chosen = {first: labels[first], second: labels[second]}
        years = difference_over_years(filters, settings, chosen)
        sentence = difference_sentence(years, first, second)
        plotly_chart(difference_bars(years, first, second), takeaway_text=sentence)
        st.caption(sentence)
        table = comparison(filters, settings, year, chosen)
        numbers = {c: st.column_config.NumberColumn(c, format="localized") for c in table.columns[2:]}
        st.dataframe(table.round(0), hide_index=True, placeholder="–", column_config=numbers)


def _projected(filters: Filters, settings: Settings, saved: tuple[str, int]) -> Projection:
    name, version = saved
    scenario = tuple(load_scenario(dashboard_engine(), name, version))
    return projection(filters, Settings(settings.to_year, settings.method, scenario))


def difference_over_years(filters: Filters, settings: Settings, chosen: dict[str, tuple[str, int]]) -> pd.DataFrame:
    """Per projected year: the graduates (measured cells) with the first and the second chosen scenario, and
    the second less the first. Columns: year, first, second, difference."""
    baseline = projection(filters, settings, with_scenario=False)
    (_, a), (_, b) = list(chosen.items())
    first = per_year(_projected(filters, settings, a), baseline)[["year", "supply"]].rename(columns={"supply": "first"})
    second = per_year(_projected(filters, settings, b), baseline)[["year", "supply"]].rename(columns={"supply": "second"})
    frame = first.merge(second, on="year", how="outer").sort_values("year").reset_index(drop=True)
    frame["difference"] = frame["second"] - frame["first"]
    return frame


def difference_sentence(years: pd.DataFrame, first: str, second: str) -> str:
    """When the two scenarios start to differ and by how much in the last year, or that they do not."""
    biting = years[years["difference"].abs() >= 0.5]
    if biting.empty:
        return t("planning.compare_same", first=first, second=second, year=int(years["year"].max()))
    last = years.iloc[-1]
    key = "planning.compare_more" if last["difference"] >= 0 else "planning.compare_fewer"
    return t(
        key,
        first=first,
        second=second,
        start=int(biting["year"].min()),
        year=int(last["year"]),
        count=fmt_count(abs(last["difference"])),
    )


def comparison(filters: Filters, settings: Settings, year: int, chosen: dict[str, tuple[str, int]]) -> pd.DataFrame:
    """Per sector in ``year``: openings, graduates without a scenario and with each chosen one, and their gaps."""
    baseline = projection(filters, settings, with_scenario=False)
    frame = per_sector(baseline, baseline, year)[["sector_code", "sector_name", "demand", "supply"]]
    frame = frame.rename(columns={"demand": t("planning.col_demand"), "supply": t("planning.col_supply_baseline")})
    for label, saved in chosen.items():
        sums = per_sector(_projected(filters, settings, saved), baseline, year)[["sector_code", "supply", "gap"]]
        sums = sums.rename(
            columns={"supply": t("planning.col_supply_with", name=label), "gap": t("planning.col_gap_with", name=label)}
        )
        frame = frame.merge(sums, on="sector_code", how="left")
    return frame.rename(columns={"sector_code": t("planning.col_sector_code"), "sector_name": t("planning.col_sector")})
