"""Sources retired for a reason the configuration decides come back when it changes.

A refused address or port is refused because of `[fetch] allow_private` and `allow_ports`; a
source retired for that remembers the fingerprint of those settings (`sources.retired_under`).
When a run starts under different settings, such sources are due again at once, without
`tracker run --all`: if the new settings still refuse them, they are retired again.
"""

from __future__ import annotations

import hashlib
import json

from sqlmodel import Session, select

from tracker.fetch import FetchSettings
from tracker.store.tables import Source

# error kinds whose refusal depends on the configuration
CONFIG_DEPENDENT = frozenset({"blocked_address", "blocked_port"})


def policy_fingerprint(fetch: FetchSettings) -> str:
    """A short digest of the settings that decide which addresses and ports may be fetched."""
    decided_by = {"allow_private": sorted(fetch.allow_private), "allow_ports": sorted(fetch.allow_ports)}
    return hashlib.sha256(json.dumps(decided_by, sort_keys=True).encode()).hexdigest()[:16]


def revive_for_new_policy(session: Session, fetch: FetchSettings) -> list[Source]:
    """Make due again the sources retired under other address/port settings; return them."""
    current = policy_fingerprint(fetch)
    revived = list(
        session.exec(
            select(Source).where(
                Source.state == "retired", Source.retired_under.is_not(None), Source.retired_under != current
            )
        )
    )
    for source in revived:
        source.state, source.retired_reason, source.retired_under = "failed", None, None
        source.next_fetch_at = None
        source.failures = 0
        session.add(source)
    return revived
