"""The questions every stage asks of a source's versions, answered in one place.

- `latest_original`: the newest capture of ours (what the page says now), or the newest archived copy.
- `newest_translation`: the newest ready translation of an original into one language.
- `sentence_rows`: a version's sentences, in order.
- `text_in_language`: the newest text of a source in a language: the original (our newest
  capture, else the newest archived copy) if it is in that language, else its newest ready
  translation (what excerpts are aligned against).

The original in force at a date, which only `tracker lookup` asks, is `version_in_force` in
tracker/read/lookup.py, in plain SQL like the rest of a lookup.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Row
from sqlmodel import Session

from tracker.store.rows import query
from tracker.store.tables import Sentence, Version

# Each question finds the version's id in plain SQL (statements built once), then the object by
# `session.get`, which the session often holds already: a fraction of an ORM query's cost, and
# these are asked several times a page.
_table = Version.__table__
_NEWEST = select(_table.c.id).order_by(_table.c.id.desc()).limit(1)
_NEWEST_OF_KIND = _NEWEST.where(_table.c.source_id == bindparam("source_id"), _table.c.kind == bindparam("kind"))
_NEWEST_ORIGINAL = _NEWEST.where(
    _table.c.source_id == bindparam("source_id"),
    _table.c.kind == "original",
    _table.c.archived == bindparam("archived"),
)
_NEWEST_TRANSLATION = _NEWEST.where(
    _table.c.parent_id == bindparam("original_id"),
    _table.c.kind == "translated",
    _table.c.language == bindparam("language"),
    _table.c.status == "ready",
)
_SENTENCES = (
    Sentence.__table__.select()
    .where(Sentence.__table__.c.version_id == bindparam("version_id"))
    .order_by(Sentence.__table__.c.position)
)


def _newest(session: Session, statement, **params) -> Version | None:
    version_id = query(session, statement, **params).scalar()
    return None if version_id is None else session.get(Version, version_id)


def latest_version(session: Session, source_id: int, kind: str) -> Version | None:
    return _newest(session, _NEWEST_OF_KIND, source_id=source_id, kind=kind)


def latest_original(session: Session, source_id: int, *, archived: bool = False) -> Version | None:
    """The newest original of ours, or with `archived` the newest archived copy."""
    return _newest(session, _NEWEST_ORIGINAL, source_id=source_id, archived=archived)


def newest_translation(session: Session, original: Version, language: str) -> Version | None:
    return _newest(session, _NEWEST_TRANSLATION, original_id=original.id, language=language)


def text_in_language(session: Session, source_id: int, language: str) -> Version | None:
    original = latest_original(session, source_id) or latest_original(session, source_id, archived=True)
    if original is None or original.language == language:
        return original
    return newest_translation(session, original, language)


def sentence_rows(session: Session, version_id: int) -> list[Row]:
    """The sentences of a version in order, as plain rows (`position`, `char_start`, `char_end`,
    `parent_start`, `parent_end`): read-only, and a few times cheaper than objects, at hundreds a page."""
    return list(query(session, _SENTENCES, version_id=version_id))
