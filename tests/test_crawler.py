"""Politeness against real loopback servers: robots.txt, one request per host, delays, Retry-After,
and host state that outlives a run. The schedule is checked with an injected clock and sleep, never
with wall-clock timings."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from tests.http_server import serve
from tracker.fetch.client import Fetcher, FetchSettings
from tracker.fetch.crawler import Crawler, CrawlRequest, CrawlSettings, HostState, origin_of
from tracker.fetch.robots import product_token
from tracker.store.db import open_database
from tracker.store.hosts import load_hosts, save_hosts

HTML = (200, {"Content-Type": "text/html; charset=utf-8"}, b"<p>hello</p>")
AGENT = "tracker/0.1 (multilingual source tracker; +https://example.invalid/tracker)"


def robots(text: str, status: int = 200):
    return (status, {"Content-Type": "text/plain"}, text.encode())


def fetcher(*bases, **overrides) -> Fetcher:
    settings = dict(
        allow_private=("127.0.0.1", "127.0.0.2"),
        allow_ports=tuple(b.port for b in bases),
        connect_timeout=1.0,
        read_timeout=2.0,
        deadline=5.0,
        max_retries=0,
        backoff=0.01,
        user_agent=AGENT,
    )
    settings.update(overrides)
    return Fetcher(FetchSettings(**settings))


class FakeTime:
    """A clock that moves only when the crawler sleeps."""

    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC)
        self.sleeps: list[float] = []

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)


def crawl(fetch: Fetcher, urls, *, hosts=None, time: FakeTime | None = None, **policy):
    time = time or FakeTime()
    crawler = Crawler(fetch, CrawlSettings(**{"host_delay": 0.0, **policy}), hosts, clock=time.clock, sleep=time.sleep)
    results = {
        request.url: (result, started) for request, result, started in crawler.fetch_all(CrawlRequest(u) for u in urls)
    }
    return crawler, results


def paths(base) -> list[str]:
    return [path for _, path, _ in base.requests]


def test_product_token_is_what_robots_groups_match():
    assert product_token(AGENT) == "tracker"
    assert product_token("Mozilla/5.0 (compatible)") == "mozilla"


def test_origin_includes_a_non_default_port_only():
    assert origin_of("https://News.Example/a?b") == "https://news.example"
    assert origin_of("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080"
    assert origin_of("ftp://example.com/x") is None


def test_disallowed_page_is_never_requested():
    rules = "User-agent: *\nAllow: /\n\nUser-agent: tracker\nDisallow: /private\n"
    with serve({"/robots.txt": robots(rules), "/private/a": HTML, "/public": HTML}) as base:
        with fetcher(base) as fetch:
            _, results = crawl(fetch, [f"{base}/private/a", f"{base}/public"])
    refused, _ = results[f"{base}/private/a"]
    assert refused.error_kind == "robots" and refused.attempts == [] and refused.body is None
    assert "robots.txt disallows" in refused.error and "'tracker'" in refused.error
    assert results[f"{base}/public"][0].ok
    assert paths(base) == ["/robots.txt", "/public"]  # the private page saw no request
    assert all(headers["user-agent"] == AGENT for _, _, headers in base.requests)


@pytest.mark.parametrize("status", [500, 503, 429])
def test_robots_server_error_disallows_the_whole_site(status):
    with serve({"/robots.txt": robots("oops", status), "/a": HTML, "/b": HTML}) as base:
        with fetcher(base) as fetch:
            crawler, results = crawl(fetch, [f"{base}/a", f"{base}/b"])
    assert paths(base) == ["/robots.txt"]
    for result, _ in results.values():
        assert result.error_kind == "robots_unavailable" and f"HTTP {status}" in result.error
    state = crawler.hosts[origin_of(base)]
    assert state.robots_status == status


def test_robots_not_found_allows_everything():
    with serve({"/a": HTML, "/b": HTML}) as base:
        with fetcher(base) as fetch:
            _, results = crawl(fetch, [f"{base}/a", f"{base}/b"])
    assert all(result.ok for result, _ in results.values())
    assert sorted(paths(base)) == ["/a", "/b", "/robots.txt"]


def test_unreachable_robots_disallows_and_keeps_the_attempt_on_the_record():
    with serve({}) as dead:
        pass  # closed from here on
    with fetcher(dead) as fetch:
        _, results = crawl(fetch, [f"{dead}/a"])
    result, _ = results[f"{dead}/a"]
    assert result.error_kind == "robots_unavailable" and "could not be fetched" in result.error
    assert [(a.url, a.error_kind) for a in result.attempts] == [(f"{dead}/robots.txt", "connect")]


def test_crawl_delay_spaces_the_requests_to_one_host():
    routes = {"/robots.txt": robots("User-agent: *\nCrawl-delay: 5\n"), "/1": HTML, "/2": HTML, "/3": HTML}
    time = FakeTime()
    start = time.now
    with serve(routes) as base:
        with fetcher(base) as fetch:
            crawler, results = crawl(fetch, [f"{base}/1", f"{base}/2", f"{base}/3"], time=time, host_delay=1.0)
    assert paths(base) == ["/robots.txt", "/1", "/2", "/3"]
    starts = sorted(started for _, started in results.values())
    assert starts[0] >= start + timedelta(seconds=5)  # after robots.txt, too
    assert all(later - earlier >= timedelta(seconds=5) for earlier, later in zip(starts, starts[1:]))
    assert crawler.hosts[origin_of(base)].crawl_delay == 5.0


def test_host_delay_applies_without_crawl_delay():
    time = FakeTime()
    with serve({"/1": HTML, "/2": HTML}) as base:
        with fetcher(base) as fetch:
            _, results = crawl(fetch, [f"{base}/1", f"{base}/2"], time=time, host_delay=2.0)
    first, second = sorted(started for _, started in results.values())
    assert second - first >= timedelta(seconds=2)
    assert time.sleeps and all(s <= 2.0 for s in time.sleeps)


class InFlight:
    """Counts requests in flight per server and in all. Each request is held until another one is
    in flight too (or half a second has passed), so any overlap the client allows is seen."""

    def __init__(self) -> None:
        self.change = threading.Condition()
        self.now: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.total = self.most_total = 0

    def route(self, name: str):
        def handle(handler):
            with self.change:
                self.now[name] = self.now.get(name, 0) + 1
                self.most[name] = max(self.most.get(name, 0), self.now[name])
                self.total += 1
                self.most_total = max(self.most_total, self.total)
                self.change.notify_all()
                self.change.wait_for(lambda: self.total > 1, timeout=0.5)
                self.change.wait(timeout=0.05)  # company stays a moment, as real requests do
                self.now[name] -= 1
                self.total -= 1
            return HTML

        return handle


def test_one_request_in_flight_per_host_but_hosts_in_parallel():
    counter = InFlight()
    routes_a = {f"/{i}": counter.route("a") for i in range(4)} | {"/robots.txt": counter.route("a")}
    routes_b = {f"/{i}": counter.route("b") for i in range(4)} | {"/robots.txt": counter.route("b")}
    with serve(routes_a, host="127.0.0.1") as a, serve(routes_b, host="127.0.0.2") as b:
        with fetcher(a, b) as fetch:
            _, results = crawl(fetch, [f"{base}/{i}" for i in range(4) for base in (a, b)], concurrency=4)
    assert len(results) == 8 and all(result.ok for result, _ in results.values())
    assert counter.most == {"a": 1, "b": 1}
    assert counter.most_total == 2


def test_retry_after_blocks_the_host_for_the_rest_of_the_run():
    routes = {"/a": (429, {"Retry-After": "3600"}, b"slow down"), "/b": HTML, "/c": HTML}
    time = FakeTime()
    with serve(routes) as base:
        with fetcher(base) as fetch:
            crawler, results = crawl(fetch, [f"{base}/a", f"{base}/b", f"{base}/c"], time=time)
    assert paths(base) == ["/robots.txt", "/a"]
    assert results[f"{base}/a"][0].status == 429
    for url in (f"{base}/b", f"{base}/c"):
        result, _ = results[url]
        assert result.error_kind == "deferred" and result.attempts == []
        assert "Retry-After: 3600" in result.error
    state = crawler.hosts[origin_of(base)]
    assert state.blocked_until >= time.now + timedelta(seconds=3599)


def test_short_retry_after_is_waited_for_in_the_same_run():
    served = iter([(503, {"Retry-After": "7"}, b"busy"), HTML])
    time = FakeTime()
    with serve({"/a": lambda handler: next(served), "/b": HTML}) as base:
        with fetcher(base) as fetch:
            _, results = crawl(fetch, [f"{base}/a", f"{base}/b"], time=time, max_host_wait=60)
    assert results[f"{base}/a"][0].status == 503 and results[f"{base}/b"][0].ok
    assert results[f"{base}/b"][1] - results[f"{base}/a"][1] >= timedelta(seconds=7)


def test_host_state_round_trips_through_the_database_and_keeps_the_next_crawler_polite(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'hosts.db'}")
    time = FakeTime()
    routes = {"/robots.txt": robots("User-agent: *\nCrawl-delay: 30\n"), "/1": HTML, "/2": HTML}
    with serve(routes) as base:
        with fetcher(base) as fetch:
            first, _ = crawl(fetch, [f"{base}/1"], time=time)
            with Session(engine) as session:
                save_hosts(session, first.changed_hosts())
                session.commit()
            with Session(engine) as session:
                hosts = load_hosts(session, [origin_of(base), "https://never.example"])
            assert list(hosts) == [origin_of(base)]
            stored = hosts[origin_of(base)]
            assert stored.robots_status == 200 and stored.crawl_delay == 30.0
            due = stored.next_request_at
            assert due == first.hosts[origin_of(base)].next_request_at == time.now + timedelta(seconds=30)
            _, second = crawl(fetch, [f"{base}/2"], hosts=hosts, time=time)
    assert paths(base) == ["/robots.txt", "/1", "/2"]  # robots.txt came from the database
    assert second[f"{base}/2"][1] >= due
    engine.dispose()


def test_absurd_crawl_delay_and_retry_after_defer_without_breaking():
    rules = "User-agent: *\nCrawl-delay: 99999999999999999999\n"
    routes = {"/robots.txt": robots(rules), "/a": (429, {"Retry-After": "9" * 30}, b""), "/b": HTML}
    with serve(routes) as base:
        with fetcher(base) as fetch:
            _, results = crawl(fetch, [f"{base}/a", f"{base}/b"])
    assert paths(base) == ["/robots.txt"]  # a week's wait is past max_host_wait
    assert {result.error_kind for result, _ in results.values()} == {"deferred"}

    routes = {"/a": (429, {"Retry-After": "9" * 30}, b""), "/b": HTML}
    with serve(routes) as base:
        with fetcher(base) as fetch:
            crawler, results = crawl(fetch, [f"{base}/a", f"{base}/b"])
    assert paths(base) == ["/robots.txt", "/a"]
    assert results[f"{base}/b"][0].error_kind == "deferred"
    state = crawler.hosts[origin_of(base)]
    assert state.blocked_until - state.last_request_at == timedelta(days=7)


def test_stored_delay_from_a_clock_that_went_back_is_bounded():
    state = HostState("http://x", next_request_at=datetime(2100, 1, 1, tzinfo=UTC))
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert state.not_before(now, 5.0) == now + timedelta(seconds=5)


def cite(project, *urls: str) -> None:
    lines = "".join(f"The report said so, officials added.\nSource: {url}\n" for url in urls)
    (project / "seeds" / "cites.txt").write_text(lines, encoding="utf-8")


def hosts_table(project) -> dict[str, dict]:
    import sqlite3

    with sqlite3.connect(project / "data" / "tracker.db") as connection:
        connection.row_factory = sqlite3.Row
        return {row["origin"]: dict(row) for row in connection.execute("SELECT * FROM hosts")}


def test_run_honours_robots_and_lookup_says_why(tracker, project, monkeypatch):
    import json

    rules = "User-agent: tracker\nDisallow: /private\n"
    with serve({"/robots.txt": robots(rules), "/private/a": HTML, "/open": HTML}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        cite(project, f"{base}/private/a", f"{base}/open")
        result = tracker("run")
    assert result.exit_code == 0, result.output
    assert "failed 1 (1 retired)" in result.output
    assert "/private" not in " ".join(paths(base))
    found = json.loads(tracker("lookup", f"{base}/private/a", "--json").output)
    assert found["source"]["state"] == "retired"  # an explicit Disallow is final
    assert found["source"]["retired_reason"].startswith("disallowed by robots.txt")
    assert "robots.txt disallows" in found["source"]["last_error"]
    assert hosts_table(project)[origin_of(base)]["robots_status"] == 200


def test_retry_after_blocks_the_host_in_this_run_and_the_next(tracker, project, monkeypatch):
    routes = {"/a": (429, {"Retry-After": "3600"}, b"slow down"), "/b": HTML}
    with serve(routes) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        cite(project, f"{base}/a", f"{base}/b")
        first = tracker("run")
        assert paths(base) == ["/robots.txt", "/a"]
        assert "failed 1, deferred 1" in first.output
        assert "Retry-After: 3600" in first.output
        second = tracker("run", "--all")
        assert paths(base) == ["/robots.txt", "/a"]  # nothing more reached the server
        assert "deferred 2" in second.output
    state = hosts_table(project)[origin_of(base)]
    assert state["blocked_until"] is not None and "429" in state["blocked_reason"]


def test_host_state_carries_over_between_runs(tracker, project, monkeypatch):
    page = (200, {"Content-Type": "text/plain; charset=utf-8"}, b"The ministry confirmed the talks.")
    with serve({"/robots.txt": robots("User-agent: *\nAllow: /\n"), "/a": page}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        cite(project, f"{base}/a")
        assert "fetched 1" in tracker("run").output
        assert "unchanged 1" in tracker("run", "--all").output
    assert paths(base) == ["/robots.txt", "/a", "/a"]  # robots.txt was read once, from the database
    state = hosts_table(project)[origin_of(base)]
    assert state["robots_fetched_at"] is not None and state["last_request_at"] is not None
