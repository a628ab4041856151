import sqlite3

from alembic import command
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from tracker import tables  # noqa: F401
from tracker.db import alembic_config, open_database


def test_migration_creates_the_schema_from_an_empty_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    open_database(url).dispose()
    with sqlite3.connect(tmp_path / "new.db") as connection:
        created = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert set(SQLModel.metadata.tables) <= created
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (head,)


def test_models_and_migrations_do_not_drift(tmp_path):
    url = f"sqlite:///{tmp_path / 'check.db'}"
    open_database(url).dispose()
    command.check(alembic_config(url))  # raises if autogenerate would emit any operation


def test_upgrade_is_idempotent_and_connections_use_wal_and_foreign_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    open_database(url).dispose()
    engine = open_database(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    engine.dispose()
