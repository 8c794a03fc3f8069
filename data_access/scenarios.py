"""Named intake scenarios saved in the database: every save of a name is a new version, so a planner
can go back to what was shown at a meeting and compare two scenarios side by side."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from .models import SavedScenario
from .planning import ScenarioChange

MAX_NAME = 80


def save_scenario(engine: Engine, name: str, changes: list[ScenarioChange], *, saved_by: str) -> int:
    """Save ``changes`` under ``name`` (stripped, at most MAX_NAME characters) as its next version; returns the version."""
    name = " ".join(name.split())[:MAX_NAME]
    if not name:
        raise ValueError("a scenario needs a name")
    payload = json.dumps([[c.program_code, c.region_code, c.from_year, c.change] for c in changes], ensure_ascii=False)
    for _ in range(3):  # two editors saving the same name at once: the second takes the next version
        try:
            with engine.begin() as connection:
                latest = connection.execute(
                    select(func.coalesce(func.max(SavedScenario.version), 0)).where(SavedScenario.name == name)
                ).scalar_one()
                connection.execute(
                    insert(SavedScenario).values(
                        name=name, version=latest + 1, saved_at=datetime.now(UTC), saved_by=saved_by, changes=payload
                    )
                )
                return int(latest + 1)
        except IntegrityError:
            continue
    raise RuntimeError("the scenario could not be saved: too many saves of the same name at once")


def saved_scenarios(engine: Engine) -> pd.DataFrame:
    """Every saved version, newest first. Columns: name, version, saved_at, saved_by, changes (how many)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                SavedScenario.name, SavedScenario.version, SavedScenario.saved_at, SavedScenario.saved_by, SavedScenario.changes
            ).order_by(SavedScenario.name, SavedScenario.version.desc())
        ).all()
    return pd.DataFrame(
        [(n, v, at, by, len(json.loads(c))) for n, v, at, by, c in rows],
        columns=["name", "version", "saved_at", "saved_by", "changes"],
    )


def load_scenario(engine: Engine, name: str, version: int | None = None) -> list[ScenarioChange]:
    """The changes of ``name`` at ``version`` (its latest when None); empty when there is no such scenario."""
    statement = select(SavedScenario.changes).where(SavedScenario.name == name)
    statement = statement.where(SavedScenario.version == version) if version else statement.order_by(SavedScenario.version.desc())
    with engine.connect() as connection:
        payload = connection.execute(statement.limit(1)).scalar_one_or_none()
    if payload is None:
        return []
    return [ScenarioChange(p, r, int(y), float(c)) for p, r, y, c in json.loads(payload)]
