"""Options shared by several commands, so that one idea has one spelling everywhere."""

from __future__ import annotations

import functools
from pathlib import Path

import click

FILE = click.Path(dir_okay=False, path_type=Path)


class OlderSpelling(click.Argument):
    """A positional argument still accepted but left out of the usage line, which shows the option."""

    def get_usage_pieces(self, ctx: click.Context) -> list[str]:
        return []


def output_option(help: str, required: bool = False):
    """`-o/--output FILE` for a command that writes a file, as `tracker report` has it; the older
    positional FILE still works (scripts use it) but is not the documented form. The command
    receives `file`: a Path, or None when it is not required and neither was given (stdout)."""

    def decorate(command):
        @functools.wraps(command)
        def run(*args, file: Path | None, output: Path | None, **kwargs):
            if file is not None and output is not None and file != output:
                raise click.UsageError(f"give the file to write once: -o {output} (FILE alone is the older spelling)")
            chosen = output if output is not None else file
            if required and chosen is None:
                raise click.UsageError("give the file to write: -o FILE (- for standard output)")
            return command(*args, file=chosen, **kwargs)

        run = click.option("-o", "--output", "output", type=FILE, metavar="FILE", help=help)(run)
        return click.argument("file", cls=OlderSpelling, type=FILE, required=False)(run)

    return decorate
