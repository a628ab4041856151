"""The in-process driver: one `tracker run` on SQLite calls every stage in turn, in this process.

Ingest the seeds, fetch what is due, translate, align: each stage is a function of its package
(seeds/stage.py, fetch/stage.py, translation/stage.py, excerpts/stage.py), the same functions the
PostgreSQL workers call. Each commits its own short transactions, so a failure or a kill loses at
most the item in hand, readers are never blocked for long, and the next run picks up where this
one stopped. One failed source never stops the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from tracker.config import Settings
from tracker.excerpts.stage import align_pair, pairs_to_align
from tracker.fetch.client import Fetcher
from tracker.fetch.stage import FetchHooks, count_due, due_batches, fetch_sources, next_due
from tracker.outcomes import Notify, Progress, RunSummary, quiet
from tracker.seeds.stage import ingest
from tracker.store.db import open_database
from tracker.store.locks import say_if_waiting
from tracker.store.tables import utcnow
from tracker.translation.stage import batches, ensure_model, translatable, translate_batch, waiting_by_pair


class _Deadline(FetchHooks):
    """`--max-time`: stop starting new work once it has passed."""

    def __init__(self, max_seconds: float | None, summary: RunSummary) -> None:
        self.stop_at = None if max_seconds is None else time.monotonic() + max_seconds
        self.summary = summary

    def should_stop(self) -> bool:
        if self.stop_at is not None and time.monotonic() >= self.stop_at:
            self.summary.stopped_early = True
        return self.summary.stopped_early


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
    deadline = _Deadline(max_seconds, summary)
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
                for batch in due_batches(session, now, limit=limit, fetch_all=fetch_all):
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
                        hooks=deadline,
                    )
                    if deadline.should_stop():
                        break
            if not deadline.should_stop():
                notify("", "step", name="translate")
                translate_waiting(session, settings, summary, notify, download_progress, deadline)
            if not deadline.should_stop():
                notify("", "step", name="excerpt")
                align_waiting(session, settings, summary)
            summary.next_due = next_due(session)
    finally:
        engine.dispose()
    return summary


def translate_waiting(session, settings, summary, notify, download_progress=None, deadline=None) -> None:
    """Every original waiting for a translation, a batch of one language pair at a time."""
    for target in settings.translation.targets:  # one translated version per target language
        for language, originals in sorted(waiting_by_pair(session, target).items()):
            if translatable(originals, settings):
                ensure_model(settings, language, target, notify, download_progress)
            for batch in batches(originals, settings.worker.batch_tokens):
                translate_batch(session, batch, target, settings, summary, notify)
                if deadline is not None and deadline.should_stop():
                    return


def align_waiting(session, settings, summary) -> None:
    """Every (seed, text) pair not aligned yet."""
    seed_indexes: dict = {}  # each seed's sentences split (and indexed) once per run
    for seed, version in pairs_to_align(session, settings.translation.target):
        summary.excerpts += align_pair(session, seed, version, settings, seed_indexes=seed_indexes)
        session.commit()
