"""A seed sentence's trail, read from the stored judgments: the chain of hops that bear it out,
its origin, the step where it changed, or why each branch went cold.

Hop 1 is the seed sentence's judgment against a source the seed cites (`alignments`); hop k + 1
the judgment of hop k's claim sentences against a source hop k cites in or next to them
(`hop_alignments`). A branch ends where nothing further bears the claim out, with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from sqlmodel import Session, select

from tracker.config import Settings
from tracker.sentences import split_sentences
from tracker.store.tables import Activity, Alignment, Seed, Source, Version
from tracker.store.trail_tables import HopAlignment, HopCitation
from tracker.store.versions import latest_original, text_in_language

__all__ = ["SentenceTrail", "TrailStep", "seed_trails", "trails_beyond_first_hop", "trails_by_sentence"]

_WEAKEST = ("added", "partial", "paraphrased", "supported")


@dataclass
class TrailStep:
    hop: int
    source_id: int
    url: str
    host: str
    language: str | None  # the original's
    version_id: int  # the text in the target language judged
    sentences: list[int]  # its sentences that bear the claim out
    text: str  # those sentences, in the target language
    original_text: str  # the same passage in the original's language
    label: str  # against the step before (the seed sentence, for hop 1)
    score: float
    details: list[dict]
    published: str | None


@dataclass
class TrailBranch:
    steps: list[TrailStep]
    end: str  # why it ends: origin reached, or why it went cold


@dataclass
class SentenceTrail:
    seed_id: int
    sentence: int
    text: str
    branches: list[TrailBranch] = field(default_factory=list)
    origin: TrailStep | None = None
    changed: dict | None = None  # the first step labelled partial or added: hop, url, label, detail

    def as_dict(self) -> dict:
        return asdict(self)


def seed_trails(
    session: Session, seed: Seed, settings: Settings, sentence: int | None = None, *, among: Iterable[int] | None = None
) -> list[SentenceTrail]:
    """The trail of each sentence of `seed` that a source bears out (or of `sentence` only, or of
    those `among` these positions)."""
    target = settings.translation.target
    spans = split_sentences(seed.text)
    query = select(Alignment).where(
        Alignment.seed_id == seed.id, Alignment.seed_sentence.is_not(None), Alignment.label != "added"
    )
    if sentence is not None:
        query = query.where(Alignment.seed_sentence == sentence)
    if among is not None:
        query = query.where(Alignment.seed_sentence.in_(sorted(set(among))))
    by_sentence: dict[int, list[Alignment]] = {}
    for row in session.exec(query.order_by(Alignment.seed_sentence, Alignment.id)).all():
        text = session.get(Version, row.version_id)
        current = text_in_language(session, text.source_id, target) if text else None
        if current is not None and current.id == row.version_id:
            by_sentence.setdefault(row.seed_sentence, []).append(row)
    trails = []
    for position, rows in sorted(by_sentence.items()):
        span = spans[position] if position < len(spans) else None
        trail = SentenceTrail(seed.id, position, span.text if span else "")
        reader = _Reader(session, settings)
        for row in rows:
            first = reader.step(1, session.get(Version, row.version_id), json.loads(row.source_sentences), [row])
            trail.branches += reader.extend([first])
        trail.origin, chain = _origin(trail.branches)
        trail.changed = _changed(chain, seed.path)
        trails.append(trail)
    return trails


def trails_beyond_first_hop(session: Session, seed: Seed, settings: Settings) -> list[SentenceTrail]:
    """The trails of `seed`'s sentences that may go beyond the first hop (the report's trail view,
    trail_origin alerts)."""
    # A second hop is a hop alignment of a text this seed was aligned with: only the sentences of
    # those alignments can have one, and a seed whose sources cite nothing judged costs one query.
    beyond = session.exec(
        select(Alignment.seed_sentence)
        .distinct()
        .join(HopAlignment, HopAlignment.citing_version_id == Alignment.version_id)
        .where(Alignment.seed_id == seed.id, Alignment.seed_sentence.is_not(None))
    ).all()
    return seed_trails(session, seed, settings, among=beyond) if beyond else []


def trails_by_sentence(session: Session, seed: Seed, settings: Settings) -> dict[int, dict]:
    """The trails that go beyond the first hop, as dicts by seed sentence position (the report)."""
    return {
        t.sentence: t.as_dict()
        for t in trails_beyond_first_hop(session, seed, settings)
        if any(len(branch.steps) > 1 for branch in t.branches)
    }


class _Reader:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session, self.settings = session, settings
        self.target = settings.translation.target

    def step(self, hop: int, text: Version, positions: list[int], rows: list) -> TrailStep:
        source = self.session.get(Source, text.source_id)
        original = self.session.get(Version, text.parent_id) if text.kind == "translated" else text
        sentences = sorted(set(positions))
        spans = _spans(self.session, text, sentences)
        labels = [r.label for r in rows]
        bearing = [label for label in labels if label != "added"]
        if not bearing:
            label = "added"
        elif "added" in labels or "partial" in labels:
            label = "partial"
        else:
            label = min(bearing, key=_WEAKEST.index)
        details = [d for r in rows for d in json.loads(r.unsupported_details or "[]")]
        return TrailStep(
            hop=hop,
            source_id=source.id,
            url=source.url,
            host=urlsplit(source.url).netloc,
            language=original.language if original else None,
            version_id=text.id,
            sentences=sentences,
            text=" ".join(text.text[a:b] for a, b, _, _ in spans),
            original_text=" ".join(original.text[c:d] for _, _, c, d in spans) if original else "",
            label=label,
            score=round(sum(r.score for r in rows) / len(rows), 4) if rows else 0.0,
            details=details,
            published=original.published if original else None,
        )

    def extend(self, chain: list[TrailStep]) -> list[TrailBranch]:
        last = chain[-1]
        if last.label == "added":
            return [TrailBranch(chain, f"not borne out at {last.host}")]
        if last.hop > self.settings.trail.depth:
            return [TrailBranch(chain, "depth limit")]
        original = latest_original(self.session, last.source_id)
        read = (
            original is not None
            and self.session.exec(
                select(Activity.id).where(Activity.kind == "cite", Activity.used_version_id == original.id)
            ).first()
        )
        if not read:
            return [TrailBranch(chain, "citations not read yet")]
        cited = self._cited_near(original.id, last.sentences)
        if not cited:
            return [TrailBranch(chain, "no further citation")]
        on_path = {step.source_id for step in chain}
        branches: list[TrailBranch] = []
        for source_id in cited:
            if source_id in on_path:
                continue
            source = self.session.get(Source, source_id)
            text = text_in_language(self.session, source_id, self.target)
            if text is None:
                branches.append(TrailBranch(chain, _cold(self.session, source)))
                continue
            rows = self.session.exec(
                select(HopAlignment).where(
                    HopAlignment.citing_version_id == last.version_id,
                    HopAlignment.cited_version_id == text.id,
                    HopAlignment.citing_sentence.in_(last.sentences),
                )
            ).all()
            if not rows:
                branches.append(TrailBranch(chain, f"not judged yet against {source.url}"))
                continue
            positions = [p for r in rows if r.label != "added" for p in json.loads(r.cited_sentences)]
            step = self.step(last.hop + 1, text, positions, list(rows))
            if step.label == "added" and len(cited) > 1:
                continue  # a citation nearby that says nothing of this claim: not its trail
            branches += self.extend([*chain, step])
        if not branches:
            looped = [self.session.get(Source, s).url for s in cited if s in on_path]
            reason = f"cycle: cites {looped[0]}, already on the trail" if looped else "no cited source bears it out"
            return [TrailBranch(chain, reason)]
        return branches

    def _cited_near(self, original_id: int, sentences: list[int]) -> list[int]:
        rows = self.session.exec(
            select(HopCitation.source_id, HopCitation.sentence)
            .where(HopCitation.citing_version_id == original_id, HopCitation.source_id.is_not(None))
            .order_by(HopCitation.id)
        ).all()
        near = [s for s, at in rows if at is not None and any(abs(at - p) <= 1 for p in sentences)]
        chosen = near if near or self.settings.trail.follow == "claims" else [s for s, _ in rows]
        return list(dict.fromkeys(chosen))


def _spans(session: Session, text: Version, positions: list[int]) -> list[tuple[int, int, int, int]]:
    from tracker.trails.citations import sentence_spans_in_original

    wanted = set(positions)
    return [(a, b, c, d) for p, a, b, c, d in sentence_spans_in_original(session, text) if p in wanted]


def _cold(session: Session, source: Source) -> str:
    """Why a cited source gives no text to judge."""
    if source.state in ("failed", "retired"):
        error = source.retired_reason or source.last_error or source.state
        if any(code in error for code in ("404", "410")):
            return f"dead link: {source.url} ({error})"
        return f"failed fetch: {source.url} ({error})"
    if source.state == "new":
        return f"not fetched yet: {source.url}"
    if source.state == "skipped":
        return f"not a page to judge: {source.url} ({source.last_error})"
    return f"not translated yet: {source.url}"


def _origin(branches: list[TrailBranch]) -> tuple[TrailStep | None, list[TrailStep]]:
    """The last step bearing the claim out on each branch; of several, the earliest published
    (then the farthest hop). Returns it with its chain."""
    found = []
    for branch in branches:
        bearing = [s for s in branch.steps if s.label != "added"]
        if bearing:
            found.append((bearing[-1], branch.steps))
    if not found:
        return None, branches[0].steps if branches else []
    dated = [f for f in found if f[0].published]
    if len({f[0].source_id for f in found}) > 1 and dated:
        return min(dated, key=lambda f: (f[0].published, -f[0].hop))
    return max(found, key=lambda f: f[0].hop)


def _changed(chain: list[TrailStep], seed_path: str) -> dict | None:
    before = seed_path
    for step in chain:
        if step.label in ("partial", "added"):
            detail = "; ".join(
                f"{d['text']} at {before}, {d.get('source_text') or 'not there'} at {step.host}" for d in step.details
            )
            return {"hop": step.hop, "url": step.url, "label": step.label, "detail": detail or step.label}
        before = step.host
    return None
