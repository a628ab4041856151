"""Read-only SQL over the tracker database, for `tracker sql` and for scripts.

Read-only by construction, not by inspecting the statement: SQLite is opened with a
`mode=ro` URI (`immutable=1` in a read-only folder) and `PRAGMA query_only`, and an authorizer
refuses ATTACH, DETACH, VACUUM (INTO) and pragmas that set something while the statement is
prepared, before any file is opened; PostgreSQL runs the statement in a READ ONLY transaction,
sent through the extended query protocol (psycopg with `prepare_threshold=0`), which takes one
statement only, so a `COMMIT; DELETE …` cannot end that transaction and write after it.
"""

from __future__ import annotations

import csv
import io
import json
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.errors import TrackerError
from tracker.terminal import shown

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

BUSY_TIMEOUT_MS = 30_000
DEFAULT_TIMEOUT = 60.0  # seconds a `tracker sql` statement may run before it is cancelled


class QueryError(TrackerError):
    """A query that could not run: bad SQL, a missing parameter, an attempted write."""

    def __str__(self) -> str:
        return f"sql: {super().__str__()}"


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def run_read_only(
    database_url: str, sql: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = DEFAULT_TIMEOUT
) -> QueryResult:
    """Run one statement without any possibility of writing; raise QueryError if it fails, runs
    longer than `timeout` seconds (None: no limit) or is interrupted (Ctrl-C cancels it at once)."""
    from tracker.store.reader import sqlite_file

    path = sqlite_file(database_url)
    if path is not None:  # the common case, without SQLAlchemy's import
        return _run_sqlite(str(path), sql, dict(params or {}), timeout)
    from tracker.store.target import DatabaseTarget

    url = DatabaseTarget.parse(database_url).url
    if url.get_backend_name() == "sqlite":
        return _run_sqlite(url.database, sql, dict(params or {}), timeout)
    if url.get_backend_name() == "postgresql":
        return _run_postgresql(url, sql, dict(params or {}), timeout)
    return _run_sqlalchemy(url, sql, dict(params or {}))


def sqlite_read_only_uri(path: str | Path) -> str:
    from tracker.store.checks import sqlite_uri

    return sqlite_uri(path, read_only=True)


# Pragmas that only report, even when given an argument (a table or index name).
_READING_PRAGMAS = frozenset(
    """table_info table_xinfo table_list index_info index_xinfo index_list foreign_key_list
    foreign_key_check integrity_check quick_check pragma_list function_list module_list
    collation_list database_list compile_options""".split()
)
# Pragmas that change something even without an argument.
_ACTING_PRAGMAS = frozenset("optimize shrink_memory wal_checkpoint incremental_vacuum".split())


def _authorizer(refused: list[str]):
    def authorize(action: int, arg1, arg2, _database, _trigger) -> int:
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            refused.append("ATTACH, DETACH and VACUUM are not allowed in tracker sql (it only reads)")
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name in _ACTING_PRAGMAS or (arg2 is not None and name not in _READING_PRAGMAS):
                refused.append(f"PRAGMA {name} with a value is not allowed in tracker sql (it only reads)")
                return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    return authorize


def _run_sqlite(path: str | None, sql: str, params: dict, timeout: float | None) -> QueryResult:
    if not path or path == ":memory:":
        raise QueryError("tracker sql needs a database file, not an in-memory database")
    if not Path(path).is_file():
        raise QueryError(f"no database at {path}: run `tracker run` first")
    connection = sqlite3.connect(sqlite_read_only_uri(path), uri=True)
    refused: list[str] = []
    try:
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA query_only=ON")
        connection.set_authorizer(_authorizer(refused))
        with _cancellable(connection, timeout) as stop:
            try:
                cursor = connection.execute(sql, params)
                columns = [d[0] for d in cursor.description or ()]
                rows = cursor.fetchall()
            except sqlite3.OperationalError:
                if stop.reason:
                    raise QueryError(stop.reason) from None
                raise
        return QueryResult(columns, rows)
    except (sqlite3.Error, sqlite3.Warning) as error:
        if refused:
            raise QueryError(refused[0]) from None
        from tracker.store.checks import DatabaseDamaged, damaged_message, is_damage

        if is_damage(error):
            raise DatabaseDamaged(damaged_message(path)) from None
        raise QueryError(_one_line(error)) from None
    finally:
        connection.close()


class _Stop:
    reason: str | None = None


@contextmanager
def _cancellable(connection: sqlite3.Connection, timeout: float | None) -> Iterator[_Stop]:
    """Ctrl-C and the time limit stop the running statement: SQLite calls the progress handler
    every few thousand instructions, and a non-zero return interrupts the statement. (A plain
    KeyboardInterrupt raised inside that handler would be swallowed by the sqlite3 module.)"""
    stop = _Stop()
    deadline = None if timeout is None else time.monotonic() + timeout

    def on_sigint(_signum, _frame) -> None:
        stop.reason = "cancelled (Ctrl-C)"

    def progress() -> int:
        if stop.reason is None and deadline is not None and time.monotonic() > deadline:
            stop.reason = f"cancelled after {timeout:g} s (--timeout SECONDS, 0 for no limit)"
        return 1 if stop.reason else 0

    connection.set_progress_handler(progress, 10_000)
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_sigint) if in_main else None
    try:
        yield stop
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
        connection.set_progress_handler(None, 0)


