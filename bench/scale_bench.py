"""Scaling out with `tracker worker` on PostgreSQL: ratios measured in one run on this machine.

    python -m bench.scale_bench [--documents 48] [--sentences 24] [--hosts 2,4,8] [--pages 12] [--jobs 500]
                                [--server URL] [--smoke]

Starts a throwaway PostgreSQL server with scripts/postgres.sh (nothing needs to be running; or
give a running one with --server), then:

1. translation-bound: `--documents` Vietnamese originals of `--sentences` sentences each, stored
   directly as original versions, translated by the Transformer-base-shaped package of
   bench/translate_bench.py (6+6 layers, d_model 512; a copy model, so its output is known) with
   1 and then 2 `tracker worker --queues translate --until-idle` processes (intra_threads 1 each,
   [worker] batch_tokens small enough to make several batches); the wall time from start to the
   last exit, process start and model load included; speed-up = t(1) / t(2) (target ≥ 1.7 on
   2 free cores);
2. fetch-bound: `--pages` small pages on each of H loopback hosts (127.0.0.x), host_delay 0.2 s,
   fetched by 2 workers × 4 threads: pages/s against H, and the smallest gap between two
   requests to one host as the servers timed them (must stay ≥ host_delay);
3. the queue's own cost: enqueue, claim, fence and finish of `--jobs` empty jobs, per job.

Prints a table and writes bench/results/scale_bench-<time>.json. `--smoke` (bench/smoke.py): all
three parts on 2 documents, one host and one fetch worker, 5 jobs and a one-layer package.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from bench.smoke import NOTE, add_smoke_flag, results_dir, shown

REPO = Path(__file__).resolve().parent.parent
HOST_DELAY = 0.2


def start_server(folder: Path) -> str:
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "postgres.sh"), "start", str(folder)], capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"scale_bench: no PostgreSQL server: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout.strip().splitlines()[-1]


def project(folder: Path, database_url: str, extra: str = "") -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "seeds").mkdir(exist_ok=True)
    (folder / "config.toml").write_text(
        '[fetch]\nallow_private = ["127.0.0.0/8"]\nmax_retries = 0\n'
        f"host_delay = {HOST_DELAY}\n"
        "[archive]\nenabled = false\n"  # no web archive is asked
        '[translation]\nauto_install = false\ndevice = "cpu"\ninter_threads = 1\nintra_threads = 1\n' + extra,
        encoding="utf-8",
    )
    return {
        **os.environ,
        "TRACKER_CONFIG": str(folder / "config.toml"),
        "TRACKER_DATABASE_URL": database_url,
        "OMP_NUM_THREADS": "1",
    }


def workers(folder: Path, env: dict, count: int, *args: str) -> float:
    """Start `count` worker processes with `args`; the seconds until the last one exits."""
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tracker", "worker", "--until-idle", *args],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for proc in procs:
        _, err = proc.communicate()
        if os.environ.get("SCALE_BENCH_DEBUG"):
            print(err)
        if proc.returncode != 0:
            sys.exit(f"scale_bench: a worker failed:\n{err[-2000:]}")
    return time.perf_counter() - started


def translation_bound(base: Path, server_url: str, documents: int, sentences: int, smoke: bool = False) -> dict:
    from sqlmodel import Session

    from bench.translate_bench import BASE, SMOKE, build_base_package, document, glossary
    from tests.postgres import fresh_database
    from tracker.store.db import open_database
    from tracker.store.tables import Source, Version

    models = base / "models"
    build_base_package(models, glossary(), SMOKE if smoke else BASE)
    texts = [document(sentences, seed=i) for i in range(documents)]
    tokens = sum(len(t) // 4 + 1 for t in texts)
    batch = max(200, tokens // (documents // 4 or 1))  # about four documents a job
    seconds, spans = {}, {}
    counts = (2,) if smoke else (1, 2)  # smoke: the two-worker path only
    for count in counts:
        with fresh_database(server_url) as url:
            folder = base / f"translate-{count}"
            env = project(folder, url, f"[worker]\nbatch_tokens = {batch}\n")
            env["TRACKER_MODELS_DIR"] = str(models)
            engine = open_database(url)
            with Session(engine) as session:
                for i, body in enumerate(texts):
                    source = Source(
                        url=f"http://bench.example/{i}",
                        normalized_url=f"http://bench.example/{i}",
                        host="bench.example",
                        state="retired",  # never due: this part measures translation alone
                    )
                    session.add(source)
                    session.flush()
                    session.add(
                        Version(
                            source_id=source.id,
                            kind="original",
                            language="vi",
                            status="ready",
                            text=body,
                            text_sha256=hashlib.sha256(body.encode()).hexdigest(),
                        )
                    )
                session.commit()
            engine.dispose()
            seconds[count] = workers(folder, env, count, "--queues", "translate")
            spans[count] = float(job_span(url, "translate"))
            engine = open_database(url)
            with engine.connect() as connection:
                from sqlalchemy import text

                made = connection.execute(
                    text("SELECT count(DISTINCT parent_id), count(*) FROM versions WHERE kind = 'translated'")
                ).one()
            engine.dispose()
            assert tuple(made) == (documents, documents), made
    report = {"documents": documents, "sentences_each": sentences, "batch_tokens": batch}
    for count in counts:
        workers_named = "1_worker" if count == 1 else f"{count}_workers"
        report[f"seconds_{workers_named}"] = round(seconds[count], 2)
        report[f"jobs_seconds_{workers_named}"] = round(spans[count], 2)
    if len(counts) == 2:
        report["speedup_with_process_start"] = round(seconds[1] / seconds[2], 2)
        report["speedup"] = round(spans[1] / spans[2], 2)
    return report


def job_span(url: str, queue: str) -> float:
    """Seconds from the first claim to the last finished job of `queue` (process start excluded)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            seconds = connection.execute(
                text(
                    "SELECT EXTRACT(EPOCH FROM max(finished_at) - min(started_at)) FROM jobs "
                    "WHERE queue = :queue AND status = 'done'"
                ),
                {"queue": queue},
            ).scalar_one()
            return float(seconds)
    finally:
        engine.dispose()


