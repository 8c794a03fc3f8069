"""The documentation keeps up with the code."""

from __future__ import annotations

import re
from pathlib import Path

from data_access.cli import build_parser
from data_access.contract import TABLES
from data_access.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_readme_and_env_example():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in README, name
        assert f"{name.upper()}=" in example, name


def test_every_contract_column_is_documented_in_readme():
    for spec in TABLES.values():
        row = next(line for line in README.splitlines() if line.startswith(f"| `{spec.name}` |"))
        for column in spec.column_names:
            assert column in row, (spec.name, column)


def test_every_cli_option_is_documented_in_readme():
    commands = build_parser()._subparsers._group_actions[0].choices
    for name, parser in commands.items():
        for action in parser._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert re.search(rf"{name} .*{re.escape(option)}", README), (name, option)


def test_readme_test_command_is_what_ci_runs():
    command = next(line for line in README.splitlines() if "python -m pytest" in line and line.startswith("python3"))
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
