"""Text from seeds and pages is read in linear time: a long unbroken word or a long run of one
character costs what its length costs (issue 27, item 5). Quadratic patterns took 8 s for an
80,000-character word, so hours for these. The bound is a hang guard, not a timing target: CPU
seconds of this process (other processes on a shared machine do not count), ten times what a
linear pass needs on a loaded machine and a hundredth of what a quadratic one would."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, select

from tracker.excerpts.align import align_texts
from tracker.seeds.citations import find_citations
from tracker.seeds.ingest import ingest_seeds
from tracker.sentences import split_sentences
from tracker.store.db import open_database
from tracker.store.tables import Seed

WORD = 1_000_000  # one word this long ...
RUN = 50_000  # ... and runs of many short tokens, each a token of its own


HANG = 60.0  # CPU seconds: linear passes take 0.5-5 here, quadratic ones hours


def through_every_stage(tmp_path, text: str) -> float:
    """CPU seconds to ingest `text` as a seed, find its citations, split it and align it with itself."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "long.txt").write_text(f"Title\n\nPeskov said. {text} Mr. Peskov: We agree.\n", encoding="utf-8")
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    started = time.process_time()
    with Session(engine) as session:
        report = ingest_seeds(session, seeds)
        session.commit()
        stored = session.exec(select(Seed)).one().text
    assert report.new == ["long.txt"] and text in stored
    find_citations(text)
    split_sentences(text)
    align_texts(f"Before it. {text} After it.", f"Before it was {text} after.")
    elapsed = time.process_time() - started
    engine.dispose()
    return elapsed


@pytest.mark.parametrize("unit", ["a", "9", "Ab"])
def test_one_long_word_costs_its_length(tmp_path, unit):
    assert through_every_stage(tmp_path, unit * (WORD // len(unit))) < HANG


# "a://" is a word to `\S+` but a token per character to the attribution finder.
@pytest.mark.parametrize("unit", ["-", ":/", "a://", "A ", "Aa ", "Mr. ", " ", "A.", '"', "a-", "1,"])
def test_long_runs_of_short_tokens_cost_their_length(tmp_path, unit):
    assert through_every_stage(tmp_path, unit * (RUN // len(unit))) < HANG


def test_a_seed_starting_with_a_capital_and_many_spaces_is_read_quickly(tmp_path):
    # The dateline patterns ("WASHINGTON (Reuters) -") overlapped spaces and backtracked.
    assert through_every_stage(tmp_path, "A" + " " * RUN + "B") < HANG
