"""Charts of the Placements and partners page: pure functions from a view's
DataFrame to a Plotly figure, plus the few small pieces the page needs to
say in words what the charts show (a sentence, a note, a top-N slice).

Same palette and number format as ui/charts.py. Shortage and surplus keep the
orange/purple of the coverage heat map and are also told apart by a hatch
pattern and by words, so that they survive a projector and colour blindness.
Counts hidden by small-number protection arrive as NaN: bars are left out and
the bar's label says "hidden". Every text is in the current language (keys in
locales/*/placements.toml); data names show as stored, as Plotly text (ui.charts._layout).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .charts import COVERAGE_SCALE, SUPPLY_COLOUR, _layers, _layout, short_label
from .context import ViewResult
from .formatting import floats, fmt_count, fmt_rate, is_missing
from .i18n import t
from .markup import plotly_text
from .scale import OTHER_CODE
from .theme import ink

PLACED_COLOUR = "#56B4E9"  # Okabe–Ito sky blue: students placed
HIRED_COLOUR = SUPPLY_COLOUR  # Okabe–Ito blue: of whom hired after placement
CAPACITY_COLOUR = "#d9d9d9"  # light grey: places offered but not used


def hidden_text() -> str:
    """What a bar label says when small-number protection hid its count."""
    return t("placements.hidden")


# gap_status -> (fill, edge and hatch colour, hatch). Orange and purple as on the heat map.
GAP_STATUS_STYLE = {
    "shortage": (COVERAGE_SCALE[1][1], COVERAGE_SCALE[0][1], "/"),
    "balanced": ("#d0d0d0", "#777777", ""),
    "surplus": (COVERAGE_SCALE[3][1], COVERAGE_SCALE[4][1], "."),
    "no demand": ("#f0f0f0", "#999999", ""),
}
# gap_status (as data_access.queries.classify_gap stores it) -> the end of its text keys.
GAP_STATUS_KEY = {
    "shortage": "shortage",
    "balanced": "balanced",
    "surplus": "surplus",
    "no demand": "no_demand",
    "not measured": "not_measured",
}
# gap_status -> the symbol written before it wherever it is shown in words.
GAP_STATUS_SYMBOL = {"shortage": "▼", "balanced": "≈", "surplus": "▲", "no demand": "○", "not measured": "?"}
# tenure_band (as data_access.queries.partnership_tenure stores it) -> the end of its text key.
TENURE_BAND_KEY = {
    "under 2 years": "under_2",
    "2–4 years": "2_4",
    "5–9 years": "5_9",
    "10 years or more": "10_plus",
    "not stated": "not_stated",
}


def gap_status_words(status: str) -> str:
    """A gap status as shown to planners, symbol first (e.g. "▼ shortage"), in the current language."""
    slug = GAP_STATUS_KEY.get(status)
    words = t(f"placements.status_{slug}") if slug else status
    return f"{GAP_STATUS_SYMBOL.get(status, '·')} {words}"


def gap_status_legend(status: str) -> str:
    """The legend entry of a gap status, symbol first (e.g. "▼ Shortage (coverage below 0.9)")."""
    slug = GAP_STATUS_KEY[status]
    legend = t(f"placements.legend_{slug}")
    return f"{GAP_STATUS_SYMBOL[status]} {legend}"


def tenure_band_words(band: str) -> str:
    """A partnership tenure band in the current language ("under 2 years", "不足 2 年")."""
    slug = TENURE_BAND_KEY.get(band)
    return t(f"placements.tenure_{slug}") if slug else band


def worded(result: ViewResult, column: str, words: Callable[[str], str]) -> ViewResult:
    """``result`` with the values of ``column`` in words on screen and in its download, so that
    the page's CSV follows the screen; the numbers the charts read keep the stored values."""
    if column not in result.table:
        return result
    as_words = lambda frame: frame.assign(**{column: frame[column].map(lambda v: v if is_missing(v) else words(str(v)))})  # noqa: E731
    return replace(result, table=as_words(result.table), display=as_words(result.display))


