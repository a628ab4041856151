"""Everything known about one URL: who cites it, how it was fetched, its versions and excerpts.

Over time: `lookup(..., at=DATE)` shows the original in force at DATE (the newest captured at or
before it, else the first captured after it, as the Wayback Machine picks its closest capture)
with what was derived from it; `version_history` lists every version with when it was replaced.
Every query here is an index lookup (tests/test_lookup.py checks the query plans).

The queries are plain SQL through a Reader (tracker/store/reader.py), so a cold `tracker lookup`
imports neither SQLAlchemy nor SQLModel on a SQLite file. Each function takes a Reader, or a
Session or connection it wraps.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any

from tracker.archive.memento import archived_as
from tracker.store.reader import Reader, Row, reader_of
from tracker.trails.links import trail_links
from tracker.urls import normalize_url

CAPTURED = "COALESCE(captured_at, created_at)"  # when a version was captured (NULL: stored without it)


def find_source(reader, url: str) -> tuple[Row, str] | None:
    """The source for `url` and how it matched: as cited, normalized, final or canonical URL."""
    reader = reader_of(reader)
    try:
        key = normalize_url(url)
    except ValueError:
        key = None
    candidates = [("cited", "url", url), ("final", "final_url", url), ("canonical", "canonical_url", url)]
    if key is not None:
        candidates.insert(1, ("normalized", "normalized_url", key))
    for matched_as, column, value in candidates:
        source = reader.row("sources", f"FROM sources WHERE {column} = :value", value=value)
        if source is not None:
            return source, matched_as
    if key is not None:  # a URL met on the way, in a redirect chain
        hop = reader.values(
            "SELECT source_id FROM fetch_attempts WHERE url = :url OR redirect_to = :url LIMIT 1", url=url
        )
        if hop:
            return reader.get("sources", hop[0][0]), "redirect"
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


def version_in_force(reader, source_id: int, at: datetime) -> tuple[Row, str] | None:
    """The original in force at `at` and whether it was captured "before" it (ours first, then
    an archived copy) or, when none was, the first one captured "after" it. (The
    `original_periods` and `cited_versions` views answer the same in SQL.)"""
    reader = reader_of(reader)
    originals = "FROM versions WHERE source_id = :source_id AND kind = 'original'"
    for archived in (False, True):
        before = reader.row(
            "versions",
            f"{originals} AND archived = :archived AND {CAPTURED} <= :at ORDER BY {CAPTURED} DESC, id DESC",
            source_id=source_id,
            archived=archived,
            at=at,
        )
        if before is not None:
            return before, "before"
    after = reader.row("versions", f"{originals} ORDER BY {CAPTURED}, archived, id", source_id=source_id)
    return (after, "after") if after is not None else None


def _versions_with_activity(reader: Reader, where: str, **params) -> list[tuple[Row, Row | None]]:
    return reader.joined(
        "versions v, activities a",
        f"FROM versions v LEFT JOIN activities a ON a.id = v.activity_id WHERE {where} ORDER BY v.id",
        **params,
    )


def version_history(reader, source_id: int) -> list[dict[str, Any]]:
    """Every version of a source, oldest first; an original is superseded by the next original."""
    rows = _versions_with_activity(reader_of(reader), "v.source_id = :source_id", source_id=source_id)
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


def _captured_at(version) -> datetime:
    """When the page was captured: by us (created_at), or by the archive of an archived copy."""
    return version.captured_at or version.created_at


def lookup(reader, url: str, at: datetime | None = None) -> dict[str, Any] | None:
    reader = reader_of(reader)
    found = find_source(reader, url)
    if found is None:
        return None
    source, matched_as = found
    citations = reader.joined(
        "citations c, seeds s",
        "FROM citations c JOIN seeds s ON s.id = c.seed_id WHERE c.source_id = :source_id ORDER BY s.id, c.char_start",
        source_id=source.id,
    )
    attempts = _fetch_attempts(reader, source.id)
    versions = _versions_with_activity(reader, "v.source_id = :source_id AND v.kind != 'excerpt'", source_id=source.id)
    excerpts = _excerpts(reader, source.id)
    in_force = None
    if at is not None:
        chosen = version_in_force(reader, source.id, at)
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
    seed_ids = {seed.id for _, seed in citations}
    found = {
        "url": url,
        "matched_as": matched_as,
        "source": row_dict(source),
        "seeds": _seeds(citations, _attributions(reader, seed_ids)),
        "fetch_attempts": attempts,
        "archive_lookups": _archive_lookups(reader, source.id),
        "versions": [_version(v, a) for v, a in versions],
        "excerpts": excerpts,
        "alignments": alignments(reader, source.id),
        "quotes": _quotes(reader, source.id),
        "related_seeds": related_seeds(reader, seed_ids),
        **trail_links(reader, source.id),  # the sources citing it, and those it cites
    }
    if in_force is not None:
        found["at"] = in_force
    return found


def _archive_lookups(reader: Reader, source_id: int) -> list[dict]:
    """Each lookup of the source in the web archives: when, which, what came of it, its requests."""
    rows = reader.rows(
        "activities",
        "FROM activities WHERE source_id = :source_id AND kind = 'archive' ORDER BY id",
        source_id=source_id,
    )
    return [{**row_dict(a, drop={"source_id", "software"}), "parameters": json.loads(a.parameters)} for a in rows]


def _fetch_attempts(reader: Reader, source_id: int) -> list[dict]:
    """Every request, oldest first; the last request of each fetch says what the fetch came to
    (new, changed, unchanged, skipped, failed), as recorded by tracker.originals.versions."""
    rows = reader.joined(
        "fetch_attempts f",
        ", a.parameters FROM fetch_attempts f JOIN activities a ON a.id = f.activity_id "
        "WHERE f.source_id = :source_id ORDER BY f.id",
        source_id=source_id,
    )
    attempts = []
    for index, (attempt, parameters) in enumerate(rows):
        last_of_fetch = index + 1 == len(rows) or rows[index + 1][0].activity_id != attempt.activity_id
        outcome = json.loads(parameters or "{}").get("outcome") if last_of_fetch else None
        attempts.append(row_dict(attempt, drop={"source_id"}) | {"outcome": outcome})
    return attempts


def _attributions(reader: Reader, seed_ids: set[int]) -> dict[int, list[dict]]:
    """The attributions of each seed: whom else it says its claims come from."""
    rows = reader.joined(
        "citations c, seeds s",
        "FROM citations c JOIN seeds s ON s.id = c.seed_id WHERE c.seed_id IN (:seed_ids) AND c.kind = 'attribution' "
        "ORDER BY c.seed_id, c.char_start",
        seed_ids=sorted(seed_ids),
    )
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


def _version(version: Row, activity: Row | None) -> dict:
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


class _Originals:
    """The original behind a translated or original version, each read once."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.read: dict[int, Row | None] = {}

    def get(self, version_id: int) -> Row | None:
        if version_id not in self.read:
            self.read[version_id] = self.reader.get("versions", version_id)
        return self.read[version_id]

    def of(self, version: Row) -> Row:
        return version if version.kind == "original" else self.get(version.parent_id)


