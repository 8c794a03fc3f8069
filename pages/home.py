"""Overview: the headline figures for the filters and the gaps in plain words."""

import streamlit as st

from ui.bookmarks import current_params
from ui.caveats import show_notes
from ui.components import PROJECTOR_HEIGHT_UNDER_FIGURES, show_statement, takeaway
from ui.context import calendar, view
from ui.filters import active_filters, describe
from ui.headline import coverage_basis, headline_figures
from ui.i18n import md, t
from ui.markup import markdown_text, plotly_text
from ui.periods import no_comparable_year_text
from ui.presentation import presentation_on
from ui.sector_profile import render_sector_profile
from ui.statements import PageSource, gap_lists, gaps_by_sector, period_of_gaps, supply_and_demand_over_the_years

st.title(t("nav.overview"))
filters = active_filters()
presenting = presentation_on()
if not presenting:  # on the projector the bottom bar names the filters
    st.caption(md("overview.caption", filters=describe(filters)))

earliest = None if filters.year_from is None else filters.year_from - 1  # the year before, for the change
by_year = view("overview", filters.with_years(earliest, filters.year_to))
figures = headline_figures(by_year.numbers, year_to=filters.year_to, covered=calendar())
if all(f.value is None for f in figures):
    st.info(t("common.no_data"))
    st.stop()

# On the projector the three figures of supply and demand, so that the chart of the years fits beside them.
for column, figure in zip(st.columns(3) + ([] if presenting else st.columns(3)), figures):
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

basis = coverage_basis(by_year.numbers, figures, short=presenting)
if basis and not presenting:  # on the projector it heads the chart, so that the screen still fits
    st.caption(markdown_text(basis))

source = PageSource()
gaps = period_of_gaps(source, filters)
if gaps is None:
    st.info(no_comparable_year_text())
    st.stop()
shortage = gaps_by_sector(source, gaps)
if not presenting:
    for note in shortage.notes:
        st.caption(note)
    show_notes(gaps.filters)

# The story of the years first (on the projector with the headline figures, one screen), then where it stands.
over_the_years = supply_and_demand_over_the_years(source, filters)
if presenting and basis and over_the_years.figure is not None:
    over_the_years.figure.update_layout(title_text=plotly_text(basis))
show_statement(over_the_years, projector_height=PROJECTOR_HEIGHT_UNDER_FIGURES)
if presenting:
    st.stop()

st.subheader(t("overview.disagree", year=gaps.latest))
takeaway(shortage.takeaway)
lists = gap_lists(source, gaps)
left, right = st.columns(2)
for column, heading, by_sector, in_regions, none in (
    (left, "overview.largest_shortages", lists.shortages_by_sector, lists.shortages_in_regions, "overview.no_shortage"),
    (right, "overview.largest_surpluses", lists.surpluses_by_sector, lists.surpluses_in_regions, "overview.no_surplus"),
):
    none = none if lists.measured else "overview.not_measured"  # "no shortage" only where a gap is measured
    with column:
        st.markdown(t(heading))
        st.caption(t("overview.by_sector"))
        st.markdown("\n".join(f"- {markdown_text(s)}" for s in by_sector) or t(none))
        if in_regions:
            st.caption(t("overview.in_regions"))
            st.markdown("\n".join(f"- {markdown_text(s)}" for s in in_regions))
render_sector_profile(filters, gaps.latest)
st.page_link(  # with the query, as the sidebar's links: one history entry, the filters kept
    "pages/supply_demand.py",
    label=t("overview.see_supply_demand"),
    icon=":material/arrow_forward:",
    query_params=current_params(),
)
