"""Facts about the loaded data that screens ask often, cached per data version: whether openings are
estimated, whether institutions are one aggregate provider per area, and the regions' boundaries. A low
module (Streamlit's cache and the data layer only), so that the URL's settings (ui/bookmarks.py) can ask
them without importing the pages' notes."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from data_access import caveats, queries

from .context import dashboard_engine, data_version

AREA_TOTAL_TYPES = {"area total", "area totals"}  # institution_type of a region's aggregate provider (casefolded)


def area_level(session: Session) -> bool:
    """True when the institutions are one aggregate provider per area: an import in force made them one
    per region (``each = "regions"``), or every institution's type is "Area total". Comparing such
    "institutions" would compare an area with itself."""
    if any(record["report"].get("area_level") for record in caveats.imports(session)):
        return True
    listed = queries.list_institutions(session)
    return bool(len(listed)) and bool(
        listed["institution_type"].astype(str).str.strip().str.casefold().isin(AREA_TOTAL_TYPES).all()
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_flags(version: int) -> tuple[bool, bool, dict]:
    with Session(dashboard_engine()) as session:
        return caveats.has_estimated_openings(session), area_level(session), caveats.region_shapes(session)


def openings_estimated() -> bool:
    """True when some openings are estimated from employment."""
    return _cached_flags(data_version())[0]


def is_area_level() -> bool:
    """True when institutions are one aggregate per area (see ``area_level``)."""
    return _cached_flags(data_version())[1]


def shapes() -> dict:
    """The regions' boundaries in longitude/latitude, by region code (empty when none were loaded)."""
    return _cached_flags(data_version())[2]
