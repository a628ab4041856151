"""Faults a user or the machine can cause give one line and a documented exit status, never a
traceback, and leave files that are not tracker's untouched (docs/errors.md)."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

READING_COMMANDS = [
    ("sources",),
    ("sql", "SELECT count(*) FROM versions"),
    ("lookup", "http://127.0.0.1/x"),
    ("export", "jsonl", "-"),
    ("diff", "http://127.0.0.1/x"),
]
ALL_COMMANDS = READING_COMMANDS + [("run",), ("db", "upgrade")]


def _delete_journal(database: Path) -> bytes:
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    return database.read_bytes()


def _garbage(n: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


def _damaged(original: bytes, how: str) -> bytes:
    page = 4096
    if how == "truncated":
        return original[: len(original) // 3]
    if how == "header":
        return _garbage(100) + original[100:]
    if how == "schema":
        return original[:100] + _garbage(page - 100) + original[page:]
    # data pages: every page after the first two keeps its first bytes and loses the rest
    return original[: 2 * page] + b"".join(
        original[i : i + 100] + _garbage(page - 100, i) for i in range(2 * page, len(original), page)
    )


def _one_line(result, status: int, expected: str) -> None:
    assert result.exit_code == status, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert expected in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("how", ["truncated", "header", "schema", "data"])
def test_a_damaged_database_file_is_one_line_for_every_command(populated, tracker, how):
    original = _delete_journal(populated.database)
    for command in ALL_COMMANDS:
        populated.database.write_bytes(_damaged(original, how))
        for extra in ("-wal", "-shm"):
            Path(str(populated.database) + extra).unlink(missing_ok=True)
        result = tracker(*command)
        _one_line(result, 3, f"the database file is damaged: restore a backup, or try `sqlite3 {populated.database}")


def _stamp(database: Path, revision: str) -> None:
    connection = sqlite3.connect(database)
    connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    connection.commit()
    connection.close()


def test_a_database_from_a_newer_tracker_is_refused_untouched(populated, tracker):
    _stamp(populated.database, "0099")
    before = _delete_journal(populated.database)
    for command in ALL_COMMANDS:
        result = tracker(*command)
        _one_line(result, 3, "this database was written by a newer tracker (schema 0099); upgrade tracker")
    assert populated.database.read_bytes() == before


@pytest.mark.parametrize(
    ("url", "expected"),
    [("foo://bar/baz", "scheme 'foo' is not one tracker can use"), ("not a url", "is not a URL")],
)
def test_a_database_url_tracker_cannot_use_is_one_line(project, tracker, monkeypatch, url, expected):
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    for command in ALL_COMMANDS:
        _one_line(tracker(*command), 2, expected)


def test_another_applications_database_is_refused_and_left_unchanged(project, tracker, monkeypatch):
    other = project / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    connection.execute("INSERT INTO customers (name) VALUES ('Ada')")
    connection.commit()
    connection.close()
    before = hashlib.sha256(other.read_bytes()).hexdigest()
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{other}")
    for command in ALL_COMMANDS:
        _one_line(tracker(*command), 3, "is not a tracker database (it has tables customers")
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before
    # nothing beside it (no -wal or -shm); `run` makes tracker's own data folder for its lock
    assert {p.name for p in project.iterdir()} <= {"config.toml", "other.db", "seeds", "data"}
    assert not (project / "other.db.lock").exists()


def test_an_empty_database_file_is_tracker_to_fill(project, tracker, monkeypatch):
    empty = project / "empty.db"
    empty.touch()
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{empty}")
    assert tracker("db", "upgrade").exit_code == 0


def test_a_config_file_that_is_not_utf8_is_one_line(project, tracker):
    (project / "config.toml").write_bytes("[seeds]\n# café\n".encode("latin-1"))
    _one_line(tracker("sources"), 2, "not UTF-8 text")


def test_read_only_commands_say_nothing_about_work_kept(project, tracker, monkeypatch):
    # a folder in the way of the database file: an OSError-like failure in a reading command
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{project / 'seeds'}")
    result = tracker("sources")
    assert result.exit_code != 0
    assert "work committed so far is kept" not in result.output
    assert "Traceback" not in result.output


def test_credentials_in_a_cited_url_are_never_sent_logged_or_stored(project, tracker, monkeypatch):
    from tests.http_server import serve

    page = b"<html><body><p>Russia supports the unity of Syria, the Kremlin said.</p></body></html>"
    with serve({"/page": (200, {"Content-Type": "text/html; charset=utf-8"}, page)}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        cited = f"http://reader:s3cr3t-pass@127.0.0.1:{base.port}/page"
        (project / "seeds" / "a.txt").write_text(f"The Kremlin said so.\nSource: {cited}\n", encoding="utf-8")
        (project / "seeds" / "b.html").write_text(
            f'<p>The ministry also published <a href="{cited.replace("/page", "/page?x=1")}">the full statement</a>'
            " on its website on Monday.</p>",
            encoding="utf-8",
        )
        result = tracker("run")
        requests = base.requests
    assert result.exit_code == 0, result.output
    assert "s3cr3t" not in result.output and "reader" not in result.output
    assert requests and all("authorization" not in headers for _, _, headers in requests)
    assert b"s3cr3t" not in (project / "data" / "tracker.db").read_bytes()
    connection = sqlite3.connect(project / "data" / "tracker.db")
    dump = "\n".join(connection.iterdump())
    rows = connection.execute("SELECT url, had_credentials FROM citations WHERE kind = 'url'").fetchall()
    sources = [row[0] for row in connection.execute("SELECT url FROM sources")]
    connection.close()
    assert "s3cr3t" not in dump and "reader" not in dump
    assert sorted(rows) == [
        (f"http://127.0.0.1:{base.port}/page", 1),
        (f"http://127.0.0.1:{base.port}/page?x=1", 1),
    ]
    assert all("@" not in url for url in sources)


def test_allow_ports_that_are_not_numbers_say_what_is_expected(project, tracker, monkeypatch):
    monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", "abc")
    _one_line(tracker("sources"), 2, "TRACKER_FETCH_ALLOW_PORTS='abc': expected a list of whole numbers")


def test_an_invalid_metadata_json_is_reported_as_such(project, tracker):
    import zipfile

    from tests.tiny_argos import cached_package
    from tests.vi_article import GLOSSARY

    good = cached_package("vi", "en", GLOSSARY)
    bad = project / "bad.argosmodel"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, b"{not json" if info.filename.endswith("metadata.json") else zin.read(info))
    _one_line(tracker("models", "install", str(bad)), 1, "metadata.json is not valid JSON")
    assert tracker("models", "install", str(good)).exit_code == 0
    (installed,) = (project / "data" / "models").glob("*/metadata.json")
    installed.write_text("{not json", encoding="utf-8")
    result = tracker("models", "list")
    _one_line(result, 1, f"{installed} is not valid JSON")
    assert "sentencepiece" not in result.output


def test_a_source_retired_for_a_refused_port_comes_back_when_the_port_is_allowed(project, tracker, monkeypatch):
    from tests.http_server import serve

    page = b"<html><body><p>Russia supports the unity of Syria, the Kremlin said on Thursday.</p></body></html>"
    with serve({"/page": (200, {"Content-Type": "text/html; charset=utf-8"}, page)}) as base:
        (project / "seeds" / "a.txt").write_text(f"The Kremlin said so.\nSource: {base}/page\n", encoding="utf-8")
        first = tracker("run")  # the loopback server's port is not allowed yet
        assert f"retired {base}/page: refused port" in first.output
        assert f"{base}/page" not in tracker("run").output  # retired: not tried again as it is
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        again = tracker("run")  # no --all
    assert again.exit_code == 0, again.output
    assert f"re-checking {base}/page: [fetch] allow_private or allow_ports changed" in again.output
    assert f"fetched {base}/page" in again.output


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "args",
    [("sources",), ("export", "jsonl", "-"), ("export", "warc", "-"), ("sql", "SELECT * FROM versions"), ("--help",)],
)
def test_a_closed_output_pipe_ends_quietly(populated, args):
    """`tracker sources | head -1`: the reader went away, which is not tracker's failure. No
    message (stderr may be that pipe too), and the status of a program SIGPIPE ended."""
    reading, writing = os.pipe()
    os.close(reading)  # no reader from the start, so the first write meets the closed pipe
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tracker", *args], stdout=writing, stderr=subprocess.PIPE, text=True, timeout=120
        )
    finally:
        os.close(writing)
    assert (done.returncode, done.stderr) == (141, "")