def _excerpts(reader: Reader, source_id: int) -> list[dict]:
    rows = reader.joined(
        "excerpts e, versions v, seeds s",
        "FROM excerpts e JOIN versions v ON v.id = e.version_id JOIN seeds s ON s.id = e.seed_id "
        "WHERE v.source_id = :source_id ORDER BY s.id, e.original_start",
        source_id=source_id,
    )
    versions = _Originals(reader)
    result = []
    for excerpt, version, seed in rows:
        original = versions.of(versions.get(version.parent_id))
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


def alignments(reader, source_id: int) -> list[dict]:
    """Per citing seed, each seed sentence with the source sentences it draws on, translated and
    original, side by side (`added` seed sentences with none)."""
    reader = reader_of(reader)
    rows = reader.joined(
        "alignments l, versions v, seeds s",
        "FROM alignments l JOIN versions v ON v.id = l.version_id JOIN seeds s ON s.id = l.seed_id "
        "WHERE v.source_id = :source_id ORDER BY s.id, v.id, l.seed_start",
        source_id=source_id,
    )
    seeds: dict[tuple[int, int], dict] = {}
    versions = _Originals(reader)
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
        original = versions.of(aligned)
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


def _quotes(reader: Reader, source_id: int) -> list[dict]:
    rows = reader.joined(
        "quotes q, seeds s",
        "FROM quotes q JOIN versions v ON v.id = q.version_id JOIN seeds s ON s.id = q.seed_id "
        "WHERE v.source_id = :source_id ORDER BY s.id, q.seed_start",
        source_id=source_id,
    )
    return [
        {**row_dict(quote, drop={"differences"}), "differences": json.loads(quote.differences), "seed_path": seed.path}
        for quote, seed in rows
    ]


def related_seeds(reader, seed_ids: set[int]) -> list[dict]:
    rows = reader_of(reader).joined(
        "seed_relations r, seeds s",
        "FROM seed_relations r JOIN seeds s ON s.id = r.related_seed_id WHERE r.seed_id IN (:seed_ids) "
        "ORDER BY r.seed_id, r.related_seed_id, r.reason",
        seed_ids=sorted(seed_ids),
    )
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
    """A row (a Reader's Row or a table object) as JSON-ready values; datetimes in ISO form."""
    data = row if isinstance(row, dict) else row.model_dump()
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items() if k not in drop}
