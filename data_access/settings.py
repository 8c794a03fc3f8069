"""One settings object, read from the environment (and an optional ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
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
    sample_names: Literal["en", "zh"] = Field(
        default="en",
        description="Names of the bundled sample region: en (English), or zh (Chinese, from sample_data/zh/). "
        "Each has an embedded database of its own.",
    )
    sample_data_dir: Path = Field(
        default=PROJECT_ROOT / "sample_data",
        description="Folder of contract CSVs that fills the embedded database on first use "
        "(default: sample_data/, or sample_data/zh/ when SAMPLE_NAMES is zh).",
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
    anonymous_check_seconds: float = Field(
        default=30,
        gt=0,
        description="Seconds a check on the Data page may take for someone who has not signed in (one such "
        "check runs at a time); editors and the command line have no limit.",
    )
    wage_currency: str = Field(
        default="CNY",
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code of the currency of median_monthly_wage, shown with every wage "
        "(CNY: ¥5,375 per month, 5,375 元/月; another code, e.g. GBP: GBP 2,100 per month, 2,100 英镑/月).",
    )

    @field_validator("wage_currency", mode="before")
    @classmethod
    def _currency_code(cls, value: object) -> object:
        """Accept " gbp " for GBP: a code as typed in a .env file."""
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _sample_of_the_names(self) -> Settings:
        """The Chinese-named sample fills the embedded database, unless SAMPLE_DATA_DIR names a folder."""
        if "sample_data_dir" not in self.model_fields_set and self.sample_names != "en":
            self.sample_data_dir = PROJECT_ROOT / "sample_data" / self.sample_names
        return self

    @property
    def default_sqlite_path(self) -> Path:
        """Where the embedded SQLite database lives: one file per sample's names, so that switching
        SAMPLE_NAMES never mixes the two."""
        suffix = "" if self.sample_names == "en" else f"-{self.sample_names}"
        return self.dashboard_home / f"dashboard{suffix}.sqlite"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
