"""Runs that stop or wait: real signals to a real `tracker run` process, two projects on one
database, a database another process is writing to."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.children import popen
from tests.http_server import serve

PAGE = b"<html><body><p>Russia supports the unity of Syria, the Kremlin said on Thursday.</p></body></html>"


def _slow_routes(release: threading.Event):
    def slow(handler):
        release.wait(30)  # held until the test lets it go
        return 200, {"Content-Type": "text/html; charset=utf-8"}, PAGE

    return {"/slow": slow, "/page": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE)}


def _start_run(project: Path, port: int, env: dict | None = None) -> subprocess.Popen:
    return popen(
        [sys.executable, "-m", "tracker", "run"],
        cwd=project,
        env={
            **os.environ,
            "TRACKER_CONFIG": str(project / "config.toml"),
            "TRACKER_FETCH_ALLOW_PORTS": str(port),
            **(env or {}),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(predicate, what: str) -> None:
    for _ in range(600):
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_stops_the_run_with_one_line_and_the_next_run_continues(project, tracker, monkeypatch, signum):
    release = threading.Event()
    with serve(_slow_routes(release)) as base:
        (project / "seeds" / "a.txt").write_text(f"The Kremlin said so.\nSource: {base}/slow\n", encoding="utf-8")
        process = _start_run(project, base.port)
        try:
            _wait_for(lambda: any(path == "/slow" for _, path, _ in base.requests), "the run fetches /slow")
            process.send_signal(signum)
            out, err = process.communicate(timeout=60)
        finally:
            release.set()
            if process.poll() is None:
                process.kill()
        assert process.returncode == 128 + signum, err
        last = err.strip().splitlines()[-1]
        assert last == (
            f"tracker: stopped by {signal.Signals(signum).name} while fetching sources (0 of 1 done); "
            "everything finished so far is saved, and the next `tracker run` continues from there"
        )
        assert "Traceback" not in err and "Aborted!" not in err
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        result = tracker("run")
    assert result.exit_code == 0, result.output
    assert f"fetched {base}/slow" in result.output  # the next run picks up the source


def test_two_projects_on_one_database_do_not_collide(tmp_path, project):
    """Different data folders (so different run locks), one SQLite file, the same seed path
    edited differently: the second run waits its turn instead of failing on seeds.path/revision."""
    database = tmp_path / "shared.db"
    other = tmp_path / "other"
    (other / "seeds").mkdir(parents=True)
    (other / "config.toml").write_text((project / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    release = threading.Event()
    with serve(_slow_routes(release)) as base:
        env = {"TRACKER_DATABASE_URL": f"sqlite:///{database}"}
        (project / "seeds" / "a.txt").write_text(f"First text.\nSource: {base}/slow\n", encoding="utf-8")
        (other / "seeds" / "a.txt").write_text(f"Second text, edited.\nSource: {base}/slow\n", encoding="utf-8")
        first = _start_run(project, base.port, env)
        try:
            _wait_for(lambda: any(path == "/slow" for _, path, _ in base.requests), "the first run fetches")
            second = _start_run(other, base.port, env)
            out, err = second.communicate(timeout=60)
        finally:
            release.set()
            first_out, first_err = first.communicate(timeout=60)
    assert second.returncode == 0, err
    assert f"another tracker run is in progress on {database}" in err
    assert "IntegrityError" not in err + first_err and "Traceback" not in err + first_err
    assert first.returncode == 0, first_err
    connection = sqlite3.connect(database)
    assert connection.execute("SELECT path, revision FROM seeds").fetchall() == [("a.txt", 1)]
    connection.close()


def test_a_run_waiting_for_the_database_says_so_once(project, tracker):
    assert tracker("run").exit_code == 0
    holder = sqlite3.connect(project / "data" / "tracker.db", check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(1.0, holder.rollback)
    timer.start()
    try:
        result = tracker("run")
    finally:
        timer.join()
        holder.close()
    assert result.exit_code == 0, result.output
    assert result.output.count("waiting for the database") == 1
    assert "another process is writing to it" in result.output


def test_a_seed_recorded_by_another_run_at_the_same_moment_is_one_line(project, tracker, monkeypatch):
    """The locks cannot see a run on another machine: if it records the same seed revision
    between this run's check and its insert, this run says so and leaves the seeds to the next."""
    import tracker.seeds.ingest as ingest

    (project / "seeds" / "a.txt").write_text("The Kremlin said so.\n", encoding="utf-8")
    assert tracker("db", "upgrade").exit_code == 0
    real_read = ingest.read_seed_file

    def read_while_another_run_records(path):
        other = sqlite3.connect(project / "data" / "tracker.db")
        other.execute(
            "INSERT INTO seeds (path, sha256, format, text, revision, ingested_at) "
            "VALUES ('a.txt', 'other', 'text', 'other', 1, '2026-01-01 00:00:00')"
        )
        other.commit()
        other.close()
        return real_read(path)

    monkeypatch.setattr(ingest, "read_seed_file", read_while_another_run_records)
    result = tracker("run")
    assert result.exit_code == 0, result.output
    assert "another run recorded the same seeds at the same moment; the next run reads them again" in result.output
    assert "IntegrityError" not in result.output


def test_a_signal_between_runs_of_every_is_one_line(project):
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "run", "--every", "1h"],
        cwd=project,
        env={**os.environ, "TRACKER_CONFIG": str(project / "config.toml")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stdout:  # the first run's summary: the loop now sleeps
            if line.startswith("translations:"):
                break
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + signal.SIGTERM, err
    assert err.strip().splitlines()[-1] == (
        "tracker: stopped by SIGTERM while waiting for the next run; everything finished so far is saved, "
        "and the next `tracker run` continues from there"
    )


def test_every_says_once_that_another_run_holds_the_lock_then_runs_when_it_is_free(project):
    from tracker.store.locks import run_lock

    with run_lock(project / "data"):  # another run, holding the lock for several rounds
        process = subprocess.Popen(
            [sys.executable, "-m", "tracker", "run", "--every", "1s"],
            cwd=project,
            env={**os.environ, "TRACKER_CONFIG": str(project / "config.toml")},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        seen = []
        try:
            for line in process.stdout:  # the first round's line
                seen.append(line)
                if "another tracker run is in progress" in line:
                    break
            time.sleep(3.5)  # three more rounds find the lock taken
        except BaseException:
            process.kill()
            raise
    try:
        for line in process.stdout:  # the lock is free: the next round runs
            seen.append(line)
            if line.startswith("translations:"):
                break
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    output = "".join(seen) + out
    busy = [line for line in output.splitlines() if "another tracker run is in progress" in line]
    assert len(busy) == 1, output
    assert "skipping rounds until it ends" in busy[0]
    assert "translations:" in output  # it ran once the other run was done
