"""A real PostgreSQL server for the tests: scripts/postgres.sh starts one per test session (in a
throwaway folder, on 127.0.0.1) and stops it at the end; each test gets a fresh database on it.

Where no server can be had (not installed, not root to install it, no apt-get) the tests that
need one are skipped with the script's reason, except under CI (CI=true), where that fails them:
CI must never lose the PostgreSQL path without anyone noticing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "postgres.sh"
SERVER_TIME_ZONE = "Asia/Ho_Chi_Minh"
START_TIMEOUT = 600  # seconds; a first start may install the server from Debian's packages


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required under CI: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server: {reason}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The SQLAlchemy URL of the session's server (its `tracker` database)."""
    try:
        import psycopg  # noqa: F401  (the driver the URL names)
    except ImportError:
        _unavailable("the psycopg driver is not installed (pip install -e '.[test]')")
    # Not under pytest's tmp_path: as root the cluster belongs to the postgres user, who cannot
    # enter root's private temporary folders; a folder of its own in /tmp is reachable.
    folder = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    try:
        try:
            started = subprocess.run(
                ["bash", str(SCRIPT), "start", str(folder)],
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            _unavailable(f"scripts/postgres.sh did not finish within {START_TIMEOUT} s")
        if started.returncode != 0:
            lines = started.stderr.strip().splitlines()
            _unavailable(lines[-1] if lines else f"scripts/postgres.sh exited {started.returncode}")
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(
            ["bash", str(SCRIPT), "stop", str(folder)], capture_output=True, timeout=120, stdin=subprocess.DEVNULL
        )
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server, dropped afterwards; yields its SQLAlchemy URL."""
    import psycopg

    server = make_url(server_url)
    name = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_conninfo(server), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        # Not UTC on purpose: tracker must not depend on the server's time zone.
        admin.execute(f"ALTER DATABASE \"{name}\" SET timezone TO '{SERVER_TIME_ZONE}'")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_conninfo(server), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _conninfo(server: URL) -> str:
    parts = {
        "host": server.host,
        "port": server.port,
        "user": server.username,
        "password": server.password,
        "dbname": server.database,
    }
    return " ".join(f"{key}={value}" for key, value in parts.items() if value is not None)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh database for this test alone."""
    with fresh_database(postgres_server) as url:
        yield url
