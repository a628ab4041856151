"""tracker.align on fixtures with known answers: reordered, merged, split, dropped and added
sentences, in English and from Vietnamese through a real (tiny) Argos package; `tracker align`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.tiny_argos import cached_package
from tests.vi_article import GLOSSARY
from tracker.cli import cli
from tracker.excerpts import align
from tracker.sentences import split_sentences

FIXTURES = Path(__file__).parent / "fixtures" / "align"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def by_seed(result: align.AlignmentResult) -> dict[tuple[int, ...], align.SentenceLink]:
    return {link.seed: link for link in result.links}


def test_english_rewrite_with_every_kind_of_change():
    result = align.align_texts(fixture("seed_en.txt"), fixture("source_en.txt"))
    links = by_seed(result)
    # Seed sentence 7 is the `Source:` line: nothing to align, so no link.
    assert sorted(links) == [(0,), (1,), (2, 3), (4,), (5,), (6,)]
    assert links[(0,)].source == (5,)  # reordered: the protest comes first
    assert links[(1,)].source == (0, 1)  # 1:n, two source sentences merged
    assert links[(1,)].label == "supported"
    assert links[(2, 3)].source == (3,)  # n:1, one source sentence split in two
    assert links[(4,)].source == () and links[(4,)].label == "added"
    assert links[(5,)].source == (6,) and links[(5,)].label == "supported" and links[(5,)].score > 0.95
    # The mayor's "a victory for every taxpayer" is in no source sentence: partial, and listed.
    assert links[(6,)].source == (2,) and links[(6,)].label == "partial"
    assert [(d.kind, d.text) for d in links[(6,)].unsupported_details] == [("quote", "a victory for every taxpayer")]
    assert result.used == [True, True, True, True, False, True, True, False]  # 4 and 7 dropped
    assert result.runs() == [(0, 3), (5, 6)]


def test_scores_order_copy_above_paraphrase_above_unrelated():
    source = "Residents gathered outside the town hall to protest against the closures."
    copy = similarity = align.similarity
    assert copy(source, source) > 0.99
    paraphrase = similarity("People protested in front of the town hall over the closures.", source)
    unrelated = similarity("The weather forecast promises sunshine for the festival.", source)
    assert align.PARAPHRASED <= paraphrase < align.SUPPORTED
    assert unrelated < align.PARAPHRASED


def test_a_seed_with_nothing_from_the_source_is_all_added():
    result = align.align_texts(fixture("unrelated_seed.txt"), fixture("source_en.txt"))
    assert {link.label for link in result.links} == {"added"}
    assert not any(result.used) and result.runs() == []


def test_empty_source_marks_every_seed_sentence_added():
    result = align.align(split_sentences("One sentence here. Another one there."), [])
    assert [link.label for link in result.links] == ["added", "added"]


def test_align_command_translates_a_vietnamese_source(tracker, project):
    assert tracker("models", "install", str(cached_package("vi", "en", GLOSSARY))).exit_code == 0
    result = tracker(
        "align", str(FIXTURES / "seed_vi_source.txt"), str(FIXTURES / "source_vi.txt"), "--source-lang", "vi", "--json"
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["translated"] and found["source_language"] == "vi"
    pairs = {tuple(p["seed_sentences"]): p for p in found["pairs"]}
    assert pairs[(0,)]["source_sentences"] == [1]  # reordered
    assert pairs[(1,)]["source_sentences"] == [0]
    assert pairs[(2,)]["label"] == "added"
    assert found["unused_source_sentences"] == [2]
    original = fixture("source_vi.txt")
    first = pairs[(1,)]
    assert original[first["original_start"] : first["original_end"]] == "Điện Kremlin nói Nga ủng hộ thống nhất Syria."
    assert first["translated_text"] == "The Kremlin said Russia supports the unity of Syria."
    seed = fixture("seed_vi_source.txt")
    assert seed[first["seed_start"] : first["seed_end"]] == first["seed_text"]

    text = tracker(
        "align", str(FIXTURES / "seed_vi_source.txt"), str(FIXTURES / "source_vi.txt"), "--source-lang", "vi"
    ).output
    assert "source translated vi→en" in text
    assert "Hai bên thảo luận thương mại và giáo dục." in text and "[added" in text


def test_align_command_without_a_model_is_one_clear_line(project):
    result = CliRunner().invoke(
        cli, ["align", str(FIXTURES / "seed_vi_source.txt"), str(FIXTURES / "source_vi.txt"), "--source-lang", "vi"]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "tracker: no Argos model for vi→en: run `tracker models install vi en` (online) "
        "or `tracker models install FILE.argosmodel`"
    ]


def test_align_command_on_english_texts_needs_no_model(tracker, project):
    result = tracker("align", str(FIXTURES / "seed_en.txt"), str(FIXTURES / "source_en.txt"), "--source-lang", "en")
    assert result.exit_code == 0
    assert "source translated" not in result.output
    assert "unused source sentences: [4, 7]" in result.output
    assert "quote “vote ended months of disagreement”: exact" in result.output


def test_the_translation_model_scores_the_seed_against_the_original(tracker, project, tmp_path):
    """Cross-lingual signal: the installed vi→en package's log-probability of each seed sentence
    given the Vietnamese original, with the package's provenance."""
    assert tracker("models", "install", str(cached_package("vi", "en", GLOSSARY))).exit_code == 0
    source = FIXTURES / "source_vi.txt"
    seed = tmp_path / "seed.txt"
    seed.write_text(
        "The Kremlin said Russia supports the unity of Syria.\n"  # what the model itself says
        "Both sides discussed trade and also education.\n"  # a faithful rewrite, other words
        "The weather was not fine.\n",  # the third source sentence, negated
        encoding="utf-8",
    )
    found = json.loads(tracker("align", str(seed), str(source), "--source-lang", "vi", "--json").output)
    assert found["model_score"]["model"] == "translate-vi_en" and len(found["model_score"]["model_sha256"]) == 64
    scores = [pair["model_score"] for pair in found["pairs"]]
    assert all(score is not None and score <= 0 for score in scores)
    assert scores[0] > -0.5  # near-certain: the model's own translation
    assert scores[0] > scores[1] > scores[2]
    assert found["pairs"][2]["label"] == "partial"  # "not": the source says the weather was fine
    untranslated = json.loads(tracker("align", str(seed), str(seed), "--source-lang", "en", "--json").output)
    assert untranslated["model_score"] is None and {p["model_score"] for p in untranslated["pairs"]} == {None}
