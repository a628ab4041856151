"""The `tracker` command: parses arguments and prints. The work lives in the library modules."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tracker.config import Settings, load_settings
from tracker.errors import TrackerError


class UserError(click.ClickException):
    """One clear line for a problem the user can fix; exit status 1 unless said otherwise."""

    def __init__(self, message: str, exit_status: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_status

    def show(self, file=None) -> None:
        click.echo(f"tracker: {self.message}", err=True)


class _Group(click.Group):
    """Turns every error a user or the machine can cause into one line: the one place that does."""

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import OperationalError

        try:
            return super().invoke(ctx)
        except TrackerError as error:
            raise UserError(str(error), error.exit_status) from None
        except (OSError, OperationalError) as error:
            # The machine, not tracker: a full disk, a read-only or missing folder. Every source
            # finished before this was committed on its own, so the next run resumes from here.
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            raise UserError(f"stopped: {reason} (work committed so far is kept)") from None


@click.group(cls=_Group)
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
    except TrackerError as error:  # raised before any subcommand runs, so not through _Group.invoke
        raise UserError(str(error), error.exit_status) from None


class Duration(click.ParamType):
    """A duration such as 90s, 15m, 1h30m or 2d (a bare number is seconds)."""

    name = "duration"
    _UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    def convert(self, value, param, ctx) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        text = value.strip().lower()
        try:
            if text and text[-1].isdigit():
                return float(text)
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


@cli.command()
@click.option("--limit", type=click.IntRange(min=1), help="Fetch at most N due sources.")
@click.option(
    "--only-due/--all",
    "only_due",
    default=True,
    help="Fetch only sources that are due (default), or every source now, retired ones included.",
)
@click.option(
    "--no-auto-install",
    is_flag=True,
    help="Do not download missing translation models (same as [translation] auto_install = false).",
)
@click.option("--every", type=Duration(), help="Run again every DURATION, in the foreground, until stopped.")
@click.option("--max-time", type=Duration(), help="Start no new work after DURATION; the next run continues.")
@click.option("--json", "json_lines", is_flag=True, help="Log JSON lines and print the summary as JSON.")
@click.pass_obj
def run(
    settings: Settings,
    limit: int | None,
    only_due: bool,
    no_auto_install: bool,
    every: float | None,
    max_time: float | None,
    json_lines: bool,
) -> None:
    """Ingest seeds, fetch due sources, extract, detect, translate and excerpt."""
    import time

    from tracker.pipeline import RunInProgress
    from tracker.pipeline import run as run_pipeline
    from tracker.runlog import choose_log

    if no_auto_install:
        settings = settings.with_overrides(auto_install=False)
    while True:
        started = time.monotonic()
        log = choose_log(json_lines)
        try:
            summary = run_pipeline(
                settings,
                notify=log,
                download_progress=log.download_progress,
                limit=limit,
                fetch_all=not only_due,
                max_seconds=max_time,
            )
        except RunInProgress as busy:
            log(f"{busy}; exiting", "run_in_progress")
            summary = None
        finally:
            log.close()
        if summary is not None:
            _print_summary(summary, json_lines)
        if every is None:
            return
        time.sleep(max(0.0, every - (time.monotonic() - started)))


def _print_summary(summary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    seeds = f"{summary.seeds_new} new, {summary.seeds_revised} revised, {summary.seeds_unchanged} unchanged"
    if summary.seeds_failed:
        seeds += f", {len(summary.seeds_failed)} unreadable"
    if summary.related:
        seeds += f"; related seeds: {summary.related} pair{'s' if summary.related != 1 else ''}"
    click.echo(f"seeds: {seeds}")
    retired = f" ({len(summary.retired)} retired)" if summary.retired else ""
    click.echo(
        f"sources: {summary.sources_new} new; fetched {summary.fetched}, unchanged {summary.unchanged}, "
        f"skipped {len(summary.skipped)}, failed {len(summary.failed)}{retired}"
        + (f", deferred {len(summary.deferred)}" if summary.deferred else "")
    )
    click.echo(f"translations: {summary.translated} made, {summary.pending} pending; excerpts: {summary.excerpts}")
    work = summary.translation
    if work.translated or work.cache_hits or work.reused or work.model_loads:
        click.echo(f"translation work: {_work_line(work)}")
    if summary.stopped_early:
        click.echo("stopped at --max-time: the next run continues where this one stopped")
    if summary.next_due is not None:
        click.echo(f"next due: {summary.next_due:%Y-%m-%d %H:%M} UTC")
    for notice in summary.notices:
        click.echo(f"  {notice}")


@cli.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option(
    "--excerpts",
    "excerpts_only",
    is_flag=True,
    help="Print, per citing seed, each seed sentence beside the source sentences it draws on.",
)
@click.option(
    "--at", "at", metavar="DATE", help="Show the version in force at DATE (YYYY-MM-DD or ISO datetime, UTC by default)."
)
@click.option("--versions", "list_versions", is_flag=True, help="List every version of the source, oldest first.")
@click.pass_obj
def lookup(
    settings: Settings, url: str, as_json: bool, excerpts_only: bool, at: str | None, list_versions: bool
) -> None:
    """Everything known about URL (as cited, normalized, redirected or canonical)."""
    from sqlmodel import Session

    from tracker.read.lookup import find_source, parse_date, version_history
    from tracker.read.lookup import lookup as lookup_url
    from tracker.store.db import open_database

    try:
        when = parse_date(at) if at is not None else None
    except ValueError as error:
        raise UserError(str(error)) from None
    engine = open_database(settings.database_url)
    with Session(engine) as session:
        if list_versions:
            match = find_source(session, url)
            found = (
                None
                if match is None
                else {
                    "url": url,
                    "matched_as": match[1],
                    "source_id": match[0].id,
                    "source_url": match[0].url,
                    "versions": version_history(session, match[0].id),
                }
            )
        else:
            found = lookup_url(session, url, at=when)
    if found is None:
        raise UserError(f"no source known for {url}: is it cited by a seed, and has `tracker run` ingested it?")
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    elif list_versions:
        _print_history(found)
    elif excerpts_only:
        _print_side_by_side(found)
    else:
        _print_lookup(found)


def _columns(texts: list[str | None], width: int) -> list[str]:
    """Texts wrapped into columns of `width`, one line per row."""
    import textwrap

    wrapped = [textwrap.wrap(t or "—", width) or [""] for t in texts]
    return [
        "  ".join(col[k].ljust(width) if k < len(col) else " " * width for col in wrapped).rstrip()
        for k in range(max(len(col) for col in wrapped))
    ]


def _print_side_by_side(found: dict) -> None:
    import shutil

    source = found["source"]
    click.echo(source["url"])
    if not found["alignments"]:
        click.echo("  no excerpts yet: the source is not fetched, translated or aligned with a seed")
    width = max(24, (min(shutil.get_terminal_size((150, 24)).columns, 180) - 6) // 3)
    for group in found["alignments"]:
        click.echo(
            f"seed {group['seed_id']} {group['seed_path']}  ↔  version #{group['version_id']} "
            f"({group['version_kind']}, {group['language']})"
        )
        for line in _columns(["seed", "translation", "original"], width):
            click.echo("  " + line)
        for pair in group["pairs"]:
            click.echo(f"  [{pair['label']} {pair['score']:.2f}] source sentences {pair['source_sentences']}")
            for line in _columns(
                [pair["seed_sentence"], pair["translated_sentence"], pair["original_sentence"]], width
            ):
                click.echo("  " + line)
    for quote in found["quotes"]:
        line = f"  quote “{quote['quote']}” ({quote['seed_path']}): {quote['status']}"
        if quote["differences"]:
            line += " — " + "; ".join(f"seed “{d['seed']}” / source “{d['source']}”" for d in quote["differences"])
        click.echo(line)


def _language(version: dict) -> str:
    """`vi`, or `sw, uncertain` when the language of an original is not to be trusted."""
    status = version.get("language_status")
    language = version["language"] or "?"
    return f"{language}, {status}" if status in ("uncertain", "undetermined") else language


def _print_history(found: dict) -> None:
    click.echo(f"{found['source_url']}  (matched as {found['matched_as']})")
    for version in found["versions"]:
        line = (
            f"  #{version['id']} {version['kind']} [{_language(version)}] {version['status']}  "
            f"captured {version['captured_at']}"
        )
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
            click.echo(
                f"  at {at['date']}: nothing captured before; the first capture is "
                f"#{at['version_id']}, {at['captured_at']}"
            )
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
        line = f"  #{version['id']} {version['kind']} [{_language(version)}] {version['status']}"
        if version["length"] is not None:
            line += f", {version['length']} chars"
        if version.get("title"):
            line += f" — {version['title']}"
        click.echo(line)
        activity = version.get("activity") or {}
        if activity.get("model"):
            click.echo(
                f"      by {activity['model']} {activity['model_version']} "
                f"(sha256 {str(activity['model_sha256'])[:12]}…), "
                f"argostranslate {activity['software'].get('argostranslate')}, "
                f"ctranslate2 {activity['software'].get('ctranslate2')}"
            )
        elif activity.get("error"):
            click.echo(f"      {activity['error']}")
    if found["excerpts"]:
        click.echo("excerpts:")
    for excerpt in found["excerpts"]:
        click.echo(f"  seed {excerpt['seed_id']} {excerpt['label']} score {excerpt['score']:.2f}")
        click.echo(f"    seed:        {excerpt['seed_sentence']}")
        click.echo(f"    translation: {excerpt['text']}")
        click.echo(f"    original:    {excerpt['original_text']}")
    if found["quotes"]:
        click.echo("quotes:")
    for quote in found["quotes"]:
        click.echo(f"  seed {quote['seed_id']} {quote['status']}: “{quote['quote']}”")
        for difference in quote["differences"]:
            click.echo(f"    seed “{difference['seed']}” / source “{difference['source']}”")
    if found["related_seeds"]:
        click.echo("related seeds:")
    for relation in found["related_seeds"]:
        click.echo(
            f"  seed {relation['seed_id']} ↔ seed {relation['related_seed_id']} {relation['related_path']}: "
            f"{relation['reason']} {relation['score']:.2f} {', '.join(relation['shared'][:8])}"
        )


@cli.command()
@click.argument("seed_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("source_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source-lang", help="Language of SOURCE_FILE (default: detected).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_obj
def align(settings: Settings, seed_file: Path, source_file: Path, source_lang: str | None, as_json: bool) -> None:
    """Align SEED_FILE with SOURCE_FILE (translated first if in another language); no database."""
    from tracker.excerpts.versions import align_files
    from tracker.seeds.files import SeedError
    from tracker.translation.translator import MissingModel

    try:
        result = align_files(
            seed_file,
            source_file,
            source_lang=source_lang,
            target=settings.target,
            models_dir=settings.models_dir,
            language_seed=settings.seed,
        )
    except (MissingModel, SeedError) as error:
        raise UserError(str(error)) from None
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if result["translated"]:
        click.echo(f"source translated {result['source_language']}→{result['target']}")
    for pair in result["pairs"]:
        click.echo(
            f"[{pair['label']} {pair['score']:.2f}] seed {pair['seed_start']}-{pair['seed_end']}: {pair['seed_text']}"
        )
        if pair["source_sentences"]:
            if result["translated"]:
                click.echo(
                    f"    translation {pair['translated_start']}-{pair['translated_end']}: {pair['translated_text']}"
                )
            click.echo(
                f"    source {pair['original_start']}-{pair['original_end']} "
                f"(sentences {pair['source_sentences']}): {pair['original_text']}"
            )
    click.echo(f"unused source sentences: {result['unused_source_sentences'] or 'none'}")
    for quote in result["quotes"]:
        line = f"quote “{quote['quote']}”: {quote['status']}"
        if quote["differences"]:
            line += " — " + "; ".join(f"seed “{d['seed']}” / source “{d['source']}”" for d in quote["differences"])
        click.echo(line)


@cli.command()
@click.argument("url")
@click.option("--from", "from_id", type=int, help="Older original version id (default: the one before the newest).")
@click.option("--to", "to_id", type=int, help="Newer original version id (default: the newest).")
@click.option("--translated", is_flag=True, help="Compare the translations of the two versions.")
@click.pass_obj
def diff(settings: Settings, url: str, from_id: int | None, to_id: int | None, translated: bool) -> None:
    """What changed in URL between two versions, in its language or in translation."""
    from sqlmodel import Session

    from tracker.read.diff import DiffError, diff_source
    from tracker.read.lookup import find_source
    from tracker.store.db import open_database

    with Session(open_database(settings.database_url)) as session:
        found = find_source(session, url)
        if found is None:
            raise UserError(f"no source known for {url}")
        try:
            result = diff_source(session, found[0], from_id=from_id, to_id=to_id, translated=translated)
        except DiffError as error:
            raise UserError(str(error)) from None
        if not result.lines:
            click.echo(f"versions {result.old.id} and {result.new.id} have the same text")
        for line in result.lines:
            click.echo(line)


@cli.command()
@click.option(
    "--state", type=click.Choice(["new", "fetched", "failed", "skipped", "retired"]), help="Only sources in this state."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@click.pass_obj
def sources(settings: Settings, state: str | None, as_json: bool) -> None:
    """Every source with its state, schedule and last error."""
    from sqlmodel import Session, select

    from tracker.store.db import open_database
    from tracker.store.tables import Source

    with Session(open_database(settings.database_url)) as session:
        query = select(Source).order_by(Source.id)
        if state:
            query = query.where(Source.state == state)
        for source in session.exec(query):
            if as_json:
                click.echo(json.dumps(source.model_dump(mode="json"), ensure_ascii=False))
                continue
            next_fetch = f"{source.next_fetch_at:%Y-%m-%d %H:%M}" if source.next_fetch_at else "-"
            interval = f"{source.check_interval // 60}m" if source.check_interval else "-"
            note = source.retired_reason or source.last_error or ""
            click.echo(
                f"{source.id}\t{source.state}\tnext {next_fetch}\tevery {interval}\t"
                f"failures {source.failures}\tchanges {source.changes}\t{source.url}" + (f"\t{note}" if note else "")
            )


@cli.command()
@click.argument("statement", required=False)
@click.option("--query", "query_name", metavar="NAME", help="Run the named query NAME from tracker/read/queries.sql.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Value of parameter :NAME (repeatable).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
@click.pass_obj
def sql(
    settings: Settings,
    statement: str | None,
    query_name: str | None,
    params: tuple[str, ...],
    as_csv: bool,
    as_json: bool,
) -> None:
    """Run one read-only SQL STATEMENT (or a named query) and print the rows."""
    from tracker.read.queries import load_queries
    from tracker.read.sql import QueryError, parse_params, run_read_only, to_csv, to_json, to_table
    from tracker.store.db import open_database

    if (statement is None) == (query_name is None):
        raise UserError("give either a SQL statement or --query NAME")
    if as_csv and as_json:
        raise UserError("choose one of --csv and --json")
    if query_name is not None:
        queries = load_queries()
        if query_name not in queries:
            raise UserError(f"no query named {query_name!r} in tracker/read/queries.sql; known: {', '.join(queries)}")
        statement = queries[query_name].sql
    open_database(settings.database_url).dispose()  # the views exist once the schema is current
    try:
        result = run_read_only(settings.database_url, statement, parse_params(params))
    except QueryError as error:
        raise UserError(f"sql: {error}") from None
    click.echo(to_csv(result) if as_csv else to_json(result) if as_json else to_table(result))


@cli.command("datasette-metadata")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option(
    "--database-name",
    metavar="NAME",
    help="Database name in Datasette (default: the database file name without extension).",
)
@click.pass_obj
def datasette_metadata(settings: Settings, file: Path | None, database_name: str | None) -> None:
    """Write Datasette metadata (canned queries from tracker/read/queries.sql) to FILE or stdout."""
    from sqlalchemy.engine import make_url

    from tracker.read.queries import datasette_metadata as make_metadata

    url = make_url(settings.database_url)
    sqlite_file = url.database if url.get_backend_name() == "sqlite" and url.database != ":memory:" else None
    if database_name is None:
        if not sqlite_file:
            raise UserError("give --database-name: the database is not a SQLite file")
        database_name = Path(sqlite_file).stem
    text = json.dumps(make_metadata(database_name), ensure_ascii=False, indent=2)
    if file is None:
        click.echo(text)
    else:
        file.write_text(text + "\n", encoding="utf-8")
        hint = f": serve with `datasette {sqlite_file} --metadata {file}`" if sqlite_file else ""
        click.echo(f"wrote {file}{hint}", err=True)


@cli.group()
def export() -> None:
    """Export what tracker stored: PROV-JSON, JSON Lines, WARC."""


@export.command("prov")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--seed", "seed_id", type=int, metavar="ID", help="Only what is linked to seed ID.")
@click.pass_obj
def export_prov(settings: Settings, file: Path | None, seed_id: int | None) -> None:
    """Write W3C PROV-JSON to FILE (default: stdout)."""
    from sqlmodel import Session

    from tracker.read.exports import write_prov
    from tracker.store.db import open_database
    from tracker.store.tables import Seed

    engine = open_database(settings.database_url)
    with Session(engine) as session:
        if seed_id is not None and session.get(Seed, seed_id) is None:
            raise UserError(f'no seed with id {seed_id} (see `tracker sql "SELECT id, path FROM seeds"`)')
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

    from tracker.read.exports import write_jsonl
    from tracker.store.db import open_database

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
    from sqlalchemy.engine import make_url

    from tracker.store.db import open_database

    open_database(settings.database_url).dispose()
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    click.echo(f"database is up to date: {where}")


@cli.group()
def models() -> None:
    """Argos Translate packages used for translation."""


@models.command("list")
@click.pass_obj
def models_list(settings: Settings) -> None:
    """List installed translation packages."""
    from tracker.translation.packages import list_packages

    packages = list_packages(settings.models_dir)
    if not packages:
        click.echo(f"no models installed in {settings.models_dir}")
    for package in packages:
        click.echo(
            f"{package.code}\t{package.from_code}→{package.to_code}\t{package.version or '-'}\t"
            f"sha256 {package.sha256[:12]}\t{package.path}"
        )


@models.command("install")
@click.argument("what", nargs=-1, required=True)
@click.option("--replace", is_flag=True, help="Replace an installed package with the same code.")
@click.pass_obj
def models_install(settings: Settings, what: tuple[str, ...], replace: bool) -> None:
    """Install FILE.argosmodel, or FROM TO (e.g. `vi en`) from Argos's package index."""
    from tracker.runlog import choose_log
    from tracker.translation.packages import PackageError, install_file, install_from_index

    log = choose_log(json_lines=False)  # a progress bar on a terminal, nothing otherwise
    try:
        if len(what) == 1:
            package = install_file(settings.models_dir, Path(what[0]), replace=replace)
        elif len(what) == 2:
            package = install_from_index(
                settings.models_dir,
                what[0],
                what[1],
                replace=replace,
                progress=log.download_progress(f"{what[0]}→{what[1]} model"),
                index_url=settings.index_url,
            )
        else:
            raise UserError("give a FILE.argosmodel, or two language codes such as `vi en`")
    except PackageError as error:
        raise UserError(str(error)) from None
    finally:
        log.close()
    click.echo(f"installed {package.code} {package.version} ({package.from_code}→{package.to_code}) in {package.path}")


