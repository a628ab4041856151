"""Archived copies (Memento): a loopback archive (tests/archive_site.py) answers TimeGate lookups
for sources that are gone or that tracker read long after their seed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.archive_site import TOOLBAR, FakeArchive
from tests.http_server import serve
from tests.tiny_argos import cached_package
from tests.vi_article import GLOSSARY, ORIGINAL, TRANSLATION

PAGE = (Path(__file__).parent / "fixtures" / "pages" / "vi_article.html").read_bytes()
CAPTURED = datetime(2025, 2, 12, 9, 30, tzinfo=UTC)
SEED = (
    "Russia supports the unity of Syria, the Kremlin said on Thursday.\n"
    "Both sides discussed trade and education, officials added.\n"
)


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


def test_a_gone_source_gets_its_archived_copy_translated_and_aligned(tracker, project, web):
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

    shown = tracker("lookup", url).output
    assert f"archived copy ({name}, 2025-02-12 09:30 UTC)" in shown

    again = tracker("run", "--all")  # the copy is there: the archive is not asked again
    assert again.exit_code == 0, again.output
    assert len(archive_requests(archive_base)) == 2
