"""Alerts on `tracker run` (SQLite): a cited page changes so that a `supported` seed sentence
becomes `partial`, and a loopback webhook (apprise's json://) gets exactly one message saying so;
unchanged re-runs send nothing; a receiver that is down gets the alert on a later run; the
secrets of [alerts] urls show nowhere (issue 24)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.alert_pages import HEADER_SECRET, SECRET, SEED, Receiver, alert_url, page
from tests.http_server import serve


def _site(project: Path, monkeypatch, pages: dict, receiver: Receiver):
    """Serve the page and the receiver; the seed cites the page; alerts go to the receiver."""
    route = lambda _request: (200, {"Content-Type": "text/html; charset=utf-8"}, pages["body"])  # noqa: E731
    return serve({"/news": route, "/hook": receiver})


def _configure(project: Path, monkeypatch, base) -> None:
    monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
    monkeypatch.setenv("TRACKER_ALERTS_URLS", json.dumps([alert_url(base.port)]))
    monkeypatch.setenv("TRACKER_ALERTS_TIMEOUT", "3")
    (project / "seeds" / "budget.txt").write_text(SEED + f"Source: {base}/news\n", encoding="utf-8")


def test_a_supported_sentence_made_partial_by_a_change_is_one_message(tracker, project, monkeypatch):
    pages, receiver = {"body": page(3)}, Receiver()
    with _site(project, monkeypatch, pages, receiver) as base:
        _configure(project, monkeypatch, base)
        outputs = [tracker("run", "--all").output]
        assert receiver.messages == [], outputs  # the first capture is no change
        pages["body"] = page(5)
        outputs.append(tracker("run", "--all").output)
        outputs += [tracker("run", "--all").output for _ in range(2)]  # unchanged re-runs
        listed = tracker("alerts").output
        listed_json = tracker("alerts", "--json").output
    assert len(receiver.messages) == 1, (receiver.messages, outputs)
    message = receiver.messages[0]
    text = message["title"] + "\n" + message["message"]
    assert "budget.txt" in text and f"{base}/news" in text
    assert "The council approved a budget of 3 million euros for the harbour on Tuesday." in text
    assert "supported → partial" in text
    assert '"3 million' in text and '"5 million' in text, text  # the detail, and what the source says
    assert "alerts: 2 new; messages: 1 sent" in outputs[1], outputs[1]
    assert all("alerts:" not in output for output in outputs[2:])
    assert receiver.headers[0].get("x-token") == HEADER_SECRET  # apprise had the real URL
    assert "source_changed" in listed and "label_changed" in listed and "sent" in listed, listed
    kinds = sorted(json.loads(line)["kind"] for line in listed_json.splitlines())
    assert kinds == ["label_changed", "source_changed"]
    for shown in [*outputs, listed, listed_json]:
        assert SECRET not in shown and HEADER_SECRET not in shown
    stored = b"".join(p.read_bytes() for p in (project / "data").glob("tracker.db*"))
    assert SECRET.encode() not in stored and HEADER_SECRET.encode() not in stored


def test_a_receiver_down_gets_the_alert_on_a_later_run(tracker, project, monkeypatch):
    pages, receiver = {"body": page(3)}, Receiver()
    with _site(project, monkeypatch, pages, receiver) as base:
        _configure(project, monkeypatch, base)
        monkeypatch.setenv("TRACKER_ALERTS_RETRY_AFTER", "0.01")
        tracker("run", "--all")
        pages["body"] = page(5)
        receiver.status = 500
        down = tracker("run", "--all")
        assert down.exit_code == 0 and receiver.messages == []
        assert "messages: 0 sent, 1 not delivered" in down.output, down.output
        failed = tracker("alerts").output
        time.sleep(0.05)  # past the (tiny) retry_after: the next run tries again, and fails again
        down_json = tracker("run", "--all", "--json").output
        receiver.status = 200
        up = tracker("run", "--all").output
        again = tracker("run", "--all").output
    assert "failed" in failed and "1 attempt" in failed, failed
    assert len(receiver.messages) == 1 and "supported → partial" in receiver.messages[0]["message"]
    assert "messages: 1 sent" in up and "alerts:" not in again
    assert '"alerts_undelivered": 1' in down_json and '"event": "alerts_failed"' in down_json, down_json
    for shown in (down.output, failed, up, down_json):
        assert SECRET not in shown and HEADER_SECRET not in shown


def test_a_receiver_that_never_answers_costs_at_most_the_timeout(tracker, project, monkeypatch):
    import threading

    pages, hung = {"body": page(3)}, threading.Event()

    def silent(handler):  # reads the message, never answers
        hung.wait(30)
        return None

    with serve({"/news": lambda _r: (200, {"Content-Type": "text/html"}, pages["body"]), "/hook": silent}) as base:
        _configure(project, monkeypatch, base)
        monkeypatch.setenv("TRACKER_ALERTS_TIMEOUT", "1")
        tracker("run", "--all")
        pages["body"] = page(5)
        result = tracker("run", "--all")
        listed = tracker("alerts", "--json").output
        hung.set()
    assert result.exit_code == 0 and "1 not delivered" in result.output, result.output
    deliveries = [d for line in listed.splitlines() for d in json.loads(line)["deliveries"]]
    assert {d["state"] for d in deliveries} == {"failed"}


def test_alerts_test_sends_one_message(tracker, project, monkeypatch):
    receiver = Receiver()
    with serve({"/hook": receiver}) as base:
        monkeypatch.setenv("TRACKER_ALERTS_URLS", json.dumps([alert_url(base.port)]))
        result = tracker("alerts", "--test")
    assert result.exit_code == 0, result.output
    assert len(receiver.messages) == 1 and "test" in receiver.messages[0]["title"]
    assert SECRET not in result.output and f"json://127.0.0.1:{base.port}/…" in result.output


def test_alerts_test_with_nothing_configured_says_so(tracker, project):
    result = tracker("alerts", "--test")
    assert result.exit_code == 1 and "[alerts] urls" in result.output and result.output.count("\n") == 1


def test_a_bad_alert_url_is_one_line_without_the_value(tracker, project, monkeypatch):
    monkeypatch.setenv("TRACKER_ALERTS_URLS", json.dumps([f"not a url {SECRET}"]))
    result = tracker("alerts")
    assert result.exit_code == 2 and result.output.count("\n") == 1 and SECRET not in result.output


def test_an_upgrade_marks_what_was_there_looked_at(tmp_path):
    """0019 marks the align activities, originals and gone sources already recorded as looked
    at, so an upgraded database does not alert on its history; and it goes back down cleanly."""
    import sqlite3

    from alembic import command

    from tracker.store.db import alembic_config, open_database

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0016")
    with sqlite3.connect(tmp_path / "old.db") as db:
        db.execute(
            "INSERT INTO sources (id, url, normalized_url, host, state, failures, first_cited_at, changes) "
            "VALUES (1, 'http://a.example/', 'http://a.example/', 'a.example', 'retired', 1, '2026-01-01', 0)"
        )
        db.execute(
            "INSERT INTO activities (id, kind, status, software, parameters, started_at) "
            "VALUES (7, 'align', 'ok', '{}', '{}', '2026-01-01')"
        )
    open_database(url).dispose()
    with sqlite3.connect(tmp_path / "old.db") as db:
        checks = set(db.execute("SELECT subject, item_id FROM alert_checks").fetchall())
    assert checks == {("align", 7), ("gone", 1)}
    command.downgrade(alembic_config(url), "0016")
    with sqlite3.connect(tmp_path / "old.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert not tables & {"alerts", "alert_deliveries", "alert_checks"}


def test_the_feed_parses_and_holds_the_events_written_and_served(tracker, project, monkeypatch):
    import feedparser
    import httpx

    from tests.browser import serving
    from tracker.read.server import create_app
    from tracker.read.sql import read_only_engine

    pages, receiver = {"body": page(3)}, Receiver()
    with _site(project, monkeypatch, pages, receiver) as base:
        _configure(project, monkeypatch, base)
        tracker("run", "--all")
        pages["body"] = page(5)
        tracker("run", "--all")
    written = tracker("feed", "-o", str(project / "feed.atom"), "--base-url", "http://tracker.lan:8000")
    assert written.exit_code == 0, written.output
    parsed = feedparser.parse((project / "feed.atom").read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10" and len(parsed.entries) == 2
    kinds = sorted(entry.tags[0].term for entry in parsed.entries)
    assert kinds == ["label_changed", "source_changed"]
    changed = next(e for e in parsed.entries if e.tags[0].term == "source_changed")
    assert changed.link == "http://tracker.lan:8000/seed/1"
    assert any(link.href == "http://tracker.lan:8000/source/1" for link in changed.links)
    assert "supported → partial" in changed.content[0].value and "budget.txt" in changed.title
    only_seed = tracker("feed", "--seed", "budget.txt").output
    assert len(feedparser.parse(only_seed).entries) == 2
    assert SECRET not in (project / "feed.atom").read_text()

    engine = read_only_engine(f"sqlite:///{project / 'data' / 'tracker.db'}")
    try:
        with serving(create_app(engine)) as served, httpx.Client(base_url=served) as client:
            whole, one = client.get("/feed.atom"), client.get("/seeds/1/feed.atom")
            missing = client.get("/seeds/99/feed.atom")
            refused = client.get("/feed.atom", headers={"Host": "evil.example"})
    finally:
        engine.dispose()
    assert whole.status_code == 200 and whole.headers["content-type"].startswith("application/atom+xml")
    assert whole.headers["x-content-type-options"] == "nosniff"
    entries = feedparser.parse(whole.content).entries
    assert len(entries) == 2 and entries[0].link == f"{served.rstrip('/')}/seed/1"
    assert len(feedparser.parse(one.content).entries) == 2
    assert missing.status_code == 404 and refused.status_code == 400


@pytest.mark.parametrize("status, why", [(410, "retired"), (500, "failed 2 times in a row")])
def test_a_cited_source_that_goes_is_one_alert(tracker, project, monkeypatch, status, why):
    monkeypatch.setenv("TRACKER_ALERTS_GONE_AFTER", "2")
    pages, receiver = {"status": 200}, Receiver()

    def route(_request):
        return pages["status"], {"Content-Type": "text/html; charset=utf-8"}, page(3)

    with serve({"/news": route, "/hook": receiver}) as base:
        _configure(project, monkeypatch, base)
        tracker("run", "--all")
        pages["status"] = status  # 410: retired at once; 500: gone after [alerts] gone_after failures
        outputs = [tracker("run", "--all").output for _ in range(3)]
    assert len(receiver.messages) == 1, (receiver.messages, outputs)
    message = receiver.messages[0]["message"]
    assert f"source gone: {base}/news (cited by budget.txt)" in message and why in message
    assert "no archived copy used" in message
    assert ("alerts:" in outputs[0]) == (status == 410)  # a failing source is gone at its 2nd failure only


def test_only_the_kinds_in_events_are_sent_all_are_recorded(tracker, project, monkeypatch):
    pages, receiver = {"body": page(3)}, Receiver()
    with _site(project, monkeypatch, pages, receiver) as base:
        _configure(project, monkeypatch, base)
        monkeypatch.setenv("TRACKER_ALERTS_EVENTS", "source_gone")
        tracker("run", "--all")
        pages["body"] = page(5)
        tracker("run", "--all")
        listed = tracker("alerts").output
    assert receiver.messages == []
    assert listed.count("not sent: its kind is not in [alerts] events") == 2, listed


def test_a_retranslation_that_changes_a_label_is_a_label_changed_alert(tracker, project, monkeypatch):
    """A label changed for another reason than the source: a new model's translation."""
    from tests.tiny_argos import cached_package
    from tests.vi_article import GLOSSARY
    from tests.vi_article import PAGE as VI_PAGE

    receiver = Receiver()
    body = VI_PAGE.read_bytes()
    with serve({"/vi": (200, {"Content-Type": "text/html; charset=utf-8"}, body), "/hook": receiver}) as base:
        _configure(project, monkeypatch, base)
        (project / "seeds" / "budget.txt").write_text(
            f"The Kremlin said Russia supports the unity of Syria.\nSource: {base}/vi\n", encoding="utf-8"
        )
        assert tracker("models", "install", str(cached_package("vi", "en", GLOSSARY))).exit_code == 0
        first = tracker("run").output
        assert receiver.messages == [], first
        v2 = cached_package("vi", "en", {**GLOSSARY, "Nga": "Ukraine"}, "2.0")
        assert tracker("models", "install", str(v2), "--replace").exit_code == 0
        assert tracker("retranslate", "--package", "translate-vi_en", "--before-version", "2.0").exit_code == 0
        second = tracker("run").output
        listed = tracker("alerts", "--json").output
    assert len(receiver.messages) == 1, (first, second)
    message = receiver.messages[0]["message"]
    assert "label changed" in message and "because a new translation" in message, message
    assert '"The Kremlin said Russia supports the unity of Syria.": supported → partial' in message, message
    assert [json.loads(line)["kind"] for line in listed.splitlines()] == ["label_changed"]
