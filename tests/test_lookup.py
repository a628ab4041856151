"""`tracker lookup` over time (--at, --versions), and every database query a lookup makes uses
an index: no full scan of a table, whatever the database's size."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import event
from sqlmodel import Session

from tracker.read.lookup import find_source, lookup, parse_date, version_history, version_in_force
from tracker.store.db import open_database
from tracker.store.reader import open_reader


def captures(populated) -> list[str]:
    """captured_at of the two originals, oldest first."""
    with sqlite3.connect(populated.database) as connection:
        return [r[0] for r in connection.execute("SELECT created_at FROM versions WHERE kind = 'original' ORDER BY id")]


def test_lookup_at_a_date_shows_the_version_in_force_then(tracker, populated):
    first, second = captures(populated)
    between = first.replace(" ", "T") + "1"  # a microsecond digit later: after #1, before #2
    found = json.loads(tracker("lookup", populated.url, "--json", "--at", between).output)
    assert found["at"]["captured"] == "before"
    original = found["versions"][0]
    assert original["id"] == found["at"]["version_id"] and original["text"].endswith("hôm nay đẹp.")
    assert [v["kind"] for v in found["versions"]] == ["original", "translated"]
    assert {e["parent_id"] for e in found["excerpts"]} == {found["versions"][1]["id"]}

    now = json.loads(tracker("lookup", populated.url, "--json", "--at", "2999-01-01").output)
    assert now["versions"][0]["text"].endswith("hôm nay không đẹp.")

    early = tracker("lookup", populated.url, "--at", "2000-01-01")
    assert early.exit_code == 0
    assert "nothing captured before; the first capture is" in early.output


def test_lookup_versions_lists_the_history(tracker, populated):
    result = tracker("lookup", populated.url, "--versions")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "(matched as cited)" in lines[0]
    originals = [line for line in lines if " original " in line]
    assert len(originals) == 2 and "superseded" in originals[0] and "superseded" not in originals[1]
    history = json.loads(tracker("lookup", populated.url, "--versions", "--json").output)["versions"]
    assert [v["kind"] for v in history].count("translated") == 2
    canonical = tracker("lookup", "https://bao.example/bai-viet.htm", "--versions")
    assert "(matched as canonical)" in canonical.output


def test_a_bad_date_is_one_clear_line(tracker, populated):
    result = tracker("lookup", populated.url, "--at", "last tuesday")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "tracker: not a date: 'last tuesday' (use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM])"
    )


def test_parse_date_reads_a_bare_date_as_the_end_of_that_day():
    assert parse_date("2025-02-13").isoformat() == "2025-02-13T23:59:59.999999+00:00"
    assert parse_date("2025-02-13T10:00+07:00").utcoffset().total_seconds() == 7 * 3600


def query_plans(engine, work) -> dict[str, list[str]]:
    """Run `work`, then EXPLAIN QUERY PLAN every SELECT it made: {sql: plan lines}."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    plans = {}
    raw = engine.raw_connection()
    try:
        for statement, parameters in statements:
            rows = raw.cursor().execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            plans[statement] = [row[-1] for row in rows]
    finally:
        raw.close()
    return plans


def sqlite3_query_plans(database_url: str, work) -> dict[str, list[str]]:
    """The same through the sqlite3 connection `tracker lookup` reads with: `work(reader)`, then
    EXPLAIN QUERY PLAN every SELECT it ran (as SQLite traced it, its parameters filled in)."""
    statements = []
    with open_reader(database_url) as reader:
        connection = reader.connection
        connection.set_trace_callback(statements.append)
        work(reader)
        connection.set_trace_callback(None)
        return {
            statement: [row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + statement)]
            for statement in statements
            if statement.lstrip().upper().startswith("SELECT")
        }


@pytest.mark.parametrize("via", ["session", "sqlite3"])
@pytest.mark.parametrize("how", ["cited", "normalized", "canonical", "unknown", "at", "versions"])
def test_every_lookup_query_uses_an_index(populated, how, via):
    engine = open_database(f"sqlite:///{populated.database}")
    url = {
        "cited": populated.url,
        "normalized": populated.url.replace("http://", "HTTP://") + "#top",
        "canonical": "https://bao.example/bai-viet.htm",
        "unknown": "https://nowhere.example/x",
        "at": populated.url,
        "versions": populated.url,
    }[how]

    def work(reader):
        if how == "versions":
            source, _ = find_source(reader, url)
            version_history(reader, source.id)
            version_in_force(reader, source.id, parse_date("2000-01-01"))
        else:
            lookup(reader, url, at=parse_date("2999-01-01") if how == "at" else None)

    def in_a_session():
        with Session(engine) as session:
            work(session)

    if via == "session":
        plans = query_plans(engine, in_a_session)
    else:
        plans = sqlite3_query_plans(f"sqlite:///{populated.database}", work)
    engine.dispose()
    assert plans, "no queries were captured"
    for statement, plan in plans.items():
        scans = [line for line in plan if line.startswith("SCAN") and "INDEX" not in line]
        assert not scans, f"full scan {scans} in:\n{statement}"
    if how == "unknown":  # every way of matching was tried, the redirect chain included
        assert any("fetch_attempts" in s for s in plans)


def test_lookup_shows_what_each_citing_seed_attributes_and_to_whom(tracker, populated):
    found = json.loads(tracker("lookup", populated.url, "--json").output)
    attributions = {seed["path"]: seed["attributions"] for seed in found["seeds"]}
    (afp,) = attributions["later_seed.txt"]
    assert (afp["source"], afp["name"], afp["source_kind"], afp["cue"], afp["cue_kind"]) == (
        "AFP",
        "AFP",
        "named",
        "according to",
        "according to",
    )
    assert afp["content"] == "Both sides discussed trade and education"
    text = tracker("lookup", populated.url).output
    assert "attributes to the Kremlin [said: speech verb]" in text
