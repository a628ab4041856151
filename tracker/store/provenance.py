"""Small helpers that record how things were made: software versions and seed links."""

from __future__ import annotations

import json
from functools import cache
from importlib import metadata

from sqlalchemy import text
from sqlmodel import Session

from tracker.store.rows import flush_added


@cache
def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


@cache
def software(*packages: str) -> str:
    """JSON object of package -> installed version, always including tracker itself."""
    return json.dumps({name: package_version(name) for name in ("tracker", *packages)}, sort_keys=True)


def link_versions_to_seeds(session: Session, source_id: int) -> None:
    """Link every version of a source to every seed that cites it (idempotent)."""
    flush_added(session)
    session.connection().execute(_LINK, {"source_id": source_id})


_LINK = text("""
    INSERT INTO version_seeds (version_id, seed_id)
    SELECT DISTINCT v.id, c.seed_id
    FROM versions v JOIN citations c ON c.source_id = v.source_id
    WHERE v.source_id = :source_id
      AND NOT EXISTS (SELECT 1 FROM version_seeds l
                      WHERE l.version_id = v.id AND l.seed_id = c.seed_id)
""")
