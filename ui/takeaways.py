"""One plain-language takeaway per chart, computed from the view behind it (pandas, no widgets).

Each function takes the frames the page already draws and returns one sentence
a planner can read out in a meeting, in the current language: whole-sentence
templates in ``locales/<language>/takeaways.toml``. Rows whose figures are hidden
by small-number protection (NaN) are left out rather than guessed.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from data_access.filters import Filters

from .filters import describe_years
from .formatting import NoFinding, fmt_count, fmt_rate, fmt_ratio, is_missing, rate_decimals
from .i18n import t


def _hidden_note(hidden: bool) -> str:
    """ " (some figures are hidden by small-number protection)" when ``hidden``, else nothing."""
    return t("takeaways.hidden_note") if hidden else ""


def in_years(filters: Filters) -> str:
    """The period of ``filters`` as the ``when=`` phrase of a takeaway: "in 2025", "in 2019–2025" (Chinese "2025年")."""
    if filters.year_from is None and filters.year_to is None:
        return t("period.in_all_years")
    return t("period.in_years", years=describe_years(filters))


def _numeric(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """``frame`` with ``columns`` as floats (hidden counts become NaN) and rows missing any of them dropped."""
    converted = frame.assign(**{c: pd.to_numeric(frame[c], errors="coerce").astype(float) for c in columns})
    return converted.dropna(subset=list(columns))


def _signed_percent(change: float) -> str:
    return f"{100 * change:+.{rate_decimals()}f}%"


def largest_shortage_takeaway(
    current: pd.DataFrame, previous: pd.DataFrame | None = None, *, when: str, previous_year: int | None = None
) -> str:
    """The sector with the largest shortage (most negative gap) in ``current`` and how it changed since ``previous``.

    ``current``/``previous`` are ``gaps_by_sector`` frames (gaps over measured cells only); ``when`` names the
    period ("in 2025"); ``previous`` and ``previous_year`` are the year before (no ``previous_year``: no
    comparison; a ``previous_year`` without ``previous``: that year lacks supply or demand, and the sentence
    says so). A sector without a measured cell is never called short or not short: the sentence counts it apart.
    Where the frames grade against expected shares (data_access/views.py::graded), the sentence says so.
    """
    sentence = _largest_shortage(current, previous, when=when, previous_year=previous_year)
    if isinstance(sentence, NoFinding) or "openings_all" not in current:
        return sentence
    return sentence + t("takeaways.against_expected")


def _largest_shortage(current: pd.DataFrame, previous: pd.DataFrame | None, *, when: str, previous_year: int | None) -> str:
    known = _numeric(current, "gap")
    unmeasured = int((~current["measured"].astype(bool)).sum()) if "measured" in current else 0
    shortages = known[known["gap"] < 0]
    if shortages.empty:
        if known.empty and unmeasured:
            return NoFinding(t("takeaways.gap_not_measured", when=when))
        if unmeasured:
            return t(
                "takeaways.no_shortage_measured",
                when=when,
                count=len(known),
                unmeasured=unmeasured,
                hidden=_hidden_note(len(known) + unmeasured < len(current)),
            )
        return t("takeaways.no_shortage", when=when, hidden=_hidden_note(len(known) < len(current)))
    row = shortages.sort_values(["gap", "sector_name"]).iloc[0]
    shortage = -row["gap"]
    key, change = _shortage_change(row, shortage, previous, previous_year)
    sentence = t(
        key,
        sector=row["sector_name"],
        when=when,
        shortage=fmt_count(shortage),
        coverage=fmt_ratio(row["coverage_ratio"]),
        change=fmt_count(change),
        year=previous_year,
    )
    return sentence + (t("takeaways.unmeasured_sectors", count=unmeasured) if unmeasured else "")


def _shortage_change(
    row: pd.Series, shortage: float, previous: pd.DataFrame | None, previous_year: int | None
) -> tuple[str, float]:
    """The sentence that says how the shortage changed since ``previous_year`` ("120 more than in 2024" and
    the like) and the size of the change; the sentence without a change when there is no year to compare with
    or its figure is hidden, one that says so when ``previous_year`` lacks supply or demand (``previous`` None),
    and one that says the years are not compared when the sector's measured cells differ between them."""
    if previous_year is None:
        return "takeaways.largest_shortage", 0
    if previous is None:
        return "takeaways.largest_shortage_no_comparison", 0
    before = previous[previous["sector_code"] == row["sector_code"]]
    if before.empty or is_missing(before.iloc[0]["gap"]):
        return "takeaways.largest_shortage", 0
    if "measured_cells" in row and before.iloc[0]["measured_cells"] != row["measured_cells"]:
        return "takeaways.largest_shortage_other_panel", 0
    earlier = max(0.0, -float(before.iloc[0]["gap"]))
    if earlier == 0:
        return "takeaways.largest_shortage_new", 0
    change = shortage - earlier
    if change == 0:
        return "takeaways.largest_shortage_same", 0
    return ("takeaways.largest_shortage_more" if change > 0 else "takeaways.largest_shortage_fewer"), abs(change)


