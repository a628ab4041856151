import sqlite3

from alembic import command
from alembic.script import ScriptDirectory
from sqlmodel import Session, SQLModel

from tests.report_db import SEED_PATH
from tracker.read.report import seed_report
from tracker.store import tables, trail_tables, work_tables  # noqa: F401
from tracker.store.db import alembic_config, make_engine, open_database


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


def test_upgrade_from_the_first_schema_keeps_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0001")
    with sqlite3.connect(tmp_path / "old.db") as connection:
        connection.execute(
            "INSERT INTO sources (url, normalized_url, host, state, failures, first_cited_at) "
            "VALUES ('http://a.example/', 'http://a.example/', 'a.example', 'fetched', 0, "
            "'2026-01-01 00:00:00')"
        )
    open_database(url).dispose()
    with sqlite3.connect(tmp_path / "old.db") as connection:
        assert connection.execute("SELECT url, changes, check_interval FROM sources").fetchall() == [
            ("http://a.example/", 0, None)
        ]
    command.downgrade(alembic_config(url), "0001")  # and back down, cleanly


# Every view the migrations make (tests/test_postgres.py checks the same ones on PostgreSQL).
VIEWS = {
    "provenance_chain",
    "source_versions",
    "translations",
    "excerpt_texts",
    "seed_citations",
    "attributions",
    "failed_sources",
    "alignment_judgments",
    "original_periods",
    "cited_versions",
    "source_trails",
}


def test_query_views_are_created_and_dropped_by_the_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'views.db'}"
    open_database(url).dispose()
    with sqlite3.connect(tmp_path / "views.db") as connection:
        views = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='view'")}
        assert views >= VIEWS
        for view in VIEWS:  # each one compiles against the schema
            connection.execute(f"SELECT * FROM {view}").fetchall()
    command.downgrade(alembic_config(url), "0001")
    with sqlite3.connect(tmp_path / "views.db") as connection:
        assert not connection.execute("SELECT name FROM sqlite_master WHERE type='view'").fetchall()
    command.upgrade(alembic_config(url), "head")


def test_a_current_schema_is_recognized_without_alembic(tmp_path):
    from sqlalchemy import create_engine

    from tracker.store.db import is_current, script_head

    url = f"sqlite:///{tmp_path / 'fast.db'}"
    assert script_head() == ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    blank = create_engine(url)
    assert not is_current(blank)
    blank.dispose()
    engine = open_database(url)
    assert is_current(engine)
    command.downgrade(alembic_config(url), "0001")
    assert not is_current(engine)
    engine.dispose()


def test_language_status_columns_and_views_come_and_go_with_their_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'language.db'}"
    open_database(url).dispose()
    with sqlite3.connect(tmp_path / "language.db") as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(versions)")}
        assert {"language_status", "language_evidence"} <= columns
        for view, column in [
            ("source_versions", "language_status"),
            ("translations", "from_language_status"),
            ("provenance_chain", "original_language_status"),
        ]:
            names = [d[0] for d in connection.execute(f"SELECT * FROM {view}").description]
            assert column in names
    command.downgrade(alembic_config(url), "0006")
    with sqlite3.connect(tmp_path / "language.db") as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(versions)")}
        assert "language_status" not in columns
        names = [d[0] for d in connection.execute("SELECT * FROM source_versions").description]
        assert "language" in names and "language_status" not in names
    command.upgrade(alembic_config(url), "head")


# A child that dies (as with kill -9) after the first schema upgrade has created some tables.
DIE_MID_UPGRADE = """
import os, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine
created = []
@event.listens_for(Engine, "after_cursor_execute")
def die_after_a_few_tables(conn, cursor, statement, *args):
    if statement.lstrip().upper().startswith("CREATE TABLE"):
        created.append(statement)
        if len(created) == 5:
            os._exit(9)
from tracker.store.db import open_database
open_database(sys.argv[1])
"""


def test_a_run_killed_during_the_first_upgrade_leaves_a_database_the_next_run_upgrades(tmp_path):
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    child = subprocess.run([sys.executable, "-c", DIE_MID_UPGRADE, url], capture_output=True, text=True)
    assert child.returncode == 9, child.stderr

    # Python's sqlite3 committed each CREATE TABLE on its own: the file held tables and no
    # alembic_version, and every later command refused it as "not a tracker database".
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone() == (0,)
    open_database(url).dispose()
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        assert db.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_sentence_judgments_migration_keeps_a_populated_database(report_db):
    """0016 on a database `tracker run` filled: down to 0015 and up again keeps every alignment
    row; rows from before 0016 read as sentences of unknown position, not copied word for word,
    and the view and the report still read them."""
    database, url = report_db.database, report_db.database_url
    with sqlite3.connect(database) as connection:
        before = connection.execute("SELECT id, label, score, seed_text FROM alignments ORDER BY id").fetchall()
    assert before
    command.downgrade(alembic_config(url), "0015")
    with sqlite3.connect(database) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(alignments)")}
        assert "seed_sentence" not in columns and "verbatim" not in columns
        assert connection.execute("SELECT id, label, score, seed_text FROM alignments ORDER BY id").fetchall() == before
    command.upgrade(alembic_config(url), "head")
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT id, label, score, seed_text FROM alignments ORDER BY id").fetchall() == before
        assert set(connection.execute("SELECT seed_sentence, verbatim FROM alignment_judgments")) == {(None, 0)}
    engine = make_engine(url)
    with Session(engine) as session:
        report = seed_report(session, SEED_PATH)
    engine.dispose()
    assert {link["label"] for s in report["sentences"] for link in s["links"]} <= {row[1] for row in before}
