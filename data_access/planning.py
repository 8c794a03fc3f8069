"""Planning: openings projected per region and sector with an 80% prediction interval, graduates
projected through the intake pipeline (entrants, program length, completion), intake scenarios, and
the grow/shrink rules for programs.

Every projection is vectorised: the series of all cells are the rows of one matrix (years as
columns, missing years empty), and each method fits every row at once, so a national data set
(thousands of cells) is projected in seconds.

Methods (per cell, on the years the cell has rows for):

- ``trend``: the least-squares straight line; its 80% interval is the usual prediction interval
  of a regression line (Student's t with n - 2 degrees of freedom).
- ``cagr``: the last observed value grown at the compound annual rate between the first and the
  last observed years (flat when either is 0); the interval from the spread of the cell's yearly
  log growth (normal, widening with the square root of the horizon).
- ``ets``: damped additive-trend exponential smoothing, ETS(A,Ad,N) (Hyndman et al., Forecasting
  with Exponential Smoothing, 2008): level and trend updated by the one-step error, the trend
  damped by phi; the smoothing and damping parameters of each cell are chosen from a grid by the
  smallest one-step squared error, and its interval is the model's analytical one. The recursions
  and intervals equal statsmodels' ETSModel with the same parameters (tests/test_planning.py).
- ``auto``: for each cell the method with the smallest mean absolute error when its last observed
  years (up to 3) are held out, fitted on the years before and projected over them; ``trend``
  where the cell has fewer than 4 observed years; ``cagr`` only where the cell's observed values are
  all above 0 and within a factor of ``CAGR_RANGE`` (10) of each other (a compound rate between values
  near 0 and far above says nothing, and its log-normal band explodes).

Projections are never below 0 (openings, graduates). A cell observed in fewer than
``FEW_YEARS`` years is flagged and its interval widened by ``FEW_YEARS / n``. A cell with fewer than
``MEASURED_YEARS`` (3) years is too short for any of the methods (no line, rate or smoothing can
measure its error): it is carried forward flat from its last known year (``naive``), and its
interval is the spread of that same carry-forward over the same number of years across the cells
with at least ``FEW_YEARS`` known years (``pooled_naive_spread``), widened the same way; ±25% of its
level per square root of a year when too few such cells exist. A cell known in one year only is carried
forward the same way, its interval widened the most; ``project`` projects no openings for a cell without a
known year (fewer than ``PROJECTED_YEARS``), and says why (``NOT_PROJECTED``).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import caveats, panel
from .contract import YEAR_MAX, YEAR_MIN
from .facts import DEMAND, NOT_LINKED, CountMissing, Sum
from .filters import Filters
from .messages import Message, echoed_names, quoted
from .models import Enrolment, Institution, Program, ProgramShare
from .routing import aggregate, name_map

METHODS = ("trend", "cagr", "ets")
CHOICES = ("auto", *METHODS)
# scipy.stats.norm.ppf(0.9): an 80% interval leaves 10% on each side (a literal, so that importing this module,
# which every command does, does not import scipy.stats: it takes longer than the rest of a command's start)
Z80 = 1.2815515655446004
FEW_YEARS = 5  # fewer observed years than this: a caveat and a wider interval
UNMEASURED_SPREAD = 0.25  # a short cell's interval when too few cells show how far a carry-forward strays: ±25% per √year
MEASURED_YEARS = 3  # fewer known years than this: no method measures an error, the cell is carried forward flat
PROJECTED_YEARS = 1  # fewer known years of openings than this (none): no projection; one year is carried forward flat
POOLED_MIN = 20  # cell-years a pooled spread needs at a horizon; fewer: UNMEASURED_SPREAD
POOLED_QUANTILE = 80  # the pooled spread is this percentile of the carried-forward errors: an 80% interval
HOLDOUT = 3  # years held out at most when back-testing
DEFAULT_DURATION = 3  # years from entry to graduation of a program that does not state it (most vocational programs)
ETS_GRID = [
    (alpha, beta, phi)
    for alpha in (0.1, 0.3, 0.5, 0.7, 0.9)
    for beta in (0.01, 0.05, 0.1, 0.2)
    for phi in (0.8, 0.9, 0.98)
    if beta <= alpha
]


# --- fitting every row of a matrix of series at once ---------------------------------------------


@dataclass(frozen=True)
class Series:
    """Cells' series as a matrix: ``values`` (cells x years, NaN where a cell has no row that year)."""

    years: np.ndarray  # (Y,) consecutive years
    values: np.ndarray  # (C, Y)

    @property
    def observed(self) -> np.ndarray:
        return ~np.isnan(self.values)

    @property
    def counts(self) -> np.ndarray:
        return self.observed.sum(axis=1)

    def held_out(self, holdout: np.ndarray) -> tuple[Series, np.ndarray]:
        """The series without each row's last ``holdout`` observed years, and a mask of those years."""
        rank_from_end = np.cumsum(self.observed[:, ::-1], axis=1)[:, ::-1]  # 1 at the last observed year
        test = self.observed & (rank_from_end <= holdout[:, None])
        return Series(self.years, np.where(test, np.nan, self.values)), test


def _last_observed(series: Series) -> tuple[np.ndarray, np.ndarray]:
    """Per row: its last observed value and year (NaN where none)."""
    observed = series.observed
    index = series.values.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1)
    any_ = observed.any(axis=1)
    value = np.where(any_, series.values[np.arange(len(index)), index], np.nan)
    return value, np.where(any_, series.years[index], np.nan)


def _first_observed(series: Series) -> tuple[np.ndarray, np.ndarray]:
    observed = series.observed
    index = np.argmax(observed, axis=1)
    any_ = observed.any(axis=1)
    return (np.where(any_, series.values[np.arange(len(index)), index], np.nan), np.where(any_, series.years[index], np.nan))


