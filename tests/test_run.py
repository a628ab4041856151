"""The scheduled job: change tracking, schedule, lock, crash safety, readers during a run."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.http_server import serve
from tests.pages import article_html
from tracker.config import load_settings
from tracker.read.lookup import lookup
from tracker.runner import run
from tracker.store.db import open_database
from tracker.store.locks import run_lock
from tracker.store.tables import FetchAttempt, Source, Version, utcnow


def etag_page(pages: dict, name: str):
    """A route serving pages[name] = (etag, body), answering 304 to a matching If-None-Match."""

    def handler(request):
        etag, body = pages[name]
        if etag and request.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if etag:
            headers["ETag"] = etag
        return 200, headers, body

    return handler


def versions_of(session, url):
    source = session.exec(select(Source).where(Source.url == url)).one()
    return source, session.exec(select(Version).where(Version.source_id == source.id, Version.kind == "original")).all()


def test_versions_and_schedule_follow_what_the_pages_do(tracker, project, monkeypatch):
    pages = {
        "text": (None, article_html(1)),
        "ad": (None, article_html(2, ad="Buy now")),
        "etag": ('"v1"', article_html(3)),
        "gone": (None, article_html(4)),
    }
    routes = {f"/{name}": etag_page(pages, name) for name in pages}
    with serve(routes) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        urls = {name: f"{base}/{name}" for name in pages}
        (project / "seeds" / "s.md").write_text("\n".join(f"Source: {u}" for u in urls.values()))
        settings = load_settings()
        first = run(settings)
        assert first.fetched == 4

        pages["text"] = (None, article_html(1, version=1))  # the article text changes
        pages["ad"] = (None, article_html(2, ad="Sale ends today"))  # only the ad rotates
        routes["/gone"] = (410, {"Content-Type": "text/html"}, b"gone")
        later = utcnow() + timedelta(seconds=settings.schedule.min_interval + 1)
        second = run(settings, now=later)
        assert (second.fetched, second.unchanged) == (1, 2)
        assert [reason for _, reason in second.retired] == ["gone (HTTP 410)"]

    engine = open_database(settings.database.url)
    with Session(engine) as session:
        text, text_versions = versions_of(session, urls["text"])
        assert len(text_versions) == 2 and text.changes == 1
        assert text.check_interval == settings.schedule.min_interval

        ad, ad_versions = versions_of(session, urls["ad"])
        assert len(ad_versions) == 1 and ad.changes == 0
        assert ad.check_interval == 2 * settings.schedule.min_interval  # unchanged: backing off
        ad_bodies = session.exec(select(FetchAttempt.body_sha256).where(FetchAttempt.source_id == ad.id)).all()
        assert len(set(ad_bodies)) == 2  # the raw body did change, and that is on record

        etag, etag_versions = versions_of(session, urls["etag"])
        statuses = session.exec(
            select(FetchAttempt.status_code).where(FetchAttempt.source_id == etag.id).order_by(FetchAttempt.id)
        ).all()
        assert statuses == [200, 304] and len(etag_versions) == 1

        gone, _ = versions_of(session, urls["gone"])
        assert gone.state == "retired" and gone.next_fetch_at is None
    listing = tracker("sources", "--state", "retired").output
    assert "gone (HTTP 410)" in listing and urls["gone"] in listing
    diff = tracker("diff", urls["text"]).output
    assert "-Article 1 revision 0" in diff and "+Article 1 revision 1" in diff


def test_nothing_is_fetched_before_it_is_due(tracker, project, monkeypatch):
    with serve({"/a": (200, {"Content-Type": "text/html"}, article_html(5))}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        (project / "seeds" / "s.txt").write_text(f"Source: {base}/a\n")
        assert "fetched 1" in tracker("run").output
        connections = base.connections  # robots.txt and the page
        second = tracker("run", "--json")
        summary = json.loads(second.output)
        assert summary["fetched"] == 0 and summary["unchanged"] == 0
        assert base.connections == connections  # nothing due: not even a connection
        assert summary["next_due"] is not None


def test_a_second_run_exits_while_one_holds_the_lock(tracker, project):
    settings = load_settings()
    with run_lock(settings.paths.data_dir):
        result = tracker("run")
    assert result.exit_code == 0
    assert "another tracker run is in progress" in result.output
    assert "seeds:" not in result.output  # it did nothing


def _start_run(project: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "TRACKER_CONFIG": str(project / "config.toml"), "TRACKER_FETCH_ALLOW_PORTS": str(port)}
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "run"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.subprocess
def test_two_runs_started_together_one_proceeds_one_exits(project):
    def slow(request):
        time.sleep(1.5)  # keeps the first run busy while the second starts
        return 200, {"Content-Type": "text/html"}, article_html(6)

    with serve({"/slow": slow}) as base:
        (project / "seeds" / "s.txt").write_text(f"Source: {base}/slow\n")
        runs = [_start_run(project, base.port) for _ in range(2)]
        outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0]
    busy = [out for out in outputs if "another tracker run is in progress" in out[0] + out[1]]
    assert len(busy) == 1
    assert sum("fetched 1" in out[0] for out in outputs) == 1
    with sqlite3.connect(project / "data" / "tracker.db") as db:
        assert db.execute("SELECT count(*) FROM fetch_attempts").fetchone() == (1,)


PAGE_COUNT = 240


def _many_pages_project(project: Path, base: str) -> None:
    (project / "seeds" / "many.md").write_text("\n".join(f"Source: {base}/p{i}" for i in range(PAGE_COUNT)) + "\n")


def _snapshot(db_path: Path) -> set[tuple]:
    if not db_path.exists():
        return set()
    with sqlite3.connect(db_path) as db:
        try:
            return set(db.execute("SELECT id, source_id, kind, text_sha256 FROM versions"))
        except sqlite3.OperationalError:  # killed before the schema was committed
            return set()


@pytest.mark.subprocess
def test_killed_runs_leave_a_consistent_database_and_the_next_run_finishes(project):
    routes = {f"/p{i}": (200, {"Content-Type": "text/html"}, article_html(i)) for i in range(PAGE_COUNT)}
    db_path = project / "data" / "tracker.db"
    rng = random.Random(7)
    with serve(routes) as base:
        _many_pages_project(project, base)
        committed: set[tuple] = set()
        for _ in range(8):
            process = _start_run(project, base.port)
            time.sleep(rng.uniform(0.5, 4.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
            if db_path.exists():
                with sqlite3.connect(db_path) as db:
                    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            now = _snapshot(db_path)
            assert committed <= now, "a committed row was lost"
            committed = now
        final = _start_run(project, base.port)
        out, err = final.communicate(timeout=300)
        assert final.returncode == 0, err
    with sqlite3.connect(db_path) as db:
        per_source = db.execute(
            "SELECT source_id, count(*) FROM versions WHERE kind = 'original' GROUP BY source_id"
        ).fetchall()
        assert len(per_source) == PAGE_COUNT and {n for _, n in per_source} == {1}  # all there, no duplicate
        assert db.execute("SELECT count(*) FROM sources WHERE state != 'fetched'").fetchone() == (0,)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.subprocess
def test_readers_see_no_lock_errors_while_a_run_writes(project):
    routes = {f"/p{i}": (200, {"Content-Type": "text/html"}, article_html(i)) for i in range(PAGE_COUNT)}
    with serve(routes) as base:
        _many_pages_project(project, base)
        open_database(load_settings().database.url).dispose()  # schema first, as any reader would find it
        writer = _start_run(project, base.port)
        engine = open_database(load_settings().database.url)
        lookups, errors = 0, []
        while writer.poll() is None:
            try:
                with Session(engine) as session:
                    lookup(session, f"{base}/p{lookups % PAGE_COUNT}")
                    session.exec(select(Version).limit(5)).all()
                lookups += 1
            except Exception as error:  # noqa: BLE001 - any error here is the failure under test
                errors.append(repr(error))
        assert writer.returncode == 0, writer.stderr.read()
    assert errors == [] and lookups > 20
