"""How a wage is written (ui.formatting.fmt_wage): the amount, whole, with the currency of
WAGE_CURRENCY and "per month" in the interface language; missing is a dash, never 0."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from data_access.settings import Settings, get_settings
from ui.formatting import fmt_wage, wage_column_format
from ui.i18n import speaking


@pytest.fixture
def currency(monkeypatch):
    """Set WAGE_CURRENCY for one test (the settings are read once per process, so they are read anew)."""

    def use(code: str) -> None:
        monkeypatch.setenv("WAGE_CURRENCY", code)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def default_currency(monkeypatch):
    monkeypatch.delenv("WAGE_CURRENCY", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "language, value, shown",
    [
        ("en", 5375, "¥5,375 per month"),
        ("en", 5374.6, "¥5,375 per month"),  # whole, rounded half up as the tables' "%,.0f"
        ("en", 5374.5, "¥5,375 per month"),
        ("en", 980.2, "¥980 per month"),
        ("en", 1234567, "¥1,234,567 per month"),
        ("zh-CN", 5375, "5,375 元/月"),
        ("zh-CN", 1234567.4, "1,234,567 元/月"),
    ],
)
def test_a_wage_in_yuan_has_its_currency_and_per_month(language, value, shown):
    with speaking(language):
        assert fmt_wage(value) == shown


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("missing", [None, math.nan, pd.NA, float("nan")])
def test_a_missing_wage_is_a_dash_never_zero(language, missing):
    with speaking(language):
        assert fmt_wage(missing) == "–"
        assert fmt_wage(missing, signed=True) == "–"


def test_a_stated_wage_of_zero_stays_zero():
    with speaking("en"):
        assert fmt_wage(0) == "¥0 per month"


@pytest.mark.parametrize(
    "language, value, shown",
    [
        ("en", 200, "+¥200 per month"),
        ("en", -1250.4, "-¥1,250 per month"),
        ("en", 0.3, "±¥0 per month"),  # rounds to nothing: neither a rise nor a fall for st.metric
        ("zh-CN", 200, "+200 元/月"),
        ("zh-CN", -1250, "-1,250 元/月"),
    ],
)
def test_a_change_of_wage_starts_with_its_sign(language, value, shown):
    with speaking(language):
        assert fmt_wage(value, signed=True) == shown


@pytest.mark.parametrize(
    "code, english, chinese",
    [
        ("GBP", "GBP 2,100 per month", "2,100 英镑/月"),
        ("USD", "USD 2,100 per month", "2,100 美元/月"),
        ("HKD", "HKD 2,100 per month", "2,100 港元/月"),
        ("CHF", "CHF 2,100 per month", "2,100 CHF/月"),  # a code without a Chinese name is written as the code
        (" gbp ", "GBP 2,100 per month", "2,100 英镑/月"),  # as typed in a .env file
    ],
)
def test_another_currency_is_named_by_its_code_or_its_chinese_name(currency, code, english, chinese):
    currency(code)
    with speaking("en"):
        assert fmt_wage(2100) == english
    with speaking("zh-CN"):
        assert fmt_wage(2100) == chinese


def test_the_table_format_writes_the_same_words_as_fmt_wage(currency):
    with speaking("en"):
        assert wage_column_format() == "¥%,.0f per month"
    with speaking("zh-CN"):
        assert wage_column_format() == "%,.0f 元/月"
    currency("GBP")
    with speaking("en"):
        assert wage_column_format() == "GBP %,.0f per month"


def test_the_currency_defaults_to_cny_and_must_be_a_three_letter_code(monkeypatch):
    assert Settings().wage_currency == "CNY"
    monkeypatch.setenv("WAGE_CURRENCY", "pounds")
    with pytest.raises(ValueError, match="wage_currency"):
        Settings()
