"""Links and history (ui/bookmarks.py) through AppTest on the tiny fixture: a link sets the pages' view
settings and chart selections (invalid values ignored), the session's changes go into the URL, and
Back (a rerun Streamlit flags as a history navigation) brings the URL's view back; any other URL never
undoes the session's choices."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui.bookmarks
from ui.bookmarks import SELECTION_PARAMS, VIEW_SETTINGS

from .conftest import click_chart, open_page
from .test_planning import plan_engine  # noqa: F401  (the fixture of plan_app)
from .test_planning_page import PLANNING, bars, plan_app  # noqa: F401  (the fixture)

ENROLMENT, OUTCOMES = "pages/enrolment.py", "pages/outcomes.py"
DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def param(app: AppTest, name: str) -> str | None:
    """The URL's value of ``name`` after the run (the last one when repeated), None when absent."""
    if name not in app.query_params:
        return None
    value = app.query_params[name]
    return value[-1] if isinstance(value, list) else value


def programs(app: AppTest) -> list[str]:
    return list(app.dataframe[0].value["program_code"])


def no_problem(app: AppTest) -> bool:
    return not app.exception and not app.error


@pytest.fixture
def back(monkeypatch):
    """Run ``app`` as the browser's Back to ``params`` would: that URL, in a rerun flagged as a history navigation."""

    def go_back(app: AppTest, **params) -> AppTest:
        for name in list(app.query_params):
            del app.query_params[name]
        for name, value in params.items():
            app.query_params[name] = value
        monkeypatch.setattr(ui.bookmarks, "_history_navigation", lambda: True)
        try:
            return app.run()
        finally:
            monkeypatch.setattr(ui.bookmarks, "_history_navigation", lambda: False)

    return go_back


# --- the registry ----------------------------------------------------------------------------------


def test_every_parameter_is_named_once_and_every_page_exists():
    names = [s.param for s in VIEW_SETTINGS] + list(SELECTION_PARAMS)
    names += ["from", "to", "region", "sector", "hide_below", "lang", "present", "institution", "scenario"]
    assert len(names) == len(set(names))
    assert len({s.key for s in VIEW_SETTINGS}) == len(VIEW_SETTINGS)
    url_paths = set(re.findall(r'url_path="([^"]+)"', DASHBOARD.read_text()))
    assert {s.page for s in VIEW_SETTINGS} <= url_paths


def test_the_defaults_are_the_pages_own():
    files = {path: file for file, path in re.findall(r'st\.Page\("([^"]+)".*?url_path="([^"]+)"', DASHBOARD.read_text())}
    for setting in VIEW_SETTINGS:
        if setting.always:  # in the URL whatever its value
            continue
        source = (DASHBOARD.parent / files[setting.page]).read_text()
        key = source.index(f'key="{setting.key}"')
        call = source[source.rindex("segmented_control(", 0, key) : key + 60]  # the widget's call around its key
        assert f'default="{setting.default([])}"' in call, setting


# --- a link opens the view -------------------------------------------------------------------------


def test_a_link_sets_the_enrolment_page_s_group_by_and_measure(app_url):
    app = open_page(ENROLMENT, group="type", measure="graduates")
    assert no_problem(app)
    assert app.segmented_control(key="enrolment_group").value == "type"
    assert app.segmented_control(key="enrolment_measure").value == "graduates"
    assert any("Graduates by institution type over the years" in c.proto.spec for c in app.get("plotly_chart"))
    assert (param(app, "group"), param(app, "measure")) == ("type", "graduates")


def test_invalid_values_in_the_link_are_ignored_not_an_error(app_url):
    app = open_page(ENROLMENT, group="nonsense", measure="", sel_enrolment="NOPE,,")
    assert no_problem(app)
    assert app.segmented_control(key="enrolment_group").value == "sector"
    assert app.segmented_control(key="enrolment_measure").value == "enrolled"
    assert (param(app, "group"), param(app, "measure"), param(app, "sel_enrolment")) == (None, None, None)
    assert programs(app) == ["P1"]  # not narrowed


def test_a_selection_in_the_link_narrows_the_page_and_says_so(app_url):
    app = open_page(ENROLMENT, to="2023", sel_enrolment="J")
    assert no_problem(app)
    table = app.dataframe[0].value
    assert list(table["program_code"]) == ["P2"]  # ICT has P2 only: 50 enrolled, 12 graduates in 2023 (I2)
    assert list(table["enrolled"]) == [50] and list(table["graduates"]) == [12]
    assert any("Narrowed to sector: **ICT**" in info.value for info in app.info)
    assert param(app, "sel_enrolment") == "J"
    app.run()  # another run (another widget changed): the linked selection stays
    assert programs(app) == ["P2"]

    app.button(key="enrolment_sector_selection_round_clear").click().run()
    assert no_problem(app)
    assert programs(app) == ["P2", "P1"]
    assert param(app, "sel_enrolment") is None


