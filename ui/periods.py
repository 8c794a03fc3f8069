"""Which years a gap compares: supply and demand are compared only in years that have both, and a
screen says when it had to leave a year out (missing is not zero). Texts are in the current language."""

from __future__ import annotations

from dataclasses import dataclass

from data_access.filters import Filters

from .context import calendar, view
from .formatting import fmt_count
from .i18n import t


@dataclass(frozen=True)
class GapPeriod:
    """The years a supply-and-demand screen shows: ``filters`` for its figures, the latest year with both
    sides, the year before it when that has both too (else None), the year before as a takeaway names it
    (None before the first year of any data: there is nothing to compare with, and nothing to say), and
    notes saying what was left out."""

    filters: Filters
    latest: int
    previous: int | None
    before: int | None
    notes: tuple[str, ...]


def gap_period(filters: Filters, *, latest_only: bool, years: dict[str, list[int]] | None = None) -> GapPeriod | None:
    """The latest year (``latest_only``) or the whole range of ``filters``, limited to years with both supply
    and demand; None when no year of the range has both. ``years`` is the data calendar (each fact table's
    years and "comparable"), by default the app's."""
    years = years if years is not None else calendar()
    both = set(years["comparable"])
    latest = max((y for y in both if filters.covers_year(y)), default=None)
    if latest is None:
        return None
    notes = []
    if filters.year_to is not None and latest != filters.year_to:
        notes.append(
            t("periods.latest_with_both", year=filters.year_to, latest=latest, missing=_missing_sides(filters.year_to, years))
        )
    previous = latest - 1 if latest - 1 in both else None
    first_of_data = min((y for name, ys in years.items() if name != "comparable" for y in ys), default=latest)
    before = latest - 1 if latest - 1 >= first_of_data else None
    if latest_only:
        return GapPeriod(filters.with_years(latest, latest), latest, previous, before, tuple(notes))
    left_out = [y for y in range(filters.year_from or latest, (filters.year_to or latest) + 1) if y not in both]
    if left_out:
        notes = [t("periods.years_left_out", years=_listed(left_out))]
    return GapPeriod(filters, latest, previous, before, tuple(notes))


def _missing_sides(year: int, years: dict[str, list[int]]) -> str:
    """Which side a year lacks, in words."""
    missing = [t(f"periods.side_{side}") for side in ("enrolments", "demand") if year not in years[side]]
    return t("filters.list_separator").join(missing) or t("periods.side_enrolments")


def _listed(years: list[int]) -> str:
    return t("filters.list_separator").join(str(y) for y in years)


def not_linked_note(filters: Filters) -> str | None:
    """How many graduates of programs linked to no sector stand outside every gap in ``filters``, in words; None when none."""
    rows = view("supply_not_linked_by_year", filters).numbers
    total = rows["supply_not_linked"].sum(min_count=1) if not rows.empty else None
    if total is None or total != total or total <= 0:
        return None
    return t("periods.not_linked", graduates=fmt_count(total))


def no_comparable_year_text() -> str:
    """Why a screen of gaps is empty when no year has both sides, naming the years each side covers."""
    years = calendar()
    covered = {side: _listed(years[side]) or t("periods.none") for side in ("enrolments", "demand")}
    return t("periods.no_comparable_year", supply=covered["enrolments"], demand=covered["demand"])
