"""Recording what an archive lookup found: an archived copy (an original version like any other,
marked as archived), "not archived" with the next try, or "could not ask" with the next try."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlmodel import Session

from tracker.archive.memento import Capture, shown
from tracker.config import Settings
from tracker.fetch.client import FetchResult
from tracker.originals.versions import HTML_TYPES, TEXT_TYPES, ArchivedFrom, FetchOutcome, make_original
from tracker.store.bodies import store_body
from tracker.store.provenance import software
from tracker.store.tables import Activity, Source, utcnow

NOT_ARCHIVED_RETRY = timedelta(days=7)  # archives fill in later


def lookup_activity(
    source: Source, *, archive: str, timegate: str, requests: list[dict], started: datetime, status: str
) -> Activity:
    """The `archive` activity of one lookup: which archive, the date asked for, every request."""
    return Activity(
        kind="archive",
        source_id=source.id,
        started_at=started,
        ended_at=utcnow(),
        software=software("httpx"),
        status=status,
        parameters=json.dumps(
            {
                "url": source.url,
                "archive": archive,
                "timegate": timegate,
                "asked_for": source.archive_for.isoformat() if source.archive_for else None,
                "reason": source.archive_reason,
                "requests": requests,
            },
            sort_keys=True,
        ),
    )


def record_archived(
    session: Session,
    source: Source,
    result: FetchResult,
    capture: Capture,
    activity: Activity,
    settings: Settings,
    now: datetime,
) -> FetchOutcome:
    """Store the memento in `result` as an archived original of `source` (new, or unchanged when
    the archive gave the same text as the last archived copy)."""
    session.add(activity)
    session.flush()
    source.archive_state, source.archive_due_at, source.archive_checked_at = "archived", None, now
    session.add(source)
    media_type = result.content_type or "text/html"
    if media_type not in HTML_TYPES | TEXT_TYPES:
        outcome = FetchOutcome("skipped", error=f"skipped: the archived copy is {media_type}, not a web page")
    else:
        body_sha256 = store_body(session, result.body)
        archived = ArchivedFrom(activity_name(activity), result.final_url, capture.captured_at, capture.original_url)
        outcome = make_original(session, source, activity.id, result, media_type, body_sha256, settings, archived)
    activity.status = "ok" if outcome.state in ("new", "changed", "unchanged") else outcome.state
    activity.error = outcome.error
    return outcome


def activity_name(activity: Activity) -> str:
    return json.loads(activity.parameters)["archive"]


def record_not_archived(
    session: Session, source: Source, archives: list[str], activity: Activity, now: datetime
) -> str:
    """No archive has the page: one recorded line, and the next try a week later."""
    source.archive_state, source.archive_checked_at = "not_archived", now
    source.archive_due_at = now + NOT_ARCHIVED_RETRY
    line = (
        f"not archived: {source.url} (asked {', '.join(archives)}); "
        f"asked again after {source.archive_due_at:%Y-%m-%d %H:%M} UTC"
    )
    activity.error = line
    session.add_all([source, activity])
    return line


def record_unreachable(session: Session, source: Source, until: datetime, now: datetime) -> None:
    """No archive could be asked (unreachable, refused, busy): asked again at `until`."""
    source.archive_state, source.archive_checked_at, source.archive_due_at = "unreachable", now, until
    session.add(source)


def archived_line(source: Source, outcome: FetchOutcome) -> str:
    version = outcome.version
    if version is None or not version.archived:
        return f"archived copy of {source.url}: {outcome.error or outcome.state}"
    return f"{shown(version.archive_name, version.captured_at)} of {source.url} ({outcome.state} text)"
