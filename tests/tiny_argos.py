"""Build tiny, deterministic Argos Translate packages for the test suite.

Real Argos models are hundreds of MB and must be downloaded; these are built
in about a second from hand-set weights, so tests run offline and know the
exact output: token i of the translation is glossary(token i of the source).

    build_package(tmp, "vi", "en", {"mèo": "cat", "và": "and", "chó": "dog"})
    # "mèo và chó." -> "cat and dog."

The package is a zip holding one folder with:
  metadata.json        what Argos reads to list the package
  sentencepiece.model  a character-level SentencePiece model whose glossary
                       words are single pieces, with byte fallback so any text
                       round-trips through encode/decode
  model/               a CTranslate2 Transformer that copies the source piece at
                       each position, swapping glossary words (see _model_spec)
  minisbd/<lang>.onnx  a lookup-table sentence splitter; without it Argos tries
                       to download one on the first translate call

Rebuilding with the same arguments gives a byte-identical file. A build takes
about a second (plus ~3 s to import ctranslate2.specs, which imports torch), so
tests share builds through cached_package().
"""

from __future__ import annotations

import atexit
import io
import json
import math
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

# Lines the SentencePiece model is trained on. Only their characters matter
# (a "char" model has one piece per character); characters not seen here are
# still encoded, through byte-fallback pieces.
TRAINING_LINES = [
    "The quick brown fox jumps over the lazy dog.",
    "Le vif renard brun saute par-dessus le chien paresseux !",
    "Con cáo nâu nhanh nhẹn nhảy qua con chó lười.",
    "Hà Nội, Việt Nam; Paris, France? Yes: 0123456789 (\"quoted\") - 'single'",
]

LANGUAGE_NAMES = {"en": "English", "fr": "French", "ru": "Russian", "vi": "Vietnamese"}

# Decoder positions CTranslate2 may ask for; 1024 covers its default
# max_decoding_length (256) and long source sentences.
MAX_POSITIONS = 1024
# Sinusoid frequencies pi/2^f, f = 0..10: two positions closer than 2^11 always
# differ in some code whose period is odd for their distance, so the "same
# position" attention score beats every other position by a fixed margin.
POSITION_FREQUENCIES = [math.pi / 2**f for f in range(11)]
ATTENTION_MARGIN = 30.0  # logits between the aligned source position and the rest
COPY_GAIN = 20.0  # weight of the copied source token in the decoder output
# See _model_spec: a weight on an always-zero input column that keeps int8
# quantization from saturating rows with two unit weights.
SPARE_COLUMN_WEIGHT = 2.5

