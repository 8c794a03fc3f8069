"""Workbooks built to hurt the server, and errors nobody foresaw: a workbook is read
as a stream within documented limits (a stray far cell allocates nothing; a sheet
that declares or holds more cells than the limit, empty formatted ones included,
is refused early, naming the sheet), a check never writes the database, so an
editor loads while it runs, every unreadable workbook gets a one-line problem
naming the file, and the last-resort handlers of the command line and of the Data
page turn any error, even one without a message, into one line."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import insert, select
from streamlit.testing.v1 import AppTest

import data_access.cli
import data_access.loading
import ui.uploads
from data_access import excel
from data_access.cli import main
from data_access.loading import change_transaction, validate_for_load
from data_access.models import Region
from data_access.store import first_line
from ui.uploads import UploadedTable, preview_frame, sources_for

from .conftest import APP

SHEET = "xl/worksheets/sheet1.xml"
PACKAGE = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
    ),
}
# Two rows of regions, as Excel writes them.
REGION_ROWS = [["region_code", "region_name"], ["R9", "Far North"]]
REGION_CSV = b"region_code,region_name\nR9,Far North\n"
MEMORY_BOUND = 50 * 1024 * 1024  # bytes; reading the declared sheet would take gigabytes


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def rows_xml(rows: list[list[str]], first: int = 1) -> str:
    return "".join(
        f'<row r="{n}">' + "".join(cell(f"{'AB'[i]}{n}", text) for i, text in enumerate(row)) + "</row>"
        for n, row in enumerate(rows, start=first)
    )


def hand_built(
    sheet_data: str, *, dimension: str = "A1:B2", before: str = "", after: str = "", parts: dict[str, str] | None = None
) -> bytes:
    """A workbook written by hand (as a hostile one would be), its one sheet holding ``sheet_data``,
    with ``parts`` added to the package."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/>{before}<sheetData>{sheet_data}</sheetData>{after}</worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in {**PACKAGE, SHEET: sheet, **(parts or {})}.items():
            package.writestr(name, text)
    return out.getvalue()


