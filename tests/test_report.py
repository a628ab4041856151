"""The seed report (tracker/read/report.py, pages.py) and the read-only server (server.py), without a
browser: what the pages say matches the database, nothing from a seed or page reaches them raw."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from tests.browser import serving
from tests.report_db import SEED_PATH
from tracker.config import load_settings
from tracker.read.pages import report_html
from tracker.read.report import _pieces, seed_report, text_direction, unsupported_details
from tracker.read.server import create_app
from tracker.read.sql import read_only_engine
from tracker.sentences import split_sentences
from tracker.store.db import make_engine


def newest_labels(database) -> dict[int, dict[int, str]]:
    """From the database alone: per source id, each seed sentence position's label in the newest
    aligned version."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT v.source_id, a.seed_sentences, a.label FROM alignments a JOIN versions v ON v.id = a.version_id "
            "WHERE a.version_id = (SELECT max(a2.version_id) FROM alignments a2 JOIN versions v2 "
            "ON v2.id = a2.version_id WHERE v2.source_id = v.source_id AND a2.seed_id = a.seed_id)"
        ).fetchall()
    labels: dict[int, dict[int, str]] = {}
    for source_id, positions, label in rows:
        for position in json.loads(positions):
            labels.setdefault(source_id, {})[position] = label
    return labels


def test_the_report_shows_every_seed_sentence_with_the_labels_the_database_holds(report_db):
    engine = make_engine(report_db.database_url)
    with Session(engine) as session:
        report = seed_report(session, SEED_PATH)
    engine.dispose()
    with sqlite3.connect(report_db.database) as connection:
        seed_text = connection.execute("SELECT text FROM seeds WHERE path = ?", (SEED_PATH,)).fetchone()[0]
    assert [s["text"] for s in report["sentences"]] == [s.text for s in split_sentences(seed_text)]
    assert "".join(segment["text"] for segment in report["segments"]) == seed_text
    expected = newest_labels(report_db.database)
    assert {s["id"] for s in report["sources"]} == set(expected) and len(expected) == 2
    for sentence in report["sentences"]:
        assert {link["source_id"]: link["label"] for link in sentence["links"]} == {
            source_id: labels[sentence["position"]]
            for source_id, labels in expected.items()
            if sentence["position"] in labels
        }
    first, third = report["sentences"][0], report["sentences"][2]
    assert first["label"] == "supported" and third["label"] == "added"
    arabic = next(link for link in first["links"] if link["original_language"] == "ar")
    assert arabic["original"] == "قال الكرملين إن روسيا تدعم وحدة سوريا." and arabic["original_dir"] == "rtl"
    assert arabic["translated"] == "said Kremlin that Russia supports unity Syria."
    for source in report["sources"]:
        assert source["http_status"] == 200 and source["translation"]["model_sha256"]
        assert source["translation"]["model"] == f"translate-{source['original']['language']}_en"
        # The summary bar counts what the database holds for that source.
        held = list(expected[source["id"]].values())
        assert {k: v for k, v in source["summary"]["counts"].items() if v and k != "not aligned"} == {
            label: held.count(label) for label in set(held)
        }
    assert report["summary"]["total"] == len(report["sentences"])
    (failed,) = report["unaligned_sources"]
    assert failed["url"] == report_db.gone_url and failed["state"] == "failed"
    assert "404" in failed["last_error"] and failed["next_fetch_at"] and failed["http_status"] == 404


def test_attributions_without_url_and_related_seeds(populated):
    engine = make_engine(populated.database_url)
    with Session(engine) as session:
        report = seed_report(session, "test_seed.txt")
        by_id = seed_report(session, report["seed"]["id"])
    engine.dispose()
    assert [a["name"] for a in report["attributions"]] == ["the Kremlin"]
    assert "later_seed.txt" in {r["related_path"] for r in report["related_seeds"]}
    assert by_id["sentences"] == report["sentences"]


