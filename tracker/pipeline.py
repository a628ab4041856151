"""`tracker run`: ingest seeds, fetch what is due, extract, detect, translate, excerpt.

Each stage commits its own short transactions, so a failure or a kill loses at most the item
in hand, readers are never blocked for long, and the next run picks up where this one stopped.
One failed source never stops the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import or_
from sqlmodel import Session, select

from .argos_packages import PackageError, find_route, install_from_index
from .config import Settings
from .crawler import CrawlPolicy, Crawler, CrawlRequest, origin_of
from .db import open_database
from .excerpts import excerpt_seed_source
from .fetch import FetchPolicy, Fetcher
from .hosts import load_hosts, save_hosts
from .originals import latest_version, record_fetch
from .seeds import ingest_seeds
from .tables import Activity, Citation, Seed, Source, Version, utcnow
from .translations import originals_needing_translation, translate_original

Notify = Callable[[str], None]
Progress = Callable[[int, "int | None"], None]


@dataclass
class RunSummary:
    seeds_new: int = 0
    seeds_revised: int = 0
    seeds_unchanged: int = 0
    seeds_failed: list[tuple[str, str]] = field(default_factory=list)
    sources_new: int = 0
    fetched: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    deferred: list[tuple[str, str]] = field(default_factory=list)
    translated: int = 0
    pending: int = 0
    excerpts: int = 0
    notices: list[str] = field(default_factory=list)


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        allow_private=settings.fetch_allow_private, allow_ports=settings.fetch_allow_ports,
        user_agent=settings.fetch_user_agent, connect_timeout=settings.fetch_connect_timeout,
        read_timeout=settings.fetch_read_timeout, deadline=settings.fetch_deadline,
        max_body_bytes=settings.fetch_max_body_bytes, max_redirects=settings.fetch_max_redirects,
        max_retries=settings.fetch_max_retries, backoff=settings.fetch_backoff)


def crawl_policy(settings: Settings) -> CrawlPolicy:
    return CrawlPolicy(host_delay=settings.fetch_host_delay, concurrency=settings.fetch_concurrency,
                       max_host_wait=settings.fetch_max_host_wait)


def run(settings: Settings, *, notify: Notify = lambda line: None,
        download_progress: Callable[[str], Progress] | None = None,
        limit: int | None = None, fetch_all: bool = False, now: datetime | None = None) -> RunSummary:
    """One scheduled run over the seeds folder and the sources it cites."""
    now = now or utcnow()
    summary = RunSummary()
    engine = open_database(settings.database_url)
    with Session(engine) as session:
        _ingest(session, settings, summary, notify)
        with Fetcher(fetch_policy(settings)) as fetcher:
            _fetch_due(session, due_sources(session, now, limit=limit, fetch_all=fetch_all),
                       fetcher, settings, summary, notify, now, fetch_all)
        _translate(session, settings, summary, notify, download_progress)
        _excerpt(session, settings, summary)
    engine.dispose()
    return summary


def due_sources(session: Session, now: datetime, *, limit: int | None = None,
                fetch_all: bool = False) -> list[Source]:
    query = select(Source).order_by(Source.id)
    if not fetch_all:
        query = query.where(or_(Source.next_fetch_at.is_(None), Source.next_fetch_at <= now))
    return list(session.exec(query.limit(limit)).all())


def _ingest(session: Session, settings: Settings, summary: RunSummary, notify: Notify) -> None:
    if not settings.seeds_dir.is_dir():
        summary.notices.append(f"seeds folder not found: {settings.seeds_dir}")
    report = ingest_seeds(session, settings.seeds_dir)
    session.commit()
    summary.seeds_new, summary.seeds_revised = len(report.new), len(report.revised)
    summary.seeds_unchanged, summary.seeds_failed = report.unchanged, report.failed
    summary.sources_new = report.new_sources
    for path, reason in report.failed:
        notify(f"seed {path}: {reason}")


def _fetch_due(session, sources, fetcher, settings, summary, notify, now, fetch_all) -> None:
    """Fetch `sources` politely and concurrently (see crawler.py); record each in this thread."""
    by_id = {source.id: source for source in sources}
    requests = [CrawlRequest(s.url, etag=s.etag, last_modified=s.last_modified, key=s.id)
                for s in by_id.values()]
    hosts = load_hosts(session, filter(None, (origin_of(r.url) for r in requests)))
    if fetch_all:  # "retry now" includes a robots.txt that could not be fetched last time
        for state in hosts.values():
            state.forget_failed_robots()
    offset = now - utcnow()  # a run told it is later than it is keeps host times consistent
    crawler = Crawler(fetcher, crawl_policy(settings), hosts, clock=lambda: utcnow() + offset)
    for request, result, started in crawler.fetch_all(requests):
        save_hosts(session, crawler.changed_hosts())
        source = by_id[request.key]
        if result.error_kind == "deferred":  # not fetched: the source stays due for a later run
            session.commit()
            summary.deferred.append((source.url, result.error))
            notify(f"{result.error}: {source.url}")
            continue
        outcome = record_fetch(session, source, result, settings, started=started, now=now)
        session.commit()
        _report(source, outcome, summary, notify)
    save_hosts(session, crawler.changed_hosts())
    session.commit()


def _report(source, outcome, summary, notify) -> None:
    if outcome.state == "fetched":
        summary.fetched += 1
        notify(f"fetched {source.url}")
    elif outcome.state == "unchanged":
        summary.unchanged += 1
    elif outcome.state == "skipped":
        summary.skipped.append((source.url, outcome.error or ""))
        notify(f"{outcome.error}: {source.url}")
    else:
        summary.failed.append((source.url, outcome.error or ""))
        notify(f"failed {source.url}: {outcome.error} (retried after {source.next_fetch_at:%Y-%m-%d %H:%M} UTC, "
               "or now with `tracker run --all`)")


def _translate(session, settings, summary, notify, download_progress) -> None:
    originals = originals_needing_translation(session, settings.target)
    pairs = sorted({(v.language, settings.target) for v in originals})
    for from_code, to_code in pairs:
        if settings.auto_install and find_route(settings.models_dir, from_code, to_code) is None:
            _download_model(settings, from_code, to_code, notify, download_progress)
    missing_notified: set[str] = set()
    for original in originals:
        version = translate_original(session, original, settings)
        session.commit()
        if version.status == "ready":
            summary.translated += 1
            continue
        summary.pending += 1
        reason = session.get(Activity, version.activity_id).error
        if reason not in missing_notified:  # one line per missing language pair, not per page
            missing_notified.add(reason)
            summary.notices.append(reason)
            notify(reason)


def _download_model(settings, from_code, to_code, notify, download_progress) -> None:
    notify(f"no {from_code}→{to_code} model installed: downloading it from Argos's package index "
           f"(turn this off with [translation] auto_install = false)")
    progress = download_progress(f"{from_code}→{to_code} model") if download_progress else None
    try:
        package = install_from_index(settings.models_dir, from_code, to_code, progress=progress,
                                     index_url=settings.index_url)
    except PackageError as error:
        notify(str(error))
        return
    notify(f"installed {package.code} {package.version}")


def _excerpt(session: Session, settings: Settings, summary: RunSummary) -> None:
    pairs = session.exec(select(Seed, Source).join(Citation, Citation.seed_id == Seed.id)
                         .join(Source, Source.id == Citation.source_id)
                         .where(Seed.superseded_at.is_(None)).distinct()).all()
    for seed, source in pairs:
        aligned = aligned_version(session, source.id, settings.target)
        if aligned is not None:
            summary.excerpts += len(excerpt_seed_source(session, seed, aligned))
            session.commit()


def aligned_version(session: Session, source_id: int, target: str) -> Version | None:
    """The newest text of a source in the target language: its translation, or the original."""
    original = latest_version(session, source_id, "original")
    if original is None:
        return None
    if original.language == target:
        return original
    return session.exec(select(Version).where(
        Version.parent_id == original.id, Version.kind == "translated", Version.language == target,
        Version.status == "ready").order_by(Version.id.desc())).first()
