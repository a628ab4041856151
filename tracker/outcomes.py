"""What a run did, for both drivers: the `Notify` callback each stage reports through, the
`RunSummary` it adds to, and how one fetch outcome is told.

The stages (ingest, fetch, translate, align) report here; `tracker run` and the workers only
choose where the lines go (the CLI's log, JSON lines, progress bars).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from tracker.translation.translator import TranslateStats


class Notify(Protocol):
    """Receives what a run does: a one-line message, an event name and its fields.

    The CLI turns these into plain log lines, JSON lines or progress bars; events named
    `stage` (fields: name, total) and `progress` (fields: name) only drive progress displays.
    """

    def __call__(self, message: str, event: str = "info", **fields: Any) -> None: ...


def quiet(message: str, event: str = "info", **fields: Any) -> None:
    """A Notify that says nothing."""


Progress = Callable[[int, "int | None"], None]  # (bytes done, bytes in all) of a model download


@dataclass
class RunSummary:
    seeds_new: int = 0
    seeds_revised: int = 0
    seeds_unchanged: int = 0
    seeds_failed: list[tuple[str, str]] = field(default_factory=list)
    sources_new: int = 0
    fetched: int = 0  # fetches that made a new original version
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    retired: list[tuple[str, str]] = field(default_factory=list)
    deferred: list[tuple[str, str]] = field(default_factory=list)
    archived: int = 0  # archived copies stored (tracker.archive)
    not_archived: list[tuple[str, str]] = field(default_factory=list)
    archives_unreachable: dict[str, str] = field(default_factory=dict)  # TimeGate → why, said once a run
    translated: int = 0
    excerpts: int = 0
    stopped_early: bool = False
    next_due: datetime | None = None
    translation: TranslateStats = field(default_factory=TranslateStats)  # sentences, cache hits, model loads
    related: int = 0  # pairs of related seeds, recomputed when seeds changed
    notices: list[str] = field(default_factory=list)
    alerts: int = 0  # events recorded (tracker.alerts)
    alerts_sent: int = 0  # messages delivered, one per destination
    alerts_undelivered: int = 0  # messages that failed, tried again by a later run
    # (original, target) translations recorded as pending: a run that translates after each batch
    # of fetches looks at the same waiting originals again, and counts each once.
    pending_originals: set[tuple[int, str]] = field(default_factory=set, repr=False)

    @property
    def pending(self) -> int:
        return len(self.pending_originals)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["pending"] = len(data.pop("pending_originals"))
        data["next_due"] = self.next_due.isoformat() if self.next_due else None
        return data

    def add(self, other: RunSummary) -> None:
        """Add the work of `other` (a worker's job) to this summary: counts add up, lists join."""
        for name in (
            "fetched",
            "unchanged",
            "archived",
            "translated",
            "excerpts",
            "alerts",
            "alerts_sent",
            "alerts_undelivered",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.pending_originals |= other.pending_originals
        for name in ("skipped", "failed", "retired", "deferred", "not_archived"):
            getattr(self, name).extend(getattr(other, name))
        self.archives_unreachable = {**other.archives_unreachable, **self.archives_unreachable}
        self.notices += [n for n in other.notices if n not in self.notices]
        self.translation.add(other.translation)
        self.stopped_early = self.stopped_early or other.stopped_early

    def add_seeds(self, other: RunSummary) -> None:
        """Add one more ingestion's seed counts (a worker ingests at every scheduling pass: the
        seeds it saw unchanged are the same seeds each time, and a failure is told once)."""
        self.seeds_new += other.seeds_new
        self.seeds_revised += other.seeds_revised
        self.seeds_unchanged = max(self.seeds_unchanged, other.seeds_unchanged)
        self.seeds_failed += [f for f in other.seeds_failed if f not in self.seeds_failed]
        self.sources_new += other.sources_new
        self.related += other.related
        self.notices += [n for n in other.notices if n not in self.notices]


def report_fetch(source, outcome, summary: RunSummary, notify: Notify) -> None:
    """Count and tell one recorded fetch of `source` (outcome: originals.versions.FetchOutcome)."""
    url = source.url
    if outcome.state in ("new", "changed"):
        summary.fetched += 1
        notify(f"fetched {url} ({outcome.state} text)", "fetched", url=url, outcome=outcome.state)
    elif outcome.state == "unchanged":
        summary.unchanged += 1
        notify(f"unchanged {url}", "unchanged", url=url)
    elif outcome.state == "skipped":
        summary.skipped.append((url, outcome.error or ""))
        notify(f"{outcome.error}: {url}", "skipped", url=url, reason=outcome.error)
    elif source.state == "retired":
        summary.failed.append((url, outcome.error or ""))
        summary.retired.append((url, source.retired_reason))
        notify(f"retired {url}: {source.retired_reason}", "retired", url=url, reason=source.retired_reason)
    else:
        summary.failed.append((url, outcome.error or ""))
        notify(
            f"failed {url}: {outcome.error} (retried after {source.next_fetch_at:%Y-%m-%d %H:%M} UTC, "
            "or now with `tracker run --all`)",
            "failed",
            url=url,
            reason=outcome.error,
            next_fetch_at=source.next_fetch_at.isoformat(),
        )


def report_deferred(source, reason: str, summary: RunSummary, notify: Notify) -> None:
    """A source the crawler did not fetch this time (its host asked us to wait): it stays due."""
    summary.deferred.append((source.url, reason))
    notify(f"{reason}: {source.url}", "deferred", url=source.url, reason=reason)
