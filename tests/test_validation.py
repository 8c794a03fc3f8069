"""Validation of contract CSV files: cell kinds, row rules, keys, references,
headers, file-level problems, encodings and the cap on listed problems.

Every expected message below is written out by hand from the data contract and
the input of the test."""

from __future__ import annotations

import io
import zipfile

import pytest

from data_access.contract import TABLES
from data_access.validation import Source, decode_text, parse_value, validate_paths, validate_sources

from .conftest import TINY, TINY_TABLE_ROWS, write_csv

# Keys "already stored" for tests that check one file whose references must resolve.
STORED = {
    "regions": {"R1", "R2", "R3"},
    "sectors": {"Q", "J"},
    "institutions": {"I1", "I2"},
    "programs": {"P1", "P2"},
    "employers": {"E1", "E2"},
}

REGIONS = "region_code,region_name\n"
INSTITUTIONS = "institution_id,institution_name,region_code,institution_type\n"
ENROLMENTS = "year,institution_id,program_code,enrolled,graduates\n"
PLACEMENTS = "year,institution_id,program_code,employer_id,students_placed,hired\n"
OUTCOMES = (
    "cohort_year,institution_id,program_code,surveyed,employed,employed_in_field,"
    "self_employed,further_study,unemployed,median_monthly_wage\n"
)


def check(*files: tuple[str, str | bytes], existing=STORED.__getitem__, max_problems: int = 200):
    """Validate in-memory files given as (name, text or bytes)."""
    sources = [Source(name, data if isinstance(data, bytes) else data.encode("utf-8")) for name, data in files]
    return validate_sources(sources, existing_keys=existing, max_problems=max_problems)


def lines(result) -> list[str]:
    return [str(p) for p in result.problems]


def column(table: str, name: str):
    return TABLES[table].column(name)


# --- cell kinds ---------------------------------------------------------------

GRADUATES = column("enrolments", "graduates")  # a required count
YEAR = column("enrolments", "year")
WAGE = column("outcomes", "median_monthly_wage")  # optional money
CAPACITY = column("employers", "placement_capacity")  # optional count
REGION_NAME = column("regions", "region_name")  # required text
LEVEL = column("programs", "level")  # optional text


@pytest.mark.parametrize("raw", ["12", "12.0", " 12 ", "12.", "+12"])
def test_an_int_cell_accepts_whole_numbers_also_written_as_excel_floats(raw):
    assert parse_value(raw, GRADUATES) == (12, None)


@pytest.mark.parametrize("raw", ["12.5", "1e3", "12a", "1,200", "twelve"])
def test_an_int_cell_rejects_anything_that_is_not_a_whole_number_and_quotes_it(raw):
    assert parse_value(raw, GRADUATES) == (None, f"expected a whole number of 0 or more, found {raw!r}")


def test_an_empty_required_int_cell_is_rejected_as_empty():
    assert parse_value("", GRADUATES) == (None, "expected a whole number of 0 or more, found an empty cell")
    assert parse_value("   ", GRADUATES) == (None, "expected a whole number of 0 or more, found an empty cell")


def test_a_negative_count_is_rejected():
    assert parse_value("-1", GRADUATES) == (None, "expected a whole number of 0 or more, found '-1'")
    assert parse_value("-1", CAPACITY) == (None, "expected a whole number of 0 or more, found '-1'")


def test_zero_is_a_valid_count():
    assert parse_value("0", GRADUATES) == (0, None)


@pytest.mark.parametrize("raw, year", [("1990", 1990), ("2100", 2100), ("2023.0", 2023)])
def test_a_year_from_1990_to_2100_is_accepted(raw, year):
    assert parse_value(raw, YEAR) == (year, None)


@pytest.mark.parametrize("raw", ["1989", "2101", "20x1", "23"])
def test_a_year_outside_1990_to_2100_or_not_a_number_is_rejected(raw):
    assert parse_value(raw, YEAR) == (None, f"expected a whole year from 1990 to 2100, found {raw!r}")


@pytest.mark.parametrize("raw, amount", [("4850", 4850.0), ("4850.5", 4850.5), ("0", 0.0), (".5", 0.5)])
def test_money_accepts_amounts_of_zero_or_more(raw, amount):
    assert parse_value(raw, WAGE) == (amount, None)


def test_negative_money_is_rejected():
    assert parse_value("-1", WAGE) == (None, "expected an amount of money of 0 or more, found '-1'")


def test_money_that_is_not_a_number_is_rejected_with_the_expected_form():
    assert parse_value("abc", WAGE) == (
        None,
        "expected an amount of money of 0 or more (digits with an optional decimal point), found 'abc'",
    )


def test_an_empty_optional_cell_gives_none():
    assert parse_value("", WAGE) == (None, None)
    assert parse_value("  ", CAPACITY) == (None, None)
    assert parse_value("", LEVEL) == (None, None)


def test_required_text_is_trimmed_and_must_not_be_empty():
    assert parse_value("  北部新区 ", REGION_NAME) == ("北部新区", None)
    assert parse_value(" \t ", REGION_NAME) == (None, "expected a non-empty text, found an empty cell")


