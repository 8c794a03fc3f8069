"""The local editor sign-in, throttled on the server (bureaus without single sign-on).

Three limits count wrong passwords in the database, so that every browser tab and every app process sees
the same counts, and every attempt is checked against all three before its password is hashed:

- per name, as typed (without regard to case): the 5th wrong password in a row makes the name wait 30 s,
  doubling with each further one up to 15 minutes; a right password, or a day without a wrong one,
  forgets them. Guessing one editor's password is slow.
- per client address, whatever names it tries: the 10th wrong password from one address, each less than
  15 minutes after the one before, makes the address wait 1 minute, doubling with each further one up
  to an hour; 15 minutes without a wrong password or a wait forget them. Trying a few passwords on many
  names (spraying) from one address therefore costs at most ten password checks, and holds no other address.
- for everyone, every name from every address: the 100th wrong password, each less than 15 minutes after
  the one before, makes every attempt wait 1 minute, and so does each further one until 15 minutes pass
  without a wrong password or a wait. This bounds the password checks of an attacker with many addresses
  (or one whose address the server cannot see). An address from which an editor signed in with the right
  password in the last 30 days is not held by it, so such an attacker cannot keep a known editor out.

While a limit holds an attempt, it is refused before any password is hashed (guessing cannot load the
server with PBKDF2 work), the right password too, and is not counted. A name nobody signs in with is
counted and costs a hash like a real one, so no answer tells whether an editor of that name exists; what
the address and overall limits answer does not depend on the name at all.

An attempt is counted by every limit before its password is checked, so that attempts made at the same
moment in several tabs or processes are all counted (none slips through while another is being hashed);
a right password takes its count back.

The database holds SHA-256 digests of the lower-cased name and of the address, never either (people type
passwords into the wrong field).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from .engines import first_line
from .models import SignInCount
from .passwords import ALGORITHM, ITERATIONS, verify_password

Clock = Callable[[], datetime]
# One password check at a time in a process: many sign-ins at once queue instead of taking every core.
_HASHING = threading.Lock()
_TABLE = SignInCount.__table__


class Scope(StrEnum):
    """What a limit counts wrong passwords per (the ``scope`` column of sign_in_counts)."""

    ADDRESS = "address"
    EVERYONE = "everyone"
    NAME = "name"


@dataclass(frozen=True)
class Limit:
    """How many wrong passwords one name, address or everyone may have before attempts wait, and how long."""

    scope: Scope
    free: int  # the free-th wrong password (counted while remembered) starts the first wait
    first_pause: timedelta  # doubled by each further wrong password ...
    longest_pause: timedelta  # ... up to this
    forget_after: timedelta  # this long without a wrong password or a wait forgets the count

    def pause_after(self, failures: int) -> timedelta:
        """How long attempts wait after ``failures`` remembered wrong passwords (none before ``free``)."""
        if failures < self.free:
            return timedelta(0)
        doublings = min(failures - self.free, 16)  # 2**16 times the first pause is far past the longest already
        return min(self.first_pause * 2**doublings, self.longest_pause)

    def remembers(self, last_failure: datetime, locked_until: datetime | None, now: datetime) -> bool:
        """True while failures last counted at ``last_failure`` (with a wait until ``locked_until``) still count."""
        return now - max(last_failure, locked_until or last_failure) < self.forget_after


NAME_LIMIT = Limit(Scope.NAME, 5, timedelta(seconds=30), timedelta(minutes=15), timedelta(days=1))
ADDRESS_LIMIT = Limit(Scope.ADDRESS, 10, timedelta(minutes=1), timedelta(hours=1), timedelta(minutes=15))
EVERYONE_LIMIT = Limit(Scope.EVERYONE, 100, timedelta(minutes=1), timedelta(minutes=1), timedelta(minutes=15))
LIMITS = {limit.scope: limit for limit in (NAME_LIMIT, ADDRESS_LIMIT, EVERYONE_LIMIT)}
KNOWN_ADDRESS_FOR = timedelta(days=30)  # an editor's right password makes its address exempt from EVERYONE_LIMIT this long
UNKNOWN_ADDRESS = "unknown address"  # what every attempt without an address (this computer, or not known) counts under


class SignInUnavailable(Exception):
    """The database cannot count the attempt (e.g. it is read-only), so no password is checked."""


@dataclass(frozen=True)
class SignInResult:
    """What an attempt came to: ``editor`` signed in; or a wait in seconds, refused or started by this
    failure, with the limit that imposes it (``held_by``); or a wrong name or password with ``tries_left``
    before a wait."""

    editor: str | None = None
    wait_seconds: int = 0
    held_by: Scope | None = None
    tries_left: int = 0


@dataclass(frozen=True)
class _Counted:
    """An attempt every limit has counted: the rows as they were before, the failures now, the answer if wrong."""

    keys: dict[Scope, str]
    before: dict[Scope, Any]
    failures: dict[Scope, int]
    answer: SignInResult


def utc_now() -> datetime:
    """The clock the app uses (tests pass their own)."""
    return datetime.now(UTC)


def sign_in(
    engine: Engine,
    *,
    name: str,
    password: str,
    editors: Mapping[str, str],
    address: str | None,
    clock: Clock = utc_now,
) -> SignInResult:
    """Check ``password`` for the editor ``name`` (matched without regard to case among ``editors``, name -> hash)
    typed at the client ``address`` (None: this computer, or unknown), unless a limit holds the attempt.
    Raises SignInUnavailable when the database cannot count the attempt."""
    keys = _keys(name, address)
    now = clock()
    try:
        counted = _count_attempt(engine, keys, now)
    except SQLAlchemyError as error:
        raise SignInUnavailable(first_line(error)) from None
    if isinstance(counted, SignInResult):
        return counted
    known = {editor.casefold(): (editor, stored) for editor, stored in editors.items()}
    editor, stored = known.get(name.casefold(), (None, _decoy(editors)))
    with _HASHING:
        right = verify_password(password, stored)
    if right and editor is not None:
        try:
            _take_back(engine, counted, now)
        except SQLAlchemyError as error:
            raise SignInUnavailable(first_line(error)) from None
        return SignInResult(editor=editor)
    return counted.answer


def wait_seconds(engine: Engine, *, name: str, address: str | None, clock: Clock = utc_now) -> int:
    """Seconds an attempt under ``name`` from ``address`` must still wait (0 when it may try now)."""
    keys = _keys(name, address)
    with engine.connect() as connection:
        rows = {Scope(row.scope): row for row in connection.execute(select(_TABLE).where(_any_of(keys)))}
    held = _held(rows, clock())
    return held.wait_seconds if held else 0


def name_digest(name: str) -> str:
    """What the database keeps of a typed name: the SHA-256 of it, stripped and lower-cased."""
    return hashlib.sha256(name.strip().casefold().encode("utf-8")).hexdigest()


def counted_address(address: str | None) -> str:
    """The address attempts are counted under: an IPv4 address as it is (also when written as IPv6), an IPv6
    address by its /64 network (one home or server holds a whole /64 to choose from), and none as
    UNKNOWN_ADDRESS."""
    text = (address or "").strip()
    if not text:
        return UNKNOWN_ADDRESS
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text.casefold()
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def address_digest(address: str | None) -> str:
    """What the database keeps of a client address: the SHA-256 of the address as counted."""
    return hashlib.sha256(counted_address(address).encode("utf-8")).hexdigest()


def _keys(name: str, address: str | None) -> dict[Scope, str]:
    """The row of each limit that an attempt under ``name`` from ``address`` counts in."""
    return {Scope.NAME: name_digest(name), Scope.ADDRESS: address_digest(address), Scope.EVERYONE: ""}


def _any_of(keys: Mapping[Scope, str]):
    return or_(*(and_(_TABLE.c.scope == scope.value, _TABLE.c.digest == digest) for scope, digest in keys.items()))


def _one_of(scope: Scope, keys: Mapping[Scope, str]):
    return and_(_TABLE.c.scope == scope.value, _TABLE.c.digest == keys[scope])


def _locked_rows(connection: Connection, keys: dict[Scope, str], now: datetime) -> dict[Scope, Any]:
    """The rows of ``keys``, made when missing and locked until the transaction ends. Every attempt makes and
    locks its rows in the same order (by scope and digest), so that two attempts never wait on each other."""
    ordered = sorted(keys.items())
    # A write first: SQLite takes its write lock now, and the rows surely exist to be locked on PostgreSQL.
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(_TABLE)
    connection.execute(
        insert.values(
            [
                {"scope": scope.value, "digest": digest, "failures": 0, "last_failure": now, "locked_until": None}
                for scope, digest in ordered
            ]
        ).on_conflict_do_nothing(index_elements=["scope", "digest"])
    )
    rows = connection.execute(
        select(_TABLE).where(_any_of(keys)).order_by(_TABLE.c.scope, _TABLE.c.digest).with_for_update()
    ).all()
    return {Scope(row.scope): row for row in rows}


def _known_address(rows: Mapping[Scope, Any], now: datetime) -> bool:
    """True when an editor signed in with the right password from the attempt's address in the last 30 days."""
    address = rows.get(Scope.ADDRESS)
    return address is not None and address.signed_in_at is not None and now - address.signed_in_at < KNOWN_ADDRESS_FOR


