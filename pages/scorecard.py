"""Institution scorecard: one school's programs, placements and outcomes next to its region
and the whole selection, for a meeting with that school."""

import streamlit as st

from ui.charts_scorecard import enrolment_trend_lines, placements_per_year_bars, rate_comparison_bars
from ui.components import chart_with_data, table_with_data
from ui.context import institutions, protection_threshold, view
from ui.filters import active_filters
from ui.scorecard import COLUMNS, RATES, institution_label, latest_year_with, rate_comparison, scopes, sector_status

PICKER, URL_NAME, URL_READ = "scorecard_institution", "institution", "scorecard_institution_read_from_url"
FORMATS = {"count": dict(format="localized"), "rate": dict(format="percent", step=0.001), "ratio": dict(format="%.2f"),
           "money": dict(format="localized", step=1), "year": dict(format="%d")}
COLUMN_CONFIG = {c: st.column_config.NumberColumn(label, **FORMATS[kind]) if kind in FORMATS else label
                 for c, (label, kind) in COLUMNS.items()}


def show_table(result, file_name: str) -> None:
    """A table of the scorecard (rounded as shown, see ui.components) and its download."""
    table_with_data(result, file_name, column_config=COLUMN_CONFIG)


st.title("Institution scorecard")
filters = active_filters()
choices = institutions()
if choices.empty:
    st.info("No institutions are loaded yet. Load the institutions table first.")
    st.stop()
ids = list(choices["institution_id"])
if not st.session_state.get(URL_READ):  # like the sidebar filters, the URL is read once, when the session opens
    st.session_state[URL_READ] = True
    if st.query_params.get(URL_NAME) in ids:
        st.session_state[PICKER] = st.query_params[URL_NAME]
if st.session_state.get(PICKER) not in ids:  # a load may have removed the one chosen before
    st.session_state.pop(PICKER, None)
chosen = st.selectbox("Institution", ids, format_func=institution_label(choices), key=PICKER, persist_state="session")
if st.query_params.get(URL_NAME) != chosen:  # page changes drop the parameter, so it is written back every run
    st.query_params[URL_NAME] = chosen

institution, region, everyone = scope_list = scopes(filters, chosen, choices)
name, details = institution.label, choices.set_index("institution_id").loc[chosen]
st.caption(f"{details['institution_type']} in {details['region_name']} · {filters.describe()}")
if filters.regions and details["region_code"] not in filters.regions:
    st.info(f"{name} is in {details['region_name']}, which the sidebar's regions leave out: only its placements at "
            "employers in the selected regions are counted.")
results = {s.key: tuple(view(v, s.filters) for v in ("enrolment_trend", "outcomes_by_cohort", "placements_by_year")) for s in scope_list}
enrolment, outcomes, placements = results["institution"]
if enrolment.empty and outcomes.empty and placements.empty:
    st.info(f"{name} has no enrolments, placements or graduate outcomes in {filters.describe()}. "
            "Widen the years, regions or sectors in the sidebar, or choose another institution.")
    st.stop()

st.subheader(f"How {name} compares with its region and the whole selection")
comparison = rate_comparison(scope_list, results, protection_threshold())
chart_with_data(rate_comparison_bars(comparison.numbers, {rate: label for rate, (label, *_) in RATES.items()},
                                     title=f"Rates of {name}, its region and all selected · {filters.describe()}"),
                comparison, "scorecard_rates.csv")
show_table(comparison, "scorecard_comparison.csv")

year = latest_year_with(enrolment.numbers, "enrolled")
st.subheader(f"Programs in {year} and the sectors they train for" if year else "Programs")
if year is None:
    st.info(f"{name} has no enrolments in {filters.describe()}.")
else:
    programs = view("programs", institution.filters.with_years(year, year))
    show_table(programs, "scorecard_programs.csv")
    sectors = sector_status(programs.numbers, view("gaps_by_sector", region.gap_filters), view("gaps_by_sector", everyone.gap_filters))
    st.caption(f"Coverage = graduates ÷ openings over {filters.describe()}: ▼ shortage below 0.9, ≈ balanced, ▲ surplus above 1.1.")
    show_table(sectors, "scorecard_sectors.csv")
    st.subheader("Enrolment and graduates over the years")
    chart_with_data(enrolment_trend_lines(enrolment.numbers, title=f"Enrolled and graduates of {name} · {filters.describe()}"),
                    enrolment, "scorecard_enrolment_trend.csv")

st.subheader("Placements and partners")
if placements.empty:
    st.info(f"No placements of {name}'s students in {filters.describe()}.")
else:
    chart_with_data(placements_per_year_bars(placements.numbers, title=f"Students of {name} placed and hired · {filters.describe()}"),
                    placements, "scorecard_placements_by_year.csv")
    st.caption(f"Partner employers that hosted {name}'s students, most students placed first.")
    show_table(view("partners", institution.filters), "scorecard_partners.csv")

st.subheader("Graduate outcomes by cohort")
if outcomes.empty:
    st.info(f"No graduate outcomes of {name} in {filters.describe()}.")
else:
    show_table(outcomes, "scorecard_outcomes.csv")
