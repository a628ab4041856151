"""The `tracker` command: parses arguments, calls the library, prints.

Each topic's commands live in their own module and are imported only when run (or listed by
`--help`), so `tracker lookup` never pays for argostranslate or trafilatura. Errors a user or the
machine can cause (`TrackerError`, a full disk) become one line here, in `TrackerGroup.invoke`;
a closed output pipe (`tracker sources | head -1`) ends quietly, with status 141.
"""

from __future__ import annotations

import importlib
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from tracker.config import Settings, load_settings
from tracker.errors import TrackerError

# command name → "module:attribute" under tracker.cli
COMMANDS = {
    "alerts": "alerts:alerts",
    "feed": "alerts:feed",
    "run": "run:run",
    "sources": "run:sources",
    "lookup": "lookup:lookup",
    "diff": "lookup:diff",
    "align": "lookup:align",
    "sql": "query:sql",
    "datasette-metadata": "query:datasette_metadata",
    "db": "query:db",
    "export": "export:export",
    "models": "models:models",
    "retranslate": "models:retranslate",
    "report": "report:report",
    "serve": "report:serve",
    "seeds": "seeds:seeds",
    "worker": "workers:worker",
    "status": "workers:status",
    "trail": "trail:trail",
}


class UserError(click.ClickException):
    """One clear line for a problem the user can fix; exit status 1 unless said otherwise."""

    def __init__(self, message: str, exit_status: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_status

    def show(self, file=None) -> None:
        from tracker.terminal import shown

        click.echo(f"tracker: {shown(self.message)}", err=True)  # a message may quote a seed or a page


class TrackerGroup(click.Group):
    """Loads commands lazily and turns every error a user or the machine can cause into one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(f"tracker.cli.{module}"), attribute)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:  # `tracker --help` and `--version` print while their arguments are parsed
            return super().parse_args(ctx, args)
        except BrokenPipeError:
            closed_pipe()
        except OSError as error:  # a full disk under `tracker --help > FILE`
            raise UserError(f"cannot write standard output: {error.strerror or error}") from None

    def invoke(self, ctx: click.Context):
        from tracker.faults import one_line

        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            closed_pipe()
        except Exception as error:
            line = one_line(error, ctx.obj, ctx.invoked_subcommand)
            if line is None:
                raise  # a bug: keep its traceback
            raise UserError(*line) from None


@click.group(cls=TrackerGroup)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: $TRACKER_CONFIG, else ./config.toml).",
)
@click.version_option(package_name="tracker")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None) -> None:
    """Multilingual source tracker with translation provenance."""
    try:
        ctx.obj = load_settings(config_file)
    except TrackerError as error:  # raised before any subcommand runs, so not through invoke
        raise UserError(str(error), error.exit_status) from None


@contextmanager
def database_session(settings: Settings, read_only: bool = False) -> Iterator:
    """A session on the (upgraded) database; the engine is disposed however the command ends.
    `read_only` opens a SQLite file read-only, so read-only files and folders can be read."""
    from sqlmodel import Session

    from tracker.store.db import open_database, open_read_only

    engine = (open_read_only if read_only else open_database)(settings.database.url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


class Duration(click.ParamType):
    """A duration such as 90s, 15m, 1h30m or 2d (a bare number is seconds)."""

    name = "duration"
    _UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    def convert(self, value, param, ctx) -> float:
        if isinstance(value, (int, float)):
            value = str(value)
        text = value.strip().lower()
        try:
            if text and text[-1].isdigit():
                total = float(text)
                if not 0 < total < math.inf:  # 0 would rerun without pause; nan and inf never
                    raise ValueError
                return total
            total, number = 0.0, ""
            for char in text:
                if char.isdigit() or char == ".":
                    number += char
                else:
                    total += float(number) * self._UNITS[char]
                    number = ""
            if number or total <= 0:
                raise ValueError
            return total
        except (KeyError, ValueError):
            self.fail(f"{value!r} is not a duration such as 90s, 15m, 1h30m or 2d", param, ctx)


def closed_pipe() -> NoReturn:
    """The reader of tracker's output went away (`tracker sources | head -1`): stop at once and say
    nothing, with the status of a program that SIGPIPE ended (128+13), as `cat` or `grep` would."""
    _discard_standard_output()
    sys.exit(141)


def _discard_standard_output() -> None:
    # What is still buffered would fail again when the interpreter flushes it at exit, with an
    # "Exception ignored" message and status 120: let it go to /dev/null instead.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind stdout (an in-process test runner)
        pass


def main() -> None:
    try:
        cli(prog_name="tracker")  # click's standalone mode always ends in SystemExit
    except SystemExit as end:
        try:
            sys.stdout.flush()  # output still buffered fails here, as one line, not at exit
        except BrokenPipeError:
            closed_pipe()
        except OSError as error:
            _discard_standard_output()
            if end.code in (0, None):  # a failed command has said its line already
                click.echo(f"tracker: cannot write standard output: {error.strerror or error}", err=True)
                sys.exit(1)
        raise
