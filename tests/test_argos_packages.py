"""Installing, listing, removing and routing Argos packages (tracker.argos_packages)."""

from __future__ import annotations

import http.server
import json
import os
import socket
import sys
import threading
import types
import zipfile
from pathlib import Path

import pytest

from tests.tiny_argos import build_package, cached_package
from tracker.translation.index import install_from_index
from tracker.translation.packages import (
    PackageError,
    configure_argos,
    find_route,
    install_file,
    list_packages,
    remove_package,
)

VI_EN = {"mèo": "cat", "và": "and", "chó": "dog", "con": "the", "nhà": "house"}


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Nothing in these tests may touch the real $HOME or inherit Argos settings."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "home" / name.lower()))
    # setenv first so monkeypatch restores variables that configure_argos sets.
    names = {"ARGOS_PACKAGES_DIR", "ARGOS_DEVICE_TYPE"} | {n for n in os.environ if n.startswith("ARGOS_")}
    for name in names:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


@pytest.fixture
def models_dir(tmp_path) -> Path:
    return tmp_path / "models"


@pytest.fixture
def vi_en() -> Path:
    return cached_package("vi", "en", VI_EN)


def installed_entries(models_dir: Path) -> list[str]:
    return sorted(p.name for p in models_dir.iterdir()) if models_dir.exists() else []


# --- install_file, list_packages, remove_package ------------------------------


def test_install_file_lists_the_package(models_dir, vi_en):
    package = install_file(models_dir, vi_en)

    assert package.code == "translate-vi_en"
    assert (package.from_code, package.to_code, package.version) == ("vi", "en", "1.0")
    assert package.path == models_dir / "translate-vi_en"
    assert (package.path / "model" / "model.bin").is_file()
    assert len(package.sha256) == 64
    assert list_packages(models_dir) == [package]
    assert installed_entries(models_dir) == ["translate-vi_en"]


def test_list_packages_of_missing_dir_is_empty(tmp_path):
    assert list_packages(tmp_path / "nowhere") == []


def test_checksum_is_stable_across_installs_and_rebuilds(tmp_path, vi_en):
    first = install_file(tmp_path / "a", vi_en)
    rebuilt = build_package(tmp_path / "build", "vi", "en", VI_EN)
    second = install_file(tmp_path / "b", rebuilt)
    other = install_file(tmp_path / "c", cached_package("vi", "en", VI_EN, version="1.1"))

    assert rebuilt.read_bytes() == vi_en.read_bytes()
    assert second.sha256 == first.sha256
    assert list_packages(tmp_path / "a")[0].sha256 == first.sha256
    assert other.sha256 != first.sha256  # metadata.json differs


def test_remove_package(models_dir, vi_en):
    install_file(models_dir, vi_en)

    remove_package(models_dir, "translate-vi_en")

    assert list_packages(models_dir) == []
    assert installed_entries(models_dir) == []


def test_remove_unknown_package_says_what_is_installed(models_dir):
    with pytest.raises(PackageError, match="no package translate-xx_yy is installed.*models list"):
        remove_package(models_dir, "translate-xx_yy")


def test_same_code_is_refused_without_replace(models_dir, vi_en):
    install_file(models_dir, vi_en)
    newer = cached_package("vi", "en", VI_EN, version="1.1")

    with pytest.raises(PackageError) as refused:
        install_file(models_dir, newer)

    message = str(refused.value)
    assert "translate-vi_en 1.0 is already installed" in message
    assert "1.1" in message and "--replace" in message and "\n" not in message
    assert [p.version for p in list_packages(models_dir)] == ["1.0"]
    assert installed_entries(models_dir) == ["translate-vi_en"]


def test_replace_installs_the_new_version_in_place(models_dir, vi_en):
    install_file(models_dir, vi_en)
    newer = cached_package("vi", "en", VI_EN, version="1.1")

    package = install_file(models_dir, newer, replace=True)

    assert package.version == "1.1"
    assert list_packages(models_dir) == [package]
    assert installed_entries(models_dir) == ["translate-vi_en"]  # no staging left behind


# --- hostile and broken archives ---------------------------------------------


def rezip(source: Path, dest: Path, edit) -> Path:
    """Copy the archive source to dest, passing each (name, bytes) through edit.

    edit returns a list of (name, bytes) to write instead (empty to drop it).
    """
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w") as out:
        for info in src.infolist():
            for name, data in edit(info.filename, src.read(info)):
                out.writestr(name, data)
    return dest


def _not_a_zip(vi_en, dest):
    dest.write_bytes(b"PK but not really a zip file")
    return dest


def _two_top_folders(vi_en, dest):
    return rezip(vi_en, dest, lambda n, d: [(n, d), ("other/" + n.partition("/")[2], d)])


