"""`tracker export prov|jsonl|warc`: the record in standard formats."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli import UserError, database_session
from tracker.cli.options import output_option
from tracker.config import Settings


@click.group()
def export() -> None:
    """Export what tracker stored: PROV-JSON, JSON Lines, WARC."""


@export.command("prov")
@output_option("The PROV-JSON file to write (default: standard output).")
@click.option("--seed", "seed_id", type=int, metavar="ID", help="Only what is linked to seed ID.")
@click.pass_obj
def export_prov(settings: Settings, file: Path | None, seed_id: int | None) -> None:
    """Write W3C PROV-JSON to -o FILE (default: stdout)."""
    from tracker.read.exports import write_prov
    from tracker.read.output import output_file
    from tracker.store.tables import Seed, fits_row_id

    with database_session(settings, read_only=True) as session:
        if seed_id is not None and (not fits_row_id(seed_id) or session.get(Seed, seed_id) is None):
            raise UserError(f'no seed with id {seed_id} (see `tracker sql "SELECT id, path FROM seeds"`)')
        with output_file(file) as out:
            counts = write_prov(session, out, seed_id)
    if file is not None:
        click.echo(f"wrote {file}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()), err=True)


@export.command("jsonl")
@output_option("The JSON Lines file to write (- for standard output).", required=True)
@click.pass_obj
def export_jsonl(settings: Settings, file: Path) -> None:
    """Write one JSON object per version, with its provenance, to -o FILE (`-` for stdout)."""
    from tracker.read.exports import write_jsonl
    from tracker.read.output import output_file

    with database_session(settings, read_only=True) as session, output_file(file) as out:
        written = write_jsonl(session, out)
    if str(file) != "-":
        click.echo(f"wrote {written} versions to {file}", err=True)


@export.command("warc")
@output_option("The WARC file to write, gzipped if it ends in .gz (- for standard output).", required=True)
@click.pass_obj
def export_warc(settings: Settings, file: Path) -> None:
    """Write every original version's HTTP response to -o FILE as WARC (gzipped if FILE ends in .gz)."""
    from tracker.read.output import output_file
    from tracker.read.warc import export_warc as write_warc

    with database_session(settings, read_only=True) as session, output_file(file, binary=True) as out:
        count = write_warc(session, out, gzip=file.name.endswith(".gz"), filename=file.name)
    click.echo(f"wrote {count} response{'' if count == 1 else 's'} to {file}")
