"""The Placements and partners page and the Institution scorecard through
Streamlit's AppTest, on the tiny fixture (tests/fixtures/README.md).

The numbers by hand: placements 2023 I1/P1 at E1 (North, Health, capacity 20):
10 placed, 4 hired; 2024 I2/P2 at E2 (South, ICT, no capacity): 5 placed, 5
hired. Each page runs without an exception, shows those numbers, follows the
sidebar filters (and the scorecard its picker and the URL), says so in words
when nothing matches, and shows "<5" for small counts when protection is on.
"""

from __future__ import annotations

import base64
import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data_access.loading import load_paths
from data_access.queries import compared_totals
from data_access.store import create_schema, make_engine
from data_access.views import VIEWS, shown
from ui.context import ViewResult
from ui.scorecard import sector_status

from .conftest import TINY, clear_app_caches, click_chart, open_page

PLACEMENTS, SCORECARD = "pages/placements.py", "pages/scorecard.py"


def no_problem(app: AppTest) -> bool:
    return not app.exception and not app.error


def _decoded(value):
    """Plotly writes number arrays as base64 typed arrays ({"dtype", "bdata"}); read them back as lists."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def figure(app: AppTest, title_start: str) -> dict:
    """The Plotly figure (as JSON) of the chart whose title starts with ``title_start``."""
    for chart in app.get("plotly_chart"):
        spec = _decoded(json.loads(chart.proto.spec))
        if spec["layout"]["title"]["text"].startswith(title_start):
            return spec
    raise AssertionError(f"no chart titled {title_start!r}")


def bars(spec: dict, trace_name: str) -> dict:
    """A bar trace's values by category (the y of a horizontal bar, the x of a vertical one)."""
    trace = next(t for t in spec["data"] if t.get("name") == trace_name)
    keys, values = (trace["y"], trace["x"]) if trace.get("orientation") == "h" else (trace["x"], trace["y"])
    return dict(zip(map(str, keys), values))


def table(app: AppTest, first_column: str, *, containing: str | None = None) -> pd.DataFrame:
    """The on-screen table whose first column is ``first_column`` (and that has ``containing``)."""
    for frame in app.dataframe:
        value = frame.value
        if value.columns[0] == first_column and (containing is None or containing in value.columns):
            return value.reset_index(drop=True)
    raise AssertionError(f"no table starting with {first_column!r}")


def percent_shown(rate: float) -> float:
    """A rate as the table holds it: rounded to the 0.1 % on screen."""
    return round(rate, 3)


