"""Fetch a source and make its original version: raw bytes, main text, metadata, language.

A new original version is stored only when the extracted text changed beyond its volatile lines
("Updated 3 minutes ago", view counters: tracker.originals.volatile); every fetch attempt is
recorded whatever happened, and the source's state says when to try again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from tracker.archive.when import plan_archive
from tracker.config import Settings
from tracker.errors import unexpected
from tracker.fetch.charset import decode_html
from tracker.fetch.client import FetchResult
from tracker.fetch.revive import policy_fingerprint
from tracker.fetch.schedule import plan_next_fetch
from tracker.originals.changes import sentence_changes
from tracker.originals.extract import extract_main_text
from tracker.originals.language import language_status
from tracker.originals.volatile import comparison_text
from tracker.sentences import split_sentences
from tracker.store.bodies import store_body
from tracker.store.provenance import link_versions_to_seeds, software
from tracker.store.rows import add_row, insert_row, insert_rows, update_row
from tracker.store.tables import Activity, FetchAttempt, Sentence, Source, Version, utcnow
from tracker.store.versions import latest_original

HTML_TYPES = {"text/html", "application/xhtml+xml"}
TEXT_TYPES = {"text/plain"}


@dataclass(frozen=True)
class ArchivedFrom:
    """Where an archived copy came from (tracker.archive): the archive, the memento, and when
    the archive captured the page."""

    archive: str
    memento_url: str
    captured_at: datetime
    original_url: str | None


@dataclass
class FetchOutcome:
    state: str  # new (first version), changed, unchanged, skipped or failed
    version: Version | None = None
    error: str | None = None


def record_fetch(
    session: Session,
    source: Source,
    result: FetchResult,
    settings: Settings,
    *,
    started: datetime,
    now: datetime | None = None,
) -> FetchOutcome:
    """Record a fetch of `source`: its attempts, a new original version if the text changed,
    and when to fetch it next."""
    now = now or utcnow()
    parameters = {"url": source.url, "conditional": bool(source.etag or source.last_modified)}
    activity_id = insert_row(
        session,
        Activity,
        kind="fetch",
        source_id=source.id,
        started_at=started,
        software=software("httpx"),
        parameters=json.dumps(parameters),
    )
    _record_attempts(session, source, activity_id, result)
    ended = utcnow()
    source.last_fetched_at = now
    # The session holds the source's changes until the commit: one UPDATE of it, not one per query.
    with session.no_autoflush:
        outcome = _outcome(session, source, activity_id, result, settings)
        plan_next_fetch(
            source,
            outcome.state,
            status=result.status,
            error_kind=result.error_kind,
            error=outcome.error,
            now=now,
            settings=settings.schedule,
            fetch_policy=policy_fingerprint(settings.fetch),
        )
        plan_archive(
            session,
            source,
            outcome.state,
            status=result.status,
            error_kind=result.error_kind,
            captured=outcome.version,
            settings=settings.archive,
            now=now,
        )
    # What the fetch came to, for `lookup`: ten fetches of a page whose clock ticked show as unchanged.
    update_row(
        session,
        Activity,
        activity_id,
        ended_at=ended,
        status="ok" if outcome.state in ("new", "changed", "unchanged") else outcome.state,
        error=outcome.error,
        parameters=json.dumps({**parameters, "outcome": outcome.state}),
    )
    session.add(source)
    return outcome


def record_failure(
    session: Session, source: Source, error: BaseException, settings: Settings, *, now: datetime | None = None
) -> FetchOutcome:
    """Record that handling `source` raised `error` (a bug, or data nothing foresaw): the source
    fails with that reason and is retried later, like any failure, instead of stopping the run.
    The caller has rolled back what the failed attempt had written."""
    now = now or utcnow()
    message = unexpected(error)
    activity = Activity(
        kind="fetch",
        source_id=source.id,
        started_at=now,
        ended_at=utcnow(),
        software=software("httpx"),
        parameters=json.dumps({"url": source.url}),
        status="failed",
        error=message,
    )
    source.last_fetched_at = now
    plan_next_fetch(
        source,
        "failed",
        status=None,
        error_kind="error",
        error=message,
        now=now,
        settings=settings.schedule,
        fetch_policy=policy_fingerprint(settings.fetch),
    )
    session.add_all([source, activity])
    return FetchOutcome("failed", error=message)


def _outcome(
    session: Session, source: Source, fetch_activity_id: int, result: FetchResult, settings: Settings
) -> FetchOutcome:
    if result.not_modified:
        return FetchOutcome("unchanged")
    if not result.ok:
        return FetchOutcome("failed", error=result.error or f"HTTP {result.status}")
    source.final_url = result.final_url
    source.etag, source.last_modified = result.etag, result.last_modified
    media_type = result.content_type or "text/html"
    if media_type not in HTML_TYPES | TEXT_TYPES:
        return FetchOutcome("skipped", error=f"skipped: {media_type} is not a web page")
    body_sha256 = store_body(session, result.body)
    return make_original(session, source, fetch_activity_id, result, media_type, body_sha256, settings)


def make_original(
    session: Session,
    source: Source,
    fetch_activity_id: int,
    result: FetchResult,
    media_type: str,
    body_sha256: str,
    settings: Settings,
    archived: ArchivedFrom | None = None,
) -> FetchOutcome:
    """The original version of a capture, unless its text is the last one's (our captures and
    archived copies are each compared with their own kind)."""
    started = utcnow()
    decoded = decode_html(result.body, result.declared_charset)
    if media_type in HTML_TYPES:
        extracted = extract_main_text(decoded.text, url=result.final_url)
        if extracted is None:
            return FetchOutcome("skipped", error="skipped: no main text found on the page")
        text, metadata = extracted.text, extracted
    else:
        text, metadata = decoded.text.strip(), None
        if not text:
            return FetchOutcome("skipped", error="skipped: empty document")
    if metadata is not None and metadata.canonical_url and archived is None:
        source.canonical_url = metadata.canonical_url

    text_sha256 = hashlib.sha256(text.encode()).hexdigest()
    latest = latest_original(session, source.id, archived=archived is not None)
    changes = None  # sentences added, removed, changed since the last version
    if latest is not None:
        if latest.text_sha256 == text_sha256:
            return FetchOutcome("unchanged", version=latest)
        # The last version's comparison text is made again from its stored text, not kept in a
        # column: no schema change, and a version stored before a pattern was added is read alike.
        extra = settings.originals.patterns()
        before, after = comparison_text(latest.text, extra), comparison_text(text, extra)
        if before == after:
            return FetchOutcome("unchanged", version=latest)
        changes = sentence_changes(before, after)

    declared = metadata.declared_language if metadata else None
    detected = language_status(text, declared=declared, seed=settings.language.seed)
    sentences = split_sentences(text)
    created = utcnow()
    activity_id = insert_row(
        session,
        Activity,
        kind="extract",
        source_id=source.id,
        informed_by_id=fetch_activity_id,
        started_at=started,
        ended_at=created,
        software=software("trafilatura", "langdetect", "lingua-language-detector", "charset-normalizer"),
        parameters=json.dumps(
            {
                "media_type": media_type,
                "charset": decoded.charset,
                "charset_method": decoded.method,
                "extraction": metadata.method if metadata else "plain text",
                "langdetect_seed": settings.language.seed,
                # Since the last version: sentences added, removed, changed (None for the first).
                "sentence_changes": changes,
            }
        ),
    )
    version = add_row(
        session,
        Version,
        source_id=source.id,
        kind="original",
        activity_id=activity_id,
        created_at=created,
        captured_at=archived.captured_at if archived else created,
        archived=archived is not None,
        archive_name=archived.archive if archived else None,
        memento_url=archived.memento_url if archived else None,
        url=(archived.original_url or source.url) if archived else result.final_url,
        language=detected.code,
        language_probability=detected.probability,
        language_status=detected.status,
        language_evidence=json.dumps({**detected.evidence, "reasons": list(detected.reasons)}, sort_keys=True),
        declared_language=declared,
        title=metadata.title if metadata else None,
        author=metadata.author if metadata else None,
        published=metadata.published if metadata else None,
        site_name=metadata.site_name if metadata else None,
        text=text,
        text_sha256=text_sha256,
        body_sha256=body_sha256,
    )
    insert_rows(
        session,
        Sentence,
        (
            {"version_id": version.id, "position": position, "char_start": sentence.start, "char_end": sentence.end}
            for position, sentence in enumerate(sentences)
        ),
    )
    link_versions_to_seeds(session, source.id)
    return FetchOutcome("new" if latest is None else "changed", version=version)


def _record_attempts(session: Session, source: Source, activity_id: int, result: FetchResult) -> None:
    # The body hash goes on the attempt that received it, even when the text turns out unchanged
    # and the body is not stored: rotating ads show as new body hashes with no new version.
    body_sha256 = hashlib.sha256(result.body).hexdigest() if result.body is not None else None
    last = len(result.attempts) - 1
    insert_rows(
        session,
        FetchAttempt,
        (
            {
                "source_id": source.id,
                "activity_id": activity_id,
                "url": attempt.url,
                "retry": attempt.retry,
                "status_code": attempt.status,
                "error": attempt.error,
                "error_kind": attempt.error_kind,
                "redirect_to": attempt.redirect_to,
                "content_type": attempt.headers.get("content-type"),
                "body_sha256": body_sha256 if index == last and attempt.status == result.status else None,
                "headers": json.dumps(attempt.headers, sort_keys=True),
                "started_at": attempt.started_at,
                "seconds": round(attempt.seconds, 4),
            }
            for index, attempt in enumerate(result.attempts)
        ),
    )
