"""Checks made before tracker touches a database, and what a damaged one is called.

Tracker writes only into a database that is empty or its own: one whose `alembic_version`
names a migration this tracker ships. A SQLite file is inspected through a read-only
connection first, so a file that belongs to another application, one written by a newer
tracker, or a damaged one is refused with one line and left exactly as it was (not even its
journal mode changes).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from tracker.errors import TrackerError
from tracker.store.revisions import known_revisions

BUSY_TIMEOUT_MS = 30_000  # how long a connection waits for a writer's lock before it fails


class DatabaseUnavailable(TrackerError, RuntimeError):
    """The database cannot be reached (server down, wrong URL or password, driver missing)."""


class DatabaseUrlError(DatabaseUnavailable):
    """The database URL is not a URL, or names a database tracker cannot use."""

    exit_status = 2


class DatabaseDamaged(DatabaseUnavailable):
    """The database file is corrupt (truncated, garbage in its header, schema or pages)."""

    exit_status = 3


class DatabaseTooNew(DatabaseUnavailable):
    """A newer tracker wrote this database: its schema revision is unknown here."""

    exit_status = 3


class ForeignDatabase(DatabaseUnavailable):
    """The database holds tables but is not tracker's: refused, left unchanged."""

    exit_status = 3


class DatabaseNotUpgraded(DatabaseUnavailable):
    """A read-only command met an older schema it cannot upgrade without writing."""

    exit_status = 3


def damaged_message(path: str | os.PathLike | None) -> str:
    where = str(path) if path else "data/tracker.db"
    return f"the database file is damaged: restore a backup, or try `sqlite3 {where} .recover`"


def is_damage(error: BaseException) -> bool:
    """True for SQLite's ways of saying the file is not a sound database."""
    text = str(getattr(error, "orig", None) or error).lower()
    return any(
        marker in text
        for marker in ("file is not a database", "malformed", "disk image is malformed", "database corrupt")
    )


def check_revisions(stamped: list[str]) -> None:
    unknown = [revision for revision in stamped if revision not in known_revisions()]
    if unknown:
        raise DatabaseTooNew(
            f"this database was written by a newer tracker (schema {', '.join(unknown)}); upgrade tracker"
        )


def sqlite_uri(path: str | os.PathLike, *, read_only: bool) -> str:
    """A `file:` URI; read-only adds `immutable=1` when the folder cannot be written, since
    SQLite could not create the -shm file WAL readers need there (nothing can write it either)."""
    path = Path(path).resolve()
    uri = "file:" + quote(str(path))
    if not read_only:
        return uri
    wal = Path(f"{path}-wal")
    pending = wal.exists() and wal.stat().st_size > 0  # immutable=1 would not read these changes
    return uri + ("?mode=ro" if folder_writable(path) or pending else "?mode=ro&immutable=1")


def folder_writable(path: Path) -> bool:
    return os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def preflight_sqlite(path: str | os.PathLike) -> list[str] | None:
    """Inspect an existing SQLite file read-only before anything writes to it.

    Returns the stamped revisions (empty for an empty database), or None when the file does not
    exist yet. Raises DatabaseDamaged, DatabaseTooNew or ForeignDatabase."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        if path.stat().st_size == 0:
            return []
        connection = sqlite3.connect(sqlite_uri(path, read_only=True), uri=True)
    except sqlite3.Error as error:
        raise DatabaseUnavailable(f"cannot open the database {path}: {error}") from None
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        stamped = []
        if "alembic_version" in tables:
            stamped = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.DatabaseError as error:
        if is_damage(error):
            raise DatabaseDamaged(damaged_message(path)) from None
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0 and not folder_writable(path.resolve()):
            raise DatabaseUnavailable(
                f"cannot read the database {path}: its last changes are still in {wal.name} and its folder "
                "is read-only; run any tracker command on it once with write access"
            ) from None
        raise DatabaseUnavailable(f"cannot read the database {path}: {error}") from None
    finally:
        connection.close()
    _check_owner(tables, stamped, str(path))
    return stamped


def preflight_engine(engine) -> list[str]:
    """The same check through an engine (PostgreSQL): what is there, before anything is created."""
    from sqlalchemy import inspect

    tables = set(inspect(engine).get_table_names())
    stamped = []
    if "alembic_version" in tables:
        with engine.connect() as connection:
            stamped = list(connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    _check_owner(tables, stamped, engine.url.render_as_string(hide_password=True))
    return stamped


def _check_owner(tables: set[str], stamped: list[str], where: str) -> None:
    if stamped:
        check_revisions(stamped)
        return
    others = sorted(name for name in tables if name != "alembic_version" and not name.startswith("sqlite_"))
    if others:
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise ForeignDatabase(
            f"{where} is not a tracker database (it has tables {shown} and no tracker schema): "
            "point database_url at a new file or an empty database; nothing was changed"
        )
