"""`tracker worker` (a pool of workers on a shared PostgreSQL database) and `tracker status`."""

from __future__ import annotations

import json
import sys

import click

from tracker.cli import render
from tracker.config import Settings


def _log(message: str, event: str = "info", **fields) -> None:
    if message and event not in ("stage", "progress"):
        render.echo(message, err=True)
        sys.stderr.flush()


@click.command()
@click.option(
    "--queues",
    default="fetch,translate,align,archive",
    show_default=True,
    help="Comma-separated queues this worker takes jobs from.",
)
@click.option("--concurrency", type=click.IntRange(min=1), default=1, show_default=True, help="Jobs at once.")
@click.option("--until-idle", is_flag=True, help="Exit (status 0) once nothing is due or running.")
@click.pass_obj
def worker(settings: Settings, queues: str, concurrency: int, until_idle: bool) -> None:
    """Take fetch, translation and alignment jobs from the shared queue (PostgreSQL only)."""
    from tracker.workers.loop import Worker

    names = [name.strip() for name in queues.split(",") if name.strip()]
    summary = Worker(settings, queues=names, concurrency=concurrency, until_idle=until_idle, notify=_log).run()
    click.echo(
        f"fetched: {summary.fetched} new or changed, {summary.unchanged} unchanged, {len(summary.failed)} failed; "
        f"translations: {summary.translated}; excerpts: {summary.excerpts}"
    )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for monitoring).")
@click.pass_obj
def status(settings: Settings, as_json: bool) -> None:
    """Each queue (waiting, running, failed, stalled) and the hosts that workers hold a lease on."""
    from tracker.workers.loop import NeedsPostgres
    from tracker.workers.queue import queue_status

    if not settings.database.target.is_postgres:
        raise NeedsPostgres("tracker status shows the worker queues, which need a PostgreSQL database")
    from tracker.cli import database_session

    with database_session(settings) as session:
        queues, hosts = queue_status(session.connection())
    if as_json:
        click.echo(json.dumps(status_document(queues, hosts), indent=2))
        return
    for entry in queues:
        click.echo(
            f"{entry.queue}: {entry.waiting} waiting, {len(entry.running)} running, "
            f"{entry.failed} failed, {entry.stalled} stalled"
        )
        for who, since in entry.running:
            click.echo(f"  {who} since {since:%Y-%m-%d %H:%M:%S} UTC")
    click.echo(f"hosts leased: {len(hosts)}")
    for origin, holder, until in hosts:
        click.echo(f"  {origin} by {holder} until {until:%Y-%m-%d %H:%M:%S} UTC")


def status_document(queues, hosts) -> dict:
    """`tracker status --json`: the queues and the leased hosts, times in ISO 8601 (UTC)."""
    return {
        "queues": [
            {
                "queue": entry.queue,
                "waiting": entry.waiting,
                "running": [{"worker": who, "since": since.isoformat()} for who, since in entry.running],
                "failed": entry.failed,
                "stalled": entry.stalled,
            }
            for entry in queues
        ],
        "hosts": [{"origin": origin, "holder": holder, "until": until.isoformat()} for origin, holder, until in hosts],
    }
