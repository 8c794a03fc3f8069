"""Settings of how figures are computed that are kept in the database, not in the environment: the
dashboard, the command line and the snapshot all compute with the same ones. An editor changes one on the
Data page; the change is a change of the data, recorded in the load history and undoable like a load
(``data_access/loading.py::save_setting``), and the figures it moves are recomputed in the same
transaction. A setting without a stored row has its default.

``employment_smoothing``: where openings are estimated from employment (contract version 3), the years of a
trailing moving average taken of employment before its change is: 1 = off (the default), 2 or 3. Survey
employment is noisy, and the change of a noisy series is noisier still; averaging k years damps that noise,
at the price of answering more slowly to a real turn and of k - 1 more unknown years at the start of every
series and after every gap (the mean needs all its years). Which of the two matters more is the planner's
choice, so it is a stated setting rather than a hidden one.
"""

from __future__ import annotations

from sqlalchemy import Integer, ScalarSelect, cast, select
from sqlmodel import col

from .models import StoredSetting

TABLE = StoredSetting.__tablename__
EMPLOYMENT_SMOOTHING = "employment_smoothing"
SMOOTHING_YEARS = (1, 2, 3)  # 1 = off
# Each setting's default and the values it takes.
DEFAULTS: dict[str, int] = {EMPLOYMENT_SMOOTHING: 1}
CHOICES: dict[str, tuple[int, ...]] = {EMPLOYMENT_SMOOTHING: SMOOTHING_YEARS}


def stored_value(name: str) -> ScalarSelect:
    """The stored value of the whole-number setting ``name`` as SQL (empty without a row): the statements that
    compute with it read it themselves, so a rebuild of the summaries needs no argument."""
    return select(cast(col(StoredSetting.value), Integer)).where(col(StoredSetting.name) == name).scalar_subquery()


def setting(connection_or_session, name: str) -> int:
    """The value of the whole-number setting ``name``: the stored one, else its default."""
    stored = connection_or_session.execute(select(col(StoredSetting.value)).where(col(StoredSetting.name) == name)).scalar()
    return DEFAULTS[name] if stored is None else int(stored)


def employment_smoothing(connection_or_session) -> int:
    """The years employment is averaged over before its change is taken: 1 (off), 2 or 3."""
    return setting(connection_or_session, EMPLOYMENT_SMOOTHING)
