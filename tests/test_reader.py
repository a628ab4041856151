"""The read commands import only what they use (tracker/store/reader.py): `lookup`, `sql`,
`sources` and `seeds list` check the schema and read a SQLite file without Alembic, SQLModel,
SQLAlchemy or the fetch and extraction libraries, and `serve` starts without Alembic. What each
command imported is read from `sys.modules` of a fresh interpreter, at its exit."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.children import popen
from tracker.read.lookup import lookup
from tracker.store.reader import open_reader, reader_of, sqlite_file
from tracker.store.target import DatabaseTarget

pytestmark = pytest.mark.subprocess

REPO = Path(__file__).resolve().parent.parent
# Runs tracker's CLI in a fresh interpreter and writes the names of every module it imported.
MODULES_AT_EXIT = textwrap.dedent("""
    import atexit, json, runpy, sys
    out = sys.argv[1]
    atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
    sys.argv = ["tracker", *sys.argv[2:]]
    runpy.run_module("tracker", run_name="__main__")
""")
NEVER = ("alembic", "sqlmodel", "trafilatura", "httpx", "langdetect", "argostranslate", "numpy", "lxml")
NOT_ON_SQLITE = ("sqlalchemy", "tracker.store.tables")


def environment(tmp_path: Path, database_url: str) -> dict[str, str]:
    (tmp_path / "config.toml").write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    return {
        **os.environ,
        "TRACKER_CONFIG": str(tmp_path / "config.toml"),
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }


def modules_imported(tmp_path: Path, database_url: str, *args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    out = tmp_path / "modules.json"
    out.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", MODULES_AT_EXIT, str(out), *args],
        env=environment(tmp_path, database_url),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    return done, set(json.loads(out.read_text()))


def heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The modules of `names` (packages included) among `modules`."""
    return sorted(m for m in modules if any(m == name or m.startswith(name + ".") for name in names))


@pytest.mark.parametrize(
    "command",
    [
        ["lookup", "{url}"],
        ["lookup", "{url}", "--json", "--at", "2999-01-01"],
        ["lookup", "{url}", "--versions"],
        ["lookup", "https://nowhere.example/x"],  # not found: its error line too
        ["sql", "SELECT COUNT(*) FROM sources"],
        ["sql", "--query", "failed_sources"],
        ["sources", "--json"],
        ["seeds", "list"],
    ],
)
def test_read_commands_on_sqlite_import_neither_sqlalchemy_nor_alembic(populated, tmp_path, command):
    args = [part.format(url=populated.url) for part in command]
    done, modules = modules_imported(tmp_path, populated.database_url, *args)
    assert done.returncode == (1 if "nowhere" in args[-1] else 0), done.stderr
    assert done.stdout or "no source known" in done.stderr
    assert "tracker.cli" in modules  # the probe sees what the command imported
    assert heavy(modules, NEVER + NOT_ON_SQLITE) == []


def test_a_read_command_on_an_older_schema_still_upgrades_it(tmp_path):
    """The quick path only reads a current schema; anything else goes the way it always went."""
    from alembic import command

    from tracker.store.db import alembic_config
    from tracker.store.revisions import script_head

    database = tmp_path / "old.db"
    command.upgrade(alembic_config(f"sqlite:///{database}"), "0015")
    done, modules = modules_imported(tmp_path, f"sqlite:///{database}", "sources")
    assert done.returncode == 0, done.stderr
    assert "alembic" in modules  # it upgraded: 0015 → head
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == script_head()


def test_serve_checks_the_schema_and_serves_without_alembic(report_db, tmp_path):
    out = tmp_path / "modules.json"
    server = popen(
        [sys.executable, "-c", MODULES_AT_EXIT, str(out), "serve", "--port", "0"],
        env=environment(tmp_path, report_db.database_url),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stderr.readline()
        assert line.startswith("serving "), line
        base = line.split(" on ", 1)[1].split()[0]  # http://127.0.0.1:PORT/
        assert read_page(base) == 200  # the index served: its imports are done
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    deadline = time.monotonic() + 10
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    modules = set(json.loads(out.read_text()))
    assert "tracker.read.server" in modules
    assert heavy(modules, tuple(name for name in NEVER if name != "sqlmodel")) == []  # the pages use SQLModel


def read_page(url: str) -> int:
    """The status of `url`, asked again while the server is still starting (it says "serving"
    once it has its socket, a moment before it answers)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as page:
                return page.status
        except urllib.error.URLError as error:
            if isinstance(error, urllib.error.HTTPError):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///data/tracker.db",
        "sqlite:////srv/tracker/tracker.db",
        "sqlite+pysqlite:///relative/db.sqlite",
        "sqlite:///a folder/with spaces.db",
    ],
)
def test_a_plain_sqlite_url_names_the_file_sqlalchemy_would_open(url):
    assert sqlite_file(url) == DatabaseTarget.parse(url).path


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///:memory:", "sqlite:///x.db?mode=ro", "sqlite:///caf%C3%A9.db", "postgresql://h/db"],
)
def test_any_other_url_is_left_to_sqlalchemy(url):
    assert sqlite_file(url) is None


def test_a_lookup_reads_the_same_through_sqlite3_and_through_a_session(populated):
    from sqlmodel import Session

    from tracker.store.db import open_read_only

    with open_reader(populated.database_url) as reader:
        assert reader.dialect == "sqlite" and type(reader.connection).__module__ == "sqlite3"
        direct = lookup(reader, populated.url)
    engine = open_read_only(populated.database_url)
    try:
        with Session(engine) as session:
            through_session = lookup(reader_of(session), populated.url)
    finally:
        engine.dispose()
    assert direct == through_session
    assert list(direct["source"]) == ["id", "url", "normalized_url", "host", "final_url"] + list(direct["source"])[5:]
    assert direct["source"]["first_cited_at"].endswith("+00:00")  # aware UTC, as the table classes give it
    assert {type(p["verbatim"]) for group in direct["alignments"] for p in group["pairs"]} == {bool}


@pytest.mark.parametrize("command", [["lookup", "https://a.example/"], ["sources"], ["seeds", "list"]])
def test_read_commands_on_postgres_check_the_schema_without_alembic(postgres_url, tmp_path, command):
    from tracker.store.db import open_database

    open_database(postgres_url).dispose()  # a current schema, as `tracker run` leaves it
    done, modules = modules_imported(tmp_path, postgres_url, *command)
    assert done.returncode == (1 if command[0] == "lookup" else 0), done.stderr
    assert "sqlalchemy" in modules  # a server is read through SQLAlchemy
    assert heavy(modules, NEVER) == []
