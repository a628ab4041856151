"""Precision and recall of tracker.align on pseudo seed/source documents built from sentence pairs.

Input: a file of sentence pairs, `source sentence TAB reference translation` (or paraphrase),
one pair a line, consecutive lines from the same text (so a window of lines reads like an
article). Each window of `--doc-size` pairs becomes one source document (its source sentences,
in order) and one pseudo seed written from its reference sentences: some dropped, some merged
with the next (1:n), some split in two (n:1), some reordered, plus sentences taken from other
windows (`added`). The gold links are known, so the aligner's links and `added` labels can be
scored. Seeded RNG: the same file and options give the same figures.

    python -m bench.align_eval                        # the synthetic English file in bench/data
    python -m bench.align_eval corpus.tsv --source-lang vi --models-dir data/models
        # a real corpus: source sentences translated first with an installed Argos package
    python -m bench.align_eval --smoke                # two documents of the shipped file, once
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from bench.smoke import NOTE, add_smoke_flag
from tracker.excerpts import align  # noqa: E402
from tracker.sentences import split_sentences  # noqa: E402

DATA = Path(__file__).parent / "data" / "pairs.tsv"


def read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            source, reference = line.split("\t", 1)
            if source.strip() and reference.strip():
                pairs.append((source.strip(), reference.strip()))
    return pairs


def _merge(a: str, b: str) -> str:
    return a.rstrip(".!?") + ", and " + b[0].lower() + b[1:]


def _split(sentence: str) -> list[str] | None:
    words = sentence.rstrip(".!?").split()
    if len(words) < 8:
        return None
    cut = len(words) // 2
    first = " ".join(words[:cut]).rstrip(",;:") + "."
    second = " ".join(words[cut:])
    return [first, second[0].upper() + second[1:] + "."]


def pseudo_seed(
    references: list[str],
    others: list[str],
    rng: random.Random,
    *,
    keep: float,
    merge: float,
    split: float,
    shuffle: float,
    added: int,
):
    """Seed sentences with their gold source positions (empty for added sentences)."""
    kept = [i for i in range(len(references)) if rng.random() < keep] or [0]
    units: list[tuple[str, set[int]]] = []
    k = 0
    while k < len(kept):
        i = kept[k]
        roll = rng.random()
        if roll < merge and k + 1 < len(kept):
            j = kept[k + 1]
            units.append((_merge(references[i], references[j]), {i, j}))
            k += 2
            continue
        if roll < merge + split and (pieces := _split(references[i])):
            units.append(("\n".join(pieces), {i}))  # kept together so a reorder moves both halves
        else:
            units.append((references[i], {i}))
        k += 1
    for a in range(len(units)):  # reorder: swap some units with a random other
        if rng.random() < shuffle:
            b = rng.randrange(len(units))
            units[a], units[b] = units[b], units[a]
    for sentence in rng.sample(others, min(added, len(others))):
        units.insert(rng.randrange(len(units) + 1), (sentence, set()))
    text = "\n".join(u for u, _ in units)
    gold: list[set[int]] = []
    for unit, positions in units:
        gold += [positions] * len(unit.split("\n"))
    return text, gold


def evaluate(pairs, *, doc_size: int, seed: int, repeats: int, translated: list[str] | None = None, **shape) -> dict:
    rng = random.Random(seed)
    sources = translated or [s for s, _ in pairs]
    windows = [range(k, min(k + doc_size, len(pairs))) for k in range(0, len(pairs), doc_size)]
    counts = dict(
        link_tp=0,
        link_pred=0,
        link_gold=0,
        added_tp=0,
        added_pred=0,
        added_gold=0,
        used_tp=0,
        used_pred=0,
        used_gold=0,
        seed_sentences=0,
    )
    labels = {"supported": 0, "paraphrased": 0, "partial": 0, "added": 0}
    for _ in range(repeats):
        for w, window in enumerate(windows):
            references = [pairs[i][1] for i in window]
            others = [pairs[i][1] for v, other in enumerate(windows) if v != w for i in other]
            seed_text, gold = pseudo_seed(references, others, rng, **shape)
            source_text = "\n".join(sources[i] for i in window)
            seed_sentences = split_sentences(seed_text)
            assert len(seed_sentences) == len(gold), "a pseudo seed line split unexpectedly"
            result = align.align(seed_sentences, split_sentences(source_text))
            predicted = {(i, j) for link in result.links for i in link.seed for j in link.source}
            gold_links = {(i, j) for i, positions in enumerate(gold) for j in positions}
            predicted_added = {i for link in result.links if link.label == "added" for i in link.seed}
            gold_added = {i for i, positions in enumerate(gold) if not positions}
            predicted_used = {j for j, used in enumerate(result.used) if used}
            gold_used = {j for positions in gold for j in positions}
            for name, p, g in (
                ("link", predicted, gold_links),
                ("added", predicted_added, gold_added),
                ("used", predicted_used, gold_used),
            ):
                counts[f"{name}_tp"] += len(p & g)
                counts[f"{name}_pred"] += len(p)
                counts[f"{name}_gold"] += len(g)
            counts["seed_sentences"] += len(gold)
            for link in result.links:
                labels[link.label] += len(link.seed)

    def pr(name):
        tp, pred, gold = (counts[f"{name}_{k}"] for k in ("tp", "pred", "gold"))
        precision = tp / pred if pred else 1.0
        recall = tp / gold if gold else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "gold": gold,
            "predicted": pred,
        }

    return {
        "links": pr("link"),
        "added": pr("added"),
        "used_source_sentences": pr("used"),
        "seed_sentences": counts["seed_sentences"],
        "labels": labels,
        "thresholds": {"supported": align.SUPPORTED, "paraphrased": align.PARAPHRASED, "merge_gain": align.MERGE_GAIN},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="?", type=Path, default=DATA)
    parser.add_argument("--doc-size", type=int, default=12, help="pairs per pseudo document")
    parser.add_argument("--seed", type=int, default=1, help="RNG seed")
    parser.add_argument("--repeats", type=int, default=5, help="pseudo seeds per document")
    parser.add_argument("--keep", type=float, default=0.7, help="share of reference sentences kept")
    parser.add_argument("--merge", type=float, default=0.15, help="share of kept sentences merged with the next")
    parser.add_argument("--split", type=float, default=0.15, help="share of kept sentences split in two")
    parser.add_argument("--shuffle", type=float, default=0.3, help="share of units swapped with another")
    parser.add_argument("--added", type=int, default=2, help="sentences from other documents added per seed")
    parser.add_argument("--source-lang", help="translate source sentences from this language first")
    parser.add_argument("--target", default="en")
    parser.add_argument("--models-dir", type=Path, default=Path("data/models"))
    parser.add_argument("--json", action="store_true")
    add_smoke_flag(parser)
    args = parser.parse_args()

    pairs = read_pairs(args.pairs)
    if args.smoke:
        pairs, args.repeats = pairs[: 2 * args.doc_size], 1
    translated = None
    if args.source_lang and args.source_lang != args.target:
        from tracker.translation.translator import translate_sentences

        translated = translate_sentences(
            [s for s, _ in pairs], args.source_lang, args.target, args.models_dir
        ).sentences
    report = evaluate(
        pairs,
        doc_size=args.doc_size,
        seed=args.seed,
        repeats=args.repeats,
        translated=translated,
        keep=args.keep,
        merge=args.merge,
        split=args.split,
        shuffle=args.shuffle,
        added=args.added,
    )
    report["pairs"] = len(pairs)
    report["file"] = str(args.pairs)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['file']}: {report['pairs']} pairs, {report['seed_sentences']} pseudo seed sentences")
    for name in ("links", "added", "used_source_sentences"):
        r = report[name]
        print(
            f"  {name:22} precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}"
            f"  (gold {r['gold']}, predicted {r['predicted']})"
        )
    print(f"  labels: {report['labels']}")
    print(f"  thresholds: {report['thresholds']}")
    if args.smoke:
        print(NOTE)


if __name__ == "__main__":
    main()
