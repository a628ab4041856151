"""End-to-end `tracker run` over loopback pages on many hosts (issue 6 benchmark; not a test).

Reports, all measured in this one run:
  - pages per second of the first run;
  - whole-pipeline CPU (without translation: the pages are English, the target is English)
    against bare `trafilatura.extract` CPU on the same pages, measured before and after the
    pipeline's run (issue 25's goal: at most 1.8x), each side after a warm-up of its lazy imports
    and model loads (the pipeline's, on a page it does not measure, is reported apart), and
    where the pipeline's CPU goes, stage by stage (`cpu_by_stage`);
  - the second run's time as a fraction of the first, both when nothing is due (the normal
    scheduled case) and with --all against a server answering 304 to conditional GETs
    (goal: under 10%);
  - peak RSS after source 500 and after source 1,000 (goal: under 10% growth).

    .venv/bin/python -m bench.run_bench [--pages 1000] [--hosts 8] [--claims] [--judgments FILE]
                                        [--profile FILE] [--smoke]

The seeds say one sentence of their own and cite four pages each, so a claim draws on few pages
and the trails read the citations of few (`trail_texts_read`); with `--claims` each seed also
says a sentence of every page it cites, as real seeds do, and the trails read nearly every page.

`--judgments FILE` dumps what the first run judged, page by page (bench/judgments.py), so that a
change meant only to save CPU can be checked: `python -m bench.judgments OLD NEW` says how many
pages are identical. `--profile FILE` writes a cProfile of the first run (it inflates the CPU).

The page server runs in another process, so its CPU is not counted. `--smoke` (bench/smoke.py):
8 synthetic pages on 2 hosts, with `--claims`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import tempfile
import time
from pathlib import Path

from bench.smoke import NOTE, add_smoke_flag, results_dir, shown

ROOT = Path(__file__).resolve().parent.parent


# ../shared/corpus from /work/main; /work/shared/corpus from a worktree under /work/wt.
CORPUS = next(
    (p for p in (ROOT.parent / "shared" / "corpus", ROOT.parent.parent / "shared" / "corpus") if p.is_dir()),
    ROOT.parent / "shared" / "corpus",
)


def page_bodies(pages: int, synthetic: bool) -> tuple[list[bytes], str]:
    """Real third-party pages from ../shared/corpus (cycled), or synthetic ones when absent."""
    files = (
        []
        if synthetic
        else sorted(CORPUS.glob("goose3/content/*.html")) + sorted(CORPUS.glob("readability/test-pages/*/source.html"))
    )
    if files:
        real = [f.read_bytes() for f in files]
        return [real[i % len(real)] for i in range(pages)], f"corpus ({len(real)} distinct pages)"
    from tests.pages import article_html

    return [article_html(i) for i in range(pages)], "synthetic"


def serve_pages(hosts: int, pages: int, synthetic: bool, ports, ready) -> None:
    from contextlib import ExitStack

    from tests.http_server import serve

    bodies = {f"/p{i}": body for i, body in enumerate(page_bodies(pages, synthetic)[0])}

    def route(path):
        def handler(request):
            etag = f'"{path}"'
            if request.headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": "text/html; charset=utf-8", "ETag": etag}, bodies[path]

        return handler

    routes = {path: route(path) for path in bodies}
    with ExitStack() as stack:
        for h in range(hosts):
            base = stack.enter_context(serve(routes, host=f"127.0.0.{h + 1}"))
            ports.append(base.port)
        ready.set()
        time.sleep(10_000)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# The stages whose CPU the bench reports, as (module, function): each is wrapped by a timer.
STAGES = {
    "extraction (trafilatura and metadata)": ("tracker.originals.extract", "extract_main_text"),
    "language (langdetect and lingua)": ("tracker.originals.language", "language_status"),
    "alignment": ("tracker.excerpts.align", "align"),
    "raw body storage (zlib)": ("tracker.store.bodies", "store_body"),
    "trails (the citations in each source)": ("tracker.trails.citations", "read_citations"),
}


def time_stages() -> dict[str, float]:
    """Wrap each of STAGES (where it is defined and where it is imported) with a CPU timer."""
    import functools
    import importlib
    import sys

    spent = dict.fromkeys(STAGES, 0.0)
    for stage, (module_name, name) in STAGES.items():
        original = getattr(importlib.import_module(module_name), name)

        def timed(*args, _original=original, _stage=stage, **kwargs):
            started = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_stage] += time.process_time() - started

        for module in list(sys.modules.values()):
            if getattr(module, "__name__", "").startswith("tracker") and getattr(module, name, None) is original:
                setattr(module, name, functools.wraps(original)(timed))
    return spent


def claim_from(body: bytes) -> str:
    """A sentence of the page's text (bare trafilatura's) for a seed to draw on, on a line of its
    own ending in a space, or nothing when the page has none of eight words or more."""
    import trafilatura

    from tracker.sentences import split_sentences

    text = trafilatura.extract(body) or ""
    sentences = (text[s.start : s.end] for s in split_sentences(text))
    return next((f"{s} " for s in sentences if len(s.split()) >= 8 and "\n" not in s), "")


def trail_texts_read(database: Path) -> int:
    """How many texts the trails read the citations of (a claim drew on them)."""
    import sqlite3

    with sqlite3.connect(database) as connection:
        query = (
            "SELECT count(*) FROM activities WHERE kind = 'cite' AND json_extract(parameters, '$.found') IS NOT NULL"
        )
        return connection.execute(query).fetchone()[0]


def warm_up_pipeline() -> float:
    """The pipeline's lazy imports and model loads (langdetect's profiles, lingua's models), made
    once before its run is timed, as trafilatura's are before the baseline: the run's CPU is then
    its pages'. On a synthetic page, not one of the measured ones. Returns the CPU it took."""
    from tests.pages import article_html
    from tracker.originals.extract import extract_main_text
    from tracker.originals.language import language_status
    from tracker.seeds.article import find_article

    cpu = time.process_time()
    html = article_html(999_999).decode()  # a number no run of the bench serves
    language_status(extract_main_text(html).text)
    find_article(html, all_metadata=False)
    return time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--synthetic", action="store_true", help="synthetic pages even if the corpus is there")
    parser.add_argument(
        "--judgments",
        metavar="FILE",
        help="write the first run's judgments per page to FILE, for `python -m bench.judgments OLD NEW`",
    )
    parser.add_argument(
        "--claims",
        action="store_true",
        help="seeds that draw on every page they cite (a sentence of each), so the trails read them all",
    )
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the first run to FILE (pstats)")
    add_smoke_flag(parser)
    args = parser.parse_args()
    if args.smoke:
        args.pages, args.hosts, args.synthetic, args.claims = 8, 2, True, True

    manager = multiprocessing.Manager()
    ports, ready = manager.list(), manager.Event()
    server = multiprocessing.Process(
        target=serve_pages, args=(args.hosts, args.pages, args.synthetic, ports, ready), daemon=True
    )
    server.start()
    ready.wait(60)

    workdir = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    (workdir / "seeds").mkdir()
    urls = [f"http://127.0.0.{i % args.hosts + 1}:{ports[i % args.hosts]}/p{i}" for i in range(args.pages)]
    bodies, kind = page_bodies(args.pages, args.synthetic)
    # Like real seeds: short articles, each citing a few sources (with --claims, drawing on each).
    for first in range(0, len(urls), 4):
        cited = range(first, min(first + 4, len(urls)))
        (workdir / "seeds" / f"seed_{first:05d}.md").write_text(
            f"Seed article {first} reports on the council budget and the harbour railway.\n"
            + "".join(f"{claim_from(bodies[i]) if args.claims else ''}Source: {urls[i]}\n" for i in cited)
        )
    (workdir / "config.toml").write_text(
        '[fetch]\nallow_private = ["127.0.0.0/8"]\nmax_retries = 0\n[translation]\nauto_install = false\n'
        "[archive]\nenabled = false\n"  # no web archive is asked
    )
    os.environ.update(
        {
            "TRACKER_CONFIG": str(workdir / "config.toml"),
            "TRACKER_FETCH_ALLOW_PORTS": ",".join(map(str, ports)),
            "TRACKER_FETCH_HOST_DELAY": "0",
            "HOME": str(workdir),
        }
    )

    import trafilatura

    from tracker.config import load_settings
    from tracker.runner import run

    # Baseline: bare trafilatura on the same pages, in this process, before the pipeline's first
    # run and again after it: the ratio is against their mean, so a shared machine that slows
    # down or speeds up during the run moves both sides (the two are in the output).
    trafilatura.extract(bodies[0])  # warm-up: imports and lazy initialisation

    def bare_extract_cpu() -> float:
        cpu = time.process_time()
        for body in bodies:
            trafilatura.extract(body)
        return time.process_time() - cpu

    extract_before = bare_extract_cpu()

    import tracker.excerpts.versions  # noqa: F401  (imports the stages, so their importers are wrapped too)

    warm_up_cpu = warm_up_pipeline()

    spent = time_stages()
    settings = load_settings()
    rss_at: dict[int, float] = {}
    done = 0

    def notify(message, event="info", **fields):
        nonlocal done
        if event == "progress":
            done += 1
            if done in (500, 1000, args.pages // 2, args.pages):
                rss_at[done] = rss_mb()

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()  # its own overhead inflates the first run's CPU figures
        profiler.enable()
    wall, cpu = time.perf_counter(), time.process_time()
    first = run(settings, notify=notify)
    first_wall, first_cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    extract_after = bare_extract_cpu()
    texts_read = trail_texts_read(settings.database.target.path)
    extract_cpu = (extract_before + extract_after) / 2

    if args.judgments:
        from bench.judgments import write

        print(f"judgments of {write(settings.database.target.path, Path(args.judgments))} pages in {args.judgments}")

    cpu_by_stage = {stage: round(seconds, 2) for stage, seconds in spent.items()}
    cpu_by_stage["storing, fetching and bookkeeping"] = round(first_cpu - sum(spent.values()), 2)

    wall = time.perf_counter()
    nothing_due = run(settings)
    due_wall = time.perf_counter() - wall

    wall = time.perf_counter()
    revalidated = run(settings, fetch_all=True)
    all_wall = time.perf_counter() - wall

    results = {
        "pages": args.pages,
        "hosts": args.hosts,
        "page_kind": kind,
        "first_run_seconds": round(first_wall, 2),
        "pages_per_second": round(args.pages / first_wall, 1),
        "first_run_fetched": first.fetched,
        "pipeline_cpu_seconds": round(first_cpu, 2),
        "pipeline_warm_up_cpu_seconds": round(warm_up_cpu, 2),
        "bare_extract_cpu_seconds": round(extract_cpu, 2),
        "cpu_ratio_pipeline_vs_extract": round(first_cpu / extract_cpu, 2),
        "cpu_ms_per_page": round(first_cpu * 1000 / args.pages, 1),
        "bare_extract_ms_per_page": round(extract_cpu * 1000 / args.pages, 1),
        "bare_extract_ms_per_page_before_and_after": [
            round(seconds * 1000 / args.pages, 1) for seconds in (extract_before, extract_after)
        ],
        "cpu_by_stage": cpu_by_stage,
        "seeds_draw_on_every_page": args.claims,
        "trail_texts_read": texts_read,
        "second_run_nothing_due_fraction": round(due_wall / first_wall, 4),
        "second_run_all_304_fraction": round(all_wall / first_wall, 4),
        "second_run_all_unchanged": revalidated.unchanged,
        "nothing_due_fetched": nothing_due.fetched + nothing_due.unchanged,
        "rss_mb_at": {str(k): round(v, 1) for k, v in sorted(rss_at.items())},
    }
    if 500 in rss_at and 1000 in rss_at:
        results["rss_growth_500_to_1000"] = round(rss_at[1000] / rss_at[500] - 1, 4)
    print(json.dumps(results, indent=2))
    out = results_dir(args.smoke) / "run_bench.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"written {shown(out)}")
    if args.smoke:
        print(NOTE)
    server.terminate()


if __name__ == "__main__":
    main()
