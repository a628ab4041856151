"""Translated versions (tracker.translations): never translated twice, long sentences kept whole,
provenance queryable in SQL, several targets, and retranslation after a model upgrade."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text as sql
from sqlmodel import Session, select

from tests.http_server import serve
from tests.tiny_argos import cached_package
from tracker.cli import cli
from tracker.config import load_settings
from tracker.store.db import open_database
from tracker.store.tables import Activity, Sentence, Source, Version
from tracker.store.work_tables import SentenceTranslation
from tracker.translation import translator as translate_module
from tracker.translation.packages import install_file, remove_package
from tracker.translation.retranslate import retranslate
from tracker.translation.translator import MissingModel, TranslateStats, translate_sentences
from tracker.translation.versions import sentence_spans, translate_original

VI_EN = {"mèo": "cat", "và": "and", "chó": "dog", "con": "the", "nhà": "house", "ngủ": "sleeps", "trong": "in"}
EN_FR = {"cat": "chat", "and": "et", "dog": "chien", "the": "le", "house": "maison", "sleeps": "dort", "in": "dans"}
TEXT = "mèo và chó.\ncon mèo ngủ trong nhà.\nchó ngủ."
EDITED = "mèo và chó.\ncon mèo ngủ trong nhà.\nchó và mèo ngủ."


@pytest.fixture
def settings(project):
    settings = load_settings()
    install_file(settings.translation.models_dir, cached_package("vi", "en", VI_EN))
    return settings


@pytest.fixture
def session(settings):
    engine = open_database(settings.database.url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def add_original(session: Session, text: str, language: str = "vi") -> Version:
    """An original version of the one source, as a fetch whose extracted text is `text` makes it."""
    source = session.exec(select(Source)).first()
    if source is None:
        source = Source(url="https://example.test/a", normalized_url="https://example.test/a", host="example.test")
        session.add(source)
        session.flush()
    extract = Activity(kind="extract", source_id=source.id)
    session.add(extract)
    session.flush()
    version = Version(
        source_id=source.id,
        kind="original",
        activity_id=extract.id,
        language=language,
        text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    session.add(version)
    session.commit()
    return version


def translate(session, original, settings, target="en") -> tuple[Version, TranslateStats]:
    # Forget translators loaded by earlier calls, so model_loads counts what this call needed.
    translate_module.forget_translators()
    stats = TranslateStats()
    version = translate_original(session, original, settings, target, stats=stats)
    session.commit()
    return version, stats


def parameters(session, version: Version) -> dict:
    return json.loads(session.get(Activity, version.activity_id).parameters)


# --- never translate twice -------------------------------------------------------


def test_changed_article_translates_only_its_changed_sentence(session, settings):
    first, stats = translate(session, add_original(session, TEXT), settings)
    assert first.text == "cat and dog.\nthe cat sleeps in house.\ndog sleeps."
    assert (stats.translated, stats.cache_hits, stats.model_loads) == (3, 0, 1)

    second, stats = translate(session, add_original(session, EDITED), settings)

    assert second.text == "cat and dog.\nthe cat sleeps in house.\ndog and cat sleeps."
    assert (stats.translated, stats.cache_hits, stats.model_loads) == (1, 2, 1)
    assert (parameters(session, second)["sentences_translated"], parameters(session, second)["cache_hits"]) == (1, 2)
    assert len(session.exec(select(SentenceTranslation)).all()) == 4


def test_same_text_again_reuses_the_translation_and_loads_no_model(session, settings):
    first, _ = translate(session, add_original(session, TEXT), settings)
    translate(session, add_original(session, EDITED), settings)

    # The page changed back: a new original whose text was translated before.
    again, stats = translate(session, add_original(session, TEXT), settings)

    assert again.id != first.id and again.text == first.text and again.status == "ready"
    assert (stats.reused, stats.translated, stats.cache_hits, stats.model_loads) == (1, 0, 0, 0)
    assert parameters(session, again)["reused_version_id"] == first.id
    spans = [
        (s.char_start, s.char_end, s.parent_start, s.parent_end)
        for s in session.exec(select(Sentence).where(Sentence.version_id == again.id).order_by(Sentence.position))
    ]
    assert spans == [
        (s.char_start, s.char_end, s.parent_start, s.parent_end)
        for s in session.exec(select(Sentence).where(Sentence.version_id == first.id).order_by(Sentence.position))
    ]


def test_every_sentence_cached_loads_no_model(session, settings):
    translate(session, add_original(session, TEXT), settings)
    # Other text, made only of sentences translated before (in another order).
    _, stats = translate(session, add_original(session, "chó ngủ.\nmèo và chó."), settings)
    assert (stats.translated, stats.cache_hits, stats.model_loads) == (0, 2, 0)


def test_pivot_hops_are_cached_each(session, settings):
    install_file(settings.translation.models_dir, cached_package("en", "fr", EN_FR))
    first, stats = translate(session, add_original(session, TEXT), settings, target="fr")
    assert first.text == "chat et chien.\nle chat dort dans maison.\nchien dort."
    assert (stats.translated, stats.model_loads) == (6, 2)  # 3 sentences, 2 hops

    _, stats = translate(session, add_original(session, EDITED), settings, target="fr")

    assert (stats.translated, stats.cache_hits, stats.model_loads) == (2, 4, 2)
    languages = {row.language for row in session.exec(select(SentenceTranslation))}
    assert languages == {"en", "fr"}


def test_another_package_version_is_not_served_from_the_cache(session, settings):
    translate(session, add_original(session, TEXT), settings)
    install_file(
        settings.translation.models_dir, cached_package("vi", "en", {**VI_EN, "mèo": "kitty"}, "2.0"), replace=True
    )
    version, stats = translate(session, add_original(session, EDITED), settings)
    assert version.text == "kitty and dog.\nthe kitty sleeps in house.\ndog and kitty sleeps."
    assert (stats.translated, stats.cache_hits) == (3, 0)


def test_unchanged_refetch_does_no_translation_work(project, settings, monkeypatch):
    page = (
        b"<html lang='vi'><head><title>Tin</title></head><body><article><p>"
        + "</p><p>".join(
            ["Con mèo ngủ trong nhà và con chó ngủ trong nhà."] * 3 + ["Mèo và chó ngủ trong nhà."]
        ).encode()
        + b"</p></article></body></html>"
    )
    # The glossary's words are not real Vietnamese prose: lingua reads them as Shona, so the
    # language is `uncertain`, and this test is about translation, not detection.
    monkeypatch.setenv("TRACKER_LANGUAGE_ON_UNCERTAIN", "translate")
    with serve({"/a": (200, {"Content-Type": "text/html; charset=utf-8"}, page)}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        (project / "seeds" / "s.txt").write_text(f"The cat sleeps in the house.\nSource: {base}/a\n")
        first = CliRunner().invoke(cli, ["run"])
        assert "translations: 1 made" in first.output, first.output
        assert "model loads 1" in first.output
        translate_module.forget_translators()
        again = CliRunner().invoke(cli, ["run", "--all"])  # fetched again, same text
    assert "fetched 1" in again.output or "unchanged 1" in again.output
    assert "translations: 0 made, 0 pending" in again.output
    assert "translation work:" not in again.output  # no work at all: not a sentence, not a model load


# --- long sentences --------------------------------------------------------------


def test_a_1000_character_unpunctuated_sentence_translates_completely(session, settings):
    words = ["mèo", "và", "chó", "ngủ", "trong", "nhà"]
    sentence = " ".join(words[i % len(words)] for i in range(400))[:1000].rsplit(" ", 1)[0]
    assert len(sentence) > 950 and not any(mark in sentence for mark in ".,;:!?")
    source_words = sentence.split()
    # Unsplit, the model stops at CTranslate2's decoding limit unless told otherwise: this is
    # what the split (and the raised limit) guard against.
    assert len(sentence_spans(sentence)) >= 3

    version, _ = translate(session, add_original(session, sentence), settings)

    assert version.text.split() == [VI_EN[w] for w in source_words]


def test_long_input_is_not_cut_at_the_default_decoding_limit(settings):
    words = ["mèo", "và", "chó"] * 50  # 299 pieces with the spaces: past CTranslate2's 256 default
    result = translate_sentences([" ".join(words)], "vi", "en", settings.translation.models_dir)
    assert result.sentences[0].split() == [VI_EN[w] for w in words]


# --- provenance --------------------------------------------------------------------


def test_sql_lists_every_version_a_package_version_made(session, settings):
    install_file(settings.translation.models_dir, cached_package("en", "fr", EN_FR))
    direct, _ = translate(session, add_original(session, TEXT), settings, target="en")
    pivot, _ = translate(session, add_original(session, EDITED), settings, target="fr")
    install_file(
        settings.translation.models_dir, cached_package("vi", "en", {**VI_EN, "mèo": "kitty"}, "2.0"), replace=True
    )
    newer, _ = translate(session, add_original(session, "mèo."), settings, target="en")

    query = sql("""
        SELECT versions.id FROM versions
        JOIN activity_models ON activity_models.activity_id = versions.activity_id
        WHERE versions.kind = 'translated' AND activity_models.model = :model
          AND activity_models.model_version = :version ORDER BY versions.id""")

    def made_by(model, version):
        return [row[0] for row in session.execute(query, {"model": model, "version": version})]

    assert made_by("translate-vi_en", "1.0") == [direct.id, pivot.id]
    assert made_by("translate-vi_en", "2.0") == [newer.id]
    assert made_by("translate-en_fr", "1.0") == [pivot.id]

    activity = session.get(Activity, pivot.activity_id)
    params = json.loads(activity.parameters)
    assert activity.model == "translate-vi_en > translate-en_fr"
    assert params["pivot_path"] == ["vi", "en", "fr"]
    assert [p["code"] for p in params["packages"]] == ["translate-vi_en", "translate-en_fr"]
    assert all(len(p["sha256"]) == 64 for p in params["packages"])
    assert params["source_text_sha256"] == hashlib.sha256(EDITED.encode()).hexdigest()
    assert params["decoding"] == {"beam_size": 4, "compute_type": "auto", "device": "cpu"}
    assert params["compute_type"] and params["beam_size"] == 4 and params["seconds"] >= 0
    assert set(json.loads(activity.software)) == {"tracker", "argostranslate", "ctranslate2"}
    assert activity.informed_by_id is not None  # the extract activity that made the original


# --- retranslation after a model upgrade ---------------------------------------------


def test_model_upgrade_then_retranslate_keeps_both_versions(tracker, session, settings):
    original = add_original(session, TEXT)
    old, _ = translate(session, original, settings)

    assert tracker("retranslate", "--package", "translate-vi_en").output.startswith("retranslated 0, already current 1")
    v2 = cached_package("vi", "en", {**VI_EN, "mèo": "kitty", "chó": "puppy"}, "2.0")
    assert tracker("models", "install", str(v2)).exit_code == 1  # refused without --replace
    assert tracker("models", "install", str(v2), "--replace").exit_code == 0
    assert tracker("retranslate", "--package", "translate-vi_en", "--before-version", "1.0").output == (
        "no ready translation was made by translate-vi_en older than 1.0: nothing to retranslate\n"
    )

    result = tracker("retranslate", "--package", "translate-vi_en", "--before-version", "2.0")

    assert result.output.startswith("retranslated 1, already current 0; sentences translated 3"), result.output
    session.expire_all()
    versions = session.exec(select(Version).where(Version.parent_id == original.id).order_by(Version.id)).all()
    assert [v.text for v in versions] == [
        "cat and dog.\nthe cat sleeps in house.\ndog sleeps.",
        "kitty and puppy.\nthe kitty sleeps in house.\npuppy sleeps.",
    ]
    activities = [session.get(Activity, v.activity_id) for v in versions]
    assert [a.model_version for a in activities] == ["1.0", "2.0"]
    assert activities[0].model_sha256 != activities[1].model_sha256
    assert json.loads(activities[1].parameters)["retranslation_of"] == old.id
    assert "retranslation_of" not in json.loads(activities[0].parameters)

    # Lookups and excerpts take the newest ready translation.
    from tracker.store.versions import text_in_language

    assert text_in_language(session, original.source_id, "en").id == versions[1].id
    assert tracker("retranslate", "--package", "translate-vi_en").output.startswith("retranslated 0, already current 1")


def test_retranslate_without_a_model_says_what_to_install(session, settings):
    translate(session, add_original(session, TEXT), settings)
    remove_package(settings.translation.models_dir, "translate-vi_en")
    report = retranslate(session, settings, "translate-vi_en")
    assert (report.retranslated, report.missing_pairs) == ([], {("vi", "en")})


# --- several targets -------------------------------------------------------------


def test_one_translated_version_per_target(tracker, project, monkeypatch):
    (project / "config.toml").write_text(
        (project / "config.toml").read_text().replace("[translation]\n", '[translation]\ntargets = ["en", "fr"]\n')
    )
    settings = load_settings()
    assert settings.translation.targets == ("en", "fr") and settings.translation.target == "en"
    install_file(settings.translation.models_dir, cached_package("vi", "en", VI_EN))
    install_file(settings.translation.models_dir, cached_package("en", "fr", EN_FR))
    page = "<html><body><article><p>Con mèo ngủ trong nhà và con chó ngủ trong nhà.</p></article></body></html>"
    monkeypatch.setenv("TRACKER_LANGUAGE_ON_UNCERTAIN", "translate")  # glossary words read as Shona
    with serve({"/a": (200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        (project / "seeds" / "s.txt").write_text(
            f"Officials said the cat sleeps in the house and the dog sleeps in the house.\nSource: {base}/a\n"
        )
        result = tracker("run")
    assert "translations: 2 made, 0 pending" in result.output, result.output
    found = json.loads(tracker("lookup", f"{base}/a", "--json").output)
    translated = {v["language"]: v["text"] for v in found["versions"] if v["kind"] == "translated"}
    assert translated == {
        "en": "Con cat sleeps in house and the dog sleeps in house.",
        "fr": "Con chat dort dans maison et le chien dort dans maison.",
    }
    assert {e["parent_id"] for e in found["excerpts"]} == {
        v["id"] for v in found["versions"] if v["language"] == "en" and v["kind"] == "translated"
    }


def test_old_single_target_key_is_read_as_a_list(tmp_path):
    (tmp_path / "c.toml").write_text('[translation]\ntarget = "fr"\n')
    assert load_settings(tmp_path / "c.toml", environ={}).translation.targets == ("fr",)
    assert load_settings(tmp_path / "c.toml", environ={"TRACKER_TARGETS": "de, en"}).translation.targets == ("de", "en")
    (tmp_path / "c.toml").write_text('[translation]\ntarget = "fr"\ntargets = ["en"]\n')
    with pytest.raises(Exception, match="both target and targets"):
        load_settings(tmp_path / "c.toml", environ={})


# --- models in a long-running process ------------------------------------------------


def test_install_and_remove_take_effect_without_restart(settings):
    assert translate_sentences(["mèo"], "vi", "en", settings.translation.models_dir).sentences == ["cat"]
    remove_package(settings.translation.models_dir, "translate-vi_en")
    with pytest.raises(MissingModel):
        translate_sentences(["mèo"], "vi", "en", settings.translation.models_dir)
    install_file(settings.translation.models_dir, cached_package("vi", "en", {"mèo": "kitty"}, "2.0"))
    assert translate_sentences(["mèo"], "vi", "en", settings.translation.models_dir).sentences == ["kitty"]


def test_diff_of_translations_compares_one_language(session, settings):
    """With two targets, `diff --translated` compares the two originals' translations into the same
    language, and says so when one of them has none yet (not a French text against an English one)."""
    from tracker.read.diff import DiffError, diff_source

    install_file(settings.translation.models_dir, cached_package("en", "fr", EN_FR))
    older = add_original(session, TEXT)
    translate(session, older, settings, target="en")
    translate(session, older, settings, target="fr")  # the newest translation of `older` is French
    newer = add_original(session, EDITED)
    translate(session, newer, settings, target="en")
    source = session.get(Source, newer.source_id)

    english = diff_source(session, source, translated="en")
    assert {english.old.language, english.new.language} == {"en"}
    assert english.old.parent_id == older.id and english.new.parent_id == newer.id
    assert "+dog and cat sleeps." in english.lines

    with pytest.raises(DiffError, match="no ready translation into fr"):
        diff_source(session, source, translated="fr")


def test_replacing_a_package_forgets_the_translators_loaded_from_the_old_one(session, settings):
    from tracker.translation import translator

    translate(session, add_original(session, TEXT), settings)
    assert translator._loaded  # the model of the first translation stays loaded for the next
    install_file(
        settings.translation.models_dir, cached_package("vi", "en", {**VI_EN, "mèo": "kitty"}, "2.0"), replace=True
    )
    # A long-lived worker would otherwise keep every replaced model in memory.
    assert not translator._loaded