MIN_CELL_OPENINGS = 20  # a region and sector with fewer openings is too small for "the lowest coverage" to mean much


def lowest_coverage_takeaway(cells: pd.DataFrame, *, when: str) -> str:
    """The region and sector with the lowest coverage ratio among cells with at least ``MIN_CELL_OPENINGS``
    openings (a ``gaps_by_region_sector`` frame); the sentence states that minimum. Without such a cell,
    among all cells with openings."""
    known = _numeric(cells, "supply", "demand", "coverage_ratio")
    known = known[known["demand"] > 0]
    if known.empty:
        return t("takeaways.no_openings", when=when)
    large = known[known["demand"] >= MIN_CELL_OPENINGS]
    key = "takeaways.lowest_coverage_at_least" if not large.empty else "takeaways.lowest_coverage"
    row = (large if not large.empty else known).sort_values(["coverage_ratio", "region_name", "sector_name"]).iloc[0]
    return t(
        key,
        when=when,
        sector=row["sector_name"],
        region=row["region_name"],
        coverage=fmt_ratio(row["coverage_ratio"]),
        supply=fmt_count(row["supply"]),
        demand=fmt_count(row["demand"]),
        minimum=MIN_CELL_OPENINGS,
    )


def trend_takeaway(ends: pd.DataFrame) -> str:
    """How supply and demand grew between the first and last years with a measured cell, over the cells
    measured in both (a ``supply_demand_ends`` frame); the sentence says how many regions it compared when
    that is not all of them, and that nothing is compared when no cell is measured in both years."""
    known = _numeric(ends, "supply", "demand").sort_values("year")
    if len(ends) < 2:
        return NoFinding(t("takeaways.no_trend"))
    first_year, last_year = int(ends["year"].min()), int(ends["year"].max())
    if len(known) < 2 and not pd.to_numeric(ends["common_cells"], errors="coerce").fillna(0).gt(0).any():
        return NoFinding(t("takeaways.no_common_panel", first_year=first_year, last_year=last_year))
    if len(known) < 2 or (known["supply"] <= 0).any() or (known["demand"] <= 0).any():
        return NoFinding(t("takeaways.no_trend"))  # hidden by protection, or a side without a single graduate or opening
    first, last = known.iloc[0], known.iloc[-1]
    first_coverage, last_coverage = first["supply"] / first["demand"], last["supply"] / last["demand"]
    moved = (
        "rose"
        if round(last_coverage, 2) > round(first_coverage, 2)
        else ("fell" if round(last_coverage, 2) < round(first_coverage, 2) else "stayed")
    )
    sentence = t(
        f"takeaways.trend_{moved}",
        first_year=first_year,
        last_year=last_year,
        first_supply=fmt_count(first["supply"]),
        last_supply=fmt_count(last["supply"]),
        supply_change=_signed_percent(last["supply"] / first["supply"] - 1),
        first_demand=fmt_count(first["demand"]),
        last_demand=fmt_count(last["demand"]),
        demand_change=_signed_percent(last["demand"] / first["demand"] - 1),
        first_coverage=fmt_ratio(first_coverage),
        last_coverage=fmt_ratio(last_coverage),
    )
    regions, regions_of = int(last["regions"]), int(last["regions_of"])
    return sentence + (t("takeaways.panel_note", regions=regions, regions_of=regions_of) if regions < regions_of else "")