def as_floats(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """``frame`` with ``columns`` as plain floats: protection leaves whole-number columns as
    nullable integers whose missing value (pd.NA) neither the formatters nor Plotly take."""
    return frame.assign(**{c: floats(frame[c]) for c in columns if c in frame})


def titled_layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    """ui/charts._layout, with the part of ``title`` after " · " (the filters) on a smaller second
    line and the legend under the title on the left, so that charts in half-width columns keep
    their whole title and the legend clear of it."""
    what, _, scope = title.partition(" · ")
    figure = _layout(figure, what, height + 20)
    if scope:  # the title is Plotly text now, so the filters' names are escaped before the line is added
        figure.update_layout(title_text=f"{figure.layout.title.text}<br><span style='font-size:14px'>{plotly_text(scope)}</span>")
    figure.update_layout(
        title=dict(y=1, yanchor="top", yref="container", pad=dict(t=14)),
        margin=dict(t=92),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0, traceorder="normal"),
    )
    return figure


def _category_axis(codes: pd.Series, names: pd.Series) -> dict:
    """A y axis keyed on codes (names may repeat) that shows the names, first row at the top."""
    return dict(
        title=None,
        type="category",
        categoryorder="array",
        categoryarray=list(codes),
        autorange="reversed",
        tickmode="array",
        tickvals=list(codes),
        ticktext=[short_label(str(n)) for n in names],
    )


def _padded_range(values: pd.Series, share: float = 0.3) -> list[float]:
    """An axis range from 0 with room on the right for the labels written outside the bars."""
    top = pd.to_numeric(values, errors="coerce").max()
    return [0, (1.0 if is_missing(top) or top <= 0 else float(top)) * (1 + share)]


# --- placements by host sector, region, employer ------------------------------------------


def placed_and_hired_bars(
    frame: pd.DataFrame, *, code: str, name: str, title: str, order_by: str | None = "students_placed"
) -> go.Figure:
    """Students placed per group (light bar) with those hired after placement inside it (dark bar),
    largest ``order_by`` first (or in the frame's order when it is None), the hire rate written
    at the end of each bar.

    ``code`` and ``name`` are the group's columns (e.g. sector_code, sector_name);
    customdata[0] of every bar is the code, so that a selection names the group.
    """
    frame = as_floats(frame, "students_placed", "hired", "placement_hire_rate")
    ordered = (
        frame
        if order_by is None
        # the folded "other" item last, whatever its size
        else (
            frame.assign(_other=frame[code] == OTHER_CODE).sort_values(
                ["_other", order_by, code], ascending=[True, False, True], na_position="last", kind="stable"
            )
        )
    )
    codes = ordered[code].astype(str)
    placed, hired, rate = ordered["students_placed"], ordered["hired"], ordered["placement_hire_rate"]
    label = placed_hired_labels(placed, rate)
    custom = _layers([codes, ordered[name], placed.map(fmt_count), hired.map(fmt_count), rate.map(fmt_rate)])
    hover = (
        t(
            "placements.placed_hired_hover",
            name="%{customdata[1]}",
            placed="%{customdata[2]}",
            hired="%{customdata[3]}",
            rate="%{customdata[4]}",
        )
        + "<extra></extra>"
    )
    common = dict(y=codes, orientation="h", customdata=custom, hovertemplate=hover)
    figure = go.Figure(
        [
            go.Bar(
                name=t("placements.students_placed"),
                x=placed.fillna(0),
                marker_color=PLACED_COLOUR,
                text=label,
                textposition="outside",
                cliponaxis=False,
                **common,
            ),
            go.Bar(
                name=t("placements.hired_after_placement"), x=hired.fillna(0), marker_color=HIRED_COLOUR, width=0.45, **common
            ),
        ]
    )
    figure.update_layout(
        barmode="overlay",
        xaxis=dict(tickformat=",", title=t("placements.students"), range=_padded_range(placed, 1.0)),
        yaxis=_category_axis(codes, ordered[name]),
    )
    return titled_layout(figure, title, height=max(300, 30 * len(ordered) + 130))


