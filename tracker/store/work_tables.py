"""The tables of the machinery rather than of the provenance record: the sentence translation
cache, each host's politeness state and lease, and the workers' job queue.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from tracker.store.tables import utcnow


class SentenceTranslation(SQLModel, table=True):
    """Cache: what one package (one hop) made of one sentence, so no sentence is translated twice.

    Keyed by the sentence's sha256, the package's identity (code, version, sha256 of its files),
    the language of the hop's output and the decoding options asked for (another beam size may
    give another text).
    """

    __tablename__ = "sentence_translations"

    sentence_sha256: str = Field(primary_key=True)
    model: str = Field(primary_key=True)
    model_version: str = Field(primary_key=True)
    model_sha256: str = Field(primary_key=True)
    language: str = Field(primary_key=True, description="the language translated into")
    decoding: str = Field(primary_key=True, description="JSON: device, compute_type, beam_size asked for")
    translation: str
    compute_type: str = Field(description="as CTranslate2 resolved it")
    created_at: datetime = Field(default_factory=utcnow)


class Host(SQLModel, table=True):
    """Politeness state of one origin (scheme://host[:port]), kept so back-to-back runs stay polite."""

    __tablename__ = "hosts"

    origin: str = Field(primary_key=True, description="scheme://host[:port], what robots.txt covers")
    robots_status: int | None = Field(default=None, description="HTTP status of robots.txt; NULL if unreachable")
    robots_body: str | None = None
    robots_error: str | None = None
    robots_fetched_at: datetime | None = None
    crawl_delay: float | None = Field(default=None, description="robots Crawl-delay, seconds")
    last_request_at: datetime | None = None
    next_request_at: datetime | None = Field(default=None, description="no request starts before this")
    blocked_until: datetime | None = Field(default=None, description="set by Retry-After on a 429 or 503")
    blocked_reason: str | None = None
    # The lease of the worker fetching from this origin (tracker/workers/leases.py): taken with a
    # compare-and-set on the database clock; every write of a fetch result checks lease_token.
    lease_holder: str | None = Field(default=None, description="the worker fetching from this origin")
    lease_token: int = Field(
        default=0, sa_column_kwargs={"server_default": "0"}, description="fencing token, +1 per new holder"
    )
    lease_until: datetime | None = Field(default=None, description="the lease is free after this")


_PENDING = text("status IN ('waiting', 'running')")


class Job(SQLModel, table=True):
    """A unit of work for `tracker worker` (PostgreSQL only): fetch one host's due sources,
    translate an original, align a seed with a version. Claimed with FOR UPDATE SKIP LOCKED."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_pending", "queue", "id", postgresql_where=_PENDING, sqlite_where=_PENDING),
        Index("ix_jobs_queue_key", "queue", "key"),
        Index("ux_jobs_pending_key", "queue", "key", unique=True, postgresql_where=_PENDING, sqlite_where=_PENDING),
    )

    id: int | None = Field(default=None, primary_key=True)
    queue: str = Field(description="fetch, translate, align or ingest")
    key: str = Field(description="at most one waiting or running job per (queue, key)")
    batch_key: str | None = Field(default=None, description="jobs claimed together (a language pair)")
    weight: int = Field(default=0, description="its share of a batch (tokens, roughly)")
    payload: str = Field(default="{}", description="JSON")
    status: str = Field(default="waiting", description="waiting, running, done or failed")
    attempts: int = Field(default=0, description="claims so far; the fencing token of the current one")
    worker: str | None = None
    lease_until: datetime | None = None
    run_after: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