def test_a_selection_in_the_link_narrows_the_outcomes_headline(app_url):
    app = open_page(OUTCOMES, sel_outcomes="J")
    assert no_problem(app)
    assert any("ICT" in info.value for info in app.info)
    assert param(app, "sel_outcomes") == "J"
    unnarrowed = open_page(OUTCOMES)
    assert {m.label: m.value for m in app.metric} != {m.label: m.value for m in unnarrowed.metric}


# --- the session's changes go into the URL ---------------------------------------------------------


def test_the_session_s_changes_are_written_to_the_url_without_defaults(app_url):
    app = open_page(ENROLMENT, to="2023")
    assert param(app, "group") is None
    app.segmented_control(key="enrolment_group").set_value("region").run()
    assert param(app, "group") == "region"
    click_chart(app, "enrolment_sector_selection", ["J"])
    assert param(app, "sel_enrolment") == "J"
    assert programs(app) == ["P2"]
    app.segmented_control(key="enrolment_group").set_value("sector").run()
    assert param(app, "group") is None  # the default is left out
    assert param(app, "sel_enrolment") == "J"

    app.switch_page(OUTCOMES).run()  # another page: the enrolment page's settings stay in the link
    assert no_problem(app)
    assert param(app, "sel_enrolment") == "J" and param(app, "to") == "2023"
    app.segmented_control(key="outcomes_group").set_value("region").run()
    assert param(app, "compare") == "region"
    app.switch_page(ENROLMENT).run()  # and come back with the page
    assert programs(app) == ["P2"]
    assert any("Narrowed to sector: **ICT**" in info.value for info in app.info)


def test_a_link_reproduces_the_planning_scenario_horizon_and_method(plan_app):  # noqa: F811
    link = {"plan_to": "2025", "plan_method": "trend", "scenario": "P1::2023:0.1"}
    app = open_page(PLANNING, **link)
    assert not app.exception
    assert {name: param(app, name) for name in link} == link
    assert bars(app, 2025)["Graduates with the scenario"]["Manufacturing"] == pytest.approx(138.6)  # 154 x 0.9
    assert app.select_slider(key="plan_horizon").value == 2025


# --- Back ------------------------------------------------------------------------------------------


def test_back_undoes_a_filter_and_a_view_change(app_url, back):
    app = open_page(ENROLMENT, to="2023")
    app.sidebar.multiselect(key="filter_regions").set_value(["R2"]).run()
    app.segmented_control(key="enrolment_group").set_value("region").run()
    assert (param(app, "region"), param(app, "group")) == ("R2", "region")

    back(app, to="2023", region="R2")  # one step back: before the group-by change
    assert no_problem(app)
    assert app.segmented_control(key="enrolment_group").value == "sector"
    assert app.sidebar.multiselect(key="filter_regions").value == ["R2"]
    assert param(app, "group") is None

    back(app, to="2023")  # and before the region filter
    assert app.sidebar.multiselect(key="filter_regions").value == []
    assert param(app, "region") is None
    assert programs(app) == ["P2", "P1"]


def test_back_undoes_a_chart_selection(app_url, back):
    app = open_page(ENROLMENT, to="2023")
    click_chart(app, "enrolment_sector_selection", ["J"])
    assert programs(app) == ["P2"]
    back(app, to="2023")
    assert no_problem(app)
    assert programs(app) == ["P2", "P1"]
    assert param(app, "sel_enrolment") is None
    back(app, to="2023", sel_enrolment="J")  # forward again
    assert programs(app) == ["P2"]


def test_back_undoes_a_scenario_change(plan_app, back):  # noqa: F811
    app = open_page(PLANNING, plan_to="2025", plan_method="trend", scenario="P1::2023:0.1")
    back(app, plan_to="2025", plan_method="trend")
    assert not app.exception
    assert "scenario" not in app.query_params
    assert "Graduates with the scenario" not in bars(app, 2025)
    back(app, plan_to="2025", plan_method="trend", scenario="P1::2023:0.1")
    assert bars(app, 2025)["Graduates with the scenario"]["Manufacturing"] == pytest.approx(138.6)


def test_a_url_that_is_not_a_link_or_back_never_undoes_the_session_s_choices(app_url):
    app = open_page(ENROLMENT, to="2023")
    app.sidebar.multiselect(key="filter_regions").set_value(["R2"]).run()
    app.segmented_control(key="enrolment_group").set_value("region").run()
    click_chart(app, "enrolment_sector_selection", ["J"])

    # A browser still showing an older URL, or a page change that dropped the query: the session wins
    # and its choices go back into the URL.
    for name in list(app.query_params):
        del app.query_params[name]
    app.run()
    assert no_problem(app)
    assert app.sidebar.multiselect(key="filter_regions").value == ["R2"]
    assert app.segmented_control(key="enrolment_group").value == "region"
    assert {name: param(app, name) for name in ("to", "region", "group", "sel_enrolment")} == {
        "to": "2023",
        "region": "R2",
        "group": "region",
        "sel_enrolment": "J",
    }
