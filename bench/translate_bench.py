"""Translation throughput and the cost of re-fetching unchanged text.

    python -m bench.translate_bench [--sentences 60] [--repeats 2] [--smoke]

Builds a Transformer-base-shaped Argos package (6+6 layers, d_model 512, 8 heads, FFN 2048; a
hand-weighted copy model like tests/tiny_argos.py, so its output is known and its compute per
token is that of a real Transformer-base except the small vocabulary), then in one process:

1. throughput: target tokens per second of tracker's batched path
   (tracker.translation.translator, one CTranslate2 call over the document) against
   argostranslate.translate.translate() (one call per paragraph) on the same text, package and
   settings; the outputs must be identical;
2. the translation stage on a database: first translation, an unchanged re-fetch, the same text
   back after an edit, and an edit of one sentence, with translation calls and model loads.

Prints a table and writes bench/results/translate_bench-<time>.json. `--smoke` (bench/smoke.py)
runs both parts on a one-layer package of the same width and a few sentences.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import platform
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np

from bench.smoke import NOTE, add_smoke_flag, results_dir, shown
from tests import tiny_argos
from tracker.translation.packages import configure_argos, list_packages


class Shape(NamedTuple):
    layers: int  # on each side
    heads: int
    d_model: int
    ffn: int


BASE = Shape(layers=6, heads=8, d_model=512, ffn=2048)  # Transformer-base
# As narrow as the glossary's vocabulary allows (d_model holds a one-hot of every piece).
SMOKE = Shape(layers=1, heads=8, d_model=512, ffn=64)
VI_WORDS = (
    "tổng thống nga syria lãnh đạo mới điện đàm thứ năm hai bên thảo luận hợp tác kinh tế "
    "giáo dục quốc phòng ông nói rằng chính phủ ủng hộ thống nhất toàn vẹn lãnh thổ người dân "
    "cuộc chiến tranh kết thúc hòa bình"
).split()
EN_WORDS = (
    "president russia's syria's leader new called thursday both sides discussed cooperation "
    "economy education defence he said that government supports unity integrity territory "
    "people war ended finished peace"
).split()


def glossary() -> dict[str, str]:
    vi = list(dict.fromkeys(VI_WORDS))
    en = list(dict.fromkeys(EN_WORDS))
    return {v: en[i % len(en)] for i, v in enumerate(vi)}


def build_base_package(models_dir: Path, gloss: dict[str, str], shape: Shape = BASE) -> Path:
    """Write a translate-vi_en package folder (no zip: it is ~200 MB of float32) into models_dir."""
    import sentencepiece as spm

    root = models_dir / "translate-vi_en"
    root.mkdir(parents=True)
    sp_model = tiny_argos._sentencepiece_model(gloss)
    (root / "sentencepiece.model").write_bytes(sp_model)
    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    vocabulary = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    spec = base_model_spec(vocabulary, gloss, shape)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize(quantization=None)
    (root / "model").mkdir()
    spec.save(str(root / "model"))
    (root / "minisbd").mkdir()
    (root / "minisbd" / "vi.onnx").write_bytes(tiny_argos._sentence_splitter("vi"))
    (root / "metadata.json").write_text(
        json.dumps(
            {
                "package_version": "1.0",
                "argos_version": "1.9.0",
                "from_code": "vi",
                "to_code": "en",
                "from_name": "Vietnamese",
                "to_name": "English",
                "type": "translate",
            }
        )
    )
    return root


def base_model_spec(vocabulary: list[str], gloss: dict[str, str], shape: Shape = BASE):
    """tiny_argos._model_spec widened to Transformer-base: the same copy-by-position weights in
    layer 0 of the decoder, every other weight zero (CTranslate2 multiplies dense matrices
    whatever their values, so the compute is that of trained weights of this shape)."""
    import ctranslate2

    V = len(vocabulary)
    index = {piece: i for i, piece in enumerate(vocabulary)}
    balance, spare, position = V, V + 1, V + 2
    F = len(tiny_argos.POSITION_FREQUENCIES)
    code_dims = 4 * F
    layers, heads, d, ffn = shape
    head = d // heads
    if position + code_dims > d or code_dims > head:
        raise SystemExit(f"vocabulary of {V} pieces does not fit d_model {d}")

    embeddings = np.zeros((V, d), np.float32)
    embeddings[np.arange(V), np.arange(V)] = 1.0
    embeddings[:, balance] = -1.0
    positions = np.zeros((tiny_argos.MAX_POSITIONS, d), np.float32)
    steps = np.arange(tiny_argos.MAX_POSITIONS)
    for f, omega in enumerate(tiny_argos.POSITION_FREQUENCIES):
        column = position + 4 * f
        positions[:, column] = np.sin(omega * steps)
        positions[:, column + 1] = -np.sin(omega * steps)
        positions[:, column + 2] = np.cos(omega * steps)
        positions[:, column + 3] = -np.cos(omega * steps)
    position_dims = np.arange(position, position + code_dims)

    norm_scale = math.sqrt((2 + 2 * F) / d)
    drop = min(
        2 * sum(1 - math.cos(omega * k) for omega in tiny_argos.POSITION_FREQUENCIES)
        for k in range(1, tiny_argos.MAX_POSITIONS)
    )
    # Each head scores with its own slice, divided by sqrt(head size).
    query_gain = tiny_argos.ATTENTION_MARGIN * norm_scale * math.sqrt(head) / drop

    spec = ctranslate2.specs.TransformerSpec.from_config((layers, layers), heads, pre_norm=True, no_final_norm=True)
    spec.config.add_source_eos = True

    def layer_norm(ln):
        ln.gamma = np.ones(d, np.float32)
        ln.beta = np.zeros(d, np.float32)

    def zero_linear(linear, rows, cols):
        linear.weight = np.zeros((rows, cols), np.float32)
        linear.bias = np.zeros(rows, np.float32)

    def zero_layer(layer):
        layer_norm(layer.self_attention.layer_norm)
        zero_linear(layer.self_attention.linear[0], 3 * d, d)
        zero_linear(layer.self_attention.linear[1], d, d)
        layer_norm(layer.ffn.layer_norm)
        zero_linear(layer.ffn.linear_0, ffn, d)
        zero_linear(layer.ffn.linear_1, d, ffn)

    for side in (spec.encoder, spec.decoder):
        side.scale_embeddings = False
        side.position_encodings.encodings = positions
        for layer in side.layer:
            zero_layer(layer)
    spec.encoder.embeddings[0].weight = embeddings
    spec.decoder.embeddings.weight = embeddings

    for number, layer in enumerate(spec.decoder.layer):
        cross = layer.attention
        layer_norm(cross.layer_norm)
        zero_linear(cross.linear[0], d, d)
        zero_linear(cross.linear[1], 2 * d, d)
        zero_linear(cross.linear[2], d, d)
        if number:
            continue  # the residual carries layer 0's copy through the rest
        for h in range(heads):  # every head attends to the same source position
            slot = h * head + np.arange(code_dims)
            cross.linear[0].weight[slot, position_dims] = query_gain
            cross.linear[1].weight[slot, position_dims] = 1.0
        cross.linear[1].weight[d + np.arange(V), np.arange(V)] = 1.0  # values: the token one-hot
        cross.linear[2].weight[np.arange(V), np.arange(V)] = tiny_argos.COPY_GAIN

    projection = np.zeros((V, d), np.float32)
    for piece, i in index.items():
        projection[index[gloss.get(piece, piece)], i] = 1.0
    projection[:, spare] = tiny_argos.SPARE_COLUMN_WEIGHT
    spec.decoder.projection.weight = projection
    spec.decoder.projection.bias = np.zeros(V, np.float32)
    return spec


def document(n_sentences: int, seed: int = 0) -> str:
    """Paragraphs of 3-6 sentences of 8-20 words each, as a news page's main text."""
    rng = random.Random(seed)
    words = list(dict.fromkeys(VI_WORDS))
    paragraphs, sentences = [], []
    while sum(len(p) for p in paragraphs) + len(sentences) < n_sentences:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 20)))
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
        if len(sentences) >= rng.randint(3, 6):
            paragraphs.append(sentences)
            sentences = []
    if sentences:
        paragraphs.append(sentences)
    return "\n".join(" ".join(p) for p in paragraphs)


