"""`tracker run`: ingest seeds, fetch what is due, extract, detect, translate, excerpt.

Each stage commits its own short transactions, so a failure or a kill loses at most the item
in hand, readers are never blocked for long, and the next run picks up where this one stopped.
One failed source never stops the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import exists, func, or_, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from tracker.config import ConfigError, Settings
from tracker.excerpts.relations import relate_seeds
from tracker.excerpts.versions import excerpt_seed_source
from tracker.fetch.client import Fetcher
from tracker.fetch.crawler import Crawler, CrawlRequest, origin_of
from tracker.fetch.revive import revive_for_new_policy
from tracker.originals.versions import record_fetch
from tracker.seeds.ingest import IngestReport, ingest_seeds
from tracker.seeds.pages import PageReport, fetch_seed_pages, read_url_lists, seed_pages_due
from tracker.store.db import open_database
from tracker.store.hosts import load_hosts, save_hosts
from tracker.store.locks import database_lock, run_lock, say_if_waiting, sqlite_database_lock
from tracker.store.tables import Activity, Citation, Seed, Source, Version, utcnow
from tracker.store.versions import text_in_language
from tracker.translation.index import install_from_index
from tracker.translation.packages import PackageError, find_route
from tracker.translation.translator import TranslateStats
from tracker.translation.versions import originals_needing_translation, pending_reason, translate_original


class Notify(Protocol):
    """Receives what a run does: a one-line message, an event name and its fields.

    The CLI turns these into plain log lines, JSON lines or progress bars; events named
    `stage` (fields: name, total) and `progress` (fields: name) only drive progress displays.
    """

    def __call__(self, message: str, event: str = "info", **fields: Any) -> None: ...


def _quiet(message: str, event: str = "info", **fields: Any) -> None:
    pass


Progress = Callable[[int, "int | None"], None]  # (bytes done, bytes in all) of a model download


@dataclass
class RunSummary:
    seeds_new: int = 0
    seeds_revised: int = 0
    seeds_unchanged: int = 0
    seeds_failed: list[tuple[str, str]] = field(default_factory=list)
    sources_new: int = 0
    fetched: int = 0  # fetches that made a new original version
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    retired: list[tuple[str, str]] = field(default_factory=list)
    deferred: list[tuple[str, str]] = field(default_factory=list)
    translated: int = 0
    pending: int = 0
    excerpts: int = 0
    stopped_early: bool = False
    next_due: datetime | None = None
    translation: TranslateStats = field(default_factory=TranslateStats)  # sentences, cache hits, model loads
    related: int = 0  # pairs of related seeds, recomputed when seeds changed
    notices: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["next_due"] = self.next_due.isoformat() if self.next_due else None
        return data


def run(
    settings: Settings,
    *,
    notify: Notify = _quiet,
    download_progress: Callable[[str], Progress] | None = None,
    limit: int | None = None,
    fetch_all: bool = False,
    now: datetime | None = None,
    max_seconds: float | None = None,
) -> RunSummary:
    """One scheduled run over the seeds folder and the sources it cites.

    Raises RunInProgress when another run holds the lock. `max_seconds` stops starting new
    work after that long; what is left is done by the next run.
    """
    if not settings.paths.seeds_dir.is_dir():  # a typo in seeds_dir would otherwise run on, finding "0 new"
        raise ConfigError(
            f"seeds folder not found: {settings.paths.seeds_dir} "
            "(create it, or set [paths] seeds_dir or $TRACKER_SEEDS_DIR)"
        )
    with (
        run_lock(settings.paths.data_dir),
        sqlite_database_lock(settings.database.url),
        database_lock(settings.database.url),
    ):
        if _is_postgres(settings.database.url):  # the work goes through the queue that workers share
            from tracker.workers.loop import run_in_process

            return run_in_process(settings, notify=notify, limit=limit, fetch_all=fetch_all, max_seconds=max_seconds)
        now = now or utcnow()
        stop_at = None if max_seconds is None else time.monotonic() + max_seconds
        summary = RunSummary()
        engine = open_database(settings.database.url)
        say_if_waiting(settings.database.url, notify)
        try:
            # The run commits after every page; expiring every loaded row at each commit made each
            # commit reload what the next page touches (a third of the run's database time). The
            # run is the only writer of what it holds (run and database locks).
            with Session(engine, expire_on_commit=False) as session:
                with Fetcher(settings.fetch) as fetcher:
                    notify("", "step", name="seeds")
                    _ingest(session, settings, summary, notify, fetcher, now)
                    total = count_due(session, now, fetch_all=fetch_all, limit=limit)
                    notify(f"{total} sources due", "stage", name="fetch", total=total)
                    for batch in due_batches(session, now, limit=limit, fetch_all=fetch_all):
                        _fetch_due(session, batch, fetcher, settings, summary, notify, now, fetch_all, stop_at)
                        if _out_of_time(stop_at, summary):
                            break
                if not _out_of_time(stop_at, summary):
                    notify("", "step", name="translate")
                    _translate(session, settings, summary, notify, download_progress)
                if not _out_of_time(stop_at, summary):
                    notify("", "step", name="excerpt")
                    _excerpt(session, settings, summary)
                summary.next_due = next_due(session)
        finally:
            engine.dispose()
        return summary


def _is_postgres(database_url: str) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(database_url).get_backend_name() == "postgresql"


def _out_of_time(stop_at: float | None, summary: RunSummary) -> bool:
    if stop_at is not None and time.monotonic() >= stop_at:
        summary.stopped_early = True
    return summary.stopped_early


def _due(now: datetime, fetch_all: bool):
    if fetch_all:
        return true()
    return (Source.state != "retired") & or_(Source.next_fetch_at.is_(None), Source.next_fetch_at <= now)


def count_due(session: Session, now: datetime, *, fetch_all: bool = False, limit: int | None = None) -> int:
    total = session.exec(select(func.count()).select_from(Source).where(_due(now, fetch_all))).one()
    return min(total, limit) if limit else total


def due_batches(
    session: Session, now: datetime, *, limit: int | None = None, fetch_all: bool = False, batch_size: int = 200
) -> Iterator[list[Source]]:
    """Due sources in id order, a batch at a time, so memory stays flat however many there are."""
    after, left = 0, limit
    while left is None or left > 0:
        size = batch_size if left is None else min(batch_size, left)
        batch = list(
            session.exec(
                select(Source).where(Source.id > after, _due(now, fetch_all)).order_by(Source.id).limit(size)
            ).all()
        )
        if not batch:
            return
        after = batch[-1].id
        yield batch
        if left is not None:
            left -= len(batch)
        session.expunge_all()  # forget the finished batch


def next_due(session: Session) -> datetime | None:
    return session.exec(select(func.min(Source.next_fetch_at)).where(Source.state != "retired")).one()


def _ingest(
    session: Session, settings: Settings, summary: RunSummary, notify: Notify, fetcher: Fetcher, now: datetime
) -> None:
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


def _fetch_due(session, sources, fetcher, settings, summary, notify, now, fetch_all, stop_at) -> None:
    """Fetch `sources` politely and concurrently (see crawler.py); record each in this thread."""
    by_id = {source.id: source for source in sources}
    requests = [CrawlRequest(s.url, etag=s.etag, last_modified=s.last_modified, key=s.id) for s in by_id.values()]
    hosts = load_hosts(session, filter(None, (origin_of(r.url) for r in requests)))
    if fetch_all:  # "retry now" includes a robots.txt that could not be fetched last time
        for state in hosts.values():
            state.forget_failed_robots()
    offset = now - utcnow()  # a run told it is later than it is keeps host times consistent
    crawler = Crawler(fetcher, settings.crawl, hosts, clock=lambda: utcnow() + offset)
    for request, result, started in crawler.fetch_all(requests):
        save_hosts(session, crawler.changed_hosts())
        source = by_id[request.key]
        if result.error_kind == "deferred":  # not fetched: the source stays due for a later run
            session.commit()
            summary.deferred.append((source.url, result.error))
            notify(f"{result.error}: {source.url}", "deferred", url=source.url, reason=result.error)
            continue
        outcome = record_fetch(session, source, result, settings, started=started, now=now)
        session.commit()
        _report(source, outcome, summary, notify)
        notify("", "progress", name="fetch")
        if _out_of_time(stop_at, summary):
            break  # in-flight fetches finish but are not recorded: those sources stay due
    save_hosts(session, crawler.changed_hosts())
    session.commit()


def _report(source, outcome, summary, notify) -> None:
    url = source.url
    if outcome.state in ("new", "changed"):
        summary.fetched += 1
        notify(f"fetched {url} ({outcome.state} text)", "fetched", url=url, outcome=outcome.state)
    elif outcome.state == "unchanged":
        summary.unchanged += 1
        notify(f"unchanged {url}", "unchanged", url=url)
    elif outcome.state == "skipped":
        summary.skipped.append((url, outcome.error or ""))
        notify(f"{outcome.error}: {url}", "skipped", url=url, reason=outcome.error)
    elif source.state == "retired":
        summary.failed.append((url, outcome.error or ""))
        summary.retired.append((url, source.retired_reason))
        notify(f"retired {url}: {source.retired_reason}", "retired", url=url, reason=source.retired_reason)
    else:
        summary.failed.append((url, outcome.error or ""))
        notify(
            f"failed {url}: {outcome.error} (retried after {source.next_fetch_at:%Y-%m-%d %H:%M} UTC, "
            "or now with `tracker run --all`)",
            "failed",
            url=url,
            reason=outcome.error,
            next_fetch_at=source.next_fetch_at.isoformat(),
        )


def _translate(session, settings, summary, notify, download_progress) -> None:
    missing_notified: set[str] = set()
    for target in settings.translation.targets:  # one translated version per target language
        originals = originals_needing_translation(session, target)
        translatable = [
            v for v in originals if v.language_status != "uncertain" or settings.language.on_uncertain == "translate"
        ]
        pairs = sorted({(v.language, target) for v in translatable})
        for from_code, to_code in pairs:
            if (
                settings.translation.auto_install
                and find_route(settings.translation.models_dir, from_code, to_code) is None
            ):
                _download_model(settings, from_code, to_code, notify, download_progress)
        for original in originals:
            version = translate_original(session, original, settings, target, stats=summary.translation)
            session.commit()
            if version.status == "ready":
                summary.translated += 1
                continue
            summary.pending += 1
            reason = pending_reason(session, version)
            if reason not in missing_notified:  # one line per missing language pair, not per page
                missing_notified.add(reason)
                summary.notices.append(reason)
                uncertain = original.language_status == "uncertain" and settings.language.on_uncertain != "translate"
                notify(reason, "language_uncertain" if uncertain else "model_missing")


def _download_model(settings, from_code, to_code, notify, download_progress) -> None:
    notify(
        f"no {from_code}→{to_code} model installed: downloading it from Argos's package index "
        f"(turn this off with [translation] auto_install = false)"
    )
    progress = download_progress(f"{from_code}→{to_code} model") if download_progress else None
    try:
        package = install_from_index(
            settings.translation.models_dir,
            from_code,
            to_code,
            progress=progress,
            index_url=settings.translation.index_url,
        )
    except PackageError as error:
        notify(str(error), "model_missing")
        return
    notify(f"installed {package.code} {package.version}", "model_installed", code=package.code)


def _excerpt(session: Session, settings: Settings, summary: RunSummary) -> None:
    seed_indexes: dict = {}  # each seed's sentences split (and indexed) once per run
    for seed, aligned in pairs_to_align(session, settings.translation.target):
        summary.excerpts += len(
            excerpt_seed_source(
                session, seed, aligned, models_dir=settings.translation.models_dir, seed_indexes=seed_indexes
            )
        )
        session.commit()


def pairs_to_align(session: Session, target: str) -> list[tuple[Seed, Version]]:
    """(current seed, the text of a source it cites in the target language) not aligned yet.

    One query finds the candidates, so a run with nothing new does no per-source work."""
    align = aliased(Activity)
    candidates = session.exec(
        select(Citation.seed_id, Version.source_id)
        .distinct()
        .join(Seed, Seed.id == Citation.seed_id)
        .join(Version, Version.source_id == Citation.source_id)
        .where(
            Seed.superseded_at.is_(None),
            Version.status == "ready",
            Version.kind.in_(("original", "translated")),
            # Only a text in the target language is ever aligned: without this, every original in
            # another language stayed a candidate (and cost queries) in every run, forever.
            Version.language == target,
            ~exists().where(
                align.kind == "align", align.seed_id == Citation.seed_id, align.used_version_id == Version.id
            ),
        )
    ).all()
    pairs = []
    for seed_id, source_id in candidates:
        aligned = text_in_language(session, source_id, target)
        already = (
            aligned is not None
            and session.exec(
                select(Activity.id).where(
                    Activity.kind == "align", Activity.seed_id == seed_id, Activity.used_version_id == aligned.id
                )
            ).first()
        )
        if aligned is not None and not already:
            pairs.append((session.get(Seed, seed_id), aligned))
    return pairs


def repeat_every(
    every: float | None, run_once: Callable[[], None], sleep: Callable[[float], None] = time.sleep
) -> None:
    """Call `run_once`; with `every` seconds, again each time that much has passed since the last
    start (at once if a run took longer), until interrupted."""
    while True:
        started = time.monotonic()
        run_once()
        if every is None:
            return
        sleep(max(0.0, every - (time.monotonic() - started)))
