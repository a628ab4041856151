"""`trail_origin` events: a seed sentence's trail (tracker/trails/trail.py) reaches an origin
beyond the source the seed cites, one event per seed and origin text, naming the sentences that
trace back to it and the step where each changed, if one did.

Trails change only when a hop is judged (`hop_alignments`), so a pass looks again only when a new
judgment is there, and then only at the current seeds whose cited sources cite something.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from tracker.alerts.events import Event, checked_ids, mark_checked, original_id, record_event
from tracker.store.tables import Citation, Seed, Version
from tracker.store.trail_tables import HopAlignment, HopCitation
from tracker.trails.trail import trails_beyond_first_hop

SUBJECT = "hop_alignment"


def origin_events(session: Session, settings, now: datetime) -> int:
    """trail_origin for every origin beyond hop 1 reached since the last pass; the events new."""
    judged = session.exec(
        select(HopAlignment.id).where(HopAlignment.id.not_in(checked_ids(SUBJECT))).order_by(HopAlignment.id)
    ).all()
    if not judged:
        return 0
    citing = select(HopCitation.citing_source_id)
    seeds = session.exec(
        select(Seed)
        .where(
            Seed.superseded_at.is_(None),
            Seed.id.in_(select(Citation.seed_id).where(Citation.source_id.in_(citing))),
        )
        .order_by(Seed.id)
    ).all()
    made = sum(record_event(session, event, now) for seed in seeds for event in seed_origins(session, seed, settings))
    mark_checked(session, SUBJECT, list(judged), now)
    return made


def seed_origins(session: Session, seed: Seed, settings) -> list[Event]:
    """One event per origin (beyond hop 1) of `seed`'s trails, with the sentences that reach it."""
    by_origin: dict[tuple[int, int], list[dict]] = {}
    for trail in trails_beyond_first_hop(session, seed, settings):
        origin = trail.origin
        if origin is None or origin.hop < 2:
            continue
        text = session.get(Version, origin.version_id)
        by_origin.setdefault((origin.source_id, original_id(text)), []).append(
            {
                "position": trail.sentence,
                "sentence": trail.text,
                "hop": origin.hop,
                "origin_url": origin.url,
                "origin_language": origin.language,
                "origin_text": origin.text,
                "changed": trail.changed,
            }
        )
    events = []
    for (source_id, original), sentences in by_origin.items():
        first = sentences[0]
        changed = [s for s in sentences if s["changed"]]
        count = len(sentences)
        summary = (
            f"{seed.path}: {count} sentence{'s' if count != 1 else ''} trace back to {first['origin_url']} "
            f"(hop {first['hop']})" + (f"; changed on the way in {len(changed)}" if changed else "")
        )
        events.append(Event("trail_origin", seed.id, source_id, original, summary, {"sentences": sentences}))
    return events
