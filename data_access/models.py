"""SQLModel tables: the contract tables, the load log and the summaries.

Column names and table names are exactly the contract's, so a CSV row maps to
a table row without renaming. Keys are the contract's keys; foreign keys and
indexes cover every column the queries join and filter on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Region(SQLModel, table=True):
    """A sub-region of the bureau's area."""

    __tablename__ = "regions"
    region_code: str = Field(primary_key=True)
    region_name: str


class Sector(SQLModel, table=True):
    """An industry sector (the sample uses the ISIC Rev.4 sections)."""

    __tablename__ = "sectors"
    sector_code: str = Field(primary_key=True)
    sector_name: str
    replacement_rate: float | None = None  # share of a year's employment that leaves and must be replaced
    expected_share: float | None = None  # share of the openings its vocational graduates are expected to fill (empty: 1)


class Institution(SQLModel, table=True):
    """A school or college; its region is where its graduates count as supply."""

    __tablename__ = "institutions"
    institution_id: str = Field(primary_key=True)
    institution_name: str
    region_code: str = Field(foreign_key="regions.region_code", index=True)
    institution_type: str = Field(index=True)


class Program(SQLModel, table=True):
    """A training program. Its graduates supply the sectors of its program_sectors rows in their
    shares, else wholly its own sector_code, else no sector (not linked)."""

    __tablename__ = "programs"
    program_code: str = Field(primary_key=True)
    program_name: str
    sector_code: str | None = Field(default=None, foreign_key="sectors.sector_code", index=True)
    level: str | None = None
    duration_years: int | None = None  # years from entry to graduation


class ProgramSector(SQLModel, table=True):
    """The share of a program's graduates that trains for one sector (a program's shares add up to 1)."""

    __tablename__ = "program_sectors"
    program_code: str = Field(primary_key=True, foreign_key="programs.program_code")
    sector_code: str = Field(primary_key=True, foreign_key="sectors.sector_code", index=True)
    share: float


class Employer(SQLModel, table=True):
    """A partner employer that hosts placements."""

    __tablename__ = "employers"
    employer_id: str = Field(primary_key=True)
    employer_name: str
    sector_code: str = Field(foreign_key="sectors.sector_code", index=True)
    region_code: str = Field(foreign_key="regions.region_code", index=True)
    partner_since: int | None = None
    placement_capacity: int | None = None


class Enrolment(SQLModel, table=True):
    """Enrolled students and graduates of one program at one institution in one year."""

    __tablename__ = "enrolments"
    __table_args__ = (Index("ix_enrolments_program_year", "program_code", "year"),)
    year: int = Field(primary_key=True)
    institution_id: str = Field(primary_key=True, foreign_key="institutions.institution_id", index=True)
    program_code: str = Field(primary_key=True, foreign_key="programs.program_code")
    enrolled: int | None = None  # empty: not published (completions only), unknown and never 0
    graduates: int
    entrants: int | None = None  # students who started the program at the institution that year


class Placement(SQLModel, table=True):
    """Students of one program and institution placed at one employer in one year."""

    __tablename__ = "placements"
    __table_args__ = (
        Index("ix_placements_employer_year", "employer_id", "year"),
        Index("ix_placements_program", "program_code"),
    )
    year: int = Field(primary_key=True)
    institution_id: str = Field(primary_key=True, foreign_key="institutions.institution_id", index=True)
    program_code: str = Field(primary_key=True, foreign_key="programs.program_code")
    employer_id: str = Field(primary_key=True, foreign_key="employers.employer_id")
    students_placed: int
    hired: int


class Outcome(SQLModel, table=True):
    """Survey of one graduating cohort of one program at one institution."""

    __tablename__ = "outcomes"
    __table_args__ = (Index("ix_outcomes_program_cohort", "program_code", "cohort_year"),)
    cohort_year: int = Field(primary_key=True)
    institution_id: str = Field(primary_key=True, foreign_key="institutions.institution_id", index=True)
    program_code: str = Field(primary_key=True, foreign_key="programs.program_code")
    surveyed: int
    employed: int
    employed_in_field: int
    self_employed: int
    further_study: int
    unemployed: int
    median_monthly_wage: float | None = None


class Demand(SQLModel, table=True):
    """Openings (and optionally employment) in one sector and region in one year."""

    __tablename__ = "demand"
    __table_args__ = (Index("ix_demand_sector_year", "sector_code", "year"),)
    year: int = Field(primary_key=True)
    region_code: str = Field(primary_key=True, foreign_key="regions.region_code", index=True)
    sector_code: str = Field(primary_key=True, foreign_key="sectors.sector_code")
    openings: int | None = None
    employment: int | None = None


