"""Entry point: ``streamlit run dashboard.py``. It only routes: shared sidebar
(filters, snapshot export) around the pages in ``pages/``."""

import streamlit as st

from data_access.store import StoreError
from ui.brief import meeting_brief_file
from ui.context import dashboard_engine, data_version, protection_threshold, snapshot_for
from ui.filters import render_sidebar_filters
from ui.presentation import apply_presentation_style, render_presentation_toggle

st.set_page_config(page_title="Vocational supply & demand", page_icon=":material/balance:", layout="wide")

# Each url_path differs from its file's name on purpose. Streamlit still treats a
# folder called pages/ as its legacy page list until the first st.navigation call
# of the server, and a legacy page whose name matched a url_path would be run on
# its own, without this file's sidebar (seen as lost filters on the first page
# change after a server start). tests/test_pages.py checks the rule.
PAGES = [
    st.Page("pages/home.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/supply_demand.py", title="Supply vs demand", icon=":material/balance:", url_path="supply-demand"),
    st.Page("pages/enrolment.py", title="Enrolment and graduates", icon=":material/school:", url_path="enrolment-graduates"),
    st.Page("pages/placements.py", title="Placements and partners", icon=":material/handshake:", url_path="placements-partners"),
    st.Page("pages/outcomes.py", title="Graduate outcomes", icon=":material/work:", url_path="graduate-outcomes"),
    st.Page("pages/scorecard.py", title="Institution scorecard", icon=":material/assignment:", url_path="institution-scorecard"),
    st.Page("pages/data.py", title="Data", icon=":material/upload_file:", url_path="data-loads"),
]
PRESENTATION_SCREENS = PAGES[:5]  # Next / Back in presentation mode step through these; not the scorecard or data loads

navigation = st.navigation(PAGES)

try:
    dashboard_engine()
except StoreError as error:
    st.error(f"The database cannot be opened: {error}")
    st.stop()

filters = render_sidebar_filters()
st.sidebar.divider()
st.sidebar.download_button(
    "Export snapshot",
    data=lambda threshold=protection_threshold(): snapshot_for(filters, threshold),
    file_name="snapshot.zip",
    mime="application/zip",
    icon=":material/folder_zip:",
    help="A zip of every view's data for the current filters, with a manifest of filters and data version.",
    key="export_snapshot",
)
st.sidebar.download_button(
    "Meeting brief (HTML)",
    data=lambda threshold=protection_threshold(): meeting_brief_file(dashboard_engine(), filters=filters, hide_below=threshold),
    file_name="meeting-brief.html",
    mime="text/html",
    icon=":material/slideshow:",
    help="One HTML file with the key charts, numbers and takeaways for the current filters; works without network "
         "and prints to A4.",
    key="export_brief",
)
st.sidebar.caption(f"Showing {filters.describe()} · data version {data_version()}")
if render_presentation_toggle():
    apply_presentation_style(PRESENTATION_SCREENS, navigation, filters, data_version())

navigation.run()