def test_an_optional_column_absent_from_the_header_gives_none_in_every_row():
    result = check(("programs.csv", "program_code,program_name,sector_code\nP1,Nursing,Q\n"))
    assert result.ok, lines(result)
    assert result.rows == {
        "programs": [{"program_code": "P1", "program_name": "Nursing", "sector_code": "Q", "level": None, "duration_years": None}]
    }


def test_a_bad_cell_in_a_file_is_reported_with_its_line_and_column():
    result = check(("enrolments.csv", ENROLMENTS + "2023,I1,P1,100,30\n2023,I2,P2,50,12.5\n"))
    assert lines(result) == ["enrolments.csv:3: graduates: expected a whole number of 0 or more, found '12.5'"]


def test_every_bad_cell_of_a_row_is_reported_not_just_the_first():
    result = check(("enrolments.csv", ENROLMENTS + "1989,I1,,-5,x\n"))
    assert lines(result) == [
        "enrolments.csv:2: year: expected a whole year from 1990 to 2100, found '1989'",
        "enrolments.csv:2: program_code: expected a non-empty text, found an empty cell",
        "enrolments.csv:2: enrolled: expected a whole number of 0 or more, found '-5'",
        "enrolments.csv:2: graduates: expected a whole number of 0 or more, found 'x'",
    ]


def test_a_row_with_more_filled_cells_than_the_header_is_rejected_and_a_short_row_has_empty_cells():
    result = check(("regions.csv", REGIONS + "R1,North,,\nR2,South,oops\nR3\n"))
    assert lines(result) == [
        "regions.csv:3: -: expected 2 fields as in the header, found 3",
        "regions.csv:4: region_name: expected a non-empty text, found an empty cell",
    ]
    assert result.rows["regions"] == [{"region_code": "R1", "region_name": "North"}]


# --- row rules ----------------------------------------------------------------


def test_hired_above_students_placed_is_rejected_with_its_line():
    result = check(("placements.csv", PLACEMENTS + "2023,I1,P1,E1,10,4\n2024,I2,P2,E2,10,12\n"))
    assert lines(result) == ["placements.csv:3: hired: hired (12) must not exceed students_placed (10)"]


def test_hired_equal_to_students_placed_is_fine():
    result = check(("placements.csv", PLACEMENTS + "2024,I2,P2,E2,5,5\n"))
    assert result.ok, lines(result)


def test_employed_further_study_and_unemployed_above_surveyed_is_rejected():
    # 6 + 3 + 2 = 11 > 10
    result = check(("outcomes.csv", OUTCOMES + "2023,I2,P2,10,6,3,2,3,2,\n"))
    assert lines(result) == ["outcomes.csv:2: surveyed: employed + further_study + unemployed = 11 must not exceed surveyed (10)"]


def test_employed_in_field_above_employed_is_rejected():
    result = check(("outcomes.csv", OUTCOMES + "2023,I2,P2,10,6,7,2,2,2,\n"))
    assert lines(result) == ["outcomes.csv:2: employed_in_field: employed_in_field (7) must not exceed employed (6)"]


def test_self_employed_above_employed_is_rejected():
    result = check(("outcomes.csv", OUTCOMES + "2023,I2,P2,10,6,3,7,2,2,\n"))
    assert lines(result) == ["outcomes.csv:2: self_employed: self_employed (7) must not exceed employed (6)"]


def test_an_outcome_row_breaking_all_three_rules_gets_three_problems():
    # accounted 9 + 0 + 2 = 11 > 10; in field 10 > 9; self-employed 10 > 9
    result = check(("outcomes.csv", OUTCOMES + "2023,I1,P1,10,9,10,10,0,2,5000\n"))
    assert lines(result) == [
        "outcomes.csv:2: surveyed: employed + further_study + unemployed = 11 must not exceed surveyed (10)",
        "outcomes.csv:2: employed_in_field: employed_in_field (10) must not exceed employed (9)",
        "outcomes.csv:2: self_employed: self_employed (10) must not exceed employed (9)",
    ]


def test_an_outcome_row_exactly_at_the_limits_is_fine():
    result = check(("outcomes.csv", OUTCOMES + "2023,I1,P1,10,5,5,5,3,2,4850.5\n"))
    assert result.ok, lines(result)
    assert result.rows["outcomes"][0]["median_monthly_wage"] == 4850.5


# --- line numbers -------------------------------------------------------------


def test_a_blank_row_in_the_middle_still_counts_as_a_line():
    result = check(("placements.csv", PLACEMENTS + "2023,I1,P1,E1,10,4\n\n,,,,,\n2024,I2,P2,E2,5,6\n"))
    assert lines(result) == ["placements.csv:5: hired: hired (6) must not exceed students_placed (5)"]
    assert len(result.rows["placements"]) == 1


def test_crlf_line_endings_give_the_same_lines_as_lf():
    result = check(("placements.csv", (PLACEMENTS + "2023,I1,P1,E1,10,4\n2024,I2,P2,E2,5,6\n").replace("\n", "\r\n")))
    assert lines(result) == ["placements.csv:3: hired: hired (6) must not exceed students_placed (5)"]


