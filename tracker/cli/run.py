"""`tracker run` (the scheduled job) and `tracker sources` (its schedule, source by source)."""

from __future__ import annotations

import json
import signal

import click

from tracker.cli import Duration, UserError, render
from tracker.config import Settings


@click.command()
@click.option("--limit", type=click.IntRange(min=1), help="Fetch at most N due sources.")
@click.option(
    "--only-due/--all",
    "only_due",
    default=True,
    help="Fetch only sources that are due (default), or every source now, retired ones included.",
)
@click.option(
    "--no-auto-install",
    is_flag=True,
    help="Do not download missing translation models (same as [translation] auto_install = false).",
)
@click.option("--every", type=Duration(), help="Run again every DURATION, in the foreground, until stopped.")
@click.option("--max-time", type=Duration(), help="Start no new work after DURATION; the next run continues.")
@click.option("--json", "json_lines", is_flag=True, help="Log JSON lines and print the summary as JSON.")
@click.pass_obj
def run(
    settings: Settings,
    limit: int | None,
    only_due: bool,
    no_auto_install: bool,
    every: float | None,
    max_time: float | None,
    json_lines: bool,
) -> None:
    """Ingest seeds, fetch due sources, extract, detect, translate and excerpt."""
    from tracker.runlog import choose_log
    from tracker.runner import repeat_every
    from tracker.runner import run as run_pipeline
    from tracker.stopping import RunWatch, Stopped, stop_on_signals, stopped_line
    from tracker.store.locks import RunInProgress

    if no_auto_install:
        settings = settings.with_overrides("translation", auto_install=False)

    # With --every, a round that finds another run holding the lock is skipped: said once, then
    # quietly until a round runs again (cron-style: the other run does the work, no log spam).
    busy_said = [False]

    def run_once() -> None:
        log = choose_log(json_lines)
        watch = RunWatch(log)
        try:
            with stop_on_signals(watch):
                summary = run_pipeline(
                    settings,
                    notify=watch,
                    download_progress=log.download_progress,
                    limit=limit,
                    fetch_all=not only_due,
                    max_seconds=max_time,
                )
        except RunInProgress as busy:
            if every is None:
                log(f"{busy}; exiting", "run_in_progress")
            elif not busy_said[0]:
                busy_said[0] = True
                log(f"{busy}; skipping rounds until it ends (said once)", "run_in_progress")
            return
        except (Stopped, KeyboardInterrupt) as stop:
            signum = stop.signum if isinstance(stop, Stopped) else signal.SIGINT
            log.close()
            raise UserError(stopped_line(signum, watch), 128 + signum) from None
        finally:
            log.close()
        busy_said[0] = False
        render.run_summary(summary, json_lines)

    between = RunWatch(lambda *args, **fields: None)  # with --every: where a signal finds the loop
    between.step = "waiting for the next run"
    try:
        with stop_on_signals(between):
            repeat_every(every, run_once)
    except (Stopped, KeyboardInterrupt) as stop:
        signum = stop.signum if isinstance(stop, Stopped) else signal.SIGINT
        raise UserError(stopped_line(signum, between), 128 + signum) from None


@click.command()
@click.option(
    "--state", type=click.Choice(["new", "fetched", "failed", "skipped", "retired"]), help="Only sources in this state."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@click.pass_obj
def sources(settings: Settings, state: str | None, as_json: bool) -> None:
    """Every source with its state, schedule and last error."""
    from tracker.read.sources import list_sources, source_json
    from tracker.store.reader import open_reader

    with open_reader(settings.database.url) as reader:
        for source in list_sources(reader, state):
            if as_json:
                render.echo_json(json.dumps(source_json(source), ensure_ascii=False))
            else:
                render.echo(render.source_line(source))
