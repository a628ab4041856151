"""What changed between two versions of a source, in its own language or in translation."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlmodel import Session, select

from tracker.errors import TrackerError
from tracker.store.tables import Source, Version
from tracker.store.versions import newest_translation


class DiffError(TrackerError, ValueError):
    """The versions asked for do not exist or cannot be compared; one line for the user."""


@dataclass(frozen=True)
class VersionDiff:
    old: Version
    new: Version
    lines: list[str]  # unified diff, one sentence-ish line per line of text


def originals(session: Session, source: Source) -> list[Version]:
    return list(
        session.exec(
            select(Version).where(Version.source_id == source.id, Version.kind == "original").order_by(Version.id)
        ).all()
    )


def diff_source(
    session: Session,
    source: Source,
    *,
    from_id: int | None = None,
    to_id: int | None = None,
    translated: str | None = None,
) -> VersionDiff:
    """Diff two original versions (by default the last two), or their translations into the language
    `translated` names."""
    versions = originals(session, source)
    by_id = {v.id: v for v in versions}
    if len(versions) < 2 and (from_id is None or to_id is None):
        raise DiffError(f"{source.url} has {len(versions)} original version(s): nothing to compare yet")
    old = _pick(by_id, from_id, versions[-2] if len(versions) >= 2 else None, source)
    new = _pick(by_id, to_id, versions[-1], source)
    if translated:
        old, new = _translation_of(session, old, translated), _translation_of(session, new, translated)
    lines = list(
        difflib.unified_diff(
            (old.text or "").splitlines(),
            (new.text or "").splitlines(),
            fromfile=f"version {old.id} ({old.kind}, {old.created_at:%Y-%m-%d %H:%M})",
            tofile=f"version {new.id} ({new.kind}, {new.created_at:%Y-%m-%d %H:%M})",
            lineterm="",
        )
    )
    return VersionDiff(old, new, lines)


def _pick(by_id: dict[int, Version], wanted: int | None, default: Version | None, source: Source) -> Version:
    if wanted is None:
        return default
    if wanted not in by_id:
        raise DiffError(
            f"version {wanted} is not an original version of {source.url} "
            f"(its originals: {', '.join(map(str, by_id)) or 'none'})"
        )
    return by_id[wanted]


def _translation_of(session: Session, original: Version, language: str) -> Version:
    translation = newest_translation(session, original, language)
    if translation is None:
        raise DiffError(f"version {original.id} has no ready translation into {language} yet")
    return translation