def _run_postgresql(url: URL, sql: str, params: dict, timeout: float | None = None) -> QueryResult:
    # Other drivers (psycopg2, pg8000) send a parameterless query with the simple protocol,
    # which runs any number of statements: the read-only guarantee needs psycopg 3.
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise QueryError("tracker sql on PostgreSQL needs the psycopg driver: pip install 'psycopg[binary]'") from None
    # statement_timeout is the server's own limit; psycopg 3 sends a cancel request on Ctrl-C.
    options = f"-c statement_timeout={int(timeout * 1000)}" if timeout else ""
    try:
        return _run_sqlalchemy(
            url.set(drivername="postgresql+psycopg"),
            sql,
            params,
            connect_args={"prepare_threshold": 0, **({"options": options} if options else {})},
        )
    except KeyboardInterrupt:
        raise QueryError("cancelled (Ctrl-C)") from None
    except QueryError as error:
        if "statement timeout" in str(error):
            raise QueryError(f"cancelled after {timeout:g} s (--timeout SECONDS, 0 for no limit)") from None
        if "multiple commands" in str(error):
            raise QueryError(f"one statement at a time ({error})") from None
        raise


def _run_sqlalchemy(url: URL, sql: str, params: dict, connect_args: dict | None = None) -> QueryResult:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.store.db import make_engine

    engine = make_engine(url, connect_args=connect_args or {})
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")  # the transaction's first statement
            result = connection.execute(text(sql), params)
            columns = list(result.keys()) if result.returns_rows else []
            rows = [tuple(row) for row in result] if result.returns_rows else []
            connection.rollback()
            return QueryResult(columns, rows)
    except SQLAlchemyError as error:
        raise QueryError(_one_line(getattr(error, "orig", None) or error)) from None
    finally:
        engine.dispose()


def _one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def parse_params(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """NAME=VALUE pairs from the command line."""
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param wants NAME=VALUE, got {pair!r}")
        params[name.strip().lstrip(":")] = value
    return params


# Output formats. Table cells are cut short so one row stays one line; CSV and JSON are whole.
TABLE_CELL_WIDTH = 60


def to_table(result: QueryResult) -> str:
    cells = [[_cell(v) for v in row] for row in result.rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(result.columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(result.columns, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    # Newlines and tabs would break the row; ESC, bidi overrides and the like, from a page's
    # text, would drive the terminal (tracker/terminal.py).
    text = shown(" ".join(str(value).split()))
    return text if len(text) <= TABLE_CELL_WIDTH else text[: TABLE_CELL_WIDTH - 1] + "…"


def to_csv(result: QueryResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([[_plain(v) for v in row] for row in result.rows])
    return out.getvalue().rstrip("\n")


def to_json(result: QueryResult) -> str:
    rows = [{k: _plain(v) for k, v in row.items()} for row in result.as_dicts()]
    return json.dumps(rows, ensure_ascii=False, indent=2, default=str)


def _plain(value: Any) -> Any:
    return value.hex() if isinstance(value, bytes) else value


def read_only_engine(database_url: str):
    """An SQLAlchemy engine that cannot write, for the pages `tracker serve` shows: SQLite opened
    with a `mode=ro` URI and `PRAGMA query_only`, PostgreSQL sessions READ ONLY. The schema must
    be current already (a read-only connection cannot upgrade it)."""
    from sqlalchemy import event
    from sqlalchemy.pool import QueuePool

    from tracker.store.db import connect_check, is_current, make_engine
    from tracker.store.target import DatabaseTarget

    target = DatabaseTarget.parse(database_url)
    if target.backend == "sqlite":
        if target.path is None or not target.path.is_file():
            raise QueryError(f"no database at {target.url.database}: run `tracker run` first")
        # `tracker serve` runs pages in Starlette's thread pool. SingletonThreadPool (what a
        # "sqlite://" engine gets) closed connections under other threads and crashed it at a few
        # concurrent requests; QueuePool lends each connection to one thread at a time, and the
        # thread pool bounds how many are out, so the overflow need not (a full pool would time
        # out as a 500).
        engine = make_engine(target, read_only=True, poolclass=QueuePool, max_overflow=-1)
    else:
        engine = make_engine(target)

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            cursor.close()
            dbapi_connection.commit()

    connect_check(engine)
    if not is_current(engine):
        engine.dispose()
        raise QueryError("the database schema is not the newest: run `tracker db upgrade` first")
    return engine
