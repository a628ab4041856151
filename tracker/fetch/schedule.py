"""When to fetch a source next, and when to give up on it.

Like NewsDiffs: a source is checked often while it is new or changing, and less often as it stays
the same (the interval doubles up to `max_interval`). Failures back off exponentially from
`retry_after`, at most a week. Permanent failures retire the source with a recorded reason: 410
Gone, repeated 404s, robots.txt disallowing it, or an address the configuration refuses.
`tracker run --all` fetches retired sources too, which revives them if they answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tracker.fetch import ScheduleSettings
from tracker.fetch.revive import CONFIG_DEPENDENT
from tracker.store.tables import Source

MAX_RETRY_DELAY = timedelta(days=7)
# Failures that retrying cannot mend: only the server or the configuration changing can.
_REFUSED = {
    "robots": "disallowed by robots.txt",
    "blocked_address": "refused address",
    "blocked_port": "refused port",
    "blocked_scheme": "refused scheme",
    "bad_url": "bad URL",
}


def plan_next_fetch(
    source: Source,
    state: str,
    *,
    status: int | None,
    error_kind: str | None,
    error: str | None,
    now: datetime,
    settings: ScheduleSettings,
    fetch_policy: str | None = None,
) -> None:
    """Update `source`'s schedule after a fetch whose outcome was `state`. `fetch_policy` is the
    fingerprint of the address and port settings in force (tracker.fetch.revive)."""
    source.last_error = error
    if state == "failed":
        _after_failure(source, status, error_kind, error, now, settings, fetch_policy)
        return
    if state == "changed":
        source.changes += 1
    source.failures, source.retired_reason, source.retired_under = 0, None, None
    if state in ("new", "changed"):  # look again soon
        interval = settings.min_interval
    else:  # unchanged or nothing to extract: back off
        interval = min(2 * (source.check_interval or settings.min_interval), settings.max_interval)
    source.check_interval = interval
    source.next_fetch_at = now + timedelta(seconds=interval)
    source.state = "skipped" if state == "skipped" else "fetched"


def _after_failure(
    source: Source,
    status: int | None,
    error_kind: str | None,
    error: str | None,
    now: datetime,
    settings: ScheduleSettings,
    fetch_policy: str | None,
) -> None:
    source.failures += 1
    reason = None
    if status == 410:
        reason = "gone (HTTP 410)"
    elif status == 404 and source.failures >= settings.retire_after_not_found:
        reason = f"not found (HTTP 404) {source.failures} times in a row"
    elif error_kind in _REFUSED:
        reason = f"{_REFUSED[error_kind]}: {error}"
    if reason is not None:
        source.state, source.retired_reason, source.next_fetch_at = "retired", reason, None
        if error_kind in CONFIG_DEPENDENT:  # comes back when [fetch] allow_private/allow_ports change
            source.retired_under = fetch_policy
        return
    delay = timedelta(seconds=settings.retry_after) * 2 ** min(source.failures - 1, 20)
    source.state = "failed"
    source.next_fetch_at = now + min(delay, MAX_RETRY_DELAY)
