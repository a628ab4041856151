"""Raw response bodies: compressed, content-addressed, stored once however often fetched."""

from __future__ import annotations

import hashlib
import zlib

from sqlalchemy import bindparam, select
from sqlmodel import Session

from tracker.store.rows import insert_rows
from tracker.store.tables import Body


def store_body(session: Session, data: bytes) -> str:
    """Store `data` unless an identical body is there already; returns its sha256."""
    digest = hashlib.sha256(data).hexdigest()
    if session.connection().execute(_STORED, {"sha256": digest}).first() is not None:  # not its content
        return digest
    # Level 1 compresses the shared corpus's pages to 0.206 of their size in 0.95 ms a page, where
    # level 6 gave 0.174 in 2.5 ms: bodies are read rarely (a re-extraction, a trail), stored per fetch.
    row = {"sha256": digest, "size": len(data), "content": zlib.compress(data, 1)}
    if session.get_bind().dialect.name == "postgresql":
        # Workers on other machines may store the same body at the same moment.
        from sqlalchemy.dialects.postgresql import insert

        session.execute(insert(Body).values(**row).on_conflict_do_nothing())
    else:
        insert_rows(session, Body, [row])
    return digest


_STORED = select(Body.__table__.c.sha256).where(Body.__table__.c.sha256 == bindparam("sha256"))


def load_body(session: Session, digest: str) -> bytes | None:
    body = session.get(Body, digest)
    if body is None:
        return None
    return zlib.decompress(body.content)
