"""Files that exports write: all or nothing, so a reader never sees half a file."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from tracker.errors import TrackerError


class OutputError(TrackerError):
    """An export file that cannot be written."""


@contextmanager
def output_file(path: Path | str | None, *, binary: bool = False) -> Iterator[IO]:
    """Write to `path` through `path.part`, renamed into place only when the writer finishes;
    None or "-" is standard output."""
    if path is None or str(path) == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as out:
            yield out
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
