"""One seed's provenance as a dict a template can render: each seed sentence with its label and the
source sentences that bear it out (translation and original), and per cited source how its text
was fetched and translated; failed sources, attributions without a URL and related seeds.

`seed_report` feeds `tracker report` (one self-contained HTML file) and `tracker serve`;
`seed_summaries` gives the index page its summary bars without building every report.
A source's newest aligned version (its newest translation, or its original when it needed none)
is the one shown, as `lookup` shows the newest by default.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.archive.memento import archived_as
from tracker.config import Settings
from tracker.errors import TrackerError
from tracker.read.lookup import related_seeds, row_dict
from tracker.sentences import split_sentences
from tracker.store.tables import (
    Activity,
    ActivityModel,
    Alignment,
    Citation,
    FetchAttempt,
    Quote,
    Seed,
    Source,
    Version,
    fits_row_id,
)
from tracker.store.versions import latest_original
from tracker.trails.trail import trails_by_sentence

# A sentence's panel shows at most this many sources in full (strongest first), and the report
# this many sources a page: the page then grows with sentences plus sources, not their product.
LINKS_SHOWN = 8
SOURCES_PER_PAGE = 50
# Strongest first: a seed sentence takes the strongest label any source gives it.
LABELS = ("supported", "paraphrased", "partial", "added")
NOT_ALIGNED = "not aligned"  # no source was aligned with the sentence (none fetched, or a bare URL line)
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "iw", "ur", "ps", "yi", "dv", "ug", "ckb", "sd"})


class SeedNotFound(TrackerError, LookupError):
    """No seed has that id or stored path."""


def text_direction(language: str | None) -> str:
    """ "rtl" for scripts written right to left (Arabic, Persian, Hebrew…), else "ltr"."""
    if not language:
        return "ltr"
    return "rtl" if language.lower().replace("_", "-").split("-")[0] in RTL_LANGUAGES else "ltr"


def find_seed(session: Session, key: str | int) -> Seed:
    """A seed by id or by its stored path (the current revision, else the newest one)."""
    text = str(key).strip()
    if text.isascii() and text.isdigit() and fits_row_id(int(text)):
        seed = session.get(Seed, int(text))
        if seed is not None:
            return seed
    for path in dict.fromkeys([text, text.removeprefix("seeds/")]):
        seed = session.exec(
            select(Seed).where(Seed.path == path).order_by(Seed.superseded_at.is_(None).desc(), Seed.revision.desc())
        ).first()
        if seed is not None:
            return seed
    raise SeedNotFound(f"no seed {text!r}: give a seed's id or its path as stored (`tracker sources` lists them)")


def seed_report(session: Session, seed: Seed | str | int, settings: Settings | None = None) -> dict[str, Any]:
    """Everything the report shows about `seed` (a Seed, its id or its stored path); with
    `settings`, its sentences' trails beyond the first hop too (`tracker report` and `serve`)."""
    if not isinstance(seed, Seed):
        seed = find_seed(session, seed)
    spans = split_sentences(seed.text)
    sentences = [
        {"position": i, "text": s.text, "start": s.start, "end": s.end, "label": NOT_ALIGNED, "links": []}
        for i, s in enumerate(spans)
    ]
    citations = session.exec(select(Citation).where(Citation.seed_id == seed.id).order_by(Citation.char_start)).all()
    source_ids = list(dict.fromkeys(c.source_id for c in citations if c.source_id is not None))
    sources = [_source(session, seed, source_id, number, sentences) for number, source_id in enumerate(source_ids, 1)]
    for sentence in sentences:
        labels = [link["label"] for link in sentence["links"]]
        sentence["label"] = _strongest(labels) if labels else NOT_ALIGNED
        _choose_shown_links(sentence)
    return {
        "seed": {
            **row_dict(seed, drop={"text"}),
            "current": seed.superseded_at is None,
            "sentence_count": len(sentences),
        },
        "segments": _segments(seed.text, spans),
        "sentences": sentences,
        "summary": _summary([s["label"] for s in sentences]),
        "sources": [s for s in sources if s["aligned"]],
        "unaligned_sources": [s for s in sources if not s["aligned"]],
        "attributions": [
            {"name": c.name, "role": c.role, "text": c.text, "cue": c.cue, "sentence": c.sentence}
            for c in citations
            if c.kind == "attribution" and not c.url
        ],
        "related_seeds": related_seeds(session, {seed.id}),
        "trails": trails_by_sentence(session, seed, settings) if settings else {},
    }


