"""`tracker export warc`: a populated database written as WARC and read back with warcio."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from tests.http_server import serve
from tracker.cli import cli

PAGE = (Path(__file__).parent / "fixtures" / "pages" / "vi_article.html").read_bytes()
NOTE = "Bộ Ngoại giao xác nhận cuộc gọi.\nHai bên thảo luận thương mại.".encode()


@pytest.fixture
def fetched(tracker, project, monkeypatch):
    """A project whose run fetched a gzip-encoded HTML page, a plain-text page and a 404."""
    routes = {
        "/article.htm": (
            200,
            {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip", "ETag": '"v1"'},
            gzip.compress(PAGE),
        ),
        "/note.txt": (200, {"Content-Type": "text/plain; charset=utf-8"}, NOTE),
        "/gone": (404, {"Content-Type": "text/html"}, b"gone"),
    }
    with serve(routes) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        (project / "seeds" / "seed.txt").write_text(
            "".join(f"Officials said so.\nSource: {base}{path}\n" for path in routes), encoding="utf-8"
        )
        result = tracker("run")
        assert "fetched 2" in result.output and "failed 1" in result.output, result.output
        yield base


@pytest.mark.parametrize("name", ["archive.warc.gz", "archive.warc"])
def test_warc_holds_every_original_response(tracker, project, fetched, name):
    result = tracker("export", "warc", str(project / name))
    assert result.exit_code == 0, result.output
    assert "wrote 2 responses" in result.output
    raw = (project / name).read_bytes()
    assert raw[:2] == b"\x1f\x8b" if name.endswith(".gz") else raw.startswith(b"WARC/")

    with (project / name).open("rb") as stream:
        records = [
            (r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(stream, check_digests=True)
        ]
    assert [kind for kind, *_ in records] == ["warcinfo", "response", "metadata", "response", "metadata"]
    responses = {
        headers.get_header("WARC-Target-URI"): (http, payload)
        for kind, headers, http, payload in records
        if kind == "response"
    }
    assert set(responses) == {f"{fetched}/article.htm", f"{fetched}/note.txt"}

    http, payload = responses[f"{fetched}/article.htm"]
    assert http.get_statuscode() == "200" and http.protocol == "HTTP/1.1"
    assert payload == PAGE  # decoded, as stored, so the encoding header is gone
    assert http.get_header("Content-Encoding") is None
    assert http.get_header("Content-Length") == str(len(PAGE))
    assert http.get_header("ETag") == '"v1"'
    assert http.get_header("Content-Type") == "text/html; charset=utf-8"
    assert responses[f"{fetched}/note.txt"][1] == NOTE

    response_ids = [h.get_header("WARC-Record-ID") for kind, h, _, _ in records if kind == "response"]
    metadata = [(h, payload.decode()) for kind, h, _, payload in records if kind == "metadata"]
    assert [h.get_header("WARC-Concurrent-To") for h, _ in metadata] == response_ids
    assert f"tracker-cited-url: {fetched}/article.htm\r\n" in metadata[0][1]
    assert "tracker-body-sha256: " in metadata[0][1]


def test_unwritable_file_is_one_line(project):
    result = CliRunner().invoke(cli, ["export", "warc", str(project / "missing" / "a.warc")])
    assert result.exit_code == 1
    assert result.output.startswith("tracker: cannot write") and "Traceback" not in result.output
