"""The questions every stage asks of a source's versions, answered in one place.

- `latest_original`: the newest original (what the page says now).
- `newest_translation`: the newest ready translation of an original into one language.
- `text_in_language`: the newest text of a source in a language: the original if it is in that
  language, else its newest ready translation (what excerpts are aligned against).
- `version_in_force`: the original in force at a date: the newest captured at or before it, else
  the first captured after it (the Wayback Machine's closest capture). The `original_periods` and
  `cited_versions` views answer the same in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from tracker.store.tables import Version


def latest_version(session: Session, source_id: int, kind: str) -> Version | None:
    return session.exec(
        select(Version).where(Version.source_id == source_id, Version.kind == kind).order_by(Version.id.desc())
    ).first()


def latest_original(session: Session, source_id: int) -> Version | None:
    return latest_version(session, source_id, "original")


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
    original = latest_original(session, source_id)
    if original is None or original.language == language:
        return original
    return newest_translation(session, original, language)


def version_in_force(session: Session, source_id: int, at: datetime) -> tuple[Version, str] | None:
    """The original in force at `at` and whether it was captured "before" it or, when none was,
    the first one captured "after" it."""
    originals = select(Version).where(Version.source_id == source_id, Version.kind == "original")
    before = session.exec(
        originals.where(Version.created_at <= at).order_by(Version.created_at.desc()).limit(1)
    ).first()
    if before is not None:
        return before, "before"
    after = session.exec(originals.order_by(Version.created_at).limit(1)).first()
    return (after, "after") if after is not None else None
