"""The questions every stage asks of a source's versions, answered in one place.

- `latest_original`: the newest capture of ours (what the page says now), or the newest archived copy.
- `newest_translation`: the newest ready translation of an original into one language.
- `text_in_language`: the newest text of a source in a language: the original (our newest
  capture, else the newest archived copy) if it is in that language, else its newest ready
  translation (what excerpts are aligned against).
- `version_in_force`: the original in force at a date: our newest capture at or before it, else
  the newest archived copy captured at or before it, else the first capture after it of either
  kind (the Wayback Machine's closest capture). The `original_periods` and `cited_versions`
  views answer the same in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.store.tables import Version


def latest_version(session: Session, source_id: int, kind: str) -> Version | None:
    return session.exec(
        select(Version).where(Version.source_id == source_id, Version.kind == kind).order_by(Version.id.desc())
    ).first()


def latest_original(session: Session, source_id: int, *, archived: bool = False) -> Version | None:
    """The newest original of ours, or with `archived` the newest archived copy."""
    return session.exec(
        select(Version)
        .where(Version.source_id == source_id, Version.kind == "original", Version.archived.is_(archived))
        .order_by(Version.id.desc())
    ).first()


def newest_translation(session: Session, original: Version, language: str) -> Version | None:
    return session.exec(
        select(Version)
        .where(
            Version.parent_id == original.id,
            Version.kind == "translated",
            Version.language == language,
            Version.status == "ready",
        )
        .order_by(Version.id.desc())
    ).first()


def text_in_language(session: Session, source_id: int, language: str) -> Version | None:
    original = latest_original(session, source_id) or latest_original(session, source_id, archived=True)
    if original is None or original.language == language:
        return original
    return newest_translation(session, original, language)


def version_in_force(session: Session, source_id: int, at: datetime) -> tuple[Version, str] | None:
    """The original in force at `at` and whether it was captured "before" it (ours first, then
    an archived copy) or, when none was, the first one captured "after" it."""
    originals = select(Version).where(Version.source_id == source_id, Version.kind == "original")
    captured = func.coalesce(Version.captured_at, Version.created_at)  # NULL: stored without it
    for archived in (False, True):
        before = session.exec(
            originals.where(Version.archived.is_(archived), captured <= at)
            .order_by(captured.desc(), Version.id.desc())
            .limit(1)
        ).first()
        if before is not None:
            return before, "before"
    after = session.exec(originals.order_by(captured, Version.archived, Version.id).limit(1)).first()
    return (after, "after") if after is not None else None
