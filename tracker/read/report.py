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
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.errors import TrackerError
from tracker.read.facts import source_facts, source_originals, sources_facts, text_direction
from tracker.read.lookup import related_seeds, row_dict
from tracker.sentences import split_sentences
from tracker.store.tables import (
    Alignment,
    Citation,
    Quote,
    Seed,
    Source,
    Version,
    fits_row_id,
)
from tracker.trails.trail import trails_by_sentence

# A sentence's panel shows at most this many sources in full (strongest first), and the report
# this many sources a page: the page then grows with sentences plus sources, not their product.
LINKS_SHOWN = 8
SOURCES_PER_PAGE = 50
# Strongest first: a seed sentence takes the strongest label any source gives it.
LABELS = ("supported", "paraphrased", "partial", "added")
NOT_ALIGNED = "not aligned"  # no source was aligned with the sentence (none fetched, or a bare URL line)
_RANK = {label: i for i, label in enumerate(LABELS)}


class SeedNotFound(TrackerError, LookupError):
    """No seed has that id or stored path."""


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
    links = _Links(sentences)
    sources = _sources(session, seed, source_ids, links)
    links.finish()
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


def _sources(session: Session, seed: Seed, source_ids: list[int], links: _Links) -> list[dict]:
    """Each cited source's entry (its facts, summary and quotations), numbered in citation order,
    its alignments added to the sentences' links: a fixed number of queries for any number of sources."""
    if not source_ids:
        return []
    by_id = {s.id: s for s in session.exec(select(Source).where(Source.id.in_(source_ids))).all()}
    newest = dict(
        session.exec(
            select(Version.source_id, func.max(Alignment.version_id))
            .join(Version, Version.id == Alignment.version_id)
            .where(Alignment.seed_id == seed.id, Version.source_id.in_(source_ids))
            .group_by(Version.source_id)
        ).all()
    )
    versions = {v.id: v for v in session.exec(select(Version).where(Version.id.in_(list(newest.values())))).all()}
    aligned = {source_id: versions[version_id] for source_id, version_id in newest.items()}
    originals = source_originals(session, list(by_id.values()), aligned)
    facts = sources_facts(session, [by_id[i] for i in source_ids], aligned, originals)
    rows: dict[int, list] = {}
    quotes: dict[int, list[Quote]] = {}
    if versions:
        for alignment in session.exec(
            select(*_LINK_COLUMNS)
            .where(Alignment.seed_id == seed.id, Alignment.version_id.in_(list(versions)))
            .order_by(Alignment.version_id, Alignment.seed_start, Alignment.id)
        ).all():
            rows.setdefault(alignment.version_id, []).append(alignment)
        for quote in session.exec(
            select(Quote)
            .where(Quote.seed_id == seed.id, Quote.version_id.in_(list(versions)))
            .order_by(Quote.version_id, Quote.seed_start, Quote.id)
        ).all():
            quotes.setdefault(quote.version_id, []).append(quote)
    entries = []
    for number, source_id in enumerate(source_ids, 1):
        entry = facts[source_id]
        entry.update(number=number, summary=None, quotes=[])
        version = aligned.get(source_id)
        if version is not None:
            links.add(entry, by_id[source_id], version, originals.get(source_id), rows.get(version.id, []))
            entry["quotes"] = [
                {**row_dict(q, drop={"differences"}), "differences": json.loads(q.differences)}
                for q in quotes.get(version.id, [])
            ]
        entries.append(entry)
    return entries


# What a link shows of an alignment, read as plain rows: a seed has one per sentence and source cited
_LINK_COLUMNS = (
    Alignment.version_id,
    Alignment.label,
    Alignment.score,
    Alignment.verbatim,
    Alignment.seed_text,
    Alignment.seed_sentences,
    Alignment.source_start,
    Alignment.source_end,
    Alignment.original_start,
    Alignment.original_end,
    Alignment.unsupported_details,
)


