"""Which sentences of a long seed could draw on a source: so aligning a seed of 10,000 sentences
with one source costs about as much as aligning a short one.

The aligner compares every seed sentence with every source sentence. A seed that cites many
sources (a report, a reference-heavy article) draws on each source in a few sentences only, and
those share something specific with it: a name, a number, a rare word or word pair, or the
citation itself. `SeedIndex` is built once
per seed and run (its sentences, and which sentences hold each of its rarer terms); `candidates`
returns the sentences sharing such a term with a source, and their neighbours (a seed sentence
split in two is aligned as a pair). Seeds up to `LONG_SEED` sentences skip this and are aligned
whole, exactly as before.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from tracker.excerpts.features import tokens
from tracker.sentences import TextSpan, split_sentences

LONG_SEED = 200  # sentences; longer seeds are aligned through their candidate sentences only
# A term in more than this share of a long seed's sentences says nothing about which source a
# sentence draws on (the seed's own topic words).
COMMON_SHARE = 0.02


@dataclass
class SeedIndex:
    spans: list[TextSpan]
    postings: dict[str, list[int]] = field(default_factory=dict)  # rarer term → sentence positions

    @property
    def is_long(self) -> bool:
        return len(self.spans) > LONG_SEED

    def candidates(self, source_texts: list[str], cited_at: Iterable[int] = ()) -> list[int]:
        """Positions of the seed sentences that could draw on a source with these sentences:
        those sharing a rarer word or word pair with it, and those where the seed cites it
        (`cited_at`: character offsets of its citations in the seed)."""
        if not self.is_long:
            return list(range(len(self.spans)))
        found: set[int] = set()
        for text in source_texts:
            for term in _terms(text):
                found.update(self.postings.get(term, ()))
        starts = [span.start for span in self.spans]
        for offset in cited_at:
            found.add(max(0, bisect_right(starts, offset) - 1))
        last = len(self.spans) - 1
        with_neighbours = {n for i in found for n in (i - 1, i, i + 1) if 0 <= n <= last}
        return sorted(with_neighbours)


def _terms(text: str) -> set[str]:
    """Word stems and adjacent stem pairs: a sentence of common words is told apart by its pairs."""
    stems = [token.stem for token in tokens(text)]
    return set(stems) | {f"{a} {b}" for a, b in zip(stems, stems[1:])}


def index_seed(text: str) -> SeedIndex:
    spans = split_sentences(text)
    index = SeedIndex(spans)
    if not index.is_long:
        return index
    stems = [_terms(span.text) for span in spans]
    df = Counter(stem for sentence in stems for stem in sentence)
    limit = max(3, int(COMMON_SHARE * len(spans)))
    postings: dict[str, list[int]] = defaultdict(list)
    for position, sentence in enumerate(stems):
        for stem in sentence:
            if df[stem] <= limit:
                postings[stem].append(position)
    index.postings = dict(postings)
    return index
