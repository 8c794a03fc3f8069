"""Render helpers of the Planning page besides the scenario editor: settings read from the link, the
table of cells, the placements a scenario needs, the back-test of the methods and the grow/shrink list."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from data_access.filters import Filters
from data_access.planning import Rules
from data_access.views import COMPUTED, View, ViewRows, shown

from .components import fixed_decimals, number_columns, table_with_data
from .context import protection_threshold, view
from .formatting import fmt_count
from .i18n import t
from .planning import Settings, band_notes, extra_students, worded_grow_shrink
from .scale import keep_top, with_gap_measures


def url_choice(name: str, options: Sequence, default):
    """The link's value of ``name`` when it is one of ``options`` (compared as text), else ``default``."""
    raw = st.query_params.get(name)
    return next((option for option in options if str(option) == raw), default)


# Projected frames under small-number protection (data_access.views.COMPUTED): projected openings and graduates
# are rounded like the counts they come from (a projection carries its history's small numbers), ratios as published.
PROJECTED, GROW_SHRINK, BACKTEST = (COMPUTED[name] for name in ("projected", "grow_shrink", "backtest"))


def protected(frame: pd.DataFrame, spec: View = PROJECTED, *, threshold: int | None = None) -> pd.DataFrame:
    """``frame`` as charts and sentences may use it: under small-number protection (``threshold``, else the
    sidebar's), counts rounded (small ones blank) and ratios rounded as published; else the frame itself."""
    return shown(spec, frame, threshold or protection_threshold()).numbers


def result_of(name: str, frame: pd.DataFrame, spec: View = PROJECTED) -> ViewRows:
    """A computed frame as the rows a chart or table and its download show, protected like every view
    when small-number protection is on."""
    return shown(spec, frame, protection_threshold(), name=name)


PROJECTED_SECTORS = 4  # bars of the projector's Planning screen (two-line names at 1280x720); the rest are one bar


def projected_sectors(by_sector: pd.DataFrame) -> pd.DataFrame:
    """The sectors with the largest projected gaps, shortage or surplus, and the rest summed into one row."""
    ranked = (by_sector["supply"] - by_sector["demand"]).abs().set_axis(by_sector["sector_code"])
    return keep_top(
        by_sector,
        key="sector_code",
        name="sector_name",
        rank=ranked,
        limit=PROJECTED_SECTORS,
        sums=("demand", "supply", "supply_baseline"),  # the folded sectors' interval is not the sum of their bounds: none
        recompute=with_gap_measures,
        other_name=t("supply_demand.other_sectors", count=len(by_sector) - PROJECTED_SECTORS),
    )


def projection_table(rows: pd.DataFrame, year: int) -> ViewRows:
    """The cells of ``year``: region, sector, projected openings and interval, graduates, gap, coverage, method
    and whether the cell has few observed years."""
    columns = [
        "region_code",
        "region_name",
        "sector_code",
        "sector_name",
        "demand",
        "demand_low",
        "demand_high",
        "supply",
        "gap",
        "coverage_ratio",
        "method",
        "observed_years",
        "few_years",
        "demand_not_projected",
    ]
    this = rows[rows["year"] == year][columns].sort_values("gap").reset_index(drop=True)
    result = result_of("projection_cells", this)

    def worded(frame: pd.DataFrame) -> pd.DataFrame:
        projected = frame["demand_not_projected"].fillna("") == ""
        return frame.assign(
            method=frame["method"].map(lambda m: t(f"planning.method_{m}") if m else ""),
            few_years=[
                (t("planning.rests_on_one_year") if int(n) == 1 else t("planning.rests_on_years", years=int(n)))
                if few and shown
                else ""
                for few, n, shown in zip(frame["few_years"], frame["observed_years"], projected)
            ],
            demand_not_projected=frame["demand_not_projected"].map(lambda why: t(f"planning.why_{why}") if why else ""),
        )

    return ViewRows(
        "projection_cells", worded(result.numbers), worded(result.table), result.display, result.hidden, result.threshold
    )


def placement_warnings(filters: Filters, settings: Settings, years: list[int]) -> list[str]:
    """Where the scenario adds more students a year to a sector than its partner employers have room for."""
    extra = extra_students(filters, settings, years)
    if extra.empty:
        return []
    capacity = view("capacity", filters.with_years(None, None)).numbers
    if capacity.empty:
        return []
    latest = capacity[capacity["year"] == capacity["year"].max()].set_index("sector_code")
    warnings = []
    for sector, students in extra.groupby("sector_code")["extra_students"].max().items():
        if sector not in latest.index or students <= 0:
            continue
        room = latest.at[sector, "placement_capacity"] - latest.at[sector, "students_placed"]
        if students > room:
            warnings.append(
                t(
                    "planning.placements_short",
                    sector=latest.at[sector, "sector_name"],
                    students=fmt_count(students),
                    room=fmt_count(max(room, 0)),
                    capacity=fmt_count(latest.at[sector, "placement_capacity"]),
                    placed=fmt_count(latest.at[sector, "students_placed"]),
                    year=int(latest["year"].iloc[0]),
                )
            )
    return warnings