def timed(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def throughput(models_dir: Path, text: str, repeats: int) -> dict:
    import argostranslate.translate as argos
    from argostranslate.tokenizer import SentencePieceTokenizer

    from tracker.translation.translator import translate_sentences
    from tracker.translation.versions import join_sentences, sentence_spans

    spans = sentence_spans(text)
    ours_fn = lambda: translate_sentences([s.text for s in spans], "vi", "en", models_dir)  # noqa: E731

    def argos_fn():
        # Argos keeps the paragraphs of its last call in memory; empty that, so each timed call
        # translates (the model stays loaded, as ours does).
        for installed in argos.installed_translates:
            installed.cached_translation.cache = {}
        return argos.translate(text, "vi", "en")

    ours_fn(), argos_fn()  # warm-up: model loads, sentence splitter
    ours_seconds, ours = timed(ours_fn, repeats)
    argos_seconds, argos_text = timed(argos_fn, repeats)
    ours_text, _ = join_sentences(text, spans, ours.sentences)
    identical = ours_text.split() == argos_text.split()
    tokenizer = SentencePieceTokenizer(models_dir / "translate-vi_en" / "sentencepiece.model")
    tokens = sum(len(tokenizer.encode(s)) for s in ours.sentences)
    return {
        "sentences": len(spans),
        "paragraphs": text.count("\n") + 1,
        "target_tokens": tokens,
        "outputs_identical": identical,
        "compute_type": ours.compute_type,
        "beam_size": ours.beam_size,
        "batched_seconds": ours_seconds,
        "argos_seconds": argos_seconds,
        "batched_tokens_per_second": tokens / ours_seconds,
        "argos_tokens_per_second": tokens / argos_seconds,
        "speedup": argos_seconds / ours_seconds,
    }


def refetch_cases(work_dir: Path, models_dir: Path, text: str) -> list[dict]:
    from sqlmodel import Session

    from tracker.config import load_settings
    from tracker.store.db import open_database
    from tracker.store.tables import Activity, Source, Version
    from tracker.translation import translator
    from tracker.translation.translator import TranslateStats
    from tracker.translation.versions import originals_needing_translation, translate_original

    config = work_dir / "config.toml"
    config.write_text(
        f'[paths]\ndata_dir = "{work_dir / "data"}"\n[translation]\nmodels_dir = "{models_dir}"\nauto_install = false\n'
    )
    settings = load_settings(config, environ={})
    engine = open_database(settings.database.url)
    rows = []
    with Session(engine) as session:
        source = Source(url="https://example.test/a", normalized_url="https://example.test/a", host="example.test")
        session.add(source)
        session.commit()

        def new_original(body: str) -> None:
            extract = Activity(kind="extract", source_id=source.id)
            session.add(extract)
            session.flush()
            session.add(
                Version(
                    source_id=source.id,
                    kind="original",
                    activity_id=extract.id,
                    language="vi",
                    text=body,
                    text_sha256=hashlib.sha256(body.encode()).hexdigest(),
                )
            )
            session.commit()

        def stage(case: str) -> None:
            # What the translate stage does; translators are forgotten so loads show what was needed.
            translator.forget_translators()
            stats = TranslateStats()
            started = time.perf_counter()
            originals = originals_needing_translation(session, "en")
            for original in originals:
                translate_original(session, original, settings, "en", stats=stats)
                session.commit()
            rows.append(
                {
                    "case": case,
                    "translation_calls": len(originals),
                    "sentences_translated": stats.translated,
                    "cache_hits": stats.cache_hits,
                    "translations_reused": stats.reused,
                    "model_loads": stats.model_loads,
                    "seconds": time.perf_counter() - started,
                }
            )

        new_original(text)
        stage("first translation")
        stage("unchanged re-fetch")  # originals.py stores no new original for the same text
        edited = text.replace(".", ". Hòa bình.", 1)
        new_original(edited)
        stage("one sentence added")
        new_original(text)
        stage("text changed back")
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=2)
    add_smoke_flag(parser)
    args = parser.parse_args()
    shape = SMOKE if args.smoke else BASE
    if args.smoke:
        args.sentences, args.repeats = 8, 1

    work = Path(tempfile.mkdtemp(prefix="translate-bench-"))
    try:
        models_dir = work / "models"
        configure_argos(models_dir, work / "argos-cache")  # before anything imports argostranslate
        started = time.perf_counter()
        build_base_package(models_dir, glossary(), shape)
        build_seconds = time.perf_counter() - started
        text = document(args.sentences)
        speed = throughput(models_dir, text, args.repeats)
        cases = refetch_cases(work, models_dir, text)
        package = list_packages(models_dir)[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"model: Transformer {shape.layers}+{shape.layers} layers, d_model {shape.d_model}, {shape.heads} heads, "
        f"FFN {shape.ffn} "
        f"(built in {build_seconds:.1f} s); {speed['sentences']} sentences in {speed['paragraphs']} "
        f"paragraphs, {speed['target_tokens']} target tokens; compute type {speed['compute_type']}, "
        f"beam {speed['beam_size']}; outputs identical: {speed['outputs_identical']}"
    )
    print()
    print(f"{'path':<44}{'seconds':>10}{'tokens/s':>12}")
    print(
        f"{'argostranslate.translate.translate()':<44}{speed['argos_seconds']:>10.3f}"
        f"{speed['argos_tokens_per_second']:>12.0f}"
    )
    print(
        f"{'tracker batched (one call per hop)':<44}{speed['batched_seconds']:>10.3f}"
        f"{speed['batched_tokens_per_second']:>12.0f}"
    )
    print(f"{'ratio (batched / argos)':<44}{'':>10}{speed['speedup']:>11.2f}x")
    print()
    print(
        f"{'translation stage':<24}{'calls':>7}{'translated':>12}{'cached':>8}{'reused':>8}{'loads':>7}{'seconds':>10}"
    )
    for row in cases:
        print(
            f"{row['case']:<24}{row['translation_calls']:>7}{row['sentences_translated']:>12}"
            f"{row['cache_hits']:>8}{row['translations_reused']:>8}{row['model_loads']:>7}"
            f"{row['seconds']:>10.3f}"
        )

    results = results_dir(args.smoke)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = results / f"translate_bench-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "when": stamp,
                "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
                "model": {**shape._asdict(), "sha256": package.sha256},
                "throughput": speed,
                "translation_stage": cases,
            },
            indent=2,
        )
    )
    print(f"\nwritten {shown(out)}")
    if args.smoke:
        print(NOTE)


if __name__ == "__main__":
    main()
