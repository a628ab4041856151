"""tracker.align on fixtures with known answers: reordered, merged, split, dropped and added
sentences, in English and from Vietnamese through a real (tiny) Argos package; `tracker align`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.tiny_argos import cached_package
from tests.vi_article import GLOSSARY
from tracker.cli import cli
from tracker.excerpts import align, features, space
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
    # One judgment per seed sentence (issue 20): the split sentence's halves are two links,
    # marked `joined` for display.
    assert sorted(links) == [(0,), (1,), (2,), (3,), (4,), (5,), (6,)]
    assert links[(0,)].source == (5,)  # reordered: the protest comes first
    assert links[(1,)].source == (0, 1)  # 1:n, two source sentences merged
    assert links[(1,)].label == "supported"
    assert links[(2,)].source == links[(3,)].source == (3,)  # n:1, one source sentence split in two
    assert links[(2,)].joined == links[(3,)].joined == (2, 3)
    assert links[(4,)].source == () and links[(4,)].label == "added"
    assert links[(5,)].source == (6,) and links[(5,)].label == "supported" and links[(5,)].score > 0.95
    # The mayor's "a victory for every taxpayer" is in no source sentence: listed, but since
    # issue 20 a missing quote alone does not make a sentence `partial` (a coin toss on the dev set)
    assert links[(6,)].source == (2,) and links[(6,)].label == "paraphrased"
    assert [(d.kind, d.text) for d in links[(6,)].unsupported_details] == [("quote", "a victory for every taxpayer")]
    assert result.used == [True, True, True, True, False, True, True, False]  # 4 and 7 dropped
    assert result.runs() == [(0, 3), (5, 6)]


def test_scores_order_copy_above_paraphrase_above_unrelated():
    source = "Residents gathered outside the town hall to protest against the closures."
    copy = similarity = space.similarity
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


def test_each_seed_sentence_keeps_its_own_label_beside_a_changed_neighbour():
    """Issue 20: two seed sentences drawing on one source sentence were one link with the label
    of the weaker; now each has its own label, and the figure and negation stay with the
    sentence that states them."""
    source = (
        "The council approved the budget on Tuesday, and officials said that road repairs across the "
        "northern districts would begin in the spring."
    )
    seed = (
        "The council approved the budget on Tuesday.\n"
        "The council approved a budget of 9 million on Tuesday, not Monday."
    )
    links = align.align_texts(seed, source).links
    assert [link.seed for link in links] == [(0,), (1,)]
    assert links[0].label == "paraphrased" and links[0].unsupported_details == ()
    assert links[1].label == "partial" and {d.kind for d in links[1].unsupported_details} == {"number", "negation"}
    assert all(seed.index("9 million") <= d.seed_start for d in links[1].unsupported_details)


def test_a_sentence_copied_from_the_source_is_supported_with_no_details():
    source = (
        "The council approved the budget on Tuesday after a long debate, and officials said that road "
        "repairs would begin in the spring."
    )
    # a clause copied word for word (its first letter capitalised) scores low on its own
    clause = align.align_texts("Road repairs would begin in the spring.", source).links[0]
    assert clause.label == "supported" and clause.verbatim and clause.unsupported_details == ()
    assert clause.score < align.SUPPORTED and clause.source == (0,)
    # quotes, dashes, spaces and Unicode forms are normalised; its changed neighbour stays partial
    source = "The minister said the plan was “not negotiable” - and that talks would end on Friday."
    seed = (
        'The minister said the plan was "not negotiable"—and that\u00a0talks would end on Friday.\n'
        "The minister said talks would end on Monday."
    )
    copied, changed = align.align_texts(seed, source).links
    assert copied.label == "supported" and copied.verbatim and copied.unsupported_details == ()
    assert changed.label == "partial" and not changed.verbatim
    # not a copy: a clause cut short of what follows it in the source, or a changed word
    cut = align.align_texts(
        "Officials said that road repairs would begin.", "Officials said that road repairs would begin in May."
    )
    assert not cut.links[0].verbatim
    assert features.normalize_verbatim("ﬁve\u2009–\u2009six ‘a’") == "five-six 'a'"


def test_a_sentence_copied_from_the_translation_is_supported(tracker, project, tmp_path):
    """The verbatim rule on the text the seed is compared with: the translation, when the
    source needed one (a real tiny vi→en Argos package)."""
    assert tracker("models", "install", str(cached_package("vi", "en", GLOSSARY))).exit_code == 0
    seed = tmp_path / "seed.txt"
    seed.write_text(
        "Both sides discussed on trade and also on education.\nBoth sides did not discuss education.\n",
        encoding="utf-8",
    )
    found = json.loads(
        tracker("align", str(seed), str(FIXTURES / "source_vi.txt"), "--source-lang", "vi", "--json").output
    )
    copied, negated = found["pairs"]
    assert copied["label"] == "supported" and copied["verbatim"] and copied["unsupported_details"] == []
    assert copied["translated_text"] == "Both sides discussed on trade and also on education."
    assert negated["label"] == "partial" and not negated["verbatim"]
    assert [d["kind"] for d in negated["unsupported_details"]] == ["negation"]
    assert copied["joined_sentences"] == negated["joined_sentences"] == [0, 1]


def test_sentences_tokenised_together_get_the_tokens_each_gets_alone():
    texts = [
        "Officials in Damascus said talks would resume, see https://example.com/a",
        "",
        "www.Example.org Reported 2,000.5 people — the Iraqi’s view",
        "A text with a \x00 of its own",
        "ﬁve Kelvin e\u0301 Zürich",
    ]
    for group in (texts, texts[:3], texts[1:2], []):
        assert features.tokens_of(group) == [features.tokens(text) for text in group]


def test_a_seed_sentence_scores_the_same_against_all_source_sentences_at_once_as_one_by_one():
    seed = split_sentences(fixture("seed_en.txt"))
    source = split_sentences(fixture("source_en.txt"))
    fitted = space.FeatureSpace([s.text for s in seed], [s.text for s in source])
    for i in range(len(seed)):
        row = fitted.row((i,))
        assert len(row) == len(source)
        assert row == pytest.approx([fitted.similarity((i,), (j,)) for j in range(len(source))], abs=1e-12)
    assert max(fitted.row((0,))) > 0.5
