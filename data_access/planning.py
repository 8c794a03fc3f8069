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
  where the cell has fewer than 4 observed years.

Projections are never below 0 (openings, graduates). A cell observed in fewer than
``FEW_YEARS`` years is flagged and its interval widened by ``FEW_YEARS / n``; a cell with fewer
than 3 years has no measured error, and its interval is ±25% of its level per square root of a
year, widened the same way.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import select
from sqlalchemy.orm import Session

from .contract import YEAR_MAX, YEAR_MIN
from .facts import DEMAND, NOT_LINKED, Sum
from .filters import Filters
from .messages import Message, echoed_names, quoted
from .models import Enrolment, Institution, Program, ProgramShare
from .routing import aggregate, name_map

METHODS = ("trend", "cagr", "ets")
CHOICES = ("auto", *METHODS)
Z80 = float(stats.norm.ppf(0.9))  # 1.2816: an 80% interval leaves 10% on each side
FEW_YEARS = 5  # fewer observed years than this: a caveat and a wider interval
UNMEASURED_SPREAD = 0.25  # the interval of a cell with fewer than 3 years: ±25% of its level per √year
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
    holdout = np.clip(series.counts - 3, 0, HOLDOUT)
    train, test = series.held_out(holdout)
    targets = np.broadcast_to(series.years[None, :], series.values.shape).astype(float)
    errors = {}
    for name, fit in FITS.items():
        mean, _ = fit(train, targets)
        absolute = np.where(test, np.abs(np.maximum(mean, 0) - np.nan_to_num(series.values)), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            errors[name] = np.where(holdout > 0, absolute.sum(axis=1) / holdout, np.nan)
    return errors


def project_matrix(series: Series, years: Sequence[int], method: str) -> dict[str, np.ndarray]:
    """Every row projected to ``years``: mean, low, high (C, H), the method used per row and its observed years."""
    targets = np.broadcast_to(np.asarray(years, dtype=float)[None, :], (series.values.shape[0], len(years)))
    counts = series.counts
    if method == "auto":
        errors = backtest_errors(series)
        stacked = np.column_stack([np.where(np.isnan(errors[m]), np.inf, errors[m]) for m in METHODS])
        chosen = np.where(counts >= 4, np.argmin(stacked, axis=1), 0)  # ties and short series: trend
        used = np.array(METHODS)[chosen]
    else:
        used = np.full(len(counts), method)
    mean = np.zeros(targets.shape)
    half = np.zeros(targets.shape)
    for name in METHODS:
        rows = used == name
        if rows.any():
            part = Series(series.years, series.values[rows])
            mean[rows], half[rows] = FITS[name](part, targets[rows])
    last, last_year = _last_observed(series)
    with np.errstate(invalid="ignore"):
        level = np.where(np.isnan(mean), last[:, None], mean)
        unmeasured = UNMEASURED_SPREAD * np.abs(level) * np.sqrt(np.maximum(targets - last_year[:, None], 1))
        half = np.where(np.isnan(half), unmeasured, half)
        half = np.where((counts < FEW_YEARS)[:, None], half * FEW_YEARS / np.maximum(counts, 1)[:, None], half)
    mean = np.where(counts[:, None] == 1, last[:, None], mean)  # one year: the level as it is
    mean = np.maximum(np.nan_to_num(mean), 0.0)
    return {
        "mean": mean,
        "low": np.maximum(mean - half, 0.0),
        "high": np.maximum(mean + half, mean),
        "method": used,
        "observed_years": counts,
    }


def to_series(frame: pd.DataFrame, keys: list[str], value: str) -> tuple[pd.DataFrame, Series]:
    """A long frame (keys, year, value) as a matrix over consecutive years; returns the cells (keys) and the series."""
    if frame.empty:
        return pd.DataFrame(columns=keys), Series(np.array([], dtype=int), np.zeros((0, 0)))
    wide = frame.pivot_table(index=keys, columns="year", values=value, aggfunc="sum")
    years = np.arange(int(min(wide.columns)), int(max(wide.columns)) + 1)
    wide = wide.reindex(columns=years)
    return wide.index.to_frame(index=False), Series(years, wide.to_numpy(dtype=float))


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


def demand_history(session: Session, filters: Filters) -> pd.DataFrame:
    """Openings per year, region and sector over every year of the data (the filters' regions and sectors)."""
    frame = aggregate(
        session, DEMAND, filters.with_years(None, None), ["region_code", "sector_code", "year"], {"openings": Sum("openings")}
    )
    return frame.dropna(subset=["openings"])


def last_demand_year(session: Session, filters: Filters) -> int | None:
    """The last year with openings for the filters' regions and sectors (None without any): projections start
    the year after."""
    history = demand_history(session, filters)
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
    keys = list(zip(result["institution_id"], result["program_code"]))
    pair_rate = pd.Series([_rate(by_pair, key) for key in keys])
    program_rate = result["program_code"].map(lambda p: _rate(by_program, p))
    overall_rate = overall["graduates"] / overall["entrants"] if overall["entrants"] > 0 else np.nan
    result["completion"] = pair_rate.fillna(program_rate).fillna(overall_rate).fillna(1.0)
    result["completion_from"] = np.select(
        [pair_rate.notna().to_numpy(), program_rate.notna().to_numpy(), np.full(len(result), not np.isnan(overall_rate))],
        ["program and institution", "program", "all programs"],
        default="assumed",
    )
    return result


def _rate(sums: pd.DataFrame, key) -> float:
    if key not in sums.index:
        return np.nan
    graduates, entrants = sums.loc[key, "graduates"], sums.loc[key, "entrants"]
    return graduates / entrants if entrants > 0 else np.nan


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
    own series), gap, coverage_ratio, method, observed_years, few_years.

    Supply: where entrants are given, graduates(t) = entrants(t - duration) x completion per program and
    institution (``completion_rates``); entrants of years not observed are those of the last observed year
    (intake unchanged; a program no longer enrolling by the last year of entrants has none), times the
    scenario's change. A program and institution without entrants is projected from its graduates, summed to
    its region and sector, with the method of the cell's demand. Graduates split by the programs' sector
    shares; programs linked to no sector are not supply. A missing side counts 0.

    Raises ValueError, before reading anything, when ``to_year`` is past the contract's last year (YEAR_MAX); the
    command line also refuses a year past ``latest_horizon``, and the Planning page offers none.
    """
    if method not in CHOICES:
        raise ValueError(f"method must be one of {', '.join(CHOICES)}")
    if to_year > YEAR_MAX:  # callers check first (the command line, the pages); nothing is computed for such a year
        raise ValueError(horizon_problem(to_year, None))
    filters = filters or Filters()
    history = demand_history(session, filters)
    last_demand = int(history["year"].max()) if not history.empty else None
    years = list(range((last_demand or to_year) + 1, to_year + 1)) if last_demand is not None else []
    cells, series = to_series(history, ["region_code", "sector_code"], "openings")
    columns = [
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
        "method",
        "observed_years",
        "few_years",
    ]
    assumptions = {
        "method": method,
        "to_year": to_year,
        "last_demand_year": last_demand,
        "default_duration": DEFAULT_DURATION,
        "interval": "80% prediction interval",
        "few_years": FEW_YEARS,
        "scenario_changes": len(scenario),
    }
    if not years:
        return Projection(
            pd.DataFrame(columns=columns), pd.DataFrame(columns=["method", "cells", "mae", "wape"]), assumptions, pd.DataFrame()
        )
    demand = project_matrix(series, years, method)
    demand_long = _long(cells, years, {"demand": demand["mean"], "demand_low": demand["low"], "demand_high": demand["high"]})
    cell_info = cells.assign(method=demand["method"], observed_years=demand["observed_years"])
    supply, pipeline = _project_supply(session, filters, years, method, cell_info, scenario)
    frame = demand_long.merge(supply, on=["year", "region_code", "sector_code"], how="outer")
    frame = frame.merge(cell_info, on=["region_code", "sector_code"], how="left")
    if filters.sectors:
        frame = frame[frame["sector_code"].isin(filters.sectors)]
    for column in ("demand", "demand_low", "demand_high", "supply", "supply_entrants", "supply_trend"):
        frame[column] = frame[column].fillna(0.0)
    frame["gap"] = frame["supply"] - frame["demand"]
    frame["coverage_ratio"] = frame["supply"] / frame["demand"].where(frame["demand"] > 0)
    frame["effective_supply"] = frame["supply"] * _in_field_rates(session, filters, frame)
    frame["observed_years"] = frame["observed_years"].fillna(0).astype(int)
    frame["few_years"] = frame["observed_years"] < FEW_YEARS
    frame["method"] = frame["method"].fillna("")
    regions, sectors = name_map(session, "region_code"), name_map(session, "sector_code")
    frame["region_name"], frame["sector_name"] = frame["region_code"].map(regions), frame["sector_code"].map(sectors)
    frame = frame[columns].sort_values(["year", "region_code", "sector_code"]).reset_index(drop=True)
    return Projection(frame, _backtest_table(series), assumptions, pipeline)


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
    """Per method: the cells it could be back-tested on, its mean absolute error, and its weighted absolute
    percentage error (the absolute errors summed over the actual openings summed) on those held-out years."""
    if not len(series.values):
        return pd.DataFrame(columns=["method", "cells", "mae", "wape"])
    holdout = np.clip(series.counts - 3, 0, HOLDOUT)
    _, test = series.held_out(holdout)
    actual = np.where(test, np.nan_to_num(series.values), 0.0).sum(axis=1)
    rows = []
    for name, error in backtest_errors(series).items():
        tested = holdout > 0
        total_error = (error[tested] * holdout[tested]).sum()
        rows.append(
            {
                "method": name,
                "cells": int(tested.sum()),
                "mae": float(error[tested].mean()) if tested.any() else np.nan,
                "wape": float(total_error / actual[tested].sum()) if tested.any() and actual[tested].sum() > 0 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _project_supply(
    session: Session, filters: Filters, years: list[int], method: str, cell_info: pd.DataFrame, scenario: Sequence[ScenarioChange]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Projected graduates per (year, region, sector): through the pipeline where entrants are known, from the
    graduates' own series otherwise."""
    rows = _pipeline_rows(session, filters)
    shares = pd.DataFrame(
        session.connection().execute(select(ProgramShare.program_code, ProgramShare.sector_code, ProgramShare.share)).all(),
        columns=["program_code", "sector_code", "share"],
    )
    shares = shares[shares["sector_code"] != NOT_LINKED]
    empty = pd.DataFrame(columns=["year", "region_code", "sector_code", "supply_entrants", "supply_trend", "supply"])
    if rows.empty:
        return empty, pd.DataFrame()
    pipeline = completion_rates(rows)
    with_entrants = set(rows.dropna(subset=["entrants"]).groupby(["institution_id", "program_code"]).groups)
    pipeline["uses_entrants"] = [(i, p) in with_entrants for i, p in zip(pipeline["institution_id"], pipeline["program_code"])]
    through_pipeline = _graduates_from_entrants(rows, pipeline[pipeline["uses_entrants"]], years, scenario)
    from_series = _graduates_from_series(rows, pipeline[~pipeline["uses_entrants"]], years, method, cell_info, shares)
    by_sector = through_pipeline.merge(shares, on="program_code")
    by_sector["supply_entrants"] = by_sector["graduates"] * by_sector["share"]
    pipeline_cells = by_sector.groupby(["year", "region_code", "sector_code"], as_index=False)["supply_entrants"].sum()
    supply = pipeline_cells.merge(from_series, on=["year", "region_code", "sector_code"], how="outer")
    supply = supply.fillna({"supply_entrants": 0.0, "supply_trend": 0.0})
    supply["supply"] = supply["supply_entrants"] + supply["supply_trend"]
    return supply, pipeline


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
    rows: pd.DataFrame, pipeline: pd.DataFrame, years: list[int], method: str, cell_info: pd.DataFrame, shares: pd.DataFrame
) -> pd.DataFrame:
    """Graduates of programs without entrants, summed per region and sector by share and projected with the
    method of the cell's demand (``method`` itself unless auto; trend for a cell without demand)."""
    if pipeline.empty:
        return pd.DataFrame(columns=["year", "region_code", "sector_code", "supply_trend"])
    keys = pipeline[["institution_id", "program_code"]]
    own = rows.merge(keys, on=["institution_id", "program_code"]).merge(shares, on="program_code")
    own = own.assign(weighted=own["graduates"] * own["share"])
    history = own.groupby(["region_code", "sector_code", "year"], as_index=False)["weighted"].sum()
    cells, series = to_series(history, ["region_code", "sector_code"], "weighted")
    if cells.empty:
        return pd.DataFrame(columns=["year", "region_code", "sector_code", "supply_trend"])
    methods = cells.merge(cell_info[["region_code", "sector_code", "method"]], on=["region_code", "sector_code"], how="left")
    wanted = methods["method"].fillna("trend") if method == "auto" else pd.Series(method, index=methods.index)
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
    - ``bottom_share`` 0.10 for ``bottom_cohorts`` 2: a destination rate in the bottom tenth of programs two
      cohorts running means shrink (Fujian cuts such programs);
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
    cap_below: float = 0.60
    alternate_below: float = 0.40
    stop_below: float = 0.30
    in_field_at_least_median: bool = True
    max_change: float = 0.10
    min_surveyed: int = 10


