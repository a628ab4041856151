"""`tracker serve` as a process: real HTTP on loopback against the report database, many requests
at once, and what it says about where it listens (tracker/read/server.py, tracker/cli/report.py)."""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

pytestmark = pytest.mark.subprocess

SEED_PATH_MARK = 'href="/source/'  # a link on a seed's page: a refused request reads none

PAGES = ("/", "/seed/1", "/seed/99", "/source/1", "/source/2", "/source/3", "/source/99")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Serving:
    """`python -m tracker serve ARGS…` in the project, its stderr read line by line as it comes."""

    def __init__(self, project, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tracker", "serve", *args],
            cwd=project,
            env={**os.environ, "TRACKER_CONFIG": str(project / "config.toml")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line)
        self.lines.put(None)

    def next_line(self) -> str:
        try:
            line = self.lines.get(timeout=60)
        except queue.Empty:
            raise AssertionError("no line from tracker serve in 60 s") from None
        assert line is not None, f"tracker serve ended with status {self.process.wait()}"
        return line

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_for_index(self, base: str) -> httpx.Response:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.alive():
            try:
                return httpx.get(f"{base}/", timeout=10)
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("tracker serve ended" if not self.alive() else "no answer in 60 s")

    def stop(self) -> str:
        """Stops the server; what it said that was not read yet."""
        if self.alive():
            self.process.terminate()
        self.process.wait(timeout=30)
        rest = []
        while (line := self.lines.get(timeout=30)) is not None:
            rest.append(line)
        return "".join(rest)


def test_serve_answers_sixty_concurrent_requests_and_stays_up(report_db):
    """Starlette runs each page in a thread pool: every thread needs a connection of its own
    (SingletonThreadPool closed connections other threads were using, then crashed the process)."""
    port = free_port()
    server = Serving(report_db.project, "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        assert server.wait_for_index(base).status_code == 200
        clients, rounds = 60, 4
        start = threading.Barrier(clients)

        def visit(worker: int) -> list[int]:
            statuses = []
            with httpx.Client(base_url=base, timeout=120) as client:
                start.wait()
                for turn in range(rounds):
                    try:
                        statuses.append(client.get(PAGES[(worker + turn) % len(PAGES)]).status_code)
                    except httpx.TransportError as error:
                        statuses.append(repr(error))
            return statuses

        with ThreadPoolExecutor(max_workers=clients) as pool:
            answers = [status for statuses in pool.map(visit, range(clients)) for status in statuses]
        assert len(answers) == clients * rounds
        assert {answer for answer in answers if answer not in (200, 404)} == set()
        assert 200 in answers and 404 in answers
        assert server.alive(), "the server died"
        assert httpx.get(f"{base}/seed/1", timeout=30).status_code == 200
    finally:
        errors = server.stop()
    assert "Traceback" not in errors and "closed database" not in errors, errors


def served_url(server: Serving) -> str:
    line = server.next_line()
    found = re.search(r" read-only on (\S+) \(Ctrl-C stops\)$", line)
    assert found, line
    return found.group(1)


def test_port_0_prints_the_port_it_listens_on(report_db):
    server = Serving(report_db.project, "--port", "0")
    try:
        url = served_url(server)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url) and not url.endswith(":0/"), url
        assert server.wait_for_index(url.rstrip("/")).status_code == 200
    finally:
        rest = server.stop()
    assert "warning" not in rest  # loopback: nothing to warn about


def ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize(
    ("host", "shown", "reach"),
    [
        ("0.0.0.0", "0.0.0.0", "127.0.0.1"),
        pytest.param("::", "[::]", "[::1]", marks=pytest.mark.skipif(not ipv6_available(), reason="no IPv6 here")),
    ],
)
def test_a_host_open_to_the_network_warns_and_prints_a_url_that_works(report_db, host, shown, reach):
    """The server answers on every address of the machine for the few seconds it runs."""
    server = Serving(report_db.project, "--host", host, "--port", "0")
    try:
        url = served_url(server)
        found = re.fullmatch(rf"http://{re.escape(shown)}:([1-9]\d*)/", url)
        assert found, url
        port = found.group(1)
        assert server.next_line() == (
            f"warning: {host} is not a loopback address: anyone who can reach this machine on port {port} "
            "can read the research database (use --host 127.0.0.1 to keep it local)\n"
        )
        assert server.wait_for_index(f"http://{reach}:{port}").status_code == 200
    finally:
        server.stop()


def test_a_port_in_use_is_one_line_with_status_2_and_serves_nothing(report_db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "tracker", "serve", "--port", str(port)],
            cwd=report_db.project,
            env={**os.environ, "TRACKER_CONFIG": str(report_db.project / "config.toml")},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert (done.returncode, done.stderr) == (
        2,
        f"tracker: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(choose another --port, or --port 0 for a free one)\n",
    )


def test_an_id_too_large_for_the_database_is_a_404_not_a_traceback(report_db):
    """Issue 26: /source/99999999999999999999999 raised OverflowError in the driver (a 500)."""
    server = Serving(report_db.project, "--port", "0")
    try:
        base = served_url(server).rstrip("/")
        server.wait_for_index(base)
        for page in ("seed", "source"):
            for number in ("99999999999999999999999", str(2**63), "0"):
                answer = httpx.get(f"{base}/{page}/{number}", timeout=30)
                assert answer.status_code == 404, (page, number, answer.status_code)
                assert "No such" in answer.text
    finally:
        errors = server.stop()
    assert "Traceback" not in errors and "OverflowError" not in errors, errors


def test_a_host_header_the_server_does_not_serve_is_refused_with_what_to_do(report_db):
    """Issue 26 (DNS rebinding): a page that points its own name at 127.0.0.1 sends that name as Host."""
    server = Serving(report_db.project, "--port", "0")
    try:
        base = served_url(server).rstrip("/")
        port = base.rsplit(":", 1)[1]
        assert server.wait_for_index(base).status_code == 200
        for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "10.0.0.1"):
            refused = httpx.get(f"{base}/seed/1", headers={"Host": host}, timeout=30)
            assert refused.status_code == 400, host
            assert refused.headers["content-type"].startswith("text/plain")
            name = host.partition(":")[0]
            assert refused.text == (
                f"refused Host {host!r}: tracker serve answers only 127.0.0.1, [::1], localhost; "
                f"to allow this name, restart it with --allow-host {name}\n"
            )
            assert SEED_PATH_MARK not in refused.text
        for host in (f"127.0.0.1:{port}", "127.0.0.1", f"localhost:{port}", "LOCALHOST", f"[::1]:{port}", "[::1]"):
            assert httpx.get(f"{base}/seed/1", headers={"Host": host}, timeout=30).status_code == 200, host
    finally:
        errors = server.stop()
    assert "Traceback" not in errors, errors


