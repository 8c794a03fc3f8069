"""Problems with uploaded files, and refused loads and undos, in Simplified Chinese:
the same ``FILE:LINE: COLUMN: message`` with the same file, line and column, the
message saying in Chinese what was expected and what was found; the English text
(the command line, ``str(problem)``) stays exactly as it was. The Data page shows a
broken upload's problems in the interface language."""

from __future__ import annotations

import pickle
import re
from datetime import UTC
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from data_access.contract import TABLES
from data_access.i18n import LANGUAGES, catalogue, translate
from data_access.loading import undo_load, validate_for_load
from data_access.messages import Message
from data_access.validation import FILE_LEVEL, Problem, Source, validate_sources
from tests.test_bad_files import ENROLMENTS_HEADER, csv_upload, workbook_upload
from ui import uploads
from ui.uploads import UploadedTable, sources_for

ROOT = Path(__file__).resolve().parent.parent
PLACEMENTS_HEADER = "year,institution_id,program_code,employer_id,students_placed,hired"

# (uploads, the English lines as the command line prints them, the same lines in Chinese)
BROKEN_FILES = {
    "wrong column": (
        [csv_upload("enrolments.csv", ["year,inst,program_code,enrolled", "2024,I1,P1,5"])],
        [
            "enrolments.csv:1: institution_id: required column missing from the header; found: year, inst, program_code, enrolled",
            "enrolments.csv:1: graduates: required column missing from the header; found: year, inst, program_code, enrolled",
        ],
        [
            "enrolments.csv:1: institution_id: 表头缺少必填列；表头为：year、inst、program_code、enrolled",
            "enrolments.csv:1: graduates: 表头缺少必填列；表头为：year、inst、program_code、enrolled",
        ],
    ),
    "semicolons": (
        [csv_upload("regions.csv", ["region_code;region_name", "R9;Far"])],
        [
            "regions.csv:1: region_code: required column missing from the header (the header looks separated by "
            "semicolons or tabs; expected commas); found: region_code;region_name",
            "regions.csv:1: region_name: required column missing from the header (the header looks separated by "
            "semicolons or tabs; expected commas); found: region_code;region_name",
        ],
        [
            "regions.csv:1: region_code: 表头缺少必填列（表头似乎以分号或制表符分隔，应以逗号分隔）；表头为：region_code;region_name",
            "regions.csv:1: region_name: 表头缺少必填列（表头似乎以分号或制表符分隔，应以逗号分隔）；表头为：region_code;region_name",
        ],
    ),
    "wrong type": (
        [csv_upload("enrolments.csv", [",".join(ENROLMENTS_HEADER), "20x4,I1,P1,110,12.5"])],
        [
            "enrolments.csv:2: year: expected a whole year from 1990 to 2100, found '20x4'",
            "enrolments.csv:2: graduates: expected a whole number of 0 or more, found '12.5'",
        ],
        [
            "enrolments.csv:2: year: 应为1990至2100之间的整数年份，实际为 '20x4'",
            "enrolments.csv:2: graduates: 应为大于或等于0的整数，实际为 '12.5'",
        ],
    ),
    "negative count and empty cell": (
        [csv_upload("enrolments.csv", [",".join(ENROLMENTS_HEADER), "2024,I1,P1,-1,", "2024,I2,P2,10,3"])],
        [
            "enrolments.csv:2: enrolled: expected a whole number of 0 or more, found '-1'",
            "enrolments.csv:2: graduates: expected a whole number of 0 or more, found an empty cell",
        ],
        [
            "enrolments.csv:2: enrolled: 应为大于或等于0的整数，实际为 '-1'",
            "enrolments.csv:2: graduates: 应为大于或等于0的整数，实际为空单元格",
        ],
    ),
    "wage that is not an amount": (
        [
            csv_upload(
                "outcomes.csv",
                [
                    "cohort_year,institution_id,program_code,surveyed,employed,employed_in_field,"
                    "self_employed,further_study,unemployed,median_monthly_wage",
                    "2023,I1,P1,10,5,3,1,2,3,abc",
                ],
            )
        ],
        [
            "outcomes.csv:2: median_monthly_wage: expected an amount of money of 0 or more (digits with an optional "
            "decimal point), found 'abc'"
        ],
        ["outcomes.csv:2: median_monthly_wage: 应为大于或等于0的金额（数字，可带小数点），实际为 'abc'"],
    ),
    "unknown reference": (
        [csv_upload("enrolments.csv", [",".join(ENROLMENTS_HEADER), "2024,I9,P1,10,2"])],
        [
            "enrolments.csv:2: institution_id: unknown institution_id 'I9': expected one of the institution_id values "
            "of institutions.csv in this load or already stored"
        ],
        [
            "enrolments.csv:2: institution_id: 未知的 institution_id 'I9'：应为 institutions.csv 中的 institution_id "
            "值之一（本次载入或已存储）"
        ],
    ),
    "duplicate key": (
        [csv_upload("enrolments.csv", [",".join(ENROLMENTS_HEADER), "2024,I1,P1,110,40", "", "2024,I1,P1,100,30"])],
        ["enrolments.csv:4: year,institution_id,program_code: duplicate key (2024, I1, P1): the same key is on line 2"],
        ["enrolments.csv:4: year,institution_id,program_code: 键重复 (2024, I1, P1)：第 2 行已有相同的键"],
    ),
    "hired more than placed": (
        [csv_upload("placements.csv", [PLACEMENTS_HEADER, "2024,I1,P1,E1,3,4"])],
        ["placements.csv:2: hired: hired (4) must not exceed students_placed (3)"],
        ["placements.csv:2: hired: 留用人数 hired（4）不得超过实习学生数 students_placed（3）"],
    ),
    "outcome counts over surveyed": (
        [
            csv_upload(
                "outcomes.csv",
                [
                    "cohort_year,institution_id,program_code,surveyed,employed,employed_in_field,"
                    "self_employed,further_study,unemployed",
                    "2023,I1,P1,10,8,9,1,2,3",
                ],
            )
        ],
        [
            "outcomes.csv:2: surveyed: employed + further_study + unemployed = 13 must not exceed surveyed (10)",
            "outcomes.csv:2: employed_in_field: employed_in_field (9) must not exceed employed (8)",
        ],
        [
            "outcomes.csv:2: surveyed: employed + further_study + unemployed = 13，不得超过调查人数 surveyed（10）",
            "outcomes.csv:2: employed_in_field: employed_in_field（9）不得超过就业人数 employed（8）",
        ],
    ),
    "GB18030 file with a missing name": (
        [csv_upload("regions.csv", ["region_code,region_name", "R8,北部新区", "R9,"], encoding="gb18030")],
        ["regions.csv:3: region_name: expected a non-empty text, found an empty cell"],
        ["regions.csv:3: region_name: 应为非空文本，实际为空单元格"],
    ),
    "in no accepted encoding": (
        [UploadedTable("regions.csv", b"region_code,region_name\nR8,\x81\n")],
        [
            "regions.csv:2: -: cannot read: text is not in an accepted encoding (UTF-8, UTF-8 with BOM, GB18030/GBK or "
            "Windows-1252/Latin-1): it looks like text in an encoding that cannot be recognised, and byte 28 cannot be "
            "read as UTF-8; save it as CSV UTF-8"
        ],
        [
            "regions.csv:2: -: 无法读取：文本编码不受支持（可接受 UTF-8、带 BOM 的 UTF-8、GB18030/GBK 或 Windows-1252/Latin-1）："
            "看起来是无法识别编码的文本，且第 28 个字节无法按 UTF-8 读取；请另存为 CSV UTF-8"
        ],
    ),
    "empty file": (
        [UploadedTable("enrolments.csv", b"")],
        [
            "enrolments.csv:1: -: file is empty: expected a header row with year, institution_id, program_code, enrolled, graduates, entrants"
        ],
        ["enrolments.csv:1: -: 文件为空：应有表头行，包含 year、institution_id、program_code、enrolled、graduates、entrants"],
    ),
    "several xlsx sheets": (
        [workbook_upload("enrolments.xlsx", {"Sheet1": [ENROLMENTS_HEADER, [2024, "I1", "P1", 110, 40]], "Notes": [["draft"]]})],
        [
            "enrolments.xlsx:1: -: the workbook has 2 sheets (Sheet1, Notes) and none is named enrolments: keep one "
            "sheet, or name the sheet to load enrolments"
        ],
        [
            "enrolments.xlsx:1: -: 工作簿有 2 个工作表（Sheet1、Notes），没有一个名为 enrolments：请只保留一个工作表，"
            "或将要载入的工作表命名为 enrolments"
        ],
    ),
    "merged header cells": (
        [
            workbook_upload(
                "enrolments.xlsx",
                {"Sheet1": [["year", "institution", None, "enrolled", "graduates"], [2024, "I1", "P1", 110, 40]]},
                merge="B1:C1",
            )
        ],
        [
            "enrolments.xlsx:1: -: merged cells B1:C1 in the header row of sheet Sheet1: unmerge them so that every "
            "column has its own name"
        ],
        ["enrolments.xlsx:1: -: 工作表 Sheet1 的表头行有合并单元格 B1:C1：请取消合并，使每一列都有自己的列名"],
    ),
    "file name that names no table": (
        [UploadedTable("graduates.csv", b"a,b\n1,2\n")],
        [
            "graduates.csv:0: -: file name does not name a table: expected one of regions.csv, sectors.csv, "
            "institutions.csv, programs.csv, program_sectors.csv, employers.csv, enrolments.csv, placements.csv, outcomes.csv, demand.csv"
        ],
        [
            "graduates.csv:0: -: 文件名不对应任何数据表：应为 regions.csv、sectors.csv、institutions.csv、programs.csv、"
            "program_sectors.csv、employers.csv、enrolments.csv、placements.csv、outcomes.csv、demand.csv 之一"
        ],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_FILES))
