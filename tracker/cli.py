"""The `tracker` command: parses arguments and prints. The work lives in the library modules."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .config import ConfigError, Settings, load_settings


class UserError(click.ClickException):
    """One clear line for a problem the user can fix; exit status 1."""

    def show(self, file=None) -> None:
        click.echo(f"tracker: {self.message}", err=True)


@click.group()
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (default: $TRACKER_CONFIG, else ./config.toml).")
@click.version_option(package_name="tracker")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None) -> None:
    """Multilingual source tracker with translation provenance."""
    try:
        ctx.obj = load_settings(config_file)
    except ConfigError as error:
        raise UserError(str(error)) from None


@cli.command()
@click.option("--limit", type=click.IntRange(min=1), help="Fetch at most N due sources.")
@click.option("--all", "fetch_all", is_flag=True, help="Fetch every source now, due or not.")
@click.option("--no-auto-install", is_flag=True,
              help="Do not download missing translation models (same as [translation] auto_install = false).")
@click.pass_obj
def run(settings: Settings, limit: int | None, fetch_all: bool, no_auto_install: bool) -> None:
    """Ingest seeds, fetch due sources, extract, detect, translate and excerpt."""
    from .pipeline import run as run_pipeline

    if no_auto_install:
        settings = settings.with_overrides(auto_install=False)
    summary = run_pipeline(settings, notify=lambda line: click.echo(line, err=True),
                           download_progress=_download_bar, limit=limit, fetch_all=fetch_all)
    seeds = f"{summary.seeds_new} new, {summary.seeds_revised} revised, {summary.seeds_unchanged} unchanged"
    if summary.seeds_failed:
        seeds += f", {len(summary.seeds_failed)} unreadable"
    click.echo(f"seeds: {seeds}")
    click.echo(f"sources: {summary.sources_new} new; fetched {summary.fetched}, unchanged {summary.unchanged}, "
               f"skipped {len(summary.skipped)}, failed {len(summary.failed)}")
    click.echo(f"translations: {summary.translated} made, {summary.pending} pending; excerpts: {summary.excerpts}")
    for notice in summary.notices:
        click.echo(f"  {notice}")


def _download_bar(label: str):
    """A progress callback for model downloads: a bar on a terminal, nothing under cron."""
    if not sys.stderr.isatty():
        return None
    state = {"bar": None}

    def progress(done: int, total: int | None) -> None:
        if state["bar"] is None:
            state["bar"] = click.progressbar(length=total or 0, label=label, file=sys.stderr)
            state["bar"].__enter__()
        bar = state["bar"]
        bar.update(done - bar.pos)
        if total and done >= total:
            bar.__exit__(None, None, None)

    return progress


@cli.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--at", "at", metavar="DATE",
              help="Show the version in force at DATE (YYYY-MM-DD or ISO datetime, UTC by default).")
@click.option("--versions", "list_versions", is_flag=True, help="List every version of the source, oldest first.")
@click.pass_obj
def lookup(settings: Settings, url: str, as_json: bool, at: str | None, list_versions: bool) -> None:
    """Everything known about URL (as cited, normalized, redirected or canonical)."""
    from sqlmodel import Session

    from .db import open_database
    from .lookup import find_source, lookup as lookup_url, parse_date, version_history

    try:
        when = parse_date(at) if at is not None else None
    except ValueError as error:
        raise UserError(str(error)) from None
    engine = open_database(settings.database_url)
    with Session(engine) as session:
        if list_versions:
            match = find_source(session, url)
            found = None if match is None else {
                "url": url, "matched_as": match[1], "source_id": match[0].id, "source_url": match[0].url,
                "versions": version_history(session, match[0].id)}
        else:
            found = lookup_url(session, url, at=when)
    if found is None:
        raise UserError(f"no source known for {url}: is it cited by a seed, and has `tracker run` ingested it?")
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    elif list_versions:
        _print_history(found)
    else:
        _print_lookup(found)


def _print_history(found: dict) -> None:
    click.echo(f"{found['source_url']}  (matched as {found['matched_as']})")
    for version in found["versions"]:
        line = f"  #{version['id']} {version['kind']} [{version['language'] or '?'}] {version['status']}  " \
               f"captured {version['captured_at']}"
        if version["superseded_at"]:
            line += f", superseded {version['superseded_at']}"
        if version["kind"] != "original" and version["parent_id"]:
            line += f", from #{version['parent_id']}"
        if version["model"]:
            line += f", by {version['model']} {version['model_version']}"
        click.echo(line)


def _print_lookup(found: dict) -> None:
    source = found["source"]
    click.echo(f"{source['url']}  (matched as {found['matched_as']})")
    if "at" in found:
        at = found["at"]
        if at["version_id"] is None:
            click.echo(f"  at {at['date']}: no version captured yet")
        elif at["captured"] == "before":
            click.echo(f"  at {at['date']}: version #{at['version_id']}, captured {at['captured_at']}")
        else:
            click.echo(f"  at {at['date']}: nothing captured before; the first capture is "
                       f"#{at['version_id']}, {at['captured_at']}")
    click.echo(f"  state: {source['state']}" + (f" — {source['last_error']}" if source["last_error"] else ""))
    if source["next_fetch_at"]:
        click.echo(f"  next fetch: {source['next_fetch_at']}")
    click.echo("cited by:")
    for seed in found["seeds"]:
        click.echo(f"  seed {seed['id']} {seed['path']} (revision {seed['revision']})")
        for citation in seed["citations"]:
            click.echo(f"    [{citation['cue']}] {citation['sentence']}")
    click.echo("fetch attempts:")
    for attempt in found["fetch_attempts"]:
        result = attempt["status_code"] or attempt["error"]
        click.echo(f"  {attempt['started_at']}  {attempt['url']}  {result}")
    click.echo("versions:")
    for version in found["versions"]:
        language = version["language"] or "?"
        line = f"  #{version['id']} {version['kind']} [{language}] {version['status']}"
        if version["length"] is not None:
            line += f", {version['length']} chars"
        if version.get("title"):
            line += f" — {version['title']}"
        click.echo(line)
        activity = version.get("activity") or {}
        if activity.get("model"):
            click.echo(f"      by {activity['model']} {activity['model_version']} "
                       f"(sha256 {str(activity['model_sha256'])[:12]}…), "
                       f"argostranslate {activity['software'].get('argostranslate')}, "
                       f"ctranslate2 {activity['software'].get('ctranslate2')}")
        elif activity.get("error"):
            click.echo(f"      {activity['error']}")
    if found["excerpts"]:
        click.echo("excerpts:")
    for excerpt in found["excerpts"]:
        click.echo(f"  seed {excerpt['seed_id']} score {excerpt['score']:.2f}")
        click.echo(f"    seed:        {excerpt['seed_sentence']}")
        click.echo(f"    translation: {excerpt['text']}")
        click.echo(f"    original:    {excerpt['original_text']}")


@cli.command()
@click.argument("statement", required=False)
@click.option("--query", "query_name", metavar="NAME", help="Run the named query NAME from docs/queries.sql.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Value of parameter :NAME (repeatable).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
@click.pass_obj
def sql(settings: Settings, statement: str | None, query_name: str | None, params: tuple[str, ...],
        as_csv: bool, as_json: bool) -> None:
    """Run one read-only SQL STATEMENT (or a named query) and print the rows."""
    from .db import open_database
    from .queries import load_queries
    from .sql import QueryError, parse_params, run_read_only, to_csv, to_json, to_table

    if (statement is None) == (query_name is None):
        raise UserError("give either a SQL statement or --query NAME")
    if as_csv and as_json:
        raise UserError("choose one of --csv and --json")
    if query_name is not None:
        queries = load_queries()
        if query_name not in queries:
            raise UserError(f"no query named {query_name!r} in docs/queries.sql; known: {', '.join(queries)}")
        statement = queries[query_name].sql
    open_database(settings.database_url).dispose()  # the views exist once the schema is current
    try:
        result = run_read_only(settings.database_url, statement, parse_params(params))
    except QueryError as error:
        raise UserError(f"sql: {error}") from None
    click.echo(to_csv(result) if as_csv else to_json(result) if as_json else to_table(result))


@cli.command("datasette-metadata")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--database-name", metavar="NAME",
              help="Database name in Datasette (default: the database file name without extension).")
@click.pass_obj
def datasette_metadata(settings: Settings, file: Path | None, database_name: str | None) -> None:
    """Write Datasette metadata (canned queries from docs/queries.sql) to FILE or stdout."""
    from sqlalchemy.engine import make_url

    from .queries import datasette_metadata as make_metadata

    if database_name is None:
        database = make_url(settings.database_url).database
        if not database:
            raise UserError("give --database-name: the database is not a SQLite file")
        database_name = Path(database).stem
    text = json.dumps(make_metadata(database_name), ensure_ascii=False, indent=2)
    if file is None:
        click.echo(text)
    else:
        file.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {file}: serve with `datasette {make_url(settings.database_url).database} "
                   f"--metadata {file}`", err=True)


@cli.group()
def export() -> None:
    """Export the provenance record (PROV-JSON, JSON Lines)."""


@export.command("prov")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--seed", "seed_id", type=int, metavar="ID", help="Only what is linked to seed ID.")
@click.pass_obj
def export_prov(settings: Settings, file: Path | None, seed_id: int | None) -> None:
    """Write W3C PROV-JSON to FILE (default: stdout)."""
    from sqlmodel import Session

    from .db import open_database
    from .exports import write_prov
    from .tables import Seed

    engine = open_database(settings.database_url)
    with Session(engine) as session:
        if seed_id is not None and session.get(Seed, seed_id) is None:
            raise UserError(f"no seed with id {seed_id} (see `tracker sql \"SELECT id, path FROM seeds\"`)")
        if file is None:
            write_prov(session, sys.stdout, seed_id)
            return
        with file.open("w", encoding="utf-8") as out:
            counts = write_prov(session, out, seed_id)
    click.echo(f"wrote {file}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()), err=True)


@export.command("jsonl")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export_jsonl(settings: Settings, file: Path) -> None:
    """Write one JSON object per version, with its provenance, to FILE (`-` for stdout)."""
    from sqlmodel import Session

    from .db import open_database
    from .exports import write_jsonl

    engine = open_database(settings.database_url)
    with Session(engine) as session:
        if str(file) == "-":
            write_jsonl(session, sys.stdout)
            return
        with file.open("w", encoding="utf-8") as out:
            written = write_jsonl(session, out)
    click.echo(f"wrote {written} versions to {file}", err=True)


@cli.group()
def db() -> None:
    """Database schema."""


@db.command()
@click.pass_obj
def upgrade(settings: Settings) -> None:
    """Create or upgrade the database schema to the newest migration."""
    from .db import open_database

    open_database(settings.database_url).dispose()
    click.echo(f"database is up to date: {settings.database_url}")


@cli.group()
def models() -> None:
    """Argos Translate packages used for translation."""


@models.command("list")
@click.pass_obj
def models_list(settings: Settings) -> None:
    """List installed translation packages."""
    from .argos_packages import list_packages

    packages = list_packages(settings.models_dir)
    if not packages:
        click.echo(f"no models installed in {settings.models_dir}")
    for package in packages:
        click.echo(f"{package.code}\t{package.from_code}→{package.to_code}\t{package.version or '-'}\t"
                   f"sha256 {package.sha256[:12]}\t{package.path}")


@models.command("install")
@click.argument("what", nargs=-1, required=True)
@click.option("--replace", is_flag=True, help="Replace an installed package with the same code.")
@click.pass_obj
def models_install(settings: Settings, what: tuple[str, ...], replace: bool) -> None:
    """Install FILE.argosmodel, or FROM TO (e.g. `vi en`) from Argos's package index."""
    from .argos_packages import PackageError, install_file, install_from_index

    try:
        if len(what) == 1:
            package = install_file(settings.models_dir, Path(what[0]), replace=replace)
        elif len(what) == 2:
            package = install_from_index(settings.models_dir, what[0], what[1],
                                         progress=_download_bar(f"{what[0]}→{what[1]} model"),
                                         index_url=settings.index_url)
        else:
            raise UserError("give a FILE.argosmodel, or two language codes such as `vi en`")
    except PackageError as error:
        raise UserError(str(error)) from None
    click.echo(f"installed {package.code} {package.version} ({package.from_code}→{package.to_code}) in {package.path}")


@models.command("remove")
@click.argument("code")
@click.pass_obj
def models_remove(settings: Settings, code: str) -> None:
    """Remove an installed package by its code (see `tracker models list`)."""
    from .argos_packages import PackageError, remove_package

    try:
        remove_package(settings.models_dir, code)
    except PackageError as error:
        raise UserError(str(error)) from None
    click.echo(f"removed {code}")


def main() -> None:
    cli(prog_name="tracker")
