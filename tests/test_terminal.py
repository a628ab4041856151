"""Text from seeds and pages reaches the terminal with its control characters escaped: a seed
cannot clear the screen, ring the bell, move the cursor or forge a log line (tracker/terminal.py)."""

from __future__ import annotations

import json
import re

from tests.http_server import serve
from tests.pages import article_html
from tracker.terminal import json_shown, shown

# Any C0/C1 control or DEL but the newline the CLI writes itself (and tab, its column separator),
# or a bidi override/isolate.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
EVIL = "\x1b[2J\x07\b"


def _page(title: str) -> bytes:
    return article_html(1).replace(b"Article 1</", f"{title}</".encode())  # <title> and <h1>


def test_seed_and_page_text_is_escaped_in_run_sources_and_lookup(project, tracker, monkeypatch):
    routes = {"/page": (200, {"Content-Type": "text/html; charset=utf-8"}, _page(f"Title{EVIL}\x9b31m"))}
    with serve(routes) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        bad = f"{base}/a{EVIL}"  # stops at the \r that follows: whitespace ends a URL
        (project / "seeds" / "s.md").write_text(
            f"The minister{EVIL} said \u202eit\u202c was forged, according to {bad}\r2026 ok.\n\n"
            f"Source: {base}/page\n\nThe council said so\x1b[31m, per {base}/page today.\n",
            encoding="utf-8",
        )
        run = tracker("run")
        assert run.exit_code == 0, run.output
        run_json = tracker("run", "--all", "--json")
    outputs = {
        "run": run.output,
        "run --json": run_json.output,
        "sources": tracker("sources").output,
        "sources --json": tracker("sources", "--json").output,
        "lookup": tracker("lookup", bad).output,
        "lookup page": tracker("lookup", f"{base}/page").output,
        "lookup --json": tracker("lookup", bad, "--json").output,
        "lookup --excerpts": tracker("lookup", f"{base}/page", "--excerpts").output,
        "seeds list": tracker("seeds", "list").output,
    }
    for name, output in outputs.items():
        assert not RAW.search(output), (name, output)
    assert "a\\x1b[2J\\x07\\x08" in outputs["run"]  # the bad URL's failure line, escaped
    assert "\\x1b[2J\\x07\\x08" in outputs["lookup"] and "\\u202e" in outputs["lookup"]  # the "cited by" sentence
    assert "Title" in outputs["lookup page"]  # extraction drops a title's controls; none is printed raw anyway
    assert all(line.count("\t") >= 6 for line in outputs["sources"].splitlines())  # columns kept
    for line in outputs["sources --json"].splitlines() + outputs["run --json"].splitlines():
        assert json.loads(line), line
    assert json.loads(outputs["lookup --json"])["source"]["url"] == bad  # same value, only written escaped


def test_shown_escapes_controls_and_bidi_but_keeps_joiners():
    assert shown("a\x1b[2J\x07\b\r\x9b\u202e\u2066z") == "a\\x1b[2J\\x07\\x08\\r\\x9b\\u202e\\u2066z"
    assert shown("می\u200cخواهم 👩\u200d💻") == "می\u200cخواهم 👩\u200d💻"  # Persian ZWNJ, emoji ZWJ
    assert shown("a\tb", keep="\t") == "a\tb"
    assert json.loads(json_shown(json.dumps({"k": "\x9b\u202e"}, ensure_ascii=False))) == {"k": "\x9b\u202e"}
