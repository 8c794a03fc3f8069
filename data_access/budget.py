"""A time budget for the checks of someone who has not signed in, and one such check at a time.

Anyone may check files or run a recipe's check on the Data page without signing in, and a check
costs the server what the uploaded files make it cost. So a check without a sign-in runs within a
budget of seconds (``ANONYMOUS_CHECK_SECONDS``), and only one runs at a time in a process: a second
one is told to try again in a moment, not queued behind the first. Editors and the command line
check without a budget.

The loops that grow with the input (a workbook's sheet chunk by chunk, a file record by record, a
recipe entry by entry) call ``check()`` between pieces of work; past the deadline it raises
``OverBudget``. That is a cancellation, not an error of the input, so it is not an ``Exception``
(like ``asyncio.CancelledError``): it passes every handler that turns an unreadable file into a
problem and reaches the page, which words it. SQL a check runs is stopped at the deadline by the
database itself (see ``loading.check_connection``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class CheckBusy(Exception):
    """Another check without a sign-in is running in this process."""


class OverBudget(BaseException):
    """The check used up its budget of ``seconds`` and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the check took more than {seconds:g} seconds and was stopped")
        self.seconds = seconds


_deadline: ContextVar[tuple[float, float] | None] = ContextVar("check_deadline", default=None)  # (deadline, seconds)
_anonymous = threading.Lock()


@contextmanager
def anonymous_check(seconds: float) -> Iterator[None]:
    """Run the body as this process's one check without a sign-in, within ``seconds``; ``CheckBusy``
    at once when another one runs."""
    if not _anonymous.acquire(blocking=False):
        raise CheckBusy
    try:
        with within(seconds):
            yield
    finally:
        _anonymous.release()


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Give the body (in this thread) a budget of ``seconds`` of wall-clock time."""
    token = _deadline.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise ``OverBudget`` when the running check is past its deadline (nothing without a budget)."""
    budget = _deadline.get()
    if budget is not None and time.monotonic() > budget[0]:
        raise OverBudget(budget[1])


def seconds_left() -> float | None:
    """Seconds until the running check's deadline (None without a budget; 0 when past it)."""
    budget = _deadline.get()
    return None if budget is None else max(0.0, budget[0] - time.monotonic())
