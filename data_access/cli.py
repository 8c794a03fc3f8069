"""Command line: ``python -m data_access validate|load|export`` (see README)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import migrate, queries, recipes
from .contract import LOAD_ORDER
from .filters import Filters
from .i18n import DEFAULT_LANGUAGE, LANGUAGES
from .loading import load_history, load_paths, undo_load, validate_for_load
from .messages import Message, echoed
from .planning import CHOICES, GROUPS, PlanningSettings, horizon_problem, last_demand_year, project, read_scenario, totals
from .settings import get_settings
from .snapshot import build_snapshot, csv_bytes
from .store import StoreError, database_name, first_line, get_engine, is_read_only, make_engine, resolve_url
from .validation import collect_sources
from .workbook_export import build_workbook


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-command per contract command."""
    parser = argparse.ArgumentParser(prog="python -m data_access", description="Load, check and export dashboard data.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="URL", help="SQLAlchemy database URL (default: DATABASE_URL, else the embedded SQLite database)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", parents=[common], help="check files only; exit 1 if any problem")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="CSV files or folders of them")
    validate.add_argument("--replace", action="store_true", help="check as for a replacing load (stored rows do not count)")

    load = commands.add_parser("load", parents=[common], help="validate then load all-or-nothing")
    load.add_argument("paths", nargs="+", metavar="PATH", help="CSV files or folders of them")
    load.add_argument("--replace", action="store_true", help="empty every table first (still all-or-nothing)")
    load.add_argument("--user", help="who is loading, for the load log (default: the login name)")

    recipe = commands.add_parser(
        "import", parents=[common], help="turn published tables into contract tables by a recipe (TOML), then validate and load"
    )
    recipe.add_argument("recipe", metavar="RECIPE", help="the recipe file; the files it names are read from its folder")
    recipe.add_argument("--check", action="store_true", help="run the recipe and validate only; load nothing")
    recipe.add_argument("--replace", action="store_true", help="empty every table first (still all-or-nothing)")
    recipe.add_argument("--user", help="who is loading, for the load log (default: the login name)")

    export = commands.add_parser(
        "export", parents=[common], help="write the snapshot zip (or the Excel workbook of it) for the filters"
    )
    export.add_argument(
        "--out", required=True, metavar="FILE.zip", help="where to write the zip; a name ending in .xlsx writes an Excel workbook"
    )
    export.add_argument("--from", dest="year_from", type=int, metavar="YEAR", help="first year (default: all)")
    export.add_argument("--to", dest="year_to", type=int, metavar="YEAR", help="last year (default: all)")
    export.add_argument("--region", action="append", default=[], metavar="CODE", help="a region code; repeat for several")
    export.add_argument("--sector", action="append", default=[], metavar="CODE", help="a sector code; repeat for several")
    export.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        default=DEFAULT_LANGUAGE,
        help="language of the manifest's column_labels and of the workbook's headings (CSV headers stay the contract's names)",
    )
    export.add_argument(
        "--hide-below",
        type=int,
        metavar="N",
        help="small-number protection: show counts below N as <N and blank what is computed from them",
    )
    project = commands.add_parser(
        "project", parents=[common], help="write projected openings, graduates and gaps per year, region and sector to a CSV"
    )
    project.add_argument("--to", dest="to_year", type=int, required=True, metavar="YEAR", help="the last year to project")
    project.add_argument(
        "--method",
        choices=CHOICES,
        default="auto",
        help="how openings are projected: auto (per cell, the best on its own past), trend, cagr or ets",
    )
    project.add_argument(
        "--scenario",
        metavar="FILE.csv",
        help="intake changes: program_code, region_code (empty = every region), from_year, change",
    )
    project.add_argument("--region", action="append", default=[], metavar="CODE", help="a region code; repeat for several")
    project.add_argument("--sector", action="append", default=[], metavar="CODE", help="a sector code; repeat for several")
    project.add_argument(
        "--by",
        choices=tuple(GROUPS),
        default="cell",
        help="one row per year and region and sector (cell, the default), sector, region or total: demand and supply "
        "of the measured cells, the 80%% interval of that total of openings, gap and coverage_ratio",
    )
    project.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the CSV")
    export.add_argument(
        "--project-to",
        type=int,
        metavar="YEAR",
        help="the last year of projections.csv (default: three years after the last year of demand data)",
    )
    export.add_argument("--method", choices=CHOICES, default="auto", help="how projections.csv projects openings")
    export.add_argument("--scenario", metavar="FILE.csv", help="intake changes for projections.csv (written as scenario.csv)")
    undo = commands.add_parser("undo", parents=[common], help="take back the latest load, restoring the data before it")
    undo.add_argument("--version", type=int, metavar="N", help="the version to undo (must be the latest load not yet undone)")
    undo.add_argument("--user", help="who is undoing, for the load log (default: the login name)")

    commands.add_parser("history", parents=[common], help="list every load and undo, newest first")
    commands.add_parser("migrate", parents=[common], help="bring the database schema to this release's version")
    commands.add_parser(
        "hash-password",
        help="print a salted hash of a password (asked for, or read from standard input) "
        "for the local editor sign-in in .streamlit/secrets.toml",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 problems, 2 usage)."""
    args = build_parser().parse_args(argv)
    if args.command == "hash-password":
        return _hash_password()
    try:
        if args.command == "migrate":
            return _migrate(make_engine(resolve_url(args.db)[0]))
        engine = get_engine(args.db)
        if args.command == "validate":
            return _validate(engine, args)
        if args.command == "load":
            return _load(engine, args)
        if args.command == "import":
            return _import(engine, args)
        if args.command == "undo":
            return _undo(engine, args)
        if args.command == "history":
            return _history(engine)
        if args.command == "migrate":
            return _migrate(engine)
        if args.command == "project":
            return _project(engine, args)
        return _export(engine, args)
    except (StoreError, SQLAlchemyError, OSError) as error:
        print(f"error: {first_line(error)}", file=sys.stderr)
        return 1
    except Exception as error:  # a bug of ours, or out of memory: still one line for the user, never a traceback
        kind, detail = type(error).__name__, first_line(error)
        print(f"error: unexpected {kind}{'' if detail == kind else ': ' + detail} (please report this)", file=sys.stderr)
        return 1


def _validate(engine, args) -> int:
    sources, read_problems, read_warnings = collect_sources(args.paths)
    result = validate_for_load(engine, sources, replace=args.replace, max_problems=get_settings().max_problems)
    result.warnings[:0] = read_warnings
    for problem in read_problems:
        print(problem)
    for line in result.report_lines():
        print(line)
    problems = result.problem_count + len(read_problems)
    if problems:
        print(f"{problems} problem(s) in {len(sources)} file(s); nothing would be loaded.", file=sys.stderr)
        return 1
    rows = sum(result.table_rows().values())
    print(f"OK: {len(sources)} file(s), {rows} rows, no problems.")
    return 0


def _load(engine, args) -> int:
    if is_read_only(engine):
        print(f"error: {Message('load_undo.read_only', database=database_name(engine))}", file=sys.stderr)
        return 1
    outcome = load_paths(engine, args.paths, replace=args.replace, loaded_by=args.user, max_problems=get_settings().max_problems)
    for line in outcome.validation.report_lines():
        print(line)
    if outcome.nothing_to_load:
        with Session(engine) as session:
            print(Message("load_undo.nothing_to_load", version=queries.current_data_version(session)))
        return 0
    if not outcome.ok:
        print(f"{outcome.validation.problem_count} problem(s); nothing was loaded.", file=sys.stderr)
        return 1
    for line in outcome.summary_lines():
        print(line)
    print(f"Loaded. Data version is now {outcome.data_version}.")
    return 0


def _import(engine, args) -> int:
    path = Path(args.recipe)
    if not path.is_file():
        print(f"{path}:0: -: {Message('validation.no_such_path')}", file=sys.stderr)
        return 1
    if not args.check and is_read_only(engine):
        print(f"error: {Message('load_undo.read_only', database=database_name(engine))}", file=sys.stderr)
        return 1
    run = recipes.run_recipe(recipes.read_recipe(path), path.name, recipes.folder_opener(path), recipes.stored_names_of(engine))
    for report_line in recipes.report_lines(run.report):
        print(report_line)
    outcome = recipes.import_recipe(
        engine, run, replace=args.replace, check=args.check, loaded_by=args.user, max_problems=get_settings().max_problems
    )
    for line in outcome.validation.report_lines():
        print(line)
    if outcome.validation.problem_count:
        print(f"{outcome.validation.problem_count} problem(s); nothing was loaded.", file=sys.stderr)
        return 1
    if args.check:
        rows = sum(outcome.validation.table_rows().values())
        print(f"OK: {rows} rows from {len(run.sources)} table(s), no problems; nothing loaded (--check).")
        return 0
    if outcome.nothing_to_load:
        with Session(engine) as session:
            print(Message("load_undo.nothing_to_load", version=queries.current_data_version(session)))
        return 0
    for line in outcome.summary_lines():
        print(line)
    print(f"Loaded. Data version is now {outcome.data_version}.")
    return 0


def _undo(engine, args) -> int:
    outcome = undo_load(engine, args.version, undone_by=args.user)
    if not outcome.ok:
        print(f"error: {outcome.problem}", file=sys.stderr)
        return 1
    for table in LOAD_ORDER:
        if table in outcome.counts:
            count = outcome.counts[table]
            print(f"{table}: {count['restored']} rows restored, {count['removed']} rows removed")
    print(f"Undid version {outcome.undone}. Data version is now {outcome.data_version}.")
    return 0


def _history(engine) -> int:
    for entry in load_history(engine):
        # A load counts the rows of its files; an undo the rows it took away and put back.
        counts = entry["row_counts"].values()
        if entry["mode"] == "undo":
            rows = sum(c.get("removed", 0) + c.get("restored", 0) for c in counts)
        else:
            rows = sum(c.get("rows", 0) for c in counts)
        note = (
            f"undoes {entry['undoes']}" if entry["undoes"] else (f"undone by {entry['undone_by']}" if entry["undone_by"] else "")
        )
        print(
            f"{entry['data_version']:>5}  {entry['loaded_at']:%Y-%m-%d %H:%M}  {entry['mode']:<8} {entry['loaded_by']:<16} "
            f"{rows:>9,} rows  {', '.join(entry['files'])}  {note}".rstrip()
        )
    return 0


def _hash_password() -> int:
    import getpass

    from .passwords import hash_password

    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        print("error: use a password of at least 8 characters", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


def _migrate(engine) -> int:
    before, after = migrate.upgrade(engine)
    print(f"Schema at version {after}" + (f" (was {before or 'empty'})." if before != after else " (already current)."))
    return 0


def _export(engine, args) -> int:
    if args.year_from is not None and args.year_to is not None and args.year_from > args.year_to:
        print(f"error: --from {args.year_from} is after --to {args.year_to}", file=sys.stderr)
        return 2
    if args.hide_below is not None and not 2 <= args.hide_below <= 100:
        print(f"error: --hide-below must be between 2 and 100, not {args.hide_below}", file=sys.stderr)
        return 2
    filters = Filters(args.year_from, args.year_to, tuple(args.region), tuple(args.sector))
    scenario: list = []
    if args.scenario:
        scenario, problems = read_scenario(Path(args.scenario).read_bytes(), Path(args.scenario).name)
        if problems:
            for problem in problems:
                print(problem)
            print(f"{len(problems)} problem(s) in {args.scenario}; nothing was exported.", file=sys.stderr)
            return 1
    plan = PlanningSettings(args.project_to, args.method, tuple(scenario))
    with Session(engine) as session:
        unknown = _unknown_codes(session, filters)
        if unknown:
            print(f"error: {unknown}", file=sys.stderr)
            return 2
        if args.project_to is not None and not _horizon_allowed(session, "--project-to", args.project_to, filters):
            return 2
        build = build_workbook if args.out.lower().endswith(".xlsx") else build_snapshot
        archive = build(session, filters=filters, hide_below=args.hide_below, language=args.lang, plan=plan)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(archive)
    print(f"Wrote {out} ({len(archive):,} bytes) for {filters.describe()}.")
    return 0


def _unknown_codes(session: Session, filters: Filters) -> str | None:
    """Words naming filter codes the database does not hold (a typo would export nothing)."""
    problems = []
    for flag, chosen, known in (
        ("--region", filters.regions, queries.list_regions(session)["region_code"]),
        ("--sector", filters.sectors, queries.list_sectors(session)["sector_code"]),
    ):
        missing = sorted(set(chosen) - set(known))
        if missing:
            listed = ", ".join(list(known)[:20]) + (", …" if len(known) > 20 else "")
            problems.append(f"unknown {flag} {', '.join(map(echoed, missing))} (known: {listed})")
    return "; ".join(problems) or None


def _horizon_allowed(session: Session, flag: str, to_year: int, filters: Filters) -> bool:
    """Whether ``to_year`` may end a projection for the filters' regions and sectors; if not, says why."""
    problem = horizon_problem(to_year, last_demand_year(session, filters.with_years(None, None)))
    if problem is not None:
        print(f"error: {flag} {to_year}: {problem}", file=sys.stderr)
    return problem is None


