"""The local editor sign-in is throttled on the server by three limits, counted in the database (every tab
and process shares them) and checked before any password is hashed:

- per name: a name waits 30 s after five wrong passwords, doubling per failure up to 15 minutes;
- per client address: an address waits 1 minute after ten, doubling up to an hour, and no other address waits;
- overall: after a hundred from anywhere every attempt waits 1 minute, except from an address where an
  editor signed in before.

While a limit holds an attempt no password is hashed and the right one is refused too; a name that is not an
editor's is counted and answered exactly alike, and nothing tells which names exist. Data-layer tests run on
SQLite and PostgreSQL with a clock of their own, most with two engines on one database as two app processes;
the hashes computed are counted where PBKDF2 is called. The last tests drive the sign-in form."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, text

import data_access.sign_in as sign_in_module
from data_access import migrate
from data_access.models import SignInCount
from data_access.passwords import hash_password
from data_access.sign_in import (
    ADDRESS_LIMIT,
    EVERYONE_LIMIT,
    NAME_LIMIT,
    UNKNOWN_ADDRESS,
    Scope,
    SignInResult,
    SignInUnavailable,
    counted_address,
    sign_in,
    wait_seconds,
)
from data_access.store import make_engine
from tests.test_data_page import LOCAL_EDITORS, PASSWORD, labels, open_data_page
from tests.test_data_page import sign_in as sign_in_on_page
from ui import auth

EDITORS = {"Ana Planner": hash_password(PASSWORD, iterations=1_000)}  # few iterations: fast tests
HOME = "192.0.2.10"  # addresses from the documentation ranges (RFC 5737, RFC 3849)
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.7"
SPRAYED = [f"guessed name {n}" for n in range(1, 13)]  # twelve names, none an editor's


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    """The stored hashes each password check was made against, in order."""
    checked: list[str] = []
    real = sign_in_module.verify_password

    def counting(password: str, stored: str) -> bool:
        checked.append(stored)
        return real(password, stored)

    monkeypatch.setattr(sign_in_module, "verify_password", counting)
    return checked


@pytest.fixture
def pbkdf2(monkeypatch) -> list[int]:
    """Every PBKDF2 computation actually made, wherever it is called from (its iterations, in order)."""
    computed: list[int] = []
    real = hashlib.pbkdf2_hmac

    def counting(name, password, salt, iterations, *args, **kwargs):
        computed.append(iterations)
        return real(name, password, salt, iterations, *args, **kwargs)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counting)
    return computed


@pytest.fixture
def other_process(db_url):
    """A second engine on the same database: another app process."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def attempt(engine, clock, password: str = "guess", name: str = "Ana Planner", address: str | None = HOME) -> SignInResult:
    return sign_in(engine, name=name, password=password, editors=EDITORS, address=address, clock=clock)


def rows(engine) -> list:
    with engine.connect() as connection:
        return connection.execute(select(SignInCount.__table__)).all()


def waits(seconds: int, held_by: Scope) -> SignInResult:
    return SignInResult(wait_seconds=seconds, held_by=held_by)


# --- the limits as the README states them ------------------------------------------------------