# --- keys and references ------------------------------------------------------


def test_a_duplicate_key_within_a_file_names_the_line_of_the_first():
    # "2023.0" and " I1 " are the same key as "2023" and "I1" once parsed
    result = check(("enrolments.csv", ENROLMENTS + "2023,I1,P1,100,30\n2023,I2,P2,50,12\n2023.0, I1 ,P1,90,20\n"))
    assert lines(result) == [
        "enrolments.csv:4: year,institution_id,program_code: duplicate key (2023, I1, P1): the same key is on line 2"
    ]
    assert [r["graduates"] for r in result.rows["enrolments"]] == [30, 12]


def test_a_duplicate_single_column_key_is_rejected():
    result = check(("regions.csv", REGIONS + "R1,North\nR2,South\nR1,Nord\n"))
    assert lines(result) == ["regions.csv:4: region_code: duplicate key (R1): the same key is on line 2"]


def test_a_reference_to_a_key_of_the_same_load_resolves_and_an_unknown_one_is_reported():
    result = check(
        ("regions.csv", REGIONS + "R7,Lakeside\n"),
        (
            "institutions.csv",
            "institution_id,institution_name,region_code,institution_type\nI7,Lake College,R7,college\nI8,Nowhere School,R9,school\n",
        ),
        existing=lambda table: set(),
    )
    assert lines(result) == [
        "institutions.csv:3: region_code: unknown region_code 'R9': expected one of the region_code values of regions.csv "
        "in this load or already stored"
    ]


def test_a_region_referenced_only_in_the_database_resolves():
    result = check(
        ("institutions.csv", "institution_id,institution_name,region_code,institution_type\nI7,Lake College,R1,college\n"),
        existing=lambda table: {"R1"} if table == "regions" else set(),
    )
    assert result.ok, lines(result)


def test_a_region_referenced_only_in_the_database_does_not_resolve_when_replacing():
    result = check(
        ("institutions.csv", "institution_id,institution_name,region_code,institution_type\nI7,Lake College,R1,college\n"),
        existing=None,
    )
    assert lines(result) == [
        "institutions.csv:2: region_code: unknown region_code 'R1': expected one of the region_code values of regions.csv "
        "in this load (a replacing load ignores stored rows)"
    ]


def test_every_reference_of_a_placement_is_checked():
    result = check(("placements.csv", PLACEMENTS + "2023,I9,P9,E9,10,4\n"))
    assert lines(result) == [
        "placements.csv:2: institution_id: unknown institution_id 'I9': expected one of the institution_id values of institutions.csv in this load or already stored",
        "placements.csv:2: program_code: unknown program_code 'P9': expected one of the program_code values of programs.csv in this load or already stored",
        "placements.csv:2: employer_id: unknown employer_id 'E9': expected one of the employer_id values of employers.csv in this load or already stored",
    ]


def test_references_are_case_sensitive():
    result = check(
        ("institutions.csv", "institution_id,institution_name,region_code,institution_type\nI7,Lake College,r1,college\n")
    )
    assert [p.column for p in result.problems] == ["region_code"]


def test_the_tiny_fixture_validates_on_its_own_as_a_replacing_load():
    result = validate_paths([TINY])
    assert result.ok, result.report_lines()
    assert {table: len(rows) for table, rows in result.rows.items()} == TINY_TABLE_ROWS
    assert result.rows["enrolments"][1] == {
        "year": 2023,
        "institution_id": "I2",
        "program_code": "P2",
        "enrolled": 50,
        "graduates": 12,
        "entrants": None,
    }


# --- headers ------------------------------------------------------------------


def test_a_missing_required_column_is_reported_on_line_1_with_its_name():
    result = check(("regions.csv", "region_code\nR1\n"))
    assert lines(result) == ["regions.csv:1: region_name: required column missing from the header; found: region_code"]
    assert "regions" not in result.rows


def test_a_column_twice_in_the_header_is_reported():
    result = check(("regions.csv", "region_code,region_name,Region_Name\nR1,North,Nord\n"))
    assert lines(result) == ["regions.csv:1: region_name: column appears twice in the header (positions 2 and 3)"]


def test_an_unknown_extra_column_gives_a_warning_naming_it_and_the_rows_still_load():
    result = check(("regions.csv", "region_code,notes,region_name,Colour\nR1,big,North,red\n"))
    assert result.ok
    assert [str(w) for w in result.warnings] == ["regions.csv:1: -: ignored column(s) not in the contract: notes, colour"]
    assert result.report_lines() == ["warning: regions.csv:1: -: ignored column(s) not in the contract: notes, colour"]
    assert result.rows["regions"] == [{"region_code": "R1", "region_name": "North"}]


def test_header_case_whitespace_and_column_order_are_tolerated():
    result = check(("regions.csv", " Region_Name ,REGION_CODE \nNorth,R1\n"))
    assert result.ok, lines(result)
    assert result.rows["regions"] == [{"region_code": "R1", "region_name": "North"}]


