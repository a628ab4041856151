"""The trail links of one source, for `tracker lookup`: the sources that cite it and the ones it
cites (hop citations), each with how (a link or an attribution), the hop and the citing text.
Plain SQL through a Reader (tracker/store/reader.py), as the rest of a lookup."""

from __future__ import annotations

from typing import Any

from tracker.store.reader import Row, reader_of

__all__ = ["trail_links"]


def trail_links(reader, source_id: int) -> dict[str, list[dict[str, Any]]]:
    """{"cited_by_sources": [...], "cites": [...]}: hop citations into and out of the source."""
    reader = reader_of(reader)
    cited_by = reader.joined(
        "hop_citations h, sources s",
        "FROM hop_citations h JOIN sources s ON s.id = h.citing_source_id WHERE h.source_id = :source_id ORDER BY h.id",
        source_id=source_id,
    )
    cites = reader.rows(
        "hop_citations", "FROM hop_citations WHERE citing_source_id = :source_id ORDER BY id", source_id=source_id
    )
    return {
        "cited_by_sources": [_row(c, url=s.url) for c, s in cited_by],
        "cites": [_row(c, url=c.url) for c in cites],
    }


def _row(citation: Row, url: str | None) -> dict[str, Any]:
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
