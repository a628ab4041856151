"""Trails: a claim followed back through the sources' own citations, hop by hop, across languages.

Takes the original versions of fetched sources, their texts in the target language and the
per-sentence judgments of the seeds against them; gives `hop_citations` (what each source cites,
which become sources of the next hop, fetched by the fetch stage like any other), `hop_alignments`
(the claim sentences of one hop judged against the hop it cites) and, read from both, each seed
sentence's trail: its chain, its origin, where it changed, or why it went cold (trail.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tracker.setting import setting

__all__ = ["TrailSettings"]


@dataclass(frozen=True)
class TrailSettings:
    SECTION: ClassVar[str] = "trail"

    depth: int = setting(
        2,
        "Hops followed beyond the sources a seed cites (0: only those, as before trails).",
        at_least=0,
    )
    follow: str = setting(
        "claims",
        '"claims": only the citations in or next to the source sentences a seed sentence (or an earlier hop) '
        'draws on; "all": every link in the article body, up to max_links.',
        choices=("claims", "all"),
    )
    max_links: int = setting(20, "Citations followed at most per source version (each one a fetch).", above=0)
