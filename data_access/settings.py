"""One settings object, read from the environment (and an optional ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting of the dashboard; each is documented in README.md and .env.example."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database; empty means the embedded SQLite default.",
    )
    dashboard_home: Path = Field(
        default=PROJECT_ROOT / "var",
        description="Folder holding the embedded SQLite database and its lock file.",
    )
    sample_data_dir: Path = Field(
        default=PROJECT_ROOT / "sample_data",
        description="Folder of contract CSVs that fills the embedded database on first use.",
    )
    auto_migrate: bool = Field(
        default=True,
        description="Apply pending schema migrations when the app or the command line opens the database.",
    )
    load_lock_wait: float = Field(
        default=60, ge=0, description="Seconds a load waits for another load to finish before giving up."
    )
    max_problems: int = Field(
        default=200, ge=1, description="How many problems a validation lists before it summarises the rest."
    )

    @property
    def default_sqlite_path(self) -> Path:
        """Where the embedded SQLite database lives."""
        return self.dashboard_home / "dashboard.sqlite"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
