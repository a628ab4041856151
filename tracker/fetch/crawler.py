"""Fetch many URLs politely: robots.txt, one request at a time per host, delays, several hosts at once.

`Crawler.fetch_all` runs the network work in a small thread pool and yields each result in the
calling thread, so the caller can write to the database between results without sharing a
session with threads. All bookkeeping (host state, robots rules, the schedule) also happens in
the calling thread; the workers only call `Fetcher.fetch`, which is thread-safe.

Per host (an origin: scheme, host and port, which is what robots.txt applies to):
- robots.txt is fetched through the same guarded `Fetcher` and reused for a day (see robots.py);
- at most one request is in flight;
- consecutive requests start at least `host_delay` seconds apart, or the robots `Crawl-delay`
  if longer, counted from the end of the previous request;
- a 429 or 503 with Retry-After blocks the host until then; a host that would make us wait longer
  than `max_host_wait` has its remaining requests deferred (yielded unfetched, error_kind
  "deferred") for a later run.
Host state lives in `HostState` objects the caller loads from and saves to the database.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from tracker.errors import unexpected
from tracker.fetch import CrawlSettings
from tracker.fetch.client import Attempt, Fetcher, FetchResult, retry_after_seconds
from tracker.fetch.robots import RobotsRules, product_token

__all__ = ["CrawlRequest", "Crawler", "HostState", "origin_of"]

_BLOCKING_STATUSES = (429, 503)
_LONGEST_WAIT = 7 * 24 * 3600.0  # seconds; a hostile Crawl-delay or Retry-After gets no more
_GUARD_KINDS = frozenset({"blocked_scheme", "blocked_port", "blocked_address", "bad_url"})


@dataclass(frozen=True)
class CrawlRequest:
    """One URL to fetch, with the validators of the version we have and a key for the caller."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    key: Hashable = None
    headers: tuple[tuple[str, str], ...] = ()  # sent with the request (an archive's Accept-Datetime)
    follow_redirects: bool = True


@dataclass
class HostState:
    """What we know about one origin between requests and between runs."""

    origin: str
    robots_status: int | None = None
    robots_body: str | None = None
    robots_error: str | None = None
    robots_fetched_at: datetime | None = None
    crawl_delay: float | None = None
    last_request_at: datetime | None = None
    next_request_at: datetime | None = None
    blocked_until: datetime | None = None
    blocked_reason: str | None = None
    changed: bool = field(default=False, compare=False)

    def robots(self, now: datetime) -> RobotsRules | None:
        """The robots rules in force, or None when robots.txt must be fetched (again)."""
        if self.robots_fetched_at is None:
            return None
        rules = RobotsRules(self.origin, self.robots_status, self.robots_body, self.robots_error)
        age = now - self.robots_fetched_at
        if age < timedelta(0) or age >= rules.ttl:  # a date in the future: the clock went back
            return None
        return rules

    def forget_failed_robots(self) -> None:
        """Check a robots.txt that could not be fetched again now, rather than an hour later."""
        if self.robots_fetched_at is not None and RobotsRules(self.origin, self.robots_status).failed:
            self.robots_fetched_at = None

    def not_before(self, now: datetime, delay: float) -> datetime | None:
        """When the next request may start, given the delay between requests."""
        times = [self.blocked_until] if self.blocked_until is not None else []
        if self.next_request_at is not None:
            # Never more than one delay ahead, whatever was stored before a clock change.
            times.append(min(self.next_request_at, now + timedelta(seconds=delay)))
        return max(times) if times else None


