"""Seeds with where they come from, their date and what they cite: what `tracker seeds list` shows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, select

from tracker.store.tables import Citation, Seed


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


def list_seeds(session: Session, *, all_revisions: bool = False) -> list[SeedRow]:
    """Current seeds (or every revision), in the order they were ingested, with citation counts."""
    counts = (
        select(
            Citation.seed_id,
            func.sum(case((Citation.kind == "url", 1), else_=0)).label("urls"),
            func.sum(case((Citation.kind == "attribution", 1), else_=0)).label("names"),
        )
        .group_by(Citation.seed_id)
        .subquery()
    )
    query = select(Seed, counts.c.urls, counts.c.names).outerjoin(counts, counts.c.seed_id == Seed.id)
    if not all_revisions:
        query = query.where(Seed.superseded_at.is_(None))
    rows = []
    for seed, urls, names in session.exec(query.order_by(Seed.id)).all():
        rows.append(
            SeedRow(
                id=seed.id,
                path=seed.path,
                revision=seed.revision,
                format=seed.format,
                url=seed.url or seed.canonical_url,
                title=seed.title,
                publisher=seed.publisher,
                date=seed.date,
                dated_by=seed.dated_by,
                published_evidence=seed.published_evidence,
                url_citations=int(urls or 0),
                attributions=int(names or 0),
                current=seed.superseded_at is None,
            )
        )
    return rows
