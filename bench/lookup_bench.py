"""Lookup benchmark: latency of a URL lookup at 10k and at N (default 1M) sources, and the wall
time of a cold `tracker lookup` against `python -c "import sqlite3"`, measured in the same run.

    python -m bench.lookup_bench                 # 10k and 1M sources
    python -m bench.lookup_bench --sources 100000
    python -m bench.lookup_bench --smoke         # 100 and 300 sources, one cold start, no goal judged

The cold start is also taken apart with `python -X importtime`: the imports of a cold lookup in
all, the modules it imports first (tracker.cli, tracker.read.lookup, …) and the libraries a read
should not need (SQLAlchemy, SQLModel, Alembic, trafilatura, httpx), medians over the runs.

Databases are synthetic but shaped like tracker's: per source one URL citation, one fetch
activity and attempt (plus a redirect hop for one in ten), an original, a translated and an
excerpt version, and for one source in three a second original (a changed page). Texts are
small: the benchmark measures the database part of a lookup, not text transfer.
Goals: lookup latency at 1M within 2x of that at 10k; a cold `tracker lookup` within 0.4 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.smoke import NOTE, add_smoke_flag, results_dir, shown

REPO = Path(__file__).resolve().parent.parent
SOURCES_PER_SEED = 50
T0 = "2025-01-01 00:00:00.000000"
T1 = "2025-02-01 00:00:00.000000"


def urls(i: int) -> dict[str, str]:
    host = f"news{i % 5000}.example"
    return {
        "cited": f"https://{host.upper()}/article/{i}?utm_source=feed#top",
        "normalized": f"https://{host}/article/{i}",
        "final": f"https://www.{host}/article/{i}.html",
        "canonical": f"https://{host}/a/{i}",
    }


def build(path: Path, n: int) -> float:
    """Create the schema with tracker's migrations, then bulk-insert n sources; seconds taken."""
    from tracker.store.db import open_database

    started = time.perf_counter()
    open_database(f"sqlite:///{path}").dispose()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-400000")
    db.execute("BEGIN")
    seeds = (n + SOURCES_PER_SEED - 1) // SOURCES_PER_SEED
    db.executemany(
        "INSERT INTO seeds (id, path, revision, sha256, format, text, ingested_at) VALUES (?, ?, 1, ?, 'text', ?, ?)",
        ((s, f"seed_{s}.txt", f"{s:064x}", f"Seed {s} cites many sources.", T0) for s in range(1, seeds + 1)),
    )
    db.executemany(
        "INSERT INTO sources (id, url, normalized_url, host, final_url, canonical_url, state, "
        "failures, first_cited_at, last_fetched_at) VALUES (?, ?, ?, ?, ?, ?, 'fetched', 0, ?, ?)",
        (
            (i, u["cited"], u["normalized"], f"news{i % 5000}.example", u["final"], u["canonical"], T0, T1)
            for i in range(1, n + 1)
            for u in (urls(i),)
        ),
    )
    db.executemany(
        "INSERT INTO citations (id, seed_id, source_id, kind, text, cue, url, char_start, char_end, "
        "sentence, sentence_start, sentence_end) VALUES (?, ?, ?, 'url', ?, 'Source:', ?, 0, 40, ?, 0, 48)",
        (
            (i, (i - 1) // SOURCES_PER_SEED + 1, i, urls(i)["cited"], urls(i)["cited"], f"Source: {urls(i)['cited']}")
            for i in range(1, n + 1)
        ),
    )
    # activities: 2i-1 fetch+extract, 2i translate
    db.executemany(
        "INSERT INTO activities (id, kind, source_id, status, software, parameters, started_at, "
        "model, model_version, model_sha256) VALUES (?, ?, ?, 'ok', '{}', '{}', ?, ?, ?, ?)",
        (
            row
            for i in range(1, n + 1)
            for row in (
                (2 * i - 1, "fetch", i, T0, None, None, None),
                (2 * i, "translate", i, T0, "translate-vi_en", "1.9", "ab" * 32),
            )
        ),
    )
    db.executemany(
        "INSERT INTO fetch_attempts (source_id, activity_id, url, retry, status_code, redirect_to, "
        "headers, started_at, seconds) VALUES (?, ?, ?, 0, ?, ?, '{}', ?, 0.1)",
        (
            row
            for i in range(1, n + 1)
            for u in (urls(i),)
            for row in (
                (
                    [
                        (i, 2 * i - 1, u["cited"], 301, f"https://hop.example/{i}", T0),
                        (i, 2 * i - 1, f"https://hop.example/{i}", 301, u["final"], T0),
                    ]
                    if i % 10 == 0
                    else [(i, 2 * i - 1, u["cited"], 301, u["final"], T0)]
                )
                + [(i, 2 * i - 1, u["final"], 200, None, T0)]
            )
        ),
    )
    version_id = 0
    versions, excerpts = [], []
    for i in range(1, n + 1):
        captures = [T0, T1] if i % 3 == 0 else [T0]
        for captured in captures:
            original, translated, excerpt = version_id + 1, version_id + 2, version_id + 3
            version_id += 3
            versions += [
                (original, i, "original", None, 2 * i - 1, "vi", f"Bài {i} lúc {captured[:10]}.", captured),
                (translated, i, "translated", original, 2 * i, "en", f"Article {i} at {captured[:10]}.", captured),
                (excerpt, i, "excerpt", translated, 2 * i, "en", f"Article {i}", captured),
            ]
            excerpts.append((excerpt, (i - 1) // SOURCES_PER_SEED + 1, 0, 10, f"Article {i}", 0, 10, 0, 3, 0.9))
        if len(versions) > 300_000:
            _flush(db, versions, excerpts)
    _flush(db, versions, excerpts)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    return time.perf_counter() - started


def _flush(db, versions, excerpts) -> None:
    db.executemany(
        "INSERT INTO versions (id, source_id, kind, parent_id, activity_id, status, language, text, "
        "created_at) VALUES (?, ?, ?, ?, ?, 'ready', ?, ?, ?)",
        versions,
    )
    db.executemany(
        "INSERT INTO excerpts (version_id, seed_id, seed_start, seed_end, seed_sentence, "
        "translated_start, translated_end, original_start, original_end, score) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        excerpts,
    )
    versions.clear()
    excerpts.clear()


def lookup_latency(path: Path, n: int, lookups: int, rng: random.Random) -> dict[str, float]:
    """Median and 95th percentile milliseconds of tracker.read.lookup.lookup over random URLs of
    every match kind (cited, normalized, final, canonical, a redirect hop)."""
    from tracker.read.lookup import lookup
    from tracker.store.reader import open_reader

    targets = []
    for _ in range(lookups):
        i = rng.randint(1, n)
        kind = rng.choice(["cited", "normalized", "final", "canonical", "hop"])
        targets.append(f"https://hop.example/{i - i % 10 or 10}" if kind == "hop" else urls(i)[kind])
    timings = []
    with open_reader(f"sqlite:///{path}") as reader:  # as `tracker lookup` reads
        for url in targets[:20]:  # warm the connection and the statement cache
            lookup(reader, url)
        for url in targets:
            started = time.perf_counter()
            found = lookup(reader, url)
            timings.append((time.perf_counter() - started) * 1000)
            assert found is not None and found["versions"], url
    timings.sort()
    return {"median_ms": statistics.median(timings), "p95_ms": timings[int(len(timings) * 0.95) - 1]}


def cold_start(path: Path, runs: int) -> dict[str, float]:
    """Median wall seconds of `tracker lookup URL` in a fresh interpreter, and of a bare
    `python -c "import sqlite3"`, alternated so both see the same machine load."""
    config = path.parent / "bench-config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{path}"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRACKER_CONFIG": str(config)}
    url = urls(1)["cited"]
    commands = {
        "tracker_lookup_s": [sys.executable, "-m", "tracker", "lookup", url],
        "import_sqlite3_s": [sys.executable, "-c", "import sqlite3"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


# Libraries a read command should not import, and where its own imports start.
WATCHED = ("sqlalchemy", "sqlmodel", "alembic", "tracker.store.tables", "trafilatura", "httpx", "numpy")
COLD_GOAL_S = 0.4


def import_times(stderr: str) -> dict[str, float]:
    """Seconds per module from `-X importtime` output: each module's cumulative time where it
    was first imported, keyed by name; "top-level NAME" for those imported at depth 0."""
    found: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        depth = (len(name) - len(name.lstrip())) // 2  # two spaces a level after the one after "|"
        name = name.strip()
        seconds = int(cumulative) / 1e6
        found.setdefault(name, seconds)
        if depth == 0:
            found[f"top-level {name}"] = found.get(f"top-level {name}", 0.0) + seconds
    return found


def import_breakdown(path: Path, runs: int) -> dict[str, Any]:
    """Median import seconds of a cold `tracker lookup URL`: in all, per top-level module (the
    six largest), and for each WATCHED library it imported (absent: not imported)."""
    config = path.parent / "bench-config.toml"
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRACKER_CONFIG": str(config)}
    command = [sys.executable, "-X", "importtime", "-m", "tracker", "lookup", urls(1)["cited"]]
    samples = []
    for _ in range(runs):
        done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        samples.append(import_times(done.stderr))

    def median(name: str) -> float:
        return statistics.median(sample.get(name, 0.0) for sample in samples)

    top = {name.removeprefix("top-level ") for sample in samples for name in sample if name.startswith("top-level ")}
    by_module = sorted(((median(f"top-level {name}"), name) for name in top), reverse=True)
    totals = [sum(v for k, v in sample.items() if k.startswith("top-level ")) for sample in samples]
    return {
        "imports_s": round(statistics.median(totals), 4),
        "top_level_s": {name: round(seconds, 4) for seconds, name in by_module[:6]},
        "watched_s": {name: round(median(name), 4) for name in WATCHED if any(name in sample for sample in samples)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1_000_000, help="sources in the large database")
    parser.add_argument("--baseline", type=int, default=10_000, help="sources in the small database")
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7, help="cold-start runs of each command")
    parser.add_argument("--dir", type=Path, help="where to build the databases (default: a temp dir)")
    add_smoke_flag(parser)
    args = parser.parse_args()
    if args.smoke:
        args.sources, args.baseline, args.lookups, args.runs = 300, 100, 40, 1
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    results = {}
    for n in (args.baseline, args.sources):
        path = workdir / f"lookup_{n}.db"
        if path.exists():
            path.unlink()
        seconds = build(path, n)
        with sqlite3.connect(path) as db:
            counts = {
                t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("sources", "versions", "fetch_attempts", "citations")
            }
        results[n] = {
            "build_s": round(seconds, 1),
            "size_mb": round(path.stat().st_size / 1e6),
            **counts,
            **lookup_latency(path, n, args.lookups, rng),
        }
        print(f"{n} sources: {json.dumps(results[n])}", flush=True)
    small, large = results[args.baseline], results[args.sources]
    print(
        f"lookup latency ratio {args.sources}/{args.baseline}: median "
        f"{large['median_ms'] / small['median_ms']:.2f}x, "
        f"p95 {large['p95_ms'] / small['p95_ms']:.2f}x" + ("" if args.smoke else " (goal: within 2x)")
    )
    start = cold_start(workdir / f"lookup_{args.sources}.db", args.runs)
    ratio = start["tracker_lookup_s"] / start["import_sqlite3_s"]
    goal = "" if args.smoke else f" (goal: within {COLD_GOAL_S} s)"
    print(
        f"cold start: tracker lookup {start['tracker_lookup_s']:.3f} s{goal}, python -c 'import sqlite3' "
        f"{start['import_sqlite3_s']:.3f} s, ratio {ratio:.1f}x"
    )
    imports = import_breakdown(workdir / f"lookup_{args.sources}.db", args.runs)
    print(
        f"cold lookup imports: {imports['imports_s']:.3f} s; top level "
        + ", ".join(f"{name} {seconds:.3f}" for name, seconds in imports["top_level_s"].items())
        + "; of which "
        + (", ".join(f"{name} {seconds:.3f}" for name, seconds in imports["watched_s"].items()) or "none watched")
        + f" (watched: {', '.join(WATCHED)})"
    )
    out = results_dir(args.smoke) / "lookup_bench.json"
    out.write_text(
        json.dumps({"sizes": results, "cold_start": {**start, "ratio": ratio}, "imports": imports}, indent=2) + "\n",
        encoding="utf-8",
    )
    print(f"results: {shown(out)}")
    if args.dir is None:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
    if args.smoke:
        print(NOTE)


if __name__ == "__main__":
    main()
