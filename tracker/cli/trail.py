"""`tracker trail SEED`: each seed sentence followed back through the sources' own citations."""

from __future__ import annotations

import json

import click

from tracker.cli import database_session
from tracker.config import Settings


@click.command()
@click.argument("seed")
@click.option("--sentence", type=click.IntRange(0), help="Only this seed sentence (its position, from 0).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_obj
def trail(settings: Settings, seed: str, sentence: int | None, as_json: bool) -> None:
    """Show the trail of each sentence of SEED (its stored path or id): the hops that bear it out,
    each in its language with its label against the hop before, its origin, where it changed, and
    why each branch ends."""
    from tracker.cli import render
    from tracker.read.report import find_seed
    from tracker.trails.candidates import seed_candidates
    from tracker.trails.trail import seed_trails

    with database_session(settings, read_only=True) as session:
        found = find_seed(session, seed)
        trails = seed_trails(session, found, settings, sentence)
        candidates = seed_candidates(session, found.id) if sentence is None else []
        path = found.path
    if as_json:
        document = {"seed": path, "trails": [t.as_dict() for t in trails], "candidates": candidates}
        render.echo_json(json.dumps(document, ensure_ascii=False, indent=2))
        return
    if not trails:
        render.echo(f"seed {path}: no sentence is borne out by a source yet")
    for t in trails:
        render.echo(f"seed {path}, sentence {t.sentence}: {t.text}")
        for number, branch in enumerate(t.branches, 1):
            if len(t.branches) > 1:
                render.echo(f"  branch {number}")
            for step in branch.steps:
                render.echo(f"  hop {step.hop}  {step.label:<11} {step.language or '?':<3} {step.url}")
                render.echo(f"      {step.text}")
                if step.original_text and step.original_text != step.text:
                    render.echo(f"      ({step.original_text})")
            render.echo(f"  ends: {branch.end}")
        if t.origin is not None:
            render.echo(f"  origin: hop {t.origin.hop}, {t.origin.url}")
        if t.changed is not None:
            render.echo(f"  changed at hop {t.changed['hop']} ({t.changed['label']}): {t.changed['detail']}")
    if candidates:
        render.echo(f"seed {path}: attributions without a link, with candidate sources (not citations the seed made)")
    for c in candidates:
        render.echo(f"  “{c['attribution']}”: {c['url']}")
        render.echo(
            f"      published by {c['matched_text']} ({c['matched_on'].replace('_', ' ')}), "
            f"{c['label']}, confidence {c['confidence']:.2f}: {c['sentence']}"
        )