def markdown_text(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


def infos(app: AppTest) -> str:
    return "\n".join(i.value for i in app.info)


# --- Placements and partners ----------------------------------------------------------------


def test_placements_page_shows_students_placed_and_hire_rate_by_host_sector_and_region(tiny_page):
    app = tiny_page(PLACEMENTS, **{"from": "2023", "to": "2023"})
    assert no_problem(app)
    by_sector = figure(app, "Students placed and hired by host sector")
    assert bars(by_sector, "Students placed") == {"Q": 10}
    assert bars(by_sector, "Hired after placement") == {"Q": 4}
    assert "10 · 40.0% hired" in by_sector["data"][0]["text"]  # hire rate 2023 = 4 / 10
    assert bars(figure(app, "Students placed and hired by host region"), "Students placed") == {"R1": 10}


def test_both_years_of_placements_are_shown_by_sector_with_their_own_hire_rates(tiny_page):
    app = tiny_page(PLACEMENTS)
    by_sector = figure(app, "Students placed and hired by host sector")
    assert bars(by_sector, "Students placed") == {"Q": 10, "J": 5}
    assert by_sector["data"][0]["text"] == ["10 · 40.0% hired", "5 · 100.0% hired"]


def test_partner_table_has_hires_and_capacity_use_and_an_employer_without_capacity_has_none(tiny_page):
    app = tiny_page(PLACEMENTS, **{"from": "2023", "to": "2024"})
    partners = table(app, "employer_id").set_index("employer_id")
    assert list(partners.index) == ["E1", "E2"]  # most students placed first
    assert partners.loc["E1", "students_placed"] == 10 and partners.loc["E1", "hired"] == 4
    assert partners.loc["E1", "placement_hire_rate"] == pytest.approx(0.4)
    assert partners.loc["E1", "capacity_use"] == pytest.approx(10 / 20)  # capacity 20 per year, one year hosting
    assert pd.isna(partners.loc["E2", "placement_capacity"]) and pd.isna(partners.loc["E2", "capacity_use"])
    assert partners.loc["E2", "placement_hire_rate"] == pytest.approx(1.0)
    assert any("1 of 2 partner employers state no placement capacity" in c.value for c in app.caption)
    capacity_use = figure(app, "Capacity use of the same partners")
    assert bars(capacity_use, "capacity use") == {"E1": 0.5, "E2": 0}
    assert capacity_use["data"][0]["text"] == ["50.0%", "no capacity stated"]


def test_capacity_by_sector_is_for_the_latest_year_of_the_filters(tiny_page):
    in_2023 = figure(tiny_page(PLACEMENTS, **{"from": "2023", "to": "2023"}), "Placement places used and not used")
    assert bars(in_2023, "Places used (students placed)") == {"Q": 10}
    assert bars(in_2023, "Places not used") == {"Q": 10}
    assert in_2023["data"][1]["text"] == ["50.0% used"]
    # In 2024 E1 still offers 20 places but hosted nobody; E2 states no capacity, so ICT has none.
    in_2024 = figure(tiny_page(PLACEMENTS), "Placement places used and not used")
    assert bars(in_2024, "Places used (students placed)") == {"Q": 0}
    assert in_2024["layout"]["title"]["text"].endswith("2024; all regions; all sectors</span>")  # ui.filters.describe


def test_shortage_sectors_are_compared_with_surplus_sectors_in_one_sentence_and_a_chart(tiny_page):
    app = tiny_page(PLACEMENTS, **{"from": "2023", "to": "2023"})
    # 2023: Health 30 graduates for 60 measured openings (shortage; Remote's 5 have no known supply), 10 placed at
    # 1 partner; ICT 12 for 10 (surplus), none placed.
    assert (
        "Shortage sectors (1) get 17 placements per 100 openings from 1 partner employer; "
        "surplus sectors (1) get 0 placements per 100 openings from 0 partner employers."
    ) in markdown_text(app)
    against_gaps = figure(app, "Students placed per 100 openings")
    shortage = next(t for t in against_gaps["data"] if "Shortage" in t["name"])
    surplus = next(t for t in against_gaps["data"] if "Surplus" in t["name"])
    assert shortage["y"] == ["Q"] and shortage["x"][0] == pytest.approx(100 * 10 / 60)
    assert shortage["marker"]["pattern"]["shape"] == "/" and surplus["marker"]["pattern"]["shape"] == "."
    assert shortage["text"] == ["17 per 100 · 1 partner"] and surplus["x"] == [0]
    ticks = against_gaps["layout"]["yaxis"]["ticktext"]
    assert ticks == ["▼ Health", "▲ ICT"]  # shortage and surplus told by a symbol too, not by colour alone


def test_changing_the_region_filter_narrows_the_placements_page(app_url):
    app = open_page(PLACEMENTS)
    app.sidebar.multiselect(key="filter_regions").set_value(["R2"]).run()
    assert no_problem(app)
    assert bars(figure(app, "Students placed and hired by host sector"), "Students placed") == {"J": 5}
    assert list(table(app, "employer_id")["employer_id"]) == ["E2"]


def test_ranking_partners_by_hires_puts_the_employer_with_most_hires_first(app_url):
    app = open_page(PLACEMENTS)
    assert figure(app, "Top 2 partners by students placed")["data"][0]["y"] == ["E1", "E2"]
    app.segmented_control(key="partners_rank_by").set_value("hired").run()
    assert no_problem(app)
    assert figure(app, "Top 2 partners by hires")["data"][0]["y"] == ["E2", "E1"]  # 5 hires against 4


def test_selecting_a_sector_in_the_chart_narrows_partners_capacity_and_tenure_until_cleared(app_url):
    app = open_page(PLACEMENTS)
    app = click_chart(app, "placements_sector_selection_round", ["J"])
    assert no_problem(app)
    assert "Narrowed to sector: **ICT**" in infos(app)
    assert list(table(app, "employer_id")["employer_id"]) == ["E2"]
    assert bars(figure(app, "Students placed and hired by host region"), "Students placed") == {"R2": 5}
    tenure = figure(app, "Partners and students placed by length of partnership")
    assert dict(zip(tenure["data"][0]["y"], tenure["data"][0]["x"]))["not stated"] == 1  # E2 states no start year
    assert bars(figure(app, "Students placed and hired by host sector"), "Students placed") == {"Q": 10, "J": 5}
    app.button(key="placements_sector_selection_round_clear").click().run()
    assert no_problem(app)
    assert list(table(app, "employer_id")["employer_id"]) == ["E1", "E2"]


def test_placements_page_with_no_matching_placements_says_so(tiny_page):
    app = tiny_page(PLACEMENTS, **{"from": "2024", "to": "2024", "sector": "Q"})
    assert no_problem(app)
    assert "No placements match these filters" in infos(app)
    assert not app.get("plotly_chart")


def test_placements_page_hides_small_counts_when_protection_is_on(app_url):
    app = open_page(PLACEMENTS)
    app.sidebar.toggle(key="protect_small_numbers").set_value(True).run()
    assert no_problem(app)
    partners = table(app, "employer_id").set_index("employer_id")
    assert partners.loc["E1", "hired"] == "<5" and partners.loc["E1", "students_placed"] == 10
    # E2's 5 hires stay shown (rounded): no cell is hidden for another's sake, and the total of hires is
    # rounded too, so it cannot give the 4 back.
    assert partners.loc["E2", "hired"] == "5"
    assert pd.isna(partners.loc["E1", "placement_hire_rate"])  # 4 / 10 would give it back
    assert any("Small-number protection" in c.value for c in app.caption)


# --- Institution scorecard --------------------------------------------------------------------


def comparison(app: AppTest) -> pd.DataFrame:
    return table(app, "scope").set_index("scope")


def test_scorecard_opened_with_an_institution_in_the_url_shows_that_institutions_numbers(tiny_page):
    app = tiny_page(SCORECARD, institution="I2")
    assert no_problem(app)
    assert app.selectbox(key="scorecard_institution").value == "I2"
    rates = comparison(app)
    assert rates.loc["institution", "scope_name"] == "South School"
    assert rates.loc["institution", "enrolled"] == 50 and rates.loc["institution", "graduates"] == 12
    assert rates.loc["institution", "graduates_per_enrolled"] == percent_shown(12 / 50)
    assert rates.loc["institution", "employment_rate"] == percent_shown((6 + 2) / 10)
    assert rates.loc["institution", "in_field_rate"] == percent_shown(3 / 6)
    assert rates.loc["institution", "placement_hire_rate"] == percent_shown(5 / 5)
    assert rates.loc["region", "scope_name"] == "Institutions in South"  # I2 is South's only institution
    assert rates.loc["region", "placement_hire_rate"] == percent_shown(1.0)
    assert rates.loc["all", "enrolled"] == 260 and rates.loc["all", "graduates_per_enrolled"] == percent_shown(77 / 260)
    assert rates.loc["all", "employment_rate"] == percent_shown(33 / 38)
    assert rates.loc["all", "placement_hire_rate"] == percent_shown(9 / 15)
    assert app.query_params["institution"] in ("I2", ["I2"])


def test_scorecard_lists_programs_of_the_institutions_latest_year_and_marks_their_sectors(tiny_page):
    app = tiny_page(SCORECARD, institution="I2")
    assert any(h.value == "Programs in 2023 and the sectors they train for" for h in app.subheader)  # I2 enrols in 2023 only
    assert list(table(app, "program_code")["program_code"]) == ["P2"]
    sectors = table(app, "sector_code", containing="gap_status_region").set_index("sector_code")
    assert sectors.loc["J", "gap_status_region"] == "▲ surplus" and sectors.loc["J", "coverage_ratio_region"] == pytest.approx(
        1.2
    )
    assert sectors.loc["J", "gap_status_all"] == "▲ surplus" and sectors.loc["J", "programs"] == "Software"


def test_choosing_another_institution_changes_the_numbers_and_the_url(app_url):
    app = open_page(SCORECARD, institution="I2")
    app.selectbox(key="scorecard_institution").set_value("I1").run()
    assert no_problem(app)
    rates = comparison(app)
    assert rates.loc["institution", "scope_name"] == "North College"
    assert rates.loc["institution", "enrolled"] == 210 and rates.loc["institution", "graduates"] == 65
    assert rates.loc["institution", "placement_hire_rate"] == percent_shown(0.4)
    assert rates.loc["institution", "employment_rate"] == percent_shown((20 + 5) / 28)
    sectors = table(app, "sector_code", containing="gap_status_region").set_index("sector_code")
    assert sectors.loc["Q", "coverage_ratio_region"] == pytest.approx(65 / 60)  # North: 65 graduates, 60 openings
    assert sectors.loc["Q", "gap_status_region"] == "≈ balanced"
    assert app.query_params["institution"] in ("I1", ["I1"])


def test_changing_the_years_in_the_sidebar_changes_the_scorecard(app_url):
    app = open_page(SCORECARD, institution="I1")
    app.sidebar.slider(key="filter_years").set_value((2023, 2023)).run()
    assert no_problem(app)
    rates = comparison(app)
    assert rates.loc["institution", "enrolled"] == 100 and rates.loc["institution", "graduates"] == 30
    sectors = table(app, "sector_code", containing="gap_status_region").set_index("sector_code")
    assert sectors.loc["Q", "gap_status_region"] == "▼ shortage"  # 30 graduates for 60 openings in 2023
    # all regions: North 30 / 60 measured; Remote's 5 openings have no known supply (no institution)
    assert sectors.loc["Q", "coverage_ratio_all"] == pytest.approx(30 / 60)


def test_scorecard_shows_the_institutions_placements_partners_and_outcomes(tiny_page):
    app = tiny_page(SCORECARD, institution="I1")
    per_year = figure(app, "Students of North College placed and hired")
    assert bars(per_year, "Students placed") == {"2023": 10} and bars(per_year, "Hired after placement") == {"2023": 4}
    assert list(table(app, "employer_id")["employer_id"]) == ["E1"]
    outcomes = table(app, "cohort_year")
    assert list(outcomes["surveyed"]) == [28] and outcomes.loc[0, "in_field_rate"] == percent_shown(15 / 20)
    trend = figure(app, "Enrolled and graduates of North College")
    assert trend["data"][0]["y"] == [100, 110] and trend["data"][1]["y"] == [30, 35]


def test_an_institution_of_another_region_in_the_url_is_not_shown_and_the_message_says_why(tiny_page):
    app = tiny_page(SCORECARD, institution="I2", region="R1")  # South School, but only North is selected
    assert no_problem(app)
    assert ("South School is in South, outside the region(s) selected in the sidebar, so its scorecard is not shown.") in infos(
        app
    )
    assert "Showing North College instead, the first institution inside the filters." in infos(app)
    picker = app.selectbox(key="scorecard_institution")
    assert picker.options == ["North College (I1) · North"] and picker.value == "I1"
    assert comparison(app).loc["institution", "scope_name"] == "North College"
    assert not any("South School" in h.value for h in app.subheader)
    assert app.query_params["institution"] in ("I1", ["I1"])


def test_an_institution_left_outside_by_a_region_change_is_replaced_and_the_message_says_why(app_url):
    app = open_page(SCORECARD, institution="I2")
    assert comparison(app).loc["institution", "scope_name"] == "South School"
    app.sidebar.multiselect(key="filter_regions").set_value(["R1"]).run()
    assert no_problem(app)
    assert "South School is in South, outside the region(s) selected in the sidebar" in infos(app)
    assert app.selectbox(key="scorecard_institution").value == "I1"
    assert comparison(app).loc["institution", "scope_name"] == "North College"
    app.sidebar.multiselect(key="filter_regions").set_value(["R1", "R2"]).run()  # both regions: the message goes
    assert no_problem(app) and "outside" not in infos(app)
    assert app.selectbox(key="scorecard_institution").value == "I1"


def test_an_institution_with_nothing_in_the_selected_sectors_is_not_shown(tiny_page):
    # North College (I1) trains nurses (Health, Q) and places them at the hospital (Q): nothing in ICT (J).
    app = tiny_page(SCORECARD, institution="I1", sector="J")
    assert no_problem(app)
    assert "North College has no enrolments, placements or graduate outcomes in the sector(s) selected" in infos(app)
    assert "Showing South School instead" in infos(app)
    assert app.selectbox(key="scorecard_institution").options == ["South School (I2) · South"]


def test_with_no_institution_inside_the_filters_the_page_says_so_and_shows_none(app_url):
    app = open_page(SCORECARD, institution="I1", region="R3")  # Remote has no institution
    assert no_problem(app)
    assert "North College is in North, outside the region(s) selected in the sidebar" in infos(app)
    assert "No institution is inside the sidebar's filters (2023–2024; Remote; all sectors)." in infos(app)
    assert not app.selectbox and not app.dataframe and not app.get("plotly_chart")
    assert "institution" not in app.query_params


# A wider fixture: tiny/ with two more institutions in North (R1): Lake Academy (I3), which enrols 20
# Software (ICT, J) students in 2024 (8 graduates), and Hill Institute (I4), which has no data at all.
WIDER_INSTITUTIONS = ["I3,Lake Academy,R1,school", "I4,Hill Institute,R1,college"]
WIDER_ENROLMENTS = ["2024,I3,P2,20,8"]


@pytest.fixture
def wider_url(db_url, tmp_path, monkeypatch) -> str:
    folder = tmp_path / "wider"
    shutil.copytree(TINY, folder)
    for table, rows in (("institutions", WIDER_INSTITUTIONS), ("enrolments", WIDER_ENROLMENTS)):
        path = folder / f"{table}.csv"
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    engine = make_engine(db_url)
    create_schema(engine)
    assert load_paths(engine, [folder]).ok
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", db_url)
    clear_app_caches()
    yield db_url
    clear_app_caches()


def offered(app: AppTest) -> list[str]:
    """The institution ids the picker offers (its options read "name (id) · region")."""
    return [option.split(" (")[1].split(")")[0] for option in app.selectbox(key="scorecard_institution").options]


def test_with_a_region_selected_the_picker_offers_exactly_its_institutions(wider_url):
    app = open_page(SCORECARD, region="R1")
    assert no_problem(app)
    assert offered(app) == ["I4", "I3", "I1"]  # North's three, by name: Hill Institute, Lake Academy, North College
    assert app.selectbox(key="scorecard_institution").value == "I4"
    # Hill Institute has no data at all: offered for its region, its scorecard says there is nothing to show.
    assert "Hill Institute has no enrolments, placements or graduate outcomes" in infos(app)
    app.sidebar.multiselect(key="filter_regions").set_value(["R2"]).run()
    assert no_problem(app) and offered(app) == ["I2"]
    app.sidebar.multiselect(key="filter_regions").set_value([]).run()
    assert offered(app) == ["I4", "I3", "I1", "I2"]  # no region chosen: every institution


def test_with_sectors_selected_the_picker_offers_only_institutions_with_data_in_them(wider_url):
    app = open_page(SCORECARD, region="R1", sector="J")
    assert no_problem(app)
    assert offered(app) == ["I3"]  # in North, only Lake Academy has ICT (its 2024 Software students)
    rates = comparison(app)
    assert rates.loc["institution", "enrolled"] == 20 and rates.loc["institution", "graduates"] == 8
    app.sidebar.multiselect(key="filter_sectors").set_value(["Q"]).run()
    assert offered(app) == ["I1"]  # Health: North College only
    assert "Lake Academy has no enrolments, placements or graduate outcomes in the sector(s) selected" in infos(app)
    app.sidebar.multiselect(key="filter_sectors").set_value(["J"]).run()
    app.sidebar.slider(key="filter_years").set_value((2023, 2023)).run()  # Lake Academy enrols in 2024 only
    assert no_problem(app)
    assert "No institution is inside the sidebar's filters (2023; North; ICT)." in infos(app)
    assert not app.selectbox


def test_the_scorecards_wage_column_shows_its_currency_per_month(tiny_page):
    app = tiny_page(SCORECARD, institution="I1")
    for frame in app.dataframe:
        if "wage_employment_weighted" in frame.value.columns:
            assert list(frame.value["wage_employment_weighted"]) == [5000]  # only I1/P1 states a wage
            wage = json.loads(frame.proto.columns)["wage_employment_weighted"]
            assert wage["type_config"]["format"] == "¥%,.0f per month"  # shown as ¥5,000 per month
            break
    else:
        raise AssertionError("no outcomes table")


def test_an_unknown_institution_in_the_url_falls_back_to_the_first_one(tiny_page):
    app = tiny_page(SCORECARD, institution="NOPE")
    assert no_problem(app)
    assert app.selectbox(key="scorecard_institution").value == "I1"  # North College, first by name


def test_scorecard_hides_small_counts_when_protection_is_on(app_url):
    app = open_page(SCORECARD, institution="I2")
    app.sidebar.toggle(key="protect_small_numbers").set_value(True).run()
    assert no_problem(app)
    outcomes = table(app, "cohort_year")
    assert outcomes.loc[0, "employed_in_field"] == "<5" and outcomes.loc[0, "self_employed"] == "<5"
    assert pd.isna(outcomes.loc[0, "in_field_rate"])
    rates = comparison(app)
    assert rates.loc["institution", "enrolled"] == 50  # not small, still shown
    assert pd.isna(rates.loc["institution", "in_field_rate"])  # built on 3 people in field: hidden
    assert any("Small-number protection" in c.value for c in app.caption)


# --- the scorecard's logic without the app ------------------------------------------------------


def result(frame: pd.DataFrame, threshold: int | None = None) -> ViewResult:
    return ViewResult("test", frame, frame, frame, None, threshold)


NOTHING = pd.DataFrame(
    {c: [] for c in ("surveyed", "employed", "further_study", "employed_in_field", "students_placed", "hired")}
)


def test_a_rate_compared_is_a_ratio_of_sums_over_the_years_not_a_mean_of_yearly_rates():
    enrolment = pd.DataFrame({"year": [2023, 2024], "enrolled": [100, 10], "graduates": [50, 10]})
    row = compared_totals([("institution", "A", (enrolment, NOTHING, NOTHING))]).iloc[0]
    assert row["graduates_per_enrolled"] == pytest.approx(60 / 110)  # not (0.5 + 1.0) / 2
    assert math.isnan(row["placement_hire_rate"])  # no placements: no rate, not 0


def test_protected_totals_are_summed_from_the_exact_years_then_rounded_and_rates_are_published_rounded():
    # 2024's 3 enrolled would show as <5 on its own; the total 104 is rounded to 105 and the rate is 61 / 104
    # (from the exact totals).
    enrolment = pd.DataFrame({"year": [2023, 2024], "enrolled": [101, 3], "graduates": [58, 3]})
    frame = compared_totals([("institution", "A", (enrolment, NOTHING, NOTHING))])
    compared = shown(VIEWS["scorecard_comparison"], frame, 5)
    assert compared.display.loc[0, "enrolled"] == 105 and compared.display.loc[0, "graduates"] == 60
    # 61 / 104 = 0.5865, published as 0.59: 103-107 enrolled and 58-62 graduates fit it as 61/103, 61/104
    # and 62/105, so it stays
    assert compared.display.loc[0, "graduates_per_enrolled"] == 0.59
    assert compared.display.loc[0, "employment_rate"] is None  # nobody surveyed


def test_a_sector_whose_coverage_was_hidden_is_not_called_no_demand():
    programs = pd.DataFrame(
        {
            "sector_code": ["Q", "J", "F"],
            "sector_name": ["Health", "ICT", "Building"],
            "program_name": ["Nursing", "Software", "Masonry"],
        }
    )
    gaps = pd.DataFrame(
        {
            "sector_code": ["Q", "J", "F"],
            "supply": [3.0, 12, 4],
            "demand": [float("nan"), 10, 0],
            "coverage_ratio": [float("nan"), 1.2, float("nan")],
        }
    )
    sectors = sector_status(programs, result(gaps, 5), result(gaps, 5)).numbers.set_index("sector_code")
    assert sectors.loc["Q", "gap_status_region"] == "· hidden (small numbers)"
    assert sectors.loc["J", "gap_status_region"] == "▲ surplus"
    assert sectors.loc["F", "gap_status_region"] == "○ no demand"
    # a sector without a measured cell (its openings unknown) is neither hidden nor without demand
    unmeasured = gaps.assign(measured=[False, True, True])
    sectors = sector_status(programs, result(unmeasured, 5), result(unmeasured, 5)).numbers.set_index("sector_code")
    assert sectors.loc["Q", "gap_status_region"] == "? not measured"
    assert sectors.loc["F", "gap_status_region"] == "○ no demand"


def test_the_comparison_table_shows_the_same_rounded_rates_as_its_chart(tiny_page):
    app = tiny_page(SCORECARD, institution="I1")
    chart = figure(app, "Rates of North College")
    everyone = next(t for t in chart["data"] if t["name"] == "All selected")
    assert everyone["text"][1] == "86.8%"  # destination rate of all: 33 / 38 = 0.86842…
    assert comparison(app).loc["all", "employment_rate"] == 0.868


def test_a_program_training_for_several_sectors_counts_under_each_and_an_unlinked_one_under_none():
    programs = pd.DataFrame(
        {
            "program_code": ["P1", "P3"],
            "program_name": ["Engineering", "Life skills"],
            "sector_code": ["", ""],
            "sector_name": [None, None],
        }
    )
    crosswalk = pd.DataFrame(
        {
            "program_code": ["P1", "P1", "P3"],
            "sector_code": ["C", "F", ""],
            "sector_name": ["Manufacturing", "Construction", None],
            "source": ["program_sectors", "program_sectors", "not linked"],
        }
    )
    gaps = pd.DataFrame({"sector_code": ["C", "F"], "supply": [18.0, 12], "demand": [20, 15], "coverage_ratio": [0.9, 0.8]})
    sectors = sector_status(programs, result(gaps), result(gaps), crosswalk).numbers
    assert sectors[["sector_code", "programs"]].values.tolist() == [["C", "Engineering"], ["F", "Engineering"]]
