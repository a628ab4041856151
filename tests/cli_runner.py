"""Run the `tracker` command in-process, as the tests' one way to call the CLI."""

from __future__ import annotations

from click.testing import CliRunner, Result

from tracker.cli import cli


def invoke_tracker(*args: str) -> Result:
    """`tracker ARGS…`; exceptions other than a clean exit propagate, so a bug shows its traceback."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)
