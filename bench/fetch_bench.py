"""Fetch client cost: CPU per page against extraction, and memory against the body cap.

    .venv/bin/python -m bench.fetch_bench [--rounds N] [--cap BYTES] [--smoke]

Pages come from the shared corpus (../shared/corpus: goose3 and Mozilla Readability test pages),
read in place, never copied; without it, synthetic pages are used. A loopback server in another
process serves them gzip-encoded (as real servers do), so its CPU is not counted here.

1. CPU: `time.process_time()` around fetching every page (once with `Fetcher.fetch`, once through
   `Crawler.fetch_all`, robots.txt and thread pool included) against `trafilatura.extract` on the
   same pages. Goal: the client under 10% of extraction.
2. Memory: tracemalloc peak above the baseline while fetching gzip, brotli and zstd bombs (far
   larger than the cap once decoded) and a legitimate page just under the cap. Goal: under
   1.1 x the cap.

Prints a table and writes JSON to bench/results/. `--smoke` (bench/smoke.py): four synthetic
pages once, a 1 MiB cap and bombs of 8 MiB, no goal judged.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import platform
import sys
import time
import tracemalloc
import zlib
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.smoke import NOTE, add_smoke_flag, results_dir, shown

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent.parent / "shared" / "corpus"  # /work/shared/corpus from /work/wt/issueN
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
BOMB_BYTES = 256 * 1024 * 1024  # decoded size of each bomb


def corpus_pages() -> list[Path]:
    pages = sorted((CORPUS / "goose3" / "content").glob("*.html"))
    pages += sorted((CORPUS / "readability" / "test-pages").glob("*/source.html"))
    return pages


def synthetic_pages(count: int = 60) -> list[bytes]:
    """Pages about as large as real news pages (~100 KB), mostly boilerplate around an article."""
    paragraph = (
        "<p>The ministry said on Thursday that talks on trade and education would resume "
        "next month, according to officials familiar with the matter.</p>\n"
    )
    menu = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(300))
    script = "<script>var config = {" + ",".join(f'"k{i}": {i}' for i in range(4000)) + "};</script>"
    return [
        (
            f"<html><head><title>Page {i}</title>{script}</head><body><nav><ul>{menu}</ul></nav>"
            f"<article><h1>Talks resume {i}</h1>"
            + paragraph * (20 + i % 40)
            + "</article><footer>footer</footer></body></html>"
        ).encode()
        for i in range(count)
    ]


# --- the server (another process) -----------------------------------------------------------------


def _bomb(kind: str, size: int) -> bytes:
    chunk = b"\0" * (1024 * 1024)
    if kind == "gzip":
        encoder = zlib.compressobj(9, zlib.DEFLATED, 31)
        return b"".join(encoder.compress(chunk) for _ in range(size // len(chunk))) + encoder.flush()
    if kind == "br":
        import brotli

        encoder = brotli.Compressor(quality=5)
        return b"".join(encoder.process(chunk) for _ in range(size // len(chunk))) + encoder.finish()
    if kind == "zstd":
        import zstandard

        encoder = zstandard.ZstdCompressor(level=3).compressobj()
        return b"".join(encoder.compress(chunk) for _ in range(size // len(chunk))) + encoder.flush()
    raise ValueError(kind)


def serve(pages: list[bytes] | list[str], cap: int, ready, bomb_bytes: int = BOMB_BYTES) -> None:
    bodies = [Path(p).read_bytes() if isinstance(p, str) else p for p in pages]
    routes: dict[str, tuple[dict[str, str], bytes]] = {}
    for i, body in enumerate(bodies):
        routes[f"/page/{i}"] = ({"Content-Type": "text/html", "Content-Encoding": "gzip"}, gzip.compress(body, 6))
    for kind in ("gzip", "br", "zstd"):
        try:
            routes[f"/bomb/{kind}"] = ({"Content-Type": "text/html", "Content-Encoding": kind}, _bomb(kind, bomb_bytes))
        except ImportError:
            pass
    text = b"<p>" + b"The ministry said the talks would resume. " * (cap // 44) + b"</p>"
    routes["/near-cap"] = (
        {"Content-Type": "text/html", "Content-Encoding": "gzip"},
        gzip.compress(text[: int(cap * 0.95)], 6),
    )

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            headers, body = routes.get(self.path, ({"Content-Type": "text/plain"}, b"not found"))
            self.send_response(200 if self.path in routes else 404)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def log_message(self, *args) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address) -> None:
            pass  # the client hangs up on bombs, by design

    server = Server(("127.0.0.1", 0), Handler)
    ready.send((server.server_address[1], sorted(k for k in routes if k.startswith("/bomb/"))))
    server.serve_forever()


# --- the measurements -----------------------------------------------------------------------------


def measure_cpu(base: str, count: int, rounds: int, cap: int) -> dict:
    from tracker.fetch.charset import decode_html
    from tracker.fetch.client import Fetcher, FetchSettings
    from tracker.fetch.crawler import Crawler, CrawlRequest, CrawlSettings

    policy = FetchSettings(
        allow_private=("127.0.0.1",), allow_ports=(int(base.rsplit(":", 1)[1]),), max_body_bytes=cap, max_retries=0
    )
    urls = [f"{base}/page/{i}" for i in range(count)]
    with Fetcher(policy) as fetcher:
        fetcher.fetch(urls[0])  # connect and warm up imports outside the measurement
        bodies = []
        start = time.process_time()
        for _ in range(rounds):
            bodies = [fetcher.fetch(url).body for url in urls]
        fetch_cpu = time.process_time() - start

        start = time.process_time()
        for _ in range(rounds):
            crawler = Crawler(fetcher, CrawlSettings(host_delay=0.0, concurrency=4))
            fetched = sum(result.ok for _, result, _ in crawler.fetch_all(CrawlRequest(u) for u in urls))
        crawl_cpu = time.process_time() - start
    assert fetched == count and all(body is not None for body in bodies)

    import trafilatura

    texts = [decode_html(body, None).text for body in bodies]
    trafilatura.extract(texts[0])  # warm up
    start = time.process_time()
    for _ in range(rounds):
        for text in texts:
            trafilatura.extract(text)
    extract_cpu = time.process_time() - start
    pages = count * rounds
    return {
        "pages": count,
        "rounds": rounds,
        "bytes_per_page": sum(map(len, bodies)) // count,
        "fetch_cpu_ms_per_page": 1000 * fetch_cpu / pages,
        "crawl_cpu_ms_per_page": 1000 * crawl_cpu / pages,
        "extract_cpu_ms_per_page": 1000 * extract_cpu / pages,
        "fetch_over_extract": fetch_cpu / extract_cpu,
        "crawl_over_extract": crawl_cpu / extract_cpu,
    }


def measure_memory(base: str, paths: list[str], cap: int) -> list[dict]:
    from tracker.fetch.client import Fetcher, FetchSettings

    policy = FetchSettings(
        allow_private=("127.0.0.1",),
        allow_ports=(int(base.rsplit(":", 1)[1]),),
        max_body_bytes=cap,
        max_retries=0,
        deadline=120.0,
    )
    rows = []
    with Fetcher(policy) as fetcher:
        fetcher.fetch(f"{base}/page/0")
        for path in paths:
            tracemalloc.start()
            baseline = tracemalloc.get_traced_memory()[0]
            start = time.perf_counter()
            result = fetcher.fetch(base + path)
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] - baseline
            tracemalloc.stop()
            rows.append(
                {
                    "path": path,
                    "outcome": result.error_kind or f"ok, {len(result.body)} bytes",
                    "peak_bytes": peak,
                    "peak_over_cap": peak / cap,
                    "seconds": seconds,
                }
            )
            del result
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each page is fetched and extracted")
    parser.add_argument("--cap", type=int, default=10 * 1024 * 1024, help="[fetch] max_body_bytes")
    add_smoke_flag(parser)
    args = parser.parse_args()
    bomb_bytes = BOMB_BYTES
    if args.smoke:
        args.rounds, args.cap, bomb_bytes = 1, 1024 * 1024, 8 * 1024 * 1024

    paths = [] if args.smoke else corpus_pages()
    pages: list = [str(p) for p in paths] if paths else synthetic_pages(4 if args.smoke else 60)
    source = f"corpus ({len(paths)} pages from {CORPUS})" if paths else "synthetic pages"
    if not (paths or args.smoke):
        source += " (corpus not found)"

    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    server = context.Process(target=serve, args=(pages, args.cap, send, bomb_bytes), daemon=True)
    server.start()
    try:
        port, bombs = receive.recv()
        base = f"http://127.0.0.1:{port}"
        cpu = measure_cpu(base, len(pages), args.rounds, args.cap)
        memory = measure_memory(base, bombs + ["/near-cap"], args.cap)
    finally:
        server.terminate()
        server.join()

    print(f"pages: {source}; {cpu['bytes_per_page']} bytes each on average, {args.rounds} rounds")
    print(f"{'CPU per page':<34}{'ms':>10}{'vs extract':>12}")
    print(
        f"{'  Fetcher.fetch (gzip, keep-alive)':<34}{cpu['fetch_cpu_ms_per_page']:>10.3f}"
        f"{cpu['fetch_over_extract']:>11.1%}"
    )
    print(
        f"{'  Crawler.fetch_all (+robots, pool)':<34}{cpu['crawl_cpu_ms_per_page']:>10.3f}"
        f"{cpu['crawl_over_extract']:>11.1%}"
    )
    print(f"{'  trafilatura.extract':<34}{cpu['extract_cpu_ms_per_page']:>10.3f}{1:>11.0%}")
    if not args.smoke:
        goal = "met" if cpu["crawl_over_extract"] < 0.10 else "NOT met"
        print(f"goal: client < 10% of extraction: {goal}")
    print()
    print(f"memory while fetching, cap {args.cap} bytes ([fetch] max_body_bytes)")
    print(f"{'path':<16}{'outcome':<28}{'peak MiB':>10}{'x cap':>8}{'s':>8}")
    for row in memory:
        print(
            f"{row['path']:<16}{row['outcome']:<28}{row['peak_bytes'] / 2**20:>10.2f}"
            f"{row['peak_over_cap']:>8.3f}{row['seconds']:>8.2f}"
        )
    bombs_ok = all(row["peak_over_cap"] < 1.1 for row in memory if row["path"].startswith("/bomb/"))
    if not args.smoke:
        print(f"goal: bombs under 1.1 x cap: {'met' if bombs_ok else 'NOT met'}")

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = results_dir(args.smoke) / f"fetch_bench-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "when": stamp,
                "python": sys.version.split()[0],
                "machine": platform.machine(),
                "pages": source,
                "cap": args.cap,
                "bomb_decoded_bytes": bomb_bytes,
                "cpu": cpu,
                "memory": memory,
            },
            indent=2,
        )
    )
    print(f"\nwrote {shown(out)}")
    if args.smoke:
        print(NOTE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
