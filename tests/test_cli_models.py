"""`tracker models …` against a loopback package index, and how fast commands start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.http_server import serve
from tests.tiny_argos import cached_package

VI_EN = {"mèo": "cat", "và": "and", "chó": "dog"}


def index_routes(base_holder: dict) -> dict:
    """Routes of an Argos-style index with vi→en 1.0 and 2.0 (only 2.0 downloadable)."""
    v2 = cached_package("vi", "en", {**VI_EN, "mèo": "kitty"}, version="2.0")
    routes: dict = {"/translate-vi_en-2_0.argosmodel": (200, {"Content-Type": "application/zip"}, v2.read_bytes())}

    def index(_handler):
        base = base_holder["base"]
        entries = [
            {
                "from_code": "vi",
                "to_code": "en",
                "package_version": "1.0",
                "from_name": "Vietnamese",
                "to_name": "English",
                "links": [],
            },
            {
                "from_code": "vi",
                "to_code": "en",
                "package_version": "2.0",
                "from_name": "Vietnamese",
                "to_name": "English",
                "links": [f"{base}/translate-vi_en-2_0.argosmodel"],
            },
            {"from_code": "en", "to_code": "fr", "package_version": "1.9", "links": []},
            {"from_code": "not a code", "to_code": "fr"},  # malformed: skipped, not fatal
        ]
        return 200, {"Content-Type": "application/json"}, json.dumps(entries).encode()

    routes["/index.json"] = index
    return routes


def test_available_lists_the_index_and_install_replaces(tracker, project, monkeypatch):
    holder: dict = {}
    with serve(index_routes(holder)) as base:
        holder["base"] = base
        monkeypatch.setenv("TRACKER_INDEX_URL", f"{base}/index.json")
        assert tracker("models", "install", str(cached_package("vi", "en", VI_EN))).exit_code == 0

        available = tracker("models", "available")
        assert available.exit_code == 0, available.output
        assert available.output.splitlines() == [
            "translate-en_fr\ten→fr\t1.9\ten → fr",
            "translate-vi_en\tvi→en\t2.0\tVietnamese → English\tinstalled 1.0",
        ]
        refused = tracker("models", "install", "vi", "en")
        assert refused.exit_code == 1 and "--replace" in refused.output
        replaced = tracker("models", "install", "vi", "en", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "installed translate-vi_en 2.0" in replaced.output
    assert "\t2.0\t" in tracker("models", "list").output
    assert tracker("models", "remove", "translate-vi_en").output == "removed translate-vi_en\n"
    assert tracker("models", "list").output.startswith("no models installed")


@pytest.mark.subprocess
def test_available_offline_is_one_line_within_seconds(tracker, project, monkeypatch):
    with serve({}) as closed:
        pass  # nothing listens on this port any more
    monkeypatch.setenv("TRACKER_INDEX_URL", f"{closed}/index.json")
    result = tracker("models", "available")  # the client's timeout (5 s) bounds the wait
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: cannot reach the Argos package index")
    assert "tracker models install FILE.argosmodel" in lines[0]


# Runs tracker's CLI in a fresh interpreter and writes the names of every module it imported.
MODULES_AT_EXIT = textwrap.dedent("""
    import atexit, json, runpy, sys
    out = sys.argv[1]
    atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
    sys.argv = ["tracker", *sys.argv[2:]]
    runpy.run_module("tracker", run_name="__main__")
""")
HEAVY = ("argostranslate.translate", "stanza", "torch", "ctranslate2", "spacy", "onnxruntime")


def modules_imported(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    out = tmp_path / "modules.json"
    env = {
        **os.environ,
        "TRACKER_CONFIG": str(tmp_path / "config.toml"),
        "HOME": str(tmp_path / "home"),
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", MODULES_AT_EXIT, str(out), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    return done, set(json.loads(out.read_text()))


def test_commands_that_do_not_translate_start_without_heavy_imports(tmp_path):
    (tmp_path / "config.toml").write_text('[paths]\ndata_dir = "data"\n')

    help_run, help_modules = modules_imported(tmp_path, "--help")
    assert help_run.returncode == 0 and "retranslate" in help_run.stdout
    lookup_run, lookup_modules = modules_imported(tmp_path, "lookup", "https://example.test/a")
    assert lookup_run.returncode == 1 and "no source known" in lookup_run.stderr
    list_run, list_modules = modules_imported(tmp_path, "models", "list")
    assert list_run.returncode == 0

    assert "sqlalchemy" in lookup_modules  # the probe sees what a command imports
    for modules in (help_modules, lookup_modules, list_modules):
        assert not [m for m in HEAVY if m in modules]
    assert "trafilatura" not in lookup_modules and "trafilatura" not in help_modules
    assert not (tmp_path / "home").exists()
