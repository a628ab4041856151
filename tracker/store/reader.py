"""Reading the database with plain SQL, for the commands that only read and must start fast.

`tracker lookup`, `sources` and `seeds list` read through a Reader: one SQL statement at a time,
rows as dicts of Python values, the same on SQLite and PostgreSQL. On a SQLite file it is a
read-only `sqlite3` connection, so those commands import neither SQLAlchemy nor SQLModel (a few
hundred milliseconds at every start); elsewhere it is an SQLAlchemy connection. A Reader also
wraps a Session, so the server and the tests call the same functions.

Columns are those of tracker/store/columns.py, in the table classes' order; datetimes come back
as aware UTC datetimes and booleans as bools, as the table classes give them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from tracker.store.checks import BUSY_TIMEOUT_MS, DatabaseUnavailable, preflight_sqlite, sqlite_uri
from tracker.store.columns import BOOLEANS, COLUMNS, DATETIMES
from tracker.store.revisions import script_head

# A plain SQLite file URL; anything else (a query string, %-escapes, another driver) is left to SQLAlchemy.
_SQLITE_FILE = re.compile(r"sqlite(?:\+pysqlite)?:///([^?#%]+)")


class Row(dict):
    """One row: its columns by name, as keys or as attributes (`row["url"]`, `row.url`)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Reader:
    """Runs SELECTs with `:name` parameters; a list parameter stands for an `IN (…)` list."""

    def __init__(self, connection: Any, run: Callable[[str, dict], list], dialect: str) -> None:
        self.connection = connection  # the sqlite3 or SQLAlchemy connection it reads through
        self._run = run
        self.dialect = dialect

    def rows(self, table: str, rest: str, /, **params: Any) -> list[Row]:
        """Every column of `table` ("versions", or "versions v" with its alias) for `rest`, the
        statement from its FROM on."""
        return [found for (found,) in self.joined(table, rest, **params)]

    def row(self, table: str, rest: str, /, **params: Any) -> Row | None:
        found = self.rows(table, rest + " LIMIT 1", **params)
        return found[0] if found else None

    def get(self, table: str, row_id: int) -> Row | None:
        return self.row(table, f"FROM {table} WHERE id = :row_id", row_id=row_id)

    def joined(self, tables: str, rest: str, /, **params: Any) -> list[tuple]:
        """Every column of each of `tables` ("citations c, seeds s"): per result row, one Row per
        table (None where an outer join found none), then the plain values of any columns `rest`
        adds (", n.urls FROM …")."""
        shapes = [_shape(*spec.split()) for spec in tables.split(",")]
        select = ", ".join(shape.select for shape in shapes)
        found = []
        for values in self.values(f"SELECT {select}{'' if rest.startswith(',') else ' '}{rest}", **params):
            rows, start = [], 0
            for shape in shapes:
                part = values[start : start + len(shape.names)]
                rows.append(None if all(v is None for v in part) else shape.row(part))  # an outer join's miss
                start += len(shape.names)
            found.append((*rows, *values[start:]))
        return found

    def values(self, sql: str, /, **params: Any) -> list[tuple]:
        """The plain values of any SELECT."""
        sql, bound = self._bind(sql, params)
        return [tuple(values) for values in self._run(sql, bound)]

    def _bind(self, sql: str, params: Mapping[str, Any]) -> tuple[str, dict]:
        bound: dict[str, Any] = {}
        for name, value in params.items():
            if isinstance(value, (list, tuple, set, frozenset)):
                names = [f"{name}_{i}" for i in range(len(value))]
                bound.update(zip(names, (self._value(v) for v in value)))
                listed = ", ".join(f":{n}" for n in names) or "NULL"  # IN (NULL) holds for no row
                sql = re.sub(rf"(?<![:\w]):{name}\b", listed, sql)
            else:
                bound[name] = self._value(value)
        return sql, bound

    def _value(self, value: Any) -> Any:
        if isinstance(value, datetime) and self.dialect == "sqlite":  # as SQLAlchemy stores it there
            value = value.astimezone(UTC) if value.tzinfo else value
            return (
                f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
                f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
            )
        return value


class _Shape:
    def __init__(self, table: str, alias: str) -> None:
        self.names = tuple(COLUMNS[table].split())
        self.select = ", ".join(f"{alias}.{name}" for name in self.names)
        datetimes, booleans = set(DATETIMES.get(table, "").split()), set(BOOLEANS.get(table, "").split())
        self._convert = [_utc if name in datetimes else _boolean if name in booleans else None for name in self.names]

    def row(self, values) -> Row:
        return Row(
            (name, value if convert is None or value is None else convert(value))
            for name, convert, value in zip(self.names, self._convert, values)
        )


@cache
def _shape(table: str, alias: str | None = None) -> _Shape:
    return _Shape(table, alias or table)


def _utc(value: datetime | str) -> datetime:
    """What UTCDateTime gives: SQLite's text read as UTC, a server's timestamp in UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


def _boolean(value: Any) -> bool:
    return bool(value)


def reader_of(handle: Any) -> Reader:
    """A Reader over a sqlite3 connection, an SQLAlchemy connection or Session, or a Reader."""
    if isinstance(handle, Reader):
        return handle
    if isinstance(handle, sqlite3.Connection):
        return Reader(handle, lambda sql, params: handle.execute(sql, params).fetchall(), "sqlite")
    from sqlalchemy import text

    connection = handle.connection() if hasattr(handle, "get_bind") else handle  # a Session: its connection
    return Reader(connection, lambda sql, params: connection.execute(text(sql), params).all(), connection.dialect.name)


def sqlite_file(database_url: str) -> Path | None:
    """The file of a plain `sqlite:///PATH` URL (None for any other URL)."""
    found = _SQLITE_FILE.fullmatch(database_url) if isinstance(database_url, str) else None
    if found is None or found.group(1) == ":memory:":
        return None
    return Path(found.group(1))


@contextmanager
def open_reader(database_url: str) -> Iterator[Reader]:
    """A Reader on the database, checked and upgraded as `open_read_only` does (a SQLite file
    whose schema is current is only read, through sqlite3)."""
    path = sqlite_file(database_url)
    if path is None:
        from tracker.store.db import open_read_only

        engine = open_read_only(database_url)
        try:
            with engine.connect() as connection:
                yield reader_of(connection)
        finally:
            engine.dispose()
        return
    connection = _open_sqlite(database_url, path)
    try:
        yield reader_of(connection)
    finally:
        connection.close()


def _open_sqlite(database_url: str, path: Path) -> sqlite3.Connection:
    if preflight_sqlite(path) != [script_head()]:  # missing, older or unclear: created, upgraded or refused
        from tracker.store.db import open_read_only

        open_read_only(database_url).dispose()
    connection = None
    try:
        connection = sqlite3.connect(sqlite_uri(path, read_only=True), uri=True)
        connection.execute("PRAGMA query_only=ON")
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except sqlite3.Error as error:
        if connection is not None:
            connection.close()
        raise DatabaseUnavailable(f"cannot connect to the database {database_url}: {error}") from None
    return connection
