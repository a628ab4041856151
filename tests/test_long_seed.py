"""A long seed citing many sources: alignment rows only for the sentences that draw on a source
(plus one summary), and the excerpts the same as for a short seed."""

from __future__ import annotations

import json
import sqlite3

from tests.http_server import serve
from tests.pages import article_html, article_text
from tracker.excerpts.candidates import LONG_SEED, index_seed


def test_a_long_seed_stores_one_summary_instead_of_a_row_per_unsupported_sentence(project, tracker, monkeypatch):
    count = LONG_SEED + 100

    def page(handler):
        return 200, {"Content-Type": "text/html; charset=utf-8"}, article_html(int(handler.path.rsplit("/", 1)[-1]))

    with serve({f"/p/{i}": page for i in range(count)}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        lines = [f"{article_text(i).split('. ')[1]} ({base}/p/{i})" for i in range(count)]
        (project / "seeds" / "report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = tracker("run", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert "excerpts: 3" in result.output
    with sqlite3.connect(project / "data" / "tracker.db") as db:
        rows = db.execute(
            "SELECT a.version_id, a.label, a.seed_sentences, a.source_sentences FROM alignments a ORDER BY a.id"
        ).fetchall()
        versions = {v for v, *_ in rows}
        assert len(versions) == 3
        for version in versions:
            mine = [r for r in rows if r[0] == version]
            drawn = [r for r in mine if json.loads(r[3])]
            summary = [r for r in mine if r[1] == "added"]
            assert len(summary) == 1 and len(drawn) >= 1 and len(mine) == len(drawn) + 1
            drawn_positions = {i for r in drawn for i in json.loads(r[2])}
            rest = json.loads(summary[0][2])
            assert sorted(drawn_positions | set(rest)) == list(range(count))
        # each source's excerpts hold the sentence its own seed line repeats
        excerpts = db.execute(
            "SELECT s.url, v.text FROM excerpts e JOIN versions v ON v.id = e.version_id "
            "JOIN sources s ON s.id = v.source_id"
        ).fetchall()
        fetched = {url for url, _ in excerpts}
        assert len(fetched) == 3
        for url in fetched:
            number = int(url.rsplit("/", 1)[-1])
            repeated = article_text(number).split(". ")[1]
            assert any(repeated in text for u, text in excerpts if u == url)


def test_short_seeds_are_aligned_whole():
    short = index_seed("One sentence here. Another one there.")
    assert not short.is_long and short.candidates(["anything"]) == [0, 1]
    long = index_seed(" ".join(f"Sentence {i} mentions Zanzibar{i} today." for i in range(LONG_SEED + 1)))
    assert long.is_long
    assert long.candidates(["A text about Zanzibar7."]) == [6, 7, 8]
