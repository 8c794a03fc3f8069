"""The first start: the embedded default database is created and filled from the sample data (a few
seconds, once per DASHBOARD_HOME and SAMPLE_NAMES). Meanwhile the page says what is being prepared
instead of staying blank, and afterwards a closed status says what was done; the page draws below it.
Later runs see the database file and show nothing of it."""

from __future__ import annotations

import time

import streamlit as st

from data_access.store import StoreError, get_engine

from .formatting import fmt_count
from .i18n import md


def prepare_sample_database() -> None:
    """Create and fill the embedded default database under a status that follows its steps
    (data_access.store.Progress). A StoreError is raised on, after the status says it failed."""
    started = time.monotonic()
    loaded: dict[str, int] = {}
    with st.status(md("first_visit.preparing"), expanded=True) as status:

        def progress(step: str, figures: dict[str, int]) -> None:
            if step == "schema":
                label, line = md("first_visit.creating"), md("first_visit.step_schema")
            elif figures.get("rows"):
                loaded.update(figures)
                rows, files = fmt_count(figures["rows"]), figures["files"]
                label, line = (
                    md("first_visit.loading", rows=rows, files=files),
                    md("first_visit.step_sample", rows=rows, files=files),
                )
            else:  # no CSV rows to count (a folder of workbooks): the load still says what it finds
                label, line = md("first_visit.loading_files"), md("first_visit.step_sample_files")
            status.update(label=label)
            st.markdown(line)

        try:
            get_engine(progress=progress)
        except StoreError:
            status.update(label=md("first_visit.failed"), state="error", expanded=False)
            raise
        seconds = round(time.monotonic() - started, 1)
        if loaded:
            done = md("first_visit.ready", rows=fmt_count(loaded["rows"]), seconds=seconds)
        else:  # another process filled it meanwhile
            done = md("first_visit.ready_elsewhere")
        status.update(label=done, state="complete", expanded=False)
