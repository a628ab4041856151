"""One run at a time: a file lock on this machine, and an advisory lock in PostgreSQL across machines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.errors import TrackerError
from tracker.store.db import connect


class RunInProgress(TrackerError, RuntimeError):
    """Another `tracker run` holds the lock."""


@contextmanager
def run_lock(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock for the run, so a run started by the scheduler while the
    previous one is still going exits instead of competing with it."""
    import fcntl

    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "run.lock", "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "unknown"
            raise RunInProgress(f"another tracker run is in progress (pid {holder})") from None
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(str(os.getpid()))
        lock_file.flush()
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


# The key of the advisory lock a run holds on PostgreSQL: "tracker" in ASCII, as a bigint.
RUN_LOCK_KEY = int.from_bytes(b"tracker", "big")


@contextmanager
def database_lock(database_url: str) -> Iterator[None]:
    """On PostgreSQL, also hold a session advisory lock in the database for the run, so runs on
    several machines that share one database exclude each other as run_lock does on one machine.
    The server releases it if the run dies with its connection. SQLite needs only run_lock."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    from tracker.store.checks import parse_database_url

    if parse_database_url(database_url).get_backend_name() != "postgresql":
        yield
        return
    engine = connect(database_url, poolclass=NullPool)  # the lock lives and dies with its connection
    key = {"key": RUN_LOCK_KEY}
    try:
        with engine.connect() as connection:
            locked = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar_one()
            connection.commit()
            if not locked:
                raise RunInProgress(
                    "another tracker run is in progress on this database "
                    f"(it holds PostgreSQL advisory lock {RUN_LOCK_KEY})"
                )
            try:
                yield
            finally:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
                    connection.commit()
                except DBAPIError:
                    pass  # the connection is gone, and the lock went with it
    finally:
        engine.dispose()
