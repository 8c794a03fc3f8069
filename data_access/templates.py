"""CSV templates of the contract tables: for each table a file with the contract's header, in
contract order, and one example row, written by the contract's CSV rules (UTF-8 with BOM, see
``snapshot.csv_bytes``), and a zip of all of them.

The example rows fit together: every code one of them refers to is the key of another, so the
templates of a table and of the tables it refers to pass validation as they are. Names in the
examples are in the language asked for; codes, numbers and column names never change.
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from .contract import LOAD_ORDER, TABLES
from .i18n import translate
from .snapshot import csv_bytes

ZIP_NAME = "templates.zip"


class Named(str):
    """An example value that is a name: the key of its text in ``[templates]``, said in the template's language."""


# One example row per table, by column (every contract column, optional ones too, so the header shows them).
EXAMPLES: dict[str, dict[str, object]] = {
    "regions": {"region_code": "R01", "region_name": Named("example_region")},
    "sectors": {"sector_code": "C", "sector_name": Named("example_sector"), "replacement_rate": 0.1, "expected_share": 1},
    "institutions": {
        "institution_id": "I001",
        "institution_name": Named("example_institution"),
        "region_code": "R01",
        "institution_type": Named("example_institution_type"),
    },
    "programs": {
        "program_code": "P001",
        "program_name": Named("example_program"),
        "sector_code": "C",
        "level": Named("example_level"),
        "duration_years": 3,
    },
    "program_sectors": {"program_code": "P001", "sector_code": "C", "share": 1},
    "employers": {
        "employer_id": "E001",
        "employer_name": Named("example_employer"),
        "sector_code": "C",
        "region_code": "R01",
        "partner_since": 2018,
        "placement_capacity": 20,
    },
    "enrolments": {
        "year": 2024,
        "institution_id": "I001",
        "program_code": "P001",
        "enrolled": 120,
        "graduates": 35,
        "entrants": 40,
    },
    "placements": {
        "year": 2024,
        "institution_id": "I001",
        "program_code": "P001",
        "employer_id": "E001",
        "students_placed": 12,
        "hired": 5,
    },
    "outcomes": {
        "cohort_year": 2024,
        "institution_id": "I001",
        "program_code": "P001",
        "surveyed": 30,
        "employed": 22,
        "employed_in_field": 18,
        "self_employed": 2,
        "further_study": 4,
        "unemployed": 4,
        "median_monthly_wage": 4500,
    },
    "demand": {"year": 2024, "region_code": "R01", "sector_code": "C", "openings": 60, "employment": 1200},
}
assert all(list(EXAMPLES[name]) == list(spec.column_names) for name, spec in TABLES.items())


def file_name(table: str) -> str:
    """The template's file name: the table's own, so that a filled-in template loads as it is."""
    return TABLES[table].file_name


def template_frame(table: str, language: str) -> pd.DataFrame:
    """The contract's columns of ``table`` in contract order, with the example row (names in ``language``)."""
    row = {
        column: translate(language, f"templates.{value}") if isinstance(value, Named) else value
        for column, value in EXAMPLES[table].items()
    }
    return pd.DataFrame([row], columns=list(TABLES[table].column_names))


def template_csv(table: str, language: str) -> bytes:
    """The template of ``table`` as a CSV file."""
    return csv_bytes(template_frame(table, language))


def templates_zip(language: str) -> bytes:
    """Every table's template, in load order, in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in LOAD_ORDER:
            archive.writestr(file_name(table), template_csv(table, language))
    return buffer.getvalue()


def referenced_tables(table: str) -> list[str]:
    """The tables whose rows ``table``'s rows refer to, directly or through another, in load order."""
    needed: set[str] = set()
    waiting = [table]
    while waiting:
        for reference in TABLES[waiting.pop()].references:
            if reference.table not in needed:
                needed.add(reference.table)
                waiting.append(reference.table)
    return [name for name in LOAD_ORDER if name in needed]
