"""Archived copies (Memento): a loopback archive (tests/archive_site.py) answers TimeGate lookups
for sources that are gone or that tracker read long after their seed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.archive_site import TOOLBAR, FakeArchive
from tests.http_server import serve
from tests.pages import article_html
from tests.tiny_argos import cached_package
from tests.vi_article import GLOSSARY, ORIGINAL, TRANSLATION
from tracker.config import load_settings
from tracker.runner import run
from tracker.store.db import open_database
from tracker.store.tables import Activity, Source, utcnow
from tracker.store.work_tables import Host

PAGE = (Path(__file__).parent / "fixtures" / "pages" / "vi_article.html").read_bytes()
CAPTURED = datetime(2025, 2, 12, 9, 30, tzinfo=UTC)
SEED = (
    "Russia supports the unity of Syria, the Kremlin said on Thursday.\n"
    "Both sides discussed trade and education, officials added.\n"
)


@pytest.fixture(params=["sqlite", "postgres"])
def driver(request, project, monkeypatch) -> str:
    """Both drivers: `tracker run` in process on SQLite, and through the workers' queue on PostgreSQL."""
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
        monkeypatch.setenv("TRACKER_DATABASE_URL", request.getfixturevalue("postgres_url"))
    return request.param


@pytest.fixture
def web(project, monkeypatch):
    """The source's site (which serves what `site` holds) and the archive, both on loopback."""
    site: dict = {}
    archive = FakeArchive({})
    with serve(site) as source_base, serve(archive.routes()) as archive_base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", f"{source_base.port},{archive_base.port}")
        monkeypatch.setenv("TRACKER_ARCHIVE_ENABLED", "true")
        monkeypatch.setenv("TRACKER_ARCHIVE_TIMEGATES", f"{archive_base}/web/")
        yield source_base, site, archive_base, archive


def write_seed(project: Path, url: str, name: str = "seed.txt") -> None:
    (project / "seeds" / name).write_text(SEED + f"Source: {url}\n", encoding="utf-8")


def archive_requests(base) -> list[tuple[str, dict]]:
    return [(path, headers) for _, path, headers in base.requests if path != "/robots.txt"]