def fetch_bound(base: Path, server_url: str, host_counts: list[int], pages: int, worker_count: int = 2) -> list[dict]:
    from tests.http_server import serve
    from tests.postgres import fresh_database

    body = (
        "<html><head><title>Page</title></head><body><article>"
        + "".join(f"<p>This is paragraph {i} of a short English page about trade and weather.</p>" for i in range(5))
        + "</article></body></html>"
    ).encode()
    results = []
    for hosts in host_counts:
        hits: dict[str, list[tuple[float, str]]] = {}

        def route(log: list):
            def answer(handler):
                log.append((time.monotonic(), handler.path))
                return 200, {"Content-Type": "text/html; charset=utf-8"}, body

            return answer

        with ExitStack() as stack, fresh_database(server_url) as url:
            urls, ports = [], []
            for h in range(hosts):
                log: list = []
                routes = {f"/p{i}": route(log) for i in range(pages)}
                site = stack.enter_context(serve(routes, host=f"127.0.0.{h + 2}"))
                hits[str(site)] = log
                ports.append(site.port)
                urls += [f"{site}/p{i}" for i in range(pages)]
            folder = base / f"fetch-{hosts}"
            env = project(folder, url)
            env["TRACKER_FETCH_ALLOW_PORTS"] = ",".join(map(str, ports))
            (folder / "seeds" / "seed.txt").write_text("\n".join(f"Source: {u}" for u in urls) + "\n")
            seconds = workers(folder, env, worker_count, "--queues", "fetch", "--concurrency", "4")
            span = job_span(url, "fetch")
        times = [sorted(t for t, _ in log) for log in hits.values()]
        gaps = [b - a for ts in times for a, b in zip(ts, ts[1:])]
        fetched = sum(len(log) for log in hits.values())
        paths = [origin + path for origin, log in hits.items() for _, path in log]
        twice = sorted({p for p in paths if paths.count(p) > 1})
        results.append(
            {
                "hosts": hosts,
                "pages": hosts * pages,
                "requests": fetched,
                "seconds_with_process_start": round(seconds, 2),
                "seconds_first_claim_to_last_job": round(span, 2),
                "pages_per_second": round(hosts * pages / span, 2),
                "bound_pages_per_second": round(hosts / HOST_DELAY, 1),
                "smallest_gap": round(min(gaps), 3),
                "fetched_twice": twice,
            }
        )
    return results


def queue_cost(server_url: str, jobs: int) -> dict:
    from sqlalchemy import text

    from tests.postgres import fresh_database
    from tracker.store.db import open_database
    from tracker.workers import queue

    with fresh_database(server_url) as url:
        engine = open_database(url)
        try:
            started = time.perf_counter()
            with engine.begin() as connection:
                for i in range(jobs):
                    queue.enqueue(connection, "align", f"bench:{i}", {"i": i})
            enqueued = time.perf_counter() - started
            started = time.perf_counter()
            with engine.connect() as connection:
                for _ in range(jobs):
                    [job] = queue.claim(connection, "bench", ["align"], 60.0)
                    queue.fence(connection, job)
                    queue.finish(connection, job)
                    connection.commit()
            worked = time.perf_counter() - started
            with engine.connect() as connection:
                left = connection.execute(text("SELECT count(*) FROM jobs WHERE status <> 'done'")).scalar_one()
            assert left == 0
        finally:
            engine.dispose()
    return {
        "jobs": jobs,
        "enqueue_ms_per_job": round(enqueued / jobs * 1000, 3),
        "claim_fence_finish_ms_per_job": round(worked / jobs * 1000, 3),
        "total_ms_per_job": round((enqueued + worked) / jobs * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=48)
    parser.add_argument("--sentences", type=int, default=24)
    parser.add_argument("--hosts", default="2,4,8")
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: translate,fetch,queue")
    parser.add_argument("--server", help="SQLAlchemy URL of a running PostgreSQL server to use instead of starting one")
    add_smoke_flag(parser)
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    if args.smoke:
        args.documents, args.sentences, args.hosts, args.pages, args.jobs = 2, 4, "1", 2, 5

    base = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    folder = Path(tempfile.mkdtemp(prefix="scale-bench-pg-"))
    results: dict = {"machine": platform.platform(), "cpus": os.cpu_count(), "load": os.getloadavg()}
    try:
        server = args.server or start_server(folder)
        if "queue" not in skip:
            results["queue"] = queue_cost(server, args.jobs)
            print("queue cost:", results["queue"], flush=True)
        if "fetch" not in skip:
            hosts = [int(h) for h in args.hosts.split(",")]
            results["fetch"] = fetch_bound(base, server, hosts, args.pages, 1 if args.smoke else 2)
            for row in results["fetch"]:
                print("fetch-bound:", row, flush=True)
        if "translate" not in skip:
            results["translate"] = translation_bound(base, server, args.documents, args.sentences, args.smoke)
            print("translation-bound:", results["translate"], flush=True)
    finally:
        if not args.server:
            subprocess.run(["bash", str(REPO / "scripts" / "postgres.sh"), "stop", str(folder)], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)
    out = results_dir(args.smoke) / f"scale_bench-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {shown(out)}")
    if args.smoke:
        print(NOTE)


if __name__ == "__main__":
    main()