def test_every_answer_carries_the_security_headers(report_db):
    """Issue 26: nosniff, no Referer, and a CSP that allows the page's own inline script and style only."""
    server = Serving(report_db.project, "--port", "0")
    try:
        base = served_url(server).rstrip("/")
        server.wait_for_index(base)
        answers = [httpx.get(f"{base}{path}", timeout=30) for path in ("/", "/seed/1", "/source/1", "/seed/999999")]
        answers.append(httpx.get(f"{base}/", headers={"Host": "evil.example"}, timeout=30))
        assert [a.status_code for a in answers] == [200, 200, 200, 404, 400]
        for answer in answers:
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["referrer-policy"] == "no-referrer"
            policy = answer.headers["content-security-policy"]
            assert "default-src 'none'" in policy and "script-src 'unsafe-inline'" in policy
            assert "http" not in policy  # nothing from elsewhere
    finally:
        errors = server.stop()
    assert "Traceback" not in errors, errors


@pytest.mark.parametrize("host", ["0.0.0.0", "127.0.0.1"])
def test_allow_host_adds_a_name_the_server_answers(report_db, host):
    server = Serving(report_db.project, "--host", host, "--port", "0", "--allow-host", "tracker.lan")
    try:
        port = served_url(server).rstrip("/").rsplit(":", 1)[1]
        base = f"http://127.0.0.1:{port}"
        assert server.wait_for_index(base).status_code == 200
        allowed = httpx.get(f"{base}/seed/1", headers={"Host": f"tracker.lan:{port}"}, timeout=30)
        assert allowed.status_code == 200 and SEED_PATH_MARK in allowed.text
        assert httpx.get(f"{base}/", headers={"Host": "evil.example"}, timeout=30).status_code == 400
        # Open to the network, an IP address is answered too: a rebinding page's Host is its own name.
        by_address = httpx.get(f"{base}/", headers={"Host": f"192.168.1.20:{port}"}, timeout=30).status_code
        assert by_address == (200 if host == "0.0.0.0" else 400)
    finally:
        errors = server.stop()
    assert "Traceback" not in errors, errors


def test_serve_allowed_hosts_in_the_settings_adds_names_too(report_db, monkeypatch):
    monkeypatch.setenv("TRACKER_SERVE_ALLOWED_HOSTS", "tracker.lan,reports.example")
    server = Serving(report_db.project, "--port", "0")
    try:
        base = served_url(server).rstrip("/")
        port = base.rsplit(":", 1)[1]
        assert server.wait_for_index(base).status_code == 200
        for name in ("tracker.lan", f"reports.example:{port}"):
            assert httpx.get(f"{base}/", headers={"Host": name}, timeout=30).status_code == 200, name
        assert httpx.get(f"{base}/", headers={"Host": "evil.example"}, timeout=30).status_code == 400
    finally:
        errors = server.stop()
    assert "Traceback" not in errors, errors


def test_a_bad_serve_allowed_hosts_setting_is_one_line_at_start(report_db, monkeypatch):
    monkeypatch.setenv("TRACKER_SERVE_ALLOWED_HOSTS", "not a host")
    server = Serving(report_db.project, "--port", "0")
    server.process.wait(timeout=60)  # it stops by itself, before serving anything
    errors = server.stop()
    assert server.process.returncode == 2, errors
    assert len(errors.strip().splitlines()) == 1, errors
    assert "allowed_hosts" in errors.lower() and "not a host" in errors, errors


def test_a_malformed_allow_host_is_one_line(report_db):
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "serve", "--allow-host", "tracker.lan:http"],
        cwd=report_db.project,
        env={**os.environ, "TRACKER_CONFIG": str(report_db.project / "config.toml")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "Invalid value for '--allow-host': 'tracker.lan:http' is not a host name" in done.stderr
