"""The glossary of measures: every figure the dashboard shows, its name in the interface language, what it
is (the formula in words), the contract tables and columns it comes from, and what to keep in mind.

The words live in ``locales/<language>/glossary.toml`` (``glossary.<key>_definition`` and, where there is
more to say, ``glossary.<key>_notes``); the name of a figure that is a column is its column heading, so the
glossary reads like the tables. Thresholds, default rates and bands are filled in from the constants the
code computes with, so the glossary cannot drift from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data_access.contract import SHARE_TOLERANCE
from data_access.i18n import catalogue, column_label, translate
from data_access.planning import DEFAULT_DURATION, FEW_YEARS, UNMEASURED_SPREAD, YEARS_AHEAD, Rules
from data_access.queries import RATE_FACTORS, SHORTAGE_BELOW, SURPLUS_ABOVE
from data_access.summaries import DEFAULT_REPLACEMENT_RATE
from data_access.suppression import DEFAULT_THRESHOLD, RATE_BASE_FACTOR

COLUMNS = ("measure", "column", "definition", "source", "notes")
FILE_NAME = "glossary.csv"


@dataclass(frozen=True)
class Entry:
    """One row of the glossary: ``key`` names its texts and, unless ``column`` says otherwise (None: a rule,
    not a column), the column it explains; ``sources`` are the contract's ``table.column`` it is computed from."""

    key: str
    sources: tuple[str, ...]
    column: str | None = ""

    @property
    def column_name(self) -> str | None:
        return self.key if self.column == "" else self.column


GRADUATES = ("enrolments.graduates", "institutions.region_code", "programs.sector_code", "program_sectors.share")
OPENINGS = ("demand.openings", "demand.employment", "sectors.replacement_rate")
OUTCOMES = ("outcomes.cohort_year", "institutions.region_code", "programs.sector_code", "program_sectors.share")
PLACEMENTS = ("placements.year", "employers.region_code", "employers.sector_code")
PIPELINE = ("enrolments.entrants", "enrolments.graduates", "programs.duration_years", "program_sectors.share")

# In the order a planner meets them: supply and demand, enrolment, placements, outcomes, planning, rules.
ENTRIES: tuple[Entry, ...] = (
    Entry("supply", GRADUATES),
    Entry("demand", OPENINGS),
    Entry("openings", OPENINGS),
    Entry("gap", (*GRADUATES[:1], "demand.openings")),
    Entry("coverage_ratio", (*GRADUATES[:1], "demand.openings")),
    Entry("gap_status", (*GRADUATES[:1], "demand.openings")),
    Entry("demand_estimated", OPENINGS + ("demand.year",)),
    Entry("replacement_rate", ("sectors.replacement_rate",)),
    Entry("employment_smoothing", ("demand.employment", "demand.year"), column=None),
    Entry("factor", ("sectors.replacement_rate", "demand.employment")),
    Entry("suppressed_cells", ("enrolments.graduates", "demand.openings", "demand.employment")),
    Entry("supply_not_linked", ("enrolments.graduates", "programs.sector_code", "program_sectors.program_code")),
    Entry("graduates", ("enrolments.graduates",)),
    Entry("enrolled", ("enrolments.enrolled", "institutions.region_code", "programs.sector_code", "program_sectors.share")),
    Entry("enrolled_previous_year", ("enrolments.enrolled", "enrolments.year")),
    Entry("graduates_per_enrolled", ("enrolments.graduates", "enrolments.enrolled")),
    Entry("enrolled_growth", ("enrolments.enrolled", "enrolments.year")),
    Entry("graduates_growth", ("enrolments.graduates", "enrolments.year")),
    Entry("students_placed", ("placements.students_placed", *PLACEMENTS)),
    Entry("hired", ("placements.hired", *PLACEMENTS)),
    Entry("placement_hire_rate", ("placements.hired", "placements.students_placed")),
    Entry("placement_capacity", ("employers.placement_capacity", "employers.partner_since")),
    Entry("employers_with_capacity", ("employers.placement_capacity",)),
    Entry("capacity_use", ("placements.students_placed", "employers.placement_capacity", "employers.partner_since")),
    Entry("years_hosting", ("placements.year", "placements.employer_id")),
    Entry("partners", ("employers.employer_id", "placements.employer_id")),
    Entry("tenure_years", ("employers.partner_since",)),
    Entry("tenure_band", ("employers.partner_since",)),
    Entry("placed_per_100_openings", ("placements.students_placed", "employers.sector_code", "demand.openings")),
    Entry("surveyed", ("outcomes.surveyed", *OUTCOMES)),
    Entry("employed", ("outcomes.employed", *OUTCOMES)),
    Entry("employed_in_field", ("outcomes.employed_in_field", *OUTCOMES)),
    Entry("self_employed", ("outcomes.self_employed", *OUTCOMES)),
    Entry("further_study", ("outcomes.further_study", *OUTCOMES)),
    Entry("unemployed", ("outcomes.unemployed", *OUTCOMES)),
    Entry("employment_rate", ("outcomes.employed", "outcomes.further_study", "outcomes.surveyed")),
    Entry("job_rate", ("outcomes.employed", "outcomes.surveyed")),
    Entry("in_field_rate", ("outcomes.employed_in_field", "outcomes.employed")),
    Entry("self_employment_rate", ("outcomes.self_employed", "outcomes.surveyed")),
    Entry("further_study_rate", ("outcomes.further_study", "outcomes.surveyed")),
    Entry("wage_employment_weighted", ("outcomes.median_monthly_wage", "outcomes.employed")),
    Entry("effective_supply", ("enrolments.graduates", "outcomes.employed_in_field", "outcomes.employed")),
    Entry("effective_gap", ("enrolments.graduates", "outcomes.employed_in_field", "outcomes.employed", "demand.openings")),
    Entry("effective_coverage", ("enrolments.graduates", "outcomes.employed_in_field", "outcomes.employed", "demand.openings")),
    Entry("supply_without_rate", ("enrolments.graduates", "outcomes.surveyed")),
    Entry("projected_openings", ("demand.year", *OPENINGS), column="demand"),
    Entry("demand_low", ("demand.year", *OPENINGS)),
    Entry("demand_high", ("demand.year", *OPENINGS)),
    Entry("projected_supply", PIPELINE, column="supply"),
    Entry("supply_entrants", PIPELINE),
    Entry("supply_trend", ("enrolments.graduates", "enrolments.year", "program_sectors.share")),
    Entry("completion", ("enrolments.entrants", "enrolments.graduates", "programs.duration_years")),
    Entry("current_intake", ("enrolments.entrants",)),
    Entry("coverage", (*PIPELINE, "demand.openings")),
    Entry("suggested_intake", (*PIPELINE, "demand.openings")),
    Entry("backtest_error", ("demand.openings", "demand.year"), column=None),
    Entry("backtest_error_share", ("demand.openings", "demand.year"), column=None),
    Entry("small_numbers", ("enrolments.graduates", "outcomes.surveyed", "placements.students_placed"), column=None),
)


