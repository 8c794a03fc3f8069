"""Small-number protection holds across every view shown or exported for the same filters.

Every pair of views of the registry where one is the sum of the other over some keys (found
by computing both on the sample region, not listed by hand) is checked group by group: where a
group of the finer view shows exactly one hidden count beside a total the coarser view shows,
subtracting the shown parts from the shown total must not give the hidden count back. The
views are taken over all years and over the latest year, and across the two (a latest-year
view is part of a per-year trend), as the pages, the brief and the snapshot show them together.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import permutations, product

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access.filters import Filters
from data_access.loading import load_paths
from data_access.queries import available_years
from data_access.settings import get_settings
from data_access.store import create_schema, make_engine
from data_access.suppression import protect
from data_access.views import VIEWS

THRESHOLD = 5
KEYS = ("year", "region_code", "sector_code", "institution_type", "institution_id", "program_code", "employer_id")
# The same measure under another name in another view (the Overview's openings are demand; an outcome cohort is a year).
SAME = {"openings": "demand", "cohort_year": "year"}


@pytest.fixture(scope="module")
def sample_frames(tmp_path_factory) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Every view of the registry on the sample region, unprotected and protected, over all
    years and over the latest year (that one with its year as a column)."""
    path = tmp_path_factory.mktemp("sample") / "sample.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    assert load_paths(engine, [get_settings().sample_data_dir]).ok
    frames = {}
    with Session(engine) as session:
        latest = max(available_years(session))
        for period, filters in (("all", Filters()), ("latest", Filters(latest, latest))):
            for name, view in VIEWS.items():
                frame = view.run(session, filters)
                protected = protect(frame, view, THRESHOLD).for_display()
                if period == "latest" and "year" not in frame.columns and "cohort_year" not in frame.columns:
                    frame, protected = frame.assign(year=latest), protected.assign(year=latest)
                frames[f"{name}@{period}"] = (_canonical(frame), _canonical(protected))
    engine.dispose()
    return frames


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns=SAME).reset_index(drop=True)


def _counts(name: str) -> set[str]:
    view = VIEWS[name.split("@")[0]]
    return {SAME.get(c, c) for c in view.counts}


def _keys(frame: pd.DataFrame) -> list[str]:
    return [k for k in KEYS if k in frame.columns]


def sum_pairs(frames) -> list[tuple[str, str, list[str], str]]:
    """(finer view, coarser view, the coarser view's keys, a count) wherever the coarser view's
    count is the finer view's summed over the keys the coarser one lacks."""
    pairs = []
    for fine_name, coarse_name in permutations(frames, 2):
        fine, coarse = frames[fine_name][0], frames[coarse_name][0]
        fine_keys, coarse_keys = _keys(fine), _keys(coarse)
        if not coarse_keys or not set(coarse_keys) < set(fine_keys) or fine.empty or coarse.empty:
            continue
        for count in sorted(_counts(fine_name) & _counts(coarse_name) & set(fine.columns) & set(coarse.columns)):
            summed = fine.groupby(coarse_keys, dropna=False)[count].sum().reset_index()
            matched = summed.merge(coarse[[*coarse_keys, count]], on=coarse_keys, suffixes=("", "_total"))
            if len(matched) == len(summed) and (matched[count] - matched[f"{count}_total"]).abs().max() < 1e-6:
                pairs.append((fine_name, coarse_name, coarse_keys, count))
    return pairs


def test_the_registry_has_the_sum_pairs_that_undid_the_old_protection(sample_frames):
    pairs = {(fine, coarse, count) for fine, coarse, _, count in sum_pairs(sample_frames)}
    # The ones the issue found: placements against the sector totals, outcomes and supply against the
    # per-sector views of the Outcomes page, enrolment against the Overview.
    assert ("placements@all", "placements_vs_gaps@all", "hired") in pairs
    assert ("outcomes@all", "in_field_vs_coverage@all", "employed") in pairs
    assert ("supply_demand@all", "effective_supply_by_sector@all", "supply") in pairs
    assert ("enrolment@all", "overview@all", "graduates") in pairs
    assert len(pairs) > 100


