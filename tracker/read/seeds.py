"""Seeds with where they come from, their date and what they cite: what `tracker seeds list` shows
(plain SQL through a Reader, tracker/store/reader.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from tracker.store.reader import reader_of

COUNTS = (
    "SELECT seed_id, SUM(CASE WHEN kind = 'url' THEN 1 ELSE 0 END) AS urls, "
    "SUM(CASE WHEN kind = 'attribution' THEN 1 ELSE 0 END) AS names FROM citations GROUP BY seed_id"
)


@dataclass(frozen=True)
class SeedRow:
    id: int
    path: str
    revision: int
    format: str
    url: str | None
    title: str | None
    publisher: str | None
    date: datetime
    dated_by: str  # "published_at" or "ingested_at"
    published_evidence: str | None
    url_citations: int
    attributions: int
    current: bool

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        return data


def list_seeds(reader, *, all_revisions: bool = False) -> list[SeedRow]:
    """Current seeds (or every revision), in the order they were ingested, with citation counts."""
    found = reader_of(reader).joined(
        "seeds s",
        f", n.urls, n.names FROM seeds s LEFT JOIN ({COUNTS}) n ON n.seed_id = s.id"
        + ("" if all_revisions else " WHERE s.superseded_at IS NULL")
        + " ORDER BY s.id",
    )
    rows = []
    for seed, urls, names in found:
        rows.append(
            SeedRow(
                id=seed.id,
                path=seed.path,
                revision=seed.revision,
                format=seed.format,
                url=seed.url or seed.canonical_url,
                title=seed.title,
                publisher=seed.publisher,
                date=_date(seed),
                dated_by=seed.dated_by,
                published_evidence=seed.published_evidence,
                url_citations=int(urls or 0),
                attributions=int(names or 0),
                current=seed.superseded_at is None,
            )
        )
    return rows


def _date(seed) -> datetime:
    """As `Seed.date`: when it was published, else when tracker first read this revision."""
    return seed.published_at if seed.dated_by == "published_at" and seed.published_at else seed.ingested_at
