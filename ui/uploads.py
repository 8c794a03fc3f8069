"""What the Data page shows about uploaded files and loads, as plain data (no Streamlit).

Uploaded files become the same ``Source`` objects the command line reads from
disk, so the browser gets exactly the validation, the messages and the
all-or-nothing load of ``python -m data_access load``. Texts come in
``language``; without one, in the interface language of the session (English
outside the app).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from data_access.contract import LOAD_ORDER, TABLES
from data_access.excel import is_workbook, workbook_to_csv
from data_access.i18n import DEFAULT_LANGUAGE, translate
from data_access.messages import Message, in_language
from data_access.validation import Problem, Source, ValidationResult, decode_text

BY_FILE_NAME = "by file name"  # the table choice that lets the file's name say its table
TABLE_CHOICES = (BY_FILE_NAME, *LOAD_ORDER)
PROBLEM_COLUMNS = ["file", "line", "column", "problem"]
PREVIEW_ROWS = 10


@dataclass(frozen=True)
class UploadedTable:
    """One uploaded file and the table the planner chose for it (``BY_FILE_NAME`` lets its name decide)."""

    name: str
    data: bytes
    choice: str = BY_FILE_NAME

    @property
    def table(self) -> str | None:
        """The contract table this file will be loaded into, or None while its name names none."""
        if self.choice != BY_FILE_NAME:
            return self.choice
        return table_named_by(self.name)

    def as_source(self) -> Source:
        """The file as validation and loading read it."""
        hint = None if self.choice == BY_FILE_NAME else self.choice
        return Source(self.name, self.data, table_hint=hint)


def _language(language: str | None) -> str:
    """``language``, else the session's interface language inside the app, else English."""
    if language is not None:
        return language
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return DEFAULT_LANGUAGE
    from ui.i18n import current_language

    return current_language()


def message_text(message: str, language: str | None = None) -> str:
    """A validation, load or undo message (or a Problem's ``FILE:LINE: COLUMN: message``) in ``language``."""
    if isinstance(message, Problem):
        return message.text(_language(language))
    return in_language(message, _language(language))


def table_named_by(file_name: str) -> str | None:
    """The contract table a file name names ("Enrolments.CSV" and "enrolments.xlsx" name enrolments), else None."""
    stem = Path(file_name).stem.strip().lower()
    return stem if stem in TABLES else None


def describe_choice(choice: str, file_name: str, language: str | None = None) -> str:
    """How a table choice reads in the picker next to ``file_name`` (a table shows by its contract name)."""
    if choice != BY_FILE_NAME:
        return choice
    named = table_named_by(file_name)
    language = _language(language)
    return translate(language, "uploads.by_file_name", table=named) if named else translate(language, "uploads.choose_table")


def unmapped_files(uploads: Iterable[UploadedTable]) -> list[str]:
    """Names of the files whose table is still unknown; they must be mapped before checking."""
    return [upload.name for upload in uploads if upload.table is None]


def sources_for(uploads: Iterable[UploadedTable]) -> list[Source]:
    """The uploads as ``Source`` objects for ``validate_for_load`` and ``load_sources``."""
    return [upload.as_source() for upload in uploads]


def uploads_fingerprint(uploads: Sequence[UploadedTable], *, replace: bool) -> str:
    """A digest of the files, their table choices and the load mode: a check is only valid for these."""
    digest = hashlib.sha256(b"replace" if replace else b"upsert")
    for upload in uploads:
        for part in (upload.name.encode("utf-8"), upload.choice.encode("utf-8"), hashlib.sha256(upload.data).digest()):
            digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def preview_frame(
    upload: UploadedTable, rows: int = PREVIEW_ROWS, language: str | None = None
) -> tuple[pd.DataFrame | None, Message | None]:
    """The header and first ``rows`` data rows of a file as text cells, decoded as validation decodes it.

    Returns ``(frame, None)`` or ``(None, why it cannot be shown)``, the why a ``Message`` (show it with
    ``message_text``); validation gives the precise problem. Unnamed columns are named in ``language``.
    """
    data = upload.data
    if is_workbook(upload.name):
        # Only the rows shown are read: a preview of a large workbook costs what a small one does.
        data, problem = workbook_to_csv(upload.data, upload.table or Path(upload.name).stem.strip().lower(), rows=rows + 1)
        if data is None:
            return None, problem[2]
    text, reason = decode_text(data)
    if text is None:
        return None, reason
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), strict=True):
            if any(cell.strip() for cell in record):
                records.append(record)
            if len(records) > rows:
                break
    except csv.Error as error:
        if not records:
            return None, Message("uploads.not_csv", error=str(error))
    if not records:
        return None, Message("uploads.empty")
    width = max(len(record) for record in records)
    header = _unique_names(records[0] + [""] * (width - len(records[0])), _language(language))
    body = [record + [""] * (width - len(record)) for record in records[1:]]
    return pd.DataFrame(body, columns=header, dtype="string"), None


