"""Everything known about one URL: who cites it, how it was fetched, its versions and excerpts.

Over time: `lookup(..., at=DATE)` shows the original in force at DATE (the newest captured at or
before it, else the first captured after it, as the Wayback Machine picks its closest capture)
with what was derived from it; `version_history` lists every version with when it was replaced.
Every query here is an index lookup (tests/test_lookup.py checks the query plans).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from tracker.archive.memento import archived_as
from tracker.store.tables import (
    Activity,
    Alignment,
    Citation,
    Excerpt,
    FetchAttempt,
    Quote,
    Seed,
    SeedRelation,
    Source,
    Version,
)
from tracker.store.versions import version_in_force
from tracker.trails.links import trail_links
from tracker.urls import normalize_url


def find_source(session: Session, url: str) -> tuple[Source, str] | None:
    """The source for `url` and how it matched: as cited, normalized, final or canonical URL."""
    try:
        key = normalize_url(url)
    except ValueError:
        key = None
    candidates = [
        ("cited", Source.url == url),
        ("final", Source.final_url == url),
        ("canonical", Source.canonical_url == url),
    ]
    if key is not None:
        candidates.insert(1, ("normalized", Source.normalized_url == key))
    for matched_as, condition in candidates:
        source = session.exec(select(Source).where(condition)).first()
        if source is not None:
            return source, matched_as
    if key is not None:  # a URL met on the way, in a redirect chain
        attempt = session.exec(
            select(FetchAttempt).where(or_(FetchAttempt.url == url, FetchAttempt.redirect_to == url))
        ).first()
        if attempt is not None:
            return session.get(Source, attempt.source_id), "redirect"
    return None


def parse_date(value: str) -> datetime:
    """A date or ISO datetime; UTC unless it says otherwise. A bare date means the end of that
    day, so `--at 2025-02-13` includes what was captured on the 13th."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM])") from None
    if len(value.strip()) == 10:
        parsed = datetime.combine(parsed.date(), time.max)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def version_history(session: Session, source_id: int) -> list[dict[str, Any]]:
    """Every version of a source, oldest first; an original is superseded by the next original."""
    rows = session.exec(
        select(Version, Activity)
        .join(Activity, Activity.id == Version.activity_id, isouter=True)
        .where(Version.source_id == source_id)
        .order_by(Version.id)
    ).all()
    replaced_by = {}
    for archived in (False, True):  # our captures and archived copies each supersede their own kind
        originals = sorted(
            (v for v, _ in rows if v.kind == "original" and bool(v.archived) == archived), key=_captured_at
        )
        replaced_by.update({a.id: _captured_at(b) for a, b in zip(originals, originals[1:])})
    history = []
    for version, activity in rows:
        superseded = replaced_by.get(version.id)
        history.append(
            {
                "id": version.id,
                "kind": version.kind,
                "parent_id": version.parent_id,
                "status": version.status,
                "language": version.language,
                "language_status": version.language_status,
                "captured_at": _captured_at(version).isoformat(),
                "archived_as": archived_as(version),
                "superseded_at": superseded.isoformat() if superseded else None,
                "text_sha256": version.text_sha256,
                "activity": activity.kind if activity else None,
                "model": activity.model if activity else None,
                "model_version": activity.model_version if activity else None,
            }
        )
    return history


def _captured_at(version: Version) -> datetime:
    """When the page was captured: by us (created_at), or by the archive of an archived copy."""
    return version.captured_at or version.created_at


def lookup(session: Session, url: str, at: datetime | None = None) -> dict[str, Any] | None:
    found = find_source(session, url)
    if found is None:
        return None
    source, matched_as = found
    citations = session.exec(
        select(Citation, Seed)
        .join(Seed, Seed.id == Citation.seed_id)
        .where(Citation.source_id == source.id)
        .order_by(Seed.id, Citation.char_start)
    ).all()
    attempts = _fetch_attempts(session, source.id)
    versions = session.exec(
        select(Version, Activity)
        .join(Activity, Activity.id == Version.activity_id, isouter=True)
        .where(Version.source_id == source.id, Version.kind != "excerpt")
        .order_by(Version.id)
    ).all()
    excerpts = _excerpts(session, source.id)
    in_force = None
    if at is not None:
        chosen = version_in_force(session, source.id, at)
        in_force = {"date": at.isoformat(), "version_id": None, "captured_at": None, "captured": None}
        keep: set[int] = set()
        if chosen is not None:
            original, captured = chosen
            in_force.update(
                version_id=original.id,
                captured_at=_captured_at(original).isoformat(),
                captured=captured,
                archived_as=archived_as(original),
            )
            keep = {original.id} | {v.id for v, _ in versions if v.parent_id == original.id}
        versions = [(v, a) for v, a in versions if v.id in keep]
        excerpts = [e for e in excerpts if e["parent_id"] in keep]
    found = {
        "url": url,
        "matched_as": matched_as,
        "source": row_dict(source),
        "seeds": _seeds(citations, _attributions(session, {seed.id for _, seed in citations})),
        "fetch_attempts": attempts,
        "archive_lookups": _archive_lookups(session, source.id),
        "versions": [_version(v, a) for v, a in versions],
        "excerpts": excerpts,
        "alignments": alignments(session, source.id),
        "quotes": _quotes(session, source.id),
        "related_seeds": related_seeds(session, {seed.id for _, seed in citations}),
        **trail_links(session, source.id),  # the sources citing it, and those it cites
    }
    if in_force is not None:
        found["at"] = in_force
    return found


