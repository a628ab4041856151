"""Sources with their schedule: what `tracker sources` lists."""

from __future__ import annotations

from sqlmodel import Session, select

from tracker.store.tables import Source


def list_sources(session: Session, state: str | None = None) -> list[Source]:
    """Every source (or those in `state`), in the order they were first cited."""
    query = select(Source).order_by(Source.id)
    if state:
        query = query.where(Source.state == state)
    return list(session.exec(query))