def _holds(scope: Scope, rows: Mapping[Scope, Any], now: datetime) -> bool:
    """True when the wait of ``scope``'s limit applies to this attempt (everyone's does not to a known address)."""
    return scope is not Scope.EVERYONE or not _known_address(rows, now)


def _held(rows: Mapping[Scope, Any], now: datetime) -> SignInResult | None:
    """The refusal of an attempt that a limit holds (the longest wait), or None when it may be checked."""
    waits = [
        (row.locked_until - now, scope)
        for scope, row in rows.items()
        if row.locked_until is not None and row.locked_until > now and _holds(scope, rows, now)
    ]
    if not waits:
        return None
    span, scope = max(waits)
    return SignInResult(wait_seconds=_seconds(span), held_by=scope)


def _count_attempt(engine: Engine, keys: dict[Scope, str], now: datetime) -> SignInResult | _Counted:
    """Count an attempt in every limit before its password is checked, unless a limit holds it: then its
    refusal, and nothing is written. Counting first, under a lock of the attempt's rows, means that attempts
    made at the same moment in several tabs or processes are all counted: none slips through while another
    is being hashed."""
    with engine.connect() as connection:
        transaction = connection.begin()
        rows = _locked_rows(connection, keys, now)
        held = _held(rows, now)
        if held is not None:
            transaction.rollback()  # a refused attempt is not counted, and leaves no row behind
            return held
        failures: dict[Scope, int] = {}
        for scope, row in rows.items():
            limit = LIMITS[scope]
            failures[scope] = (row.failures if limit.remembers(row.last_failure, row.locked_until, now) else 0) + 1
            pause = limit.pause_after(failures[scope])
            connection.execute(
                update(_TABLE)
                .where(_one_of(scope, keys))
                .values(failures=failures[scope], last_failure=now, locked_until=now + pause if pause else None)
            )
        _forget(connection, now)
        transaction.commit()
    return _Counted(keys, rows, failures, _answer_if_wrong(rows, failures, now))


