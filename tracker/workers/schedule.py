"""Finding due work and putting it in the queue: one worker at a time (a PostgreSQL advisory lock).

A pass ingests the seeds folder, then enqueues one fetch job per origin with due sources, a
translation job per original that lacks a translation (when a model is installed; otherwise the
translation is recorded as pending, as `tracker run` does), an align job per (seed, version)
not aligned yet, and the archive job when lookups are due. Most work also reaches the queue
without a pass: the transaction that stores an original enqueues its translation, the one that
stores a translation enqueues its alignments, a fetch job that finds a source gone enqueues the
archive job.
"""

from __future__ import annotations

import time
from collections import defaultdict

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tracker.archive.stage import due_for_archive
from tracker.config import Settings
from tracker.excerpts.stage import pairs_to_align
from tracker.fetch.client import Fetcher
from tracker.fetch.crawler import origin_of
from tracker.fetch.stage import due
from tracker.outcomes import Notify, RunSummary
from tracker.seeds.stage import ingest
from tracker.store.tables import Source, Version, utcnow
from tracker.trails.stage import follow_trails
from tracker.translation.packages import find_route
from tracker.translation.stage import ensure_model, translate_batch
from tracker.translation.versions import originals_needing_translation
from tracker.workers import queue
from tracker.workers.tasks import FETCH_JOB_SOURCES, enqueue_archive, enqueue_translation

# The key of the advisory lock a scheduling pass holds: "trackers" in ASCII, as a bigint.
SCHEDULE_LOCK_KEY = int.from_bytes(b"trackers", "big")
# What a worker does at most this often (seconds), though its scheduling pass runs every few:
DOWNLOAD_RETRY = 3600.0  # trying to download a missing model (offline, each try waits out a timeout)
PRUNE_EVERY = 3600.0  # deleting old finished jobs (a scan of `jobs`)


class Timers:
    """What one worker does at most once in a while, though its scheduling pass runs every few
    seconds (kept on the worker: two workers in one process keep their own)."""

    def __init__(self) -> None:
        self._last_done: dict[tuple, float] = {}  # key -> monotonic time

    def once_per(self, key: tuple, seconds: float, now: float | None = None) -> bool:
        """Whether `key` may be done now, at most once in `seconds` (and note it)."""
        now = time.monotonic() if now is None else now
        if now - self._last_done.get(key, -seconds) < seconds:
            return False
        self._last_done[key] = now
        return True

    def download_due(self, pair: tuple[str, str], now: float | None = None) -> bool:
        """Whether the `pair` model may be downloaded now (and note the try)."""
        return self.once_per(("download", *pair), DOWNLOAD_RETRY, now)


def enqueue_due(
    engine: Engine,
    settings: Settings,
    *,
    summary: RunSummary | None = None,
    notify: Notify | None = None,
    fetch_all: bool = False,
    limit: int | None = None,
    timers: Timers | None = None,
) -> int | None:
    """One scheduling pass; the number of jobs enqueued, or None if another worker is doing one."""
    timers = timers or Timers()
    summary = summary if summary is not None else RunSummary()
    notify = notify or (lambda *args, **kwargs: None)
    with engine.connect() as locker:
        # A transaction-level lock on a connection of its own, which the server ends (and the
        # lock with it) once it idles for longer than the lease: a worker stopped mid-pass
        # (SIGSTOP, a frozen VM) does not block scheduling for everyone.
        timeout_ms = int(max(1.0, settings.worker.lease) * 1000)
        locker.exec_driver_sql(f"SET LOCAL idle_in_transaction_session_timeout = {timeout_ms}")
        if not locker.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SCHEDULE_LOCK_KEY}).scalar():
            locker.rollback()
            return None
        try:
            with Session(engine) as session, Fetcher(settings.fetch) as fetcher:
                seeds = RunSummary()
                ingest(session, settings, fetcher, utcnow(), seeds, notify)
                summary.add_seeds(seeds)
                follow_trails(session, settings, notify)  # the sources it adds are due: enqueued below
                added = _enqueue_fetches(session, fetch_all, limit)
                added += _enqueue_translations(session, settings, summary, notify, timers)
                added += _enqueue_alignments(session, settings)
                if settings.archive.enabled and due_for_archive(session, utcnow(), limit=1, fetch_all=fetch_all):
                    added += enqueue_archive(session, fetch_all)
                if timers.once_per(("prune",), PRUNE_EVERY):
                    queue.prune(session.connection())
                session.commit()
                return added
        finally:
            try:
                locker.rollback()  # ends the transaction, the lock and the SET LOCAL
            except DBAPIError:
                locker.invalidate()


def _enqueue_fetches(session: Session, fetch_all: bool, limit: int | None) -> int:
    query = select(Source.id, Source.url).where(due(utcnow(), fetch_all)).order_by(Source.id)
    if limit:
        query = query.limit(limit)
    by_origin: dict[str, list[int]] = defaultdict(list)
    for source_id, url in session.exec(query).all():
        by_origin[origin_of(url) or "-"].append(source_id)
    connection = session.connection()
    added = 0
    for origin, ids in sorted(by_origin.items()):
        # `more`: how many of this origin's due sources wait behind this job; the job enqueues
        # the next part when it is done (under --all they all stay "due", so no pass would).
        payload = {
            "origin": origin,
            "source_ids": ids[:FETCH_JOB_SOURCES],
            "fetch_all": fetch_all,
            "more": len(ids) - len(ids[:FETCH_JOB_SOURCES]),
        }
        added += queue.enqueue(connection, "fetch", origin, payload)
    return added


def _enqueue_translations(
    session: Session, settings: Settings, summary: RunSummary, notify: Notify, timers: Timers
) -> int:
    added = 0
    for target in settings.translation.targets:
        originals = originals_needing_translation(session, target)
        # Per language and in one query, not per original: this pass runs every few seconds, and
        # thousands of originals may wait for a model nobody installed.
        codes = sorted({v.language for v in originals})
        routes = {code: find_route(settings.translation.models_dir, code, target) for code in codes}
        for code in codes:
            if routes[code] is None and settings.translation.auto_install and timers.download_due((code, target)):
                ensure_model(settings, code, target, notify)
                routes[code] = find_route(settings.translation.models_dir, code, target)
        pending = _pending_originals(session, target)
        unroutable: dict[str, list[Version]] = defaultdict(list)
        for original in originals:
            if routes[original.language] is not None:
                added += enqueue_translation(session.connection(), original, target)
            elif original.id not in pending:  # recorded once, as `tracker run` does
                unroutable[original.language].append(original)
        for language_originals in unroutable.values():  # recorded as pending, with the reason told
            translate_batch(session, language_originals, target, settings, summary, notify)
    return added


def _pending_originals(session: Session, target: str) -> set[int]:
    """Originals whose translation into `target` is recorded as pending."""
    return set(
        session.exec(
            select(Version.parent_id).where(
                Version.kind == "translated", Version.language == target, Version.status == "pending"
            )
        ).all()
    )


def _enqueue_alignments(session: Session, settings: Settings) -> int:
    connection = session.connection()
    return sum(
        queue.enqueue(
            connection, "align", f"{seed.id}:{version.id}", {"seed_id": seed.id, "version_id": version.id}, once=True
        )
        for seed, version in pairs_to_align(session, settings.translation.target)
    )
