"""Fetching: guarded, polite HTTP for URLs found in untrusted documents.

Takes URLs due for fetching; gives responses (bytes, headers, every attempt), decoded HTML,
robots.txt decisions and the next time each source is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tracker.setting import setting


def _address_problem(entry: str) -> str | None:
    from tracker.fetch.addresses import parse_allowlist

    try:
        parse_allowlist([entry])
    except ValueError:
        return f"{entry!r} is not an IP address or CIDR block (examples: 127.0.0.1, 10.0.0.0/8, fd00::/8)"
    return None


@dataclass(frozen=True)
class FetchSettings:
    """Limits and permissions of one fetch (tracker.fetch.client)."""

    SECTION: ClassVar[str] = "fetch"

    allow_private: tuple[str, ...] = setting(
        (),
        "Private/loopback addresses or CIDRs the fetcher may reach (default: none). "
        "Comma-separated or a JSON list in the environment.",
        check=_address_problem,
    )
    allow_ports: tuple[int, ...] = setting(
        (),
        "Ports allowed besides 80 and 443. Comma-separated or a JSON list in the environment.",
        check=lambda port: None if 1 <= port <= 65535 else f"{port} is not a port (1 to 65535)",
    )
    user_agent: str = setting(
        "tracker/0.1 (multilingual source tracker; +https://example.invalid/tracker)",
        "User-Agent sent with every request; put a contact URL in it.",
        # What an HTTP header value may hold: else every request fails, charged to the sources.
        pattern=(r"[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?", "a User-Agent: printable ASCII, not empty, one line"),
    )
    connect_timeout: float = setting(10.0, "Seconds to wait for a connection.", above=0)
    read_timeout: float = setting(20.0, "Seconds to wait for each read.", above=0)
    deadline: float = setting(60.0, "Seconds one fetch may take in all (redirects and retries included).", above=0)
    max_body_bytes: int = setting(
        10 * 1024 * 1024, "Largest decoded response body kept; larger ones are refused while streaming.", above=0
    )
    max_redirects: int = setting(5, "Redirects followed before giving up.", at_least=0)
    max_retries: int = setting(2, "Retries of a timeout, connection error, 429 or 5xx within one run.", at_least=0)
    backoff: float = setting(1.0, "Base seconds of the exponential backoff between retries.", at_least=0)


@dataclass(frozen=True)
class CrawlSettings:
    """Politeness across many fetches (tracker.fetch.crawler); read from [fetch] like the rest."""

    SECTION: ClassVar[str] = "fetch"

    host_delay: float = setting(
        1.0, "Least seconds between two requests to one host (robots.txt Crawl-delay wins if longer).", at_least=0
    )
    concurrency: int = setting(
        4, "Hosts fetched from at once (never more than one request at a time per host).", at_least=1
    )
    max_host_wait: float = setting(
        60.0,
        "Longest a run waits for a host (Crawl-delay, Retry-After); its other pages wait for a later run.",
        at_least=0,
    )


@dataclass(frozen=True)
class ScheduleSettings:
    """When sources are fetched again (tracker.fetch.schedule)."""

    SECTION: ClassVar[str] = "schedule"
    ENV_PREFIX: ClassVar[str] = "TRACKER_"

    min_interval: int = setting(900, "Seconds between fetches of a source that is new or just changed.", above=0)
    max_interval: int = setting(
        3 * 24 * 3600, "Longest interval between fetches; it doubles each time a source is unchanged.", above=0
    )
    retry_after: int = setting(
        3600, "Seconds before a failed source is tried again; doubles per failure, at most a week.", above=0
    )
    retire_after_not_found: int = setting(
        3, "A source answering 404 this many times in a row is retired (410 retires at once).", at_least=1
    )

    def check(self) -> str | None:
        if self.min_interval > self.max_interval:
            return (
                f"[schedule] min_interval ({self.min_interval}) is above max_interval ({self.max_interval}): "
                "the interval starts at min_interval and doubles up to max_interval"
            )
        return None
