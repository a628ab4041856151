"""Archived copies: asking web archives (Memento, RFC 7089) for a source that is gone, or that
tracker first read long after the seed that cites it.

Takes sources marked for a lookup (gone: failed as not found, or unreachable a few times in a
row; late: first captured more than `late_after` after the citing seed's date); gives original
versions stored as archived copies, with the archive's name, the memento's URL and the capture
time the archive states, or a recorded "not archived" with the next try.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tracker.setting import setting

WAYBACK_TIMEGATE = "https://web.archive.org/web/"


def _timegate_problem(url: str) -> str | None:
    if not url.startswith(("http://", "https://")):
        return f"{url!r} is not an http(s) URL (example: {WAYBACK_TIMEGATE})"
    return None


@dataclass(frozen=True)
class ArchiveSettings:
    """When and where archived copies are looked up (tracker.archive.stage)."""

    SECTION: ClassVar[str] = "archive"

    enabled: bool = setting(
        True,
        "Ask web archives for a source that is gone, or that was first read long after its seed; "
        "each lookup tells the archive the URL (see docs/archive.md).",
    )
    timegates: tuple[str, ...] = setting(
        (WAYBACK_TIMEGATE,),
        "Memento TimeGates asked in turn, each the start of a URL the page's URL is appended to. "
        "Comma-separated or a JSON list in the environment.",
        check=_timegate_problem,
    )
    after_failures: int = setting(
        2,
        "Failed fetches in a row (DNS or connection failures) before an archive is asked; a 404 or 410 asks at once.",
        at_least=1,
    )
    late_after: int = setting(
        86400,
        "Seconds after the citing seed's date past which a source's first capture is late, and the "
        "archived copy closest to the seed's date is looked up.",
        at_least=0,
    )
    save: bool = setting(
        False,
        "Ask the Wayback Machine to capture each new source (Save Page Now); off by default, since it "
        "writes to a third party.",
    )

    def check(self) -> str | None:
        if self.enabled and not self.timegates:
            return "[archive] timegates is empty: name at least one TimeGate, or set [archive] enabled = false"
        return None
