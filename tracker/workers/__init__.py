"""Workers on PostgreSQL: many processes on many machines share fetching, translation and alignment.

Takes due sources, originals to translate and (seed, version) pairs to align, as jobs in the
`jobs` table; gives the same versions `tracker run` makes, each exactly once, with politeness held
across machines by host leases and every write fenced (see docs/workers.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tracker.setting import setting


@dataclass(frozen=True)
class WorkerSettings:
    SECTION: ClassVar[str] = "worker"

    lease: float = setting(
        60.0,
        "Seconds a worker's claim on a job or a host lasts unless renewed; then another worker takes over.",
        above=0,
    )
    batch_tokens: int = setting(
        4000, "Rough tokens of originals (of one language pair) a translation job takes at once.", above=0
    )
