"""Report benchmark: the time to build and render the report page of a seed that cites 10 sources,
against a bare `lookup` of those 10 sources measured in the same run (the baseline).

    python -m bench.report_bench              # 10 sources, 50 timed runs each
    python -m bench.report_bench --sources 10 --runs 100
    python -m bench.report_bench --large         # seeds citing 100 and 300 URLs, one per sentence
    python -m bench.report_bench --smoke         # the --large measure on 20 and 60 URLs, 3 runs

`--large` (issue 27, item 11) builds the seed the issue measured: each URL cited in a sentence of
its own, so sentences grow with sources. It reports the page's bytes, its detail blocks (one per
seed sentence × source linked) and the median time of `/seed/1` from `tracker serve`, per size;
bytes and blocks should grow about linearly with the sources, not as sentences × sources.

The database is real: `tracker run` fetches 10 Vietnamese pages (about 15 sentences each, built
from the words of tests/vi_article.py's glossary) from a loopback server and translates them with
the tiny vi→en Argos package of tests/tiny_argos.py; the seed has 20 sentences, some drawn from
the pages' translations, some not. Measured: `seed_report` + `report_html` (what `tracker report`
and `tracker serve`'s seed page do), and one GET of the seed page from `tracker serve`'s app on
uvicorn over loopback. Goal: the page under 200 ms (median).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.smoke import results_dir

REPO = Path(__file__).resolve().parent.parent
WORDS = "Nga ủng hộ thống nhất Syria Hai bên thảo luận thương mại và giáo dục".split()
ENGLISH = "The minister said talks would resume next week in the capital after a short pause".split()


def sandbox() -> Path:
    """Argos and Hugging Face write under these folders: keep them out of $HOME."""
    root = Path(tempfile.mkdtemp(prefix="report-bench-"))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[name] = str(root / name.lower())
    os.environ["ARGOS_PACKAGES_DIR"] = str(root / "argos-packages")
    os.environ["HF_HUB_OFFLINE"] = "1"
    return root


def page(k: int, rng: random.Random) -> bytes:
    sentences = [
        "Điện Kremlin nói Nga ủng hộ thống nhất Syria.",
        "Hai bên thảo luận thương mại và giáo dục.",
    ] + [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) + f" {k}{i}." for i in range(13)]
    body = "".join(f"<p>{s}</p>\n" for s in sentences)
    head = f'<head><meta charset="utf-8"><title>Bài {k}</title></head>'
    return f'<!DOCTYPE html><html lang="vi">{head}<body><article>{body}</article></body></html>'.encode()


def build(project: Path, sources: int, cited_each: bool = False) -> tuple[str, list[str]]:
    """Run tracker on a seed citing `sources` loopback pages; the database URL and the page URLs."""
    from tests.cli_runner import invoke_tracker
    from tests.http_server import serve
    from tests.tiny_argos import cached_package
    from tests.vi_article import GLOSSARY

    rng = random.Random(13)
    (project / "seeds").mkdir(parents=True)
    (project / "config.toml").write_text(
        '[fetch]\nallow_private = ["127.0.0.1"]\ndeadline = 5.0\nmax_retries = 0\nhost_delay = 0.0\n'
        "[translation]\nauto_install = false\n[archive]\nenabled = false\n",  # no web archive is asked
        encoding="utf-8",
    )
    html = {"Content-Type": "text/html; charset=utf-8"}
    routes = {f"/bai-{k}.htm": (200, html, page(k, rng)) for k in range(sources)}
    cwd = os.getcwd()
    with serve(routes) as base:
        urls = [f"{base}/bai-{k}.htm" for k in range(sources)]
        os.environ["TRACKER_CONFIG"] = str(project / "config.toml")
        os.environ["TRACKER_FETCH_ALLOW_PORTS"] = str(base.port)
        os.chdir(project)
        try:
            lines = ["The Kremlin said Russia supports the unity of Syria.", "Both sides discussed trade."]
            lines += [" ".join(rng.sample(ENGLISH, rng.randint(6, 12))).capitalize() + "." for _ in range(16)]
            if cited_each:  # a sentence per URL, as a long seed that cites as it goes
                lines += [
                    f"Report {k} said talks would resume next week, according to {u} today." for k, u in enumerate(urls)
                ]
            else:
                lines += [f"Sources: {' '.join(urls[: sources // 2])}", f"More: {' '.join(urls[sources // 2 :])}"]
            (project / "seeds" / "bench_seed.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
            for args in (("models", "install", str(cached_package("vi", "en", GLOSSARY))), ("run",)):
                result = invoke_tracker(*args)
                if result.exit_code != 0:
                    raise SystemExit(result.output)
        finally:
            os.chdir(cwd)
    return f"sqlite:///{project / 'data' / 'tracker.db'}", urls


def timed(function, runs: int) -> list[float]:
    for _ in range(3):  # warm the caches (templates compiled, pages in the OS cache)
        function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def large(sizes: list[int], runs: int) -> dict:
    """Bytes, detail blocks and served time of the report of a seed citing each of `sizes` URLs."""
    import httpx
    from sqlmodel import Session

    from tests.browser import serving
    from tracker.read.pages import report_html
    from tracker.read.report import seed_report
    from tracker.read.server import create_app
    from tracker.read.sql import read_only_engine

    root = sandbox()
    results = {}
    for size in sizes:
        database_url, _ = build(root / f"project-{size}", size, cited_each=True)
        engine = read_only_engine(database_url)
        with Session(engine) as session:
            report = seed_report(session, "bench_seed.txt")
            html = report_html(report)
        with serving(create_app(engine)) as base, httpx.Client(base_url=base, timeout=120) as client:
            seed_id = report["seed"]["id"]
            served = timed(lambda seed_id=seed_id: client.get(f"/seed/{seed_id}").raise_for_status(), runs)
            served_bytes = len(client.get(f"/seed/{seed_id}").content)
        engine.dispose()
        results[size] = {
            "seed_sentences": len(report["sentences"]),
            "report_bytes": len(html.encode()),
            "detail_blocks": html.count('class="link"'),
            "served_bytes": served_bytes,
            "served_ms_median": round(1000 * statistics.median(served), 1),
        }
        print(json.dumps({size: results[size]}), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--large", action="store_true", help="seeds citing 100 and 300 URLs, one per sentence")
    parser.add_argument("--smoke", action="store_true", help="--large on 20 and 60 URLs, 3 runs")
    args = parser.parse_args()
    if args.large or args.smoke:
        results = large([20, 60] if args.smoke else [100, 300], 3 if args.smoke else min(args.runs, 10))
        (results_dir(args.smoke) / "report_bench_large.json").write_text(
            json.dumps(results, indent=2) + "\n", encoding="utf-8"
        )
        return
    root = sandbox()
    database_url, urls = build(root / "project", args.sources)

    import httpx
    from sqlmodel import Session

    from tests.browser import serving
    from tracker.read.lookup import lookup
    from tracker.read.pages import report_html
    from tracker.read.report import seed_report
    from tracker.read.server import create_app
    from tracker.read.sql import read_only_engine

    engine = read_only_engine(database_url)
    with Session(engine) as session:
        report = seed_report(session, "bench_seed.txt")
    aligned = len(report["sources"])
    if aligned != args.sources:
        raise SystemExit(f"only {aligned} of {args.sources} sources were aligned: {report['unaligned_sources']}")

    def page_render() -> str:
        with Session(engine) as session:
            return report_html(seed_report(session, "bench_seed.txt"))

    def bare_lookups() -> None:
        with Session(engine) as session:
            for url in urls:
                assert lookup(session, url) is not None

    render = timed(page_render, args.runs)
    baseline = timed(bare_lookups, args.runs)
    with serving(create_app(engine)) as base, httpx.Client(base_url=base) as client:
        seed_id = report["seed"]["id"]
        served = timed(lambda: client.get(f"/seed/{seed_id}").raise_for_status(), args.runs)
    engine.dispose()

    ms = lambda values: round(1000 * statistics.median(values), 2)  # noqa: E731
    results = {
        "sources": args.sources,
        "seed_sentences": len(report["sentences"]),
        "runs": args.runs,
        "page_bytes": len(page_render().encode()),
        "report_page_ms_median": ms(render),
        "served_page_ms_median": ms(served),
        "baseline_lookups_ms_median": ms(baseline),
        "ratio_report_to_lookups": round(statistics.median(render) / statistics.median(baseline), 2),
        "goal_ms": 200,
        "goal_met": statistics.median(render) < 0.2 and statistics.median(served) < 0.2,
    }
    print(json.dumps(results, indent=2))
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "report_bench.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