def test_a_gone_source_gets_its_archived_copy_translated_and_aligned(tracker, project, driver, web):
    source_base, site, archive_base, archive = web
    url = f"{source_base}/gone.htm"
    site["/gone.htm"] = (410, {"Content-Type": "text/html"}, b"gone")
    archive.captures[url] = [(CAPTURED, PAGE)]
    write_seed(project, url)
    assert tracker("models", "install", str(cached_package("vi", "en", GLOSSARY))).exit_code == 0

    result = tracker("run")
    assert result.exit_code == 0, result.output
    name = f"127.0.0.1:{archive_base.port}"
    assert f"archived copy ({name}, 2025-02-12 09:30 UTC) of {url} (new text)" in result.output
    assert "translations: 1 made" in result.output

    timegate, memento = archive_requests(archive_base)
    assert timegate[0] == f"/web/{url}" and timegate[1]["accept-datetime"].endswith("GMT")
    assert memento[0] == f"/web/20250212093000id_/{url}"  # the raw capture, without the toolbar

    found = json.loads(tracker("lookup", url, "--json").output)
    assert found["source"]["state"] == "retired" and found["source"]["archive_state"] == "archived"
    original, translated = found["versions"]
    assert original["archived"] is True and original["archive_name"] == name
    assert original["memento_url"] == f"{archive_base}/web/20250212093000id_/{url}"
    assert original["captured_at"].startswith("2025-02-12T09:30:00")
    assert original["text"] == ORIGINAL and TOOLBAR.decode() not in original["text"]
    assert original["activity"]["kind"] == "extract"
    assert translated["parent_id"] == original["id"] and translated["text"] == TRANSLATION
    [group] = found["alignments"]
    assert [p["original_sentence"] for p in group["pairs"]] == ORIGINAL.splitlines()[:2]

    [asked] = found["archive_lookups"]
    assert (asked["status"], asked["parameters"]["reason"], asked["parameters"]["archive"]) == ("ok", "gone", name)
    assert [r["status"] for r in asked["parameters"]["requests"]] == [302, 200]
    shown = tracker("lookup", url).output
    assert f"archived copy ({name}, 2025-02-12 09:30 UTC)" in shown
    assert tracker("report", "seed.txt", "-o", str(project / "r.html")).exit_code == 0
    assert f"archived copy ({name}, 2025-02-12 09:30 UTC)" in (project / "r.html").read_text()
    prov = json.loads(tracker("export", "prov").output)
    entity = prov["entity"][f"tracker:version/{original['id']}"]
    assert entity["tracker:archived"] is True and entity["tracker:memento_url"] == original["memento_url"]
    assert entity["prov:label"].startswith(f"archived copy ({name}, 2025-02-12 09:30 UTC)")
    # Alerts (issue 24): the source is gone, with its archived copy named; the copy is no change.
    told = [json.loads(line) for line in tracker("alerts", "--json").output.splitlines()]
    assert [a["kind"] for a in told] == ["source_gone"], told
    assert told[0]["details"]["archived_copy"] == f"archived copy ({name}, 2025-02-12 09:30 UTC)"
    ref = f"tracker:version/{original['id']}"
    [agent] = [r["prov:agent"] for r in prov["wasAttributedTo"].values() if r["prov:entity"] == ref]
    assert prov["agent"][agent]["prov:label"] == name  # the archive captured it, not tracker

    [only] = json.loads(tracker("sql", "--query", "sources_known_only_from_archive", "--json").output)
    assert (only["source_url"], only["archive_name"], only["citing_seeds"]) == (url, name, 1)
    assert only["memento_url"] == original["memento_url"]

    again = tracker("run", "--all")  # the copy is there: the archive is not asked again
    assert again.exit_code == 0, again.output
    assert len(archive_requests(archive_base)) == 2


def html_seed(project: Path, url: str, published: str) -> None:
    """A seed page saved as a file, published at `published`, citing `url` in its running text."""
    (project / "seeds" / "story.html").write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Story</title>"
        f"<meta property='article:published_time' content='{published}'></head><body><article>"
        f"<p>The first sentence of the article, <a href='{url}'>the report says</a>.</p>"
        "<p>The second sentence of the article follows it.</p></article></body></html>",
        encoding="utf-8",
    )


def test_a_source_read_a_month_after_its_seed_gets_the_capture_from_before_the_seed(tracker, project, driver, web):
    source_base, site, archive_base, archive = web
    url = f"{source_base}/story.htm"
    site["/story.htm"] = (200, {"Content-Type": "text/html; charset=utf-8"}, article_html(1, version=2))
    before, after = datetime(2025, 2, 1, 8, 0, tzinfo=UTC), datetime(2025, 2, 14, 8, 0, tzinfo=UTC)
    # The TimeGate answers with the closest capture, the day after the seed; it links the one before.
    archive.captures[url] = [(before, article_html(1)), (after, article_html(1, version=1))]
    html_seed(project, url, "2025-02-13T10:00:00+00:00")

    result = tracker("run")
    assert result.exit_code == 0, result.output
    assert f"archived copy (127.0.0.1:{archive_base.port}, 2025-02-01 08:00 UTC) of {url}" in result.output
    paths = [path for path, _ in archive_requests(archive_base)]
    assert paths == [f"/web/{url}", f"/web/20250214080000id_/{url}", f"/web/20250201080000id_/{url}"]

    at_seed = json.loads(
        tracker("sql", "--query", "source_text_when_seed_published", "--param", f"url={url}", "--json").output
    )
    [row] = at_seed
    assert bool(row["archived"]) and row["captured"] == "before" and row["captured_at"].startswith("2025-02-01")
    assert "Article 1 revision 0 opens" in row["text"]  # the text the author could have read
    changed = json.loads(tracker("sql", "--query", "sources_changed_since_archived", "--json").output)
    [row] = changed
    assert row["source_url"] == url and row["archived_at"].startswith("2025-02-01")
    assert row["archived_text"] != row["our_text"]
    only = json.loads(tracker("sql", "--query", "sources_known_only_from_archive", "--json").output)
    assert only == []  # tracker read this one itself too

    found = json.loads(tracker("lookup", url, "--json", "--at", "2025-02-13").output)
    assert found["at"]["archived_as"].startswith("archived copy (") and found["at"]["captured"] == "before"
    ours = json.loads(tracker("lookup", url, "--json", "--at", "2026-12-31").output)
    assert ours["at"]["archived_as"] is None  # our own capture once there is one in force