def seed_summaries(session: Session, seeds: Iterable[Seed]) -> dict[int, dict]:
    """Per seed id: its overall summary and one per aligned source, from the alignments alone."""
    seeds = list(seeds)
    ids = [s.id for s in seeds]
    newest = (
        select(Alignment.seed_id, Version.source_id, func.max(Alignment.version_id).label("version_id"))
        .join(Version, Version.id == Alignment.version_id)
        .where(Alignment.seed_id.in_(ids))
        .group_by(Alignment.seed_id, Version.source_id)
        .subquery()
    )
    rows = session.exec(
        select(Alignment.seed_id, newest.c.source_id, Source.url, Alignment.label, Alignment.seed_sentences)
        .join(
            newest,
            (newest.c.seed_id == Alignment.seed_id) & (newest.c.version_id == Alignment.version_id),
        )
        .join(Source, Source.id == newest.c.source_id)
        .order_by(Alignment.seed_id, newest.c.source_id)
    ).all()
    per_source: dict[int, dict[int, dict]] = {}
    for seed_id, source_id, url, label, positions in rows:
        entry = per_source.setdefault(seed_id, {}).setdefault(source_id, {"id": source_id, "url": url, "labels": {}})
        for position in json.loads(positions):
            entry["labels"][position] = _strongest([label, entry["labels"].get(position, "added")])
    summaries = {}
    for seed in seeds:
        count = len(split_sentences(seed.text))
        sources = list(per_source.get(seed.id, {}).values())
        best: dict[int, str] = {}
        for source in sources:
            for position, label in source["labels"].items():
                best[position] = _strongest([label, best.get(position, "added")])
        summaries[seed.id] = {
            "sentence_count": count,
            "summary": _summary([best.get(i, NOT_ALIGNED) for i in range(count)]),
            "sources": [
                {
                    "id": s["id"],
                    "url": s["url"],
                    "summary": _summary([s["labels"].get(i, NOT_ALIGNED) for i in range(count)]),
                }
                for s in sources
            ],
        }
    return summaries


def _source(session: Session, seed: Seed, source_id: int, number: int, sentences: list[dict]) -> dict:
    source = session.get(Source, source_id)
    aligned_id = session.exec(
        select(func.max(Alignment.version_id))
        .join(Version, Version.id == Alignment.version_id)
        .where(Alignment.seed_id == seed.id, Version.source_id == source_id)
    ).first()
    aligned = session.get(Version, aligned_id) if aligned_id is not None else None
    entry = source_facts(session, source, aligned)
    entry.update(number=number, summary=None, quotes=[])
    original = session.get(Version, entry["original"]["id"]) if entry["original"] else None
    if aligned is None:
        return entry
    positions: dict[int, str] = {}
    rows = session.exec(
        select(Alignment)
        .where(Alignment.seed_id == seed.id, Alignment.version_id == aligned.id)
        .order_by(Alignment.seed_start)
    ).all()
    direction = text_direction(original.language if original else None)
    for alignment in rows:
        has_source = alignment.source_start is not None
        link = {
            "source_number": number,
            "source_id": source.id,
            "url": source.url,
            "label": alignment.label,
            "score": alignment.score,
            "verbatim": alignment.verbatim,  # a word-for-word copy: supported, no details
            "seed_text": alignment.seed_text,
            "translated": (
                aligned.text[alignment.source_start : alignment.source_end]
                if has_source and aligned.kind == "translated"
                else None
            ),
            "translated_language": aligned.language if aligned.kind == "translated" else None,
            "original": (
                original.text[alignment.original_start : alignment.original_end]
                if has_source and original is not None and original.text
                else None
            ),
            "original_language": original.language if original else None,
            "original_dir": direction,
            "details": unsupported_details(alignment),
        }
        for position in json.loads(alignment.seed_sentences):
            if 0 <= position < len(sentences):
                sentence = sentences[position]
                sentence["links"].append(dict(link))  # its "pieces" only if shown: see _choose_shown_links
                positions[position] = _strongest([alignment.label, positions.get(position, "added")])
    entry["summary"] = _summary([positions.get(i, NOT_ALIGNED) for i in range(len(sentences))])
    entry["quotes"] = [
        {**row_dict(q, drop={"differences"}), "differences": json.loads(q.differences)}
        for q in session.exec(
            select(Quote).where(Quote.seed_id == seed.id, Quote.version_id == aligned.id).order_by(Quote.seed_start)
        ).all()
    ]
    return entry