def enrolment_growth_takeaway(growth: pd.DataFrame, *, name: str, year: int, among: Collection[str] | None = None) -> str:
    """Where enrolment grew and fell fastest from ``year - 1`` to ``year`` (an ``enrolment_trend_by_*`` frame of
    both years; ``name`` is the column naming the groups), ranked by the rate of growth as the growth chart
    orders its bars (ties by the change in students). ``among``: the names of the groups a projected chart
    shows, so that the takeaway names none it does not."""
    known = _numeric(growth, "enrolled")
    counts = known.pivot_table(index=name, columns="year", values="enrolled", aggfunc="sum")
    if year not in counts or year - 1 not in counts:
        missing = year - 1 if year in counts else year
        return t("takeaways.enrolment_no_years", missing=missing, previous=year - 1, year=year)
    if "enrolled_before" in growth:  # like for like: each group over the regions reporting both years
        compared = _numeric(growth[growth["year"] == year], "enrolled_before", "enrolled_change").set_index(name)
        counts = pd.DataFrame(
            {year - 1: compared["enrolled_before"], year: compared["enrolled_before"] + compared["enrolled_change"]}
        )
    both = counts[[year - 1, year]].dropna()
    both = both[both[year - 1] > 0]
    if among is not None:
        both = both[both.index.isin(list(among))]
    if both.empty:
        return t("takeaways.enrolment_no_group", previous=year - 1, year=year)
    change = both[year] - both[year - 1]
    ranked = pd.DataFrame({"rate": change / both[year - 1], "change": change}).sort_values(["rate", "change"], kind="stable")
    moves = {}
    for group, verb in ((ranked.index[-1], "grew"), (ranked.index[0], "fell")):
        difference = ranked.loc[group, "change"]
        if (verb == "grew") == (difference > 0) and difference != 0:
            moves.update(
                {
                    verb: group,
                    f"{verb}_change": f"{difference:+,.0f}",
                    f"{verb}_percent": _signed_percent(ranked.loc[group, "rate"]),
                }
            )
    if not moves:
        return t("takeaways.enrolment_no_change", previous=year - 1, year=year)
    key = "enrolment_grew_and_fell" if "grew" in moves and "fell" in moves else f"enrolment_{next(iter(moves))}"
    return t(f"takeaways.{key}", previous=year - 1, year=year, **moves)


def placements_takeaway(by_sector: pd.DataFrame) -> str:
    """The host sector with the most students placed, its share and its hire rate (a ``placements_by_sector`` frame)."""
    known = _numeric(by_sector, "students_placed")
    hidden = _hidden_note(len(known) < len(by_sector))
    total = known["students_placed"].sum()
    if known.empty or total <= 0:
        return t("takeaways.no_placements", hidden=hidden)
    row = known.sort_values(["students_placed", "sector_name"], ascending=[False, True]).iloc[0]
    key = "takeaways.placements" if is_missing(row["placement_hire_rate"]) else "takeaways.placements_hired"
    return t(
        key,
        sector=row["sector_name"],
        placed=fmt_count(row["students_placed"]),
        total=fmt_count(total),
        share=fmt_rate(row["students_placed"] / total),
        hire_rate=fmt_rate(row["placement_hire_rate"]),
        hidden=hidden,
    )


def in_field_takeaway(in_field: pd.DataFrame, *, overall: float) -> str:
    """The sector whose employed graduates work in their field least often (an ``in_field_vs_coverage`` frame),
    against ``overall``, the in-field rate of all graduates in the selection (NaN when unknown)."""
    known = _numeric(in_field, "in_field_rate")
    if known.empty:
        return t("takeaways.no_in_field")
    row = known.sort_values(["in_field_rate", "sector_name"]).iloc[0]
    key = "in_field" + ("" if is_missing(overall) else "_overall") + ("" if is_missing(row["coverage_ratio"]) else "_coverage")
    return t(
        f"takeaways.{key}",
        sector=row["sector_name"],
        rate=fmt_rate(row["in_field_rate"]),
        overall=fmt_rate(overall),
        coverage=fmt_ratio(row["coverage_ratio"]),
    )
