"""Links and history: everything that changes the view is in the URL, so that a bookmark or a sent link
opens the same view and the browser's Back undoes a change.

What is in the URL, and who writes it:

============================  ========================================================  ======================
parameter                     what                                                      written by
============================  ========================================================  ======================
from, to, region, sector,     the sidebar filters                                       ui/filters.py
hide_below
group, measure                Enrolment: group by, measure                              ``VIEW_SETTINGS`` here
period                        Supply vs demand: latest year or the whole period         ``VIEW_SETTINGS`` here
cohorts, compare              Graduate outcomes: cohorts shown, compared by             ``VIEW_SETTINGS`` here
rank                          Placements: partners ranked by                            ``VIEW_SETTINGS`` here
plan_to, plan_method          Planning: horizon and method                              here and the page
scenario                      Planning: the scenario's changes                          ui/planning_scenario.py
sel_enrolment, sel_outcomes,  the sectors selected in a chart (``sel_enrolment=C,J``)   ui/selection.py
sel_placements
============================  ========================================================  ======================

Widgets of the pages keep their keys; ``apply_view_settings`` (called by dashboard.py before the page
runs) puts a value of the URL into the widget's session state when the session has none, or when the URL
changed from outside the app, and writes the session's values back (only those that are not the
default, so links stay short). Values that are not allowed are ignored. A widget's value as the browser
sent it is in session state from the top of the run, so the URL is right even when the page stops early
(after ``st.stop()`` no Streamlit command works: nothing could be written after the page).

Back and forward: Streamlit (1.67) pushes a browser history entry whenever a run changes the query
string (frontend ``handlePageInfoChanged``: ``history.pushState``, or ``replaceState`` during a
history navigation), and on ``popstate`` it reruns the app with that entry's URL, flagged as a history
navigation (``is_history_navigation`` of the run's context). Streamlit restores only widgets bound to
the URL with ``bind="query-params"``; these widgets would keep their values and write them back. So
``begin_run`` notes whether this run's URL came from outside the app: the link a session opens with (an
edited URL reloads the page, a new session) and Back/forward. Then the filters, the view settings, the
chart selections and the planning scenario follow the URL, and a parameter left out means the default.
Any other difference between the URL and the session is the app's own doing and the session wins: the
browser can be slow to show the newest URL, and Streamlit can drop the query on a page change; neither
may undo what the user chose.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

OUTSIDE_KEY = "bookmarks_url_from_outside"  # session state: this run's URL came from a link or Back/forward
URL_OPENED_KEY = "bookmarks_url_opened"  # session state: the session has read the URL it opened with


def _history_navigation() -> bool:
    """True when the browser's Back or forward started this run (Streamlit flags such a rerun)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        return bool(getattr(get_script_run_ctx(suppress_warning=True), "is_history_navigation", False))
    except Exception:  # another Streamlit: only the link a session opens with is read
        return False


def begin_run() -> None:
    """Call first in every run, before anything reads the URL."""
    st.session_state[OUTSIDE_KEY] = not st.session_state.get(URL_OPENED_KEY) or _history_navigation()
    st.session_state[URL_OPENED_KEY] = True


def url_changed_outside() -> bool:
    """True when this run's URL is not one the app wrote: the link a session opens with (an edited URL
    reloads the page: a new session), and Back/forward."""
    return bool(st.session_state.get(OUTSIDE_KEY, False))


def current_params() -> dict[str, list[str]]:
    """The URL's parameters as they stand in this run, each with all its values (what a link that keeps the
    view carries)."""
    return {name: st.query_params.get_all(name) for name in st.query_params}


def write_url(params: Mapping[str, str | Sequence[str] | None]) -> None:
    """Set (a text or a list of texts) or remove (None, empty) these parameters, in one change of the URL
    (one browser history entry); nothing is sent when the URL already says so."""
    current = current_params()
    wanted = dict(current)
    for name, value in params.items():
        values = [value] if isinstance(value, str) else list(value or [])
        if values:
            wanted[name] = values
        else:
            wanted.pop(name, None)
    if wanted != current:
        try:
            st.query_params.from_dict({name: v[0] if len(v) == 1 else v for name, v in wanted.items()})
        except StreamlitAPIException:  # a parameter bound to a widget: set the others one by one
            for name in params:
                with contextlib.suppress(StreamlitAPIException, KeyError):
                    if name in wanted:
                        st.query_params[name] = wanted[name]
                    elif name in st.query_params:
                        del st.query_params[name]


