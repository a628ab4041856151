"""One run at a time: file locks on this machine (per data folder, and per SQLite file), an advisory
lock in PostgreSQL across machines; and one line when a run must wait for another writer."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.errors import TrackerError
from tracker.store.checks import preflight_sqlite
from tracker.store.db import Database, connect
from tracker.store.target import DatabaseTarget


class RunInProgress(TrackerError, RuntimeError):
    """Another `tracker run` holds the lock."""


@contextmanager
def run_lock(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock for the run, so a run started by the scheduler while the
    previous one is still going exits instead of competing with it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with _pid_lock(data_dir / "run.lock", "another tracker run is in progress"):
        yield


@contextmanager
def sqlite_database_lock(database: Database) -> Iterator[None]:
    """Hold `<database>.lock` for the run: two projects (two data folders) pointed at one SQLite
    file are kept apart as run_lock keeps two runs of one project apart, so they can never both
    record the same new seed revision. (PostgreSQL has database_lock.)"""
    target = DatabaseTarget.parse(database)
    if target.lock_file is None:
        yield
        return
    path = target.path.resolve()
    preflight_sqlite(path)  # nothing, not even a lock file, beside a database that is not ours
    path.parent.mkdir(parents=True, exist_ok=True)
    with _pid_lock(target.lock_file, f"another tracker run is in progress on {path}"):
        yield


@contextmanager
def _pid_lock(lock_path: Path, busy: str) -> Iterator[None]:
    """flock `lock_path` and write our pid in it; RunInProgress naming the holder if it is taken."""
    import fcntl

    with open(lock_path, "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "unknown"
            raise RunInProgress(f"{busy} (pid {holder})") from None
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
def database_lock(database: Database) -> Iterator[None]:
    """On PostgreSQL, also hold a session advisory lock in the database for the run, so runs on
    several machines that share one database exclude each other as run_lock does on one machine.
    The server releases it if the run dies with its connection. SQLite needs only run_lock."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    target = DatabaseTarget.parse(database)
    if not target.is_postgres:
        yield
        return
    engine = connect(target, poolclass=NullPool)  # the lock lives and dies with its connection
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


def say_if_waiting(database: Database, notify: Callable[..., None]) -> None:
    """If another process holds SQLite's write lock (a long transaction in `sqlite3`, say), say
    once that the run waits for it; the run's own busy timeout then does the waiting."""
    path = DatabaseTarget.parse(database).path
    if path is None or not path.is_file():
        return
    connection = sqlite3.connect(path, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.rollback()
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            notify(
                f"waiting for the database {path}: another process is writing to it",
                "waiting_for_lock",
                database=str(path),
            )
    finally:
        connection.close()