def _answer_if_wrong(rows: Mapping[Scope, Any], failures: Mapping[Scope, int], now: datetime) -> SignInResult:
    """What a wrong password (or a name that is no editor's) answers: the wait it started, the longest if
    several, else the tries left before a wait under this name from this address."""
    pauses = {scope: LIMITS[scope].pause_after(count) for scope, count in failures.items()}
    waits = [(pause, scope) for scope, pause in pauses.items() if pause and _holds(scope, rows, now)]
    if waits:
        span, scope = max(waits)
        return SignInResult(wait_seconds=_seconds(span), held_by=scope)
    return SignInResult(tries_left=min(LIMITS[scope].free - failures[scope] for scope in (Scope.NAME, Scope.ADDRESS)))


def _take_back(engine: Engine, counted: _Counted, now: datetime) -> None:
    """Undo the count of an attempt whose password was right: its name's failures are forgotten; the address's
    and everyone's go back to what they were (or lose this one, when others were counted since), and the
    address becomes known (exempt from the overall limit for 30 days)."""
    with engine.begin() as connection:
        rows = connection.execute(
            select(_TABLE).where(_any_of(counted.keys)).order_by(_TABLE.c.scope, _TABLE.c.digest).with_for_update()
        ).all()
        for row in rows:
            scope = Scope(row.scope)
            where = _one_of(scope, counted.keys)
            if scope is Scope.NAME:
                connection.execute(delete(_TABLE).where(where))
                continue
            before = counted.before[scope]
            if row.failures == counted.failures[scope]:  # nobody counted here since: the row as it was
                values = {"failures": before.failures, "last_failure": before.last_failure, "locked_until": before.locked_until}
            else:
                values = {"failures": max(row.failures - 1, 0)}
            if scope is Scope.ADDRESS:
                values["signed_in_at"] = now
            connection.execute(update(_TABLE).where(where).values(**values))


def _forget(connection: Connection, now: datetime) -> None:
    """Delete the rows whose failures no longer count, with no wait running, and of no known address."""
    forgotten = [
        and_(
            _TABLE.c.scope == limit.scope.value,
            _TABLE.c.last_failure <= now - limit.forget_after,
            or_(_TABLE.c.locked_until.is_(None), _TABLE.c.locked_until <= now - limit.forget_after),
        )
        for limit in LIMITS.values()
    ]
    connection.execute(
        delete(_TABLE).where(
            or_(*forgotten), or_(_TABLE.c.signed_in_at.is_(None), _TABLE.c.signed_in_at <= now - KNOWN_ADDRESS_FOR)
        )
    )


def _decoy(editors: Mapping[str, str]) -> str:
    """A hash that matches no password, as costly to check as the editors' own: a name that is not an
    editor's then takes as long to refuse as a wrong password."""
    iterations = next(
        (stored.split("$")[1] for stored in editors.values() if str(stored).startswith(f"{ALGORITHM}$")), ITERATIONS
    )
    return f"{ALGORITHM}${iterations}${'00' * 16}${'00' * 32}"


def _seconds(span: timedelta) -> int:
    return max(1, math.ceil(span.total_seconds()))
