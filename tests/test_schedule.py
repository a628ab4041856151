from datetime import timedelta

import pytest

from tracker.config import load_settings
from tracker.fetch.schedule import MAX_RETRY_DELAY, plan_next_fetch
from tracker.store.tables import Source, utcnow

NOW = utcnow()


@pytest.fixture
def settings(tmp_path):
    return load_settings(None, environ={"TRACKER_DATA_DIR": str(tmp_path)}).schedule


def plan(source, state, settings, status=None, error_kind=None, error=None):
    plan_next_fetch(source, state, status=status, error_kind=error_kind, error=error, now=NOW, settings=settings)
    return source


def test_unchanged_backs_off_to_the_cap_and_a_change_resets(settings):
    source = plan(Source(url="u", normalized_url="u", host="h"), "new", settings)
    intervals = [source.check_interval]
    for _ in range(12):
        intervals.append(plan(source, "unchanged", settings).check_interval)
    assert intervals[:3] == [
        settings.min_interval,
        2 * settings.min_interval,
        4 * settings.min_interval,
    ]
    assert intervals[-1] == settings.max_interval and max(intervals) == settings.max_interval
    plan(source, "changed", settings)
    assert source.check_interval == settings.min_interval and source.changes == 1
    assert source.next_fetch_at == NOW + timedelta(seconds=settings.min_interval)


def test_failures_back_off_with_a_cap_and_success_resets(settings):
    source = Source(url="u", normalized_url="u", host="h")
    delays = [plan(source, "failed", settings, status=503).next_fetch_at - NOW for _ in range(12)]
    assert delays[0] == timedelta(seconds=settings.retry_after)
    assert delays[1] == 2 * delays[0]
    assert delays[-1] == MAX_RETRY_DELAY and source.state == "failed"
    plan(source, "new", settings)
    assert source.failures == 0 and source.state == "fetched"


@pytest.mark.parametrize(
    "status, error_kind, times, reason",
    [
        (410, "http_status", 1, "gone (HTTP 410)"),
        (404, "http_status", 3, "not found (HTTP 404) 3 times in a row"),
        (None, "robots", 1, "disallowed by robots.txt"),
        (None, "blocked_address", 1, "refused address"),
    ],
)
def test_permanent_failures_retire_with_a_reason(settings, status, error_kind, times, reason):
    source = Source(url="u", normalized_url="u", host="h")
    for _ in range(times - 1):
        plan(source, "failed", settings, status=status, error_kind=error_kind, error="x")
        assert source.state == "failed"
    plan(source, "failed", settings, status=status, error_kind=error_kind, error="x")
    assert source.state == "retired" and source.retired_reason.startswith(reason)
    assert source.next_fetch_at is None