def render_backtest(backtest: pd.DataFrame) -> None:
    """How well each method would have projected the last observed years of openings from the years before."""
    st.subheader(t("planning.backtest_heading"))
    st.caption(t("planning.backtest_caption"))
    shown = protected(backtest, BACKTEST)
    # rounded to the decimal shown: Streamlit cuts a value to its step's decimals instead (0.8675 would read 86.7%)
    shown = shown.assign(
        method=shown["method"].map(lambda m: t(f"planning.method_{m}")),
        **{c: pd.to_numeric(shown[c], errors="coerce").round(3) for c in ("wape", "held")},
    )
    st.dataframe(
        shown,
        hide_index=True,
        placeholder="–",
        column_config=fixed_decimals(
            {
                "method": t("planning.col_method"),
                "cells": st.column_config.NumberColumn(t("planning.col_cells"), format="localized"),
                "mae": st.column_config.NumberColumn(t("planning.col_mae"), format="%.1f", help=t("planning.mae_help")),
                "wape": st.column_config.NumberColumn(t("planning.col_wape"), format="percent", help=t("planning.wape_help")),
                "held_out": None,
                "held": st.column_config.NumberColumn(t("planning.col_held"), format="percent", help=t("planning.held_help")),
            }
        ),
    )
    for note in band_notes(backtest):
        st.warning(note, icon=":material/straighten:")


def render_grow_shrink(filters: Filters, settings: Settings) -> None:
    """The programs to grow or shrink, by region, with thresholds the planner can change."""
    st.subheader(t("planning.grow_shrink_heading"))
    st.caption(t("planning.grow_shrink_caption"))
    defaults = Rules()
    with st.expander(t("planning.rules_heading")):
        st.caption(t("planning.rules_sources"))
        a, b, c = st.columns(3)
        rules = Rules(
            shrink_coverage=a.number_input(t("planning.rule_shrink_coverage"), 1.0, 5.0, defaults.shrink_coverage, 0.05),
            grow_coverage=b.number_input(t("planning.rule_grow_coverage"), 0.1, 1.0, defaults.grow_coverage, 0.05),
            bottom_share=c.number_input(t("planning.rule_bottom_share"), 0.01, 0.5, defaults.bottom_share, 0.01),
            bottom_below=c.number_input(t("planning.rule_bottom_below"), 0.0, 1.0, defaults.bottom_below, 0.05),
            cap_below=a.number_input(t("planning.rule_cap_below"), 0.0, 1.0, defaults.cap_below, 0.05),
            alternate_below=b.number_input(t("planning.rule_alternate_below"), 0.0, 1.0, defaults.alternate_below, 0.05),
            stop_below=c.number_input(t("planning.rule_stop_below"), 0.0, 1.0, defaults.stop_below, 0.05),
            max_change=a.number_input(t("planning.rule_max_change"), 0.0, 1.0, defaults.max_change, 0.01),
            in_field_at_least_median=b.checkbox(t("planning.rule_in_field"), defaults.in_field_at_least_median),
        )
    programs = worded_grow_shrink(filters, settings, rules)
    if programs.empty:
        st.info(t("planning.no_programs"))
        return
    shown = programs[GROW_SHRINK_COLUMNS]
    table_with_data(
        result_of("grow_shrink", shown, GROW_SHRINK),
        "grow_shrink.csv",
        column_config={
            **number_columns(
                {
                    "current_intake": "localized",
                    "suggested_intake": "localized",
                    "coverage": "%.2f",
                    "destination_rate": "percent",
                    "in_field_rate": "percent",
                    "completion": "percent",
                }
            ),
            "status": t("planning.col_status"),
            "why": st.column_config.TextColumn(t("planning.col_why"), width="large"),
            "intake_year": t("planning.col_intake_year"),
            "graduation_year": t("planning.col_graduation_year"),
        },
    )


# What a planner reads first: the program and region, its status and why, then the intake to decide.
GROW_SHRINK_COLUMNS = [
    "program_name",
    "region_name",
    "status",
    "why",
    "current_intake",
    "suggested_intake",
    "coverage",
    "destination_rate",
    "in_field_rate",
    "completion",
    "duration",
    "intake_year",
    "graduation_year",
    "program_code",
    "region_code",
    "sector_code",
]
