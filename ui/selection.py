"""Cross-filtering: a selection made in a chart narrows the rest of the page.

A chart that offers it puts the code of each bar or cell first in its
customdata (written as Plotly text, like every text of a chart); the page passes
the chart's selection event here and gets back the selected codes as stored, and
a visible button clears the selection (by giving the chart a new key, since
Streamlit cannot empty a chart's selection from code).

The selection is kept in the URL as ``sel_<page>=C,J`` (see ui/bookmarks.py).
A link (or Back) brings it back as the codes in force: the page is narrowed and
says so, but the chart cannot show those bars as selected, since Streamlit
cannot select points from code. A click in the chart replaces it; the button
clears it. The codes in force also return when the user comes back to the page
(Streamlit forgets a chart's selection on a page change).
"""

from __future__ import annotations

import streamlit as st

from .bookmarks import url_changed_outside, write_url
from .i18n import md, t
from .markup import text_from_plotly

CODE_SEPARATOR = ","  # between the codes of a URL's selection


class ChartSelection:
    """The selection of one chart on one page, e.g. ``ChartSelection("enrolment", "sector")``."""

    def __init__(self, page: str, field: str) -> None:
        self.field = field
        self.param = f"sel_{page}"  # its URL parameter
        self._counter_key = f"{page}_{field}_selection_round"
        self._kept_key = f"{page}_{field}_selection_kept"  # (codes in force, whether the chart shows them)
        self._url_read_key = f"{page}_{field}_selection_read_from_url"
        self._follow_url()
        self._fresh = self.chart_key not in st.session_state  # the chart is drawn anew: it has no selection

    def _follow_url(self) -> None:
        """Take the URL's codes as the selection when the session first shows this chart, and when the URL
        changed from outside the app (Back/forward: no parameter means no selection)."""
        if st.session_state.get(self._url_read_key) and not url_changed_outside():
            return
        st.session_state[self._url_read_key] = True
        linked = tuple(dict.fromkeys(c.strip() for c in st.query_params.get(self.param, "").split(CODE_SEPARATOR) if c.strip()))
        kept, _ = st.session_state.get(self._kept_key, ((), False))
        if linked == tuple(kept):
            return
        if self.chart_key in st.session_state:  # the chart may show another selection: draw it anew
            st.session_state[self._counter_key] = st.session_state.get(self._counter_key, 0) + 1
        st.session_state[self._kept_key] = (linked, False)

    @property
    def chart_key(self) -> str:
        """The widget key to give the chart (changes when the selection is cleared)."""
        return f"{self._counter_key}_{st.session_state.get(self._counter_key, 0)}"

    def codes(self, event) -> tuple[str, ...]:
        """The codes selected in the chart's event (as stored, not as the chart writes them), in selection order,
        without repeats; without a selection in the chart, the codes a link brought (or the chart held before
        a page change)."""
        points = []
        if event:
            points = event.get("selection", {}).get("points", []) if isinstance(event, dict) else event.selection.points
        codes: list[str] = []
        for point in points:
            custom = point.get("customdata")
            code = custom[0] if isinstance(custom, (list, tuple)) and custom else custom
            if code is not None and (stored := text_from_plotly(code)) not in codes:
                codes.append(stored)
        if codes:
            st.session_state[self._kept_key] = (tuple(codes), True)
            return tuple(codes)
        kept, in_chart = st.session_state.get(self._kept_key, ((), False))
        if in_chart and not self._fresh:  # the user emptied the chart's selection
            kept = ()
        st.session_state[self._kept_key] = (tuple(kept), False)
        return tuple(kept)

    def clear(self) -> None:
        """Forget the selection (the chart is drawn anew without it)."""
        st.session_state[self._counter_key] = st.session_state.get(self._counter_key, 0) + 1
        st.session_state[self._kept_key] = ((), False)

    def show_active(self, codes: tuple[str, ...], names: dict[str, str] | None = None) -> None:
        """A line saying what the page is narrowed to, with a button that clears it; the codes go into the URL."""
        write_url({self.param: CODE_SEPARATOR.join(codes) or None})
        if not codes:
            st.caption(t(f"selection.tip_{self.field}"))
            return
        shown = t("filters.list_separator").join(str((names or {}).get(code, code)) for code in codes)
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.info(md(f"selection.narrowed_{self.field}", shown=shown), icon=":material/filter_alt:")
        right.button(
            t(f"selection.clear_{self.field}"),
            on_click=self.clear,
            key=f"{self._counter_key}_clear",
            icon=":material/filter_alt_off:",
        )
