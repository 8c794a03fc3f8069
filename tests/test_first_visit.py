"""The first start: while the embedded default database is created and filled from the sample, the page
says so (in the interface language) instead of staying blank; then it draws as usual. Later runs, and
later sessions, do not show it."""

from __future__ import annotations

import pytest

from data_access import store
from data_access.i18n import translate

from .conftest import clear_app_caches, run_app

SAMPLE_ROWS = "17,348"  # data rows of the nine sample files (sample_data/README.md)


@pytest.fixture
def fresh_start(isolated_home, monkeypatch):
    """A fresh DASHBOARD_HOME, no DATABASE_URL, the English sample; no engine or Streamlit cache left over."""
    monkeypatch.delenv("SAMPLE_NAMES", raising=False)
    monkeypatch.delenv("SAMPLE_DATA_DIR", raising=False)
    clear_app_caches()
    yield isolated_home
    clear_app_caches()


def steps_shown(status) -> list[str]:
    return [m.value for m in status.markdown]


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_first_run_says_what_it_prepares_then_draws_the_overview(fresh_start, language):
    assert store.default_needs_filling()
    app = run_app(lang=language)
    assert not app.exception
    [status] = app.status
    assert status.state == "complete"
    before, after = translate(language, "first_visit.ready", rows=SAMPLE_ROWS, seconds="SECONDS").split("SECONDS")
    assert status.label.startswith(before) and status.label.endswith(after), status.label
    assert steps_shown(status) == [
        translate(language, "first_visit.step_schema"),
        translate(language, "first_visit.step_sample", rows=SAMPLE_ROWS, files=9),
    ]
    # ... and then the Overview with the sample's figures.
    assert (fresh_start / "dashboard.sqlite").exists()
    assert app.title[0].value == translate(language, "nav.overview")
    assert len(app.metric) == 6 and all(m.value not in ("", "–") for m in app.metric)

    # The next run of the same session, and a new session, show no status.
    app.run()
    assert not app.exception and not app.status and len(app.metric) == 6
    again = run_app(lang=language)
    assert not again.exception and not again.status and len(again.metric) == 6


def test_a_database_that_exists_shows_no_status(fresh_start):
    store.get_engine()  # created and filled by the command line, say
    clear_app_caches()
    assert not store.default_needs_filling()
    app = run_app()
    assert not app.exception and not app.status and len(app.metric) == 6


def test_the_store_tells_its_steps_only_when_it_fills_the_database(fresh_start):
    steps: list[tuple[str, dict[str, int]]] = []
    engine = store.get_engine(progress=lambda step, figures: steps.append((step, figures)))
    assert steps == [("schema", {}), ("sample", {"rows": 17348, "files": 9})]
    store._ready_engine.cache_clear()
    engine.dispose()
    steps.clear()
    store.get_engine(progress=lambda step, figures: steps.append((step, figures))).dispose()
    assert [step for step, _ in steps] == ["schema"]  # the schema is checked; nothing is loaded a second time


def test_a_named_database_never_needs_filling(fresh_start, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'named.sqlite'}")
    store.get_settings.cache_clear()
    assert not store.default_needs_filling()
