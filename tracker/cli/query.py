"""SQL on the record: `tracker sql`, `tracker datasette-metadata`, `tracker db upgrade`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import click

from tracker.cli import UserError
from tracker.cli.options import output_option
from tracker.config import Settings


class FiniteSeconds(click.FloatRange):
    """Seconds, 0 or more: nan compares false to every bound, so FloatRange alone lets it through."""

    def __init__(self) -> None:
        super().__init__(min=0)

    def convert(self, value, param, ctx) -> float:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a number of seconds (0 for no limit)", param, ctx)
        return seconds


@click.command()
@click.argument("statement", required=False)
@click.option("--query", "query_name", metavar="NAME", help="Run the named query NAME from tracker/read/queries.sql.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Value of parameter :NAME (repeatable).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
@click.option(
    "--timeout",
    type=FiniteSeconds(),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Cancel the statement after SECONDS (0: no limit). Ctrl-C cancels it at once.",
)
@click.pass_obj
def sql(
    settings: Settings,
    statement: str | None,
    query_name: str | None,
    params: tuple[str, ...],
    as_csv: bool,
    as_json: bool,
    timeout: float,
) -> None:
    """Run one read-only SQL STATEMENT (or a named query) and print the rows."""
    from tracker.cli import render
    from tracker.read.queries import load_queries
    from tracker.read.sql import parse_params, run_read_only, to_csv, to_json, to_table
    from tracker.store.reader import open_reader

    if (statement is None) == (query_name is None):
        raise UserError("give either a SQL statement or --query NAME")
    if as_csv and as_json:
        raise UserError("choose one of --csv and --json")
    if query_name is not None:
        queries = load_queries()
        if query_name not in queries:
            raise UserError(f"no query named {query_name!r} in tracker/read/queries.sql; known: {', '.join(queries)}")
        statement = queries[query_name].sql
    with open_reader(settings.database.url):  # checked, and the views exist once the schema is current
        pass
    result = run_read_only(settings.database.url, statement, parse_params(params), timeout=timeout or None)
    if as_json:
        render.echo_json(to_json(result))  # JSON's own escaping leaves bidi overrides and C1 controls raw
    else:
        # CSV: the values exactly, for files (color=True: click would strip ESC sequences from them)
        click.echo(to_csv(result) if as_csv else to_table(result), color=as_csv or None)


@click.command("datasette-metadata")
@output_option("The metadata file to write (default: standard output).")
@click.option(
    "--database-name",
    metavar="NAME",
    help="Database name in Datasette (default: the database file name without extension).",
)
@click.pass_obj
def datasette_metadata(settings: Settings, file: Path | None, database_name: str | None) -> None:
    """Write Datasette metadata (canned queries from tracker/read/queries.sql) to -o FILE or stdout."""
    from tracker.read.output import output_file
    from tracker.read.queries import datasette_metadata as make_metadata

    sqlite_file = settings.database.target.path
    if database_name is None:
        if not sqlite_file:
            raise UserError("give --database-name: the database is not a SQLite file")
        database_name = Path(sqlite_file).stem
    with output_file(file) as out:
        out.write(json.dumps(make_metadata(database_name), ensure_ascii=False, indent=2) + "\n")
    if file is not None:
        hint = f": serve with `datasette {sqlite_file} --metadata {file}`" if sqlite_file else ""
        click.echo(f"wrote {file}{hint}", err=True)


@click.group()
def db() -> None:
    """Database schema."""


@db.command()
@click.pass_obj
def upgrade(settings: Settings) -> None:
    """Create or upgrade the database schema to the newest migration."""
    from tracker.store.db import open_database

    open_database(settings.database.target).dispose()
    click.echo(f"database is up to date: {settings.database.target.shown}")