# --- the pages' view settings ---------------------------------------------------------------------


@dataclass(frozen=True)
class ViewSetting:
    """A widget of a page whose value changes the view, kept in the URL as ``param``."""

    key: str  # the widget's key (session state)
    param: str  # its URL parameter
    page: str  # the url_path of the page that draws it (dashboard.py)
    options: Callable[[], Sequence]  # the values it can have now, as the widget holds them
    default: Callable[[Sequence], Any]  # its value when the URL and the session have none
    always: bool = False  # in the URL at the default too (the page writes it every run)


def _fixed(*values) -> Callable[[], Sequence]:
    return lambda: values


def _is(value) -> Callable[[Sequence], Any]:
    return lambda _options: value


def _groupings(module: str) -> Callable[[], Sequence]:
    """The groupings a page offers: by institution type only where institutions are not area totals."""

    def options() -> list[str]:
        from . import charts_enrolment, charts_outcomes
        from .data_flags import is_area_level

        groupings = {"charts_enrolment": charts_enrolment, "charts_outcomes": charts_outcomes}[module].GROUPINGS
        return [g for g in groupings if not (g == "type" and is_area_level())]

    return options


def _horizons() -> list[int]:
    from .horizons import horizon_years

    return horizon_years()


def _default_horizon(options: Sequence) -> int:
    from .horizons import default_horizon

    return default_horizon(list(options))


def _methods() -> Sequence[str]:
    from data_access.planning import CHOICES

    return CHOICES


def _measures() -> Sequence[str]:
    from .charts_enrolment import MEASURES

    return MEASURES


VIEW_SETTINGS = (  # the defaults are the pages' own
    ViewSetting("enrolment_group", "group", "enrolment-graduates", _groupings("charts_enrolment"), _is("sector")),
    ViewSetting("enrolment_measure", "measure", "enrolment-graduates", _measures, _is("enrolled")),
    ViewSetting("period", "period", "supply-demand", _fixed("latest", "total"), _is("latest")),
    ViewSetting("outcomes_period", "cohorts", "graduate-outcomes", _fixed("latest", "all"), _is("latest")),
    ViewSetting("outcomes_group", "compare", "graduate-outcomes", _groupings("charts_outcomes"), _is("sector")),
    ViewSetting("partners_rank_by", "rank", "placements-partners", _fixed("students_placed", "hired"), _is("students_placed")),
    ViewSetting("plan_horizon", "plan_to", "intake-planning", _horizons, _default_horizon, always=True),
    ViewSetting("plan_method_choice", "plan_method", "intake-planning", _methods, _is("auto"), always=True),
)
SELECTION_PARAMS = ("sel_enrolment", "sel_outcomes", "sel_placements")  # ui/selection.py: sel_<page>


def _from_url(raw: str | None, options: Sequence) -> Any:
    """The option the URL's text names (compared as text), else None."""
    return None if raw is None else next((option for option in options if str(option) == raw), None)


def apply_view_settings(page: str) -> None:
    """For the page about to run (its url_path): seed its view settings from the URL, then write the
    session's values back. Settings of other pages are left in the URL as they are, so they return
    when the user goes back to that page (Streamlit forgets a widget's value on a page change)."""
    outside = url_changed_outside()
    wanted: dict[str, str | None] = {}
    for setting in VIEW_SETTINGS:
        if setting.page != page:
            continue
        try:
            options = list(setting.options())
        except Exception:  # e.g. no database: the page says why; the URL is left alone
            continue
        if not options:
            continue
        default = setting.default(options)
        raw = st.query_params.get(setting.param)
        linked = _from_url(raw, options)
        if setting.key not in st.session_state or outside:
            if raw is None and outside and setting.key in st.session_state:
                linked = default  # Back to before the change: the default
            if linked is not None and st.session_state.get(setting.key) != linked:
                st.session_state[setting.key] = linked
        value = st.session_state.get(setting.key, default)
        if value not in options:
            value = default
        wanted[setting.param] = str(value) if setting.always or value != default else None
    if wanted:
        write_url(wanted)
