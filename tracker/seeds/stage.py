"""The ingest stage: read the seeds folder and the seed pages due, record new revisions and the
sources they cite, and relate seeds that changed. Called by `tracker run` and by the workers'
scheduling pass alike."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tracker.config import Settings
from tracker.excerpts.relations import relate_seeds
from tracker.fetch.client import Fetcher
from tracker.fetch.revive import revive_for_new_policy
from tracker.outcomes import Notify, RunSummary
from tracker.seeds.ingest import IngestReport, ingest_seeds
from tracker.seeds.pages import PageReport, fetch_seed_pages, read_url_lists, seed_pages_due


def ingest(
    session: Session, settings: Settings, fetcher: Fetcher, now: datetime, summary: RunSummary, notify: Notify
) -> None:
    """Ingest the seeds folder and the seed pages due; counts go to `summary`, lines to `notify`."""
    if not settings.paths.seeds_dir.is_dir():  # a worker's pass: the worker may run where the seeds are not
        summary.notices.append(f"seeds folder not found: {settings.paths.seeds_dir}")
    try:
        report = ingest_seeds(session, settings.paths.seeds_dir, settings.seeds.max_bytes)
        session.commit()
    except IntegrityError:
        # Another run (one the locks could not see: another machine on a shared SQLite file)
        # recorded the same seed revision or source first. Nothing of this ingestion is kept;
        # the next run reads the seeds again and finds theirs.
        session.rollback()
        message = "seeds: another run recorded the same seeds at the same moment; the next run reads them again"
        summary.notices.append(message)
        notify(message, "seed_conflict")
        report = IngestReport()
    for source in revive_for_new_policy(session, settings.fetch):
        notify(f"re-checking {source.url}: [fetch] allow_private or allow_ports changed", "revived", url=source.url)
    session.commit()
    # Seed pages: URLs in seeds/*.urls, and seed pages due for a recheck.
    listed, unlisted = read_url_lists(settings.paths.seeds_dir)
    due = seed_pages_due(session, listed, now, settings.paths.seed_page_recheck)
    pages = fetch_seed_pages(session, due, fetcher, settings.crawl, now=now) if due else PageReport()
    report.failed += unlisted + pages.failed
    report.notices += pages.notices
    summary.seeds_new, summary.seeds_revised = (
        len(report.new) + len(pages.new),
        len(report.revised) + len(pages.revised),
    )
    summary.seeds_unchanged = report.unchanged + len(pages.unchanged)
    summary.seeds_failed = report.failed
    summary.deferred += pages.deferred
    summary.sources_new = report.new_sources + pages.new_sources
    for url in pages.new + pages.revised:
        notify(f"seed page {url}", "seed_page", url=url)
    if report.new or report.revised or pages.new or pages.revised:  # relations change only when seeds do
        summary.related = relate_seeds(session)
        session.commit()
    for path, reason in report.failed:
        notify(f"seed {path}: {reason}", "seed_failed", path=path, reason=reason)
    for notice in report.notices:
        notify(notice, "seed_notice")
