"""What does a hop cost against a first-hop source? (issue 22 benchmark; not a test)

One loopback web, two projects measured in this one run: a seed citing N pages (synthetic English
pages from tests/pages.py, so no translation), each page citing, in the sentence the seed draws
on, its own page on a second host that repeats the sentence. `[trail] depth = 0` fetches, extracts
and aligns the N first-hop sources; `depth = 1` also reads their citations, fetches the N hop
sources and judges each hop against the next. Reported: seconds of each `tracker run`, and the
cost of one hop source as a fraction of one first-hop source,
(run_s(depth 1) − run_s(depth 0)) / run_s(depth 0). Goal: at most 1.5 (a hop costs about what a
first-hop source costs: one more fetch and extraction, a citation read and an alignment).

    .venv/bin/python -m bench.trail_bench [--pages 100] [--smoke]

`--smoke` (bench/smoke.py): 3 pages, no goal judged.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.smoke import NOTE, add_smoke_flag, results_dir, shown
from tests.http_server import serve
from tests.pages import article_text


def _claim(number: int) -> str:
    return article_text(number).split(". ")[1]  # a sentence of words the pages share


def first_hop_page(number: int, hop_base: str) -> bytes:
    sentences = article_text(number).split(". ")
    sentences[1] = f'{sentences[1]}, as <a href="{hop_base}/h/{number}">the agency</a> reported'
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in sentences)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Article {number}</title></head>"
        f"<body><article><h1>Article {number}</h1>{paragraphs}</article></body></html>"
    ).encode()


def hop_page(number: int) -> bytes:
    text = f"{_claim(number)}. The agency will say more about report {number} when it can."
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in text.rstrip(".").split(". "))
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Agency {number}</title></head>"
        f"<body><article>{paragraphs}</article></body></html>"
    ).encode()


def make_project(root: Path, base: str, ports: list[int], pages: int, depth: int) -> Path:
    (root / "seeds").mkdir(parents=True)
    (root / "config.toml").write_text(
        f'[fetch]\nallow_private = ["127.0.0.0/8"]\nallow_ports = {ports}\nhost_delay = 0.0\nmax_retries = 0\n'
        f"[translation]\nauto_install = false\n[trail]\ndepth = {depth}\n",
        encoding="utf-8",
    )
    lines = [f"{_claim(i)}, the report said ({base}/p/{i})." for i in range(pages)]
    (root / "seeds" / "report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def timed_run(project: Path) -> tuple[float, dict]:
    from tracker.config import load_settings
    from tracker.runner import run

    os.chdir(project)
    settings = load_settings(project / "config.toml")
    started = time.perf_counter()
    summary = run(settings)
    seconds = time.perf_counter() - started
    with sqlite3.connect(project / "data" / "tracker.db") as connection:
        judged = connection.execute("SELECT count(*) FROM hop_alignments").fetchone()[0]
    return seconds, {"fetched": summary.fetched, "excerpts": summary.excerpts, "hop_judgments": judged}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    add_smoke_flag(parser)
    args = parser.parse_args()
    if args.smoke:
        args.pages = 3
    first_routes: dict = {}
    html = {"Content-Type": "text/html; charset=utf-8"}
    hop_routes = {f"/h/{i}": (200, html, hop_page(i)) for i in range(args.pages)}
    results: dict = {"pages": args.pages}
    with (
        serve(first_routes, "127.0.0.1") as base,
        serve(hop_routes, "127.0.0.2") as hop_base,
        tempfile.TemporaryDirectory(prefix="trail-bench-") as tmp,
    ):
        for i in range(args.pages):
            first_routes[f"/p/{i}"] = (200, html, first_hop_page(i, hop_base))
        ports = [base.port, hop_base.port]
        cwd = os.getcwd()
        try:
            if not args.smoke:  # warm-up: imports and first-use costs are paid here
                timed_run(make_project(Path(tmp) / "warmup", base, ports, 2, 1))
            for depth in (0, 1):
                project = make_project(Path(tmp) / f"depth{depth}", base, ports, args.pages, depth)
                seconds, summary = timed_run(project)
                results[f"depth_{depth}"] = {"run_s": round(seconds, 3), **summary}
        finally:
            os.chdir(cwd)
    per_hop = (results["depth_1"]["run_s"] - results["depth_0"]["run_s"]) / results["depth_0"]["run_s"]
    results["hop_cost_vs_first_hop"] = round(per_hop, 3)
    if not args.smoke:
        results["goal"] = "hop_cost_vs_first_hop <= 1.5"
        results["met"] = per_hop <= 1.5
    out = results_dir(args.smoke) / "trail_bench.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    print(f"results: {shown(out)}")
    if args.smoke:
        print(NOTE)


if __name__ == "__main__":
    main()
