"""The contract's metrics, computed from summed counts (never means of ratios).

Each function takes a frame of sums already aggregated in the database and adds
the derived measures; a ratio whose denominator is 0 is empty (NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as floats, empty where the denominator is 0 or missing."""
    numerator = numerator.astype("float64")
    denominator = denominator.astype("float64")
    return numerator.div(denominator.where(denominator != 0, np.nan))


def counts(values: pd.Series, *, missing_is_zero: bool = True) -> pd.Series:
    """Summed counts as whole numbers (int64) when they are whole and none is missing, else as floats
    (NaN for missing): counts split by sector shares may be fractional. ``missing_is_zero``: a group
    without rows on this side counts 0 (a missing side of supply and demand)."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    if missing_is_zero:
        numbers = numbers.fillna(0.0)
    numbers = numbers.round(9)  # sums of shares in another order differ in the last bits
    if numbers.notna().all() and (numbers % 1 == 0).all():
        return numbers.astype("int64")
    return numbers


def add_supply_demand_measures(frame: pd.DataFrame) -> pd.DataFrame:
    """Add gap = supply - demand and coverage_ratio = supply / demand (empty when demand is 0, and
    both empty where a side is missing)."""
    frame["supply"] = counts(frame["supply"], missing_is_zero=False)
    frame["demand"] = counts(frame["demand"], missing_is_zero=False)
    frame["gap"] = frame["supply"] - frame["demand"]
    frame["coverage_ratio"] = ratio(frame["supply"], frame["demand"])
    return frame


OUTCOME_COUNTS = ("surveyed", "employed", "employed_in_field", "self_employed", "further_study", "unemployed")


def add_outcome_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Add employment_rate (destination), job_rate, in_field_rate, self_employment_rate,
    further_study_rate and wage_employment_weighted from summed counts.

    Expects the columns of ``OUTCOME_COUNTS`` plus ``wage_x_employed`` (sum of wage x
    employed over rows with a wage) and ``employed_with_wage`` (sum of employed over
    those rows); the two helper columns are dropped.
    """
    for column in OUTCOME_COUNTS:
        frame[column] = counts(frame[column])
    frame["employment_rate"] = ratio(frame["employed"] + frame["further_study"], frame["surveyed"])
    frame["job_rate"] = ratio(frame["employed"], frame["surveyed"])
    frame["in_field_rate"] = ratio(frame["employed_in_field"], frame["employed"])
    frame["self_employment_rate"] = ratio(frame["self_employed"], frame["surveyed"])
    frame["further_study_rate"] = ratio(frame["further_study"], frame["surveyed"])
    frame["wage_employment_weighted"] = ratio(frame["wage_x_employed"], frame["employed_with_wage"])
    return frame.drop(columns=["wage_x_employed", "employed_with_wage"])


def add_placement_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Add placement_hire_rate = hired / students_placed."""
    frame["students_placed"] = counts(frame["students_placed"])
    frame["hired"] = counts(frame["hired"])
    frame["placement_hire_rate"] = ratio(frame["hired"], frame["students_placed"])
    return frame
