"""Translate a document's sentences with installed Argos packages, recording provenance.

argostranslate.translate.translate() works one paragraph at a time and
imports stanza and torch (~4 s); this calls CTranslate2 directly, once per
hop over all sentences, with the same tokenizer and decoding options as
Argos, so each sentence comes out exactly as Argos would translate it alone.

A SentenceCache (the database's, in practice) is asked first, per hop: a
sentence one package has translated before is never translated again, and a
model is loaded only when some sentence is not in the cache.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Protocol

from tracker.errors import TrackerError
from tracker.translation.packages import InstalledPackage, find_route, read_metadata

# Tokens per CTranslate2 batch: bounds memory on long documents. Argos's own
# ARGOS_BATCH_SIZE (32 tokens) would cut a document into one batch per sentence.
BATCH_TOKENS = 2048
# CTranslate2 stops decoding at 256 tokens unless told otherwise, and Argos
# never tells it: a long input comes back cut short. Allow twice the source
# length (plus room for short inputs); below 256 nothing changes, so output is
# identical to Argos's wherever Argos's is complete. Capped because a model
# has position encodings for so many positions only; translations.py cuts
# sentences to 400 characters, well inside the cap for subword vocabularies.
MIN_DECODING_LENGTH = 256
MAX_DECODING_LENGTH = 512


class MissingModel(TrackerError):
    """No installed package, direct or through a pivot language, for a pair."""

    def __init__(self, from_code: str, to_code: str):
        self.from_code = from_code
        self.to_code = to_code
        super().__init__(
            f"no Argos model for {from_code}→{to_code}: run `tracker models install "
            f"{from_code} {to_code}` (online) or `tracker models install FILE.argosmodel`"
        )


@dataclass
class TranslateStats:
    """Translation work done. Sentence counts are per hop: a pivot vi→en→fr counts each twice."""

    sentences: int = 0  # sentences asked for
    translated: int = 0  # sentences a model translated
    cache_hits: int = 0  # sentences found in the cache instead
    model_loads: int = 0  # CTranslate2 models loaded from disk
    reused: int = 0  # whole translated versions reused (see translations.py), no sentence looked at

    def add(self, other: TranslateStats) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


class SentenceCache(Protocol):
    """Where translated sentences are kept between calls (tracker.translation.cache.DatabaseCache)."""

    def get(
        self, package: InstalledPackage, language: str, decoding: str, sentences: list[str]
    ) -> dict[str, tuple[str, str]]:
        """sentence -> (translation, compute type) for the sentences this package translated."""

    def put(
        self, package: InstalledPackage, language: str, decoding: str, translations: dict[str, str], compute_type: str
    ) -> None: ...


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
    stats: TranslateStats = field(default_factory=TranslateStats)  # this call's work alone
    inter_threads: int = 1
    intra_threads: int = 0


def translate_sentences(
    sentences: Sequence[str],
    from_code: str,
    to_code: str,
    models_dir: Path,
    *,
    cache: SentenceCache | None = None,
    stats: TranslateStats | None = None,
) -> Translation:
    """Translate sentences from_code→to_code; at most one batched model call per hop.

    Each item should be one sentence: Argos would split a multi-sentence item
    with its sentence splitter and translate the parts separately, this does
    not. Newlines are honoured as Argos does (paragraphs translated apart).
    `stats`, if given, has this call's work added to it.
    """
    from importlib.metadata import version

    started = time.perf_counter()
    route = find_route(Path(models_dir), from_code, to_code)
    if route is None:
        raise MissingModel(from_code, to_code)
    settings = argos_settings()
    decoding = decoding_key(settings)
    work = TranslateStats(sentences=len(sentences))
    texts = list(sentences)
    compute_types: list[str] = []
    for package in route:
        texts = _translate_hop(package, texts, settings, decoding, cache, work, compute_types)
    if stats is not None:
        stats.add(work)
    return Translation(
        sentences=texts,
        from_code=from_code,
        to_code=to_code,
        packages=route,
        pivot_path=[from_code] + [p.to_code for p in route],
        argostranslate_version=version("argostranslate"),
        # From the installed metadata: importing ctranslate2 just for its
        # version would cost time on runs where every sentence is cached.
        ctranslate2_version=version("ctranslate2"),
        compute_type=",".join(dict.fromkeys(compute_types)) or settings["compute_type"],
        beam_size=settings["beam_size"],
        device=settings["device"],
        seconds=time.perf_counter() - started,
        stats=work,
        inter_threads=settings["inter_threads"],
        intra_threads=settings["intra_threads"],
    )


def decoding_key(settings: dict) -> str:
    """The decoding options that can change a translation, as the cache keys them."""
    return json.dumps({k: settings[k] for k in ("beam_size", "compute_type", "device")}, sort_keys=True)


def _translate_hop(
    package: InstalledPackage,
    texts: list[str],
    settings: dict,
    decoding: str,
    cache: SentenceCache | None,
    work: TranslateStats,
    compute_types: list[str],
) -> list[str]:
    # Argos translates each "\n"-separated paragraph on its own, drops blank
    # ones, joins with "\n" and strips leading newlines; do the same, but send
    # every paragraph of every sentence to CTranslate2 in one call.
    paragraphs = [text.split("\n") for text in texts]
    wanted = sorted({p.strip() for ps in paragraphs for p in ps if p.strip()})
    cached = cache.get(package, package.to_code, decoding, wanted) if cache is not None and wanted else {}
    translated = {text: value for text, (value, _) in cached.items()}
    compute_types.extend(compute for _, compute in cached.values())
    missing = [text for text in wanted if text not in cached]
    work.cache_hits += len(cached)
    if missing:
        loaded = _load(package, settings, work)
        compute_types.append(loaded.translator.compute_type)
        fresh = dict(zip(missing, _translate_batch(loaded, missing, settings["beam_size"])))
        work.translated += len(missing)
        if cache is not None:
            cache.put(package, package.to_code, decoding, fresh, loaded.translator.compute_type)
        translated.update(fresh)
    return ["\n".join(translated.get(p.strip(), "") for p in ps).lstrip("\n") for ps in paragraphs]


def _translate_batch(loaded: _LoadedPackage, texts: list[str], beam_size: int) -> list[str]:
    if not texts:
        return []
    # Mirrors argostranslate.translate.apply_packaged_translation with
    # num_hypotheses=1, what argostranslate.translate.translate() uses.
    tokenized = [loaded.tokenizer.encode(text) for text in texts]
    prefix = loaded.target_prefix
    longest = max(len(tokens) for tokens in tokenized)
    results = loaded.translator.translate_batch(
        tokenized,
        target_prefix=[[prefix]] * len(tokenized) if prefix else None,
        replace_unknowns=True,
        max_batch_size=BATCH_TOKENS,
        batch_type="tokens",
        beam_size=max(1, beam_size),
        num_hypotheses=1,
        length_penalty=0.2,
        max_decoding_length=min(MAX_DECODING_LENGTH, max(MIN_DECODING_LENGTH, 2 * longest + 16)),
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


def argos_settings() -> dict:
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


def _load(package: InstalledPackage, settings: dict, work: TranslateStats) -> _LoadedPackage:
    key = (str(package.path), package.sha256, *sorted(settings.items()))
    if key not in _loaded:
        import ctranslate2

        work.model_loads += 1

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
        metadata = read_metadata(package.path)
        _loaded[key] = _LoadedPackage(translator, tokenizer, str(metadata.get("target_prefix", "")))
    return _loaded[key]


def forget_translators() -> None:
    _loaded.clear()


@dataclass
class SentenceScores:
    """How likely the model finds each target sentence as the translation of its source sentence."""

    scores: list[float]  # length-normalized log-probability per pair (0 is certain; lower is less likely)
    package: InstalledPackage
    ctranslate2_version: str

    def provenance(self) -> dict:
        return {
            "method": "ctranslate2 score_batch: mean token log-probability of the seed sentence given the original",
            "model": self.package.code,
            "model_version": self.package.version,
            "model_sha256": self.package.sha256,
            "from_language": self.package.from_code,
            "to_language": self.package.to_code,
            "ctranslate2": self.ctranslate2_version,
        }


def score_translations(
    pairs: Sequence[tuple[str, str]], from_code: str, to_code: str, models_dir: Path
) -> SentenceScores | None:
    """Score (original sentence, target-language sentence) pairs with the installed from→to
    package itself: the model's log-probability of the target sentence given the original,
    divided by its number of tokens. None when no direct package is installed (a pivot has no
    single model to ask)."""
    from importlib.metadata import version

    route = find_route(Path(models_dir), from_code, to_code)
    if not route or len(route) != 1:
        return None
    package = route[0]
    loaded = _load(package, argos_settings(), TranslateStats())
    prefix = [loaded.target_prefix] if loaded.target_prefix else []
    sources = [loaded.tokenizer.encode(original) for original, _ in pairs]
    targets = [prefix + loaded.tokenizer.encode(target) for _, target in pairs]
    scores = []
    if pairs:
        for result in loaded.translator.score_batch(sources, targets, max_batch_size=BATCH_TOKENS, batch_type="tokens"):
            log_probs = result.log_probs
            scores.append(round(sum(log_probs) / len(log_probs), 4) if log_probs else float("-inf"))
    return SentenceScores(scores, package, version("ctranslate2"))
