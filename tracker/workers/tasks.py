"""What a job does: fetch one host's due sources, translate a batch of originals, align a seed,
look sources up in the archives.

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
from sqlmodel import Session, select

from tracker.archive.stage import ArchiveHooks, archive_batches, due_for_archive, look_up_archives
from tracker.config import Settings
from tracker.excerpts.stage import align_pair
from tracker.fetch.client import Fetcher
from tracker.fetch.crawler import origin_of
from tracker.fetch.stage import FetchHooks, due, fetch_sources
from tracker.originals.versions import FetchOutcome
from tracker.outcomes import Notify, RunSummary
from tracker.store.tables import Citation, Seed, Source, Version, utcnow
from tracker.translation.packages import find_route
from tracker.translation.stage import TranslateHooks, ensure_model, token_weight, translate_batch
from tracker.translation.translator import MissingModel
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
    """Run claimed jobs (one, or a translation batch); 'done' or 'released'."""
    # expire_on_commit=False: reading a result after its commit must not open a transaction that
    # then idles (holding a pooled connection) while the job waits for the network.
    with Session(context.engine, expire_on_commit=False) as session:
        if jobs[0].queue == "fetch":
            return fetch_job(context, session, jobs[0])
        if jobs[0].queue == "translate":
            return translate_job(context, session, jobs)
        if jobs[0].queue == "align":
            return align_job(context, session, jobs[0])
        if jobs[0].queue == "archive":
            return archive_job(context, session, jobs[0])
    raise ValueError(f"unknown queue {jobs[0].queue!r}")


# --- fetch -------------------------------------------------------------------------------------


class _FencedFetch(FetchHooks):
    """The fetch stage under a job's claim: the host lease renewed before each request, every
    result written only while the job and the lease are still ours."""

    def __init__(self, context: Context, job: Claimed, lease: leases.HostLease) -> None:
        self.context, self.job, self.lease = context, job, lease

    def may_request(self, origin: str, delay: float) -> bool:
        if not self.job.lost:
            with self.context.engine.connect() as connection:
                if not leases.renew(connection, self.lease, self.context.lease, delay=delay):
                    self.job.lost = True
        return not self.job.lost

    def before_record(self, session: Session) -> None:
        if self.job.lost:
            raise Fenced(f"job {self.job.id}: lease on {self.lease.origin} lost")
        connection = session.connection()
        queue.fence(connection, self.job)
        if self.lease.origin != "-":
            leases.check(connection, self.lease)

    def still_due(self, session: Session, source: Source, now, fetch_all: bool) -> bool:
        query = select(Source.id).where(Source.id == source.id, due(now, fetch_all))
        return session.exec(query).first() is not None

    def after_record(self, session: Session, outcome: FetchOutcome) -> None:
        if outcome.version is not None and outcome.state in ("new", "changed"):
            _enqueue_after_original(session, self.context.settings, outcome.version)

    def should_stop(self) -> bool:
        return self.context.stopping.is_set()


def fetch_job(context: Context, session: Session, job: Claimed) -> str:
    """Fetch one origin's due sources under its host lease (the fetch stage, fenced)."""
    origin, fetch_all = job.payload["origin"], job.payload.get("fetch_all", False)
    if origin == "-":  # URLs with no http(s) origin: refused by the fetcher without a request
        lease = leases.HostLease(origin, job.worker, 0)
    else:
        with context.engine.connect() as connection:
            lease = leases.acquire(connection, origin, job.worker, context.lease)
    if lease is None:  # a worker that stopped renewing still holds it: try again after its lease
        _say_lease_wait(context, origin)
        with context.engine.begin() as connection:
            queue.release(connection, job, delay=min(context.lease, 5.0))
        return "released"
    if origin != "-":
        context.host_leases[job.id] = lease
    try:
        sources = session.exec(
            select(Source).where(Source.id.in_(job.payload["source_ids"]), due(utcnow(), fetch_all)).order_by(Source.id)
        ).all()
        summary = RunSummary()  # this job's; added to the worker's under its lock
        hooks = _FencedFetch(context, job, lease)
        try:
            fetch_sources(
                session,
                sources,
                context.fetcher,
                context.settings,
                summary,
                context.notify,
                fetch_all=fetch_all,
                hooks=hooks,
            )
        finally:
            with context.lock:
                context.summary.add(summary)
        if _end_fenced(context, session, job) == "released":
            session.commit()
            return "released"
        _enqueue_next_part(session, job)
        if context.settings.archive.enabled and due_for_archive(session, utcnow(), limit=1, fetch_all=fetch_all):
            enqueue_archive(session, fetch_all)  # a source found gone or late: ask the archives
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


