"""The plain-language takeaways under the charts, on hand-built frames whose sentences can be checked by hand."""

from __future__ import annotations

import math

import pandas as pd

from ui.i18n import speaking
from ui.takeaways import (
    enrolment_growth_takeaway,
    in_field_takeaway,
    largest_shortage_takeaway,
    lowest_coverage_takeaway,
    placements_takeaway,
    trend_takeaway,
)

NAN = math.nan


def gaps(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["sector_code", "sector_name", "supply", "demand"])
    return frame.assign(gap=frame["supply"] - frame["demand"], coverage_ratio=frame["supply"] / frame["demand"])


LATEST = gaps(("C", "Manufacturing", 2436, 4060), ("Q", "Health", 900, 1000), ("J", "ICT", 700, 500))
PREVIOUS = gaps(("C", "Manufacturing", 2496, 4000), ("Q", "Health", 1000, 900))


def test_largest_shortage_names_the_sector_its_size_coverage_and_growth():
    assert largest_shortage_takeaway(LATEST, PREVIOUS, when="in 2025", previous_year=2024) == (
        "Manufacturing has the largest shortage in 2025: 1,624 fewer graduates than openings (coverage 0.60), "
        "120 more than in 2024."
    )


def test_largest_shortage_says_when_it_shrank_or_is_new():
    shrank = gaps(("C", "Manufacturing", 2000, 4000))
    assert largest_shortage_takeaway(LATEST, shrank, when="in 2025", previous_year=2024).endswith(", 376 fewer than in 2024.")
    surplus_before = gaps(("C", "Manufacturing", 5000, 4000))
    assert largest_shortage_takeaway(LATEST, surplus_before, when="in 2025", previous_year=2024).endswith(
        ", up from no shortage in 2024."
    )


def test_largest_shortage_without_a_previous_year_leaves_the_change_out():
    expected = "Manufacturing has the largest shortage in 2025: 1,624 fewer graduates than openings (coverage 0.60)."
    assert largest_shortage_takeaway(LATEST, None, when="in 2025") == expected
    assert largest_shortage_takeaway(LATEST, gaps(("Q", "Health", 1, 2)), when="in 2025", previous_year=2024) == expected


def test_largest_shortage_when_no_sector_is_short():
    assert largest_shortage_takeaway(gaps(("J", "ICT", 700, 500)), when="in 2019–2025") == (
        "No sector has a shortage in 2019–2025: each trains at least as many graduates as it has openings."
    )


def test_a_sector_without_a_measured_cell_is_never_called_short_or_not_short():
    # a region without demand rows (England's West of England): supply known, demand unknown in every sector
    unmeasured = gaps(("C", "Manufacturing", NAN, NAN), ("Q", "Health", NAN, NAN)).assign(measured=False)
    assert largest_shortage_takeaway(unmeasured, when="in 2022") == (
        "Supply and demand cannot be compared in 2022: no region and sector in this selection has both its graduates "
        "and its openings known."
    )
    with speaking("zh-CN"):
        assert largest_shortage_takeaway(unmeasured, when="2022年") == (
            "2022年无法比较供给与需求：当前筛选中没有任何地区和行业同时已知毕业生数和岗位空缺数。"
        )
    # one sector measured and in surplus, one not measured: no "no sector has a shortage"
    partly = gaps(("J", "ICT", 700, 500), ("A", "Agriculture", NAN, NAN)).assign(measured=[True, False])
    assert largest_shortage_takeaway(partly, when="in 2022") == (
        "None of the 1 sectors with a measured gap in 2022 has a shortage: each trains at least as many graduates "
        "as it has openings."
    )
    short = LATEST.assign(measured=True)
    short = pd.concat([short, gaps(("A", "Agriculture", NAN, NAN)).assign(measured=False)], ignore_index=True)
    assert largest_shortage_takeaway(short, when="in 2025").endswith(
        "(coverage 0.60). Not assessed, as no region has both sides known: 1 sector(s)."
    )


def test_a_shortage_is_not_compared_with_a_year_that_measured_other_cells():
    now = LATEST.assign(measured_cells=[10, 10, 10])
    before = PREVIOUS.assign(measured_cells=[7, 10])  # Manufacturing: 3 regions joined
    assert largest_shortage_takeaway(now, before, when="in 2025", previous_year=2024).endswith(
        "(coverage 0.60); 2024 measured other regions for this sector, so the two years are not compared."
    )


