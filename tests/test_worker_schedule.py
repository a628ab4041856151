"""The workers' scheduling pass, the parts that need no database server."""

from __future__ import annotations

from tracker.workers import schedule


def test_a_worker_tries_a_missing_model_s_download_at_most_once_an_hour(monkeypatch):
    monkeypatch.setattr(schedule, "_last_done", {})
    start = 1_000.0
    assert schedule.download_due(("vi", "en"), now=start)
    assert not schedule.download_due(("vi", "en"), now=start + 5)  # the next pass, seconds later
    assert schedule.download_due(("th", "en"), now=start + 5)  # another pair is tried at once
    assert not schedule.download_due(("vi", "en"), now=start + schedule.DOWNLOAD_RETRY - 1)
    assert schedule.download_due(("vi", "en"), now=start + schedule.DOWNLOAD_RETRY)