def _archive_lookups(session: Session, source_id: int) -> list[dict]:
    """Each lookup of the source in the web archives: when, which, what came of it, its requests."""
    rows = session.exec(
        select(Activity).where(Activity.source_id == source_id, Activity.kind == "archive").order_by(Activity.id)
    ).all()
    return [{**row_dict(a, drop={"source_id", "software"}), "parameters": json.loads(a.parameters)} for a in rows]


def _fetch_attempts(session: Session, source_id: int) -> list[dict]:
    """Every request, oldest first; the last request of each fetch says what the fetch came to
    (new, changed, unchanged, skipped, failed), as recorded by tracker.originals.versions."""
    rows = session.exec(
        select(FetchAttempt, Activity.parameters)
        .join(Activity, Activity.id == FetchAttempt.activity_id)
        .where(FetchAttempt.source_id == source_id)
        .order_by(FetchAttempt.id)
    ).all()
    attempts = []
    for index, (attempt, parameters) in enumerate(rows):
        last_of_fetch = index + 1 == len(rows) or rows[index + 1][0].activity_id != attempt.activity_id
        outcome = json.loads(parameters or "{}").get("outcome") if last_of_fetch else None
        attempts.append(row_dict(attempt, drop={"source_id"}) | {"outcome": outcome})
    return attempts


def _attributions(session: Session, seed_ids: set[int]) -> dict[int, list[dict]]:
    """The attributions of each seed: whom else it says its claims come from."""
    rows = session.exec(
        select(Citation, Seed)
        .join(Seed, Seed.id == Citation.seed_id)
        .where(Citation.seed_id.in_(list(seed_ids)), Citation.kind == "attribution")
        .order_by(Citation.seed_id, Citation.char_start)
    ).all()
    found: dict[int, list[dict]] = {}
    for citation, seed in rows:
        content = None
        if citation.content_start is not None and citation.content_end is not None:
            content = seed.text[citation.content_start : citation.content_end]
        resolved_from = None
        if citation.resolved_start is not None and citation.resolved_end is not None:
            resolved_from = seed.text[citation.resolved_start : citation.resolved_end]
        found.setdefault(seed.id, []).append(
            {
                "source": citation.text,
                "source_kind": citation.source_kind,
                "name": citation.name,
                "resolved_by": citation.resolved_by,
                "resolved_from": resolved_from,
                "role": citation.role,
                "organization": citation.organization,
                "cue": citation.cue,
                "cue_kind": citation.cue_kind,
                "content": content,
                "confidence": citation.confidence,
                "char_start": citation.char_start,
                "char_end": citation.char_end,
                "sentence": citation.sentence,
            }
        )
    return found


def _seeds(citations, attributions: dict[int, list[dict]]) -> list[dict]:
    seeds: dict[int, dict] = {}
    for citation, seed in citations:
        entry = seeds.setdefault(
            seed.id,
            {
                "id": seed.id,
                "path": seed.path,
                "revision": seed.revision,
                "current": seed.superseded_at is None,
                "title": seed.title,
                "citations": [],
                "attributions": attributions.get(seed.id, []),
            },
        )
        entry["citations"].append(
            {
                "text": citation.text,
                "cue": citation.cue,
                "char_start": citation.char_start,
                "char_end": citation.char_end,
                "sentence": citation.sentence,
            }
        )
    return list(seeds.values())


