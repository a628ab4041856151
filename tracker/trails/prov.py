"""Trails in PROV-JSON (tracker/read/exports.py): each original wasDerivedFrom every source it
cites (its hop citations), so a trail reads hop by hop as a chain of derivations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from tracker.store.tables import Source
from tracker.store.trail_tables import HopCitation

__all__ = ["add_hop_derivations"]


def add_hop_derivations(doc: dict, session: Session, version_ids: set[int], relate: Callable[..., None]) -> int:
    """A wasDerivedFrom from each original in `version_ids` to each source it cites (the cited
    source added as an entity when the document lacks it); the relations added."""
    if not version_ids:
        return 0
    rows = session.exec(
        select(HopCitation, Source)
        .join(Source, Source.id == HopCitation.source_id)
        .where(HopCitation.citing_version_id.in_(version_ids))
        .order_by(HopCitation.id)
    ).all()
    seen: set[tuple[int, int]] = set()
    for citation, source in rows:
        if (citation.citing_version_id, source.id) in seen:
            continue
        seen.add((citation.citing_version_id, source.id))
        source_ref = f"tracker:source/{source.id}"
        doc["entity"].setdefault(
            source_ref, {"prov:type": "tracker:Source", "prov:label": source.url, "prov:location": source.url}
        )
        attributes: dict[str, Any] = {
            "prov:generatedEntity": f"tracker:version/{citation.citing_version_id}",
            "prov:usedEntity": source_ref,
            "prov:type": {"$": "prov:PrimarySource", "type": "xsd:QName"},
            "tracker:hop": citation.hop,
            "tracker:citation_kind": citation.kind,
            "tracker:cited_as": citation.text,
        }
        relate("wasDerivedFrom", **attributes)
    return len(seen)
