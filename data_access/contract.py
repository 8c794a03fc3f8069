"""The tables of the data contract (version 2): columns, kinds, keys and references.

This module is the single written-down form of the contract's table section;
validation, loading and the documentation tests all read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .messages import Message

ColumnKind = Literal["text", "int", "year", "money", "number"]
NormalForm = Literal["NFC", "NFKC"]

YEAR_MIN = 1990
YEAR_MAX = 2100
# The largest whole number both databases store in an INTEGER column (32 bits on PostgreSQL).
INT_MIN, INT_MAX = -2_147_483_648, 2_147_483_647
# A monthly wage above this is a typing error, not a wage (and keeps every sum of wages finite).
MONEY_MAX = 10_000_000
SHARE_TOLERANCE = 0.001  # a program's sector shares add up to 1 within this
DURATION_MIN, DURATION_MAX = 1, 8  # years from entry to graduation


@dataclass(frozen=True)
class Column:
    """One CSV column: its name, its kind, whether it may be absent or empty, and the values it takes.

    Numbers lie between ``minimum`` and ``maximum``. Text is stored in Unicode normal form
    ``normal_form``: codes and keys in NFKC, so that a full-width ``Ａ１`` is the code ``A1`` and an
    accent typed as two characters is the same code as the accented letter; names in NFC, which
    only composes accents and keeps every character as written. No text holds a control character,
    tab or line break.
    """

    name: str
    kind: ColumnKind
    optional: bool = False
    count: bool = False  # an int that must be >= 0
    minimum: int | float | None = None
    maximum: int | float | None = None
    normal_form: NormalForm = "NFC"
    above_minimum: bool = False  # the minimum itself is not allowed (a share is more than 0)
    meaning: str | None = None  # the value_kind text that describes it, when not its kind's

    @property
    def is_code(self) -> bool:
        """Whether the column holds a code (a key or a reference to one) rather than a name or a category."""
        return self.kind == "text" and self.normal_form == "NFKC"

    def describe(self) -> Message:
        """The expected value in words, for problem messages (English as a str; ``.text(language)`` translates)."""
        if self.meaning:
            return Message(f"value_kind.{self.meaning}", first=self.minimum, last=self.maximum)
        if self.kind == "year":
            return Message("value_kind.year", first=YEAR_MIN, last=YEAR_MAX)
        if self.kind == "int" and self.count:
            return Message("value_kind.count")
        return Message(f"value_kind.{self.kind}")


@dataclass(frozen=True)
class Reference:
    """A column whose value must be the key of a row of another table."""

    column: str
    table: str


@dataclass(frozen=True)
class TableSpec:
    """One contract table."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = field(default_factory=tuple)

    @property
    def file_name(self) -> str:
        """The CSV file name the contract gives this table."""
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        """Every column name, in contract order."""
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns that must be present in the header."""
        return tuple(c.name for c in self.columns if not c.optional)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return next(c for c in self.columns if c.name == name)


def _text(name: str, optional: bool = False) -> Column:
    """A name or a category: composed (NFC), otherwise as written."""
    return Column(name, "text", optional, normal_form="NFC")


def _code(name: str, optional: bool = False) -> Column:
    """A key or a reference to one: compatibility-normalised (NFKC), so look-alike forms are one code."""
    return Column(name, "text", optional, normal_form="NFKC")


def _count(name: str, optional: bool = False) -> Column:
    return Column(name, "int", optional, count=True, minimum=0, maximum=INT_MAX)


def _year(name: str, optional: bool = False) -> Column:
    return Column(name, "year", optional, minimum=YEAR_MIN, maximum=YEAR_MAX)


def _money(name: str, optional: bool = False) -> Column:
    return Column(name, "money", optional, minimum=0, maximum=MONEY_MAX)


def _share(name: str, optional: bool = False) -> Column:
    """A share of a whole: more than 0, at most 1."""
    return Column(name, "number", optional, minimum=0, maximum=1, above_minimum=True, meaning="share")


def _rate(name: str, optional: bool = False) -> Column:
    """A rate per year: from 0 to 1."""
    return Column(name, "number", optional, minimum=0, maximum=1, meaning="rate")


def _duration(name: str, optional: bool = False) -> Column:
    return Column(name, "int", optional, minimum=DURATION_MIN, maximum=DURATION_MAX, meaning="duration")


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec("regions", (_code("region_code"), _text("region_name")), ("region_code",)),
        TableSpec(
            "sectors",
            (
                _code("sector_code"),
                _text("sector_name"),
                _rate("replacement_rate", optional=True),
                _share("expected_share", optional=True),
            ),
            ("sector_code",),
        ),
        TableSpec(
            "institutions",
            (_code("institution_id"), _text("institution_name"), _code("region_code"), _text("institution_type")),
            ("institution_id",),
            (Reference("region_code", "regions"),),
        ),
        TableSpec(
            "programs",
            (
                _code("program_code"),
                _text("program_name"),
                _code("sector_code", optional=True),
                _text("level", optional=True),
                _duration("duration_years", optional=True),
            ),
            ("program_code",),
            (Reference("sector_code", "sectors"),),
        ),
        TableSpec(
            "program_sectors",
            (_code("program_code"), _code("sector_code"), _share("share")),
            ("program_code", "sector_code"),
            (Reference("program_code", "programs"), Reference("sector_code", "sectors")),
        ),
        TableSpec(
            "employers",
            (
                _code("employer_id"),
                _text("employer_name"),
                _code("sector_code"),
                _code("region_code"),
                _year("partner_since", optional=True),
                _count("placement_capacity", optional=True),
            ),
            ("employer_id",),
            (Reference("sector_code", "sectors"), Reference("region_code", "regions")),
        ),
        TableSpec(
            "enrolments",
            (
                _year("year"),
                _code("institution_id"),
                _code("program_code"),
                _count("enrolled", optional=True),  # version 3: published statistics often give completions only
                _count("graduates"),
                _count("entrants", optional=True),
            ),
            ("year", "institution_id", "program_code"),
            (Reference("institution_id", "institutions"), Reference("program_code", "programs")),
        ),
        TableSpec(
            "placements",
            (
                _year("year"),
                _code("institution_id"),
                _code("program_code"),
                _code("employer_id"),
                _count("students_placed"),
                _count("hired"),
            ),
            ("year", "institution_id", "program_code", "employer_id"),
            (
                Reference("institution_id", "institutions"),
                Reference("program_code", "programs"),
                Reference("employer_id", "employers"),
            ),
        ),
        TableSpec(
            "outcomes",
            (
                _year("cohort_year"),
                _code("institution_id"),
                _code("program_code"),
                _count("surveyed"),
                _count("employed"),
                _count("employed_in_field"),
                _count("self_employed"),
                _count("further_study"),
                _count("unemployed"),
                _money("median_monthly_wage", optional=True),
            ),
            ("cohort_year", "institution_id", "program_code"),
            (Reference("institution_id", "institutions"), Reference("program_code", "programs")),
        ),
        TableSpec(
            "demand",
            (
                _year("year"),
                _code("region_code"),
                _code("sector_code"),
                _count("openings", optional=True),
                _count("employment", optional=True),
            ),
            ("year", "region_code", "sector_code"),
            (Reference("region_code", "regions"), Reference("sector_code", "sectors")),
        ),
    )
}

# Parents before children: the order rows are written in, and the reverse of
# the order tables are emptied in.
LOAD_ORDER: tuple[str, ...] = (
    "regions",
    "sectors",
    "institutions",
    "programs",
    "program_sectors",
    "employers",
    "enrolments",
    "placements",
    "outcomes",
    "demand",
)
assert set(LOAD_ORDER) == set(TABLES)
