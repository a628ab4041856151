"""Alerts: telling a person when a cited source changes, vanishes or no longer bears a seed out.

Takes what the other stages recorded (new originals, alignments, sources retired or failing) and
gives events, each recorded once in `alerts` (stage.py, events.py), one grouped message per run
and destination through apprise (delivery.py, message.py), and an Atom feed (feed.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tracker.setting import setting

# Every kind of event (tracker/alerts/events.py and origins.py).
KINDS = ("source_changed", "source_gone", "label_changed", "trail_origin")


def _url_problem(url: str) -> str | None:
    # Never echo the value: an apprise URL holds its destination's secrets.
    scheme, found, rest = url.partition("://")
    if found and scheme and scheme.replace("+", "").isalnum() and rest:
        return None
    return "each item must be an apprise URL such as mailtos://…, slack://…, ntfy://… or json://…"


def _kind_problem(kind: str) -> str | None:
    return None if kind in KINDS else f"{kind!r} is not one of {', '.join(KINDS)}"


@dataclass(frozen=True)
class AlertsSettings:
    """Which events are sent where (tracker.alerts)."""

    SECTION: ClassVar[str] = "alerts"

    urls: tuple[str, ...] = setting(
        (),
        "Apprise URLs to send alerts to (e-mail, Slack, ntfy, a webhook…; see docs/alerts.md). They hold "
        "secrets: tracker shows them masked and never stores them. Empty: alerts are recorded, not sent.",
        check=_url_problem,
        secret=True,
    )
    events: tuple[str, ...] = setting(
        ("source_changed", "source_gone", "label_changed", "trail_origin"),
        "Kinds of event to send: source_changed, source_gone, label_changed, trail_origin (a claim's trail "
        "reached its origin beyond the cited source, with the step where it changed). "
        "Every kind is recorded and in the feed whatever this says.",
        check=_kind_problem,
    )
    gone_after: int = setting(
        3, "Failed fetches in a row after which a cited source counts as gone (a retired one is at once).", at_least=1
    )
    timeout: float = setting(
        10.0, "Seconds one delivery may take; past it the alert is retried by a later run.", above=0
    )
    retry_after: float = setting(
        300.0, "Seconds before an undelivered alert is tried again, doubling with each failure, at most a day.", above=0
    )
    base_url: str = setting(
        "http://127.0.0.1:8000",
        "Where `tracker serve` is reached: messages and the feed link to its seed and source pages.",
    )
