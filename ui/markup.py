"""Names from the data shown as text, never as markup.

Region, sector, institution, program and employer names and codes, institution
types and the names of uploaded files are whatever a spreadsheet held. Streamlit
renders the texts of st.markdown, captions, headings, alerts and labels as
Markdown (with links, LaTeX, colour directives and shortcodes of its own), and
Plotly renders a subset of HTML (``<b>``, ``<i>``, ``<a href>``, ``<br>``,
``<sup>``, ``<span style>``) in titles, tick labels, legends, bar texts and
hovers. So a text is built from plain words (names as stored, sentences of
ui.takeaways and ui.narrative, ui.filters.describe) and escaped once, for the
renderer it goes to: ``markdown_text`` (or ``ui.i18n.md``) where it enters a
Markdown text, ``plotly_text`` where it enters a figure (done for every chart by
``ui.charts._layout``). Tables and downloads show the names as stored.
"""

from __future__ import annotations

import html
import re

import numpy as np
import plotly.graph_objects as go

WORD_JOINER = "\u2060"  # invisible and zero-width: breaks a pattern without changing what is read

# Characters that start Markdown wherever they stand: emphasis, code, strikethrough, links and images,
# HTML and autolinks, character references, LaTeX, table cells, headings. Escaped with a backslash.
_ANYWHERE = re.compile(r"([\\`*_~\[\]<>$&|#])")
# Characters that start a block only at the beginning of a line: lists and setext underlines.
_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")
# Patterns Streamlit finds in the text after escapes are resolved, so a backslash cannot stop them:
# links made of bare addresses (http://, www., e-mail), :streamlit:, :material_icon: and emoji
# shortcodes, and the arrows and dashes it types for ->, <-, --, >=, <=, ~=. A word joiner breaks each.
_AFTER_COLON = re.compile(r":(?!\s)")
_WWW = re.compile(r"(?i)\b(www)(?=\.)")
_AT = re.compile(r"@")
_SYMBOL_PAIR = re.compile(r"(?<=[<>~-])(?=\\?[->=])")


class Markdown(str):
    """A text that is already Markdown (names in it escaped): ``markdown_text`` passes it as it is."""


def markdown_text(text: object) -> Markdown:
    """``text`` (plain words, e.g. a name) as Markdown that Streamlit shows exactly as typed.

    Markdown syntax is backslash-escaped; the patterns Streamlit recognises after
    escapes are resolved (bare web and e-mail addresses, ``:shortcodes:``, typed
    arrows) get an invisible word joiner; a line break becomes a space (a name is
    one line). A ``Markdown`` text is returned unchanged, so nothing is escaped twice.
    """
    if isinstance(text, Markdown):
        return text
    plain = re.sub(r"[\r\n]+", " ", str(text))
    escaped = _LINE_START.sub(
        lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", _ANYWHERE.sub(r"\\\1", plain)
    )
    for pattern, joined in ((_AFTER_COLON, ":" + WORD_JOINER), (_WWW, r"\1" + WORD_JOINER), (_AT, "@" + WORD_JOINER)):
        escaped = pattern.sub(joined, escaped)
    return Markdown(_SYMBOL_PAIR.sub(WORD_JOINER, escaped))


def plotly_text(text: object) -> str:
    """``text`` (plain words) as text that Plotly shows exactly as typed: ``&``, ``<`` and ``>`` as entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_from_plotly(text: object) -> str:
    """The plain words of a Plotly text made by ``plotly_text`` (e.g. a code a chart selection sends back)."""
    return html.unescape(str(text))


# Trace and axis properties that hold text from the data (titles, hover templates and annotations hold
# the interface's own texts and markup; a builder escapes the names it puts into them itself). A legend
# group is never shown, but is escaped too, so that no figure holds a name's markup anywhere.
TRACE_TEXT = ("x", "y", "text", "customdata", "name", "hovertext", "labels", "legendgroup")
AXIS_TEXT = ("ticktext", "tickvals", "categoryarray")


def _escaped(values):
    """Every string in ``values`` (a string, a list or an array, nested) as Plotly text; numbers as they are."""
    if isinstance(values, str):
        return plotly_text(values)
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "biufcmM":
            return values
        return np.vectorize(_escaped, otypes=[object])(values) if values.size else values
    if isinstance(values, (list, tuple)):
        return type(values)(_escaped(value) for value in values)
    return values


def figure_as_plotly_text(figure: go.Figure) -> go.Figure:
    """``figure`` with every string of its traces' data and of its axes' categories and tick texts written
    as Plotly text. Category values are escaped alike wherever they appear, so axes still match their points."""
    for trace in figure.data:
        for name in TRACE_TEXT:
            if name in trace and trace[name] is not None:
                trace[name] = _escaped(trace[name])
    for axis in (*figure.select_xaxes(), *figure.select_yaxes()):
        for name in AXIS_TEXT:
            if axis[name] is not None:
                axis[name] = _escaped(axis[name])
    return figure
