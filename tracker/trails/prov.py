"""Trails in PROV-JSON (tracker/read/exports.py): each original wasDerivedFrom every source it
cites (its hop citations), so a trail reads hop by hop as a chain of derivations; a seed
wasAttributedTo the publisher of each candidate source of its attributions without a link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from tracker.store.tables import Source, Version
from tracker.store.trail_tables import AttributionCandidate, HopCitation

__all__ = ["add_candidates", "add_hop_derivations"]


def add_hop_derivations(doc: dict, session: Session, version_ids: set[int], relate: Callable[..., None]) -> int:
    """A wasDerivedFrom from each original in `version_ids` to each source it cites, then from
    those sources' originals to what they cite, and so on to the end of each trail (a seed's
    export holds its whole trails); sources and originals the document lacks are added as
    entities. The relations added."""
    seen: set[tuple[int, int]] = set()
    frontier, visited = set(version_ids), set(version_ids)
    while frontier:
        rows = session.exec(
            select(HopCitation, Source)
            .join(Source, Source.id == HopCitation.source_id)
            .where(HopCitation.citing_version_id.in_(frontier))
            .order_by(HopCitation.id)
        ).all()
        cited: set[int] = set()
        for citation, source in rows:
            if (citation.citing_version_id, source.id) in seen:
                continue
            seen.add((citation.citing_version_id, source.id))
            cited.add(source.id)
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
        frontier = set()
        if cited:  # the cited sources' originals cite the next hop (a cycle stops at what was seen)
            for version in session.exec(
                select(Version).where(Version.source_id.in_(cited), Version.kind == "original")
            ).all():
                if version.id not in visited:
                    visited.add(version.id)
                    frontier.add(version.id)
                    doc["entity"].setdefault(f"tracker:version/{version.id}", _hop_original(version))
    return len(seen)


def _hop_original(version: Version) -> dict[str, Any]:
    """A hop's original, in a document that did not have it (a seed's export)."""
    return {
        "prov:type": "tracker:original",
        "prov:label": version.title or version.url,
        "tracker:source": f"tracker:source/{version.source_id}",
        "tracker:language": version.language,
        "tracker:text_sha256": version.text_sha256,
    }


def add_candidates(doc: dict, session: Session, seed_ids: set[int], relate: Callable[..., None]) -> int:
    """A wasAttributedTo from each seed to the publisher of each candidate source of one of its
    attributions without a link (tracker:candidate, with its confidence and evidence)."""
    if not seed_ids:
        return 0
    rows = session.exec(
        select(AttributionCandidate, Source)
        .join(Source, Source.id == AttributionCandidate.source_id)
        .where(AttributionCandidate.seed_id.in_(seed_ids), AttributionCandidate.bears_out)
        .order_by(AttributionCandidate.id)
    ).all()
    for candidate, source in rows:
        agent = f"tracker:publisher/source/{source.id}"
        doc["agent"].setdefault(
            agent, {"prov:type": "tracker:Publisher", "prov:label": candidate.matched_text, "prov:location": source.url}
        )
        relate(
            "wasAttributedTo",
            **{
                "prov:entity": f"tracker:seed/{candidate.seed_id}",
                "prov:agent": agent,
                "tracker:candidate": True,
                "tracker:citation": candidate.citation_id,
                "tracker:confidence": candidate.confidence,
                "tracker:label": candidate.label,
                "tracker:matched_on": candidate.matched_on,
            },
        )
    return len(rows)
