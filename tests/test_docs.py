"""Every setting and every command is documented where users look for them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from copilot.cli import build_parser
from copilot.settings import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_setting_is_in_readme_with_its_default(setting):
    row = next((line for line in README.splitlines() if line.startswith(f"| `{setting.name}` |")), None)
    assert row is not None, f"{setting.name} is missing from the README's settings table"
    if setting.default is not None:
        assert f"`{setting.default}`" in row


def test_every_command_is_in_readme():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction").choices
    for name in commands:
        assert re.search(rf"flink-copilot {re.escape(name)}\b", README), f"`flink-copilot {name}` is not in the README"


def test_help_lists_settings():
    out = subprocess.run([sys.executable, "-m", "copilot", "--help"], capture_output=True, text=True).stdout
    for setting in SETTINGS:
        assert setting.name in out


def test_readme_shows_the_two_commands():
    assert "make run" in README and "make test" in README
