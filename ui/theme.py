"""The colours of text, axes and grid in charts, for the light theme and the high-contrast dark theme
(.streamlit/config.toml [theme.light] / [theme.dark]; the viewer switches in the app menu's settings).

Streamlit's own chart template writes axis and category labels in a light grey (#808495) that reads
3.7:1 on white, below the 4.5:1 that WCAG asks of text: charts here use the theme's full text colour,
and a lighter grid. Outside a Streamlit run (the meeting brief, tests) the light theme applies.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Ink:
    text: str  # titles, labels, tick labels
    muted: str  # notes inside a chart (still at least 4.5:1)
    grid: str
    background: str


LIGHT = Ink(text="#262730", muted="#4a4c57", grid="#e3e4e8", background="#ffffff")
DARK = Ink(text="#ffffff", muted="#d6d6d6", grid="#3a3d48", background="#000000")


def ink() -> Ink:
    """The chart colours of the theme the viewer has chosen (light when unknown)."""
    try:
        theme = st.context.theme
        kind = getattr(theme, "type", None) or (theme.get("type") if isinstance(theme, dict) else None)
    except Exception:  # no Streamlit run (the brief, a test): the light theme
        kind = None
    return DARK if kind == "dark" else LIGHT


# Streamlit writes captions in its faded text colour, #7d7d83 on white (4.1:1), under the 4.5:1 that WCAG asks
# of text of their size: captions take the theme's text colour, a little lighter, in either theme.
READABLE_CAPTIONS = """
<style>
[data-testid="stCaptionContainer"] { color: inherit; opacity: 0.82; }
</style>
"""


def apply_readable_captions() -> None:
    """Give every caption of the page a colour that reads at least 4.5:1 (see READABLE_CAPTIONS)."""
    st.html(READABLE_CAPTIONS)
