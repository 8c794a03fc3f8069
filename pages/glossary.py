"""Glossary: every measure the dashboard shows, what it is, where it comes from and what to keep in mind."""

import streamlit as st

from ui.components import download_csv
from ui.glossary import FILE_NAME, glossary_frame, headings, search
from ui.i18n import current_language, md, t

language = current_language()
st.title(t("nav.glossary"))
st.caption(t("glossary.intro"))

glossary = glossary_frame(language)
query = st.text_input(t("glossary.search"), placeholder=t("glossary.search_placeholder"), key="glossary_search")
shown = search(glossary, query)
if shown.empty:
    st.info(md("glossary.no_match", query=query.strip()))
else:
    if query.strip():
        st.caption(t("glossary.matches", shown=len(shown), total=len(glossary)))
    names = headings(language)
    st.dataframe(
        shown,
        hide_index=True,
        row_height=80,
        column_config={
            "measure": st.column_config.TextColumn(names["measure"], width="medium", pinned=True),
            "column": st.column_config.TextColumn(names["column"], width="small", help=t("glossary.col_column_help")),
            "definition": st.column_config.TextColumn(names["definition"], width="large"),
            "source": st.column_config.TextColumn(names["source"], width="medium", help=t("glossary.col_source_help")),
            "notes": st.column_config.TextColumn(names["notes"], width="large"),
        },
    )
download_csv(glossary.rename(columns=headings(language)), FILE_NAME, label=t("glossary.download"))
