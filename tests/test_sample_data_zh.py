"""The Chinese-named sample region (sample_data/zh/) is what its generator writes with ``--names zh``:
the English sample's rows, codes and numbers with invented Chinese names, so that every code (and a
URL or test naming one) works on both. With SAMPLE_NAMES=zh the embedded database is filled from it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from data_access.i18n import translate
from data_access.settings import get_settings
from data_access.store import _ready_engine

from .conftest import clear_app_caches, run_app

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
ZH = SAMPLE / "zh"
NAME_COLUMNS = {
    "regions": ["region_name"],
    "sectors": ["sector_name"],
    "institutions": ["institution_name", "institution_type"],
    "programs": ["program_name"],
    "employers": ["employer_name"],
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def read(folder: Path, table: str) -> pd.DataFrame:
    """A table as text, exactly as written (empty cells as empty strings)."""
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def test_the_generator_writes_exactly_the_bundled_chinese_files(tmp_path):
    command = [sys.executable, str(SAMPLE / "generate.py"), "--names", "zh", "--out", str(tmp_path)]
    subprocess.run(command, check=True, capture_output=True)
    written = sorted(p.name for p in tmp_path.glob("*.csv"))
    assert written == sorted(p.name for p in ZH.glob("*.csv"))
    for name in written:
        assert (tmp_path / name).read_bytes() == (ZH / name).read_bytes(), name


def test_the_chinese_files_are_the_english_ones_but_for_the_names():
    assert sorted(p.name for p in ZH.glob("*.csv")) == sorted(p.name for p in SAMPLE.glob("*.csv"))
    for path in sorted(SAMPLE.glob("*.csv")):
        english, chinese = read(SAMPLE, path.stem), read(ZH, path.stem)
        assert list(chinese.columns) == list(english.columns), path.name
        names = NAME_COLUMNS.get(path.stem, [])
        same = [c for c in english.columns if c not in names]
        # Same rows in the same order: every code, number and empty cell as it is in English.
        pd.testing.assert_frame_equal(chinese[same], english[same], check_exact=True, obj=path.name)
        for column in names:
            assert chinese[column].map(lambda name: bool(CJK.search(name))).all(), (path.name, column)
            assert chinese[column].nunique() == english[column].nunique(), (path.name, column)


def test_the_chinese_sectors_are_the_sections_of_the_national_classification():
    sectors = dict(read(ZH, "sectors").values)
    assert sectors["C"] == "制造业"
    assert sectors["J"] == "信息传输、软件和信息技术服务业"
    assert sectors["Q"] == "卫生和社会工作"
    assert sectors["N"] == "租赁和商务服务业"
    types = set(read(ZH, "institutions")["institution_type"])
    assert types == {"中职学校", "高职院校", "技工院校", "成人培训中心"}
    # A one-year course keeps its three-year program's name with 一年制.
    programs = dict(read(ZH, "programs")[["program_code", "program_name"]].values)
    english = dict(read(SAMPLE, "programs")[["program_code", "program_name"]].values)
    one_year = {code for code, name in english.items() if name.endswith(" (one-year course)")}
    assert one_year == {code for code, name in programs.items() if name.endswith("（一年制）")}


@pytest.fixture
def chinese_sample(isolated_home, monkeypatch):
    """SAMPLE_NAMES=zh with a fresh DASHBOARD_HOME: the app fills its own database from sample_data/zh."""
    monkeypatch.setenv("SAMPLE_NAMES", "zh")
    monkeypatch.delenv("SAMPLE_DATA_DIR", raising=False)
    get_settings.cache_clear()
    _ready_engine.cache_clear()
    yield isolated_home
    _ready_engine.cache_clear()


def test_with_sample_names_zh_the_chinese_overview_lists_chinese_sector_names(chinese_sample):
    clear_app_caches()
    try:
        app = run_app(lang="zh-CN")
        assert not app.exception
        assert (chinese_sample / "dashboard-zh.sqlite").exists()
        assert not (chinese_sample / "dashboard.sqlite").exists()  # the English sample's database is another file
        markdown = [m.value for m in app.markdown]
        heading = markdown.index(translate("zh-CN", "overview.largest_shortages"))
        shortages = markdown[heading + 1].splitlines()
        chinese, english = dict(read(ZH, "sectors").values), dict(read(SAMPLE, "sectors").values)
        # The largest shortages of 2025 by sector: health (-1,739), manufacturing (-1,588), ICT (-1,253).
        assert len(shortages) >= 3
        for sentence, code in zip(shortages, ["Q", "C", "J"]):
            assert sentence.startswith(f"- {chinese[code]}："), sentence
        everything = "\n".join(markdown)
        assert not any(name in everything for name in english.values())
    finally:
        clear_app_caches()