def test_the_limits_are_those_the_readme_states():
    assert [NAME_LIMIT.pause_after(n).total_seconds() for n in range(1, 12)] == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    assert NAME_LIMIT.pause_after(10_000) == timedelta(minutes=15) and NAME_LIMIT.forget_after == timedelta(days=1)
    assert [ADDRESS_LIMIT.pause_after(n).total_seconds() / 60 for n in range(1, 19)] == [0] * 9 + [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert ADDRESS_LIMIT.forget_after == timedelta(minutes=15)
    assert [EVERYONE_LIMIT.pause_after(n).total_seconds() for n in (1, 99, 100, 101, 10_000)] == [0, 0, 60, 60, 60]
    assert EVERYONE_LIMIT.forget_after == timedelta(minutes=15)
    assert timedelta(days=30) == sign_in_module.KNOWN_ADDRESS_FOR
    readme = (migrate.MIGRATIONS.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Who may change data") : readme.index("## The data format")]
    for stated in (
        "| per name | wrong passwords under one name (without regard to case) | the 5th in a row | 30 seconds, doubled by each further wrong password, at most 15 minutes;",
        "| a right password, or a day without a wrong one |",
        "| per address | wrong passwords from one client address, whatever the names | the 10th, each less than 15 minutes after the one before",
        "| 1 minute, doubled by each further wrong password, at most 1 hour; for that address only | 15 minutes without a wrong password from it and without a wait |",
        "| overall | wrong passwords under every name from every address | the 100th, each less than 15 minutes after the one before | 1 minute for every attempt,",
        "signed in with the right password in the last 30 days | 15 minutes without a wrong password and without a wait |",
    ):
        assert stated in section, stated


# --- per name ---------------------------------------------------------------------------------


def test_five_wrong_passwords_make_the_name_wait_and_each_further_one_doubles_the_wait(engine, clock):
    assert [attempt(engine, clock).tries_left for _ in range(4)] == [4, 3, 2, 1]
    assert attempt(engine, clock) == waits(30, Scope.NAME)
    for wait in (60, 120, 240, 480, 900, 900):
        clock.advance(NAME_LIMIT.pause_after(99).total_seconds())  # past any wait
        assert attempt(engine, clock) == waits(wait, Scope.NAME)


def test_during_a_wait_nothing_is_hashed_and_the_right_password_is_refused_too(engine, clock, hashes):
    for _ in range(5):
        attempt(engine, clock)
    assert len(hashes) == 5
    clock.advance(10)
    assert attempt(engine, clock, password=PASSWORD) == waits(20, Scope.NAME)
    assert attempt(engine, clock, address=OFFICE) == waits(20, Scope.NAME)
    assert wait_seconds(engine, name="ana planner", address=OFFICE, clock=clock) == 20
    assert len(hashes) == 5  # refused before any hashing
    clock.advance(20)
    assert attempt(engine, clock, password=PASSWORD) == SignInResult(editor="Ana Planner")
    assert attempt(engine, clock).tries_left == 4  # a right password forgets the name's failures


def test_a_name_that_is_no_editor_is_counted_hashed_and_answered_exactly_like_a_wrong_password(engine, clock, hashes):
    real = [attempt(engine, clock, name="Ana Planner", address=HOME) for _ in range(6)]
    unknown = [attempt(engine, clock, name="Bo Nobody", address=OFFICE) for _ in range(6)]
    assert unknown == real == [SignInResult(tries_left=n) for n in (4, 3, 2, 1)] + [waits(30, Scope.NAME)] * 2
    assert len(hashes) == 10  # five each; the sixth of each was refused unhashed
    assert hashes[5].split("$")[1] == EDITORS["Ana Planner"].split("$")[1]  # the decoy costs what a real check does


def test_the_count_is_shared_by_every_process_on_the_database_and_ignores_case(engine, other_process, clock):
    for name in ("Ana Planner", "ANA PLANNER", "ana planner"):
        attempt(engine, clock, name=name)
    attempt(other_process, clock, name=" Ana planner ")
    assert attempt(other_process, clock) == waits(30, Scope.NAME)
    assert attempt(engine, clock, password=PASSWORD) == waits(30, Scope.NAME)


def test_failures_are_forgotten_after_a_day_without_one(engine, clock):
    for _ in range(4):
        attempt(engine, clock)
    clock.advance(timedelta(days=1).total_seconds())
    assert attempt(engine, clock).tries_left == 4


# --- per address -------------------------------------------------------------------------------


def test_spraying_twelve_names_five_times_from_one_address_costs_ten_password_checks(engine, other_process, clock, pbkdf2):
    processes = (engine, other_process)
    answers = [
        attempt(processes[n % 2], clock, name=name, address=ATTACKER)  # two app processes, taking turns
        for n, name in enumerate(name for name in SPRAYED for _ in range(5))
    ]
    assert len(pbkdf2) == 10  # of 60 attempts, only the first ten were hashed
    first, second = answers[:5], answers[5:10]
    assert first == [SignInResult(tries_left=n) for n in (4, 3, 2, 1)] + [waits(30, Scope.NAME)]
    assert second == [SignInResult(tries_left=n) for n in (4, 3, 2, 1)] + [waits(60, Scope.ADDRESS)]  # the tenth
    assert answers[10:] == [waits(60, Scope.ADDRESS)] * 50  # the 11th and every later one refused before hashing
    assert attempt(engine, clock, password=PASSWORD, address=ATTACKER) == waits(60, Scope.ADDRESS)  # the same answer
    assert len(pbkdf2) == 10
    assert len(rows(engine)) == 4  # two names, the address, everyone: a refused attempt writes nothing

    assert attempt(other_process, clock, password=PASSWORD, address=OFFICE) == SignInResult(editor="Ana Planner")
    assert len(pbkdf2) == 11  # another address is not held, and signs in at once
    assert wait_seconds(engine, name=SPRAYED[5], address=ATTACKER, clock=clock) == 60


def test_an_address_waits_a_minute_after_ten_wrong_passwords_doubling_up_to_an_hour(engine, other_process, clock, hashes):
    for n in range(10):
        attempt((engine, other_process)[n % 2], clock, name=SPRAYED[n], address=ATTACKER)
    for n, minutes in enumerate((2, 4, 8, 16, 32, 60, 60)):
        clock.advance(ADDRESS_LIMIT.pause_after(10 + n).total_seconds() - 1)
        assert attempt(engine, clock, name=SPRAYED[11], address=ATTACKER) == waits(1, Scope.ADDRESS)  # the wait still runs
        clock.advance(1)  # ... and now it is over
        assert attempt(other_process, clock, name=f"new name {n}", address=ATTACKER) == waits(minutes * 60, Scope.ADDRESS)
    assert len(hashes) == 17


def test_any_ten_wrong_passwords_within_15_minutes_make_the_address_wait_and_15_quiet_minutes_forget_them(engine, clock):
    for n in range(9):  # tries left: the name's or the address's, whichever is fewer
        assert attempt(engine, clock, name=SPRAYED[n], address=ATTACKER).tries_left == min(4, 10 - (n + 1))
        clock.advance(14 * 60 + 59)  # ten wrong passwords, each less than 15 minutes after the one before
    assert attempt(engine, clock, name=SPRAYED[9], address=ATTACKER) == waits(60, Scope.ADDRESS)
    clock.advance(60 + 15 * 60)  # the wait, then 15 minutes without a wrong password
    for n in range(9):
        attempt(engine, clock, name=SPRAYED[n], address=ATTACKER)
    clock.advance(15 * 60)
    assert attempt(engine, clock, name="a new name", address=ATTACKER).tries_left == 4  # nine, then a pause: forgotten


def test_a_right_password_takes_back_only_its_own_attempt_from_the_address_count(engine, clock):
    for n in range(9):
        attempt(engine, clock, name=SPRAYED[n], address=OFFICE)
    assert attempt(engine, clock, password=PASSWORD, address=OFFICE) == SignInResult(editor="Ana Planner")  # tenth, not held
    assert attempt(engine, clock, name=SPRAYED[9], address=OFFICE) == waits(60, Scope.ADDRESS)  # the nine still count


def test_attempts_at_the_same_moment_from_one_address_are_all_counted_before_any_is_hashed(db_url, engine, clock, pbkdf2):
    processes = [make_engine(db_url) for _ in range(3)]
    start = threading.Barrier(24)
    answers: list[SignInResult] = []

    def guess(n: int) -> None:
        start.wait()
        answers.append(attempt(processes[n % 3], clock, name=f"name {n}", address=ATTACKER))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(24)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for process in processes:
            process.dispose()
    assert len(answers) == 24 and len(pbkdf2) == 10
    assert sum(answer == waits(60, Scope.ADDRESS) for answer in answers) == 24 - 9  # the tenth started the wait


def test_the_database_keeps_digests_of_names_and_addresses_never_either(engine, clock):
    attempt(engine, clock, name="correct horse battery", address="2001:db8:5:6::77")  # a password typed into the name field
    stored = rows(engine)
    assert sorted(row.scope for row in stored) == ["address", "everyone", "name"]
    assert "horse" not in repr(stored) and "2001" not in repr(stored) and "db8" not in repr(stored)
    assert {len(row.digest) for row in stored if row.scope != "everyone"} == {64}


def test_addresses_are_counted_as_ipv4_by_ipv6_network_and_without_one_under_one_unknown_address(engine, other_process, clock):
    assert counted_address("192.0.2.1") == counted_address("::ffff:192.0.2.1") == "192.0.2.1"
    assert counted_address("2001:db8:1:2:aaaa::1") == counted_address("2001:DB8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert counted_address(None) == counted_address("") == UNKNOWN_ADDRESS
    for n in range(10):  # this computer (st.context.ip_address is None) in two processes
        attempt((engine, other_process)[n % 2], clock, name=SPRAYED[n], address=None)
    assert attempt(other_process, clock, name=SPRAYED[11], address=None) == waits(60, Scope.ADDRESS)
    for n in range(10):  # one IPv6 network, a new address for every guess
        attempt(engine, clock, name=SPRAYED[n], address=f"2001:db8:1:2::{n + 1:x}")
    assert attempt(engine, clock, name=SPRAYED[11], address="2001:db8:1:2:9::1") == waits(60, Scope.ADDRESS)
    assert attempt(engine, clock, password=PASSWORD, address="2001:db8:1:3::1") == SignInResult(editor="Ana Planner")


# --- overall -----------------------------------------------------------------------------------


def test_after_a_hundred_wrong_passwords_from_anywhere_every_attempt_waits_a_minute_but_not_from_a_known_address(
    engine, other_process, clock, pbkdf2
):
    assert attempt(engine, clock, password=PASSWORD, address=OFFICE).editor  # the office is a known address now
    processes = (engine, other_process)
    answers = [
        attempt(processes[n % 2], clock, name=f"name {n}", address=f"203.0.113.{n // 5}")  # 20 addresses, 5 each
        for n in range(100)
    ]
    assert len(pbkdf2) == 101
    assert {answer.tries_left for answer in answers[:99]} == {4}
    assert answers[99] == waits(60, Scope.EVERYONE)

    clock.advance(30)
    assert attempt(other_process, clock, name="a new name", address="192.0.2.200") == waits(30, Scope.EVERYONE)
    assert attempt(engine, clock, password=PASSWORD, address=HOME) == waits(30, Scope.EVERYONE)  # an address new to it
    assert wait_seconds(engine, name="Ana Planner", address=HOME, clock=clock) == 30
    assert len(pbkdf2) == 101  # refused before hashing
    assert attempt(other_process, clock, password=PASSWORD, address=OFFICE) == SignInResult(editor="Ana Planner")
    assert wait_seconds(engine, name="Ana Planner", address=OFFICE, clock=clock) == 0

    clock.advance(30)  # the minute is over: one more wrong password, and everyone waits another minute
    assert attempt(engine, clock, name="a new name", address="192.0.2.201") == waits(60, Scope.EVERYONE)
    clock.advance(60)
    assert attempt(other_process, clock, password=PASSWORD, address=HOME) == SignInResult(editor="Ana Planner")
    clock.advance(15 * 60)  # 15 minutes without a wrong password or a wait forget the count
    assert attempt(engine, clock, name="another name", address="192.0.2.202").tries_left == 4
    assert len(pbkdf2) == 105


# --- the database ------------------------------------------------------------------------------


def test_when_the_database_cannot_count_an_attempt_no_password_is_checked(engine, clock, hashes):
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE sign_in_counts"))
    with pytest.raises(SignInUnavailable):
        attempt(engine, clock, password=PASSWORD)
    assert hashes == []


def test_migration_0010_moves_the_counts_per_name_and_takes_them_back(engine, clock):
    for _ in range(5):
        attempt(engine, clock)
    with engine.begin() as connection:
        command.downgrade(migrate._config(connection), "0009")
    assert not inspect(engine).has_table("sign_in_counts")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT failures FROM sign_in_failures")).scalar_one() == 5
    migrate.upgrade(engine)
    assert not inspect(engine).has_table("sign_in_failures")
    assert attempt(engine, clock, password=PASSWORD) == waits(30, Scope.NAME)  # the name still waits
    with engine.begin() as connection:
        command.downgrade(migrate._config(connection), "0005")
    assert not inspect(engine).has_table("sign_in_counts") and not inspect(engine).has_table("sign_in_failures")
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(SignInCount.__table__)).scalar_one() == 0
    assert attempt(engine, clock).tries_left == 4


# --- the form ----------------------------------------------------------------------------------


def test_a_fresh_session_must_wait_after_failures_made_in_another_session(app_url):
    guesser = open_data_page(local_editors=LOCAL_EDITORS)
    for _ in range(5):
        sign_in_on_page(guesser, password="guess")
    fresh = open_data_page(local_editors=LOCAL_EDITORS)  # a new tab: no session state of the guesser's
    sign_in_on_page(fresh)  # the right password
    assert not fresh.exception
    assert any("Too many wrong passwords for this name: wait" in w.value for w in fresh.warning)
    assert "Sign out" not in labels(fresh)


def test_ten_wrong_passwords_from_one_address_hold_it_on_the_page_and_another_address_signs_in(app_url, monkeypatch):
    address = {"now": ATTACKER}
    monkeypatch.setattr(auth, "client_address", lambda: address["now"])
    for name in SPRAYED[:2]:
        guesser = open_data_page(local_editors=LOCAL_EDITORS)  # a new tab for each name
        for _ in range(5):
            sign_in_on_page(guesser, name=name, password="guess")
    assert any("Too many wrong passwords from your network address: wait" in w.value for w in guesser.warning)
    editor_there = sign_in_on_page(open_data_page(local_editors=LOCAL_EDITORS))
    assert any("from your network address" in w.value for w in editor_there.warning)
    assert "Sign out" not in labels(editor_there)

    address["now"] = OFFICE
    editor_elsewhere = sign_in_on_page(open_data_page(local_editors=LOCAL_EDITORS))
    assert not editor_elsewhere.exception and "Sign out" in labels(editor_elsewhere)


# --- staying signed in for the browser session (data_access.passwords.session_token) ---------------


def test_a_session_token_signs_in_its_editor_for_a_working_day_and_nothing_else():
    from data_access.passwords import SESSION_SECONDS, hash_password, session_token, token_holder

    stored = hash_password("right", iterations=1_000, salt="00" * 16)
    editors = {"Ana Planner": stored, "Bo": hash_password("other", iterations=1_000, salt="11" * 16)}
    issued = 1_800_000_000
    token = session_token("Ana Planner", stored, issued)
    assert token_holder(token, editors, issued) == "Ana Planner"
    assert token_holder(token, editors, issued + SESSION_SECONDS) == "Ana Planner"
    assert token_holder(token, editors, issued + SESSION_SECONDS + 1) is None  # older than a working day
    assert token_holder(token, editors, issued - 61) is None  # issued in the future
    name, when, mac = token.split(".")
    assert token_holder(f"{name}.{issued + 100}.{mac}", editors, issued + 100) is None  # time changed
    bo = session_token("Bo", stored, issued).split(".")[0]
    assert token_holder(f"{bo}.{when}.{mac}", editors, issued) is None  # another editor's name on it
    new_password = {**editors, "Ana Planner": hash_password("new", iterations=1_000, salt="22" * 16)}
    assert token_holder(token, new_password, issued) is None  # a new password ends every earlier token
    assert token_holder(token, {"Bo": editors["Bo"]}, issued) is None  # an editor removed
    for garbage in (None, "", "x", "a.b.c", "%%%.1.2", token + "."):
        assert token_holder(garbage, editors, issued) is None