class LoadLog(SQLModel, table=True):
    """One change of the data: a load, or the undoing of one. Its id is the data version it produced."""

    __tablename__ = "load_log"
    id: int | None = Field(default=None, primary_key=True)
    loaded_at: datetime
    loaded_by: str
    mode: str  # "upsert", "replace" or "undo"
    files: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of file names
    row_counts: str = Field(sa_column=Column(Text, nullable=False))  # JSON {table: {rows, added, updated, removed}}
    checksum: str  # SHA-256 over the loaded files' names and bytes, in load order
    undoes: int | None = None  # for an undo: the version it took back
    undone_by: int | None = None  # for a load: the undo that took it back


class LoadUndo(SQLModel, table=True):
    """What one load changed in one table, kept so that the load can be undone exactly:
    the rows it overwrote or removed, and the keys it added (gzip-compressed JSON)."""

    __tablename__ = "load_undo"
    load_id: int = Field(sa_column=Column(Integer, ForeignKey("load_log.id"), primary_key=True))
    table_name: str = Field(primary_key=True)
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class LoadLock(SQLModel, table=True):
    """A single row that every change of the data updates first, so that two loads never interleave."""

    __tablename__ = "load_lock"
    id: int = Field(primary_key=True)
    holder: str | None = None
    since: datetime | None = None


class SignInCount(SQLModel, table=True):
    """Wrong passwords counted for one limit of the editor sign-in, shared by every app process: per name as
    typed, per client address, and one row for everyone; after a few the limit makes attempts wait
    (data_access/sign_in.py). Names and addresses are kept only as digests."""

    __tablename__ = "sign_in_counts"
    scope: str = Field(primary_key=True)  # "name", "address" or "everyone"
    digest: str = Field(primary_key=True)  # SHA-256 of the name or of the address as counted; "" for everyone
    failures: int
    last_failure: datetime
    locked_until: datetime | None = None  # no attempt this limit holds before then
    signed_in_at: datetime | None = None  # address rows: an editor's last right password from that address


class SavedScenario(SQLModel, table=True):
    """One saved version of a named intake scenario (its changes as the scenario CSV's rows, in JSON)."""

    __tablename__ = "scenarios"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_scenarios_name_version"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str
    version: int
    saved_at: datetime
    saved_by: str
    changes: str = Field(sa_column=Column(Text, nullable=False))


CONTRACT_MODELS: dict[str, type[SQLModel]] = {
    model.__tablename__: model
    for model in (Region, Sector, Institution, Program, ProgramSector, Employer, Enrolment, Placement, Outcome, Demand)
}


# --- summaries ------------------------------------------------------------------------------
# Sums of the fact tables at the grain the sidebar's filters need, rebuilt inside the
# transaction of every load and undo (data_access/summaries.py), so that the views read
# thousands of rows instead of millions. Region and sector are the institution's and the
# program's (of a placement: the employer's), as in the views. Summaries of enrolments and
# outcomes that keep the sector hold counts weighted by the program's sector shares (so they
# may be fractional), with "" as the sector of programs that are not linked; the ones without
# the sector hold exact whole counts, as BIGINT: a count fits the 32-bit INTEGER of the contract
# tables (validation refuses a larger one), but a sum of a few such counts does not, and
# PostgreSQL's INTEGER is 32 bits where SQLite's is 64. Numbers of rows (entrants_missing,
# enrolled_missing, institutions, partners) stay INTEGER.


class SummaryEnrolment(SQLModel, table=True):
    """Enrolled, graduates and entrants per year, region, sector (by share) and institution type."""

    __tablename__ = "summary_enrolments"
    year: int = Field(primary_key=True)
    region_code: str = Field(primary_key=True)
    sector_code: str = Field(primary_key=True)
    institution_type: str = Field(primary_key=True)
    enrolled: float | None = None
    graduates: float
    entrants: float | None = None
    entrants_missing: int  # rows without entrants: the sum of entrants is then incomplete
    enrolled_missing: int  # rows without enrolled: the sum of enrolled is then incomplete


class SummaryEnrolmentBySector(SQLModel, table=True):
    """Enrolled, graduates and entrants per year, sector (by share) and institution type (all regions)."""

    __tablename__ = "summary_enrolments_by_sector"
    year: int = Field(primary_key=True)
    sector_code: str = Field(primary_key=True)
    institution_type: str = Field(primary_key=True)
    enrolled: float | None = None
    graduates: float
    entrants: float | None = None
    entrants_missing: int  # rows without entrants: the sum of entrants is then incomplete
    enrolled_missing: int  # rows without enrolled: the sum of enrolled is then incomplete


