"""Entry point: ``python -m ui.serve`` (``streamlit run dashboard.py`` with the pages known from the first
visit on, see ui/serve.py). It only routes: shared sidebar
(filters, snapshot export) around the pages in ``pages/``."""

import streamlit as st

from data_access.store import StoreError
from ui.auth import render_account
from ui.bookmarks import apply_view_settings, begin_run, current_params
from ui.brief import meeting_brief_file
from ui.components import download_button
from ui.context import dashboard_engine, data_version, protection_threshold, snapshot_for, table_absent, workbook_for
from ui.filters import describe, render_sidebar_filters
from ui.i18n import current_language, md, render_language_switch, t
from ui.planning import current_plan
from ui.presentation import apply_presentation_style, render_presentation_toggle
from ui.theme import apply_readable_captions

st.set_page_config(page_title=t("app.title"), page_icon=":material/balance:", layout="wide")
apply_readable_captions()

# Each url_path differs from its file's name on purpose. Streamlit still treats a
# folder called pages/ as its legacy page list until the first st.navigation call
# of the server, and a legacy page whose name matched a url_path would be run on
# its own, without this file's sidebar (seen as lost filters on the first page
# change after a server start). tests/test_pages.py checks the rule.
PAGES = [
    # the default page is served at the root ("/"); its own name only reserves an address nobody links to
    st.Page("pages/home.py", title=t("nav.overview"), icon=":material/dashboard:", url_path="start", default=True),
    st.Page("pages/supply_demand.py", title=t("nav.supply_demand"), icon=":material/balance:", url_path="supply-demand"),
    st.Page("pages/enrolment.py", title=t("nav.enrolment"), icon=":material/school:", url_path="enrolment-graduates"),
    st.Page("pages/placements.py", title=t("nav.placements"), icon=":material/handshake:", url_path="placements-partners"),
    st.Page("pages/outcomes.py", title=t("nav.outcomes"), icon=":material/work:", url_path="graduate-outcomes"),
    st.Page("pages/planning.py", title=t("nav.planning"), icon=":material/event_upcoming:", url_path="intake-planning"),
    st.Page("pages/scorecard.py", title=t("nav.scorecard"), icon=":material/assignment:", url_path="institution-scorecard"),
    st.Page("pages/glossary.py", title=t("nav.glossary"), icon=":material/menu_book:", url_path="measures-glossary"),
    st.Page("pages/data.py", title=t("nav.data"), icon=":material/upload_file:", url_path="data-loads"),
]
PRESENTATION_SCREENS = PAGES[:6]  # Next / Back in presentation mode step through these; not the scorecard or data loads
# A screen whose table the data set does not include at all is skipped on the projector.
SCREEN_TABLES = dict(zip(PRESENTATION_SCREENS, ("", "", "enrolments", "placements", "outcomes", "demand")))


def _overview_by_name() -> None:
    """Never runs: a link to /overview is sent on to the Overview's own address below."""


# The default page's address is the root ("/"): a link to /overview (the Overview's name) would get
# Streamlit's "Page not found" dialog, so that name is a hidden page that opens the Overview, link kept.
OVERVIEW_BY_NAME = st.Page(_overview_by_name, title=t("nav.overview"), url_path="overview", visibility="hidden")
# Streamlit's own page menu pushes two browser history entries for one page change (the page without its
# query, then the query the run writes), so Back showed a state nobody saw; the menu is drawn here instead,
# as links that carry the query (page_links below): one change, one entry, and each link is a real address.
navigation = st.navigation([*PAGES, OVERVIEW_BY_NAME], position="hidden")
page_links = st.sidebar.container()
if navigation.url_path == OVERVIEW_BY_NAME.url_path:
    st.switch_page(PAGES[0], query_params=current_params())  # every value (to_dict keeps one of region=A&region=B)
begin_run()  # a link or the browser's Back/forward: the filters and the page's settings follow the URL (ui/bookmarks.py)

try:
    dashboard_engine(announce=True)
except StoreError as error:
    st.error(md("sidebar.database_error", error=error))
    st.stop()

filters = render_sidebar_filters()
apply_view_settings(navigation.url_path)  # the page's group-by, period...: from the link, into the link
st.sidebar.divider()
download_button(
    t("sidebar.export_snapshot"),
    data=lambda threshold=protection_threshold(), plan=current_plan(): snapshot_for(filters, threshold, plan),
    file_name="snapshot.zip",
    mime="application/zip",
    icon=":material/folder_zip:",
    help=t("sidebar.export_snapshot_help"),
    key="export_snapshot",
    container=st.sidebar,
)
download_button(
    t("sidebar.export_workbook"),
    # Built when clicked, on a thread without the session: it takes the session's language along.
    data=lambda threshold=protection_threshold(), plan=current_plan(), language=current_language(): workbook_for(
        filters, threshold, plan, language
    ),
    file_name="snapshot.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/table_view:",
    help=t("sidebar.export_workbook_help"),
    key="export_workbook",
    container=st.sidebar,
)
download_button(
    t("sidebar.brief"),
    # Built when clicked, on a thread without the session: it takes the session's language along.
    data=lambda threshold=protection_threshold(), language=current_language(), plan=current_plan(): meeting_brief_file(
        dashboard_engine(), filters=filters, hide_below=threshold, language=language, plan=plan
    ),
    file_name="meeting-brief.html",
    mime="text/html",
    icon=":material/slideshow:",
    help=t("sidebar.brief_help"),
    key="export_brief",
    container=st.sidebar,
)
st.sidebar.caption(md("sidebar.showing", filters=describe(filters), version=data_version()))
render_language_switch()
with st.sidebar:  # the account area: who is signed in, or the editor sign-in
    render_account()
if render_presentation_toggle():
    screens = [page for page in PRESENTATION_SCREENS if not table_absent(SCREEN_TABLES[page])]
    apply_presentation_style(screens, navigation, filters, data_version())

with page_links:  # the menu, each link with the query this run wrote (the filters and every page's settings)
    query = current_params()
    for page in PAGES:
        st.page_link(page, label=page.title, icon=page.icon, query_params=query)
    st.divider()
navigation.run()
