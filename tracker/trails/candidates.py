"""Candidate sources for a seed's attributions without a link ("the Kremlin said …").

A fetched source (any: one a seed cites, or one reached through a trail) is a candidate for an
attribution when it is published by the organisation named (its site name, host or author says
so) and its text, in the target language, bears the attributed sentence out (the seed aligner:
not `added`). Each pair is judged once and kept in `attribution_candidates` with its evidence; a
candidate is never a citation the seed made. Incremental: each pass pairs the originals and the
attributions that are new since the last one (an activity `candidates` records how far it got).
"""

from __future__ import annotations

import json
import re

from sqlmodel import Session, select

from tracker.excerpts import align as aligner
from tracker.sentences import TextSpan, split_sentences
from tracker.store.provenance import software
from tracker.store.tables import Activity, Citation, Seed, Source, Version, utcnow
from tracker.store.trail_tables import AttributionCandidate
from tracker.store.versions import latest_original, text_in_language

__all__ = ["link_candidates", "publisher_match", "seed_candidates"]

_NOT_WORD = re.compile(r"[^\w]+")


def _key(name: str | None) -> str:
    words = _NOT_WORD.sub(" ", (name or "").lower()).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def publisher_match(names: list[str], site_name: str | None, host: str, author: str | None) -> tuple[str, str] | None:
    """(where, what) when one of `names` is the publisher: its site name or author contains the
    name (or the other way round), or its host has the name as a label ("kremlin" in kremlin.ru)."""
    for name in names:
        key = _key(name)
        if len(key) < 3:
            continue
        for where, value in (("site_name", site_name), ("author", author)):
            other = _key(value)
            if len(other) >= 3 and (key in other or other in key):
                return where, value or ""
        labels = set(re.split(r"[.\-]", host.lower()))
        if key.replace(" ", "") in labels:
            return "host", host
    return None


def link_candidates(session: Session, target: str) -> int:
    """Pair the attributions and originals new since the last pass; the candidates stored."""
    last = session.exec(
        select(Activity).where(Activity.kind == "candidates").order_by(Activity.id.desc()).limit(1)
    ).first()
    seen = json.loads(last.parameters) if last else {}
    after_version, after_citation = seen.get("after_version", 0), seen.get("after_citation", 0)
    top_version = session.exec(select(Version.id).order_by(Version.id.desc()).limit(1)).first() or 0
    top_citation = session.exec(select(Citation.id).order_by(Citation.id.desc()).limit(1)).first() or 0
    if top_version <= after_version and top_citation <= after_citation:
        return 0
    attributions = session.exec(
        select(Citation)
        .join(Seed, Seed.id == Citation.seed_id)
        .where(Citation.kind == "attribution", Citation.source_id.is_(None), Seed.superseded_at.is_(None))
        .where((Citation.name.is_not(None)) | (Citation.organization.is_not(None)))
    ).all()
    query = select(Version.id, Version.source_id, Version.site_name, Version.author, Source.host).join(
        Source, Source.id == Version.source_id
    )
    if top_citation <= after_citation:  # no new attribution: only the new originals need pairing
        query = query.where(Version.id > after_version)
    originals = session.exec(query.where(Version.kind == "original")).all()
    made, waiting = 0, []  # waiting: publishers matched whose text is not translated yet
    for citation in attributions:
        names = [n for n in (citation.organization, citation.name) if n]
        for version_id, source_id, site_name, author, host in originals:
            if citation.id <= after_citation and version_id <= after_version:
                continue  # paired by an earlier pass
            match = publisher_match(names, site_name, host, author)
            if match is None:
                continue
            current = latest_original(session, source_id)
            if current is None or current.id != version_id:
                continue  # an older capture: the newest one is paired instead
            text = text_in_language(session, source_id, target)
            if text is None or not text.text:
                waiting.append(version_id)
                continue
            made += _judge(session, citation, session.get(Source, source_id), text, match)
    reached = min(waiting) - 1 if waiting else top_version
    session.add(
        Activity(
            kind="candidates",
            software=software(),
            parameters=json.dumps({"after_version": reached, "after_citation": top_citation}),
            ended_at=utcnow(),
        )
    )
    return made


def _judge(session: Session, citation: Citation, source: Source, text: Version, match: tuple[str, str]) -> int:
    done = session.exec(
        select(AttributionCandidate.id).where(
            AttributionCandidate.citation_id == citation.id, AttributionCandidate.version_id == text.id
        )
    ).first()
    if done is not None:
        return 0
    spans = split_sentences(text.text)
    claim = TextSpan(citation.sentence, 0, len(citation.sentence))
    result = aligner.align([claim], spans)
    link = result.links[0] if result.links else None
    label, score = (link.label, link.score) if link else ("added", 0.0)
    session.add(
        AttributionCandidate(
            citation_id=citation.id,
            seed_id=citation.seed_id,
            source_id=source.id,
            version_id=text.id,
            matched_on=match[0],
            matched_text=match[1],
            label=label,
            score=score,
            confidence=round(score * (citation.confidence or 1.0), 4),
            bears_out=label != "added",
        )
    )
    return 1


def seed_candidates(session: Session, seed_id: int) -> list[dict]:
    """The candidate sources that bear out `seed_id`'s attributions without a link, with their
    evidence (`tracker trail`), best first for each attribution."""
    rows = session.exec(
        select(AttributionCandidate, Citation, Source)
        .join(Citation, Citation.id == AttributionCandidate.citation_id)
        .join(Source, Source.id == AttributionCandidate.source_id)
        .where(AttributionCandidate.seed_id == seed_id, AttributionCandidate.bears_out)
        .order_by(Citation.char_start, AttributionCandidate.confidence.desc())
    ).all()
    return [
        {
            "attribution": citation.text,
            "sentence": citation.sentence,
            "url": source.url,
            "matched_on": candidate.matched_on,
            "matched_text": candidate.matched_text,
            "label": candidate.label,
            "confidence": round(candidate.confidence, 3),
        }
        for candidate, citation, source in rows
    ]
