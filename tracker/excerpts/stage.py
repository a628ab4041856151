"""The align stage: which (seed, text) pairs are not aligned yet, and aligning one pair into its
excerpt versions. `tracker run` aligns every pair waiting; a worker aligns the pair of its job."""

from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.excerpts.versions import excerpt_seed_source
from tracker.store.tables import Activity, Citation, Seed, Version
from tracker.store.versions import text_in_language


def pairs_to_align(session: Session, target: str) -> list[tuple[Seed, Version]]:
    """(current seed, the text of a source it cites in the target language) not aligned yet.

    One query finds the candidates, so a run with nothing new does no per-source work."""
    align = aliased(Activity)
    candidates = session.exec(
        select(Citation.seed_id, Version.source_id, Version.id)
        .distinct()
        .join(Seed, Seed.id == Citation.seed_id)
        .join(Version, Version.source_id == Citation.source_id)
        .where(
            Seed.superseded_at.is_(None),
            Version.status == "ready",
            Version.kind.in_(("original", "translated")),
            # Only a text in the target language is ever aligned: without this, every original in
            # another language stayed a candidate (and cost queries) in every run, forever.
            Version.language == target,
            ~exists().where(
                align.kind == "align", align.seed_id == Citation.seed_id, align.used_version_id == Version.id
            ),
        )
    ).all()
    # Each seed is paired with the source's current text only, when that is among the texts not
    # aligned with it (an older one waiting is not aligned: the current one is, or will be).
    unaligned: dict[tuple[int, int], set[int]] = {}
    for seed_id, source_id, version_id in candidates:
        unaligned.setdefault((seed_id, source_id), set()).add(version_id)
    pairs = []
    for (seed_id, source_id), version_ids in unaligned.items():
        aligned = text_in_language(session, source_id, target)
        if aligned is not None and aligned.id in version_ids:
            pairs.append((session.get(Seed, seed_id), aligned))
    return pairs


def is_aligned(session: Session, seed_id: int, version_id: int) -> bool:
    return (
        session.exec(
            select(Activity.id).where(
                Activity.kind == "align", Activity.seed_id == seed_id, Activity.used_version_id == version_id
            )
        ).first()
        is not None
    )


def align_pair(
    session: Session, seed: Seed | None, version: Version | None, settings: Settings, *, seed_indexes=None
) -> int:
    """Align a current seed with a version of a source it cites; the excerpts made (0 when the
    seed was superseded, the version is gone, or the pair is aligned already)."""
    if seed is None or version is None or seed.superseded_at is not None or is_aligned(session, seed.id, version.id):
        return 0
    made = excerpt_seed_source(
        session, seed, version, models_dir=settings.translation.models_dir, seed_indexes=seed_indexes
    )
    return len(made)
