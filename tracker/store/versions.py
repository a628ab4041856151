"""The questions every stage asks of a source's versions, answered in one place.

- `latest_original`: the newest capture of ours (what the page says now), or the newest archived copy.
- `newest_translation`: the newest ready translation of an original into one language.
- `text_in_language`: the newest text of a source in a language: the original (our newest
  capture, else the newest archived copy) if it is in that language, else its newest ready
  translation (what excerpts are aligned against).

The original in force at a date, which only `tracker lookup` asks, is `version_in_force` in
tracker/read/lookup.py, in plain SQL like the rest of a lookup.
"""

from __future__ import annotations

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
