"""Streamed loads (data_access/streaming.py): chunks, staging tables and checks in SQL give the same
problems, in the same order, as a load held in memory, and write the same rows."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from data_access.loading import load_sources, undo_load
from data_access.models import CONTRACT_MODELS
from data_access.streaming import Stage
from data_access.validation import Source, collect_sources
from tests.conftest import TINY

REGIONS = "region_code,region_name\nR1,North\nR2,South\nR3,East\n"
INSTITUTIONS = "institution_id,institution_name,region_code,institution_type\n"


def _sources(**files: str) -> list[Source]:
    return [Source(f"{name}.csv", text.encode("utf-8")) for name, text in files.items()]


def _problems(outcome) -> list[str]:
    return [str(problem) for problem in outcome.validation.problems]


def _rows(engine, table: str) -> list[tuple]:
    model = CONTRACT_MODELS[table]
    with engine.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(select(model.__table__)))


def test_a_duplicate_key_in_a_later_chunk_names_the_line_of_the_first_chunk(engine):
    # Chunks of 2 rows: R1 on line 2 (chunk 1), again on line 6 (chunk 3).
    regions = "region_code,region_name\nR1,North\nR2,South\nR3,East\nR4,West\nR1,Again\n"
    outcome = load_sources(engine, _sources(regions=regions), chunk_rows=2)
    assert not outcome.ok
    assert _problems(outcome) == ["regions.csv:6: region_code: duplicate key (R1): the same key is on line 2"]
    assert _rows(engine, "regions") == []


def test_cell_problems_duplicates_and_references_come_in_the_order_of_a_load_held_in_memory(engine):
    institutions = INSTITUTIONS + "I1,One,R1,T\nI2,Two,R9,T\nI1,Again,R1,T\nI3,Three,,T\n"
    files = _sources(regions=REGIONS, institutions=institutions)
    streamed = load_sources(engine, files, chunk_rows=1, max_problems=200)
    held = load_sources(engine, files, max_problems=200)
    assert _problems(streamed) == _problems(held)
    assert _problems(streamed) == [
        "institutions.csv:4: institution_id: duplicate key (I1): the same key is on line 2",
        "institutions.csv:5: region_code: expected a non-empty text, found an empty cell",
        "institutions.csv:3: region_code: unknown region_code 'R9': expected one of the region_code values of "
        "regions.csv in this load or already stored",
    ]
    capped = load_sources(engine, files, chunk_rows=1, max_problems=1)
    assert _problems(capped) == _problems(held)[:1] and capped.validation.problem_count == 3


def test_a_reference_to_a_parent_that_only_the_database_holds_resolves(engine):
    assert load_sources(engine, _sources(regions=REGIONS)).ok
    outcome = load_sources(engine, _sources(institutions=INSTITUTIONS + "I1,One,R2,T\nI2,Two,R4,T\n"), chunk_rows=1)
    assert _problems(outcome) == [
        "institutions.csv:3: region_code: unknown region_code 'R4': expected one of the region_code values of "
        "regions.csv in this load or already stored"
    ]
    outcome = load_sources(engine, _sources(institutions=INSTITUTIONS + "I1,One,R2,T\n"), chunk_rows=1)
    assert outcome.ok and outcome.counts["institutions"] == {"rows": 1, "added": 1, "updated": 0, "removed": 0}
    assert _rows(engine, "institutions") == [("I1", "One", "R2", "T")]


def test_a_streamed_upsert_counts_overwrites_and_is_undone_exactly(engine):
    assert load_sources(engine, _sources(regions=REGIONS)).ok
    outcome = load_sources(engine, _sources(regions="region_code,region_name\nR2,Süd\nR4,West\n"), chunk_rows=1)
    assert outcome.ok and outcome.counts["regions"] == {"rows": 2, "added": 1, "updated": 1, "removed": 0}
    assert _rows(engine, "regions") == [("R1", "North"), ("R2", "Süd"), ("R3", "East"), ("R4", "West")]
    assert outcome.validation.table_rows() == {"regions": 2}
    assert undo_load(engine).ok
    assert _rows(engine, "regions") == [("R1", "North"), ("R2", "South"), ("R3", "East")]


def test_the_tiny_folder_streamed_in_chunks_of_one_row_loads_what_a_held_load_loads(engine, tmp_path):
    sources, _, _ = collect_sources([TINY])
    streamed = load_sources(engine, sources, chunk_rows=1, replace=True)
    assert streamed.ok
    after_streamed = {table: _rows(engine, table) for table in CONTRACT_MODELS}
    held = load_sources(engine, sources, replace=True)
    assert held.ok
    assert {t: {**c, "removed": 0} for t, c in held.counts.items()} == streamed.counts
    assert {table: _rows(engine, table) for table in CONTRACT_MODELS} == after_streamed


def test_a_large_file_is_kept_as_its_path_and_still_checked_line_by_line(engine, tmp_path, monkeypatch):
    import data_access.validation as validation

    monkeypatch.setattr(validation, "HELD_BELOW_BYTES", 10)
    shutil.copy(TINY / "regions.csv", tmp_path / "regions.csv")
    with open(tmp_path / "regions.csv", "a", encoding="utf-8") as file:
        file.write("R1,again\n")
    sources, _, _ = collect_sources([tmp_path])
    assert sources[0].data == b"" and sources[0].path == tmp_path / "regions.csv"
    outcome = load_sources(engine, sources, chunk_rows=2)
    assert _problems(outcome) == [
        "regions.csv:5: region_code: duplicate key (R1): the same key is on line 2".replace(
            "regions.csv", str(tmp_path / "regions.csv")
        )
    ]


@pytest.mark.parametrize(
    "text",
    ["tab\there", "line\nbreak\r\nend", "back\\slash \\N \\t", "quote \" and '", "北部新区 · 职业", "<b>markup</b> & =1+1"],
)
def test_the_staging_copy_round_trips_text_exactly(engine, text):
    from data_access.contract import TABLES

    with engine.begin() as connection:
        stage = Stage(connection, TABLES["regions"])
        stage.write([(2, "R1", text), (3, "R2", None)])
        assert stage.fetch(("region_code", "region_name"), [2, 3]) == [(2, "R1", text), (3, "R2", None)]
        stage.drop()
