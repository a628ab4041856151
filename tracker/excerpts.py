"""Excerpt versions: the passages of a source that a citing seed draws on.

Each seed sentence is compared with each sentence of the source's text in the target language
(its translation, or the original when it needs none) by the overlap of their content words.
Every source sentence that some seed sentence matches well enough becomes an excerpt version,
with its offsets in the seed, the translation and the original.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlmodel import Session, select

from .provenance import link_versions_to_seeds, software
from .sentences import split_sentences
from .tables import Activity, Excerpt, Seed, Sentence, Version, utcnow

MIN_SCORE = 0.25
_WORD = re.compile(r"\w+", re.UNICODE)
_STOPWORDS = frozenset("""
a an the and or but of to in on at by for with from as is are was were be been being it its this that
these those he she they we you i his her their our your him them us not no so if than then there here
has have had do does did will would can could should may might must also which who whom whose what
when where while about into over after before between during through under up down out said says
""".split())


@dataclass(frozen=True)
class Match:
    seed_index: int
    source_index: int
    score: float


def content_words(sentence: str) -> set[str]:
    words = {w.lower() for w in _WORD.findall(sentence)}
    return {_stem(w) for w in words if w not in _STOPWORDS and not (w.isdigit() and len(w) < 4)}


def _stem(word: str) -> str:
    # Crude suffix folding is enough to match "stabilizing"/"stability", "talks"/"talk".
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def similarity(a: set[str], b: set[str]) -> float:
    """Dice coefficient of two word sets."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def best_matches(seed_sentences: list[str], source_sentences: list[str],
                 min_score: float = MIN_SCORE) -> list[Match]:
    """For each source sentence, the seed sentence that matches it best, if any is close enough."""
    seed_words = [content_words(s) for s in seed_sentences]
    matches = []
    for j, sentence in enumerate(source_sentences):
        words = content_words(sentence)
        scored = [(similarity(words, seed), i) for i, seed in enumerate(seed_words)]
        score, i = max(scored, default=(0.0, -1))
        if score >= min_score:
            matches.append(Match(i, j, round(score, 4)))
    return matches


def excerpt_seed_source(session: Session, seed: Seed, aligned: Version) -> list[Version]:
    """Make the excerpt versions of `aligned` (a translated or original version) for `seed`.

    The align activity is recorded even when nothing matches, so the pair is not aligned again
    until the seed or the source has a new version.
    """
    seed_spans = split_sentences(seed.text)
    source_rows = session.exec(select(Sentence).where(Sentence.version_id == aligned.id)
                               .order_by(Sentence.position)).all()
    source_texts = [aligned.text[row.char_start:row.char_end] for row in source_rows]
    started = utcnow()
    matches = best_matches([s.text for s in seed_spans], source_texts)
    activity = Activity(kind="align", source_id=aligned.source_id, seed_id=seed.id,
                        used_version_id=aligned.id, started_at=started, ended_at=utcnow(),
                        software=software(), parameters=json.dumps({
                            "method": "content-word dice", "min_score": MIN_SCORE,
                            "matches": len(matches)}))
    session.add(activity)
    session.flush()
    is_translation = aligned.kind == "translated"
    excerpts = []
    for match in matches:
        row, seed_span = source_rows[match.source_index], seed_spans[match.seed_index]
        original_start, original_end = ((row.parent_start, row.parent_end) if is_translation
                                        else (row.char_start, row.char_end))
        version = Version(source_id=aligned.source_id, kind="excerpt", parent_id=aligned.id,
                          activity_id=activity.id, language=aligned.language, title=aligned.title,
                          url=aligned.url, text=source_texts[match.source_index])
        session.add(version)
        session.flush()
        session.add(Excerpt(
            version_id=version.id, seed_id=seed.id, seed_start=seed_span.start, seed_end=seed_span.end,
            seed_sentence=seed_span.text,
            translated_start=row.char_start if is_translation else None,
            translated_end=row.char_end if is_translation else None,
            original_start=original_start, original_end=original_end, score=match.score))
        excerpts.append(version)
    if excerpts:
        link_versions_to_seeds(session, aligned.source_id)
    return excerpts
