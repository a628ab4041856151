"""Alerts on PostgreSQL: two `tracker worker` processes share the work of a changed page, and
the webhook still gets exactly one message (the event's unique key, the stage's advisory lock)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.alert_pages import HEADER_SECRET, SECRET, SEED, Receiver, alert_url, page
from tests.http_server import serve

pytestmark = pytest.mark.postgres


def _workers(project: Path, count: int) -> list[str]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tracker", "worker", "--until-idle", "--concurrency", "2"],
            cwd=project,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(count)
    ]
    outputs = []
    for proc in procs:
        try:
            out, _ = proc.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        assert proc.returncode == 0, out
        outputs.append(out)
    return outputs


def _sql(url: str, statement: str) -> list:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement))
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()


def test_two_workers_send_one_message(tmp_path, postgres_url, monkeypatch):
    pages, receiver = {"body": page(3)}, Receiver()
    route = lambda _request: (200, {"Content-Type": "text/html; charset=utf-8"}, pages["body"])  # noqa: E731
    with serve({"/news": route, "/hook": receiver}) as base:
        (tmp_path / "seeds").mkdir()
        (tmp_path / "config.toml").write_text(
            f'[fetch]\nallow_private = ["127.0.0.1"]\nallow_ports = [{base.port}]\n'
            "deadline = 5.0\nmax_retries = 0\nbackoff = 0.01\nhost_delay = 0.0\n"
            "[translation]\nauto_install = false\n",
            encoding="utf-8",
        )
        (tmp_path / "seeds" / "budget.txt").write_text(SEED + f"Source: {base}/news\n", encoding="utf-8")
        monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "config.toml"))
        monkeypatch.setenv("TRACKER_DATABASE_URL", postgres_url)
        monkeypatch.setenv("TRACKER_ALERTS_URLS", json.dumps([alert_url(base.port)]))
        first = _workers(tmp_path, 2)
        assert receiver.messages == [], first
        pages["body"] = page(5)
        _sql(postgres_url, "UPDATE sources SET next_fetch_at = now() - interval '1 minute'")
        second = _workers(tmp_path, 2)
        _sql(postgres_url, "UPDATE sources SET next_fetch_at = now() - interval '1 minute'")
        third = _workers(tmp_path, 2)  # unchanged: nothing more
    assert len(receiver.messages) == 1, (receiver.messages, second)
    message = receiver.messages[0]["message"]
    assert "budget.txt" in message and "supported → partial" in message and '"5 million' in message
    kinds = sorted(kind for (kind,) in _sql(postgres_url, "SELECT kind FROM alerts"))
    assert kinds == ["label_changed", "source_changed"]
    sent = _sql(postgres_url, "SELECT count(*) FROM alert_deliveries WHERE sent_at IS NOT NULL")[0][0]
    assert sent == 2  # each alert once, to the one destination
    dumped = json.dumps(
        [
            [list(map(str, row)) for row in _sql(postgres_url, f"SELECT * FROM {table}")]
            for table in ("alerts", "alert_deliveries")
        ]
    )
    for shown in [*first, *second, *third, dumped]:
        assert SECRET not in shown and HEADER_SECRET not in shown
