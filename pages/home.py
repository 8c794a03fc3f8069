"""Overview: the headline figures for the filters and the gaps in plain words."""

import streamlit as st

from ui.context import view
from ui.filters import active_filters
from ui.headline import headline_figures
from ui.narrative import shortage_sentences, surplus_sentences
from ui.takeaways import largest_shortage_takeaway
from ui.i18n import t

st.title(t("nav.overview"))
filters = active_filters()
st.caption(f"Training supply against industry demand · {filters.describe()}")

earliest = None if filters.year_from is None else filters.year_from - 1  # the year before, for the change
by_year = view("overview", filters.with_years(earliest, filters.year_to))
figures = headline_figures(by_year.numbers, year_to=filters.year_to)
if all(f.value is None for f in figures):
    st.info("No data matches these filters. Widen the years, regions or sectors in the sidebar.")
    st.stop()

for column, figure in zip(st.columns(3) + st.columns(3), figures):
    name = t(f"metric.{figure.key}")
    label = name if figure.year is None else t("metric.with_year", label=name, year=figure.year)
    column.metric(label, figure.shown, delta=figure.change, delta_color="off" if figure.key == "openings" else "normal",
                  help=figure.help, border=True)

year = filters.year_to
st.subheader(f"Where training and demand disagree most in {year}")
latest = filters.with_years(year, year)
by_sector = view("gaps_by_sector", latest).numbers
by_cell = view("gaps_by_region_sector", latest).numbers
previous = view("gaps_by_sector", filters.with_years(year - 1, year - 1)).numbers
st.markdown(f"**Takeaway:** {largest_shortage_takeaway(by_sector, previous, when=f'in {year}', previous_year=year - 1)}")
left, right = st.columns(2)
with left:
    st.markdown("**Largest shortages** (fewer graduates than openings)")
    sentences = shortage_sentences(by_sector) + shortage_sentences(by_cell, limit=2)
    st.markdown("\n".join(f"- {s}" for s in sentences) or "No shortage in this selection.")
with right:
    st.markdown("**Largest surpluses** (more graduates than openings)")
    sentences = surplus_sentences(by_sector) + surplus_sentences(by_cell, limit=2)
    st.markdown("\n".join(f"- {s}" for s in sentences) or "No surplus in this selection.")
st.page_link("pages/supply_demand.py", label="See supply vs demand by sector and region", icon=":material/arrow_forward:")