def _trend(series: Series, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares line per row, forecast at ``targets`` (C, H): mean and 80% half-width (NaN: not measured)."""
    from scipy import stats  # here, not at the top: see Z80

    observed, y = series.observed, np.nan_to_num(series.values)
    x = np.where(observed, series.years[None, :], 0.0).astype(float)
    n = observed.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        x_mean = x.sum(axis=1) / n
        y_mean = y.sum(axis=1) / n
        dx = np.where(observed, x - x_mean[:, None], 0.0)
        sxx = (dx * dx).sum(axis=1)
        slope = np.where(sxx > 0, (dx * (y - y_mean[:, None])).sum(axis=1) / sxx, 0.0)
        intercept = y_mean - slope * x_mean
        residuals = np.where(observed, y - (intercept[:, None] + slope[:, None] * x), 0.0)
        s = np.sqrt((residuals**2).sum(axis=1) / (n - 2))
        mean = intercept[:, None] + slope[:, None] * targets
        t = stats.t.ppf(0.9, np.maximum(n - 2, 1))
        half = t[:, None] * s[:, None] * np.sqrt(1 + 1 / n[:, None] + (targets - x_mean[:, None]) ** 2 / sxx[:, None])
    return mean, np.where((n >= 3)[:, None], half, np.nan)


def _cagr(series: Series, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The last value grown at the compound annual rate between the first and last observed years."""
    first, first_year = _first_observed(series)
    last, last_year = _last_observed(series)
    with np.errstate(invalid="ignore", divide="ignore"):
        span = last_year - first_year
        rate = np.where((first > 0) & (last > 0) & (span > 0), (last / first) ** (1 / span) - 1, 0.0)
        horizon = targets - last_year[:, None]
        mean = last[:, None] * (1 + rate[:, None]) ** horizon
        # spread of the yearly log growth between consecutive observed years
        logs = np.log(np.where(series.values > 0, series.values, np.nan))
        growth = np.diff(logs, axis=1)
        k = (~np.isnan(growth)).sum(axis=1)
        mean_growth = np.nansum(growth, axis=1) / np.maximum(k, 1)  # not nanmean: it warns on rows without any
        spread = np.sqrt(np.nansum((growth - mean_growth[:, None]) ** 2, axis=1) / np.maximum(k - 1, 1))
        half = mean * (np.exp(Z80 * spread[:, None] * np.sqrt(np.maximum(horizon, 1))) - 1)
    return mean, np.where((k >= 2)[:, None], half, np.nan)


def _ets_run(series: Series, alpha: float, beta: float, phi: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Damped-trend recursions over every row; returns the level and trend after the row's last observed year,
    the SSE of the one-step errors and their number. A year without a value inside a row advances the state
    by its forecast. The state starts before a row's first observed year at level = first value, trend =
    second minus first (0 with one value)."""
    first, _ = _first_observed(series)
    observed = series.observed
    second = np.full(len(first), np.nan)
    seen = np.cumsum(observed, axis=1)
    rows, cols = np.nonzero(observed & (seen == 2))
    second[rows] = series.values[rows, cols]
    level = first.copy()
    trend = np.where(np.isnan(second), 0.0, second - first)
    started = np.zeros(len(first), dtype=bool)
    sse = np.zeros(len(first))
    last_level, last_trend = level.copy(), trend.copy()
    for column in range(series.values.shape[1]):
        value = series.values[:, column]
        has = observed[:, column]
        started |= has
        forecast = level + phi * trend
        error = np.where(has, value - forecast, 0.0)
        sse += error * error
        level = np.where(started, forecast + alpha * error, level)
        trend = np.where(started, phi * trend + beta * error, trend)
        last_level, last_trend = np.where(has, level, last_level), np.where(has, trend, last_trend)
    return last_level, last_trend, sse, observed.sum(axis=1)


def _ets(series: Series, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ETS(A,Ad,N) per row with the grid's parameters of the smallest one-step squared error."""
    best_sse = np.full(series.values.shape[0], np.inf)
    best = np.zeros((series.values.shape[0], 5))  # alpha, beta, phi, level, trend
    for grid_alpha, grid_beta, grid_phi in ETS_GRID:
        level, trend, sse, _ = _ets_run(series, grid_alpha, grid_beta, grid_phi)
        better = sse < best_sse
        best_sse = np.where(better, sse, best_sse)
        best[better] = np.column_stack(
            [
                np.full(better.sum(), grid_alpha),
                np.full(better.sum(), grid_beta),
                np.full(better.sum(), grid_phi),
                level[better],
                trend[better],
            ]
        )
    alpha, beta, phi, level, trend = (best[:, i] for i in range(5))  # per row
    n = series.counts.astype(float)
    _, last_year = _last_observed(series)
    horizon = np.nan_to_num(targets - last_year[:, None], nan=1).astype(int)
    steps = np.arange(1, max(int(horizon.max()), 1) + 1)
    damped = np.cumsum(phi[:, None] ** steps[None, :], axis=1)  # phi + ... + phi^h
    mean = level[:, None] + np.take_along_axis(damped, np.clip(horizon - 1, 0, None), axis=1) * trend[:, None]
    c = alpha[:, None] + beta[:, None] * damped  # c_j, j = 1..H
    cumulative = np.concatenate([np.zeros((len(alpha), 1)), np.cumsum(c * c, axis=1)], axis=1)  # sum of c_j^2 up to j
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = best_sse / n
        variance = sigma2[:, None] * (1 + np.take_along_axis(cumulative, np.clip(horizon - 1, 0, None), axis=1))
        half = Z80 * np.sqrt(variance)
    return mean, np.where((n >= 3)[:, None], half, np.nan)


FITS = {"trend": _trend, "cagr": _cagr, "ets": _ets}


def backtest_errors(series: Series) -> dict[str, np.ndarray]:
    """Per method, each row's mean absolute error on its last observed years (up to HOLDOUT, leaving at least 3
    to fit), projected from the years before; NaN for rows with fewer than 4 observed years."""
    return {name: errors for name, (errors, _) in _backtest(series).items()}


def _backtest(series: Series) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per method: each row's mean absolute error on its held-out years (as ``backtest_errors``), and per row how
    many of those years fell inside the method's 80% band fitted on the years before."""
    holdout = np.clip(series.counts - 3, 0, HOLDOUT)
    train, test = series.held_out(holdout)
    targets = np.broadcast_to(series.years[None, :], series.values.shape).astype(float)
    actual = np.nan_to_num(series.values)
    results = {}
    for name in FITS:
        mean, half = _band(train, targets, np.full(len(holdout), name))
        absolute = np.where(test, np.abs(mean - actual), 0.0)
        inside = test & (actual >= np.maximum(mean - half, 0.0) - 1e-9) & (actual <= mean + half + 1e-9)
        with np.errstate(invalid="ignore", divide="ignore"):
            errors = np.where(holdout > 0, absolute.sum(axis=1) / holdout, np.nan)
        results[name] = (errors, inside.sum(axis=1))
    return results


def pooled_naive_spread(series: Series, horizons: Sequence[int]) -> np.ndarray:
    """Per horizon h (years ahead): how far a flat carry-forward strays over h years in the rows with at least
    FEW_YEARS known years, as the POOLED_QUANTILE-th percentile of |value(t + h) - value(t)| / value(t) over every
    such pair of known years (value(t) > 0); NaN where fewer than POOLED_MIN pairs exist."""
    long = series.values[series.counts >= FEW_YEARS]
    spreads = []
    for h in horizons:
        h = int(h)
        if h < 1 or h >= long.shape[1]:
            spreads.append(np.nan)
            continue
        base, later = long[:, :-h], long[:, h:]
        with np.errstate(invalid="ignore", divide="ignore"):
            errors = np.abs(later - base) / base
        errors = errors[(base > 0) & ~np.isnan(later)]
        spreads.append(float(np.percentile(errors, POOLED_QUANTILE)) if errors.size >= POOLED_MIN else np.nan)
    return np.array(spreads, dtype=float)


def _short_half(series: Series, targets: np.ndarray, level: np.ndarray) -> np.ndarray:
    """The half-width of the 80% interval of a carry-forward of ``level`` (C,) to ``targets`` (C, H): the pooled
    spread of the same horizon (``pooled_naive_spread``) times the level, else ±UNMEASURED_SPREAD per √year."""
    _, last_year = _last_observed(series)
    horizon = np.maximum(np.nan_to_num(targets - last_year[:, None], nan=1.0), 1).astype(int)
    wanted = np.unique(horizon)
    pooled = dict(zip(wanted.tolist(), pooled_naive_spread(series, wanted).tolist()))
    spread = np.vectorize(lambda h: pooled[int(h)])(horizon) if horizon.size else np.zeros(horizon.shape)
    fallback = UNMEASURED_SPREAD * np.sqrt(horizon)
    return np.abs(level)[:, None] * np.where(np.isnan(spread), fallback, spread)


def _band(series: Series, targets: np.ndarray, used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row fitted with its method ``used`` and forecast at ``targets`` (C, H): the mean (never below 0) and the
    half-width of its 80% interval, widened for few years. A row with fewer than MEASURED_YEARS known years, too
    short for any method, is carried forward flat from its last known value with the pooled spread of such a
    carry-forward (``_short_half``)."""
    counts = series.counts
    mean = np.zeros(targets.shape)
    half = np.zeros(targets.shape)
    for name in METHODS:
        rows = used == name
        if rows.any():
            part = Series(series.years, series.values[rows])
            mean[rows], half[rows] = FITS[name](part, targets[rows])
    last, last_year = _last_observed(series)
    short = (counts < MEASURED_YEARS)[:, None]
    mean = np.where(short, last[:, None], mean)
    with np.errstate(invalid="ignore"):
        level = np.where(np.isnan(mean), last[:, None], mean)
        unmeasured = UNMEASURED_SPREAD * np.abs(level) * np.sqrt(np.maximum(targets - last_year[:, None], 1))
        half = np.where(np.isnan(half), unmeasured, half)
        if short.any():
            half = np.where(short, _short_half(series, targets, last), half)
        half = np.where((counts < FEW_YEARS)[:, None], half * FEW_YEARS / np.maximum(counts, 1)[:, None], half)
    return np.maximum(np.nan_to_num(mean), 0.0), np.nan_to_num(half)


CAGR_RANGE = 10.0  # auto uses a compound rate only where a cell's observed values stay within this factor


def _steady_growth(series: Series) -> np.ndarray:
    """Per row: every observed value above 0 and the largest at most CAGR_RANGE times the smallest. A series
    that falls near 0 and back (an estimate from a year's net change of employment) has yearly log growths of
    ±6, and a compound rate and a log-normal band built on them reach billions from thousands."""
    low = np.where(series.observed, series.values, np.inf).min(axis=1)
    high = np.where(series.observed, series.values, -np.inf).max(axis=1)
    return (low > 0) & (high <= CAGR_RANGE * low)  # a row without an observed year: inf > 0, -inf <= inf


def project_matrix(series: Series, years: Sequence[int], method: str) -> dict[str, np.ndarray]:
    """Every row projected to ``years``: mean, low, high (C, H), the method used per row and its observed years."""
    targets = np.broadcast_to(np.asarray(years, dtype=float)[None, :], (series.values.shape[0], len(years)))
    counts = series.counts
    if method == "auto":
        errors = backtest_errors(series)
        usable = {m: ~np.isnan(errors[m]) for m in METHODS}
        usable["cagr"] &= _steady_growth(series)  # a rate of growth between 20 and 8,950 says nothing
        stacked = np.column_stack([np.where(usable[m], errors[m], np.inf) for m in METHODS])
        chosen = np.where(counts >= 4, np.argmin(stacked, axis=1), 0)  # ties and short series: trend
        used = np.array(METHODS)[chosen]
    else:
        used = np.full(len(counts), method)
    mean, half = _band(series, targets, used)
    return {
        "mean": mean,
        "low": np.maximum(mean - half, 0.0),
        "high": np.maximum(mean + half, mean),
        "method": np.where(counts < MEASURED_YEARS, "naive", used),  # too short for the method: carried forward
        "observed_years": counts,
    }


def standardized_residuals(series: Series) -> np.ndarray:
    """(C, Y): each row's deviations from its own least-squares line over its observed years, divided by their
    root mean square (so each row's squares average 1); NaN where the row is not observed, and in every year of a
    row with fewer than 3 observed years or no deviation at all (no measured error)."""
    observed, y = series.observed, np.nan_to_num(series.values)
    targets = np.broadcast_to(series.years[None, :], y.shape).astype(float)
    line, _ = _trend(series, targets)
    residuals = np.where(observed, y - line, 0.0)
    counts = series.counts
    with np.errstate(invalid="ignore", divide="ignore"):
        rms = np.sqrt((residuals**2).sum(axis=1) / counts)
        scale = np.abs(y).max(axis=1, initial=0.0)
        measured = (counts >= 3) & (rms > 1e-9 * np.maximum(scale, 1.0))
        z = residuals / rms[:, None]
    return np.where(observed & measured[:, None], z, np.nan)


def combined_half(half: np.ndarray, residuals: np.ndarray, groups: np.ndarray, count: int) -> np.ndarray:
    """The half-width of the 80% interval of each group's total, from its cells' half-widths ``half`` (C,), their
    standardized residuals (C, Y; ``standardized_residuals``) and each cell's group (C,, 0 .. count - 1).

    The total's variance is the sum over pairs of cells of h_i x h_j x r_ij, r_ij the correlation of their
    residuals: the mean over the years of z_i x z_j (a year either cell lacks counts as no common error); computed
    as the mean square of the per-year sums of h_i x z_i, so a national panel needs no cells-by-cells matrix.
    Perfectly correlated cells give the sum of their half-widths, independent ones the root of the sum of squares.
    A cell without a measured error is taken as perfectly correlated with the rest: its half-width is added."""
    known = ~np.isnan(residuals)
    measured = known.any(axis=1)
    years = max(residuals.shape[1], 1)
    z = np.where(known, residuals, 0.0) * np.where(measured, half, 0.0)[:, None]
    per_year = np.zeros((count, residuals.shape[1]))
    np.add.at(per_year, groups, z)
    share = known.sum(axis=1) / years  # the diagonal of the mean square above: h_i^2 x (years observed / years)
    own = np.bincount(groups, weights=np.where(measured, half**2 * (1 - share), 0.0), minlength=count)
    variance = (per_year**2).sum(axis=1) / years + own
    return np.sqrt(np.maximum(variance, 0.0)) + np.bincount(groups, weights=np.where(measured, 0.0, half), minlength=count)


def to_series(frame: pd.DataFrame, keys: list[str], value: str, last_year: int | None = None) -> tuple[pd.DataFrame, Series]:
    """A long frame (keys, year, value) as a matrix over consecutive years (up to ``last_year`` when given, the
    last year of the table the frame comes from); returns the cells (keys) and the series."""
    if frame.empty:
        return pd.DataFrame(columns=keys), Series(np.array([], dtype=int), np.zeros((0, 0)))
    wide = frame.pivot_table(index=keys, columns="year", values=value, aggfunc="sum")
    years = np.arange(int(min(wide.columns)), max(int(max(wide.columns)), last_year or 0) + 1)
    wide = wide.reindex(columns=years)
    return wide.index.to_frame(index=False), Series(years, wide.to_numpy(dtype=float))


# --- known and unknown cells (data contract version 3) -----------------------------------------------


@dataclass(frozen=True)
class Reporting:
    """What one table reports: the (year, region) pairs it has a row for, the (year, region, sector) cells a
    publisher suppressed in it, and its last year (None without rows). A cell of a reported (year, region)
    without a row is 0; a cell of a (year, region) not reported, or suppressed, is unknown."""

    pairs: frozenset[tuple[int, str]]
    suppressed: frozenset[tuple[int, str, str]]
    last_year: int | None

    def known(self, cells: pd.DataFrame, series: Series) -> Series:
        """``series`` of ``cells`` (region_code, sector_code) with 0 where the region reports and the cell has no
        row, and NaN where it does not report or the cell is suppressed."""
        regions, sectors = cells["region_code"].tolist(), cells["sector_code"].tolist()
        years = [int(y) for y in series.years]
        reports = np.array([[(y, r) in self.pairs for y in years] for r in regions], dtype=bool).reshape(series.values.shape)
        hidden = np.array([[(y, r, c) in self.suppressed for y in years] for r, c in zip(regions, sectors)], dtype=bool).reshape(
            series.values.shape
        )
        values = np.where(np.isnan(series.values) & reports, 0.0, series.values)
        return Series(series.years, np.where(reports & ~hidden, values, np.nan))

    def reports_in(self, year: int | None, regions: pd.Series) -> np.ndarray:
        """Per region: whether the table reports it in ``year`` (one that does not in its last year is not projected)."""
        return np.array([(year, r) in self.pairs for r in regions], dtype=bool)


def demand_reporting(session: Session, history: pd.DataFrame) -> Reporting:
    """What the demand table reports (``panel.reports``: a region reports a year when it has a row of any sector),
    with the suppressed cells and those whose openings could not be estimated (empty in ``history``) unknown."""
    pairs = frozenset(panel.reports(session)["demand"])
    cells = caveats.unknown_cells(session)
    cells = cells[cells["table_name"] == "demand"]
    unestimated = history[history["openings"].isna()]
    suppressed = frozenset(zip(cells["year"].astype(int), cells["region_code"], cells["sector_code"])) | frozenset(
        zip(unestimated["year"].astype(int), unestimated["region_code"], unestimated["sector_code"])
    )
    return Reporting(pairs, suppressed, max((y for y, _ in pairs), default=None))


def enrolment_reporting(session: Session, shares: pd.DataFrame) -> Reporting:
    """What the enrolments table reports (``panel.reports``), a suppressed cell of a program making every sector of
    the program unknown in its region and year."""
    pairs = frozenset(panel.reports(session)["enrolments"])
    cells = caveats.unknown_cells(session)
    cells = cells[cells["table_name"] == "enrolments"].merge(shares, on="program_code", suffixes=("_cell", ""))
    suppressed = frozenset(zip(cells["year"].astype(int), cells["region_code"], cells["sector_code"]))
    return Reporting(pairs, suppressed, max((y for y, _ in pairs), default=None))


# --- scenarios ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioChange:
    """From ``from_year`` on, the entrants of ``program_code`` (in ``region_code``, or every region when None)
    are the baseline's times (1 + ``change``): 0.10 = ten percent more, -1 = no intake."""

    program_code: str
    region_code: str | None
    from_year: int
    change: float


SCENARIO_COLUMNS = ("program_code", "region_code", "from_year", "change")


def scenario_csv(changes: Sequence[ScenarioChange]) -> bytes:
    """The scenario as the contract's CSV (UTF-8 with BOM, like every export)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SCENARIO_COLUMNS)
    for c in changes:
        writer.writerow([c.program_code, c.region_code or "", c.from_year, repr(float(c.change))])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def read_scenario(data: bytes, name: str = "scenario.csv") -> tuple[list[ScenarioChange], list[str]]:
    """A scenario CSV's changes, or the problems that stop it (``FILE:LINE: COLUMN: message``, none when clean)."""
    from .validation import decode_text

    text, reason = decode_text(data)
    if text is None:
        return [], [f"{name}:1: -: {Message('validation.cannot_read', reason=reason)}"]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    missing = [c for c in SCENARIO_COLUMNS if c not in header]
    if missing:
        return [], [
            f"{name}:1: {c}: {Message('scenario.missing_column', found=echoed_names(header) or Message('validation.nothing'))}"
            for c in missing
        ]
    changes, problems = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = {c: (row[header.index(c)].strip() if header.index(c) < len(row) else "") for c in SCENARIO_COLUMNS}
        try:
            year = int(cell["from_year"])
            assert YEAR_MIN <= year <= YEAR_MAX
        except (ValueError, AssertionError):
            problems.append(f"{name}:{line}: from_year: {Message('scenario.bad_year', found=quoted(cell['from_year']))}")
            continue
        try:
            change = float(cell["change"])
            assert math.isfinite(change) and change >= -1
        except (ValueError, AssertionError):
            problems.append(f"{name}:{line}: change: {Message('scenario.bad_change', found=quoted(cell['change']))}")
            continue
        if not cell["program_code"]:
            problems.append(f"{name}:{line}: program_code: {Message('scenario.no_program')}")
            continue
        changes.append(ScenarioChange(cell["program_code"], cell["region_code"] or None, year, change))
    return changes, problems


def _entrant_factors(pairs: pd.DataFrame, years: np.ndarray, changes: Sequence[ScenarioChange]) -> np.ndarray:
    """(pairs x years) multipliers of the baseline entrants: for each pair and year the change of the applicable
    scenario row (its program; its region, else every region; the latest from_year not after the year)."""
    factors = np.ones((len(pairs), len(years)))
    ordered = sorted(changes, key=lambda c: (c.region_code is not None, c.from_year))  # a region's own row wins
    for change in ordered:
        rows = (pairs["program_code"] == change.program_code).to_numpy().copy()
        if change.region_code is not None:
            rows &= (pairs["region_code"] == change.region_code).to_numpy()
        columns = years >= change.from_year
        factors[np.ix_(rows, columns)] = 1 + change.change
    return factors


# --- the projection ---------------------------------------------------------------------------------

YEARS_AHEAD = 3  # the default horizon: three years after the last year of demand data
# The furthest a projection reaches: a straight line or a growth rate carried further says nothing, and each year
# costs memory for every cell (a year far ahead would fill the machine's memory before anything is written).
MOST_YEARS_AHEAD = 30


def latest_horizon(last_demand_year: int) -> int:
    """The last year a projection may reach: MOST_YEARS_AHEAD years after the last year of demand data, and never
    past the contract's last year (YEAR_MAX)."""
    return min(last_demand_year + MOST_YEARS_AHEAD, YEAR_MAX)


def horizon_problem(to_year: int, last_demand_year: int | None) -> Message | None:
    """Why ``to_year`` cannot be the last year of a projection (outside the contract's years, or further past the
    last year of demand data than ``latest_horizon``), or None when it can."""
    if not YEAR_MIN <= to_year <= YEAR_MAX:
        return Message("projection.outside_years", first=YEAR_MIN, last=YEAR_MAX, found=to_year)
    if last_demand_year is not None and to_year > latest_horizon(last_demand_year):
        return Message(
            "projection.too_far",
            most=MOST_YEARS_AHEAD,
            last_demand=last_demand_year,
            latest=latest_horizon(last_demand_year),
            found=to_year,
        )
    return None


@dataclass(frozen=True)
class PlanningSettings:
    """What a projection is made for: the last year (None: YEARS_AHEAD after the last year of demand data),
    the method and the scenario."""

    to_year: int | None = None
    method: str = "auto"
    scenario: tuple[ScenarioChange, ...] = ()

    def horizon(self, session: Session, filters: Filters | None = None) -> int | None:
        """The last year to project; None when there is no demand data."""
        if self.to_year is not None:
            return self.to_year
        last = last_demand_year(session, filters or Filters())
        return last + YEARS_AHEAD if last is not None else None


def projection_rows(session: Session, filters: Filters, settings: PlanningSettings = PlanningSettings()) -> pd.DataFrame:
    """``project``'s rows for ``settings`` and the filters' regions and sectors (every year of history)."""
    to_year = settings.horizon(session, filters)
    if to_year is None:
        return project(session, to_year=0, filters=filters).rows
    return project(
        session, to_year=to_year, method=settings.method, filters=filters.with_years(None, None), scenario=settings.scenario
    ).rows


@dataclass(frozen=True)
class Projection:
    """What ``project`` gives: the tidy rows, the back-test errors of each method on the history, and the
    assumptions in words for a manifest."""

    rows: pd.DataFrame
    backtest: pd.DataFrame
    assumptions: dict
    pipeline: pd.DataFrame  # per program and institution: region, duration, completion and where it came from
    residuals: pd.DataFrame = field(default_factory=pd.DataFrame)  # demand cells: standardized_residuals per year


def demand_history(session: Session, filters: Filters) -> pd.DataFrame:
    """Openings per year, region and sector over every year of the data (the filters' regions and sectors); empty
    where they could not be estimated (unknown)."""
    return aggregate(
        session,
        DEMAND,
        filters.with_years(None, None),
        ["region_code", "sector_code", "year"],
        {"openings": Sum("openings"), "unknown": CountMissing("openings")},
    ).pipe(lambda f: f.assign(openings=f["openings"].where(f["unknown"].fillna(0) == 0)).drop(columns="unknown"))


def last_demand_year(session: Session, filters: Filters) -> int | None:
    """The last year with openings for the filters' regions and sectors (None without any): projections start
    the year after."""
    history = demand_history(session, filters).dropna(subset=["openings"])
    return int(history["year"].max()) if not history.empty else None


def _pipeline_rows(session: Session, filters: Filters) -> pd.DataFrame:
    """Every enrolment row of the filters' regions (all years) with its region and the program's duration."""
    statement = (
        select(
            Enrolment.year,
            Enrolment.institution_id,
            Enrolment.program_code,
            Enrolment.graduates,
            Enrolment.entrants,
            Institution.region_code,
            Program.duration_years,
        )
        .join(Institution, Institution.institution_id == Enrolment.institution_id)
        .join(Program, Program.program_code == Enrolment.program_code)
    )
    if filters.regions:
        statement = statement.where(Institution.region_code.in_(filters.regions))
    rows = session.connection().execute(statement).all()
    return pd.DataFrame(
        [tuple(r) for r in rows],
        columns=["year", "institution_id", "program_code", "graduates", "entrants", "region_code", "duration_years"],
    )


def completion_rates(rows: pd.DataFrame) -> pd.DataFrame:
    """Per program and institution: duration, completion = sum of graduates / sum of entrants `duration` years
    earlier (over the years where both are known), and its level: "program and institution", else "program"
    (all its institutions), else "all programs", else "assumed" (1.0)."""
    rows = rows.assign(duration=rows["duration_years"].fillna(DEFAULT_DURATION).astype(int))
    entrants = rows.dropna(subset=["entrants"])[["institution_id", "program_code", "year", "entrants"]]
    later = rows[["institution_id", "program_code", "year", "graduates", "duration"]].assign(
        entry_year=lambda f: f["year"] - f["duration"]
    )
    pairs = later.merge(entrants.rename(columns={"year": "entry_year"}), on=["institution_id", "program_code", "entry_year"])
    by_pair = pairs.groupby(["institution_id", "program_code"])[["graduates", "entrants"]].sum()
    by_program = pairs.groupby("program_code")[["graduates", "entrants"]].sum()
    overall = pairs[["graduates", "entrants"]].sum()
    result = rows.drop_duplicates(["institution_id", "program_code"])[
        ["institution_id", "program_code", "region_code", "duration"]
    ]
    result = result.reset_index(drop=True)
    pair_rate = result.merge(_rates(by_pair).rename("rate").reset_index(), on=["institution_id", "program_code"], how="left")[
        "rate"
    ]
    program_rate = result["program_code"].map(_rates(by_program))
    overall_rate = overall["graduates"] / overall["entrants"] if overall["entrants"] > 0 else np.nan
    result["completion"] = pair_rate.fillna(program_rate).fillna(overall_rate).fillna(1.0)
    result["completion_from"] = np.select(
        [pair_rate.notna().to_numpy(), program_rate.notna().to_numpy(), np.full(len(result), not np.isnan(overall_rate))],
        ["program and institution", "program", "all programs"],
        default="assumed",
    )
    return result


def _rates(sums: pd.DataFrame) -> pd.Series:
    """graduates / entrants of each row of ``sums``: empty where nobody entered."""
    entrants = sums["entrants"].astype(float)
    return sums["graduates"].astype(float) / entrants.where(entrants > 0)


def project(
    session: Session,
    *,
    to_year: int,
    method: str = "auto",
    filters: Filters | None = None,
    scenario: Sequence[ScenarioChange] = (),
) -> Projection:
    """Projected openings, graduates and gap per (year, region, sector) for every year after the last year of
    demand data up to ``to_year``. Columns: year, region_code, region_name, sector_code, sector_name, demand,
    demand_low, demand_high, supply, supply_entrants (from the intake pipeline), supply_trend (from graduates'
    own series), gap, coverage_ratio, effective_supply, measured, method (``naive`` for a cell carried forward flat:
    fewer than MEASURED_YEARS known years), observed_years, few_years, last_known_year, demand_not_projected (why
    its openings are not projected: region_not_reporting, no_known_year, one_known_year; empty when they are).

    Known and unknown (data contract version 3): a cell is projected from its own known years only: 0 in a year
    its region reports without a row for it, unknown (left out of its fit) where the region does not report or
    the cell is suppressed. A side whose region does not report in the last year of its table is not projected:
    empty, never 0 (``Projection.assumptions["not_projected"]`` counts such cells), and so are the openings of a
    cell known in fewer than PROJECTED_YEARS years. gap and coverage_ratio only where both sides are projected
    (``measured``).

    Supply: where entrants are given, graduates(t) = entrants(t - duration) x completion per program and
    institution (``completion_rates``); entrants of years not observed are those of the last observed year
    (intake unchanged; a program no longer enrolling by the last year of entrants has none), times the
    scenario's change. A program and institution without entrants is projected from its graduates, summed to
    its region and sector, with the method of the cell's demand. Graduates split by the programs' sector
    shares; programs linked to no sector are not supply.

    Raises ValueError, before reading anything, when ``to_year`` is past the contract's last year (YEAR_MAX); the
    command line also refuses a year past ``latest_horizon``, and the Planning page offers none.
    """
    if method not in CHOICES:
        raise ValueError(f"method must be one of {', '.join(CHOICES)}")
    if to_year > YEAR_MAX:  # callers check first (the command line, the pages); nothing is computed for such a year
        raise ValueError(horizon_problem(to_year, None))
    filters = filters or Filters()
    history = demand_history(session, filters)
    last_demand = last_demand_year(session, filters)
    years = list(range((last_demand or to_year) + 1, to_year + 1)) if last_demand is not None else []
    assumptions = {
        "method": method,
        "to_year": to_year,
        "last_demand_year": last_demand,
        "default_duration": DEFAULT_DURATION,
        "interval": "80% prediction interval",
        "total_interval": TOTAL_INTERVAL,
        "few_years": FEW_YEARS,
        "scenario_changes": len(scenario),
        "known_cells": KNOWN_CELLS,
        "short_cells": SHORT_CELLS,
    }
    if not years:
        empty = pd.DataFrame(columns=ROW_COLUMNS)
        return Projection(empty, _backtest_table(Series(np.array([]), np.zeros((0, 0)))), assumptions, pd.DataFrame())
    reporting = demand_reporting(session, history)
    cells, series = _with_unknown_cells(
        history, *to_series(history.dropna(subset=["openings"]), ["region_code", "sector_code"], "openings", last_demand)
    )
    series = reporting.known(cells, series)
    demand = project_matrix(series, years, method)
    reports = reporting.reports_in(last_demand, cells["region_code"])
    why = np.select(
        [~reports, demand["observed_years"] == 0, demand["observed_years"] < PROJECTED_YEARS],
        ["region_not_reporting", "no_known_year", "one_known_year"],
        default="",
    )
    projected = (why == "")[:, None]
    measures = {name: np.where(projected, demand[key], np.nan) for name, key in DEMAND_MEASURES.items()}
    demand_long = _long(cells, years, measures)
    _, last_known = _last_observed(series)
    cell_info = cells.assign(
        method=np.where(projected[:, 0], demand["method"], ""),
        observed_years=demand["observed_years"],
        last_known_year=last_known,
        demand_not_projected=why,
    )
    supply, pipeline, supply_regions = _project_supply(session, filters, years, method, cell_info, scenario)
    frame = demand_long.merge(supply, on=["year", "region_code", "sector_code"], how="outer")
    frame = frame.merge(cell_info, on=["region_code", "sector_code"], how="left")
    if filters.sectors:
        frame = frame[frame["sector_code"].isin(filters.sectors)]
    demand_regions = {r for r in cells["region_code"] if (last_demand, r) in reporting.pairs}
    _known_or_empty(frame, list(DEMAND_MEASURES), demand_regions)
    frame["demand_not_projected"] = (
        frame["demand_not_projected"].fillna("").where(frame["region_code"].isin(demand_regions), "region_not_reporting")
    )
    too_short = frame["demand_not_projected"].isin(["no_known_year", "one_known_year"])
    frame.loc[too_short, list(DEMAND_MEASURES)] = np.nan  # unknown, never 0: the reason is in demand_not_projected
    _known_or_empty(frame, ["supply", "supply_entrants", "supply_trend"], supply_regions)
    frame["gap"] = frame["supply"] - frame["demand"]  # empty unless both sides are projected
    frame["coverage_ratio"] = frame["supply"] / frame["demand"].where(frame["demand"] > 0)
    frame["measured"] = frame["demand"].notna() & frame["supply"].notna()
    frame["effective_supply"] = frame["supply"] * _in_field_rates(session, filters, frame)
    frame["observed_years"] = frame["observed_years"].fillna(0).astype(int)
    frame["few_years"] = frame["observed_years"] < FEW_YEARS
    frame["method"] = frame["method"].fillna("")
    frame["last_known_year"] = frame["last_known_year"].astype("Int64")
    regions, sectors = name_map(session, "region_code"), name_map(session, "sector_code")
    frame["region_name"], frame["sector_name"] = frame["region_code"].map(regions), frame["sector_code"].map(sectors)
    frame = frame[ROW_COLUMNS].sort_values(["year", "region_code", "sector_code"]).reset_index(drop=True)
    assumptions["not_projected"] = not_projected(frame)
    residuals = pd.concat([cells, pd.DataFrame(standardized_residuals(series), columns=series.years.tolist())], axis=1)
    return Projection(frame, _backtest_table(series), assumptions, pipeline, residuals)


ROW_COLUMNS = [
    "year",
    "region_code",
    "region_name",
    "sector_code",
    "sector_name",
    "demand",
    "demand_low",
    "demand_high",
    "supply",
    "supply_entrants",
    "supply_trend",
    "gap",
    "coverage_ratio",
    "effective_supply",
    "measured",
    "method",
    "observed_years",
    "few_years",
    "last_known_year",
    "demand_not_projected",
]
DEMAND_MEASURES = {"demand": "mean", "demand_low": "low", "demand_high": "high"}
KNOWN_CELLS = (
    "each cell is projected from its own known years only (0 in a year its region reports without a row for it; "
    "a year its region does not report, or a suppressed cell, is left out); a side whose region does not report in "
    "the last year of its table is not projected (empty, never 0); gap and coverage_ratio only where both sides "
    "are projected (measured)"
)
SHORT_CELLS = (
    f"a cell with fewer than {MEASURED_YEARS} known years of openings is too short for any method: it is carried "
    "forward flat from its last known year (method naive), its 80% interval the 80th percentile of how far such a "
    "carry-forward strayed over as many years across the cells with at least "
    f"{FEW_YEARS} known years (plus or minus 25% per square root of a year when fewer than {POOLED_MIN} such pairs "
    f"exist), widened by {FEW_YEARS} / n (a cell known in one year only too); a cell without a known year is not projected "
    "(demand_not_projected says why)"
)
TOTAL_INTERVAL = (
    "the 80% interval of a total of cells (a sector, a region, all) is the total's own: its half-width is "
    "sqrt(sum over pairs of cells of h_i x h_j x r_ij), h the cells' half-widths and r_ij the correlation of the "
    "two cells' deviations from their own least-squares lines over the observed years; a cell without a measured "
    "error (fewer than 3 years, or none) is taken as perfectly correlated (its half-width added); "
    "never the sum of the cells' bounds"
)


def _known_or_empty(frame: pd.DataFrame, columns: list[str], regions: set[str]) -> None:
    """``columns`` of ``frame``, in place: 0 where a region of ``regions`` (whose side is projected) has no row for
    a cell, and empty in every other region (not projected: unknown, never 0)."""
    known = frame["region_code"].isin(regions)
    for column in columns:
        frame[column] = frame[column].astype(float).fillna(0.0).where(known)


def not_projected(rows: pd.DataFrame) -> dict[str, int]:
    """Cells of ``rows`` (a projection's) with a side not projected, per side and reason: their region does not
    report that side in the last year of its table (demand_cells, supply_cells); their openings are known in one
    year only (one_known_year_cells) or in none (no_known_year_cells), too little to project."""
    cells = rows.drop_duplicates(["region_code", "sector_code"])
    why = cells["demand_not_projected"]
    return {
        "demand_cells": int((why == "region_not_reporting").sum()),
        "supply_cells": int(cells["supply"].isna().sum()),
        "one_known_year_cells": int((why == "one_known_year").sum()),
        "no_known_year_cells": int((why == "no_known_year").sum()),
    }


def _with_unknown_cells(history: pd.DataFrame, cells: pd.DataFrame, series: Series) -> tuple[pd.DataFrame, Series]:
    """``cells`` and ``series`` (``to_series`` of the known openings) with a row of no known year for every cell of
    ``history`` that has rows but no known openings (suppressed, or not estimable, in every year): such a cell is
    unknown, never 0, and is not projected."""
    every = history[["region_code", "sector_code"]].drop_duplicates()
    missing = every.merge(cells, how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    if missing.empty or not len(series.years):
        return cells, series
    values = np.vstack([series.values, np.full((len(missing), len(series.years)), np.nan)])
    return pd.concat([cells, missing], ignore_index=True), Series(series.years, values)


GROUPS = {"cell": ("region_code", "sector_code"), "sector": ("sector_code",), "region": ("region_code",), "total": ()}
TOTAL_COLUMNS = [
    "year",
    "region_code",
    "region_name",
    "sector_code",
    "sector_name",
    "demand",
    "demand_low",
    "demand_high",
    "supply",
    "gap",
    "coverage_ratio",
    "measured_cells",
    "cells_not_projected",
    "demand_unmeasured",
    "supply_unmeasured",
]


def totals(projection: Projection, by: str) -> pd.DataFrame:
    """The projection summed per year and group (``by``: sector, region or total; GROUPS), over measured cells only.

    Columns (TOTAL_COLUMNS): year, region_code, region_name, sector_code, sector_name (empty where summed over),
    demand and supply of the measured cells (both sides projected; empty when a group has none), demand_low and
    demand_high (the 80% interval of that total of openings: ``combined_half``, never the sum of the cells'
    bounds), gap, coverage_ratio, measured_cells, cells_not_projected (cells with a side not projected: counted
    beside, never as 0), demand_unmeasured and supply_unmeasured (a projected side whose other side is not)."""
    keys = list(GROUPS[by])
    rows = projection.rows
    if rows.empty:
        return pd.DataFrame(columns=TOTAL_COLUMNS)
    measured = rows["measured"].astype(bool)
    parts = rows.assign(
        demand=rows["demand"].where(measured, 0.0),
        supply=rows["supply"].where(measured, 0.0),
        demand_unmeasured=rows["demand"].where(~measured, 0.0).fillna(0.0),
        supply_unmeasured=rows["supply"].where(~measured, 0.0).fillna(0.0),
        measured_cells=measured.astype(int),
        cells_not_projected=(rows["demand"].isna() | rows["supply"].isna()).astype(int),
        half=(rows["demand_high"] - rows["demand"]).where(measured, 0.0),
    )
    summed = parts.groupby(["year", *keys], as_index=False)[
        ["demand", "supply", "demand_unmeasured", "supply_unmeasured", "measured_cells", "cells_not_projected"]
    ].sum()
    summed["half"] = (
        _total_halves(parts[measured], projection.residuals, keys)
        .reindex(pd.MultiIndex.from_frame(summed[["year", *keys]]) if keys else summed["year"])
        .to_numpy()
    )
    none = summed["measured_cells"] == 0
    for column in ("demand", "supply", "half"):
        summed[column] = summed[column].astype(float).mask(none)
    summed["demand_low"] = (summed["demand"] - summed["half"]).clip(lower=0.0)
    summed["demand_high"] = summed["demand"] + summed["half"]
    summed["gap"] = summed["supply"] - summed["demand"]
    summed["coverage_ratio"] = summed["supply"] / summed["demand"].where(summed["demand"] > 0)
    for code, name in (("region_code", "region_name"), ("sector_code", "sector_name")):
        if code in keys:
            summed[name] = summed[code].map(dict(zip(rows[code], rows[name])))
        else:
            summed[code], summed[name] = "", ""
    return summed[TOTAL_COLUMNS].sort_values(["year", *keys]).reset_index(drop=True)


def _total_halves(measured: pd.DataFrame, residuals: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Per year and group of ``keys``: the half-width of the 80% interval of the group's openings, from its measured
    cells' half-widths (column ``half``) and residuals (``combined_half``)."""
    cell_keys = ["region_code", "sector_code"]
    errors = measured[cell_keys].merge(residuals, on=cell_keys, how="left").drop(columns=cell_keys).to_numpy(dtype=float)
    if errors.shape[1] == 0:
        errors = np.full((len(measured), 1), np.nan)
    labels = measured[["year", *keys]]
    index = pd.MultiIndex.from_frame(labels) if keys else pd.Index(labels["year"])
    codes, groups = pd.factorize(index)
    halves = combined_half(measured["half"].to_numpy(dtype=float), errors, codes, len(groups))
    return pd.Series(halves, index=groups)


def _in_field_rates(session: Session, filters: Filters, frame: pd.DataFrame) -> pd.Series:
    """Per row of ``frame``: the in-field rate of its region and sector over every cohort, else its sector's over the
    filters' regions (as effective supply uses them), else empty."""
    from .queries import outcome_totals

    everything = filters.with_years(None, None)
    cells = outcome_totals(session, filters=everything, by=("region_code", "sector_code"))
    sectors = outcome_totals(session, filters=everything, by=("sector_code",))
    by_cell = frame.merge(cells[["region_code", "sector_code", "in_field_rate"]], on=["region_code", "sector_code"], how="left")
    by_sector = frame.merge(sectors[["sector_code", "in_field_rate"]], on="sector_code", how="left")
    return by_cell["in_field_rate"].fillna(by_sector["in_field_rate"]).set_axis(frame.index)


def _long(cells: pd.DataFrame, years: Sequence[int], measures: dict[str, np.ndarray]) -> pd.DataFrame:
    """(cells x years) matrices as a tidy frame of the cells' keys, year and measures."""
    repeated = cells.loc[cells.index.repeat(len(years))].reset_index(drop=True)
    repeated["year"] = np.tile(np.asarray(years, dtype=int), len(cells))
    for name, matrix in measures.items():
        repeated[name] = matrix.reshape(-1) if len(cells) else []
    return repeated


def _backtest_table(series: Series) -> pd.DataFrame:
    """Per method: the cells it could be back-tested on, its mean absolute error, its weighted absolute
    percentage error (the absolute errors summed over the actual openings summed) on those held-out years, the
    held-out years (cell-years) and the share of them that fell inside its 80% band (``held``: 0.8 when the
    band is as wide as it says)."""
    columns = ["method", "cells", "mae", "wape", "held_out", "held"]
    if not len(series.values):
        return pd.DataFrame(columns=columns)
    holdout = np.clip(series.counts - 3, 0, HOLDOUT)
    _, test = series.held_out(holdout)
    actual = np.where(test, np.nan_to_num(series.values), 0.0).sum(axis=1)
    tested = holdout > 0
    rows = []
    for name, (error, inside) in _backtest(series).items():
        total_error = (error[tested] * holdout[tested]).sum()
        held_out = int(holdout[tested].sum())
        rows.append(
            {
                "method": name,
                "cells": int(tested.sum()),
                "mae": float(error[tested].mean()) if tested.any() else np.nan,
                "wape": float(total_error / actual[tested].sum()) if tested.any() and actual[tested].sum() > 0 else np.nan,
                "held_out": held_out,
                "held": float(inside[tested].sum() / held_out) if held_out else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=columns)


HELD_RARELY, HELD_OFTEN = 0.65, 0.95  # an 80% band that holds less or more often than this is said to be off
HELD_MIN_YEARS = 10  # fewer held-out years say too little about how often a band holds


def band_reliability(held: float, held_out: int) -> str | None:
    """Says "rarely" when a method's 80% band held in less than HELD_RARELY of the held-out years, "often" when in more
    than HELD_OFTEN, else None (also with fewer than HELD_MIN_YEARS held-out years: too few to say)."""
    if not held_out or held_out < HELD_MIN_YEARS or held != held:
        return None
    return "rarely" if held < HELD_RARELY else "often" if held > HELD_OFTEN else None


def _project_supply(
    session: Session, filters: Filters, years: list[int], method: str, cell_info: pd.DataFrame, scenario: Sequence[ScenarioChange]
) -> tuple[pd.DataFrame, pd.DataFrame, set[str]]:
    """Projected graduates per (year, region, sector): through the pipeline where entrants are known, from the
    graduates' own series otherwise; the program pipeline; and the regions whose supply is projected (their
    enrolments report in the table's last year)."""
    rows = _pipeline_rows(session, filters)
    shares = pd.DataFrame(
        session.connection().execute(select(ProgramShare.program_code, ProgramShare.sector_code, ProgramShare.share)).all(),
        columns=["program_code", "sector_code", "share"],
    )
    shares = shares[shares["sector_code"] != NOT_LINKED]
    empty = pd.DataFrame(columns=["year", "region_code", "sector_code", "supply_entrants", "supply_trend", "supply"])
    if rows.empty:
        return empty, pd.DataFrame(), set()
    reporting = enrolment_reporting(session, shares)
    reporting_regions = {r for y, r in reporting.pairs if y == reporting.last_year}
    pipeline = completion_rates(rows)
    with_entrants = pd.MultiIndex.from_frame(rows.loc[rows["entrants"].notna(), ["institution_id", "program_code"]])
    pipeline["uses_entrants"] = pd.MultiIndex.from_frame(pipeline[["institution_id", "program_code"]]).isin(with_entrants)
    through_pipeline = _graduates_from_entrants(rows, pipeline[pipeline["uses_entrants"]], years, scenario)
    from_series = _graduates_from_series(rows, pipeline[~pipeline["uses_entrants"]], years, method, cell_info, shares, reporting)
    by_sector = through_pipeline.merge(shares, on="program_code")
    by_sector["supply_entrants"] = by_sector["graduates"] * by_sector["share"]
    pipeline_cells = by_sector.groupby(["year", "region_code", "sector_code"], as_index=False)["supply_entrants"].sum()
    supply = pipeline_cells.merge(from_series, on=["year", "region_code", "sector_code"], how="outer")
    supply = supply.fillna({"supply_entrants": 0.0, "supply_trend": 0.0})
    supply["supply"] = supply["supply_entrants"] + supply["supply_trend"]
    return supply, pipeline, reporting_regions


def _graduates_from_entrants(
    rows: pd.DataFrame, pipeline: pd.DataFrame, years: list[int], scenario: Sequence[ScenarioChange]
) -> pd.DataFrame:
    """graduates(t) = entrants(t - duration) x completion for each program and institution and projection year."""
    if pipeline.empty:
        return pd.DataFrame(columns=["year", "institution_id", "program_code", "region_code", "graduates"])
    known = rows.dropna(subset=["entrants"])
    last_entrants_year = int(known["year"].max())
    entry_years = np.arange(int(known["year"].min()), max(years) + 1)
    wide = known.pivot_table(index=["institution_id", "program_code"], columns="year", values="entrants", aggfunc="sum")
    wide = wide.reindex(index=pd.MultiIndex.from_frame(pipeline[["institution_id", "program_code"]]), columns=entry_years)
    matrix = wide.to_numpy(dtype=float)
    last_value = pd.DataFrame(matrix).ffill(axis=1).to_numpy()  # a year not observed: the last observed intake
    observed_until = np.where(~np.isnan(matrix), entry_years[None, :], -1).max(axis=1)
    still_enrolling = observed_until >= last_entrants_year  # a program that stopped before then takes no one after
    after = entry_years[None, :] > observed_until[:, None]
    baseline = np.where(after & ~still_enrolling[:, None], 0.0, np.where(np.isnan(matrix), last_value, matrix))
    entrants = baseline * _entrant_factors(pipeline.reset_index(drop=True), entry_years, scenario)
    duration = pipeline["duration"].to_numpy()
    completion = pipeline["completion"].to_numpy()
    out = []
    for year in years:
        column = year - duration - entry_years[0]
        valid = (column >= 0) & (column < len(entry_years))
        values = np.where(valid, entrants[np.arange(len(duration)), np.clip(column, 0, len(entry_years) - 1)], np.nan)
        out.append(pipeline[["institution_id", "program_code", "region_code"]].assign(year=year, graduates=values * completion))
    return pd.concat(out, ignore_index=True).dropna(subset=["graduates"])


def _graduates_from_series(
    rows: pd.DataFrame,
    pipeline: pd.DataFrame,
    years: list[int],
    method: str,
    cell_info: pd.DataFrame,
    shares: pd.DataFrame,
    reporting: Reporting,
) -> pd.DataFrame:
    """Graduates of programs without entrants, summed per region and sector by share over the years the
    enrolments report (``Reporting.known``), and projected with the method of the cell's demand (``method``
    itself unless auto; trend for a cell without demand)."""
    if pipeline.empty:
        return pd.DataFrame(columns=["year", "region_code", "sector_code", "supply_trend"])
    keys = pipeline[["institution_id", "program_code"]]
    own = rows.merge(keys, on=["institution_id", "program_code"]).merge(shares, on="program_code")
    own = own.assign(weighted=own["graduates"] * own["share"])
    history = own.groupby(["region_code", "sector_code", "year"], as_index=False)["weighted"].sum()
    cells, series = to_series(history, ["region_code", "sector_code"], "weighted", reporting.last_year)
    if cells.empty:
        return pd.DataFrame(columns=["year", "region_code", "sector_code", "supply_trend"])
    series = reporting.known(cells, series)
    methods = cells.merge(cell_info[["region_code", "sector_code", "method"]], on=["region_code", "sector_code"], how="left")
    # the demand's method where it is one (a short or unprojected demand cell: trend, which a short series carries flat)
    wanted = (
        methods["method"].where(methods["method"].isin(METHODS), "trend")
        if method == "auto"
        else pd.Series(method, index=methods.index)
    )
    projected = np.zeros((len(cells), len(years)))
    for name in METHODS:
        chosen = (wanted == name).to_numpy()
        if chosen.any():
            projected[chosen] = project_matrix(Series(series.years, series.values[chosen]), years, name)["mean"]
    return _long(cells, years, {"supply_trend": projected})


# --- programs to grow or shrink -------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """The thresholds of the grow/shrink rules, with their sources (defaults):

    - ``shrink_coverage`` 1.5: projected coverage at or above it means oversupply (Lightcast grades supply ÷
      demand of 1.5 or more "oversaturated");
    - ``grow_coverage`` 0.9: at or below it, undersupply (Lightcast: 0.60–0.90 "slight undersupply");
    - ``bottom_share`` 0.10 for ``bottom_cohorts`` 2, with the floor ``bottom_below`` 0.80: a destination rate
      in the bottom tenth of programs two cohorts running, and below the floor in each, means shrink (Fujian
      cuts programs that rank last and also miss a standard: a rank alone would cut a good program among
      better ones);
    - ``cap_below`` 0.60, ``alternate_below`` 0.40, ``stop_below`` 0.30: Tianjin caps next year's intake of a
      program whose destination rate is below 60%, enrols it every other year below 40%, stops it below 30%;
    - ``in_field_at_least_median``: growing needs an in-field rate at least the median of programs;
    - ``max_change`` 0.10: a suggested intake moves at most this share of the current intake in a year;
    - ``min_surveyed`` 10: a rate on fewer graduates surveyed is not used.
    """

    shrink_coverage: float = 1.5
    grow_coverage: float = 0.9
    bottom_share: float = 0.10
    bottom_cohorts: int = 2
    bottom_below: float = 0.80
    cap_below: float = 0.60
    alternate_below: float = 0.40
    stop_below: float = 0.30
    in_field_at_least_median: bool = True
    max_change: float = 0.10
    min_surveyed: int = 10


STATUS_ORDER = ("stop", "alternate", "cap", "shrink", "grow", "keep", "no_advice")  # the first that fires wins


def program_outcomes(session: Session, filters: Filters) -> pd.DataFrame:
    """Destination and in-field rates per program, region and cohort (every cohort of the data)."""
    from .facts import OUTCOME_MEASURES, OUTCOMES
    from .metrics import add_outcome_rates

    frame = aggregate(
        session,
        OUTCOMES,
        filters.narrowed(sectors=()).with_years(None, None),
        ["program_code", "region_code", "cohort_year"],
        OUTCOME_MEASURES,
    )
    return add_outcome_rates(frame)[
        ["program_code", "region_code", "cohort_year", "surveyed", "employed", "employment_rate", "in_field_rate"]
    ]


def grow_shrink(session: Session, *, filters: Filters, projection: Projection, rules: Rules = Rules()) -> pd.DataFrame:
    """Per program and region: its status by the rules, the rule that fired with its numbers, and a suggested
    intake for next year.

    Columns: program_code, program_name, region_code, region_name, sector_code (the program's main sector,
    its largest share), duration, intake_year (next year), graduation_year (intake_year + duration),
    current_intake (the last observed entrants), completion, coverage (the share-weighted projected coverage
    of its sectors in the region in the graduation year, or the last projected year when that is later;
    like every shortage and surplus, against the openings the sector's vocational graduates are expected to
    fill, ``sectors.expected_share``, all of them by default),
    destination_rate and in_field_rate (latest cohort with enough surveyed), status, rule (its key), rule
    values (a dict of the numbers the rule compared), suggested_intake (the intake that would bring the main
    sector's projected coverage to 1.0: (projected demand - other supply) ÷ (completion x share), within
    ±max_change of the current intake; 0 to stop; at most the current intake to cap).
    """
    pipeline = projection.pipeline
    rows = projection.rows
    if pipeline.empty or rows.empty:  # nothing projected (no demand in the regions): nothing to advise
        return pd.DataFrame(columns=GROW_SHRINK_COLUMNS)
    all_rows = _pipeline_rows(session, filters)
    entrants = all_rows.dropna(subset=["entrants"])
    last_year = int(entrants["year"].max()) if not entrants.empty else int(all_rows["year"].max())
    current = (
        entrants[entrants["year"] == last_year]
        .groupby(["program_code", "region_code"], as_index=False)["entrants"]
        .sum()
        .rename(columns={"entrants": "current_intake"})
    )
    weights = pipeline.merge(
        entrants[entrants["year"] == last_year][["institution_id", "program_code", "entrants"]],
        on=["institution_id", "program_code"],
    )
    completion = (
        weights.assign(weighted=weights["completion"] * weights["entrants"])
        .groupby(["program_code", "region_code"], as_index=False)[["weighted", "entrants"]]
        .sum()
    )
    completion["completion"] = completion["weighted"] / completion["entrants"]
    duration = pipeline.drop_duplicates("program_code").set_index("program_code")["duration"]
    frame = pipeline[["program_code", "region_code"]].drop_duplicates()
    frame = frame.merge(current, on=["program_code", "region_code"], how="left")
    frame = frame.merge(completion[["program_code", "region_code", "completion"]], on=["program_code", "region_code"], how="left")
    frame["duration"] = frame["program_code"].map(duration).astype(int)
    frame["intake_year"] = last_year + 1
    last_projected = int(rows["year"].max())
    frame["graduation_year"] = np.minimum(frame["intake_year"] + frame["duration"], last_projected)
    shares = pd.DataFrame(
        session.connection().execute(select(ProgramShare.program_code, ProgramShare.sector_code, ProgramShare.share)).all(),
        columns=["program_code", "sector_code", "share"],
    )
    shares = shares[shares["sector_code"] != NOT_LINKED]
    cells = rows[["year", "region_code", "sector_code", "demand", "supply"]]
    # graded against the openings the sector's vocational graduates are expected to fill (panel.expected_shares)
    expected = cells["sector_code"].map(panel.expected_shares(session)).fillna(1.0)
    cells = cells.assign(demand=cells["demand"] * expected)
    cells = cells.assign(coverage_ratio=cells["supply"] / cells["demand"].where(cells["demand"] > 0))
    linked = frame.merge(shares, on="program_code").merge(
        cells,
        left_on=["graduation_year", "region_code", "sector_code"],
        right_on=["year", "region_code", "sector_code"],
        how="left",
    )
    coverage = linked.assign(
        weighted=linked["coverage_ratio"] * linked["share"], known=linked["share"].where(linked["coverage_ratio"].notna())
    )
    coverage = coverage.groupby(["program_code", "region_code"], as_index=False)[["weighted", "known"]].sum(min_count=1)
    coverage["coverage"] = coverage["weighted"] / coverage["known"]
    frame = frame.merge(coverage[["program_code", "region_code", "coverage"]], on=["program_code", "region_code"], how="left")
    main = linked.sort_values(["share", "sector_code"], ascending=[False, True]).drop_duplicates(["program_code", "region_code"])
    frame = frame.merge(
        main[["program_code", "region_code", "sector_code", "share", "demand", "supply"]],
        on=["program_code", "region_code"],
        how="left",
    )
    frame = frame.merge(_latest_rates(program_outcomes(session, filters), rules), on=["program_code", "region_code"], how="left")
    own = frame["current_intake"] * frame["completion"] * frame["share"]  # its own graduates in the main sector
    with np.errstate(invalid="ignore", divide="ignore"):
        needed = (frame["demand"] - (frame["supply"] - own)) / (frame["completion"] * frame["share"])
    low, high = frame["current_intake"] * (1 - rules.max_change), frame["current_intake"] * (1 + rules.max_change)
    frame["suggested_intake"] = needed.clip(lower=0).clip(lower=low, upper=high)
    median_in_field = frame["in_field_rate"].median()
    statuses, keys, values = [], [], []
    for row in frame.itertuples():
        status, key, numbers = _status(row, rules, median_in_field)
        statuses.append(status)
        keys.append(key)
        values.append(numbers)
    frame["status"], frame["rule"], frame["rule_values"] = statuses, keys, values
    frame.loc[frame["status"] == "stop", "suggested_intake"] = 0.0
    capped = frame["status"].isin(["cap", "alternate"])
    frame.loc[capped, "suggested_intake"] = np.minimum(frame.loc[capped, "suggested_intake"], frame.loc[capped, "current_intake"])
    frame["suggested_intake"] = frame["suggested_intake"].round()
    frame = with_names_for(session, frame)
    order = {status: i for i, status in enumerate(STATUS_ORDER)}
    frame = frame.sort_values(["status", "region_code", "program_code"], key=lambda c: c.map(order) if c.name == "status" else c)
    return frame[GROW_SHRINK_COLUMNS].reset_index(drop=True)


GROW_SHRINK_COLUMNS = [
    "program_code",
    "program_name",
    "region_code",
    "region_name",
    "sector_code",
    "duration",
    "intake_year",
    "graduation_year",
    "current_intake",
    "completion",
    "coverage",
    "destination_rate",
    "in_field_rate",
    "status",
    "rule",
    "rule_values",
    "suggested_intake",
]


def with_names_for(session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with program_name and region_name from their codes."""
    programs, regions = name_map(session, "program_code"), name_map(session, "region_code")
    return frame.assign(program_name=frame["program_code"].map(programs), region_name=frame["region_code"].map(regions))


def _latest_rates(outcomes: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Per program and region: the destination and in-field rates of its latest cohort with enough surveyed, whether its
    destination rate was in the bottom share of programs in each of the last ``bottom_cohorts`` cohorts, and those rates."""
    counted = outcomes[outcomes["surveyed"] >= rules.min_surveyed].copy()
    if counted.empty:
        return pd.DataFrame(
            columns=[
                "program_code",
                "region_code",
                "destination_rate",
                "in_field_rate",
                "cohort",
                "bottom_cohorts",
                "bottom_rates",
            ]
        )
    counted["rank"] = counted.groupby("cohort_year")["employment_rate"].rank(pct=True, method="max")
    counted["bottom"] = (counted["rank"] <= rules.bottom_share) & (counted["employment_rate"] < rules.bottom_below)
    counted = counted.sort_values("cohort_year")
    latest = counted.groupby(["program_code", "region_code"]).tail(1)
    result = latest[["program_code", "region_code", "employment_rate", "in_field_rate", "cohort_year"]].rename(
        columns={"employment_rate": "destination_rate", "cohort_year": "cohort"}
    )
    recent = counted.groupby(["program_code", "region_code"]).tail(rules.bottom_cohorts)
    streak = (
        recent.groupby(["program_code", "region_code"])
        .agg(
            bottom_cohorts=("bottom", lambda b: int(b.all()) * len(b)),
            bottom_rates=("employment_rate", lambda r: [round(float(v), 4) for v in r]),
            bottom_years=("cohort_year", lambda y: [int(v) for v in y]),
        )
        .reset_index()
    )
    return result.merge(streak, on=["program_code", "region_code"], how="left")


def _status(row, rules: Rules, median_in_field: float) -> tuple[str, str, dict]:
    """The first rule that fires for a program in a region, with the numbers it compared. The rules on
    destination rates rest on outcomes alone; those on projected coverage rest on the program's intake, so a
    program whose current intake is unknown (no entrants reported) gets no advice from them."""
    destination = row.destination_rate
    if destination == destination and destination is not None:
        for status, limit in (("stop", rules.stop_below), ("alternate", rules.alternate_below), ("cap", rules.cap_below)):
            if destination < limit:
                return status, f"destination_below_{status}", {"rate": destination, "limit": limit, "cohort": int(row.cohort)}
    if row.bottom_cohorts == row.bottom_cohorts and row.bottom_cohorts and row.bottom_cohorts >= rules.bottom_cohorts:
        return (
            "shrink",
            "bottom_cohorts",
            {"share": rules.bottom_share, "below": rules.bottom_below, "cohorts": row.bottom_years, "rates": row.bottom_rates},
        )
    if not (row.current_intake == row.current_intake and row.current_intake is not None):
        return "no_advice", "no_intake", {}
    coverage = row.coverage
    if coverage == coverage and coverage is not None and coverage >= rules.shrink_coverage:
        return "shrink", "oversupply", {"coverage": coverage, "limit": rules.shrink_coverage, "year": int(row.graduation_year)}
    if coverage == coverage and coverage is not None and coverage <= rules.grow_coverage:
        in_field = row.in_field_rate
        if rules.in_field_at_least_median and in_field == in_field and in_field is not None and in_field < median_in_field:
            return (
                "keep",
                "shortage_but_in_field_low",
                {
                    "coverage": coverage,
                    "limit": rules.grow_coverage,
                    "in_field": in_field,
                    "median": median_in_field,
                    "year": int(row.graduation_year),
                },
            )
        return (
            "grow",
            "shortage",
            {
                "coverage": coverage,
                "limit": rules.grow_coverage,
                "year": int(row.graduation_year),
                "in_field": in_field,
                "median": median_in_field,
            },
        )
    return (
        "keep",
        "balanced" if coverage == coverage else "no_projection",
        {"coverage": coverage, "low": rules.grow_coverage, "high": rules.shrink_coverage},
    )


# --- what a scenario asks of placements --------------------------------------------------------------


def extra_students(
    session: Session, *, filters: Filters, scenario: Sequence[ScenarioChange], years: Sequence[int]
) -> pd.DataFrame:
    """Students a scenario adds (or takes away) per year of entry and sector, by the programs' shares: each needs a
    placement before graduating. Columns: year, sector_code, extra_students (negative: fewer)."""
    rows = _pipeline_rows(session, filters)
    known = rows.dropna(subset=["entrants"])
    if known.empty or not scenario or not years:
        return pd.DataFrame(columns=["year", "sector_code", "extra_students"])
    pipeline = completion_rates(rows)
    pipeline = pipeline[
        [
            (i, p) in set(zip(known["institution_id"], known["program_code"]))
            for i, p in zip(pipeline["institution_id"], pipeline["program_code"])
        ]
    ].reset_index(drop=True)
    last = known.sort_values("year").groupby(["institution_id", "program_code"])["entrants"].last()
    baseline = pipeline.set_index(["institution_id", "program_code"]).index.map(last).to_numpy(dtype=float)
    entry_years = np.asarray(years)
    factors = _entrant_factors(pipeline, entry_years, scenario)
    extra = pipeline[["program_code"]].copy()
    frames = []
    for position, year in enumerate(entry_years):
        frames.append(extra.assign(year=int(year), extra=baseline * (factors[:, position] - 1)))
    long = pd.concat(frames, ignore_index=True)
    shares = pd.DataFrame(
        session.connection().execute(select(ProgramShare.program_code, ProgramShare.sector_code, ProgramShare.share)).all(),
        columns=["program_code", "sector_code", "share"],
    )
    long = long.merge(shares[shares["sector_code"] != NOT_LINKED], on="program_code")
    long["extra_students"] = long["extra"] * long["share"]
    result = long.groupby(["year", "sector_code"], as_index=False)["extra_students"].sum()
    return result[result["extra_students"].abs() > 1e-9].reset_index(drop=True)


def last_intake(session: Session, filters: Filters) -> pd.DataFrame:
    """Per program and region: the entrants of the last year with entrants, and the program's duration (a
    scenario's change "to a number" is that number over this intake). Columns: program_code, program_name,
    region_code, year, entrants, duration."""
    rows = _pipeline_rows(session, filters).dropna(subset=["entrants"])
    if rows.empty:
        return pd.DataFrame(columns=["program_code", "program_name", "region_code", "year", "entrants", "duration"])
    last = int(rows["year"].max())
    frame = (
        rows[rows["year"] == last]
        .groupby(["program_code", "region_code"], as_index=False)
        .agg(entrants=("entrants", "sum"), duration=("duration_years", "first"))
    )
    frame["duration"] = frame["duration"].fillna(DEFAULT_DURATION).astype(int)
    frame["year"] = last
    frame["program_name"] = frame["program_code"].map(name_map(session, "program_code"))
    return frame[["program_code", "program_name", "region_code", "year", "entrants", "duration"]]
