"""Volatile lines (tracker.originals.volatile): a page whose only change is a ticking "Updated N
minutes ago", a counter or a ticker gets no new version; a real change still does (issue 26)."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import Session, select

from tests.http_server import serve
from tests.pages import article_text
from tracker.config import load_settings
from tracker.originals.volatile import comparison_text, is_volatile
from tracker.store.db import open_database
from tracker.store.tables import Activity, Source, Version

BODY = [
    "The council approved the harbour budget on Tuesday after a long debate about the river bridge.",
    "Officials said the railway works would begin next spring and last two years.",
] + article_text(7).split(". ")


def page(stamp: str, sentences: list[str] = BODY, lang: str = "en") -> bytes:
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in sentences)
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>Harbour budget</title></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Harbour budget approved</h1>"
        f"<p>{stamp}</p>{paragraphs}</article><footer>Copyright</footer></body></html>"
    ).encode()


def fetch_twice(tracker, project, monkeypatch, first: bytes, second: bytes) -> tuple[list[str], list[Version], int]:
    """Serve `first`, run `tracker run --all`, serve `second`, run again: the two run outputs,
    the original versions stored and the changes the schedule counted."""
    current = {"body": first}
    route = lambda _request: (200, {"Content-Type": "text/html; charset=utf-8"}, current["body"])  # noqa: E731
    with serve({"/news": route}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        (project / "seeds" / "s.txt").write_text(f"Source: {base}/news\n")
        outputs = [tracker("run", "--all").output]
        current["body"] = second
        outputs.append(tracker("run", "--all").output)
    engine = open_database(load_settings().database.url)
    with Session(engine) as session:
        source = session.exec(select(Source)).one()
        versions = session.exec(select(Version).where(Version.source_id == source.id, Version.kind == "original")).all()
        changes = source.changes
        session.expunge_all()
    engine.dispose()
    return outputs, versions, changes


@pytest.mark.parametrize(
    "before, after",
    [
        ("Updated 3 minutes ago", "Updated 5 minutes ago"),
        ("Cập nhật 10:32", "Cập nhật 10:47"),
        ("1,234 views · 12 comments", "1,301 views · 14 comments"),
        ("Most read now: Minister resigns", "Most read now: Storm closes the port"),
        ("منذ 3 دقائق", "منذ 5 دقائق"),
    ],
)
def test_a_change_confined_to_a_volatile_line_is_unchanged(tracker, project, monkeypatch, before, after):
    outputs, versions, changes = fetch_twice(tracker, project, monkeypatch, page(before), page(after))
    assert "fetched 1, unchanged 0" in outputs[0]
    assert "fetched 0, unchanged 1" in outputs[1]
    assert len(versions) == 1 and changes == 0  # the schedule saw no change either
    assert before in versions[0].text  # the stored text stays as extracted, stamp and all


def test_a_real_sentence_change_is_a_new_version(tracker, project, monkeypatch):
    changed = [BODY[0].replace("Tuesday", "Wednesday"), *BODY[1:]]
    outputs, versions, changes = fetch_twice(
        tracker, project, monkeypatch, page("Updated 3 minutes ago"), page("Updated 5 minutes ago", changed)
    )
    assert "fetched 1, unchanged 0" in outputs[1]
    assert len(versions) == 2 and "Wednesday" in versions[1].text and changes == 1
    # The sentence-level difference is on the new version's extract activity: one sentence
    # changed, none added or removed, the ticking stamp not counted.
    engine = open_database(load_settings().database.url)
    with Session(engine) as session:
        made = [json.loads(session.get(Activity, v.activity_id).parameters) for v in versions]
    engine.dispose()
    assert made[0]["sentence_changes"] is None  # the first capture
    counts = made[1]["sentence_changes"]
    assert (counts["added"], counts["removed"], counts["changed"]) == (0, 0, 1)
    assert counts["kept"] >= len(BODY) - 1


def test_a_sentence_that_mentions_minutes_ago_is_kept(tracker, project, monkeypatch):
    sentence = "The minister resigned 20 minutes ago, officials told reporters outside the council."
    later = sentence.replace("20 minutes", "25 minutes")
    outputs, versions, changes = fetch_twice(
        tracker,
        project,
        monkeypatch,
        page("Updated 3 minutes ago", [sentence, *BODY]),
        page("Updated 3 minutes ago", [later, *BODY]),
    )
    assert "fetched 1, unchanged 0" in outputs[1]
    assert len(versions) == 2
    assert not is_volatile(sentence)


@pytest.mark.parametrize(
    "line",
    [
        "Updated 3 minutes ago",
        "Last updated: 2 December 2026, 10:32 GMT",
        "1,234 views",
        "12 comments",
        "Most read now: Minister resigns",
        "Cập nhật 10:32",
        "10 phút trước",
        "2 giờ trước",
        "Lượt xem: 1.234",
        "منذ 5 دقائق",
        "آخر تحديث: منذ 5 دقائق",
        "обновлено 5 минут назад",
        "5 минут назад",
        "il y a 5 minutes",
        "Mis à jour le 2 décembre 2026 à 10h32",
        "hace 5 minutos",
        "Actualizado el 2 de diciembre de 2026",
        "vor 5 Minuten",
        "Aktualisiert am 02.12.2026, 10:32 Uhr",
        "just now",
    ],
)
def test_stamps_and_counters_are_volatile(line):
    assert is_volatile(line)
    assert comparison_text(f"Before.\n{line}\nAfter.") == "Before.\nAfter."


@pytest.mark.parametrize(
    "line",
    [
        "The council met 3 minutes ago and voted.",
        "Officials said the vote came minutes ago, after a long debate.",
        "Updated: the minister resigned after the vote",
        "Published by Reuters",
        "Standard procedure applies",
        "Most readers agree with the plan.",
        "Вчера министр ушёл в отставку 5 минут назад.",
        "Il y a 5 minutes, le ministre a démissionné.",
        "Updated 3 minutes ago " + "and more words " * 10,  # too long to be a stamp
    ],
)
def test_prose_is_not_volatile(line):
    assert not is_volatile(line)


@pytest.mark.parametrize("unit", ["1", "a ", "Updated ", "1 minute ", ":"])
def test_a_long_line_costs_its_length(unit):
    text = "\n".join([unit * (100_000 // len(unit))] + ["Updated " + unit * (110 // len(unit))] * 10_000)
    started = time.process_time()
    comparison_text(text)
    assert time.process_time() - started < 60.0  # CPU seconds: a hang guard (linear: ~0.3 s, quadratic: hours)


def test_ten_runs_of_a_ticking_page_leave_one_version(tracker, project, monkeypatch):
    """The issue's case: only the stamp, a ticker and a view counter change on every fetch."""
    fetches = {"n": 0}

    def route(_request):
        fetches["n"] += 1
        n = fetches["n"]
        chrome = f"Updated {n} minutes ago</p><p>Most read now: Story {n}</p><p>{1000 + n} views"
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page(chrome)

    with serve({"/news": route}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        (project / "seeds" / "s.txt").write_text(f"Source: {base}/news\n")
        outputs = [tracker("run", "--all").output for _ in range(10)]
        shown = tracker("lookup", f"{base}/news").output
    assert fetches["n"] == 10
    assert "fetched 1, unchanged 0" in outputs[0]
    assert all("fetched 0, unchanged 1" in output for output in outputs[1:])
    assert shown.count(" 200 (new)") == 1 and shown.count(" 200 (unchanged)") == 9, shown
    assert shown.count(" original ") == 1, shown
    engine = open_database(load_settings().database.url)
    with Session(engine) as session:
        versions = session.exec(select(Version).where(Version.kind == "original")).all()
        assert len(versions) == 1 and session.exec(select(Source)).one().changes == 0
    engine.dispose()


def test_ignore_patterns_adds_patterns(tracker, project, monkeypatch):
    monkeypatch.setenv("TRACKER_FETCH_IGNORE_PATTERNS", json.dumps([r"^Live score: \d+-\d+$"]))
    outputs, versions, changes = fetch_twice(
        tracker, project, monkeypatch, page("Live score: 1-0"), page("Live score: 2-0")
    )
    assert "fetched 0, unchanged 1" in outputs[1]
    assert len(versions) == 1 and changes == 0


def test_the_first_name_of_ignore_patterns_still_reads(tmp_path):
    (tmp_path / "c.toml").write_text("[originals]\nignore_lines = ['^Live score']\n", encoding="utf-8")
    assert load_settings(tmp_path / "c.toml").originals.ignore_patterns == ("^Live score",)


def test_a_bad_ignore_patterns_entry_is_one_line_at_start(tmp_path, tracker):
    (tmp_path / "c.toml").write_text("[fetch]\nignore_patterns = ['Updated (']\n", encoding="utf-8")
    result = tracker("--config", str(tmp_path / "c.toml"), "sources")
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "'Updated (' is not a regular expression" in result.output