SENTENCE_END = ".!?。！？"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def build_package(
    dest_dir: Path,
    from_code: str,
    to_code: str,
    glossary: dict[str, str],
    version: str = "1.0",
) -> Path:
    """Write translate-<from>_<to>-<version>.argosmodel into dest_dir and return its path."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    folder = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    archive = dest_dir / f"{folder}.argosmodel"

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / folder
        root.mkdir()
        sp_model = _sentencepiece_model(glossary)
        (root / "sentencepiece.model").write_bytes(sp_model)
        _save_translation_model(root / "model", sp_model, glossary)
        (root / "minisbd").mkdir()
        (root / "minisbd" / f"{from_code}.onnx").write_bytes(_sentence_splitter(from_code))
        metadata = {
            "package_version": version,
            "argos_version": "1.9.0",
            "from_code": from_code,
            "from_name": LANGUAGE_NAMES.get(from_code, from_code),
            "to_code": to_code,
            "to_name": LANGUAGE_NAMES.get(to_code, to_code),
            "type": "translate",
        }
        (root / "metadata.json").write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
        _write_zip(archive, Path(tmp), folder)
    return archive


_built: dict[tuple, Path] = {}


def cached_package(from_code: str, to_code: str, glossary: dict[str, str], version: str = "1.0") -> Path:
    """build_package into a per-process temporary directory, once per arguments.

    Callers must not modify the returned file.
    """
    key = (from_code, to_code, tuple(sorted(glossary.items())), version)
    if key not in _built:
        _built[key] = build_package(_cache_dir / str(len(_built)), from_code, to_code, glossary, version)
    return _built[key]


_cache_dir = Path(tempfile.mkdtemp(prefix="tiny-argos-"))
atexit.register(shutil.rmtree, _cache_dir, ignore_errors=True)


def _write_zip(archive: Path, base: Path, folder: str) -> None:
    # Fixed timestamps, permissions and entry order make the zip byte-identical.
    paths = sorted((base / folder).rglob("*"))
    with zipfile.ZipFile(archive, "w") as zf:
        for path in [base / folder, *paths]:
            name = path.relative_to(base).as_posix()
            if path.is_dir():
                info = zipfile.ZipInfo(name + "/", _ZIP_DATE)
                info.external_attr = 0o40755 << 16
                zf.writestr(info, b"")
            else:
                info = zipfile.ZipInfo(name, _ZIP_DATE)
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes(), compresslevel=6)


def _sentencepiece_model(glossary: dict[str, str]) -> bytes:
    import sentencepiece as spm

    # Glossary words on both sides become single pieces, so the model can map
    # one source piece to one target piece.
    words = sorted(set(glossary) | set(glossary.values()))
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(TRAINING_LINES + words),
        model_writer=model,
        model_type="char",
        vocab_size=1000,
        hard_vocab_limit=False,  # the vocabulary is just the characters seen
        byte_fallback=True,
        user_defined_symbols=words,
        normalization_rule_name="identity",  # output text = input text, minus glossary swaps
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def _save_translation_model(model_dir: Path, sp_model: bytes, glossary: dict[str, str]) -> None:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    # SentencePiece ids 0, 1, 2 are <unk>, <s>, </s>: CTranslate2's defaults.
    vocabulary = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    spec = _model_spec(vocabulary, glossary)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize(quantization=None)  # float32 on disk; Argos quantizes at load
    model_dir.mkdir()
    spec.save(str(model_dir))


def _model_spec(vocabulary: list[str], glossary: dict[str, str]):
    """A one-layer Transformer that copies by position and swaps glossary pieces.

    Hidden dimensions (d of them):
      [0, V)         one-hot of the token (V = vocabulary size)
      V              "balance": -1 in every embedding, so token vectors have zero
                     mean and layer norm leaves their direction alone
      V + 1          spare: always zero (see the output projection)
      V + 2 ...      position code: sin, -sin, cos, -cos per frequency; the
                     negated copies keep the mean zero, and the squared norm is
                     the same at every position

    Encoder: self-attention and feed-forward weights are zero, so with
    pre-norm residuals and no final norm its output is just embedding + position.
    Decoder at step t (position t): cross-attention query and key read only the
    position code, scaled so source position t wins by ATTENTION_MARGIN logits;
    the value copies the token one-hot, scaled by COPY_GAIN. The source gets
    </s> appended (add_source_eos), so at the step past the last source token
    the copied token is </s> and decoding stops.
    Output projection: row glossary(a) has weight 1 at column a, every other
    token maps to itself; logits are then ~COPY_GAIN for the copied source token
    and at most ~1 elsewhere (the decoder's own input token leaks through the
    residual).
    """
    import ctranslate2

    V = len(vocabulary)
    index = {piece: i for i, piece in enumerate(vocabulary)}
    balance, spare, position = V, V + 1, V + 2
    d = position + 4 * len(POSITION_FREQUENCIES)

    embeddings = np.zeros((V, d), np.float32)
    embeddings[np.arange(V), np.arange(V)] = 1.0
    embeddings[:, balance] = -1.0

    positions = np.zeros((MAX_POSITIONS, d), np.float32)
    steps = np.arange(MAX_POSITIONS)
    for f, omega in enumerate(POSITION_FREQUENCIES):
        column = position + 4 * f
        positions[:, column] = np.sin(omega * steps)
        positions[:, column + 1] = -np.sin(omega * steps)
        positions[:, column + 2] = np.cos(omega * steps)
        positions[:, column + 3] = -np.cos(omega * steps)
    position_dims = np.arange(position, d)

    # Query input is layer-normed: every decoder input has zero mean and squared
    # norm 2 + 2F (one-hot, balance, position), so layer norm divides by this.
    F = len(POSITION_FREQUENCIES)
    norm_scale = math.sqrt((2 + 2 * F) / d)
    # Position codes at distance k have dot product 2 * sum_f cos(omega_f * k);
    # the smallest drop from k = 0 over all distances in the table:
    drop = min(2 * sum(1 - math.cos(omega * k) for omega in POSITION_FREQUENCIES) for k in range(1, MAX_POSITIONS))
    # CTranslate2 divides attention scores by sqrt(head dim) = sqrt(d).
    query_gain = ATTENTION_MARGIN * norm_scale * math.sqrt(d) / drop

    spec = ctranslate2.specs.TransformerSpec.from_config((1, 1), 1, pre_norm=True, no_final_norm=True)
    spec.config.add_source_eos = True

    def layer_norm(ln):
        ln.gamma = np.ones(d, np.float32)
        ln.beta = np.zeros(d, np.float32)

    def zero_linear(linear, rows, cols):
        linear.weight = np.zeros((rows, cols), np.float32)
        linear.bias = np.zeros(rows, np.float32)

    def zero_layer(layer):
        layer_norm(layer.self_attention.layer_norm)
        zero_linear(layer.self_attention.linear[0], 3 * d, d)  # fused q, k, v
        zero_linear(layer.self_attention.linear[1], d, d)
        layer_norm(layer.ffn.layer_norm)
        zero_linear(layer.ffn.linear_0, 4, d)
        zero_linear(layer.ffn.linear_1, d, 4)

    for side in (spec.encoder, spec.decoder):
        side.scale_embeddings = False
        side.position_encodings.encodings = positions
        zero_layer(side.layer[0])
    spec.encoder.embeddings[0].weight = embeddings
    spec.decoder.embeddings.weight = embeddings

    cross = spec.decoder.layer[0].attention
    layer_norm(cross.layer_norm)
    zero_linear(cross.linear[0], d, d)  # query
    cross.linear[0].weight[position_dims, position_dims] = query_gain
    zero_linear(cross.linear[1], 2 * d, d)  # fused key, value
    cross.linear[1].weight[position_dims, position_dims] = 1.0
    cross.linear[1].weight[d + np.arange(V), np.arange(V)] = 1.0
    zero_linear(cross.linear[2], d, d)  # output
    cross.linear[2].weight[np.arange(V), np.arange(V)] = COPY_GAIN

    projection = np.zeros((V, d), np.float32)
    for piece, i in index.items():
        target = glossary.get(piece, piece)
        projection[index[target], i] = 1.0
    # Under int8 (Argos's "auto" compute type on most CPUs) a row with two unit
    # weights in neighbouring columns lost its logit: the packed int8 multiply
    # saturates (measured, see shared/notes/argos-offline.md). A larger weight
    # on a column that is always zero shrinks the row's quantization scale and
    # costs nothing in float32.
    projection[:, spare] = SPARE_COLUMN_WEIGHT
    spec.decoder.projection.weight = projection
    spec.decoder.projection.bias = np.zeros(V, np.float32)
    return spec


def _sentence_splitter(lang_code: str) -> bytes:
    """A MiniSBD model: a lookup table from character to boundary class.

    MiniSBD feeds character ids ("units", [B, T]) and per-character features
    ([B, T, 1], unused here) and takes the argmax of "logits" ([B, T, 5]):
    class 0 no boundary, 1 token end, 2 sentence end.
    """
    import onnx
    from onnx import TensorProto, helper

    units = ["<PAD>", "<UNK>", " ", *SENTENCE_END]
    table = np.zeros((len(units), 5), np.float32)
    table[:, 0] = 1.0  # default: no boundary
    table[units.index(" "), 1] = 2.0
    for mark in SENTENCE_END:
        table[units.index(mark), 2] = 2.0

    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "units"], ["logits"], axis=0)],
        "minisbd_lookup",
        inputs=[
            helper.make_tensor_value_info("units", TensorProto.INT64, ["batch", "time"]),
            helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", "time", 1]),
        ],
        outputs=[helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "time", 5])],
        initializer=[helper.make_tensor("table", TensorProto.FLOAT, table.shape, table.flatten())],
    )
    model = helper.make_model(
        graph,
        producer_name="tracker-tests",
        opset_imports=[helper.make_opsetid("", 13)],
    )
    model.ir_version = 8  # readable by any onnxruntime from 1.10 on
    config = {
        "skip_newline": False,
        "max_seqlen": 1000,
        "no_ssplit": False,
        "batch_size": 32,
        "feat_funcs": ["space_before"],
        "use_dictionary": False,
        "num_dict_feat": 0,
    }
    vocab = {"lang": lang_code, "_unit2id": {u: i for i, u in enumerate(units)}, "_id2unit": units}
    helper.set_model_props(
        model,
        {
            "lang_code": lang_code,
            "config": json.dumps(config, sort_keys=True),
            "vocab": json.dumps(vocab, sort_keys=True, ensure_ascii=False),
            "lexicon": "null",
        },
    )
    onnx.checker.check_model(model)
    return model.SerializeToString(deterministic=True)