def _version(version: Version, activity: Activity | None) -> dict:
    entry = row_dict(version, drop={"text", "source_id"})
    entry["length"] = len(version.text) if version.text is not None else None
    entry["archived_as"] = archived_as(version)
    entry["text"] = version.text
    if version.language_evidence is not None:
        entry["language_evidence"] = json.loads(version.language_evidence)
    if activity is not None:
        entry["activity"] = row_dict(activity, drop={"source_id"})
        for key in ("software", "parameters"):
            entry["activity"][key] = json.loads(activity.software if key == "software" else activity.parameters)
    return entry


def _excerpts(session: Session, source_id: int) -> list[dict]:
    rows = session.exec(
        select(Excerpt, Version, Seed)
        .join(Version, Version.id == Excerpt.version_id)
        .join(Seed, Seed.id == Excerpt.seed_id)
        .where(Version.source_id == source_id)
        .order_by(Seed.id, Excerpt.original_start)
    ).all()
    result = []
    for excerpt, version, seed in rows:
        parent = session.get(Version, version.parent_id)
        original = parent if parent.kind == "original" else session.get(Version, parent.parent_id)
        result.append(
            {
                **row_dict(excerpt),
                "seed_path": seed.path,
                "parent_id": version.parent_id,
                "text": version.text,
                "original_text": original.text[excerpt.original_start : excerpt.original_end],
            }
        )
    return result


def alignments(session: Session, source_id: int) -> list[dict]:
    """Per citing seed, each seed sentence with the source sentences it draws on, translated and
    original, side by side (`added` seed sentences with none)."""
    rows = session.exec(
        select(Alignment, Version, Seed)
        .join(Version, Version.id == Alignment.version_id)
        .join(Seed, Seed.id == Alignment.seed_id)
        .where(Version.source_id == source_id)
        .order_by(Seed.id, Version.id, Alignment.seed_start)
    ).all()
    seeds: dict[tuple[int, int], dict] = {}
    originals: dict[int, Version] = {}
    for alignment, aligned, seed in rows:
        entry = seeds.setdefault(
            (seed.id, aligned.id),
            {
                "seed_id": seed.id,
                "seed_path": seed.path,
                "version_id": aligned.id,
                "version_kind": aligned.kind,
                "language": aligned.language,
                "pairs": [],
            },
        )
        if aligned.id not in originals:
            originals[aligned.id] = aligned if aligned.kind == "original" else session.get(Version, aligned.parent_id)
        original = originals[aligned.id]
        has_source = alignment.source_start is not None
        entry["pairs"].append(
            {
                "seed_sentence": alignment.seed_text,
                "seed_position": alignment.seed_sentence,
                "seed_start": alignment.seed_start,
                "seed_end": alignment.seed_end,
                "label": alignment.label,
                "verbatim": alignment.verbatim,
                "score": alignment.score,
                "coverage": alignment.coverage,
                "unsupported_details": json.loads(alignment.unsupported_details or "[]"),
                "model_score": alignment.model_score,
                "source_sentences": json.loads(alignment.source_sentences),
                "translated_sentence": (
                    aligned.text[alignment.source_start : alignment.source_end]
                    if has_source and aligned.kind == "translated"
                    else None
                ),
                "original_sentence": (
                    original.text[alignment.original_start : alignment.original_end] if has_source else None
                ),
                "excerpt_id": alignment.excerpt_id,
            }
        )
    return list(seeds.values())


def _quotes(session: Session, source_id: int) -> list[dict]:
    rows = session.exec(
        select(Quote, Seed)
        .join(Version, Version.id == Quote.version_id)
        .join(Seed, Seed.id == Quote.seed_id)
        .where(Version.source_id == source_id)
        .order_by(Seed.id, Quote.seed_start)
    ).all()
    return [
        {**row_dict(quote, drop={"differences"}), "differences": json.loads(quote.differences), "seed_path": seed.path}
        for quote, seed in rows
    ]


def related_seeds(session: Session, seed_ids: set[int]) -> list[dict]:
    rows = session.exec(
        select(SeedRelation, Seed)
        .join(Seed, Seed.id == SeedRelation.related_seed_id)
        .where(SeedRelation.seed_id.in_(list(seed_ids)))
        .order_by(SeedRelation.seed_id, SeedRelation.related_seed_id, SeedRelation.reason)
    ).all()
    return [
        {
            "seed_id": r.seed_id,
            "related_seed_id": r.related_seed_id,
            "related_path": seed.path,
            "reason": r.reason,
            "score": r.score,
            "shared": json.loads(r.shared),
        }
        for r, seed in rows
    ]


def row_dict(row, drop: frozenset | set = frozenset()) -> dict:
    data = row.model_dump()
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items() if k not in drop}
