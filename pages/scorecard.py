"""Institution scorecard: one school's programs, placements and outcomes next to its region
and the whole selection, for a meeting with that school."""

import streamlit as st

from ui.charts_scorecard import enrolment_trend_lines, placements_per_year_bars, rate_comparison_bars
from ui.components import chart_with_data, table_with_data, takeaway
from ui.context import institutions, view
from ui.data_flags import is_area_level
from ui.filters import active_filters, describe
from ui.formatting import wage_column_format
from ui.i18n import md, t
from ui.presentation import presentation_on
from ui.scorecard import (
    COLUMNS,
    RATES,
    column_heading,
    comparison_takeaway,
    for_download,
    labelled_comparison,
    latest_year_with,
    rate_label,
    scopes,
    sector_status,
)
from ui.scorecard_picker import pick_institution

FORMATS = {
    "count": dict(format="localized"),
    "rate": dict(format="percent", step=0.001),
    "ratio": dict(format="%.2f"),
    "year": dict(format="%d"),
}


def column_config() -> dict:
    """Every scorecard column headed in the current language, numbers in their format; the scope
    code is left off the screen (its name is beside it) but stays in the download. The wage shows
    its currency and "per month" in the current language."""
    formats = FORMATS | {"money": dict(format=wage_column_format(), step=1)}
    config = {
        c: st.column_config.NumberColumn(column_heading(c), **formats[kind]) if kind in formats else column_heading(c)
        for c, kind in COLUMNS.items()
    }
    return config | {"scope": None}


def show_table(result, file_name: str) -> None:
    """A table of the scorecard (rounded as shown, see ui.components) and its download."""
    table_with_data(for_download(result), file_name, column_config=column_config())


st.title(t("scorecard.title"))
filters = active_filters()
presenting = presentation_on()
choices = institutions()
if choices.empty:
    st.info(t("scorecard.no_institutions"))
    st.stop()
if is_area_level():  # each "institution" is an area's total: its scorecard would set it against itself
    st.info(t("caveats.area_level"), icon=":material/info:")
    st.stop()
chosen = pick_institution(choices, filters)  # only institutions inside the sidebar's filters
if chosen is None:
    st.stop()

institution, region, everyone = scope_list = scopes(filters, chosen, choices)
name, details = institution.label, choices.set_index("institution_id").loc[chosen]
if not presenting:
    st.caption(
        md("scorecard.caption", type=details["institution_type"], region=details["region_name"], filters=describe(filters))
    )
results = {
    s.key: tuple(view(v, s.filters) for v in ("enrolment_trend", "outcomes_by_cohort", "placements_by_year")) for s in scope_list
}
enrolment, outcomes, placements = results["institution"]
if enrolment.empty and outcomes.empty and placements.empty:
    st.info(md("scorecard.no_data", name=name, filters=describe(filters)))
    st.stop()

st.subheader(md("scorecard.compare_heading", name=name))
comparison = labelled_comparison(view("scorecard_comparison", institution.filters), scope_list)
chart_with_data(
    rate_comparison_bars(
        comparison.numbers,
        {rate: rate_label(rate) for rate in RATES},
        title=t("scorecard.rates_title", name=name, filters=describe(filters)),
    ),
    for_download(comparison),
    "scorecard_rates.csv",
)
takeaway(comparison_takeaway(comparison.numbers))
if presenting:  # one idea per screen: the comparison and its takeaway
    st.stop()
show_table(comparison, "scorecard_comparison.csv")

year = latest_year_with(enrolment.numbers, "enrolled")
st.subheader(t("scorecard.programs_heading_year", year=year) if year else t("scorecard.programs_heading"))
if year is None:
    st.info(md("scorecard.no_enrolments", name=name, filters=describe(filters)))
else:
    programs = view("programs", institution.filters.with_years(year, year))
    show_table(programs, "scorecard_programs.csv")
    sectors = sector_status(
        programs.numbers,
        view("gaps_by_sector", region.gap_filters),
        view("gaps_by_sector", everyone.gap_filters),
        view("crosswalk", filters).numbers,
    )
    st.caption(md("scorecard.coverage_caption", filters=describe(filters)))
    show_table(sectors, "scorecard_sectors.csv")
    st.subheader(t("scorecard.enrolment_heading"))
    chart_with_data(
        enrolment_trend_lines(enrolment.numbers, title=t("scorecard.enrolment_title", name=name, filters=describe(filters))),
        enrolment,
        "scorecard_enrolment_trend.csv",
    )

st.subheader(t("scorecard.placements_heading"))
if placements.empty:
    st.info(md("scorecard.no_placements", name=name, filters=describe(filters)))
else:
    chart_with_data(
        placements_per_year_bars(placements.numbers, title=t("scorecard.placements_title", name=name, filters=describe(filters))),
        placements,
        "scorecard_placements_by_year.csv",
    )
    st.caption(md("scorecard.partners_caption", name=name))
    show_table(view("partners", institution.filters), "scorecard_partners.csv")

st.subheader(t("scorecard.outcomes_heading"))
if outcomes.empty:
    st.info(md("scorecard.no_outcomes", name=name, filters=describe(filters)))
else:
    show_table(outcomes, "scorecard_outcomes.csv")
