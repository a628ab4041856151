"""Runs that share one SQLite database exclude each other, and a run that must wait says so.

`run_lock` in the data folder keeps two runs of one project apart; two projects (two data
folders) pointed at one database file are kept apart here, by a lock file beside the database
(PostgreSQL has its advisory lock), so they can never both record the same new seed revision.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.store.checks import parse_database_url, preflight_sqlite


@contextmanager
def sqlite_database_lock(database_url: str, busy: Callable[[str], Exception]) -> Iterator[None]:
    """Hold `<database>.lock` for the run; raise busy(message) when another run holds it."""
    import fcntl

    url = parse_database_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield
        return
    path = Path(url.database).resolve()
    preflight_sqlite(path)  # nothing, not even a lock file, beside a database that is not ours
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "unknown"
            raise busy(f"another tracker run is in progress on {path} (pid {holder})") from None
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(str(os.getpid()))
        lock_file.flush()
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def say_if_waiting(database_url: str, notify: Callable[..., None]) -> None:
    """If another process holds SQLite's write lock (a long transaction in `sqlite3`, say), say
    once that the run waits for it; the run's own busy timeout then does the waiting."""
    url = parse_database_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or not Path(url.database).is_file():
        return
    connection = sqlite3.connect(url.database, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.rollback()
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            notify(
                f"waiting for the database {url.database}: another process is writing to it",
                "waiting_for_lock",
                database=url.database,
            )
    finally:
        connection.close()