class _Links:
    """The seed sentences' links, added source by source, then each sentence's label and panel
    (`finish`). A link is shared by the sentences its alignment judges (a long seed's "added" row
    judges hundreds) and copied only where shown, so its cost grows with the alignments, and what
    each sentence shows with the links that say something of it."""

    def __init__(self, sentences: list[dict]) -> None:
        self.sentences = sentences
        self.lists = [sentence["links"] for sentence in sentences]
        self.saying: list[list[tuple[int, dict]]] = [[] for _ in sentences]  # (index in its links, link)
        self.judgments: list[tuple[int, str, list[int]]] = []  # each alignment's rank, label, positions
        self.positions: dict[str, list[int]] = {}  # parsed `seed_sentences`: the same few recur across sources

    def add(self, entry: dict, source: Source, aligned: Version, original: Version | None, rows: list) -> None:
        """Link the source's alignments (rows of `_LINK_COLUMNS`) to the seed sentences they judge;
        its summary into `entry`."""
        lists, saying, positions, count = self.lists, self.saying, self.positions, len(self.lists)
        number, source_id, url = entry["number"], source.id, source.url
        translated = aligned.kind == "translated"
        translated_text, translated_language = (aligned.text, aligned.language) if translated else (None, None)
        original_text = (original.text or None) if original is not None else None
        original_language = original.language if original else None
        direction = text_direction(original_language)
        ranks = []
        for _, label, score, verbatim, seed_text, judged, start, end, original_start, original_end, details in rows:
            has_source = start is not None
            link = {
                "source_number": number,
                "source_id": source_id,
                "url": url,
                "label": label,
                "score": score,
                "verbatim": verbatim,  # a word-for-word copy: supported, no details
                "seed_text": seed_text,
                "translated": translated_text[start:end] if has_source and translated else None,
                "translated_language": translated_language,
                "original": (
                    original_text[original_start:original_end] if has_source and original_text is not None else None
                ),
                "original_language": original_language,
                "original_dir": direction,
                "details": _details(details),
            }
            if judged not in positions:
                positions[judged] = [p for p in json.loads(judged) if 0 <= p < count]
            judged = positions[judged]
            if link["translated"] or link["original"] or link["details"]:
                for position in judged:
                    saying[position].append((len(lists[position]), link))
                    lists[position].append(link)
            else:  # a sentence only counts these
                for position in judged:
                    lists[position].append(link)
            rank = _RANK.get(label, len(LABELS))
            self.judgments.append((rank, label, judged))
            ranks.append((min(rank, _RANK["added"]), judged))
        strongest: dict[int, int] = {}  # per seed sentence, the strongest label this source gives it
        for rank, judged in sorted(ranks, key=lambda r: -r[0]):  # weakest first: the strongest written last
            strongest.update(dict.fromkeys(judged, rank))
        counted = {LABELS[rank]: n for rank, n in Counter(strongest.values()).items()}
        entry["summary"] = _shares({**counted, NOT_ALIGNED: count - len(strongest)}, count)

    def finish(self) -> None:
        """Each sentence's label, the strongest any source gives it (of equals, the first linked),
        and what its panel shows."""
        labels: dict[int, str] = {}
        for _, label, judged in sorted(reversed(self.judgments), key=lambda j: -j[0]):  # the strongest last
            labels.update(dict.fromkeys(judged, label))
        for position, sentence in enumerate(self.sentences):
            sentence["label"] = labels.get(position, NOT_ALIGNED)
            _choose_shown_links(sentence, self.saying[position])


def unsupported_details(alignment: Alignment) -> list[dict]:
    """What the aligner found in the seed sentence and not in the source (names, numbers, dates…):
    objects with text, kind, seed_start, seed_end, source_text; [] where it kept none."""
    return _details(getattr(alignment, "unsupported_details", None))


def _details(raw) -> list[dict]:
    if not raw or raw == "[]":
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


def _choose_shown_links(sentence: dict, saying: list[tuple[int, dict]]) -> None:
    """What the sentence's panel shows: the sources that say something of it (a source sentence, or
    details it does not bear out: `saying`, each with its index in the sentence's links), the
    strongest `LINKS_SHOWN` in full; the others as two counts. Most sources of a seed citing
    hundreds say nothing of most of its sentences."""
    links, shown = sentence["links"], []
    for i, link in sorted(saying, key=lambda pair: _strength(pair[1]))[:LINKS_SHOWN]:
        links[i] = {**link, "pieces": _pieces(sentence, link["details"])}  # shared link: the pieces are this one's
        shown.append(links[i])
    sentence["shown_links"] = shown
    sentence["more_links"] = len(saying) - len(shown)
    sentence["silent_sources"] = len(links) - len(saying)


def _strength(link: dict) -> tuple:
    """Strongest first: by label, then score, then the order sources are cited in."""
    return _RANK.get(link["label"], len(LABELS)), -(link["score"] or 0), link["source_number"]


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
    return _shares(Counter(labels), len(labels))


def _shares(counted: Mapping[str, int], total: int) -> dict:
    """`_summary` from the number of sentences with each label."""
    counts = {label: 0 for label in (*LABELS, NOT_ALIGNED)}
    for label, n in counted.items():
        counts[label] = counts.get(label, 0) + n
    return {
        "total": total,
        "counts": counts,
        "shares": {label: round(100 * n / total, 1) if total else 0.0 for label, n in counts.items()},
    }


def _strongest(labels: Iterable[str]) -> str:
    return min(labels, key=lambda label: _RANK.get(label, len(LABELS)))


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
