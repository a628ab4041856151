"""Seeds given by URL: fetch the page politely, keep the raw page, ingest it as an HTML seed.

URLs come from `tracker seeds add URL…` or from `*.urls` files in the seeds folder (one URL a
line; blank lines and `#` comments ignored). A seed page goes through the same guarded, polite
fetcher as sources (robots.txt, per-host delays, the address guard), its raw bytes are stored in
`bodies`, and it is read as an HTML seed (article text, citations, publication date) keyed by its
URL. `tracker run` fetches new URLs at once and current seed pages again once `[paths]
seed_page_recheck` has passed; a page whose article text changed becomes a new revision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from tracker.fetch import CrawlSettings
from tracker.fetch.charset import decode_html, looks_binary
from tracker.fetch.client import Fetcher
from tracker.fetch.crawler import Crawler, CrawlRequest, origin_of
from tracker.seeds.files import SeedError, read_seed_html
from tracker.seeds.ingest import record_seed
from tracker.store.bodies import store_body
from tracker.store.hosts import load_hosts, save_hosts
from tracker.store.tables import Seed, utcnow
from tracker.urls import normalize_url

__all__ = ["PageReport", "check_seed_url", "fetch_seed_pages", "read_url_lists", "seed_pages_due"]

URL_LIST_SUFFIX = ".urls"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class PageReport:
    new: list[str] = field(default_factory=list)  # URLs
    revised: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (URL, one-line reason)
    deferred: list[tuple[str, str]] = field(default_factory=list)  # host busy: tried again next run
    new_sources: int = 0
    notices: list[str] = field(default_factory=list)  # e.g. a cited URL that can never be fetched


def check_seed_url(url: str) -> str:
    """The URL stripped, or SeedError when it is not an http(s) URL that can be fetched."""
    url = url.strip()
    try:
        normalize_url(url)
    except ValueError as error:
        raise SeedError(f"not a seed URL: {error}") from None
    return url


def read_url_lists(seeds_dir: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """URLs listed in the `*.urls` files of the seeds folder; (URLs, (file:line, reason) failures)."""
    urls: list[str] = []
    failed: list[tuple[str, str]] = []
    if not seeds_dir.is_dir():
        return urls, failed
    for path in sorted(p for p in seeds_dir.rglob(f"*{URL_LIST_SUFFIX}") if p.is_file()):
        relative = path.relative_to(seeds_dir).as_posix()
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            failed.append((relative, f"cannot read URL list ({error})"))
            continue
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                urls.append(check_seed_url(line))
            except SeedError as error:
                failed.append((f"{relative}:{number}", str(error)))
    return list(dict.fromkeys(urls)), failed


def seed_pages_due(session: Session, listed: Iterable[str], now: datetime, recheck_seconds: float) -> list[str]:
    """Listed URLs never ingested, then current seed pages not checked for `recheck_seconds`."""
    known = {
        seed.path: seed
        for seed in session.exec(select(Seed).where(Seed.url.is_not(None), Seed.superseded_at.is_(None))).all()
    }
    due = [url for url in dict.fromkeys(listed) if url not in known]
    cutoff = now - timedelta(seconds=recheck_seconds)
    due += [path for path, seed in known.items() if seed.checked_at is None or seed.checked_at <= cutoff]
    return list(dict.fromkeys(due))


def fetch_seed_pages(
    session: Session,
    urls: Iterable[str],
    fetcher: Fetcher,
    policy: CrawlSettings,
    *,
    now: datetime | None = None,
) -> PageReport:
    """Fetch each URL politely and record it as a seed page (committing one page at a time)."""
    report = PageReport()
    requests = [CrawlRequest(url, key=url) for url in dict.fromkeys(urls)]
    hosts = load_hosts(session, filter(None, (origin_of(r.url) for r in requests)))
    crawler = Crawler(fetcher, policy, hosts)
    for request, result, _started in crawler.fetch_all(requests):
        save_hosts(session, crawler.changed_hosts())
        url = request.url
        if result.error_kind == "deferred":
            report.deferred.append((url, result.error or "host busy"))
        elif not result.ok:
            reason = result.error or f"HTTP {result.status}"
            report.failed.append((url, f"cannot fetch seed page: {reason}"))
        elif (result.content_type or "text/html").lower() not in _HTML_TYPES:
            report.failed.append((url, f"not an HTML page ({result.content_type})"))
        elif looks_binary(result.body):  # served as text/html, yet an image or an archive
            report.failed.append((url, f"not an HTML page (binary content served as {result.content_type})"))
        else:
            _record_page(session, url, result, report, now or utcnow())
        session.commit()
    save_hosts(session, crawler.changed_hosts())
    session.commit()
    return report


def _record_page(session: Session, url: str, result, report: PageReport, now: datetime) -> None:
    html = decode_html(result.body, result.declared_charset).text
    document = read_seed_html(html, result.final_url or url)
    if not document.text.strip():
        report.failed.append((url, "seed page has no text"))
        return
    # The article's text decides whether the seed changed: a page's furniture (ads, clocks,
    # "most read" boxes) changes on every fetch, its article rarely.
    digest = hashlib.sha256(document.text.encode("utf-8")).hexdigest()
    current = session.exec(select(Seed).where(Seed.path == url, Seed.superseded_at.is_(None))).first()
    if current is not None and current.sha256 == digest:
        current.checked_at = now
        session.add(current)
        report.unchanged.append(url)
        return
    body_sha256 = store_body(session, result.body)
    session.flush()
    _seed, created = record_seed(
        session, url, digest, document, current, url=url, body_sha256=body_sha256, notices=report.notices
    )
    report.new_sources += created
    (report.new if current is None else report.revised).append(url)
