"""The local editor sign-in, throttled on the server (bureaus without single sign-on).

Wrong passwords are counted per editor name as typed (without regard to case), in
the database, so that every browser tab and every app process sees the same count.
The first FREE_FAILURES wrong passwords in a row cost nothing; each failure from
then on makes the name wait FIRST_PAUSE, doubling with every further failure, at
most LONGEST_PAUSE. While a name waits, an attempt is refused before any password
is hashed (guessing cannot load the server with PBKDF2 work), the right password
too. A name nobody signs in with is counted and paused the same way, and costs a
hash like a real one, so the answers never tell whether an editor of that name
exists. A right password forgets the name's failures; so does a day without one.

The database holds a SHA-256 digest of the lower-cased name, never the name (people
type passwords into the wrong field).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from .engines import first_line
from .models import SignInFailure
from .passwords import ALGORITHM, ITERATIONS, verify_password

FREE_FAILURES = 5  # wrong passwords in a row before a name has to wait
FIRST_PAUSE = timedelta(seconds=30)  # the wait after the fifth; doubled after each further one
LONGEST_PAUSE = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)  # failures older than this, with no wait running, are forgotten

Clock = Callable[[], datetime]
# One password check at a time in a process: many sign-ins at once queue instead of taking every core.
_HASHING = threading.Lock()


class SignInUnavailable(Exception):
    """The database cannot count the attempt (e.g. it is read-only), so no password is checked."""


@dataclass(frozen=True)
class SignInResult:
    """What an attempt came to: ``editor`` signed in, or a wait in seconds (refused, or the failure that
    started one), or a wrong name or password with ``tries_left`` before a wait."""

    editor: str | None = None
    wait_seconds: int = 0
    tries_left: int = 0


def utc_now() -> datetime:
    """The clock the app uses (tests pass their own)."""
    return datetime.now(UTC)


def pause_after(failures: int) -> timedelta:
    """How long a name waits after ``failures`` wrong passwords in a row (none before FREE_FAILURES)."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 16)  # 30 s x 2**16 is far past the longest pause already
    return min(FIRST_PAUSE * 2**doublings, LONGEST_PAUSE)


def sign_in(engine: Engine, *, name: str, password: str, editors: Mapping[str, str], clock: Clock = utc_now) -> SignInResult:
    """Check ``password`` for the editor ``name`` (matched without regard to case among ``editors``, name -> hash),
    unless the name must wait. Raises SignInUnavailable when the database cannot count the attempt."""
    digest = name_digest(name)
    try:
        waited, failures = _count_attempt(engine, digest, clock())
    except SQLAlchemyError as error:
        raise SignInUnavailable(first_line(error)) from None
    if waited:
        return SignInResult(wait_seconds=waited)
    known = {editor.casefold(): (editor, stored) for editor, stored in editors.items()}
    editor, stored = known.get(name.casefold(), (None, _decoy(editors)))
    with _HASHING:
        right = verify_password(password, stored)
    if right and editor is not None:
        try:
            with engine.begin() as connection:
                connection.execute(delete(SignInFailure).where(SignInFailure.name_digest == digest))
        except SQLAlchemyError as error:
            raise SignInUnavailable(first_line(error)) from None
        return SignInResult(editor=editor)
    if failures >= FREE_FAILURES:
        return SignInResult(wait_seconds=_seconds(pause_after(failures)))
    return SignInResult(tries_left=FREE_FAILURES - failures)


def wait_seconds(engine: Engine, *, name: str, clock: Clock = utc_now) -> int:
    """Seconds the name must still wait before its next attempt (0 when it may try now)."""
    with engine.connect() as connection:
        until = connection.execute(
            select(SignInFailure.locked_until).where(SignInFailure.name_digest == name_digest(name))
        ).scalar()
    now = clock()
    return _seconds(until - now) if until is not None and until > now else 0


def name_digest(name: str) -> str:
    """What the database keeps of a typed name: the SHA-256 of it, stripped and lower-cased."""
    return hashlib.sha256(name.strip().casefold().encode("utf-8")).hexdigest()


def _count_attempt(engine: Engine, digest: str, now: datetime) -> tuple[int, int]:
    """Count an attempt before its password is checked: ``(seconds to wait, 0)`` if the name must wait,
    else ``(0, failures counting this attempt)``; a right password takes the count back (``sign_in``).

    Counting first, under a lock of the name's row, means that attempts made at the same moment in
    several tabs or processes are all counted: none slips through while another is being hashed."""
    table = SignInFailure.__table__
    with engine.begin() as connection:
        # A write first: SQLite takes its write lock now, and the row surely exists to be locked on PostgreSQL.
        insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(table)
        connection.execute(
            insert.values(name_digest=digest, failures=0, last_failure=now, locked_until=None).on_conflict_do_nothing(
                index_elements=["name_digest"]
            )
        )
        row = connection.execute(select(table).where(table.c.name_digest == digest).with_for_update()).one()
        if row.locked_until is not None and row.locked_until > now:
            return _seconds(row.locked_until - now), 0
        failures = (row.failures if now - row.last_failure < FORGET_AFTER else 0) + 1
        pause = pause_after(failures)
        connection.execute(
            update(table)
            .where(table.c.name_digest == digest)
            .values(failures=failures, last_failure=now, locked_until=now + pause if pause else None)
        )
        connection.execute(
            delete(table).where(
                and_(  # names nobody has tried for a day, waiting for nothing
                    table.c.last_failure < now - FORGET_AFTER, or_(table.c.locked_until.is_(None), table.c.locked_until < now)
                )
            )
        )
    return 0, failures


def _decoy(editors: Mapping[str, str]) -> str:
    """A hash that matches no password, as costly to check as the editors' own: a name that is not an
    editor's then takes as long to refuse as a wrong password."""
    iterations = next(
        (stored.split("$")[1] for stored in editors.values() if str(stored).startswith(f"{ALGORITHM}$")), ITERATIONS
    )
    return f"{ALGORITHM}${iterations}${'00' * 16}${'00' * 32}"


def _seconds(span: timedelta) -> int:
    return max(1, math.ceil(span.total_seconds()))
