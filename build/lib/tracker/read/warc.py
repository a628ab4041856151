"""Export the fetched originals as a WARC file, the web archive format (ISO 28500).

Each original version becomes a `response` record: the final URL, the time of the request, the
HTTP status line, the headers tracker kept, and the body bytes exactly as stored. Bodies are stored
decoded (no gzip/brotli), so Content-Encoding is dropped and Content-Length is the stored size. A
`metadata` record next to each response (WARC-Concurrent-To) ties it back to the database: the
source as cited, the version, the fetch activity and the sha256 of the body.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from typing import BinaryIO

from sqlmodel import Session, select

from tracker.store.bodies import load_body
from tracker.store.tables import Activity, FetchAttempt, Source, Version

__all__ = ["export_warc"]

_DROPPED = {"content-encoding", "content-length", "transfer-encoding"}


def export_warc(session: Session, out: BinaryIO, *, gzip: bool = True, filename: str = "tracker.warc") -> int:
    """Write a warcinfo record, then a response and a metadata record per original version with a
    stored body; return the number of responses written. `gzip` compresses record by record, as
    `.warc.gz` files are; `filename` is the name the warcinfo record gives the file."""
    from warcio.warcwriter import WARCWriter

    from tracker import __version__

    writer = WARCWriter(out, gzip=gzip)
    writer.write_record(
        writer.create_warcinfo_record(
            filename,
            {
                "software": f"tracker/{__version__}",
                "format": "WARC File Format 1.0",
                "description": "original versions of cited sources, as fetched",
            },
        )
    )
    written = 0
    for version, source, attempt in _originals(session):
        body = load_body(session, version.body_sha256)
        if body is None:
            continue
        response = _response_record(writer, version, attempt, body)
        writer.write_record(response)
        writer.write_record(_metadata_record(writer, version, source, attempt, response))
        written += 1
    return written


def _originals(session: Session) -> Iterator[tuple[Version, Source, FetchAttempt | None]]:
    versions = session.exec(
        select(Version, Source)
        .join(Source, Source.id == Version.source_id)
        .where(Version.kind == "original", Version.body_sha256.is_not(None))
        .order_by(Version.id)
    ).all()
    for version, source in versions:
        yield version, source, _final_attempt(session, version)


def _final_attempt(session: Session, version: Version) -> FetchAttempt | None:
    """The request that brought the body: the last attempt of the fetch behind the extraction."""
    extract = session.get(Activity, version.activity_id) if version.activity_id else None
    if extract is None or extract.informed_by_id is None:
        return None
    return session.exec(
        select(FetchAttempt).where(FetchAttempt.activity_id == extract.informed_by_id).order_by(FetchAttempt.id.desc())
    ).first()


def _warc_date(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _response_record(writer, version: Version, attempt: FetchAttempt | None, body: bytes):
    from warcio.statusandheaders import StatusAndHeaders

    status = attempt.status_code if attempt and attempt.status_code else 200
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    kept = json.loads(attempt.headers) if attempt else {}
    headers = [(name.title(), value) for name, value in sorted(kept.items()) if name not in _DROPPED]
    headers.append(("Content-Length", str(len(body))))
    http_headers = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")
    uri = version.url or (attempt.url if attempt else None)
    when = attempt.started_at if attempt else version.created_at
    return writer.create_warc_record(
        uri,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http_headers,
        warc_headers_dict={"WARC-Date": _warc_date(when)},
    )


def _metadata_record(writer, version: Version, source: Source, attempt: FetchAttempt | None, response):
    fields = {
        "tracker-source-id": source.id,
        "tracker-cited-url": source.url,
        "tracker-version-id": version.id,
        "tracker-body-sha256": version.body_sha256,
        "tracker-fetch-activity-id": attempt.activity_id if attempt else None,
        "tracker-language": version.language,
    }
    text = "".join(f"{name}: {value}\r\n" for name, value in fields.items() if value is not None)
    payload = text.encode("utf-8")
    return writer.create_warc_record(
        response.rec_headers.get_header("WARC-Target-URI"),
        "metadata",
        payload=io.BytesIO(payload),
        length=len(payload),
        warc_content_type="application/warc-fields",
        warc_headers_dict={
            "WARC-Date": response.rec_headers.get_header("WARC-Date"),
            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
        },
    )
