"""Batched translation with provenance (tracker.translate), checked against argostranslate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.tiny_argos import cached_package
from tracker.translation.packages import install_file
from tracker.translation.translator import MissingModel, translate_sentences

VI_EN = {
    "mèo": "cat",
    "và": "and",
    "chó": "dog",
    "con": "the",
    "nhà": "house",
    "ngủ": "sleeps",
    "trong": "in",
}
EN_FR = {
    "cat": "chat",
    "and": "et",
    "dog": "chien",
    "the": "le",
    "house": "maison",
    "sleeps": "dort",
    "in": "dans",
}
SENTENCES = [
    "mèo và chó.",
    "con mèo ngủ trong nhà.",
    "",
    "Hà Nội có mèo!",  # bytes outside the training text go through byte fallback
    "chó\nmèo",  # Argos translates paragraphs apart
    "   ",
]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Nothing in these tests may touch the real $HOME or inherit Argos settings."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "home" / name.lower()))
    for name in [n for n in os.environ if n.startswith("ARGOS_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def models_dir(tmp_path) -> Path:
    models = tmp_path / "models"
    install_file(models, cached_package("vi", "en", VI_EN))
    install_file(models, cached_package("en", "fr", EN_FR))
    return models


def test_direct_translation_is_sentence_aligned(models_dir):
    result = translate_sentences(SENTENCES, "vi", "en", models_dir)

    assert result.sentences == [
        "cat and dog.",
        "the cat sleeps in house.",
        "",
        "Hà Nội có cat!",
        "dog\ncat",
        "",
    ]
    assert [p.code for p in result.packages] == ["translate-vi_en"]
    assert result.pivot_path == ["vi", "en"]
    assert (result.from_code, result.to_code) == ("vi", "en")


def test_provenance_fields(models_dir):
    result = translate_sentences(["mèo"], "vi", "en", models_dir)

    assert result.argostranslate_version == version("argostranslate") == "1.11.0"
    assert result.ctranslate2_version == version("ctranslate2")
    # Argos's default compute type "auto" is recorded as what it resolved to.
    assert result.compute_type in {"int8_float32", "int8", "float32"}
    assert (result.beam_size, result.device) == (4, "cpu")
    assert 0 < result.seconds < 60
    assert len(result.packages[0].sha256) == 64


def test_argos_settings_in_the_environment_are_honoured(models_dir, monkeypatch):
    monkeypatch.setenv("ARGOS_COMPUTE_TYPE", "float32")
    monkeypatch.setenv("ARGOS_BEAM_SIZE", "2")

    result = translate_sentences(["mèo và chó."], "vi", "en", models_dir)

    assert result.sentences == ["cat and dog."]
    assert (result.compute_type, result.beam_size) == ("float32", 2)


def test_pivot_through_english(models_dir):
    result = translate_sentences(["con mèo ngủ trong nhà.", "", "chó và mèo?"], "vi", "fr", models_dir)

    assert result.sentences == ["le chat dort dans maison.", "", "chien et chat?"]
    assert result.pivot_path == ["vi", "en", "fr"]
    assert [p.code for p in result.packages] == ["translate-vi_en", "translate-en_fr"]


def test_same_language_is_returned_unchanged(models_dir):
    result = translate_sentences(["mèo."], "vi", "vi", models_dir)

    assert (result.sentences, result.packages, result.pivot_path) == (["mèo."], [], ["vi"])


def test_missing_model(models_dir):
    with pytest.raises(MissingModel) as missing:
        translate_sentences(["chat"], "fr", "vi", models_dir)

    assert (missing.value.from_code, missing.value.to_code) == ("fr", "vi")
    assert str(missing.value) == (
        "no Argos model for fr→vi: run `tracker models install fr vi` (online) "
        "or `tracker models install FILE.argosmodel`"
    )


def test_replaced_package_takes_effect_without_restart(models_dir):
    assert translate_sentences(["mèo"], "vi", "en", models_dir).sentences == ["cat"]

    install_file(models_dir, cached_package("vi", "en", {"mèo": "kitty"}, version="2.0"), replace=True)

    result = translate_sentences(["mèo"], "vi", "en", models_dir)
    assert result.sentences == ["kitty"]
    assert result.packages[0].version == "2.0"


# argostranslate reads its settings once, at import, and keeps module-level
# caches, so it runs in a child process with its own environment; the child
# also installs a replacement package to check that tracker's installer
# clears argostranslate's caches.
ARGOS_CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from tracker.translation.packages import configure_argos, install_file

    job = json.loads(sys.stdin.read())
    configure_argos(Path(job["models_dir"]), Path(job["cache_dir"]))
    import argostranslate.translate as argos

    out = {
        pair: [argos.translate(s, *pair.split("-")) for s in job["sentences"]]
        for pair in ("vi-en", "vi-fr")
    }
    install_file(Path(job["models_dir"]), Path(job["replacement"]), replace=True)
    out["after_replace"] = argos.translate("mèo", "vi", "en")
    print(json.dumps(out))
    """
)


@pytest.mark.subprocess
def test_batched_output_matches_argostranslate(tmp_path, models_dir):
    sentences = [s for s in SENTENCES if s.strip()] + ["chó và mèo và chó và mèo.", "dog"]
    ours = {
        "vi-en": translate_sentences(sentences, "vi", "en", models_dir).sentences,
        "vi-fr": translate_sentences(sentences, "vi", "fr", models_dir).sentences,
    }
    job = {
        "models_dir": str(models_dir),
        "cache_dir": str(tmp_path / "argos-cache"),
        "sentences": sentences,
        "replacement": str(cached_package("vi", "en", {"mèo": "kitty"}, version="2.0")),
    }

    child = subprocess.run(
        [sys.executable, "-c", ARGOS_CHILD],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(tmp_path / "home")},
        timeout=300,
    )

    assert child.returncode == 0, child.stderr
    argos = json.loads(child.stdout.strip().splitlines()[-1])
    assert ours["vi-en"] == argos["vi-en"]
    assert ours["vi-fr"] == argos["vi-fr"]
    assert argos["after_replace"] == "kitty"
    assert not (tmp_path / "home").exists()  # nothing written to $HOME
