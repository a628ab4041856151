"""When a source is to be looked up in the archives, decided as each fetch is recorded.

- gone: it has no capture of ours and its fetch failed as not found (404 or 410: at once), or
  could not reach its host (DNS, connection, robots.txt down) `after_failures` times in a row;
- late: its first capture came more than `late_after` after the date of the seed citing it.

Either way the lookup asks for the capture closest to the earliest citing seed's date. With
`[archive] save`, a new source that is neither is marked "save": the Wayback Machine is asked to
capture it (Save Page Now). A source
is marked once: what the lookup found (or that nothing was found, and when to ask again) is kept
on the source by the archive stage.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from tracker.archive import ArchiveSettings
from tracker.store.tables import Citation, Seed, Source, Version

NOT_FOUND = (404, 410)
# The host could not be reached: no address, no connection, or not even its robots.txt (which is
# how a dead site shows first: robots.txt is asked for before any page).
UNREACHABLE = frozenset({"dns", "connect", "robots_unavailable"})


def plan_archive(
    session: Session,
    source: Source,
    state: str,
    *,
    status: int | None,
    error_kind: str | None,
    captured: Version | None,
    settings: ArchiveSettings,
    now: datetime,
) -> None:
    """Mark `source` for a lookup if this fetch (its outcome `state`) makes it gone or late."""
    if not settings.enabled or source.archive_state is not None or source.archive_due_at is not None:
        return
    if state == "failed":
        gone = status in NOT_FOUND or (error_kind in UNREACHABLE and source.failures >= settings.after_failures)
        if gone and not _has_own_capture(session, source.id):
            _mark(session, source, "gone", now)
    elif state == "new" and captured is not None and not captured.archived:
        seed_date = earliest_seed_date(session, source.id)
        taken = captured.captured_at or now
        if seed_date is not None and taken - seed_date > timedelta(seconds=settings.late_after):
            _mark(session, source, "late", now, seed_date)
        elif settings.save:  # Save Page Now: the archive captures it too, for whoever comes later
            source.archive_reason, source.archive_due_at = "save", now


def _mark(session: Session, source: Source, reason: str, now: datetime, seed_date: datetime | None = None) -> None:
    source.archive_reason = reason
    source.archive_for = seed_date or earliest_seed_date(session, source.id) or now
    source.archive_due_at = now


def earliest_seed_date(session: Session, source_id: int) -> datetime | None:
    """The date of the earliest seed citing the source (its publication date, else when read)."""
    seeds = session.exec(
        select(Seed).join(Citation, Citation.seed_id == Seed.id).where(Citation.source_id == source_id)
    ).all()
    return min((seed.date for seed in seeds), default=None)


def _has_own_capture(session: Session, source_id: int) -> bool:
    query = select(Version.id).where(
        Version.source_id == source_id, Version.kind == "original", Version.archived.is_(False)
    )
    return session.exec(query.limit(1)).first() is not None
