"""The database schema (SQLModel). Names are chosen to read well in hand-written SQL.

seeds ─< citations >─ sources ─< versions (original → translated → excerpt)
                         │            │
                  fetch_attempts   activities (what made each version, how)
version_seeds links every version to every seed that cites its source.
Raw response bodies live in `bodies`, compressed and content-addressed, out of the hot tables.
The tables of the machinery (the sentence cache, host politeness, the workers' jobs) are in
work_tables.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


def fits_row_id(number: int) -> bool:
    """Whether `number` can be a row id: SQLite's and PostgreSQL's are signed 64-bit, and a larger
    number raises OverflowError in the driver instead of finding nothing."""
    return 0 < number < 2**63


def utcnow() -> datetime:
    return datetime.now(UTC)


class Seed(SQLModel, table=True):
    """One revision of a seed document. An edited file gets a new row; the old one is superseded."""

    __tablename__ = "seeds"
    __table_args__ = (UniqueConstraint("path", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(index=True, description="file name relative to the seeds folder, or the URL of a seed page")
    revision: int = 1
    sha256: str
    format: str = Field(description="text, markdown or html")
    title: str | None = None
    publisher: str | None = None
    text: str
    ingested_at: datetime = Field(default_factory=utcnow)
    superseded_at: datetime | None = None
    url: str | None = Field(default=None, index=True, description="the URL a seed page was fetched from")
    canonical_url: str | None = Field(default=None, description="the page's rel=canonical or og:url")
    body_sha256: str | None = Field(default=None, foreign_key="bodies.sha256", description="the raw page, in bodies")
    published_at: datetime | None = Field(default=None, description="when the page says it was published (UTC)")
    published_evidence: str | None = Field(
        default=None, description='where that date was read: "json-ld datePublished", "meta …", "url", …'
    )
    dated_by: str = Field(
        default="ingested_at",
        sa_column_kwargs={"server_default": "ingested_at"},
        description="the seed's date: published_at when the page gives one, else ingested_at",
    )
    checked_at: datetime | None = Field(default=None, description="last fetch of a seed page, changed or not")

    @property
    def date(self) -> datetime:
        """The seed's date: when it was published, else when tracker first read this revision."""
        return self.published_at if self.dated_by == "published_at" and self.published_at else self.ingested_at


class Source(SQLModel, table=True):
    """A cited URL, deduplicated by its normalized form, with its fetch state."""

    __tablename__ = "sources"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(index=True, description="the URL as first cited")
    normalized_url: str = Field(unique=True)
    host: str = Field(index=True)
    final_url: str | None = Field(default=None, index=True)
    canonical_url: str | None = Field(default=None, index=True)
    state: str = Field(default="new", description="new, fetched, failed, skipped or retired")
    last_error: str | None = None
    failures: int = 0
    changes: int = Field(
        default=0, sa_column_kwargs={"server_default": "0"}, description="new original versions after the first"
    )
    check_interval: int | None = Field(default=None, description="seconds between fetches while it stays unchanged")
    retired_reason: str | None = None
    retired_under: str | None = Field(
        default=None, description="fingerprint of the address/port settings that refused it (see fetch/revive.py)"
    )
    etag: str | None = None
    last_modified: str | None = None
    first_cited_at: datetime = Field(default_factory=utcnow)
    last_fetched_at: datetime | None = None
    next_fetch_at: datetime | None = Field(default=None, index=True)
    archive_due_at: datetime | None = Field(
        default=None, index=True, description="when to ask the archives for a copy (again); NULL: no need"
    )
    archive_reason: str | None = Field(default=None, description="why: gone, or late (first read long after its seed)")
    archive_for: datetime | None = Field(default=None, description="the date asked for: the citing seed's date")
    archive_state: str | None = Field(
        default=None, description="archived, not_archived or unreachable (NULL: never asked)"
    )
    archive_checked_at: datetime | None = None


class Citation(SQLModel, table=True):
    """A URL or an attribution in a seed, with where it stands (tracker/seeds/citations.py)."""

    __tablename__ = "citations"
    # covers link_versions_to_seeds: the seeds citing one source, without reading the rows
    __table_args__ = (Index("ix_citations_source_seed", "source_id", "seed_id"),)

    id: int | None = Field(default=None, primary_key=True)
    seed_id: int = Field(foreign_key="seeds.id", index=True)
    source_id: int | None = Field(default=None, foreign_key="sources.id", index=True)
    kind: str = Field(description="url or attribution")
    text: str = Field(description="the span as it stands in the seed")
    name: str | None = Field(default=None, index=True, description="attributed name, resolved")
    role: str | None = None
    cue: str
    url: str | None = Field(default=None, description="the cited URL, any user:password@ removed")
    had_credentials: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": "0"},
        description="the URL as cited carried a user name or password (never stored, sent or logged)",
    )
    char_start: int
    char_end: int
    sentence: str
    sentence_start: int
    sentence_end: int
    # Attributions only; NULL for URLs (see docs/attributions.md).
    source_kind: str | None = Field(default=None, index=True, description="named, description or pronoun")
    resolved_by: str | None = Field(default=None, description="as written, fuller mention, antecedent, …")
    resolved_start: int | None = Field(default=None, description="where the resolved name stands in the seed")
    resolved_end: int | None = None
    organization: str | None = None
    cue_kind: str | None = Field(default=None, description="speech verb, according to, passive report or colon")
    cue_start: int | None = None
    cue_end: int | None = None
    content_start: int | None = Field(default=None, description="the attributed quote or clause")
    content_end: int | None = None
    confidence: float | None = None


