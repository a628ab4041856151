"""Walking the seeds folder without leaving it.

Only regular files inside the folder are seeds. A link is followed only when it points at a
file inside the folder; a link out of it (to /etc/passwd, say) is not read. Everything passed
over — links out, dangling links, link loops, FIFOs and other special files, folders that
cannot be read, files over `[seeds] max_bytes` — comes back as one reason each, so a run says
why a file was not ingested instead of saying nothing.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from tracker.terminal import shown

SEED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}


@dataclass
class SeedsFolder:
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path relative to the folder, reason)


def scan_seeds_folder(seeds_dir: Path, max_bytes: int | None = None) -> SeedsFolder:
    found = SeedsFolder()
    if not seeds_dir.is_dir():
        return found
    root = seeds_dir.resolve()
    pending = [seeds_dir]
    while pending:
        folder = pending.pop()
        relative_folder = folder.relative_to(seeds_dir).as_posix() if folder != seeds_dir else str(seeds_dir)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            found.skipped.append((relative_folder, f"cannot read this folder ({error.strerror or error})"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            relative = path.relative_to(seeds_dir).as_posix()
            reason = _skip_reason(entry, path, root, pending)
            if reason is None and path.suffix.lower() in SEED_SUFFIXES:
                size = path.stat().st_size
                if max_bytes is not None and size > max_bytes:
                    reason = (
                        f"{size:,} bytes is over [seeds] max_bytes ({max_bytes:,}): split the file or raise the limit"
                    )
                else:
                    found.files.append(path)
                    continue
            if reason:
                found.skipped.append((relative, reason))
    found.files.sort()
    found.skipped.sort()
    return found


def _skip_reason(entry: os.DirEntry, path: Path, root: Path, pending: list[Path]) -> str | None:
    """Why this entry is not read (None: read it, or it is a folder queued for the walk)."""
    try:
        if entry.is_symlink():
            try:
                target = path.resolve(strict=True)
            except RuntimeError:
                return "a link loop: skipped"
            except OSError as error:
                if error.errno == 40:  # ELOOP
                    return "a link loop: skipped"
                return f"a link to {shown(os.readlink(path))}, which does not exist: skipped"
            if not target.is_relative_to(root):
                return f"a link out of the seeds folder (to {shown(str(target))}): not followed"
            if target.is_dir():
                return None  # a link to a folder inside: its files are read where they are
        mode = path.stat().st_mode
    except OSError as error:
        return f"cannot read ({error.strerror or error})"
    if stat.S_ISDIR(mode):
        if not entry.is_symlink():
            pending.append(path)
        return None
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device or special file"
        return f"{kind}, not a regular file: skipped"
    return None
