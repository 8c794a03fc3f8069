"""Glossary: every measure the dashboard shows, what it is, where it comes from and what to keep in mind."""

import streamlit as st

from ui.components import download_csv
from ui.glossary import FILE_NAME, glossary_frame, headings, search
from ui.i18n import current_language, md, t
from ui.markup import markdown_text

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
    # Read as text, an entry after the other (a table would cut the longer definitions and notes).
    for entry in shown.itertuples(index=False):
        with st.container(border=True):
            column = f" · `{entry.column}`" if entry.column else ""
            st.markdown(f"**{markdown_text(entry.measure)}**{column}")
            st.markdown(markdown_text(entry.definition))
            if entry.notes:
                st.caption(markdown_text(entry.notes))
            st.caption(f"{markdown_text(names['source'])}: {markdown_text(entry.source)}")
download_csv(glossary.rename(columns=headings(language)), FILE_NAME, label=t("glossary.download"))
