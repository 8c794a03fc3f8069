"""The reference: the same aggregates as our views, computed by DuckDB on the raw rows.

The CSV files are read once into DuckDB's in-memory tables (timed on its own);
then, for every view a page asks for, the joins and group-bys that view needs
run on the raw fact rows with the same filters. DuckDB is a columnar,
vectorised engine using every core, so its time is a reference near what the
machine can do on unaggregated rows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from data_access.contract import LOAD_ORDER
from data_access.filters import Filters

# fact -> (FROM clause, {dimension: column}); region and sector of a placement are the employer's.
FACTS = {
    "enrolment": (
        "enrolments f JOIN institutions i ON i.institution_id = f.institution_id JOIN programs p ON p.program_code = f.program_code",
        {
            "year": "f.year",
            "region_code": "i.region_code",
            "sector_code": "p.sector_code",
            "institution_type": "i.institution_type",
            "institution_id": "f.institution_id",
            "program_code": "f.program_code",
        },
    ),
    "outcome": (
        "outcomes f JOIN institutions i ON i.institution_id = f.institution_id JOIN programs p ON p.program_code = f.program_code",
        {
            "year": "f.cohort_year",
            "cohort_year": "f.cohort_year",
            "region_code": "i.region_code",
            "sector_code": "p.sector_code",
            "institution_type": "i.institution_type",
            "institution_id": "f.institution_id",
            "program_code": "f.program_code",
        },
    ),
    "placement": (
        "placements f JOIN employers m ON m.employer_id = f.employer_id JOIN institutions i ON i.institution_id = f.institution_id",
        {
            "year": "f.year",
            "region_code": "m.region_code",
            "sector_code": "m.sector_code",
            "institution_type": "i.institution_type",
            "institution_id": "f.institution_id",
            "program_code": "f.program_code",
            "employer_id": "f.employer_id",
        },
    ),
    "demand": ("demand f", {"year": "f.year", "region_code": "f.region_code", "sector_code": "f.sector_code"}),
}
MEASURES = {
    "enrolment": "sum(f.enrolled) AS enrolled, sum(f.graduates) AS graduates",
    "outcome": (
        "sum(f.surveyed) AS surveyed, sum(f.employed) AS employed, sum(f.employed_in_field) AS employed_in_field, "
        "sum(f.self_employed) AS self_employed, sum(f.further_study) AS further_study, sum(f.unemployed) AS unemployed, "
        "sum(f.median_monthly_wage * f.employed) AS wage_weighted"
    ),
    "placement": "sum(f.students_placed) AS students_placed, sum(f.hired) AS hired, count(DISTINCT f.employer_id) AS partners",
    "demand": "sum(f.openings) AS demand",
}


def _where(fact: str, filters: Filters) -> tuple[str, list]:
    dims = FACTS[fact][1]
    clauses, values = [], []
    if filters.year_from is not None:
        clauses.append(f"{dims['year']} >= ?")
        values.append(filters.year_from)
    if filters.year_to is not None:
        clauses.append(f"{dims['year']} <= ?")
        values.append(filters.year_to)
    for name, chosen in (
        ("region_code", filters.regions),
        ("sector_code", filters.sectors),
        ("institution_type", filters.institution_types),
        ("institution_id", filters.institutions),
        ("program_code", filters.programs),
    ):
        if chosen and name in dims:
            clauses.append(f"list_contains(?, {dims[name]})")
            values.append(list(chosen))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", values


def grouped(fact: str, by: Sequence[str], filters: Filters, measures: str | None = None) -> tuple[str, list]:
    """SQL and parameters of one filtered group-by of ``fact``."""
    source, dims = FACTS[fact]
    where, values = _where(fact, filters)
    keys = ", ".join(f"{dims[d]} AS {d}" for d in by)
    select = f"SELECT {keys + ', ' if keys else ''}{measures or MEASURES[fact]} FROM {source}{where}"
    return select + (f" GROUP BY {', '.join(dims[d] for d in by)}" if by else ""), values


def supply_demand(by: Sequence[str], filters: Filters) -> tuple[str, list]:
    """Supply against demand, full outer join on ``by``, with region and sector names."""
    supply, supply_values = grouped("enrolment", by, filters, "sum(f.graduates) AS supply")
    demand, demand_values = grouped("demand", by, filters)
    keys = ", ".join(by)
    names = ""
    if "region_code" in by:
        names += " LEFT JOIN regions r USING (region_code)"
    if "sector_code" in by:
        names += " LEFT JOIN sectors s USING (sector_code)"
    sql = (
        f"SELECT * FROM (SELECT {keys}, coalesce(supply, 0) AS supply, coalesce(demand, 0) AS demand "
        f"FROM ({supply}) FULL OUTER JOIN ({demand}) USING ({keys})){names}"
    )
    return sql, supply_values + demand_values


def not_linked(by: Sequence[str], filters: Filters) -> tuple[str, list]:
    """Graduates of programs without a sector (the generated data sets link every program: an empty result)."""
    sql, values = grouped("enrolment", by, filters, "sum(f.graduates) AS supply_not_linked")
    joiner = " AND" if " WHERE " in sql else " WHERE"
    return (
        sql.replace(" GROUP BY", f"{joiner} p.sector_code IS NULL GROUP BY") if by else sql + f"{joiner} p.sector_code IS NULL"
    ), values


def partners(filters: Filters) -> tuple[str, list]:
    """Placements per employer with the employer's details (the partner ranking and tenure)."""
    inner, values = grouped(
        "placement",
        ["employer_id"],
        filters,
        "sum(f.students_placed) AS students_placed, sum(f.hired) AS hired, count(DISTINCT f.year) AS years_hosting",
    )
    return (
        f"SELECT * FROM ({inner}) JOIN employers USING (employer_id) JOIN sectors USING (sector_code) "
        "JOIN regions USING (region_code) ORDER BY students_placed DESC",
        values,
    )


