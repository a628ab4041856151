"""Excerpts in the database: an English source needs no translation, so its excerpts derive from
the original; alignments (added sentences included) and quote checks are answerable in SQL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from tests.http_server import serve
from tracker.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "align"


def test_english_source_alignments_excerpts_and_quotes_in_sql(project, monkeypatch):
    lines = (FIXTURES / "source_en.txt").read_text(encoding="utf-8").splitlines()
    page = (
        "<html lang=en><head><title>Budget</title></head><body><article>"
        + "".join(f"<p>{line}</p>" for line in lines)
        + "</article></body></html>"
    ).encode()
    with serve({"/budget": (200, {"Content-Type": "text/html; charset=utf-8"}, page)}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        seed = (
            (FIXTURES / "seed_en.txt")
            .read_text(encoding="utf-8")
            .replace("https://news.example/budget", f"{base}/budget")
        )
        (project / "seeds" / "budget.txt").write_text(seed, encoding="utf-8")
        result = CliRunner().invoke(cli, ["run"], catch_exceptions=False)
    assert "excerpts: 2" in result.output, result.output

    with sqlite3.connect(project / "data" / "tracker.db") as db:
        excerpts = db.execute("""
            SELECT e.first_sentence, e.last_sentence, e.label, v.text, p.kind, e.original_start, e.original_end,
                   p.text, e.translated_start
            FROM excerpts e JOIN versions v ON v.id = e.version_id JOIN versions p ON p.id = v.parent_id
            ORDER BY e.first_sentence""").fetchall()
        assert [(e[0], e[1]) for e in excerpts] == [(0, 3), (5, 6)]
        assert all(e[4] == "original" and e[8] is None for e in excerpts)  # no translation needed
        assert excerpts[0][3].startswith(lines[0]) and excerpts[0][3].endswith(lines[3])
        assert excerpts[1][7][excerpts[1][5] : excerpts[1][6]] == excerpts[1][3]
        linked = db.execute(
            "SELECT COUNT(*) FROM version_seeds l JOIN versions v ON v.id = l.version_id WHERE v.kind = 'excerpt'"
        ).fetchone()
        assert linked == (2,)

        added = db.execute("SELECT seed_text, source_sentences FROM alignments WHERE label = 'added'").fetchall()
        assert added == [("The weather forecast promises sunshine for the weekend festival in the harbour.", "[]")]
        merged = db.execute(
            "SELECT source_sentences, label FROM alignments WHERE seed_text LIKE 'The city council%'"
        ).fetchone()
        assert json.loads(merged[0]) == [0, 1] and merged[1] == "supported"
        quotes = dict(db.execute("SELECT quote, status FROM quotes").fetchall())
        assert quotes == {
            "cutting money for public libraries": "approximate",
            "vote ended months of disagreement": "exact",
            "a victory for every taxpayer": "not_found",
        }
        differences = db.execute("SELECT differences FROM quotes WHERE status = 'approximate'").fetchone()[0]
        assert json.loads(differences) == [{"seed": "money", "source": "funds"}]

    again = CliRunner().invoke(cli, ["run"], catch_exceptions=False)
    assert "excerpts: 0" in again.output  # aligned once per seed and version
