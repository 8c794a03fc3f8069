"""The texts of the interface and of its exports in English and Simplified Chinese.

Every text lives in ``locales/<language>/*.toml`` at the top of the project: one
folder per language holding the same files with the same keys, which a
translator can edit without touching code. A file holds TOML tables
(``[sidebar]``); a text's key is ``table.name`` (``sidebar.filters``) and a
table belongs to one file only. Values may hold ``{placeholders}`` that the code
fills in; a translation keeps them as they are. Data names (regions, sectors,
institutions) are never translated: they show as stored.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LOCALES = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = {"en": "English", "zh-CN": "简体中文"}
DEFAULT_LANGUAGE = "en"


def supported(language: str | None) -> str:
    """``language`` when the interface has it, English otherwise."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every text of ``language`` by dotted key, from all the files of its folder."""
    texts: dict[str, str] = {}
    owner: dict[str, str] = {}
    for path in sorted((LOCALES / language).glob("*.toml")):
        with open(path, "rb") as file:
            sections = tomllib.load(file)
        for section, entries in sections.items():
            if section in owner:
                raise ValueError(f"{language}/{path.name}: table [{section}] is already in {owner[section]}")
            owner[section] = path.name
            texts.update({f"{section}.{key}": text for key, text in entries.items()})
    return texts


def translate(language: str, key: str, **values: object) -> str:
    """The text ``key`` in ``language`` (English when the language is unknown), placeholders filled in.

    A value that can say itself in a language (a validation message, see messages.py) is put in
    ``language`` too, so a problem shown inside a sentence follows the interface language."""
    language = supported(language)
    texts = catalogue(language)
    said = {name: _in_language(value, language) for name, value in values.items()}
    return texts[key].format(**said)


def _in_language(value: object, language: str) -> object:
    """``value`` said in ``language`` when it can say itself (has a ``text(language)`` method), else as it is."""
    say = getattr(value, "text", None)
    return say(language) if callable(say) else value


def column_label(language: str, column: str) -> str:
    """The heading of a view column (``region_name`` → "Region"); the column's own name when it has none."""
    texts = catalogue(supported(language))
    return texts.get(f"column.{column}", column)


def column_labels(language: str, columns) -> dict[str, str]:
    """Headings for ``columns``, for renaming a frame before it is shown or written."""
    return {column: column_label(language, column) for column in columns}
