"""What a job does: fetch one host's due sources, translate a batch of originals, align a seed.

Every transaction that writes a job's results starts with `queue.fence` (and, for a fetch,
`leases.check`), so a worker whose claim was taken over writes nothing. Each job is safe to run
again from the start: a source no longer due is skipped, an original already translated or a
(seed, version) already aligned is left alone, checked under a row lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.excerpts.versions import excerpt_seed_source
from tracker.fetch.client import Fetcher, FetchResult
from tracker.fetch.crawler import Crawler, CrawlRequest, origin_of
from tracker.originals.versions import record_failure, record_fetch
from tracker.pipeline import Notify, RunSummary, _download_model, _due, _report
from tracker.store.hosts import load_hosts, save_hosts
from tracker.store.tables import Activity, Citation, Seed, Source, Version, utcnow
from tracker.translation.cache import DatabaseCache
from tracker.translation.packages import find_route
from tracker.translation.translator import MissingModel, TranslateStats, translate_sentences
from tracker.translation.versions import sentence_spans, translate_original
from tracker.workers import leases, queue
from tracker.workers.queue import Claimed, Fenced

FETCH_JOB_SOURCES = 100  # due sources of one origin per fetch job (the rest follow, a job at a time)


@dataclass
class Context:
    """What a worker process shares between its jobs."""

    settings: Settings
    engine: Engine
    fetcher: Fetcher
    lease: float
    notify: Notify
    summary: RunSummary
    stopping: threading.Event
    host_leases: dict[int, leases.HostLease] = field(default_factory=dict)  # job id → lease, renewed by heartbeat
    waiting_for: set[str] = field(default_factory=set)  # origins whose lease wait was said
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_jobs(context: Context, jobs: list[Claimed]) -> str:
    """Run claimed jobs (one, or a translation batch); 'done', 'released' or 'lost'."""
    # expire_on_commit=False: reading a result after its commit must not open a transaction that
    # then idles (holding a pooled connection) while the job waits for the network.
    with Session(context.engine, expire_on_commit=False) as session:
        if jobs[0].queue == "fetch":
            return fetch_host(context, session, jobs[0])
        if jobs[0].queue == "translate":
            return translate_batch(context, session, jobs)
        if jobs[0].queue == "align":
            return align_pair(context, session, jobs[0])
    raise ValueError(f"unknown queue {jobs[0].queue!r}")


# --- fetch -------------------------------------------------------------------------------------


class _FencedFetcher:
    """A Fetcher that renews the host lease before each request and sends nothing once it is lost."""

    def __init__(self, context: Context, job: Claimed, lease: leases.HostLease, crawler_ref: list) -> None:
        self.policy = context.fetcher.policy
        self._context, self._job, self._lease, self._crawler = context, job, lease, crawler_ref

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        crawler = self._crawler[0]
        delay = crawler._delay(crawler.host(self._lease.origin))
        if not self._job.lost and self._lease.origin != "-":
            with self._context.engine.connect() as connection:
                if not leases.renew(connection, self._lease, self._context.lease, delay=delay):
                    self._job.lost = True
        if self._job.lost:
            return FetchResult(url, None, [], None, None, None, None, etag, last_modified, "lease lost", "fenced")
        return self._context.fetcher.fetch(url, etag=etag, last_modified=last_modified)


def fetch_host(context: Context, session: Session, job: Claimed) -> str:
    settings = context.settings
    origin, fetch_all = job.payload["origin"], job.payload.get("fetch_all", False)
    if origin == "-":  # URLs with no http(s) origin: refused by the fetcher without a request
        lease = leases.HostLease(origin, job.worker, 0)
    else:
        with context.engine.connect() as connection:
            lease = leases.acquire(connection, origin, job.worker, context.lease)
    if lease is None:  # a worker that stopped renewing still holds it: try again after its lease
        with context.engine.connect() as connection:
            held = leases.holder(connection, origin)
        with context.lock:
            first = origin not in context.waiting_for
            context.waiting_for.add(origin)
        if held is not None and first:  # said once: the job comes back every few seconds
            context.notify(
                f"waiting for host {origin}: its lease held by worker {held[0]} runs out at {held[1]:%H:%M:%S} UTC",
                "lease_wait",
                origin=origin,
                holder=held[0],
                until=held[1].isoformat(),
            )
        with context.engine.begin() as connection:
            queue.release(connection, job, delay=min(context.lease, 5.0))
        return "released"
    if origin != "-":
        context.host_leases[job.id] = lease
    try:
        now = utcnow()
        sources = session.exec(
            select(Source).where(Source.id.in_(job.payload["source_ids"]), _due(now, fetch_all)).order_by(Source.id)
        ).all()
        requests = [CrawlRequest(s.url, etag=s.etag, last_modified=s.last_modified, key=s.id) for s in sources]
        hosts = load_hosts(session, [origin])
        if fetch_all:
            for state in hosts.values():
                state.forget_failed_robots()
        session.rollback()  # no transaction stays open while we fetch
        crawler_ref: list = []
        crawler = Crawler(_FencedFetcher(context, job, lease, crawler_ref), settings.crawl, hosts)
        crawler_ref.append(crawler)
        for request, result, started in crawler.fetch_all(requests):
            if job.lost:
                raise Fenced(f"job {job.id}: lease on {origin} lost")
            connection = session.connection()
            queue.fence(connection, job)
            if origin != "-":
                leases.check(connection, lease)
            save_hosts(session, crawler.changed_hosts())
            source = session.get(Source, request.key)
            due = session.exec(select(Source.id).where(Source.id == source.id, _due(utcnow(), fetch_all))).first()
            if result.error_kind == "deferred" or due is None:  # stays due / fetched meanwhile
                session.commit()
                continue
            try:
                outcome = record_fetch(session, source, result, settings, started=started, now=utcnow())
                if outcome.version is not None and outcome.state in ("new", "changed"):
                    _enqueue_after_original(session, settings, outcome.version)
                session.commit()
            except (Fenced, DBAPIError):
                raise  # the job's own trouble (taken over, the database gone): the worker handles it
            except Exception as error:  # noqa: BLE001  one source never stops its host's job
                session.rollback()
                connection = session.connection()
                queue.fence(connection, job)
                if origin != "-":
                    leases.check(connection, lease)
                source = session.get(Source, request.key)
                outcome = record_failure(session, source, error, settings, now=utcnow())
                session.commit()
            with context.lock:
                _report(source, outcome, context.summary, context.notify)
            if context.stopping.is_set():
                break
        connection = session.connection()
        queue.fence(connection, job)
        save_hosts(session, crawler.changed_hosts())
        if context.stopping.is_set():
            queue.release(connection, job)
            session.commit()
            return "released"
        queue.finish(connection, job)
        _enqueue_next_part(session, job)
        session.commit()
        return "done"
    finally:
        context.host_leases.pop(job.id, None)
        session.rollback()
        try:
            if origin != "-":
                with context.engine.connect() as connection:
                    leases.release(connection, lease)
        except Exception:  # noqa: BLE001  the lease ends by itself
            pass


def _enqueue_next_part(session: Session, job: Claimed) -> None:
    """In the transaction that finishes a fetch job that was capped at FETCH_JOB_SOURCES: a job
    for the origin's next due sources (after the last id of this one), until none are left."""
    more, ids = job.payload.get("more", 0), job.payload["source_ids"]
    if more <= 0 or not ids:
        return
    origin, fetch_all = job.payload["origin"], job.payload.get("fetch_all", False)
    host = urlsplit(origin).hostname or ""
    rows = session.exec(
        select(Source.id, Source.url)
        .where(Source.host == host, Source.id > max(ids), _due(utcnow(), fetch_all))
        .order_by(Source.id)
    )
    wanted = min(more, FETCH_JOB_SOURCES)
    next_ids = []
    for source_id, url in rows:
        if (origin_of(url) or "-") == origin:  # same host, other scheme or port: another origin
            next_ids.append(source_id)
            if len(next_ids) == wanted:
                break
    if next_ids:
        payload = {**job.payload, "source_ids": next_ids, "more": more - len(next_ids)}
        queue.enqueue(session.connection(), "fetch", origin, payload)


