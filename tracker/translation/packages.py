"""Argos Translate model packages: install, list, remove, and route language pairs.

Works on the package directory directly (metadata.json files and zip archives)
so that it stays cheap to import: it never imports argostranslate.translate,
stanza or torch. argostranslate's own installer does no validation and its
index lookup hangs offline, hence this module.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import zipfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tracker.errors import TrackerError

ARGOS_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
MAX_PACKAGE_BYTES = 2 * 1024**3  # largest Argos models are ~400 MB unpacked
PIVOT_LANGUAGE = "en"  # nearly every Argos package translates to or from English

OFFLINE_HINT = "install a model file with `tracker models install FILE.argosmodel`"
# Language codes end up in directory names; Argos uses codes like "en", "zt", "pt_BR".
_LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{1,8})*$")
STAGING_PREFIX = ".tracker-staging-"


class PackageError(TrackerError):
    """A package could not be installed, found or removed; str() says what to do."""


@dataclass(frozen=True)
class InstalledPackage:
    code: str  # e.g. "translate-vi_en"
    from_code: str
    to_code: str
    version: str  # package_version from metadata.json ("" if absent)
    path: Path
    sha256: str  # over the package's files: sorted relative paths and bytes


def configure_argos(models_dir: Path, cache_dir: Path) -> None:
    """Point argostranslate at models_dir and keep its other files out of $HOME.

    argostranslate reads these variables once, when argostranslate.settings is
    first imported, and creates its directories then; so this must run first.
    """
    models_dir = Path(models_dir).resolve()
    cache_dir = Path(cache_dir).resolve()
    settings = sys.modules.get("argostranslate.settings")
    if settings is not None and Path(settings.package_data_dir).resolve() != models_dir:
        raise PackageError(
            f"argostranslate was already imported with models in {settings.package_data_dir}, "
            f"not {models_dir}: configure models before anything imports argostranslate"
        )
    models_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "ARGOS_PACKAGES_DIR": models_dir,
        "XDG_DATA_HOME": cache_dir / "data",
        "XDG_CONFIG_HOME": cache_dir / "config",
        # onnxruntime (the sentence splitter) writes here too.
        "XDG_CACHE_HOME": cache_dir / "cache",
    }
    for name, path in env.items():
        path.mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(path)
    os.environ["ARGOS_DEVICE_TYPE"] = "cpu"


def list_packages(models_dir: Path) -> list[InstalledPackage]:
    """Installed packages in models_dir, sorted by code."""
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        return []
    packages = []
    for path in sorted(models_dir.iterdir()):
        if path.name.startswith(STAGING_PREFIX) or not (path / "metadata.json").is_file():
            continue
        metadata = read_metadata(path)
        if not metadata.get("from_code") or not metadata.get("to_code"):
            continue
        packages.append(_installed(path, metadata))
    return sorted(packages, key=lambda p: (p.code, str(p.path)))


def install_file(
    models_dir: Path,
    archive: Path,
    *,
    replace: bool = False,
    max_bytes: int = MAX_PACKAGE_BYTES,
) -> InstalledPackage:
    """Validate an .argosmodel archive, then install it into models_dir atomically.

    Nothing is written unless the whole archive passes validation. The package
    lands in models_dir/<code> (e.g. translate-vi_en).
    """
    models_dir = Path(models_dir)
    archive = Path(archive)
    if not archive.is_file():
        raise PackageError(f"{archive}: no such file")
    if not zipfile.is_zipfile(archive):
        raise PackageError(f"{archive} is not an Argos model file (not a zip archive)")
    try:
        with zipfile.ZipFile(archive) as zf:
            metadata = _validate_archive(zf, archive, max_bytes)
            code = package_code(metadata)
            new_version = str(metadata.get("package_version", ""))
            old = installed_unless_replacing(models_dir, code, f"this file has {new_version or 'no version'}", replace)
            destination = models_dir / code
            if destination.exists() and (old is None or old.path != destination):
                raise PackageError(f"{destination} exists but is not an installed package: move it away and retry")
            models_dir.mkdir(parents=True, exist_ok=True)
            staging = _staging_dir(models_dir)
            try:
                _extract(zf, staging / "new", max_bytes)
                if old is not None:
                    # Both renames stay inside models_dir, so each one is atomic.
                    os.rename(old.path, staging / "replaced")
                try:
                    os.rename(staging / "new", destination)
                except OSError:
                    if old is not None:
                        os.rename(staging / "replaced", old.path)
                    raise
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except zipfile.BadZipFile as e:
        raise PackageError(f"{archive} is a damaged zip archive ({e})") from None
    _forget_loaded_models()
    return _installed(destination, read_metadata(destination))


def installed_unless_replacing(models_dir: Path, code: str, offered: str, replace: bool) -> InstalledPackage | None:
    """The installed package with this code, if any; refused unless `replace` (never silently)."""
    old = next((p for p in list_packages(models_dir) if p.code == code), None)
    if old is not None and not replace:
        raise PackageError(
            f"{code} {old.version or '(no version)'} is already installed ({offered}): "
            f"install with --replace (replace=True) to replace it, even with a newer version"
        )
    return old


def remove_package(models_dir: Path, code: str) -> None:
    """Remove the installed package with this code (e.g. "translate-vi_en")."""
    models_dir = Path(models_dir)
    package = next((p for p in list_packages(models_dir) if p.code == code), None)
    if package is None:
        raise PackageError(f"no package {code} is installed in {models_dir}: `tracker models list` shows what is")
    staging = _staging_dir(models_dir)
    try:
        os.rename(package.path, staging / "removed")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _forget_loaded_models()


def find_route(models_dir: Path, from_code: str, to_code: str) -> list[InstalledPackage] | None:
    """The packages that translate from_code to to_code, in order; None if none do.

    A direct package wins; otherwise the shortest chain, preferring English as
    the intermediate, then other languages in sorted order, so the choice does
    not depend on filesystem order (as Argos's own pivot choice does).
    [] means from_code == to_code: nothing to translate.
    """
    if from_code == to_code:
        return []
    edges: dict[str, dict[str, InstalledPackage]] = {}
    for package in list_packages(models_dir):
        if package.code.startswith("translate-"):
            edges.setdefault(package.from_code, {}).setdefault(package.to_code, package)

    def next_languages(language: str) -> list[str]:
        return sorted(edges.get(language, {}), key=lambda code: (code != PIVOT_LANGUAGE, code))

    # Breadth-first: the first path found is the shortest, ties broken as above.
    came_from: dict[str, str] = {from_code: ""}
    queue = deque([from_code])
    while queue:
        language = queue.popleft()
        for following in next_languages(language):
            if following in came_from:
                continue
            came_from[following] = language
            if following == to_code:
                path = [to_code]
                while path[-1] != from_code:
                    path.append(came_from[path[-1]])
                path.reverse()
                return [edges[a][b] for a, b in zip(path, path[1:])]
            queue.append(following)
    return None


# --- helpers -----------------------------------------------------------------


def _validate_archive(zf: zipfile.ZipFile, archive: Path, max_bytes: int) -> dict:
    """Check the archive layout and return its metadata."""
    infos = zf.infolist()
    tops = set()
    total = 0
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name).parts
        if name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            raise PackageError(f"{archive} is unsafe: it holds the path {name!r}")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageError(f"{archive} is unsafe: it holds a symbolic link {name!r}")
        if len(parts) == 1 and not info.is_dir():
            raise PackageError(f"{archive} is not an Argos model: {name!r} lies outside its folder")
        if parts:
            tops.add(parts[0])
        total += info.file_size
    if len(tops) != 1:
        raise PackageError(
            f"{archive} is not an Argos model: it must hold exactly one top-level folder, found {len(tops)}"
        )
    if total > max_bytes:
        raise PackageError(f"{archive} unpacks to {total} bytes, more than the limit of {max_bytes}")
    (top,) = tops
    names = {info.filename for info in infos}
    missing = [
        required
        for required, present in [
            ("metadata.json", f"{top}/metadata.json" in names),
            ("model/model.bin", f"{top}/model/model.bin" in names),
            (
                "sentencepiece.model or bpe.model",
                f"{top}/sentencepiece.model" in names or f"{top}/bpe.model" in names,
            ),
        ]
        if not present
    ]
    if missing:
        raise PackageError(f"{archive} is not an Argos model: missing {', '.join(missing)}")
    metadata_info = zf.getinfo(f"{top}/metadata.json")
    if metadata_info.file_size > 1024**2:
        raise PackageError(f"{archive}: metadata.json is implausibly large")
    try:
        metadata = json.loads(zf.read(metadata_info).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise PackageError(f"{archive}: metadata.json is not valid JSON ({one_line(e)})") from None
    check_metadata(metadata, f"{archive}: metadata.json")
    return metadata


def check_metadata(metadata: object, where: str) -> None:
    if not isinstance(metadata, dict):
        raise PackageError(f"{where} is not a JSON object")
    for key in ("from_code", "to_code"):
        value = metadata.get(key)
        if not isinstance(value, str) or not _LANGUAGE_CODE.match(value):
            raise PackageError(f"{where} has no valid {key} (found {value!r})")
    kind = metadata.get("type", "translate")
    if not isinstance(kind, str) or not re.match(r"^[a-z]+$", kind):
        raise PackageError(f"{where} has an invalid type {kind!r}")


def _extract(zf: zipfile.ZipFile, target: Path, max_bytes: int) -> None:
    """Extract the archive's one top-level folder as target."""
    # Members were validated; copy them by hand so symlink bits and stray
    # permissions in the archive have no effect, and re-check the size cap on
    # the bytes actually written.
    target.mkdir()
    written = 0
    for info in zf.infolist():
        path = target.joinpath(*PurePosixPath(info.filename).parts[1:])
        if info.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, open(path, "wb") as dst:
            while chunk := src.read(1024 * 1024):
                written += len(chunk)
                if written > max_bytes:
                    raise PackageError(f"archive unpacks to more than the limit of {max_bytes} bytes")
                dst.write(chunk)


def _staging_dir(models_dir: Path) -> Path:
    """A scratch directory inside models_dir, harmless to Argos if left behind.

    Argos treats every directory in models_dir as a package and fails on one
    without metadata.json; this one carries metadata of a type Argos skips.
    """
    staging = Path(tempfile.mkdtemp(dir=models_dir, prefix=STAGING_PREFIX))
    (staging / "metadata.json").write_text('{"type": "staging"}\n')
    return staging


def read_metadata(package_dir: Path) -> dict:
    try:
        metadata = json.loads((package_dir / "metadata.json").read_text(encoding="utf-8"))
    except ValueError as e:
        raise PackageError(
            f"{package_dir}/metadata.json is not valid JSON ({one_line(e)}): reinstall the package"
        ) from None
    except OSError as e:
        raise PackageError(f"{package_dir}/metadata.json cannot be read ({one_line(e)})") from None
    if not isinstance(metadata, dict):
        raise PackageError(f"{package_dir}/metadata.json is not a JSON object")
    return metadata


def package_code(metadata: dict) -> str:
    # argospm's naming: "<type>-<from>_<to>".
    return f"{metadata.get('type', 'translate')}-{metadata['from_code']}_{metadata['to_code']}"


def _installed(path: Path, metadata: dict) -> InstalledPackage:
    return InstalledPackage(
        code=package_code(metadata),
        from_code=metadata["from_code"],
        to_code=metadata["to_code"],
        version=str(metadata.get("package_version", "")),
        path=path,
        sha256=_checksum(path),
    )


# Hashing a real model reads ~100-400 MB; re-hash only when a file's size or
# mtime changed.
_checksums: dict[Path, tuple[tuple, str]] = {}


def _checksum(package_dir: Path) -> str:
    files = sorted(
        (p.relative_to(package_dir).as_posix(), p) for p in package_dir.rglob("*") if p.is_file() and not p.is_symlink()
    )
    signature = tuple((name, p.stat().st_size, p.stat().st_mtime_ns) for name, p in files)
    cached = _checksums.get(package_dir)
    if cached is not None and cached[0] == signature:
        return cached[1]
    digest = hashlib.sha256()
    for name, path in files:
        # Length-prefix the name and size so no two layouts hash alike.
        encoded = name.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
        digest.update(path.stat().st_size.to_bytes(8, "big"))
        with open(path, "rb") as f:
            while chunk := f.read(1024 * 1024):
                digest.update(chunk)
    _checksums[package_dir] = (signature, digest.hexdigest())
    return digest.hexdigest()


def version_key(version: str) -> tuple:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.\-]", version))


def _forget_loaded_models() -> None:
    """Make running translators see the change without a restart."""
    argos_translate = sys.modules.get("argostranslate.translate")
    if argos_translate is not None:
        argos_translate.get_installed_languages.cache_clear()
        # Argos keeps one translator per language pair here, even after the
        # package behind it changed.
        argos_translate.installed_translates.clear()
    ours = sys.modules.get("tracker.translation.translator")  # loaded only if something translated
    if ours is not None:
        ours.forget_translators()


def one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:300]
