"""Reading one source: `tracker lookup`, `tracker diff`, and `tracker align` on two local files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tracker.cli import UserError, database_session, render
from tracker.config import Settings


@click.command()
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
    from tracker.read.lookup import find_source, parse_date, version_history
    from tracker.read.lookup import lookup as lookup_url
    from tracker.store.reader import open_reader

    try:
        when = parse_date(at) if at is not None else None
    except ValueError as error:
        raise UserError(str(error)) from None
    with open_reader(settings.database.url) as reader:
        if list_versions:
            match = find_source(reader, url)
            found = (
                None
                if match is None
                else {
                    "url": url,
                    "matched_as": match[1],
                    "source_id": match[0].id,
                    "source_url": match[0].url,
                    "versions": version_history(reader, match[0].id),
                }
            )
        else:
            found = lookup_url(reader, url, at=when)
    if found is None:
        raise UserError(f"no source known for {url}: is it cited by a seed, and has `tracker run` ingested it?")
    if as_json:
        render.echo_json(json.dumps(found, ensure_ascii=False, indent=2))
    elif list_versions:
        render.history(found)
    elif excerpts_only:
        render.side_by_side(found)
    else:
        render.lookup(found)


@click.command()
@click.argument("url")
@click.option("--from", "from_id", type=int, help="Older original version id (default: the one before the newest).")
@click.option("--to", "to_id", type=int, help="Newer original version id (default: the newest).")
@click.option("--translated", is_flag=True, help="Compare the translations of the two versions.")
@click.pass_obj
def diff(settings: Settings, url: str, from_id: int | None, to_id: int | None, translated: bool) -> None:
    """What changed in URL between two versions, in its language or in translation."""
    from tracker.read.diff import diff_source
    from tracker.read.lookup import find_source

    with database_session(settings, read_only=True) as session:
        found = find_source(session, url)
        if found is None:
            raise UserError(f"no source known for {url}")
        language = settings.translation.target if translated else None  # excerpts' language: the first target
        result = diff_source(session, found[0], from_id=from_id, to_id=to_id, translated=language)
        if not result.lines:
            render.echo(f"versions {result.old.id} and {result.new.id} have the same text")
        for line in result.lines:
            render.echo(line)


@click.command()
@click.argument("seed_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("source_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source-lang", help="Language of SOURCE_FILE (default: detected).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_obj
def align(settings: Settings, seed_file: Path, source_file: Path, source_lang: str | None, as_json: bool) -> None:
    """Align SEED_FILE with SOURCE_FILE (translated first if in another language); no database."""
    from tracker.excerpts.versions import align_files

    result = align_files(
        seed_file,
        source_file,
        source_lang=source_lang,
        target=settings.translation.target,
        models_dir=settings.translation.models_dir,
        language_seed=settings.language.seed,
    )
    if as_json:
        render.echo_json(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if result["translated"]:
        render.echo(f"source translated {result['source_language']}→{result['target']}")
    for pair in result["pairs"]:
        render.echo(
            f"[{pair['label']} {pair['score']:.2f}{' verbatim' if pair['verbatim'] else ''}] "
            f"seed {pair['seed_start']}-{pair['seed_end']}: {pair['seed_text']}"
        )
        if pair["source_sentences"]:
            if result["translated"]:
                render.echo(
                    f"    translation {pair['translated_start']}-{pair['translated_end']}: {pair['translated_text']}"
                )
            render.echo(
                f"    source {pair['original_start']}-{pair['original_end']} "
                f"(sentences {pair['source_sentences']}): {pair['original_text']}"
            )
        for line in render.detail_lines(pair["unsupported_details"]):
            render.echo("    " + line)
    render.echo(f"unused source sentences: {result['unused_source_sentences'] or 'none'}")
    for quote in result["quotes"]:
        line = f"quote “{quote['quote']}”: {quote['status']}"
        if quote["differences"]:
            line += " — " + "; ".join(f"seed “{d['seed']}” / source “{d['source']}”" for d in quote["differences"])
        render.echo(line)