class Activity(SQLModel, table=True):
    """What made something: a fetch, an extraction, a translation, an alignment."""

    __tablename__ = "activities"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True, description="fetch, extract, translate or align")
    source_id: int | None = Field(default=None, foreign_key="sources.id", index=True)
    informed_by_id: int | None = Field(default=None, foreign_key="activities.id")
    # No foreign key: versions already reference activities, and a cycle would complicate every
    # SQLite table rebuild; the column still always holds a versions.id.
    used_version_id: int | None = Field(default=None, index=True, description="the version it worked from (PROV used)")
    seed_id: int | None = Field(
        default=None, foreign_key="seeds.id", index=True, description="the seed an alignment compared with"
    )
    status: str = Field(default="ok", description="ok, failed or pending")
    error: str | None = None
    software: str = Field(default="{}", description="JSON: package name -> version")
    model: str | None = Field(default=None, index=True, description="e.g. translate-vi_en")
    model_version: str | None = None
    model_sha256: str | None = None
    parameters: str = Field(default="{}", description="JSON")
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


class FetchAttempt(SQLModel, table=True):
    """One HTTP request: a redirect hop or a retry."""

    __tablename__ = "fetch_attempts"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id", index=True)
    activity_id: int = Field(foreign_key="activities.id", index=True)
    url: str = Field(index=True)  # lookup finds a source by a URL met in its redirect chain
    retry: int = 0
    status_code: int | None = None
    error: str | None = None
    error_kind: str | None = None
    redirect_to: str | None = Field(default=None, index=True)
    content_type: str | None = None
    body_sha256: str | None = Field(default=None, description="sha256 of the body received, stored or not")
    headers: str = Field(default="{}", description="JSON of the headers that matter")
    started_at: datetime = Field(default_factory=utcnow)
    seconds: float = 0.0


class Body(SQLModel, table=True):
    """A raw response body, zlib-compressed, keyed by the sha256 of the uncompressed bytes."""

    __tablename__ = "bodies"

    sha256: str = Field(primary_key=True)
    size: int
    compression: str = "zlib"
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Version(SQLModel, table=True):
    """A text of a source: its original, a translation of it, or an excerpt of either."""

    __tablename__ = "versions"
    __table_args__ = (Index("ix_versions_source_kind", "source_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id")
    kind: str = Field(description="original, translated or excerpt")
    parent_id: int | None = Field(default=None, foreign_key="versions.id", index=True)
    activity_id: int | None = Field(default=None, foreign_key="activities.id", index=True)
    status: str = Field(default="ready", description="ready, or pending when its model is missing")
    language: str | None = None
    language_probability: float | None = None
    language_status: str | None = Field(
        default=None,
        description="originals: detected, uncertain or undetermined (NULL: made before statuses were kept)",
    )
    language_evidence: str | None = Field(
        default=None,
        description="originals: JSON evidence (langdetect, second opinion, declared language, script, reasons)",
    )
    declared_language: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site_name: str | None = None
    url: str | None = Field(
        default=None, description="final URL the original was fetched from (an archived copy: the page's own URL)"
    )
    text: str | None = None
    text_sha256: str | None = None
    body_sha256: str | None = Field(default=None, foreign_key="bodies.sha256")
    created_at: datetime = Field(default_factory=utcnow)
    captured_at: datetime | None = Field(
        default=None,
        description="originals: when the page was captured, by us (created_at) or by an archive (its Memento-Datetime)",
    )
    archived: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": "0"},
        description="originals: an archived copy (a memento), not our own capture",
    )
    archive_name: str | None = Field(default=None, description='archived copies: the archive, e.g. "Wayback Machine"')
    memento_url: str | None = Field(default=None, description="archived copies: the memento the body was read from")


class Sentence(SQLModel, table=True):
    """Sentence `position` of a version, and the span of its parent it came from."""

    __tablename__ = "sentences"

    version_id: int = Field(foreign_key="versions.id", primary_key=True)
    position: int = Field(primary_key=True)
    char_start: int
    char_end: int
    parent_start: int | None = None
    parent_end: int | None = None


