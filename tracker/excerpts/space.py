"""The feature space of one seed/source pair: the weighted terms of every sentence (features.py),
IDF fitted on these sentences, held as arrays so that a seed sentence is scored against every
source sentence at once (one gather and one sum per kind of term), not pair by pair in Python.

The arithmetic is the one of a cosine over dicts, step by step: a sentence's terms are summed in
the order they first stand (a Counter's), weighed by one multiplication, and its norm summed in
that order, so norms and weights are the same floats whichever path computes them. Only a dot
product's order of summation is free (it was a set's order, which varies with the hash seed),
and scores are stored rounded to four places.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain, count

import numpy as np

from tracker.excerpts.features import CHAR_N, WEIGHTS, tokens_of

__all__ = ["FeatureSpace", "similarity"]


@lru_cache(maxsize=1 << 16)
def _char_grams(stem: str) -> tuple[str, ...]:
    padded = f" {stem} "
    return tuple(padded[k : k + CHAR_N] for k in range(max(1, len(padded) - CHAR_N + 1)))


class _Terms:
    """One kind of term over all sentences: one entry per (sentence, term), sentence after
    sentence, each sentence's terms in the order they first stand in it."""

    def __init__(self, doc: np.ndarray, term: np.ndarray, value: np.ndarray, n_terms: int, idf_by_count, n: int):
        # doc, term, value: one row per occurrence (a token, a bigram, a character n-gram)
        pair = doc * n_terms + term
        _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
        order = np.argsort(first)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        # bincount adds in the order of its input: a term's occurrences, first to last
        counts = np.bincount(rank[inverse], weights=value, minlength=len(order))
        entries = first[order]
        self.doc, self.term = doc[entries], term[entries]
        self.idf = idf_by_count[np.bincount(self.term, minlength=n_terms)]  # document frequency
        self.counts = counts
        self.weighted = counts * self.idf[self.term]
        self.norm = np.sqrt(np.bincount(self.doc, self.weighted * self.weighted, minlength=n))
        self.starts = np.searchsorted(self.doc, np.arange(n + 1)).tolist()
        self.n_terms = n_terms
        self._lists: tuple[list, list, list] | None = None

    def lists(self) -> tuple[list, list, list]:
        """term, count and weight of each entry as Python lists, for the few groups scored one by one."""
        if self._lists is None:
            self._lists = (self.term.tolist(), self.counts.tolist(), self.idf.tolist())
        return self._lists


