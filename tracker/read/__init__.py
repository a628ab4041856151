"""Reading the record: lookup by URL, diffs, read-only SQL, named queries and exports (PROV, JSONL, WARC)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tracker.setting import setting


def host_problem(name: str) -> str | None:
    import re

    from tracker.read.trusted_hosts import host_name

    found = host_name(name)  # lower-cased, without a port
    if found and re.fullmatch(r"[a-z0-9._-]+|\[[0-9a-f:.]+\]|[0-9a-f:.]+", found):
        return None
    return f"{name!r} is not a host name (e.g. tracker.lan)"


@dataclass(frozen=True)
class ServeSettings:
    """What `tracker serve` answers (tracker.read.server)."""

    SECTION: ClassVar[str] = "serve"

    allowed_hosts: tuple[str, ...] = setting(
        (),
        "Host names `tracker serve` answers besides localhost, 127.0.0.1, [::1] and its --host "
        "(as --allow-host adds them); any other Host header gets a 400, against DNS rebinding. "
        "Comma-separated or a JSON list in the environment.",
        check=host_problem,
    )
