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
               f"skipped {len(summary.skipped)}, failed {len(summary.failed)}"
               + (f", deferred {len(summary.deferred)}" if summary.deferred else ""))
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
@click.pass_obj
def lookup(settings: Settings, url: str, as_json: bool) -> None:
    """Everything known about URL (as cited, normalized, redirected or canonical)."""
    from sqlmodel import Session

    from .db import open_database
    from .lookup import lookup as lookup_url

    engine = open_database(settings.database_url)
    with Session(engine) as session:
        found = lookup_url(session, url)
    if found is None:
        raise UserError(f"no source known for {url}: is it cited by a seed, and has `tracker run` ingested it?")
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        _print_lookup(found)


def _print_lookup(found: dict) -> None:
    source = found["source"]
    click.echo(f"{source['url']}  (matched as {found['matched_as']})")
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


@cli.group()
def export() -> None:
    """Export what tracker stored, in standard formats."""


@export.command("warc")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export_warc(settings: Settings, file: Path) -> None:
    """Write every original version's HTTP response to FILE as WARC (gzipped if FILE ends in .gz)."""
    from sqlmodel import Session

    from .db import open_database
    from .export_warc import export_warc as write_warc

    engine = open_database(settings.database_url)
    partial = file.with_name(file.name + ".part")
    try:
        with Session(engine) as session, partial.open("wb") as out:
            count = write_warc(session, out, gzip=file.name.endswith(".gz"), filename=file.name)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UserError(f"cannot write {file}: {error.strerror or error}") from None
    finally:
        engine.dispose()
    partial.replace(file)  # a reader never sees half a file
    click.echo(f"wrote {count} response{'' if count == 1 else 's'} to {file}")


def main() -> None:
    cli(prog_name="tracker")
