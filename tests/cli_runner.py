"""Run the `tracker` command in-process, as the tests' one way to call the CLI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner, Result

from tracker.cli import cli


def invoke_tracker(*args: str) -> Result:
    """`tracker ARGS…`; exceptions other than a clean exit propagate, so a bug shows its traceback."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def tracker_ok(*args: str) -> None:
    """`tracker ARGS…`, which must succeed (for fixtures that build a database)."""
    result = invoke_tracker(*args)
    assert result.exit_code == 0, result.output


@contextmanager
def in_project(project: Path, port: int, database_url: str | None = None) -> Iterator[None]:
    """Run tracker in `project` (its config, loopback `port` allowed), restoring cwd and the
    environment afterwards: for session-wide fixtures, which cannot use monkeypatch."""
    names = ("TRACKER_CONFIG", "TRACKER_FETCH_ALLOW_PORTS", "TRACKER_DATABASE_URL")
    saved = {name: os.environ.get(name) for name in names}
    cwd = os.getcwd()
    os.environ["TRACKER_CONFIG"] = str(project / "config.toml")
    os.environ["TRACKER_FETCH_ALLOW_PORTS"] = str(port)
    if database_url:
        os.environ["TRACKER_DATABASE_URL"] = database_url
    else:
        os.environ.pop("TRACKER_DATABASE_URL", None)
    os.chdir(project)
    try:
        yield
    finally:
        os.chdir(cwd)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
