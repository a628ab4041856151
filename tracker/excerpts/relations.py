"""Related seeds: seeds that cite the same source or name the same attribution, and seeds that
report the same event.

`same_event` is decided on the seed texts alone: the TF-IDF cosine of their content words
(IDF over the current seeds, plus a smoothing so two seeds are enough), blended with the
Jaccard overlap of the names they mention, since two reports of one event share its actors
even when everything else is reworded. Pure functions here; `relate_seeds` stores the result.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import delete
from sqlmodel import Session, select

from tracker.excerpts.align import NAME_WEIGHT, tokens
from tracker.store.tables import Citation, Seed, SeedRelation, Source

SAME_EVENT = 0.15  # the two real seeds score about 0.25 (0.2 alone), unrelated news about 0.02
TEXT_WEIGHT = 0.7  # the rest is the overlap of named entities


@dataclass(frozen=True)
class Relation:
    seed_id: int
    related_seed_id: int
    reason: str  # same_source, same_attribution or same_event
    score: float
    shared: tuple[str, ...]  # the shared URLs, names or entities


def _vector(text: str) -> tuple[Counter, set[str]]:
    found = tokens(text)
    return Counter(t.stem for t in found), {t.stem for t in found if t.weight == NAME_WEIGHT}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


def same_event_scores(texts: dict[int, str]) -> dict[tuple[int, int], tuple[float, tuple[str, ...]]]:
    """Score (and shared names) of every pair of seeds, keyed by (smaller id, larger id)."""
    vectors = {seed_id: _vector(text) for seed_id, text in texts.items()}
    df = Counter(term for counts, _ in vectors.values() for term in counts)
    # One more imaginary document holding every word keeps IDF positive with two seeds.
    n = len(vectors) + 1
    weighted = {
        seed_id: {t: (1 + math.log(c)) * math.log((n + 1) / (df[t] + 1)) for t, c in counts.items()}
        for seed_id, (counts, _) in vectors.items()
    }
    scores = {}
    for a, b in combinations(sorted(texts), 2):
        names_a, names_b = vectors[a][1], vectors[b][1]
        union = names_a | names_b
        jaccard = len(names_a & names_b) / len(union) if union else 0.0
        score = TEXT_WEIGHT * _cosine(weighted[a], weighted[b]) + (1 - TEXT_WEIGHT) * jaccard
        scores[(a, b)] = (round(score, 4), tuple(sorted(names_a & names_b)))
    return scores


def related_seeds(
    texts: dict[int, str], sources: dict[int, set[str]], attributions: dict[int, set[str]]
) -> list[Relation]:
    """Relations between seeds, both directions, from their texts, cited URLs and attributions."""
    found: list[Relation] = []

    def add(a: int, b: int, reason: str, score: float, shared) -> None:
        shared = tuple(sorted(shared))
        found.append(Relation(a, b, reason, score, shared))
        found.append(Relation(b, a, reason, score, shared))

    for (a, b), (score, names) in same_event_scores(texts).items():
        if score >= SAME_EVENT:
            add(a, b, "same_event", score, names)
    for a, b in combinations(sorted(texts), 2):
        if shared := sources.get(a, set()) & sources.get(b, set()):
            add(a, b, "same_source", 1.0, shared)
        names_a, names_b = attributions.get(a, set()), attributions.get(b, set())
        if shared := names_a & names_b:
            add(a, b, "same_attribution", round(len(shared) / len(names_a | names_b), 4), shared)
    return found


def relate_seeds(session: Session) -> int:
    """Recompute the relations between current seeds; returns how many pairs are related."""
    seeds = session.exec(select(Seed).where(Seed.superseded_at.is_(None))).all()
    texts = {seed.id: seed.text for seed in seeds}
    sources: dict[int, set[str]] = {}
    attributions: dict[int, set[str]] = {}
    rows = session.exec(
        select(Citation, Source)
        .join(Source, Source.id == Citation.source_id, isouter=True)
        .where(Citation.seed_id.in_(list(texts)))
    ).all()
    for citation, source in rows:
        if source is not None:
            sources.setdefault(citation.seed_id, set()).add(source.normalized_url)
        # The resolved name: "he" and "Mr. Peskov" count as Dmitry Peskov; a description that
        # names no one (name NULL) relates nothing.
        elif citation.kind == "attribution" and citation.name:
            attributions.setdefault(citation.seed_id, set()).add(citation.name.casefold())
    relations = related_seeds(texts, sources, attributions)
    session.exec(delete(SeedRelation))
    for relation in relations:
        session.add(
            SeedRelation(
                seed_id=relation.seed_id,
                related_seed_id=relation.related_seed_id,
                reason=relation.reason,
                score=relation.score,
                shared=json.dumps(list(relation.shared), ensure_ascii=False),
            )
        )
    return len({(r.seed_id, r.related_seed_id) for r in relations}) // 2
