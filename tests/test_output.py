"""Where exports write (tracker/read/output.py): a regular file is replaced whole; a device, a FIFO
or standard output is written in place; a symbolic link is followed and stays; a full device is
one line and a failure. Devices are made in tmp_path, so no test can damage the machine's own
/dev/null or /dev/full, even on code that would replace them."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tracker.read.output import output_file

# (major, minor) of Linux's memory devices: /dev/null and /dev/full
DEVICES = {"null": (1, 3), "full": (1, 7)}
# Every command that writes a file through output_file; each writes something to it.
WRITERS = {
    "datasette-metadata": lambda path: ("datasette-metadata", "--database-name", "tracker", "-o", path),
    "export jsonl": lambda path: ("export", "jsonl", "-o", path),
    "export prov": lambda path: ("export", "prov", "-o", path),
    "export warc": lambda path: ("export", "warc", "-o", path),
    "report": lambda path: ("report", "1", "-o", path),
    "feed": lambda path: ("feed", "-o", path),
}
# The older spelling, FILE as the last argument, that scripts may still use.
POSITIONAL = {
    "datasette-metadata": lambda path: ("datasette-metadata", "--database-name", "tracker", path),
    "export jsonl": lambda path: ("export", "jsonl", path),
    "export prov": lambda path: ("export", "prov", path),
    "export warc": lambda path: ("export", "warc", path),
}


def commands(group, prefix=()):
    import click

    for name in group.list_commands(None):
        command = group.get_command(None, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name)), command


def test_every_command_that_writes_a_file_spells_it_dash_o_output():
    """Issue 26: `report` took -o and `datasette-metadata` refused it, for one idea."""
    from tracker.cli import cli

    spelled = {}
    for name, command in commands(cli):
        for parameter in command.params:
            if "--output" in parameter.opts or parameter.name in ("file", "output"):
                spelled.setdefault(name, set()).update(parameter.opts)
    assert set(spelled) == set(WRITERS), spelled
    assert all({"-o", "--output"} <= opts for opts in spelled.values()), spelled


@pytest.mark.parametrize("command", POSITIONAL)
def test_dash_o_and_the_older_positional_file_write_the_same(tracker, populated, tmp_path, command):
    new, old = tmp_path / "new", tmp_path / "old"
    assert tracker(*WRITERS[command](str(new))).exit_code == 0
    result = tracker(*POSITIONAL[command](str(old)))
    assert result.exit_code == 0, result.output
    assert new.stat().st_size > 0 and old.stat().st_size > 0
    if command in ("datasette-metadata", "export jsonl"):  # prov and WARC carry the time and record ids
        assert new.read_bytes() == old.read_bytes()
    both = tracker(*POSITIONAL[command](str(old))[:-1], str(old), "-o", str(new))
    assert both.exit_code == 2 and f"give the file to write once: -o {new}" in both.output


def test_a_command_that_must_write_a_file_asks_for_dash_o(tracker, populated):
    for args in (("export", "jsonl"), ("export", "warc")):
        result = tracker(*args)
        assert result.exit_code == 2 and "give the file to write: -o FILE (- for standard output)" in result.output


def device(folder: Path, name: str) -> Path:
    """A character device node in `folder` with the driver of /dev/NAME. Without root (or on a
    nodev mount) the machine's own /dev/NAME, which this user cannot replace anyway."""
    path = folder / name
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(*DEVICES[name]))
        with open(path, "wb"):
            pass  # a nodev mount makes the node but refuses to open it
        return path
    except OSError:
        path.unlink(missing_ok=True)
    if os.geteuid() == 0:
        pytest.skip("cannot make a device node in tmp_path, and as root /dev/" + name + " could be replaced")
    return Path("/dev") / name


def is_device(path: Path, name: str) -> bool:
    found = os.lstat(path)
    return stat.S_ISCHR(found.st_mode) and (os.major(found.st_rdev), os.minor(found.st_rdev)) == DEVICES[name]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


@pytest.mark.parametrize("command", WRITERS)
def test_a_device_is_written_in_place_and_never_replaced(tracker, populated, tmp_path, command):
    null = device(tmp_path, "null")
    result = tracker(*WRITERS[command](str(null)))
    assert result.exit_code == 0, result.output
    assert is_device(null, "null"), f"{command} replaced the device node with {os.lstat(null)}"
    assert is_device(Path("/dev/null"), "null")
    assert leftovers(null.parent) == []


@pytest.mark.parametrize("command", WRITERS)
def test_a_full_device_is_one_line_and_a_failure(tracker, populated, tmp_path, command):
    full = device(tmp_path, "full")
    result = tracker(*WRITERS[command](str(full)))
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-1] == f"tracker: cannot write {full}: No space left on device"
    assert "wrote" not in result.output and is_device(full, "full")


def test_a_fifo_is_written_in_place(tracker, project, tmp_path):
    fifo = tmp_path / "metadata.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = tracker("datasette-metadata", "--database-name", "tracker", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert "queries" in json.loads(received[0])["databases"]["tracker"]


def test_a_symbolic_link_is_followed_and_stays_a_link(tracker, project, tmp_path):
    """The file the link leads to is replaced whole (in its own folder, so the rename stays on
    one file system) and keeps its permissions; the link itself is untouched."""
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    target = tmp_path / "real" / "metadata.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "links" / "metadata.json"
    link.symlink_to("../real/metadata.json")
    dangling = tmp_path / "links" / "new.json"
    dangling.symlink_to("../real/new.json")
    for path in (link, dangling):
        result = tracker("datasette-metadata", "--database-name", "tracker", str(path))
        assert result.exit_code == 0, result.output
    assert os.readlink(link) == "../real/metadata.json" and os.readlink(dangling) == "../real/new.json"
    assert "queries" in json.loads(target.read_text(encoding="utf-8"))["databases"]["tracker"]
    assert json.loads((tmp_path / "real" / "new.json").read_text(encoding="utf-8")) == json.loads(target.read_text())
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path / "real") == leftovers(tmp_path / "links") == []


def test_a_link_loop_is_one_line_and_left_alone(tracker, project, tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    result = tracker("datasette-metadata", "--database-name", "tracker", str(tmp_path / "a"))
    assert result.exit_code == 1
    assert result.output == f"tracker: cannot write {tmp_path / 'a'}: Too many levels of symbolic links\n"
    assert os.readlink(tmp_path / "a") == "b" and os.readlink(tmp_path / "b") == "a"


def test_a_regular_file_is_replaced_whole_or_not_at_all_and_keeps_its_permissions(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o600)
    linked = tmp_path / "hard-link"
    os.link(path, linked)
    with pytest.raises(RuntimeError), output_file(path) as out:
        out.write("half")
        raise RuntimeError("the export failed")
    assert path.read_text(encoding="utf-8") == "old\n" and leftovers(tmp_path) == []
    with output_file(path) as out:
        out.write("new\n")
    assert path.read_text(encoding="utf-8") == "new\n" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert linked.read_text(encoding="utf-8") == "old\n"  # a new file was renamed in, not rewritten
    assert leftovers(tmp_path) == []


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "args",
    [
        ("datasette-metadata", "--database-name", "tracker", "-"),
        ("datasette-metadata", "--database-name", "tracker"),
        ("--help",),
    ],
)
def test_standard_output_on_a_full_device_is_one_line_and_a_failure(project, tmp_path, args):
    full = device(tmp_path, "full")
    with open(full, "wb") as stdout:
        done = subprocess.run(
            [sys.executable, "-m", "tracker", *args], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120
        )
    assert (done.returncode, done.stderr) == (1, "tracker: cannot write standard output: No space left on device\n")
