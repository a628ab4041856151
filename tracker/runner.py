"""`tracker run`: the locks that keep runs apart, and the one place that picks the driver of the
stages: in this process on SQLite (pipeline.py), through the workers' queue on PostgreSQL
(workers/loop.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from tracker.config import ConfigError, Settings
from tracker.outcomes import Notify, Progress, RunSummary, quiet
from tracker.store.locks import database_lock, run_lock, sqlite_database_lock


def run(
    settings: Settings,
    *,
    notify: Notify = quiet,
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
    from tracker.collector import collect_less_often

    collect_less_often()
    target = settings.database.target
    with run_lock(settings.paths.data_dir), sqlite_database_lock(target), database_lock(target):
        if target.is_postgres:  # the work goes through the queue that workers share
            from tracker.workers.loop import run_with_queue

            return run_with_queue(settings, notify=notify, limit=limit, fetch_all=fetch_all, max_seconds=max_seconds)
        from tracker.pipeline import run_stages

        return run_stages(
            settings,
            notify=notify,
            download_progress=download_progress,
            limit=limit,
            fetch_all=fetch_all,
            now=now,
            max_seconds=max_seconds,
        )


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
