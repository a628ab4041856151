"""Excerpts in the database: an English source needs no translation, so its excerpts derive from
the original; alignments (added sentences included) and quote checks are answerable in SQL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from tests.http_server import serve
from tracker.cli import cli
from tracker.excerpts import align

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


def test_partial_alignments_and_their_details_in_sql_lookup_align_and_prov(project, monkeypatch, tracker):
    """A seed that changes a place, a figure, an actor, a time and a negation: every surface
    shows the `partial` sentences with the details the source does not bear out."""
    details = Path(__file__).parent / "fixtures" / "details"
    source_lines = (details / "source_floods.txt").read_text(encoding="utf-8").splitlines()
    page = (
        "<html lang=en><head><title>Floods</title></head><body><article>"
        + "".join(f"<p>{line}</p>" for line in source_lines)
        + "</article></body></html>"
    ).encode()
    seed_text = (details / "seed_floods.txt").read_text(encoding="utf-8")
    with serve({"/floods": (200, {"Content-Type": "text/html; charset=utf-8"}, page)}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        url = f"{base}/floods"
        (project / "seeds" / "floods.txt").write_text(seed_text + f"Source: {url}\n", encoding="utf-8")
        result = tracker("run")
    assert result.exit_code == 0, result.output

    query = tracker("sql", "--query", "unsupported_details", "--json")
    assert query.exit_code == 0, query.output
    rows = json.loads(query.output)
    found = {(d["kind"], d["text"], d["source_text"]) for row in rows for d in json.loads(row["unsupported_details"])}
    assert found == {
        ("name", "Bologna", "Ravenna"),
        ("number", "2 billion euros", "1.5 billion euros"),
        ("name", "Giorgia Meloni", "Stefano Bonaccini"),
        ("date", "5 a.m.", "3 a.m."),
        ("negation", "", "not"),
        ("date", "Monday", "Friday"),
    }
    assert {row["label"] for row in rows} == {"partial"} and all(row["original_text"] for row in rows)
    with sqlite3.connect(project / "data" / "tracker.db") as db:
        labels = dict(db.execute("SELECT label, COUNT(*) FROM alignments GROUP BY label").fetchall())
        # one row per seed sentence (issue 20): the figure and the actor sentences, which share a
        # source sentence, are two `partial` rows
        assert labels == {"paraphrased": 1, "partial": 6, "added": 1}  # added: the football line
        # each row judges one seed sentence: its position, in order, and the details in its own span
        judged = db.execute(
            "SELECT seed_sentence, label, verbatim, seed_start, seed_end, unsupported_details"
            " FROM alignment_judgments ORDER BY seed_start"
        ).fetchall()
        assert [row[0] for row in judged] == list(range(8))
        assert [row[1] for row in judged][2:4] == ["partial", "partial"]  # figure, actor: one source sentence
        for _, _, verbatim, start, end, listed in judged:
            assert not verbatim
            assert all(start <= d["seed_start"] < end for d in json.loads(listed))
        activity = json.loads(db.execute("SELECT parameters FROM activities WHERE kind = 'align'").fetchone()[0])
        assert activity["partial_coverage"] == align.PARTIAL_COVERAGE and "negation" in activity["details"]

    looked_up = json.loads(tracker("lookup", url, "--excerpts", "--json").output)
    pairs = [p for group in looked_up["alignments"] for p in group["pairs"]]
    assert [p["seed_position"] for p in pairs] == list(range(8))
    place = next(p for p in pairs if "Bologna" in p["seed_sentence"])
    assert place["label"] == "partial" and place["unsupported_details"][0]["text"] == "Bologna"
    assert seed_text[place["unsupported_details"][0]["seed_start"] : place["unsupported_details"][0]["seed_end"]] == (
        "Bologna"
    )
    shown = tracker("lookup", url, "--excerpts").output
    assert "not in the source (name): “Bologna”; the source says “Ravenna”" in shown

    (project / "source.txt").write_text("\n".join(source_lines), encoding="utf-8")
    aligned = json.loads(
        tracker("align", str(project / "seeds" / "floods.txt"), str(project / "source.txt"), "--json").output
    )
    assert [d["text"] for p in aligned["pairs"] for d in p["unsupported_details"] if d["kind"] == "date"] == [
        "5 a.m.",
        "Monday",
    ]

    out = project / "prov.json"
    assert tracker("export", "prov", str(out)).exit_code == 0
    entities = json.loads(out.read_text(encoding="utf-8"))["entity"]
    judged = [e for e in entities.values() if e.get("tracker:kind") == "excerpt"]
    assert {e["tracker:judgment"] for e in judged} == {"partial"}
    assert "Bologna" in " ".join(e["tracker:unsupported_details"] for e in judged)
    sentences = [j for e in judged for j in json.loads(e["tracker:sentence_judgments"])]
    assert sorted(j["seed_sentence"] for j in sentences) == list(range(7))  # the football line is in no excerpt
    by_position = {j["seed_sentence"]: j for j in sentences}
    assert [d["text"] for d in by_position[2]["unsupported_details"]] == ["2 billion euros"]
    assert [d["text"] for d in by_position[3]["unsupported_details"]] == ["Giorgia Meloni"]
    assert by_position[0]["label"] == "paraphrased" and by_position[0]["unsupported_details"] == []
