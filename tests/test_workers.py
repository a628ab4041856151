"""Workers on a real PostgreSQL server (tests/postgres.py), as real `tracker worker` processes,
against a loopback web of 200 pages on 8 hosts (127.0.0.2 … 127.0.0.9), each server timing the
requests it receives: several workers at once fetch every due source once and translate and align
each version once; politeness holds across workers; a killed worker's job is taken over after
its lease; a stopped worker that wakes after its lease was taken over is refused by the fence;
Crawl-delay and Retry-After learnt by one worker hold for the worker that takes the host over;
killed database connections are survived; `tracker run` and `tracker worker` share a database.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.http_server import serve
from tests.tiny_argos import cached_package
from tests.vi_article import GLOSSARY

pytestmark = pytest.mark.postgres

HOSTS = [f"127.0.0.{i}" for i in range(2, 10)]
PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Bài {n}</title></head>
<body><article>
<p>Điện Kremlin nói Nga ủng hộ thống nhất Syria {n}.</p>
<p>Hai bên thảo luận thương mại và giáo dục {n}.</p>
<p>Thời tiết hôm nay đẹp {n}.</p>
<p>Theo các quan chức, cuộc gặp diễn ra tốt đẹp và hai bên đồng ý tiếp tục hợp tác trong nhiều lĩnh vực.</p>
</article></body></html>"""
SEED = "Russia supports the unity of Syria, the Kremlin said.\nBoth sides discussed trade and education.\n"


@dataclass
class Web:
    """The loopback web: page URLs, and (monotonic time, path) of every request per host."""

    urls: list[str] = field(default_factory=list)
    hits: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    ports: list[int] = field(default_factory=list)
    slow: float = 0.0  # seconds each page takes to answer

    def page_hits(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for origin, hits in self.hits.items():
            for _, path in hits:
                if path != "/robots.txt":
                    counts[origin + path] = counts.get(origin + path, 0) + 1
        return counts

    def smallest_gap(self) -> float:
        gaps = []
        for hits in self.hits.values():
            times = sorted(t for t, _ in hits)
            gaps += [b - a for a, b in zip(times, times[1:])]
        return min(gaps)


def _route(web: Web, origin_list: list, n: int):
    body = PAGE.format(n=n).encode()

    def answer(handler):
        origin_list.append((time.monotonic(), handler.path))
        if web.slow:
            time.sleep(web.slow)
        return 200, {"Content-Type": "text/html; charset=utf-8"}, body

    return answer


def _robots(origin_list: list):
    def answer(handler):
        origin_list.append((time.monotonic(), "/robots.txt"))
        return 404, {"Content-Type": "text/plain"}, b""

    return answer


@pytest.fixture
def web() -> Iterator[Web]:
    found = Web()
    with ExitStack() as stack:
        n = 0
        for host in HOSTS:
            hits: list = []
            routes = {"/robots.txt": _robots(hits)}
            paths = []
            for _ in range(25):
                routes[f"/p{n}.htm"] = _route(found, hits, n)
                paths.append(f"/p{n}.htm")
                n += 1
            base = stack.enter_context(serve(routes, host))
            found.hits[str(base)] = hits
            found.ports.append(base.port)
            found.urls += [f"{base}{path}" for path in paths]
        yield found


@pytest.fixture
def cited() -> int:
    """How many of the web's pages the seeds cite (5 per host unless a test asks for more)."""
    return 40


@pytest.fixture
def site(tmp_path: Path, postgres_url: str, web: Web, cited: int, monkeypatch) -> Path:
    """A project whose seeds cite `cited` pages of the web, spread over its hosts, with the tiny
    vi→en model installed."""
    project = tmp_path
    (project / "seeds").mkdir()
    (project / "config.toml").write_text(
        '[fetch]\nallow_private = ["127.0.0.0/8"]\n'
        f"allow_ports = {web.ports}\n"
        "deadline = 10.0\nmax_retries = 0\nbackoff = 0.01\nhost_delay = 0.1\n"
        '[translation]\nauto_install = false\ndevice = "cpu"\n',
        encoding="utf-8",
    )
    per_host = cited // len(HOSTS)
    for i in range(0, len(web.urls), 25):
        lines = "\n".join(f"Source: {url}" for url in web.urls[i : i + per_host])
        (project / "seeds" / f"seed_{i // 25}.txt").write_text(SEED + lines + "\n", encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setenv("TRACKER_CONFIG", str(project / "config.toml"))
    monkeypatch.setenv("TRACKER_DATABASE_URL", postgres_url)
    from click.testing import CliRunner

    from tracker.cli import cli

    installed = CliRunner().invoke(cli, ["models", "install", str(cached_package("vi", "en", GLOSSARY))])
    assert installed.exit_code == 0, installed.output
    return project


_started: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def no_stray_processes() -> Iterator[None]:
    """A test that fails midway leaves no worker running (or stopped) behind."""
    yield
    while _started:
        proc = _started.pop()
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)
            proc.kill()
            proc.wait()


class Process:
    """A `tracker` subprocess whose stderr is collected."""

    def __init__(self, project: Path, *args: str, env: dict | None = None) -> None:
        self.log = project / f"log-{time.monotonic_ns()}.txt"
        self._file = open(self.log, "w")  # noqa: SIM115  closed in wait()
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "tracker", *args],
            cwd=project,
            # faulthandler: a worker that hangs past wait()'s timeout writes where each thread was
            env={**os.environ, "PYTHONFAULTHANDLER": "1", **(env or {})},
            stdout=self._file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        _started.append(self.popen)

    def wait(self, timeout: float = 120) -> int:
        """The exit status; negative after stopping a process that outlived `timeout`, its
        threads' tracebacks then at the end of its output (SIGABRT, then SIGKILL)."""
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.send_signal(signal.SIGABRT)
            try:
                return self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                return self.popen.wait()
        finally:
            self._file.close()

    def output(self) -> str:
        return self.log.read_text()

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.wait()


