"""Related seeds: seeds that cite the same source or name the same attribution, and seeds that
report the same event.

`same_event` is decided on the seed texts alone: the TF-IDF cosine of their content words
(IDF over the current seeds, plus a smoothing so two seeds are enough), blended with the
Jaccard overlap of the names they mention, since two reports of one event share its actors
even when everything else is reworded.

Pairs are found through an inverted index (`seed_terms`), never by trying every pair: only two
seeds sharing a key are scored, a key being a cited URL, an attributed name, or a word or name in
at most `MAX_POSTINGS` seeds. A word in more seeds than that weighs little in the cosine
(its IDF is low) and would make the candidates quadratic again. A new or revised seed is related
against the index as it stands; the pairs already stored keep the score they had (IDF moves a
little as seeds come, so a full recompute can differ in the fourth decimal, see
bench/relations_bench.py).
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, func, insert, or_
from sqlmodel import Session, select

from tracker.excerpts.features import NAME_WEIGHT, tokens
from tracker.store.tables import Citation, Seed, SeedRelation, SeedTerm, Source

SAME_EVENT = 0.15  # the two real seeds score about 0.25 (0.2 alone), unrelated news about 0.02
TEXT_WEIGHT = 0.7  # the rest is the overlap of named entities
MAX_POSTINGS = 8  # a word or name in more seeds than this relates no pair by itself
_CHUNK = 500  # ids or terms per IN (...): well under SQLite's limit on parameters


@dataclass(frozen=True)
class Relation:
    seed_id: int
    related_seed_id: int
    reason: str  # same_source, same_attribution or same_event
    score: float
    shared: tuple[str, ...]  # the shared URLs, names or entities


@dataclass
class SeedTerms:
    """What one seed is indexed by."""

    words: Counter = field(default_factory=Counter)  # stem -> count
    names: set[str] = field(default_factory=set)  # stems of the names it mentions
    sources: set[str] = field(default_factory=set)  # normalized URLs it cites
    attributions: set[str] = field(default_factory=set)  # casefolded names it attributes to

    def rows(self, seed_id: int) -> Iterable[dict]:
        for term, count in self.words.items():
            yield {"seed_id": seed_id, "kind": "word", "term": term, "count": count}
        for kind, terms in (("name", self.names), ("source", self.sources), ("attribution", self.attributions)):
            for term in terms:
                yield {"seed_id": seed_id, "kind": kind, "term": term, "count": 1}


def terms_of(text: str, sources: Iterable[str] = (), attributions: Iterable[str] = ()) -> SeedTerms:
    found = tokens(text)
    return SeedTerms(
        Counter(t.stem for t in found),
        {t.stem for t in found if t.weight == NAME_WEIGHT},
        set(sources),
        set(attributions),
    )


class _MemoryIndex:
    """The index over seeds held in memory (the pure `related_seeds`)."""

    def __init__(self, seeds: dict[int, SeedTerms]):
        self.seeds = seeds
        self.n = len(seeds)
        self._postings: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for seed_id, terms in seeds.items():
            for row in terms.rows(seed_id):
                self._postings[row["kind"]][row["term"]].append(seed_id)

    def postings(self, kind: str, terms: Iterable[str]) -> dict[str, list[int]]:
        index = self._postings[kind]
        return {t: index[t] for t in terms if t in index}

    def counts(self, kind: str, terms: Iterable[str]) -> dict[str, int]:
        return {t: len(ids) for t, ids in self.postings(kind, terms).items()}

    def terms(self, seed_ids: Iterable[int]) -> dict[int, SeedTerms]:
        return {i: self.seeds[i] for i in seed_ids}


class _StoredIndex:
    """The index in the `seed_terms` table: a lookup costs what its terms' postings cost."""

    def __init__(self, session: Session):
        self.session = session
        self.n = session.exec(select(func.count(Seed.id)).where(Seed.superseded_at.is_(None))).one()

    def postings(self, kind: str, terms: Iterable[str]) -> dict[str, list[int]]:
        found: dict[str, list[int]] = defaultdict(list)
        for chunk in _chunks(terms):
            query = select(SeedTerm.term, SeedTerm.seed_id).where(SeedTerm.kind == kind, SeedTerm.term.in_(chunk))
            for term, seed_id in self.session.exec(query):
                found[term].append(seed_id)
        return found

    def counts(self, kind: str, terms: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(terms):
            query = (
                select(SeedTerm.term, func.count())
                .where(SeedTerm.kind == kind, SeedTerm.term.in_(chunk))
                .group_by(SeedTerm.term)
            )
            found.update(self.session.exec(query).all())
        return found

    def terms(self, seed_ids: Iterable[int]) -> dict[int, SeedTerms]:
        found: dict[int, SeedTerms] = defaultdict(SeedTerms)
        for chunk in _chunks(seed_ids):
            query = select(SeedTerm.seed_id, SeedTerm.kind, SeedTerm.term, SeedTerm.count).where(
                SeedTerm.seed_id.in_(chunk)
            )
            for seed_id, kind, term, count in self.session.exec(query):
                terms = found[seed_id]
                if kind == "word":
                    terms.words[term] = count
                else:
                    {"name": terms.names, "source": terms.sources, "attribution": terms.attributions}[kind].add(term)
        return found


def _chunks(items: Iterable, size: int = _CHUNK) -> Iterable[list]:
    items = list(items)
    for k in range(0, len(items), size):
        yield items[k : k + size]


def _relations(new: dict[int, SeedTerms], index) -> list[Relation]:
    """Relations of the `new` seeds (already in `index`) with every seed of the index."""
    words = set().union(*(t.words for t in new.values())) if new else set()
    names = set().union(*(t.names for t in new.values())) if new else set()
    df = index.counts("word", words)
    name_df = index.counts("name", names)
    candidates: set[tuple[int, int]] = set()

    def pair_up(kind: str, keys: set[str]) -> None:
        postings = index.postings(kind, keys)
        for seed_id, terms in new.items():
            own = {"word": terms.words.keys(), "name": terms.names, "source": terms.sources}.get(
                kind, terms.attributions
            )
            for key in own:
                for other in postings.get(key, ()):
                    if other != seed_id:
                        candidates.add((min(seed_id, other), max(seed_id, other)))

    pair_up("word", {t for t in words if df.get(t, 0) <= MAX_POSTINGS})
    pair_up("name", {t for t in names if name_df.get(t, 0) <= MAX_POSTINGS})
    pair_up("source", set().union(*(t.sources for t in new.values())) if new else set())
    pair_up("attribution", set().union(*(t.attributions for t in new.values())) if new else set())

    seeds = dict(new)
    seeds.update(index.terms({i for pair in candidates for i in pair} - new.keys()))
    missing = {t for terms in seeds.values() for t in terms.words} - df.keys()
    df.update(index.counts("word", missing))
    # One more imaginary document holding every word keeps IDF positive with two seeds.
    n = index.n + 1
    weighted: dict[int, tuple[dict[str, float], float]] = {}

    def vector(seed_id: int) -> tuple[dict[str, float], float]:
        if seed_id not in weighted:
            counts = seeds[seed_id].words
            weights = {t: (1 + math.log(c)) * math.log((n + 1) / (df[t] + 1)) for t, c in counts.items()}
            weighted[seed_id] = (weights, math.sqrt(sum(w * w for w in weights.values())))
        return weighted[seed_id]

    found: list[Relation] = []

    def add(a: int, b: int, reason: str, score: float, shared) -> None:
        shared = tuple(sorted(shared))
        found.append(Relation(a, b, reason, score, shared))
        found.append(Relation(b, a, reason, score, shared))

    for a, b in sorted(candidates):
        (wa, norm_a), (wb, norm_b) = vector(a), vector(b)
        if len(wb) < len(wa):
            wa, wb = wb, wa
        dot = sum(w * wb.get(t, 0.0) for t, w in wa.items())
        cosine = dot / (norm_a * norm_b) if norm_a and norm_b else 0.0
        names_a, names_b = seeds[a].names, seeds[b].names
        union = names_a | names_b
        jaccard = len(names_a & names_b) / len(union) if union else 0.0
        score = round(TEXT_WEIGHT * cosine + (1 - TEXT_WEIGHT) * jaccard, 4)
        if score >= SAME_EVENT:
            add(a, b, "same_event", score, names_a & names_b)
        if shared := seeds[a].sources & seeds[b].sources:
            add(a, b, "same_source", 1.0, shared)
        at_a, at_b = seeds[a].attributions, seeds[b].attributions
        if shared := at_a & at_b:
            add(a, b, "same_attribution", round(len(shared) / len(at_a | at_b), 4), shared)
    return found


def related_seeds(
    texts: dict[int, str], sources: dict[int, set[str]], attributions: dict[int, set[str]]
) -> list[Relation]:
    """Relations between seeds, both directions, from their texts, cited URLs and attributions."""
    seeds = {i: terms_of(text, sources.get(i, ()), attributions.get(i, ())) for i, text in texts.items()}
    return _relations(seeds, _MemoryIndex(seeds))


def relate_seeds(session: Session) -> int:
    """Relate the seeds not indexed yet (new and revised ones) with every current seed; returns
    how many pairs of current seeds are related."""
    superseded = select(Seed.id).where(Seed.superseded_at.is_not(None)).scalar_subquery()
    session.exec(delete(SeedTerm).where(SeedTerm.seed_id.in_(superseded)))
    session.exec(
        delete(SeedRelation).where(
            or_(SeedRelation.seed_id.in_(superseded), SeedRelation.related_seed_id.in_(superseded))
        )
    )
    # A seed with no row in the index is new (or predates it): a seed that yields no term at all
    # is read again next time, which costs what an empty seed costs.
    fresh = session.exec(
        select(Seed.id, Seed.text).where(Seed.superseded_at.is_(None), ~exists().where(SeedTerm.seed_id == Seed.id))
    ).all()
    if fresh:
        texts = dict(fresh)
        sources: dict[int, set[str]] = defaultdict(set)
        attributions: dict[int, set[str]] = defaultdict(set)
        for chunk in _chunks(texts):
            rows = session.exec(
                select(Citation.seed_id, Citation.kind, Citation.name, Source.normalized_url)
                .join(Source, Source.id == Citation.source_id, isouter=True)
                .where(Citation.seed_id.in_(chunk))
            ).all()
            for seed_id, kind, name, normalized_url in rows:
                if normalized_url is not None:
                    sources[seed_id].add(normalized_url)
                # The resolved name: "he" and "Mr. Peskov" count as Dmitry Peskov; a description
                # that names no one (name NULL) relates nothing.
                elif kind == "attribution" and name:
                    attributions[seed_id].add(name.casefold())
        new = {i: terms_of(text, sources[i], attributions[i]) for i, text in texts.items()}
        # Core inserts, a thousand seeds at a time: the ORM's bulk path cost more than scoring.
        for chunk in _chunks(new, 1000):
            session.execute(insert(SeedTerm.__table__), [row for i in chunk for row in new[i].rows(i)])
        for chunk in _chunks(new):
            session.exec(
                delete(SeedRelation).where(
                    or_(SeedRelation.seed_id.in_(chunk), SeedRelation.related_seed_id.in_(chunk))
                )
            )
        relations = [
            {
                "seed_id": r.seed_id,
                "related_seed_id": r.related_seed_id,
                "reason": r.reason,
                "score": r.score,
                "shared": json.dumps(list(r.shared), ensure_ascii=False),
            }
            for r in _relations(new, _StoredIndex(session))
        ]
        for k in range(0, len(relations), 10_000):
            session.execute(insert(SeedRelation.__table__), relations[k : k + 10_000])
    pairs = select(SeedRelation.seed_id, SeedRelation.related_seed_id).distinct().subquery()
    return session.exec(select(func.count()).select_from(pairs)).one() // 2
