"""TextSpan alignment of a seed with the (translated) text of a source it cites. Pure functions.

No neural model is available offline, so similarity is lexical (features.py), built to survive rewriting:

- features of a sentence: stemmed content words, weighted by IDF over the sentences of this
  seed/source pair (numbers ×2 and names ×1.5, because a rewrite keeps figures and names
  while it changes everything else), word bigrams (they reward copied wording), and character
  4-grams of the content words (they match "stabilizing"/"stability", "al-Sharaa"/"Shar'a");
- the score of a seed sentence against a source passage is a weighted sum of the cosines of
  the three feature vectors (`WEIGHTS`), between 0 and 1;
- assignment is not monotonic (a seed reorders freely) and source sentences may be used by
  several seed sentences. Each seed sentence takes its best source sentence, then greedily
  grows it with other source sentences while the score of the concatenation gains at least
  `MERGE_GAIN` (1:n, the seed merged sentences); adjacent seed sentences that land on the same
  source passage become one n:1 link (the seed split a sentence).

Labels, by score: `supported` ≥ `SUPPORTED` (the same wording, close), `paraphrased` ≥
`PARAPHRASED` (same content, other words), else `added` (in the seed, not in this source). The
thresholds were set on bench/align_eval.py (see its report in README.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from tracker.excerpts.details import UnsupportedDetail, borne_out_names, unsupported
from tracker.excerpts.features import stem, verbatim_sources
from tracker.excerpts.space import FeatureSpace
from tracker.sentences import TextSpan, split_sentences

SUPPORTED = 0.55
PARAPHRASED = 0.18  # off-topic additions score < 0.14 on the bench; on-topic ones more
PARTIAL_COVERAGE = 0.45  # below this share of the seed's content borne out: `partial`
SUPPORTED_COVERAGE = 0.8  # `supported` needs this much too
# ... and only when the seed has this many more unmatched content words than the source: a
# paraphrase swaps words one for one (low coverage, no surplus), a seed that adds a claim grows.
SURPLUS = 4
MERGE_GAIN = 0.04  # a source sentence joins a link only if the score gains this much
MIN_PART = 0.12  # ... and only if it resembles the seed sentence on its own this much
MAX_GROUP = 3  # at most this many sentences on either side of a link


@dataclass(frozen=True)
class SentenceLink:
    """The judgment of one seed sentence (`seed`, a 1-tuple) against the source sentences it
    draws on (indices, any order): its own score, label, coverage and details.

    `joined` lists the neighbouring seed sentences aligned with the same source passage (the
    seed split a sentence), this one included, for display only: a sentence's label and details
    never depend on its neighbours'. An `added` link has no source sentences. `verbatim`: the
    sentence appears word for word in the source text (after normalize_verbatim), so it is
    `supported` with no details whatever its score.
    """

    seed: tuple[int, ...]
    source: tuple[int, ...]
    score: float
    label: str
    coverage: float = 0.0  # share of the seed sentence's content the source sentences bear out
    unsupported_details: tuple[UnsupportedDetail, ...] = ()  # offsets in the seed text
    joined: tuple[int, ...] = ()
    verbatim: bool = False


@dataclass
class AlignmentResult:
    seed_sentences: list[TextSpan]
    source_sentences: list[TextSpan]
    links: list[SentenceLink]  # one per seed sentence with content, in seed order
    used: list[bool] = field(default_factory=list)  # per source sentence: drawn on by the seed?

    def runs(self) -> list[tuple[int, int]]:
        """Maximal runs of used source sentences, as (first, last) positions."""
        runs: list[tuple[int, int]] = []
        for position, used in enumerate(self.used):
            if not used:
                continue
            if runs and runs[-1][1] == position - 1:
                runs[-1] = (runs[-1][0], position)
            else:
                runs.append((position, position))
        return runs

    def links_in(self, first: int, last: int) -> list[SentenceLink]:
        return [link for link in self.links if any(first <= j <= last for j in link.source)]


def label_for(score: float, coverage: float = 1.0, details: Sequence[UnsupportedDetail] = (), surplus: int = 0) -> str:
    """The label of a link: `score` is the symmetric similarity, `coverage` the directional one,
    `surplus` how many more content words the seed has unmatched than the source has.

    `partial` takes evidence that the seed says something else: a detail the source gives
    differently (another figure, name, date) or a negation the source lacks. A detail the source
    merely leaves out is listed but does not decide the label: real rewrites add context
    ("officials added", a figure from elsewhere) far more often than they change a claim, and a
    faithful rewrite called `partial` teaches users to ignore the label."""
    if score < PARAPHRASED:
        return "added"
    if any(_contradicts(detail) for detail in details) or (coverage < PARTIAL_COVERAGE and surplus >= SURPLUS):
        return "partial"
    if score >= SUPPORTED and coverage >= SUPPORTED_COVERAGE:
        return "supported"
    return "paraphrased"


def _contradicts(detail: UnsupportedDetail) -> bool:
    # A quote the source lacks is listed, and the quote checks say how far it is from the source,
    # but it does not decide the label: on the dev set (bench/judgment_eval.py) it was listed on
    # as many faithful rewrites as changed ones (precision 0.52), a coin toss.
    return detail.source_text is not None or detail.kind == "negation"


# --- assignment -----------------------------------------------------------------------------


def align_texts(seed_text: str, source_text: str) -> AlignmentResult:
    """Split both texts into sentences and align them."""
    return align(split_sentences(seed_text), split_sentences(source_text))


def align(seed_sentences: Sequence[TextSpan], source_sentences: Sequence[TextSpan]) -> AlignmentResult:
    """Align seed sentences with source sentences (both already in the same language)."""
    space = FeatureSpace([s.text for s in seed_sentences], [s.text for s in source_sentences])

    candidates: list[tuple[int, tuple[int, ...], float]] = []  # (seed index, source group, score)
    previous_end = -1
    for i in range(len(seed_sentences)):
        if not space.has_words(i):
            continue  # a URL-only line or punctuation: nothing to align
        if not source_sentences:
            candidates.append((i, (), 0.0))
            continue
        row = space.row((i,))
        # Prefer the source sentence right after the previous one on a near tie: seeds that
        # copy tend to keep the source's order.
        best = max(range(len(row)), key=lambda j: row[j] + (0.01 if j == previous_end + 1 else 0.0))
        group, score = _grow(space, i, row, best)
        if score < PARAPHRASED:
            candidates.append((i, (), score))
            continue
        candidates.append((i, group, score))
        previous_end = max(group)

    candidates = _attach_fragments(space, candidates)
    verbatim = verbatim_sources(seed_sentences, source_sentences)
    candidates = [(i, verbatim.get(i, group), score) for i, group, score in candidates]
    links = _join_splits(candidates)
    links = [
        _verbatim_link(space, link)
        if link.seed[0] in verbatim
        else _judge(space, link, seed_sentences, source_sentences)
        for link in links
    ]
    used = [False] * len(source_sentences)
    for link in links:
        for j in link.source:
            used[j] = True
    return AlignmentResult(list(seed_sentences), list(source_sentences), links, used)


def _matched(term: str, stems: set[str], prefixes: set[str]) -> bool:
    # a word also counts when its first five letters match a word's there: "Iraq"/"Iraqi"
    return term in stems or (len(term) >= 5 and term[:5] in prefixes)


def _coverage(
    space: FeatureSpace, seed: int, source: tuple[int, ...], granted: set[str] = frozenset()
) -> tuple[float, int]:
    """Directional: the IDF-weighted share of seed sentence `seed`'s content words that source
    sentences `source` have; and the surplus, seed words the source lacks minus source words the
    seed lacks. `granted` stems count as borne out (a name's first name and title when the source
    has its surname)."""
    weights = space.word_weights(seed)
    total = sum(weights.values())
    if not total:
        return 1.0, 0
    stems, seed_stems = space.source_stems(source) | set(granted), set(weights)
    prefixes = {t[:5] for t in stems if len(t) >= 5}
    seed_prefixes = {t[:5] for t in seed_stems if len(t) >= 5}
    covered = sum(w for t, w in weights.items() if _matched(t, stems, prefixes))
    seed_only = sum(not _matched(t, stems, prefixes) for t in seed_stems)
    source_only = sum(not _matched(t, seed_stems, seed_prefixes) for t in stems)
    return covered / total, seed_only - source_only


def _verbatim_link(space: FeatureSpace, link: SentenceLink) -> SentenceLink:
    score = round(space.similarity(link.seed[:1], link.source), 4)
    return replace(link, score=score, label="supported", coverage=1.0, unsupported_details=(), verbatim=True)


def _judge(space: FeatureSpace, link: SentenceLink, seed_sentences, source_sentences) -> SentenceLink:
    """Label one seed sentence from its score, its coverage and its details."""
    if not link.source:
        return link
    texts = [source_sentences[j].text for j in link.source]
    granted = {stem(word) for i in link.seed for word in borne_out_names(seed_sentences[i].text, " ".join(texts))}
    coverage, surplus = _coverage(space, link.seed[0], link.source, granted)
    details = []
    for i in link.seed:
        sentence = seed_sentences[i]
        for found in unsupported(sentence.text, texts):
            details.append(
                UnsupportedDetail(
                    found.text,
                    found.kind,
                    sentence.start + found.seed_start,
                    sentence.start + found.seed_end,
                    found.source_text,
                )
            )
    return replace(
        link,
        label=label_for(link.score, coverage, details, surplus),
        coverage=round(coverage, 4),
        unsupported_details=tuple(details),
    )


def _grow(space: FeatureSpace, seed: int, row: list[float], best: int) -> tuple[tuple[int, ...], float]:
    """Start from the best source sentence; add others while the concatenation scores better."""
    group = [best]
    score = row[best]
    while len(group) < MAX_GROUP:
        options = [j for j in range(len(row)) if j not in group and row[j] >= MIN_PART]
        scored = [(space.similarity((seed,), (*group, j)), j) for j in options]
        if not scored:
            break
        gained, j = max(scored)
        if gained < score + MERGE_GAIN:
            break
        group.append(j)
        score = gained
    return tuple(sorted(group)), score


def _attach_fragments(space: FeatureSpace, candidates):
    """A seed sentence too short to match alone may be half of a split sentence: it joins its
    neighbour when the two seed sentences together match a source passage better than the
    neighbour alone (by `MERGE_GAIN`), or at all when the neighbour matched nothing either."""
    fixed = list(candidates)
    for k, (i, group, _score) in enumerate(candidates):
        if group:
            continue
        best = None
        for n in (k - 1, k + 1):
            if not 0 <= n < len(fixed) or abs(fixed[n][0] - i) != 1:
                continue
            ni, ngroup, nscore = fixed[n]
            joined_seed = (i, ni)
            if ngroup:
                target = ngroup
            else:
                row = space.row(joined_seed)
                target = (max(range(len(row)), key=row.__getitem__),) if row else ()
            if not target:
                continue
            joined = space.similarity(joined_seed, target)
            if joined >= max(nscore + MERGE_GAIN, PARAPHRASED) and (best is None or joined > best[1]):
                best = (n, target, joined)
        if best is not None:
            n, target, joined = best
            fixed[k] = (i, target, joined)
            if not fixed[n][1]:
                fixed[n] = (fixed[n][0], target, joined)
    return fixed


def _join_splits(candidates) -> list[SentenceLink]:
    """One link per seed sentence, with its own source sentences and score; adjacent seed
    sentences drawing on overlapping source sentences (an n:1 split) are marked `joined`."""
    links: list[SentenceLink] = []
    pending: list[tuple[int, tuple[int, ...], float]] = []

    def flush() -> None:
        if not pending:
            return
        seeds = tuple(i for i, _, _ in pending) if len(pending) > 1 else ()
        for i, group, score in pending:
            source = tuple(sorted(group))
            links.append(
                SentenceLink((i,), source, round(score, 4), label_for(score) if source else "added", joined=seeds)
            )
        pending.clear()

    for i, group, score in candidates:
        if pending:
            last_i, last_group, _ = pending[-1]
            joins = (
                group
                and last_i == i - 1
                and set(group) & set(last_group)
                and len(pending) < MAX_GROUP
                and len({j for _, g, _ in pending for j in g} | set(group)) <= MAX_GROUP
            )
            if not joins:
                flush()
        pending.append((i, group, score))
        if not group:
            flush()
    flush()
    return links
