"""The workers' scheduling pass, the parts that need no database server."""

from __future__ import annotations

from tracker.workers import schedule


def test_a_worker_tries_a_missing_model_s_download_at_most_once_an_hour():
    timers = schedule.Timers()
    start = 1_000.0
    assert timers.download_due(("vi", "en"), now=start)
    assert not timers.download_due(("vi", "en"), now=start + 5)  # the next pass, seconds later
    assert timers.download_due(("th", "en"), now=start + 5)  # another pair is tried at once
    assert not timers.download_due(("vi", "en"), now=start + schedule.DOWNLOAD_RETRY - 1)
    assert timers.download_due(("vi", "en"), now=start + schedule.DOWNLOAD_RETRY)


def test_two_workers_in_one_process_keep_their_own_timers():
    first, second = schedule.Timers(), schedule.Timers()
    assert first.once_per(("prune",), schedule.PRUNE_EVERY, now=10.0)
    assert second.once_per(("prune",), schedule.PRUNE_EVERY, now=10.0)  # not blocked by the first
