"""Per-host politeness state (robots.txt, delays, Retry-After blocks) kept in the `hosts` table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from tracker.fetch.crawler import HostState
from tracker.store.rows import insert_rows
from tracker.store.work_tables import Host

_COLUMNS = [f.name for f in fields(HostState) if f.name != "changed"]


def load_hosts(session: Session, origins: Iterable[str]) -> dict[str, HostState]:
    """The stored state of each of `origins` that has one."""
    wanted = sorted(set(origins))
    states: dict[str, HostState] = {}
    for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
        rows = session.exec(select(Host).where(Host.origin.in_(wanted[start : start + 500]))).all()
        for row in rows:
            states[row.origin] = HostState(**{name: getattr(row, name) for name in _COLUMNS})
    return states


def save_hosts(session: Session, states: Iterable[HostState]) -> None:
    """Insert or update the rows of `states` (the caller commits). The state in hand is the
    origin's, whole: an UPDATE of its columns (a page's fetch changes one origin's times), an
    INSERT for an origin met for the first time. The lease columns are the workers' own."""
    for state in states:
        values = {name: getattr(state, name) for name in _COLUMNS if name != "origin"}
        updated = session.connection().execute(_UPDATE, {"host_origin": state.origin, **values})
        if updated.rowcount == 0:
            insert_rows(session, Host, [{"origin": state.origin, **values}])


# The columns it sets are the parameters it is given.
_UPDATE = update(Host.__table__).where(Host.__table__.c.origin == bindparam("host_origin"))
