"""The `tracker` command: parses arguments, calls the library, prints."""

from tracker.cli.commands import cli, main

__all__ = ["cli", "main"]
