"""What the figures rest on, said next to them: openings estimated from employment (at which replacement
rates), cells a publisher suppressed (so totals are lower bounds), rounding, academic years, regions a
publisher left out of one side, and data that has one aggregate provider per area. Every function here
reads through a Session and returns plain words in the current language, so the pages and the meeting
brief say the same thing; the pages escape them (names show as typed).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from data_access import caveats, panel, queries, stored_settings
from data_access.filters import Filters
from data_access.summaries import DEFAULT_REPLACEMENT_RATE

from .context import dashboard_engine, data_version
from .data_flags import openings_estimated
from .formatting import NoFinding, fmt_count
from .i18n import t
from .markup import markdown_text

LISTED = 5  # names a note lists before "and N more"


def caveat_notes(session: Session, filters: Filters, *, tables: tuple[str, ...] = ("enrolments", "demand")) -> list[str]:
    """The notes a screen of ``tables``' figures within ``filters`` needs, most important first."""
    return [note for _, note in marked_notes(session, filters, tables=tables)]


def marked_notes(
    session: Session, filters: Filters, *, tables: tuple[str, ...] = ("enrolments", "demand")
) -> list[tuple[str, str]]:
    """``caveat_notes`` with a few words for each (what the figures rest on, for the one line a page shows)."""
    notes = []
    if "demand" in tables and caveats.has_estimated_openings(session):
        notes.append((t("caveats.short_estimated"), estimated_note(session)))
    suppressed = {table: caveats.suppressed_total(session, filters, (table,)) for table in tables}
    if sum(suppressed.values()):
        counted = [
            t("caveats.cells_in", count=fmt_count(n), table=t(f"common.table_{table}")) for table, n in suppressed.items() if n
        ]
        total = fmt_count(sum(suppressed.values()))
        notes.append((t("caveats.short_suppressed", cells=total), t("caveats.suppressed", cells=total, where=_joined(counted))))
    roundings = [r for r in caveats.roundings(session) if r["table"] in tables]
    if roundings:
        listed = [
            t("caveats.rounded_to", table=t(f"common.table_{r['table']}"), rounding=fmt_count(r["rounding"])) for r in roundings
        ]
        notes.append((t("caveats.short_rounding"), t("caveats.rounding", roundings=_joined(listed))))
    labels = {y: label for y, label in caveats.year_labels(session).items() if filters.covers_year(y)}
    academic = [table for table in caveats.academic_year_tables(session) if table in tables]
    if labels and academic:
        tables_named = _joined([t(f"common.table_{table}") for table in academic])
        years = _joined([t("caveats.year_is", year=y, label=label) for y, label in sorted(labels.items())])
        notes.append((t("caveats.short_academic"), t("caveats.academic_years", tables=tables_named, years=years)))
    if {"enrolments", "demand"} <= set(tables):
        notes.extend((t("caveats.short_missing_side"), note) for note in _missing_side_notes(session, filters))
        if queries.crosswalk(session)["source"].eq("program_sectors").any():
            notes.append((t("caveats.short_crosswalk"), t("caveats.crosswalk")))
        if panel.shares_stated(session):
            notes.append((t("caveats.short_expected"), expected_note(session)))
    return notes


def expected_note(session: Session) -> str:
    """Shortage and surplus are graded against the part of the openings the vocational graduates are expected
    to fill, and the shares each sector states."""
    sectors = queries.replacement_rates(session)
    names = dict(zip(sectors["sector_code"], sectors["sector_name"]))
    stated = [
        t("caveats.rate_of", sector=names.get(code, code), rate=_percent(share))
        for code, share in panel.expected_shares(session).items()
        if share != 1.0
    ]
    listed = stated[:LISTED] + ([t("caveats.and_more", count=len(stated) - LISTED)] if len(stated) > LISTED else [])
    return t("caveats.expected", shares=_joined(listed))


MARKS = "¹²³⁴⁵⁶⁷⁸⁹"


def rests_on_line(notes: list[tuple[str, str]]) -> str:
    """One short line naming what the figures rest on, each with the mark of its note ("Rests on: openings
    estimated¹ · 4 suppressed cells²")."""
    marks: dict[str, str] = {}  # one item per kind of note, with the marks of all its notes
    for i, (short, _) in enumerate(notes):
        marks[short] = marks.get(short, "") + (MARKS[i] if i < len(MARKS) else "")
    return t("caveats.rests_on", items=" · ".join(f"{short}{mark}" for short, mark in marks.items()))


