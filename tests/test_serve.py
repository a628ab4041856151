"""`tracker serve` as a process: real HTTP on loopback against the report database, many requests
at once, and what it says about where it listens (tracker/read/server.py, tracker/cli/report.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

pytestmark = pytest.mark.subprocess

PAGES = ("/", "/seed/1", "/seed/99", "/source/1", "/source/2", "/source/3", "/source/99")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_serve(project, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", *args],
        cwd=project,
        env={**os.environ, "TRACKER_CONFIG": str(project / "config.toml")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_index(server: subprocess.Popen, base: str) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            return httpx.get(f"{base}/", timeout=10)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(server.stderr.read() if server.poll() is not None else "no answer in 60 s")


def stop(server: subprocess.Popen) -> str:
    if server.poll() is None:
        server.terminate()
    server.wait(timeout=30)
    return server.stderr.read()


def test_serve_answers_sixty_concurrent_requests_and_stays_up(report_db):
    """Starlette runs each page in a thread pool: every thread needs a connection of its own
    (SingletonThreadPool closed connections other threads were using, then crashed the process)."""
    port = free_port()
    server = start_serve(report_db.project, "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for_index(server, base).status_code == 200
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
        assert server.poll() is None, "the server died"
        assert httpx.get(f"{base}/seed/1", timeout=30).status_code == 200
    finally:
        errors = stop(server)
    assert "Traceback" not in errors and "closed database" not in errors, errors