def placed_hired_labels(placed: pd.Series, rate: pd.Series) -> list[str]:
    """The label at the end of a students-placed bar: "10 · 40.0% hired", the count alone
    without a rate, "hidden" when protection hid it."""
    return [
        hidden_text()
        if is_missing(p)
        else (fmt_count(p) if is_missing(r) else t("placements.placed_hired_label", placed=fmt_count(p), rate=fmt_rate(r)))
        for p, r in zip(placed, rate)
    ]


def top_rows(result: ViewResult, *, by: str, limit: int = 15) -> ViewResult:
    """The ``limit`` rows of a view result with the highest ``by`` (hidden values last), with the
    same protection, so that a top-N chart's download holds exactly the rows it shows."""
    keys = list(dict.fromkeys([by, "students_placed", "hired"]))
    ranked = result.numbers.sort_values(keys, ascending=False, na_position="last", kind="stable")
    order = ranked.index[:limit]
    hidden = None if result.hidden is None else result.hidden.loc[order]
    return replace(
        result, numbers=result.numbers.loc[order], table=result.table.loc[order], display=result.display.loc[order], hidden=hidden
    )


def capacity_use_bars(partners: pd.DataFrame, *, title: str) -> go.Figure:
    """Capacity use per employer, in the order given: students placed ÷ (capacity per year ×
    years hosting), with a line at 100 %. Employers without a stated capacity get no bar and
    say "no capacity stated"."""
    partners = as_floats(partners, "students_placed", "placement_capacity", "years_hosting", "capacity_use")
    codes = partners["employer_id"].astype(str)
    use = partners["capacity_use"]
    stated = partners["placement_capacity"].notna()
    label = [
        t("placements.no_capacity_stated") if not has else (hidden_text() if is_missing(u) else fmt_rate(u))
        for u, has in zip(use, stated)
    ]
    capacity = (partners["placement_capacity"].astype("float64") * partners["years_hosting"]).map(fmt_count)
    custom = _layers(
        [
            codes,
            partners["employer_name"],
            partners["students_placed"].map(fmt_count),
            capacity,
            partners["years_hosting"].map(fmt_count),
            label,
        ]
    )
    hover = (
        t(
            "placements.capacity_use_hover",
            name="%{customdata[1]}",
            placed="%{customdata[2]}",
            offered="%{customdata[3]}",
            years="%{customdata[4]}",
            use="%{customdata[5]}",
        )
        + "<extra></extra>"
    )
    figure = go.Figure(
        go.Bar(
            y=codes,
            x=use.fillna(0),
            orientation="h",
            marker_color=PLACED_COLOUR,
            text=label,
            textposition="outside",
            cliponaxis=False,
            customdata=custom,
            hovertemplate=hover,
            name=t("placements.capacity_use"),
        )
    )
    figure.add_vline(
        x=1, line=dict(color=ink().text, dash="dot"), annotation_text=t("placements.full"), annotation_position="top"
    )
    top = max(1.0, float(use.max()) if use.notna().any() else 1.0)
    figure.update_layout(
        xaxis=dict(tickformat=".0%", title=t("placements.capacity_use_axis"), range=[0, top * 1.35]),
        yaxis=_category_axis(codes, partners["employer_name"]),
        showlegend=False,
    )
    return titled_layout(figure, title, height=max(300, 30 * len(partners) + 130))


def capacity_note(partners: pd.DataFrame) -> str:
    """Which partner employers capacity use leaves out (those that state no capacity), in words."""
    total = len(partners)
    without = int(partners["placement_capacity"].isna().sum())
    if without == 0:
        return t("placements.capacity_note_one") if total == 1 else t("placements.capacity_note_all", total=fmt_count(total))
    return t("placements.capacity_note_some", without=fmt_count(without), total=fmt_count(total))


