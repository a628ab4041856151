"""`tracker seeds add URL…` (seed pages by URL) and `tracker seeds list`."""

from __future__ import annotations

import json

import click

from tracker.cli import database_session, render
from tracker.config import Settings


@click.group()
def seeds() -> None:
    """Seeds: add seed pages by URL, list seeds with their date and citations."""


@seeds.command("add")
@click.argument("urls", nargs=-1, required=True)
@click.pass_obj
def add(settings: Settings, urls: tuple[str, ...]) -> None:
    """Fetch each URL (politely, as sources are) and ingest the page as an HTML seed.

    A URL already added is fetched again; a changed article becomes a new revision.
    `tracker run` re-checks seed pages every [paths] seed_page_recheck seconds.
    """
    from tracker.excerpts.relations import relate_seeds
    from tracker.fetch.client import Fetcher
    from tracker.seeds.pages import check_seed_url, fetch_seed_pages

    checked = [check_seed_url(url) for url in urls]  # a bad URL stops before any fetch
    with database_session(settings) as session, Fetcher(settings.fetch) as fetcher:
        report = fetch_seed_pages(session, checked, fetcher, settings.crawl)
        if report.new or report.revised:
            relate_seeds(session)
            session.commit()
    for url in report.new:
        render.echo(f"added {url}")
    for url in report.revised:
        render.echo(f"revised {url}")
    for url in report.unchanged:
        render.echo(f"unchanged {url}")
    for url, reason in report.deferred:
        render.echo(f"deferred {url}: {reason} (try again later)", err=True)
    for url, reason in report.failed:
        render.echo(f"failed {url}: {reason}", err=True)
    if report.failed or report.deferred:
        raise SystemExit(1)


@seeds.command("list")
@click.option("--all", "all_revisions", is_flag=True, help="Every revision, not only the current ones.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@click.pass_obj
def list_(settings: Settings, all_revisions: bool, as_json: bool) -> None:
    """Seeds with their URL, publisher, date (published, else ingested) and citation counts."""
    from tracker.read.seeds import list_seeds
    from tracker.store.reader import open_reader

    with open_reader(settings.database.url) as reader:
        rows = list_seeds(reader, all_revisions=all_revisions)
    for row in rows:
        if as_json:
            render.echo_json(json.dumps(row.as_dict(), ensure_ascii=False))
        else:
            dated = "published" if row.dated_by == "published_at" else "ingested"
            render.echo(
                f"{row.id}\t{row.path}\trev {row.revision}\t{dated} {row.date:%Y-%m-%d %H:%M}\t"
                f"{row.publisher or '-'}\t{row.url_citations} urls\t{row.attributions} attributions\t"
                f"{row.url or '-'}"
            )