def capacity(filters: Filters) -> list[tuple[str, list]]:
    """Capacity of partners per year and sector, and placements at employers that state a capacity."""
    years, year_values = grouped("placement", ["year"], filters, "count(*) AS n")
    where, values = [], []
    if filters.regions:
        where.append("list_contains(?, m.region_code)")
        values.append(list(filters.regions))
    if filters.sectors:
        where.append("list_contains(?, m.sector_code)")
        values.append(list(filters.sectors))
    extra = "".join(" AND " + clause for clause in where)
    capacity_sql = (
        f"SELECT y.year, m.sector_code, count(*), sum(m.placement_capacity) FROM ({years}) y JOIN employers m "
        f"ON m.placement_capacity IS NOT NULL AND (m.partner_since IS NULL OR m.partner_since <= y.year){extra} "
        "GROUP BY y.year, m.sector_code"
    )
    placed, placed_values = grouped("placement", ["year", "sector_code"], filters, "sum(f.students_placed) AS students_placed")
    placed = placed.replace(
        " GROUP BY", (" AND" if " WHERE " in placed else " WHERE") + " m.placement_capacity IS NOT NULL GROUP BY"
    )
    return [(capacity_sql, year_values + values), (placed, placed_values)]


def statements(view: str, filters: Filters) -> list[tuple[str, list]]:
    """The DuckDB statements that compute what ``view`` shows for ``filters``."""
    by_view = {
        "supply_demand": lambda: [supply_demand(["year", "region_code", "sector_code"], filters)],
        "gaps_by_sector": lambda: [supply_demand(["sector_code"], filters)],
        "gaps_by_region_sector": lambda: [supply_demand(["region_code", "sector_code"], filters)],
        "supply_demand_trend": lambda: [supply_demand(["year"], filters)],
        "supply_not_linked": lambda: [not_linked(["year", "region_code"], filters)],
        "supply_not_linked_by_year": lambda: [not_linked(["year"], filters)],
        "crosswalk": lambda: [("SELECT program_code, program_name, sector_code FROM programs", [])],
        "overview": lambda: [
            supply_demand(["year"], filters),
            grouped("outcome", ["cohort_year"], filters),
            grouped("placement", ["year"], filters),
        ],
        "enrolment": lambda: [grouped("enrolment", ["year", "region_code", "sector_code", "institution_type"], filters)],
        "enrolment_trend": lambda: [grouped("enrolment", ["year"], filters)],
        "enrolment_trend_by_sector": lambda: [grouped("enrolment", ["year", "sector_code"], filters)],
        "enrolment_trend_by_region": lambda: [grouped("enrolment", ["year", "region_code"], filters)],
        "enrolment_trend_by_type": lambda: [grouped("enrolment", ["year", "institution_type"], filters)],
        "enrolment_by_institution": lambda: [grouped("enrolment", ["institution_id"], filters)],
        "programs": lambda: [
            grouped(
                "enrolment",
                ["program_code", "sector_code"],
                filters,
                "count(DISTINCT f.institution_id) AS institutions, sum(f.enrolled) AS enrolled, sum(f.graduates) AS graduates",
            ),
            grouped("enrolment", ["program_code"], filters.with_years((filters.year_to or 0) - 1, (filters.year_to or 0) - 1)),
        ],
        "placements": lambda: [grouped("placement", ["year", "region_code", "sector_code"], filters)],
        "placements_by_sector": lambda: [grouped("placement", ["sector_code"], filters)],
        "placements_by_region": lambda: [grouped("placement", ["region_code"], filters)],
        "placements_by_year": lambda: [grouped("placement", ["year"], filters)],
        "partners": lambda: [partners(filters)],
        "partnership_tenure": lambda: [partners(filters)],
        "capacity": lambda: capacity(filters),
        "placements_vs_gaps": lambda: [supply_demand(["sector_code"], filters), grouped("placement", ["sector_code"], filters)],
        "outcomes": lambda: [grouped("outcome", ["cohort_year", "region_code", "sector_code", "institution_type"], filters)],
        "outcomes_by_cohort": lambda: [grouped("outcome", ["cohort_year"], filters)],
        "outcomes_by_sector": lambda: [grouped("outcome", ["sector_code"], filters)],
        "outcomes_by_region": lambda: [grouped("outcome", ["region_code"], filters)],
        "outcomes_by_type": lambda: [grouped("outcome", ["institution_type"], filters)],
        "outcomes_by_institution": lambda: [grouped("outcome", ["institution_id"], filters)],
        "in_field_vs_coverage": lambda: [supply_demand(["sector_code"], filters), grouped("outcome", ["sector_code"], filters)],
        "effective_supply": lambda: [
            supply_demand(["region_code", "sector_code"], filters),
            grouped("outcome", ["region_code", "sector_code"], filters),
            grouped("outcome", ["sector_code"], filters),
        ],
        "effective_supply_by_sector": lambda: [
            supply_demand(["region_code", "sector_code"], filters),
            grouped("outcome", ["region_code", "sector_code"], filters),
            grouped("outcome", ["sector_code"], filters),
        ],
    }
    return by_view[view]()


class Reference:
    """An in-memory DuckDB database holding the CSV files of one data set."""

    def __init__(self, folder: Path) -> None:
        import duckdb  # only the benchmark needs it

        self.connection = duckdb.connect()
        started = time.perf_counter()
        for table in LOAD_ORDER:
            path = folder / f"{table}.csv"
            if path.exists():
                self.connection.execute(
                    f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header = true, all_varchar = false)", [str(path)]
                )
        self.load_seconds = time.perf_counter() - started

    def run(self, calls: Sequence[tuple[str, Filters]]) -> float:
        """Seconds to compute every (view, filters) of ``calls``, results fetched into Python."""
        started = time.perf_counter()
        for view, filters in calls:
            for sql, values in statements(view, filters):
                self.connection.execute(sql, values).fetchall()
        return time.perf_counter() - started
