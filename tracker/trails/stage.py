"""The trail stage: each fetched source's own citations become sources of the next hop, and each
hop's claim sentences are judged against the hops it cites. `tracker run` calls `follow_trails`
after aligning, and fetches the sources it adds in the same run; a worker's scheduling pass calls
it before enqueueing fetches. The sources it adds are fetched by the fetch stage like any other
(same guard, robots rules, politeness, schedule and failure handling).

Bounded: a source is read only up to `[trail] depth` hops from a seed, at most `[trail] max_links`
URLs per version; a source already known (a cycle, a source two hops share) is linked, not added
again. Idempotent: a version is read again only when a newer judgment draws on it (its claims
grew), and a claim sentence is judged against a cited text once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import exists, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.excerpts import align as aligner
from tracker.outcomes import Notify, quiet
from tracker.sentences import TextSpan
from tracker.store.provenance import software
from tracker.store.rows import insert_row
from tracker.store.tables import Activity, Alignment, Citation, Seed, Sentence, Version, utcnow
from tracker.store.trail_tables import HopAlignment, HopCitation
from tracker.store.versions import latest_original, text_in_language
from tracker.trails.candidates import link_candidates
from tracker.trails.citations import FoundHopCitation, read_citations
from tracker.urls import normalize_url

__all__ = ["TrailWork", "claim_positions", "follow_trails", "source_hop"]


@dataclass
class TrailWork:
    new_sources: int = 0  # sources of a next hop, now due
    citations: int = 0  # hop citations stored
    judged: int = 0  # claim sentences judged against a cited hop
    candidates: int = 0  # fetched sources paired with a seed's attribution without a link


def follow_trails(session: Session, settings: Settings, notify: Notify = quiet) -> TrailWork:
    """Judge the hops waiting, then read the citations of the sources whose claims are known;
    each source version in its own transaction. Nothing at `[trail] depth = 0`."""
    work = TrailWork()
    if settings.trail.depth == 0:
        return work
    target = settings.translation.target
    for citing, cited in _pairs_to_judge(session, target):
        work.judged += judge_hop(session, citing, cited)
        session.commit()
    for original, text, hop in list(_originals_to_read(session, settings)):
        added, stored = _read_version(session, settings, original, text, hop + 1)
        session.commit()
        work.new_sources += added
        work.citations += stored
    work.candidates = link_candidates(session, target)
    session.commit()
    if work.new_sources:
        notify(f"trail: {work.new_sources} sources cited by the sources followed", "trail", **vars(work))
    return work


def claim_positions(session: Session, text: Version) -> set[int]:
    """Sentences of `text` a claim draws on: a seed sentence's judgment, or an earlier hop's."""
    found: set[int] = set()
    for positions in session.exec(
        select(Alignment.source_sentences).where(Alignment.version_id == text.id, Alignment.label != "added")
    ).all():
        found.update(json.loads(positions))
    for positions in session.exec(
        select(HopAlignment.cited_sentences).where(
            HopAlignment.cited_version_id == text.id, HopAlignment.label != "added"
        )
    ).all():
        found.update(json.loads(positions))
    return found


def _originals_to_read(session: Session, settings: Settings):
    """(original, its text in the target language) of sources within the depth, never read, or
    read before a newer judgment drew on their text. Two set queries find them, so a run with
    nothing new costs no per-source work however many sources there are."""
    target = settings.translation.target
    newer = aliased(Version)
    cite = aliased(Activity)
    latest = ~exists().where(newer.source_id == Version.source_id, newer.kind == "original", newer.id > Version.id)
    # A source with no text in the target language yet (an original still waiting for its
    # translation, or whose model is missing) has nothing to read: left out here rather than
    # loaded and looked at again every batch.
    any_text = aliased(Version)
    has_text = exists().where(
        any_text.source_id == Version.source_id,
        any_text.language == target,
        (any_text.kind == "original") | ((any_text.kind == "translated") & (any_text.status == "ready")),
    )
    never_read = session.exec(
        select(Version.id).where(
            Version.kind == "original",
            latest,
            ~exists().where(cite.kind == "cite", cite.used_version_id == Version.id),
            has_text,
        )
    ).all()
    # Texts judged (a seed's alignment, an earlier hop's) after their original was last read.
    judged, text = aliased(Activity), aliased(Version)
    last_read = (
        select(func.max(cite.id))
        .where(cite.kind == "cite", cite.used_version_id == Version.id)
        .correlate(Version)
        .scalar_subquery()
    )
    read_again = session.exec(
        select(Version.id)
        .distinct()
        .join(text, (text.id == Version.id) | ((text.parent_id == Version.id) & (text.kind == "translated")))
        .join(judged, judged.used_version_id == text.id)
        .where(Version.kind == "original", latest, judged.kind.in_(("align", "trail")), judged.id > last_read)
    ).all()
    for original_id in sorted(set(never_read) | set(read_again)):
        original = session.get(Version, original_id)
        hop = source_hop(session, original.source_id)
        if hop is None or hop > settings.trail.depth:
            continue
        text_version = text_in_language(session, original.source_id, target)
        if text_version is not None:  # else not translated yet (or its model is missing): read once it is
            yield original, text_version, hop


def source_hop(session: Session, source_id: int) -> int | None:
    """The source's hop: 1 when a current seed cites it, else the smallest hop its hop citations
    record; None when nothing cites it now."""
    cited_by_seed = session.exec(
        select(Citation.id)
        .join(Seed, Seed.id == Citation.seed_id)
        .where(Citation.source_id == source_id, Seed.superseded_at.is_(None))
        .limit(1)
    ).first()
    if cited_by_seed is not None:
        return 1
    return session.exec(select(func.min(HopCitation.hop)).where(HopCitation.source_id == source_id)).one()


def _read_version(session: Session, settings: Settings, original: Version, text: Version, hop: int) -> tuple[int, int]:
    """Store the citations of `original` the settings follow; (sources added, citations stored)."""
    from tracker.seeds.ingest import source_for_url

    trail = settings.trail
    claims = claim_positions(session, text)
    # Following claims only, a text no claim draws on follows nothing: its citations are not read
    # (they cost a second full extraction of the page). A later judgment that draws on it reads it.
    unread = trail.follow == "claims" and not claims
    found = [] if unread else read_citations(session, original, text)

    def near(citation: FoundHopCitation) -> bool:
        return citation.sentence is not None and any(abs(citation.sentence - p) <= 1 for p in claims)

    chosen = [c for c in found if near(c)] if trail.follow == "claims" else sorted(found, key=lambda c: not near(c))
    own = normalize_url(original.url) if original.url else None
    urls: dict[str, str] = {}  # normalized -> as found, at most max_links
    kept: list[tuple[FoundHopCitation, str | None]] = []
    names = 0
    for citation in chosen:
        key = _normalized(citation.url)
        if citation.url and key is None:
            continue  # a URL that can never be fetched (a host IDNA cannot encode)
        if key is not None and (key == own or (key not in urls and len(urls) >= trail.max_links)):
            continue
        if key is None:
            if names >= trail.max_links:
                continue
            names += 1
        else:
            urls.setdefault(key, citation.url)
        kept.append((citation, key))
    stored_before = _stored_citations(session, original.id) if kept else set()  # most keep none
    added = stored = 0
    sources: dict[str, int] = {}
    for key, url in urls.items():
        source, created = source_for_url(session, url)
        sources[key], added = source.id, added + created
    for citation, key in kept:
        if (citation.kind, citation.char_start, citation.translated_start, citation.url) in stored_before:
            continue
        session.add(
            HopCitation(
                citing_version_id=original.id,
                citing_source_id=original.source_id,
                source_id=sources.get(key) if key else None,
                hop=hop,
                kind=citation.kind,
                text=citation.text,
                url=citation.url,
                name=citation.name,
                cue=citation.cue,
                char_start=citation.char_start,
                char_end=citation.char_end,
                sentence=citation.sentence,
                translated_version_id=text.id if citation.kind == "attribution" and text.id != original.id else None,
                translated_start=citation.translated_start,
                translated_end=citation.translated_end,
                near_claim=near(citation),
                confidence=citation.confidence,
            )
        )
        stored += 1
    insert_row(  # one for every text looked at, read or not: the next pass knows it was
        session,
        Activity,
        kind="cite",
        source_id=original.source_id,
        used_version_id=original.id,
        software=software("trafilatura"),
        parameters=json.dumps(
            {
                "text_version_id": text.id,
                "hop": hop,
                "follow": trail.follow,
                "max_links": trail.max_links,
                "claims": sorted(claims),
                "found": None if unread else len(found),  # None: not read, no claim draws on it
                "urls_followed": len(urls),
            },
            sort_keys=True,
        ),
        ended_at=utcnow(),
    )
    return added, stored


def _stored_citations(session: Session, version_id: int) -> set[tuple]:
    """What a reading of the version stored before, as (kind, start, translated start, URL)."""
    found = session.exec(select(HopCitation).where(HopCitation.citing_version_id == version_id)).all()
    return {(c.kind, c.char_start, c.translated_start, c.url) for c in found}


def _normalized(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return normalize_url(url)
    except ValueError:
        return None


def _pairs_to_judge(session: Session, target: str):
    """(citing text, cited text) in the target language, for each source a current original
    cites, while a claim sentence of the citing text is not judged against the cited one."""
    pairs = session.exec(
        select(HopCitation.citing_version_id, HopCitation.citing_source_id, HopCitation.source_id)
        .distinct()
        .where(HopCitation.source_id.is_not(None))
        .order_by(HopCitation.citing_version_id, HopCitation.source_id)
    ).all()
    for citing_version_id, citing_source_id, source_id in pairs:
        if source_id == citing_source_id:
            continue
        original = latest_original(session, citing_source_id)
        if original is None or original.id != citing_version_id:
            continue  # an older version's citations: its trail is the newer version's
        citing = text_in_language(session, citing_source_id, target)
        cited = text_in_language(session, source_id, target)
        if citing is not None and cited is not None and cited.text:
            yield citing, cited


def judge_hop(session: Session, citing: Version, cited: Version) -> int:
    """Judge the claim sentences of `citing` not judged yet against `cited` (the aligner of seed
    alignments, the citing text in the seed's role); the sentences judged."""
    done = set(
        session.exec(
            select(HopAlignment.citing_sentence).where(
                HopAlignment.citing_version_id == citing.id, HopAlignment.cited_version_id == cited.id
            )
        ).all()
    )
    wanted = sorted(claim_positions(session, citing) - done)
    if not wanted:
        return 0
    citing_rows = _sentences(session, citing, wanted)
    cited_rows = _sentences(session, cited)
    claim_spans = [TextSpan(citing.text[r.char_start : r.char_end], r.char_start, r.char_end) for r in citing_rows]
    cited_spans = [TextSpan(cited.text[r.char_start : r.char_end], r.char_start, r.char_end) for r in cited_rows]
    started = utcnow()
    result = aligner.align(claim_spans, cited_spans)
    activity = Activity(
        kind="trail",
        source_id=cited.source_id,
        used_version_id=cited.id,
        started_at=started,
        ended_at=utcnow(),
        software=software(),
        parameters=json.dumps({"citing_version_id": citing.id, "claims": wanted}, sort_keys=True),
    )
    session.add(activity)
    session.flush()
    judged = {}
    for link in result.links:
        for index in link.seed:
            judged[index] = link
    for index, row in enumerate(citing_rows):
        link = judged.get(index)
        positions = [cited_rows[j].position for j in link.source] if link else []
        session.add(
            HopAlignment(
                citing_version_id=citing.id,
                cited_version_id=cited.id,
                activity_id=activity.id,
                citing_sentence=row.position,
                citing_start=row.char_start,
                citing_end=row.char_end,
                citing_text=claim_spans[index].text,
                cited_sentences=json.dumps(positions),
                cited_start=cited_rows[min(link.source)].char_start if positions else None,
                cited_end=cited_rows[max(link.source)].char_end if positions else None,
                score=link.score if link else 0.0,
                label=link.label if link else "added",
                coverage=link.coverage if link and link.source else None,
                unsupported_details=json.dumps(
                    [d.as_dict() for d in link.unsupported_details] if link else [], ensure_ascii=False
                ),
                verbatim=bool(link and link.verbatim),
            )
        )
    return len(citing_rows)


def _sentences(session: Session, version: Version, positions: list[int] | None = None) -> list[Sentence]:
    query = select(Sentence).where(Sentence.version_id == version.id)
    if positions is not None:
        query = query.where(Sentence.position.in_(positions))
    return list(session.exec(query.order_by(Sentence.position)).all())
