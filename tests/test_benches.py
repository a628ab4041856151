"""Every bench in bench/ runs in smoke mode (bench/smoke.py), so a change to tracker that breaks a
bench (an import moved, a signature changed) fails the suite instead of rotting unseen.

The benches are found in the folder: any bench/*.py with a top-level `main` is one, so a new
bench is covered without touching this file.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
RESULTS = BENCH / "results"

# Benches that drive `tracker worker` on PostgreSQL: they get the session's server (--server)
# instead of starting their own, and are skipped like every `postgres` test where there is none.
ON_POSTGRESQL = {"scale_bench"}

TIMEOUT = 300  # seconds; a smoke run takes a few, this only stops a bench that hangs


def _benches() -> list:
    found = []
    for path in sorted(BENCH.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            marks = [pytest.mark.postgres] if path.stem in ON_POSTGRESQL else []
            found.append(pytest.param(path.stem, marks=marks, id=path.stem))
    return found


def _results() -> set[str]:
    return {str(p.relative_to(RESULTS)) for p in RESULTS.rglob("*")} if RESULTS.is_dir() else set()


@pytest.mark.subprocess
@pytest.mark.parametrize("name", _benches())
def test_every_bench_runs_in_smoke_mode(name, tmp_path, request):
    source = (BENCH / f"{name}.py").read_text(encoding="utf-8")
    # Without argparse a bench would ignore --smoke and run in full; say so instead.
    assert re.search(r"--smoke|add_smoke_flag", source), f"bench/{name}.py has no --smoke mode (see bench/smoke.py)"
    command = [sys.executable, "-m", f"bench.{name}", "--smoke"]
    if name in ON_POSTGRESQL:
        command += ["--server", request.getfixturevalue("postgres_server")]
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")},
        "HOME": str(home),
        "TMPDIR": str(temp),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "ARGOS_PACKAGES_DIR": str(home / "argos-packages"),
        "HF_HUB_OFFLINE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ written into the checkout
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    before = _results()
    done = subprocess.run(
        command,
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, f"{' '.join(command[1:])} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert _results() == before, f"bench/{name}.py --smoke wrote into bench/results/"