def _percent(share: float) -> str:
    return f"{100 * share:g}%"


# Filled into every text of the glossary: the numbers the code computes with.
RULES = Rules()
VALUES = {
    "shortage_below": f"{SHORTAGE_BELOW:g}",
    "surplus_above": f"{SURPLUS_ABOVE:g}",
    "default_rate": _percent(DEFAULT_REPLACEMENT_RATE),
    "lowest_factor": f"{min(RATE_FACTORS):g}",
    "highest_factor": f"{max(RATE_FACTORS):g}",
    "threshold": DEFAULT_THRESHOLD,
    "largest_hidden": DEFAULT_THRESHOLD - 1,
    "rate_base_factor": RATE_BASE_FACTOR,
    "rate_base": RATE_BASE_FACTOR * DEFAULT_THRESHOLD,
    "share_tolerance": f"{SHARE_TOLERANCE:g}",
    "few_years": FEW_YEARS,
    "unmeasured_spread": _percent(UNMEASURED_SPREAD),
    "default_duration": DEFAULT_DURATION,
    "years_ahead": YEARS_AHEAD,
    "grow_coverage": f"{RULES.grow_coverage:g}",
    "shrink_coverage": f"{RULES.shrink_coverage:g}",
    "max_change": _percent(RULES.max_change),
    "min_surveyed": RULES.min_surveyed,
}


def _text(language: str, key: str) -> str:
    """A glossary text in ``language`` with the numbers filled in; empty when the entry has no such text."""
    if key not in catalogue(language):
        return ""
    return translate(language, key, **VALUES)


def glossary_frame(language: str) -> pd.DataFrame:
    """Every entry as a row: measure (its name), column (its name in tables and downloads, empty for a rule),
    definition, source (``table.column``, comma separated) and notes, in ``language``."""
    rows = []
    for entry in ENTRIES:
        column = entry.column_name
        name = column_label(language, column) if column and f"glossary.{entry.key}_name" not in catalogue(language) else None
        rows.append(
            {
                "measure": name or _text(language, f"glossary.{entry.key}_name"),
                "column": column or "",
                "definition": _text(language, f"glossary.{entry.key}_definition"),
                "source": ", ".join(entry.sources),
                "notes": _text(language, f"glossary.{entry.key}_notes"),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def search(frame: pd.DataFrame, query: str) -> pd.DataFrame:
    """The rows holding every word of ``query`` somewhere (any column, any case); all rows for no words."""
    words = query.casefold().split()
    if not words:
        return frame
    haystack = frame.astype(str).agg(" ".join, axis=1).str.casefold()
    keep = pd.Series(True, index=frame.index)
    for word in words:
        keep &= haystack.str.contains(word, regex=False)
    return frame[keep].reset_index(drop=True)


def headings(language: str) -> dict[str, str]:
    """The glossary's column headings in ``language``."""
    return {column: translate(language, f"glossary.col_{column}") for column in COLUMNS}
