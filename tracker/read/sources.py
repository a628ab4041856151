"""Sources with their schedule: what `tracker sources` lists (plain SQL through a Reader)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracker.store.reader import Row, reader_of


def list_sources(reader, state: str | None = None) -> list[Row]:
    """Every source (or those in `state`), in the order they were first cited."""
    reader = reader_of(reader)
    if state:
        return reader.rows("sources", "FROM sources WHERE state = :state ORDER BY id", state=state)
    return reader.rows("sources", "FROM sources ORDER BY id")


def source_json(source: Row) -> dict[str, Any]:
    """A source as `tracker sources --json` prints it: datetimes in ISO form, UTC as Z."""
    return {
        name: value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else value
        for name, value in source.items()
    }
