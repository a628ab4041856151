"""`tracker run`: ingest seeds, fetch what is due, extract, detect, translate, excerpt.

Each stage commits its own short transactions, so a failure or a kill loses at most the item
in hand, readers are never blocked for long, and the next run picks up where this one stopped.
One failed source never stops the run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import exists, func, or_, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.errors import TrackerError
from tracker.excerpts.relations import relate_seeds
from tracker.excerpts.versions import excerpt_seed_source
from tracker.fetch.client import Fetcher, FetchPolicy
from tracker.fetch.crawler import Crawler, CrawlPolicy, CrawlRequest, origin_of
from tracker.originals.versions import latest_version, record_fetch
from tracker.seeds.ingest import ingest_seeds
from tracker.store.db import connect, open_database
from tracker.store.hosts import load_hosts, save_hosts
from tracker.store.tables import Activity, Citation, Seed, Source, Version, utcnow
from tracker.translation.packages import PackageError, find_route, install_from_index
from tracker.translation.translator import TranslateStats
from tracker.translation.versions import originals_needing_translation, translate_original


class Notify(Protocol):
    """Receives what a run does: a one-line message, an event name and its fields.

    The CLI turns these into plain log lines, JSON lines or progress bars; events named
    `stage` (fields: name, total) and `progress` (fields: name) only drive progress displays.
    """

    def __call__(self, message: str, event: str = "info", **fields: Any) -> None: ...


def _quiet(message: str, event: str = "info", **fields: Any) -> None:
    pass


Progress = Callable[[int, "int | None"], None]  # (bytes done, bytes in all) of a model download


class RunInProgress(TrackerError, RuntimeError):
    """Another `tracker run` holds the lock."""


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


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        allow_private=settings.fetch_allow_private,
        allow_ports=settings.fetch_allow_ports,
        user_agent=settings.fetch_user_agent,
        connect_timeout=settings.fetch_connect_timeout,
        read_timeout=settings.fetch_read_timeout,
        deadline=settings.fetch_deadline,
        max_body_bytes=settings.fetch_max_body_bytes,
        max_redirects=settings.fetch_max_redirects,
        max_retries=settings.fetch_max_retries,
        backoff=settings.fetch_backoff,
    )


def crawl_policy(settings: Settings) -> CrawlPolicy:
    return CrawlPolicy(
        host_delay=settings.fetch_host_delay,
        concurrency=settings.fetch_concurrency,
        max_host_wait=settings.fetch_max_host_wait,
    )


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
    with run_lock(settings.data_dir), database_lock(settings.database_url):
        if _is_postgres(settings.database_url):  # the work goes through the queue that workers share
            from tracker.workers.loop import run_in_process

            return run_in_process(settings, notify=notify, limit=limit, fetch_all=fetch_all, max_seconds=max_seconds)
        now = now or utcnow()
        stop_at = None if max_seconds is None else time.monotonic() + max_seconds
        summary = RunSummary()
        engine = open_database(settings.database_url)
        try:
            with Session(engine) as session:
                _ingest(session, settings, summary, notify)
                with Fetcher(fetch_policy(settings)) as fetcher:
                    total = count_due(session, now, fetch_all=fetch_all, limit=limit)
                    notify(f"{total} sources due", "stage", name="fetch", total=total)
                    for batch in due_batches(session, now, limit=limit, fetch_all=fetch_all):
                        _fetch_due(session, batch, fetcher, settings, summary, notify, now, fetch_all, stop_at)
                        if _out_of_time(stop_at, summary):
                            break
                if not _out_of_time(stop_at, summary):
                    _translate(session, settings, summary, notify, download_progress)
                if not _out_of_time(stop_at, summary):
                    _excerpt(session, settings, summary)
                summary.next_due = next_due(session)
        finally:
            engine.dispose()
        return summary


def _is_postgres(database_url: str) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(database_url).get_backend_name() == "postgresql"


@contextmanager
def run_lock(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock for the run, so a run started by the scheduler while the
    previous one is still going exits instead of competing with it."""
    import fcntl

    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "run.lock", "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "unknown"
            raise RunInProgress(f"another tracker run is in progress (pid {holder})") from None
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(str(os.getpid()))
        lock_file.flush()
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


# The key of the advisory lock a run holds on PostgreSQL: "tracker" in ASCII, as a bigint.
RUN_LOCK_KEY = int.from_bytes(b"tracker", "big")