def empty_formatted_cells(count: int) -> bytes:
    """A workbook whose sheet declares two cells, A1:B2, and holds the regions header and then ``count``
    empty formatted cells, 16,384 to a row and without references, as a hostile one would: a few tens of
    kilobytes per million cells. Written straight into the package, never held whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in PACKAGE.items():
            package.writestr(name, text)
        with package.open(SHEET, "w") as sheet:
            sheet.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f'<dimension ref="A1:B2"/><sheetData>{rows_xml(REGION_ROWS[:1])}'.encode()
            )
            full, rest = divmod(count, 16_384)
            for width in [16_384] * full + [rest] * bool(rest):
                sheet.write(b"<row>" + b'<c s="1"/>' * width + b"</row>")
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def built_with_openpyxl(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(engine, name: str, data: bytes) -> list[str]:
    return [str(p) for p in validate_for_load(engine, sources_for([UploadedTable(name, data)])).problems]


def peak_memory(action) -> tuple[object, int]:
    """What ``action()`` returns and the most memory Python held for it meanwhile."""
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_formatted_empty_cell_at_XFD1048576_is_ignored_and_the_sheet_never_built(tiny_engine):
    book = hand_built(rows_xml(REGION_ROWS) + '<row r="1048576"><c r="XFD1048576" s="0"/></row>')
    (text, problem), peak = peak_memory(lambda: excel.workbook_to_csv(book, "regions"))
    assert (text, problem) == (REGION_CSV, None)
    assert peak < MEMORY_BOUND
    (preview, why), peak = peak_memory(lambda: preview_frame(UploadedTable("regions.xlsx", book)))
    assert why is None and preview.to_dict("records") == [{"region_code": "R9", "region_name": "Far North"}]
    assert peak < MEMORY_BOUND
    assert problems(tiny_engine, "regions.xlsx", book) == []


def test_a_sheet_that_declares_more_cells_than_the_limit_is_refused_before_a_cell_is_read(tiny_engine, monkeypatch):
    book = hand_built(rows_xml(REGION_ROWS), dimension="A1:XFD1048576")

    def read_a_cell(*_args):
        raise AssertionError("a cell was read")

    monkeypatch.setattr(excel._SheetReader, "_read_cell", read_a_cell)
    expected = (
        'the sheet "Sheet1" declares the range A1:XFD1048576, 17,179,869,184 cells, more than the 3,000,000 a sheet may '
        "hold (empty formatted cells count too): keep only the table on the sheet, or save it as CSV"
    )
    assert problems(tiny_engine, "regions.xlsx", book) == [f"regions.xlsx:1: -: {expected}"]
    assert preview_frame(UploadedTable("regions.xlsx", book)) == (None, expected)


def test_millions_of_empty_formatted_cells_are_refused_at_the_cell_limit_naming_the_sheet(tiny_engine):
    book = empty_formatted_cells(excel.MAX_CELLS + 1)  # says it is two cells, and holds three million
    assert len(book) < 200_000
    row = 1 + -(-excel.MAX_CELLS // 16_384)  # the row of the cell past the limit
    assert problems(tiny_engine, "regions.xlsx", book) == [
        f'regions.xlsx:{row}: -: the sheet "Sheet1" holds more than 3,000,000 cells, the most a sheet may hold (empty '
        "formatted cells count too): keep only the table on the sheet, or save it as CSV"
    ]


def test_an_editor_loads_while_a_workbook_is_being_checked(tiny_engine, monkeypatch):
    # The check reads the sheet chunk by chunk, looking at its time budget before each: at the first chunk an
    # editor loads, without waiting, for the check holds no lock and writes nothing to the database.
    loaded = []

    def an_editor_loads_meanwhile():
        if not loaded:
            with change_transaction(tiny_engine, "Ana Planner", wait_seconds=0.001) as connection:
                connection.execute(insert(Region).values(region_code="R8", region_name="Near"))
            loaded.append("R8")

    monkeypatch.setattr(excel.budget, "check", an_editor_loads_meanwhile)
    assert problems(tiny_engine, "regions.xlsx", empty_formatted_cells(100_000)) == []
    assert loaded == ["R8"]
    with tiny_engine.connect() as connection:
        assert connection.execute(select(Region.region_name).where(Region.region_code == "R8")).scalar_one() == "Near"


@pytest.mark.parametrize("streamed", [False, True])
def test_a_check_never_opens_a_write_transaction_nor_takes_the_load_lock(tiny_engine, monkeypatch, streamed):
    def no_write_transaction(*_args, **_kwargs):
        raise AssertionError("a check opened a write transaction")

    monkeypatch.setattr(data_access.loading, "change_transaction", no_write_transaction)
    monkeypatch.setattr(data_access.loading, "STREAM_FROM_BYTES", 0 if streamed else 1 << 30)
    book = built_with_openpyxl([["year", "institution_id", "program_code", "enrolled", "graduates"], [2030, "I1", "P1", 100, 31]])
    result = validate_for_load(tiny_engine, sources_for([UploadedTable("enrolments.xlsx", book)]))
    assert result.ok and result.table_rows() == {"enrolments": 1}
    # the meaning of the data as the load would leave it, worked out without writing it
    assert [str(w) for w in result.warnings] == [
        "(data set):0: -: 2030 have supply (enrolments) but no demand: no gap is computed for those years"
    ]


def test_two_sheets_named_alike_but_for_case_and_spaces_are_a_problem_naming_both(tiny_engine):
    book = Workbook()
    book.active.title = "Regions"
    book.active.append(["region_code", "region_name"])
    book.active.append(["R9", "Far North"])
    other = book.create_sheet(" regions ")
    other.append(["region_code", "region_name"])
    other.append(["R8", "Near"])
    out = io.BytesIO()
    book.save(out)
    expected = (
        'the workbook has 2 sheets named regions: "Regions", " regions " (names are compared without case and '
        "surrounding spaces): keep one, or rename the others"
    )
    assert problems(tiny_engine, "regions.xlsx", out.getvalue()) == [f"regions.xlsx:1: -: {expected}"]
    assert preview_frame(UploadedTable("regions.xlsx", out.getvalue())) == (None, expected)


def test_cells_without_references_after_passed_over_empty_cells_keep_their_columns():
    # openpyxl counts a cell without a reference as the one after the cell before it, empty or not
    header = '<row r="1">' + "".join(cell(f"{column}1", column.lower()) for column in "ABCD") + "</row>"
    second = (
        '<row r="2"><c r="A2" s="1"/><c t="inlineStr"><is><t>x</t></is></c><c s="1"/><c t="inlineStr"><is><t>z</t></is></c></row>'
    )
    third = '<row r="3"><c s="1"/><c t="inlineStr"><is><t>y</t></is></c></row>'
    book = hand_built(header + second + third, dimension="A1:D3")
    assert excel.workbook_to_csv(book, "regions") == (b"a,b,c,d\n,x,,z\n,y\n", None)


def test_a_value_at_XFD1048576_is_refused_with_the_column_limit_in_little_memory(tiny_engine):
    book = hand_built(rows_xml(REGION_ROWS) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    expected = (
        "cell XFD1048576 holds a value right of column CV: a sheet may use at most 100 columns; "
        "delete what lies right of the table, or clear that cell"
    )
    found, peak = peak_memory(lambda: problems(tiny_engine, "regions.xlsx", book))
    assert found == [f"regions.xlsx:1048576: -: {expected}"]
    assert peak < MEMORY_BOUND
    assert preview_frame(UploadedTable("regions.xlsx", book)) == (None, expected)


def test_a_value_far_down_column_A_is_read_at_its_row_without_the_empty_rows_above_costing_memory(tiny_engine):
    book = hand_built(rows_xml(REGION_ROWS) + '<row r="1048576"><c r="A1048576"><v>7</v></c></row>')
    found, peak = peak_memory(lambda: problems(tiny_engine, "regions.xlsx", book))
    assert found == ["regions.xlsx:1048576: region_name: expected a non-empty text, found an empty cell"]
    assert peak < MEMORY_BOUND


def test_a_row_past_excels_last_row_is_refused_with_the_limit(tiny_engine):
    book = hand_built(rows_xml(REGION_ROWS) + '<row r="1048577"><c r="A1048577"><v>7</v></c></row>')
    assert problems(tiny_engine, "regions.xlsx", book) == [
        "regions.xlsx:1: -: the sheet has a row 1,048,577, past row 1,048,576, the last row a sheet may have (as in Excel)"
    ]


def test_broken_sheet_xml_is_one_line_naming_the_file_and_its_broken_part(tmp_path, capsys):
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "regions.xlsx").write_bytes(hand_built(rows_xml(REGION_ROWS) + '<row r="3"><c r="A3"><v>1</v></row>'))
    assert main(["validate", str(folder), "--db", f"sqlite:///{tmp_path / 'check.sqlite'}"]) == 1
    out, err = capsys.readouterr()
    [line] = out.splitlines()
    assert re.fullmatch(
        r".*/regions\.xlsx:1: -: cannot read the workbook: xl/worksheets/sheet1\.xml: mismatched tag: "
        r"line 1, column \d+; save it again from Excel as \.xlsx, or as CSV",
        line,
    )
    assert "please report" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    "sheet_data, before, found",
    [
        (
            rows_xml(REGION_ROWS) + '<row r="3">' + cell("A3", "x" * 2_000_000) + "</row>",
            "",
            "more than 1 MB of XML without a tag",
        ),
        (rows_xml(REGION_ROWS), "<sheetPr>" + "<x>" * 100 + "</x>" * 100 + "</sheetPr>", "elements nested more than 64 deep"),
        (rows_xml(REGION_ROWS, first=5) + rows_xml([["R8", "Near"]], first=3), "", "row 3 comes after row 6"),
        (
            rows_xml(REGION_ROWS) + '<row r="3"><c r="A3" t="inlineStr"><is>' + "<r><t>x</t></r>" * 5_000 + "</is></c></row>",
            "",
            "more than 10,000 elements in one cell of row 3",
        ),
        (rows_xml(REGION_ROWS) + '<row r="3"><c r="A3" t="s"><v>99</v></c></row>', "", "list index out of range"),
    ],
)
def test_sheet_xml_no_spreadsheet_program_writes_is_an_unreadable_workbook(tiny_engine, sheet_data, before, found):
    book = hand_built(sheet_data, before=before)
    assert problems(tiny_engine, "regions.xlsx", book) == [
        f"regions.xlsx:1: -: cannot read the workbook: xl/worksheets/sheet1.xml: {found}; "
        "save it again from Excel as .xlsx, or as CSV"
    ]


def test_past_the_cell_and_text_limits_a_workbook_is_refused_with_the_limit(tiny_engine, monkeypatch):
    book = built_with_openpyxl([["region_code", "region_name"], *([f"R{n}", f"Region {n}"] for n in range(10, 60))])
    assert problems(tiny_engine, "regions.xlsx", book) == []
    monkeypatch.setattr(excel, "MAX_CELLS", 60)
    assert problems(tiny_engine, "regions.xlsx", book) == [
        'regions.xlsx:1: -: the sheet "Sheet" declares the range A1:B51, 102 cells, more than the 60 a sheet may hold '
        "(empty formatted cells count too): keep only the table on the sheet, or save it as CSV"
    ]
    monkeypatch.setattr(excel, "MAX_CELLS", 1_000)
    monkeypatch.setattr(excel, "MAX_TEXT", 500)
    assert problems(tiny_engine, "regions.xlsx", book) == [
        "regions.xlsx:36: -: the sheet holds more than 500 characters of text: split it into several files, or save it as CSV"
    ]


def test_a_part_openpyxl_reads_whole_is_refused_past_its_limit_before_it_is_read(tiny_engine, monkeypatch):
    strings = "<sst>" + "<si><t>Region</t></si>" * 70_000 + "</sst>"  # 1.5 MB unpacked, a few KB packed
    book = hand_built(rows_xml(REGION_ROWS), parts={"xl/sharedStrings.xml": strings})
    assert problems(tiny_engine, "regions.xlsx", book) == []
    monkeypatch.setattr(excel, "MAX_PART_BYTES", 1024 * 1024)
    [problem] = problems(tiny_engine, "regions.xlsx", book)
    assert problem.startswith("regions.xlsx:1: -: the workbook's part xl/sharedStrings.xml unpacks to 1.")
    assert problem.endswith(" MB, more than the 1 MB a workbook part may have: save it again from Excel as .xlsx, or as CSV")


def test_the_preview_reads_only_the_rows_it_shows(tiny_engine):
    good = [["region_code", "region_name"], *([f"R{n}", f"Region {n}"] for n in range(10, 30))]
    book = hand_built(rows_xml(good) + '<row r="40"><c r="A40"><v>1</v></row>')  # broken far below the preview
    preview, why = preview_frame(UploadedTable("regions.xlsx", book))
    assert why is None and list(preview["region_code"]) == [f"R{n}" for n in range(10, 20)]
    assert problems(tiny_engine, "regions.xlsx", book)[0].startswith("regions.xlsx:1: -: cannot read the workbook: ")


def test_cells_read_as_a_stream_keep_their_values_dates_and_blank_rows():
    book = built_with_openpyxl([["a", "b", "c"], [12.5, True, datetime(2024, 5, 1)], [], ["x", None, "z", None]])
    assert excel.workbook_to_csv(book, "regions") == (b"a,b,c\n12.5,TRUE,2024-05-01T00:00:00\n\nx,,z\n", None)


def test_the_last_resort_handlers_word_an_error_without_text_by_its_kind():
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no words")

    assert first_line(MemoryError()) == "MemoryError"
    assert first_line(Unprintable()) == "Unprintable"
    assert first_line(ValueError("\n  \n")) == "ValueError"
    assert first_line(ValueError("bad value\nmore")) == "bad value"


def test_the_command_line_reports_running_out_of_memory_in_one_line(tmp_path, monkeypatch, capsys):
    def out_of_memory(*_args, **_kwargs):
        raise MemoryError()

    monkeypatch.setattr(data_access.cli, "_validate", out_of_memory)
    assert main(["validate", str(tmp_path), "--db", f"sqlite:///{tmp_path / 'check.sqlite'}"]) == 1
    assert capsys.readouterr().err == "error: unexpected MemoryError (please report this)\n"


def test_the_data_page_shows_an_unforeseen_error_in_one_line_and_goes_on(app_url, monkeypatch):
    def out_of_memory(*_args, **_kwargs):
        raise MemoryError()

    monkeypatch.setattr(ui.uploads, "preview_frame", out_of_memory)
    monkeypatch.setattr(data_access.loading, "validate_for_load", out_of_memory)
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.switch_page("pages/data.py").run()
    app.file_uploader[0].set_value([("regions.csv", b"region_code,region_name\nR9,Far North\n", "text/csv")])
    app.run()
    assert not app.exception
    said = "Unexpected error on the server ({}): please report this to whoever runs the dashboard"
    assert any(said.format("MemoryError") in c.value for c in app.caption)
    next(b for b in app.button if b.label == "Check files").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [said.format("`MemoryError`")]
    assert any(h.value == "Load history" for h in app.subheader)  # the rest of the page is drawn
