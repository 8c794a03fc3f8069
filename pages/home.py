"""Overview: the headline figures for the filters and the gaps in plain words."""

import streamlit as st

from ui.caveats import marked, measured, show_notes
from ui.components import takeaway
from ui.context import calendar, view
from ui.filters import active_filters, describe
from ui.headline import headline_figures
from ui.i18n import md, t
from ui.markup import markdown_text
from ui.narrative import shortage_sentences, surplus_sentences
from ui.periods import gap_period, no_comparable_year_text, not_linked_note
from ui.presentation import presentation_on
from ui.takeaways import in_years, largest_shortage_takeaway

st.title(t("nav.overview"))
filters = active_filters()
if not presentation_on():  # on the projector the bottom bar names the filters
    st.caption(md("overview.caption", filters=describe(filters)))

earliest = None if filters.year_from is None else filters.year_from - 1  # the year before, for the change
by_year = view("overview", filters.with_years(earliest, filters.year_to))
figures = headline_figures(by_year.numbers, year_to=filters.year_to, covered=calendar())
if all(f.value is None for f in figures):
    st.info(t("common.no_data"))
    st.stop()

for column, figure in zip(st.columns(3) + st.columns(3), figures):
    name = t(f"metric.{figure.key}")
    label = name if figure.year is None else t("metric.with_year", label=name, year=figure.year)
    no_comparison = figure.change is not None and figure.previous is None
    column.metric(
        label,
        figure.shown,
        delta=figure.change,
        delta_color="off" if figure.key == "openings" or no_comparison else "normal",
        delta_arrow="off" if no_comparison else "auto",
        help=figure.help,
        border=True,
    )

gaps = gap_period(filters, latest_only=True)
if gaps is None:
    st.info(no_comparable_year_text())
    st.stop()
for note in (*gaps.notes, not_linked_note(gaps.filters)):
    if note and not presentation_on():
        st.caption(note)
if not presentation_on():
    show_notes(gaps.filters)
st.subheader(t("overview.disagree", year=gaps.latest))
latest = gaps.filters
by_sector = view("gaps_by_sector", latest).numbers
by_cell = measured(view("gaps_by_region_sector", latest).numbers, latest)  # no sentence about an unmeasured gap
previous = view("gaps_by_sector", filters.with_years(gaps.previous, gaps.previous)).numbers if gaps.previous else None
takeaway(marked(largest_shortage_takeaway(by_sector, previous, when=in_years(latest), previous_year=gaps.before)))
if not presentation_on():  # one idea per screen on the projector: the headline figures and the takeaway
    left, right = st.columns(2)
    with left:
        st.markdown(t("overview.largest_shortages"))
        sentences = shortage_sentences(by_sector) + shortage_sentences(by_cell, limit=2)
        st.markdown("\n".join(f"- {markdown_text(s)}" for s in sentences) or t("overview.no_shortage"))
    with right:
        st.markdown(t("overview.largest_surpluses"))
        sentences = surplus_sentences(by_sector) + surplus_sentences(by_cell, limit=2)
        st.markdown("\n".join(f"- {markdown_text(s)}" for s in sentences) or t("overview.no_surplus"))
    st.page_link("pages/supply_demand.py", label=t("overview.see_supply_demand"), icon=":material/arrow_forward:")
