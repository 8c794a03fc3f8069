"""Broken files through the path the Data page takes (ui.uploads, then
validate_for_load and load_sources): each gets the precise message the command
line prints, ``FILE:LINE: COLUMN: message``, and changes nothing; the encodings
and workbooks Excel writes load."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from data_access.loading import load_sources, validate_for_load
from data_access.models import CONTRACT_MODELS
from tests.conftest import data_version, table_rows
from ui.uploads import BY_FILE_NAME, UploadedTable, preview_frame, problems_frame, sources_for, unmapped_files

ENROLMENTS_HEADER = ["year", "institution_id", "program_code", "enrolled", "graduates"]
OUTCOMES_HEADER = (
    "cohort_year,institution_id,program_code,surveyed,employed,employed_in_field,self_employed,further_study,unemployed"
)


def csv_upload(name: str, lines: list[str], *, encoding: str = "utf-8", choice: str = BY_FILE_NAME) -> UploadedTable:
    return UploadedTable(name, ("\n".join(lines) + "\n").encode(encoding), choice)


def workbook_upload(name: str, sheets: dict[str, list[list]], *, merge: str | None = None) -> UploadedTable:
    """An .xlsx built with openpyxl: one sheet per entry, rows as given; ``merge`` merges cells of the first sheet."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    if merge:
        book.worksheets[0].merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return UploadedTable(name, out.getvalue())


def assert_refused(engine, uploads: list[UploadedTable], expected: list[str]) -> None:
    """Checking lists exactly ``expected``; loading lists the same and writes nothing."""
    rows_before, version_before = table_rows(engine), data_version(engine)
    sources = sources_for(uploads)
    assert [str(p) for p in validate_for_load(engine, sources).problems] == expected
    outcome = load_sources(engine, sources, loaded_by="test")
    assert not outcome.ok
    assert [str(p) for p in outcome.validation.problems] == expected
    assert table_rows(engine) == rows_before
    assert data_version(engine) == version_before


def assert_loads(engine, uploads: list[UploadedTable]) -> dict:
    """Checking finds nothing; loading writes and raises the data version by one. Returns the counts."""
    version_before = data_version(engine)
    sources = sources_for(uploads)
    assert validate_for_load(engine, sources).ok
    outcome = load_sources(engine, sources, loaded_by="test")
    assert outcome.ok, outcome.validation.report_lines()
    assert data_version(engine) == version_before + 1
    return outcome.counts


def stored(engine, table: str, column: str) -> list:
    model = CONTRACT_MODELS[table]
    with engine.connect() as connection:
        return list(connection.execute(select(getattr(model, column)).order_by(getattr(model, column))).scalars())


def test_wrong_columns_name_each_missing_column_and_what_was_found(tiny_engine):
    assert_refused(
        tiny_engine,
        [csv_upload("enrolments.csv", ["year,inst,program_code,enrolled", "2024,I1,P1,5"])],
        [
            "enrolments.csv:1: institution_id: required column missing from the header; found: year, inst, program_code, enrolled",
            "enrolments.csv:1: graduates: required column missing from the header; found: year, inst, program_code, enrolled",
        ],
    )


def test_a_semicolon_separated_file_is_told_to_use_commas(tiny_engine):
    problems = validate_for_load(
        tiny_engine, sources_for([csv_upload("regions.csv", ["region_code;region_name", "R9;Far"])])
    ).problems
    assert str(problems[0]) == (
        "regions.csv:1: region_code: required column missing from the header (the header looks "
        "separated by semicolons or tabs; expected commas); found: region_code;region_name"
    )


def test_wrong_types_are_reported_cell_by_cell(tiny_engine):
    assert_refused(
        tiny_engine,
        [csv_upload("enrolments.csv", [",".join(ENROLMENTS_HEADER), "2024,I1,P1,abc,1.5", "2o24,I1,P2,3,1"])],
        [
            "enrolments.csv:2: enrolled: expected a whole number of 0 or more, found 'abc'",
            "enrolments.csv:2: graduates: expected a whole number of 0 or more, found '1.5'",
            "enrolments.csv:3: year: expected a whole year from 1990 to 2100, found '2o24'",
        ],
    )


def test_negative_counts_are_refused(tiny_engine):
    assert_refused(
        tiny_engine,
        [
            csv_upload(
                "placements.csv", ["year,institution_id,program_code,employer_id,students_placed,hired", "2024,I1,P1,E1,-4,0"]
            )
        ],
        [
            "placements.csv:2: students_placed: expected a whole number of 0 or more, found '-4'",
        ],
    )


def test_broken_references_name_the_unknown_code_and_where_it_was_looked_for(tiny_engine):
    assert_refused(
        tiny_engine,
        [csv_upload("enrolments.csv", [",".join(ENROLMENTS_HEADER), "2024,I1,P1,10,2", "2024,I9,P1,10,2"])],
        [
            "enrolments.csv:3: institution_id: unknown institution_id 'I9': expected one of the institution_id values of "
            "institutions.csv in this load or already stored",
        ],
    )


