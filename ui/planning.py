"""The Planning page's logic: the settings kept in the URL (horizon, method, scenario), the projection
for them (cached per data version), its sums per year and per sector, the scenario editor's rows as
changes, and sentences in the current language. Widgets are drawn by the page and
ui/planning_scenario.py."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from data_access import planning
from data_access.filters import Filters
from data_access.planning import PlanningSettings, Projection, Rules, ScenarioChange

from .bookmarks import url_changed_outside
from .context import dashboard_engine, data_version
from .formatting import NoFinding, fmt_count, fmt_rate, fmt_ratio
from .horizons import horizon_years
from .i18n import current_language, speaking, t

HORIZON_KEY, METHOD_KEY, SCENARIO_KEY = "plan_to", "plan_method", "scenario"  # URL parameters
ROWS_KEY = "scenario_rows"  # session state: the rows the scenario editor starts from
CURRENT_KEY = "scenario_current"  # session state: the changes the editor held last
ROUND_KEY = "scenario_round"  # session state: bumped to start the editor again from other rows


@dataclass(frozen=True)
class Settings:
    """What the planner chose: the last year to project, the method and the active scenario."""

    to_year: int
    method: str
    scenario: tuple[ScenarioChange, ...]


def encode_scenario(changes: tuple[ScenarioChange, ...] | list[ScenarioChange]) -> str:
    """Changes as a short URL value: ``P1:R01:2026:0.1;P2::2027:-1`` (empty region = every region)."""
    return ";".join(f"{c.program_code}:{c.region_code or ''}:{c.from_year}:{c.change:g}" for c in changes)


def decode_scenario(text: str) -> tuple[ScenarioChange, ...]:
    """The changes of a URL value; parts that are not a change are left out."""
    changes = []
    for part in (text or "").split(";"):
        pieces = part.split(":")
        if len(pieces) != 4:
            continue
        program, region, year, change = pieces
        try:
            value = float(change)
            if program and 1990 <= int(year) <= 2100 and math.isfinite(value) and value >= -1:
                changes.append(ScenarioChange(program, region or None, int(year), value))
        except ValueError:
            continue
    return tuple(changes)


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_projection(regions: tuple, sectors: tuple, to_year: int, method: str, scenario: tuple, version: int) -> Projection:
    with Session(dashboard_engine()) as session:
        return planning.project(
            session, to_year=to_year, method=method, filters=Filters(regions=regions, sectors=sectors), scenario=list(scenario)
        )


def projection(filters: Filters, settings: Settings, *, with_scenario: bool = True) -> Projection:
    """The projection for the filters' regions and sectors (every year of history) and the settings."""
    scenario = settings.scenario if with_scenario else ()
    return _cached_projection(filters.regions, filters.sectors, settings.to_year, settings.method, scenario, data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_grow_shrink(regions: tuple, sectors: tuple, settings: Settings, rules: Rules, version: int) -> pd.DataFrame:
    filters = Filters(regions=regions, sectors=sectors)
    result = projection(filters, settings)
    with Session(dashboard_engine()) as session:
        return planning.grow_shrink(session, filters=filters, projection=result, rules=rules)


def grow_shrink(filters: Filters, settings: Settings, rules: Rules) -> pd.DataFrame:
    """The grow/shrink list for the filters' regions and sectors under the active scenario."""
    return _cached_grow_shrink(filters.regions, filters.sectors, settings, rules, data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_worded(regions: tuple, sectors: tuple, settings: Settings, rules: Rules, version: int, language: str) -> pd.DataFrame:
    programs = _cached_grow_shrink(regions, sectors, settings, rules, version)
    with speaking(language):  # tens of thousands of programs at national scale: worded once, not on every run
        return programs.assign(
            status=programs["status"].map(lambda s: t(f"planning.status_{s}")),
            why=[rule_words(r, v) for r, v in zip(programs["rule"], programs["rule_values"])],
        )


def worded_grow_shrink(filters: Filters, settings: Settings, rules: Rules) -> pd.DataFrame:
    """The grow/shrink list with each program's status and the reason for it in words, in the session's language."""
    return _cached_worded(filters.regions, filters.sectors, settings, rules, data_version(), current_language())


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_last_intake(regions: tuple, version: int) -> pd.DataFrame:
    with Session(dashboard_engine()) as session:
        return planning.last_intake(session, Filters(regions=regions))


def last_intake(filters: Filters) -> pd.DataFrame:
    """The last observed intake of every program per region, with its duration."""
    return _cached_last_intake(filters.regions, data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_extra_students(regions: tuple, sectors: tuple, scenario: tuple, years: tuple, version: int) -> pd.DataFrame:
    with Session(dashboard_engine()) as session:
        return planning.extra_students(
            session, filters=Filters(regions=regions, sectors=sectors), scenario=list(scenario), years=list(years)
        )


def extra_students(filters: Filters, settings: Settings, years: list[int]) -> pd.DataFrame:
    """Students the active scenario adds per entry year and sector."""
    return _cached_extra_students(filters.regions, filters.sectors, settings.scenario, tuple(years), data_version())


def current_plan() -> PlanningSettings:
    """The planning settings of the session, for the snapshot and the brief: the Planning page's horizon and
    method (from the link) and the scenario in force; the defaults where the page was not opened."""
    raw_year = st.query_params.get(HORIZON_KEY, "")
    method = st.query_params.get(METHOD_KEY, "auto")
    to_year = next((year for year in horizon_years() if str(year) == raw_year), None)  # any other value is ignored
    return PlanningSettings(to_year, method if method in planning.CHOICES else "auto", active_scenario())


def starting_rows() -> list[ScenarioChange]:
    """The rows the editor starts from: those put there last (upload, saved scenario), else the link's."""
    if ROWS_KEY not in st.session_state:
        st.session_state[ROWS_KEY] = list(decode_scenario(st.query_params.get(SCENARIO_KEY, "")))
    follow_link_scenario()
    return st.session_state[ROWS_KEY]


def follow_link_scenario() -> None:
    """When the URL changed from outside the app (Back/forward, an edited link) and names another scenario
    than the one in force, the editor starts again from the link's (none when the link has none)."""
    if not url_changed_outside() or ROWS_KEY not in st.session_state:
        return
    linked = decode_scenario(st.query_params.get(SCENARIO_KEY, ""))
    in_force = st.session_state.get(CURRENT_KEY, st.session_state[ROWS_KEY])
    if encode_scenario(linked) == encode_scenario(in_force):
        return
    st.session_state[ROWS_KEY] = list(linked)
    if CURRENT_KEY in st.session_state:
        st.session_state[CURRENT_KEY] = list(linked)
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1  # a new editor, drawn from these rows


def active_scenario() -> tuple[ScenarioChange, ...]:
    """The scenario in force: what the editor held last, else the link's (a shared link, presentation mode)."""
    follow_link_scenario()
    if CURRENT_KEY in st.session_state:
        return tuple(st.session_state[CURRENT_KEY])
    return tuple(starting_rows())


# --- sums of a projection -------------------------------------------------------------------------


def per_year(result: Projection, baseline: Projection) -> pd.DataFrame:
    """Projected openings of the measured cells with the 80% interval of that total (``planning.totals``, never the
    sum of the cells' bounds), graduates with the scenario and without it, per year. Columns: year, demand,
    demand_low, demand_high, supply, supply_baseline, measured_cells, cells_not_projected."""
    frame = _with_baseline(planning.totals(result, "total"), baseline, "total")
    return frame[["year", "demand", "demand_low", "demand_high", "supply", "supply_baseline", *COUNTED]]


def per_sector(result: Projection, baseline: Projection, year: int) -> pd.DataFrame:
    """The same per sector in ``year``, each sector with its own interval; gap and coverage over measured cells
    only. Columns: sector_code, sector_name, demand, demand_low, demand_high, supply, supply_baseline, gap,
    coverage_ratio, measured_cells, cells_not_projected."""
    frame = _with_baseline(planning.totals(result, "sector"), baseline, "sector")
    frame = frame[frame["year"] == year].reset_index(drop=True)
    return frame[
        ["sector_code", "sector_name", "demand", "demand_low", "demand_high", "supply", "supply_baseline"]
        + ["gap", "coverage_ratio", *COUNTED]
    ]


COUNTED = ["measured_cells", "cells_not_projected"]


def _with_baseline(sums: pd.DataFrame, baseline: Projection, by: str) -> pd.DataFrame:
    """``sums`` (``planning.totals``) with the baseline's graduates of the same measured cells (supply_baseline)."""
    keys = ["year", "region_code", "sector_code"]
    base = planning.totals(baseline, by)[[*keys, "supply"]].rename(columns={"supply": "supply_baseline"})
    return sums.merge(base, on=keys, how="left")


# --- sentences --------------------------------------------------------------------------------------


def target_takeaway(by_sector: pd.DataFrame, year: int, *, scenario: bool) -> str:
    """The largest projected shortage in ``year`` in words, with the interval of openings and what the scenario changes."""
    shortages = by_sector[by_sector["gap"] < 0].sort_values("gap")
    if shortages.empty:  # "no shortage" only about sectors whose gap is projected on both sides
        measured = int(pd.to_numeric(by_sector["gap"], errors="coerce").notna().sum()) if len(by_sector) else 0
        return (
            t("planning.takeaway_no_shortage", year=year)
            if measured
            else NoFinding(t("planning.takeaway_not_measured", year=year))
        )
    row = shortages.iloc[0]
    sentence = t(
        "planning.takeaway_shortage",
        sector=row["sector_name"],
        year=year,
        shortage=fmt_count(-row["gap"]),
        coverage=fmt_ratio(row["coverage_ratio"]),
        low=fmt_count(row["demand_low"]),
        high=fmt_count(row["demand_high"]),
    )
    if scenario:
        before = row["supply_baseline"] - row["demand"]
        if abs(before - row["gap"]) >= 0.5:
            sentence += " " + t(
                "planning.takeaway_scenario",
                before=fmt_count(-before) if before < 0 else fmt_count(before),
                after=fmt_count(-row["gap"]),
            )
        else:
            sentence += " " + _scenario_elsewhere(by_sector, year)
    return sentence


def _scenario_elsewhere(by_sector: pd.DataFrame, year: int) -> str:
    """What the scenario does in ``year`` when it leaves the largest shortage as it is: the sector whose
    graduates it moves most, or that it moves none of them yet."""
    moved = by_sector.assign(_by=(by_sector["supply"] - by_sector["supply_baseline"]).abs())
    moved = moved[moved["_by"] >= 0.5].sort_values(["_by", "sector_name"], ascending=[False, True])
    if moved.empty:
        return t("planning.takeaway_scenario_none", year=year)
    row = moved.iloc[0]
    return t(
        "planning.takeaway_scenario_elsewhere",
        year=year,
        sector=row["sector_name"],
        before=fmt_count(row["supply_baseline"]),
        after=fmt_count(row["supply"]),
    )


def not_projected_notes(result: Projection) -> list[str]:
    """How many cells a side was not projected for, in words: their region did not report in the last year of its
    table, or their openings are known in no year (nothing to project from); none when every cell was
    projected."""
    unknown = result.assumptions.get("not_projected", {})
    notes = []
    if unknown.get("demand_cells") or unknown.get("supply_cells"):
        notes.append(
            t("planning.not_projected_note", demand=fmt_count(unknown["demand_cells"]), supply=fmt_count(unknown["supply_cells"]))
        )
    if unknown.get("no_known_year_cells"):
        notes.append(t("planning.too_short_note", none=fmt_count(unknown["no_known_year_cells"])))
    return notes


def band_notes(backtest: pd.DataFrame) -> list[str]:
    """Per method whose 80% range held far less or far more often than 80% of the held-out years: a sentence
    saying so (``planning.band_reliability``)."""
    notes = []
    for row in backtest.itertuples():
        verdict = planning.band_reliability(row.held, row.held_out)
        if verdict:
            notes.append(t(f"planning.held_{verdict}", method=t(f"planning.method_{row.method}"), held=fmt_rate(row.held)))
    return notes


def rule_words(rule: str, values: dict) -> str:
    """Why a program has its status, with the numbers the rule compared."""
    numbers = {key: _shown(key, value) for key, value in values.items()}
    if rule.startswith("destination_below"):  # its limit is a rate, not a coverage ratio
        numbers["limit"] = fmt_rate(values["limit"])
    return t(f"planning.rule_{rule}", **numbers)


def _shown(key: str, value) -> str:
    if key in ("rate", "in_field", "median", "limit_rate", "share", "below"):
        return fmt_rate(value)
    if key in ("coverage", "limit", "low", "high"):
        return fmt_ratio(value) if value == value else "–"
    if key == "rates":
        return t("filters.list_separator").join(fmt_rate(v) for v in value)
    if key == "cohorts":
        return t("filters.list_separator").join(str(v) for v in value)
    return str(value)