def test_each_problem_reads_in_chinese_at_the_same_file_line_and_column_and_stays_english_as_text(tiny_engine, case):
    files, english, chinese = BROKEN_FILES[case]
    result = validate_for_load(tiny_engine, sources_for(files))
    assert [str(p) for p in result.problems] == english
    assert result.report_lines()[: len(english)] == english  # warnings follow the problems
    assert [p.text("zh-CN") for p in result.problems] == chinese
    assert result.report_lines("zh-CN")[: len(chinese)] == chinese


def test_the_problems_table_words_each_problem_in_the_language_asked_for(tiny_engine):
    files, english, chinese = BROKEN_FILES["wrong type"]
    problems = validate_for_load(tiny_engine, sources_for(files)).problems
    table = uploads.problems_frame(problems, language="zh-CN")
    assert list(table.columns) == ["file", "line", "column", "problem"]
    assert table.values.tolist() == [
        ["enrolments.csv", 2, "year", "应为1990至2100之间的整数年份，实际为 '20x4'"],
        ["enrolments.csv", 2, "graduates", "应为大于或等于0的整数，实际为 '12.5'"],
    ]
    assert uploads.problems_frame(problems, language="en")["problem"].tolist() == [line.split(": ", 2)[2] for line in english]
    assert (
        uploads.problems_frame(problems)["problem"].tolist()
        == uploads.problems_frame(problems, language="en")["problem"].tolist()
    )