def test_duplicate_keys_point_to_the_line_of_the_first_one(tiny_engine):
    assert_refused(
        tiny_engine,
        [csv_upload("enrolments.csv", [",".join(ENROLMENTS_HEADER), "2024,I1,P1,5,1", "2024,I1,P1,6,1"])],
        [
            "enrolments.csv:3: year,institution_id,program_code: duplicate key (2024, I1, P1): the same key is on line 2",
        ],
    )


def test_inconsistent_outcome_counts_show_the_sums(tiny_engine):
    assert_refused(
        tiny_engine,
        [csv_upload("outcomes.csv", [OUTCOMES_HEADER, "2024,I1,P1,10,8,9,0,2,1"])],
        [
            "outcomes.csv:2: surveyed: employed + further_study + unemployed = 11 must not exceed surveyed (10)",
            "outcomes.csv:2: employed_in_field: employed_in_field (9) must not exceed employed (8)",
        ],
    )


def test_more_hires_than_students_placed_are_refused(tiny_engine):
    assert_refused(
        tiny_engine,
        [
            csv_upload(
                "placements.csv", ["year,institution_id,program_code,employer_id,students_placed,hired", "2024,I1,P1,E1,3,4"]
            )
        ],
        [
            "placements.csv:2: hired: hired (4) must not exceed students_placed (3)",
        ],
    )


def test_an_empty_file_asks_for_the_header(tiny_engine):
    assert_refused(
        tiny_engine,
        [UploadedTable("enrolments.csv", b"")],
        [
            "enrolments.csv:1: -: file is empty: expected a header row with year, institution_id, program_code, enrolled, graduates, entrants",
        ],
    )