class SummaryEnrolmentByRegion(SQLModel, table=True):
    """Enrolled, graduates and entrants per year, region and institution type (every program, exact)."""

    __tablename__ = "summary_enrolments_by_region"
    year: int = Field(primary_key=True)
    region_code: str = Field(primary_key=True)
    institution_type: str = Field(primary_key=True)
    enrolled: int | None = Field(default=None, sa_type=BigInteger)
    graduates: int = Field(sa_type=BigInteger)
    entrants: int | None = Field(default=None, sa_type=BigInteger)
    entrants_missing: int
    enrolled_missing: int


class SummaryOutcome(SQLModel, table=True):
    """Outcome counts per cohort, region, sector (by share) and institution type, with the wage sums
    the employment-weighted wage needs."""

    __tablename__ = "summary_outcomes"
    cohort_year: int = Field(primary_key=True)
    region_code: str = Field(primary_key=True)
    sector_code: str = Field(primary_key=True)
    institution_type: str = Field(primary_key=True)
    surveyed: float
    employed: float
    employed_in_field: float
    self_employed: float
    further_study: float
    unemployed: float
    wage_x_employed: float
    employed_with_wage: float


class SummaryOutcomeBySector(SQLModel, table=True):
    """Outcome counts per cohort, sector (by share) and institution type (all regions)."""

    __tablename__ = "summary_outcomes_by_sector"
    cohort_year: int = Field(primary_key=True)
    sector_code: str = Field(primary_key=True)
    institution_type: str = Field(primary_key=True)
    surveyed: float
    employed: float
    employed_in_field: float
    self_employed: float
    further_study: float
    unemployed: float
    wage_x_employed: float
    employed_with_wage: float


class SummaryOutcomeByRegion(SQLModel, table=True):
    """Outcome counts per cohort, region and institution type (every program, exact)."""

    __tablename__ = "summary_outcomes_by_region"
    cohort_year: int = Field(primary_key=True)
    region_code: str = Field(primary_key=True)
    institution_type: str = Field(primary_key=True)
    surveyed: int = Field(sa_type=BigInteger)
    employed: int = Field(sa_type=BigInteger)
    employed_in_field: int = Field(sa_type=BigInteger)
    self_employed: int = Field(sa_type=BigInteger)
    further_study: int = Field(sa_type=BigInteger)
    unemployed: int = Field(sa_type=BigInteger)
    wage_x_employed: float
    employed_with_wage: int = Field(sa_type=BigInteger)


class SummaryPlacement(SQLModel, table=True):
    """Students placed and hired per year, host region and sector (the employer's) and institution type."""

    __tablename__ = "summary_placements"
    year: int = Field(primary_key=True)
    region_code: str = Field(primary_key=True)
    sector_code: str = Field(primary_key=True)
    institution_type: str = Field(primary_key=True)
    students_placed: int = Field(sa_type=BigInteger)
    hired: int = Field(sa_type=BigInteger)


class SummaryPlacementBySector(SQLModel, table=True):
    """Students placed and hired per year, host sector and institution type (all regions)."""

    __tablename__ = "summary_placements_by_sector"
    year: int = Field(primary_key=True)
    sector_code: str = Field(primary_key=True)
    institution_type: str = Field(primary_key=True)
    students_placed: int = Field(sa_type=BigInteger)
    hired: int = Field(sa_type=BigInteger)


class SummaryPartnerYear(SQLModel, table=True):
    """Students placed and hired per employer and year, with the employer's region and sector:
    counts distinct partners, ranks partners and measures capacity use without the placement rows."""

    __tablename__ = "summary_partner_years"
    __table_args__ = (Index("ix_summary_partner_years_sector_region", "sector_code", "region_code"),)
    year: int = Field(primary_key=True)
    employer_id: str = Field(primary_key=True)
    region_code: str
    sector_code: str
    students_placed: int = Field(sa_type=BigInteger)
    hired: int = Field(sa_type=BigInteger)


class SummaryDemandBySector(SQLModel, table=True):
    """Openings (stated or estimated), how many cells are estimates and how many are unknown, per year and
    sector (all regions). ``openings`` sums the known openings only (empty when none is known), so a figure
    read from it is whole only where ``openings_missing`` is 0: the routing answers ``CountMissing("openings")``
    from that count, exactly as from the rows."""

    __tablename__ = "summary_demand_by_sector"
    year: int = Field(primary_key=True)
    sector_code: str = Field(primary_key=True)
    openings: float | None = None
    openings_missing: int  # rows of the group whose openings are unknown (an estimate without the years it needs)
    estimated: int


class SummaryPartner(SQLModel, table=True):
    """Per partner employer over all years: the years it hosted students (bit ``year - 1990`` of
    ``years_mask``; empty when a year is past 2052), and its totals. Counts the distinct partners of
    any span of years, and ranks partners without the per-year rows when the span holds all its years."""

    __tablename__ = "summary_partners"
    employer_id: str = Field(primary_key=True)
    region_code: str
    sector_code: str
    years_mask: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    years_hosting: int
    students_placed: int = Field(sa_type=BigInteger)
    hired: int = Field(sa_type=BigInteger)


