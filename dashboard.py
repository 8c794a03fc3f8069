"""Entry point: ``streamlit run dashboard.py``. It only routes: shared sidebar
(filters, snapshot export) around the pages in ``pages/``."""

import streamlit as st

from data_access.store import StoreError
from ui.context import dashboard_engine, data_version, snapshot_for
from ui.filters import render_sidebar_filters

st.set_page_config(page_title="Vocational supply & demand", page_icon=":material/balance:", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/supply_demand.py", title="Supply vs demand", icon=":material/balance:", url_path="supply-demand"),
]

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
    data=lambda: snapshot_for(filters),
    file_name="snapshot.zip",
    mime="application/zip",
    icon=":material/folder_zip:",
    help="A zip of every view's data for the current filters, with a manifest of filters and data version.",
    key="export_snapshot",
)
st.sidebar.caption(f"Showing {filters.describe()} · data version {data_version()}")

navigation.run()
