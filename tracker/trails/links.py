"""The trail links of one source, for `tracker lookup`: the sources that cite it and the ones it
cites (hop citations), each with how (a link or an attribution), the hop and the citing text."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from tracker.store.tables import Source
from tracker.store.trail_tables import HopCitation

__all__ = ["trail_links"]


def trail_links(session: Session, source_id: int) -> dict[str, list[dict[str, Any]]]:
    """{"cited_by_sources": [...], "cites": [...]}: hop citations into and out of the source."""
    cited_by = session.exec(
        select(HopCitation, Source)
        .join(Source, Source.id == HopCitation.citing_source_id)
        .where(HopCitation.source_id == source_id)
        .order_by(HopCitation.id)
    ).all()
    cites = session.exec(
        select(HopCitation).where(HopCitation.citing_source_id == source_id).order_by(HopCitation.id)
    ).all()
    return {
        "cited_by_sources": [_row(c, url=s.url) for c, s in cited_by],
        "cites": [_row(c, url=c.url) for c in cites],
    }


def _row(citation: HopCitation, url: str | None) -> dict[str, Any]:
    return {
        "url": url,
        "source_id": citation.source_id,
        "citing_source_id": citation.citing_source_id,
        "citing_version_id": citation.citing_version_id,
        "kind": citation.kind,
        "text": citation.text,
        "name": citation.name,
        "cue": citation.cue,
        "hop": citation.hop,
        "char_start": citation.char_start,
        "char_end": citation.char_end,
        "near_claim": citation.near_claim,
    }
