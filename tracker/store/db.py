"""Database connection and schema upgrades.

SQLite gets WAL (readers never wait for the writer), foreign keys and a busy timeout on every
connection. PostgreSQL sessions run in UTC, whatever the server's time zone, so timestamps read
and compare as they do on SQLite (UTC, 'YYYY-MM-DD HH:MM:SS.ffffff' literals). The schema is
owned by the Alembic migrations in migrations/ (packaged as tracker.migrations); `open_database`
upgrades it before anything else touches the database.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError

from tracker.store.checks import (
    BUSY_TIMEOUT_MS,
    DatabaseDamaged,
    DatabaseNotUpgraded,
    DatabaseUnavailable,
    check_revisions,
    damaged_message,
    is_damage,
    preflight_engine,
    preflight_sqlite,
    sqlite_uri,
)
from tracker.store.revisions import MIGRATIONS_DIR, script_head
from tracker.store.target import DatabaseTarget

UPGRADE_LOCK_KEY = int.from_bytes(b"trackeru", "big")  # advisory lock held while upgrading on PostgreSQL


Database = str | URL | DatabaseTarget  # what the functions below accept; parsed once into a target


def make_engine(database: Database, *, read_only: bool = False, **engine_options) -> Engine:
    """An engine with tracker's session settings; `read_only` (or a reading target) opens a
    SQLite file with `mode=ro` (and `immutable=1` in a folder that cannot be written) and never
    writes to it."""
    target = DatabaseTarget.parse(database)
    read_only = read_only or target.read_only
    if target.path is not None and not read_only:
        target.path.parent.mkdir(parents=True, exist_ok=True)
    if target.path is not None and read_only:
        import sqlite3

        uri = sqlite_uri(target.path, read_only=True)
        engine_options["creator"] = lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
    engine = create_engine(target.url, **engine_options)
    if target.backend == "sqlite":
        event.listen(engine, "connect", _sqlite_read_only_pragmas if read_only else _sqlite_pragmas)
    elif target.is_postgres:
        event.listen(engine, "connect", _postgresql_session)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses no committed data
    cursor.close()


def _sqlite_read_only_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _postgresql_session(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.close()
    dbapi_connection.commit()  # a SET outlives its transaction once committed


def alembic_config(database_url: str):
    from alembic.config import Config

    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise RuntimeError(f"migrations not found at {MIGRATIONS_DIR}: run tracker from a checkout")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def is_current(engine: Engine) -> bool:
    head = script_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            current = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    except DBAPIError:  # no alembic_version table yet
        return False
    return current == [head]


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already)."""
    if is_current(engine):
        return
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    migrating = _transactional_ddl(engine) if engine.dialect.name == "sqlite" else engine
    try:
        with migrating.begin() as connection:
            if engine.dialect.name == "postgresql":  # workers starting together upgrade one at a time
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({UPGRADE_LOCK_KEY})")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if migrating is not engine:
            migrating.dispose()


def _transactional_ddl(engine: Engine) -> Engine:
    """An engine on the same SQLite file whose transactions hold DDL too. Python's sqlite3 opens a
    transaction only before INSERT/UPDATE/DELETE, so each CREATE TABLE of a migration committed on
    its own: a run killed during the first upgrade left tables without `alembic_version`, a
    database every later run refused as not tracker's. Here sqlite3 is told to stay out of it
    and the transaction starts with an explicit BEGIN IMMEDIATE."""
    from sqlalchemy.pool import NullPool

    migrating = make_engine(engine.url, poolclass=NullPool)

    @event.listens_for(migrating, "connect")
    def _autocommit_driver(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(migrating, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return migrating


def connect_check(engine: Engine) -> None:
    """Connect once, so an unreachable database is one clear error rather than a traceback
    from deep inside the first query."""
    from sqlalchemy.exc import OperationalError

    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        if is_damage(error):
            raise DatabaseDamaged(damaged_message(engine.url.database)) from None
        lines = str(error.orig or error).strip().splitlines()
        reason = lines[0] if lines else type(error).__name__
        raise DatabaseUnavailable(f"cannot connect to the database {where}: {reason}") from None


def connect(database: Database, *, read_only: bool = False, **engine_options) -> Engine:
    """An engine that has connected once; DatabaseUnavailable if it cannot."""
    try:
        engine = make_engine(database, read_only=read_only, **engine_options)
    except ModuleNotFoundError as error:  # the URL names a driver that is not installed
        raise DatabaseUnavailable(
            f"the database URL needs the Python package {error.name!r} "
            "(tracker is tested on PostgreSQL with postgresql+psycopg://… and "
            "pip install 'psycopg[binary]')"
        ) from None
    connect_check(engine)
    return engine


def open_database(database: Database, **engine_options) -> Engine:
    """An engine on the database, its schema upgraded: checked first to be empty or tracker's own
    (ForeignDatabase, DatabaseTooNew, DatabaseDamaged otherwise, with nothing written).
    `engine_options` go to SQLAlchemy (a worker's pool size, connection arguments)."""
    target = DatabaseTarget.parse(database)
    if target.path is not None:
        preflight_sqlite(target.path)
        engine = connect(target, **engine_options)
    else:
        engine = connect(target, **engine_options)
        try:
            preflight_engine(engine)
        except BaseException:
            engine.dispose()
            raise
    try:
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def open_read_only(database: Database) -> Engine:
    """An engine for commands that only read: a SQLite file is opened `mode=ro` (`immutable=1`
    when its folder is read-only), so read-only files and folders can be read. A missing file is
    created (an empty, current schema); an older schema is upgraded first if it can be written."""
    target = DatabaseTarget.parse(database)
    if target.path is None:
        return open_database(target)
    stamped = preflight_sqlite(target.path)
    head = script_head()
    if stamped is None or (stamped != [head] and _writable(target.path)):
        open_database(target).dispose()
    elif stamped != [head]:
        check_revisions(stamped)
        raise DatabaseNotUpgraded(
            f"the database {target.path} has an older schema and cannot be written here: "
            "run `tracker db upgrade` where it can be"
        )
    return connect(target.reading())


def _writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK) and os.access(path.resolve().parent, os.W_OK)