def _project(engine, args) -> int:
    scenario: list = []
    if args.scenario:
        scenario, problems = read_scenario(Path(args.scenario).read_bytes(), Path(args.scenario).name)
        if problems:
            for problem in problems:
                print(problem)
            print(f"{len(problems)} problem(s) in {args.scenario}; nothing was projected.", file=sys.stderr)
            return 1
    filters = Filters(regions=tuple(args.region), sectors=tuple(args.sector))
    with Session(engine) as session:
        unknown = _unknown_codes(session, filters)
        if unknown:
            print(f"error: {unknown}", file=sys.stderr)
            return 2
        if not _horizon_allowed(session, "--to", args.to_year, filters):
            return 2
        programs = set(queries.crosswalk(session)["program_code"])
        strangers = sorted({change.program_code for change in scenario} - programs)
        if strangers:
            print(f"error: unknown program_code in {args.scenario}: {', '.join(map(echoed, strangers))}", file=sys.stderr)
            return 1
        projection = project(session, to_year=args.to_year, method=args.method, filters=filters, scenario=scenario)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = projection.rows if args.by == "cell" else totals(projection, args.by)
    out.write_bytes(csv_bytes(rows))
    last = projection.assumptions["last_demand_year"]
    if projection.rows.empty:
        reason = (
            "there is no demand data" if last is None else f"{args.to_year} is not after {last}, the last year of demand data"
        )
        print(f"Wrote {out} with no rows: {reason}.", file=sys.stderr)
        return 0
    print(
        f"Wrote {out} ({len(rows):,} rows: {last + 1}–{args.to_year}, method {args.method}"
        + (f", {len(scenario)} scenario change(s)" if scenario else "")
        + ")."
    )
    unknown = projection.assumptions["not_projected"]
    if unknown["demand_cells"] or unknown["supply_cells"]:
        print(
            f"Not projected (their region does not report in the last year of the table): openings of "
            f"{unknown['demand_cells']:,} cell(s), graduates of {unknown['supply_cells']:,}; their gaps are empty."
        )
    if unknown["one_known_year_cells"] or unknown["no_known_year_cells"]:
        print(
            f"Not projected (too little history, see demand_not_projected): openings of "
            f"{unknown['one_known_year_cells']:,} cell(s) known in one year only and {unknown['no_known_year_cells']:,} "
            "known in no year; their gaps are empty."
        )
    return 0