def _end_fenced(context: Context, session: Session, job: Claimed) -> str:
    """Fence `job` (this worker still holds it, else Fenced is raised), then hand it back if the
    worker is stopping ("released") or mark it finished ("done"); the caller commits."""
    connection = session.connection()
    queue.fence(connection, job)
    if context.stopping.is_set():
        queue.release(connection, job)
        return "released"
    queue.finish(connection, job)
    return "done"


def _say_lease_wait(context: Context, origin: str) -> None:
    """Once per origin: whose lease we wait for, and until when (the job comes back every few seconds)."""
    with context.engine.connect() as connection:
        held = leases.holder(connection, origin)
    with context.lock:
        first = origin not in context.waiting_for
        context.waiting_for.add(origin)
    if held is not None and first:
        context.notify(
            f"waiting for host {origin}: its lease held by worker {held[0]} runs out at {held[1]:%H:%M:%S} UTC",
            "lease_wait",
            origin=origin,
            holder=held[0],
            until=held[1].isoformat(),
        )


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
        .where(Source.host == host, Source.id > max(ids), due(utcnow(), fetch_all))
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
        weight=token_weight(original),
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


# --- archive -----------------------------------------------------------------------------------


def enqueue_archive(session: Session, fetch_all: bool = False) -> bool:
    """The archive job: one at a time (one key), so lookups to an archive never run in parallel."""
    return queue.enqueue(session.connection(), "archive", "archive", {"fetch_all": fetch_all})


class _FencedArchive(ArchiveHooks):
    """The archive stage under a job's claim and the archives' host leases."""

    def __init__(self, context: Context, job: Claimed, held: dict[str, leases.HostLease]) -> None:
        self.context, self.job, self.held = context, job, held

    def may_request(self, origin: str, delay: float) -> bool:
        lease = self.held.get(origin)
        if lease is not None and not self.job.lost:
            with self.context.engine.connect() as connection:
                if not leases.renew(connection, lease, self.context.lease, delay=delay):
                    self.job.lost = True
        return not self.job.lost

    def before_record(self, session: Session) -> None:
        if self.job.lost:
            raise Fenced(f"job {self.job.id}: an archive's host lease was lost")
        connection = session.connection()
        queue.fence(connection, self.job)
        for lease in self.held.values():
            leases.check(connection, lease)

    def after_record(self, session: Session, outcome: FetchOutcome) -> None:
        if outcome.version is not None and outcome.state in ("new", "changed"):
            _enqueue_after_original(session, self.context.settings, outcome.version)

    def should_stop(self) -> bool:
        return self.context.stopping.is_set()