def test_a_page_no_archive_has_is_not_archived_and_asked_again_a_week_later(project, web):
    source_base, site, archive_base, archive = web
    url = f"{source_base}/missing.htm"
    site["/missing.htm"] = (404, {"Content-Type": "text/html"}, b"not found")
    write_seed(project, url)
    settings = load_settings()
    lines: list[str] = []
    first = run(settings, notify=lambda message, event="info", **_: lines.append(message))
    [(_, line)] = first.not_archived
    assert line.startswith(f"not archived: {url} (asked 127.0.0.1:{archive_base.port}); asked again after ")
    assert [m for m in lines if m.startswith("not archived")] == [line]
    with Session(open_database(settings.database.target)) as session:
        source = session.exec(select(Source)).one()
        assert source.archive_state == "not_archived"
        assert timedelta(days=6.9) < source.archive_due_at - utcnow() <= timedelta(days=7)
        [activity] = session.exec(select(Activity).where(Activity.kind == "archive")).all()
        assert (activity.status, activity.error) == ("not_archived", line)

    run(settings, now=utcnow() + timedelta(days=1))  # not asked again before the week is out
    assert len(archive_requests(archive_base)) == 1
    archive.captures[url] = [(CAPTURED, article_html(3))]  # archives fill in later
    later = run(settings, now=utcnow() + timedelta(days=8))
    assert later.archived == 1 and len(archive_requests(archive_base)) == 3


def test_an_archive_429_with_retry_after_is_honoured(project, web):
    source_base, site, archive_base, archive = web
    url = f"{source_base}/gone.htm"
    site["/gone.htm"] = (410, {"Content-Type": "text/html"}, b"gone")
    archive.captures[url] = [(CAPTURED, article_html(3))]
    archive.timegate_answer = lambda handler: (429, {"Retry-After": "7200"}, b"slow down")
    write_seed(project, url)
    settings = load_settings()
    lines: list[str] = []
    first = run(settings, notify=lambda message, event="info", **_: lines.append(message))
    said = [m for m in lines if m.startswith("archive could not be reached")]
    assert len(said) == 1 and "HTTP 429" in said[0] and first.archived == 0
    with Session(open_database(settings.database.target)) as session:
        source = session.exec(select(Source)).one()
        assert source.archive_state == "unreachable"
        assert source.archive_due_at - utcnow() > timedelta(seconds=7000)
        host = session.get(Host, f"http://127.0.0.1:{archive_base.port}")
        assert host.blocked_until - utcnow() > timedelta(seconds=7000)

    archive.timegate_answer = None
    run(settings, now=utcnow() + timedelta(hours=1), fetch_all=True)  # still inside Retry-After
    assert len(archive_requests(archive_base)) == 1
    later = run(settings, now=utcnow() + timedelta(hours=3))
    assert later.archived == 1 and len(archive_requests(archive_base)) == 3