def _enqueue_after_original(session: Session, settings: Settings, original: Version) -> None:
    """In the transaction that stores an original: its translation, or its alignments."""
    if original.language is None:
        return
    connection = session.connection()
    for target in settings.translation.targets:
        if original.language != target and find_route(settings.translation.models_dir, original.language, target):
            enqueue_translation(connection, original, target)
    if original.language == settings.translation.target:
        enqueue_alignments(session, original)


def enqueue_translation(connection, original: Version, target: str) -> bool:
    return queue.enqueue(
        connection,
        "translate",
        f"{original.id}>{target}",
        {"original_id": original.id, "target": target},
        batch_key=f"{original.language}>{target}",
        weight=len(original.text or "") // 4 + 1,
    )


def enqueue_alignments(session: Session, version: Version) -> int:
    """An align job for each current seed citing the version's source."""
    seeds = session.exec(
        select(Citation.seed_id)
        .distinct()
        .join(Seed, Seed.id == Citation.seed_id)
        .where(Citation.source_id == version.source_id, Seed.superseded_at.is_(None))
    ).all()
    connection = session.connection()
    return sum(
        queue.enqueue(
            connection,
            "align",
            f"{seed_id}:{version.id}",
            {"seed_id": seed_id, "version_id": version.id},
            once=True,
        )
        for seed_id in seeds
    )


