"""Interface languages: English and Simplified Chinese.

The texts live in ``locales/<language>/*.toml`` (see ``data_access.i18n``),
which a translator can edit without touching code. The
language is chosen in the sidebar and kept in the URL (``lang=zh-CN``), like
the filters. Data names (regions, sectors, institutions) always show as stored:
a text that Streamlit renders as Markdown is made with ``md``, which escapes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import streamlit as st

from data_access.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalogue, column_label, supported, translate

from .markup import Markdown, markdown_text

__all__ = ["LANGUAGES", "catalogue", "current_language", "label", "md", "speaking", "render_language_switch", "t"]

LANGUAGE_KEY = "interface_language"
_SPOKEN: ContextVar[str | None] = ContextVar("spoken_language", default=None)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Texts in ``language`` inside the block, whatever the session says: for files built outside a
    page run (a download built when clicked runs on a thread of its own, without the session)."""
    token = _SPOKEN.set(supported(language))
    try:
        yield
    finally:
        _SPOKEN.reset(token)


def current_language() -> str:
    """The language of this session: the URL's ``lang`` on the first run, then the sidebar's choice
    (or the language of an enclosing ``speaking`` block)."""
    if (spoken := _SPOKEN.get()) is not None:
        return spoken
    if LANGUAGE_KEY not in st.session_state:
        asked = st.query_params.get("lang", DEFAULT_LANGUAGE)
        st.session_state[LANGUAGE_KEY] = supported(asked)
    return st.session_state[LANGUAGE_KEY]


def t(key: str, **values: object) -> str:
    """The text ``key`` in the current language, with ``{placeholders}`` filled in."""
    return translate(current_language(), key, **values)


def md(key: str, **values: object) -> Markdown:
    """``t`` for a Streamlit element that renders Markdown (st.markdown, captions, headings, alerts, labels).

    Each value is plain words (a name, a file name, a sentence, the filters in words, a message) and is
    escaped so that it shows exactly as typed; numbers stay numbers, and a value that is already
    ``Markdown`` goes in as it is. The text's own Markdown (``**Takeaway:**``) still renders.
    """
    language = current_language()

    def as_markdown(value: object) -> object:
        if isinstance(value, (int, float)):
            return value
        return markdown_text(value.text(language) if callable(getattr(value, "text", None)) else value)

    return Markdown(translate(language, key, **{name: as_markdown(value) for name, value in values.items()}))


def label(column: str) -> str:
    """The heading of a view column in the current language."""
    return column_label(current_language(), column)


def render_language_switch() -> None:
    """The language choice in the sidebar, mirrored into the URL (left out for English)."""
    current_language()
    st.sidebar.segmented_control(
        t("sidebar.language"),
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=LANGUAGE_KEY,
        required=True,
    )
    if st.session_state[LANGUAGE_KEY] == DEFAULT_LANGUAGE:
        if "lang" in st.query_params:
            del st.query_params["lang"]
    elif st.query_params.get("lang") != st.session_state[LANGUAGE_KEY]:
        st.query_params["lang"] = st.session_state[LANGUAGE_KEY]