def estimated_note(session: Session) -> str:
    """Openings are estimated, at which rates, and over how many years employment is smoothed when it is."""
    rates = queries.replacement_rates(session)
    stated = rates[rates["stated"]]
    default = _percent(DEFAULT_REPLACEMENT_RATE)
    if stated.empty:
        at = t("caveats.rates_default", rate=default)
    elif len(stated) == len(rates):
        at = t("caveats.rates_stated", rates=_rate_list(stated))
    else:
        at = t("caveats.rates_mixed", rates=_rate_list(stated), rate=default)
    note = t("caveats.estimated", rates=at, source=t("caveats.rate_source"))
    smoothing = stored_settings.employment_smoothing(session)
    return note if smoothing == 1 else f"{note} {t('caveats.smoothed', years=smoothing)}"


def estimated_mark() -> str:
    """What a sentence about estimated openings ends with."""
    return t("caveats.estimated_mark")


def _rate_list(rates: pd.DataFrame) -> str:
    shown = [
        t("caveats.rate_of", sector=name, rate=_percent(rate)) for name, rate in zip(rates["sector_name"], rates["rate_used"])
    ]
    return _joined(shown[:LISTED] + ([t("caveats.and_more", count=len(shown) - LISTED)] if len(shown) > LISTED else []))


def _missing_side_notes(session: Session, filters: Filters) -> list[str]:
    """One note per side and run of years: the regions whose table of that side reports none of those years
    (a region a publisher left out, or one without any institution) while the other side does."""
    missing = queries.regions_missing_a_side(session, filters)
    notes = []
    for side, of_side in missing.groupby("missing", sort=True):
        years_of = of_side.groupby(["region_code", "region_name"], dropna=False)["year"].agg(
            lambda ys: tuple(sorted(int(y) for y in ys))
        )
        for years, regions in years_of.reset_index().groupby("year", sort=True):
            names = list(regions["region_name"].fillna(regions["region_code"]))
            listed = names[:LISTED] + ([t("caveats.and_more", count=len(names) - LISTED)] if len(names) > LISTED else [])
            notes.append(t(f"caveats.region_without_{side}", regions=_joined(listed), year=_years_text(years), count=len(names)))
    return notes


def _years_text(years: tuple[int, ...]) -> str:
    """Years as a run ("2019–2025") when they follow one another, else listed."""
    if len(years) > 1 and years[-1] - years[0] == len(years) - 1:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def _percent(rate: float) -> str:
    return f"{100 * rate:.1f}".rstrip("0").rstrip(".") + "%"


def _joined(items: list[str]) -> str:
    return t("filters.list_separator").join(items)


# --- on the pages: cached per filters and data version ---------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_notes(filters: Filters, tables: tuple[str, ...], version: int, language: str) -> list[tuple[str, str]]:
    with Session(dashboard_engine()) as session:
        return marked_notes(session, filters, tables=tables)


def show_notes(filters: Filters, *, tables: tuple[str, ...] = ("enrolments", "demand")) -> None:
    """The caveats of ``tables`` within ``filters``: one short line of what the figures rest on, with marks,
    and the notes themselves one click away (names escaped); on a projector, one line."""
    from .i18n import current_language
    from .presentation import presentation_on

    if presentation_on():
        line = projector_line(filters)
        if line:
            st.caption(markdown_text(line))
        return
    notes = _cached_notes(filters, tables, data_version(), current_language())
    if not notes:
        return
    st.caption(markdown_text(rests_on_line(notes)))
    with st.expander(t("caveats.notes_heading")):
        for i, (_, note) in enumerate(notes):
            st.caption(markdown_text(f"{MARKS[i] if i < len(MARKS) else ''} {note}"))


def estimated_legend(figure, estimated: bool | None = None):
    """``figure`` with its demand series named as estimated, when the openings are."""
    if estimated if estimated is not None else openings_estimated():
        marked = {
            t("charts.demand"): t("charts.demand_estimated"),
            t("charts.demand_expected"): t("charts.demand_expected_estimated"),
        }
        figure.for_each_trace(lambda trace: trace.update(name=marked[trace.name]) if trace.name in marked else None)
    return figure


def mark_estimated(sentence: str | None, estimated: bool) -> str | None:
    """``sentence`` about openings, marked as resting on estimates when ``estimated``."""
    if sentence and estimated and not isinstance(sentence, NoFinding):
        return f"{sentence} {estimated_mark()}"
    return sentence


def projector_line(filters: Filters) -> str | None:
    """The caveats on a projected screen, in one line."""
    with Session(dashboard_engine()) as session:
        parts = []
        if caveats.has_estimated_openings(session):
            parts.append(t("caveats.projector_estimated"))
        if caveats.suppressed_total(session, filters, ("enrolments", "demand")):
            parts.append(t("caveats.projector_suppressed"))
        if caveats.roundings(session):
            parts.append(t("caveats.projector_rounded"))
    return " · ".join(parts) or None


def marked(sentence: str | None) -> str | None:
    """``sentence`` about openings, marked as resting on estimates when they are."""
    return mark_estimated(sentence, openings_estimated())