def test_report_command_writes_one_self_contained_file(report_db, tracker, tmp_path):
    out = tmp_path / "report.html"
    result = tracker("report", SEED_PATH, "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    # Nothing to fetch: no stylesheet, script, image or font from elsewhere.
    assert not re.search(r"<link\b|\bsrc=|@import|url\(|@font-face", page)
    assert page.count("<script>") == 1 and page.count("<style>") == 1
    assert 'lang="ar" dir="rtl"' in page and "قال الكرملين إن روسيا تدعم وحدة سوريا." in page
    assert "translate-ar_en" in page and "HTTP 404 Not Found" in page
    assert tracker("report", "1", "-o", str(tmp_path / "by-id.html")).exit_code == 0


def test_script_tags_in_seed_and_page_text_are_shown_as_text(report_db, tracker, tmp_path):
    out = tmp_path / "report.html"
    assert tracker("report", SEED_PATH, "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "alert(" in page  # both texts are in the page …
    assert "&lt;script&gt;alert(&#39;seed&#39;)&lt;/script&gt;" in page  # … the seed's escaped
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in page  # … and the page title's
    assert "<script>alert" not in page and page.count("<script") == 1


def test_an_unknown_seed_is_one_clear_line(report_db, tracker, tmp_path):
    result = tracker("report", "no_such_seed.txt", "-o", str(tmp_path / "x.html"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "tracker: no seed 'no_such_seed.txt': give a seed's id or its path as stored (`tracker sources` lists them)"
    ]
    assert not (tmp_path / "x.html").exists()


def test_partial_labels_and_unsupported_details_render_when_present(report_db):
    """Issue 11's `partial` label and `unsupported_details` column, read defensively."""
    engine = make_engine(report_db.database_url)
    with Session(engine) as session:
        report = seed_report(session, SEED_PATH)
    engine.dispose()
    sentence = report["sentences"][1]  # "Both sides discussed trade and education, officials added."
    start = sentence["start"] + sentence["text"].index("officials")
    row = SimpleNamespace(
        unsupported_details=json.dumps(
            [
                {"text": "officials added", "kind": "attribution", "seed_start": start, "seed_end": start + 15},
                {"text": "trade", "kind": "topic", "source_text": "thương mại"},  # no offsets: found by text
                "not a detail",
            ]
        )
    )
    details = unsupported_details(row)
    assert [d["text"] for d in details] == ["officials added", "trade"]
    assert unsupported_details(SimpleNamespace()) == [] and unsupported_details(SimpleNamespace(x=1)) == []
    assert unsupported_details(SimpleNamespace(unsupported_details="not json")) == []
    link = sentence["links"][0]
    link.update(label="partial", details=details, pieces=_pieces(sentence, details))
    sentence["label"] = "partial"
    page = report_html(report)
    assert '<mark class="unsupported" data-kind="attribution">officials added</mark>' in page
    assert 'data-kind="topic" title="not in the source: the source says “thương mại”">trade</mark>' in page
    assert 'class="s partial"' in page and '<span class="tag partial">partial</span>' in page


def test_text_direction():
    assert [text_direction(code) for code in ("ar", "fa", "he", "ur", "ar-EG", "vi", "zh", None)] == [
        "rtl",
        "rtl",
        "rtl",
        "rtl",
        "rtl",
        "ltr",
        "ltr",
        "ltr",
    ]


@pytest.fixture
def client(report_db):
    """An HTTP client on the app served read-only by uvicorn on loopback."""
    engine = read_only_engine(report_db.database_url)
    try:
        with serving(create_app(engine)) as base, httpx.Client(base_url=base, follow_redirects=False) as client:
            yield client
    finally:
        engine.dispose()


def test_served_pages_index_seed_source_and_search(client, report_db):
    index = client.get("/")
    assert index.status_code == 200 and f'<a href="/seed/1">{SEED_PATH}</a>' in index.text
    seed = client.get("/seed/1")
    assert seed.status_code == 200 and 'href="/source/2"' in seed.text
    assert "&lt;script&gt;alert(&#39;seed&#39;)" in seed.text and "<script>alert" not in seed.text
    found = client.get("/search", params={"url": report_db.ar_url})
    assert found.status_code == 303 and found.headers["location"] == "/source/2"
    source = client.get("/source/2")
    assert source.status_code == 200
    assert 'class="original" lang="ar" dir="rtl">قال الكرملين إن روسيا تدعم وحدة سوريا.</td>' in source.text
    assert f'<a href="/seed/1">{SEED_PATH}</a>' in source.text
    missing = client.get("/search", params={"url": "http://nowhere.example/<script>"})
    assert missing.status_code == 404 and "http://nowhere.example/&lt;script&gt;" in missing.text
    assert client.get("/seed/99").status_code == 404 and client.get("/source/99").status_code == 404


def test_the_server_writes_nothing(client, report_db):
    before = hashlib.sha256(report_db.database.read_bytes()).hexdigest()
    for path in ("/", "/seed/1", "/source/1", "/source/3", f"/search?url={report_db.vi_url}"):
        assert client.get(path).status_code in (200, 303)
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/seed/1").status_code == 405
    assert hashlib.sha256(report_db.database.read_bytes()).hexdigest() == before


def test_the_read_only_engine_refuses_writes(report_db):
    engine = read_only_engine(report_db.database_url)
    try:
        with Session(engine) as session, pytest.raises(OperationalError, match="readonly|read-only|query_only"):
            session.exec(text("DELETE FROM seeds"))
    finally:
        engine.dispose()
    with sqlite3.connect(report_db.database) as connection:
        assert connection.execute("SELECT count(*) FROM seeds").fetchone()[0] == 1


def test_tracker_serve_answers_on_localhost(report_db):
    """The command itself, in its own process: the database from the project's config, opened read-only."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", "--port", str(port)],
        cwd=report_db.project,
        env={**os.environ, "TRACKER_CONFIG": str(report_db.project / "config.toml")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline, index = time.monotonic() + 60, None
        while index is None and time.monotonic() < deadline and server.poll() is None:
            try:
                index = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
            except httpx.TransportError:
                time.sleep(0.2)
        assert index is not None, server.stderr.read() if server.poll() is not None else "no answer in 60 s"
        assert index.status_code == 200 and SEED_PATH in index.text
        assert httpx.get(f"http://127.0.0.1:{port}/seed/1").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "read-only on http://127.0.0.1:" in server.stderr.read()


def test_a_seed_citing_many_sources_gives_a_report_that_grows_linearly(project, tracker, monkeypatch):
    """Issue 27 (item 11): a seed citing each of 60 URLs in a sentence of its own. Every source is
    aligned with every sentence, so a detail block per pair made sentences × sources blocks
    (3,600 here, 95,400 at 300 URLs); the panel now shows only sources that say something of the
    sentence, at most LINKS_SHOWN, and sources come SOURCES_PER_PAGE a page when served."""
    from tests.report_db import seed_citing_many
    from tracker.read.report import LINKS_SHOWN, SOURCES_PER_PAGE

    count = 60
    seed_citing_many(project, tracker, monkeypatch, count)
    out = project / "many.html"
    assert tracker("report", "many.txt", "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    engine = read_only_engine(f"sqlite:///{project / 'data' / 'tracker.db'}")
    try:
        statements = []

        def executed(_connection, _cursor, statement, *_):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", executed)
        with Session(engine) as session:
            report = seed_report(session, "many.txt", load_settings())  # with the trails
        event.remove(engine, "before_cursor_execute", executed)
        # A fixed handful of queries, whatever the number of sources (it was 10 a source, 600 here).
        assert len(statements) < 20, statements
        sentences = len(report["sentences"])
        assert len(report["sources"]) == count
        assert sum(len(s["links"]) for s in report["sentences"]) >= sentences * count // 2  # all pairs aligned
        blocks = page.count('class="link"')
        assert 0 < blocks <= LINKS_SHOWN * sentences
        # Each sentence is said, in part, by every page ("Article N revision 0 opens…"): the worst
        # case, where each panel is full and says how many more sources say something like it.
        assert blocks == LINKS_SHOWN * sentences and page.count("more sources say something like it") == sentences
        assert len(page.encode()) < 1500 * blocks + 4000 * (sentences + count)  # 0.6 MB; it was 3.7 MB
        assert page.count('class="source"') == count  # one file: every source, paged by its script
        with serving(create_app(engine)) as base, httpx.Client(base_url=base) as client:
            first, second = client.get("/seed/1"), client.get("/seed/1", params={"page": "2"})
            assert client.get("/seed/1", params={"page": "x"}).status_code == 200
    finally:
        engine.dispose()
    ids = [s["id"] for s in report["sources"]]
    assert first.text.count('class="source"') == SOURCES_PER_PAGE and f'id="source-{ids[0]}"' in first.text
    assert second.text.count('class="source"') == count - SOURCES_PER_PAGE
    assert f'id="source-{ids[-1]}"' in second.text and f'id="source-{ids[0]}"' not in second.text
    assert 'href="?page=2#sources-h"' in first.text


def test_a_word_for_word_copy_is_marked_in_the_report(report_db):
    """Issue 20: a verbatim link says so beside its `supported` tag, naming the text it copies."""
    engine = make_engine(report_db.database_url)
    with Session(engine) as session:
        report = seed_report(session, SEED_PATH)
    engine.dispose()
    links = [link for s in report["sentences"] for link in s["links"]]
    assert links and "word for word" not in report_html(report)
    link = links[0]
    link.update(verbatim=True, label="supported")
    expected = "translation" if link["translated"] else "source"
    assert f'<span class="verbatim">word for word in the {expected}</span>' in report_html(report)
