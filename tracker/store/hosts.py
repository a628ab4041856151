"""Per-host politeness state (robots.txt, delays, Retry-After blocks) kept in the `hosts` table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields

from sqlmodel import Session, select

from tracker.fetch.crawler import HostState
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
    """Insert or update the rows of `states` (the caller commits)."""
    for state in states:
        row = session.get(Host, state.origin) or Host(origin=state.origin)
        for name in _COLUMNS:
            setattr(row, name, getattr(state, name))
        session.add(row)
