"""Sentence features for alignment: words, stems, bigrams and character n-grams, weighed by their
rarity in one seed/source space, the similarity of two sentences, and the comparison that finds
a verbatim copy. Pure functions, no model (see align.py for how they are used)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

from tracker.sentences import TextSpan

WEIGHTS = {"word": 0.55, "bigram": 0.15, "char": 0.30}
NUMBER_WEIGHT = 2.0
NAME_WEIGHT = 1.5
CHAR_N = 4

# Anchored at the start of a word: unanchored, `\w+` is tried again from every letter of a long
# word and fails each time at its end, quadratic in the word's length.
_URL = re.compile(r"(?<!\w)(?:\w+://\S+|www\.\S+)", re.IGNORECASE)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:['’]\w+)*", re.UNICODE)
_STOPWORDS = frozenset(
    """
a an the and or but nor of to in on at by for with from as is are was were be been being it its
this that these those he she they we you i his her their our your him them us me my not no so if
than then there here has have had do does did will would can could should may might must also
which who whom whose what when where while about into over after before between during through
under up down out said says say told tells tell according reported reports source sources very
just more most other such only own same too s t one its itself themselves himself herself nguồn
""".split()
)


def stem(word: str) -> str:
    # Light English suffix folding; character n-grams catch what it misses.
    if word.isdigit():
        return word
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("ly", ""), ("ment", ""), ("s", "")):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + replacement
    return word


_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟″«»"})
# Whitespace is collapsed first: `\s*` on both sides of the dash took quadratic time on a long
# run of spaces with no dash in it.
_DASHES = re.compile(r" ?[\u2010-\u2015\u2212-]+ ?")


def normalize_verbatim(text: str) -> str:
    """Text as compared for a verbatim copy: Unicode NFKC, one kind of single and double quote,
    one dash (with the spaces around it dropped: "a - b", "a—b"), whitespace runs as one space."""
    text = " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split())
    return _DASHES.sub("-", text)


def verbatim_sources(seed_sentences: Sequence[TextSpan], source_sentences: Sequence[TextSpan]) -> dict[int, tuple]:
    """{seed index: source sentences it copies}: the seed sentences that appear word for word
    in the source text (its sentences joined by a space), at word boundaries, their final
    full stop included (a clause cut short of its condition is not a copy)."""
    parts, starts, position = [], [], 0
    for span in source_sentences:
        normal = normalize_verbatim(span.text)
        starts.append(position)
        parts.append(normal)
        position += len(normal) + 1
    joined = " ".join(parts)
    found: dict[int, tuple] = {}
    for i, span in enumerate(seed_sentences):
        needle = normalize_verbatim(span.text)
        if not needle or not tokens(needle):
            continue
        # the first letter in either case: a seed may open its sentence with a source's clause
        first = f"(?i:{re.escape(needle[0])})"
        match = re.search(r"(?<!\w)" + first + re.escape(needle[1:]) + r"(?!\w)", joined)
        if match is None:
            continue
        found[i] = tuple(
            j for j, start in enumerate(starts) if start < match.end() and start + len(parts[j]) > match.start()
        )
    return found


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("’", "'")


class _Token(NamedTuple):  # a tuple, not a dataclass: made for every word of every page
    stem: str
    weight: float  # before IDF: numbers and names count more


def tokens(text: str) -> list[_Token]:
    """Content tokens of a sentence (URLs, stopwords and punctuation dropped)."""
    text = _URL.sub(" ", _fold(text))
    found = (_word_token(match.group(), index > 0) for index, match in enumerate(_TOKEN.finditer(text)))
    return [token for token in found if token is not None]


@lru_cache(maxsize=1 << 16)  # a page repeats its words: each is folded once
def _word_token(word: str, inside: bool) -> _Token | None:
    if word[0].isdigit():
        return _Token(re.sub(r"[.,]", "", word), NUMBER_WEIGHT)
    lowered = word.casefold()
    if lowered in _STOPWORDS or len(lowered) < 2:
        return None
    # A capitalised word not at the start of the sentence is most likely a name.
    is_name = inside and word[0].isupper()
    return _Token(stem(lowered.replace("'", "")), NAME_WEIGHT if is_name else 1.0)


@dataclass
class Features:
    word: Counter
    bigram: Counter
    char: Counter

    def __add__(self, other: Features) -> Features:
        return Features(self.word + other.word, self.bigram + other.bigram, self.char + other.char)


@lru_cache(maxsize=1 << 16)
def _char_grams(stem: str) -> tuple[str, ...]:
    padded = f" {stem} "
    return tuple(padded[k : k + CHAR_N] for k in range(max(1, len(padded) - CHAR_N + 1)))


def raw_features(text: str) -> Features:
    toks = tokens(text)
    word: Counter = Counter()
    for token in toks:
        word[token.stem] += token.weight
    char = Counter(chain.from_iterable(_char_grams(token.stem) for token in toks))
    bigram = Counter(f"{a.stem} {b.stem}" for a, b in zip(toks, toks[1:]))
    return Features(word, bigram, char)


class _Vector(dict):
    """Weighted terms, with their norm computed once (a sentence is compared with many)."""

    def __init__(self, weights: dict[str, float]):
        super().__init__(weights)
        self.norm = math.sqrt(sum(w * w for w in weights.values()))


class FeatureSpace:
    """IDF weights fitted on the sentences of one seed/source pair."""

    def __init__(self, documents: Sequence[Features]):
        self.n = len(documents)
        self.df = {kind: Counter() for kind in WEIGHTS}
        for doc in documents:
            for kind in WEIGHTS:
                self.df[kind].update(getattr(doc, kind).keys())
        by_count = {count: self._idf_of(count) for kind in WEIGHTS for count in set(self.df[kind].values())}
        self._idf = {kind: {t: by_count[count] for t, count in self.df[kind].items()} for kind in WEIGHTS}
        self._unseen_idf = self._idf_of(0)  # for a term none of the documents has
        # id(features) -> (features, vectors): a sentence is compared with many, weighed once.
        # The features object is kept alive with its vectors, so its id cannot be reused.
        self._weighed: dict[int, tuple[Features, dict[str, _Vector]]] = {}

    def _idf_of(self, count: int) -> float:
        return math.log((1 + self.n) / (1 + count)) + 1.0

    def weigh(self, features: Features) -> dict[str, _Vector]:
        cached = self._weighed.get(id(features))
        if cached is not None and cached[0] is features:
            return cached[1]
        vectors = {
            kind: _Vector({t: w * self._idf[kind].get(t, self._unseen_idf) for t, w in getattr(features, kind).items()})
            for kind in WEIGHTS
        }
        self._weighed[id(features)] = (features, vectors)
        return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    shared = a.keys() & b.keys()  # a set operation in C: most terms of two sentences differ
    if not shared:
        return 0.0
    dot = sum(a[t] * b[t] for t in shared)
    if not dot:
        return 0.0
    return dot / (_norm(a) * _norm(b))


def _norm(vector: dict[str, float]) -> float:
    return vector.norm if isinstance(vector, _Vector) else math.sqrt(sum(w * w for w in vector.values()))


def space_similarity(space: FeatureSpace, a: Features, b: Features) -> float:
    va, vb = space.weigh(a), space.weigh(b)
    score = 0.0
    total = 0.0
    for kind, weight in WEIGHTS.items():
        if kind == "bigram" and (not va[kind] or not vb[kind]):
            continue  # one-word sentences have no bigrams: do not count that against them
        score += weight * _cosine(va[kind], vb[kind])
        total += weight
    return score / total if total else 0.0


def similarity(a: str, b: str, context: Iterable[str] = ()) -> float:
    """Score of two texts (0..1), with IDF fitted on `context` plus the two texts."""
    docs = [raw_features(t) for t in (*context, a, b)]
    return space_similarity(FeatureSpace(docs), docs[-2], docs[-1])