class SummaryPartnerCount(SQLModel, table=True):
    """Distinct partner employers per year, host region and sector (additive over regions and
    sectors, since an employer has one of each)."""

    __tablename__ = "summary_partner_counts"
    year: int = Field(primary_key=True)
    region_code: str = Field(primary_key=True)
    sector_code: str = Field(primary_key=True)
    partners: int


class SummaryProgram(SQLModel, table=True):
    """Per year and program: institutions teaching it (one enrolment row each), enrolled, graduates, entrants."""

    __tablename__ = "summary_programs"
    year: int = Field(primary_key=True)
    program_code: str = Field(primary_key=True)
    institutions: int
    enrolled: int | None = Field(default=None, sa_type=BigInteger)
    graduates: int = Field(sa_type=BigInteger)
    entrants: int | None = Field(default=None, sa_type=BigInteger)
    entrants_missing: int
    enrolled_missing: int


class ProgramShare(SQLModel, table=True):
    """Every program's sectors and shares as the views use them (rebuilt with the summaries): its
    program_sectors rows, else its own sector with share 1, else the sector "" (not linked) with share 1."""

    __tablename__ = "program_sector_shares"
    program_code: str = Field(primary_key=True)
    sector_code: str = Field(primary_key=True)
    share: float


class DemandOpenings(SQLModel, table=True):
    """Openings per year, region and sector as the views use them (rebuilt with the summaries): the row's
    openings where it states them, else estimated from its employment by the formula of contract version 3
    (data_access/summaries.py): max(0, E(t) - E(t-1) + rate x E(t-1)), the net change plus replacement floored
    at 0 as a whole, where E is employment (with the stored ``employment_smoothing`` of k years, its mean over
    the k years up to that year) and rate the sector's replacement rate or the default. In the first year of a
    series, or after a gap (no employment for the year before, or for one of the years a mean needs), the
    estimate is unknown: ``openings`` is empty, never 0 or rate x employment."""

    __tablename__ = "demand_openings"
    year: int = Field(primary_key=True)
    region_code: str = Field(primary_key=True)
    sector_code: str = Field(primary_key=True)
    openings: float | None = None  # empty: estimated from employment, but unknown (first year of a series, or a gap)
    estimated: int  # 1 when estimated from employment (known or not), 0 when stated
    # rate x E(t-1) of a known estimate (before the floor); 0 when stated; empty when unknown
    replacement_part: float | None = None
    employment_change: float | None = None  # E(t) - E(t-1) of a known estimate; empty when stated or unknown


class UnknownCell(SQLModel, table=True):
    """A cell a published file suppressed (``c``, ``low``, ``x`` ...): its row is not loaded, and every figure it
    would belong to says that it includes unknown cells. Kept per load, so undoing the load takes them back."""

    __tablename__ = "unknown_cells"
    id: int | None = Field(default=None, primary_key=True)
    load_id: int = Field(sa_column=Column(Integer, ForeignKey("load_log.id"), nullable=False, index=True))
    table_name: str
    year: int
    region_code: str
    sector_code: str | None = None
    program_code: str | None = None
    institution_id: str | None = None
    column_name: str
    marker: str
    source_file: str
    source_line: int


class ImportRecord(SQLModel, table=True):
    """What an import recipe did in one load: its title and its report (JSON): per published file the rows read,
    kept and not loaded, the filters, the rounding the file states and the suppressed cells by column; the area
    names matched, through which alias, and those that matched nothing; the academic-year labels."""

    __tablename__ = "imports"
    load_id: int = Field(sa_column=Column(Integer, ForeignKey("load_log.id"), primary_key=True))
    title: str
    report: str = Field(sa_column=Column(Text, nullable=False))  # JSON


class RegionShape(SQLModel, table=True):
    """The boundary of a region (a GeoJSON geometry in longitude and latitude), as loaded by one load: the newest
    load not undone gives a region its shape."""

    __tablename__ = "region_shapes"
    load_id: int = Field(sa_column=Column(Integer, ForeignKey("load_log.id"), primary_key=True))
    region_code: str = Field(primary_key=True)
    geometry: str = Field(sa_column=Column(Text, nullable=False))
    source_crs: str


class StoredSetting(SQLModel, table=True):
    """A setting of how figures are computed that is kept with the data (data_access/stored_settings.py): every
    user, the command line and the snapshot compute alike. An editor changes one on the Data page as a change of
    the data, recorded in the load history and undoable like a load; a setting without a row has its default."""

    __tablename__ = "stored_settings"
    name: str = Field(primary_key=True)
    value: str