def test_no_hidden_count_is_given_back_by_a_shown_total_less_its_shown_parts(sample_frames):
    recovered, groups_checked = [], 0
    for fine_name, coarse_name, keys, count in sum_pairs(sample_frames):
        fine, fine_shown = sample_frames[fine_name]
        coarse, coarse_shown = sample_frames[coarse_name]
        by = keys[0] if len(keys) == 1 else keys
        totals = coarse_shown.set_index(by)[count]
        hidden = fine_shown[count].astype(str).str.startswith("<")
        for key, members in fine.groupby(by, dropna=False).groups.items():
            alone = [i for i in members if hidden[i]]
            if len(alone) != 1:
                continue
            total = totals.get(key)
            if total is None or pd.isna(total) or str(total).startswith("<"):
                continue  # the total is hidden too
            groups_checked += 1
            shown_parts = sum(
                float(fine_shown.at[i, count]) for i in members if not hidden[i] and pd.notna(fine_shown.at[i, count])
            )
            if abs(float(total) - shown_parts - float(fine.at[alone[0], count])) < 1e-6:
                recovered.append(f"{fine_name} {count} {key} = {fine.at[alone[0], count]} from {coarse_name}")
    assert groups_checked > 0
    assert recovered == []


def test_a_hidden_count_is_truly_small_and_every_shown_count_is_a_multiple_of_the_threshold(sample_frames):
    # Nothing is hidden for another's sake: "<5" always means 1 to 4.
    for name, (frame, shown) in sample_frames.items():
        for count in _counts(name):
            if count not in frame.columns:
                continue
            cells = shown[count].astype(object)
            hidden = cells.astype(str).str.startswith("<")
            true = pd.to_numeric(frame[count], errors="coerce")
            assert ((true[hidden] > 0) & (true[hidden] < THRESHOLD)).all(), (name, count)
            visible = pd.to_numeric(cells[~hidden], errors="coerce").dropna()
            assert (visible % THRESHOLD == 0).all(), (name, count)


# Rates and ratios as a reader of the protected files knows them: (numerator counts, denominator), a
# scale (placements per 100 openings) and an offset (growth is a ratio less one). Written out here by
# hand from the glossary, not taken from the code under test.
RATIOS = {
    "placement_hire_rate": (("hired",), ("students_placed",), 1, 0),
    "graduates_per_enrolled": (("graduates",), ("enrolled",), 1, 0),
    "job_rate": (("employed",), ("surveyed",), 1, 0),
    "employment_rate": (("employed", "further_study"), ("surveyed",), 1, 0),
    "in_field_rate": (("employed_in_field",), ("employed",), 1, 0),
    "self_employment_rate": (("self_employed",), ("surveyed",), 1, 0),
    "further_study_rate": (("further_study",), ("surveyed",), 1, 0),
    "coverage_ratio": (("supply",), ("demand",), 1, 0),
    "placed_per_100_openings": (("students_placed",), ("demand",), 100, 0),
    "enrolled_growth": (("enrolled",), ("enrolled_previous_year",), 1, -1),
    "capacity_use": (("students_placed",), ("placement_capacity", "years_hosting"), 1, 0),
}


