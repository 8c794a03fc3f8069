"""Presentation mode, for the projector at partnership meetings.

Switched on by the sidebar toggle or by ``?present=1`` in the URL, so a prepared
link opens straight into it. Like the filters (ui/filters.py), the URL is read
once per browser session and written back on every run. In the mode the
sidebar and Streamlit's own chrome are hidden, type is large, and a bar fixed at
the bottom shows the active filters and data version with Back / Next buttons
(arrow keys) that step through the pages, and an Exit button (Esc).
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from data_access.filters import Filters

from .bookmarks import current_params
from .filters import describe
from .formatting import PROTECTION_STATE_KEY
from .i18n import md, t
from .theme import ink

TOGGLE_KEY = "presentation_mode"
ON_KEY = "presentation_on"  # the truth; the toggle's own state is reset when st.switch_page changes the page
URL_READ_KEY = "presentation_read_from_url"
BAR_KEY = "presentation_bar"
URL_PARAM = "present"

# Streamlit's data-testids; the bar is found by the class Streamlit gives a keyed container (st-key-<key>).
STYLE = f"""
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarCollapseButton"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stStatusWidget"], [data-testid="stMainMenu"] {{ display: none !important; }}
/* The screen is one column as tall as the window: title, figures and takeaway take what they need, the main
   chart (drawn with height="stretch") the rest, so a larger projector shows a larger chart. */
[data-testid="stMainBlockContainer"] {{
  padding-top: 1rem; padding-bottom: calc(__BAR__); max-width: 100%;
  height: 100vh; box-sizing: border-box; display: flex; flex-direction: column;
}}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"],
[data-testid="stMainBlockContainer"] [data-testid="stLayoutWrapper"]:has([data-testid="stPlotlyChart"]) {{
  flex: 1 1 auto; min-height: 0;
}}
/* A click on the slide focuses the main area, and Next's arrow key then showed its focus frame (Streamlit
   draws it as the main area's ::before, 60 px down, under its hidden header) across the title: the slide is
   not a control; the bar's buttons keep their frames. */
[data-testid="stMain"]::before {{ display: none !important; }}
[data-testid="stMain"] {{ font-size: __TEXT__; }}
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p, [data-testid="stMain"] li {{ font-size: __TEXT__; }}
[data-testid="stMain"] [data-testid="stCaptionContainer"] p {{ font-size: __SMALL__; }}
[data-testid="stMain"] h1 {{ font-size: __TITLE__; padding: 0.25rem 0 0 0; }}
[data-testid="stMain"] h2, [data-testid="stMain"] h3 {{ font-size: __HEADING__; }}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {{ font-size: __FIGURE__ !important; }}
[data-testid="stMetricLabel"] p {{ font-size: __SMALL__; }}
.st-key-{BAR_KEY} {{
  position: fixed; left: 0; right: 0; bottom: 0; z-index: 999990; padding: 0.6rem 1.5rem;
  background: __BAR_BACKGROUND__; border-top: 1px solid __BAR_BORDER__; align-items: center;
}}
.st-key-{BAR_KEY} [data-testid="stCaptionContainer"] p {{ font-size: 18px; }}
</style>
"""


# Type sizes of a screen, in px of a 1280x720 window; a larger window scales them by the smaller of its two
# ratios to that one (never below it), so a 1920x1080 projector shows the same screen 1.5 times larger
# without the presenter touching the browser's zoom.
DESIGN_WIDTH, DESIGN_HEIGHT = 1280, 720
TYPE_SIZES = {"TEXT": 22, "SMALL": 18, "TITLE": 37, "HEADING": 29, "FIGURE": 40}
BAR_ROOM = "6rem"  # the bottom bar's height, kept free under the chart


def scaled(px: float) -> str:
    """A CSS length: ``px`` on a 1280x720 window, in proportion on a larger one."""
    return f"max({px}px, min({100 * px / DESIGN_HEIGHT:.3f}vh, {100 * px / DESIGN_WIDTH:.3f}vw))"


def _style(background: str, border: str) -> str:
    """The mode's stylesheet in the theme's colours."""
    style = STYLE.replace("__BAR_BACKGROUND__", background).replace("__BAR_BORDER__", border).replace("__BAR__", BAR_ROOM)
    for name, px in TYPE_SIZES.items():
        style = style.replace(f"__{name}__", scaled(px))
    return style


def _seed_from_url() -> None:
    """Switch the mode on from ``?present=1``, once per browser session (the toggle is the truth afterwards)."""
    if st.session_state.get(URL_READ_KEY):
        return
    st.session_state[URL_READ_KEY] = True
    st.session_state[ON_KEY] = st.query_params.get(URL_PARAM) == "1"


def _write_url(on: bool) -> None:
    """Keep ``present=1`` in the URL while the mode is on (page changes drop query parameters)."""
    if on and st.query_params.get(URL_PARAM) != "1":
        st.query_params[URL_PARAM] = "1"
    elif not on and URL_PARAM in st.query_params:
        del st.query_params[URL_PARAM]


def render_presentation_toggle() -> bool:
    """Draw the sidebar toggle, mirror it into the URL and return whether presentation mode is on."""
    _seed_from_url()
    st.session_state[TOGGLE_KEY] = presentation_on()
    st.sidebar.toggle(t("presentation.toggle"), key=TOGGLE_KEY, on_change=_follow_toggle, help=t("presentation.toggle_help"))
    on = presentation_on()
    _write_url(on)
    return on


def presentation_on() -> bool:
    """True when presentation mode is on in this session."""
    return bool(st.session_state.get(ON_KEY))


def _follow_toggle() -> None:
    st.session_state[ON_KEY] = st.session_state[TOGGLE_KEY]


def _leave() -> None:
    st.session_state[ON_KEY] = False


def apply_presentation_style(screens: Sequence, current, filters: Filters, version: int) -> None:
    """Hide the chrome, enlarge type and draw the bottom bar: filters and data version, Back / Next
    through ``screens`` (st.Page objects, in order; ``current`` is the page being shown) and Exit."""
    colours = ink()  # the bar is drawn over the page: in the theme's own background
    st.html(_style(colours.background, colours.grid))
    paths = [page.url_path for page in screens]
    position = paths.index(current.url_path) if current.url_path in paths else -1
    with st.container(key=BAR_KEY, horizontal=True, vertical_alignment="center"):
        back = st.button(
            t("presentation.back"),
            key="presentation_back",
            shortcut="Left",
            disabled=position <= 0,
            help=t("presentation.back_help"),
        )
        bar = md("presentation.bar", page=current.title, filters=describe(filters), version=version)
        if threshold := st.session_state.get(PROTECTION_STATE_KEY):  # said here, not under each chart
            bar += " · " + t("presentation.protected", threshold=threshold)
        st.caption(bar, width="stretch")
        forward = st.button(
            t("presentation.next"),
            key="presentation_next",
            shortcut="Right",
            type="primary",
            disabled=position == len(screens) - 1,
            help=t("presentation.next_help"),
        )
        st.button(
            t("presentation.exit"), key="presentation_exit", shortcut="Esc", on_click=_leave, help=t("presentation.exit_help")
        )
    if forward or back:
        target = screens[position + 1] if forward else screens[max(position - 1, 0)]
        st.switch_page(target, query_params=current_params())
