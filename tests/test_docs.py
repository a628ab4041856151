"""The docs stay true both ways: every command, option and setting is documented, and every
command, option and setting the docs name exists (sqlite-utils' habit)."""

import re
from pathlib import Path

import click
import pytest

from tracker.cli import cli
from tracker.cli.reference import commands, render_commands_doc
from tracker.config import options, render_settings_doc

REPO = Path(__file__).resolve().parent.parent
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
COMMANDS = dict(commands(cli))


def test_commands_doc_is_generated_from_help():
    # Regenerate with: python -m tracker.cli.reference > docs/commands.md
    assert (REPO / "docs" / "commands.md").read_text() == render_commands_doc()


def test_configuration_doc_is_generated_from_the_settings():
    assert (REPO / "docs" / "configuration.md").read_text() == render_settings_doc()


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=str)
def test_every_command_and_option_is_documented(path):
    reference = (REPO / "docs" / "commands.md").read_text()
    assert f"## `{path}`" in reference
    for parameter in COMMANDS[path].params:
        for option in (o for o in parameter.opts if o.startswith("-")):
            assert option in reference, f"{path} {option} is not documented"


def _mentions():
    """Each `tracker …` in backticks in the README and docs/, with the file it is in."""
    for doc in DOCS:
        for match in re.finditer(r"`(tracker(?: [^`\n]*)?)`", doc.read_text()):
            yield doc.name, match.group(1)


@pytest.mark.parametrize("doc, mention", sorted(set(_mentions())), ids=lambda x: str(x)[:60])
def test_every_command_and_option_the_docs_name_exists(doc, mention):
    words = mention.replace("=", " ").split()
    words = [w for w in words if not (w == "--config" or w.endswith(".toml"))]
    path = "tracker"
    for word in words[1:]:
        if f"{path} {word}" in COMMANDS:
            path = f"{path} {word}"
        elif not word.startswith("-"):
            break
    command = COMMANDS.get(path, cli)
    if path == "tracker" and len(words) > 1 and not words[1].startswith("-"):
        pytest.fail(f"{doc}: `{mention}`: no command {words[1]!r}")
    known = {o for p in command.params for o in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])}
    for word in words:
        if word.startswith("--") and word != "--help":
            assert word in known | {"--config", "--version"}, f"{doc}: `{mention}`: no option {word}"
    assert isinstance(command, click.Command)


def test_every_setting_the_docs_name_exists():
    known = {(o.section, o.key) for o in options()}
    for doc in DOCS:
        for section, key in re.findall(r"`\[([a-z_]+)\] ([a-z_]+)", doc.read_text()):
            assert (section, key) in known, f"{doc.name}: [{section}] {key} is not a setting"


def test_readme_is_a_front_door():
    assert len((REPO / "README.md").read_text()) < 15_000