def source_facts(session: Session, source: Source, aligned: Version | None = None) -> dict:
    """How a source was fetched and, when `aligned` is its translation, translated: the URL as
    cited and after redirects, status, languages, model and run; the failure and next retry."""
    last_attempt = session.exec(
        select(FetchAttempt).where(FetchAttempt.source_id == source.id).order_by(FetchAttempt.id.desc()).limit(1)
    ).first()
    if aligned is not None and aligned.kind == "translated":
        original = session.get(Version, aligned.parent_id)
    elif aligned is not None:
        original = aligned
    else:  # our newest capture, else the newest archived copy
        original = latest_original(session, source.id) or latest_original(session, source.id, archived=True)
    entry = {
        "id": source.id,
        "url": source.url,
        "final_url": source.final_url,
        "canonical_url": source.canonical_url,
        "state": source.state,
        "last_error": source.last_error,
        "failures": source.failures,
        "next_fetch_at": _iso(source.next_fetch_at),
        "last_fetched_at": _iso(source.last_fetched_at),
        "http_status": last_attempt.status_code if last_attempt else None,
        "last_attempt": row_dict(last_attempt, drop={"source_id", "headers"}) if last_attempt else None,
        "aligned": aligned is not None,
        "original": _version(original),
        "translation": _translation(session, aligned) if aligned is not None and aligned.kind == "translated" else None,
    }
    if original is not None:
        entry["original"]["captured_at"] = _iso(original.captured_at or original.created_at)
    return entry


def unsupported_details(alignment: Alignment) -> list[dict]:
    """What the aligner found in the seed sentence and not in the source (names, numbers, dates…):
    objects with text, kind, seed_start, seed_end, source_text; [] where it kept none."""
    raw = getattr(alignment, "unsupported_details", None)
    if not raw:
        return []
    try:
        details = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return []
    return [
        {key: d.get(key) for key in ("text", "kind", "seed_start", "seed_end", "source_text")}
        for d in details
        if isinstance(d, dict) and d.get("text")
    ]


def _choose_shown_links(sentence: dict) -> None:
    """What the sentence's panel shows: the sources that say something of it (a source sentence, or
    details it does not bear out), the strongest `LINKS_SHOWN` in full; the others as two counts.
    Most sources of a seed citing hundreds say nothing of most of its sentences."""
    order = {label: i for i, label in enumerate(LABELS)}
    saying = [link for link in sentence["links"] if link["translated"] or link["original"] or link["details"]]
    saying.sort(key=lambda link: (order.get(link["label"], len(LABELS)), -(link["score"] or 0), link["source_number"]))
    sentence["shown_links"] = saying[:LINKS_SHOWN]
    for link in sentence["shown_links"]:
        link["pieces"] = _pieces(sentence, link["details"])
    sentence["more_links"] = len(saying) - len(sentence["shown_links"])
    sentence["silent_sources"] = len(sentence["links"]) - len(saying)


def _pieces(sentence: dict, details: list[dict]) -> list[dict]:
    """The sentence's text cut into runs, those an unsupported detail covers marked with it."""
    text, marks = sentence["text"], []
    for detail in details:
        start, end = detail.get("seed_start"), detail.get("seed_end")
        if isinstance(start, int) and isinstance(end, int) and sentence["start"] <= start < end <= sentence["end"]:
            start, end = start - sentence["start"], end - sentence["start"]
        else:  # offsets missing or outside this sentence: find the words themselves
            start = text.find(detail["text"])
            end = start + len(detail["text"])
            if start < 0:
                continue
        if all(end <= s or start >= e for s, e, _ in marks):
            marks.append((start, end, detail))
    pieces, at = [], 0
    for start, end, detail in sorted(marks, key=lambda m: m[0]):
        if start > at:
            pieces.append({"text": text[at:start], "detail": None})
        pieces.append({"text": text[start:end], "detail": detail})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:], "detail": None})
    return pieces