class Excerpt(SQLModel, table=True):
    """Where an excerpt version stands in the seed, the translation and the original."""

    __tablename__ = "excerpts"

    version_id: int = Field(foreign_key="versions.id", primary_key=True)
    seed_id: int = Field(foreign_key="seeds.id", index=True)
    seed_start: int
    seed_end: int
    seed_sentence: str
    translated_start: int | None = None
    translated_end: int | None = None
    original_start: int
    original_end: int
    score: float
    label: str = Field(default="paraphrased", description="supported, paraphrased or partial (its weakest link)")
    first_sentence: int | None = Field(default=None, description="position of its first source sentence")
    last_sentence: int | None = Field(default=None, description="position of its last source sentence")


class Alignment(SQLModel, table=True):
    """The judgment of one seed sentence against the sentences of a source's text in the seed's
    language that it draws on (its own label, score, coverage and details; issue 20).

    `version_id` is the aligned version (the translation, or the original when none is needed);
    an `added` row is a seed sentence that this source does not support (no source sentences).
    """

    __tablename__ = "alignments"
    __table_args__ = (Index("ix_alignments_seed_version", "seed_id", "version_id"),)

    id: int | None = Field(default=None, primary_key=True)
    seed_id: int = Field(foreign_key="seeds.id")
    version_id: int = Field(foreign_key="versions.id", index=True)
    excerpt_id: int | None = Field(
        default=None, foreign_key="versions.id", description="the excerpt version holding its source sentences"
    )
    activity_id: int | None = Field(default=None, foreign_key="activities.id")
    seed_start: int
    seed_end: int
    seed_text: str
    seed_sentences: str = Field(description="JSON list of seed sentence positions")
    source_sentences: str = Field(default="[]", description="JSON list of sentence positions in the version")
    source_start: int | None = None
    source_end: int | None = None
    original_start: int | None = None
    original_end: int | None = None
    score: float
    label: str = Field(index=True, description="supported, paraphrased, partial or added")
    coverage: float | None = Field(
        default=None, description="share of the seed sentences' content the source sentences bear out"
    )
    model_score: float | None = Field(
        default=None,
        description="translated sources: the translation model's mean log-probability of the seed text given "
        "the original text (0 is certain); the model is in the align activity's parameters",
    )
    unsupported_details: str = Field(
        default="[]",
        sa_column_kwargs={"server_default": "[]"},
        description="JSON list of seed details the source does not bear out: text, kind, seed_start, "
        "seed_end, source_text",
    )
    seed_sentence: int | None = Field(
        default=None,
        description="the position of the one seed sentence this row judges (NULL: a long seed's summary "
        "row, or a row from before revision 0014 that judged several sentences as one link)",
    )
    verbatim: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": "0"},
        description="the seed sentence appears word for word in the aligned text: supported, no details",
    )


class Quote(SQLModel, table=True):
    """A quotation in a seed checked against the text of a source it cites."""

    __tablename__ = "quotes"

    id: int | None = Field(default=None, primary_key=True)
    seed_id: int = Field(foreign_key="seeds.id", index=True)
    version_id: int = Field(foreign_key="versions.id", index=True)
    quote: str
    seed_start: int
    seed_end: int
    status: str = Field(description="exact, approximate or not_found")
    score: float
    source_start: int | None = None
    source_end: int | None = None
    source_text: str | None = None
    differences: str = Field(default="[]", description='JSON list of {"seed": words, "source": words}')


class SeedRelation(SQLModel, table=True):
    """Two seeds that cite the same source, name the same attribution or report the same event."""

    __tablename__ = "seed_relations"

    seed_id: int = Field(foreign_key="seeds.id", primary_key=True)
    related_seed_id: int = Field(foreign_key="seeds.id", primary_key=True, index=True)
    reason: str = Field(primary_key=True, description="same_source, same_attribution or same_event")
    score: float
    shared: str = Field(default="[]", description="JSON list of the shared URLs, names or entities")


class SeedTerm(SQLModel, table=True):
    """The index related seeds are found through: each current seed's stemmed words (with their
    count), the names among them, the URLs it cites and the names it attributes to."""

    __tablename__ = "seed_terms"
    __table_args__ = (Index("ix_seed_terms_kind_term", "kind", "term"),)

    seed_id: int = Field(foreign_key="seeds.id", primary_key=True)
    kind: str = Field(primary_key=True, description="word, name, source or attribution")
    term: str = Field(primary_key=True)
    count: int = 1


class VersionSeed(SQLModel, table=True):
    """Every version is linked to every seed that cites its source."""

    __tablename__ = "version_seeds"

    version_id: int = Field(foreign_key="versions.id", primary_key=True)
    seed_id: int = Field(foreign_key="seeds.id", primary_key=True, index=True)


class ActivityModel(SQLModel, table=True):
    """A model package an activity used: one row per hop, so a pivot vi→en→fr has two.

    Lets a query find every version a given package version made, pivots included.
    """

    __tablename__ = "activity_models"

    activity_id: int = Field(foreign_key="activities.id", primary_key=True)
    hop: int = Field(primary_key=True, description="0 for the first (or only) package of a route")
    model: str = Field(index=True, description="package code, e.g. translate-vi_en")
    model_version: str
    model_sha256: str
    from_language: str
    to_language: str