def capacity_by_sector_bars(capacity: pd.DataFrame, *, title: str) -> go.Figure:
    """Per host sector: places offered split into used (students placed) and unused, least used
    first, capacity use written at the end. Over-used capacity shows no unused part."""
    capacity = as_floats(capacity, "students_placed", "placement_capacity", "employers_with_capacity", "capacity_use")
    ordered = capacity.sort_values(["capacity_use", "sector_code"], na_position="last", kind="stable")
    codes = ordered["sector_code"].astype(str)
    used = ordered["students_placed"]
    offered = ordered["placement_capacity"].astype("float64")
    unused = (offered - used).clip(lower=0)
    label = pd.Series(
        [hidden_text() if is_missing(u) else t("placements.used_label", rate=fmt_rate(u)) for u in ordered["capacity_use"]],
        index=ordered.index,
    )
    custom = _layers(
        [
            codes,
            ordered["sector_name"],
            used.map(fmt_count),
            offered.map(fmt_count),
            ordered["employers_with_capacity"].map(fmt_count),
            label,
        ]
    )
    hover = (
        t(
            "placements.capacity_hover",
            name="%{customdata[1]}",
            offered="%{customdata[3]}",
            employers="%{customdata[4]}",
            placed="%{customdata[2]}",
            use="%{customdata[5]}",
        )
        + "<extra></extra>"
    )
    common = dict(y=codes, orientation="h", customdata=custom, hovertemplate=hover)
    hidden = used.isna()
    figure = go.Figure(
        [
            go.Bar(name=t("placements.places_used"), x=used.fillna(0), marker_color=PLACED_COLOUR, **common),
            go.Bar(
                name=t("placements.places_not_used"),
                x=unused.fillna(0),
                marker_color=CAPACITY_COLOUR,
                text=label.where(~hidden, ""),
                textposition="outside",
                cliponaxis=False,
                **common,
            ),
        ]
    )
    if hidden.any():  # the places offered are known, how many were used is not
        figure.add_bar(
            name=t("placements.places_use_hidden"),
            x=offered.where(hidden),
            marker_color="white",
            marker_line=dict(color="#777", width=1),
            marker_pattern=dict(shape="x", fgcolor="#999", size=6),
            text=label.where(hidden, ""),
            textposition="outside",
            cliponaxis=False,
            **common,
        )
    figure.update_layout(
        barmode="stack",
        xaxis=dict(
            tickformat=",", title=t("placements.places_axis"), range=_padded_range(np.maximum(offered, used.fillna(0)), 0.3)
        ),
        yaxis=_category_axis(codes, ordered["sector_name"]),
    )
    return titled_layout(figure, title, height=max(300, 30 * len(ordered) + 130))


# --- placements against the gap -------------------------------------------------------------


def _per_100(placed: pd.Series, openings: pd.Series) -> float | None:
    known = placed.notna() & openings.notna()
    total_openings = openings[known].sum()
    return None if total_openings == 0 else 100 * placed[known].sum() / total_openings