def _shown_range(cell: object, is_count: bool) -> range | None:
    """The whole values a protected cell allows: "<5" is 1-4, a rounded count c is c-2..c+2 (5 and up),
    0 is 0, an exact figure is itself; None when blank or not whole."""
    text = "" if cell is None or (isinstance(cell, float) and cell != cell) else str(cell)
    if text.startswith("<"):
        return range(1, THRESHOLD)
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None
    if value.denominator != 1:
        return None
    value = int(value)
    if not is_count or value == 0:
        return range(value, value + 1)
    return range(max(value - THRESHOLD // 2, THRESHOLD), value + THRESHOLD // 2 + 1)


def _rate_interval(cell: object, scale: int, offset: int) -> tuple[Fraction, Fraction] | None:
    """The interval of true ratios n/d a shown rate allows, by the decimals it is written with."""
    if cell is None or (isinstance(cell, float) and cell != cell) or str(cell) in ("", "nan"):
        return None
    text = repr(float(cell)).removesuffix(".0") if isinstance(cell, float) else str(cell)  # as the CSV writes it
    value = Fraction(text)
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0 if "e" not in text else 17
    half = Fraction(1, 2 * 10**decimals)
    return ((value - half) / scale - offset, (value + half) / scale - offset)


def recovered_counts(shown: pd.DataFrame, counts: set[str]) -> list[tuple[int, str, int]]:
    """(row, count, value) for every rounded count that the row's shown rates narrow to one whole value,
    by brute force: every whole numerator and denominator the rounded counts allow, kept when every
    shown rate on them rounds to what is written, until nothing changes."""
    found = []
    rates = {
        r: spec for r, spec in RATIOS.items() if r in shown.columns and all(c in shown.columns for c in (*spec[0], *spec[1]))
    }
    if not rates:
        return found
    for row in range(len(shown)):
        options = {}
        for numerator, denominator, _, _ in rates.values():
            for column in (*numerator, *denominator):
                if column not in options:
                    allowed = _shown_range(shown.at[row, column], column in counts)
                    options[column] = None if allowed is None else set(allowed)
        changed = True
        while changed:
            changed = False
            for rate, (numerator, denominator, scale, offset) in rates.items():
                interval = _rate_interval(shown.at[row, rate], scale, offset)
                if interval is None or any(options[c] is None for c in (*numerator, *denominator)):
                    continue
                low, high = interval
                keep = {c: set() for c in (*numerator, *denominator)}
                for nums in product(*[sorted(options[c]) for c in numerator]):
                    for dens in product(*[sorted(options[c]) for c in denominator]):
                        d = 1
                        for value in dens:
                            d *= value
                        if d > 0 and low * d <= sum(nums) <= high * d:
                            for c, v in zip((*numerator, *denominator), (*nums, *dens)):
                                keep[c].add(v)
                for column, values in keep.items():
                    if values and values != options[column]:
                        options[column], changed = values, True
        for column, values in options.items():
            allowed = _shown_range(shown.at[row, column], column in counts)
            if column in counts and values is not None and len(values) == 1 and allowed is not None and len(allowed) > 1:
                found.append((row, column, next(iter(values))))
    return found


def test_rates_are_published_to_a_whole_percent_and_give_no_count_back(sample_frames):
    recovered, rates_shown = [], 0
    for name, (frame, shown) in sample_frames.items():
        counts = _counts(name) | {"enrolled_previous_year"}
        for rate in RATIOS:
            if rate in shown.columns:
                values = pd.to_numeric(shown[rate], errors="coerce").dropna()
                rates_shown += len(values)
                steps = values if rate in ("placed_per_100_openings",) else values * 100
                assert ((steps - steps.round()).abs() < 1e-9).all(), (name, rate)
        for row, column, value in recovered_counts(shown, counts):
            if value == frame.at[row, column]:  # a fraction (a crosswalk share) is "recovered" wrongly: no leak
                recovered.append((name, row, column, value))
    assert rates_shown > 1000  # protection still shows most rates
    assert recovered == []


def test_the_attack_recovers_exact_counts_from_unrounded_rates():
    # Hired 41 of 195 placed, shown 40 of 195: the exact rate gives both back; 21% does not.
    exact = pd.DataFrame({"students_placed": [195], "hired": [40], "placement_hire_rate": [41 / 195]})
    assert sorted(recovered_counts(exact, {"students_placed", "hired"})) == [(0, "hired", 41), (0, "students_placed", 195)]
    rounded = exact.assign(placement_hire_rate=0.21)
    assert recovered_counts(rounded, {"students_placed", "hired"}) == []