def origin_of(url: str) -> str | None:
    """ "scheme://host[:port]" of an http(s) URL (the port only when not the default), else None."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return None
    # raw_host, not host: `host` decodes an "xn--" label and raises on one that is not Punycode.
    host = parsed.raw_host.decode("ascii", "replace").lower()
    if parsed.scheme not in ("http", "https") or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    return f"{parsed.scheme}://{host}" + (f":{parsed.port}" if parsed.port else "")


Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Crawler:
    """Fetch requests concurrently across hosts and politely within each.

    `hosts` maps origins to their `HostState` (missing ones are created); the crawler updates
    them in place and sets `changed`, so the caller can save what changed. `clock` and `sleep` are
    injectable so tests can check the schedule without waiting for it. `may_request(origin,
    delay)` is asked before each request to a host (a worker renews its host lease there, for
    `delay` seconds beyond the request); when it says no, that host's requests are yielded
    unfetched (error_kind "fenced") and nothing is sent.
    """

    def __init__(
        self,
        fetcher: Fetcher,
        policy: CrawlSettings,
        hosts: dict[str, HostState] | None = None,
        *,
        clock: Clock = _utcnow,
        sleep: Callable[[float], None] = time.sleep,
        may_request: Callable[[str, float], bool] | None = None,
    ) -> None:
        self.fetcher = fetcher
        self._may_request = may_request
        self.policy = policy
        self.hosts: dict[str, HostState] = dict(hosts or {})
        self.agent = product_token(fetcher.policy.user_agent)
        self._clock = clock
        self._sleep = sleep
        # Origins whose robots.txt the guard refused: their pages are fetched (and refused the
        # same way, each with its own result) without rules; not cached, the allowlist may change.
        self._guarded: set[str] = set()
        self._robots_attempts: dict[str, list[Attempt]] = {}  # robots.txt fetches of this run

    def host(self, origin: str) -> HostState:
        if origin not in self.hosts:
            self.hosts[origin] = HostState(origin)
        return self.hosts[origin]

    def changed_hosts(self) -> list[HostState]:
        """Host states changed since the last call (which clears their `changed` mark)."""
        changed = [state for state in self.hosts.values() if state.changed]
        for state in changed:
            state.changed = False
        return changed

    def fetch_all(self, requests: Iterable[CrawlRequest]) -> Iterator[tuple[CrawlRequest, FetchResult, datetime]]:
        """Fetch every request; yield (request, result, started_at) in the calling thread, in the
        order they finish. Nothing is raised for network, HTTP or robots problems."""
        queues: dict[str, deque[CrawlRequest]] = {}
        ready: deque[tuple[CrawlRequest, FetchResult, datetime]] = deque()
        for request in requests:
            origin = origin_of(request.url)
            if origin is None:
                # Not an http(s) URL: the fetcher refuses it without touching the network.
                started = self._clock()
                ready.append((request, self._fetch(request.url), started))
                continue
            queues.setdefault(origin, deque()).append(request)

        running: dict[Future, tuple[str, CrawlRequest | None, datetime]] = {}
        pool = ThreadPoolExecutor(max_workers=max(1, self.policy.concurrency), thread_name_prefix="tracker-fetch")
        stopping = False
        try:
            while True:
                wake = self._launch(queues, running, ready, pool)
                while ready:
                    yield ready.popleft()
                if not queues and not running:
                    return
                if running:
                    timeout = None if wake is None else max(0.0, (wake - self._clock()).total_seconds())
                    finished, _ = wait(list(running), timeout=timeout, return_when=FIRST_COMPLETED)
                    for future in finished:
                        origin, request, started = running.pop(future)
                        self._finished(origin, request, started, future.result(), ready)
                elif wake is not None:
                    self._sleep(max(0.0, (wake - self._clock()).total_seconds()))
        except BaseException as error:
            # A signal (SIGTERM, Ctrl-C): say so now rather than after the fetches in flight.
            stopping = not isinstance(error, (Exception, GeneratorExit))
            raise
        finally:
            pool.shutdown(wait=not stopping, cancel_futures=True)

    def _launch(self, queues, running, ready, pool) -> datetime | None:
        """Start what may start now; return when the next waiting host may go (None: no waiting)."""
        busy = {origin for origin, _, _ in running.values()}
        wake: datetime | None = None
        for origin in list(queues):
            if len(running) >= max(1, self.policy.concurrency):
                break
            if origin in busy:
                continue
            state = self.host(origin)
            queue = queues[origin]
            now = self._clock()
            not_before = state.not_before(now, self._delay(state))
            if not_before is not None and not_before > now:
                if (not_before - now).total_seconds() > self.policy.max_host_wait:
                    for request in queue:
                        ready.append((request, self._deferred(request, state, not_before), now))
                    del queues[origin]
                else:
                    wake = not_before if wake is None else min(wake, not_before)
                continue
            if self._may_request is not None and not self._may_request(origin, self._delay(state)):
                for request in queue:
                    ready.append((request, _unfetched(request, "fenced", "not sent: the host lease was lost"), now))
                del queues[origin]
                continue
            rules = RobotsRules(origin, 404) if origin in self._guarded else state.robots(now)
            if rules is None:
                future = pool.submit(self._fetch, f"{origin}/robots.txt")
                running[future] = (origin, None, now)
                continue
            while queue and not rules.allows(queue[0].url, self.agent):
                request = queue.popleft()
                ready.append((request, self._refused(request, rules), now))
            if not queue:
                del queues[origin]
                continue
            request = queue.popleft()
            del queues[origin]
            if queue:
                queues[origin] = queue  # to the back of the line: hosts take turns at free slots
            future = pool.submit(
                self._fetch,
                request.url,
                etag=request.etag,
                last_modified=request.last_modified,
                headers=dict(request.headers),
                follow_redirects=request.follow_redirects,
            )
            running[future] = (origin, request, now)
        return wake

    def _fetch(self, url: str, **validators) -> FetchResult:
        """`Fetcher.fetch`, with a bug or an unforeseen URL turned into this URL's failure: one
        source must never stop the fetches of all the others."""
        try:
            return self.fetcher.fetch(url, **validators)
        except Exception as error:  # noqa: BLE001  recorded against the source, with its reason
            request = CrawlRequest(url, etag=validators.get("etag"), last_modified=validators.get("last_modified"))
            return _unfetched(request, "error", unexpected(error))

    def _finished(
        self, origin: str, request: CrawlRequest | None, started: datetime, result: FetchResult, ready: deque
    ) -> None:
        state = self.host(origin)
        now = self._clock()
        if request is None and result.error_kind in _GUARD_KINDS:
            self._guarded.add(origin)
        elif request is None:
            self._robots_fetched(state, result, now)
        else:
            ready.append((request, result, started))
        if any(attempt.error_kind not in _GUARD_KINDS for attempt in result.attempts):
            # A request went out (the guard refuses before sending anything).
            state.last_request_at = now
            state.next_request_at = now + timedelta(seconds=self._delay(state))
        last = result.attempts[-1] if result.attempts else None
        if last is not None and last.status in _BLOCKING_STATUSES:
            seconds = retry_after_seconds(last.headers.get("retry-after"))
            if seconds is not None:
                state.blocked_until = now + timedelta(seconds=min(seconds, _LONGEST_WAIT))
                state.blocked_reason = f"HTTP {last.status} with Retry-After: {last.headers['retry-after']}"
        state.changed = True

    def _delay(self, state: HostState) -> float:
        return min(max(self.policy.host_delay, state.crawl_delay or 0.0), _LONGEST_WAIT)

    def _robots_fetched(self, state: HostState, result: FetchResult, now: datetime) -> None:
        self._robots_attempts[state.origin] = result.attempts
        state.robots_fetched_at = now
        state.robots_error = None
        state.robots_body = None
        if result.status is not None and result.error_kind in (None, "http_status"):
            state.robots_status = result.status
            if result.ok:
                state.robots_body = result.body.decode("utf-8", "replace")
        else:
            state.robots_status = None  # unreachable, or a broken or oversized response
            state.robots_error = result.error or f"HTTP {result.status}"
        rules = RobotsRules(state.origin, state.robots_status, state.robots_body, state.robots_error)
        state.crawl_delay = rules.crawl_delay(self.agent)

    def _refused(self, request: CrawlRequest, rules: RobotsRules) -> FetchResult:
        # An explicit Disallow is final (the schedule retires the source); a robots.txt that could
        # not be read is passing trouble, retried with backoff.
        kind = "robots_unavailable" if rules.failed else "robots"
        result = _unfetched(request, kind, rules.refusal(request.url, self.agent))
        if rules.failed:
            # The robots.txt requests are what decided this page's fate: keep them on its record.
            result.attempts = list(self._robots_attempts.get(rules.origin, []))
        return result

    def _deferred(self, request: CrawlRequest, state: HostState, until: datetime) -> FetchResult:
        why = (
            state.blocked_reason
            if state.blocked_until == until and state.blocked_reason
            else f"a delay of {self._delay(state):g} s between requests"
        )
        message = (
            f"not fetched yet: {state.origin} asks us to wait until {until:%Y-%m-%d %H:%M:%S} UTC "
            f"({why}); a later run fetches it ([fetch] max_host_wait)"
        )
        return _unfetched(request, "deferred", message)


def _unfetched(request: CrawlRequest, kind: str, message: str) -> FetchResult:
    return FetchResult(
        requested_url=request.url,
        final_url=None,
        attempts=[],
        status=None,
        body=None,
        content_type=None,
        declared_charset=None,
        etag=request.etag,
        last_modified=request.last_modified,
        error=message,
        error_kind=kind,
    )