def placements_against_gaps_bars(frame: pd.DataFrame, *, title: str, furthest: int | None = None) -> go.Figure:
    """Students placed per 100 openings in each sector, sectors ordered by coverage ratio
    (largest shortage at the top); shortage and surplus marked by colour, hatch and words, with
    a dotted line at the figure for all sectors together.

    With ``furthest`` (a projected screen), only the sectors furthest from balance, and a note saying how
    many of how many are drawn; the dotted line stays that of all sectors."""
    frame = as_floats(
        frame,
        "supply",
        "demand",
        "students_placed",
        "partners",
        "coverage_ratio",
        "placed_per_100_openings",
        "placement_hire_rate",
    )
    everything = frame
    if furthest is not None and len(frame) > furthest:
        distance = np.abs(np.log(floats(frame["coverage_ratio"]).where(lambda c: c > 0)))
        frame = frame.loc[distance.sort_values(ascending=False, na_position="last", kind="stable").index[:furthest]]
    ordered = frame.sort_values(["coverage_ratio", "sector_code"], na_position="last", kind="stable")
    codes = ordered["sector_code"].astype(str)
    per_100 = ordered["placed_per_100_openings"]
    label = pd.Series(
        [
            t("placements.no_openings")
            if status == "no demand"
            else (
                hidden_text()
                if is_missing(value)
                else t(
                    "placements.per_100_label_one" if partners == 1 else "placements.per_100_label_many",
                    value=f"{value:,.0f}",
                    partners=fmt_count(partners),
                )
            )
            for value, partners, status in zip(per_100, ordered["partners"], ordered["gap_status"])
        ],
        index=ordered.index,
    )
    coverage = ordered["coverage_ratio"].map(lambda c: "–" if is_missing(c) else f"{c:.2f}")
    custom = _layers(
        [
            codes,
            ordered["sector_name"],
            ordered["gap_status"].map(gap_status_words),
            coverage,
            ordered["supply"].map(fmt_count),
            ordered["demand"].map(fmt_count),
            ordered["students_placed"].map(fmt_count),
            ordered["partners"].map(fmt_count),
            ordered["placement_hire_rate"].map(fmt_rate),
            [
                ("–" if s == "no demand" else hidden_text()) if is_missing(v) else f"{v:,.0f}"
                for v, s in zip(per_100, ordered["gap_status"])
            ],
        ]
    )
    hover = (
        t(
            "placements.against_gaps_hover",
            name="%{customdata[1]}",
            status="%{customdata[2]}",
            coverage="%{customdata[3]}",
            supply="%{customdata[4]}",
            demand="%{customdata[5]}",
            placed="%{customdata[6]}",
            partners="%{customdata[7]}",
            per_100="%{customdata[9]}",
            rate="%{customdata[8]}",
        )
        + "<extra></extra>"
    )
    traces = []
    for status, (colour, edge, hatch) in GAP_STATUS_STYLE.items():
        rows = (ordered["gap_status"] == status).to_numpy()
        if not rows.any():
            continue
        traces.append(
            go.Bar(
                name=gap_status_legend(status),
                y=codes[rows],
                x=per_100[rows].fillna(0),
                orientation="h",
                marker=dict(
                    color=colour,
                    line=dict(color=edge, width=1),
                    pattern=dict(shape=hatch, fillmode="replace", bgcolor=colour, fgcolor=edge, size=9, solidity=0.25),
                ),
                text=label[rows],
                textposition="outside",
                cliponaxis=False,
                customdata=custom[rows],
                hovertemplate=hover,
            )
        )
    figure = go.Figure(traces)
    figure.update_layout(showlegend=True)  # the legend explains colour and hatch even when one status is shown
    overall = _per_100(everything["students_placed"], everything["demand"])
    line_text = "" if overall is None else t("placements.all_sectors_line", value=f"{overall:,.0f}")
    shown = (
        ""
        if len(ordered) == len(everything)
        else t("placements.furthest_from_balance", count=len(ordered), total=len(everything))
    )
    under_axis = " · ".join(part for part in (line_text and f"┄ {line_text}", shown) if part) if furthest is not None else ""
    if overall is not None:
        figure.add_vline(
            x=overall,
            line=dict(color=ink().text, dash="dot"),
            # Said under the axis on a projected screen (above the plot the legend takes the room).
            **({} if furthest is not None else dict(annotation_text=line_text, annotation_position="top")),
        )
    ticktext = [
        f"{GAP_STATUS_SYMBOL.get(s, '·')} {short_label(str(n), 34)}"
        for s, n in zip(ordered["gap_status"], ordered["sector_name"])
    ]
    axis = _category_axis(codes, ordered["sector_name"]) | dict(ticktext=ticktext)
    figure.update_layout(
        barmode="overlay",
        yaxis=axis,
        xaxis=dict(tickformat=",", title=t("placements.per_100_axis"), range=_padded_range(per_100, 0.6)),
    )
    figure = titled_layout(figure, title, height=max(320, 30 * len(ordered) + 160))
    figure.update_layout(margin=dict(t=110), legend=dict(y=1.04))
    if under_axis:  # a second line of the axis title (Plotly text: escaped, the line break added here)
        figure.update_xaxes(title_text=f"{figure.layout.xaxis.title.text}<br>{plotly_text(under_axis)}")
    return figure