def test_warnings_and_problems_past_the_cap_are_counted_in_chinese():
    regions = Source("regions.csv", b"region_code,region_name,remarks\nR1,\nR2,\nR3,\n")
    result = validate_sources([regions], max_problems=1)
    assert result.report_lines() == [
        "regions.csv:2: region_name: expected a non-empty text, found an empty cell",
        "... and 2 more problems not listed",
        "warning: regions.csv:1: -: ignored column(s) not in the contract: remarks",
    ]
    assert result.report_lines("zh-CN") == [
        "regions.csv:2: region_name: 应为非空文本，实际为空单元格",
        "……另有 2 个问题未列出",
        "提示：regions.csv:1: -: 已忽略不在数据规范中的列：remarks",
    ]
    assert uploads.message_text(result.warnings[0], "zh-CN") == "regions.csv:1: -: 已忽略不在数据规范中的列：remarks"


def test_a_refused_load_names_the_database_in_chinese_and_keeps_the_english_line():
    problem = Problem(Message("load_undo.database"), 0, FILE_LEVEL, Message("load_undo.busy"))
    assert str(problem) == "(database):0: -: another load is running; nothing was written, try again in a moment"
    assert problem.text("zh-CN") == "（数据库）:0: -: 另一次载入正在进行；未写入任何数据，请稍后再试"
    refused = Message("load_undo.load_refused", error="FOREIGN KEY constraint failed")
    assert refused == "the database refused the load, nothing was written: FOREIGN KEY constraint failed"
    assert refused.text("zh-CN") == "数据库拒绝了本次载入，未写入任何数据：FOREIGN KEY constraint failed"