def worker(project: Path, *args: str, lease: float | None = None) -> Process:
    env = {"TRACKER_WORKER_LEASE": str(lease)} if lease is not None else None
    return Process(project, "worker", *args, env=env)


def rows(url: str, sql: str, **params) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).all()
    finally:
        engine.dispose()


def scalar(url: str, sql: str, **params):
    return rows(url, sql, **params)[0][0]


def backends(url: str) -> list:
    """What each other connection to the test database is doing, and the locks it waits for."""
    return rows(
        url,
        "SELECT a.pid, a.state, a.wait_event_type, a.wait_event, now() - a.xact_start AS in_transaction,"
        " left(a.query, 120) AS query, array(SELECT l.locktype || ':' || l.mode FROM pg_locks l"
        " WHERE l.pid = a.pid AND NOT l.granted) AS waiting_for"
        " FROM pg_stat_activity a WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()",
    )


def status() -> str:
    """`tracker status`, in-process."""
    from click.testing import CliRunner

    from tracker.cli import cli

    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 0, result.output
    return result.output


def wait_for(condition, timeout: float = 60.0, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(every)


def assert_everything_once(url: str, web: Web, pages: int) -> None:
    """Every page stored as one original, translated once, each (seed, version) aligned once."""
    assert scalar(url, "SELECT count(*) FROM sources") == pages
    per_source = rows(url, "SELECT source_id, count(*) FROM versions WHERE kind = 'original' GROUP BY source_id")
    assert len(per_source) == pages and {n for _, n in per_source} == {1}
    translated = rows(
        url,
        "SELECT parent_id, count(*) FROM versions WHERE kind = 'translated' AND status = 'ready' GROUP BY parent_id",
    )
    assert len(translated) == pages and {n for _, n in translated} == {1}, (
        rows(
            url,
            "SELECT id, language, status FROM versions WHERE kind = 'original' AND id NOT IN "
            "(SELECT parent_id FROM versions WHERE kind = 'translated' AND status = 'ready')",
        ),
        rows(
            url,
            "SELECT id, queue, key, status, attempts, error FROM jobs WHERE queue = 'translate' AND "
            "status <> 'done' OR error IS NOT NULL",
        ),
        rows(url, "SELECT parent_id, status, language FROM versions WHERE kind = 'translated' AND status <> 'ready'"),
    )
    aligned = rows(url, "SELECT seed_id, used_version_id, count(*) FROM activities WHERE kind = 'align' GROUP BY 1, 2")
    assert len(aligned) == pages and {n for *_, n in aligned} == {1}
    assert scalar(url, "SELECT count(*) FROM jobs WHERE status IN ('waiting', 'running', 'failed')") == 0


@pytest.mark.parametrize("cited", [200])
def test_three_workers_fetch_translate_and_align_everything_once_and_politely(site, web, cited, postgres_url):
    workers = [worker(site, "--until-idle", "--concurrency", "3") for _ in range(3)]
    assert [w.wait() for w in workers] == [0, 0, 0], [w.output() for w in workers]
    assert_everything_once(postgres_url, web, cited)
    assert set(web.page_hits().values()) == {1} and len(web.page_hits()) == cited  # each fetched once
    assert web.smallest_gap() >= 0.1  # [fetch] host_delay, across all workers, timed by the servers
    status = Process(site, "status")
    assert status.wait() == 0
    assert "fetch: 0 waiting, 0 running, 0 failed, 0 stalled" in status.output()


def test_a_killed_worker_s_job_is_taken_over_after_its_lease_and_finished_once(site, web, cited, postgres_url):
    web.slow = 0.3
    first = worker(site, "--queues", "fetch", lease=2)
    wait_for(lambda: sum(web.page_hits().values()) >= 3)
    first.popen.send_signal(signal.SIGKILL)
    first.wait()
    taken = rows(postgres_url, "SELECT count(*) FROM jobs WHERE status = 'running'")[0][0]
    assert taken >= 1  # it died holding jobs
    second = worker(site, "--until-idle", "--concurrency", "8", lease=2)
    assert second.wait() == 0, second.output()
    assert_everything_once(postgres_url, web, cited)
    retried = scalar(postgres_url, "SELECT max(attempts) FROM jobs WHERE queue = 'fetch'")
    assert retried >= 2
    fetches = scalar(postgres_url, "SELECT count(*) FROM activities WHERE kind = 'fetch' AND ended_at IS NULL")
    assert fetches == 0  # nothing half-written


def test_a_stopped_worker_woken_after_its_lease_was_taken_over_is_refused(site, web, cited, postgres_url):
    web.slow = 0.3
    sleeper = worker(site, "--queues", "fetch", "--concurrency", "8", lease=2)
    wait_for(lambda: sum(web.page_hits().values()) >= 8)
    busy = status()
    assert re.search(r"^fetch: \d+ waiting, [1-8] running, 0 failed, 0 stalled$", busy, re.M), (busy, sleeper.output())
    assert re.search(r"^hosts leased: [1-8]$", busy, re.M), busy
    mine = f":{sleeper.popen.pid}/"  # worker names are host:pid/thread
    assert re.search(rf"^  \S+{re.escape(mine)}\d+ since ", busy, re.M), busy  # running: who, since when
    assert re.search(rf"^  http://127\.0\.0\.\d+:\d+ by \S+{re.escape(mine)}\d+ until ", busy, re.M), busy
    sleeper.popen.send_signal(signal.SIGSTOP)
    wait_for(lambda: re.search(r"^fetch: .* [1-8] stalled$", status(), re.M) is not None, timeout=30, every=0.5)
    try:
        other = worker(site, "--until-idle", "--concurrency", "8", lease=2)
        assert other.wait(timeout=60) == 0, (other.output(), status(), backends(postgres_url))
        assert_everything_once(postgres_url, web, cited)
        before = sum(web.page_hits().values())
    finally:
        sleeper.popen.send_signal(signal.SIGCONT)
    woke = time.monotonic()
    try:
        # Refused by the fence, or (when it froze mid-transaction) by the server, which ended that
        # transaction after the lease (idle_in_transaction_session_timeout): nothing of it commits.
        wait_for(lambda: re.search("refused|idle-in-transaction timeout", sleeper.output()), timeout=30)
    except AssertionError:
        raise AssertionError(sleeper.output()[-3000:]) from None
    time.sleep(1.0)
    sleeper.popen.send_signal(signal.SIGTERM)
    assert sleeper.wait(timeout=60) == 0, sleeper.output()
    assert_everything_once(postgres_url, web, cited)  # its late writes changed nothing
    late = [t for hits in web.hits.values() for t, path in hits if t > woke and path != "/robots.txt"]
    assert late == [] and sum(web.page_hits().values()) == before  # and it sent no more requests


def test_workers_reconnect_after_their_connections_are_killed(site, web, cited, postgres_url):
    web.slow = 0.05
    workers = [worker(site, "--until-idle", "--concurrency", "4", lease=3) for _ in range(2)]
    wait_for(lambda: sum(web.page_hits().values()) >= 10)
    killed = []
    for _ in range(3):  # every client connection of the test database, three times over
        killed += rows(
            postgres_url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        )
        time.sleep(0.5)
    assert killed  # the workers had connections to lose
    assert [w.wait() for w in workers] == [0, 0], [w.output() for w in workers]
    assert_everything_once(postgres_url, web, cited)


def test_tracker_run_and_tracker_worker_share_one_database(site, web, cited, postgres_url):
    both = [worker(site, "--until-idle", "--concurrency", "3"), Process(site, "run")]
    assert [p.wait() for p in both] == [0, 0], [p.output() for p in both]
    assert_everything_once(postgres_url, web, cited)
    assert set(web.page_hits().values()) == {1}
    assert web.smallest_gap() >= 0.1


def test_a_worker_stops_gracefully_on_sigterm(site, web, cited, postgres_url):
    web.slow = 0.2
    busy = worker(site, "--queues", "fetch", "--concurrency", "8")
    wait_for(lambda: sum(web.page_hits().values()) >= 8)
    busy.popen.send_signal(signal.SIGTERM)
    assert busy.wait(timeout=60) == 0, busy.output()
    assert "finishing the jobs in hand" in busy.output()
    # What it fetched is stored; what it had not started waits for the next worker, unclaimed.
    assert scalar(postgres_url, "SELECT count(*) FROM jobs WHERE status = 'running'") == 0
    rest = worker(site, "--until-idle", "--concurrency", "8")
    assert rest.wait() == 0, rest.output()
    assert_everything_once(postgres_url, web, cited)


def test_worker_on_sqlite_says_it_needs_postgresql(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(tmp_path / "config.toml"), "worker"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "tracker: tracker worker needs a PostgreSQL database ([database] url = postgresql+psycopg://…)"
    ]


def _restart_server(url: str) -> None:
    """Restart the session's PostgreSQL server in place (same port, same data): pg_ctl restart."""
    import shutil as _shutil

    data = scalar(url, "SHOW data_directory")
    bindirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    pg_ctl = next((str(d / "pg_ctl") for d in bindirs if (d / "pg_ctl").exists()), _shutil.which("pg_ctl"))
    if pg_ctl is None:
        pytest.skip("pg_ctl not found")
    log = str(Path(data).parent / "server.log")  # the server must not inherit our pipes
    command = [pg_ctl, "-D", data, "-l", log, "restart", "-m", "fast", "-w", "-t", "60"]
    if os.geteuid() == 0:  # as root the cluster belongs to the postgres user (scripts/postgres.sh)
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(
        command, check=True, timeout=90, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def test_workers_carry_on_after_a_database_restart(site, web, cited, postgres_url):
    web.slow = 0.05
    workers = [worker(site, "--until-idle", "--concurrency", "4", lease=3) for _ in range(2)]
    wait_for(lambda: sum(web.page_hits().values()) >= 10)
    _restart_server(postgres_url)
    assert [w.wait() for w in workers] == [0, 0], [w.output() for w in workers]
    assert "database unavailable" in "".join(w.output() for w in workers)  # they did notice
    assert_everything_once(postgres_url, web, cited)


def test_finished_jobs_are_pruned_after_a_week_and_status_has_a_json_form(postgres_url, monkeypatch):
    import json

    from click.testing import CliRunner

    from tracker.cli import cli
    from tracker.store.db import open_database
    from tracker.workers import queue

    engine = open_database(postgres_url)
    jobs = [  # (queue, key, status, finished days ago)
        ("fetch", "old-done", "done", 8),
        ("fetch", "new-done", "done", 1),
        ("translate", "old-failed", "failed", 8),
        ("align", "1:2", "done", 30),  # kept: it is what keeps (seed 1, version 2) aligned once
        ("fetch", "waiting", "waiting", None),
    ]
    with engine.begin() as connection:
        for name, key, state, days in jobs:
            connection.execute(
                text(
                    "INSERT INTO jobs (queue, key, weight, payload, status, attempts, run_after, created_at, "
                    "finished_at) VALUES (:queue, :key, 0, '{}', :status, 1, now(), now(), "
                    "now() - make_interval(days => :days))"
                ),
                {"queue": name, "key": key, "status": state, "days": days},
            )
        assert queue.prune(connection) == 2
    left = {key for (key,) in rows(postgres_url, "SELECT key FROM jobs")}
    assert left == {"new-done", "1:2", "waiting"}
    engine.dispose()

    monkeypatch.setenv("TRACKER_DATABASE_URL", postgres_url)
    result = CliRunner().invoke(cli, ["status", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    fetch = next(q for q in document["queues"] if q["queue"] == "fetch")
    assert (fetch["waiting"], fetch["running"], fetch["failed"], fetch["stalled"]) == (1, [], 0, 0)
    assert document["hosts"] == []


def test_crawl_delay_and_retry_after_hold_when_another_worker_takes_over_the_host(tmp_path, postgres_url, monkeypatch):
    from tracker.store.db import open_database

    crawl_delay, retry_after = 1.5, 8.0  # long enough that a worker starting up would not wait it by chance
    hits: dict[str, list[tuple[float, str]]] = {"a": [], "b": []}

    def page(host: str, n: int, first_answer: tuple | None = None):
        body = PAGE.format(n=n).encode()
        answers = [first_answer] if first_answer else []

        def answer(handler):
            hits[host].append((time.monotonic(), handler.path))
            if answers:
                return answers.pop()
            return 200, {"Content-Type": "text/html; charset=utf-8"}, body

        return answer

    def slow_robots(handler):
        hits["a"].append((time.monotonic(), handler.path))
        return 200, {"Content-Type": "text/plain"}, f"User-agent: *\nCrawl-delay: {crawl_delay}\n".encode()

    busy = (503, {"Content-Type": "text/plain", "Retry-After": str(int(retry_after))}, b"busy")
    with (
        serve({"/robots.txt": slow_robots, **{f"/a{n}": page("a", n) for n in range(4)}}, "127.0.0.2") as a,
        serve(
            {"/robots.txt": (404, {}, b""), "/b0": page("b", 0, busy), **{f"/b{n}": page("b", n) for n in (1, 2)}},
            "127.0.0.3",
        ) as b,
    ):
        (tmp_path / "seeds").mkdir()
        (tmp_path / "seeds" / "a.txt").write_text(SEED + "".join(f"Source: {a}/a{n}\n" for n in range(4)))
        (tmp_path / "seeds" / "b.txt").write_text(SEED + "".join(f"Source: {b}/b{n}\n" for n in range(3)))
        (tmp_path / "config.toml").write_text(
            f'[fetch]\nallow_private = ["127.0.0.0/8"]\nallow_ports = [{a.port}, {b.port}]\n'
            # A worker waits out Crawl-delay (1.5 s) but not Retry-After (8 s): host b's other pages
            # are left for a later job, which another worker takes.
            "max_retries = 0\nhost_delay = 0.1\nmax_host_wait = 2.0\n[translation]\nauto_install = false\n"
        )
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "config.toml"))
        monkeypatch.setenv("TRACKER_DATABASE_URL", postgres_url)

        open_database(postgres_url).dispose()  # the schema, before polling it
        first = worker(tmp_path, "--queues", "fetch", "--concurrency", "2")
        # Once the first worker has learnt both (Crawl-delay from robots.txt, Retry-After from the
        # 503) and recorded them, it stops; a second worker takes the two hosts over.
        wait_for(
            lambda: (
                scalar(
                    postgres_url,
                    "SELECT count(*) FROM hosts WHERE crawl_delay IS NOT NULL OR blocked_until IS NOT NULL",
                )
                == 2
            ),
            timeout=60,
        )
        first.popen.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0, first.output()
        handed_over = time.monotonic()
        second = worker(tmp_path, "--queues", "fetch", "--concurrency", "2", "--until-idle")
        assert second.wait(timeout=120) == 0, second.output()

    a_pages = sorted(t for t, path in hits["a"] if path != "/robots.txt")
    assert sorted(path for _, path in hits["a"] if path != "/robots.txt") == [f"/a{n}" for n in range(4)]
    assert min(later - earlier for earlier, later in zip(a_pages, a_pages[1:])) >= crawl_delay
    assert a_pages[0] < handed_over < a_pages[-1]  # both workers requested pages of host a
    assert [path for _, path in hits["a"]].count("/robots.txt") == 1  # the second read it from the database
    refused_at = next(t for t, path in hits["b"] if path == "/b0")
    after = [(t, path) for t, path in hits["b"] if t > refused_at and path != "/robots.txt"]
    assert sorted(path for _, path in after) == ["/b1", "/b2"]  # fetched, by one worker or the other
    assert min(t for t, _ in after) - refused_at >= retry_after  # not before Retry-After said
    assert refused_at < handed_over < min(t for t, _ in after)  # ... though another worker asked
