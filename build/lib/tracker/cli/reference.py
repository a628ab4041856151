"""docs/commands.md, generated from the commands' own help (`python -m tracker.cli.reference`)."""

from __future__ import annotations

import click

from tracker.cli import cli


def commands(group: click.Group, prefix: str = "tracker"):
    """(command path, command) for every command and subcommand, in order."""
    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)
        path = f"{prefix} {name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from commands(command, path)


def render_commands_doc() -> str:
    lines = [
        "# Commands",
        "",
        "<!-- Generated from `--help` by `python -m tracker.cli.reference`; a test keeps it so. -->",
        "",
        "Every command takes the global option `--config FILE` before its name (`tracker --config my.toml run`).",
        "",
    ]
    for path, command in commands(cli):
        context = click.Context(command, info_name=path, terminal_width=100, max_content_width=100)
        lines += [f"## `{path}`", "", "```", command.get_help(context).replace("Usage: ", "", 1), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_commands_doc(), end="")