def test_an_undo_that_cannot_be_done_says_why_in_english_and_in_chinese(tiny_engine):
    outcome = undo_load(tiny_engine, 999, undone_by="test")
    assert not outcome.ok
    assert outcome.problem == "version 999 is not a load that can be undone"
    assert uploads.message_text(outcome.problem, "zh-CN") == "版本 999 不是可撤销的载入"
    later = Message("load_undo.undo_later_first", version=3, later=[5, 4])
    assert later == "version 3 cannot be undone now: undo the later loads first (5, 4)"
    assert later.text("zh-CN") == "版本 3 现在无法撤销：请先撤销之后的载入（5、4）"
    assert Message("load_undo.nothing_to_undo").text("zh-CN") == "没有可撤销的载入"


def test_the_upload_helpers_speak_the_language_asked_for(tiny_engine):
    assert uploads.describe_choice(uploads.BY_FILE_NAME, "Enrolments.CSV", "zh-CN") == "按文件名（enrolments）"
    assert uploads.describe_choice(uploads.BY_FILE_NAME, "notes.csv", "zh-CN") == "请选择数据表"
    assert uploads.describe_choice(uploads.BY_FILE_NAME, "Enrolments.CSV") == "By file name (enrolments)"
    result = validate_for_load(
        tiny_engine, sources_for([csv_upload("enrolments.csv", [",".join(ENROLMENTS_HEADER), "2024,I1,P1,110,41"])])
    )
    assert uploads.load_label(result) == "Load 1 row"
    assert uploads.load_label(result, replace=True, language="zh-CN") == "用 1 行替换全部数据"
    frame, why = uploads.preview_frame(UploadedTable("enrolments.csv", b""), language="zh-CN")
    assert frame is None and why == "the file is empty" and uploads.message_text(why, "zh-CN") == "文件为空"
    frame, _ = uploads.preview_frame(UploadedTable("regions.csv", b"region_code,\nR1,North\n"), language="zh-CN")
    assert list(frame.columns) == ["region_code", "（第 2 列没有列名）"]


def test_the_load_history_names_each_change_in_chinese():
    from datetime import datetime

    moment = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    history = [
        {
            "data_version": 3,
            "loaded_at": moment,
            "loaded_by": "Ana",
            "mode": "undo",
            "undoes": 2,
            "undone_by": None,
            "row_counts": {"enrolments": {"removed": 1, "restored": 1}},
            "files": ["enrolments.csv"],
        },
        {
            "data_version": 2,
            "loaded_at": moment,
            "loaded_by": "Ana",
            "mode": "replace",
            "undoes": None,
            "undone_by": 3,
            "row_counts": {},
            "files": [],
        },
        {
            "data_version": 1,
            "loaded_at": moment,
            "loaded_by": "Ana",
            "mode": "upsert",
            "undoes": None,
            "undone_by": None,
            "row_counts": {},
            "files": [],
        },
    ]
    assert uploads.history_frame(history, timezone_name="UTC", language="zh-CN")["change"].tolist() == [
        "撤销版本 2",
        "替换全部数据",
        "新增或更正",
    ]
    assert uploads.history_frame(history, timezone_name="UTC")["change"].tolist() == [
        "undo of version 2",
        "replace all data",
        "add or correct",
    ]


