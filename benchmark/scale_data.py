"""Generate a national-scale data set in the contract format, for the benchmark.

The nine contract CSVs (regions, sectors, institutions, programs, employers,
enrolments, placements, outcomes, demand) are written into ``--out DIR``.
Every random draw comes from one ``numpy.random.Generator`` seeded with
``--seed``, so the same parameters always write byte-identical files.

Parameters (the defaults are the national scale of the benchmark; ``--scale``
multiplies regions, institutions, programs and employers together, so
``--scale 0.01`` gives a small set for tests):

- ``--regions`` (300): regions of very different economic weight (log-normal).
- the 21 ISIC Rev.4 sections A..U are always the sectors.
- ``--institutions`` (3,000): four institution types, placed in regions by weight.
- ``--programs`` (400): each in one sector (popular sectors have more), with a level.
- ``--offerings`` (30): programs an institution teaches on average (20..40 at
  national scale), kept every year: enrolments ~ institutions x offerings x years.
- ``--years`` (11) ending with ``--last-year`` (2025). Outcomes are surveyed for
  every cohort but the latest (the survey lags a year).
- ``--employers`` (20 per institution = 60,000): in sectors and regions by weight;
  partner_since and placement_capacity are sometimes empty, as they are optional.
- placements: every offering keeps ``--partners`` (3) partner employers of its
  program's sector; each hosts its students in a given year with probability 2/3,
  so placements ~ 2 x enrolments.
- demand: every (year, region, sector); openings follow the region's supply in
  that sector times a sector-specific coverage target, so there are shortages
  and surpluses.

At the defaults this writes about 1 million enrolment rows, 0.9 million outcome
rows, 2 million placement rows, 60,000 employers and 70,000 demand rows.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SECTORS = {
    "A": "Agriculture, forestry and fishing",
    "B": "Mining and quarrying",
    "C": "Manufacturing",
    "D": "Electricity, gas, steam and air conditioning supply",
    "E": "Water supply; sewerage, waste management and remediation activities",
    "F": "Construction",
    "G": "Wholesale and retail trade; repair of motor vehicles and motorcycles",
    "H": "Transportation and storage",
    "I": "Accommodation and food service activities",
    "J": "Information and communication",
    "K": "Financial and insurance activities",
    "L": "Real estate activities",
    "M": "Professional, scientific and technical activities",
    "N": "Administrative and support service activities",
    "O": "Public administration and defence; compulsory social security",
    "P": "Education",
    "Q": "Human health and social work activities",
    "R": "Arts, entertainment and recreation",
    "S": "Other service activities",
    "T": "Activities of households as employers; undifferentiated goods- and services-producing activities of households for own use",
    "U": "Activities of extraterritorial organizations and bodies",
}
# Relative weight of each sector in programs, employers and openings (manufacturing,
# trade, health and construction large; households and extraterritorial bodies tiny).
SECTOR_WEIGHT = np.array([4, 1, 14, 1, 1, 8, 10, 6, 7, 6, 3, 2, 4, 4, 3, 5, 9, 2, 3, 0.3, 0.1])
INSTITUTION_TYPES = ("Secondary vocational school", "Higher vocational college", "Technician college", "Adult training centre")
TYPE_SHARE = np.array([0.45, 0.25, 0.15, 0.15])
LEVELS = ("secondary", "higher", "")
LEVEL_SHARE = np.array([0.5, 0.4, 0.1])
REGION_WORDS = ("North", "South", "East", "West", "Upper", "Lower", "New", "Old", "Lake", "River", "Hill", "Coast")
EMPLOYER_WORDS = ("Works", "Group", "Services", "Holdings", "Cooperative", "Partners", "Industries", "Centre")

NATIONAL = {"regions": 300, "institutions": 3000, "programs": 400, "employers": 60_000}


@dataclass(frozen=True)
class ScaleParameters:
    """How big the generated data set is; see the module docstring."""

    regions: int = 300
    institutions: int = 3000
    programs: int = 400
    employers: int = 60_000
    offerings: int = 30
    partners: int = 3
    years: int = 11
    last_year: int = 2025
    seed: int = 20240601

    @classmethod
    def scaled(cls, scale: float, **overrides) -> ScaleParameters:
        """The national scale times ``scale`` (at least 2 regions and institutions, 21 programs)."""
        sizes = {
            "regions": max(2, round(NATIONAL["regions"] * scale)),
            "institutions": max(2, round(NATIONAL["institutions"] * scale)),
            "programs": max(len(SECTORS), round(NATIONAL["programs"] * scale)),
            "employers": max(len(SECTORS), round(NATIONAL["employers"] * scale)),
        }
        sizes.update({name: value for name, value in overrides.items() if value is not None})
        return cls(**sizes)


def _codes(prefix: str, count: int) -> np.ndarray:
    width = max(3, len(str(count)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, count + 1)], dtype=object)


def _weights(rng: np.random.Generator, count: int, sigma: float) -> np.ndarray:
    weights = rng.lognormal(0.0, sigma, count)
    return weights / weights.sum()


def generate(parameters: ScaleParameters) -> dict[str, pd.DataFrame]:
    """The nine tables for ``parameters``, as DataFrames in contract column order."""
    p = parameters
    rng = np.random.default_rng(p.seed)
    years = np.arange(p.last_year - p.years + 1, p.last_year + 1)
    sector_codes = np.array(list(SECTORS), dtype=object)
    sector_share = SECTOR_WEIGHT / SECTOR_WEIGHT.sum()

    # Regions: log-normal economic weight; every fifth has a name in Chinese script.
    region_codes = _codes("R", p.regions)
    region_weight = _weights(rng, p.regions, 0.9)
    region_names = [
        f"第{i}区"
        if i % 5 == 0
        else f"{REGION_WORDS[i % len(REGION_WORDS)]} {REGION_WORDS[(i // 12) % len(REGION_WORDS)]}dale {i}"
        for i in range(1, p.regions + 1)
    ]
    regions = pd.DataFrame({"region_code": region_codes, "region_name": region_names})
    sectors = pd.DataFrame({"sector_code": sector_codes, "sector_name": list(SECTORS.values())})

    # Programs: every sector has at least one, the rest by sector weight.
    program_codes = _codes("P", p.programs)
    program_sector = np.concatenate(
        [np.arange(len(SECTORS)), rng.choice(len(SECTORS), p.programs - len(SECTORS), p=sector_share)]
    )
    program_level = rng.choice(len(LEVELS), p.programs, p=LEVEL_SHARE)
    programs = pd.DataFrame(
        {
            "program_code": program_codes,
            "program_name": [
                f"{SECTORS[sector_codes[s]].split(',')[0].split(';')[0]} program {i + 1}" for i, s in enumerate(program_sector)
            ],
            "sector_code": sector_codes[program_sector],
            "level": np.array(LEVELS, dtype=object)[program_level],
            "duration_years": 3,  # as the enrolments below: about a third of the enrolled graduate each year
        }
    )

    # Institutions.
    institution_ids = _codes("I", p.institutions)
    institution_region = rng.choice(p.regions, p.institutions, p=region_weight)
    institution_type = rng.choice(len(INSTITUTION_TYPES), p.institutions, p=TYPE_SHARE)
    institutions = pd.DataFrame(
        {
            "institution_id": institution_ids,
            "institution_name": [
                f"{region_names[r]} {INSTITUTION_TYPES[t]} {i + 1}"
                for i, (r, t) in enumerate(zip(institution_region, institution_type))
            ],
            "region_code": region_codes[institution_region],
            "institution_type": np.array(INSTITUTION_TYPES, dtype=object)[institution_type],
        }
    )

    # Employers: sector by weight (every sector at least one), region by weight.
    employer_ids = _codes("E", p.employers)
    employer_sector = np.concatenate(
        [np.arange(len(SECTORS)), rng.choice(len(SECTORS), p.employers - len(SECTORS), p=sector_share)]
    )
    employer_region = rng.choice(p.regions, p.employers, p=region_weight)
    partner_since = pd.array(rng.integers(years[0] - 15, p.last_year + 1, p.employers), dtype="Int64")
    partner_since[rng.random(p.employers) < 0.1] = pd.NA
    capacity = pd.array(rng.integers(2, 60, p.employers), dtype="Int64")
    capacity[rng.random(p.employers) < 0.2] = pd.NA
    employers = pd.DataFrame(
        {
            "employer_id": employer_ids,
            "employer_name": [
                f"{region_names[r].split(' ')[0]} {SECTORS[sector_codes[s]].split(' ')[0].strip(',;')} {EMPLOYER_WORDS[i % len(EMPLOYER_WORDS)]} {i + 1}"
                for i, (r, s) in enumerate(zip(employer_region, employer_sector))
            ],
            "sector_code": sector_codes[employer_sector],
            "region_code": region_codes[employer_region],
            "partner_since": partner_since,
            "placement_capacity": capacity,
        }
    )

    # Offerings: each institution teaches 2/3..4/3 x ``offerings`` distinct programs.
    low, high = max(1, round(p.offerings * 2 / 3)), max(1, round(p.offerings * 4 / 3))
    per_institution = np.minimum(rng.integers(low, high + 1, p.institutions), p.programs)
    offer_institution = np.repeat(np.arange(p.institutions), per_institution)
    offer_program = np.concatenate([rng.choice(p.programs, n, replace=False, p=None) for n in per_institution])
    offerings = len(offer_institution)
    intake = rng.lognormal(math.log(40), 0.6, offerings)
    growth = rng.normal(0.01, 0.04, offerings)

    # Enrolments: every offering every year; graduates about a third of enrolled.
    t = np.arange(p.years)
    enrolled = np.maximum(
        1, np.round(3 * intake[:, None] * (1 + growth[:, None]) ** t[None, :] * rng.normal(1, 0.05, (offerings, p.years)))
    ).astype(np.int64)
    graduates = np.minimum(enrolled, np.round(enrolled * rng.uniform(0.25, 0.36, (offerings, p.years)))).astype(np.int64)
    enrol_inst = np.repeat(offer_institution, p.years)
    enrol_prog = np.repeat(offer_program, p.years)
    enrol_year = np.tile(years, offerings)
    enrolments = pd.DataFrame(
        {
            "year": enrol_year,
            "institution_id": institution_ids[enrol_inst],
            "program_code": program_codes[enrol_prog],
            "enrolled": enrolled.ravel(),
            "graduates": graduates.ravel(),
            # The yearly intake without the noise (drawing none keeps every later draw of the generator as it was).
            "entrants": np.round(intake[:, None] * (1 + growth[:, None]) ** t[None, :]).astype(np.int64).ravel(),
        }
    )

    # Outcomes: every cohort but the latest; the parts always add up within the contract's rules.
    surveyed_years = p.years - 1
    grads = graduates[:, :surveyed_years].ravel()
    surveyed = np.round(grads * rng.uniform(0.7, 0.95, grads.size)).astype(np.int64)
    quality = np.repeat(rng.uniform(0.75, 0.97, offerings), surveyed_years)
    employed = np.round(surveyed * quality * rng.uniform(0.8, 0.95, grads.size)).astype(np.int64)
    further = np.round((surveyed - employed) * rng.uniform(0.2, 0.6, grads.size)).astype(np.int64)
    unemployed = np.round((surveyed - employed - further) * rng.uniform(0.7, 1.0, grads.size)).astype(np.int64)
    in_field = np.round(employed * rng.uniform(0.4, 0.9, grads.size)).astype(np.int64)
    self_employed = np.round(employed * rng.uniform(0.0, 0.08, grads.size)).astype(np.int64)
    wage = np.round(rng.lognormal(math.log(4500), 0.25, grads.size), -1)
    wage_column = pd.array(wage, dtype="Float64")
    wage_column[(rng.random(grads.size) < 0.05) | (employed == 0)] = pd.NA
    outcomes = pd.DataFrame(
        {
            "cohort_year": np.tile(years[:surveyed_years], offerings),
            "institution_id": institution_ids[np.repeat(offer_institution, surveyed_years)],
            "program_code": program_codes[np.repeat(offer_program, surveyed_years)],
            "surveyed": surveyed,
            "employed": employed,
            "employed_in_field": in_field,
            "self_employed": self_employed,
            "further_study": further,
            "unemployed": unemployed,
            "median_monthly_wage": wage_column,
        }
    )

    # Placements: ``partners`` employers of the program's sector per offering; each hosts with probability 2/3 a year.
    order = np.argsort(employer_sector, kind="stable")
    per_sector = np.bincount(employer_sector, minlength=len(SECTORS))
    first_of_sector = np.concatenate([[0], np.cumsum(per_sector)[:-1]])
    offer_sector = program_sector[offer_program]
    pick = rng.random((offerings, p.partners))
    partner = order[first_of_sector[offer_sector][:, None] + (pick * per_sector[offer_sector][:, None]).astype(np.int64)]
    hosts = rng.random((offerings, p.partners, p.years)) < 2 / 3
    o_index, k_index, y_index = np.nonzero(hosts)
    placements = pd.DataFrame(
        {
            "year": years[y_index],
            "institution_id": institution_ids[offer_institution[o_index]],
            "program_code": program_codes[offer_program[o_index]],
            "employer_id": employer_ids[partner[o_index, k_index]],
        }
    )
    students = np.maximum(1, np.round(graduates[o_index, y_index] / p.partners * rng.uniform(0.5, 1.5, o_index.size))).astype(
        np.int64
    )
    placements["students_placed"] = students
    placements["hired"] = np.round(students * rng.uniform(0.1, 0.7, o_index.size)).astype(np.int64)
    placements = placements.drop_duplicates(["year", "institution_id", "program_code", "employer_id"]).reset_index(drop=True)

    # Demand: every (year, region, sector); openings = local supply x the sector's coverage target, plus a floor by weight.
    supply = np.zeros((p.years, p.regions, len(SECTORS)))
    np.add.at(
        supply,
        (np.searchsorted(years, enrol_year), institution_region[enrol_inst], program_sector[enrol_prog]),
        graduates.ravel(),
    )
    coverage_target = rng.uniform(0.6, 1.5, len(SECTORS))
    floor = 5 * region_weight[None, :, None] * p.regions * sector_share[None, None, :] * len(SECTORS)
    openings = np.round((supply / coverage_target[None, None, :] + floor) * rng.normal(1, 0.1, supply.shape).clip(0.5)).astype(
        np.int64
    )
    y, r, s = np.meshgrid(np.arange(p.years), np.arange(p.regions), np.arange(len(SECTORS)), indexing="ij")
    employment = pd.array(np.round(openings * rng.uniform(8, 15, openings.shape)).astype(np.int64).ravel(), dtype="Int64")
    employment[rng.random(employment.size) < 0.05] = pd.NA
    demand = pd.DataFrame(
        {
            "year": years[y.ravel()],
            "region_code": region_codes[r.ravel()],
            "sector_code": sector_codes[s.ravel()],
            "openings": openings.ravel(),
            "employment": employment,
        }
    )
    return {
        "regions": regions,
        "sectors": sectors,
        "institutions": institutions,
        "programs": programs,
        "employers": employers,
        "enrolments": enrolments,
        "placements": placements,
        "outcomes": outcomes,
        "demand": demand,
    }


def write(tables: dict[str, pd.DataFrame], out: Path) -> dict[str, int]:
    """Write each table as ``out/<table>.csv`` (UTF-8, no index); returns the rows per table."""
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")
    return {name: len(frame) for name, frame in tables.items()}


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m benchmark.scale_data --out DIR [--scale S] [--regions N] ...``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write the nine CSVs into")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplier of the national scale (default 1)")
    for name in ("regions", "institutions", "programs", "employers", "offerings", "partners", "years", "last-year", "seed"):
        parser.add_argument(f"--{name}", type=int, default=None, help=f"override {name} (see the module docstring)")
    args = parser.parse_args(argv)
    overrides = {
        name: getattr(args, name.replace("-", "_"))
        for name in ("regions", "institutions", "programs", "employers", "offerings", "partners", "years", "last_year", "seed")
    }
    counts = write(generate(ScaleParameters.scaled(args.scale, **overrides)), args.out)
    for name, rows in counts.items():
        print(f"{name}: {rows:,} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