def test_largest_shortage_skips_hidden_numbers_and_says_so():
    hidden = LATEST.assign(gap=[NAN, -100, 200], coverage_ratio=[NAN, 0.9, 1.4])
    assert largest_shortage_takeaway(hidden, when="in 2025") == (
        "Health has the largest shortage in 2025: 100 fewer graduates than openings (coverage 0.90)."
    )
    only_hidden = LATEST.assign(gap=[NAN, NAN, 200])
    assert largest_shortage_takeaway(only_hidden, when="in 2025") == (
        "No sector has a shortage in 2025: each trains at least as many graduates as it has openings "
        "(some figures are hidden by small-number protection)."
    )
    previous_hidden = PREVIOUS.assign(gap=[NAN, NAN])
    assert largest_shortage_takeaway(LATEST, previous_hidden, when="in 2025", previous_year=2024).endswith("(coverage 0.60).")


def cells(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["region_name", "sector_name", "supply", "demand"])
    return frame.assign(coverage_ratio=frame["supply"] / frame["demand"].where(frame["demand"] > 0))


def test_lowest_coverage_is_the_cell_with_openings_and_the_smallest_ratio():
    frame = cells(("North", "Manufacturing", 120, 340), ("South", "Health", 50, 60), ("East", "ICT", 30, 0))
    assert lowest_coverage_takeaway(frame, when="in 2025") == (
        "Among regions and sectors with at least 20 openings, the lowest coverage in 2025 is Manufacturing in North: 0.35, 120 graduates for 340 openings."
    )


def test_lowest_coverage_without_openings():
    assert lowest_coverage_takeaway(cells(("East", "ICT", 30, 0)), when="in 2025") == (
        "No region and sector has openings to compare graduates with in 2025."
    )


def ends(*rows) -> pd.DataFrame:
    """A ``supply_demand_ends`` frame: the first and last measured years over their common cells."""
    return pd.DataFrame(rows, columns=["year", "supply", "demand", "common_cells", "regions", "regions_of"])


def test_trend_compares_first_and_last_years_over_the_cells_measured_in_both():
    assert trend_takeaway(ends((2021, 1000, 1000, 40, 4, 4), (2023, 1100, 1250, 40, 4, 4))) == (
        "From 2021 to 2023, graduates went from 1,000 to 1,100 (+10.0%) and openings from 1,000 to 1,250 (+25.0%): "
        "coverage fell from 1.00 to 0.88."
    )
    # three of five regions measured in both years: the sentence says so
    assert trend_takeaway(ends((2013, 300, 290, 30, 3, 5), (2015, 298, 290, 30, 3, 5))).endswith(
        "coverage stayed at 1.03. Compared over the 3 of 5 regions measured in both years."
    )


def test_trend_with_one_comparable_year_or_no_common_cell():
    assert trend_takeaway(ends()) == (
        "Supply and demand can be compared for at most one year in this selection, so there is no trend to show."
    )
    assert trend_takeaway(ends((2013, None, None, 0, 0, 2), (2015, None, None, 0, 0, 2))) == (
        "From 2013 to 2015 no region and sector has both graduates and openings known in both years, "
        "so supply and demand are not compared over time."
    )


def test_a_sentence_that_states_no_figure_is_not_marked_as_resting_on_estimated_openings():
    from ui.caveats import mark_estimated
    from ui.planning import target_takeaway

    with speaking("en"):
        assert mark_estimated(trend_takeaway(ends()), True) == (
            "Supply and demand can be compared for at most one year in this selection, so there is no trend to show."
        )
        unprojected = pd.DataFrame(columns=["sector_code", "sector_name", "supply", "demand", "gap", "coverage_ratio"])
        assert mark_estimated(target_takeaway(unprojected, 2027, scenario=False), True) == (
            "In 2027, no sector has both its graduates and its openings projected in this selection, so no gap is stated."
        )
        stated = largest_shortage_takeaway(LATEST, when="in 2025")
        assert mark_estimated(stated, True) == f"{stated} (openings estimated from employment)"


def enrolment(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "sector_name", "enrolled"])


def test_enrolment_growth_names_the_largest_rise_and_fall():
    frame = enrolment(
        (2024, "Health", 4000),
        (2025, "Health", 4320),
        (2024, "Retail", 4000),
        (2025, "Retail", 3880),
        (2024, "ICT", 500),
        (2025, "ICT", 510),
    )
    assert enrolment_growth_takeaway(frame, name="sector_name", year=2025) == (
        "From 2024 to 2025, enrolment grew fastest in Health (+8.0%, +320) and fell fastest in Retail (-3.0%, -120)."
    )


def test_enrolment_growth_ranks_groups_by_their_rate_of_growth_as_its_chart_does():
    # Health gains the most students (+200, +5%), ICT grows fastest (+50, +10%): the growth chart puts ICT on
    # top, and the takeaway names the same group.
    frame = enrolment(
        (2024, "Health", 4000),
        (2025, "Health", 4200),
        (2024, "ICT", 500),
        (2025, "ICT", 550),
        (2024, "Retail", 4000),
        (2025, "Retail", 3880),
        (2024, "Mining", 100),
        (2025, "Mining", 96),
    )
    assert enrolment_growth_takeaway(frame, name="sector_name", year=2025) == (
        "From 2024 to 2025, enrolment grew fastest in ICT (+10.0%, +50) and fell fastest in Mining (-4.0%, -4)."
    )