@contextmanager
def database_lock(database_url: str) -> Iterator[None]:
    """On PostgreSQL, also hold a session advisory lock in the database for the run, so runs on
    several machines that share one database exclude each other as run_lock does on one machine.
    The server releases it if the run dies with its connection. SQLite needs only run_lock."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    if make_url(database_url).get_backend_name() != "postgresql":
        yield
        return
    engine = connect(database_url, poolclass=NullPool)  # the lock lives and dies with its connection
    key = {"key": RUN_LOCK_KEY}
    try:
        with engine.connect() as connection:
            locked = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar_one()
            connection.commit()
            if not locked:
                raise RunInProgress(
                    "another tracker run is in progress on this database "
                    f"(it holds PostgreSQL advisory lock {RUN_LOCK_KEY})"
                )
            try:
                yield
            finally:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
                    connection.commit()
                except DBAPIError:
                    pass  # the connection is gone, and the lock went with it
    finally:
        engine.dispose()


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


def _ingest(session: Session, settings: Settings, summary: RunSummary, notify: Notify) -> None:
    if not settings.seeds_dir.is_dir():
        summary.notices.append(f"seeds folder not found: {settings.seeds_dir}")
    report = ingest_seeds(session, settings.seeds_dir)
    session.commit()
    summary.seeds_new, summary.seeds_revised = len(report.new), len(report.revised)
    summary.seeds_unchanged, summary.seeds_failed = report.unchanged, report.failed
    summary.sources_new = report.new_sources
    if report.new or report.revised:  # relations change only when the seeds do
        summary.related = relate_seeds(session)
        session.commit()
    for path, reason in report.failed:
        notify(f"seed {path}: {reason}", "seed_failed", path=path, reason=reason)


def _fetch_due(session, sources, fetcher, settings, summary, notify, now, fetch_all, stop_at) -> None:
    """Fetch `sources` politely and concurrently (see crawler.py); record each in this thread."""
    by_id = {source.id: source for source in sources}
    requests = [CrawlRequest(s.url, etag=s.etag, last_modified=s.last_modified, key=s.id) for s in by_id.values()]
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
    for target in settings.targets:  # one translated version per target language
        originals = originals_needing_translation(session, target)
        pairs = sorted({(v.language, target) for v in originals})
        for from_code, to_code in pairs:
            if settings.auto_install and find_route(settings.models_dir, from_code, to_code) is None:
                _download_model(settings, from_code, to_code, notify, download_progress)
        for original in originals:
            version = translate_original(session, original, settings, target, stats=summary.translation)
            session.commit()
            if version.status == "ready":
                summary.translated += 1
                continue
            summary.pending += 1
            reason = session.get(Activity, version.activity_id).error
            if reason not in missing_notified:  # one line per missing language pair, not per page
                missing_notified.add(reason)
                summary.notices.append(reason)
                notify(reason, "model_missing")


def _download_model(settings, from_code, to_code, notify, download_progress) -> None:
    notify(
        f"no {from_code}→{to_code} model installed: downloading it from Argos's package index "
        f"(turn this off with [translation] auto_install = false)"
    )
    progress = download_progress(f"{from_code}→{to_code} model") if download_progress else None
    try:
        package = install_from_index(
            settings.models_dir, from_code, to_code, progress=progress, index_url=settings.index_url
        )
    except PackageError as error:
        notify(str(error), "model_missing")
        return
    notify(f"installed {package.code} {package.version}", "model_installed", code=package.code)


def _excerpt(session: Session, settings: Settings, summary: RunSummary) -> None:
    for seed, aligned in pairs_to_align(session, settings.target):
        summary.excerpts += len(excerpt_seed_source(session, seed, aligned))
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
            ~exists().where(
                align.kind == "align", align.seed_id == Citation.seed_id, align.used_version_id == Version.id
            ),
        )
    ).all()
    pairs = []
    for seed_id, source_id in candidates:
        aligned = aligned_version(session, source_id, target)
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


def aligned_version(session: Session, source_id: int, target: str) -> Version | None:
    """The newest text of a source in the target language: its translation, or the original."""
    original = latest_version(session, source_id, "original")
    if original is None:
        return None
    if original.language == target:
        return original
    return session.exec(
        select(Version)
        .where(
            Version.parent_id == original.id,
            Version.kind == "translated",
            Version.language == target,
            Version.status == "ready",
        )
        .order_by(Version.id.desc())
    ).first()


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
