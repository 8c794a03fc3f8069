"""Presentation mode through AppTest on the tiny fixture: the URL switches it on, the bottom bar shows
the filters and data version, Next steps to the next page keeping the filters, and turning it off
removes the bar and the styles."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui.presentation import TOGGLE_KEY

from .conftest import run_app


def styles(app: AppTest) -> list[str]:
    return [element.proto.body for element in app.get("html") if "stSidebar" in element.proto.body]


def bar_captions(app: AppTest) -> list[str]:
    return [caption.value for caption in app.caption if "data version" in caption.value and "**" in caption.value]


def test_present_in_the_url_turns_presentation_mode_on(app_url):
    app = run_app(present="1")
    assert not app.exception
    assert app.sidebar.toggle(key=TOGGLE_KEY).value is True
    assert styles(app), "the style hiding the sidebar and chrome is injected"
    assert app.button(key="presentation_next").label == "Next ▶"
    assert app.button(key="presentation_back").disabled  # the Overview is the first screen
    assert app.query_params["present"] in ("1", ["1"])


def test_without_present_in_the_url_the_dashboard_looks_as_before(app_url):
    app = run_app()
    assert not app.exception
    assert app.sidebar.toggle(key=TOGGLE_KEY).value is False
    assert not styles(app) and not bar_captions(app)
    assert "present" not in app.query_params


def test_the_bar_shows_the_page_the_filters_and_the_data_version(app_url):
    app = run_app(present="1", sector="Q")
    assert not app.exception
    (caption,) = bar_captions(app)
    assert caption.startswith("**Overview** · ") and caption.endswith("; all regions; Health · data version 1")


def test_next_goes_to_the_next_page_keeping_the_filters_and_the_mode(app_url):
    app = run_app(present="1", region="R2")
    app.button(key="presentation_next").click().run()
    assert not app.exception
    assert app.title[0].value == "Supply vs demand"
    assert app.query_params["region"] in ("R2", ["R2"])
    assert app.query_params["present"] in ("1", ["1"])
    assert (
        bar_captions(app)[0].startswith("**Supply vs demand** · ")
        and "; South; all sectors · data version" in bar_captions(app)[0]
    )
    app.button(key="presentation_back").click().run()
    assert app.title[0].value == "Overview"


def test_exit_and_the_toggle_turn_presentation_mode_off(app_url):
    app = run_app(present="1")
    app.button(key="presentation_exit").click().run()
    assert not app.exception
    assert app.sidebar.toggle(key=TOGGLE_KEY).value is False
    assert not styles(app) and not bar_captions(app)
    assert "present" not in app.query_params
    app.sidebar.toggle(key=TOGGLE_KEY).set_value(True).run()
    assert styles(app) and bar_captions(app)
    assert app.query_params["present"] in ("1", ["1"])


def test_pages_show_a_takeaway_under_their_main_chart(app_url):
    app = run_app()
    for page, title in (
        ("pages/home.py", "Overview"),
        ("pages/supply_demand.py", "Supply vs demand"),
        ("pages/enrolment.py", "Enrolment and graduates"),
        ("pages/placements.py", "Placements and partners"),
        ("pages/outcomes.py", "Graduate outcomes"),
    ):
        app.switch_page(page).run()
        assert not app.exception, title
        assert any(m.value.startswith("**Takeaway:**") for m in app.markdown), title
