"""The local editor sign-in is throttled on the server: wrong passwords are counted
per name in the database (every tab and process shares them), a name waits 30 s
after five, doubling per further failure up to 15 minutes, and while it waits no
password is hashed and the right one is refused too; a name that is not an
editor's is counted and answered exactly alike. Data-layer tests run on SQLite and
PostgreSQL with a clock of their own; the last one drives the sign-in form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

import data_access.sign_in as sign_in_module
from data_access import migrate
from data_access.models import SignInFailure
from data_access.passwords import hash_password
from data_access.sign_in import SignInResult, SignInUnavailable, pause_after, sign_in, wait_seconds
from data_access.store import make_engine
from tests.test_data_page import LOCAL_EDITORS, PASSWORD, labels, open_data_page
from tests.test_data_page import sign_in as sign_in_on_page

EDITORS = {"Ana Planner": hash_password(PASSWORD, iterations=1_000)}  # few iterations: fast tests


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


def attempt(engine, clock, password: str = "guess", name: str = "Ana Planner") -> SignInResult:
    return sign_in(engine, name=name, password=password, editors=EDITORS, clock=clock)


def test_the_wait_is_30_seconds_after_five_failures_doubling_per_failure_up_to_15_minutes():
    assert [pause_after(n).total_seconds() for n in range(1, 12)] == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    assert pause_after(10_000) == timedelta(minutes=15)


def test_five_wrong_passwords_make_the_name_wait_and_each_further_one_doubles_the_wait(engine, clock):
    assert [attempt(engine, clock).tries_left for _ in range(4)] == [4, 3, 2, 1]
    assert attempt(engine, clock) == SignInResult(wait_seconds=30)
    for wait in (60, 120, 240, 480, 900, 900):
        clock.advance(pause_after(99).total_seconds())  # past any wait
        assert attempt(engine, clock) == SignInResult(wait_seconds=wait)


def test_during_a_wait_nothing_is_hashed_and_the_right_password_is_refused_too(engine, clock, hashes):
    for _ in range(5):
        attempt(engine, clock)
    assert len(hashes) == 5
    clock.advance(10)
    assert attempt(engine, clock, password=PASSWORD) == SignInResult(wait_seconds=20)
    assert attempt(engine, clock) == SignInResult(wait_seconds=20)
    assert wait_seconds(engine, name="ana planner", clock=clock) == 20
    assert len(hashes) == 5  # refused before any hashing
    clock.advance(20)
    assert attempt(engine, clock, password=PASSWORD) == SignInResult(editor="Ana Planner")
    assert attempt(engine, clock).tries_left == 4  # a right password forgets the failures


def test_a_name_that_is_no_editor_is_counted_hashed_and_answered_exactly_like_a_wrong_password(engine, clock, hashes):
    real = [attempt(engine, clock, name="Ana Planner") for _ in range(6)]
    unknown = [attempt(engine, clock, name="Bo Nobody") for _ in range(6)]
    assert unknown == real == [SignInResult(tries_left=n) for n in (4, 3, 2, 1)] + [SignInResult(wait_seconds=30)] * 2
    assert len(hashes) == 10  # five each; the sixth of each was refused unhashed
    assert hashes[5].split("$")[1] == EDITORS["Ana Planner"].split("$")[1]  # the decoy costs what a real check does


def test_the_count_is_shared_by_every_process_on_the_database_and_ignores_case(db_url, engine, clock):
    other_process = make_engine(db_url)
    try:
        for name in ("Ana Planner", "ANA PLANNER", "ana planner"):
            attempt(engine, clock, name=name)
        attempt(other_process, clock, name=" Ana planner ")
        assert attempt(other_process, clock) == SignInResult(wait_seconds=30)
        assert attempt(engine, clock, password=PASSWORD) == SignInResult(wait_seconds=30)
    finally:
        other_process.dispose()


def test_the_database_keeps_a_digest_of_the_name_never_the_name(engine, clock):
    attempt(engine, clock, name="correct horse battery")  # a password typed into the name field
    with engine.connect() as connection:
        rows = connection.execute(select(SignInFailure.__table__)).all()
    assert len(rows) == 1 and "horse" not in repr(rows) and len(rows[0].name_digest) == 64


def test_failures_are_forgotten_after_a_day_without_one(engine, clock):
    for _ in range(4):
        attempt(engine, clock)
    clock.advance(timedelta(days=1).total_seconds())
    assert attempt(engine, clock).tries_left == 4


def test_when_the_database_cannot_count_an_attempt_no_password_is_checked(engine, clock, hashes):
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE sign_in_failures"))
    with pytest.raises(SignInUnavailable):
        attempt(engine, clock, password=PASSWORD)
    assert hashes == []


def test_migration_0006_adds_the_table_and_takes_it_back(engine, clock):
    with engine.begin() as connection:
        command.downgrade(migrate._config(connection), "0005")
    assert not inspect(engine).has_table("sign_in_failures")
    migrate.upgrade(engine)
    assert inspect(engine).has_table("sign_in_failures")
    assert attempt(engine, clock).tries_left == 4


def test_a_fresh_session_must_wait_after_failures_made_in_another_session(app_url):
    guesser = open_data_page(local_editors=LOCAL_EDITORS)
    for _ in range(5):
        sign_in_on_page(guesser, password="guess")
    fresh = open_data_page(local_editors=LOCAL_EDITORS)  # a new tab: no session state of the guesser's
    sign_in_on_page(fresh)  # the right password
    assert not fresh.exception
    assert any("Too many wrong passwords for this name: wait" in w.value for w in fresh.warning)
    assert "Sign out" not in labels(fresh)
