"""Cross-filtering: a selection made in a chart narrows the rest of the page.

A chart that offers it puts the code of each bar or cell first in its
customdata (written as Plotly text, like every text of a chart); the page passes
the chart's selection event here and gets back the selected codes as stored, and
a visible button clears the selection (by giving the chart a new key, since
Streamlit cannot empty a chart's selection from code).
"""

from __future__ import annotations

import streamlit as st

from .i18n import md, t
from .markup import text_from_plotly


class ChartSelection:
    """The selection of one chart on one page, e.g. ``ChartSelection("enrolment", "sector")``."""

    def __init__(self, page: str, field: str) -> None:
        self.field = field
        self._counter_key = f"{page}_{field}_selection_round"

    @property
    def chart_key(self) -> str:
        """The widget key to give the chart (changes when the selection is cleared)."""
        return f"{self._counter_key}_{st.session_state.get(self._counter_key, 0)}"

    def codes(self, event) -> tuple[str, ...]:
        """The codes selected in the chart's event (as stored, not as the chart writes them), in selection order,
        without repeats."""
        if not event:
            return ()
        points = event.get("selection", {}).get("points", []) if isinstance(event, dict) else event.selection.points
        codes: list[str] = []
        for point in points:
            custom = point.get("customdata")
            code = custom[0] if isinstance(custom, (list, tuple)) and custom else custom
            if code is not None and (stored := text_from_plotly(code)) not in codes:
                codes.append(stored)
        return tuple(codes)

    def clear(self) -> None:
        """Forget the selection (the chart is drawn anew without it)."""
        st.session_state[self._counter_key] = st.session_state.get(self._counter_key, 0) + 1

    def show_active(self, codes: tuple[str, ...], names: dict[str, str] | None = None) -> None:
        """A line saying what the page is narrowed to, with a button that clears it."""
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
