"""Interface languages: English and Simplified Chinese.

The texts live in ``ui/locales/<language>.toml`` (one file per language, the
same keys in each), which a translator can edit without touching code. The
language is chosen in the sidebar and kept in the URL (``lang=zh-CN``), like
the filters. Data names (regions, sectors, institutions) always show as stored.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

import streamlit as st

LOCALES = Path(__file__).resolve().parent / "locales"
LANGUAGES = {"en": "English", "zh-CN": "简体中文"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_KEY = "interface_language"


@lru_cache(maxsize=None)
def catalogue(language: str) -> dict[str, str]:
    """Every text of ``language`` by dotted key (``sidebar.filters``)."""
    with open(LOCALES / f"{language}.toml", "rb") as file:
        sections = tomllib.load(file)
    return {f"{section}.{key}": text for section, texts in sections.items() for key, text in texts.items()}


def current_language() -> str:
    """The language of this session: the URL's ``lang`` on the first run, then the sidebar's choice."""
    if LANGUAGE_KEY not in st.session_state:
        asked = st.query_params.get("lang", DEFAULT_LANGUAGE)
        st.session_state[LANGUAGE_KEY] = asked if asked in LANGUAGES else DEFAULT_LANGUAGE
    return st.session_state[LANGUAGE_KEY]


def t(key: str, **values: object) -> str:
    """The text ``key`` in the current language, with ``{placeholders}`` filled in."""
    return catalogue(current_language())[key].format(**values)


def render_language_switch() -> None:
    """The language choice in the sidebar, mirrored into the URL (left out for English)."""
    current_language()
    st.sidebar.segmented_control(
        t("sidebar.language"), options=list(LANGUAGES), format_func=LANGUAGES.get, key=LANGUAGE_KEY, required=True,
    )
    if st.session_state[LANGUAGE_KEY] == DEFAULT_LANGUAGE:
        if "lang" in st.query_params:
            del st.query_params["lang"]
    elif st.query_params.get("lang") != st.session_state[LANGUAGE_KEY]:
        st.query_params["lang"] = st.session_state[LANGUAGE_KEY]