def test_an_archive_redirect_to_a_private_address_is_refused(project, web, monkeypatch):
    source_base, site, archive_base, archive = web
    url = f"{source_base}/gone.htm"
    site["/gone.htm"] = (410, {"Content-Type": "text/html"}, b"gone")
    archive.captures[url] = [(CAPTURED, article_html(3))]
    with serve({"/": (200, {"Content-Type": "text/html"}, article_html(3))}, host="127.0.0.2") as private:
        archive.redirect_to = f"http://127.0.0.2:{private.port}/web/20250212093000/{url}"
        ports = f"{source_base.port},{archive_base.port},{private.port}"
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", ports)  # refused for its address, not its port
        write_seed(project, url)
        summary = run(load_settings())
        assert private.connections == 0
    assert summary.archived == 0
    [reason] = summary.archives_unreachable.values()
    assert reason.startswith("refused: ") and "127.0.0.2" in reason


def test_archive_disabled_sends_nothing_to_the_archive(project, web, monkeypatch):
    source_base, site, archive_base, archive = web
    url = f"{source_base}/gone.htm"
    site["/gone.htm"] = (410, {"Content-Type": "text/html"}, b"gone")
    archive.captures[url] = [(CAPTURED, article_html(3))]
    monkeypatch.setenv("TRACKER_ARCHIVE_ENABLED", "false")
    write_seed(project, url)
    settings = load_settings()
    run(settings)
    run(settings, now=utcnow() + timedelta(days=30), fetch_all=True)
    assert archive_base.requests == []
    with Session(open_database(settings.database.target)) as session:
        assert session.exec(select(Source)).one().archive_due_at is None


def test_save_page_now_only_when_asked(project, web, monkeypatch):
    source_base, site, archive_base, archive = web
    for name in ("one", "two"):
        site[f"/{name}.htm"] = (200, {"Content-Type": "text/html; charset=utf-8"}, article_html(len(name)))
    write_seed(project, f"{source_base}/one.htm", "one.txt")
    run(load_settings())  # read in time, not gone, and `save` is off: nothing for the archive
    assert archive_base.requests == []

    monkeypatch.setenv("TRACKER_ARCHIVE_SAVE", "true")
    write_seed(project, f"{source_base}/two.htm", "two.txt")
    settings = load_settings()
    run(settings)
    assert archive_requests(archive_base)[0][0] == f"/save/{source_base}/two.htm"
    assert len(archive_requests(archive_base)) == 1
    with Session(open_database(settings.database.target)) as session:
        states = {s.url: s.archive_state for s in session.exec(select(Source))}
    assert states == {f"{source_base}/one.htm": None, f"{source_base}/two.htm": "saved"}


def test_shipped_seeds_offline_say_once_that_the_archive_could_not_be_reached(project, monkeypatch):
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    for seed in seeds.iterdir():
        (project / "seeds" / seed.name).write_bytes(seed.read_bytes())
    monkeypatch.setenv("TRACKER_ARCHIVE_ENABLED", "true")  # the default TimeGate: the Wayback Machine
    settings = load_settings()
    assert settings.archive.timegates == ("https://web.archive.org/web/",)
    lines: list[str] = []
    for hours in (0, 2):  # a DNS failure asks an archive the second time in a row
        summary = run(settings, now=utcnow() + timedelta(hours=hours), notify=lambda m, e="info", **_: lines.append(m))
    said = [line for line in lines if "archive" in line]
    assert len(said) == 1, said
    assert said[0].startswith("archive could not be reached: Wayback Machine (") and "web.archive.org" in said[0]
    assert summary.archived == 0 and summary.failed


def test_archive_settings_are_checked_at_start(tmp_path):
    from tracker.config import ConfigError

    config = tmp_path / "c.toml"
    config.write_text("[archive]\ntimegates = []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[archive\] timegates is empty"):
        load_settings(config, environ={})
    config.write_text('[archive]\ntimegates = ["ftp://archive.example/"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="is not an http"):
        load_settings(config, environ={})
    config.write_text("[archive]\nenabled = false\ntimegates = []\n", encoding="utf-8")
    assert load_settings(config, environ={}).archive.enabled is False
    config.write_text("", encoding="utf-8")
    defaults = load_settings(config, environ={}).archive
    assert (defaults.enabled, defaults.after_failures, defaults.late_after, defaults.save) == (True, 2, 86400, False)
