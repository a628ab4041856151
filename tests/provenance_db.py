"""A populated tracker database for the query, lookup, export and Datasette tests, built once
per test process through `tracker run` against a loopback server with a tiny Argos package.

Timeline (`build`): seed A (test_seed.txt) is ingested, then its source is fetched (original #1, translated,
excerpts); seed B (later_seed.txt) is added; the page changes; `tracker run --all` ingests seed B
and fetches original #2. So seed A was ingested before any capture, seed B between the two.
A second cited URL answers 404 and stays failed.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.cli_runner import in_project, tracker_ok
from tests.http_server import serve
from tests.tiny_argos import cached_package
from tests.vi_article import GLOSSARY

PAGES = Path(__file__).parent / "fixtures" / "pages"
FIRST_PAGE = (PAGES / "vi_article.html").read_bytes()
CHANGED_PAGE = FIRST_PAGE.replace(
    "<p>Thời tiết hôm nay đẹp.</p>".encode(), "<p>Thời tiết hôm nay không đẹp.</p>".encode()
)
CONFIG = (
    '[fetch]\nallow_private = ["127.0.0.1"]\ndeadline = 5.0\nmax_retries = 0\nbackoff = 0.01\n'
    "[translation]\nauto_install = false\n"
)


@dataclass(frozen=True)
class Populated:
    project: Path
    database: Path  # the SQLite file (unused when database_url names another database)
    url: str  # the Vietnamese page, cited by both seeds, captured twice
    gone_url: str  # answers 404
    port: int
    database_url: str


def build(project: Path, database_url: str | None = None) -> Populated:
    """Run the timeline above in `project` (a new folder), on SQLite in project/data by
    default or on the database at `database_url`."""
    (project / "seeds").mkdir()
    (project / "config.toml").write_text(CONFIG, encoding="utf-8")
    routes = {
        "/bai-viet.htm": (200, {"Content-Type": "text/html; charset=utf-8"}, FIRST_PAGE),
        "/gone": (404, {"Content-Type": "text/html"}, b"<h1>not here</h1>"),
    }
    with serve(routes) as base:
        url, gone = f"{base}/bai-viet.htm", f"{base}/gone"
        with in_project(project, base.port, database_url):
            (project / "seeds" / "test_seed.txt").write_text(
                "Russia supports the unity of Syria, the Kremlin said on Thursday.\n"
                "Both sides discussed trade and education, officials added.\n"
                "An aide called it “a promise nobody ever made here”.\n"
                f"Source: {url}\nSee also {gone}\n",
                encoding="utf-8",
            )
            tracker_ok("models", "install", str(cached_package("vi", "en", GLOSSARY)))
            tracker_ok("run")
            (project / "seeds" / "later_seed.txt").write_text(
                f"Both sides discussed trade and education, according to AFP.\nSource: {url}\n", encoding="utf-8"
            )
            routes["/bai-viet.htm"] = (200, {"Content-Type": "text/html; charset=utf-8"}, CHANGED_PAGE)
            tracker_ok("run", "--all")
    database = project / "data" / "tracker.db"
    return Populated(project, database, url, gone, base.port, database_url or f"sqlite:///{database}")


@cache
def _build() -> Populated:
    return build(Path(tempfile.mkdtemp(prefix="tracker-populated-")))


@pytest.fixture
def populated(tmp_path, monkeypatch) -> Populated:
    """The shared populated database, copied so a test may do anything to it; cwd and
    TRACKER_CONFIG point at the copy."""
    built = _build()
    project = tmp_path / "populated"
    shutil.copytree(built.project, project, ignore=shutil.ignore_patterns("models"))
    (project / "data" / "models").symlink_to(built.project / "data" / "models")
    monkeypatch.chdir(project)
    monkeypatch.setenv("TRACKER_CONFIG", str(project / "config.toml"))
    database = project / "data" / "tracker.db"
    return Populated(project, database, built.url, built.gone_url, built.port, f"sqlite:///{database}")