def test_enrolment_growth_on_a_projected_screen_names_only_groups_its_chart_shows():
    frame = enrolment(
        (2024, "Health", 4000),
        (2025, "Health", 4200),
        (2024, "ICT", 500),
        (2025, "ICT", 550),
        (2024, "Retail", 4000),
        (2025, "Retail", 3960),
    )
    assert enrolment_growth_takeaway(frame, name="sector_name", year=2025, among={"Health", "Retail"}) == (
        "From 2024 to 2025, enrolment grew fastest in Health (+5.0%, +200) and fell fastest in Retail (-1.0%, -40)."
    )


def test_enrolment_growth_without_a_fall_or_without_the_year_before():
    rising = enrolment((2024, "Health", 100), (2025, "Health", 110))
    assert enrolment_growth_takeaway(rising, name="sector_name", year=2025) == (
        "From 2024 to 2025, enrolment grew fastest in Health (+10.0%, +10)."
    )
    assert enrolment_growth_takeaway(enrolment((2025, "Health", 110)), name="sector_name", year=2025) == (
        "No change in enrolment from 2024 to 2025 can be shown: this selection has no enrolments in 2024."
    )


def test_placements_names_the_sector_with_most_students_placed():
    frame = pd.DataFrame(
        {"sector_name": ["Manufacturing", "Health"], "students_placed": [300, 100], "placement_hire_rate": [0.5, NAN]}
    )
    assert placements_takeaway(frame) == (
        "Manufacturing hosts the most placements: 300 of 400 students placed (75.0%); 50.0% of them were hired."
    )
    hidden = frame.assign(students_placed=pd.array([pd.NA, 100], dtype="Int64"))
    assert placements_takeaway(hidden) == (
        "Health hosts the most placements: 100 of 100 students placed (100.0%) "
        "(some figures are hidden by small-number protection)."
    )


def test_in_field_names_the_lowest_rate_against_the_overall_rate():
    frame = pd.DataFrame(
        {"sector_name": ["Retail", "Health", "ICT"], "in_field_rate": [0.45, 0.8, NAN], "coverage_ratio": [1.3, 0.5, 0.9]}
    )
    assert in_field_takeaway(frame, overall=0.702) == (
        "Retail graduates work in their field least often: 45.0% of those employed, against 70.2% overall (coverage 1.30)."
    )
    assert in_field_takeaway(frame.iloc[2:], overall=NAN) == "No sector has survey results on in-field work in this selection."


def test_a_scenario_that_leaves_the_largest_shortage_says_what_it_moves_instead():
    from ui.planning import target_takeaway

    by_sector = pd.DataFrame(
        {
            "sector_code": ["C", "J"],
            "sector_name": ["Manufacturing", "Information technology"],
            "supply": [126.0, 426.0],
            "supply_baseline": [126.0, 391.0],
            "demand": [170.0, 300.0],
            "demand_low": [150.0, 280.0],
            "demand_high": [190.0, 320.0],
        }
    ).assign(gap=lambda f: f["supply"] - f["demand"], coverage_ratio=lambda f: f["supply"] / f["demand"])
    with speaking("en"):
        assert target_takeaway(by_sector, 2030, scenario=True) == (
            "In 2030, Manufacturing is projected to have the largest shortage: 44 fewer graduates than openings "
            "(coverage 0.74; openings between 150 and 190 in 80% of outcomes). The scenario leaves this shortage as "
            "it is; in 2030 it moves Information technology's graduates from 391 to 426."
        )
        unmoved = by_sector.assign(supply_baseline=by_sector["supply"])
        assert target_takeaway(unmoved, 2030, scenario=True).endswith(
            "The scenario does not change the graduates of 2030 in any sector: its intake graduates later."
        )


def test_two_scenarios_are_compared_over_the_years_where_they_differ():
    from ui.planning_scenario import difference_sentence

    years = pd.DataFrame({"year": [2026, 2027, 2028, 2029], "first": [100.0, 100, 100, 100], "second": [100.0, 100, 118, 135]})
    years["difference"] = years["second"] - years["first"]
    with speaking("en"):
        assert difference_sentence(years, "A · v1", "B · v2") == (
            "The two differ from 2028: by 2029, B · v2 gives 35 more graduates than A · v1."
        )
    with speaking("zh-CN"):
        assert difference_sentence(years, "A · v1", "B · v2") == "两者自2028年起不同：到2029年，B · v2比A · v1多35名毕业生。"