def test_a_semicolon_separated_header_gets_a_hint():
    result = check(("regions.csv", "region_code;region_name\nR1;North\n"))
    hint = (
        "required column missing from the header (the header looks separated by semicolons or tabs; "
        "expected commas); found: region_code;region_name"
    )
    assert lines(result) == [f"regions.csv:1: region_code: {hint}", f"regions.csv:1: region_name: {hint}"]


def test_an_empty_file_is_reported_with_the_expected_header():
    result = check(("regions.csv", ""))
    assert lines(result) == ["regions.csv:1: -: file is empty: expected a header row with region_code, region_name"]


def test_a_file_of_blank_lines_is_empty_too():
    result = check(("sectors.csv", "\n\n"))
    assert lines(result) == [
        "sectors.csv:1: -: file is empty: expected a header row with sector_code, sector_name, replacement_rate, expected_share"
    ]


def test_a_blank_first_line_is_not_reported_as_an_empty_file():
    result = check(("regions.csv", "\n" + REGIONS + "R1,North\n"))
    assert not any("file is empty" in p.message for p in result.problems)


def test_a_header_only_file_is_valid_and_has_no_rows():
    result = check(("regions.csv", REGIONS))
    assert result.ok
    assert result.rows == {"regions": []}


# --- file-level problems ------------------------------------------------------


def test_a_file_whose_name_is_not_a_table_is_rejected_listing_the_expected_names():
    result = check(("notes.csv", "a,b\n1,2\n"))
    assert lines(result) == [
        "notes.csv:0: -: file name does not name a table: expected one of regions.csv, sectors.csv, "
        "institutions.csv, programs.csv, program_sectors.csv, employers.csv, enrolments.csv, placements.csv, outcomes.csv, "
        "demand.csv"
    ]


def test_two_files_for_the_same_table_are_rejected():
    result = check(("a/regions.csv", REGIONS + "R1,North\n"), ("b/Regions.csv", REGIONS + "R2,South\n"))
    assert lines(result) == ["b/Regions.csv:0: -: a second file for table regions (first: a/regions.csv)"]


def test_a_binary_file_is_rejected():
    result = check(("regions.csv", b"region_code,region_name\nR1,\x00\x01\x02\x03\n"))
    assert lines(result) == ["regions.csv:1: -: cannot read: file holds binary data, not CSV text"]


def test_an_excel_workbook_renamed_csv_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    result = check(("regions.csv", buffer.getvalue()))
    assert lines(result) == [
        "regions.csv:1: -: cannot read: file is a zip or Excel workbook, not CSV text: save the sheet as CSV"
    ]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_text_is_rejected_with_advice(encoding):
    data = "\ufeffregion_code,region_name\nR1,北部新区\n".encode(encoding)
    result = check(("regions.csv", data))
    assert lines(result) == ["regions.csv:1: -: cannot read: file is UTF-16 text: save it as CSV UTF-8 (or GB18030) instead"]


# 0x81 before a line break is neither UTF-8, nor GB18030, nor a character of Windows-1252.
UNREADABLE = b"region_code,region_name\nR1,North\nR2,\x81\n"


def test_bytes_in_no_accepted_encoding_are_refused_naming_the_encodings_accepted_and_their_line():
    # "region_code,region_name\n" is 24 bytes, "R1,North\n" 9, "R2," 3: the bad byte is byte 37, on line 3.
    [problem] = check(("regions.csv", UNREADABLE)).problems
    assert (problem.file, problem.column) == ("regions.csv", "-")
    assert problem.message == (
        "cannot read: text is not in an accepted encoding (UTF-8, UTF-8 with BOM, GB18030/GBK or Windows-1252/Latin-1): "
        "it looks like text in an encoding that cannot be recognised, and byte 37 cannot be read as UTF-8; "
        "save it as CSV UTF-8"
    )


def test_a_file_in_another_encoding_is_refused_saying_what_it_looks_like():
    # Russian saved as Windows-1251: not GB18030 ("Пермь" is an odd number of bytes), and not plausible Windows-1252.
    text = "region_code,region_name\nR1,Санкт-Петербург\nR2,Новосибирск\nR3,Екатеринбург\nR4,Пермь\n"
    [problem] = check(("regions.csv", text.encode("cp1251"))).problems
    assert "it looks like cp1251 (Russian) text" in problem.message


def test_the_line_of_an_unreadable_byte_is_the_line_of_the_problem():
    [problem] = check(("regions.csv", UNREADABLE)).problems
    assert problem.line == 3


def test_decode_text_gives_the_text_or_the_reason():
    assert decode_text("\ufeffa,b\n".encode("utf-8")) == ("a,b\n", None)
    assert decode_text("区,b\n".encode("gb18030")) == ("区,b\n", None)
    assert decode_text(b"a\x00b") == (None, "file holds binary data, not CSV text")


def test_an_unclosed_quote_that_takes_in_lines_past_the_cell_limit_is_reported_as_a_missing_quote():
    text = REGIONS + "R1,North\n" + 'R2,"South\n' + ("x" * 999 + "\n") * 200 + "R3,Remote\n"
    result = check(("regions.csv", text))
    # "South" and its line break, then 1,000 characters a line: 131,072 are passed on the cell's 133rd line.
    assert lines(result) == [
        "regions.csv:3: -: a quoted cell starting in this row runs over 133 lines and past 131,072 characters, "
        "the most a cell may hold: its closing quote is probably missing"
    ]
    assert "regions" not in result.rows


