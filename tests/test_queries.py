"""Every named query in tracker/read/queries.sql runs against a database built by `tracker run`, and
`tracker sql` runs SQL read-only, with table, CSV and JSON output."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from tracker.read.queries import load_queries
from tracker.read.sql import run_read_only

QUERIES = load_queries()


def run_query(populated, query_name: str, **params):
    query = QUERIES[query_name]
    assert set(query.parameters) == set(params), f"{query_name} takes {query.parameters}"
    return run_read_only(populated.database_url, query.sql, params).as_dicts()


def check_which_seeds_cite_url(populated):
    for url in (populated.url, "https://bao.example/bai-viet.htm"):  # as cited, and canonical
        rows = run_query(populated, "which_seeds_cite_url", url=url)
        assert [r["seed_path"] for r in rows] == ["test_seed.txt", "later_seed.txt"]
    assert rows[0]["cue"] == "Source:" and rows[0]["sentence"].startswith("Source: ")
    assert run_query(populated, "which_seeds_cite_url", url="https://nowhere.example/") == []


def check_source_text_when_seed_published(populated):
    rows = run_query(populated, "source_text_when_seed_published", url=populated.url)
    first, later = rows
    # seed A was read before any capture: the first capture after it; seed B saw capture #1
    assert (first["seed_path"], first["captured"]) == ("test_seed.txt", "after")
    assert (later["seed_path"], later["captured"]) == ("later_seed.txt", "before")
    assert first["version_id"] == later["version_id"]
    assert first["language"] == "vi" and first["text"].endswith("Thời tiết hôm nay đẹp.")


def check_translations_by_model(populated):
    rows = run_query(populated, "translations_by_model", model="translate-vi_en", model_version="1.0")
    assert len(rows) == 2  # one per original version
    assert {(r["from_language"], r["to_language"], r["status"]) for r in rows} == {("vi", "en", "ready")}
    assert all(len(r["model_sha256"]) == 64 for r in rows)
    assert run_query(populated, "translations_by_model", model="translate-vi_en", model_version="9.9") == []


def check_sources_changed_after_cited(populated):
    rows = run_query(populated, "sources_changed_after_cited")
    assert [(r["seed_path"], r["changes_since"]) for r in rows] == [("test_seed.txt", 1), ("later_seed.txt", 1)]
    assert rows[0]["newest_version_id"] > rows[0]["cited_version_id"]


def check_seeds_with_unfound_quotes(populated):
    assert run_query(populated, "seeds_with_unfound_quotes") == [
        {"seed_id": 1, "seed_path": "test_seed.txt", "quote": "a promise nobody ever made here"}
    ]


def check_failed_sources(populated):
    rows = run_query(populated, "failed_sources")
    assert [(r["url"], r["state"], r["status_code"], r["citing_seeds"]) for r in rows] == [
        (populated.gone_url, "failed", 404, 1)
    ]
    assert "404" in rows[0]["last_error"]


def check_source_history(populated):
    rows = run_query(populated, "source_history", url=populated.url)
    originals = [r for r in rows if r["kind"] == "original"]
    assert len(originals) == 2
    assert originals[0]["superseded_at"] == originals[1]["captured_at"] and originals[1]["superseded_at"] is None
    assert {r["kind"] for r in rows} == {"original", "translated", "excerpt"}


def check_excerpts_of_seed(populated):
    rows = run_query(populated, "excerpts_of_seed", seed_id=1)
    # One excerpt per captured version of the source (it changed once): the run of the two
    # source sentences the seed draws on; the changed third sentence is in neither.
    assert len(rows) == 2
    for row in rows:
        assert row["seed_sentence"].startswith("Russia supports the unity of Syria")
        assert row["translated_text"] == (
            "The Kremlin said Russia supports the unity of Syria.\nBoth sides discussed on trade and also on education."
        )
        assert row["original_text"] == (
            "Điện Kremlin nói Nga ủng hộ thống nhất Syria.\nHai bên thảo luận thương mại và giáo dục."
        )


def check_unsupported_details(populated):
    # The populated seeds are faithful paraphrases of the source ("on Thursday" is a date the
    # source lacks, not one it contradicts): nothing partial. test_excerpts covers a seed that is.
    assert run_query(populated, "unsupported_details") == []
    judged = run_read_only(
        populated.database_url, "SELECT label, model_score, align_activity_id FROM alignment_judgments", {}
    ).as_dicts()
    assert {r["label"] for r in judged} == {"paraphrased", "added"}
    # the source is translated: the vi→en model scored each linked seed sentence given the original
    assert all((r["model_score"] is None) == (r["label"] == "added") for r in judged)
    assert all(r["model_score"] <= 0 for r in judged if r["model_score"] is not None)
    parameters = run_read_only(
        populated.database_url, "SELECT parameters FROM activities WHERE kind = 'align'", {}
    ).as_dicts()
    assert {json.loads(p["parameters"])["model_score"]["model"] for p in parameters} == {"translate-vi_en"}


def check_attributions_to(populated):
    rows = run_query(populated, "attributions_to", name="AFP")
    assert [(r["seed_path"], r["cue"]) for r in rows] == [("later_seed.txt", "according to")]
    (row,) = rows
    assert (row["source"], row["source_kind"], row["name"], row["resolved_by"], row["cue_kind"]) == (
        "AFP",
        "named",
        "AFP",
        "as written",
        "according to",
    )
    assert row["content"] == "Both sides discussed trade and education"
    assert 0 < row["confidence"] <= 1
    # matched on the source as written too: the Kremlin's sentence in the first seed
    kremlin = run_query(populated, "attributions_to", name="Kremlin")
    assert [(r["seed_path"], r["name"], r["content"]) for r in kremlin] == [
        ("test_seed.txt", "the Kremlin", "Russia supports the unity of Syria")
    ]


def check_sources_known_only_from_archive(populated):
    # The populated database has no archived copies (its run asks no archive): none is listed,
    # and the gone source is not taken for one. tests/test_archive.py runs both archive queries
    # on real archived copies, on SQLite and PostgreSQL.
    assert run_query(populated, "sources_known_only_from_archive") == []


def check_sources_changed_since_archived(populated):
    assert run_query(populated, "sources_changed_since_archived") == []


def check_where_sentence_changed(populated):
    # One hop of faithful paraphrases: every seed sentence's trail has a step, and no step changed.
    steps = run_read_only(
        populated.database_url, "SELECT seed_id, seed_sentence, hop, label FROM source_trails", {}
    ).as_dicts()
    assert steps and {s["hop"] for s in steps} == {1} and {s["label"] for s in steps} == {"paraphrased"}
    first = steps[0]
    found = run_query(populated, "where_sentence_changed", seed_id=first["seed_id"], sentence=first["seed_sentence"])
    assert found == []


CHECKS = {name.removeprefix("check_"): check for name, check in globals().items() if name.startswith("check_")}


def test_every_named_query_has_a_check():
    assert set(QUERIES) == set(CHECKS)


@pytest.mark.parametrize("name", list(QUERIES))
def test_named_query(populated, name):
    CHECKS[name](populated)


def test_sql_prints_a_table_csv_and_json(tracker, populated):
    table = tracker("sql", "SELECT id, path FROM seeds ORDER BY id")
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].split() == ["id", "path"] and lines[2].split() == ["1", "test_seed.txt"]
    assert lines[-1] == "(2 rows)"

    as_csv = tracker("sql", "--csv", "SELECT id, path FROM seeds ORDER BY id")
    assert list(csv.reader(io.StringIO(as_csv.output))) == [
        ["id", "path"],
        ["1", "test_seed.txt"],
        ["2", "later_seed.txt"],
    ]
    as_json = tracker("sql", "--json", "SELECT id, path FROM seeds WHERE id = :id", "--param", "id=2")
    assert json.loads(as_json.output) == [{"id": 2, "path": "later_seed.txt"}]


def test_sql_runs_a_named_query_with_parameters(tracker, populated):
    result = tracker("sql", "--query", "which_seeds_cite_url", "--param", f"url={populated.url}", "--json")
    assert result.exit_code == 0, result.output
    assert [r["seed_path"] for r in json.loads(result.output)] == ["test_seed.txt", "later_seed.txt"]
    unknown = tracker("sql", "--query", "no_such_query")
    assert unknown.exit_code == 1 and "no query named 'no_such_query'" in unknown.output


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM seeds",
        "UPDATE sources SET state = 'new'",
        "CREATE TABLE notes (x)",
        "  /* not a select */ insert into seeds (path) values ('x')",
        "WITH gone AS (SELECT 1) DELETE FROM citations",
    ],
)
def test_sql_cannot_write(tracker, populated, statement):
    result = tracker("sql", statement)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("tracker: sql: attempt to write a readonly database")
    with sqlite3.connect(populated.database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM seeds").fetchone() == (2,)


def test_sql_errors_are_one_line(tracker, populated):
    missing = tracker("sql", "SELECT * FROM seeds WHERE id = :id")
    assert missing.exit_code == 1 and len(missing.output.strip().splitlines()) == 1
    assert ":id" in missing.output or "binding" in missing.output
    bad = tracker("sql", "SELEC nonsense")
    assert bad.exit_code == 1 and "syntax error" in bad.output
    neither = tracker("sql")
    assert neither.exit_code == 1 and "give either a SQL statement or --query NAME" in neither.output
    malformed = tracker("sql", "SELECT 1", "--param", "novalue")
    assert malformed.exit_code == 1 and "NAME=VALUE" in malformed.output
