"""Test isolation: nothing written to $HOME, no network beyond loopback, a fresh project per test."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.browser import chrome  # noqa: F401  (fixture for every test module)
from tests.cli_runner import invoke_tracker
from tests.postgres import postgres_server, postgres_url  # noqa: F401  (fixtures for every test module)
from tests.provenance_db import populated  # noqa: F401  (fixture for every test module)
from tests.report_db import report_db  # noqa: F401  (fixture for every test module)


def pytest_configure(config) -> None:
    # Argos, onnxruntime and Hugging Face read these once, at import: point them at a throwaway
    # folder before any test can import them, so no test writes under the real $HOME.
    sandbox = Path(tempfile.mkdtemp(prefix="tracker-tests-"))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[name] = str(sandbox / name.lower())
    os.environ["HOME"] = str(sandbox / "home")
    os.environ["ARGOS_PACKAGES_DIR"] = str(sandbox / "argos-packages")
    os.environ["ARGOS_DEVICE_TYPE"] = "cpu"
    os.environ["HF_HUB_OFFLINE"] = "1"
    for name in list(os.environ):
        if name.startswith("TRACKER_"):
            del os.environ[name]
    # No test asks a real web archive (its default TimeGate is the Wayback Machine): the archive
    # tests turn lookups on with a TimeGate on loopback (tests/archive_site.py).
    os.environ["TRACKER_ARCHIVE_ENABLED"] = "false"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with its own config.toml, seeds/ and data/, allowed to fetch loopback."""
    (tmp_path / "seeds").mkdir()
    (tmp_path / "config.toml").write_text(
        '[fetch]\nallow_private = ["127.0.0.1"]\nallow_ports = []\n'
        "deadline = 5.0\nmax_retries = 0\nbackoff = 0.01\nhost_delay = 0.0\n"
        "[translation]\nauto_install = false\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests reach no network beyond loopback: other host names do not resolve."""
    import ipaddress
    import socket

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            allowed = ipaddress.ip_address(name).is_loopback
        except ValueError:
            allowed = name == "localhost"
        if not allowed:
            raise socket.gaierror(socket.EAI_NONAME, f"tests resolve loopback only, not {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def tracker():
    """`tracker(*args)` runs the CLI in-process and returns click's Result."""
    return invoke_tracker


def pytest_collection_modifyitems(items) -> None:
    # A test that asks for a PostgreSQL fixture is a `postgres` test: `-m "not postgres"` skips them.
    for item in items:
        if {"postgres_url", "postgres_server"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)
