"""Does tracker.align tell a faithful rewrite from changed content? Real human news rewrites.

Development data: the public sample of the Twitter News URL Corpus (Lan, Qiu, He, Xu,
"A Continuously Growing Dataset of Sentential Paraphrases", EMNLP 2017;
github.com/lanwuwei/Twitter-URL-Corpus, files `data example/Twitter_URL_Corpus_{train,test}_sample.txt`).
Each line pairs a news outlet's headline (the tweet that carries the article's URL) with another
tweet linking the same article, labelled paraphrase or not by six crowd workers: real human
rewrites of news, about the same event. 200 pairs over 20 headlines. The bench reads them from
the mirror the search tool's `fetch github:lanwuwei/Twitter-URL-Corpus` makes
(/work/.mirror/lanwuwei+Twitter-URL-Corpus) and skips cleanly when it is absent. Nothing here is
from the held-out sets (MSRP, SemEval STS).

Classes: `faithful` (≥ 4 of 6 say paraphrase), `changed` (≤ 2 of 6: same article, other content);
3 of 6 is left out as the corpus authors do. Each pair becomes one seed (the rewrite) aligned
against one source document: its headline among `--doc-size` headlines of other articles, in a
seeded random order; the gold source sentence is known. Beside the rewrites:

- `unrelated`: the rewrite aligned against a source document without its headline (→ `added`);
- `verbatim`: the headline itself as the seed (→ `supported`).

Reported: faithful kept (supported|paraphrased), changed caught (partial|added), faithful vs
changed accuracy, the label confusion, each detail kind's precision (a detail listed on a
`changed` pair counts as right, on a `faithful` pair as wrong), the right-source-sentence rate,
unrelated → added, verbatim → supported; and two baselines: the labels before issue 11 (score
thresholds only) and a word-overlap threshold set to keep 95% of faithful pairs.

    python -m bench.align_details_eval [--json] [--examples] [--model-cost] [--smoke]

`--smoke` (bench/smoke.py) runs on SAMPLE below (made-up rewrites in the corpus's shape); with
`--model-cost` too, on a one-layer package.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
from collections import Counter
from pathlib import Path

from bench.smoke import NOTE, add_smoke_flag
from tracker.excerpts import align, features
from tracker.sentences import split_sentences

MIRROR = Path("/work/.mirror/lanwuwei+Twitter-URL-Corpus")
FILES = ("data example/Twitter_URL_Corpus_train_sample.txt", "data example/Twitter_URL_Corpus_test_sample.txt")

# Made up for --smoke, in the corpus's shape: (headline, rewrite, votes of 6 for paraphrase).
SAMPLE = [
    ("Dow closes 200 points higher as oil rebounds", "The Dow ended 200 points up on Monday as oil rebounded", 5),
    ("Dow closes 200 points higher as oil rebounds", "Stocks rally, Dow up 350 points after the Fed meeting", 1),
    ("Dow closes 200 points higher as oil rebounds", "Oil rebounds and the Dow closes higher", 4),
    ("Senate passes the budget bill after a long debate", "The Senate passed the budget bill after long debate", 6),
    ("Senate passes the budget bill after a long debate", "Senate rejects the budget bill, Smith says", 0),
    ("Storm forces airports in Texas to close", "Airports in Texas close because of the storm", 5),
    ("Storm forces airports in Texas to close", "Texas airports stay open despite the storm on Friday", 2),
    ("Apple unveils a new iPhone in California", "Apple shows its new iPhone in California", 4),
]


def _git_dir() -> Path | None:
    for candidate in (MIRROR / "repo", MIRROR / "repo" / ".git", MIRROR):
        if (candidate / "HEAD").exists():
            return candidate
    return None


def read_pairs() -> list[tuple[str, str, int]] | None:
    """(headline, rewrite, votes of 6 for paraphrase); None when the corpus is not on this machine."""
    git_dir = _git_dir()
    if git_dir is None:
        return None
    pairs = []
    for name in FILES:
        text = subprocess.run(
            ["git", "--git-dir", str(git_dir), "show", f"HEAD:{name}"], capture_output=True, text=True, check=True
        ).stdout
        for line in text.splitlines():
            fields = line.split("\t")
            if len(fields) < 3 or not fields[2].startswith("("):
                continue
            votes = int(fields[2].strip("()").split(",")[0])
            pairs.append((" ".join(fields[0].split()), " ".join(fields[1].split()), votes))
    return pairs


def _overlap(seed: str, source: str) -> float:
    a = {t.stem for t in features.tokens(seed)}
    b = {t.stem for t in features.tokens(source)}
    return len(a & b) / len(a) if a else 0.0


def _one_sentence(text: str) -> str:
    # A tweet may hold several sentences; the seed is aligned as one unit (n:1 joins them anyway).
    return " ".join(text.split())


def evaluate(pairs, *, doc_size: int, seed: int) -> dict:
    rng = random.Random(seed)
    headlines = sorted({h for h, _, _ in pairs})
    confusion = {"faithful": Counter(), "changed": Counter()}
    before = {"faithful": Counter(), "changed": Counter()}
    detail_hits = {"faithful": Counter(), "changed": Counter()}
    overlaps = {"faithful": [], "changed": []}
    right_source = total_linked = 0
    unrelated = Counter()
    verbatim = Counter()
    examples = []
    for headline, rewrite, votes in pairs:
        if votes == 3:
            continue
        klass = "faithful" if votes >= 4 else "changed"
        others = rng.sample([h for h in headlines if h != headline], min(doc_size - 1, len(headlines) - 1))
        document = others + [headline]
        rng.shuffle(document)
        gold = document.index(headline)
        source_sentences = split_sentences("\n".join(document))
        # gold position in sentences: the headline may itself split into several sentences
        start = sum(len(split_sentences(d)) for d in document[:gold])
        gold_positions = set(range(start, start + len(split_sentences(headline))))
        seed_text = _one_sentence(rewrite)
        seed_sentences = split_sentences(seed_text)
        result = align.align(seed_sentences, source_sentences)
        labels = [link.label for link in result.links]
        # the sentence's label: the worst of its links (a tweet split in two counts once)
        order = ["added", "partial", "paraphrased", "supported"]
        label = min(labels, key=order.index) if labels else "added"
        confusion[klass][label] += 1
        old = [align.label_for(link.score) if link.source else "added" for link in result.links]
        old = [lbl if lbl != "partial" else "paraphrased" for lbl in old]
        before[klass][min(old, key=order.index) if old else "added"] += 1
        linked = [link for link in result.links if link.source]
        if linked and klass == "faithful":
            total_linked += 1
            right_source += any(set(link.source) & gold_positions for link in linked)
        for link in linked:
            for detail in link.unsupported_details:
                detail_hits[klass][detail.kind] += 1
                if len(examples) < 40:
                    examples.append((klass, detail.kind, detail.text, detail.source_text, rewrite[:90]))
        overlaps[klass].append(_overlap(rewrite, headline))
        # unrelated: the same rewrite against a document without its headline
        unrelated_doc = split_sentences("\n".join(others))
        for link in align.align(seed_sentences, unrelated_doc).links:
            unrelated[link.label] += 1
    for headline in headlines:
        others = rng.sample([h for h in headlines if h != headline], min(doc_size - 1, len(headlines) - 1))
        document = others + [headline]
        rng.shuffle(document)
        for link in align.align(split_sentences(headline), split_sentences("\n".join(document))).links:
            verbatim[link.label] += 1

    def share(counter, keys):
        n = sum(counter.values())
        return round(sum(counter[k] for k in keys) / n, 3) if n else None

    faithful_n, changed_n = sum(confusion["faithful"].values()), sum(confusion["changed"].values())
    kept = share(confusion["faithful"], ("supported", "paraphrased"))
    caught = share(confusion["changed"], ("partial", "added"))
    accuracy = round((kept * faithful_n + caught * changed_n) / (faithful_n + changed_n), 3)
    old_kept = share(before["faithful"], ("supported", "paraphrased"))
    old_caught = share(before["changed"], ("partial", "added"))
    # word-overlap baseline: the threshold that keeps 95% of faithful pairs
    threshold = sorted(overlaps["faithful"])[int(0.05 * len(overlaps["faithful"]))]
    base_kept = sum(o >= threshold for o in overlaps["faithful"]) / faithful_n
    base_caught = sum(o < threshold for o in overlaps["changed"]) / changed_n
    precision = {}
    for kind in sorted(set(detail_hits["faithful"]) | set(detail_hits["changed"])):
        right, wrong = detail_hits["changed"][kind], detail_hits["faithful"][kind]
        precision[kind] = {"precision": round(right / (right + wrong), 3), "on_changed": right, "on_faithful": wrong}
    return {
        "pairs": {"faithful": faithful_n, "changed": changed_n},
        "faithful_kept": kept,
        "changed_caught": caught,
        "accuracy": accuracy,
        "confusion": {k: dict(v) for k, v in confusion.items()},
        "detail_precision": precision,
        "right_source_sentence": round(right_source / total_linked, 3) if total_linked else None,
        "unrelated_added": share(unrelated, ("added",)),
        "verbatim_supported": share(verbatim, ("supported",)),
        "before_issue_11": {
            "faithful_kept": old_kept,
            "changed_caught": old_caught,
            "accuracy": round((old_kept * faithful_n + old_caught * changed_n) / (faithful_n + changed_n), 3),
        },
        "word_overlap_baseline": {
            "threshold": round(threshold, 3),
            "faithful_kept": round(base_kept, 3),
            "changed_caught": round(base_caught, 3),
            "accuracy": round((base_kept * faithful_n + base_caught * changed_n) / (faithful_n + changed_n), 3),
        },
        "thresholds": {
            "supported": align.SUPPORTED,
            "paraphrased": align.PARAPHRASED,
            "partial_coverage": align.PARTIAL_COVERAGE,
            "supported_coverage": align.SUPPORTED_COVERAGE,
        },
        "examples": examples,
    }


_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def edit_detail(seed: str, source: str, kind: str, names: list[str], rng: random.Random) -> str | None:
    """The seed with one detail it shares with the source changed, or None if it has none."""
    from tracker.excerpts.details import extract

    source_values = {d.value for d in extract(source)}
    for detail in extract(seed):
        if detail.kind != kind or detail.value not in source_values:
            continue
        if kind == "number" and detail.text[:1].isdigit():
            digits = re.match(r"\d+", detail.text).group()
            replacement = str(int(digits) + rng.choice([2, 3, 7, 11])) + detail.text[len(digits) :]
        elif kind == "name":
            options = [n for n in names if n.casefold() not in source.casefold() and n.casefold() != detail.value]
            if not options:
                continue
            replacement = rng.choice(options)
        elif kind == "date" and detail.text.capitalize() in _WEEKDAYS:
            replacement = _WEEKDAYS[(_WEEKDAYS.index(detail.text.capitalize()) + 2) % 7]
        else:
            continue
        return seed[: detail.start] + replacement + seed[detail.end :]
    if kind == "negation":
        edited = re.sub(r"\b(is|are|was|were|will|would|can|could|has|have|had)\b", r"\1 not", seed, count=1)
        return edited if edited != seed and "not" not in seed else None
    return None


def controlled_edits(pairs: list[tuple[str, str]], *, seed: int = 1) -> dict:
    """Real faithful rewrites with one shared detail changed on purpose (a figure, a name, a
    weekday, a negation added): how many are caught (`partial` or `added`), how many are
    `partial` with that kind of detail listed, and how many of the unedited ones are `partial`
    (false alarms)."""
    from tracker.excerpts.details import extract

    rng = random.Random(seed)
    names = sorted({d.text for s, t in pairs for d in extract(s) + extract(t) if d.kind == "name"})
    caught: Counter = Counter()  # partial or added
    listed: Counter = Counter()  # partial with a detail of the kind edited
    edited_n: Counter = Counter()
    false_alarm = total = 0
    for rewrite, source in pairs:
        links = align.align(split_sentences(rewrite), split_sentences(source)).links
        if not links or not all(link.source for link in links):
            continue
        total += 1
        false_alarm += any(link.label == "partial" for link in links)
        for kind in ("number", "name", "date", "negation"):
            edited = edit_detail(rewrite, source, kind, names, rng)
            if edited is None:
                continue
            edited_n[kind] += 1
            result = align.align(split_sentences(edited), split_sentences(source)).links
            listed[kind] += any(
                link.label == "partial" and any(d.kind == kind for d in link.unsupported_details) for link in result
            )
            caught[kind] += any(link.label in ("partial", "added") for link in result)
    return {
        "unedited": total,
        "unedited_partial": round(false_alarm / total, 3) if total else None,
        "edits": {
            k: {
                "n": edited_n[k],
                "caught": round(caught[k] / edited_n[k], 3),
                "listed": round(listed[k] / edited_n[k], 3),
            }
            for k in sorted(edited_n)
        },
    }


def model_cost(pairs, smoke: bool = False) -> dict:
    """Seconds per seed sentence of the cross-lingual signal (CTranslate2 score_batch) with a
    Transformer-base-shaped package (bench.translate_bench's: real compute per token, copy
    weights). Cost only: no trained model is reachable offline, so its quality is not measured."""
    import tempfile
    import time

    from bench.translate_bench import BASE, SMOKE, build_base_package, glossary
    from tracker.translation.translator import forget_translators, score_translations

    with tempfile.TemporaryDirectory() as models:
        build_base_package(Path(models), glossary(), SMOKE if smoke else BASE)
        scored = [(headline, rewrite) for headline, rewrite, _ in pairs]
        score_translations(scored[:2], "vi", "en", Path(models))  # load the model once
        started = time.perf_counter()
        result = score_translations(scored, "vi", "en", Path(models))
        seconds = time.perf_counter() - started
        forget_translators()
    return {
        "pairs": len(scored),
        "seconds": round(seconds, 3),
        "ms_per_pair": round(1000 * seconds / len(scored), 2),
        "scores_finite": sum(score > float("-inf") for score in result.scores),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc-size", type=int, default=8, help="headlines per source document")
    parser.add_argument("--seed", type=int, default=1, help="RNG seed")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--examples", action="store_true", help="print the details listed")
    parser.add_argument("--model-cost", action="store_true", help="time the model signal on a Transformer-base shape")
    add_smoke_flag(parser)
    args = parser.parse_args()
    pairs = SAMPLE if args.smoke else read_pairs()
    if pairs is None:
        print(f"skipped: {MIRROR} is absent (fetch github:lanwuwei/Twitter-URL-Corpus)")
        return
    report = evaluate(pairs, doc_size=args.doc_size, seed=args.seed)
    examples = report.pop("examples")
    # controlled edits on real faithful rewrites: the Twitter faithful pairs and the English
    # paraphrase pairs of bench/data/pairs.tsv (source side first there: `source TAB paraphrase`)
    from bench.align_eval import DATA
    from bench.align_eval import read_pairs as read_tsv

    faithful = [(rewrite, headline) for headline, rewrite, votes in pairs if votes >= 4]
    faithful += [(paraphrase, source) for source, paraphrase in read_tsv(DATA)][: 12 if args.smoke else None]
    report["controlled_edits"] = controlled_edits(faithful)
    if args.model_cost:
        report["model_signal_cost"] = model_cost(pairs, args.smoke)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    p = report["pairs"]
    print(f"Twitter News URL Corpus sample: {p['faithful']} faithful, {p['changed']} changed rewrites")
    print(
        f"  faithful kept {report['faithful_kept']}  changed caught {report['changed_caught']}"
        f"  accuracy {report['accuracy']}"
    )
    print(f"  before issue 11: {report['before_issue_11']}")
    print(f"  word-overlap baseline: {report['word_overlap_baseline']}")
    print(f"  confusion: {report['confusion']}")
    print(f"  detail precision: {report['detail_precision']}")
    print(
        f"  right source sentence {report['right_source_sentence']}  unrelated→added {report['unrelated_added']}"
        f"  verbatim→supported {report['verbatim_supported']}"
    )
    print(f"  thresholds: {report['thresholds']}")
    print(f"  controlled edits of faithful rewrites: {report['controlled_edits']}")
    if "model_signal_cost" in report:
        print(f"  model signal cost (Transformer-base shape, CPU): {report['model_signal_cost']}")
    if args.examples:
        for example in examples:
            print("   ", example)
    if args.smoke:
        print(NOTE)


if __name__ == "__main__":
    main()
