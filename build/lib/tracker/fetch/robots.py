"""robots.txt: what a host lets us fetch, read from the file and the status it was served with.

RFC 9309 (and what the big crawlers do): a 2xx body is parsed (only its first 500 KiB); any other
4xx means there are no rules (allow all); 429 and 5xx mean the host is struggling, so nothing is
fetched (disallow all). An unreachable robots.txt (DNS, connection, timeout, broken response) is
treated like a 5xx: the site is disallowed until the file is checked again, an hour later, since a
host that cannot serve robots.txt is not one to send page requests to either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

__all__ = ["ROBOTS_FAILURE_TTL", "ROBOTS_TTL", "RobotsRules", "product_token"]

ROBOTS_TTL = timedelta(hours=24)  # a fetched robots.txt (2xx or 4xx) is reused this long
ROBOTS_FAILURE_TTL = timedelta(hours=1)  # a 5xx or unreachable one is checked again after this
MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least the first 500 KiB, may stop there

_TOKEN = re.compile(r"[A-Za-z_-]+")


def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against: "tracker" for "tracker/0.1 (+https://…)"."""
    match = _TOKEN.match(user_agent.strip())
    return match.group(0).lower() if match else "*"


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one origin's robots.txt: its HTTP status (None when it could not be fetched),
    its body, and the error when it could not be fetched."""

    origin: str
    status: int | None
    body: str | None = None
    error: str | None = None

    @property
    def url(self) -> str:
        return f"{self.origin}/robots.txt"

    @property
    def failed(self) -> bool:
        """The file was unreachable or the host was struggling: disallow everything."""
        return self.status is None or self.status == 429 or self.status >= 500

    @property
    def ttl(self) -> timedelta:
        return ROBOTS_FAILURE_TTL if self.failed else ROBOTS_TTL

    @cached_property
    def _parsed(self):
        if self.status is None or not 200 <= self.status < 300 or not self.body:
            return None
        from protego import Protego  # only needed when a host has rules

        return Protego.parse(self.body[:MAX_ROBOTS_BYTES])

    def allows(self, url: str, agent: str) -> bool:
        if self.failed:
            return False
        return self._parsed is None or self._parsed.can_fetch(url, agent)

    def crawl_delay(self, agent: str) -> float | None:
        """Seconds the host asks between requests (robots `Crawl-delay`), if it says."""
        if self._parsed is None:
            return None
        delay = self._parsed.crawl_delay(agent)
        return float(delay) if delay is not None and delay >= 0 else None

    def refusal(self, url: str, agent: str) -> str:
        """One line saying why `url` is not fetched."""
        if self.status is None:
            return (
                f"not fetched: {self.url} could not be fetched ({self.error}), so the site is "
                "treated as off limits until it can be"
            )
        if self.failed:
            return (
                f"not fetched: {self.url} answered HTTP {self.status}, so the site is treated "
                "as off limits until it answers normally"
            )
        return f"not fetched: {self.url} disallows {url} for user agent {agent!r}"
