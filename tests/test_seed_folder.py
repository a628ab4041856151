"""The seeds folder: links out of it are not followed, whatever is passed over is reported, seeds
over `[seeds] max_bytes` are refused, text that is not UTF-8 is decoded or reported, and
control characters in file names never reach the terminal raw."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tracker.seeds.folder import scan_seeds_folder
from tracker.terminal import shown

SEED = "Russia supports the unity of Syria, the Kremlin said on Thursday.\n"


def _seed_texts(project: Path) -> dict[str, str]:
    connection = sqlite3.connect(project / "data" / "tracker.db")
    try:
        return dict(connection.execute("SELECT path, text FROM seeds"))
    finally:
        connection.close()


def test_links_out_of_the_folder_are_not_followed_and_every_skip_is_reported(project, tracker, tmp_path):
    seeds = project / "seeds"
    (seeds / "ok.txt").write_text(SEED, encoding="utf-8")
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:the secret text\n", encoding="utf-8")
    (seeds / "passwd.txt").symlink_to(secret)
    (seeds / "etc").symlink_to(secret.parent)
    (seeds / "inside.txt").symlink_to(seeds / "ok.txt")
    (seeds / "dangling.txt").symlink_to(seeds / "gone.txt")
    (seeds / "loop.txt").symlink_to(seeds / "loop.txt")
    os.mkfifo(seeds / "pipe.txt")

    result = tracker("run")
    assert result.exit_code == 0, result.output
    texts = _seed_texts(project)
    assert set(texts) == {"ok.txt", "inside.txt"}
    assert not any("secret" in text for text in texts.values())
    out = result.output
    assert f"seed passwd.txt: a link out of the seeds folder (to {secret}): not followed" in out
    assert f"seed etc: a link out of the seeds folder (to {secret.parent}): not followed" in out
    assert "seed dangling.txt: a link to" in out and "which does not exist: skipped" in out
    assert "seed loop.txt: a link loop: skipped" in out
    assert "seed pipe.txt: a FIFO, not a regular file: skipped" in out


def test_an_unreadable_folder_is_reported(tmp_path):
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions would not apply")
    home = Path(tempfile.mkdtemp(prefix="tracker-seeds-"))
    try:
        home.chmod(0o755)
        (home / "seeds" / "locked").mkdir(parents=True)
        (home / "seeds" / "ok.txt").write_text(SEED, encoding="utf-8")
        (home / "seeds" / "locked" / "hidden.txt").write_text(SEED, encoding="utf-8")
        (home / "seeds").chmod(0o755)
        (home / "seeds" / "locked").chmod(0o000)
        code = (
            "import sys; from pathlib import Path; from tracker.seeds.folder import scan_seeds_folder; "
            "f = scan_seeds_folder(Path(sys.argv[1])); print([p.name for p in f.files]); print(f.skipped)"
        )
        command = [sys.executable, "-c", code, str(home / "seeds")]
        if os.geteuid() == 0:
            command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
        out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout
        assert "['ok.txt']" in out
        assert "('locked', 'cannot read this folder (Permission denied)')" in out
        (home / "seeds").chmod(0o311)  # the seeds folder itself: searchable, not listable
        out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout
        assert f"('{home / 'seeds'}', 'cannot read this folder (Permission denied)')" in out
    finally:
        (home / "seeds").chmod(0o755)
        (home / "seeds" / "locked").chmod(0o755)
        shutil.rmtree(home)


def test_a_seed_over_max_bytes_is_skipped_with_a_clear_line(project, tracker, monkeypatch):
    (project / "seeds" / "small.txt").write_text(SEED, encoding="utf-8")
    (project / "seeds" / "big.txt").write_text(SEED * 10, encoding="utf-8")
    monkeypatch.setenv("TRACKER_SEEDS_MAX_BYTES", "200")
    result = tracker("run")
    assert result.exit_code == 0
    assert "seed big.txt: 660 bytes is over [seeds] max_bytes (200): split the file or raise the limit" in result.output
    assert set(_seed_texts(project)) == {"small.txt"}


def test_the_default_limit_is_documented():
    from tracker.config import options

    (setting,) = [o for o in options() if (o.section, o.key) == ("seeds", "max_bytes")]
    assert setting.default == 10_000_000
    assert "max_bytes = 10000000" in (Path(__file__).parent.parent / "config.toml").read_text(encoding="utf-8")


def test_a_windows_1252_seed_is_decoded_and_the_guess_reported(project, tracker):
    (project / "seeds" / "cafe.txt").write_bytes("Café au lait was served, the Kremlin said.\n".encode("cp1252"))
    result = tracker("run")
    assert _seed_texts(project)["cafe.txt"].startswith("Café au lait")
    assert "seed cafe.txt: not UTF-8, read as cp1252 (save it as UTF-8 to be sure)" in result.output


def test_a_seed_whose_encoding_cannot_be_told_is_refused_not_garbled(tmp_path):
    from tracker.seeds.encoding import guess_encoding
    from tracker.seeds.files import SeedError

    # Bytes that are undefined in Windows-1252 (0x81, 0x8d) and read as several Cyrillic pages.
    data = "Это была хорошая новость для всех.".encode("cp1251").replace(b" ", b"\x81 ")
    try:
        text, encoding = guess_encoding(data, tmp_path / "x.txt")
    except SeedError as error:
        assert "not UTF-8" in str(error) and "save it as UTF-8" in str(error)
    else:  # decoded: then it must be the one reading that round-trips
        assert text.encode(encoding) == data


def test_control_characters_in_seed_file_names_are_escaped(project, tracker):
    name = "evil\n\x1b[31mred.txt"
    (project / "seeds" / name).write_text("", encoding="utf-8")  # empty: reported with its name
    result = tracker("run")
    assert "seed evil\\n\\x1b[31mred.txt: " in result.output
    assert "\x1b" not in result.output
    assert shown("a\tb") == "a\\tb"


def test_scan_keeps_links_to_files_inside(tmp_path):
    (tmp_path / "a.txt").write_text(SEED, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").symlink_to(tmp_path / "a.txt")
    folder = scan_seeds_folder(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in folder.files] == ["a.txt", "sub/b.md"]
    assert folder.skipped == []


def test_lookup_escapes_control_characters_in_seed_file_names(project, tracker):
    (project / "seeds" / "evil\nname\x1b[2J.txt").write_text(
        "The Kremlin said so.\nSource: http://127.0.0.1:1/x\n", encoding="utf-8"
    )
    assert tracker("run").exit_code == 0
    result = tracker("lookup", "http://127.0.0.1:1/x")
    assert result.exit_code == 0, result.output
    assert "seed 1 evil\\nname\\x1b[2J.txt (revision 1)" in result.output
    assert "\x1b" not in result.output