@pytest.mark.parametrize(
    "name, expected",
    [
        ("enrolments.csv", "enrolments.csv:1: -: cannot read: file holds binary data, not CSV text"),
        (
            "enrolments.xlsx",
            "enrolments.xlsx:1: -: cannot read the workbook: File is not a zip file; save it again from "
            "Excel as .xlsx, or as CSV",
        ),
    ],
)
def test_a_binary_file_is_refused_whatever_its_name_says(tiny_engine, name, expected):
    assert_refused(tiny_engine, [UploadedTable(name, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")], [expected])


def test_one_broken_file_keeps_every_other_file_of_the_upload_out(tiny_engine):
    good = csv_upload("regions.csv", ["region_code,region_name", "R9,Far North"])
    broken = csv_upload("enrolments.csv", [",".join(ENROLMENTS_HEADER), "2024,I1,P1,10,-1"])
    assert_refused(tiny_engine, [good, broken], ["enrolments.csv:2: graduates: expected a whole number of 0 or more, found '-1'"])
    assert "R9" not in stored(tiny_engine, "regions", "region_code")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_utf8_with_bom_and_gb18030_files_load_and_preview_with_their_chinese_names(tiny_engine, encoding):
    upload = csv_upload(
        "Institutions.CSV",
        ["institution_id,institution_name,region_code,institution_type", "I3,北京市第一职业学校,R1,school"],
        encoding=encoding,
    )
    preview, why = preview_frame(upload)
    assert why is None and list(preview.columns)[0] == "institution_id"
    assert preview.loc[0, "institution_name"] == "北京市第一职业学校"
    assert assert_loads(tiny_engine, [upload])["institutions"]["added"] == 1
    assert "北京市第一职业学校" in stored(tiny_engine, "institutions", "institution_name")


def test_a_workbook_with_several_sheets_and_none_named_after_the_table_is_refused(tiny_engine):
    book = workbook_upload("enrolments.xlsx", {"Sheet1": [ENROLMENTS_HEADER, [2024, "I1", "P1", 110, 40]], "Notes": [["draft"]]})
    assert_refused(
        tiny_engine,
        [book],
        [
            "enrolments.xlsx:1: -: the workbook has 2 sheets (Sheet1, Notes) and none is named enrolments: keep one sheet, "
            "or name the sheet to load enrolments",
        ],
    )


def test_a_workbook_with_a_sheet_named_after_the_table_loads_that_sheet(tiny_engine):
    book = workbook_upload(
        "enrolments.xlsx", {"Notes": [["draft"]], "Enrolments": [ENROLMENTS_HEADER, [2024, "I1", "P1", 110, 40]]}
    )
    assert assert_loads(tiny_engine, [book])["enrolments"] == {"rows": 1, "added": 0, "updated": 1, "removed": 0}


def test_a_workbook_with_merged_header_cells_is_told_to_unmerge_them(tiny_engine):
    book = workbook_upload(
        "enrolments.xlsx",
        {"Sheet1": [["year", "institution", None, "enrolled", "graduates"], [2024, "I1", "P1", 110, 40]]},
        merge="B1:C1",
    )
    assert_refused(
        tiny_engine,
        [book],
        [
            "enrolments.xlsx:1: -: merged cells B1:C1 in the header row of sheet Sheet1: unmerge them so that every column "
            "has its own name",
        ],
    )


def test_workbook_counts_written_as_12_point_0_load_and_12_point_5_is_refused_at_its_sheet_row(tiny_engine):
    whole = workbook_upload("enrolments.xlsx", {"Sheet1": [ENROLMENTS_HEADER, [2025, "I1", "P1", 110.0, 12.0]]})
    assert assert_loads(tiny_engine, [whole])["enrolments"]["added"] == 1
    fraction = workbook_upload(
        "enrolments.xlsx", {"Sheet1": [ENROLMENTS_HEADER, [2025, "I1", "P1", 110, 12], [2025, "I2", "P2", 50, 12.5]]}
    )
    assert_refused(tiny_engine, [fraction], ["enrolments.xlsx:3: graduates: expected a whole number of 0 or more, found '12.5'"])


def test_a_file_whose_name_names_no_table_waits_for_a_choice_and_then_loads_as_chosen(tiny_engine):
    upload = csv_upload("graduates 2024 final.csv", [",".join(ENROLMENTS_HEADER), "2024,I1,P1,110,40"])
    assert unmapped_files([upload]) == ["graduates 2024 final.csv"]
    chosen = UploadedTable(upload.name, upload.data, "enrolments")
    assert unmapped_files([chosen]) == []
    assert assert_loads(tiny_engine, [chosen])["enrolments"]["updated"] == 1


def test_problems_become_a_table_of_file_line_column_and_problem(tiny_engine):
    result = validate_for_load(
        tiny_engine, sources_for([csv_upload("enrolments.csv", [",".join(ENROLMENTS_HEADER), "2024,I1,P1,5,x"])])
    )
    frame = problems_frame(result.problems)
    assert frame.to_dict("records") == [
        {
            "file": "enrolments.csv",
            "line": 2,
            "column": "graduates",
            "problem": "expected a whole number of 0 or more, found 'x'",
        },
    ]


# --- hostile and odd input: the same refusal on SQLite and PostgreSQL -----------------------------


def test_numbers_too_large_for_the_database_are_refused_with_their_cell_on_every_database(tiny_engine):
    assert_refused(
        tiny_engine,
        [
            csv_upload(
                "enrolments.csv", [",".join(ENROLMENTS_HEADER), "2024,I1,P1,3000000000,12", "2024,I2,P2,10,99999999999999999999"]
            ),
            csv_upload("outcomes.csv", [OUTCOMES_HEADER + ",median_monthly_wage", "2023,I1,P1,10,5,3,1,2,3," + "9" * 400]),
        ],
        [
            "enrolments.csv:2: enrolled: expected a whole number of 0 or more, at most 2,147,483,647, found '3000000000'",
            "enrolments.csv:3: graduates: expected a whole number of 0 or more, at most 2,147,483,647, "
            "found '99999999999999999999'",
            "outcomes.csv:2: median_monthly_wage: expected an amount of money of 0 or more, at most 10,000,000, found '"
            + "9" * 40
            + "…' (400 characters)",
        ],
    )


def test_a_nul_character_deep_in_a_file_is_refused_with_its_cell_on_every_database(tiny_engine):
    # Far enough down that the file as a whole is text: only the cell is wrong.
    rows = [f"R{i},Region {i}" for i in range(10, 6010)]
    upload = csv_upload("regions.csv", ["region_code,region_name", *rows, "R9,Far\x00North"])
    assert_refused(
        tiny_engine,
        [upload],
        [
            "regions.csv:6002: region_name: expected a non-empty text without control characters, tabs or line breaks, "
            "found U+0000 at character 4 of 'Far\\x00North'",
        ],
    )


def test_the_largest_numbers_both_databases_store_load_and_read_back(tiny_engine):
    assert_loads(
        tiny_engine,
        [
            csv_upload("enrolments.csv", [",".join(ENROLMENTS_HEADER), "2024,I1,P1,2147483647,2147483647"]),
            csv_upload("outcomes.csv", [OUTCOMES_HEADER + ",median_monthly_wage", "2023,I1,P1,10,5,3,1,2,3,10000000"]),
        ],
    )
    assert 2_147_483_647 in stored(tiny_engine, "enrolments", "graduates")
    assert 10_000_000.0 in stored(tiny_engine, "outcomes", "median_monthly_wage")


def test_a_latin1_file_previews_and_loads_with_its_accented_names(tiny_engine):
    upload = csv_upload(
        "regions.csv", ["region_code,region_name", "R7,Zürich", "R8,Genève-Lès", "R9,Düsseldorf"], encoding="cp1252"
    )
    preview, why = preview_frame(upload)
    assert why is None
    assert list(preview["region_name"]) == ["Zürich", "Genève-Lès", "Düsseldorf"]
    assert assert_loads(tiny_engine, [upload])["regions"]["added"] == 3
    assert {"Zürich", "Genève-Lès", "Düsseldorf"} <= set(stored(tiny_engine, "regions", "region_name"))


def test_a_full_width_code_in_an_upload_refers_to_the_stored_ascii_key(tiny_engine):
    upload = csv_upload("enrolments.csv", [",".join(ENROLMENTS_HEADER), "2025,\uff29\uff11,\uff30\uff11,20,5"])
    assert assert_loads(tiny_engine, [upload])["enrolments"]["added"] == 1
    assert stored(tiny_engine, "enrolments", "institution_id").count("I1") == 3