def archive_job(context: Context, session: Session, job: Claimed) -> str:
    """Every lookup due, under the host lease of each TimeGate's origin (the archive stage, fenced)."""
    held: dict[str, leases.HostLease] = {}
    try:
        for origin in sorted({o for tg in context.settings.archive.timegates if (o := origin_of(tg))}):
            with context.engine.connect() as connection:
                lease = leases.acquire(connection, origin, job.worker, context.lease)
            if lease is None:  # a fetch job holds the archive's host: after it
                _say_lease_wait(context, origin)
                with context.engine.begin() as connection:
                    queue.release(connection, job, delay=min(context.lease, 5.0))
                return "released"
            held[origin] = lease
        if held:
            context.host_leases[job.id] = next(iter(held.values()))
        summary = RunSummary()
        hooks = _FencedArchive(context, job, held)
        try:
            for batch in archive_batches(session, utcnow, fetch_all=job.payload.get("fetch_all", False)):
                if hooks.should_stop():
                    break
                look_up_archives(
                    session, batch, context.fetcher, context.settings, summary, context.notify, hooks=hooks
                )
        finally:
            with context.lock:
                context.summary.add(summary)
        ended = _end_fenced(context, session, job)
        session.commit()
        return ended
    finally:
        context.host_leases.pop(job.id, None)
        session.rollback()
        for lease in held.values():
            try:
                with context.engine.connect() as connection:
                    leases.release(connection, lease)
            except Exception:  # noqa: BLE001  the lease ends by itself
                pass


# --- translate ---------------------------------------------------------------------------------


class _FencedTranslate(TranslateHooks):
    """The translate stage under a batch of jobs: each original's translation written in its
    job's fenced transaction, under a row lock, and its alignments enqueued with it."""

    def __init__(self, context: Context, jobs: dict[int, Claimed], target: str) -> None:
        self.context, self.jobs, self.target = context, jobs, target

    def before_each(self, session: Session, original: Version) -> None:
        queue.fence(session.connection(), self.jobs[original.id])
        session.execute(text("SELECT id FROM versions WHERE id = :id FOR UPDATE"), {"id": original.id})

    def after_each(self, session: Session, original: Version, version: Version | None) -> None:
        if (
            version is not None
            and version.status == "ready"
            and self.target == self.context.settings.translation.target
        ):
            enqueue_alignments(session, version)
        queue.finish(session.connection(), self.jobs[original.id])

    def should_stop(self) -> bool:
        return self.context.stopping.is_set()


def translate_job(context: Context, session: Session, jobs: list[Claimed]) -> str:
    """Translate a batch of originals of one language pair (the translate stage, fenced)."""
    settings = context.settings
    target = jobs[0].payload["target"]
    originals = {job.id: session.get(Version, job.payload["original_id"]) for job in jobs}
    for job in jobs:
        if originals[job.id] is None:  # deleted meanwhile: nothing to do
            queue.finish(session.connection(), job)
    session.commit()
    found = [v for v in originals.values() if v is not None]
    if found and find_route(settings.translation.models_dir, found[0].language, target) is None:
        # This machine lacks the model that the scheduling worker had: fetch it, or let the
        # job fail here (it is retried with backoff, by a worker that has it if there is one).
        ensure_model(settings, found[0].language, target, context.notify)
        if find_route(settings.translation.models_dir, found[0].language, target) is None:
            raise MissingModel(found[0].language, target)
    by_original = {originals[job.id].id: job for job in jobs if originals[job.id] is not None}
    summary = RunSummary()
    try:
        left = translate_batch(
            session,
            found,
            target,
            settings,
            summary,
            context.notify,
            hooks=_FencedTranslate(context, by_original, target),
        )
    finally:
        with context.lock:
            context.summary.add(summary)
    if left:
        with context.engine.begin() as connection:
            for original in left:
                queue.release(connection, by_original[original.id])
        return "released"
    return "done"


# --- align -------------------------------------------------------------------------------------


def align_job(context: Context, session: Session, job: Claimed) -> str:
    """Align one (seed, version) pair (the align stage, fenced, under the seed's row lock)."""
    connection = session.connection()
    queue.fence(connection, job)
    seed_id, version_id = job.payload["seed_id"], job.payload["version_id"]
    session.execute(text("SELECT id FROM seeds WHERE id = :id FOR UPDATE"), {"id": seed_id})
    made = align_pair(session, session.get(Seed, seed_id), session.get(Version, version_id), context.settings)
    with context.lock:
        context.summary.excerpts += made
    queue.finish(connection, job)
    session.commit()
    return "done"