def test_a_message_survives_pickling_with_its_key_so_cached_previews_still_translate():
    message = Message("validation.workbook_sheets", count=2, sheets=["Sheet1", "Notes"], table="enrolments")
    copy = pickle.loads(pickle.dumps(message))
    assert copy == message and copy.text("zh-CN") == message.text("zh-CN")


def test_every_value_kind_and_message_key_the_code_uses_exists_in_every_language():
    for spec in TABLES.values():
        for column in spec.columns:
            for language in LANGUAGES:
                assert column.describe().text(language)
    code = "".join(
        (ROOT / path).read_text(encoding="utf-8")
        for path in (
            "data_access/validation.py",
            "data_access/excel.py",
            "data_access/loading.py",
            "data_access/contract.py",
            "ui/uploads.py",
        )
    )
    keys = set(re.findall(r'"((?:validation|value_kind|load_undo|uploads)\.[a-z_0-9]+)"', code))
    prefixes = {key for key in keys if key.endswith("_")}  # "uploads.load_" + "one"/"many"
    keys = (keys - prefixes) | {prefix + number for prefix in prefixes for number in ("one", "many")}
    assert len(keys) > 20
    for language in LANGUAGES:
        assert not keys - set(catalogue(language)), language


def open_data_page_in(language: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    app.query_params["lang"] = language
    app.run()
    return app.switch_page("pages/data.py").run()


class RecordingMediaStorage(MemoryMediaFileStorage):
    """AppTest's in-memory media storage, remembered so that a test can read what a download button offers."""

    made: list[MemoryMediaFileStorage] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        RecordingMediaStorage.made.append(self)


def downloaded(button) -> bytes:
    """The bytes a download button of the last AppTest run offers."""
    name = Path(button.proto.url).name
    return RecordingMediaStorage.made[-1].get_file(name).content


def test_the_data_page_in_chinese_lists_a_broken_uploads_problems_in_chinese(app_url, monkeypatch, downloads):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingMediaStorage)
    app = open_data_page_in("zh-CN")
    assert not app.exception
    app.file_uploader[0].set_value(
        [
            (
                "enrolments.csv",
                b"year,institution_id,program_code,enrolled,graduates\n2024,I1,P1,110,-3\n2024,I9,P1,10,2\n",
                "text/csv",
            )
        ]
    )
    app.run()
    assert app.selectbox[0].format_func(uploads.BY_FILE_NAME) == "按文件名（enrolments）"
    next(b for b in app.button if b.label == translate("zh-CN", "data.check")).click().run()
    assert not app.exception
    problems = next(d.value for d in app.dataframe if list(d.value.columns)[:1] == ["file"])
    assert problems.values.tolist() == [
        ["enrolments.csv", 2, "graduates", "应为大于或等于0的整数，实际为 '-3'"],
        [
            "enrolments.csv",
            3,
            "institution_id",
            "未知的 institution_id 'I9'：应为 institutions.csv 中的 institution_id 值之一（本次载入或已存储）",
        ],
    ]
    download = next(d for d in app.get("download_button") if d.proto.url.endswith(".csv"))
    assert downloaded(download).decode("utf-8-sig").splitlines() == [
        "文件,行号,列,问题",
        "enrolments.csv,2,graduates,应为大于或等于0的整数，实际为 '-3'",
        "enrolments.csv,3,institution_id,未知的 institution_id 'I9'：应为 institutions.csv 中的 institution_id 值之一（本次载入或已存储）",
    ]


def test_the_data_page_in_english_still_lists_the_english_problems(app_url):
    app = open_data_page_in("en")
    app.file_uploader[0].set_value(
        [("enrolments.csv", b"year,institution_id,program_code,enrolled,graduates\n2024,I1,P1,110,-3\n", "text/csv")]
    )
    app.run()
    next(b for b in app.button if b.label == "Check files").click().run()
    problems = next(d.value for d in app.dataframe if list(d.value.columns)[:1] == ["file"])
    assert problems.values.tolist() == [["enrolments.csv", 2, "graduates", "expected a whole number of 0 or more, found '-3'"]]
