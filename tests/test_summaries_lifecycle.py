"""The summary tables give exactly the numbers of the raw rows after a load, an upsert, a replacing load
and an undo, on SQLite and (with TEST_DATABASE_URL) PostgreSQL. Apart from tests/test_summaries.py so
that the two run on two test processes at once."""

from __future__ import annotations

import pandas as pd

from data_access.loading import load_paths, undo_load

from .conftest import TINY
from .test_summaries import LIFECYCLE_FILTER_SETS, assert_summaries_match_raw_rows


def test_every_view_is_the_same_after_load_upsert_replace_and_undo(engine, scale_folder, tmp_path):
    assert load_paths(engine, [scale_folder]).ok
    assert_summaries_match_raw_rows(engine)

    # An upsert that moves an institution to another region, corrects enrolments and adds placements.
    tables = {
        t: pd.read_csv(scale_folder / f"{t}.csv", keep_default_na=False, dtype=str)
        for t in ("institutions", "enrolments", "placements")
    }
    institutions, enrolments, placements = tables["institutions"], tables["enrolments"], tables["placements"]
    institutions.loc[0, "region_code"] = "R002" if institutions.loc[0, "region_code"] == "R001" else "R001"
    enrolments = enrolments.iloc[::7].copy()
    enrolments["graduates"] = "0"
    placements = placements.iloc[::5].copy()
    placements["students_placed"], placements["hired"] = "3", "1"
    changed = tmp_path / "changed"
    changed.mkdir()
    for name, frame in (("institutions", institutions), ("enrolments", enrolments), ("placements", placements)):
        frame.to_csv(changed / f"{name}.csv", index=False)
    assert load_paths(engine, [changed]).ok
    assert_summaries_match_raw_rows(engine, LIFECYCLE_FILTER_SETS)

    assert load_paths(engine, [TINY], replace=True).ok
    assert_summaries_match_raw_rows(engine, LIFECYCLE_FILTER_SETS)

    assert undo_load(engine).ok  # back to before the replacing load
    assert_summaries_match_raw_rows(engine, LIFECYCLE_FILTER_SETS)
    assert undo_load(engine).ok  # back to before the upsert
    assert_summaries_match_raw_rows(engine, LIFECYCLE_FILTER_SETS)
