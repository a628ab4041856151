"""End to end: a seed cites a Vietnamese page on a real loopback server; `tracker run` fetches,
extracts, detects, translates with a real (tiny) Argos package and excerpts; `lookup` shows it."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.http_server import serve
from tests.tiny_argos import cached_package
from tests.vi_article import GLOSSARY, ORIGINAL, TRANSLATION
from tracker.cli import cli
from tracker.config import load_settings
from tracker.runner import run
from tracker.store.tables import utcnow

PAGES = Path(__file__).parent / "fixtures" / "pages"
REPO_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def html_page(name: str):
    return 200, {"Content-Type": "text/html; charset=utf-8"}, (PAGES / name).read_bytes()


def write_seed(project: Path, url: str) -> None:
    (project / "seeds" / "test_seed.txt").write_text(
        "Russia supports the unity of Syria, the Kremlin said on Thursday.\n"
        "Both sides discussed trade and education, officials added.\n"
        f"Source: {url}\n",
        encoding="utf-8",
    )


@pytest.fixture
def site(project, monkeypatch):
    with serve({"/bai-viet.htm": html_page("vi_article.html")}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        yield base


def test_run_fetches_translates_and_excerpts_then_lookup_shows_it(tracker, project, site, tmp_path):
    url = f"{site}/bai-viet.htm"
    write_seed(project, url)
    package = cached_package("vi", "en", GLOSSARY)
    installed = tracker("models", "install", str(package))
    assert installed.exit_code == 0, installed.output
    assert "translate-vi_en" in tracker("models", "list").output

    result = tracker("run")
    assert result.exit_code == 0, result.output
    assert "translations: 1 made, 0 pending; excerpts: 1" in result.output

    found = json.loads(tracker("lookup", url, "--json").output)
    assert found["matched_as"] == "cited"
    assert [s["path"] for s in found["seeds"]] == ["test_seed.txt"]
    assert found["seeds"][0]["citations"][0]["cue"] == "Source:"
    assert [a["status_code"] for a in found["fetch_attempts"]] == [200]

    original, translated = found["versions"]
    assert original["kind"] == "original" and original["language"] == "vi"
    assert original["declared_language"] == "vi" and original["language_probability"] > 0.9
    assert original["text"] == ORIGINAL and original["site_name"] == "Báo Thử Nghiệm"
    # The software that made the original: every package named is the one installed, lingua too.
    made_by = original["activity"]["software"]
    assert {"trafilatura", "langdetect", "lingua-language-detector"} <= made_by.keys()
    assert "unknown" not in made_by.values()
    assert translated["kind"] == "translated" and translated["parent_id"] == original["id"]
    assert translated["language"] == "en" and translated["status"] == "ready"
    assert translated["text"] == TRANSLATION
    activity = translated["activity"]
    assert activity["model"] == "translate-vi_en" and activity["model_version"] == "1.0"
    assert len(activity["model_sha256"]) == 64
    assert activity["software"]["argostranslate"] and activity["software"]["ctranslate2"]
    assert activity["parameters"]["pivot_path"] == ["vi", "en"]

    seed_text = (project / "seeds" / "test_seed.txt").read_text()
    # The seed draws on the first two source sentences: one run, so one excerpt version.
    [excerpt] = found["excerpts"]
    assert excerpt["text"] == "\n".join(TRANSLATION.splitlines()[:2])
    assert excerpt["original_text"] == "\n".join(ORIGINAL.splitlines()[:2])
    assert original["text"][excerpt["original_start"] : excerpt["original_end"]] == excerpt["original_text"]
    assert translated["text"][excerpt["translated_start"] : excerpt["translated_end"]] == excerpt["text"]
    assert excerpt["parent_id"] == translated["id"]
    assert (excerpt["first_sentence"], excerpt["last_sentence"]) == (0, 1)
    assert seed_text[excerpt["seed_start"] : excerpt["seed_end"]].startswith("Russia supports the unity")
    [group] = found["alignments"]
    pairs = group["pairs"]
    assert [p["source_sentences"] for p in pairs] == [[0], [1]]
    assert [p["original_sentence"] for p in pairs] == ORIGINAL.splitlines()[:2]
    assert [p["translated_sentence"] for p in pairs] == TRANSLATION.splitlines()[:2]
    assert pairs[0]["seed_sentence"].startswith("Russia supports the unity")
    assert pairs[1]["seed_sentence"].startswith("Both sides discussed")
    assert all(p["label"] in ("supported", "paraphrased") for p in pairs)
    side_by_side = tracker("lookup", url, "--excerpts").output
    assert "Điện Kremlin nói Nga ủng hộ" in side_by_side and "Both sides discussed" in side_by_side

    again = tracker("run")
    assert "seeds: 0 new, 0 revised, 1 unchanged" in again.output
    assert "translations: 0 made, 0 pending; excerpts: 0" in again.output
    assert "fetched 0" in again.output  # not due yet


def test_missing_model_is_pending_then_translated_once_installed(tracker, project, site):
    url = f"{site}/bai-viet.htm"
    write_seed(project, url)
    first = tracker("run")
    assert first.exit_code == 0
    assert "translations: 0 made, 1 pending" in first.output
    assert "no Argos model for vi→en" in first.output
    found = json.loads(tracker("lookup", url, "--json").output)
    pending = found["versions"][1]
    assert pending["status"] == "pending" and pending["text"] is None
    assert "tracker models install" in pending["activity"]["error"]
    # A later run without the model says so again but records nothing new: one pending activity.
    assert "translations: 0 made, 1 pending" in tracker("run", "--all").output
    count = tracker("sql", "--csv", "SELECT count(*) FROM activities WHERE kind = 'translate'").output
    assert count.splitlines()[1:] == ["1"]

    tracker("models", "install", str(cached_package("vi", "en", GLOSSARY)))
    second = tracker("run")
    assert "translations: 1 made, 0 pending; excerpts: 1" in second.output
    found = json.loads(tracker("lookup", url, "--json").output)
    assert [v["kind"] for v in found["versions"]] == ["original", "translated"]
    assert found["versions"][1]["text"] == TRANSLATION


def test_failures_are_recorded_and_the_run_completes(tracker, project, monkeypatch):
    routes = {
        "/gone": (404, {"Content-Type": "text/html"}, b"<h1>not here</h1>"),
        "/report.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 binary"),
        "/ok": html_page("vi_article.html"),
    }
    with serve(routes) as base:
        with serve({}) as dead:
            dead_url = f"{dead}/page"  # a port that is closed once this block ends
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", f"{base.port},{dead.port}")
        (project / "seeds" / "many.md").write_text(
            f"See [a dead link]({dead_url}), {base}/gone and {base}/report.pdf.\nSource: {base}/ok\n", encoding="utf-8"
        )
        result = tracker("run")
    assert result.exit_code == 0, result.output
    assert "fetched 1, unchanged 0, skipped 1, failed 2" in result.output

    gone = json.loads(tracker("lookup", f"{base}/gone", "--json").output)
    assert gone["source"]["state"] == "failed" and "404" in gone["source"]["last_error"]
    assert gone["fetch_attempts"][0]["status_code"] == 404
    dead_found = json.loads(tracker("lookup", dead_url, "--json").output)
    assert dead_found["source"]["state"] == "failed"
    assert dead_found["fetch_attempts"][0]["error_kind"] == "connect"
    pdf = json.loads(tracker("lookup", f"{base}/report.pdf", "--json").output)
    assert pdf["source"]["state"] == "skipped" and "application/pdf" in pdf["source"]["last_error"]
    assert pdf["versions"] == []


def test_failed_source_is_retried_by_a_later_run(tracker, project, monkeypatch):
    with serve({}) as dead:
        url = f"{dead}/later"  # closed from here on
    monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(dead.port))
    write_seed(project, url)
    assert "failed 1" in tracker("run").output
    assert "fetched 0, unchanged 0, skipped 0, failed 0" in tracker("run").output  # not due yet

    settings = load_settings()
    later = run(settings, now=utcnow() + timedelta(seconds=settings.schedule.retry_after + 1))
    assert [u for u, _ in later.failed] == [url]
    assert "failed 1" in tracker("run", "--all").output
    found = json.loads(tracker("lookup", url, "--json").output)
    assert len(found["fetch_attempts"]) == 3 and found["source"]["failures"] == 3


def test_loopback_is_refused_without_allow_private(tracker, project, site, monkeypatch):
    (project / "config.toml").write_text("[translation]\nauto_install = false\n")
    url = f"{site}/bai-viet.htm"
    write_seed(project, url)
    result = tracker("run")
    assert "failed 1" in result.output
    assert site.connections == 0
    found = json.loads(tracker("lookup", url, "--json").output)
    assert found["fetch_attempts"][0]["error_kind"] == "blocked_address"


def test_real_seeds_offline_lookup_shows_the_citing_seed(tracker, project):
    for seed in REPO_SEEDS.iterdir():
        shutil.copy(seed, project / "seeds")
    (project / "config.toml").write_text(
        "[translation]\nauto_install = false\n[fetch]\ndeadline = 5.0\nmax_retries = 0\n"
    )
    url = "https://thanhnien.vn/tong-thong-putin-lan-dau-noi-chuyen-voi-lanh-dao-moi-cua-syria-185250213110316652.htm"
    result = tracker("run")
    assert result.exit_code == 0
    assert "seeds: 2 new" in result.output
    found = json.loads(tracker("lookup", url, "--json").output)
    assert [s["path"] for s in found["seeds"]] == ["000_2c3edb034ccb3b0f.txt"]
    assert found["source"]["state"] == "failed" and found["source"]["last_error"]


def test_unknown_url_is_a_clear_error(project):
    result = CliRunner().invoke(cli, ["lookup", "https://nowhere.example/x"])
    assert result.exit_code == 1
    assert "no source known for https://nowhere.example/x" in result.output


def test_run_downloads_a_missing_model_from_the_index_and_says_so(tracker, project, site, monkeypatch):
    """What a user online sees: the vi→en model is missing, so `tracker run` gets it itself."""
    package = cached_package("vi", "en", GLOSSARY).read_bytes()
    routes = {"/package.argosmodel": (200, {"Content-Type": "application/zip"}, package)}
    with serve(routes) as models_site:
        routes["/index.json"] = (
            200,
            {"Content-Type": "application/json"},
            json.dumps(
                [
                    {
                        "type": "translate",
                        "code": "translate-vi_en",
                        "from_code": "vi",
                        "to_code": "en",
                        "package_version": "1.0",
                        "links": [f"{models_site}/package.argosmodel"],
                    }
                ]
            ).encode(),
        )
        monkeypatch.setenv("TRACKER_AUTO_INSTALL", "true")
        monkeypatch.setenv("TRACKER_INDEX_URL", f"{models_site}/index.json")
        write_seed(project, f"{site}/bai-viet.htm")
        result = tracker("run")
    assert "no vi→en model installed: downloading it from Argos's package index" in result.output
    assert "installed translate-vi_en 1.0" in result.output
    assert "translations: 1 made, 0 pending" in result.output
    found = json.loads(tracker("lookup", f"{site}/bai-viet.htm", "--json").output)
    assert found["versions"][1]["text"] == TRANSLATION


def test_run_with_auto_install_off_never_asks_the_index(tracker, project, site, monkeypatch):
    with serve({}) as models_site:
        monkeypatch.setenv("TRACKER_INDEX_URL", f"{models_site}/index.json")
        write_seed(project, f"{site}/bai-viet.htm")
        result = tracker("run", "--no-auto-install")
        assert models_site.connections == 0
    assert "translations: 0 made, 1 pending" in result.output


def test_an_unwritable_data_folder_is_one_clear_line(project, monkeypatch):
    (project / "not-a-folder").write_text("a file where the data folder should be")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(project / "not-a-folder" / "data"))
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 1
    assert result.output.startswith("tracker: stopped: ") and "Not a directory" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_a_full_disk_stops_the_run_with_one_line_and_keeps_what_was_committed(tracker, project, monkeypatch):
    """SQLite's own limit on the database size stands in for a full disk: same error, same path."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    routes = {f"/p{i}": html_page("vi_article.html") for i in range(30)}
    with serve(routes) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        (project / "seeds" / "s.md").write_text("\n".join(f"Source: {base}/p{i}" for i in range(30)))
        assert tracker("db", "upgrade").exit_code == 0
        pages = sqlite3.connect(project / "data" / "tracker.db").execute("PRAGMA page_count").fetchone()[0]

        def cap(dbapi_connection, _record):
            dbapi_connection.execute(f"PRAGMA max_page_count={pages + 8}")

        event.listen(Engine, "connect", cap)
        try:
            result = CliRunner().invoke(cli, ["run"])
        finally:
            event.remove(Engine, "connect", cap)
    assert result.exit_code == 1
    assert "tracker: stopped: database or disk is full (work committed so far is kept)" in result.output
    with sqlite3.connect(project / "data" / "tracker.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM seeds").fetchone() == (1,)
        committed = db.execute("SELECT count(*) FROM versions").fetchone()[0]
        assert 0 < committed < 30  # the disk filled mid-run; what came before it is all there
