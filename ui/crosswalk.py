"""The crosswalk on the Data page: anyone sees and downloads which sectors each program trains for; an
editor changes a program's shares in a table, sees the rule checked as they type and what the edit moves
(supply, gap and coverage by sector before and after, for the current filters), and saves it as a change
of the data that the history records and undo takes back."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from data_access.contract import SHARE_TOLERANCE
from data_access.filters import Filters
from data_access.loading import save_crosswalk

from .charts import crosswalk_preview_bars
from .components import download_csv, number_columns, plotly_chart
from .context import crosswalk_preview, filter_options, view
from .data_page import finish
from .filters import describe
from .i18n import current_language, label, md, t

EDITOR_KEY = "crosswalk_editor_{program}"


def render_crosswalk(engine, editor: str | None, filters: Filters) -> None:
    """The crosswalk section: the table for everyone, the editor and its preview for editors."""
    st.subheader(t("crosswalk.heading"))
    st.caption(t("crosswalk.intro"))
    table = view("crosswalk", filters).numbers
    shown = table.assign(source=table["source"].map(lambda s: t(f"crosswalk.source_{s.replace(' ', '_')}")))
    st.dataframe(
        shown,
        hide_index=True,
        placeholder="",
        column_config={
            **{c: label(c) for c in shown.columns},
            "share": st.column_config.NumberColumn(label("share"), format="percent"),
        },
    )
    download_csv(table, "crosswalk.csv", label=t("crosswalk.download"))
    if table.empty:
        return
    if not editor:
        st.info(t("crosswalk.sign_in_to_edit"), icon=":material/lock:")
        return
    programs = table.drop_duplicates("program_code").set_index("program_code")["program_name"]
    program = st.selectbox(
        t("crosswalk.program"),
        list(programs.index),
        format_func=lambda code: f"{programs[code]} ({code})",
        key="crosswalk_program",
    )
    current = table[(table["program_code"] == program) & (table["source"] != "not linked")]
    _, _, sectors = filter_options()
    names = dict(zip(sectors["sector_code"], sectors["sector_name"]))
    st.caption(t("crosswalk.editor_help"))
    edited = st.data_editor(
        pd.DataFrame({"sector_code": current["sector_code"].tolist(), "share": current["share"].tolist()}),
        num_rows="dynamic",
        hide_index=True,
        placeholder="–",  # an empty cell, never the word "None"
        key=EDITOR_KEY.format(program=program),
        column_config={
            "sector_code": st.column_config.SelectboxColumn(
                label("sector_code"),
                options=list(names),
                required=True,
                format_func=lambda code: f"{code} · {names.get(code, '')}",
            ),
            "share": st.column_config.NumberColumn(
                label("share"), min_value=0.0, max_value=1.0, step=0.01, format="%.3f", required=True
            ),
        },
    )
    rows = [(str(s), float(v)) for s, v in zip(edited["sector_code"], edited["share"]) if isinstance(s, str) and s and v == v]
    problems = shares_problems(rows, set(names))
    own_sector = _own_sector(table, program)
    if problems:
        for problem in problems:
            st.error(problem, icon=":material/error:")
    elif rows:
        st.success(t("crosswalk.shares_ok"), icon=":material/check_circle:")
    else:
        st.info(md("crosswalk.no_rows", sector=own_sector) if own_sector else t("crosswalk.no_rows_no_sector"))
    _render_preview(filters, program, programs[program], rows)
    if st.button(
        t("crosswalk.save", program=programs[program]),
        type="primary",
        icon=":material/save:",
        disabled=bool(problems),
        key="crosswalk_save",
    ):
        outcome = save_crosswalk(engine, {program: rows}, loaded_by=editor)
        if outcome.ok:
            finish(t("crosswalk.saved", program=programs[program], version=outcome.data_version), outcome.counts)
        for problem in outcome.validation.problems:
            st.error(md("data.warning", warning=problem.text(current_language())))


def shares_problems(rows: list[tuple[str, float]], known: set[str]) -> list[str]:
    """What breaks the crosswalk's rules in an edited program's rows (sector, share), in words; none when it holds."""
    problems = []
    if any(not 0 < share <= 1 for _, share in rows):
        problems.append(t("crosswalk.share_range"))
    codes = [code for code, _ in rows]
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if twice:
        problems.append(t("crosswalk.duplicate_sector", sectors=", ".join(twice)))
    unknown = sorted(set(codes) - known)
    if unknown:
        problems.append(t("crosswalk.unknown_sector", sectors=", ".join(unknown)))
    total = math.fsum(share for _, share in rows)
    if rows and abs(total - 1) > SHARE_TOLERANCE:
        problems.append(t("crosswalk.shares_sum", total=f"{total:.4g}"))
    return problems


def _own_sector(table: pd.DataFrame, program: str) -> str | None:
    """The program's own sector_code as the crosswalk shows it when it has no program_sectors rows (else unknown here)."""
    own = table[(table["program_code"] == program) & (table["source"] == "programs")]
    return own["sector_code"].iloc[0] if not own.empty else None


def _render_preview(filters: Filters, program: str, program_name: str, rows: list[tuple[str, float]]) -> None:
    st.markdown(md("crosswalk.preview_heading", filters=describe(filters)))
    preview = crosswalk_preview(filters, program, rows)
    moved = preview[(preview["supply_before"] - preview["supply_after"]).abs() > 1e-9]
    st.caption(t("crosswalk.preview_caption"))
    if moved.empty:
        st.info(t("crosswalk.nothing_moves"))
        return
    plotly_chart(
        crosswalk_preview_bars(moved, title=t("crosswalk.preview_title", program=program_name, filters=describe(filters))),
        key="crosswalk_preview_chart",
    )
    st.dataframe(
        moved,
        hide_index=True,
        placeholder="–",
        column_config={
            **{c: label(c) for c in moved.columns},
            **number_columns(
                {
                    "demand": "localized",
                    "supply_before": "%,.0f",
                    "supply_after": "%,.0f",
                    "gap_before": "%,.0f",
                    "gap_after": "%,.0f",
                    "coverage_before": "%.2f",
                    "coverage_after": "%.2f",
                }
            ),
        },
    )