def _unique_names(names: list[str], language: str) -> list[str]:
    """Header cells as column titles a table can show: blanks named, repeats numbered."""
    seen: dict[str, int] = {}
    unique = []
    for position, raw in enumerate(names, start=1):
        name = raw.strip().lstrip("\ufeff") or translate(language, "uploads.unnamed_column", position=position)
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def problems_frame(problems: Iterable[Problem], language: str | None = None) -> pd.DataFrame:
    """Problems as a table with columns file, line, column, problem (line 0 = the file as a whole), in the
    order of the files and their lines, so that a file's problems read top to bottom like the spreadsheet.
    The problem (and a file that is not one, "(database)") is worded in ``language``."""
    language = _language(language)
    frame = pd.DataFrame(
        [(in_language(p.file, language), p.line, p.column, in_language(p.message, language)) for p in problems],
        columns=PROBLEM_COLUMNS,
    )
    order = sorted(range(len(frame)), key=lambda i: (frame.at[i, "file"], frame.at[i, "line"]))  # stable
    return frame.iloc[order].reset_index(drop=True).astype({"line": "int64"})


def rows_per_table(result: ValidationResult) -> pd.DataFrame:
    """Rows ready to load per table, in load order: columns table, rows."""
    counted = result.table_rows()
    counts = [(table, counted[table]) for table in LOAD_ORDER if table in counted]
    return pd.DataFrame(counts, columns=["table", "rows"])


def rows_to_load(result: ValidationResult) -> int:
    """How many rows a load of these checked files writes."""
    return sum(result.table_rows().values())


def load_label(result: ValidationResult, *, replace: bool = False, language: str | None = None) -> str:
    """The label of the button that loads checked files: "Load 1,234 rows", or with ``replace``
    "Replace all data with 1,234 rows"."""
    rows = rows_to_load(result)
    key = ("uploads.replace_" if replace else "uploads.load_") + ("one" if rows == 1 else "many")
    return translate(_language(language), key, rows=f"{rows:,}")


def change_counts_frame(counts: Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    """Per table what a load or an undo did: columns table and rows added, updated and removed (a load), or
    removed and restored (an undo)."""
    records = []
    for table in LOAD_ORDER:
        if table in counts:
            count = counts[table]
            records.append((table, count.get("added"), count.get("updated"), count.get("removed"), count.get("restored")))
    frame = pd.DataFrame(records, columns=["table", "added", "updated", "removed", "restored"]).astype(
        {c: "Int64" for c in ("added", "updated", "removed", "restored")}
    )
    return frame.dropna(axis="columns", how="all")


MODE_KEYS = {
    "upsert": "uploads.mode_upsert",
    "replace": "uploads.mode_replace",
    "undo": "uploads.mode_undo",
    "edit": "uploads.mode_edit",
    "setting": "uploads.mode_setting",
}
HISTORY_COLUMNS = ["version", "when", "who", "change", "added", "updated", "removed", "restored", "undone_by", "files"]


def history_frame(history: Iterable[Mapping], *, timezone_name: str | None = None, language: str | None = None) -> pd.DataFrame:
    """The load history (``load_history``) as a table, newest first: version, when (in ``timezone_name``,
    else the server's local time), who, change (in ``language``), rows added, updated, removed and restored
    over all tables, the version of the undo that took the load back (empty if none), and the files."""
    zone, language = _zone(timezone_name), _language(language)
    records = []
    for entry in history:
        counts = entry["row_counts"].values()
        total = {key: sum(count.get(key, 0) for count in counts) for key in ("added", "updated", "removed", "restored")}
        is_undo = entry["mode"] == "undo"
        change = (
            translate(language, "uploads.undo_of", version=entry["undoes"])
            if is_undo
            else translate(language, MODE_KEYS[entry["mode"]])
            if entry["mode"] in MODE_KEYS
            else entry["mode"]
        )
        records.append(
            (
                entry["data_version"],
                _local_time(entry["loaded_at"], zone),
                entry["loaded_by"],
                change,
                None if is_undo else total["added"],
                None if is_undo else total["updated"],
                total["removed"],
                total["restored"] if is_undo else None,
                entry["undone_by"],
                ", ".join(entry["files"]),
            )
        )
    frame = pd.DataFrame(records, columns=HISTORY_COLUMNS)
    return frame.astype({c: "Int64" for c in ("version", "added", "updated", "removed", "restored", "undone_by")})


def _zone(timezone_name: str | None) -> tzinfo | None:
    """The browser's time zone when it is known and valid; None means the server's local time."""
    if not timezone_name:
        return None
    try:
        return ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _local_time(moment: datetime, zone: tzinfo | None) -> str:
    """A stored moment (UTC; SQLite returns it without zone) as ``YYYY-MM-DD HH:MM`` local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
