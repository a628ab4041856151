"""Storage: the tables, the database connection and migrations, bodies, host state, provenance.

Every stage reads and writes through these; nothing here knows about HTTP or translation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tracker.setting import setting


@dataclass(frozen=True)
class DatabaseSettings:
    SECTION: ClassVar[str] = "database"

    url: str = setting(
        "sqlite:///data/tracker.db",
        "SQLAlchemy URL of the database; a relative SQLite path is relative to the config file.",
    )
