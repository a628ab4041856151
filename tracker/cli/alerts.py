"""`tracker alerts` (the events recorded, with their delivery state; `--test` sends a test
message) and `tracker feed` (the same events as an Atom feed)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tracker.cli import UserError, database_session, render
from tracker.config import Settings


@click.command()
@click.option("--seed", help="Only the alerts of this seed (its stored path or id).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="The newest N alerts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@click.option("--test", "test", is_flag=True, help="Send one test message to each of [alerts] urls.")
@click.pass_obj
def alerts(settings: Settings, seed: str | None, limit: int, as_json: bool, test: bool) -> None:
    """The alerts recorded (a cited source changed or vanished, a seed sentence's label changed),
    newest first, with their delivery to each destination of [alerts] urls (shown masked)."""
    from tracker.alerts.stage import list_alerts, send_test

    if test:
        if not settings.alerts.urls:
            raise UserError("no [alerts] urls configured: add apprise URLs to config.toml (see docs/alerts.md)")
        failed = 0
        for destination, error in send_test(settings):
            render.echo(f"{destination}: {'sent' if error is None else f'not delivered: {error}'}")
            failed += error is not None
        if failed:
            raise UserError(f"{failed} destination(s) did not take the test message")
        return
    from tracker.read.report import find_seed

    with database_session(settings, read_only=True) as session:
        found = list_alerts(session, settings, seed=find_seed(session, seed) if seed else None, limit=limit)
    for alert in found:
        if as_json:
            render.echo_json(json.dumps(alert, ensure_ascii=False))
            continue
        render.echo(f"{alert['id']}\t{alert['created_at'][:16].replace('T', ' ')}\t{alert['kind']}\t{alert['summary']}")
        for delivery in alert["deliveries"]:
            render.echo(f"\t{delivery['destination']}: {_state(delivery)}")
    if not found and not as_json:
        render.echo("no alerts recorded yet", err=True)


def _state(delivery: dict) -> str:
    state = delivery["state"]
    if state == "sent":
        return f"sent {delivery['at'][:16].replace('T', ' ')}"
    if state == "failed":
        attempts = delivery["attempts"]
        return (
            f"failed ({attempts} attempt{'s' if attempts != 1 else ''}; next try after "
            f"{(delivery['next_attempt_at'] or '')[:16]}): {delivery['error']}"
        )
    if state == "not sent":
        return f"not sent: {delivery['why']}"
    return "waiting for the next run"


@click.command()
@click.option(
    "-o",
    "--output",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    default="-",
    help="The file to write (default: standard output).",
)
@click.option("--seed", help="Only the alerts of this seed (its stored path or id).")
@click.option("--base-url", help="Where `tracker serve` is reached, for the links (default: [alerts] base_url).")
@click.pass_obj
def feed(settings: Settings, file: Path, seed: str | None, base_url: str | None) -> None:
    """Write the alerts as an Atom feed; its entries link to the seed and source pages of
    `tracker serve` (which serves the same feed at /feed.atom and /seeds/ID/feed.atom)."""
    from tracker.alerts.feed import atom_feed
    from tracker.read.output import output_file
    from tracker.read.report import find_seed

    with database_session(settings, read_only=True) as session:
        document = atom_feed(
            session, base_url or settings.alerts.base_url, seed=find_seed(session, seed) if seed else None
        )
    with output_file(file) as out:
        out.write(document)
    if str(file) != "-":
        click.echo(f"wrote {file}", err=True)