def _translation(session: Session, translated: Version) -> dict | None:
    activity = session.get(Activity, translated.activity_id) if translated.activity_id else None
    if activity is None:
        return None
    hops = session.exec(
        select(ActivityModel).where(ActivityModel.activity_id == activity.id).order_by(ActivityModel.hop)
    ).all()
    return {
        "version_id": translated.id,
        "language": translated.language,
        "activity_id": activity.id,
        "status": activity.status,
        "model": activity.model,
        "model_version": activity.model_version,
        "model_sha256": activity.model_sha256,
        "hops": [row_dict(h, drop={"activity_id"}) for h in hops],
        "software": json.loads(activity.software or "{}"),
        "parameters": json.loads(activity.parameters or "{}"),
        "started_at": _iso(activity.started_at),
        "ended_at": _iso(activity.ended_at),
    }


def _version(version: Version | None) -> dict | None:
    if version is None:
        return None
    return {
        "id": version.id,
        "language": version.language,
        "language_probability": version.language_probability,
        "declared_language": version.declared_language,
        "dir": text_direction(version.language),
        "title": version.title,
        "url": version.url,
        # "archived copy (Wayback Machine, 2025-02-13 10:22 UTC)": never shown as our own capture
        "archived_as": archived_as(version),
        "memento_url": version.memento_url,
    }


def _segments(text: str, spans) -> list[dict]:
    """The seed's text as runs: each sentence (with its position) and the text between them."""
    segments, at = [], 0
    for position, span in enumerate(spans):
        if span.start > at:
            segments.append({"text": text[at : span.start], "sentence": None})
        segments.append({"text": span.text, "sentence": position})
        at = span.end
    if at < len(text):
        segments.append({"text": text[at:], "sentence": None})
    return segments


def _summary(labels: list[str]) -> dict:
    """Counts and shares (per cent, one decimal) of each label over the seed's sentences."""
    total = len(labels)
    counts = {label: 0 for label in (*LABELS, NOT_ALIGNED)}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return {
        "total": total,
        "counts": counts,
        "shares": {label: round(100 * n / total, 1) if total else 0.0 for label, n in counts.items()},
    }


def _strongest(labels: Iterable[str]) -> str:
    order = {label: i for i, label in enumerate(LABELS)}
    return min(labels, key=lambda label: order.get(label, len(LABELS)))


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def source_report(session: Session, source_id: int) -> dict[str, Any] | None:
    """One source for the server's source page: its facts, the seeds citing it (each with its
    summary for this source) and, per seed, the sentence pairs of the newest aligned version."""
    from tracker.read.lookup import alignments

    source = session.get(Source, source_id) if fits_row_id(source_id) else None
    if source is None:
        return None
    seeds = session.exec(
        select(Seed).join(Citation, Citation.seed_id == Seed.id).where(Citation.source_id == source_id).distinct()
    ).all()
    seeds = sorted(seeds, key=lambda s: s.id)
    summaries = seed_summaries(session, seeds)
    newest: dict[int, dict] = {}
    for entry in alignments(session, source_id):
        if entry["seed_id"] not in newest or entry["version_id"] > newest[entry["seed_id"]]["version_id"]:
            newest[entry["seed_id"]] = entry
    aligned_id = max((e["version_id"] for e in newest.values()), default=None)
    original = source_facts(session, source, session.get(Version, aligned_id) if aligned_id else None)
    direction = original["original"]["dir"] if original["original"] else "ltr"
    return {
        "source": original,
        "direction": direction,
        "seeds": [
            {
                "id": seed.id,
                "path": seed.path,
                "revision": seed.revision,
                "current": seed.superseded_at is None,
                "title": seed.title,
                "summary": next(
                    (s["summary"] for s in summaries[seed.id]["sources"] if s["id"] == source_id),
                    None,
                ),
                "alignment": newest.get(seed.id),
            }
            for seed in seeds
        ],
    }