@models.command("remove")
@click.argument("code")
@click.pass_obj
def models_remove(settings: Settings, code: str) -> None:
    """Remove an installed package by its code (see `tracker models list`)."""
    from tracker.translation.packages import PackageError, remove_package

    try:
        remove_package(settings.models_dir, code)
    except PackageError as error:
        raise UserError(str(error)) from None
    click.echo(f"removed {code}")


@models.command("available")
@click.pass_obj
def models_available(settings: Settings) -> None:
    """List the packages Argos's index offers (needs internet)."""
    from tracker.translation.packages import PackageError, available_packages, list_packages

    try:
        offered = available_packages(settings.index_url, timeout=5.0)
    except PackageError as error:
        raise UserError(str(error)) from None
    installed = {p.code: p.version for p in list_packages(settings.models_dir)}
    for package in offered:
        mark = ""
        if package.code in installed:
            mark = f"\tinstalled {installed[package.code] or '-'}"
        click.echo(
            f"{package.code}\t{package.from_code}→{package.to_code}\t{package.version or '-'}\t"
            f"{package.from_name} → {package.to_name}{mark}"
        )


@cli.command()
@click.option(
    "--package",
    "package_code",
    required=True,
    help="Code of the package whose translations to redo, e.g. translate-vi_en.",
)
@click.option("--before-version", help="Only translations made by versions of it older than this one.")
@click.pass_obj
def retranslate(settings: Settings, package_code: str, before_version: str | None) -> None:
    """Translate again, with the installed models, what an (older) package translated."""
    from sqlmodel import Session

    from tracker.store.db import open_database
    from tracker.translation.versions import retranslate as retranslate_versions

    engine = open_database(settings.database_url)
    with Session(engine) as session:
        report = retranslate_versions(session, settings, package_code, before_version)
        session.commit()
    engine.dispose()
    if not report.matched:
        older = f" older than {before_version}" if before_version else ""
        click.echo(f"no ready translation was made by {package_code}{older}: nothing to retranslate")
        return
    click.echo(f"retranslated {len(report.retranslated)}, already current {report.current}; {_work_line(report.stats)}")
    for from_code, to_code in sorted(report.missing_pairs):
        click.echo(
            f"  no Argos model for {from_code}→{to_code}: not retranslated "
            f"(`tracker models install {from_code} {to_code}`)"
        )
    if report.retranslated:
        click.echo("  excerpts follow the new translations on the next `tracker run`")


def _work_line(stats) -> str:
    return (
        f"sentences translated {stats.translated}, from cache {stats.cache_hits}, "
        f"translations reused {stats.reused}, model loads {stats.model_loads}"
    )


@export.command("warc")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export_warc(settings: Settings, file: Path) -> None:
    """Write every original version's HTTP response to FILE as WARC (gzipped if FILE ends in .gz)."""
    from sqlmodel import Session

    from tracker.read.warc import export_warc as write_warc
    from tracker.store.db import open_database

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
