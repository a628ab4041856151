"""The README documents every command, option and setting (sqlite-utils' habit)."""

from pathlib import Path

import click
import pytest

from tracker.cli import cli
from tracker.config import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def commands(group: click.Group, prefix: str = "tracker"):
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        path = f"{prefix} {name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from commands(command, path)


@pytest.mark.parametrize("path, command", list(commands(cli)), ids=lambda x: str(x))
def test_every_command_and_option_is_in_the_readme(path, command):
    assert f"`{path}" in README, f"{path} is not documented"
    for parameter in command.params:
        for option in getattr(parameter, "opts", []):
            if option.startswith("--") and option != "--help":
                assert option in README, f"{path} {option} is not documented"


def test_global_options_are_in_the_readme():
    assert "--config" in README


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: f"{s.section}.{s.key}")
def test_every_setting_is_in_the_readme(setting):
    assert f"`[{setting.section}] {setting.key}`" in README
    assert f"`{setting.env}`" in README
