"""Seed ingestion: read the seeds folder, record new or edited seeds and what they cite.

Idempotent: a file whose content is unchanged adds nothing. An edited file becomes a new
revision (a new `seeds` row with its own citations); the previous revision is kept and marked
superseded, so what an older revision cited stays answerable. Seeds given by URL (pages.py) are
recorded the same way, keyed by their URL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import bindparam
from sqlmodel import Session, select

from tracker.seeds.citations import ATTRIBUTION_FIELDS, find_citations, find_publisher
from tracker.seeds.files import SeedError, SeedText, read_seed_file
from tracker.seeds.folder import scan_seeds_folder
from tracker.store.rows import add_row, insert_rows, query
from tracker.store.tables import Citation, Seed, Source, utcnow
from tracker.terminal import shown
from tracker.urls import mask_credentials, normalize_url, strip_credentials


@dataclass
class IngestReport:
    new: list[str] = field(default_factory=list)  # paths relative to the seeds folder
    revised: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line reason), both printable
    new_sources: int = 0
    notices: list[str] = field(default_factory=list)  # e.g. a seed read in a guessed encoding


def seed_files(seeds_dir: Path) -> list[Path]:
    """The seed files in the folder (links out of it, special files and the like left out)."""
    return scan_seeds_folder(seeds_dir).files


def ingest_seeds(session: Session, seeds_dir: Path, max_bytes: int | None = None) -> IngestReport:
    report = IngestReport()
    folder = scan_seeds_folder(seeds_dir, max_bytes)
    report.failed.extend((shown(path), shown(reason)) for path, reason in folder.skipped)
    # The current revision's hash of every seed, in one query: workers re-read the folder every
    # few seconds, and one query a file made a pass over 10,000 unchanged seeds take seconds.
    current_sha256 = dict(session.exec(select(Seed.path, Seed.sha256).where(Seed.superseded_at.is_(None))).all())
    for path in folder.files:
        relative = path.relative_to(seeds_dir).as_posix()
        try:
            data = path.read_bytes()
            if max_bytes is not None and len(data) > max_bytes:  # it grew since the folder was read
                raise SeedError(f"over [seeds] max_bytes ({max_bytes:,}): split the file or raise the limit")
            digest = hashlib.sha256(data).hexdigest()
            if current_sha256.get(relative) == digest:
                report.unchanged += 1
                continue
            current = session.exec(select(Seed).where(Seed.path == relative, Seed.superseded_at.is_(None))).first()
            document = _without_credentials(read_seed_file(path))
            if document.encoding != "utf-8":
                report.notices.append(
                    f"seed {shown(relative)}: not UTF-8, read as {document.encoding} (save it as UTF-8 to be sure)"
                )
        except (OSError, SeedError) as error:
            report.failed.append((shown(relative), shown(str(error))))
            continue
        _seed, created = record_seed(session, relative, digest, document, current, notices=report.notices)
        report.new_sources += created
        (report.new if current is None else report.revised).append(relative)
    return report


def record_seed(
    session: Session,
    path: str,
    digest: str,
    document: SeedText,
    current: Seed | None,
    *,
    url: str | None = None,
    body_sha256: str | None = None,
    notices: list[str] | None = None,
) -> tuple[Seed, int]:
    """Record a new revision of the seed at ``path`` (superseding ``current``); (seed, new sources).
    A cited URL that can never be fetched is not recorded; a line in ``notices`` says so."""
    now = utcnow()
    published = document.published
    seed = Seed(
        path=path,
        sha256=digest,
        format=document.format,
        text=document.text,
        title=document.title or _first_line(document.text),
        publisher=find_publisher(_body(document)),
        revision=1 if current is None else current.revision + 1,
        ingested_at=now,
        url=url,
        canonical_url=document.canonical_url,
        body_sha256=body_sha256,
        published_at=published.value if published else None,
        published_evidence=published.evidence if published else None,
        dated_by="published_at" if published else "ingested_at",
        checked_at=now if url else None,
    )
    if current is not None:
        current.superseded_at = now
        session.add(current)
    session.add(seed)
    session.flush()
    return seed, _record_citations(session, seed, document, notices if notices is not None else [])


def _record_citations(session: Session, seed: Seed, document: SeedText, notices: list[str]) -> int:
    new_sources = 0
    rows = []
    for found in find_citations(document.text, document.links):
        if found.refused:
            url, _ = strip_credentials(found.url or "")
            notices.append(f"seed {shown(seed.path)}: not tracking {shown(url)}: {shown(found.refused)}")
            continue
        source_id, url, had_credentials = None, found.url, False
        if url:
            url, had_credentials = strip_credentials(url)
        if found.kind == "url" and found.normalized_url:
            source, created = source_for_url(session, url)
            source_id, new_sources = source.id, new_sources + created
        rows.append(
            dict(
                seed_id=seed.id,
                source_id=source_id,
                kind=found.kind,
                text=found.text,
                name=found.name,
                role=found.role,
                cue=found.cue,
                url=url,
                had_credentials=had_credentials,
                char_start=found.char_start,
                char_end=found.char_end,
                sentence=found.sentence,
                sentence_start=found.sentence_start,
                sentence_end=found.sentence_end,
                **{key: getattr(found, key) for key in ATTRIBUTION_FIELDS},
            )
        )
    insert_rows(session, Citation, rows)  # one INSERT for the seed's citations
    return new_sources


def _without_credentials(document: SeedText) -> SeedText:
    """The seed with the user:password of its URLs masked (same length, so offsets hold); link
    targets keep theirs until each citation strips them, noting that they were there."""
    masked = mask_credentials(document.text)
    return document if masked == document.text else replace(document, text=masked)


def source_for_url(session: Session, url: str) -> tuple[Source, bool]:
    """The source for a cited URL (credentials removed), created on first citation; (source, created)."""
    url, _ = strip_credentials(url)
    key = normalize_url(url)
    source_id = query(session, _SOURCE_BY_KEY, key=key).scalar()
    if source_id is not None:
        return session.get(Source, source_id), False
    from urllib.parse import urlsplit

    return add_row(session, Source, url=url, normalized_url=key, host=urlsplit(key).hostname or ""), True


_SOURCE_BY_KEY = select(Source.__table__.c.id).where(Source.__table__.c.normalized_url == bindparam("key"))


def _body(document: SeedText) -> str:
    """The text after an HTML article's title line, where a dateline ("DAMASCUS (Reuters) —") stands."""
    if document.title and document.text.startswith(document.title + "\n"):
        return document.text[len(document.title) + 1 :]
    return document.text


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return None
