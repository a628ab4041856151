"""Storage: the tables, the database connection and migrations, bodies, host state, provenance.

Every stage reads and writes through these; nothing here knows about HTTP or translation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from tracker.setting import setting

if TYPE_CHECKING:
    from tracker.store.target import DatabaseTarget


@dataclass(frozen=True)
class DatabaseSettings:
    SECTION: ClassVar[str] = "database"

    url: str = setting(
        "sqlite:///data/tracker.db",
        "SQLAlchemy URL of the database; a relative SQLite path is relative to the config file.",
    )

    @cached_property
    def target(self) -> DatabaseTarget:
        """The URL parsed and checked once (DatabaseUrlError if it is not one tracker can use)."""
        from tracker.store.target import DatabaseTarget

        return DatabaseTarget.parse(self.url)
