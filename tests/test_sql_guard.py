"""`tracker sql` reads only, touches no other file, can be cancelled, and works on a read-only
database in a read-only folder."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.children import popen

RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


@pytest.mark.parametrize(
    "statement",
    [
        "ATTACH DATABASE '{target}' AS x",
        "VACUUM INTO '{target}'",
        "/* a comment first */ vacuum into '{target}'",
    ],
)
def test_attach_and_vacuum_into_are_refused_before_any_file_is_made(populated, tracker, tmp_path, statement):
    target = tmp_path / "elsewhere" / "new.db"
    target.parent.mkdir()
    result = tracker("sql", statement.format(target=target))
    assert result.exit_code == 1
    assert "ATTACH, DETACH and VACUUM are not allowed in tracker sql" in result.output
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_detach_is_refused(populated, tracker):
    result = tracker("sql", "DETACH DATABASE main")
    assert result.exit_code == 1
    assert "not allowed" in result.output


@pytest.mark.parametrize("pragma", ["PRAGMA journal_mode=DELETE", "PRAGMA user_version = 7", "PRAGMA optimize"])
def test_pragmas_that_write_are_refused_clearly(populated, tracker, pragma):
    before = populated.database.read_bytes()
    result = tracker("sql", pragma)
    assert result.exit_code == 1
    assert "is not allowed in tracker sql (it only reads)" in result.output
    assert "disk I/O error" not in result.output
    assert populated.database.read_bytes() == before


def test_pragmas_that_read_still_work(populated, tracker):
    assert "journal_mode" in tracker("sql", "PRAGMA journal_mode").output
    assert "url" in tracker("sql", "PRAGMA table_info(sources)").output


def test_a_runaway_query_stops_at_the_timeout(populated, tracker):
    result = tracker("sql", "--timeout", "0.5", RUNAWAY)
    assert result.exit_code == 1
    assert "cancelled after 0.5 s" in result.output


def _tracker_process(*args: str, cwd: Path, env: dict | None = None, user: str | None = None) -> subprocess.Popen:
    command = [sys.executable, "-m", "tracker", *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *command]
    return popen(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_ctrl_c_cancels_the_statement_at_once(populated):
    process = _tracker_process("sql", "--timeout", "0", RUNAWAY, cwd=populated.project)
    time.sleep(1.5)  # let it start the statement (import, open, check the schema)
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1, err
    assert err.strip() == "tracker: sql: cancelled (Ctrl-C)"


def _nobody_can_run() -> str | None:
    if os.geteuid() != 0:
        return None  # already not root: permissions apply
    if shutil.which("setpriv") is None:
        return "running as root without setpriv: cannot drop to a user whom permissions bind"
    return None


def test_read_only_commands_work_on_a_read_only_database_in_a_read_only_folder(populated, tracker):
    reason = _nobody_can_run()
    if reason:
        pytest.skip(reason)
    tracker("sql", "SELECT 1")  # the schema is current
    home = Path(tempfile.mkdtemp(prefix="tracker-ro-"))
    try:
        project = home / "project"
        shutil.copytree(populated.project, project, symlinks=True)
        for path in [project, *project.rglob("*")]:
            if path.is_symlink():
                continue
            path.chmod(0o555 if path.is_dir() else 0o444)
        home.chmod(0o755)
        before = {p: p.stat().st_mtime_ns for p in project.rglob("*")}
        user = "nobody" if os.geteuid() == 0 else None
        env = {"TRACKER_CONFIG": str(project / "config.toml"), "HOME": str(home)}
        for args in (
            ("sql", "SELECT count(*) AS n FROM versions"),
            ("sources",),
            ("lookup", populated.url),
            ("export", "jsonl", "-"),
            ("diff", populated.url),
        ):
            process = _tracker_process(*args, cwd=project, env=env, user=user)
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, (args, err)
            assert "readonly" not in err
        assert {p: p.stat().st_mtime_ns for p in project.rglob("*")} == before
        assert not (project / "data" / "tracker.db-shm").exists() or "tracker.db-shm" in {p.name for p in before}
    finally:
        for path in [home, *home.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(home)


def test_a_read_only_folder_with_changes_left_in_the_wal_is_read_or_explained(populated, tracker):
    """immutable=1 would silently ignore the -wal file: with one present it is not used."""
    reason = _nobody_can_run()
    if reason:
        pytest.skip(reason)
    home = Path(tempfile.mkdtemp(prefix="tracker-ro-wal-"))
    try:
        project = home / "project"
        shutil.copytree(populated.project, project, symlinks=True)
        database = project / "data" / "tracker.db"
        # a writer that died without checkpointing: its last change is only in the -wal file
        import sqlite3

        writer = sqlite3.connect(database)
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE sources SET last_error = 'only-in-the-wal'")
        writer.commit()
        shutil.copy(database, home / "db.copy")
        shutil.copy(str(database) + "-wal", home / "wal.copy")
        writer.close()  # checkpoints; put the crash leftovers back
        shutil.copy(home / "db.copy", database)
        shutil.copy(home / "wal.copy", str(database) + "-wal")
        Path(str(database) + "-shm").unlink(missing_ok=True)
        for path in [project, *project.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o555 if path.is_dir() else 0o444)
        home.chmod(0o755)
        user = "nobody" if os.geteuid() == 0 else None
        env = {"TRACKER_CONFIG": str(project / "config.toml"), "HOME": str(home)}
        process = _tracker_process("sql", "SELECT last_error FROM sources", cwd=project, env=env, user=user)
        out, err = process.communicate(timeout=120)
        if process.returncode == 0:
            assert "only-in-the-wal" in out  # the change was read, not silently missed
        else:
            assert err.strip().endswith(
                "its last changes are still in tracker.db-wal and its folder is read-only; "
                "run any tracker command on it once with write access"
            ), err
    finally:
        for path in [home, *home.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(home)


def test_an_older_schema_in_a_read_only_folder_is_one_line(populated):
    reason = _nobody_can_run()
    if reason:
        pytest.skip(reason)
    from alembic import command

    from tracker.store.db import alembic_config

    home = Path(tempfile.mkdtemp(prefix="tracker-ro-old-"))
    try:
        project = home / "project"
        shutil.copytree(populated.project, project, symlinks=True)
        database = project / "data" / "tracker.db"
        command.downgrade(alembic_config(f"sqlite:///{database}"), "0006")
        for path in [project, *project.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o555 if path.is_dir() else 0o444)
        home.chmod(0o755)
        user = "nobody" if os.geteuid() == 0 else None
        env = {"TRACKER_CONFIG": str(project / "config.toml"), "HOME": str(home)}
        process = _tracker_process("sources", cwd=project, env=env, user=user)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 3, err
        assert err.strip() == (
            f"tracker: the database {database} has an older schema and cannot be written here: "
            "run `tracker db upgrade` where it can be"
        )
    finally:
        for path in [home, *home.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(home)


def test_control_characters_in_values_are_escaped_in_the_table_and_json(populated, tracker):
    """A page's text can hold ESC sequences and bidi overrides: printed raw they would clear the
    screen or reorder the line. CSV keeps the values exactly (it is for files)."""
    statement = "SELECT 'a' || char(27) || '[2J' || char(8238) || 'b' AS v"
    table = tracker("sql", statement)
    assert table.exit_code == 0 and "a\\x1b[2J\\u202eb" in table.output and "\x1b" not in table.output
    as_json = tracker("sql", "--json", statement)
    assert "\\u202e" in as_json.output and "\u202e" not in as_json.output
    assert json.loads(as_json.output) == [{"v": "a\x1b[2J\u202eb"}]
    assert "a\x1b[2J\u202eb" in tracker("sql", "--csv", statement).output
