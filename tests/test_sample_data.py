"""The bundled sample region (sample_data/) is what its generator writes, and it has what the Planning page
needs to show something: entrants that feed the graduates one program length later, one program with weak
outcomes everywhere it is taught, and one sector whose openings outrun its supply. The numbers are those
sample_data/README.md states; read from the CSV files, without a database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {path.stem: pd.read_csv(path) for path in SAMPLE.glob("*.csv")}


def test_the_generator_writes_exactly_the_bundled_files(tmp_path):
    subprocess.run([sys.executable, str(SAMPLE / "generate.py"), "--out", str(tmp_path)], check=True, capture_output=True)
    written = sorted(p.name for p in tmp_path.glob("*.csv"))
    assert written == sorted(p.name for p in SAMPLE.glob("*.csv"))
    for name in written:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def entrants_and_their_graduates(tables) -> pd.DataFrame:
    """Each enrolment row's graduates next to the entrants of the same program and institution
    duration_years earlier (rows whose entry year is before the data have no pair)."""
    rows = tables["enrolments"].merge(tables["programs"][["program_code", "duration_years"]], on="program_code")
    entry = rows[["year", "institution_id", "program_code", "entrants"]].rename(columns={"year": "entry_year"})
    rows = rows.assign(entry_year=rows["year"] - rows["duration_years"])
    return rows.merge(entry, on=["entry_year", "institution_id", "program_code"], suffixes=("", "_at_entry"))


def test_every_program_has_a_length_and_every_enrolment_row_its_entrants(tables):
    programs, enrolments = tables["programs"], tables["enrolments"]
    # 136 three-year programs; 45 one-year courses: the 40 one-year versions P142-P181 and 5 only adult centres teach.
    assert programs["duration_years"].value_counts().to_dict() == {3: 136, 1: 45}
    one_year_versions = programs[programs["program_name"].str.endswith(" (one-year course)")]
    assert list(one_year_versions["program_code"]) == [f"P{n}" for n in range(142, 182)]
    assert enrolments["entrants"].notna().all() and (enrolments["entrants"] > 0).all()
    # The first class of a program opened in 2019-2020 starts before anyone of it is enrolled: 11 such rows.
    assert ((enrolments["enrolled"] == 0) & (enrolments["graduates"] == 0)).sum() == 11


def test_graduates_are_the_entrants_one_program_length_earlier_times_a_believable_completion(tables):
    pairs = entrants_and_their_graduates(tables)
    # Completion is drawn per row, 0.84-0.93 (three years) or 0.74-0.90 (one year); rounding small classes
    # moves a row's ratio to at most 0.70-0.95.
    ratio = pairs["graduates"] / pairs["entrants_at_entry"]
    assert ratio.between(0.69, 0.96).all()
    # As a planner computes it (sum of graduates / sum of entrants duration_years earlier): 0.873 overall,
    # 0.886 for three-year programs, 0.823 for one-year courses, 0.798-0.908 per program.
    assert pairs["graduates"].sum() / pairs["entrants_at_entry"].sum() == pytest.approx(0.873, abs=0.001)
    by_length = pairs.groupby("duration_years")[["graduates", "entrants_at_entry"]].sum()
    completion = by_length["graduates"] / by_length["entrants_at_entry"]
    assert completion.round(3).to_dict() == {1: 0.823, 3: 0.886}
    by_program = pairs.groupby("program_code")[["graduates", "entrants_at_entry"]].sum()
    assert (by_program["graduates"] / by_program["entrants_at_entry"]).between(0.79, 0.92).all()


def destination_rates(outcomes: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    sums = outcomes.groupby(by)[["surveyed", "employed", "further_study"]].sum()
    return sums.assign(rate=(sums["employed"] + sums["further_study"]) / sums["surveyed"])


def test_banking_services_is_the_one_program_with_weak_outcomes_at_every_institution(tables):
    last_two = tables["outcomes"][tables["outcomes"]["cohort_year"].isin([2023, 2024])]
    per_institution = destination_rates(last_two, ["program_code", "institution_id", "cohort_year"])
    weak_everywhere = per_institution.groupby("program_code")["rate"].max() < 0.60
    assert list(weak_everywhere[weak_everywhere].index) == ["P088"]
    banking = per_institution.loc["P088"]
    # At INS003 and INS014: 2023 26/47 and 28/54, 2024 22/47 and 24/47 destinations secured, 47-54 surveyed each.
    assert sorted(banking.index.get_level_values("institution_id").unique()) == ["INS003", "INS014"]
    assert (banking["surveyed"] >= 40).all()
    pooled = destination_rates(tables["outcomes"][tables["outcomes"]["program_code"] == "P088"], ["cohort_year"])["rate"]
    # 2019-2021 like any program (0.78-0.82), then 69/101, 54/101, 46/94.
    assert pooled.round(3).to_dict() == {2019: 0.802, 2020: 0.781, 2021: 0.817, 2022: 0.683, 2023: 0.535, 2024: 0.489}


def test_ict_openings_grow_faster_than_eight_percent_a_year_and_the_shortage_widens(tables):
    demand, enrolments, programs = tables["demand"], tables["enrolments"], tables["programs"]
    openings = demand[demand["sector_code"] == "J"].groupby("year")["openings"].sum()
    ict = enrolments.merge(programs[["program_code", "sector_code"]], on="program_code").query("sector_code == 'J'")
    graduates = ict.groupby("year")["graduates"].sum()
    entrants = ict.groupby("year")["entrants"].sum()
    assert openings.to_dict() == {2019: 1389, 2020: 1562, 2021: 1722, 2022: 1919, 2023: 2131, 2024: 2351, 2025: 2655}
    assert (openings.pct_change().dropna() >= 0.08).all()  # +12.5, 10.2, 11.4, 11.0, 10.3, 12.9 %
    gap = graduates - openings
    assert gap.to_dict() == {2019: -453, 2020: -602, 2021: -661, 2022: -688, 2023: -787, 2024: -972, 2025: -1253}
    assert (gap.diff().dropna() < 0).all()
    # Supply lags: entrants 1,388 -> 1,692 (3.4 % a year), so the graduates of 2026-2028 cannot keep up.
    assert (entrants[2025] / entrants[2019]) ** (1 / 6) - 1 == pytest.approx(0.034, abs=0.001)
