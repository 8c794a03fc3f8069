"""One number format for the whole dashboard."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import pandas as pd
import streamlit as st

from data_access.i18n import catalogue
from data_access.settings import get_settings

from .i18n import current_language, t


def floats(values: pd.Series) -> pd.Series:
    """A column as plain floats for Plotly and the formatters, hidden values NaN (protection leaves
    whole-number columns as nullable integers whose pd.NA neither takes)."""
    return pd.to_numeric(values, errors="coerce").astype("float64")


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA (a hidden whole-number count)."""
    if isinstance(value, (list, tuple)):
        return False
    return value is None or bool(pd.isna(value))


def fmt_count(value: object) -> str:
    """A count with thousands separators; an en dash when missing."""
    return "–" if is_missing(value) else f"{int(value):,}"


def fmt_ratio(value: object) -> str:
    """A coverage ratio with two decimals; an en dash when missing."""
    return "–" if is_missing(value) else f"{float(value):.2f}"


_PROTECTED: ContextVar[bool | None] = ContextVar("protected", default=None)
PROTECTION_STATE_KEY = "hide_below"  # ui.context.PROTECTION_KEY: the sidebar's threshold, absent when off


@contextmanager
def protected_numbers(on: bool) -> Iterator[None]:
    """Within the block, rates are written as small-number protection publishes them (a whole percent),
    whatever the session's sidebar says: for documents built outside a page (the brief)."""
    token = _PROTECTED.set(on)
    try:
        yield
    finally:
        _PROTECTED.reset(token)


def protection_on() -> bool:
    """True when small-number protection is on for what is being written."""
    if (on := _PROTECTED.get()) is not None:
        return on
    try:
        return bool(st.session_state.get(PROTECTION_STATE_KEY))
    except Exception:  # outside a Streamlit run (the command line): nothing is protected here
        return False


def rate_decimals() -> int:
    """Decimals of a percentage: one, or none under small-number protection (rates are published to a
    whole percent, and "83.0%" would claim a precision they no longer have)."""
    return 0 if protection_on() else 1


def fmt_rate(value: object) -> str:
    """A rate as a percentage with one decimal (none under protection); an en dash when missing."""
    return "–" if is_missing(value) else f"{100 * float(value):.{rate_decimals()}f}%"


def _wage_text(amount: str, sign: str = "") -> str:
    """``amount`` (already written) in the currency of WAGE_CURRENCY and per month, in the current
    language: "¥5,375 per month", "5,375 元/月", "GBP 2,100 per month", "2,100 英镑/月"."""
    code = get_settings().wage_currency
    key = f"wage.money_{code}" if f"wage.money_{code}" in catalogue(current_language()) else "wage.money_other"
    return sign + t("wage.per_month", money=t(key, amount=amount, code=code))


def fmt_wage(value: object, *, signed: bool = False) -> str:
    """A monthly wage, whole, with its currency and "per month" ("¥5,375 per month", "5,375 元/月");
    an en dash when missing (never 0). ``signed``: a change, its ASCII sign first ("+¥200 per month"),
    "±" when it rounds to zero (as ``charts_enrolment.signed``, for st.metric's arrow)."""
    if is_missing(value):
        return "–"
    number = float(value)
    whole = math.floor(abs(number) + 0.5)  # half up, as a table's "%,.0f" rounds
    if signed:
        sign = "+" if whole and number > 0 else "-" if whole else "±"
    else:
        sign = "-" if whole and number < 0 else ""
    return _wage_text(f"{whole:,}", sign)


def wage_column_format() -> str:
    """``fmt_wage`` as a printf format for a table's number column ("¥%,.0f per month")."""
    return _wage_text("\0").replace("%", "%%").replace("\0", "%,.0f")


class NoFinding(str):
    """A sentence that states no figure ("the years cannot be compared", "the gap is not measured"): nothing
    in it rests on estimates, so it is never marked as if it did."""
