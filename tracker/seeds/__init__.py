"""Seeds: read seed files (text, Markdown, HTML), record new revisions, find what they cite.

Takes the seeds folder; gives `seeds` rows and their `citations` (URLs, and attributions: who
the seed says its claims come from, resolved to names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tracker.setting import setting


@dataclass(frozen=True)
class SeedsSettings:
    SECTION: ClassVar[str] = "seeds"

    max_bytes: int = setting(
        10_000_000,
        "A seed file larger than this many bytes is skipped with a warning (a 10 MB seed is a book).",
        above=0,
    )
