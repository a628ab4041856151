"""Argos's package index: what it offers, and installing a package from it (with progress).

The index is JSON listing packages and their download links. Offline, it fails fast with one line
saying how to install a model file instead (argostranslate's own lookup hangs for a minute).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tracker.translation.packages import (
    ARGOS_INDEX_URL,
    MAX_PACKAGE_BYTES,
    OFFLINE_HINT,
    STAGING_PREFIX,
    InstalledPackage,
    PackageError,
    check_metadata,
    install_file,
    installed_unless_replacing,
    one_line,
    package_code,
    version_key,
)


def install_from_index(
    models_dir: Path,
    from_code: str,
    to_code: str,
    *,
    progress: Callable[[int, int | None], None] | None = None,
    timeout: float = 10.0,
    index_url: str = ARGOS_INDEX_URL,
    replace: bool = False,
) -> InstalledPackage:
    """Download the from_code→to_code package listed in Argos's index and install it.

    progress(bytes_done, bytes_total_or_None) is called as the package downloads.
    Offline this fails within `timeout` seconds with a PackageError.
    """
    import httpx

    models_dir = Path(models_dir)
    with httpx.Client(timeout=timeout, follow_redirects=True) as client:
        index = _fetch_index(client, index_url)
        entry = _pick_from_index(index, from_code, to_code)
        if entry is None:
            raise PackageError(
                f"the Argos package index has no {from_code}→{to_code} model: "
                f"a pivot through another language may work, or {OFFLINE_HINT}"
            )
        code = package_code(entry)
        installed_unless_replacing(
            models_dir, code, f"the index has {entry.get('package_version') or 'no version'}", replace
        )

        models_dir.mkdir(parents=True, exist_ok=True)
        # A plain file, not a directory, so Argos never mistakes it for a package.
        fd, name = tempfile.mkstemp(dir=models_dir, prefix=STAGING_PREFIX, suffix=".argosmodel")
        download = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                _download(client, entry.get("links") or [], out, progress, code)
            return install_file(models_dir, download, replace=replace)
        finally:
            download.unlink(missing_ok=True)


@dataclass(frozen=True)
class AvailablePackage:
    """A translation package listed in Argos's index."""

    code: str
    from_code: str
    to_code: str
    version: str
    from_name: str
    to_name: str


def available_packages(index_url: str = ARGOS_INDEX_URL, *, timeout: float = 10.0) -> list[AvailablePackage]:
    """The translation packages Argos's index offers, newest version per code, sorted by code.

    Offline this fails within `timeout` seconds with a PackageError.
    """
    import httpx

    with httpx.Client(timeout=timeout, follow_redirects=True) as client:
        index = _fetch_index(client, index_url)
    if not isinstance(index, list):
        raise PackageError(f"the Argos package index is not a list of packages: {OFFLINE_HINT}")
    newest: dict[str, dict] = {}
    for entry in index:
        if not isinstance(entry, dict) or entry.get("type", "translate") != "translate":
            continue
        try:
            check_metadata(entry, "index entry")
        except PackageError:
            continue  # one malformed entry should not hide the others
        code = package_code(entry)
        version = str(entry.get("package_version", ""))
        if code not in newest or version_key(version) > version_key(str(newest[code].get("package_version", ""))):
            newest[code] = entry
    return [
        AvailablePackage(
            code=code,
            from_code=e["from_code"],
            to_code=e["to_code"],
            version=str(e.get("package_version", "")),
            from_name=str(e.get("from_name", e["from_code"])),
            to_name=str(e.get("to_name", e["to_code"])),
        )
        for code, e in sorted(newest.items())
    ]


def _fetch_index(client, index_url: str) -> object:
    import httpx

    try:
        response = client.get(index_url)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as e:
        raise PackageError(
            f"cannot reach the Argos package index ({index_url}: {one_line(e)}): {OFFLINE_HINT}"
        ) from None


def _pick_from_index(index: object, from_code: str, to_code: str) -> dict | None:
    if not isinstance(index, list):
        raise PackageError(f"the Argos package index is not a list of packages: {OFFLINE_HINT}")
    candidates = [
        entry
        for entry in index
        if isinstance(entry, dict)
        and entry.get("type", "translate") == "translate"
        and entry.get("from_code") == from_code
        and entry.get("to_code") == to_code
    ]
    if not candidates:
        return None
    for entry in candidates:
        check_metadata(entry, "the Argos package index entry")
    return max(candidates, key=lambda entry: version_key(str(entry.get("package_version", ""))))


def _download(client, links: list, out, progress, code: str) -> None:
    import httpx

    if not links:
        raise PackageError(f"the Argos package index lists no download link for {code}: {OFFLINE_HINT}")
    errors = []
    for link in links:
        out.seek(0)
        out.truncate()
        try:
            with client.stream("GET", link) as response:
                response.raise_for_status()
                length = response.headers.get("content-length")
                total = int(length) if length and length.isdigit() else None
                done = 0
                if progress:
                    progress(done, total)
                for chunk in response.iter_bytes(1024 * 1024):
                    done += len(chunk)
                    if done > MAX_PACKAGE_BYTES:
                        raise PackageError(f"{link} is larger than {MAX_PACKAGE_BYTES} bytes: not installed")
                    out.write(chunk)
                    if progress:
                        progress(done, total)
            out.flush()
            return
        except httpx.HTTPError as e:
            errors.append(f"{link}: {one_line(e)}")
    raise PackageError(f"cannot download {code} ({'; '.join(errors)}): {OFFLINE_HINT}")
