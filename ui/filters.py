"""The sidebar filters every page shares.

They survive page changes (widget state kept for the whole session) and live
in the URL as codes, e.g. ``?from=2021&to=2025&region=R01&sector=Q``, the same
names as the command line's export flags, so a view can be bookmarked or sent
to a colleague. The URL is read when a browser session opens and whenever it
changed from outside the app (Back/forward, an edited link: see ui/bookmarks.py);
otherwise the widgets are the truth and every run writes them back to the URL,
in one change (one browser history entry).
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from data_access.filters import Filters
from data_access.suppression import DEFAULT_THRESHOLD, MAX_THRESHOLD, MIN_THRESHOLD

from .bookmarks import url_changed_outside, write_url
from .context import PROTECTION_KEY, calendar, data_version, filter_options, name_maps
from .i18n import t

FILTERS_KEY = "active_filters"
URL_READ_KEY = "filters_read_from_url"
YEARS_WIDGET, REGIONS_WIDGET, SECTORS_WIDGET = "filter_years", "filter_regions", "filter_sectors"
PROTECT_WIDGET, THRESHOLD_WIDGET = "protect_small_numbers", "protect_threshold"
BAD_THRESHOLD_KEY = "protect_threshold_from_link_did_not_fit"


def _labeller(frame: pd.DataFrame, code: str, name: str):
    names = dict(zip(frame[code], frame[name]))
    return lambda value: f"{names.get(value, value)} ({value})"


def _url_year(name: str, years: list[int]) -> int | None:
    raw = st.query_params.get(name)
    return int(raw) if raw is not None and raw.strip().isdigit() and int(raw) in years else None


def default_last_year(years: list[int]) -> int:
    """The last year the filters start with: the latest year with both supply and demand, so that
    "the latest year" compares like with like; the last year with any data when no year has both."""
    both = calendar()["comparable"]
    return both[-1] if both else years[-1]


def _seed_from_url(years: list[int], regions: list[str], sectors: list[str]) -> None:
    """Put the URL's filters into the widgets' state when a browser session opens and when the URL changed
    from outside the app (Back/forward: a filter left out of the URL is back at its default); unknown
    values are dropped."""
    if st.session_state.get(URL_READ_KEY) and not url_changed_outside():
        return
    st.session_state[URL_READ_KEY] = True
    year_from = _url_year("from", years) or years[0]
    year_to = _url_year("to", years) or default_last_year(years)
    st.session_state[YEARS_WIDGET] = (min(year_from, year_to), max(year_from, year_to))
    st.session_state[REGIONS_WIDGET] = [c for c in st.query_params.get_all("region") if c in regions]
    st.session_state[SECTORS_WIDGET] = [c for c in st.query_params.get_all("sector") if c in sectors]
    # A link that asks for protection gets it: a threshold that does not fit (1, -1, 1e9) is replaced by
    # the default and the sidebar says so, rather than silently showing every small number.
    raw = st.query_params.get("hide_below") if "hide_below" in st.query_params else None
    st.session_state[PROTECT_WIDGET] = raw is not None
    valid = raw is not None and raw.isdigit() and MIN_THRESHOLD <= int(raw) <= MAX_THRESHOLD
    st.session_state[THRESHOLD_WIDGET] = int(raw) if valid and raw is not None else DEFAULT_THRESHOLD
    st.session_state[BAD_THRESHOLD_KEY] = raw is not None and not valid


def _keep_valid(years: list[int], regions: list[str], sectors: list[str]) -> None:
    """After a load changes the options, drop selections that no longer exist."""
    year_from, year_to = st.session_state.get(YEARS_WIDGET, (years[0], years[-1]))
    clamp = lambda y: min(max(y, years[0]), years[-1])  # noqa: E731
    st.session_state[YEARS_WIDGET] = (clamp(year_from), clamp(year_to))
    st.session_state[REGIONS_WIDGET] = [c for c in st.session_state.get(REGIONS_WIDGET, []) if c in regions]
    st.session_state[SECTORS_WIDGET] = [c for c in st.session_state.get(SECTORS_WIDGET, []) if c in sectors]


def _write_url(filters: Filters, years: list[int], threshold: int | None) -> None:
    """Mirror the filters into the URL, leaving defaults out to keep links short."""
    wanted = {
        "from": str(filters.year_from) if filters.year_from != years[0] else None,
        "to": str(filters.year_to) if filters.year_to != default_last_year(years) else None,
        "region": list(filters.regions) or None,
        "sector": list(filters.sectors) or None,
        "hide_below": str(threshold) if threshold else None,
    }
    write_url(wanted)


def render_sidebar_filters() -> Filters:
    """Draw the year range, region and sector filters in the sidebar and return them."""
    years, regions, sectors = filter_options()
    if not years:
        st.session_state[FILTERS_KEY] = Filters()
        return Filters()
    region_codes, sector_codes = list(regions["region_code"]), list(sectors["sector_code"])
    _seed_from_url(years, region_codes, sector_codes)
    _keep_valid(years, region_codes, sector_codes)

    st.sidebar.header(t("sidebar.filters"))
    if years[0] == years[-1]:
        year_from = year_to = years[0]
        st.sidebar.caption(t("sidebar.year", year=years[0]))
    else:
        year_from, year_to = st.sidebar.slider(
            t("sidebar.years"), min_value=years[0], max_value=years[-1], step=1, key=YEARS_WIDGET
        )
    chosen_regions = st.sidebar.multiselect(
        t("sidebar.regions"),
        options=region_codes,
        format_func=_labeller(regions, "region_code", "region_name"),
        key=REGIONS_WIDGET,
        placeholder=t("sidebar.all_regions"),
    )
    chosen_sectors = st.sidebar.multiselect(
        t("sidebar.sectors"),
        options=sector_codes,
        format_func=_labeller(sectors, "sector_code", "sector_name"),
        key=SECTORS_WIDGET,
        placeholder=t("sidebar.all_sectors"),
    )
    filters = Filters(year_from, year_to, tuple(chosen_regions), tuple(chosen_sectors))
    threshold = _render_protection()
    _write_url(filters, years, threshold)
    st.session_state[FILTERS_KEY] = filters
    return filters


def _render_protection() -> int | None:
    """The small-number protection switch; sets and returns the threshold (None when off)."""
    st.sidebar.toggle(
        t("sidebar.hide_small"),
        key=PROTECT_WIDGET,
        help=t("sidebar.hide_small_help"),
    )
    threshold = None
    if st.session_state.get(PROTECT_WIDGET):
        threshold = int(
            st.sidebar.number_input(
                t("sidebar.hide_below"),
                min_value=MIN_THRESHOLD,
                max_value=MAX_THRESHOLD,
                step=1,
                key=THRESHOLD_WIDGET,
                persist_state="session",
            )
        )
        if st.session_state.get(BAD_THRESHOLD_KEY) and threshold == DEFAULT_THRESHOLD:
            st.sidebar.warning(
                t("sidebar.bad_threshold", low=MIN_THRESHOLD, high=MAX_THRESHOLD, used=DEFAULT_THRESHOLD),
                icon=":material/shield:",
            )
    st.session_state[PROTECTION_KEY] = threshold
    return threshold


def active_filters() -> Filters:
    """The filters drawn in the sidebar on this run."""
    return st.session_state.get(FILTERS_KEY, Filters())


def describe_years(filters: Filters) -> str:
    """The years of ``filters`` in words: "2025", "2019–2025" or "all years"."""
    if filters.year_from is None and filters.year_to is None:
        return t("filters.all_years")
    if filters.year_from == filters.year_to:
        return str(filters.year_from)
    return f"{filters.year_from or '…'}–{filters.year_to or '…'}"


def _named(codes: tuple[str, ...], names: dict[str, str], many_key: str) -> str:
    """A few chosen items by name; many by their count (a title must stay one line at 300 regions)."""
    if len(codes) > 3:
        return t(many_key, count=f"{len(codes):,}")
    return t("filters.list_separator").join(str(names.get(code, code)) for code in codes)


def describe(filters: Filters) -> str:
    """The filters in words, in the current language and with names, for captions and chart titles."""
    regions, sectors, listed = name_maps()
    return describe_with(filters, region_names=regions, sector_names=sectors, institution_names=listed)


def describe_with(filters: Filters, *, region_names: dict, sector_names: dict, institution_names: dict | None = None) -> str:
    """``describe`` with the names given, for documents built from a database of their own (the brief)."""
    parts = [
        describe_years(filters),
        _named(filters.regions, region_names, "filters.many_regions") if filters.regions else t("filters.all_regions"),
        _named(filters.sectors, sector_names, "filters.many_sectors") if filters.sectors else t("filters.all_sectors"),
    ]
    if filters.institution_types:
        parts.append(t("filters.types", types=_named(filters.institution_types, {}, "filters.many_types")))
    if filters.institutions:
        parts.append(_named(filters.institutions, institution_names or {}, "filters.many_institutions"))
    if filters.programs:
        parts.append(t("filters.programs", programs=_named(filters.programs, {}, "filters.many_programs")))
    return t("filters.part_separator").join(parts)


def file_scope(filters: Filters, version: int) -> str:
    """What a downloaded file holds, for its name: the regions (by name, or how many), one sector's name (or
    how many), the years and the data version, e.g. "Ellery-Heights-2019-2025-v12"; letters of any script are
    kept, everything else becomes "-", and the whole stays short enough for any file system."""
    regions, sectors, _ = name_maps()
    parts = []
    if filters.regions:
        parts.append(
            "-".join(str(regions.get(c, c)) for c in filters.regions)
            if len(filters.regions) <= 2
            else f"{len(filters.regions)}-regions"
        )
    if filters.sectors:
        parts.append(
            str(sectors.get(filters.sectors[0], filters.sectors[0]))
            if len(filters.sectors) == 1
            else f"{len(filters.sectors)}-sectors"
        )
    years = [y for y in (filters.year_from, filters.year_to) if y is not None]
    if years:
        parts.append(str(years[0]) if len(set(years)) == 1 else f"{years[0]}-{years[-1]}")
    slug = re.sub(r"[^\w]+", "-", "-".join(parts), flags=re.UNICODE).strip("-_")[:80].strip("-_")
    return f"{slug}-v{version}" if slug else f"v{version}"


def scoped_file_name(file_name: str) -> str:
    """``file_name`` ("snapshot.zip") with the scope of this run's filters before its extension
    ("snapshot-Ellery-Heights-2019-2025-v12.zip"), so that two downloads can be told apart by name."""
    filters = st.session_state.get(FILTERS_KEY)
    if filters is None:
        return file_name
    stem, dot, extension = file_name.rpartition(".")
    if not dot:
        stem, extension = file_name, ""
    return f"{stem}-{file_scope(filters, data_version())}" + (f".{extension}" if extension else "")
