"""A tracker database for the report tests: one seed citing a Vietnamese page, an Arabic page
(right to left, its title holding a `<script>` tag as text) and a URL that answers 404, its own
text holding a `<script>` tag too. Built once per test process with `tracker run` against a
loopback server and two tiny Argos packages (vi→en, ar→en); each test gets a copy.
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
from tests.provenance_db import CONFIG
from tests.tiny_argos import cached_package
from tests.vi_article import GLOSSARY as VI_GLOSSARY

PAGES = Path(__file__).parent / "fixtures" / "pages"
AR_GLOSSARY = {
    "قال": "said",
    "الكرملين": "Kremlin",
    "إن": "that",
    "روسيا": "Russia",
    "تدعم": "supports",
    "وحدة": "unity",
    "سوريا": "Syria",
    "ناقش": "discussed",
    "الجانبان": "sides",
    "التجارة": "trade",
    "والتعليم": "education",
}
SEED_PATH = "report_seed.txt"
SCRIPT_LINE = "The page said <script>alert('seed')</script> and nothing more."


@dataclass(frozen=True)
class ReportDatabase:
    project: Path
    database: Path
    database_url: str
    vi_url: str
    ar_url: str
    gone_url: str


def build(project: Path) -> ReportDatabase:
    (project / "seeds").mkdir(parents=True)
    (project / "config.toml").write_text(CONFIG, encoding="utf-8")
    routes = {
        "/bai-viet.htm": (200, {"Content-Type": "text/html; charset=utf-8"}, (PAGES / "vi_article.html").read_bytes()),
        "/maqal.htm": (200, {"Content-Type": "text/html; charset=utf-8"}, (PAGES / "ar_article.html").read_bytes()),
        "/gone": (404, {"Content-Type": "text/html"}, b"<h1>not here</h1>"),
    }
    with serve(routes) as base:
        vi_url, ar_url, gone = f"{base}/bai-viet.htm", f"{base}/maqal.htm", f"{base}/gone"
        with in_project(project, base.port):
            (project / "seeds" / SEED_PATH).write_text(
                "The Kremlin said that Russia supports the unity of Syria.\n"
                "Both sides discussed trade and education, officials added.\n"
                "An aide called it a promise nobody ever made here.\n"
                f"{SCRIPT_LINE}\n"
                f"Sources: {vi_url} and {ar_url}\nSee also {gone}\n",
                encoding="utf-8",
            )
            for code, glossary in (("vi", VI_GLOSSARY), ("ar", AR_GLOSSARY)):
                tracker_ok("models", "install", str(cached_package(code, "en", glossary)))
            tracker_ok("run")
    database = project / "data" / "tracker.db"
    return ReportDatabase(project, database, f"sqlite:///{database}", vi_url, ar_url, gone)


def seed_citing_many(project: Path, tracker, monkeypatch, count: int) -> None:
    """`many.txt`, citing `count` English loopback pages, one a sentence, each sentence said in part
    by every page ("Article N revision 0 opens…"), ingested, fetched and aligned by `tracker run`."""
    from tests.pages import article_html

    html = {"Content-Type": "text/html; charset=utf-8"}
    with serve({f"/a{k}": (200, html, article_html(k)) for k in range(count)}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        lines = [
            f"Article {k} revision 0 opens with a clear statement, according to {base}/a{k} today."
            for k in range(count)
        ]
        (project / "seeds" / "many.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = tracker("run")
        assert result.exit_code == 0, result.output


@cache
def _build() -> ReportDatabase:
    return build(Path(tempfile.mkdtemp(prefix="tracker-report-")))


@pytest.fixture
def report_db(tmp_path, monkeypatch) -> ReportDatabase:
    """The shared report database, copied; cwd and TRACKER_CONFIG point at the copy."""
    built = _build()
    project = tmp_path / "report"
    shutil.copytree(built.project, project, ignore=shutil.ignore_patterns("models"))
    monkeypatch.chdir(project)
    monkeypatch.setenv("TRACKER_CONFIG", str(project / "config.toml"))
    database = project / "data" / "tracker.db"
    return ReportDatabase(project, database, f"sqlite:///{database}", built.vi_url, built.ar_url, built.gone_url)
