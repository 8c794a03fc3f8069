"""Charts of the Placements and partners page: pure functions from a view's
DataFrame to a Plotly figure, plus the few small pieces the page needs to
say in words what the charts show (a sentence, a note, a top-N slice).

Same palette and number format as ui/charts.py. Shortage and surplus keep the
orange/purple of the coverage heat map and are also told apart by a hatch
pattern and by words, so that they survive a projector and colour blindness.
Counts hidden by small-number protection arrive as NaN: bars are left out and
the bar's label says "hidden".
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from data_access.views import VIEWS

from .charts import COVERAGE_SCALE, SUPPLY_COLOUR, _layers, _layout, short_label
from .context import ViewResult
from .formatting import fmt_count, fmt_rate, is_missing

PLACED_COLOUR = "#56B4E9"  # Okabe–Ito sky blue: students placed
HIRED_COLOUR = SUPPLY_COLOUR  # Okabe–Ito blue: of whom hired after placement
CAPACITY_COLOUR = "#d9d9d9"  # light grey: places offered but not used
HIDDEN = "hidden"  # what a bar label says when small-number protection hid its count

# gap_status -> (legend label, fill, edge and hatch colour, hatch). Orange and purple as on the heat map.
GAP_STATUS_STYLE = {
    "shortage": ("Shortage (coverage below 0.9)", COVERAGE_SCALE[1][1], COVERAGE_SCALE[0][1], "/"),
    "balanced": ("Balanced (coverage 0.9–1.1)", "#d0d0d0", "#777777", ""),
    "surplus": ("Surplus (coverage above 1.1)", COVERAGE_SCALE[3][1], COVERAGE_SCALE[4][1], "."),
    "no demand": ("No openings recorded", "#f0f0f0", "#999999", ""),
}
# gap_status -> the symbol written before it wherever it is shown in words.
GAP_STATUS_SYMBOL = {"shortage": "▼", "balanced": "≈", "surplus": "▲", "no demand": "○"}


def gap_status_words(status: str) -> str:
    """A gap status as shown to planners, symbol first (e.g. "▼ shortage")."""
    return f"{GAP_STATUS_SYMBOL.get(status, '·')} {status}"


def as_floats(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """``frame`` with ``columns`` as plain floats: protection leaves whole-number columns as
    nullable integers whose missing value (pd.NA) neither the formatters nor Plotly take."""
    return frame.assign(**{c: pd.to_numeric(frame[c], errors="coerce").astype("float64") for c in columns if c in frame})


def titled_layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    """ui/charts._layout, with the part of ``title`` after " · " (the filters) on a smaller second
    line and the legend under the title on the left, so that charts in half-width columns keep
    their whole title and the legend clear of it."""
    what, _, scope = title.partition(" · ")
    text = f"{what}<br><span style='font-size:13px;color:#555'>{scope}</span>" if scope else what
    figure = _layout(figure, text, height + 20)
    figure.update_layout(title=dict(y=1, yanchor="top", yref="container", pad=dict(t=14)), margin=dict(t=92),
                         legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0, traceorder="normal"))
    return figure


def _category_axis(codes: pd.Series, names: pd.Series) -> dict:
    """A y axis keyed on codes (names may repeat) that shows the names, first row at the top."""
    return dict(title=None, type="category", categoryorder="array", categoryarray=list(codes), autorange="reversed",
                tickmode="array", tickvals=list(codes), ticktext=[short_label(str(n)) for n in names])


def _padded_range(values: pd.Series, share: float = 0.3) -> list[float]:
    """An axis range from 0 with room on the right for the labels written outside the bars."""
    top = pd.to_numeric(values, errors="coerce").max()
    return [0, (1.0 if is_missing(top) or top <= 0 else float(top)) * (1 + share)]


# --- placements by host sector, region, employer ------------------------------------------


def placed_and_hired_bars(frame: pd.DataFrame, *, code: str, name: str, title: str,
                          order_by: str | None = "students_placed") -> go.Figure:
    """Students placed per group (light bar) with those hired after placement inside it (dark bar),
    largest ``order_by`` first (or in the frame's order when it is None), the hire rate written
    at the end of each bar.

    ``code`` and ``name`` are the group's columns (e.g. sector_code, sector_name);
    customdata[0] of every bar is the code, so that a selection names the group.
    """
    frame = as_floats(frame, "students_placed", "hired", "placement_hire_rate")
    ordered = frame if order_by is None else frame.sort_values([order_by, code], ascending=[False, True],
                                                               na_position="last", kind="stable")
    codes = ordered[code].astype(str)
    placed, hired, rate = ordered["students_placed"], ordered["hired"], ordered["placement_hire_rate"]
    label = [HIDDEN if is_missing(p) else (f"{fmt_count(p)} · {fmt_rate(r)} hired" if not is_missing(r) else fmt_count(p))
             for p, r in zip(placed, rate)]
    custom = _layers([codes, ordered[name], placed.map(fmt_count), hired.map(fmt_count), rate.map(fmt_rate)])
    hover = ("<b>%{customdata[1]}</b><br>students placed: %{customdata[2]}<br>hired after placement: %{customdata[3]}"
             "<br>hire rate: %{customdata[4]}<extra></extra>")
    common = dict(y=codes, orientation="h", customdata=custom, hovertemplate=hover)
    figure = go.Figure([
        go.Bar(name="Students placed", x=placed.fillna(0), marker_color=PLACED_COLOUR, text=label,
               textposition="outside", cliponaxis=False, **common),
        go.Bar(name="Hired after placement", x=hired.fillna(0), marker_color=HIRED_COLOUR, width=0.45, **common),
    ])
    figure.update_layout(barmode="overlay", xaxis=dict(tickformat=",", title="students", range=_padded_range(placed, 1.0)),
                         yaxis=_category_axis(codes, ordered[name]))
    return titled_layout(figure, title, height=max(300, 30 * len(ordered) + 130))


def top_rows(result: ViewResult, *, by: str, limit: int = 15) -> ViewResult:
    """The ``limit`` rows of a view result with the highest ``by`` (hidden values last), with the
    same protection, so that a top-N chart's download holds exactly the rows it shows."""
    keys = list(dict.fromkeys([by, "students_placed", "hired"]))
    ranked = result.numbers.sort_values(keys, ascending=False, na_position="last", kind="stable")
    order = ranked.index[:limit]
    spec = VIEWS[result.name]
    display = result.display.loc[order]
    hidden_counts = pd.DataFrame({c: display[c].astype(str).str.startswith("<") for c in spec.counts if c in display})
    hidden = hidden_counts.to_numpy().sum() + sum(
        int(hidden_counts[[s for s in sources if s in hidden_counts]].any(axis=1).sum())
        for column, sources in spec.derived.items() if column in display and any(s in hidden_counts for s in sources)
    )
    return replace(result, numbers=result.numbers.loc[order], table=result.table.loc[order], display=display,
                   hidden_cells=int(hidden))


def capacity_use_bars(partners: pd.DataFrame, *, title: str) -> go.Figure:
    """Capacity use per employer, in the order given: students placed ÷ (capacity per year ×
    years hosting), with a line at 100 %. Employers without a stated capacity get no bar and
    say "no capacity stated"."""
    partners = as_floats(partners, "students_placed", "placement_capacity", "years_hosting", "capacity_use")
    codes = partners["employer_id"].astype(str)
    use = partners["capacity_use"]
    stated = partners["placement_capacity"].notna()
    label = ["no capacity stated" if not has else (HIDDEN if is_missing(u) else fmt_rate(u)) for u, has in zip(use, stated)]
    capacity = (partners["placement_capacity"].astype("float64") * partners["years_hosting"]).map(fmt_count)
    custom = _layers([codes, partners["employer_name"], partners["students_placed"].map(fmt_count), capacity,
                      partners["years_hosting"].map(fmt_count), label])
    hover = ("<b>%{customdata[1]}</b><br>students placed: %{customdata[2]}<br>places offered: %{customdata[3]}"
             " (capacity × %{customdata[4]} years hosting)<br>capacity use: %{customdata[5]}<extra></extra>")
    figure = go.Figure(go.Bar(y=codes, x=use.fillna(0), orientation="h", marker_color=PLACED_COLOUR, text=label,
                              textposition="outside", cliponaxis=False, customdata=custom, hovertemplate=hover,
                              name="capacity use"))
    figure.add_vline(x=1, line=dict(color="#333", dash="dot"), annotation_text="full", annotation_position="top")
    top = max(1.0, float(use.max()) if use.notna().any() else 1.0)
    figure.update_layout(xaxis=dict(tickformat=".0%", title="students placed ÷ places offered", range=[0, top * 1.35]),
                         yaxis=_category_axis(codes, partners["employer_name"]), showlegend=False)
    return titled_layout(figure, title, height=max(300, 30 * len(partners) + 130))


def capacity_note(partners: pd.DataFrame) -> str:
    """Which partner employers capacity use leaves out (those that state no capacity), in words."""
    total = len(partners)
    without = int(partners["placement_capacity"].isna().sum())
    if without == 0:
        return f"All {fmt_count(total)} partner employers state a placement capacity."
    return (f"{fmt_count(without)} of {fmt_count(total)} partner employers state no placement capacity; "
            "they are left out of capacity use.")


def capacity_by_sector_bars(capacity: pd.DataFrame, *, title: str) -> go.Figure:
    """Per host sector: places offered split into used (students placed) and unused, least used
    first, capacity use written at the end. Over-used capacity shows no unused part."""
    capacity = as_floats(capacity, "students_placed", "placement_capacity", "employers_with_capacity", "capacity_use")
    ordered = capacity.sort_values(["capacity_use", "sector_code"], na_position="last", kind="stable")
    codes = ordered["sector_code"].astype(str)
    used = ordered["students_placed"]
    offered = ordered["placement_capacity"].astype("float64")
    unused = (offered - used).clip(lower=0)
    label = pd.Series([HIDDEN if is_missing(u) else f"{fmt_rate(u)} used" for u in ordered["capacity_use"]], index=ordered.index)
    custom = _layers([codes, ordered["sector_name"], used.map(fmt_count), offered.map(fmt_count),
                      ordered["employers_with_capacity"].map(fmt_count), label])
    hover = ("<b>%{customdata[1]}</b><br>places offered: %{customdata[3]} by %{customdata[4]} employers"
             "<br>students placed there: %{customdata[2]}<br>capacity use: %{customdata[5]}<extra></extra>")
    common = dict(y=codes, orientation="h", customdata=custom, hovertemplate=hover)
    hidden = used.isna()
    figure = go.Figure([
        go.Bar(name="Places used (students placed)", x=used.fillna(0), marker_color=PLACED_COLOUR, **common),
        go.Bar(name="Places not used", x=unused.fillna(0), marker_color=CAPACITY_COLOUR, text=label.where(~hidden, ""),
               textposition="outside", cliponaxis=False, **common),
    ])
    if hidden.any():  # the places offered are known, how many were used is not
        figure.add_bar(name="Places offered, use hidden", x=offered.where(hidden), marker_color="white",
                       marker_line=dict(color="#777", width=1), marker_pattern=dict(shape="x", fgcolor="#999", size=6),
                       text=label.where(hidden, ""), textposition="outside", cliponaxis=False, **common)
    figure.update_layout(barmode="stack", xaxis=dict(tickformat=",", title="placement places",
                                                     range=_padded_range(np.maximum(offered, used.fillna(0)), 0.3)),
                         yaxis=_category_axis(codes, ordered["sector_name"]))
    return titled_layout(figure, title, height=max(300, 30 * len(ordered) + 130))


# --- placements against the gap -------------------------------------------------------------


def _how_many(count: object, one: str, many: str) -> str:
    """A count with its noun in the right number: "1 partner", "7 partners"."""
    return f"{fmt_count(count)} {one if count == 1 else many}"


def _per_100(placed: pd.Series, openings: pd.Series) -> float | None:
    known = placed.notna() & openings.notna()
    total_openings = openings[known].sum()
    return None if total_openings == 0 else 100 * placed[known].sum() / total_openings


def placements_against_gaps_bars(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Students placed per 100 openings in each sector, sectors ordered by coverage ratio
    (largest shortage at the top); shortage and surplus marked by colour, hatch and words, with
    a dotted line at the figure for all sectors together."""
    frame = as_floats(frame, "supply", "demand", "students_placed", "partners", "coverage_ratio", "placed_per_100_openings",
                      "placement_hire_rate")
    ordered = frame.sort_values(["coverage_ratio", "sector_code"], na_position="last", kind="stable")
    codes = ordered["sector_code"].astype(str)
    per_100 = ordered["placed_per_100_openings"]
    label = pd.Series([
        "no openings recorded" if status == "no demand" else
        (HIDDEN if is_missing(value) else f"{value:,.0f} per 100 · {_how_many(partners, 'partner', 'partners')}")
        for value, partners, status in zip(per_100, ordered["partners"], ordered["gap_status"])
    ], index=ordered.index)
    coverage = ordered["coverage_ratio"].map(lambda c: "–" if is_missing(c) else f"{c:.2f}")
    custom = _layers([codes, ordered["sector_name"], ordered["gap_status"].map(gap_status_words), coverage,
                      ordered["supply"].map(fmt_count), ordered["demand"].map(fmt_count),
                      ordered["students_placed"].map(fmt_count), ordered["partners"].map(fmt_count),
                      ordered["placement_hire_rate"].map(fmt_rate),
                      [("–" if s == "no demand" else HIDDEN) if is_missing(v) else f"{v:,.0f}" for v, s in zip(per_100, ordered["gap_status"])]])
    hover = ("<b>%{customdata[1]}</b> · %{customdata[2]} (coverage %{customdata[3]})<br>graduates %{customdata[4]}"
             " · openings %{customdata[5]}<br>students placed %{customdata[6]} at %{customdata[7]} partner employers"
             "<br>placed per 100 openings: %{customdata[9]} · hire rate %{customdata[8]}<extra></extra>")
    traces = []
    for status, (legend, colour, edge, hatch) in GAP_STATUS_STYLE.items():
        rows = (ordered["gap_status"] == status).to_numpy()
        if not rows.any():
            continue
        traces.append(go.Bar(
            name=f"{GAP_STATUS_SYMBOL[status]} {legend}", y=codes[rows], x=per_100[rows].fillna(0), orientation="h",
            marker=dict(color=colour, line=dict(color=edge, width=1),
                        pattern=dict(shape=hatch, fillmode="replace", bgcolor=colour, fgcolor=edge, size=9, solidity=0.25)),
            text=label[rows], textposition="outside", cliponaxis=False, customdata=custom[rows], hovertemplate=hover,
        ))
    figure = go.Figure(traces)
    figure.update_layout(showlegend=True)  # the legend explains colour and hatch even when one status is shown
    overall = _per_100(ordered["students_placed"], ordered["demand"])
    if overall is not None:
        figure.add_vline(x=overall, line=dict(color="#333", dash="dot"),
                         annotation_text=f"all sectors: {overall:,.0f}", annotation_position="top")
    ticktext = [f"{GAP_STATUS_SYMBOL.get(s, '·')} {short_label(str(n), 34)}" for s, n in zip(ordered["gap_status"], ordered["sector_name"])]
    axis = _category_axis(codes, ordered["sector_name"]) | dict(ticktext=ticktext)
    figure.update_layout(barmode="overlay", yaxis=axis,
                         xaxis=dict(tickformat=",", title="students placed per 100 openings", range=_padded_range(per_100, 0.6)))
    figure = titled_layout(figure, title, height=max(320, 30 * len(ordered) + 160))
    figure.update_layout(margin=dict(t=110), legend=dict(y=1.04))
    return figure


def placements_against_gaps_sentence(frame: pd.DataFrame) -> str:
    """One sentence comparing shortage with surplus sectors: placements per 100 openings and
    partner employers (ratios of sums over the sectors of each group)."""
    frame = as_floats(frame, "students_placed", "demand", "partners")
    parts = []
    for status, words in (("shortage", "Shortage sectors"), ("surplus", "surplus sectors")):
        rows = frame[frame["gap_status"] == status]
        if rows.empty:
            parts.append(f"no sector is in {status}")
            continue
        per_100 = _per_100(rows["students_placed"], rows["demand"])
        shown = "an unknown number of" if per_100 is None else f"{per_100:,.0f}"
        parts.append(f"{words} ({len(rows)}) get {shown} placements per 100 openings "
                     f"from {_how_many(rows['partners'].sum(), 'partner employer', 'partner employers')}")
    sentence = "; ".join(parts)
    sentence = sentence[0].upper() + sentence[1:] + "."
    if frame[["students_placed", "demand"]].isna().any(axis=None):
        sentence += " Sectors with hidden small numbers are left out of these figures."
    return sentence


# --- partnership tenure ---------------------------------------------------------------------


def tenure_bars(tenure: pd.DataFrame, *, title: str) -> go.Figure:
    """Partner employers (left) and students placed with those hired (right) per band of
    partnership length, shortest first."""
    tenure = as_floats(tenure, "partners", "students_placed", "hired", "placement_hire_rate")
    bands = tenure["tenure_band"].astype(str)
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                           subplot_titles=("Partner employers", "Students placed (dark: hired)"))
    figure.add_bar(y=bands, x=tenure["partners"], orientation="h", marker_color=SUPPLY_COLOUR, name="Partner employers",
                   text=tenure["partners"].map(fmt_count), textposition="outside", cliponaxis=False,
                   hovertemplate="%{y}: %{x:,} partner employers<extra></extra>", row=1, col=1)
    rate = [HIDDEN if is_missing(p) else (fmt_count(p) if is_missing(r) else f"{fmt_count(p)} · {fmt_rate(r)} hired")
            for p, r in zip(tenure["students_placed"], tenure["placement_hire_rate"])]
    figure.add_bar(y=bands, x=tenure["students_placed"].fillna(0), orientation="h", marker_color=PLACED_COLOUR,
                   name="Students placed", text=rate, textposition="outside", cliponaxis=False,
                   hovertemplate="%{y}: %{x:,} students placed<extra></extra>", row=1, col=2)
    figure.add_bar(y=bands, x=tenure["hired"].fillna(0), orientation="h", marker_color=HIRED_COLOUR, width=0.45,
                   name="Hired after placement", hovertemplate="%{y}: %{x:,} hired<extra></extra>", row=1, col=2)
    figure.update_layout(barmode="overlay", showlegend=False)
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(tickformat=",", range=_padded_range(tenure["partners"], 0.35), row=1, col=1)
    figure.update_xaxes(tickformat=",", range=_padded_range(tenure["students_placed"], 0.6), row=1, col=2)
    return titled_layout(figure, title, height=max(300, 46 * len(tenure) + 140))
