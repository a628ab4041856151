"""The in-process driver: one `tracker run` on SQLite calls every stage in turn, in this process.

Ingest the seeds, fetch what is due, ask the archives, translate, align, follow trails, then
alert: each stage is a function of its package (seeds/stage.py, fetch/stage.py,
archive/stage.py, translation/stage.py, excerpts/stage.py, trails/stage.py, alerts/stage.py),
the same functions the PostgreSQL workers call. Each commits its own short transactions, so a
failure or a kill loses at most the item in hand, readers are never blocked for long, and the
next run picks up where this one stopped. One failed source never stops the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from tracker.alerts.stage import alerts_stage
from tracker.archive.stage import archive_batches, look_up_archives
from tracker.config import Settings
from tracker.excerpts.stage import align_pair, pairs_to_align
from tracker.fetch.client import Fetcher
from tracker.fetch.stage import FetchHooks, count_due, due_batches, fetch_sources, next_due
from tracker.outcomes import Notify, Progress, RunSummary, quiet
from tracker.seeds.stage import ingest
from tracker.store.db import open_database
from tracker.store.locks import say_if_waiting
from tracker.store.tables import utcnow
from tracker.trails.stage import follow_trails
from tracker.translation.stage import batches, ensure_model, translatable, translate_batch, waiting_by_pair


class _Deadline(FetchHooks):
    """`--max-time`: stop starting new work once `seconds` have passed (None: never)."""

    def __init__(self, seconds: float | None) -> None:
        self.stop_at = None if seconds is None else time.monotonic() + seconds
        self.passed = False

    def should_stop(self) -> bool:
        self.passed = self.passed or (self.stop_at is not None and time.monotonic() >= self.stop_at)
        return self.passed


# Sources fetched between two passes of translating and aligning: a run stopped later (a signal,
# --max-time, a crash) keeps the excerpts of what it fetched.
FETCH_BATCH = 50


def run_stages(
    settings: Settings,
    *,
    notify: Notify = quiet,
    download_progress: Callable[[str], Progress] | None = None,
    limit: int | None = None,
    fetch_all: bool = False,
    now: datetime | None = None,
    max_seconds: float | None = None,
) -> RunSummary:
    """One run over the seeds folder and the sources it cites, in this process (the caller holds
    the run locks: tracker.runner). `max_seconds` stops starting new work after that long."""
    now = now or utcnow()
    summary = RunSummary()
    deadline = _Deadline(max_seconds)
    # Fetching stops starting new pages after three quarters of --max-time, so translating and
    # aligning what was fetched has the rest: a run cut short still aligns its pages.
    fetch_deadline = _Deadline(None if max_seconds is None else 0.75 * max_seconds)
    tried: set[tuple[str, str]] = set()  # model downloads tried in this run
    engine = open_database(settings.database.target)
    say_if_waiting(settings.database.target, notify)
    try:
        # The run commits after every page; expiring every loaded row at each commit made each
        # commit reload what the next page touches (a third of the run's database time). The
        # run is the only writer of what it holds (run and database locks).
        with Session(engine, expire_on_commit=False) as session:
            with Fetcher(settings.fetch) as fetcher:
                notify("", "step", name="seeds")
                ingest(session, settings, fetcher, now, summary, notify)
                total = count_due(session, now, fetch_all=fetch_all, limit=limit)
                notify(f"{total} sources due", "stage", name="fetch", total=total)
                offset = now - utcnow()  # a run told it is later than it is keeps host times consistent
                for batch in due_batches(session, now, limit=limit, fetch_all=fetch_all, batch_size=FETCH_BATCH):
                    fetched = summary.fetched + summary.archived
                    fetch_sources(
                        session,
                        batch,
                        fetcher,
                        settings,
                        summary,
                        notify,
                        fetch_all=fetch_all,
                        clock=lambda: utcnow() + offset,
                        recorded_at=lambda: now,
                        hooks=fetch_deadline,
                    )
                    archive_waiting(session, fetcher, settings, summary, notify, now, offset, fetch_deadline, fetch_all)
                    # new texts, or the last chance
                    if fetch_deadline.should_stop() or summary.fetched + summary.archived > fetched:
                        _translate_and_align(session, settings, summary, notify, download_progress, deadline, tried)
                    if fetch_deadline.should_stop() or deadline.should_stop():
                        break
                    done = summary.fetched + summary.unchanged + len(summary.skipped) + len(summary.failed)
                    notify("", "step", name="fetch", total=total, done=done)  # back to fetching
                else:  # also what earlier runs left (a model installed since, a seed revised)
                    archive_waiting(session, fetcher, settings, summary, notify, now, offset, fetch_deadline, fetch_all)
                    _translate_and_align(session, settings, summary, notify, download_progress, deadline, tried)
            notify("", "step", name="alerts")
            alerts_stage(session, settings, summary, notify)  # even past --max-time: it is short, delivery bounded
            summary.stopped_early = fetch_deadline.passed or deadline.passed
            summary.next_due = next_due(session)
    finally:
        engine.dispose()
    return summary


def archive_waiting(
    session, fetcher, settings, summary, notify, now, offset=timedelta(0), deadline=None, fetch_all=False
) -> None:
    """Every lookup due in the archives, a batch at a time (each source once per run)."""
    if not settings.archive.enabled:
        return
    for batch in archive_batches(session, lambda: now, fetch_all=fetch_all):
        if deadline is not None and deadline.should_stop():
            return
        notify("", "step", name="archive")
        look_up_archives(session, batch, fetcher, settings, summary, notify, now=now, clock=lambda: utcnow() + offset)


def _translate_and_align(session, settings, summary, notify, download_progress, deadline, tried) -> None:
    if not deadline.should_stop():
        notify("", "step", name="translate")
        translate_waiting(session, settings, summary, notify, download_progress, deadline, tried)
    if not deadline.should_stop():
        notify("", "step", name="excerpt")
        align_waiting(session, settings, summary, deadline)
    if not deadline.should_stop():  # the sources cited by what was fetched: due in the batches that follow
        follow_trails(session, settings, notify)


def translate_waiting(session, settings, summary, notify, download_progress=None, deadline=None, tried=None) -> None:
    """Every original waiting for a translation, a batch of one language pair at a time; a
    missing model is downloaded (when allowed) once per run, whatever the passes."""
    tried = tried if tried is not None else set()
    for target in settings.translation.targets:  # one translated version per target language
        for language, waiting in sorted(waiting_by_pair(session, target).items()):
            # Recorded as pending earlier in this run (no model): not looked at again each batch.
            originals = [v for v in waiting if (v.id, target) not in summary.pending_originals]
            if translatable(originals, settings) and (language, target) not in tried:
                tried.add((language, target))
                ensure_model(settings, language, target, notify, download_progress)
            for batch in batches(originals, settings.worker.batch_tokens):
                translate_batch(session, batch, target, settings, summary, notify)
                if deadline is not None and deadline.should_stop():
                    return


def align_waiting(session, settings, summary, deadline=None) -> None:
    """Every (seed, text) pair not aligned yet."""
    seed_indexes: dict = {}  # each seed's sentences split (and indexed) once per run
    for seed, version in pairs_to_align(session, settings.translation.target):
        if deadline is not None and deadline.should_stop():
            return
        summary.excerpts += align_pair(session, seed, version, settings, seed_indexes=seed_indexes)
        session.commit()
