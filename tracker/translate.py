"""Translate a document's sentences with installed Argos packages, recording provenance.

argostranslate.translate.translate() works one paragraph at a time and
imports stanza and torch (~4 s); this calls CTranslate2 directly, once per
hop over all sentences, with the same tokenizer and decoding options as
Argos, so each sentence comes out exactly as Argos would translate it alone.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from tracker.argos_packages import InstalledPackage, _read_metadata, find_route

# Tokens per CTranslate2 batch: bounds memory on long documents. Argos's own
# ARGOS_BATCH_SIZE (32 tokens) would cut a document into one batch per sentence.
BATCH_TOKENS = 2048


class MissingModel(Exception):
    """No installed package, direct or through a pivot language, for a pair."""

    def __init__(self, from_code: str, to_code: str):
        self.from_code = from_code
        self.to_code = to_code
        super().__init__(
            f"no Argos model for {from_code}→{to_code}: run `tracker models install "
            f"{from_code} {to_code}` (online) or `tracker models install FILE.argosmodel`"
        )


@dataclass
class Translation:
    sentences: list[str]  # translated; sentence i ↔ input sentence i
    from_code: str
    to_code: str
    packages: list[InstalledPackage]  # one, or two+ for a pivot
    pivot_path: list[str]  # e.g. ["vi", "en"] or ["vi", "en", "fr"]
    argostranslate_version: str
    ctranslate2_version: str
    compute_type: str  # as resolved by CTranslate2, e.g. "int8_float32" for "auto"
    beam_size: int
    device: str
    seconds: float


def translate_sentences(
    sentences: Sequence[str], from_code: str, to_code: str, models_dir: Path
) -> Translation:
    """Translate sentences from_code→to_code; one batched model call per hop.

    Each item should be one sentence: Argos would split a multi-sentence item
    with its sentence splitter and translate the parts separately, this does
    not. Newlines are honoured as Argos does (paragraphs translated apart).
    """
    from importlib.metadata import version

    import ctranslate2

    started = time.perf_counter()
    route = find_route(Path(models_dir), from_code, to_code)
    if route is None:
        raise MissingModel(from_code, to_code)
    settings = _argos_settings()
    texts = list(sentences)
    compute_types = []
    for package in route:
        loaded = _load(package, settings)
        compute_types.append(loaded.translator.compute_type)
        texts = _translate_hop(loaded, texts, settings["beam_size"])
    return Translation(
        sentences=texts,
        from_code=from_code,
        to_code=to_code,
        packages=route,
        pivot_path=[from_code] + [p.to_code for p in route],
        argostranslate_version=version("argostranslate"),
        ctranslate2_version=ctranslate2.__version__,
        compute_type=",".join(dict.fromkeys(compute_types)) or settings["compute_type"],
        beam_size=settings["beam_size"],
        device=settings["device"],
        seconds=time.perf_counter() - started,
    )


def _translate_hop(loaded: _LoadedPackage, texts: list[str], beam_size: int) -> list[str]:
    # Argos translates each "\n"-separated paragraph on its own, drops blank
    # ones, joins with "\n" and strips leading newlines; do the same, but send
    # every paragraph of every sentence to CTranslate2 in one call.
    paragraphs = [text.split("\n") for text in texts]
    wanted = sorted({p.strip() for ps in paragraphs for p in ps if p.strip()})
    translated = dict(zip(wanted, _translate_batch(loaded, wanted, beam_size)))
    return [
        "\n".join(translated.get(p.strip(), "") for p in ps).lstrip("\n") for ps in paragraphs
    ]


def _translate_batch(loaded: _LoadedPackage, texts: list[str], beam_size: int) -> list[str]:
    if not texts:
        return []
    # Mirrors argostranslate.translate.apply_packaged_translation with
    # num_hypotheses=1, what argostranslate.translate.translate() uses.
    tokenized = [loaded.tokenizer.encode(text) for text in texts]
    prefix = loaded.target_prefix
    results = loaded.translator.translate_batch(
        tokenized,
        target_prefix=[[prefix]] * len(tokenized) if prefix else None,
        replace_unknowns=True,
        max_batch_size=BATCH_TOKENS,
        batch_type="tokens",
        beam_size=max(1, beam_size),
        num_hypotheses=1,
        length_penalty=0.2,
    )
    translations = []
    for result in results:
        value = loaded.tokenizer.decode(result.hypotheses[0])
        if prefix and value.startswith(prefix):
            value = value[len(prefix) :]
        if value.startswith(" "):  # the tokenizer's word-boundary marker
            value = value[1:]
        translations.append(value)
    return translations


def _argos_settings() -> dict:
    """The CTranslate2 options argostranslate would use in this process."""
    settings = sys.modules.get("argostranslate.settings")
    if settings is not None:  # already read (once, at import) by argostranslate
        return {
            "device": settings.device,
            "compute_type": settings.compute_type,
            "beam_size": settings.beam_size,
            "inter_threads": settings.inter_threads,
            "intra_threads": settings.intra_threads,
        }
    # Same variables and defaults as argostranslate.settings, without importing
    # it: that import creates directories (under $HOME unless configured).
    return {
        "device": os.environ.get("ARGOS_DEVICE_TYPE", "cpu"),
        "compute_type": os.environ.get("ARGOS_COMPUTE_TYPE", "auto"),
        "beam_size": int(os.environ.get("ARGOS_BEAM_SIZE", "4")),
        "inter_threads": int(os.environ.get("ARGOS_INTER_THREADS", "1")),
        "intra_threads": int(os.environ.get("ARGOS_INTRA_THREADS", "0")),
    }


@dataclass
class _LoadedPackage:
    translator: object  # ctranslate2.Translator
    tokenizer: object  # argostranslate.tokenizer.Tokenizer
    target_prefix: str


# Loading a model takes longer than translating a sentence with it. Keyed by
# the package's checksum too, so a package replaced by another process is
# reloaded; argos_packages clears this on install and remove.
_loaded: dict[tuple, _LoadedPackage] = {}


def _load(package: InstalledPackage, settings: dict) -> _LoadedPackage:
    key = (str(package.path), package.sha256, *sorted(settings.items()))
    if key not in _loaded:
        import ctranslate2

        # Argos's own tokenizer classes (cheap: they import only sentencepiece,
        # and sacremoses for BPE packages), so tokenization cannot drift.
        from argostranslate.tokenizer import BPETokenizer, SentencePieceTokenizer

        if (package.path / "sentencepiece.model").exists():
            tokenizer = SentencePieceTokenizer(package.path / "sentencepiece.model")
        else:
            tokenizer = BPETokenizer(package.path / "bpe.model", package.from_code, package.to_code)
        translator = ctranslate2.Translator(
            str(package.path / "model"),
            device=settings["device"],
            compute_type=settings["compute_type"],
            inter_threads=settings["inter_threads"],
            intra_threads=settings["intra_threads"],
        )
        metadata = _read_metadata(package.path)
        _loaded[key] = _LoadedPackage(translator, tokenizer, str(metadata.get("target_prefix", "")))
    return _loaded[key]


def _forget_translators() -> None:
    _loaded.clear()
