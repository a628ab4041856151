"""Read-only SQL over the tracker database, for `tracker sql` and for scripts.

Read-only by construction, not by inspecting the statement: SQLite is opened with a
`mode=ro` URI and `PRAGMA query_only`; PostgreSQL runs the statement in a READ ONLY transaction,
sent through the extended query protocol (psycopg with `prepare_threshold=0`), which takes one
statement only, so a `COMMIT; DELETE …` cannot end that transaction and write after it.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url

from tracker.errors import TrackerError

BUSY_TIMEOUT_MS = 30_000


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


def run_read_only(database_url: str, sql: str, params: Mapping[str, Any] | None = None) -> QueryResult:
    """Run one statement without any possibility of writing; raise QueryError if it fails."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _run_sqlite(url.database, sql, dict(params or {}))
    if url.get_backend_name() == "postgresql":
        return _run_postgresql(url, sql, dict(params or {}))
    return _run_sqlalchemy(url, sql, dict(params or {}))


def sqlite_read_only_uri(path: str | Path) -> str:
    return "file:" + quote(str(Path(path).resolve())) + "?mode=ro"


def _run_sqlite(path: str | None, sql: str, params: dict) -> QueryResult:
    if not path or path == ":memory:":
        raise QueryError("tracker sql needs a database file, not an in-memory database")
    if not Path(path).is_file():
        raise QueryError(f"no database at {path}: run `tracker run` first")
    connection = sqlite3.connect(sqlite_read_only_uri(path), uri=True)
    try:
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA query_only=ON")
        cursor = connection.execute(sql, params)
        columns = [d[0] for d in cursor.description or ()]
        return QueryResult(columns, cursor.fetchall())
    except (sqlite3.Error, sqlite3.Warning) as error:
        raise QueryError(_one_line(error)) from None
    finally:
        connection.close()


def _run_postgresql(url: URL, sql: str, params: dict) -> QueryResult:
    # Other drivers (psycopg2, pg8000) send a parameterless query with the simple protocol,
    # which runs any number of statements: the read-only guarantee needs psycopg 3.
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise QueryError("tracker sql on PostgreSQL needs the psycopg driver: pip install 'psycopg[binary]'") from None
    try:
        return _run_sqlalchemy(
            url.set(drivername="postgresql+psycopg"), sql, params, connect_args={"prepare_threshold": 0}
        )
    except QueryError as error:
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
    text = " ".join(str(value).split())  # newlines and tabs would break the row
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
    from sqlalchemy import create_engine, event

    from tracker.store.db import connect_check, is_current, make_engine

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = url.database
        if not path or path == ":memory:" or not Path(path).is_file():
            raise QueryError(f"no database at {path}: run `tracker run` first")
        uri = sqlite_read_only_uri(path)
        engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_connection, _record) -> None:
            dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            dbapi_connection.execute("PRAGMA query_only=ON")

    else:
        engine = make_engine(url)

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
