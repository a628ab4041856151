"""A wheel built from the repository works with no checkout: the migrations, the named queries and
the default settings ship inside it. Built with pip, installed with --no-deps into a fresh venv that
borrows this venv's dependencies, and run from an empty folder."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.http_server import serve
from tests.pages import article_html

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Build from a copy: setuptools leaves build/ and *.egg-info beside the sources it builds.
    sources = tmp_path_factory.mktemp("sources") / "tracker"
    shutil.copytree(REPO, sources, ignore=shutil.ignore_patterns(".*", "data", "build", "*.egg-info", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(sources)],
        check=True,
        capture_output=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    (built,) = out.glob("tracker-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A venv with the wheel installed and this venv's packages (but not this checkout) visible."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    # A .pth line adds our site-packages to the path without running its .pth files, so this
    # checkout's editable install stays out of sight.
    (purelib / "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(purelib), str(wheel)],
        check=True,
        capture_output=True,
    )
    return venv / "bin" / "python"


@pytest.mark.subprocess
def test_the_wheel_carries_migrations_queries_and_settings(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "tracker/migrations/env.py" in names
    assert any(n.startswith("tracker/migrations/versions/0001_") for n in names)
    assert "tracker/read/queries.sql" in names
    assert "tracker/migrations/script.py.mako" in names
    assert "tracker/read/templates/report.html" in names


@pytest.mark.subprocess
def test_installed_wheel_runs_the_job_lookup_and_a_named_query_from_an_empty_folder(installed, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    with serve({"/a": (200, {"Content-Type": "text/html; charset=utf-8"}, article_html(1))}) as base:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "PYTHON"))},
            "HOME": str(tmp_path / "home"),
            "TRACKER_SEEDS_DIR": str(folder / "seeds"),
            "TRACKER_FETCH_ALLOW_PRIVATE": "127.0.0.1",
            "TRACKER_FETCH_ALLOW_PORTS": str(base.port),
            "TRACKER_AUTO_INSTALL": "false",
        }
        (folder / "seeds").mkdir()
        (folder / "seeds" / "s.txt").write_text(f"The harbour reopened on Monday, officials said.\nSource: {base}/a\n")

        def tracker(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [str(installed), "-m", "tracker", *args], cwd=folder, env=env, capture_output=True, text=True
            )

        location = subprocess.run(
            [str(installed), "-c", "import tracker; print(tracker.__file__)"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert not Path(location).is_relative_to(REPO), location  # the wheel, not this checkout

        run = tracker("run")
        assert run.returncode == 0, run.stderr
        assert "fetched 1" in run.stdout, run.stdout
        lookup = tracker("lookup", f"{base}/a")
        assert lookup.returncode == 0, lookup.stderr
        assert "s.txt" in lookup.stdout
        query = tracker("sql", "--query", "which_seeds_cite_url", "--param", f"url={base}/a")
        assert query.returncode == 0, query.stderr
        assert "s.txt" in query.stdout
    assert (folder / "data" / "tracker.db").is_file()  # state beside where it ran, nothing in the checkout