def _with_extra_entry(name):
    """An edit that adds the entry name (a template on the top folder) once."""

    def edit(n, d):
        extra = [(name.format(top=n.split("/")[0]), b"x")] if n.endswith("metadata.json") else []
        return [(n, d), *extra]

    return edit


def _parent_path(vi_en, dest):
    return rezip(vi_en, dest, _with_extra_entry("{top}/../../evil.txt"))


def _absolute_path(vi_en, dest):
    return rezip(vi_en, dest, _with_extra_entry("/tmp/evil.txt"))


def _symlink(vi_en, dest):
    rezip(vi_en, dest, lambda n, d: [(n, d)])
    with zipfile.ZipFile(dest, "a") as zf:
        top = zf.namelist()[0].split("/")[0]
        link = zipfile.ZipInfo(f"{top}/model/escape")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    return dest


def _missing_metadata(vi_en, dest):
    return rezip(vi_en, dest, lambda n, d: [] if n.endswith("metadata.json") else [(n, d)])


def _missing_model(vi_en, dest):
    return rezip(vi_en, dest, lambda n, d: [] if "/model/" in n else [(n, d)])


def _missing_tokenizer(vi_en, dest):
    return rezip(vi_en, dest, lambda n, d: [] if n.endswith("sentencepiece.model") else [(n, d)])


def _metadata_without_to_code(vi_en, dest):
    def edit(name, data):
        if name.endswith("metadata.json"):
            metadata = json.loads(data)
            del metadata["to_code"]
            data = json.dumps(metadata).encode()
        return [(name, data)]

    return rezip(vi_en, dest, edit)


def _file_at_top_level(vi_en, dest):
    return rezip(vi_en, dest, _with_extra_entry("README.md"))


@pytest.mark.parametrize(
    "make, reason",
    [
        (_not_a_zip, "not a zip archive"),
        (_two_top_folders, "exactly one top-level folder, found 2"),
        (_parent_path, "unsafe: it holds the path"),
        (_absolute_path, "unsafe: it holds the path '/tmp/evil.txt'"),
        (_symlink, "unsafe: it holds a symbolic link"),
        (_missing_metadata, "missing metadata.json"),
        (_missing_model, "missing model/model.bin"),
        (_missing_tokenizer, "missing sentencepiece.model or bpe.model"),
        (_metadata_without_to_code, "no valid to_code"),
        (_file_at_top_level, "outside its folder"),
    ],
)
def test_broken_or_hostile_archive_installs_nothing(tmp_path, models_dir, vi_en, make, reason):
    archive = make(vi_en, tmp_path / "bad.argosmodel")

    with pytest.raises(PackageError, match=reason) as refused:
        install_file(models_dir, archive)

    assert "\n" not in str(refused.value)
    assert installed_entries(models_dir) == []
    assert not (tmp_path / "evil.txt").exists()


def test_archive_over_the_size_cap_installs_nothing(models_dir, vi_en):
    with pytest.raises(PackageError, match="more than the limit of 1000"):
        install_file(models_dir, vi_en, max_bytes=1000)
    assert installed_entries(models_dir) == []


