"""Related seeds at scale (issue 27, item 4; a benchmark, not a test).

For 2,000, 7,000 and 20,000 synthetic seeds stored in a fresh SQLite file, each size in a child
process of its own so its peak memory is its own: the time and peak RSS of `relate_seeds` over
all of them (the first run after an upgrade, or a first ingestion), then of adding one seed.
Near-linear means the cost per seed at 20,000 stays close to the one at 2,000. At the smallest
size the relations are also compared with the all-pairs computation tracker did before
(`reference` below), measured in the same run.

Seeds are news-like: words drawn with Zipf frequencies from the vocabulary of the shared corpus
(../shared/corpus, else generated words), each seed reporting one of many events (one to three
seeds an event) with the event's own words and names, citing its event's URL and one of its own,
attributing to one of 3,000 names.

    .venv/bin/python -m bench.relations_bench [--sizes 2000,7000,20000] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

from bench.smoke import add_smoke_flag, results_dir

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
WORDS_PER_SEED = 250


def vocabulary(limit: int = 30_000) -> list[str]:
    """Words by frequency, most frequent first."""
    counts: Counter = Counter()
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("readability/test-pages/*/expected.html"))[:200]:
            text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8", errors="replace"))
            counts.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", text))
    words = [w for w, _ in counts.most_common(limit)]
    rng = random.Random(7)
    while len(words) < limit:  # no corpus, or a small one: made-up words fill the tail
        words.append("".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4))))
    return words


def make_seeds(count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    words = vocabulary()
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf
    seeds: list[dict] = []
    event = 0
    while len(seeds) < count:
        event += 1
        own = rng.sample(words[2000:], 40)
        names = [w.capitalize() + " " + rng.choice(words[5000:]).capitalize() for w in rng.sample(words[3000:], 3)]
        for k in range(min(rng.choice((1, 1, 2, 2, 3)), count - len(seeds))):
            drawn = rng.choices(words, weights, k=int(WORDS_PER_SEED * 0.75)) + rng.choices(own, k=WORDS_PER_SEED // 4)
            rng.shuffle(drawn)
            sentences = [" ".join(drawn[i : i + 20]) for i in range(0, len(drawn), 20)]
            text = ". ".join(f"{s.capitalize()} {rng.choice(names)} said" for s in sentences) + "."
            seeds.append(
                {
                    "text": text,
                    "urls": [f"https://news{event % 97}.example/event/{event}", f"https://x.example/{len(seeds)}/{k}"],
                    "attribution": f"Agency {rng.randrange(3000)}",
                }
            )
    return seeds


def store(session, seeds: list[dict], first_id: int) -> None:
    from sqlalchemy import insert

    from tracker.store.tables import Citation, Seed, Source

    session.execute(
        insert(Seed),
        [
            {
                "id": first_id + i,
                "path": f"s{first_id + i}.txt",
                "sha256": str(first_id + i),
                "format": "text",
                "text": s["text"],
            }
            for i, s in enumerate(seeds)
        ],
    )
    known = dict(session.exec(Source.__table__.select().with_only_columns(Source.normalized_url, Source.id)).all())
    new_urls = sorted({u for s in seeds for u in s["urls"]} - known.keys())
    if new_urls:
        session.execute(insert(Source), [{"url": u, "normalized_url": u, "host": u.split("/")[2]} for u in new_urls])
        known = dict(session.exec(Source.__table__.select().with_only_columns(Source.normalized_url, Source.id)).all())
    rows = []
    for i, s in enumerate(seeds):
        common = {
            "seed_id": first_id + i,
            "char_start": 0,
            "cue": "bare",
            "char_end": 1,
            "sentence": "x",
            "sentence_start": 0,
            "sentence_end": 1,
        }
        rows += [{**common, "kind": "url", "text": u, "url": u, "source_id": known[u]} for u in s["urls"]]
        rows.append({**common, "kind": "attribution", "text": s["attribution"], "name": s["attribution"]})
    session.execute(insert(Citation), rows)


def reference(texts: dict[int, str], sources: dict[int, set[str]], attributions: dict[int, set[str]]) -> set:
    """The all-pairs computation of related seeds as it was before the index, for comparison."""
    from tracker.excerpts.features import NAME_WEIGHT, tokens
    from tracker.excerpts.relations import SAME_EVENT, TEXT_WEIGHT

    vectors = {}
    for i, text in texts.items():
        found = tokens(text)
        vectors[i] = (Counter(t.stem for t in found), {t.stem for t in found if t.weight == NAME_WEIGHT})
    df = Counter(term for counts, _ in vectors.values() for term in counts)
    n = len(vectors) + 1
    weighted = {
        i: {t: (1 + math.log(c)) * math.log((n + 1) / (df[t] + 1)) for t, c in counts.items()}
        for i, (counts, _) in vectors.items()
    }
    norms = {i: math.sqrt(sum(w * w for w in v.values())) for i, v in weighted.items()}
    found = set()
    for a, b in combinations(sorted(texts), 2):
        dot = sum(w * weighted[b].get(t, 0.0) for t, w in weighted[a].items())
        cosine = dot / (norms[a] * norms[b]) if norms[a] and norms[b] else 0.0
        na, nb = vectors[a][1], vectors[b][1]
        jaccard = len(na & nb) / len(na | nb) if na | nb else 0.0
        if round(TEXT_WEIGHT * cosine + (1 - TEXT_WEIGHT) * jaccard, 4) >= SAME_EVENT:
            found.add((a, b, "same_event"))
        if sources.get(a, set()) & sources.get(b, set()):
            found.add((a, b, "same_source"))
        if attributions.get(a, set()) & attributions.get(b, set()):
            found.add((a, b, "same_attribution"))
    return found


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_size(count: int, compare: bool) -> dict:
    """Run in a child process: relate `count` seeds, then add one."""
    from sqlmodel import Session, select

    from tracker.excerpts.relations import relate_seeds
    from tracker.store.db import open_database
    from tracker.store.tables import SeedRelation

    seeds = make_seeds(count + 1)
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(f"sqlite:///{folder}/bench.db")
        with Session(engine) as session:
            store(session, seeds[:count], 1)
            session.commit()
            before = peak_mb()
            started, cpu = time.perf_counter(), time.process_time()
            pairs = relate_seeds(session)
            session.commit()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            peak = peak_mb()
            result = {
                "seeds": count,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "peak_rss_mb": round(peak, 1),
                "rss_before_mb": round(before, 1),
                "related_pairs": pairs,
            }
            if compare:
                stored = {(r.seed_id, r.related_seed_id, r.reason) for r in session.exec(select(SeedRelation))}
                stored = {r for r in stored if r[0] < r[1]}
                texts = {i + 1: s["text"] for i, s in enumerate(seeds[:count])}
                sources = {i + 1: set(s["urls"]) for i, s in enumerate(seeds[:count])}
                attributions = {i + 1: {s["attribution"].casefold()} for i, s in enumerate(seeds[:count])}
                started = time.perf_counter()
                expected = reference(texts, sources, attributions)
                result["all_pairs_seconds"] = round(time.perf_counter() - started, 2)
                result["relations_as_all_pairs"] = len(expected)
                result["relations_missed"] = len(expected - stored)
                result["relations_extra"] = len(stored - expected)
                result["same_event_missed"] = len({r for r in expected - stored if r[2] == "same_event"})
            store(session, seeds[count:], count + 1)
            session.commit()
            started, cpu = time.perf_counter(), time.process_time()
            relate_seeds(session)
            session.commit()
            result["add_one_seconds"] = round(time.perf_counter() - started, 3)
            result["add_one_cpu_seconds"] = round(time.process_time() - cpu, 3)
            result["add_one_related_to"] = len(
                session.exec(select(SeedRelation).where(SeedRelation.seed_id == count + 1)).all()
            )
            result["peak_rss_after_add_mb"] = round(peak_mb(), 1)
        engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,7000,20000")
    add_smoke_flag(parser)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--compare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, args.compare)))
        return
    sizes = [300, 900] if args.smoke else [int(s) for s in args.sizes.split(",")]
    results = []
    for k, size in enumerate(sizes):
        command = [sys.executable, "-m", "bench.relations_bench", "--one", str(size)] + (
            ["--compare"] if k == 0 else []
        )
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    base, top = results[0], results[-1]
    summary = {
        "seeds_ratio": top["seeds"] / base["seeds"],
        "time_ratio": round(top["seconds"] / base["seconds"], 2),
        "cpu_ratio": round(top["cpu_seconds"] / base["cpu_seconds"], 2),
        "per_seed_ms": {r["seeds"]: round(1000 * r["seconds"] / r["seeds"], 3) for r in results},
        "memory_growth_ratio": round(
            (top["peak_rss_mb"] - top["rss_before_mb"]) / max(1.0, base["peak_rss_mb"] - base["rss_before_mb"]), 2
        ),
        "add_one_ratio": round(top["add_one_seconds"] / base["add_one_seconds"], 2),
        "all_pairs_vs_index_at_base": round(base["all_pairs_seconds"] / base["seconds"], 1),
    }
    print(json.dumps(summary))
    (results_dir(args.smoke) / "relations_bench.json").write_text(
        json.dumps({"runs": results, "summary": summary}, indent=2)
    )


if __name__ == "__main__":
    main()