def placements_against_gaps_sentence(frame: pd.DataFrame) -> str:
    """One sentence comparing shortage with surplus sectors: placements per 100 openings and
    partner employers (ratios of sums over the sectors of each group)."""
    frame = as_floats(frame, "students_placed", "demand", "partners")
    frame = frame[frame["gap_status"] != "not measured"]  # a sector without a measured gap is in neither group
    if frame.empty:
        return t("overview.not_measured")
    parts = {}
    for status in ("shortage", "surplus"):
        rows = frame[frame["gap_status"] == status]
        if rows.empty:
            parts[status] = t(f"placements.no_{status}_part")
            continue
        per_100 = _per_100(rows["students_placed"], rows["demand"])
        partners = rows["partners"].sum()
        parts[status] = t(
            f"placements.{status}_part_one" if partners == 1 else f"placements.{status}_part_many",
            sectors=fmt_count(len(rows)),
            per_100=t("placements.unknown_number") if per_100 is None else f"{per_100:,.0f}",
            partners=fmt_count(partners),
        )
    sentence = t("placements.gaps_sentence", **parts)
    sentence = sentence[0].upper() + sentence[1:]
    if frame[["students_placed", "demand"]].isna().any(axis=None):
        sentence += t("placements.gaps_hidden_note")
    return sentence


# --- partnership tenure ---------------------------------------------------------------------


def tenure_bars(tenure: pd.DataFrame, *, title: str) -> go.Figure:
    """Partner employers (left) and students placed with those hired (right) per band of
    partnership length, shortest first, the bands in words of the current language."""
    tenure = as_floats(tenure, "partners", "students_placed", "hired", "placement_hire_rate")
    bands = tenure["tenure_band"].astype(str).map(tenure_band_words)
    hover = lambda key: t(key, band="%{y}", value="%{x:,}") + "<extra></extra>"  # noqa: E731
    figure = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=(t("placements.partner_employers"), t("placements.tenure_placed_subtitle")),
    )
    figure.add_bar(
        y=bands,
        x=tenure["partners"],
        orientation="h",
        marker_color=SUPPLY_COLOUR,
        name=t("placements.partner_employers"),
        text=tenure["partners"].map(fmt_count),
        textposition="outside",
        cliponaxis=False,
        hovertemplate=hover("placements.tenure_partners_hover"),
        row=1,
        col=1,
    )
    rate = placed_hired_labels(tenure["students_placed"], tenure["placement_hire_rate"])
    figure.add_bar(
        y=bands,
        x=tenure["students_placed"].fillna(0),
        orientation="h",
        marker_color=PLACED_COLOUR,
        name=t("placements.students_placed"),
        text=rate,
        textposition="outside",
        cliponaxis=False,
        hovertemplate=hover("placements.tenure_placed_hover"),
        row=1,
        col=2,
    )
    figure.add_bar(
        y=bands,
        x=tenure["hired"].fillna(0),
        orientation="h",
        marker_color=HIRED_COLOUR,
        width=0.45,
        name=t("placements.hired_after_placement"),
        hovertemplate=hover("placements.tenure_hired_hover"),
        row=1,
        col=2,
    )
    figure.update_layout(barmode="overlay", showlegend=False)
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(tickformat=",", range=_padded_range(tenure["partners"], 0.35), row=1, col=1)
    figure.update_xaxes(tickformat=",", range=_padded_range(tenure["students_placed"], 0.6), row=1, col=2)
    return titled_layout(figure, title, height=max(300, 46 * len(tenure) + 140))
