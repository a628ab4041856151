"""Does a big seed make every run slow? (issue 14 benchmark; not a test)

Two projects, each measured in this one run: a seed citing 20 URLs and a seed citing 10,000
(one sentence a line, each citing its own page on a loopback server; synthetic English pages from
tests/pages.py, so no translation is involved). Each seed is ingested first (a one-time cost,
reported apart), then one `tracker run --limit 20` is timed: it fetches 20 sources, extracts
them and aligns each with the seed that cites it. Goal: the big seed's run costs at most 3x the
small seed's.

    .venv/bin/python -m bench.big_seed_bench [--urls 10000] [--fetch 20] [--smoke]

`--smoke` (bench/smoke.py): a seed of 40 URLs against one of 4, no goal judged.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from bench.smoke import NOTE, add_smoke_flag
from tests.http_server import serve
from tests.pages import article_html, article_text


def make_project(root: Path, port: int, urls: int) -> Path:
    (root / "seeds").mkdir(parents=True)
    (root / "config.toml").write_text(
        f'[fetch]\nallow_private = ["127.0.0.1"]\nallow_ports = [{port}]\nhost_delay = 0.0\nmax_retries = 0\n'
        "[translation]\nauto_install = false\n[archive]\nenabled = false\n",  # no web archive is asked
        encoding="utf-8",
    )
    lines = []
    for i in range(urls):
        first = article_text(i).split(". ")[0]  # the seed draws on each page's first sentence
        lines.append(f"{first}, the report said (http://127.0.0.1:{port}/p/{i}).")
    (root / "seeds" / "report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def timed_run(project: Path, fetch: int) -> tuple[float, float, dict]:
    from sqlmodel import Session

    from tracker.config import load_settings
    from tracker.runner import run
    from tracker.seeds.ingest import ingest_seeds
    from tracker.store.db import open_database

    os.chdir(project)
    settings = load_settings(project / "config.toml")
    started = time.perf_counter()
    engine = open_database(settings.database.url)
    with Session(engine) as session:
        ingest_seeds(session, settings.paths.seeds_dir)
        session.commit()
    engine.dispose()
    ingested = time.perf_counter() - started
    started = time.perf_counter()
    summary = run(settings, limit=fetch)
    seconds = time.perf_counter() - started
    return ingested, seconds, {"fetched": summary.fetched, "excerpts": summary.excerpts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--fetch", type=int, default=20)
    add_smoke_flag(parser)
    args = parser.parse_args()
    if args.smoke:
        args.urls, args.fetch = 40, 4

    def page(handler):
        number = int(handler.path.rsplit("/", 1)[-1].split("?")[0])
        return 200, {"Content-Type": "text/html; charset=utf-8"}, article_html(number)

    routes = {f"/p/{i}": page for i in range(max(args.urls, args.fetch))}
    with serve(routes) as base, tempfile.TemporaryDirectory(prefix="big-seed-bench-") as tmp:
        cwd = os.getcwd()
        try:
            results = {}
            # warm-up: imports and first-use costs are paid here, not by the first measured run
            if not args.smoke:  # which measures nothing
                timed_run(make_project(Path(tmp) / "warmup", base.port, 2), 2)
            for name, urls in (("small", args.fetch), ("big", args.urls)):
                project = make_project(Path(tmp) / name, base.port, urls)
                ingested, seconds, summary = timed_run(project, args.fetch)
                results[name] = {"urls": urls, "ingest_s": round(ingested, 2), "run_s": round(seconds, 2), **summary}
        finally:
            os.chdir(cwd)
    ratio = results["big"]["run_s"] / results["small"]["run_s"]
    results["ratio"] = round(ratio, 2)
    if not args.smoke:
        results["goal"] = "ratio <= 3"
        results["met"] = ratio <= 3
    print(json.dumps(results, indent=2))
    if args.smoke:
        print(NOTE)


if __name__ == "__main__":
    main()