class FeatureSpace:
    """The sentences of one seed and one source, their terms and IDF weights. Seed and source
    sentences are named by their positions in each text; a group of them (a tuple) stands for
    their concatenation, summed in the tuple's order."""

    def __init__(self, seed_texts: Sequence[str], source_texts: Sequence[str]):
        texts = [*seed_texts, *source_texts]
        n = self.n = len(texts)
        self.n_seed = len(seed_texts)
        found = tokens_of(texts)
        flat = list(chain.from_iterable(found))
        stems, weights = zip(*flat) if flat else ((), ())
        self.stems = list(dict.fromkeys(stems))  # word term id -> stem
        index = dict(zip(self.stems, count()))  # (zip, map and count run in C: one step per word)
        word_id = np.fromiter(map(index.__getitem__, stems), np.intp, len(stems))
        token_doc = np.repeat(np.arange(n), [len(tokens_) for tokens_ in found])
        idf_by_count = np.array([math.log((1 + n) / (1 + df)) + 1.0 for df in range(n + 1)])
        self._unseen_idf = float(idf_by_count[0])

        word = _Terms(token_doc, word_id, np.array(weights, dtype=float), len(self.stems), idf_by_count, n)
        # bigrams: two tokens in a row in one sentence
        same = token_doc[1:] == token_doc[:-1]
        keys, bigram_id = np.unique(word_id[:-1][same] * len(self.stems) + word_id[1:][same], return_inverse=True)
        bigram = _Terms(token_doc[1:][same], bigram_id, np.ones(len(bigram_id)), len(keys), idf_by_count, n)
        # character n-grams: each distinct stem's are looked up once, then laid out token by token
        grams = list(map(_char_grams, self.stems))
        gram_index = dict(zip(dict.fromkeys(chain.from_iterable(grams)), count()))
        gram_ids = np.fromiter(map(gram_index.__getitem__, chain.from_iterable(grams)), np.intp)
        per_stem = np.fromiter(map(len, grams), np.intp, len(grams))
        stem_start = np.cumsum(per_stem) - per_stem
        per_token = per_stem[word_id]
        token_start = np.cumsum(per_token) - per_token
        at = np.repeat(stem_start[word_id] - token_start, per_token) + np.arange(int(per_token.sum()))
        char_doc = np.repeat(token_doc, per_token)
        char = _Terms(char_doc, gram_ids[at], np.ones(len(at)), len(gram_index), idf_by_count, n)
        self._terms = {"word": word, "bigram": bigram, "char": char}
        self._vectors: dict[tuple, tuple[dict[int, float], float]] = {}

    def _docs(self, seed: tuple[int, ...] = (), source: tuple[int, ...] = ()) -> tuple[int, ...]:
        return (*seed, *(self.n_seed + j for j in source))

    def _vector(self, kind: str, docs: tuple[int, ...]) -> tuple[dict[int, float], float]:
        """{term: weight} of the concatenated sentences `docs`, and its norm."""
        key = (kind, docs)
        if key in self._vectors:
            return self._vectors[key]
        terms = self._terms[kind]
        term, count, idf = terms.lists()
        counts: dict[int, float] = {}
        for d in docs:
            for k in range(terms.starts[d], terms.starts[d + 1]):
                counts[term[k]] = counts.get(term[k], 0.0) + count[k]
        vector = {t: c * idf[t] for t, c in counts.items()}
        norm = float(terms.norm[docs[0]]) if len(docs) == 1 else math.sqrt(sum(w * w for w in vector.values()))
        self._vectors[key] = (vector, norm)
        return vector, norm

    def has_words(self, seed: int) -> bool:
        starts = self._terms["word"].starts
        return starts[seed + 1] > starts[seed]

    def word_weights(self, seed: int) -> dict[str, float]:
        """{stem: IDF weight} of a seed sentence's content words, in the order they stand."""
        vector, _ = self._vector("word", (seed,))
        return {self.stems[t]: w for t, w in vector.items()}

    def source_stems(self, source: Iterable[int]) -> set[str]:
        terms = self._terms["word"]
        term = terms.lists()[0]
        docs = [self.n_seed + j for j in source]
        return {self.stems[term[k]] for d in docs for k in range(terms.starts[d], terms.starts[d + 1])}

    def row(self, seed: tuple[int, ...]) -> list[float]:
        """The similarity of the seed sentences `seed` (concatenated) with each source sentence."""
        first = self.n_seed
        if first == self.n:
            return []
        cosines = {}
        for kind, terms in self._terms.items():
            vector, norm = self._vector(kind, seed)
            at = terms.starts[first]
            dense = np.zeros(terms.n_terms)
            dense[list(vector)] = list(vector.values())
            dots = np.bincount(
                terms.doc[at:] - first, dense[terms.term[at:]] * terms.weighted[at:], minlength=self.n - first
            )
            # out in floats: bincount over no terms at all (a sentence of one long word) counts in ints
            cosines[kind] = np.divide(dots, norm * terms.norm[first:], out=np.zeros(dots.shape), where=dots > 0)
        starts = np.asarray(self._terms["bigram"].starts)
        with_bigrams = (starts[first + 1 :] > starts[first:-1]) & bool(self._vector("bigram", seed)[0])
        return _combine(cosines, with_bigrams).tolist()

    def similarity(self, seed: tuple[int, ...], source: tuple[int, ...]) -> float:
        """The similarity of the seed sentences `seed` with the source sentences `source`."""
        a_docs, b_docs = self._docs(seed=seed), self._docs(source=source)
        score = total = 0.0
        for kind, weight in WEIGHTS.items():
            a, norm_a = self._vector(kind, a_docs)
            b, norm_b = self._vector(kind, b_docs)
            if kind == "bigram" and (not a or not b):
                continue  # one-word sentences have no bigrams: do not count that against them
            score += weight * _cosine(a, norm_a, b, norm_b)
            total += weight
        return score / total if total else 0.0


def _cosine(a: dict[int, float], norm_a: float, b: dict[int, float], norm_b: float) -> float:
    shared = a.keys() & b.keys()  # a set operation in C: most terms of two sentences differ
    if not shared:
        return 0.0
    dot = sum(a[t] * b[t] for t in shared)
    return dot / (norm_a * norm_b) if dot else 0.0


def _combine(cosines: dict[str, np.ndarray], with_bigrams: np.ndarray) -> np.ndarray:
    """FeatureSpace.similarity's weighted sum, over arrays, operation for operation."""
    score = total = 0.0
    for kind, weight in WEIGHTS.items():
        if kind == "bigram":
            score = np.where(with_bigrams, score + weight * cosines[kind], score)
            total = np.where(with_bigrams, total + weight, total)
        else:
            score = score + weight * cosines[kind]
            total = total + weight
    return score / total


def similarity(a: str, b: str, context: Iterable[str] = ()) -> float:
    """Score of two texts (0..1), with IDF fitted on `context` plus the two texts."""
    space = FeatureSpace([a], [*context, b])
    return space.similarity((0,), (space.n - 2,))
