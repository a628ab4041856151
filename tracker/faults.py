"""What a failure that is not a bug says: one line and an exit status (see docs/errors.md).

`one_line` is the CLI's single translation from an exception to that line; it returns None for
anything it does not recognise, which is then a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from typing import Any

from tracker.errors import TrackerError

# Commands that write to the database: only after these is "work committed so far is kept" true.
WRITING_COMMANDS = frozenset({"run", "retranslate", "models", "db"})


def one_line(error: BaseException, settings: Any = None, command: str | None = None) -> tuple[str, int] | None:
    import sqlite3

    from tracker.store.checks import damaged_message, is_damage

    if isinstance(error, TrackerError):
        return str(error), error.exit_status
    # SQLAlchemy's errors, once something imported it (a read command on SQLite need not), and
    # sqlite3's own, raised through tracker/store/reader.py
    database_errors, operational_errors = _database_errors()
    if isinstance(error, (sqlite3.DatabaseError, *database_errors)) and is_damage(error):
        return damaged_message(_database_file(settings)), 3
    if _is_unknown_revision(error):
        return "this database was written by a newer tracker (schema unknown here); upgrade tracker", 3
    if isinstance(error, (OSError, sqlite3.OperationalError, *operational_errors)):
        # The machine, not tracker: a full disk, a read-only or missing folder. Every source
        # finished before this was committed on its own, so the next run resumes from here.
        lines = str(getattr(error, "orig", None) or error).strip().splitlines()
        reason = lines[0] if lines else type(error).__name__
        kept = " (work committed so far is kept)" if command in WRITING_COMMANDS else ""
        return f"stopped: {reason}{kept}", 1
    return None


def _database_errors() -> tuple[tuple[type, ...], tuple[type, ...]]:
    errors = sys.modules.get("sqlalchemy.exc")
    if errors is None:
        return (), ()
    return (errors.DatabaseError,), (errors.OperationalError,)


def _database_file(settings: Any) -> str | None:
    url = getattr(settings, "database_url", None)
    if not url:
        return None
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001  (only a hint for the message)
        return None
    return parsed.database if parsed.get_backend_name() == "sqlite" else None


def _is_unknown_revision(error: BaseException) -> bool:
    # Only Alembic raises its CommandError: if nothing imported Alembic, this error is not one,
    # and a read command's error line does not pay Alembic's import (about 0.1 s).
    alembic_errors = sys.modules.get("alembic.util.exc")
    if alembic_errors is None:
        return False
    return isinstance(error, alembic_errors.CommandError) and "Can't locate revision" in str(error)
