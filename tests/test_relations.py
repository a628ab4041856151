"""Related seeds: the two real seeds report the same event; an unrelated seed is not related."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from tracker.cli import cli
from tracker.excerpts.relations import related_seeds

REPO_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FIXTURES = Path(__file__).parent / "fixtures" / "align"


def test_real_seeds_are_related_and_an_unrelated_seed_is_not(project):
    for seed in REPO_SEEDS.iterdir():
        shutil.copy(seed, project / "seeds")
    shutil.copy(FIXTURES / "unrelated_seed.txt", project / "seeds")
    result = CliRunner().invoke(cli, ["run"], catch_exceptions=False)
    assert result.exit_code == 0 and "related seeds: 1 pair" in result.output
    with sqlite3.connect(project / "data" / "tracker.db") as db:
        rows = db.execute("""
            SELECT a.path, b.path, r.reason FROM seed_relations r
            JOIN seeds a ON a.id = r.seed_id JOIN seeds b ON b.id = r.related_seed_id
            ORDER BY 1, 3""").fetchall()
    real = ("000_2c3edb034ccb3b0f.txt", "004_5649e7dd8b6e68a8.txt")
    assert (real[0], real[1], "same_event") in rows and (real[1], real[0], "same_event") in rows
    assert (real[0], real[1], "same_attribution") in rows  # both cite the Kremlin
    assert not [row for row in rows if "unrelated_seed.txt" in row]


def test_shared_sources_and_attributions_link_seeds_whatever_their_text():
    relations = related_seeds(
        {1: "Apples are red.", 2: "The tide was low at noon."},
        {1: {"https://a.example/x"}, 2: {"https://a.example/x"}},
        {1: {"reuters"}, 2: {"reuters", "afp"}},
    )
    found = {(r.seed_id, r.related_seed_id, r.reason): r for r in relations}
    assert set(found) == {
        (1, 2, "same_source"),
        (2, 1, "same_source"),
        (1, 2, "same_attribution"),
        (2, 1, "same_attribution"),
    }
    assert found[(1, 2, "same_attribution")].score == 0.5
    assert found[(1, 2, "same_attribution")].shared == ("reuters",)


def test_seeds_sharing_a_source_only_by_its_resolved_name_are_related(project):
    # Neither seed writes "Dmitry Peskov said": one says "Mr. Peskov said", the other "he said".
    (project / "seeds" / "a.txt").write_text(
        "Kremlin spokesman Dmitry Peskov spoke on Monday. Mr. Peskov said the talks would go on.\n", encoding="utf-8"
    )
    (project / "seeds" / "b.txt").write_text(
        "Dmitry Peskov met reporters in Moscow. He said the ceasefire would hold.\n"
        "The GOP presidential candidate said the talks had failed.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["run"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(project / "data" / "tracker.db") as db:
        rows = db.execute("SELECT reason, shared FROM seed_relations WHERE reason = 'same_attribution'").fetchall()
        names = db.execute("SELECT text, name FROM citations WHERE kind = 'attribution' ORDER BY seed_id").fetchall()
    assert ("Mr. Peskov", "Dmitry Peskov") in names and ("He", "Dmitry Peskov") in names
    assert ("The GOP presidential candidate", None) in names  # a description with no name relates nothing
    assert len(rows) == 2 and all("dmitry peskov" in shared for _, shared in rows)
