"""Seeing one seed's provenance: `tracker report` writes it to one HTML file, `tracker serve`
shows every seed and source in the browser, read-only."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

import click

from tracker.cli import database_session
from tracker.config import Settings


@click.command()
@click.argument("seed")
@click.option(
    "-o",
    "--output",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML file to write (- for standard output).",
)
@click.pass_obj
def report(settings: Settings, seed: str, file: Path) -> None:
    """Write SEED's provenance (its stored path, e.g. 000_2c3edb034ccb3b0f.txt, or its id) as one
    self-contained HTML file: each sentence with its label and the source sentences behind it."""
    from tracker.read.output import output_file
    from tracker.read.pages import report_html
    from tracker.read.report import seed_report

    with database_session(settings) as session:
        found = seed_report(session, seed, settings)
        page = report_html(found, seed_language=settings.translation.target)
    with output_file(file) as out:
        out.write(page)
    if str(file) != "-":
        click.echo(f"wrote {file}", err=True)


def host_names(names: tuple[str, ...]):
    """--allow-host values, each checked as [serve] allowed_hosts is."""
    from tracker.read import host_problem

    for name in names:
        if host_problem(name):
            raise click.BadParameter(f"{name!r} is not a host name (e.g. --allow-host tracker.lan)")
        yield name


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option(
    "--allow-host",
    "allowed_hosts",
    metavar="NAME",
    multiple=True,
    callback=lambda _context, _option, names: tuple(host_names(names)),
    help="Also answer requests for this Host name (repeatable), e.g. the machine's name on the network "
    "when --host is 0.0.0.0. Without it only localhost, 127.0.0.1, [::1], the --host given and, when "
    "listening on every address, an IP address are answered; any other Host gets a 400 (against DNS rebinding).",
)
@click.pass_obj
def serve(settings: Settings, host: str, port: int, allowed_hosts: tuple[str, ...]) -> None:
    """Serve the report of every seed and source in the browser (read-only: nothing is written)."""
    import uvicorn

    from tracker.read.server import create_app, is_loopback, listening_socket, served_url
    from tracker.read.sql import read_only_engine
    from tracker.read.trusted_hosts import AllowedHosts

    engine = read_only_engine(settings.database.url)
    try:
        bound = listening_socket(host, port)
        database = settings.database.target.shown
        click.echo(f"serving {database} read-only on {served_url(host, bound)} (Ctrl-C stops)", err=True)
        if not is_loopback(bound):
            click.echo(
                f"warning: {host} is not a loopback address: anyone who can reach this machine on port "
                f"{bound.getsockname()[1]} can read the research database (use --host 127.0.0.1 to keep it local)",
                err=True,
            )
        allowed = (*settings.serve.allowed_hosts, *allowed_hosts)  # [serve] allowed_hosts, then --allow-host
        hosts = AllowedHosts(host, allowed, open_to_network=not is_loopback(bound))
        app = create_app(engine, settings, hosts=hosts)
        with bound, suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C after its shutdown: the way to stop
            uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[bound])
    finally:
        engine.dispose()
