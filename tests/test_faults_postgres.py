"""The database faults on PostgreSQL: another application's database refused and untouched, a
newer schema refused, a runaway `tracker sql` statement cancelled at the timeout."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text


def _one_line(result, status: int, expected: str) -> None:
    assert result.exit_code == status, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.output


def test_another_applications_postgresql_database_is_refused_untouched(project, tracker, monkeypatch, postgres_url):
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE customers (id integer PRIMARY KEY, name text)"))
    monkeypatch.setenv("TRACKER_DATABASE_URL", postgres_url)
    for command in (("run",), ("db", "upgrade"), ("sources",), ("sql", "SELECT 1")):
        _one_line(tracker(*command), 3, "is not a tracker database (it has tables customers")
    assert inspect(engine).get_table_names() == ["customers"]
    engine.dispose()


def test_a_postgresql_database_from_a_newer_tracker_is_refused(project, tracker, monkeypatch, postgres_url):
    monkeypatch.setenv("TRACKER_DATABASE_URL", postgres_url)
    assert tracker("db", "upgrade").exit_code == 0
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    for command in (("db", "upgrade"), ("sources",), ("run",)):
        _one_line(tracker(*command), 3, "written by a newer tracker (schema 0099); upgrade tracker")


def test_a_runaway_postgresql_statement_stops_at_the_timeout(project, tracker, monkeypatch, postgres_url):
    monkeypatch.setenv("TRACKER_DATABASE_URL", postgres_url)
    result = tracker("sql", "--timeout", "0.5", "SELECT pg_sleep(30)")
    _one_line(result, 1, "sql: cancelled after 0.5 s")


def test_ctrl_c_cancels_a_postgresql_statement(project, postgres_url):
    import os
    import signal
    import subprocess
    import sys
    import time

    from sqlalchemy.engine import make_url

    from tests.children import popen
    from tracker.store.db import open_database

    open_database(postgres_url).dispose()
    process = popen(
        [sys.executable, "-m", "tracker", "sql", "--timeout", "0", "SELECT pg_sleep(60)"],
        cwd=project,
        env={**os.environ, "TRACKER_DATABASE_URL": postgres_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    engine = create_engine(postgres_url)
    database = make_url(postgres_url).database
    query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND query LIKE 'SELECT pg_sleep(60)%'")
    try:
        for _ in range(600):  # until the statement runs on the server
            with engine.connect() as connection:
                if connection.execute(query, {"db": database}).scalar():
                    break
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 1, err
        assert err.strip() == "tracker: sql: cancelled (Ctrl-C)"
        with engine.connect() as connection:  # cancelled on the server too, not left running
            assert connection.execute(query, {"db": database}).scalar() == 0
    finally:
        if process.poll() is None:
            process.kill()
        engine.dispose()
