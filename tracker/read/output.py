"""Files that exports write. A regular file is all or nothing: written beside it and renamed into
place, so a reader never sees half a file. Anything else at the path (a device such as /dev/null,
a FIFO, standard output) is written in place, as a shell's `>` would, and never replaced. A
symbolic link is followed: the file it leads to is replaced atomically, the link stays."""

from __future__ import annotations

import os
import secrets
import stat
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
    """A file to write the export to; None or "-" is standard output. OutputError (one line)
    when it cannot be written, a full disk included. A closed pipe stays BrokenPipeError, for the
    CLI to end quietly, as programs do when the reader of their output goes away."""
    if path is None or str(path) == "-":
        out = sys.stdout.buffer if binary else sys.stdout
        with _one_line("standard output"):
            yield out
            out.flush()  # a full disk shows here, not when the interpreter exits
        return
    path = Path(path)
    with _one_line(path):
        target = _atomic_target(path)
    if target is None:
        with _one_line(path), open(path, *_mode(binary)) as out:
            yield out
        return
    with _one_line(path), _replacing(target, binary) as out:
        yield out


def _mode(binary: bool) -> tuple:
    return ("wb",) if binary else ("w", -1, "utf-8")


@contextmanager
def _one_line(where: Path | str) -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(f"cannot write {where}: {error.strerror or error}") from None


def _atomic_target(path: Path) -> Path | None:
    """The regular file to replace atomically: `path`, or where its links lead (created if
    missing, like `>` does); None when `path` is something else, to be written in place."""
    try:
        found = path.stat()  # follows links; a link loop is ELOOP, one line
    except FileNotFoundError:
        found = None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise IsADirectoryError(21, "Is a directory")
    if found is not None and not stat.S_ISREG(found.st_mode):
        return None
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextmanager
def _replacing(target: Path, binary: bool) -> Iterator[IO]:
    # O_EXCL with a fresh name: never follows or clobbers something already beside the target.
    # Mode 0o666 lets the umask decide, as for any new file; an existing file keeps its own.
    partial = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(descriptor, *_mode(binary)) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())  # the rename must not land before the data
        try:
            os.chmod(partial, stat.S_IMODE(target.stat().st_mode))
        except FileNotFoundError:
            pass
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
