"""A check without a sign-in runs within a time budget and one at a time: a second visitor's check while one
runs is told to try again in a moment, a check past its budget stops with a message (in the reading of a
sheet, of a file, or in the database), and an editor who has signed in checks without either limit."""

from __future__ import annotations

import pytest

from data_access import budget
from data_access.loading import check_connection, validate_for_load
from data_access.settings import get_settings
from ui.uploads import UploadedTable, sources_for

from .test_data_page import CORRECTED_ENROLMENTS, LOCAL_EDITORS, button, open_data_page, sign_in, upload
from .test_hostile_workbooks import REGION_ROWS, built_with_openpyxl

BUSY = "Another check is running on the server: try again in a moment. (Editors who have signed in need not wait.)"


def test_only_one_check_without_a_sign_in_runs_at_a_time():
    with budget.anonymous_check(60), pytest.raises(budget.CheckBusy), budget.anonymous_check(60):
        pass
    with budget.anonymous_check(60):  # free again once the first is over
        pass


@pytest.mark.parametrize(
    "name, data",
    [("regions.xlsx", built_with_openpyxl(REGION_ROWS)), ("enrolments.csv", CORRECTED_ENROLMENTS)],
)
def test_past_its_budget_a_check_stops_and_no_reader_takes_that_for_an_unreadable_file(tiny_engine, name, data):
    with pytest.raises(budget.OverBudget), budget.within(0):
        validate_for_load(tiny_engine, sources_for([UploadedTable(name, data)]))
    assert validate_for_load(tiny_engine, sources_for([UploadedTable(name, data)])).ok  # no budget: the command line


def test_past_its_budget_the_database_stops_the_statement_a_check_runs(engine):
    # A statement that would run for minutes: the database itself stops it at the deadline.
    endless = (
        "SELECT pg_sleep(600)"
        if engine.dialect.name == "postgresql"
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    )
    with pytest.raises(budget.OverBudget), budget.within(0.05), check_connection(engine) as connection:
        connection.exec_driver_sql(endless)
    with check_connection(engine) as connection:  # the connection is as good as before
        assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1


def test_a_second_visitors_check_while_one_runs_is_told_to_try_again(app_url):
    app = open_data_page(local_editors=LOCAL_EDITORS)
    upload(app, ("enrolments.csv", CORRECTED_ENROLMENTS))
    with budget.anonymous_check(60):  # another visitor's check, running in this process
        button(app, "Check files").click().run()
    assert not app.exception
    assert [w.value for w in app.warning] == [BUSY]
    assert not app.success  # no result of a check that did not run
    button(app, "Check files").click().run()
    assert any("No problems" in s.value for s in app.success)


def test_a_check_past_its_budget_stops_with_a_message(app_url, monkeypatch):
    monkeypatch.setenv("ANONYMOUS_CHECK_SECONDS", "0.000001")
    get_settings.cache_clear()
    app = open_data_page(local_editors=LOCAL_EDITORS)
    upload(app, ("enrolments.csv", CORRECTED_ENROLMENTS))
    button(app, "Check files").click().run()
    assert not app.exception and not app.error
    assert [w.value for w in app.warning] == [
        "The check was stopped after 1e-06 seconds, the most a check may take without signing in: sign in as an editor "
        "to check without a time limit, or check the files on the server with python -m data_access."
    ]
    assert not app.success


def test_an_editor_checks_without_waiting_or_a_budget(app_url, monkeypatch):
    monkeypatch.setenv("ANONYMOUS_CHECK_SECONDS", "0.000001")
    get_settings.cache_clear()
    app = open_data_page(local_editors=LOCAL_EDITORS)
    sign_in(app)
    upload(app, ("enrolments.csv", CORRECTED_ENROLMENTS))
    with budget.anonymous_check(60):
        button(app, "Check files").click().run()
    assert not app.exception and not app.warning
    assert any("No problems" in s.value for s in app.success)


def test_a_recipes_check_while_another_visitors_check_runs_is_told_to_try_again(app_url):
    app = open_data_page(local_editors=LOCAL_EDITORS)
    recipe = b'[[table]]\ntable = "regions"\nfile = "regions.csv"\n'
    uploader = next(u for u in app.get("file_uploader") if "Recipe" in u.proto.label)
    uploader.set_value(
        [("recipe.toml", recipe, "text/plain"), ("regions.csv", b"region_code,region_name\nR9,Far North\n", "text/csv")]
    )
    app.run()
    with budget.anonymous_check(60):
        button(app, "Run the recipe and check").click().run()
    assert not app.exception
    assert [w.value for w in app.warning] == [BUSY]
    button(app, "Run the recipe and check").click().run()
    assert any("No problems" in s.value for s in app.success)
