"""The interface in English and Simplified Chinese: the catalogues agree, every text
the code asks for exists in both, and the switch works from the URL."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from data_access.filters import Filters
from data_access.i18n import LOCALES, column_label
from data_access.views import VIEWS
from ui.i18n import LANGUAGES, catalogue

from .conftest import run_app

ROOT = Path(__file__).resolve().parent.parent


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_key_with_the_same_placeholders():
    english = catalogue("en")
    for language in LANGUAGES:
        texts = catalogue(language)
        assert set(texts) == set(english), f"{language}: missing {set(english) - set(texts)}, extra {set(texts) - set(english)}"
        for key, text in texts.items():
            assert placeholders(text) == placeholders(english[key]), (language, key)


def test_every_language_has_the_same_files_and_no_table_twice():
    files = {language: sorted(p.name for p in (LOCALES / language).glob("*.toml")) for language in LANGUAGES}
    assert all(names == files["en"] for names in files.values()), files
    for language in LANGUAGES:
        catalogue.cache_clear()
        catalogue(language)  # raises when a [table] is in two files


def test_every_column_a_view_shows_has_a_heading_in_every_language(tiny_engine):
    from sqlalchemy.orm import Session

    with Session(tiny_engine) as session:
        columns = {c for view in VIEWS.values() for c in view.run(session, Filters()).columns}
    for language in LANGUAGES:
        missing = {c for c in columns if column_label(language, c) == c}
        assert not missing, (language, missing)
    assert column_label("zh-CN", "employment_rate") == "去向落实率"
    assert column_label("zh-CN", "self_employment_rate") == "自主创业率"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_bold_text_renders_in_markdown(language):
    """Markdown does not close ``**`` after punctuation when a letter follows ("**要点**：2025年" shows the
    asterisks): the punctuation goes outside the bold span."""

    def closes_badly(text: str) -> bool:
        closings = [m.start() for m in re.finditer(r"\*\*", text)][1::2]
        return any(text[at - 1] in "：，。；、！？）:,.;)" and re.match(r"[\w{]", text[at + 2 : at + 3]) for at in closings)

    wrong = {key: text for key, text in catalogue(language).items() if closes_badly(text)}
    assert not wrong


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_no_text_is_left_empty(language):
    assert all(text.strip() for text in catalogue(language).values())


def test_every_text_the_code_asks_for_exists():
    sources = [ROOT / "dashboard.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("data_access/*.py")]
    asked = {key for path in sources for key in re.findall(r'\bt\(\s*f?"([a-z_.{}]+)"', path.read_text(encoding="utf-8"))}
    english = catalogue("en")
    for key in asked:
        if "{" in key:  # t(f"metric.{figure.key}"): every value of the prefix must exist
            prefix = key.split("{")[0]
            assert any(k.startswith(prefix) for k in english), key
        else:
            assert key in english, key


def test_the_chinese_interface_uses_the_bureau_terms(app_url):
    app = run_app(lang="zh-CN", to="2023")
    assert not app.exception
    labels = {m.label for m in app.metric}
    assert {"毕业生数（2023）", "去向落实率（2023）", "专业相关度（2023）"} <= labels
    assert app.sidebar.header[0].value == "筛选"
    assert app.query_params["lang"] in ("zh-CN", ["zh-CN"])


def test_english_is_the_default_and_switching_back_clears_the_url(app_url):
    app = run_app(lang="zh-CN")
    app.sidebar.segmented_control(key="interface_language").set_value("en").run()
    assert not app.exception
    assert "Graduates (2024)" in {m.label for m in app.metric}
    assert "lang" not in app.query_params