# --- translate ---------------------------------------------------------------------------------


def translate_batch(context: Context, session: Session, jobs: list[Claimed]) -> str:
    """Translate a batch of originals of one language pair: first every sentence of the batch in
    one model call (results upserted into the sentence cache, so a retried job costs nothing),
    then each original's translated version, in its own fenced transaction."""
    settings = context.settings
    stats = TranslateStats()
    originals = {job.id: session.get(Version, job.payload["original_id"]) for job in jobs}
    todo = [job for job in jobs if originals[job.id] is not None and not _has_translation(session, job)]
    if todo:
        first = originals[todo[0].id]
        target = todo[0].payload["target"]
        if find_route(settings.translation.models_dir, first.language, target) is None:
            # This machine lacks the model that the scheduling worker had: fetch it, or let the
            # job fail here (it is retried with backoff, by a worker that has it if there is one).
            if settings.translation.auto_install:
                _download_model(settings, first.language, target, context.notify, None)
            if find_route(settings.translation.models_dir, first.language, target) is None:
                raise MissingModel(first.language, target)
        if find_route(settings.translation.models_dir, first.language, target) is not None:
            sentences = list(
                dict.fromkeys(s.text for job in todo for s in sentence_spans(originals[job.id].text or ""))
            )
            translate_sentences(
                sentences,
                first.language,
                target,
                settings.translation.models_dir,
                cache=DatabaseCache(session),
                stats=stats,
            )
            session.commit()  # the cache: keyed by (sentence hash, package, version, decoding)
    outcome = "done"
    for job in jobs:
        if context.stopping.is_set() and job is not jobs[0]:
            with context.engine.begin() as connection:
                queue.release(connection, job)
            outcome = "released"
            continue
        connection = session.connection()
        queue.fence(connection, job)
        original = originals[job.id]
        if original is not None:
            session.execute(text("SELECT id FROM versions WHERE id = :id FOR UPDATE"), {"id": original.id})
        if original is not None and not _has_translation(session, job):
            again = TranslateStats()  # the sentences came from the cache filled above: count them once
            version = translate_original(session, original, settings, job.payload["target"], stats=again)
            stats.reused += again.reused
            stats.model_loads += again.model_loads
            if version.status == "ready":
                if job.payload["target"] == settings.translation.target:
                    enqueue_alignments(session, version)
                with context.lock:
                    context.summary.translated += 1
        queue.finish(connection, job)
        session.commit()
    with context.lock:
        context.summary.translation.add(stats)
    return outcome


def _has_translation(session: Session, job: Claimed) -> bool:
    return (
        session.exec(
            select(Version.id).where(
                Version.parent_id == job.payload["original_id"],
                Version.kind == "translated",
                Version.language == job.payload["target"],
                Version.status == "ready",
            )
        ).first()
        is not None
    )


# --- align -------------------------------------------------------------------------------------


def align_pair(context: Context, session: Session, job: Claimed) -> str:
    connection = session.connection()
    queue.fence(connection, job)
    seed_id, version_id = job.payload["seed_id"], job.payload["version_id"]
    session.execute(text("SELECT id FROM seeds WHERE id = :id FOR UPDATE"), {"id": seed_id})
    seed, version = session.get(Seed, seed_id), session.get(Version, version_id)
    done = session.exec(
        select(Activity.id).where(
            Activity.kind == "align", Activity.seed_id == seed_id, Activity.used_version_id == version_id
        )
    ).first()
    if seed is not None and version is not None and seed.superseded_at is None and done is None:
        made = excerpt_seed_source(session, seed, version, models_dir=context.settings.translation.models_dir)
        with context.lock:
            context.summary.excerpts += len(made)
    queue.finish(connection, job)
    session.commit()
    return "done"