STATUS_ORDER = ("stop", "alternate", "cap", "shrink", "grow", "keep")  # the first that fires wins


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
    of its sectors in the region in the graduation year, or the last projected year when that is later),
    destination_rate and in_field_rate (latest cohort with enough surveyed), status, rule (its key), rule
    values (a dict of the numbers the rule compared), suggested_intake (the intake that would bring the main
    sector's projected coverage to 1.0: (projected demand - other supply) ÷ (completion x share), within
    ±max_change of the current intake; 0 to stop; at most the current intake to cap).
    """
    pipeline = projection.pipeline
    rows = projection.rows
    if pipeline.empty or rows.empty:
        return pd.DataFrame()
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
    cells = rows[["year", "region_code", "sector_code", "demand", "supply", "coverage_ratio"]]
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
    columns = [
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
    return frame[columns].reset_index(drop=True)


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
    counted["bottom"] = counted["rank"] <= rules.bottom_share
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
    """The first rule that fires for a program in a region, with the numbers it compared."""
    destination = row.destination_rate
    if destination == destination and destination is not None:
        for status, limit in (("stop", rules.stop_below), ("alternate", rules.alternate_below), ("cap", rules.cap_below)):
            if destination < limit:
                return status, f"destination_below_{status}", {"rate": destination, "limit": limit, "cohort": int(row.cohort)}
    if row.bottom_cohorts == row.bottom_cohorts and row.bottom_cohorts and row.bottom_cohorts >= rules.bottom_cohorts:
        return "shrink", "bottom_cohorts", {"share": rules.bottom_share, "cohorts": row.bottom_years, "rates": row.bottom_rates}
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
