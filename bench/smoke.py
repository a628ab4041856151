"""Smoke mode, shared by every bench: `--smoke` runs the bench's real code path on tiny input in
seconds, so that tests/test_benches.py notices when a change to tracker breaks a bench.

A smoke run claims nothing (its figures are not measurements and no goal is judged), reads only
what ships with the repository (built-in samples instead of the shared corpus or a mirrored
data set) and writes its results into a temporary folder, never into bench/results/.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def add_smoke_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="check that the bench works: tiny built-in input, seconds, no figures worth reading, "
        "results in a temporary folder",
    )


def results_dir(smoke: bool) -> Path:
    """Where a bench writes its JSON: bench/results/, or a fresh temporary folder in smoke mode."""
    if smoke:
        return Path(tempfile.mkdtemp(prefix="bench-smoke-"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS


def shown(path: Path) -> str:
    """A results path as printed: relative to the repository when it is inside it."""
    try:
        return str(path.relative_to(RESULTS.parent.parent))
    except ValueError:
        return str(path)


NOTE = "smoke run: tiny input, so the figures above are not measurements"