def test_an_unclosed_quote_that_swallows_the_following_rows_is_reported():
    result = check(("regions.csv", REGIONS + 'R1,"North\nR2,South\nR3,Remote\n'))
    assert not result.ok
    assert result.problems[0].line == 2


def test_a_missing_path_and_an_empty_folder_are_reported(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = tmp_path / "missing"
    result = validate_paths([empty, missing])
    assert lines(result) == [f"{empty}:0: -: folder holds no .csv or .xlsx files", f"{missing}:0: -: no such file or folder"]
    assert result.problem_count == 2


def test_a_folder_reports_problems_under_the_files_path(tmp_path):
    path = write_csv(tmp_path / "in", "regions", [REGIONS.strip(), "R1,"])
    result = validate_paths([tmp_path / "in"])
    assert lines(result) == [f"{path}:2: region_name: expected a non-empty text, found an empty cell"]


# --- encodings ----------------------------------------------------------------

CHINESE = {
    "regions": ["region_code,region_name", "R1,北部新区", "R2,南湖区"],
    "sectors": ["sector_code,sector_name", "Q,卫生和社会工作", "I,信息传输、软件和信息技术服务业"],
    "institutions": ["institution_id,institution_name,region_code,institution_type", "I1,北部职业技术学院,R1,高职"],
}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_chinese_names_parse_to_the_same_rows_in_utf8_with_bom_and_gb18030_as_in_utf8(tmp_path, encoding):
    def rows(folder, enc):
        for table, content in CHINESE.items():
            write_csv(folder, table, content, encoding=enc)
        result = validate_paths([folder])
        assert result.ok, result.report_lines()
        return result.rows

    expected = rows(tmp_path / "utf8", "utf-8")
    assert expected["regions"][0] == {"region_code": "R1", "region_name": "北部新区"}
    assert expected["sectors"][0] == {
        "sector_code": "Q",
        "sector_name": "卫生和社会工作",
        "replacement_rate": None,
        "expected_share": None,
    }
    assert rows(tmp_path / encoding, encoding) == expected


def test_a_gb18030_file_with_windows_line_endings_parses(tmp_path):
    write_csv(tmp_path, "regions", "region_code,region_name\r\nR1,北部新区\r\n", encoding="gb18030")
    result = validate_paths([tmp_path / "regions.csv"])
    assert result.rows == {"regions": [{"region_code": "R1", "region_name": "北部新区"}]}


# --- the cap on listed problems -----------------------------------------------


def test_past_the_cap_problems_are_counted_but_not_listed():
    rows = "".join(f"{2001 + i},I1,P1,10,x\n" for i in range(12))
    result = check(("enrolments.csv", ENROLMENTS + rows), max_problems=5)
    assert result.problem_count == 12
    assert result.unlisted_problems == 7
    assert not result.ok
    assert result.report_lines() == [
        "enrolments.csv:2: graduates: expected a whole number of 0 or more, found 'x'",
        "enrolments.csv:3: graduates: expected a whole number of 0 or more, found 'x'",
        "enrolments.csv:4: graduates: expected a whole number of 0 or more, found 'x'",
        "enrolments.csv:5: graduates: expected a whole number of 0 or more, found 'x'",
        "enrolments.csv:6: graduates: expected a whole number of 0 or more, found 'x'",
        "... and 7 more problems not listed",
    ]


# --- hostile and odd input: encodings -------------------------------------------

WESTERN = "region_code,region_name\nR1,Zürich\nR2,Genève-Lès\nR3,Düsseldorf\n"


def test_latin1_western_european_names_decode_as_windows_1252_not_as_gb18030_mojibake():
    # These cp1252 bytes also happen to be valid GB18030 ("Z黵ich"): the names must come out as written.
    result = check(("regions.csv", WESTERN.encode("cp1252")))
    assert result.ok, lines(result)
    assert [r["region_name"] for r in result.rows["regions"]] == ["Zürich", "Genève-Lès", "Düsseldorf"]


@pytest.mark.parametrize("names", [["Zürich"], ["Köln"], ["Île-de-France"], ["São Paulo", "Málaga"], ["Café, Bar"]])
def test_a_short_latin1_file_decodes_as_windows_1252(names):
    text = REGIONS + "".join(f'R{i},"{name}"\n' for i, name in enumerate(names, 1))
    assert decode_text(text.encode("cp1252")) == (text, None)


# Short files as Excel on a Chinese-locale machine saves them (GBK): they must still read as GB18030.
SHORT_CHINESE = {
    "three regions": "region_code,region_name\nR1,北部新区\nR2,南湖区\nR3,西山县\n",
    "one region": "region_code,region_name\nR1,浦东新区\n",
    "one-character names": "region_code,region_name\nR1,京\nR2,沪\nR3,渝\n",
    "sectors": "sector_code,sector_name\nC,制造业\nI,信息传输、软件和信息技术服务业\n",
    "institutions": "institution_id,institution_name,region_code,institution_type\nI1,北部职业技术学院,R1,高职\nI2,南湖卫生学校,R1,中职\n",
    "programs with Latin letters": "program_code,program_name,sector_code,level\nP1,数控技术（CNC）,C,高职\nP2,护理,Q,\n",
    "employers with a rare character": "employer_id,employer_name,sector_code,region_code\nE1,镕盛钢铁有限公司,C,R1\nE2,TCL集团,C,R1\n",
}


@pytest.mark.parametrize("case", list(SHORT_CHINESE))
@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_short_chinese_gbk_and_gb18030_files_still_decode_as_gb18030(case, encoding):
    text = SHORT_CHINESE[case]
    data = text.encode(encoding)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # so the choice is really between GB18030 and the single-byte reading
    assert decode_text(data) == (text, None)


def test_a_file_that_says_utf8_with_a_bom_is_not_read_any_other_way():
    data = b"\xef\xbb\xbfregion_code,region_name\nR1,Z\xfcrich\n"  # the BOM, 24 bytes of header, then "R1,Z"
    text, reason = decode_text(data)
    assert text is None and "byte 32 cannot be read as UTF-8" in reason


# --- hostile and odd input: numbers and text out of range -----------------------


@pytest.mark.parametrize("raw", ["2147483648", "3000000000", "99999999999999999999", "9" * 5000, "2147483648.0"])
def test_a_count_above_what_both_databases_store_is_rejected_with_the_maximum(raw):
    value, message = parse_value(raw, GRADUATES)
    assert value is None
    assert message.startswith("expected a whole number of 0 or more, at most 2,147,483,647, found ")


def test_the_largest_count_both_databases_store_is_accepted():
    assert parse_value("2147483647", GRADUATES) == (2_147_483_647, None)
    assert parse_value("0002147483647", CAPACITY) == (2_147_483_647, None)


def test_a_long_value_is_shown_shortened_in_the_message():
    assert parse_value("9" * 400, GRADUATES) == (
        None,
        "expected a whole number of 0 or more, at most 2,147,483,647, found '" + "9" * 40 + "…' (400 characters)",
    )


@pytest.mark.parametrize("raw", ["10000000.01", "99999999999", "9" * 400])
def test_money_above_the_maximum_or_too_large_for_a_number_is_rejected(raw):
    value, message = parse_value(raw, WAGE)
    assert value is None
    assert message.startswith("expected an amount of money of 0 or more, at most 10,000,000, found ")


def test_the_largest_amount_of_money_is_accepted():
    assert parse_value("10000000", WAGE) == (10_000_000.0, None)
    assert parse_value("10000000.00", WAGE) == (10_000_000.0, None)


@pytest.mark.parametrize(
    "raw, character, position",
    [
        ("No\x00rth", "U+0000", 3),
        ("North\tSide", "U+0009", 6),
        ("North\nSide", "U+000A", 6),
        ("North\r\nSide", "U+000D", 6),
        ("Nor\x7fth", "U+007F", 4),
        ("Nor\x85th", "U+0085", 4),
        ("Nor\u2028th", "U+2028", 4),
        ("\x1b[31mRed", "U+001B", 1),
    ],
)
def test_a_control_character_tab_or_line_break_in_a_text_cell_is_rejected_with_its_position(raw, character, position):
    assert parse_value(raw, REGION_NAME) == (
        None,
        f"expected a non-empty text without control characters, tabs or line breaks, "
        f"found {character} at character {position} of {raw!r}",
    )


# --- lookalike and invisible characters -----------------------------------------------------------


@pytest.mark.parametrize(
    "code, character, position",
    [
        ("R\u200b9", "ZERO WIDTH SPACE (U+200B)", 2),
        ("R9\u200d", "ZERO WIDTH JOINER (U+200D)", 3),
        ("\ufeffR9", "ZERO WIDTH NO-BREAK SPACE (U+FEFF)", 1),
        ("R\u202e9", "RIGHT-TO-LEFT OVERRIDE (U+202E)", 2),
        ("\u202aR9", "LEFT-TO-RIGHT EMBEDDING (U+202A)", 1),
        ("\u2066R9\u2069", "LEFT-TO-RIGHT ISOLATE (U+2066)", 1),
        ("R9\u2069", "POP DIRECTIONAL ISOLATE (U+2069)", 3),
    ],
)
def test_a_code_holding_an_invisible_character_is_refused_naming_it(code, character, position):
    result = check(
        ("regions.csv", REGIONS + f"{code},Ninth\n"), ("institutions.csv", INSTITUTIONS + f"I9,Ninth College,{code},college\n")
    )
    expected = (
        f"a code may not hold the invisible character {character}, found at character {position} of {code!r}: "
        "it makes codes that look the same differ; delete it"
    )
    assert lines(result) == [f"regions.csv:2: region_code: {expected}", f"institutions.csv:2: region_code: {expected}"]


@pytest.mark.parametrize(
    "code, character, position",
    [
        ("R\u041e1", "CYRILLIC CAPITAL LETTER O (U+041E)", 2),  # RО1: a Cyrillic О among Latin letters
        ("\u0420R01", "CYRILLIC CAPITAL LETTER ER (U+0420)", 1),
        ("\u0391B1", "GREEK CAPITAL LETTER ALPHA (U+0391)", 1),  # ΑB1: a Greek Alpha before a Latin B
        ("\u0416\u039a1", "GREEK CAPITAL LETTER KAPPA (U+039A)", 2),  # ЖΚ1: Cyrillic, then Greek
    ],
)
def test_a_code_mixing_lookalike_alphabets_loads_with_a_warning_naming_the_letter(code, character, position):
    result = check(("regions.csv", REGIONS + f"{code},Ninth\n"))
    assert result.ok and result.rows["regions"] == [{"region_code": code, "region_name": "Ninth"}]
    assert [str(w) for w in result.warnings] == [
        f"regions.csv:2: region_code: the code mixes Latin, Cyrillic or Greek letters, which look alike: {character} "
        f"at character {position} of {code!r}; retype the code in one alphabet unless the mix is intended"
    ]


@pytest.mark.parametrize("code", ["\u0416\u041a1", "\u4eacA01", "\u0391\u0392", "R01"])  # ЖК1, 京A01, ΑΒ
def test_a_code_in_one_lookalike_alphabet_or_with_other_scripts_loads_without_a_warning(code):
    result = check(("regions.csv", REGIONS + f"{code},Ninth\n"))
    assert result.ok and result.warnings == []


@pytest.mark.parametrize(
    "name, character, position",
    [
        ("North\u202eSide", "RIGHT-TO-LEFT OVERRIDE (U+202E)", 6),
        ("\u2067North", "RIGHT-TO-LEFT ISOLATE (U+2067)", 1),
        ("Nor\u200bth", "ZERO WIDTH SPACE (U+200B)", 4),
        ("North\u2060", "WORD JOINER (U+2060)", 6),
    ],
)
def test_a_name_holding_a_bidi_control_or_zero_width_space_loads_as_written_with_a_warning(name, character, position):
    result = check(("regions.csv", REGIONS + f"R9,{name}\n"))
    assert result.ok and result.rows["regions"] == [{"region_code": "R9", "region_name": name}]
    assert [str(w) for w in result.warnings] == [
        f"regions.csv:2: region_name: the invisible character {character} at character {position} of {name!r} can "
        "change how the text around it shows; it is kept as written: delete it unless it belongs there"
    ]


@pytest.mark.parametrize(
    "name",
    [
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, with the zero-width non-joiner it is spelt with
        "\u05e9\u05dc\u05d5\u05dd\u200f (Shalom)",  # Hebrew with a right-to-left mark
        "\u5317\u4eac\u5e02 Pe\u043a\u0438\u043d\u0433",  # mixed scripts are fine in a name
    ],
)
def test_a_name_in_any_script_with_the_marks_it_is_written_with_loads_without_a_warning(name):
    result = check(("regions.csv", REGIONS + f"R9,{name}\n"))
    assert result.ok and result.warnings == []


def test_the_command_line_prints_the_lookalike_warning_with_file_line_and_column(cli, tmp_path):
    path = write_csv(tmp_path / "in", "regions", [REGIONS.strip(), "R\u041e1,Ninth"])
    code, out, _ = cli("validate", path, "--db", f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert code == 0
    assert out.splitlines()[0] == (
        f"warning: {path}:2: region_code: the code mixes Latin, Cyrillic or Greek letters, which look alike: "
        "CYRILLIC CAPITAL LETTER O (U+041E) at character 2 of 'RО1'; retype the code in one alphabet unless the mix is intended"
    )


def test_out_of_range_cells_are_reported_with_file_line_and_column():
    result = check(
        ("enrolments.csv", ENROLMENTS + "2023,I1,P1,3000000000,12\n2024,I1,P1,10,99999999999999999999\n"),
        ("outcomes.csv", OUTCOMES + "2023,I1,P1,10,5,3,1,2,3," + "9" * 400 + "\n"),
    )
    assert lines(result) == [
        "enrolments.csv:2: enrolled: expected a whole number of 0 or more, at most 2,147,483,647, found '3000000000'",
        "enrolments.csv:3: graduates: expected a whole number of 0 or more, at most 2,147,483,647, found '99999999999999999999'",
        "outcomes.csv:2: median_monthly_wage: expected an amount of money of 0 or more, at most 10,000,000, found '"
        + "9" * 40
        + "…' (400 characters)",
    ]


# --- hostile and odd input: line numbers, long cells, wide headers --------------


def test_every_message_that_repeats_input_cuts_it_to_forty_characters():
    long = "h" * 100_000
    cut = "h" * 40 + "…"
    result = check(
        ("regions.csv", f"region_code,region_name,{long}\nR9,Ninth,x\n"),  # an unknown column: a warning
        ("sectors.csv", f"sector_code,{long},{long}\n"),  # a column twice, another missing
        ("institutions.csv", INSTITUTIONS + f"I9,Ninth College,{long},college\n"),  # an unknown code
        ("programs.csv", f"program_code,program_name\n{long},A\n{long},B\n"),  # a key twice
    )
    assert result.report_lines() == [
        f"sectors.csv:1: {cut}: column appears twice in the header (positions 2 and 3)",
        f"sectors.csv:1: sector_name: required column missing from the header; found: sector_code, {cut}, {cut}",
        f"programs.csv:3: program_code: duplicate key ({cut}): the same key is on line 2",
        f"institutions.csv:2: region_code: unknown region_code '{cut}' (100,000 characters): expected one of the "
        "region_code values of regions.csv in this load or already stored",
        f"warning: regions.csv:1: -: ignored column(s) not in the contract: {cut}",
        f"warning: sectors.csv:1: -: ignored column(s) not in the contract: {cut}, {cut}",
    ]
    from data_access.planning import read_scenario

    assert read_scenario(f"program_code,region_code,from_year,change\nP1,,{long},0.1\n".encode())[1] == [
        f"scenario.csv:2: from_year: expected a year from 1990 to 2100, found '{cut}' (100,000 characters)"
    ]
    assert read_scenario(f"{long}\n".encode())[1][0] == (
        f"scenario.csv:1: program_code: missing column: a scenario has the columns program_code, region_code, from_year, "
        f"change; found {cut}"
    )


def test_a_record_spanning_several_lines_is_one_row_for_every_problem_after_it():
    # Row 2 holds a line break inside quotes (itself a problem in a name); row 3's problem is on row 3, not 4.
    result = check(("regions.csv", REGIONS + 'R1,"North\nSide"\nR2,\n'))
    assert lines(result) == [
        "regions.csv:2: region_name: expected a non-empty text without control characters, tabs or line breaks, "
        "found U+000A at character 6 of 'North\\nSide'",
        "regions.csv:3: region_name: expected a non-empty text, found an empty cell",
    ]


def test_an_unreadable_byte_after_a_record_spanning_several_lines_is_reported_on_its_spreadsheet_row():
    data = b'region_code,region_name\nR1,"North\nSide"\nR2,\x81\n'
    [problem] = check(("regions.csv", data)).problems
    assert problem.line == 3


def test_a_cell_longer_than_the_limit_is_reported_as_too_long_with_the_limit():
    result = check(("regions.csv", REGIONS + "R1,North\nR2," + "x" * 200_000 + "\nR3,Remote\n"))
    assert lines(result) == ["regions.csv:3: -: a cell of this row is longer than 131,072 characters, the most a cell may hold"]
    assert "regions" not in result.rows


def test_a_wide_header_lists_the_first_ten_ignored_columns_and_counts_the_rest():
    header = "region_code,region_name," + ",".join(f"c{i}" for i in range(1_000)) + "\n"
    result = check(("regions.csv", header + "R1,North\n"))
    assert result.ok
    assert [str(w) for w in result.warnings] == [
        "regions.csv:1: -: ignored column(s) not in the contract: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, and 990 more"
    ]


def test_a_wide_header_without_a_required_column_lists_only_its_first_ten_names():
    result = check(("regions.csv", ",".join(f"c{i}" for i in range(1_000)) + "\n"))
    assert lines(result)[0] == (
        "regions.csv:1: region_code: required column missing from the header; found: c0, c1, c2, c3, c4, c5, c6, c7, "
        "c8, c9, and 990 more"
    )


def test_a_header_only_file_is_valid_with_a_warning_that_it_has_no_rows():
    result = check(("regions.csv", REGIONS))
    assert result.ok
    assert [str(w) for w in result.warnings] == [
        "regions.csv:1: -: no data rows below the header: nothing to load from this file"
    ]


# --- hostile and odd input: Unicode forms of keys and names ----------------------


def test_a_full_width_code_and_its_ascii_form_are_the_same_key():
    result = check(("regions.csv", REGIONS + "A,North\n\uff21,Nord\n"))
    assert lines(result) == ["regions.csv:3: region_code: duplicate key (A): the same key is on line 2"]


def test_a_full_width_reference_resolves_to_the_ascii_key():
    result = check(
        ("regions.csv", REGIONS + "R1,North\n"),
        (
            "institutions.csv",
            "institution_id,institution_name,region_code,institution_type\n\uff29\uff11,School,\uff32\uff11,college\n",
        ),
        existing=None,
    )
    assert result.ok, lines(result)
    assert result.rows["institutions"][0]["institution_id"] == "I1"
    assert result.rows["institutions"][0]["region_code"] == "R1"


def test_composed_and_decomposed_accents_are_the_same_code_and_names_are_stored_composed():
    result = check(("regions.csv", REGIONS + "Re\u0301,Gene\u0300ve\nR\u00e9,Other\n"))
    assert lines(result) == ["regions.csv:3: region_code: duplicate key (R\u00e9): the same key is on line 2"]
    assert result.rows["regions"] == [{"region_code": "R\u00e9", "region_name": "Gen\u00e8ve"}]


def test_names_keep_full_width_characters_and_are_only_composed():
    assert parse_value("\uff21\uff22\u5b66\u9662", REGION_NAME) == ("\uff21\uff22\u5b66\u9662", None)