def test_damaged_member_installs_nothing(tmp_path, models_dir, vi_en):
    archive = rezip(vi_en, tmp_path / "damaged.argosmodel", lambda n, d: [(n, d)])  # stored, uncompressed
    with zipfile.ZipFile(archive) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith("model.bin"))
        data_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(archive.read_bytes())
    damaged[data_start + info.file_size // 2] ^= 0xFF
    archive.write_bytes(damaged)

    with pytest.raises(PackageError, match="damaged zip archive"):
        install_file(models_dir, archive)

    assert installed_entries(models_dir) == []


def test_failed_replace_keeps_the_old_package(tmp_path, models_dir, vi_en):
    install_file(models_dir, vi_en)
    broken = _missing_model(vi_en, tmp_path / "bad.argosmodel")

    with pytest.raises(PackageError):
        install_file(models_dir, broken, replace=True)

    assert [p.version for p in list_packages(models_dir)] == ["1.0"]


# --- find_route ----------------------------------------------------------------


def fake_package(models_dir: Path, from_code: str, to_code: str) -> None:
    """A package directory with only metadata.json: enough for routing."""
    path = models_dir / f"translate-{from_code}_{to_code}"
    path.mkdir(parents=True)
    (path / "metadata.json").write_text(json.dumps({"from_code": from_code, "to_code": to_code}))


def route_codes(route):
    return None if route is None else [p.code for p in route]


def test_find_route_prefers_direct_then_english_pivot(models_dir):
    for pair in ["vi-de", "de-fr", "vi-en", "en-fr", "vi-ar", "ar-fr", "fr-ja"]:
        fake_package(models_dir, *pair.split("-"))

    assert route_codes(find_route(models_dir, "vi", "en")) == ["translate-vi_en"]
    assert route_codes(find_route(models_dir, "vi", "fr")) == ["translate-vi_en", "translate-en_fr"]
    assert route_codes(find_route(models_dir, "de", "ja")) == ["translate-de_fr", "translate-fr_ja"]
    assert route_codes(find_route(models_dir, "vi", "ja")) == [
        "translate-vi_en",
        "translate-en_fr",
        "translate-fr_ja",
    ]
    assert find_route(models_dir, "fr", "vi") is None
    assert find_route(models_dir, "vi", "vi") == []


def test_find_route_without_english_uses_sorted_intermediates(models_dir):
    for pair in ["vi-de", "de-fr", "vi-ar", "ar-fr"]:
        fake_package(models_dir, *pair.split("-"))

    assert route_codes(find_route(models_dir, "vi", "fr")) == ["translate-vi_ar", "translate-ar_fr"]


# --- install_from_index ----------------------------------------------------------


@pytest.fixture
def package_server(vi_en):
    """A loopback HTTP server with an Argos-style index.json and one package."""
    files: dict[str, bytes] = {"/package.argosmodel": vi_en.read_bytes()}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_port}"
    files["/index.json"] = json.dumps(
        [
            {
                "from_code": "vi",
                "to_code": "en",
                "package_version": "0.9",
                "links": [f"{base}/package.argosmodel"],
            },
            {
                "from_code": "vi",
                "to_code": "en",
                "package_version": "1.0",
                # The first link fails; the installer moves on to the next.
                "links": [f"{base}/gone.argosmodel", f"{base}/package.argosmodel"],
            },
            {"from_code": "en", "to_code": "vi", "package_version": "1.0", "links": []},
        ]
    ).encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def test_install_from_index_downloads_newest_package(models_dir, package_server, vi_en):
    calls = []

    package = install_from_index(
        models_dir,
        "vi",
        "en",
        index_url=f"{package_server}/index.json",
        progress=lambda done, total: calls.append((done, total)),
    )

    assert (package.code, package.version) == ("translate-vi_en", "1.0")
    assert list_packages(models_dir) == [package]
    assert installed_entries(models_dir) == ["translate-vi_en"]  # the download was cleaned up
    size = vi_en.stat().st_size
    assert calls[0] == (0, size) and calls[-1] == (size, size)


def test_install_from_index_without_the_pair(models_dir, package_server):
    with pytest.raises(PackageError, match="has no vi→ja model"):
        install_from_index(models_dir, "vi", "ja", index_url=f"{package_server}/index.json")


def test_install_from_index_refuses_installed_pair_before_downloading(models_dir, package_server, vi_en):
    install_file(models_dir, vi_en)
    with pytest.raises(PackageError, match="already installed"):
        install_from_index(models_dir, "vi", "en", index_url=f"{package_server}/index.json")


def test_unreachable_index_fails_fast_with_offline_hint(models_dir):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PackageError) as refused:
        install_from_index(models_dir, "vi", "en", index_url=f"http://127.0.0.1:{port}/index.json", timeout=3)

    message = str(refused.value)
    assert message.startswith("cannot reach the Argos package index (http://127.0.0.1:")
    assert message.endswith("install a model file with `tracker models install FILE.argosmodel`")
    assert installed_entries(models_dir) == []


# --- configure_argos --------------------------------------------------------------


def test_configure_argos_points_argos_at_our_dirs(tmp_path, monkeypatch):
    monkeypatch.delitem(sys.modules, "argostranslate.settings", raising=False)

    configure_argos(tmp_path / "models", tmp_path / "cache")

    assert os.environ["ARGOS_PACKAGES_DIR"] == str(tmp_path / "models")
    assert os.environ["ARGOS_DEVICE_TYPE"] == "cpu"
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        assert Path(os.environ[name]).is_relative_to(tmp_path / "cache")
        assert Path(os.environ[name]).is_dir()


def test_configure_argos_after_argos_import_with_other_dir_fails(tmp_path, monkeypatch):
    # Stands in for argostranslate.settings as imported earlier with other settings.
    imported = types.SimpleNamespace(package_data_dir=tmp_path / "elsewhere")
    monkeypatch.setitem(sys.modules, "argostranslate.settings", imported)

    with pytest.raises(PackageError, match="already imported with models in .*elsewhere"):
        configure_argos(tmp_path / "models", tmp_path / "cache")

    imported.package_data_dir = tmp_path / "models"
    configure_argos(tmp_path / "models", tmp_path / "cache")  # same dir: fine


def test_default_index_offline_fails_fast(models_dir):
    # The test suite resolves no names beyond loopback, as on a machine without internet.
    with pytest.raises(PackageError, match=r"^cannot reach the Argos package index \(https://raw"):
        install_from_index(models_dir, "vi", "en")
