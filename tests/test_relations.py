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


def all_pairs(texts: dict[int, str]) -> set[tuple[int, int]]:
    """same_event as it was computed before the index: every pair scored (the reference)."""
    import math
    from collections import Counter
    from itertools import combinations

    from tracker.excerpts.features import NAME_WEIGHT, tokens
    from tracker.excerpts.relations import SAME_EVENT, TEXT_WEIGHT

    vectors = {}
    for i, text in texts.items():
        found = tokens(text)
        vectors[i] = (Counter(t.stem for t in found), {t.stem for t in found if t.weight == NAME_WEIGHT})
    df = Counter(t for counts, _ in vectors.values() for t in counts)
    n = len(texts) + 1
    weighted = {
        i: {t: (1 + math.log(c)) * math.log((n + 1) / (df[t] + 1)) for t, c in counts.items()}
        for i, (counts, _) in vectors.items()
    }
    related = set()
    for a, b in combinations(sorted(texts), 2):
        dot = sum(w * weighted[b].get(t, 0.0) for t, w in weighted[a].items())
        norm = math.sqrt(sum(w * w for w in weighted[a].values())) * math.sqrt(sum(w * w for w in weighted[b].values()))
        union = vectors[a][1] | vectors[b][1]
        jaccard = len(vectors[a][1] & vectors[b][1]) / len(union) if union else 0.0
        if round(TEXT_WEIGHT * (dot / norm if norm else 0.0) + (1 - TEXT_WEIGHT) * jaccard, 4) >= SAME_EVENT:
            related.add((a, b))
    return related


def small_set() -> dict[int, str]:
    texts = {i + 1: path.read_text(encoding="utf-8") for i, path in enumerate(sorted(REPO_SEEDS.iterdir()))}
    texts[10] = (FIXTURES / "unrelated_seed.txt").read_text(encoding="utf-8")
    texts[11] = "Kremlin spokesman Dmitry Peskov said Moscow and Damascus would keep talking about the bases."
    texts[12] = "The tide at Brighton was low at noon, the harbour master said on Sunday."
    texts[13] = "Brighton harbour master Ann Lowe said the tide was unusually low on Sunday at noon."
    return texts


def test_the_index_finds_the_same_events_as_scoring_every_pair():
    texts = small_set()
    found = {(r.seed_id, r.related_seed_id) for r in related_seeds(texts, {}, {}) if r.reason == "same_event"}
    expected = all_pairs(texts)
    assert expected and (12, 13) in expected  # the set has related pairs and unrelated ones
    assert {pair for pair in found if pair[0] < pair[1]} == expected


def stored_relations(engine) -> set[tuple[int, int, str, float]]:
    from sqlmodel import Session, select

    from tracker.store.tables import SeedRelation

    with Session(engine) as session:
        return {(r.seed_id, r.related_seed_id, r.reason, r.score) for r in session.exec(select(SeedRelation))}


def test_adding_a_seed_relates_it_and_leaves_the_other_pairs_as_they_were(tmp_path):
    from sqlmodel import Session

    from tracker.excerpts.relations import relate_seeds
    from tracker.store.db import open_database
    from tracker.store.tables import Seed, utcnow

    texts = small_set()
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with Session(engine) as session:
        for i, text in texts.items():
            if i != 13:
                session.add(Seed(id=i, path=f"{i}.txt", sha256=str(i), format="text", text=text))
        session.commit()
        relate_seeds(session)
        session.commit()
    before = stored_relations(engine)
    assert not [r for r in before if 12 in r[:2]]  # Brighton's tide has no report of its own yet
    with Session(engine) as session:
        session.add(Seed(id=13, path="13.txt", sha256="13", format="text", text=texts[13]))
        session.commit()
        pairs = relate_seeds(session)
        session.commit()
    after = stored_relations(engine)
    added = after - before
    assert {(a, b, reason) for a, b, reason, _ in added} == {(12, 13, "same_event"), (13, 12, "same_event")}
    assert before <= after and pairs == len(all_pairs(texts))
    # A revision replaces the seed: its old relations go, the new text is related afresh.
    with Session(engine) as session:
        old = session.get(Seed, 13)
        old.superseded_at = utcnow()
        session.add(
            Seed(id=14, path="13.txt", revision=2, sha256="14", format="text", text=texts[13] + " Ferries ran.")
        )
        session.commit()
        relate_seeds(session)
        session.commit()
    revised = stored_relations(engine)
    assert not [r for r in revised if 13 in r[:2]]
    assert {(a, b, reason) for a, b, reason, _ in revised - before} == {(12, 14, "same_event"), (14, 12, "same_event")}
